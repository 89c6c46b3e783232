//! The rounds API through the real router on a real SQLite registry: a whole year walked by
//! bearer tokens of the bureau, a task force, a leader and finance; the roles' refusals (409,
//! nothing changed), the scope of a task force, bodies refused at the door (422, every problem
//! named), and the payment refused twice.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, Reply, app, policy};
use lianzhang_store::NewCreditEntry;
use serde_json::{Value, json};

const YEAR: i32 = 2024;

async fn walk_app() -> App {
    let p = policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 60, seed: 7, ..Default::default() },
        &p.vocabulary,
    );
    let app = app(p, &data).await;
    for user in ["clerk", "steel", "food", "leader", "finance", "admin"] {
        app.state.store.add_token(user, &format!("token-of-{user}-0123456789")).await.unwrap();
    }
    app
}

/// The bureau's clerk as the store knows an actor.
fn clerk_actor() -> lianzhang_rounds::Actor {
    lianzhang_rounds::Actor { username: "clerk".into(), role: lianzhang_rounds::Role::Bureau }
}

fn bearer(user: &str) -> String {
    format!("Bearer token-of-{user}-0123456789")
}

async fn get(app: &App, user: &str, path: &str) -> (StatusCode, Value) {
    let r = app.send(Request::get(path).header(header::AUTHORIZATION, bearer(user)).body(Body::empty()).unwrap()).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

async fn post(app: &App, user: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let r: Reply = app
        .send(
            Request::post(path)
                .header(header::AUTHORIZATION, bearer(user))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_else(|_| json!({"raw": r.body})))
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_string()
}

async fn event_count(app: &App, id: i64) -> usize {
    app.state.store.round(id).await.unwrap().events.len()
}

/// All the lines of round `id` as `user` sees them.
async fn all_lines(app: &App, user: &str, id: i64, filter: &str) -> Vec<Value> {
    let (s, v) = get(app, user, &format!("/api/v1/rounds/{id}/lines?per_page=500{filter}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

/// Asserts a refusal with `status` whose message contains `says`, and that the round did not change.
async fn refused(app: &App, id: i64, user: &str, path: &str, body: Value, status: StatusCode, says: &str) {
    let before = event_count(app, id).await;
    let (s, v) = post(app, user, path, body).await;
    assert_eq!(s, status, "{user} {path}: {v}");
    assert!(message(&v).contains(says), "{user} {path}: {}", message(&v));
    assert_eq!(event_count(app, id).await, before, "{user} {path} changed the round");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_walked_by_api_with_roles_and_refusals() {
    let app = walk_app().await;
    let (s, v) = post(&app, "steel", "/api/v1/rounds", json!({"year": YEAR, "name": "2024年度第一批"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(message(&v).contains("工信局"), "{v}");
    assert!(app.state.store.rounds().await.unwrap().is_empty());

    let (s, round) = post(&app, "clerk", "/api/v1/rounds", json!({"year": YEAR, "name": "2024年度第一批"})).await;
    assert_eq!(s, StatusCode::CREATED, "{round}");
    let id = round["id"].as_i64().unwrap();
    assert_eq!(round["revision"], 1);
    assert_eq!(round["phase"]["phase"], "review");
    assert_eq!(round["revisions"][0]["revision"], 1);
    assert!(round["revisions"][0]["run_id"].as_i64().is_some());
    assert_eq!(round["revisions"][0]["facts_hash"].as_str().unwrap().len(), 64);
    let (s, list) = get(&app, "finance", "/api/v1/rounds").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"][0]["id"], id);
    let base = format!("/api/v1/rounds/{id}");

    // The task force sees its chain only; the bureau all.
    let lines = all_lines(&app, "clerk", id, "").await;
    assert!(lines.len() > 5, "{} lines", lines.len());
    let steel = all_lines(&app, "steel", id, "").await;
    assert!(!steel.is_empty() && steel.len() < lines.len());
    assert!(steel.iter().all(|l| l["chain"] == "steel"));
    let (_, tf) = get(&app, "steel", &base).await;
    assert!(tf["totals"]["lines"].as_u64() < round["totals"]["lines"].as_u64());
    let food_line = lines.iter().find(|l| l["chain"] == "food" && l["outcome"] == "award").expect("a food award");

    // Refusals by role: nothing changes.
    refused(
        &app,
        id,
        "steel",
        &format!("{base}/decisions"),
        json!({"line": food_line["line"], "action": "reject", "reason": "不符"}),
        StatusCode::CONFLICT,
        "不属于本专班",
    )
    .await;
    refused(&app, id, "finance", &format!("{base}/approvals"), json!({"note": "同意"}), StatusCode::CONFLICT, "领导")
        .await;
    refused(&app, id, "leader", &format!("{base}/approvals"), json!({"note": "同意"}), StatusCode::CONFLICT, "未办结")
        .await;
    refused(&app, id, "leader", &format!("{base}/refresh"), json!({}), StatusCode::CONFLICT, "工信局").await;
    // At the door: every problem at once, 422.
    refused(
        &app,
        id,
        "clerk",
        &format!("{base}/payments"),
        json!({"payments": [{"line": food_line["line"], "amount": "12.345", "voucher": "V1", "date": "2024-13-01"}]}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "第 1 笔的支付日期 date",
    )
    .await;
    let (s, v) =
        post(&app, "clerk", &format!("{base}/decisions"), json!({"line": food_line["line"], "action": "approve"}))
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&v).contains("approve"), "{v}");
    let (s, _) = get(&app, "clerk", "/api/v1/rounds/abc").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get(&app, "clerk", "/api/v1/rounds/999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = app.send(Request::get("/api/v1/rounds").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Review: needs_review lines rejected, ceiling lines given their final amount.
    for l in all_lines(&app, "clerk", id, "&status=review").await {
        let (s, v) = post(
            &app,
            "clerk",
            &format!("{base}/decisions"),
            json!({"line": l["line"], "action": "reject", "reason": "资料不全，本批不予兑现"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    for l in all_lines(&app, "clerk", id, "&status=final_amount").await {
        let (s, v) = post(
            &app,
            "clerk",
            &format!("{base}/decisions"),
            json!({"line": l["line"], "action": "set_amount", "amount": l["amount"], "basis": "评审会纪要"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // Confirmation: the steel task force its chain's lines, the bureau the others.
    for l in all_lines(&app, "clerk", id, "&status=confirmation").await {
        let who = if l["chain"] == "steel" { "steel" } else { "clerk" };
        let body = json!({"line": l["line"], "accepted": true, "channel": "phone", "date": "2024-09-02",
            "account": {"holder": l["enterprise"], "bank": "泽州农商行", "number": "6228000011112222"}, "note": ""});
        let (s, v) = post(&app, who, &format!("{base}/confirmations"), body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // Credit check: one enterprise on the list, cleared with evidence.
    let hit = lines.iter().find(|l| l["outcome"] == "award").unwrap()["line"]["uscc"].as_str().unwrap().to_string();
    refused(
        &app,
        id,
        "clerk",
        &format!("{base}/credit-check"),
        json!({"date": "2024-09-10"}),
        StatusCode::CONFLICT,
        "失信名单",
    )
    .await;
    let entry = NewCreditEntry {
        uscc: hit.clone(),
        name: None,
        list: "失信被执行人名单".into(),
        source: "信用中国".into(),
        listed: "2024-01-05".parse().unwrap(),
        removed: None,
    };
    app.state.store.import_credit_list("失信名单.xlsx", &[entry], &clerk_actor()).await.unwrap();
    let (s, v) = post(&app, "clerk", &format!("{base}/credit-check"), json!({"date": "2024-09-10"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!all_lines(&app, "clerk", id, "&status=credit_hit").await.is_empty());
    let (s, v) = post(
        &app,
        "clerk",
        &format!("{base}/credit-clearances"),
        json!({"uscc": hit, "reason": "已完成信用修复", "evidence": "信用修复决定书"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(all_lines(&app, "clerk", id, "&status=open").await.is_empty());

    // Approval, publication over the National Day holidays, an objection dismissed, final.
    let (s, v) = post(&app, "leader", &format!("{base}/approvals"), json!({"note": "同意"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["phase"]["phase"], "approved");
    let (s, v) = post(
        &app,
        "clerk",
        &format!("{base}/publish"),
        json!({"date": "2024-09-27", "document_no": "泽工信字〔2024〕9号"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["phase"]["last_day"], "2024-10-10");
    let some = &all_lines(&app, "clerk", id, "&status=ready").await[0];
    let (s, v) = post(
        &app,
        "clerk",
        &format!("{base}/objections"),
        json!({"line": some["line"], "objector": "张三", "date": "2024-09-30", "content": "产值有误"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["open_objections"], json!([1]));
    refused(
        &app,
        id,
        "clerk",
        &format!("{base}/finalise"),
        json!({"date": "2024-10-11"}),
        StatusCode::CONFLICT,
        "异议未处理",
    )
    .await;
    let (s, v) = post(
        &app,
        "clerk",
        &format!("{base}/objections/1/resolve"),
        json!({"result": "dismissed", "reason": "经核实产值无误"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    refused(
        &app,
        id,
        "clerk",
        &format!("{base}/finalise"),
        json!({"date": "2024-10-10"}),
        StatusCode::CONFLICT,
        "期满后",
    )
    .await;
    let (s, v) = post(&app, "clerk", &format!("{base}/finalise"), json!({"date": "2024-10-11"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["phase"]["phase"], "final");

    // Payment: finance only, all or none; a second payment refused naming the first; reversal.
    let ready = all_lines(&app, "finance", id, "&status=ready").await;
    let payments: Vec<Value> = ready
        .iter()
        .enumerate()
        .map(|(i, l)| json!({"line": l["line"], "amount": l["final_amount"], "voucher": format!("记-{i}"), "date": "2024-10-20"}))
        .collect();
    refused(
        &app,
        id,
        "leader",
        &format!("{base}/payments"),
        json!({"payments": payments}),
        StatusCode::CONFLICT,
        "财政局",
    )
    .await;
    let (s, v) = post(&app, "finance", &format!("{base}/payments"), json!({"payments": payments})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totals"]["paid"], v["totals"]["ready"]);
    refused(
        &app,
        id,
        "finance",
        &format!("{base}/payments"),
        json!({"payments": [payments[0]]}),
        StatusCode::CONFLICT,
        "最多可付",
    )
    .await;
    let (_, ev) = get(&app, "clerk", &format!("{base}/events")).await;
    let paid = ev["items"].as_array().unwrap().iter().find(|e| e["event"]["kind"] == "paid").unwrap().clone();
    assert_eq!(paid["event"]["amount"], payments[0]["amount"]);
    let entry = paid["event"]["ledger_entry"].as_i64().unwrap();
    refused(
        &app,
        id,
        "clerk",
        &format!("{base}/payments/{entry}/reversal"),
        json!({"reason": "账号有误"}),
        StatusCode::CONFLICT,
        "财政局",
    )
    .await;
    let (s, v) =
        post(&app, "finance", &format!("{base}/payments/{entry}/reversal"), json!({"reason": "账号有误"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_ne!(v["totals"]["paid"], v["totals"]["ready"]);
    let (s, v) = post(&app, "finance", &format!("{base}/payments"), json!({"payments": [payments[0]]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totals"]["paid"], v["totals"]["ready"]);

    // The timeline: every step, who and what in Chinese; a task force sees its chain's entries.
    let (_, ev) = get(&app, "clerk", &format!("{base}/events")).await;
    let kinds: Vec<&str> =
        ev["items"].as_array().unwrap().iter().map(|e| e["event"]["kind"].as_str().unwrap()).collect();
    for k in [
        "refreshed",
        "confirmed",
        "credit_checked",
        "credit_cleared",
        "approved",
        "published",
        "objected",
        "objection_dismissed",
        "finalised",
        "paid",
        "reversed",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(ev["items"][0]["zh"].as_str().unwrap().contains("第 1 版"));
    let (_, tf) = get(&app, "steel", &format!("{base}/events")).await;
    assert!(tf["items"].as_array().unwrap().len() < ev["items"].as_array().unwrap().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_must_be_json_and_filters_known() {
    let app = walk_app().await;
    let r = app
        .send(
            Request::post("/api/v1/rounds")
                .header(header::AUTHORIZATION, bearer("clerk"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from(r#"{"year":2024,"name":"x"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("application/json"), "{}", r.body);
    let (s, v) = post(&app, "clerk", "/api/v1/rounds", json!({"year": 1800, "name": "坏\u{202E}名"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&v).contains("年度 year") && message(&v).contains("批次名称 name"), "{v}");
    let (s, v) = post(&app, "clerk", "/api/v1/rounds", json!({"year": 2024, "name": "一批", "extra": 1})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&v).contains("extra"), "{v}");
    assert!(app.state.store.rounds().await.unwrap().is_empty());
    let (s, round) = post(&app, "clerk", "/api/v1/rounds", json!({"year": YEAR, "name": "一批"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = get(&app, "clerk", &format!("/api/v1/rounds/{}/lines?status=paid", round["id"])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&v).contains("可选"), "{v}");
    let (s, v) =
        get(&app, "clerk", &format!("/api/v1/rounds/{}/lines?rule=above_scale_entry&per_page=2", round["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["items"].as_array().unwrap().len() <= 2);
    assert!(v["items"].as_array().unwrap().iter().all(|l| l["line"]["rule"] == "above_scale_entry"));
}

#[tokio::test]
async fn every_rounds_endpoint_is_documented() {
    let app = walk_app().await;
    let r = app.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
    let spec: Value = serde_json::from_str(&r.body).unwrap();
    let documented = |path: &str, method: &str| {
        let op = &spec["paths"][path][method];
        op["summary"].is_string() && op["description"].as_str().is_some_and(|d| d.starts_with("角色："))
    };
    assert!(documented("/api/v1/rounds", "get") && documented("/api/v1/rounds", "post"));
    for get in ["", "/lines", "/events"] {
        assert!(documented(&format!("/api/v1/rounds/{{id}}{get}"), "get"), "{get}");
    }
    for post in [
        "refresh",
        "decisions",
        "confirmations",
        "credit-check",
        "credit-clearances",
        "approvals",
        "publish",
        "objections",
        "objections/{n}/resolve",
        "finalise",
        "payments",
        "payments/{entry}/reversal",
    ] {
        let path = format!("/api/v1/rounds/{{id}}/{post}");
        assert!(documented(&path, "post"), "{path}");
        assert!(spec["paths"][&path]["post"]["responses"]["409"].is_object(), "{path}");
    }
}

//! 政策沙盘 (issue 12): the form's changes become `--set` assignments; the answer's figures are
//! `assess` with those assignments on the registry's facts, to the fen; the changed enterprises
//! are listed with both explanations within the user's scope; a wrong value is refused with its
//! reason; scenarios are saved, listed and compared; the workbook opens; the API answers the same.
mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use lianzhang_policy::{PolicyFile, Status, assess_with};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

async fn county() -> App {
    let p = policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 400, seed: 3, ..Default::default() },
        &p.vocabulary,
    );
    let app = app(p, &data).await;
    for user in ["clerk", "steel", "leader", "finance"] {
        app.state.store.add_token(user, &format!("token-of-{user}-0123456789")).await.unwrap();
    }
    app
}

async fn api(app: &App, user: &str, path: &str) -> (StatusCode, Value) {
    let r = app
        .send(
            Request::get(path)
                .header(header::AUTHORIZATION, format!("Bearer token-of-{user}-0123456789"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

/// What `lianzhang assess --db … --year YEAR --set …` totals: the awards of `assess_with` on the
/// registry's inputs.
async fn assessed_total(app: &App, year: i32, set: &[&str]) -> Decimal {
    let mut f = PolicyFile::bundled();
    for s in set {
        f.set(s);
    }
    let p = f.compile().unwrap();
    let inputs = app.state.store.load_assessment_inputs(&p.vocabulary).await.unwrap();
    let a = assess_with(&p, &inputs.dataset, year, &inputs.paid, &inputs.confirmations);
    a.outcomes.iter().filter(|o| o.status == Status::Award).filter_map(|o| o.amount).sum()
}

/// The page's text with the template's character references (`&#34;`, `&amp;`) read back.
fn shown(html: &str) -> String {
    let text = text_of(html).replace("&amp;", "\u{0}");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').map(|e| at + e).unwrap();
        out.push(char::from_u32(rest[at + 2..end].parse().unwrap()).unwrap());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<").replace("&gt;", ">").replace('\u{0}', "&")
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a yuan string: {v}"))).unwrap()
}

#[tokio::test]
async fn a_raised_award_is_answered_as_assess_set_would_with_the_enterprises_it_changes() {
    let app = county().await;
    let cookie = app.session("leader").await;
    let r = app.get("/policy/sandbox?from=2023&to=2024&p.above_scale_entry.amount=15%E4%B8%87", &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = shown(&r.body);
    for part in [
        "当年首次“小升规”工业企业奖励",
        "奖励金额",
        "10万元",
        "15万元",
        "--set 'above_scale_entry.amount=\"150000\"'",
        "2023年度",
        "2024年度",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // The same question through the API: the figures of assess --set, to the fen.
    let (status, v) =
        api(&app, "clerk", "/api/v1/sandbox?from=2023&to=2024&set=above_scale_entry.amount%3D%22150000%22").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["set"], serde_json::json!(["above_scale_entry.amount=\"150000\""]));
    for (i, year) in [2023, 2024].into_iter().enumerate() {
        let y = &v["years"][i];
        assert_eq!(y["year"], year);
        assert_eq!(dec(&y["base_total"]), assessed_total(&app, year, &[]).await, "{year} in force");
        assert_eq!(
            dec(&y["scenario_total"]),
            assessed_total(&app, year, &["above_scale_entry.amount=\"150000\""]).await,
            "{year} scenario"
        );
        let entrants = y["rules"].as_array().unwrap().iter().find(|r| r["id"] == "above_scale_entry").unwrap();
        let n = entrants["base_awards"].as_u64().unwrap();
        assert!(n > 0, "the demo county has entrants in {year}");
        assert_eq!(dec(&y["scenario_total"]) - dec(&y["base_total"]), Decimal::from(50_000 * n));
        // Every entrant is listed with the rule's two explanations.
        assert_eq!(y["changed_count"].as_u64().unwrap(), n);
        let first = &y["changed"][0]["rules"][0];
        assert_eq!(
            (first["before"].as_str().unwrap(), first["after"].as_str().unwrap()),
            ("奖励 10万元", "奖励 15万元")
        );
        assert!(first["after_explanation"].as_str().unwrap().contains("15万元"));
    }
    // The page lists the same enterprises: the leader sees only those it is liaison for (none).
    assert!(text.contains("结果变化的企业不在您的查看范围内"), "{text}");
}

#[tokio::test]
async fn a_task_force_sees_its_chain_s_enterprises_and_finance_sees_none() {
    let app = county().await;
    let path = "/api/v1/sandbox?from=2023&to=2023&set=above_scale_entry.amount%3D%22150000%22";
    let (_, all) = api(&app, "clerk", path).await;
    let (_, steel) = api(&app, "steel", path).await;
    let (_, finance) = api(&app, "finance", path).await;
    let n = all["years"][0]["changed_count"].as_u64().unwrap();
    assert_eq!(all["years"][0]["changed_in_scope"].as_u64().unwrap(), n);
    // The budget is county-wide for every role; the list is scoped.
    for v in [&steel, &finance] {
        assert_eq!(v["years"][0]["scenario_total"], all["years"][0]["scenario_total"]);
        assert_eq!(v["years"][0]["changed_count"].as_u64().unwrap(), n);
    }
    let steel_list = steel["years"][0]["changed"].as_array().unwrap();
    assert!(steel_list.iter().all(|e| e["chain"] == "钢铁"), "{steel_list:?}");
    assert!(steel["years"][0]["changed_in_scope"].as_u64().unwrap() < n);
    assert!(finance["years"][0]["changed"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_wrong_value_is_refused_with_its_reason_and_nothing_is_computed() {
    let app = county().await;
    let cookie = app.session("clerk").await;
    let r = app.get("/policy/sandbox?from=2023&to=2023&p.project_subsidy.cap=%E5%A4%9A", &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = shown(&r.body);
    assert!(text.contains("方案有误，未试算"), "{text}");
    assert!(text.contains("project_subsidy.cap=\"多\""), "the assignment is named: {text}");
    assert!(!text.contains("结果变化的企业"), "no answer: {text}");
    let (status, v) = api(&app, "clerk", "/api/v1/sandbox?set=nothing.here%3D1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"]["problems"][0].as_str().unwrap().contains("未知参数"), "{v}");
    let r = app.get("/policy/sandbox?from=2025&to=2023", &cookie).await;
    assert!(shown(&r.body).contains("年度范围有误"), "{}", r.body);
    // A year that does not fit is refused as such (not wrapped round to another year).
    let r = app.get("/policy/sandbox?from=4294969320&to=4294969320", &cookie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shown(&r.body).contains("起始年度"), "{}", r.body);
    // A scenario that does not exist is not found (404), on the page and in the API.
    assert_eq!(app.get("/policy/sandbox?scenario=999", &cookie).await.status, StatusCode::NOT_FOUND);
    let (status, _) = api(&app, "clerk", "/api/v1/sandbox?scenario=999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn scenarios_are_saved_listed_compared_and_exported() {
    let app = county().await;
    let cookie = app.session("clerk").await;
    let page = app.get("/policy/sandbox?from=2023&to=2023&p.above_scale_entry.amount=150000", &cookie).await;
    let csrf = token_in(&page.body);
    let save = |name: &'static str, set: &'static str| {
        let (app, cookie, csrf) = (&app, cookie.clone(), csrf.clone());
        async move {
            app.post(
                "/policy/sandbox/scenarios",
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("note", "常委会讨论"),
                    ("from", "2023"),
                    ("to", "2023"),
                    ("set", set),
                ],
            )
            .await
        }
    };
    let r = save("小升规提至15万", "above_scale_entry.amount=\"150000\"").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let r2 = save("项目补助上限150万", "project_subsidy.cap=\"1500000\"").await;
    assert_eq!(r2.status, StatusCode::SEE_OTHER);
    // A taken name is refused beside the form; a scenario that does not compile is not kept.
    let again = save("小升规提至15万", "above_scale_entry.amount=\"120000\"").await;
    assert!(shown(&again.body).contains("已有名为“小升规提至15万”的方案"), "{}", again.body);
    let bad = save("有误", "above_scale_entry.amount=\"-1\"").await;
    assert!(shown(&bad.body).contains("方案有误，未保存"), "{}", bad.body);
    assert_eq!(app.state.store.scenarios().await.unwrap().len(), 2);
    // Opened again: the form shows its values.
    let opened = app.get(&at, &cookie).await;
    assert!(opened.body.contains("name=\"p.above_scale_entry.amount\" value=\"150000\""), "{}", opened.body);
    assert!(shown(&opened.body).contains("小升规提至15万 （clerk 保存于"), "{}", opened.body);
    // Compared: each against the policy in force, the same figures as assess --set.
    let ids: Vec<i64> = app.state.store.scenarios().await.unwrap().iter().map(|s| s.id).collect();
    let list = app.get(&format!("/policy/sandbox/scenarios?compare={}&compare={}", ids[0], ids[1]), &cookie).await;
    let text = shown(&list.body);
    assert!(text.contains("方案对照（2023年度，万元）"), "{text}");
    let wan = |d: Decimal| lianzhang_facts::format_yuan((d / Decimal::from(10_000)).round_dp(2));
    for set in [&["project_subsidy.cap=\"1500000\""][..], &["above_scale_entry.amount=\"150000\""][..], &[][..]] {
        let total = assessed_total(&app, 2023, set).await;
        assert!(text.contains(&wan(total)), "{set:?} {}: {text}", wan(total));
    }
    // The workbook: four sheets, the changed enterprises with both explanations.
    let x = app.get(&format!("/policy/sandbox.xlsx?scenario={}", ids[1]), &cookie).await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["说明", "按规则", "按产业链", "变化企业"]);
    let changed = book.worksheet_range("变化企业").unwrap();
    assert!(changed.height() > 1);
    let row: Vec<String> = changed.rows().nth(1).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!((row[9].as_str(), row[10].as_str()), ("奖励 10万元", "奖励 15万元"), "{row:?}");
    let about = book.worksheet_range("说明").unwrap();
    assert!(about.rows().any(|r| r.iter().any(|c| c.to_string().contains("小升规提至15万"))));
    // The API lists them too.
    let (_, v) = api(&app, "leader", "/api/v1/scenarios").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_policy_sandbox_and_near_endpoints_are_documented() {
    let app = county().await;
    let r = app.send(Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
    let spec: Value = serde_json::from_str(&r.body).unwrap();
    for (path, method) in [
        ("/api/v1/policy", "get"),
        ("/api/v1/policy/versions", "get"),
        ("/api/v1/sandbox", "get"),
        ("/api/v1/scenarios", "get"),
        ("/api/v1/scenarios", "post"),
        ("/api/v1/near", "get"),
        ("/api/v1/near/services", "post"),
    ] {
        let op = &spec["paths"][path][method];
        assert!(
            op["summary"].is_string() && op["description"].as_str().is_some_and(|d| d.starts_with("角色：")),
            "{path} {method}"
        );
    }
}

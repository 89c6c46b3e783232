//! 潜在可享 (issue 12): the lists per scope (bureau: the county; a task force: its chain; a
//! leader: its liaison enterprises; finance: none), a service noted on a line and shown with it,
//! refused outside the scope or dated in the future, the workbook and the API.
mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use serde_json::{Value, json};

async fn county() -> App {
    let p = policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 500, seed: 5, ..Default::default() },
        &p.vocabulary,
    );
    let app = app(p, &data).await;
    for user in ["clerk", "steel", "finance"] {
        app.state.store.add_token(user, &format!("token-of-{user}-0123456789")).await.unwrap();
    }
    app
}

async fn api(app: &App, user: &str, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer token-of-{user}-0123456789"));
    if body.is_some() {
        r = r.header(header::CONTENT_TYPE, "application/json");
    }
    let r = app.send(r.body(body.map_or(Body::empty(), |b| Body::from(b.to_string()))).unwrap()).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn each_role_sees_its_list_and_a_task_force_notes_its_service() {
    let app = county().await;
    let (s, all) = api(&app, "clerk", "GET", "/api/v1/near?year=2024", None).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let items = all["items"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(kinds.len() >= 3, "the demo county has several kinds of near-misses: {kinds:?}");
    let (_, steel) = api(&app, "steel", "GET", "/api/v1/near?year=2024", None).await;
    let steel_items = steel["items"].as_array().unwrap();
    assert!(!steel_items.is_empty() && steel_items.len() < items.len());
    assert!(steel_items.iter().all(|i| i["chain_code"] == "steel"));
    let (s, _) = api(&app, "finance", "GET", "/api/v1/near?year=2024", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The bureau filters by kind and chain; a wrong kind is refused with the known ones.
    let (_, above) = api(&app, "clerk", "GET", "/api/v1/near?year=2024&kind=above_scale&chain=steel", None).await;
    assert!(
        above["items"].as_array().unwrap().iter().all(|i| i["kind"] == "above_scale" && i["chain_code"] == "steel")
    );
    let (s, v) = api(&app, "clerk", "GET", "/api/v1/near?year=2024&kind=nothing", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"]["message"].as_str().unwrap().contains("revenue_tier"), "{v}");

    // The steel task force notes a service on one of its lines in the browser.
    let line = &steel_items[0];
    let cookie = app.session("steel").await;
    let page = app.get("/near?year=2024", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(text_of(&page.body).contains(line["name"].as_str().unwrap()));
    let csrf = token_in(&page.body);
    let form = |uscc: String, date: &'static str| {
        let l = line.clone();
        vec![
            ("csrf".to_string(), csrf.clone()),
            ("uscc".into(), uscc),
            ("year".into(), "2024".into()),
            ("kind".into(), l["kind"].as_str().unwrap().to_string()),
            ("rule".into(), l["rules"][0][0].as_str().unwrap().to_string()),
            ("project_id".into(), l["project_id"].as_str().unwrap_or_default().to_string()),
            ("date".into(), date.to_string()),
            ("note".into(), "上门讲解入库条件，协助准备材料".to_string()),
        ]
    };
    let post = |f: Vec<(String, String)>| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.post("/near/services", &cookie, &pairs).await
        }
    };
    let uscc = line["uscc"].as_str().unwrap().to_string();
    let r = post(form(uscc.clone(), "2026-11-20")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let again = app.get("/near?year=2024", &cookie).await;
    assert!(
        text_of(&again.body).contains("2026-11-20  steel：上门讲解入库条件，协助准备材料"),
        "{}",
        text_of(&again.body)
    );
    // A future date is refused beside the list; nothing is stored.
    let r = post(form(uscc.clone(), "2999-01-01")).await;
    assert!(text_of(&r.body).contains("晚于今天"), "{}", r.body);
    assert_eq!(app.state.store.near_services(2024).await.unwrap().len(), 1);
    // Another chain's enterprise is not the steel task force's to serve.
    let other = items.iter().find(|i| i["chain_code"] != "steel").unwrap()["uscc"].as_str().unwrap().to_string();
    let r = post(form(other, "2026-11-20")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The API shows the note on the line, and takes one too.
    let (_, steel) = api(&app, "steel", "GET", "/api/v1/near?year=2024", None).await;
    let noted = steel["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["uscc"] == uscc.as_str() && i["kind"] == line["kind"])
        .unwrap();
    assert_eq!(noted["services"][0]["note"], "上门讲解入库条件，协助准备材料");
    let (s, v) = api(
        &app,
        "clerk",
        "POST",
        "/api/v1/near/services",
        Some(json!({"uscc": uscc, "year": 2024, "kind": line["kind"], "rule": line["rules"][0][0], "date": "2026-11-21", "note": "电话回访"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(app.state.store.near_services(2024).await.unwrap().len(), 2);
    // A USCC typed in lower case is the enterprise's; a kind, rule or date that names no line is
    // refused (422), and nothing is stored.
    let note = |uscc: String, kind: &str, rule: &str, date: &str| json!({"uscc": uscc, "year": 2024, "kind": kind, "rule": rule, "date": date, "note": "回访"});
    let kind = line["kind"].as_str().unwrap();
    let rule = line["rules"][0][0].as_str().unwrap();
    let (s, v) =
        api(&app, "clerk", "POST", "/api/v1/near/services", Some(note(uscc.to_lowercase(), kind, rule, "2026-11-22")))
            .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["uscc"], uscc.as_str());
    for (k, r, d, says) in [
        ("zzz", rule, "2026-11-22", "类别"),
        (kind, "nonexistent", "2026-11-22", "不在2024年施行的政策中"),
        (kind, rule, "1800-01-01", "早于2023年"),
    ] {
        let (s, v) = api(&app, "clerk", "POST", "/api/v1/near/services", Some(note(uscc.clone(), k, r, d))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(says), "{v}");
    }
    assert_eq!(app.state.store.near_services(2024).await.unwrap().len(), 3);

    // The workbook lists every line of the scope with its explanation and services.
    let x = app.get("/near.xlsx?year=2024", &cookie).await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes)).unwrap();
    let sheet = book.worksheet_range("2024年潜在可享").unwrap();
    assert_eq!(sheet.height(), 4 + steel_items.len());
    let services: Vec<String> = sheet.rows().skip(4).map(|r| r[10].to_string()).filter(|s| !s.is_empty()).collect();
    assert_eq!(services.len(), 1, "{services:?}");
    assert!(services[0].contains("电话回访") && services[0].contains("上门讲解"));
    assert_eq!(services.len(), 1, "the three notes are on one line");
}

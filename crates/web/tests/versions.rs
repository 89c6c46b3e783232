//! 政策版本 (issue 12): a policy revised from 2024 on leaves 2022–2023 as they were (outcomes,
//! dashboard figures, a round made before) and assesses 2024 on the new rules (a new round is
//! pinned to the new text); an upload with three errors shows all three with line and column and
//! changes nothing; only an administrator adopts; the version page shows the difference.
mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use lianzhang_store::NewRound;
use serde_json::Value;

async fn county() -> App {
    let p = policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 400, seed: 9, ..Default::default() },
        &p.vocabulary,
    );
    let app = app(p, &data).await;
    app.state.store.add_token("clerk", "token-of-clerk-0123456789").await.unwrap();
    app
}

async fn api(app: &App, path: &str) -> Value {
    let r = app
        .send(
            Request::get(path)
                .header(header::AUTHORIZATION, "Bearer token-of-clerk-0123456789")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// The 小升规 award amounts of `year` across the county, as the enterprise API shows them.
async fn entry_awards(app: &App, usccs: &[String], year: i64) -> Vec<String> {
    let mut out = Vec::new();
    for u in usccs {
        let v = api(app, &format!("/api/v1/enterprises/{u}")).await;
        for o in v["outcomes"].as_array().unwrap() {
            if o["year"] == year && o["rule"] == "above_scale_entry" && o["status"] == "award" {
                out.push(o["amount"].as_str().unwrap().to_string());
            }
        }
    }
    out
}

fn revised() -> String {
    let text = lianzhang_policy::file::BUNDLED_TEXT;
    let old = "requires = []\namount = \"100000\"";
    assert_eq!(text.matches(old).count(), 1);
    text.replace(old, "requires = []\namount = \"150000\"")
}

#[tokio::test]
async fn a_revision_from_2024_leaves_earlier_years_and_rounds_as_they_were() {
    let app = county().await;
    let store = &app.state.store;
    // Entrants of 2023 and 2024 under the started file.
    let inputs = store.load_assessment_inputs(&app.state.policy.vocabulary).await.unwrap();
    let entrants = |year| {
        lianzhang_policy::assess(&app.state.policy, &inputs.dataset, year, &lianzhang_policy::NothingPaid)
            .outcomes
            .iter()
            .filter(|o| o.rule == "above_scale_entry" && o.status == lianzhang_policy::Status::Award)
            .map(|o| o.uscc.to_string())
            .collect::<Vec<_>>()
    };
    let (e23, e24) = (entrants(2023), entrants(2024));
    assert!(!e23.is_empty() && !e24.is_empty());
    // A round of 2023 made before the revision.
    let bureau = lianzhang_rounds::Actor { username: "clerk".into(), role: lianzhang_rounds::Role::Bureau };
    let (file, policy) = app.state.policy_for(2023);
    let round = store
        .create_round(NewRound {
            year: 2023, name: "2023年度第一批", file: &file, policy: &policy, actor: &bureau
        })
        .await
        .unwrap();
    let amounts = |r: &lianzhang_store::RoundRecord| -> Vec<(String, Option<i64>)> {
        r.round.lines().map(|l| (format!("{:?}", l.key), l.amount_fen)).collect()
    };
    let round_lines = amounts(&round);
    assert!(round_lines.iter().any(|(k, a)| k.contains("above_scale_entry") && *a == Some(10_000_000)));
    let dashboard_before = app.get("/dashboard", &app.session("clerk").await).await.body;

    // Non-administrators cannot adopt.
    let clerk = app.session("clerk").await;
    let page = app.get("/policy/versions", &clerk).await;
    assert!(!page.body.contains("上传并启用新版本"));
    let r = app
        .upload_to(
            "/policy/versions",
            &clerk,
            &[("csrf", &token_in(&page.body)), ("from_year", "2024")],
            "z.toml",
            revised().as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The administrator adopts the revision from 2024 on.
    let admin = app.session("admin").await;
    let page = app.get("/policy/versions", &admin).await;
    let csrf = token_in(&page.body);
    let r = app
        .upload_to(
            "/policy/versions",
            &admin,
            &[("csrf", &csrf), ("from_year", "2024"), ("note", "县政府2024年修订")],
            "zezhou-2024.toml",
            revised().as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text_of(&r.body));
    let at = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let shown = text_of(&app.get(&at, &admin).await.body);
    assert!(shown.contains("当年首次“小升规”工业企业奖励") && shown.contains("奖励金额：10万元 → 15万元"), "{shown}");
    let list = text_of(&app.get("/policy/versions", &admin).await.body);
    assert!(list.contains("启动时的政策文件") && list.contains("2024年起"), "{list}");
    assert!(list.contains("2018—2023年") || list.contains("2022—2023年"), "{list}");

    // 2023 as it was, 2024 on the new amount.
    assert!(entry_awards(&app, &e23, 2023).await.iter().all(|a| a == "100000.00"));
    let a24 = entry_awards(&app, &e24, 2024).await;
    assert!(!a24.is_empty() && a24.iter().all(|a| a == "150000.00"), "{a24:?}");
    // The round of 2023 keeps its text, even refreshed; a new round of 2024 takes the new one.
    let refreshed = store.refresh_round(round.header.id, &bureau).await.unwrap();
    assert_eq!(amounts(&refreshed), round_lines);
    assert_eq!(refreshed.header.policy_hash, round.header.policy_hash);
    let (file, policy) = app.state.policy_for(2024);
    let r24 = store
        .create_round(NewRound {
            year: 2024, name: "2024年度第一批", file: &file, policy: &policy, actor: &bureau
        })
        .await
        .unwrap();
    assert_eq!(r24.header.policy_hash, lianzhang_store::policy_hash(&revised()));
    assert_ne!(r24.header.policy_hash, round.header.policy_hash);
    // The adopted text is no what-if: its run is payable.
    let run = store.run(r24.revisions.last().unwrap().run_id).await.unwrap();
    assert!(!run.what_if(), "{:?}", run.what_if_reason());
    // The dashboard recomputed: 2024's 小升规 line grew by half, 2023's did not move.
    let dashboard_after = app.get("/dashboard", &admin).await.body;
    assert_ne!(dashboard_before, dashboard_after);
    // Each year's rule links lead to the version in force for it.
    let rule_of = |page: &str| {
        let at = page.find("id=\"rule-above_scale_entry\"").unwrap();
        text_of(&page[at..at + 4000])
    };
    assert!(rule_of(&app.get("/policy?year=2023", &admin).await.body).contains("first(above_scale) → 10万 "));
    let r24 = rule_of(&app.get("/policy?year=2024", &admin).await.body);
    assert!(r24.contains("first(above_scale) → 15万 ") && r24.contains("150,000.00元"), "{r24}");
    let page = app.get(&format!("/enterprises/{}", e24[0]), &admin).await.body;
    assert!(page.contains("/policy?year=2024#rule-above_scale_entry"), "{page}");
    // The API lists both versions with their years.
    let v = api(&app, "/api/v1/policy/versions").await;
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["in_force"][0]["from"], 2024);
    assert!(items[1]["in_force"][0]["to"].is_null(), "open-ended");
    assert_eq!(items[0]["in_force"][0]["to"], 2023);
}

#[tokio::test]
async fn an_upload_with_three_errors_shows_each_with_its_line_and_column_and_changes_nothing() {
    let app = county().await;
    let admin = app.session("admin").await;
    let page = app.get("/policy/versions", &admin).await;
    let csrf = token_in(&page.body);
    let text = revised()
        .replacen("amount = \"150000\"", "amount = \"十五万\"", 1)
        .replacen("min_entry_year = 2022", "min_entry_year = 2022\nspeed = 1", 1)
        .replacen("fact = \"revenue\"", "fact = \"turnover\"", 1);
    let r = app
        .upload_to("/policy/versions", &admin, &[("csrf", &csrf), ("from_year", "2024")], "bad.toml", text.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let shown = text_of(&r.body);
    assert!(shown.contains("bad.toml 有 3 处问题，未启用"), "{shown}");
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    for (needle, col) in [("amount = \"十五万\"", 10), ("speed = 1", 1), ("fact = \"turnover\"", 8)] {
        let at = format!("bad.toml:{}:{col}", line(needle));
        assert!(shown.contains(&at), "{at} in {shown}");
    }
    assert!(app.state.store.adoptions().await.unwrap().is_empty(), "nothing adopted");
    assert_eq!(app.state.versions().adopted.len(), 0);
    // Another county's vocabulary is refused: the registry's data were read with this one.
    let other =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/examples/qinglan-2023.toml"))
            .unwrap();
    let r = app
        .upload_to(
            "/policy/versions",
            &admin,
            &[("csrf", &csrf), ("from_year", "2024")],
            "qinglan.toml",
            other.as_bytes(),
        )
        .await;
    assert!(text_of(&r.body).contains("与企业库所用的政策文件不一致"), "{}", text_of(&r.body));
    assert!(app.state.store.adoptions().await.unwrap().is_empty());
}

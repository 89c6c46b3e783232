//! Award rounds in the browser, through the real router on a demo registry: scope (a task force
//! sees and acts on its chain's lines only), refusals that change nothing, and a whole year
//! walked from creation to payment, reversal and payment again.

mod common;

use axum::http::StatusCode;
use common::{App, app, text_of, token_in};
use lianzhang_rounds::{LineState, Outcome, Pending};

const YEAR: &str = "2024";

async fn demo_app() -> App {
    let policy = common::policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 240, seed: 7, ..Default::default() },
        &policy.vocabulary,
    );
    app(policy, &data).await
}

/// Creates round 1 as the bureau through the list page's form.
async fn create(app: &App, clerk: &str) -> i64 {
    let list = app.get("/rounds", clerk).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("新建兑现批次"), "{}", list.body);
    let csrf = token_in(&list.body);
    let r = app.post("/rounds", clerk, &[("csrf", &csrf), ("year", YEAR), ("name", "2024年度第一批")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text_of(&r.body));
    let to = r.headers.get("location").unwrap().to_str().unwrap();
    to.trim_start_matches("/rounds/").parse().unwrap()
}

#[tokio::test]
async fn survey() {
    let app = demo_app().await;
    let clerk = app.session("clerk").await;
    let id = create(&app, &clerk).await;
    let r = app.state.store.round(id).await.unwrap();
    for l in r.round.lines() {
        println!(
            "{:?} {:?} {} {} ceiling={} rec={} {:?} {}",
            l.chain,
            l.outcome,
            l.key,
            l.amount_fen.unwrap_or(0),
            l.ceiling,
            l.is_recommendation(),
            l.missing,
            r.round.state(l).zh()
        );
    }
    let page = app.get(&format!("/rounds/{id}"), &clerk).await;
    std::fs::write("/tmp/wr/round.html", &page.body).unwrap();
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let _ = (LineState::Declined, Outcome::Award, Pending::Confirmation);
}

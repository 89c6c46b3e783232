//! The edit form follows the facts the policy declares beyond FACTS.md (issue 11): 青岚's
//! 实缴税金 on the year's row and 设备购置额 on each project are fields of the form, saved through
//! the reader and the import like every other cell, refused with their reason when wrong.
mod common;
use axum::http::StatusCode;
use common::*;
use lianzhang_facts::{Dataset, ExtraAt, ExtraValue, Fen, read_dataset};
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_store::{Role, Store};
use lianzhang_web::{AppState, auth};
use std::path::Path;

fn qinglan() -> (PolicyFile, Policy, Dataset) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("policies/examples/qinglan-2023.toml")).unwrap();
    let f = PolicyFile::parse("qinglan-2023.toml", text);
    let p = f.compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    let d = read_dataset(&root.join("crates/policy/tests/data/qinglan"), &p.vocabulary).unwrap();
    (f, p, d)
}

/// A registry of 青岚's data under its policy, with a clerk and an administrator.
async fn qinglan_app(dir: &tempfile::TempDir) -> (App, Policy, Dataset) {
    let (f, p, d) = qinglan();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("q.db").display())).await.unwrap();
    store.seed_chains(&p).await.unwrap();
    store.import(&d, "test", "fixture", &|_, _| {}).await.unwrap();
    let hash = auth::hash_password(PASSWORD);
    store.add_user("clerk", "工信局", Role::Bureau, None, &hash, "t").await.unwrap();
    store.add_user("admin", "管理员", Role::Admin, None, &hash, "t").await.unwrap();
    let state = AppState::with_limits(store, f, p.clone(), lianzhang_web::ServeLimits::default());
    (App::of(state), p, d)
}

#[tokio::test]
async fn declared_facts_are_fields_of_the_edit_form() {
    let dir = tempfile::tempdir().unwrap();
    let (app, p, d) = qinglan_app(&dir).await;
    let vocab = p.vocabulary.clone();
    let c1 = d.get(9).enterprise.uscc; // C1: 550万 of tax in 2023
    let e1 = d.get(15).enterprise.uscc; // E1: projects with equipment purchases
    let clerk = app.session("clerk").await;

    let form = app.get(&format!("/enterprises/{c1}/edit?year=2023"), &clerk).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("实缴税金（元）"), "{}", form.body);
    assert!(form.body.contains("name=\"tax_paid\" id=\"f-tax_paid\" inputmode=\"decimal\" value=\"5500000.00\""));
    let projects = app.get(&format!("/enterprises/{e1}/edit?year=2024"), &clerk).await;
    assert!(projects.body.contains("设备购置额（元）"));
    assert!(projects.body.contains("name=\"p1.equipment_investment\""), "{}", projects.body);

    let csrf = token_in(&form.body);
    let path = format!("/enterprises/{c1}/edit");
    // A wrong value: refused beside its field, nothing saved.
    let bad = [("csrf", csrf.as_str()), ("year", "2023"), ("tax_paid", "五百万"), ("was.tax_paid", "5500000.00")];
    let r = app.post(&path, &clerk, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.body).contains("实缴税金：五百万：金额以元为单位"), "{}", text_of(&r.body));
    // A good one: saved, in the record and the audit trail.
    let good = [("csrf", csrf.as_str()), ("year", "2023"), ("tax_paid", "5600000"), ("was.tax_paid", "5500000.00")];
    let r = app.post(&path, &clerk, &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text_of(&r.body));
    let saved = app.state.store.enterprise(&vocab, &c1).await.unwrap().unwrap();
    assert_eq!(saved.get(0).extra(0, &ExtraAt::Year(2023)), Some(&ExtraValue::Money(Fen(5_600_000 * 100))));
    let trail = app.state.store.audit(Some(("extra_facts", &format!("{c1}|2023|tax_paid"))), 5).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].actor, "clerk");
    // The enterprise's page shows the declared facts under their names, money in 万元.
    let page = text_of(&app.get(&format!("/enterprises/{c1}"), &clerk).await.body);
    assert!(page.contains("实缴税金（万元）"), "{page}");
    assert!(page.contains("560.00"), "{page}");
    let e1_page = text_of(&app.get(&format!("/enterprises/{e1}"), &clerk).await.body);
    assert!(e1_page.contains("设备购置额（万元）") && e1_page.contains("3,000.00"), "{e1_page}");
    // The API carries the declared facts under their codes.
    app.state.store.add_token("admin", "t0ken-for-tests").await.unwrap();
    let req = axum::http::Request::get(format!("/api/v1/enterprises/{e1}"))
        .header(axum::http::header::AUTHORIZATION, "Bearer t0ken-for-tests")
        .body(axum::body::Body::empty())
        .unwrap();
    let api: serde_json::Value = serde_json::from_str(&app.send(req).await.body).unwrap();
    let p2 = api["projects"].as_array().unwrap().iter().find(|p| p["project_id"] == "QL-E1-2").unwrap();
    assert_eq!(p2["equipment_investment"], "30000000.00");
    let req = axum::http::Request::get(format!("/api/v1/enterprises/{c1}"))
        .header(axum::http::header::AUTHORIZATION, "Bearer t0ken-for-tests")
        .body(axum::body::Body::empty())
        .unwrap();
    let api: serde_json::Value = serde_json::from_str(&app.send(req).await.body).unwrap();
    let y2023 = api["annual"].as_array().unwrap().iter().find(|r| r["year"] == 2023).unwrap();
    assert_eq!(y2023["tax_paid"], "5600000.00");
    let page = app.get("/admin/audit", &app.session("admin").await).await;
    assert!(text_of(&page.body).contains("2023年 实缴税金"), "{}", text_of(&page.body));
}

//! Ordinary work at once (issue 9 item 7): several clerks save the edit form of their enterprise
//! again and again through the real router while others read the dashboard and download the
//! xlsx export. No request fails, and every export is one consistent state of the registry: each
//! edited cell holds the value the audit trail gives it at the revision the export is stamped
//! with. On SQLite and, when `LIANZHANG_TEST_PG` holds a URL, on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{app_in, token_in};
use lianzhang_facts::{Dataset, Fen, Uscc};
use lianzhang_store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const ENTERPRISES: usize = 3000;
const EDITORS: usize = 4;
/// Each editor saves at least this often, and goes on while the readers read.
const EDITS_EACH: usize = 3;
const READERS: usize = 2;
/// Dashboard-and-export rounds of each reader.
const READS_EACH: usize = 3;
const YEAR: i32 = 2023;

fn yuan(f: Option<Fen>) -> Option<String> {
    f.map(|f| f.to_yuan().to_string())
}

/// The revenue of `uscc` in `YEAR` as `ds` holds it, in yuan as the audit trail writes it.
fn revenue(ds: &Dataset, uscc: &Uscc) -> Option<String> {
    yuan(ds.find(uscc).and_then(|e| e.row(YEAR)).and_then(|r| r.revenue))
}

async fn work_at_once(store: Store) {
    let policy = common::policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: ENTERPRISES, seed: 9, ..Default::default() },
        &policy.vocabulary,
    );
    let edited: Vec<Uscc> = data
        .iter()
        .filter(|e| e.row(YEAR).is_some_and(|r| r.revenue.is_some()))
        .map(|e| e.enterprise.uscc)
        .take(EDITORS)
        .collect();
    assert_eq!(edited.len(), EDITORS);
    let app = Arc::new(app_in(store.clone(), policy, &data, lianzhang_web::ServeLimits::default()).await);
    let cookie = app.session("admin").await;
    let reading = Arc::new(AtomicBool::new(true));

    let mut editors = Vec::new();
    for (n, uscc) in edited.iter().enumerate() {
        let (app, cookie, uscc, reading) = (app.clone(), cookie.clone(), *uscc, reading.clone());
        editors.push(tokio::spawn(async move {
            let path = format!("/enterprises/{uscc}/edit");
            let form = app.get(&format!("{path}?year={YEAR}"), &cookie).await;
            assert_eq!(form.status, StatusCode::OK);
            let csrf = token_in(&form.body);
            let mut k = 0;
            while k < EDITS_EACH || reading.load(Ordering::SeqCst) {
                k += 1;
                let value = format!("{}.{:02}", 1_000_000 * (n + 1) + k / 100, k % 100);
                let r = app.post(&path, &cookie, &[("csrf", &csrf), ("year", "2023"), ("revenue", &value)]).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "edit {uscc} #{k}: {}", r.body);
            }
            k
        }));
    }
    let mut readers = Vec::new();
    for _ in 0..READERS {
        let (app, cookie) = (app.clone(), cookie.clone());
        readers.push(tokio::spawn(async move {
            let mut exports = Vec::new();
            for _ in 0..READS_EACH {
                let r = app.get("/dashboard", &cookie).await;
                assert_eq!(r.status, StatusCode::OK, "dashboard: {}", r.body);
                let r = app.get("/export.xlsx", &cookie).await;
                assert_eq!(r.status, StatusCode::OK, "export: {}", r.body);
                exports.push(r.bytes);
            }
            exports
        }));
    }
    let mut exports = Vec::new();
    for r in readers {
        exports.extend(r.await.unwrap());
    }
    reading.store(false, Ordering::SeqCst);
    let mut edits = 0;
    for e in editors {
        edits += e.await.unwrap();
    }

    // Every export is the registry at its stamped revision.
    let trails = {
        let mut t = Vec::new();
        for u in &edited {
            t.push(store.audit(Some(("annual", &format!("{u}|{YEAR}"))), 1000).await.unwrap());
        }
        t
    };
    assert_eq!(trails.iter().map(Vec::len).sum::<usize>(), edits, "every edit audited");
    let dir = tempfile::tempdir().unwrap();
    let vocabulary = &common::policy().vocabulary;
    let mut revisions = std::collections::BTreeSet::new();
    for (i, bytes) in exports.iter().enumerate() {
        let path = dir.path().join(format!("export-{i}.xlsx"));
        std::fs::write(&path, bytes).unwrap();
        let read = lianzhang_facts::read_dataset_with(&path, vocabulary).expect("an export reads back");
        let revision = read.stamp.expect("a stamped export").revision;
        revisions.insert(revision);
        assert_eq!(read.dataset.len(), ENTERPRISES);
        for (uscc, trail) in edited.iter().zip(&trails) {
            let expected =
                match trail.iter().filter(|a| a.field.as_deref() == Some("revenue")).find(|a| a.id <= revision) {
                    Some(change) => change.new_value.clone(),
                    None => revenue(&data, uscc),
                };
            assert_eq!(revenue(&read.dataset, uscc), expected, "export {i} at revision {revision}, {uscc}");
        }
    }
    assert_eq!(exports.len(), READERS * READS_EACH);
    eprintln!("{edits} edits; {} exports at {} revisions", exports.len(), revisions.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edits_while_the_dashboard_and_export_are_read_never_fail_and_exports_are_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("c.db").display())).await.unwrap();
    work_at_once(store.clone()).await;
    store.close().await;
    if let Ok(base) = std::env::var("LIANZHANG_TEST_PG")
        && !base.is_empty()
    {
        let url = fresh_pg(&base).await;
        let store = Store::open(&url).await.unwrap();
        work_at_once(store.clone()).await;
        store.close().await;
        drop_pg(&base, &url).await;
    }
}

/// A fresh PostgreSQL database on the server of `base`; returns its URL.
async fn fresh_pg(base: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("lz_concurrent_{}", std::process::id());
    let mut conn = sqlx::AnyConnection::connect(base).await.expect("connect to LIANZHANG_TEST_PG");
    for sql in [format!("DROP DATABASE IF EXISTS {name}"), format!("CREATE DATABASE {name}")] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    }
    conn.close().await.ok();
    format!("{}/{name}", &base[..base.rfind('/').expect("database in URL")])
}

async fn drop_pg(base: &str, url: &str) {
    use sqlx::Connection;
    let name = &url[url.rfind('/').unwrap() + 1..];
    if let Ok(mut conn) = sqlx::AnyConnection::connect(base).await {
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
    }
}

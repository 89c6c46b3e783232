//! Ordinary work at once (issue 9 item 7): several clerks save the edit form of their enterprise
//! again and again through the real router while others read the dashboard and download the
//! xlsx export. No request fails, and every export is one consistent state of the registry: each
//! edited cell holds the value the audit trail gives it at the revision the export is stamped
//! with. On SQLite and, when `LIANZHANG_TEST_PG` holds a URL, on PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{PASSWORD, enc, token_in};
use http_body_util::BodyExt;
use lianzhang_facts::{Dataset, Fen, Uscc};
use lianzhang_store::{Role, Store};
use lianzhang_web::{AppState, auth, router};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower::ServiceExt;

const ENTERPRISES: usize = 3000;
const EDITORS: usize = 4;
/// Each editor saves at least this often, and goes on while the readers read.
const EDITS_EACH: usize = 3;
const READERS: usize = 2;
/// Dashboard-and-export rounds of each reader.
const READS_EACH: usize = 3;
const YEAR: i32 = 2023;

async fn send(state: &Arc<AppState>, req: Request<Body>) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    (status, res.into_body().collect().await.unwrap().to_bytes().to_vec(), headers)
}

async fn get(state: &Arc<AppState>, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    let (s, b, _) = send(state, Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await;
    (s, b)
}

async fn post(state: &Arc<AppState>, path: &str, cookie: &str, form: &[(&str, &str)]) -> (StatusCode, Vec<u8>) {
    let body: String = form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (s, b, _) = send(state, req).await;
    (s, b)
}

/// Signs `user` in through the login form; returns the session cookie.
async fn session(state: &Arc<AppState>, user: &str) -> String {
    let (_, form, _) = send(state, Request::get("/login").body(Body::empty()).unwrap()).await;
    let csrf = token_in(&String::from_utf8_lossy(&form));
    let cookie = format!("{}={csrf}", auth::LOGIN_CSRF_COOKIE);
    let body = format!("username={user}&password={}&csrf={csrf}", enc(PASSWORD));
    let req = Request::post("/login")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (status, _, headers) = send(state, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(auth::SESSION_COOKIE))
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap()
}

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
    store.seed_chains(&policy).await.unwrap();
    store.import(&data, "test", "fixture", &|_, _| {}).await.unwrap();
    store.add_user("admin", "管理员", Role::Admin, None, &auth::hash_password(PASSWORD), "t").await.unwrap();
    let edited: Vec<Uscc> = data
        .iter()
        .filter(|e| e.row(YEAR).is_some_and(|r| r.revenue.is_some()))
        .map(|e| e.enterprise.uscc)
        .take(EDITORS)
        .collect();
    assert_eq!(edited.len(), EDITORS);
    let state = AppState::new(store.clone(), policy);
    let cookie = session(&state, "admin").await;
    let reading = Arc::new(AtomicBool::new(true));

    let mut editors = Vec::new();
    for (n, uscc) in edited.iter().enumerate() {
        let (state, cookie, uscc, reading) = (state.clone(), cookie.clone(), *uscc, reading.clone());
        editors.push(tokio::spawn(async move {
            let path = format!("/enterprises/{uscc}/edit");
            let (status, form) = get(&state, &format!("{path}?year={YEAR}"), &cookie).await;
            assert_eq!(status, StatusCode::OK);
            let csrf = token_in(&String::from_utf8_lossy(&form));
            let mut k = 0;
            while k < EDITS_EACH || reading.load(Ordering::SeqCst) {
                k += 1;
                let value = format!("{}.{:02}", 1_000_000 * (n + 1) + k / 100, k % 100);
                let (status, body) =
                    post(&state, &path, &cookie, &[("csrf", &csrf), ("year", "2023"), ("revenue", &value)]).await;
                assert_eq!(status, StatusCode::SEE_OTHER, "edit {uscc} #{k}: {}", String::from_utf8_lossy(&body));
            }
            k
        }));
    }
    let mut readers = Vec::new();
    for _ in 0..READERS {
        let (state, cookie) = (state.clone(), cookie.clone());
        readers.push(tokio::spawn(async move {
            let mut exports = Vec::new();
            for _ in 0..READS_EACH {
                let (status, body) = get(&state, "/dashboard", &cookie).await;
                assert_eq!(status, StatusCode::OK, "dashboard: {}", String::from_utf8_lossy(&body));
                let (status, body) = get(&state, "/export.xlsx", &cookie).await;
                assert_eq!(status, StatusCode::OK, "export: {}", String::from_utf8_lossy(&body));
                exports.push(body);
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

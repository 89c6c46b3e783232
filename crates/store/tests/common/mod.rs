//! Every storage test runs on SQLite (a fresh file) and, when `LIANZHANG_TEST_PG` holds a URL,
//! on PostgreSQL (a fresh database created for the test and dropped after it).
#![allow(dead_code)]

use lianzhang_facts::Dataset;
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_store::Store;
use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

pub fn policy() -> (PolicyFile, Policy) {
    let f = PolicyFile::bundled();
    let p = f.compile().expect("bundled policy");
    (f, p)
}

pub fn demo(policy: &Policy, enterprises: usize, seed: u64) -> Dataset {
    lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises, seed, ..Default::default() },
        &policy.vocabulary,
    )
}

pub fn no_progress(_: u64, _: u64) {}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A fresh PostgreSQL database on the server of `base`; returns its URL.
async fn fresh_pg(base: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!("lz_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
    let mut conn = sqlx::AnyConnection::connect(base).await.expect("connect to LIANZHANG_TEST_PG");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut conn).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    conn.close().await.ok();
    let cut = base.rfind('/').expect("database in URL");
    format!("{}/{name}", &base[..cut])
}

async fn drop_pg(base: &str, url: &str) {
    let name = &url[url.rfind('/').unwrap() + 1..];
    if let Ok(mut conn) = sqlx::AnyConnection::connect(base).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await;
    }
}

/// Runs `body` once per backend with a fresh, migrated store.
pub async fn each_db(body: impl AsyncFn(Store, &str)) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url).await.expect("open sqlite");
    body(store.clone(), "sqlite").await;
    store.close().await;
    match std::env::var("LIANZHANG_TEST_PG") {
        Ok(base) if !base.is_empty() => {
            let url = fresh_pg(&base).await;
            let store = Store::open(&url).await.expect("open postgres");
            body(store.clone(), "postgres").await;
            store.close().await;
            drop_pg(&base, &url).await;
        }
        _ => pg_skipped(),
    }
}

/// Says that PostgreSQL was skipped, once per test binary, straight to stderr: libtest hides
/// what `eprintln!` prints in a passing test, and this must be seen.
fn pg_skipped() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::io::Write;
        let _ =
            writeln!(std::io::stderr(), "note: PostgreSQL tests skipped: LIANZHANG_TEST_PG is not set (SQLite only)");
    });
}

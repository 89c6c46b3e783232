//! A registry made before 收回 (migrations up to 0008) upgraded by opening it: migration 0009
//! rebuilds SQLite's ledger table to admit `recovery` entries. Its payments, reversals and their
//! links survive as they were, the append-only triggers stand, and an old payment can still be
//! reversed afterwards.
use lianzhang_store::Store;
use sqlx::{Connection, Executor, SqliteConnection};

#[tokio::test]
async fn a_ledger_with_payments_and_reversals_upgrades_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    {
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        conn.execute("PRAGMA foreign_keys = ON").await.unwrap();
        let mut old = sqlx::migrate!("./migrations/sqlite");
        old.migrations = std::borrow::Cow::Owned(old.migrations.iter().filter(|m| m.version <= 8).cloned().collect());
        assert_eq!(old.migrations.last().unwrap().version, 8);
        old.run(&mut conn).await.unwrap();
        // A run, three payments, one of them reversed and paid again, as an old binary left them.
        conn.execute(
            "INSERT INTO policy_versions (hash, policy_id, name, text, stored_at) \
             VALUES ('h1', 'zezhou-2022', '泽州县', '', '2023-03-01T00:00:00Z');
             INSERT INTO runs (id, at, actor, policy_hash, policy_id, year, overrides, outcome_count, total_fen) \
             VALUES (1, '2023-03-02T00:00:00Z', 'reviewer', 'h1', 'zezhou-2022', 2022, '[]', 3, 40000000);
             INSERT INTO ledger (at, actor, entry, award_key, run_id, uscc, rule, year, project_id, amount_fen, reverses, note) VALUES
               ('2023-03-05T00:00:00Z', 'finance', 'payment', 'A|above_scale_entry|*|', 1, 'A', 'above_scale_entry', 2022, NULL, 10000000, NULL, '凭证 001'),
               ('2023-03-05T00:00:00Z', 'finance', 'payment', 'B|above_scale_entry|*|', 1, 'B', 'above_scale_entry', 2022, NULL, 10000000, NULL, '凭证 002'),
               ('2023-03-06T00:00:00Z', 'finance', 'reversal', 'B|above_scale_entry|*|', 1, 'B', 'above_scale_entry', 2022, NULL, -10000000, 2, '错付冲正'),
               ('2023-03-07T00:00:00Z', 'finance', 'payment', 'B|above_scale_entry|*|', 1, 'B', 'above_scale_entry', 2022, NULL, 10000000, NULL, '凭证 003'),
               ('2023-03-07T00:00:00Z', 'finance', 'payment', 'C|project_subsidy|*|P1', 1, 'C', 'project_subsidy', 2022, 'P1', 20000000, NULL, '凭证 004');",
        )
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let store = Store::open(&url).await.unwrap();
    let entries = store.ledger(None).await.unwrap();
    let seen: Vec<_> =
        entries.iter().map(|e| (e.id, e.entry.as_str(), e.amount.to_string(), e.reverses, e.note.as_str())).collect();
    assert_eq!(
        seen,
        vec![
            (1, "payment", "100000.00".to_string(), None, "凭证 001"),
            (2, "payment", "100000.00".to_string(), None, "凭证 002"),
            (3, "reversal", "-100000.00".to_string(), Some(2), "错付冲正"),
            (4, "payment", "100000.00".to_string(), None, "凭证 003"),
            (5, "payment", "200000.00".to_string(), None, "凭证 004"),
        ],
        "every entry as it was"
    );
    // The paid state the engine reads: A, B (paid again after its reversal) and C's project.
    let paid = store.paid().await.unwrap();
    assert_eq!(paid.keys_of("A"), vec!["A|above_scale_entry|*|"]);
    assert_eq!(paid.keys_of("B"), vec!["B|above_scale_entry|*|"]);
    assert_eq!(paid.keys_of("C"), vec!["C|project_subsidy|*|P1"]);
    // A reversed payment cannot be reversed twice; the later one can be reversed now.
    assert!(store.reverse(2, "finance", "again").await.is_err());
    let r = store.reverse(4, "finance", "冲正").await.unwrap();
    assert_eq!((r.entry.as_str(), r.reverses), ("reversal", Some(4)));
    // Still append-only, and every link still points into the table.
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    assert!(conn.execute("UPDATE ledger SET note = 'x' WHERE id = 1").await.is_err());
    assert!(conn.execute("DELETE FROM ledger WHERE id = 1").await.is_err());
    let broken: Vec<(String,)> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut conn).await.unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let refs: (String,) =
        sqlx::query_as("SELECT sql FROM sqlite_master WHERE name = 'ledger'").fetch_one(&mut conn).await.unwrap();
    assert!(refs.0.contains("REFERENCES \"ledger\"(id)") && refs.0.contains("'recovery'"), "{}", refs.0);
}

/// A registry that applied migration 0009 as it first landed (its self-reference named the old
/// table; such a registry had no reversal, or the migration would have failed) still opens: the
/// migrator would refuse the corrected text's different checksum, so opening accepts the first.
#[tokio::test]
async fn a_registry_migrated_by_the_first_0009_still_opens() {
    use sha2::{Digest, Sha384};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("first.db").display());
    drop(Store::open(&url).await.unwrap());
    // The first text, rebuilt from the corrected one, and its checksum as sqlx recorded it.
    let corrected = include_str!("../migrations/sqlite/0009_recoveries.sql");
    let first = corrected
        .replace(
            "-- index and triggers. The self-reference names the new table (the rename carries it over): naming\n\
             -- the old one made dropping it count every reversal as a broken link, and the upgrade failed.\n",
            "-- index and triggers; the self-reference (reverses) is checked at commit.\n",
        )
        .replace("REFERENCES ledger_new(id)", "REFERENCES ledger(id)");
    assert_ne!(first, corrected);
    let hex: String = Sha384::digest(first.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let done = conn
        .execute(sqlx::AssertSqlSafe(format!("UPDATE _sqlx_migrations SET checksum = X'{hex}' WHERE version = 9")))
        .await;
    assert_eq!(done.unwrap().rows_affected(), 1);
    conn.close().await.unwrap();
    let store = Store::open(&url).await.expect("the first 0009 is accepted");
    assert!(store.ledger(None).await.unwrap().is_empty());
}

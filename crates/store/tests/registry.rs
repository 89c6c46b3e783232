//! The registry on both databases: import, re-import, audit, export round trip, chains.
mod common;
use common::*;
use lianzhang_facts::{Annual, DatasetBuilder, Fen};
use lianzhang_store::Store;

#[tokio::test]
async fn import_then_load_gives_the_same_dataset_and_reimport_changes_nothing() {
    let (_, p) = policy();
    let ds = demo(&p, 300, 7);
    each_db(async |store, db| {
        let r = store.import(&ds, "tester", "demo-300", &no_progress).await.unwrap();
        let added: Vec<usize> = r.sheets.iter().map(|s| s.added).collect();
        // The Zezhou demo declares no fact beyond FACTS.md: the last table (declared facts) stays empty.
        assert_eq!(added, vec![ds.len(), ds.annual_count(), ds.recognition_count(), ds.project_count(), 0], "{db}");
        assert!(r.sheets.iter().all(|s| s.changed == 0 && s.unchanged == 0));
        assert_eq!(store.load_dataset(&p.vocabulary).await.unwrap(), ds, "{db}: round trip");

        let audit_before = store.count("audit").await.unwrap();
        let again = store.import(&ds, "tester", "demo-300", &no_progress).await.unwrap();
        assert!(again.is_noop(), "{db}: {again:?}");
        let unchanged: Vec<usize> = again.sheets.iter().map(|s| s.unchanged).collect();
        assert_eq!(unchanged, added);
        assert_eq!(store.count("audit").await.unwrap(), audit_before, "{db}: a no-op import leaves no audit entry");
    })
    .await;
}

#[tokio::test]
async fn a_changed_cell_is_an_update_in_the_audit_trail() {
    let (_, p) = policy();
    let ds = demo(&p, 50, 3);
    // The same dataset with one enterprise's 2023 revenue changed and its 2024 R&D made unknown.
    let target = ds.get(5);
    let uscc = target.enterprise.uscc;
    let mut b = DatasetBuilder::new(p.vocabulary.clone());
    for f in ds.iter() {
        b.enterprise(f.enterprise.clone());
        for r in f.annual {
            let mut r: Annual = *r;
            if f.enterprise.uscc == uscc && r.year == 2023 {
                r.revenue = Some(Fen(12_345_678_901));
            }
            if f.enterprise.uscc == uscc && r.year == 2024 {
                r.rd_expense = None;
            }
            b.annual(f.enterprise.uscc, r);
        }
        for r in f.recognitions {
            b.recognition(f.enterprise.uscc, *r);
        }
        for pr in f.projects {
            b.project(f.enterprise.uscc, pr.clone());
        }
    }
    let changed = b.build().unwrap();
    each_db(async |store, db| {
        store.import(&ds, "first", "a.xlsx", &no_progress).await.unwrap();
        let r = store.import(&changed, "second", "b.xlsx", &no_progress).await.unwrap();
        let annual = &r.sheets[1];
        assert_eq!((annual.added, annual.changed), (0, 2), "{db}");
        assert_eq!(annual.unchanged, ds.annual_count() - 2);
        assert_eq!(r.changed_cells, 2);

        let key = format!("{}|2023", uscc.as_str());
        let trail = store.audit(Some(("annual", &key)), 10).await.unwrap();
        assert_eq!(trail.len(), 1, "{db}: {trail:?}");
        let e = &trail[0];
        assert_eq!((e.actor.as_str(), e.action.as_str(), e.field.as_deref()), ("second", "update", Some("revenue")));
        let old = target.row(2023).unwrap().revenue.map(|f| f.to_yuan().to_string());
        assert_eq!(e.old_value, old);
        assert_eq!(e.new_value.as_deref(), Some("123456789.01"));
        let unknown = store.audit(Some(("annual", &format!("{}|2024", uscc.as_str()))), 10).await.unwrap();
        assert_eq!(unknown[0].new_value, None, "{db}: made unknown");
        assert_eq!(store.load_dataset(&p.vocabulary).await.unwrap(), changed, "{db}");
    })
    .await;
}

#[tokio::test]
async fn chains_and_their_stage_graph_are_seeded_from_the_policy() {
    let (_, p) = policy();
    each_db(async |store, db| {
        store.seed_chains(&p).await.unwrap();
        store.seed_chains(&p).await.unwrap();
        assert_eq!(store.count("chains").await.unwrap(), 7, "{db}");
        let stages: usize = p.vocabulary.chains.iter().map(|c| c.stages.len()).sum();
        assert_eq!(store.count("stages").await.unwrap(), stages as i64);
        let edges: usize = p.chain_edges.iter().map(Vec::len).sum();
        assert_eq!(store.count("stage_edges").await.unwrap(), edges as i64);
        assert_eq!(store.count("chain_links").await.unwrap(), p.chain_links.len() as i64);
    })
    .await;
}

#[tokio::test]
async fn an_import_either_applies_whole_or_not_at_all() {
    // A validated dataset does not fail inside the transaction, so make the database fail it:
    // a trigger refuses every project row, the last sheet written. Everything written before
    // (enterprises, annual rows, recognitions) must be rolled back with it.
    let (_, p) = policy();
    let ds = demo(&p, 40, 11);
    each_db(async |store, db| {
        let trigger = if db == "sqlite" {
            "CREATE TRIGGER refuse_projects BEFORE INSERT ON projects BEGIN SELECT RAISE(ABORT, 'refused'); END"
        } else {
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        };
        sqlx::query(trigger).execute(store.pool()).await.unwrap();
        if db != "sqlite" {
            sqlx::query(
                "CREATE TRIGGER refuse_projects BEFORE INSERT ON projects FOR EACH ROW EXECUTE FUNCTION refuse()",
            )
            .execute(store.pool())
            .await
            .unwrap();
        }
        assert!(ds.project_count() > 0);
        let err = store.import(&ds, "t", "x", &no_progress).await.unwrap_err();
        // The database's refusal, said in Chinese without the driver's text.
        assert!(err.to_string().contains("保护规则拒绝"), "{db}: {err}");
        assert!(!err.to_string().contains("refused"), "{db}: {err}");
        for t in ["enterprises", "annual", "recognitions", "projects", "audit"] {
            assert_eq!(store.count(t).await.unwrap(), 0, "{db}: {t} must be untouched");
        }
    })
    .await;
}

/// A server and an import starting together on a fresh file both migrate it: neither may fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_openers_of_a_fresh_sqlite_file_all_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
        let opens: Vec<_> = (0..6)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { Store::open(&url).await })
            })
            .collect();
        for open in opens {
            let store = open.await.unwrap().unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert_eq!(store.count("enterprises").await.unwrap(), 0);
            store.close().await;
        }
    }
}

/// Role and scope changes, unlocking and password resets, on both databases.
#[tokio::test]
async fn user_accounts_change_scope_and_are_audited() {
    use lianzhang_store::Role;
    let (_, p) = policy();
    each_db(async |store, db| {
        store.seed_chains(&p).await.unwrap();
        store.add_user("root", "管理员", Role::Admin, None, "h", "t").await.unwrap();
        store.add_user("tf", "专班", Role::TaskForce, Some("steel"), "h", "t").await.unwrap();
        store.open_session("s1", store.user("tf").await.unwrap().unwrap().id, "c", 0).await.unwrap();
        let moved = store.set_role("tf", Role::TaskForce, Some("food"), "root").await.unwrap();
        assert_eq!(moved.chain.as_deref(), Some("food"), "{db}");
        assert!(store.session("s1", 1, 1800).await.unwrap().is_none(), "{db}: sessions ended");
        // A chain is kept for task forces only; the last administrator stays one.
        let bureau = store.set_role("tf", Role::Bureau, Some("food"), "root").await.unwrap();
        assert_eq!((bureau.role, bureau.chain), (Role::Bureau, None), "{db}");
        assert!(store.set_role("tf", Role::TaskForce, None, "root").await.is_err(), "{db}");
        assert!(store.set_role("tf", Role::TaskForce, Some("nowhere"), "root").await.is_err(), "{db}");
        assert!(store.set_role("root", Role::Bureau, None, "root").await.is_err(), "{db}");
        store.login_failed(bureau.id, 1, "2099-01-01T00:00:00Z").await.unwrap();
        store.unlock("tf", "root").await.unwrap();
        store.set_password("tf", "new-hash", "root").await.unwrap();
        let tf = store.user("tf").await.unwrap().unwrap();
        assert_eq!((tf.locked_until, tf.password_hash.as_str()), (None, "new-hash"), "{db}");
        let (trail, _) = store.audit_search(Some("users"), None, None, 1, 50).await.unwrap();
        let fields: Vec<_> = trail.iter().filter_map(|e| e.field.clone()).collect();
        for f in ["role", "chain", "locked_until", "password"] {
            assert!(fields.iter().any(|x| x == f), "{db}: {f} audited in {fields:?}");
        }
        assert!(trail.iter().all(|e| e.new_value.as_deref() != Some("new-hash")), "{db}: no hash in the trail");
        // A disabled account's sessions and tokens stop working; enabled again, it signs in anew.
        store.open_session("s2", tf.id, "c", 0).await.unwrap();
        store.add_token("tf", "tok").await.unwrap();
        assert!(store.user_by_token("tok").await.unwrap().is_some(), "{db}");
        store.set_disabled("tf", true, "root").await.unwrap();
        assert!(store.user("tf").await.unwrap().unwrap().disabled_at.is_some(), "{db}");
        assert!(store.session("s2", 1, 1800).await.unwrap().is_none(), "{db}: session gone");
        assert!(store.user_by_token("tok").await.unwrap().is_none(), "{db}: token refused");
        assert!(store.set_disabled("root", true, "root").await.is_err(), "{db}: not oneself");
        assert!(store.add_token("tf", "tok2").await.is_err(), "{db}: no token for a disabled account");
        assert!(store.open_session("s3", tf.id, "c", 0).await.is_err(), "{db}: nor a session");
        store.set_disabled("tf", false, "root").await.unwrap();
        assert!(store.user_by_token("tok").await.unwrap().is_none(), "{db}: revoked for good, not revived");
        assert!(store.session("s2", 1, 1800).await.unwrap().is_none(), "{db}: the old session neither");
        store.add_token("tf", "tok3").await.unwrap();
        assert!(store.user_by_token("tok3").await.unwrap().is_some(), "{db}: a new token works");
        store.set_role("tf", Role::Admin, None, "root").await.unwrap();
        store.set_disabled("root", true, "tf").await.unwrap();
        assert!(store.set_disabled("tf", true, "other").await.is_err(), "{db}: the last enabled administrator");
        assert!(store.set_role("tf", Role::Bureau, None, "other").await.is_err(), "{db}: nor demoted");
    })
    .await;
}

#[tokio::test]
async fn stored_text_that_breaks_the_door_rules_is_listed_for_correction() {
    let (_, p) = policy();
    let ds = demo(&p, 20, 3);
    each_db(async |store, db| {
        store.import(&ds, "t", "x", &no_progress).await.unwrap();
        assert!(store.stored_text_problems().await.unwrap().is_empty(), "{db}: the demo county is clean");
        let uscc = ds.iter().next().unwrap().enterprise.uscc.as_str().to_string();
        // Written before the door rules existed: a bidirectional override and an over-long name.
        sqlx::query("UPDATE enterprises SET name = $1, town = $2 WHERE uscc = $3")
            .bind("钢铁\u{202E}公司".to_string())
            .bind("镇".repeat(201))
            .bind(uscc.clone())
            .execute(store.pool())
            .await
            .unwrap();
        let found = store.stored_text_problems().await.unwrap();
        assert_eq!(found.len(), 2, "{db}: {found:?}");
        assert_eq!((found[0].table, found[0].key.as_str(), found[0].column), ("企业", uscc.as_str(), "企业名称"));
        assert!(found[0].problem.contains("文字方向控制符"), "{db}: {found:?}");
        assert_eq!(found[1].column, "乡镇");
        assert!(found[1].problem.contains("最多 200 个字"), "{db}: {found:?}");
    })
    .await;
}

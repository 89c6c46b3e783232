//! Facts a policy declares beyond FACTS.md (issue 11, 青岚's 实缴税金 and 设备购置额) in the
//! registry on both databases: stored without a migration per fact, read back as imported, a
//! change shown in the import's diff under the fact's Chinese name and kept in the audit trail.
mod common;
use common::*;
use lianzhang_facts::{Dataset, DatasetBuilder, Extra, ExtraAt, ExtraValue, Fen, read_dataset};
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_store::ImportOptions;
use std::path::Path;

fn qinglan() -> (Policy, Dataset) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("policies/examples/qinglan-2023.toml")).unwrap();
    let p = PolicyFile::parse("qinglan-2023.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    let d = read_dataset(&root.join("crates/policy/tests/data/qinglan"), &p.vocabulary).unwrap();
    (p, d)
}

/// `d` with the 2023 实缴税金 of its enterprise at `at` set to `yuan`.
fn with_tax(p: &Policy, d: &Dataset, at: usize, yuan: i64) -> Dataset {
    let mut b = DatasetBuilder::new(p.vocabulary.clone());
    for (i, f) in d.iter().enumerate() {
        let u = f.enterprise.uscc;
        b.enterprise(f.enterprise.clone());
        for r in f.annual {
            b.annual(u, *r);
        }
        for r in f.recognitions {
            b.recognition(u, *r);
        }
        for pr in f.projects {
            b.project(u, pr.clone());
        }
        for x in f.extras {
            let mut x = x.clone();
            if i == at && x.fact == 0 && x.at == ExtraAt::Year(2023) {
                x.value = ExtraValue::Money(Fen(yuan * 100));
            }
            b.extra(u, x);
        }
    }
    b.build().unwrap()
}

#[tokio::test]
async fn declared_facts_are_stored_read_back_diffed_and_audited() {
    let (p, d) = qinglan();
    assert!(d.iter().any(|f| !f.extras.is_empty()));
    // C1 (the tenth enterprise) paid 550万 of tax in 2023.
    let c1 = 9;
    assert!(
        d.get(c1)
            .extras
            .iter()
            .any(|x| x == &Extra { at: ExtraAt::Year(2023), fact: 0, value: ExtraValue::Money(Fen(5_500_000 * 100)) })
    );
    let changed = with_tax(&p, &d, c1, 5_600_000);
    each_db(async |store, db| {
        let r = store.import(&d, "bureau", "qinglan", &no_progress).await.unwrap();
        let extras = r.sheets.last().unwrap();
        let count: usize = d.iter().map(|f| f.extras.len()).sum();
        assert_eq!(extras.added, count, "{db}: {r:?}");
        assert_eq!(store.load_dataset(&p.vocabulary).await.unwrap(), d, "{db}: round trip");
        let one = store.enterprise(&p.vocabulary, &d.get(c1).enterprise.uscc).await.unwrap().unwrap();
        assert_eq!(one.get(0).extras, d.get(c1).extras, "{db}: one enterprise's page");

        let preview = store.preview_import(&changed, &ImportOptions::default()).await.unwrap();
        assert_eq!(preview.changes.len(), 1, "{db}: {:?}", preview.changes);
        let c = &preview.changes[0];
        let shown = (c.table_zh.as_str(), c.row_label.as_str(), c.field_zh.as_str());
        assert_eq!(shown, ("年度数据", "2023", "实缴税金"), "as the column it is of");
        assert_eq!((c.old.as_deref(), c.new.as_deref()), (Some("550.00 万元"), Some("560.00 万元")));

        store.import(&changed, "clerk", "fix", &no_progress).await.unwrap();
        assert_eq!(store.load_dataset(&p.vocabulary).await.unwrap(), changed, "{db}");
        let key = format!("{}|2023|tax_paid", d.get(c1).enterprise.uscc.as_str());
        let trail = store.audit(Some(("extra_facts", &key)), 10).await.unwrap();
        assert_eq!(trail.len(), 1, "{db}: {trail:?}");
        assert_eq!((trail[0].old_value.as_deref(), trail[0].new_value.as_deref()), (Some("5500000"), Some("5600000")));
        // And in the enterprise's own history.
        let own = store.audit_of_enterprise(d.get(c1).enterprise.uscc.as_str(), 10).await.unwrap();
        assert!(own.iter().any(|e| e.table_name == "extra_facts" && e.row_key == key), "{db}: {own:?}");

        // A policy that no longer declares the facts reads the registry without them.
        let undeclared = lianzhang_facts::Vocabulary { extras: Vec::new(), ..p.vocabulary.clone() };
        let plain = store.load_dataset(&undeclared).await.unwrap();
        assert!(plain.iter().all(|f| f.extras.is_empty()), "{db}");
        assert_eq!(plain.len(), d.len());
    })
    .await;
}

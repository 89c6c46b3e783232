//! What the audit trail's rows are called (for showing them in Chinese), an enterprise's whole
//! history including its projects, and the towns the registry knows, on both databases.
mod common;
use common::*;
use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Project, Uscc};
use lianzhang_store::Role;

fn dataset(policy: &lianzhang_policy::Policy, name: &str, category: &str) -> lianzhang_facts::Dataset {
    let v = &policy.vocabulary;
    let mut b = DatasetBuilder::new(v.clone());
    for (n, ent_name, town) in
        [(1u32, name, "巴公镇"), (2, "泽州食品有限公司", "金村镇"), (3, "泽州建材有限公司", "巴公镇")]
    {
        let uscc = Uscc::from_body(format!("91140525MA{n:07}").as_bytes());
        b.enterprise(Enterprise {
            uscc,
            name: ent_name.to_string(),
            chain: v.chain("steel"),
            stage: None,
            town: Some(town.into()),
            industry_code: None,
            strategic_emerging: None,
            established: None,
            chain_joined_year: None,
        });
        b.annual(uscc, Annual { revenue: Some(Fen::yuan(30_000_000)), ..Annual::unknown(2023) });
    }
    let first = Uscc::from_body(b"91140525MA0000001");
    b.project(
        first,
        Project {
            project_id: "XM-01".into(),
            name: "高炉改造".into(),
            category: v.project_category(category),
            fixed_asset_investment: Some(Fen::yuan(12_000_000)),
            start_year: Some(2023),
            completed_year: None,
        },
    );
    b.build().unwrap()
}

#[tokio::test]
async fn audit_entries_are_named_and_an_enterprise_history_includes_its_projects() {
    let (_, p) = policy();
    let first = Uscc::from_body(b"91140525MA0000001").as_str().to_string();
    let other = Uscc::from_body(b"91140525MA0000002").as_str().to_string();
    each_db(async |store, db| {
        store.seed_chains(&p).await.unwrap();
        store.import(&dataset(&p, "泽州钢铁有限公司", "transformation"), "t", "a.xlsx", &no_progress).await.unwrap();
        store.add_user("clerk", "王会计", Role::Bureau, None, "h", "t").await.unwrap();
        // A renamed enterprise and a recategorised project, imported by the clerk.
        let second = dataset(&p, "泽州钢铁集团有限公司", "energy_saving");
        store.import(&second, "clerk", "b.xlsx", &no_progress).await.unwrap();

        let history = store.audit_of_enterprise(&first, 50).await.unwrap();
        let fields: Vec<(&str, Option<&str>)> =
            history.iter().map(|a| (a.table_name.as_str(), a.field.as_deref())).collect();
        assert!(fields.contains(&("enterprises", Some("name"))), "{db}: {fields:?}");
        assert!(fields.contains(&("projects", Some("category"))), "{db}: the project's change is in its history");
        assert!(store.audit_of_enterprise(&other, 50).await.unwrap().is_empty(), "{db}: nothing of another enterprise");

        let all = store.audit(None, 100).await.unwrap();
        let names = store.audit_names(&all).await.unwrap();
        assert_eq!(names.enterprises.get(&first).map(String::as_str), Some("泽州钢铁集团有限公司"), "{db}");
        assert_eq!(names.projects.get("XM-01"), Some(&(first.clone(), "高炉改造".to_string())), "{db}");
        assert_eq!(names.users.get("clerk").map(String::as_str), Some("王会计"), "{db}");
        assert!(!names.enterprises.contains_key(&other), "{db}: only what the entries name");

        assert_eq!(store.towns().await.unwrap(), ["巴公镇", "金村镇"], "{db}: distinct, sorted");
    })
    .await;
}

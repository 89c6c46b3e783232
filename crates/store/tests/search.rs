//! Enterprise search for the pages and the API, on both databases.
mod common;
use common::*;
use lianzhang_store::EnterpriseFilter;

#[tokio::test]
async fn search_filters_sorts_and_pages_the_same_on_both_databases() {
    let (_, p) = policy();
    let ds = demo(&p, 300, 17);
    let steel = ds.enterprises().iter().filter(|e| e.chain.is_some_and(|c| c.0 == 0)).count() as i64;
    let above_2024 = ds.iter().filter(|f| f.row(2024).is_some_and(|r| r.above_scale == Some(true))).count() as i64;
    let named = ds.enterprises()[7].name.clone();
    // A fragment from the middle of a name, and how many names hold it.
    let fragment: String = named.chars().skip(2).take(2).collect();
    let holding = ds.enterprises().iter().filter(|e| e.name.contains(&fragment)).count() as i64;
    let code = ds.enterprises()[7].uscc.as_str().to_string();
    each_db(async |store, db| {
        store.import(&ds, "t", "demo", &no_progress).await.unwrap();
        let search = |f: EnterpriseFilter| {
            let store = store.clone();
            async move { store.search_enterprises(&EnterpriseFilter { year: 2024, per_page: 50, ..f }).await.unwrap() }
        };
        let (rows, total) = search(EnterpriseFilter::default()).await;
        assert_eq!((rows.len(), total), (50, 300), "{db}");
        assert!(rows.windows(2).all(|w| (&w[0].name, &w[0].uscc) <= (&w[1].name, &w[1].uscc)), "{db}: by name");
        let (_, total) = search(EnterpriseFilter { chain: Some("steel".into()), ..Default::default() }).await;
        assert_eq!(total, steel, "{db}");
        let (rows, total) = search(EnterpriseFilter { above_scale: Some(true), ..Default::default() }).await;
        assert_eq!(total, above_2024, "{db}");
        assert!(rows.iter().all(|r| r.above_scale == Some(true)));
        let (rows, _) = search(EnterpriseFilter { q: Some(named.clone()), ..Default::default() }).await;
        assert!(rows.iter().any(|r| r.name == named), "{db}");
        let (rows, _) = search(EnterpriseFilter { sort: Some("revenue".into()), ..Default::default() }).await;
        assert!(rows.windows(2).all(|w| w[0].revenue.unwrap_or(-1) >= w[1].revenue.unwrap_or(-1)), "{db}: by revenue");
        let (rows, total) = search(EnterpriseFilter { page: 7, ..Default::default() }).await;
        assert_eq!((rows.len(), total), (0, 300), "{db}: past the end");
        let (_, total) = search(EnterpriseFilter { q: Some("%' OR 1=1 --".into()), ..Default::default() }).await;
        assert_eq!(total, 0, "{db}");
        let (_, total) = search(EnterpriseFilter { q: Some(fragment.clone()), ..Default::default() }).await;
        assert_eq!(total, holding, "{db}: every name holding {fragment}");
        for wildcard in ["%", "_"] {
            let (_, total) = search(EnterpriseFilter { q: Some(wildcard.into()), ..Default::default() }).await;
            assert_eq!(total, 0, "{db}: {wildcard} is a character, not a wildcard");
        }
        // A code found by any part of it, typed in small letters or not.
        let part = code[8..].to_lowercase();
        let (rows, total) = search(EnterpriseFilter { q: Some(part), ..Default::default() }).await;
        assert_eq!((total, rows[0].uscc.as_str()), (1, code.as_str()), "{db}");
    })
    .await;
}

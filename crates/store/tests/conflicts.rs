//! No lost updates, on both databases: the preview of an import lists every cell it would change
//! with its last change; a cell changed after the file's export is a conflict, refused until the
//! user keeps the registry's value or takes the file's; a change between preview and
//! confirmation is never overwritten unseen; `--only-new` never overwrites.
mod common;
use common::*;
use lianzhang_facts::{Annual, Dataset, DatasetBuilder, Fen, Uscc};
use lianzhang_store::{Choice, ImportOptions, ImportOutcome, ImportPreview, Resolution, Store};

/// `ds` with `edit` applied to every annual row, restricted to its first `keep` enterprises.
fn edited(ds: &Dataset, keep: usize, edit: impl Fn(Uscc, &mut Annual)) -> Dataset {
    let mut b = DatasetBuilder::new(ds.vocabulary().clone());
    for f in ds.iter().take(keep) {
        let u = f.enterprise.uscc;
        b.enterprise(f.enterprise.clone());
        for r in f.annual {
            let mut r = *r;
            edit(u, &mut r);
            b.annual(u, r);
        }
        for r in f.recognitions {
            b.recognition(u, *r);
        }
        for p in f.projects {
            b.project(u, p.clone());
        }
    }
    b.build().unwrap()
}

/// The first enterprise's first year with a known revenue, and the next such year.
fn two_cells(ds: &Dataset) -> (Uscc, i32, i32) {
    let f = ds.iter().find(|f| f.annual.iter().filter(|r| r.revenue.is_some()).count() >= 2).unwrap();
    let years: Vec<i32> = f.annual.iter().filter(|r| r.revenue.is_some()).map(|r| r.year).collect();
    (f.enterprise.uscc, years[0], years[1])
}

fn set_revenue(ds: &Dataset, at: &[(Uscc, i32, i64)]) -> Dataset {
    edited(ds, ds.len(), |u, r| {
        if let Some((_, _, fen)) = at.iter().find(|(au, ay, _)| *au == u && *ay == r.year) {
            r.revenue = Some(Fen(*fen));
        }
    })
}

async fn revenue(store: &Store, ds: &Dataset, u: Uscc, year: i32) -> Option<Fen> {
    let now = store.load_dataset(ds.vocabulary()).await.unwrap();
    let i = now.iter().position(|f| f.enterprise.uscc == u).unwrap();
    now.get(i).row(year).unwrap().revenue
}

fn stamped(revision: Option<i64>) -> ImportOptions {
    ImportOptions { revision, only_new: false }
}

async fn apply(store: &Store, ds: &Dataset, o: &ImportOptions, r: &Resolution, expected: Option<u64>) -> ImportOutcome {
    store.apply_import(ds, o, r, expected, "clerk", "old-export.xlsx", &no_progress).await.unwrap()
}

fn unresolved(o: ImportOutcome) -> ImportPreview {
    match o {
        ImportOutcome::Unresolved(p) => p,
        other => panic!("expected a refusal for unresolved conflicts, got {other:?}"),
    }
}

#[tokio::test]
async fn the_preview_lists_every_changed_cell_with_old_and_new_value_and_its_last_change() {
    let (_, p) = policy();
    let ds = demo(&p, 40, 11);
    let (u, y1, y2) = two_cells(&ds);
    each_db(async |store, db| {
        store.import(&ds, "loader", "first.xlsx", &no_progress).await.unwrap();
        store
            .import(&set_revenue(&ds, &[(u, y1, 12_345_678_901)]), "colleague", "网页编辑", &no_progress)
            .await
            .unwrap();
        let audit = store.count("audit").await.unwrap();
        let file = set_revenue(&ds, &[(u, y1, 500_000_000), (u, y2, 30_000_000_000)]);
        let preview = store.preview_import(&file, &ImportOptions::default()).await.unwrap();
        assert_eq!(store.count("audit").await.unwrap(), audit, "{db}: a preview writes nothing");
        assert_eq!(preview.changes.len(), 2, "{db}: {:?}", preview.changes);
        assert_eq!(preview.conflict_count(), 0, "{db}: a file without a stamp has no conflicts");
        let first = &preview.changes[0];
        assert_eq!(
            (first.table_zh.as_str(), first.field_zh.as_str(), first.row_label.clone()),
            ("年度数据", "营业收入", y1.to_string())
        );
        assert_eq!(first.uscc, u.as_str());
        assert_eq!(first.enterprise, ds.iter().find(|f| f.enterprise.uscc == u).unwrap().enterprise.name);
        assert_eq!(first.old.as_deref(), Some("12,345.678901 万元"), "{db}: exact, in 万元");
        assert_eq!(first.new.as_deref(), Some("500.00 万元"));
        let last = first.last.as_ref().expect("the colleague's change");
        assert_eq!(last.actor, "colleague");
        assert!(last.describe().starts_with("colleague，20"), "{}", last.describe());
        let second = &preview.changes[1];
        assert_eq!(second.row_label, y2.to_string());
        assert_eq!(second.new.as_deref(), Some("30,000.00 万元"));
        assert_eq!(second.last, None, "{db}: never changed since it was first imported");
    })
    .await;
}

#[tokio::test]
async fn an_older_export_is_refused_until_each_conflict_has_a_choice_and_keep_keeps_the_edit() {
    let (_, p) = policy();
    let ds = demo(&p, 40, 12);
    let (u, y1, y2) = two_cells(&ds);
    each_db(async |store, db| {
        store.import(&ds, "loader", "first.xlsx", &no_progress).await.unwrap();
        // The file is exported here; then a colleague edits one cell in the browser.
        let exported_at = store.last_change().await.unwrap();
        store.import(&set_revenue(&ds, &[(u, y1, 77_700)]), "colleague", "网页编辑", &no_progress).await.unwrap();
        // The older export comes back with another cell corrected.
        let file = set_revenue(&ds, &[(u, y2, 99_900)]);
        let options = stamped(exported_at);
        let before = store.load_dataset(&p.vocabulary).await.unwrap();
        let audit = store.count("audit").await.unwrap();

        let refused = unresolved(apply(&store, &file, &options, &Resolution::default(), None).await);
        assert_eq!(refused.conflict_count(), 1, "{db}: {:?}", refused.changes);
        let c = &refused.changes[0];
        assert!(c.conflict);
        let original = ds.iter().find(|f| f.enterprise.uscc == u).unwrap().row(y1).unwrap().revenue.unwrap();
        let original = format!("{} 万元", lianzhang_store::exact_wan(original.0));
        assert_eq!((c.old.as_deref(), c.new.as_deref()), (Some("0.0777 万元"), Some(original.as_str())), "{db}");
        assert_eq!(c.last.as_ref().unwrap().actor, "colleague");
        assert!(!refused.changes[1].conflict, "{db}: a cell nobody touched since the export is no conflict");
        assert_eq!(store.load_dataset(&p.vocabulary).await.unwrap(), before, "{db}: refused: nothing changed");
        assert_eq!(store.count("audit").await.unwrap(), audit);

        // A choice for another cell is no choice for this one.
        let mut wrong = Resolution::default();
        wrong.each.insert(refused.changes[1].id.clone(), Choice::Take);
        unresolved(apply(&store, &file, &options, &wrong, None).await);

        let mut keep = Resolution::default();
        keep.each.insert(c.id.clone(), Choice::Keep);
        let ImportOutcome::Applied(report) = apply(&store, &file, &options, &keep, None).await else {
            panic!("{db}: a choice for every conflict applies")
        };
        assert_eq!((report.kept_cells, report.taken_cells, report.changed_cells), (1, 0, 1), "{db}");
        assert_eq!(revenue(&store, &ds, u, y1).await, Some(Fen(77_700)), "{db}: the colleague's edit is intact");
        assert_eq!(revenue(&store, &ds, u, y2).await, Some(Fen(99_900)), "{db}: the file's correction is in");
    })
    .await;
}

#[tokio::test]
async fn take_for_all_writes_the_files_values_over_later_edits() {
    let (_, p) = policy();
    let ds = demo(&p, 40, 13);
    let (u, y1, y2) = two_cells(&ds);
    each_db(async |store, db| {
        store.import(&ds, "loader", "first.xlsx", &no_progress).await.unwrap();
        let exported_at = store.last_change().await.unwrap();
        let edit = set_revenue(&ds, &[(u, y1, 100), (u, y2, 200)]);
        store.import(&edit, "colleague", "网页编辑", &no_progress).await.unwrap();
        let options = stamped(exported_at);
        let refused = unresolved(apply(&store, &ds, &options, &Resolution::default(), None).await);
        assert_eq!(refused.conflict_count(), 2, "{db}");
        let outcome = apply(&store, &ds, &options, &Resolution::all(Choice::Take), None).await;
        let ImportOutcome::Applied(report) = outcome else { panic!("{db}: {outcome:?}") };
        assert_eq!((report.kept_cells, report.taken_cells), (0, 2));
        assert_eq!(store.load_dataset(&p.vocabulary).await.unwrap(), ds, "{db}: the file's values");
        let trail = store.audit(Some(("annual", &format!("{}|{y1}", u.as_str()))), 1).await.unwrap();
        assert_eq!((trail[0].actor.as_str(), trail[0].old_value.as_deref()), ("clerk", Some("1.00")), "{db}: audited");
    })
    .await;
}

#[tokio::test]
async fn a_change_between_preview_and_confirmation_shows_the_diff_again_and_writes_nothing() {
    let (_, p) = policy();
    let ds = demo(&p, 40, 14);
    let (u, y1, _) = two_cells(&ds);
    each_db(async |store, db| {
        store.import(&ds, "loader", "first.xlsx", &no_progress).await.unwrap();
        // A file made elsewhere (no stamp): no conflicts, but the user confirms what was shown.
        let file = set_revenue(&ds, &[(u, y1, 500)]);
        let shown = store.preview_import(&file, &ImportOptions::default()).await.unwrap();
        assert_eq!(shown.changes.len(), 1);
        store.import(&set_revenue(&ds, &[(u, y1, 600)]), "colleague", "网页编辑", &no_progress).await.unwrap();
        let outcome =
            apply(&store, &file, &ImportOptions::default(), &Resolution::default(), Some(shown.fingerprint)).await;
        let ImportOutcome::Changed(again) = outcome else { panic!("{db}: {outcome:?}") };
        assert_eq!(again.changes[0].old.as_deref(), Some("0.0006 万元"), "{db}: the new value is shown");
        assert_eq!(again.changes[0].last.as_ref().unwrap().actor, "colleague");
        assert_eq!(revenue(&store, &ds, u, y1).await, Some(Fen(600)), "{db}: nothing written");
        // Confirming the new preview applies.
        let outcome =
            apply(&store, &file, &ImportOptions::default(), &Resolution::default(), Some(again.fingerprint)).await;
        assert!(matches!(outcome, ImportOutcome::Applied(_)), "{db}: {outcome:?}");
        assert_eq!(revenue(&store, &ds, u, y1).await, Some(Fen(500)));
    })
    .await;
}

#[tokio::test]
async fn only_new_adds_rows_and_never_overwrites() {
    let (_, p) = policy();
    let ds = demo(&p, 40, 15);
    let (u, y1, _) = two_cells(&ds);
    let first = edited(&ds, 30, |_, _| {});
    each_db(async |store, db| {
        store.import(&first, "loader", "first.xlsx", &no_progress).await.unwrap();
        let file = set_revenue(&ds, &[(u, y1, 500)]);
        let options = ImportOptions { revision: None, only_new: true };
        let preview = store.preview_import(&file, &options).await.unwrap();
        assert!(preview.changes.is_empty(), "{db}: {:?}", preview.changes);
        assert_eq!(preview.skipped_rows, 1);
        assert_eq!(preview.sheets[0].added, 10, "{db}: ten new enterprises");
        let ImportOutcome::Applied(report) = apply(&store, &file, &options, &Resolution::default(), None).await else {
            panic!("{db}")
        };
        assert_eq!((report.changed_cells, report.skipped_rows, report.sheets[0].added), (0, 1, 10), "{db}");
        assert_eq!(
            revenue(&store, &ds, u, y1).await,
            ds.iter().find(|f| f.enterprise.uscc == u).unwrap().row(y1).unwrap().revenue
        );
        assert_eq!(store.load_dataset(&p.vocabulary).await.unwrap().len(), 40);
    })
    .await;
}

#[tokio::test]
async fn a_stamp_newer_than_the_registry_treats_every_recorded_change_as_a_conflict() {
    let (_, p) = policy();
    let ds = demo(&p, 40, 16);
    let (u, y1, y2) = two_cells(&ds);
    each_db(async |store, db| {
        store.import(&ds, "loader", "first.xlsx", &no_progress).await.unwrap();
        store.import(&set_revenue(&ds, &[(u, y1, 100)]), "colleague", "网页编辑", &no_progress).await.unwrap();
        let newest = store.last_change().await.unwrap().unwrap();
        let file = set_revenue(&ds, &[(u, y2, 200)]);
        let preview = store.preview_import(&file, &stamped(Some(newest + 100))).await.unwrap();
        assert!(preview.foreign_stamp, "{db}");
        let conflicts: Vec<_> = preview.conflicts().map(|c| c.row_label.clone()).collect();
        assert_eq!(conflicts, vec![y1.to_string()], "{db}: the recorded change only");
        assert_eq!(preview.changes.len(), 2);
    })
    .await;
}

//! Import: a validated dataset applied to the registry in one transaction, all or nothing.
//! Rows are matched by key: new rows are added, changed cells become updates recorded in the
//! audit trail, identical rows are left alone. Rows absent from the file are kept (an import
//! adds and corrects; it never deletes).
//!
//! Before it is confirmed an import is previewed ([`Store::preview_import`]): every cell it would
//! change, with who changed the registry's value last. A file exported from the registry carries
//! the revision it was made at (the newest audit id); a cell changed in the registry after that
//! revision, whose value in the file differs, is a conflict, and the import is refused until the
//! user chooses, per conflict or for all, to keep the registry's value or take the file's
//! ([`Resolution`]). [`Store::apply_import`] plans again inside its write transaction, so a
//! change made between the preview and the confirmation is never overwritten unseen.

mod diff;
mod plan;
mod present;
mod sql;

pub use diff::{CellChange, CellId, Choice, ImportPreview, LastChange, Resolution};
pub use present::{beijing_time, exact_wan, field_zh, table_zh};
use sql::update_row;
pub(crate) use sql::{AUDIT_COLUMNS, audit_row, batch_rows, insert_rows};

use crate::rows::{Cell, ENTERPRISES, PROJECTS, Rows, TABLES, Table, dataset_rows, load_table, load_table_where_in};
use crate::{Result, Store, StoreError, now};
use diff::{cell_changes, fingerprint};
use lianzhang_facts::stamp::ExportStamp;
use lianzhang_facts::{Dataset, Vocabulary};
use plan::{Plan, plan};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

/// What an import did (or would do) to one sheet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SheetCounts {
    pub sheet: &'static str,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub sheets: Vec<SheetCounts>,
    /// Changed cells, one audit entry each.
    pub changed_cells: usize,
    /// Conflicting cells where the registry's value was kept.
    pub kept_cells: usize,
    /// Conflicting cells where the file's value was written.
    pub taken_cells: usize,
    /// Rows that differ from the registry's but were left alone (only new rows).
    pub skipped_rows: usize,
}

impl ImportReport {
    pub fn is_noop(&self) -> bool {
        self.sheets.iter().all(|s| s.added == 0 && s.changed == 0)
    }
}

/// How a file meets the registry.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The registry revision the file was exported at (its stamp). `None` (a file made
    /// elsewhere): no cell can be known to have changed since the file was made, so there are no
    /// conflicts; the diff is still shown.
    pub revision: Option<i64>,
    /// Add rows only: a row the registry has is never changed (`import --only-new`).
    pub only_new: bool,
}

/// The end of [`Store::apply_import`].
#[derive(Debug, Clone)]
pub enum ImportOutcome {
    /// Written and committed.
    Applied(ImportReport),
    /// Conflicts without a choice: nothing was written. The preview lists them.
    Unresolved(ImportPreview),
    /// The registry changed since the preview the user confirmed: nothing was written. The new
    /// preview is to be shown and confirmed again.
    Changed(ImportPreview),
}

/// Rows written so far and rows to write, for a progress bar.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

struct Prepared {
    plans: Vec<Plan<'static>>,
    preview: ImportPreview,
}

/// Up to this many enterprises, an import reads only the registry rows its keys touch (the edit
/// form writes one enterprise: its write transaction must not read the whole registry and hold
/// the write lock for seconds); larger files read whole tables, which is faster than long key
/// lists.
const KEYED_MAX_ENTERPRISES: usize = 1000;

/// The registry rows `rows` (a table of the dataset) may meet: the whole table for a large
/// dataset, the rows with its keys for a small one.
async fn existing_rows(conn: &mut AnyConnection, table: &Table, rows: &Rows, keyed: bool) -> Result<Rows> {
    if !keyed {
        return load_table(&mut *conn, table).await;
    }
    // Projects are keyed by their id (a project may have moved to another enterprise); the other
    // tables' keys begin with the USCC, the first column.
    let column = table.columns[0].0;
    let mut values: Vec<String> = rows.iter().filter_map(|r| text(&r[0])).collect();
    values.sort_unstable();
    values.dedup();
    load_table_where_in(conn, table, column, &values).await
}

/// Plans `dataset` against the registry as `conn` sees it and describes every cell to change.
async fn prepare(conn: &mut AnyConnection, dataset: &Dataset, options: &ImportOptions) -> Result<Prepared> {
    let (registry_revision,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM audit").fetch_one(&mut *conn).await?;
    let keyed = dataset.len() <= KEYED_MAX_ENTERPRISES;
    let mut plans = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for (table, rows) in TABLES.into_iter().zip(dataset_rows(dataset)) {
        let existing = existing_rows(&mut *conn, table, &rows, keyed).await?;
        if table.name == ENTERPRISES.name {
            names = existing.iter().filter_map(|r| Some((text(&r[0])?, text(&r[1])?))).collect();
        }
        plans.push(plan(table, existing, rows, options.only_new));
    }
    // A changed project may belong to an enterprise the dataset does not hold: its name too.
    let mut unnamed: Vec<String> = plans
        .iter()
        .filter(|p| p.table.name == PROJECTS.name)
        .flat_map(|p| p.change.iter().filter_map(|c| text(&c.old[1])))
        .filter(|u| !names.contains_key(u))
        .collect();
    unnamed.sort_unstable();
    unnamed.dedup();
    for r in load_table_where_in(&mut *conn, &ENTERPRISES, "uscc", &unnamed).await? {
        if let (Some(u), Some(n)) = (text(&r[0]), text(&r[1])) {
            names.insert(u, n);
        }
    }
    let foreign_stamp = options.revision.is_some_and(|r| r > registry_revision.unwrap_or(0));
    // A stamp from elsewhere says nothing about this registry's history: every recorded change
    // counts as made after it.
    let since = if foreign_stamp { Some(0) } else { options.revision };
    let changes = cell_changes(conn, &plans, &names, since, dataset.vocabulary()).await?;
    let sheets: Vec<SheetCounts> = plans
        .iter()
        .map(|p| SheetCounts {
            sheet: p.table.sheet,
            added: p.add.len(),
            changed: p.change.len(),
            unchanged: p.unchanged,
        })
        .collect();
    let skipped_rows = plans.iter().map(|p| p.skipped).sum();
    let preview = ImportPreview {
        registry_revision,
        file_revision: options.revision,
        foreign_stamp,
        only_new: options.only_new,
        fingerprint: fingerprint(&sheets, skipped_rows, &changes),
        sheets,
        skipped_rows,
        changes,
    };
    Ok(Prepared { plans, preview })
}

fn text(c: &Cell) -> Option<String> {
    match c {
        Cell::Text(s) => Some(s.clone()),
        _ => None,
    }
}

impl Store {
    /// What importing `dataset` would do, without writing: every cell it would change and the
    /// conflicts ([`ImportPreview`]).
    pub async fn preview_import(&self, dataset: &Dataset, options: &ImportOptions) -> Result<ImportPreview> {
        // One read transaction: in SQLite (WAL) the tables and the audit trail are read from one
        // snapshot. Nothing is written; the transaction is rolled back when dropped.
        let mut tx = self.begin_read().await?;
        Ok(prepare(&mut tx, dataset, options).await?.preview)
    }

    /// Applies `dataset` as [`Store::import`] does, unless a conflict has no choice in
    /// `resolution` ([`ImportOutcome::Unresolved`]) or, when `expected` holds the fingerprint of
    /// the preview the user confirmed, the registry changed since that preview
    /// ([`ImportOutcome::Changed`]). Both are decided inside the write transaction; then nothing
    /// is written.
    #[allow(clippy::too_many_arguments)] // the import's inputs, its answers and its audit: each distinct
    pub async fn apply_import(
        &self,
        dataset: &Dataset,
        options: &ImportOptions,
        resolution: &Resolution,
        expected: Option<u64>,
        actor: &str,
        source: &str,
        progress: Progress<'_>,
    ) -> Result<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let Prepared { plans, preview } = prepare(&mut tx, dataset, options).await?;
        if expected.is_some_and(|f| f != preview.fingerprint) {
            return Ok(ImportOutcome::Changed(preview));
        }
        if preview.unresolved(resolution).next().is_some() {
            return Ok(ImportOutcome::Unresolved(preview));
        }
        let kept: HashSet<&CellId> =
            preview.conflicts().filter(|c| resolution.choice(&c.id) == Some(Choice::Keep)).map(|c| &c.id).collect();
        let total: usize = plans.iter().map(|p| p.add.len() + p.change.len()).sum();
        let at = now();
        let mut done = 0usize;
        let mut audit: Rows = Vec::new();
        let mut sheets = Vec::new();
        for p in &plans {
            for chunk in p.add.chunks(batch_rows(self.backend, p.table.columns.len())) {
                insert_rows(&mut tx, p.table.name, p.table.columns, chunk).await?;
                done += chunk.len();
                progress(done as u64, total as u64);
            }
            let mut changed = 0;
            for c in &p.change {
                let mut row = c.new.clone();
                let mut cells = Vec::new();
                for &i in &c.cells {
                    let (field, ty) = p.table.columns[i];
                    if kept.contains(&CellId { table: p.table.name, key: c.key.clone(), field }) {
                        row[i] = c.old[i].clone();
                    } else {
                        cells.push(audit_row(
                            &at,
                            actor,
                            "update",
                            p.table.name,
                            &c.key,
                            field,
                            &c.old[i],
                            &row[i],
                            ty,
                        ));
                    }
                }
                if !cells.is_empty() {
                    update_row(&mut tx, p.table, &row).await?;
                    audit.append(&mut cells);
                    changed += 1;
                }
                done += 1;
                if done.is_multiple_of(1000) {
                    progress(done as u64, total as u64);
                }
            }
            sheets.push(SheetCounts {
                sheet: p.table.sheet,
                added: p.add.len(),
                changed,
                unchanged: p.unchanged + p.change.len() - changed,
            });
        }
        let conflicts = preview.conflict_count();
        let report = ImportReport {
            sheets,
            changed_cells: audit.len(),
            kept_cells: kept.len(),
            taken_cells: conflicts - kept.len(),
            skipped_rows: preview.skipped_rows,
        };
        if !report.is_noop() {
            let summary = serde_json::to_string(&report.sheets).unwrap_or_default();
            audit.push(vec![
                Cell::Text(at.clone()),
                Cell::Text(actor.to_string()),
                Cell::Text("import".into()),
                Cell::Text("*".into()),
                Cell::Text(source.to_string()),
                Cell::Null,
                Cell::Null,
                Cell::Text(summary),
            ]);
        }
        for chunk in audit.chunks(batch_rows(self.backend, AUDIT_COLUMNS.len())) {
            insert_rows(&mut tx, "audit", AUDIT_COLUMNS, chunk).await?;
        }
        progress(total as u64, total as u64);
        tx.commit().await?;
        Ok(ImportOutcome::Applied(report))
    }

    /// Applies `dataset` in one transaction; `actor` and `source` (the file) go to the audit
    /// trail. Concurrent imports run one after the other. No revision, so no conflicts: for
    /// writes the user has just made (the edit form) and first loads; files go through
    /// [`Store::preview_import`] and [`Store::apply_import`].
    pub async fn import(
        &self,
        dataset: &Dataset,
        actor: &str,
        source: &str,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let options = ImportOptions::default();
        match self.apply_import(dataset, &options, &Resolution::default(), None, actor, source, progress).await? {
            ImportOutcome::Applied(report) => Ok(report),
            // Without a revision or an expected preview neither can happen.
            ImportOutcome::Unresolved(_) | ImportOutcome::Changed(_) => {
                Err(StoreError::Refused("企业库在导入期间发生变化，请重新导入".into()))
            }
        }
    }

    /// The registry for an export, and the stamp the export carries: the revision it was read
    /// at (0 for an empty audit trail), now in Beijing time, and `actor`.
    pub async fn load_for_export(&self, vocabulary: &Vocabulary, actor: &str) -> Result<(Dataset, ExportStamp)> {
        let (dataset, revision) = self.load_dataset_at(vocabulary).await?;
        let stamp = ExportStamp {
            revision: revision.unwrap_or(0),
            exported_at: beijing_time(&now()),
            exported_by: actor.to_string(),
        };
        Ok((dataset, stamp))
    }
}

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

use crate::rows::{
    Cell, ENTERPRISES, PROJECTS, RECOGNITIONS, Rows, TABLES, dataset_rows, load_annual, load_table, rows_dataset,
};
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

/// Plans `dataset` against the registry as `conn` sees it and describes every cell to change.
async fn prepare(conn: &mut AnyConnection, dataset: &Dataset, options: &ImportOptions) -> Result<Prepared> {
    let (registry_revision,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM audit").fetch_one(&mut *conn).await?;
    let mut plans = Vec::new();
    let mut names = HashMap::new();
    for (table, rows) in TABLES.into_iter().zip(dataset_rows(dataset)) {
        let existing = load_table(&mut *conn, table).await?;
        if table.name == ENTERPRISES.name {
            names = existing.iter().filter_map(|r| Some((text(&r[0])?, text(&r[1])?))).collect();
        }
        plans.push(plan(table, existing, rows, options.only_new));
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
        let mut tx = self.pool.begin().await?;
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

    /// The whole registry as a dataset. The annual rows are read in two halves over two
    /// connections at once (reading is the cost of `assess --db`); the read is repeated if the
    /// audit trail shows a change committed meanwhile, so the result is one consistent state.
    pub async fn load_dataset(&self, vocabulary: &Vocabulary) -> Result<Dataset> {
        Ok(self.load_dataset_at(vocabulary).await?.0)
    }

    /// [`Store::load_dataset`] and the registry revision it is the state of (the newest audit id,
    /// `None` for an empty audit trail): what an export is stamped with.
    pub async fn load_dataset_at(&self, vocabulary: &Vocabulary) -> Result<(Dataset, Option<i64>)> {
        for _ in 0..3 {
            let before = self.last_change().await?;
            let half = |parity: i64| {
                let pool = self.pool.clone();
                tokio::spawn(async move { load_annual(&pool, parity).await })
            };
            let (even, odd) = (half(0), half(1));
            let enterprises = load_table(&self.pool, &ENTERPRISES).await?;
            let recognitions = load_table(&self.pool, &RECOGNITIONS).await?;
            let projects = load_table(&self.pool, &PROJECTS).await?;
            let mut annual = even.await.expect("annual reader")?;
            annual.append(&mut odd.await.expect("annual reader")?);
            if self.last_change().await? == before {
                let dataset = rows_dataset(vocabulary, enterprises, annual, recognitions, projects)?;
                return Ok((dataset, before));
            }
        }
        Err(crate::StoreError::Refused("企业库在读取期间反复变化，请稍后重试".into()))
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

    /// The newest audit entry: every committed change to the registry writes one.
    pub async fn last_change(&self) -> Result<Option<i64>> {
        let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM audit").fetch_one(&self.pool).await?;
        Ok(id)
    }
}

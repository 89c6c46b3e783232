//! The diff an import shows before it is confirmed: every cell it would change, with the
//! registry's value, the file's, who changed the registry's value last and when, and whether
//! that change is a conflict (made after the file was exported).

use super::plan::Plan;
use super::present::{beijing_time, field_zh, table_zh, value_zh};
use crate::rows::Table;
use crate::{Result, SheetCounts};
use lianzhang_facts::Vocabulary;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// One cell of the registry: table, row key (as in the audit trail) and column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct CellId {
    pub table: &'static str,
    pub key: String,
    pub field: &'static str,
}

impl CellId {
    /// The cell as one text, `table/key/field` (for a form field); [`CellId::parse`] reads it back.
    pub fn token(&self) -> String {
        format!("{}/{}/{}", self.table, self.key, self.field)
    }

    /// Reads [`CellId::token`] back; `None` for a table or column the registry does not have.
    pub fn parse(token: &str) -> Option<CellId> {
        let (table, rest) = token.split_once('/')?;
        let (key, field) = rest.rsplit_once('/')?;
        let table: &Table = crate::rows::TABLES.into_iter().find(|t| t.name == table)?;
        let field = table.columns.iter().find(|(c, _)| *c == field)?.0;
        Some(CellId { table: table.name, key: key.to_string(), field })
    }
}

/// The newest audit entry of a cell: who changed it last, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LastChange {
    /// The audit entry's id: the registry revision of the change.
    pub revision: i64,
    /// Stored UTC timestamp (RFC 3339).
    pub at: String,
    pub actor: String,
}

impl LastChange {
    /// `bureau，2026-11-25 19:12:05` (Beijing time, to the second).
    pub fn describe(&self) -> String {
        format!("{}，{}", self.actor, beijing_time(&self.at))
    }
}

/// One cell an import would change, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellChange {
    pub id: CellId,
    /// 表: the table's Chinese name (a declared fact's: the sheet it is a column of).
    pub table_zh: String,
    /// The enterprise's USCC and name as the registry has them.
    pub uscc: String,
    pub enterprise: String,
    /// 年度/键: the year of an annual row, the id of a project, empty for an enterprise's own row.
    pub row_label: String,
    /// 字段: the column's Chinese name (a declared fact's name).
    pub field_zh: String,
    /// 原值 and 新值 as a person reads them; `None` is an empty (unknown) cell.
    pub old: Option<String>,
    pub new: Option<String>,
    /// 原值最后修改: `None` when the audit trail records no change of this cell (the value
    /// was written when its row was first imported).
    pub last: Option<LastChange>,
    /// The registry's value was changed after the file was exported.
    pub conflict: bool,
}

/// What to do with a conflicting cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Choice {
    /// 保留库中值: the registry's value stays.
    Keep,
    /// 采用文件值: the file's value is written.
    Take,
}

impl Choice {
    /// `keep` or `take` (the CLI's `--on-conflict` and the web form's values).
    pub fn parse(text: &str) -> Option<Choice> {
        match text {
            "keep" => Some(Choice::Keep),
            "take" => Some(Choice::Take),
            _ => None,
        }
    }
}

/// The user's answers to the conflicts of an import.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// For every conflict that has no choice of its own.
    pub all: Option<Choice>,
    /// Per conflict.
    pub each: HashMap<CellId, Choice>,
}

impl Resolution {
    /// The same choice for every conflict.
    pub fn all(choice: Choice) -> Resolution {
        Resolution { all: Some(choice), each: HashMap::new() }
    }

    /// The choice for one conflicting cell, if any.
    pub fn choice(&self, id: &CellId) -> Option<Choice> {
        self.each.get(id).copied().or(self.all)
    }
}

/// Everything an import would do, shown before it is confirmed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportPreview {
    /// The registry's revision (its newest audit id) when the preview was made; `None` for an
    /// empty audit trail.
    pub registry_revision: Option<i64>,
    /// The revision the file was exported at (its stamp); `None` for a file not exported from
    /// the registry.
    pub file_revision: Option<i64>,
    /// The file's stamp is newer than the registry: it was exported from another registry (or
    /// this one was restored from an older backup). Every changed cell with a recorded change is
    /// then treated as a conflict.
    pub foreign_stamp: bool,
    /// Only new rows are added; existing rows are never changed.
    pub only_new: bool,
    /// Per sheet: rows to add, rows to change, rows unchanged.
    pub sheets: Vec<SheetCounts>,
    /// Rows that differ from the registry's but are left alone (only new rows).
    pub skipped_rows: usize,
    /// Every cell to change: conflicts first, then by table, row and column.
    pub changes: Vec<CellChange>,
    /// A digest of the above: the registry changed under a preview when the digest of a new
    /// preview of the same file differs.
    pub fingerprint: u64,
}

impl ImportPreview {
    pub fn conflicts(&self) -> impl Iterator<Item = &CellChange> {
        self.changes.iter().take_while(|c| c.conflict)
    }

    pub fn conflict_count(&self) -> usize {
        self.conflicts().count()
    }

    /// The conflicts `resolution` leaves without a choice.
    pub fn unresolved<'a>(&'a self, resolution: &'a Resolution) -> impl Iterator<Item = &'a CellChange> {
        self.conflicts().filter(|c| resolution.choice(&c.id).is_none())
    }

    /// Nothing to add and nothing to change.
    pub fn is_noop(&self) -> bool {
        self.changes.is_empty() && self.sheets.iter().all(|s| s.added == 0)
    }
}

/// The newest audit entry of every column of the rows `keys` of `table` that records one.
pub(crate) async fn last_changes(
    conn: &mut AnyConnection,
    table: &str,
    keys: &[&str],
) -> Result<HashMap<(String, String), LastChange>> {
    let mut out: HashMap<(String, String), LastChange> = HashMap::new();
    for chunk in keys.chunks(400) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT id, at, actor, row_key, field FROM audit WHERE table_name = $1 AND field IS NOT NULL \
             AND row_key IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(table.to_string());
        for k in chunk {
            q = q.bind(k.to_string());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let revision: i64 = r.try_get("id")?;
            let cell = (r.try_get::<String, _>("row_key")?, r.try_get::<String, _>("field")?);
            if out.get(&cell).is_none_or(|l| l.revision < revision) {
                out.insert(cell, LastChange { revision, at: r.try_get("at")?, actor: r.try_get("actor")? });
            }
        }
    }
    Ok(out)
}

/// The cells of `plans` to change, with their last changes; a cell changed after `since` is a
/// conflict. Sorted: conflicts first, then by table, row and column.
pub(crate) async fn cell_changes(
    conn: &mut AnyConnection,
    plans: &[Plan<'_>],
    names: &HashMap<String, String>,
    since: Option<i64>,
    vocabulary: &Vocabulary,
) -> Result<Vec<CellChange>> {
    let mut out = Vec::new();
    for (order, p) in plans.iter().enumerate() {
        if p.change.is_empty() {
            continue;
        }
        let keys: Vec<&str> = p.change.iter().map(|c| c.key.as_str()).collect();
        let mut last = last_changes(conn, p.table.name, &keys).await?;
        for c in &p.change {
            // A declared fact is shown as the column it is of: its sheet, its row, its name.
            let mut declared_as: Option<(String, String)> = None;
            let (uscc, row_label) = match p.table.name {
                "annual" => (&c.old[0], c.old[1].display(crate::rows::Ty::Int).unwrap_or_default()),
                "projects" => (&c.old[1], c.key.clone()),
                "recognitions" => (&c.old[0], c.key.clone()),
                "extra_facts" => {
                    use lianzhang_facts::ExtraAt;
                    let text = |i: usize| c.old[i].display(crate::rows::Ty::Text).unwrap_or_default();
                    let code = text(2);
                    let name =
                        vocabulary.extras.iter().find(|f| f.code == code).map_or(code.clone(), |f| f.name.clone());
                    let (sheet, row) = match ExtraAt::from_code(&text(1)) {
                        Some(ExtraAt::Year(y)) => ("annual", y.to_string()),
                        Some(ExtraAt::Project(id)) => ("projects", id),
                        _ => ("enterprises", String::new()),
                    };
                    declared_as = Some((table_zh(sheet).to_string(), name));
                    (&c.old[0], row)
                }
                _ => (&c.old[0], String::new()),
            };
            let uscc = uscc.display(crate::rows::Ty::Text).unwrap_or_default();
            // A declared fact's value as its type is shown (money in 万元), else as any cell.
            let shown = |row: &[crate::rows::Cell], i: usize, ty, field| {
                let declared = (p.table.name == "extra_facts")
                    .then(|| row[2].display(crate::rows::Ty::Text))
                    .flatten()
                    .and_then(|code| vocabulary.extras.iter().find(|f| f.code == code));
                match (declared, row[i].display(crate::rows::Ty::Text)) {
                    (Some(d), Some(text)) if d.ty == lianzhang_facts::ExtraType::Money => {
                        lianzhang_facts::Fen::parse_yuan(&text).ok().map(|f| format!("{} 万元", super::exact_wan(f.0)))
                    }
                    _ => value_zh(&row[i], ty, field, vocabulary),
                }
            };
            for &i in &c.cells {
                let (field, ty) = p.table.columns[i];
                let last = last.remove(&(c.key.clone(), field.to_string()));
                let conflict = since.is_some_and(|r| last.as_ref().is_some_and(|l| l.revision > r));
                out.push((
                    order,
                    i,
                    CellChange {
                        id: CellId { table: p.table.name, key: c.key.clone(), field },
                        table_zh: declared_as
                            .as_ref()
                            .map_or_else(|| table_zh(p.table.name).to_string(), |d| d.0.clone()),
                        enterprise: names.get(&uscc).cloned().unwrap_or_default(),
                        uscc: uscc.clone(),
                        row_label: row_label.clone(),
                        field_zh: declared_as
                            .as_ref()
                            .map_or_else(|| field_zh(p.table.name, field).to_string(), |d| d.1.clone()),
                        old: shown(&c.old, i, ty, field),
                        new: shown(&c.new, i, ty, field),
                        last,
                        conflict,
                    },
                ));
            }
        }
    }
    out.sort_by(|(ta, ia, a), (tb, ib, b)| (!a.conflict, ta, &a.id.key, ia).cmp(&(!b.conflict, tb, &b.id.key, ib)));
    Ok(out.into_iter().map(|(_, _, c)| c).collect())
}

/// The digest of what a preview shows (see [`ImportPreview::fingerprint`]).
pub(crate) fn fingerprint(sheets: &[SheetCounts], skipped: usize, changes: &[CellChange]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for s in sheets {
        (s.sheet, s.added, s.changed, s.unchanged).hash(&mut h);
    }
    skipped.hash(&mut h);
    for c in changes {
        (&c.id, &c.old, &c.new, c.last.as_ref().map(|l| l.revision), c.conflict).hash(&mut h);
    }
    h.finish()
}

//! Stored text that breaks the rules typed text now meets at the door
//! ([`lianzhang_facts::typed::check_text`]: length, control characters, NUL, bidirectional
//! overrides, invisible characters). Data stored before those rules existed may hold such text;
//! `lianzhang db check` lists it so that an administrator can correct it (edit form or import).

use crate::{Result, Store};
use lianzhang_facts::typed::{TextKind, check_text, shown};
use sqlx::{AssertSqlSafe, Row};

/// One stored value that breaks the door rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredTextProblem {
    /// The table's Chinese name (企业, 项目, 兑付台账, …).
    pub table: &'static str,
    /// The row: a USCC, a project id, or an entry number.
    pub key: String,
    /// The column's Chinese name.
    pub column: &'static str,
    /// Why, one Chinese sentence.
    pub problem: String,
}

/// (table, its Chinese name, key column, [(column, Chinese name, kind)]).
type Checked = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str, TextKind)]);

const CHECKED: &[Checked] = &[
    (
        "enterprises",
        "企业",
        "uscc",
        &[
            ("name", "企业名称", TextKind::Line),
            ("town", "乡镇", TextKind::Line),
            ("industry_code", "行业代码", TextKind::Line),
        ],
    ),
    (
        "projects",
        "项目",
        "project_id",
        &[("project_id", "项目编号", TextKind::Line), ("name", "项目名称", TextKind::Line)],
    ),
    ("ledger", "兑付台账", "id", &[("actor", "经办人", TextKind::Line), ("note", "备注", TextKind::Note)]),
    ("confirmations", "核实确认", "id", &[("actor", "经办人", TextKind::Line), ("reason", "核实依据", TextKind::Note)]),
    ("runs", "评定记录", "id", &[("actor", "经办人", TextKind::Line)]),
];

impl Store {
    /// Every stored value of the checked text columns that breaks the door rules, in table and
    /// key order. Read in one snapshot.
    pub async fn stored_text_problems(&self) -> Result<Vec<StoredTextProblem>> {
        let mut tx = self.begin_read().await?;
        let mut out = Vec::new();
        for &(table, table_zh, key, columns) in CHECKED {
            let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
            let sql = format!("SELECT CAST({key} AS TEXT), {} FROM {table} ORDER BY {key}", names.join(", "));
            for row in sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *tx).await? {
                let k: String = row.try_get(0)?;
                for (i, &(_, column, kind)) in columns.iter().enumerate() {
                    let Some(value) = row.try_get::<Option<String>, _>(i + 1)? else { continue };
                    if let Err(p) = check_text(&value, kind) {
                        out.push(StoredTextProblem { table: table_zh, key: shown(&k), column, problem: p.to_string() });
                    }
                }
            }
        }
        Ok(out)
    }
}

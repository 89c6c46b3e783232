//! The statements an import writes: batched multi-row INSERTs, one UPDATE per changed row, and
//! the audit trail's rows.

use crate::Backend;
use crate::Result;
use crate::rows::{Cell, Table, Ty};
use sqlx::{Any, AssertSqlSafe, Transaction};

/// Rows per multi-row INSERT. SQLite's cost per statement grows faster than its size
/// (measured: 5,400 rows took 0.09 s in statements of 200 parameters, 0.73 s at 4,000 and 3.7 s
/// at 30,000), so its statements stay small; PostgreSQL gains from larger ones (its limit is
/// 65,535 parameters).
pub(crate) fn batch_rows(backend: Backend, columns: usize) -> usize {
    let params = match backend {
        Backend::Sqlite => 200,
        Backend::Postgres => 4000,
    };
    (params / columns).max(1)
}

/// The columns of the `audit` table that an import writes (its `id` is assigned).
pub(crate) const AUDIT_COLUMNS: &[(&str, Ty)] = &[
    ("at", Ty::Text),
    ("actor", Ty::Text),
    ("action", Ty::Text),
    ("table_name", Ty::Text),
    ("row_key", Ty::Text),
    ("field", Ty::Text),
    ("old_value", Ty::Text),
    ("new_value", Ty::Text),
];

/// One audit row (as [`AUDIT_COLUMNS`] lists them) for one changed cell; values are stored as
/// [`Cell::display`] shows them.
#[allow(clippy::too_many_arguments)] // one argument per audit column: a struct would only rename them
pub(crate) fn audit_row(
    at: &str,
    actor: &str,
    action: &str,
    table: &str,
    key: &str,
    field: &str,
    old: &Cell,
    new: &Cell,
    ty: Ty,
) -> Vec<Cell> {
    let shown = |c: &Cell| c.display(ty).map_or(Cell::Null, Cell::Text);
    vec![
        Cell::Text(at.to_string()),
        Cell::Text(actor.to_string()),
        Cell::Text(action.to_string()),
        Cell::Text(table.to_string()),
        Cell::Text(key.to_string()),
        Cell::Text(field.to_string()),
        shown(old),
        shown(new),
    ]
}

fn bind<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    cell: &Cell,
    ty: Ty,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    match (cell, ty) {
        (Cell::Null, Ty::Text) => q.bind(None::<String>),
        (Cell::Null, _) => q.bind(None::<i64>),
        (Cell::Int(i), _) => q.bind(*i),
        (Cell::Text(s), _) => q.bind(s.clone()),
    }
}

/// One multi-row INSERT for `rows` (see [`batch_rows`]).
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[(&str, Ty)],
    rows: &[Vec<Cell>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
    let mut n = 0;
    for (i, _) in rows.iter().enumerate() {
        sql.push_str(if i == 0 { "(" } else { ", (" });
        for j in 0..columns.len() {
            n += 1;
            if j > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        for (cell, (_, ty)) in row.iter().zip(columns) {
            q = bind(q, cell, *ty);
        }
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Writes every non-key cell of `row` to the row of the same key.
pub(crate) async fn update_row(tx: &mut Transaction<'static, Any>, table: &Table, row: &[Cell]) -> Result<()> {
    let sets: Vec<String> =
        table.columns[table.key..].iter().enumerate().map(|(i, (c, _))| format!("{c} = ${}", i + 1)).collect();
    let n = table.columns.len() - table.key;
    let wheres: Vec<String> =
        table.columns[..table.key].iter().enumerate().map(|(i, (c, _))| format!("{c} = ${}", n + i + 1)).collect();
    let sql = format!("UPDATE {} SET {} WHERE {}", table.name, sets.join(", "), wheres.join(" AND "));
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for (cell, (_, ty)) in row[table.key..].iter().zip(&table.columns[table.key..]) {
        q = bind(q, cell, *ty);
    }
    for (cell, (_, ty)) in row[..table.key].iter().zip(&table.columns[..table.key]) {
        q = bind(q, cell, *ty);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

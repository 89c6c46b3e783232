//! The audit trail: who changed what, when, from which value to which.

use crate::{Result, Store};
use sqlx::Row;

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub table_name: String,
    pub row_key: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

impl Store {
    /// A page of the audit trail, newest first, filtered by table, actor and a part of the row
    /// key (all optional); with the number of matching entries.
    pub async fn audit_search(
        &self,
        table: Option<&str>,
        actor: Option<&str>,
        key: Option<&str>,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<AuditEntry>, i64)> {
        let mut wheres = Vec::new();
        let mut binds = Vec::new();
        for (col, v) in [("table_name", table), ("actor", actor)] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                binds.push(v.to_string());
                wheres.push(format!("{col} = ${}", binds.len()));
            }
        }
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            binds.push(format!("%{}%", k.replace(['%', '_', '\\'], "")));
            wheres.push(format!("row_key LIKE ${}", binds.len()));
        }
        let filter = if wheres.is_empty() { String::new() } else { format!("WHERE {}", wheres.join(" AND ")) };
        let mut count =
            sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit {filter}")));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let (total,) = count.fetch_one(&self.pool).await?;
        let per_page = per_page.clamp(1, 500);
        let offset = (page.max(1) - 1) as i64 * per_page as i64;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, at, actor, action, table_name, row_key, field, old_value, new_value FROM audit {filter} \
             ORDER BY id DESC LIMIT {per_page} OFFSET {offset}"
        )));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok((rows.iter().map(entry_of).collect::<Result<_>>()?, total))
    }

    /// The audit entries of one enterprise's rows (its own row and its annual rows), newest first.
    pub async fn audit_of_enterprise(&self, uscc: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, table_name, row_key, field, old_value, new_value FROM audit \
             WHERE row_key = $1 OR row_key LIKE $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(uscc.to_string())
        .bind(format!("{uscc}|%"))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_of).collect()
    }

    /// Audit entries, newest first, optionally of one table row (`table`, `key`).
    pub async fn audit(&self, row: Option<(&str, &str)>, limit: i64) -> Result<Vec<AuditEntry>> {
        let base = "SELECT id, at, actor, action, table_name, row_key, field, old_value, new_value FROM audit";
        let rows = match row {
            Some((t, k)) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{base} WHERE table_name = $1 AND row_key = $2 ORDER BY id DESC LIMIT $3"
                )))
                .bind(t.to_string())
                .bind(k.to_string())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{base} ORDER BY id DESC LIMIT $1")))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(entry_of).collect()
    }
}

fn entry_of(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        table_name: r.try_get("table_name")?,
        row_key: r.try_get("row_key")?,
        field: r.try_get("field")?,
        old_value: r.try_get("old_value")?,
        new_value: r.try_get("new_value")?,
    })
}

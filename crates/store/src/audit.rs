//! The audit trail: who changed what, when, from which value to which.

use crate::{Result, Store};
use sqlx::Row;
use std::collections::HashMap;

/// One entry of the audit trail, as stored.
///
/// `table_name` is a registry table (`enterprises`, `annual`, `recognitions`, `projects`,
/// `users`, `chain_roles`) or `*` for the summary of one import (then `row_key` is the file
/// and `new_value` the JSON counts per sheet). `row_key` is the row's key, its cells joined by
/// `|` (`uscc|year` for an annual row). Values are as a person reads them (yuan, 是/否) or
/// codes (chain, role); `None` is an empty cell.
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

    /// The audit entries of one enterprise's rows (its own row, its annual rows and
    /// recognitions, and its projects), newest first.
    pub async fn audit_of_enterprise(&self, uscc: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, table_name, row_key, field, old_value, new_value FROM audit \
             WHERE (table_name IN ('enterprises', 'annual', 'recognitions', 'confirmations', 'extra_facts') \
             AND (row_key = $1 OR row_key LIKE $2)) \
             OR (table_name = 'projects' AND row_key IN (SELECT project_id FROM projects WHERE uscc = $1)) \
             ORDER BY id DESC LIMIT $3",
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

/// What the rows named in audit entries are called, for showing them to people: enterprises by
/// name, projects with their enterprise, users by display name, people of the organisation.
#[derive(Debug, Clone, Default)]
pub struct AuditNames {
    /// USCC → enterprise name.
    pub enterprises: HashMap<String, String>,
    /// Project id → (USCC of its enterprise, project name).
    pub projects: HashMap<String, (String, String)>,
    /// Username → display name.
    pub users: HashMap<String, String>,
    /// Person id (as text) → name.
    pub people: HashMap<String, String>,
}

impl Store {
    /// The names of everything `entries` refer to (their rows and their actors), in four
    /// queries whatever the number of entries. A row deleted since has no name.
    pub async fn audit_names(&self, entries: &[AuditEntry]) -> Result<AuditNames> {
        let mut usccs = Vec::new();
        let mut projects = Vec::new();
        let mut users: Vec<String> = entries.iter().map(|e| e.actor.clone()).collect();
        let mut people = Vec::new();
        for e in entries {
            let first = e.row_key.split('|').next().unwrap_or_default().to_string();
            match e.table_name.as_str() {
                "enterprises" | "annual" | "recognitions" | "confirmations" => usccs.push(first),
                "projects" => projects.push(e.row_key.clone()),
                "users" => users.push(e.row_key.clone()),
                "chain_roles" => people.push(e.row_key.split('|').nth(1).unwrap_or_default().to_string()),
                _ => {}
            }
        }
        let mut names = AuditNames::default();
        for (id, uscc, name) in self
            .named::<(String, String, String)>("SELECT project_id, uscc, name FROM projects WHERE project_id", projects)
            .await?
        {
            usccs.push(uscc.clone());
            names.projects.insert(id, (uscc, name));
        }
        names.enterprises = self
            .named::<(String, String)>("SELECT uscc, name FROM enterprises WHERE uscc", usccs)
            .await?
            .into_iter()
            .collect();
        names.users = self
            .named::<(String, String)>("SELECT username, display_name FROM users WHERE username", users)
            .await?
            .into_iter()
            .collect();
        let ids: Vec<i64> = people.iter().filter_map(|p| p.parse().ok()).collect();
        if !ids.is_empty() {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            let rows: Vec<(i64, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT id, name FROM people WHERE id IN ({list})")))
                    .fetch_all(&self.pool)
                    .await?;
            names.people = rows.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
        }
        Ok(names)
    }

    /// Rows of `select` (ending in the key column) whose key is one of `keys`.
    async fn named<T>(&self, select: &str, mut keys: Vec<String>) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{select} IN ({})", marks.join(", "));
        let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql));
        for k in keys {
            q = q.bind(k);
        }
        Ok(q.fetch_all(&self.pool).await?)
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

//! Plausibility confirmations (核实确认): a clerk's statement that a value a plausibility check
//! of the policy file flagged is right after all (an above-scale enterprise whose revenue really
//! fell below the line, say). A confirmation clears the finding for exactly that value; when the
//! value changes, the check applies again. Confirmations are append-only and each one is also an
//! entry of the audit trail (who, when, why).

use crate::{Result, Store, StoreError, now};
use sqlx::Row;

/// One confirmed value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Confirmation {
    pub id: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    pub actor: String,
    /// The plausibility check's id in the policy file (`unit_jump`, …).
    pub check: String,
    pub uscc: String,
    pub year: i32,
    /// The fact's column code (`revenue`, `fixed_asset_investment`, …).
    pub field: String,
    /// The project, for a project's fact; `None` for a yearly fact.
    pub project_id: Option<String>,
    /// The value confirmed, as the check reports it (yuan for money).
    pub value: String,
    /// Why the value is right (the clerk's words: "经核对统计报表，该年确实停产").
    pub reason: String,
}

/// What a clerk confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConfirmation<'a> {
    pub check: &'a str,
    pub uscc: &'a str,
    pub year: i32,
    pub field: &'a str,
    pub project_id: Option<&'a str>,
    pub value: &'a str,
    pub reason: &'a str,
}

impl<'a> NewConfirmation<'a> {
    /// The confirmation of a value the policy engine names (one fact of a finding), with the
    /// clerk's reason.
    pub fn of(c: &'a lianzhang_policy::Confirmation, reason: &'a str) -> Self {
        NewConfirmation {
            check: &c.check,
            uscc: c.uscc.as_str(),
            year: c.year,
            field: &c.field,
            project_id: c.project_id.as_deref(),
            value: &c.value,
            reason,
        }
    }
}

const COLUMNS: &str = "id, at, actor, check_id, uscc, year, field, project_id, value, reason";

impl Store {
    /// Records confirmations (the facts of one finding, usually) and an audit entry for each, in
    /// one transaction: all or none.
    ///
    /// Errors: `Refused` when the reason is empty or not ordinary typed text, the year is outside
    /// 1949–2100, or a value was already confirmed for that check; `NotFound` for an unknown
    /// enterprise.
    pub async fn confirm_values(&self, items: &[NewConfirmation<'_>], actor: &str) -> Result<Vec<Confirmation>> {
        crate::runs::check_actor(actor)?;
        for c in items {
            crate::runs::check_year(i64::from(c.year))?;
            crate::runs::check_typed("核实依据", c.reason, lianzhang_facts::typed::TextKind::Note)?;
        }
        let mut tx = self.begin_write().await?;
        let at = now();
        let mut done = Vec::with_capacity(items.len());
        for c in items {
            done.push(confirm_one(&mut tx, c, actor, &at).await?);
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Every confirmation, oldest first (what an assessment from the registry clears).
    pub async fn confirmations(&self) -> Result<Vec<Confirmation>> {
        confirmations_in(&mut *self.pool.acquire().await?).await
    }

    /// The confirmations in force, as the policy engine takes them. A stored USCC that no longer
    /// parses (none should) is skipped: it cannot match a finding.
    pub async fn policy_confirmations(&self) -> Result<lianzhang_policy::Confirmations> {
        policy_confirmations_in(&mut *self.pool.acquire().await?).await
    }

    /// The confirmations of one enterprise, oldest first.
    pub async fn confirmations_of(&self, uscc: &str) -> Result<Vec<Confirmation>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM confirmations WHERE uscc = $1 ORDER BY id"
        )))
        .bind(uscc)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(of_row).collect()
    }
}

async fn confirmations_in(conn: &mut sqlx::AnyConnection) -> Result<Vec<Confirmation>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM confirmations ORDER BY id")))
        .fetch_all(conn)
        .await?;
    rows.iter().map(of_row).collect()
}

/// [`Store::policy_confirmations`] as `conn` sees them (inside a read transaction: its snapshot).
pub(crate) async fn policy_confirmations_in(conn: &mut sqlx::AnyConnection) -> Result<lianzhang_policy::Confirmations> {
    let items = confirmations_in(conn)
        .await?
        .into_iter()
        .filter_map(|c| {
            Some(lianzhang_policy::Confirmation {
                uscc: lianzhang_facts::Uscc::parse(&c.uscc).ok()?,
                check: c.check,
                year: c.year,
                field: c.field,
                project_id: c.project_id,
                value: c.value,
            })
        })
        .collect();
    Ok(lianzhang_policy::Confirmations { items })
}

async fn confirm_one(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    c: &NewConfirmation<'_>,
    actor: &str,
    at: &str,
) -> Result<Confirmation> {
    if c.reason.trim().is_empty() {
        return Err(StoreError::Refused("请写明核实依据（为什么这个数值是对的）".into()));
    }
    let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises WHERE uscc = $1")
        .bind(c.uscc)
        .fetch_one(&mut **tx)
        .await?;
    if known == 0 {
        return Err(StoreError::NotFound(format!("库中没有统一社会信用代码为 {} 的企业", c.uscc)));
    }
    let project = c.project_id.unwrap_or("");
    let dup: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM confirmations WHERE check_id = $1 AND uscc = $2 AND year = $3 AND field = $4 \
         AND project_id = $5 AND value = $6",
    )
    .bind(c.check)
    .bind(c.uscc)
    .bind(i64::from(c.year))
    .bind(c.field)
    .bind(project)
    .bind(c.value)
    .fetch_one(&mut **tx)
    .await?;
    if dup > 0 {
        return Err(StoreError::Refused("这个数值已经核实确认过，无需再次确认".into()));
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO confirmations (at, actor, check_id, uscc, year, field, project_id, value, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    )))
    .bind(at)
    .bind(actor)
    .bind(c.check)
    .bind(c.uscc)
    .bind(i64::from(c.year))
    .bind(c.field)
    .bind(project)
    .bind(c.value)
    .bind(c.reason.trim())
    .fetch_one(&mut **tx)
    .await?;
    let key = match c.project_id {
        Some(p) => format!("{}|{}|{p}", c.uscc, c.year),
        None => format!("{}|{}", c.uscc, c.year),
    };
    sqlx::query(
        "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
         VALUES ($1, $2, 'confirm', 'confirmations', $3, $4, $5, $6)",
    )
    .bind(at)
    .bind(actor)
    .bind(key)
    .bind(format!("{}|{}", c.check, c.field))
    .bind(c.value)
    .bind(c.reason.trim())
    .execute(&mut **tx)
    .await?;
    of_row(&row)
}

fn of_row(r: &sqlx::any::AnyRow) -> Result<Confirmation> {
    let project: String = r.try_get("project_id")?;
    Ok(Confirmation {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        check: r.try_get("check_id")?,
        uscc: r.try_get("uscc")?,
        year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
        field: r.try_get("field")?,
        project_id: (!project.is_empty()).then_some(project),
        value: r.try_get("value")?,
        reason: r.try_get("reason")?,
    })
}

//! 潜在可享 service notes: what a task force, the bureau or a liaison leader did for an enterprise
//! listed as near an award (a visit, a call, help with the 入库 paperwork), on which day. The lists
//! themselves are computed from the facts (`lianzhang_policy::near`); only the notes are stored.
//! Append-only, and not in the audit trail (a note changes no fact, so the facts kept in memory
//! stay valid).

use crate::runs::{check_actor, check_typed, check_year};
use crate::{Result, Store, StoreError, now};
use jiff::civil::Date;
use lianzhang_facts::typed::TextKind;
use sqlx::Row;

/// A service note to add.
#[derive(Debug, Clone)]
pub struct NewService {
    pub uscc: String,
    /// The year of the list the enterprise was on.
    pub year: i32,
    /// The near-miss kind's code (`above_scale`, …) and its first rule's id.
    pub kind: String,
    pub rule: String,
    /// The project, for a project line; empty otherwise.
    pub project_id: String,
    /// The day the service was given (not in the future).
    pub date: Date,
    pub note: String,
}

/// A stored service note.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Service {
    pub id: i64,
    pub uscc: String,
    pub year: i32,
    pub kind: String,
    pub rule: String,
    pub project_id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub note: String,
    pub at: String,
    pub actor: String,
}

impl Service {
    /// Whether the note is about the line `(uscc, kind, rule, project_id)`.
    pub fn is_for(&self, uscc: &str, kind: &str, rule: &str, project_id: &str) -> bool {
        self.uscc == uscc && self.kind == kind && self.rule == rule && self.project_id == project_id
    }
}

const COLUMNS: &str = "id, uscc, year, kind, rule, project_id, service_date, note, at, actor";

fn service(row: &sqlx::any::AnyRow) -> Result<Service> {
    Ok(Service {
        id: row.try_get("id")?,
        uscc: row.try_get("uscc")?,
        year: row.try_get::<i64, _>("year")? as i32,
        kind: row.try_get("kind")?,
        rule: row.try_get("rule")?,
        project_id: row.try_get("project_id")?,
        date: row.try_get("service_date")?,
        note: row.try_get("note")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
    })
}

impl Store {
    /// Adds a service note. `today` is the caller's date (Beijing): a service dated after it is
    /// refused. Errors: `Refused` for an empty note, text that is not clean, a future date or a
    /// year out of range; `NotFound` for an enterprise not in the registry.
    pub async fn add_near_service(&self, s: &NewService, actor: &str, today: Date) -> Result<Service> {
        check_actor(actor)?;
        check_year(i64::from(s.year))?;
        check_typed("服务记录", &s.note, TextKind::Note)?;
        for (what, text) in [("类别", &s.kind), ("规则", &s.rule), ("项目", &s.project_id)] {
            check_typed(what, text, TextKind::Line)?;
        }
        if s.note.trim().is_empty() {
            return Err(StoreError::Refused("请写明提供了什么服务".into()));
        }
        if s.date > today {
            return Err(StoreError::Refused(format!("服务日期 {} 晚于今天（{today}）", s.date)));
        }
        let mut tx = self.begin_write().await?;
        let known: Option<(String,)> = sqlx::query_as("SELECT uscc FROM enterprises WHERE uscc = $1")
            .bind(&s.uscc)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!("企业 {}", s.uscc)));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO near_services (uscc, year, kind, rule, project_id, service_date, note, at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
        )))
        .bind(&s.uscc)
        .bind(i64::from(s.year))
        .bind(&s.kind)
        .bind(&s.rule)
        .bind(&s.project_id)
        .bind(s.date.to_string())
        .bind(s.note.trim())
        .bind(now())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        let saved = service(&row)?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The service notes of the lists of `year`, oldest first.
    pub async fn near_services(&self, year: i32) -> Result<Vec<Service>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM near_services WHERE year = $1 ORDER BY id"
        )))
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(service).collect()
    }
}

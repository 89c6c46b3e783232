//! The year's budget per clause (预算) and the years of the official calendar an administrator
//! added after the bundled ones.

use crate::runs::{check_actor, check_typed, check_year};
use crate::{Result, Store, StoreError, now};
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{Actor, Role};
use lianzhang_workdays::{Calendar, YearSchedule};
use sqlx::Row;

/// A budget to enter for (year, clause): the newest entry is in force.
#[derive(Debug, Clone)]
pub struct NewBudget {
    pub year: i32,
    /// The clause as the policy names it (e.g. `第三条第（一）项`).
    pub clause: String,
    pub amount_fen: i64,
    pub note: String,
}

/// The budget in force for a clause.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BudgetLine {
    pub year: i32,
    pub clause: String,
    pub amount_fen: i64,
    pub at: String,
    pub actor: String,
    pub note: String,
}

impl Store {
    /// Enters a budget (append-only; the newest per year and clause is in force). Errors:
    /// `Refused` unless `actor` is the bureau (工信局), for an empty clause or a negative amount.
    pub async fn set_budget(&self, b: &NewBudget, actor: &Actor) -> Result<BudgetLine> {
        if actor.role != Role::Bureau {
            return Err(StoreError::Refused(format!("{}不能录入预算：此操作由工信局办理", actor.role.zh())));
        }
        let actor = actor.username.as_str();
        check_actor(actor)?;
        check_year(i64::from(b.year))?;
        check_typed("条款", &b.clause, TextKind::Line)?;
        check_typed("说明", &b.note, TextKind::Note)?;
        if b.clause.trim().is_empty() {
            return Err(StoreError::Refused("预算须指明条款".into()));
        }
        if b.amount_fen < 0 {
            return Err(StoreError::Refused("预算金额不能为负".into()));
        }
        let at = now();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO budgets (at, actor, year, clause, amount_fen, note) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&at)
            .bind(actor)
            .bind(i64::from(b.year))
            .bind(b.clause.trim())
            .bind(b.amount_fen)
            .bind(&b.note)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
             VALUES ($1, $2, 'update', 'budgets', $3, $4, NULL, $5)",
        )
        .bind(&at)
        .bind(actor)
        .bind(b.year.to_string())
        .bind(b.clause.trim())
        .bind(lianzhang_rounds::yuan(b.amount_fen))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(BudgetLine {
            year: b.year,
            clause: b.clause.trim().to_string(),
            amount_fen: b.amount_fen,
            at,
            actor: actor.to_string(),
            note: b.note.clone(),
        })
    }

    /// The budgets in force for `year`, by clause.
    pub async fn budgets(&self, year: i32) -> Result<Vec<BudgetLine>> {
        let rows = sqlx::query(
            "SELECT b.year, b.clause, b.amount_fen, b.at, b.actor, b.note FROM budgets b \
             WHERE b.year = $1 AND b.id = (SELECT MAX(c.id) FROM budgets c WHERE c.year = b.year AND c.clause = b.clause) \
             ORDER BY b.clause",
        )
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BudgetLine {
                    year: r.try_get::<i64, _>("year")? as i32,
                    clause: r.try_get("clause")?,
                    amount_fen: r.try_get("amount_fen")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    /// Adds (or corrects) a year of the official calendar from a holiday-cn file. Errors:
    /// `Refused` with the file's problem in Chinese.
    pub async fn add_calendar_year(&self, json: &str, actor: &Actor) -> Result<i32> {
        if actor.role != Role::Admin {
            return Err(StoreError::Refused(format!("{}不能导入工作日历：此操作由系统管理员办理", actor.role.zh())));
        }
        let actor = actor.username.as_str();
        check_actor(actor)?;
        let schedule = YearSchedule::parse(json).map_err(|e| StoreError::Refused(e.to_string()))?;
        let at = now();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO calendar_years (at, actor, year, data) VALUES ($1, $2, $3, $4)")
            .bind(&at)
            .bind(actor)
            .bind(i64::from(schedule.year))
            .bind(json)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
             VALUES ($1, $2, 'import', 'calendar_years', $3, NULL, NULL, $4)",
        )
        .bind(&at)
        .bind(actor)
        .bind(schedule.year.to_string())
        .bind(format!("导入 {} 年放假安排（{} 个特殊日）", schedule.year, schedule.days.len()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(i32::from(schedule.year))
    }

    /// The official calendar: the bundled years and, over them, the years an administrator added.
    pub async fn calendar(&self) -> Result<Calendar> {
        let mut calendar = Calendar::bundled();
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT data FROM calendar_years ORDER BY id").fetch_all(&self.pool).await?;
        for (json,) in rows {
            let schedule = YearSchedule::parse(&json).map_err(|e| StoreError::Inconsistent(e.to_string()))?;
            calendar.add_year(schedule);
        }
        Ok(calendar)
    }
}

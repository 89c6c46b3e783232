//! 政策沙盘方案: what-if scenarios saved with a name, to be shown again and compared. A scenario
//! is data about a question, not a change to the registry: saving one writes no audit entry (the
//! registry's revision, which the in-memory facts follow, does not move) and it pays nothing.

use crate::runs::{check_actor, check_typed, check_year};
use crate::{Result, Store, StoreError, now};
use lianzhang_facts::typed::TextKind;
use sqlx::Row;

/// A scenario to save.
#[derive(Debug, Clone)]
pub struct NewScenario {
    /// Unique among scenarios, one line.
    pub name: String,
    /// The SHA-256 of the policy text the overrides were made on ([`crate::policy_hash`]).
    pub policy_hash: String,
    /// `--set` assignments (`above_scale_entry.amount="150000"`), in order.
    pub overrides: Vec<String>,
    pub year_from: i32,
    pub year_to: i32,
    pub note: String,
}

/// A saved scenario.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Scenario {
    pub id: i64,
    pub name: String,
    pub policy_hash: String,
    pub overrides: Vec<String>,
    pub year_from: i32,
    pub year_to: i32,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
}

const COLUMNS: &str = "id, name, policy_hash, overrides, year_from, year_to, note, created_at, created_by";

fn scenario(row: &sqlx::any::AnyRow) -> Result<Scenario> {
    let overrides: String = row.try_get("overrides")?;
    Ok(Scenario {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        policy_hash: row.try_get("policy_hash")?,
        overrides: serde_json::from_str(&overrides)
            .map_err(|_| StoreError::Inconsistent(format!("方案的参数记录无法读取：{overrides}")))?,
        year_from: row.try_get::<i64, _>("year_from")? as i32,
        year_to: row.try_get::<i64, _>("year_to")? as i32,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

impl Store {
    /// Saves a scenario. Errors: `Refused` for an empty or taken name, a name or note that is not
    /// clean text, years out of range or in the wrong order, or no override at all.
    pub async fn save_scenario(&self, s: &NewScenario, actor: &str) -> Result<Scenario> {
        check_actor(actor)?;
        let name = s.name.trim();
        check_typed("方案名称", name, TextKind::Line)?;
        check_typed("说明", &s.note, TextKind::Note)?;
        if name.is_empty() {
            return Err(StoreError::Refused("请为方案起一个名称".into()));
        }
        check_year(i64::from(s.year_from))?;
        check_year(i64::from(s.year_to))?;
        if s.year_to < s.year_from {
            return Err(StoreError::Refused(format!("年度范围有误：{}年至{}年", s.year_from, s.year_to)));
        }
        if s.overrides.is_empty() {
            return Err(StoreError::Refused("方案与现行政策相同：没有改动任何参数，无需保存".into()));
        }
        for o in &s.overrides {
            check_typed("参数", o, TextKind::Line)?;
        }
        let overrides = serde_json::to_string(&s.overrides).expect("strings serialise");
        let mut tx = self.begin_write().await?;
        let taken: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM scenarios WHERE name = $1").bind(name).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Err(StoreError::Refused(format!("已有名为“{name}”的方案，请换一个名称")));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO scenarios (name, policy_hash, overrides, year_from, year_to, note, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
        )))
        .bind(name)
        .bind(&s.policy_hash)
        .bind(&overrides)
        .bind(i64::from(s.year_from))
        .bind(i64::from(s.year_to))
        .bind(s.note.trim())
        .bind(now())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        let saved = scenario(&row)?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Every saved scenario, the newest first.
    pub async fn scenarios(&self) -> Result<Vec<Scenario>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM scenarios ORDER BY id DESC")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(scenario).collect()
    }

    /// One saved scenario. Errors: `NotFound`.
    pub async fn scenario(&self, id: i64) -> Result<Scenario> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM scenarios WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("没有第 {id} 号沙盘方案")))?;
        scenario(&row)
    }
}

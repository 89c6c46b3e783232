//! The payout ledger: payments against recorded awards, corrections as reversing entries.
//! Append-only in the database itself (triggers); one net payment per award.

use crate::runs::{OUTCOME_SELECT, check_actor, check_typed, check_year, outcome_of, signed_fen_of, yuan_of};
use crate::{Result, Store, StoreError, now};
use lianzhang_facts::Year;
use lianzhang_facts::typed::TextKind;
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The identity of an award for the ledger: one-time awards (year `None`) are paid once over
/// the policy's life, yearly awards once per year, project awards once per project.
pub fn award_key(uscc: &str, rule: &str, year: Option<Year>, project_id: Option<&str>) -> String {
    let year = year.map_or_else(|| "*".to_string(), |y| y.to_string());
    format!("{uscc}|{rule}|{year}|{}", project_id.unwrap_or_default())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    /// `payment` or `reversal`.
    pub entry: String,
    /// See [`award_key`].
    pub award_key: String,
    pub run_id: i64,
    pub uscc: String,
    pub rule: String,
    pub year: i32,
    pub project_id: Option<String>,
    /// Negative for a reversal.
    pub amount: Decimal,
    pub reverses: Option<i64>,
    pub note: String,
    /// The overrides of the run the entry came from: empty for a payable run; a what-if (试算)
    /// run's payments are refused, so only entries made before that refusal existed show any.
    pub run_overrides: Vec<String>,
    /// The award round (兑现批次) the payment was made in, if any.
    pub round_id: Option<i64>,
}

const COLUMNS: &str =
    "id, at, actor, entry, award_key, run_id, uscc, rule, year, project_id, amount_fen, reverses, note, round_id";

/// Ledger entries with the overrides of their run (`run_overrides`).
pub(crate) const SELECT: &str = "SELECT l.id, l.at, l.actor, l.entry, l.award_key, l.run_id, l.uscc, l.rule, l.year, \
     l.project_id, l.amount_fen, l.reverses, l.note, l.round_id, r.overrides AS run_overrides \
     FROM ledger l JOIN runs r ON r.id = l.run_id";

pub(crate) fn entry_of(r: &AnyRow) -> Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        entry: r.try_get("entry")?,
        award_key: r.try_get("award_key")?,
        run_id: r.try_get("run_id")?,
        uscc: r.try_get("uscc")?,
        rule: r.try_get("rule")?,
        year: r.try_get::<i64, _>("year")? as i32,
        project_id: r.try_get("project_id")?,
        amount: yuan_of(r.try_get("amount_fen")?),
        reverses: r.try_get("reverses")?,
        note: r.try_get("note")?,
        round_id: r.try_get("round_id")?,
        // Absent from the RETURNING of an insert: the caller knows the run.
        run_overrides: r
            .try_get::<String, _>("run_overrides")
            .ok()
            .and_then(|o| serde_json::from_str(&o).ok())
            .unwrap_or_default(),
    })
}

/// The database's own refusal (a trigger), as a refusal rather than a database error.
fn refused(e: sqlx::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("already paid") {
        StoreError::Refused("该奖励已支付，数据库拒绝重复支付".into())
    } else if text.contains("already recovered") {
        StoreError::Refused("该奖励已收回，数据库拒绝重复收回".into())
    } else if text.contains("reversal must") {
        StoreError::Refused("冲正必须与原支付同一奖励、金额相反".into())
    } else {
        e.into()
    }
}

impl Store {
    /// Pays the award of run `run_id` for (uscc, rule, project), or records the money taken back
    /// when that outcome is a `recovery` (收回: a `recovery` entry, positive). Refused unless that
    /// outcome is an `award` or a `recovery`, the award has no net payment (recovery) yet, and the run is not a what-if (试算: recorded
    /// with overrides, see [`crate::RecordedRun::what_if`]); refused too for a run of a year
    /// outside 1949–2100, and for an actor or note that is not ordinary typed text.
    pub async fn pay(
        &self,
        run_id: i64,
        uscc: &str,
        rule: &str,
        project_id: Option<&str>,
        actor: &str,
        note: &str,
    ) -> Result<LedgerEntry> {
        check_actor(actor)?;
        check_typed("备注", note, TextKind::Note)?;
        let run = self.run(run_id).await?;
        if let Some(why) = run.what_if_reason() {
            return Err(StoreError::Refused(format!(
                "第 {run_id} 次评定是试算（{why}），试算只回答“改了会怎样”，不是可以支付的决定，\
                 不能据此支付。请按现行政策文件、不带 --set 重新评定并记录（assess --db … --record），按新的评定支付"
            )));
        }
        check_year(i64::from(run.year))?;
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {OUTCOME_SELECT} FROM run_outcomes WHERE run_id = $1 AND uscc = $2 AND rule = $3 \
             AND COALESCE(project_id, '') = $4"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(run_id)
            .bind(uscc)
            .bind(rule)
            .bind(project_id.unwrap_or_default())
            .fetch_optional(&mut *tx)
            .await?;
        let what = format!(
            "第 {run_id} 次评定中 {uscc} 的 {rule}{}",
            project_id.map(|p| format!("（项目 {p}）")).unwrap_or_default()
        );
        let o = outcome_of(&row.ok_or_else(|| StoreError::NotFound(format!("{what} 没有结果")))?)?;
        // A recovery (收回) records the money the enterprise paid back: its amount, positive.
        let (entry, amount) = match (o.status.as_str(), o.amount) {
            ("award", Some(a)) => ("payment", a),
            ("recovery", Some(a)) => ("recovery", -a),
            ("already_paid", _) => {
                return Err(StoreError::Refused(format!("{what} 在评定时已支付（或已收回），不能重复登记")));
            }
            (s, _) => return Err(StoreError::Refused(format!("{what} 的结论是 {s}，不是奖励，不能支付"))),
        };
        let key = award_key(uscc, rule, (!o.one_time).then_some(run.year), project_id);
        let paid: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM ledger p WHERE award_key = $1 AND entry IN ('payment', 'recovery') \
             AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = p.id)",
        )
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id,)) = paid {
            let done = if entry == "recovery" { "收回" } else { "支付" };
            return Err(StoreError::Refused(format!("{what} 已由台账第 {id} 条{done}，不能重复{done}")));
        }
        let entry = LedgerEntry {
            id: 0,
            at: now(),
            actor: actor.to_string(),
            entry: entry.into(),
            award_key: key,
            run_id,
            uscc: uscc.to_string(),
            rule: rule.to_string(),
            year: run.year,
            project_id: project_id.map(str::to_string),
            amount,
            reverses: None,
            note: note.to_string(),
            run_overrides: Vec::new(),
            round_id: None,
        };
        let entry = append(&mut tx, entry, None).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Reverses payment `id` in full with a new, negative entry.
    /// Refused for an actor or note that is not ordinary typed text, and for an empty note.
    pub async fn reverse(&self, id: i64, actor: &str, note: &str) -> Result<LedgerEntry> {
        check_actor(actor)?;
        check_typed("冲正原因", note, TextKind::Note)?;
        if note.trim().is_empty() {
            return Err(StoreError::Refused("冲正必须写明原因（--note）".into()));
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE l.id = $1")))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let p = entry_of(&row.ok_or_else(|| StoreError::NotFound(format!("台账中没有第 {id} 条")))?)?;
        if p.entry == "reversal" {
            return Err(StoreError::Refused(format!("台账第 {id} 条是冲正，不能再冲正")));
        }
        if let Some(round) = p.round_id {
            return Err(StoreError::Refused(format!(
                "台账第 {id} 条是第 {round} 号兑现批次中的支付，请在该批次中冲正（lianzhang round reverse 或批次页面）"
            )));
        }
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM ledger WHERE reverses = $1").bind(id).fetch_optional(&mut *tx).await?;
        if let Some((r,)) = done {
            return Err(StoreError::Refused(format!("台账第 {id} 条已由第 {r} 条冲正")));
        }
        let reversal = LedgerEntry {
            at: now(),
            actor: actor.to_string(),
            entry: "reversal".into(),
            amount: -p.amount,
            reverses: Some(id),
            note: note.to_string(),
            ..p
        };
        let overrides = reversal.run_overrides.clone();
        let mut entry = append(&mut tx, reversal, None).await?;
        entry.run_overrides = overrides;
        tx.commit().await?;
        Ok(entry)
    }

    /// Ledger entries in order, optionally of one enterprise.
    pub async fn ledger(&self, uscc: Option<&str>) -> Result<Vec<LedgerEntry>> {
        let rows = match uscc {
            Some(u) => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE l.uscc = $1 ORDER BY l.id")))
                    .bind(u.to_string())
                    .fetch_all(&self.pool)
                    .await?
            }
            None => sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY l.id"))).fetch_all(&self.pool).await?,
        };
        rows.iter().map(entry_of).collect()
    }
}

/// Appends one entry (its `id` is assigned by the database) and returns it as stored. A payment
/// made in a round carries `owed_fen`, the line's final amount: the database accepts partial
/// payments up to it (without it, one net payment per award).
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    e: LedgerEntry,
    owed_fen: Option<i64>,
) -> Result<LedgerEntry> {
    // Reversals are negative.
    let fen = signed_fen_of(e.amount)?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO ledger (at, actor, entry, award_key, run_id, uscc, rule, year, project_id, amount_fen, \
         reverses, note, round_id, owed_fen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         RETURNING {COLUMNS}"
    )))
    .bind(e.at)
    .bind(e.actor)
    .bind(e.entry)
    .bind(e.award_key)
    .bind(e.run_id)
    .bind(e.uscc)
    .bind(e.rule)
    .bind(i64::from(e.year))
    .bind(e.project_id)
    .bind(fen)
    .bind(e.reverses)
    .bind(e.note)
    .bind(e.round_id)
    .bind(owed_fen)
    .fetch_one(&mut **tx)
    .await
    .map_err(refused)?;
    entry_of(&row)
}

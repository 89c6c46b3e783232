//! Recorded assessment runs: the policy text (by hash), the overrides, who and when, and every
//! outcome, written once and never changed (the database refuses UPDATE and DELETE).
//!
//! A run recorded with overrides (`assess --record --set RULE.PARAM=VALUE`) is a what-if (试算):
//! the answer to "what would the policy pay if this parameter were different", kept so that the
//! question, who asked it and its answer stay on record, but never a payable decision. The
//! overrides are stored with the run, so a what-if is known by them alone ([`RecordedRun::what_if`]);
//! [`Store::pay`] refuses every award of a what-if run, whoever calls it (the CLI, the web rounds),
//! and the ledger and run listings show a run's overrides next to it. Money is paid only from a
//! run decided by a policy file as adopted, without a parameter changed for the occasion.
//!
//! One policy id, one text: the first run recorded without overrides under a policy id fixes
//! the text that id means in this registry. A later run under the same id with another text (an
//! edited copy of the file, say with an amount changed) is a what-if too
//! ([`RecordedRun::altered_policy_of`]). A revised policy is adopted under a new id; explicit
//! policy versions with their years in force will replace this rule (issue 12).

use crate::import::insert_rows;
use crate::ledger::award_key;
use crate::rows::{Cell, Ty};
use crate::{Result, Store, StoreError, now};
use lianzhang_facts::{Fen, Uscc, Year};
use lianzhang_policy::{Assessment, PaidLedger, Policy, PolicyFile};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashSet;

/// A stored run, without its outcomes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordedRun {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub policy_hash: String,
    pub policy_id: String,
    pub year: i32,
    pub overrides: Vec<String>,
    pub outcome_count: i64,
    pub total: Decimal,
    /// When the run's policy text differs from the text its policy id means in this registry:
    /// the run that fixed that text (the first recorded without overrides under the id).
    pub altered_policy_of: Option<i64>,
}

impl RecordedRun {
    /// Whether the run is a what-if (试算), never payable: recorded with overrides, or with an
    /// altered text of its policy (see the module documentation).
    pub fn what_if(&self) -> bool {
        !self.overrides.is_empty() || self.altered_policy_of.is_some()
    }

    /// Why the run is a what-if, in Chinese (`None` for a payable run).
    pub fn what_if_reason(&self) -> Option<String> {
        match (&self.overrides[..], self.altered_policy_of) {
            ([], None) => None,
            ([], Some(first)) => {
                Some(format!("政策 {} 的文本与本库第 {first} 次评定所用的不同（改动过的副本）", self.policy_id))
            }
            (o, None) => Some(format!("覆盖了参数：{}", o.join("，"))),
            (o, Some(first)) => Some(format!(
                "覆盖了参数：{}；且政策 {} 的文本与本库第 {first} 次评定所用的不同",
                o.join("，"),
                self.policy_id
            )),
        }
    }
}

/// A stored outcome (FACTS.md fields plus what the ledger needs).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunOutcome {
    pub run_id: i64,
    pub uscc: String,
    pub enterprise: String,
    pub rule: String,
    pub clause: String,
    pub status: String,
    pub amount: Option<Decimal>,
    pub project_id: Option<String>,
    pub one_time: bool,
    pub explanation: String,
    pub missing: Vec<String>,
}

const OUTCOME_COLUMNS: &[(&str, Ty)] = &[
    ("run_id", Ty::Int),
    ("seq", Ty::Int),
    ("uscc", Ty::Text),
    ("enterprise", Ty::Text),
    ("rule", Ty::Text),
    ("clause", Ty::Text),
    ("status", Ty::Text),
    ("amount_fen", Ty::Money),
    ("project_id", Ty::Text),
    ("one_time", Ty::Bool),
    ("explanation", Ty::Text),
    ("missing", Ty::Text),
];

/// Refuses a year outside 1949–2100 before anything is written to an append-only table.
pub(crate) fn check_year(year: i64) -> Result<lianzhang_facts::Year> {
    lianzhang_facts::typed::check_year(year).map_err(|e| StoreError::Refused(e.to_string()))
}

/// Refuses an actor name that is not one line of ordinary text (it is printed on terminals and
/// pages for ever).
pub(crate) fn check_actor(actor: &str) -> Result<()> {
    check_typed("经办人", actor, lianzhang_facts::typed::TextKind::Line)
}

/// Refuses typed text that breaks the door rules ([`lianzhang_facts::typed::check_text`]), naming
/// what it is (`经办人`, `备注`, …).
pub(crate) fn check_typed(what: &str, text: &str, kind: lianzhang_facts::typed::TextKind) -> Result<()> {
    lianzhang_facts::typed::check_text(text, kind).map_err(|e| StoreError::Refused(format!("{what}：{e}")))
}

pub(crate) fn fen_of(d: Decimal) -> Result<i64> {
    Fen::from_decimal_yuan(d).map(|f| f.0).map_err(|e| StoreError::Refused(format!("金额 {d} 无法入账：{e}")))
}

/// [`fen_of`] keeping the sign: a reversal, a recovery's outcome (收回, negative).
pub(crate) fn signed_fen_of(d: Decimal) -> Result<i64> {
    Ok(fen_of(d.abs())? * if d.is_sign_negative() { -1 } else { 1 })
}

pub(crate) fn yuan_of(fen: i64) -> Decimal {
    Fen(fen).to_yuan()
}

pub(crate) fn run_of(r: &AnyRow) -> Result<RecordedRun> {
    let overrides: String = r.try_get("overrides")?;
    Ok(RecordedRun {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        policy_hash: r.try_get("policy_hash")?,
        policy_id: r.try_get("policy_id")?,
        year: r.try_get::<i64, _>("year")? as i32,
        overrides: serde_json::from_str(&overrides).unwrap_or_default(),
        outcome_count: r.try_get("outcome_count")?,
        total: yuan_of(r.try_get("total_fen")?),
        altered_policy_of: r.try_get("altered_policy_of")?,
    })
}

pub(crate) fn outcome_of(r: &AnyRow) -> Result<RunOutcome> {
    let missing: String = r.try_get("missing")?;
    Ok(RunOutcome {
        run_id: r.try_get("run_id")?,
        uscc: r.try_get("uscc")?,
        enterprise: r.try_get("enterprise")?,
        rule: r.try_get("rule")?,
        clause: r.try_get("clause")?,
        status: r.try_get("status")?,
        amount: r.try_get::<Option<i64>, _>("amount_fen")?.map(yuan_of),
        project_id: r.try_get("project_id")?,
        one_time: r.try_get::<i64, _>("one_time")? != 0,
        explanation: r.try_get("explanation")?,
        missing: serde_json::from_str(&missing).unwrap_or_default(),
    })
}

/// The columns of a run, and `altered_policy_of`: the first run without overrides under the same
/// policy id, when its text (hash) is another and was never adopted as a version (see the module
/// documentation).
pub(crate) const RUN_COLUMNS: &str = "id, at, actor, policy_hash, policy_id, year, overrides, outcome_count, total_fen, \
     (SELECT f.id FROM runs f WHERE f.id = (SELECT MIN(g.id) FROM runs g \
     WHERE g.policy_id = runs.policy_id AND g.overrides = '[]') AND f.policy_hash <> runs.policy_hash \
     AND NOT EXISTS (SELECT 1 FROM policy_adoptions a WHERE a.hash = runs.policy_hash)) \
     AS altered_policy_of";
pub(crate) const OUTCOME_SELECT: &str = "run_id, uscc, enterprise, rule, clause, status, amount_fen, project_id, \
     one_time, explanation, missing";

impl Store {
    /// Stores the run: the policy text (once per hash), the overrides, actor, time and every
    /// outcome. Returns the run id. A run with overrides is stored as a what-if (试算), never
    /// payable ([`RecordedRun::what_if`]).
    ///
    /// Errors: `Refused` for a year outside 1949–2100 (the runs table is append-only: a run of
    /// year 99999 would stay for ever) or an actor that is not one line of ordinary text.
    pub async fn record_run(
        &self,
        file: &PolicyFile,
        policy: &Policy,
        assessment: &Assessment,
        actor: &str,
    ) -> Result<i64> {
        check_year(i64::from(assessment.year))?;
        check_actor(actor)?;
        let mut tx = self.pool.begin().await?;
        let id = record_run_in(&mut tx, self.backend, file, policy, assessment, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every recorded run, newest first.
    pub async fn runs(&self) -> Result<Vec<RecordedRun>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(run_of).collect()
    }

    pub async fn run(&self, id: i64) -> Result<RecordedRun> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?;
        run_of(&row.ok_or_else(|| StoreError::NotFound(format!("没有第 {id} 次评定记录")))?)
    }

    /// The stored policy version a run was decided under: (file name, text).
    pub async fn run_policy(&self, run_id: i64) -> Result<Option<(String, String)>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT p.name, p.text FROM runs r JOIN policy_versions p ON p.hash = r.policy_hash WHERE r.id = $1",
        )
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    /// A run's outcomes in their recorded order.
    pub async fn run_outcomes(&self, id: i64) -> Result<Vec<RunOutcome>> {
        let sql = format!("SELECT {OUTCOME_SELECT} FROM run_outcomes WHERE run_id = $1 ORDER BY seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await?;
        rows.iter().map(outcome_of).collect()
    }

    /// The awards the ledger shows paid (net of reversals), for the engine's guard.
    pub async fn paid(&self) -> Result<PaidSet> {
        paid_in(&mut *self.pool.acquire().await?).await
    }
}

/// [`Store::record_run`] inside a caller's transaction (a round records its run with its lines).
/// The caller has checked the year and the actor. Returns the run id.
pub(crate) async fn record_run_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: crate::Backend,
    file: &PolicyFile,
    policy: &Policy,
    assessment: &Assessment,
    actor: &str,
) -> Result<i64> {
    let hash = policy_hash(file.text());
    let at = now();
    let known: Option<(String,)> = sqlx::query_as("SELECT hash FROM policy_versions WHERE hash = $1")
        .bind(&hash)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_none() {
        sqlx::query("INSERT INTO policy_versions (hash, policy_id, name, text, stored_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&hash)
            .bind(&policy.meta.id)
            .bind(file.name())
            .bind(file.text())
            .bind(&at)
            .execute(&mut **tx)
            .await?;
    }
    let overrides = serde_json::to_string(file.overrides()).unwrap_or_else(|_| "[]".into());
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO runs (at, actor, policy_hash, policy_id, year, overrides, outcome_count, total_fen) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&at)
    .bind(actor)
    .bind(&hash)
    .bind(&policy.meta.id)
    .bind(i64::from(assessment.year))
    .bind(overrides)
    .bind(assessment.outcomes.len() as i64)
    .bind(fen_of(assessment.total())?)
    .fetch_one(&mut **tx)
    .await?;
    let one_time = |rule: &str| policy.rules.iter().find(|r| r.id == rule).is_some_and(|r| r.kind.one_time());
    let mut rows = Vec::with_capacity(assessment.outcomes.len());
    for (seq, o) in assessment.outcomes.iter().enumerate() {
        rows.push(vec![
            Cell::Int(id),
            Cell::Int(seq as i64),
            Cell::Text(o.uscc.as_str().to_string()),
            Cell::Text(o.enterprise.clone()),
            Cell::Text(o.rule.clone()),
            Cell::Text(o.clause.clone()),
            Cell::Text(o.status.code().to_string()),
            o.amount.map(signed_fen_of).transpose()?.map_or(Cell::Null, Cell::Int),
            o.project_id.clone().map_or(Cell::Null, Cell::Text),
            Cell::Int(i64::from(one_time(&o.rule))),
            Cell::Text(o.explanation.clone()),
            Cell::Text(serde_json::to_string(&o.missing).unwrap_or_else(|_| "[]".into())),
        ]);
    }
    for chunk in rows.chunks(crate::import::batch_rows(backend, OUTCOME_COLUMNS.len())) {
        insert_rows(tx, "run_outcomes", OUTCOME_COLUMNS, chunk).await?;
    }
    Ok(id)
}

/// [`Store::paid`] as `conn` sees the ledger (inside a read transaction: its snapshot).
pub(crate) async fn paid_in(conn: &mut sqlx::AnyConnection) -> Result<PaidSet> {
    let keys: Vec<(String,)> =
        sqlx::query_as("SELECT award_key FROM ledger GROUP BY award_key HAVING SUM(amount_fen) > 0")
            .fetch_all(conn)
            .await?;
    Ok(PaidSet(keys.into_iter().map(|k| k.0).collect()))
}

/// The paid awards by [`award_key`]: the engine reports them `already_paid`.
#[derive(Debug, Default, Clone)]
pub struct PaidSet(HashSet<String>);

impl PaidSet {
    /// The paid award keys of one enterprise, sorted (what a round freezes with its facts).
    pub fn keys_of(&self, uscc: &str) -> Vec<String> {
        let prefix = format!("{uscc}|");
        let mut keys: Vec<String> = self.0.iter().filter(|k| k.starts_with(&prefix)).cloned().collect();
        keys.sort();
        keys
    }

    /// A paid set of exactly these award keys (a round's frozen ledger).
    pub fn from_keys(keys: impl IntoIterator<Item = String>) -> PaidSet {
        PaidSet(keys.into_iter().collect())
    }
}

impl PaidLedger for PaidSet {
    fn is_paid(&self, uscc: &Uscc, rule: &str, year: Option<Year>, project_id: Option<&str>) -> bool {
        !self.0.is_empty() && self.0.contains(&award_key(uscc.as_str(), rule, year, project_id))
    }
}

/// The identity of a policy text as runs and rounds record it (`policy_versions.hash`): the
/// SHA-256 of the file's bytes, 64 lowercase hex digits.
pub fn policy_hash(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

//! Award rounds (兑现批次) in the registry: the round's header (year, pinned policy text and its
//! payout settings), the revisions of its lines (each a recorded run, its lines and the frozen
//! facts of every listed enterprise), and its events. The workflow itself is the pure
//! `lianzhang-rounds` crate: every action is checked by [`Round::apply`] inside the write
//! transaction that stores it, so the pages, the API and the CLI refuse the same things, and a
//! refused action writes nothing.
//!
//! Reading a round replays its events; the replayed state is kept in memory and reused until a
//! new event is stored (the lines page must answer within milliseconds on a 10,000-line round).

mod budget;
mod create;
mod credit;
mod pay;

pub use budget::{BudgetLine, NewBudget};
pub use create::{FrozenFacts, NewRound};
pub use credit::{CreditList, NewCreditEntry};
pub use pay::{NewPayment, Standing};

use crate::{Result, Store, StoreError, now};
use lianzhang_rounds::{Actor, Event, Line, LineKey, Outcome, Round, Settings};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a round was created with and under.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RoundHeader {
    pub id: i64,
    pub year: i32,
    /// The round's name, e.g. `2024年度第一批`.
    pub name: String,
    pub created_at: String,
    pub created_by: String,
    /// SHA-256 of the policy text the round is assessed under (pinned for every revision).
    pub policy_hash: String,
    pub policy_id: String,
    /// 意愿确认 required.
    pub confirmation: bool,
    /// Leaders' sign-offs needed (k).
    pub approvals: u32,
    /// 公示 period in working days.
    pub publicity_days: u32,
    /// Where and how to object, printed on the public list.
    pub objection_to: String,
}

impl RoundHeader {
    pub fn settings(&self) -> Settings {
        Settings { year: self.year, confirmation: self.confirmation, approvals: self.approvals }
    }
}

/// One revision of a round's lines: the run it was recorded as, and the registry state it read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Revision {
    pub revision: u32,
    pub run_id: i64,
    /// The registry revision (newest audit id) the facts were read at.
    pub registry_revision: Option<i64>,
    /// SHA-256 of the frozen facts of the listed enterprises.
    pub facts_hash: String,
    pub at: String,
    pub actor: String,
}

/// One stored event: when, who, what (the timeline).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    /// RFC 3339 UTC.
    pub at: String,
    pub actor: Actor,
    /// The event; a refresh is kept without its lines (they are the round's state and
    /// `round_lines`): see `line_count`.
    pub event: Event,
    /// For a refresh: how many lines the revision has.
    pub line_count: Option<usize>,
}

impl StoredEvent {
    /// The event on the timeline, in Chinese (a refresh with its line count; lines named by
    /// enterprise and rule title as `round` has them: [`Round::describe`]).
    pub fn zh(&self, round: &Round) -> String {
        match (&self.event, self.line_count) {
            (Event::Refreshed { revision, .. }, Some(n)) => format!("刷新名单，形成第 {revision} 版（{n} 行）"),
            (e, _) => round.describe(e),
        }
    }

    /// The role of whoever did it, in Chinese.
    pub fn role_zh(&self) -> &'static str {
        self.actor.role.zh()
    }
}

/// A round as stored, replayed: its header, revisions, events and the state they fold into.
#[derive(Debug, Clone)]
pub struct RoundRecord {
    pub header: RoundHeader,
    pub revisions: Vec<Revision>,
    pub events: Vec<StoredEvent>,
    pub round: Round,
    /// The ledger's identity of each current line's award ([`crate::award_key`]).
    pub award_keys: HashMap<LineKey, String>,
}

impl RoundRecord {
    /// The award key of a current line (the ledger's identity of the award, [`crate::award_key`]).
    pub fn award_key(&self, key: &LineKey) -> Option<&str> {
        self.award_keys.get(key).map(String::as_str)
    }
}

/// The rounds cache: the replayed record of each round, with the number of events it folds.
#[derive(Debug, Default)]
pub(crate) struct RoundCache(Mutex<HashMap<i64, Arc<RoundRecord>>>);

impl RoundCache {
    fn get(&self, id: i64, events: i64) -> Option<Arc<RoundRecord>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&id).filter(|r| r.events.len() as i64 == events).cloned()
    }
    fn put(&self, record: Arc<RoundRecord>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(record.header.id, record);
    }
}

const HEADER: &str = "id, year, name, created_at, created_by, policy_hash, policy_id, confirmation, approvals, \
     publicity_days, objection_to";

fn header_of(r: &AnyRow) -> Result<RoundHeader> {
    Ok(RoundHeader {
        id: r.try_get("id")?,
        year: r.try_get::<i64, _>("year")? as i32,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        policy_hash: r.try_get("policy_hash")?,
        policy_id: r.try_get("policy_id")?,
        confirmation: r.try_get::<i64, _>("confirmation")? != 0,
        approvals: r.try_get::<i64, _>("approvals")? as u32,
        publicity_days: r.try_get::<i64, _>("publicity_days")? as u32,
        objection_to: r.try_get("objection_to")?,
    })
}

pub(crate) const LINE_COLUMNS: &str = "uscc, rule, project_id, award_key, enterprise, chain, town, clause, \
     rule_title, outcome, pays, amount_fen, ceiling, explanation, missing";

fn outcome_code(o: Outcome) -> &'static str {
    match o {
        Outcome::Award => "award",
        Outcome::NeedsReview => "needs_review",
        Outcome::Referral => "referral",
        Outcome::Recovery => "recovery",
    }
}

fn line_of(r: &AnyRow) -> Result<(Line, String)> {
    let outcome = match r.try_get::<String, _>("outcome")?.as_str() {
        "award" => Outcome::Award,
        "needs_review" => Outcome::NeedsReview,
        "recovery" => Outcome::Recovery,
        _ => Outcome::Referral,
    };
    let missing: String = r.try_get("missing")?;
    let line = Line {
        key: LineKey { uscc: r.try_get("uscc")?, rule: r.try_get("rule")?, project_id: r.try_get("project_id")? },
        enterprise: r.try_get("enterprise")?,
        chain: r.try_get("chain")?,
        town: r.try_get("town")?,
        clause: r.try_get("clause")?,
        rule_title: r.try_get("rule_title")?,
        outcome,
        pays: r.try_get::<i64, _>("pays")? != 0,
        amount_fen: r.try_get("amount_fen")?,
        ceiling: r.try_get::<i64, _>("ceiling")? != 0,
        explanation: r.try_get("explanation")?,
        missing: serde_json::from_str(&missing).unwrap_or_default(),
    };
    Ok((line, r.try_get("award_key")?))
}

/// An event as stored: a refresh without its lines (they are in `round_lines`).
fn stored_json(event: &Event) -> String {
    let event = match event {
        Event::Refreshed { revision, .. } => &Event::Refreshed { revision: *revision, lines: Vec::new() },
        e => e,
    };
    serde_json::to_string(event).expect("events serialise")
}

fn kind_of(event: &Event) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default()
}

impl Store {
    /// Every round, newest first, each replayed (see [`Store::round`]).
    pub async fn rounds(&self) -> Result<Vec<Arc<RoundRecord>>> {
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM rounds ORDER BY id DESC").fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            out.push(self.round(id).await?);
        }
        Ok(out)
    }

    /// A round, replayed from its events (reused from memory while no new event was stored).
    /// Errors: `NotFound` when there is no such round.
    pub async fn round(&self, id: i64) -> Result<Arc<RoundRecord>> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, &self.rounds_cache, id).await
    }

    /// Records `event` by `actor` on round `id` after the workflow's checks ([`Round::apply`]):
    /// refused with the workflow's Chinese sentence, nothing written. Refreshes, payments and
    /// reversals have their own functions (they write lines and ledger entries) and are refused
    /// here. Each event is also written to the audit trail.
    pub async fn act(&self, id: i64, actor: &Actor, event: Event) -> Result<Arc<RoundRecord>> {
        if matches!(event, Event::Refreshed { .. } | Event::Paid { .. } | Event::Reversed { .. }) {
            return Err(StoreError::Refused("刷新、支付与冲正请使用各自的操作".into()));
        }
        crate::runs::check_actor(&actor.username)?;
        let mut tx = self.begin_write().await?;
        let record = load(&mut tx, &self.rounds_cache, id).await?;
        let record = append(&mut tx, &record, actor, event).await?;
        tx.commit().await?;
        let record = Arc::new(record);
        self.rounds_cache.put(record.clone());
        Ok(record)
    }
}

/// Loads round `id` as `conn` sees it (inside a transaction: its snapshot).
pub(crate) async fn load(conn: &mut sqlx::AnyConnection, cache: &RoundCache, id: i64) -> Result<Arc<RoundRecord>> {
    let (events,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM round_events WHERE round_id = $1").bind(id).fetch_one(&mut *conn).await?;
    if let Some(r) = cache.get(id, events) {
        return Ok(r);
    }
    let sql = format!("SELECT {HEADER} FROM rounds WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有第 {id} 号兑现批次")))?;
    let header = header_of(&row)?;
    let revisions = sqlx::query(
        "SELECT revision, run_id, registry_revision, facts_hash, at, actor FROM round_revisions \
         WHERE round_id = $1 ORDER BY revision",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Revision {
            revision: r.try_get::<i64, _>("revision")? as u32,
            run_id: r.try_get("run_id")?,
            registry_revision: r.try_get("registry_revision")?,
            facts_hash: r.try_get("facts_hash")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let rows = sqlx::query("SELECT seq, at, actor, role, event FROM round_events WHERE round_id = $1 ORDER BY seq")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut round = Round::new(header.settings());
    let mut stored = Vec::with_capacity(rows.len());
    let mut award_keys = HashMap::new();
    for r in &rows {
        let role: String = r.try_get("role")?;
        let actor = Actor {
            username: r.try_get("actor")?,
            role: serde_json::from_str(&role)
                .map_err(|e| StoreError::Inconsistent(format!("批次 {id} 的事件：{e}")))?,
        };
        let text: String = r.try_get("event")?;
        let mut event: Event =
            serde_json::from_str(&text).map_err(|e| StoreError::Inconsistent(format!("批次 {id} 的事件：{e}")))?;
        if let Event::Refreshed { revision, lines } = &mut event {
            let sql =
                format!("SELECT {LINE_COLUMNS} FROM round_lines WHERE round_id = $1 AND revision = $2 ORDER BY seq");
            let rows =
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(i64::from(*revision)).fetch_all(&mut *conn).await?;
            award_keys.clear();
            for row in &rows {
                let (line, key) = line_of(row)?;
                award_keys.insert(line.key.clone(), key);
                lines.push(line);
            }
        }
        round.apply(&actor, &event).map_err(|e| {
            StoreError::Inconsistent(format!("批次 {id} 的第 {} 个事件无法重演：{e}", stored.len() + 1))
        })?;
        // The refresh's lines live in the round's state; the timeline keeps the event without them.
        let mut line_count = None;
        if let Event::Refreshed { lines, .. } = &mut event {
            line_count = Some(lines.len());
            lines.clear();
        }
        stored.push(StoredEvent { seq: r.try_get("seq")?, at: r.try_get("at")?, actor, event, line_count });
    }
    let record = Arc::new(RoundRecord { header, revisions, events: stored, round, award_keys });
    cache.put(record.clone());
    Ok(record)
}

/// Checks `event` against `record`'s round and, if it passes, stores it (and its audit entry)
/// in `tx`. Returns the record with the event applied.
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    record: &RoundRecord,
    actor: &Actor,
    event: Event,
) -> Result<RoundRecord> {
    let mut next = record.clone();
    next.round.apply(actor, &event).map_err(|r| StoreError::Refused(r.0))?;
    let at = now();
    let seq = record.events.len() as i64 + 1;
    sqlx::query(
        "INSERT INTO round_events (round_id, seq, at, actor, role, kind, event) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(record.header.id)
    .bind(seq)
    .bind(&at)
    .bind(&actor.username)
    .bind(serde_json::to_string(&actor.role).expect("roles serialise"))
    .bind(kind_of(&event))
    .bind(stored_json(&event))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
         VALUES ($1, $2, 'round', 'rounds', $3, $4, NULL, $5)",
    )
    .bind(&at)
    .bind(&actor.username)
    .bind(record.header.id.to_string())
    .bind(kind_of(&event))
    .bind(match &event {
        Event::Refreshed { revision, lines } => format!("刷新名单，形成第 {revision} 版（{} 行）", lines.len()),
        e => record.round.describe(e),
    })
    .execute(&mut **tx)
    .await?;
    let mut timeline_event = event;
    let mut line_count = None;
    if let Event::Refreshed { lines, .. } = &mut timeline_event {
        line_count = Some(lines.len());
        lines.clear();
    }
    next.events.push(StoredEvent { seq, at, actor: actor.clone(), event: timeline_event, line_count });
    Ok(next)
}

//! `/api/v1/rounds…`: award rounds (兑现批次) as JSON, with the pages' roles and scope. Every
//! action goes through the store, whose workflow (`lianzhang-rounds`) makes every check; a
//! refusal is **409** with the workflow's Chinese sentence, and nothing is changed. A body that
//! does not parse or breaks the door rules is **422**, every problem named at once.
//!
//! Scope: every role may read rounds; a task force sees only the lines (and the timeline
//! entries) of its own chain, and the totals it is shown are over those lines. Money is a yuan
//! string with two places (`"1200000.00"`), dates are ISO (`2024-10-08`).

mod act;
mod door;

pub use act::{
    approve, confirm, create, credit_check, credit_clear, decide, finalise, object, pay, publish, refresh, resolve,
    reverse,
};

use super::{ApiError, Caller, query_refused, yuan_of_fen};
use crate::rounds::{Filter, LinesIndex};
use crate::{AppState, WebError};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use lianzhang_rounds::{Event, Line, LineKey, LineState, Pending, Round, STATUSES, Tally, status_bit};
use lianzhang_store::{RoundRecord, StoreError, User};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A number in the path (the round's id, then an objection's or a ledger entry's): one that is
/// not a number is a JSON 404 naming it, like any path that leads nowhere.
pub struct Ids(Vec<i64>);

impl Ids {
    /// The round's id (the first number of the path).
    fn round(&self) -> i64 {
        self.0.first().copied().unwrap_or_default()
    }
    /// The second number of the path.
    fn second(&self) -> i64 {
        self.0.get(1).copied().unwrap_or_default()
    }
}

impl axum::extract::FromRequestParts<Arc<AppState>> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::NotFound("接口路径".into()))?;
        params
            .iter()
            .map(|(_, v)| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| WebError::NotFound(format!("编号“{}”", lianzhang_facts::typed::shown(v))).into())
            })
            .collect::<Result<Vec<_>, ApiError>>()
            .map(Ids)
    }
}

/// Whether `user` may see `line`: a task force only its chain's lines.
fn visible(user: &User, line: &Line) -> bool {
    match user.role {
        lianzhang_store::Role::TaskForce => user.chain.is_some() && line.chain == user.chain,
        _ => true,
    }
}

/// A store error as the API says it: a refusal 409, a missing round 404, the rest as usual.
pub(crate) fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Refused(why) => ApiError::conflict(why),
        StoreError::NotFound(what) => WebError::NotFound(what).into(),
        e => e.into(),
    }
}

fn fen(f: i64) -> Value {
    yuan_of_fen(Some(f))
}

/// One line as JSON.
pub(crate) fn line_json(round: &Round, award_key: Option<&str>, l: &Line) -> Value {
    let state = round.state(l);
    let (final_amount, account) = match &state {
        LineState::Ready { amount_fen, account } => (fen(*amount_fen), json!(account)),
        _ => (Value::Null, Value::Null),
    };
    let pending: Vec<Value> = match &state {
        LineState::Open { pending } => pending
            .iter()
            .map(|p| {
                let mut v = json!({"code": p.code(), "zh": p.zh()});
                if let Pending::CreditHit(h) = p {
                    v["hit"] = json!(h);
                }
                v
            })
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "line": {"uscc": l.key.uscc, "rule": l.key.rule, "project_id": l.key.project_id},
        "award_key": award_key,
        "enterprise": l.enterprise, "chain": l.chain, "town": l.town,
        "clause": l.clause, "rule_title": l.rule_title,
        "outcome": l.outcome, "outcome_zh": l.outcome.zh(), "pays": l.pays, "ceiling": l.ceiling,
        "recommendation": l.is_recommendation(),
        "amount": yuan_of_fen(l.amount_fen), "final_amount": final_amount, "paid": fen(round.paid_fen(&l.key)),
        "state": state.code(), "state_zh": round.state_zh(l), "pending": pending, "account": account,
        "explanation": l.explanation, "missing": l.missing,
    })
}

/// A [`Tally`] as the API gives it (money as yuan strings).
fn tally_json(t: &Tally) -> Value {
    json!({
        "lines": t.lines, "open": t.open, "proposed": fen(t.proposed_fen), "ready": fen(t.ready_fen),
        "approved": fen(t.approved_fen), "paid": fen(t.paid_fen),
    })
}

fn phase_json(round: &Round) -> Value {
    let mut v = serde_json::to_value(round.phase()).unwrap_or_default();
    v["zh"] = json!(round.phase().zh());
    v
}

/// A round's summary (the list) or, with `detail`, everything but its lines and events.
fn round_json(index: &LinesIndex, user: &User, detail: bool) -> Value {
    let r = &index.record;
    let h = &r.header;
    let round = &r.round;
    let mut v = json!({
        "id": h.id, "year": h.year, "name": h.name, "created_at": h.created_at, "created_by": h.created_by,
        "policy_id": h.policy_id, "policy_hash": h.policy_hash,
        "phase": phase_json(round), "revision": round.revision(),
        "totals": tally_json(&index.all), "recommendations": index.referral_count,
    });
    if detail {
        let rules: Vec<Value> = index
            .rules
            .iter()
            .filter_map(|(rule, _)| {
                let chosen = index.select(Filter { list: Some(false), rule: rule.as_str(), ..Filter::default() });
                let line = chosen.page(1, 1).next()?;
                let mut v = tally_json(&chosen.tally);
                v["rule"] = json!(rule);
                v["rule_title"] = json!(line.rule_title);
                v["clause"] = json!(line.clause);
                Some(v)
            })
            .collect();
        let chains: Vec<Value> = index
            .by_chain
            .iter()
            .map(|(chain, t)| {
                let mut v = tally_json(t);
                v["chain"] = json!(chain);
                v
            })
            .collect();
        let o = v.as_object_mut().expect("an object");
        o.insert(
            "settings".into(),
            json!({"confirmation": h.confirmation, "approvals": h.approvals, "publicity_days": h.publicity_days, "objection_to": h.objection_to}),
        );
        o.insert("by_rule".into(), Value::Array(rules));
        o.insert("by_chain".into(), Value::Array(chains));
        o.insert("approvals".into(), json!(round.approvals()));
        o.insert("open_objections".into(), json!(round.open_objections()));
        o.insert("revisions".into(), json!(r.revisions));
        let changes: Vec<Value> = round
            .last_changes()
            .iter()
            .map(|c| match c {
                lianzhang_rounds::Change::Added(k) => json!({"change": "added", "line": k}),
                lianzhang_rounds::Change::Removed(k) => json!({"change": "removed", "line": k}),
                lianzhang_rounds::Change::Changed { key, before, after } => json!({
                    "change": "changed", "line": key,
                    "before": {"outcome": before.0, "amount": yuan_of_fen(before.1)},
                    "after": {"outcome": after.0, "amount": yuan_of_fen(after.1)},
                }),
            })
            .filter(|c| user.role != lianzhang_store::Role::TaskForce || line_visible(user, r, &c["line"]))
            .collect();
        o.insert("last_changes".into(), Value::Array(changes));
    }
    v
}

/// Whether a line named by its JSON key is visible to `user` (lines no longer in the round are
/// not).
fn line_visible(user: &User, r: &RoundRecord, key: &Value) -> bool {
    serde_json::from_value::<LineKey>(key.clone())
        .ok()
        .and_then(|k| r.round.line(&k).map(|l| visible(user, l)))
        .unwrap_or(false)
}

/// The round with its detail, as every action answers.
pub(crate) fn detail(state: &AppState, user: &User, r: &Arc<RoundRecord>) -> Json<Value> {
    Json(round_json(&crate::rounds::index(state, r, &user.actor()), user, true))
}

/// `GET /api/v1/rounds`: every round, newest first.
pub async fn list(State(state): State<Arc<AppState>>, Caller(user): Caller) -> Result<Json<Value>, ApiError> {
    let rounds = state.store.rounds().await.map_err(store_error)?;
    let actor = user.actor();
    let items: Vec<Value> =
        rounds.iter().map(|r| round_json(&crate::rounds::index(&state, r, &actor), &user, false)).collect();
    Ok(Json(json!({"items": items})))
}

/// `GET /api/v1/rounds/{id}`
pub async fn show(State(state): State<Arc<AppState>>, Caller(user): Caller, ids: Ids) -> Result<Json<Value>, ApiError> {
    let r = state.store.round(ids.round()).await.map_err(store_error)?;
    Ok(detail(&state, &user, &r))
}

/// The filters of the lines endpoint.
#[derive(serde::Deserialize)]
pub struct LinesQuery {
    status: Option<String>,
    rule: Option<String>,
    chain: Option<String>,
    town: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /api/v1/rounds/{id}/lines?status=&rule=&chain=&town=&page=&per_page=`
pub async fn lines(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    query: Result<Query<LinesQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    use lianzhang_facts::typed::TextKind::Line as L;
    let Query(q) = query.map_err(|e| query_refused(&e))?;
    let given = |v: &Option<String>| v.clone().unwrap_or_default();
    let (status, rule, chain, town) = (given(&q.status), given(&q.rule), given(&q.chain), given(&q.town));
    crate::door::search_texts([
        ("状态 status", status.as_str(), L),
        ("规则 rule", rule.as_str(), L),
        ("产业链 chain", chain.as_str(), L),
        ("乡镇 town", town.as_str(), L),
    ])?;
    if !status.is_empty() && status_bit(&status).is_none() {
        let known: Vec<&str> = STATUSES.iter().map(|(c, _)| *c).collect();
        return Err(WebError::Invalid(format!(
            "状态 status 的值“{}”无效，可选：{}",
            lianzhang_facts::typed::shown(&status),
            known.join("、")
        ))
        .into());
    }
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let id = ids.round();
    let r = state.store.round(id).await.map_err(store_error)?;
    let round = &r.round;
    let index = crate::rounds::index(&state, &r, &user.actor());
    let chosen = index.select(Filter { list: None, status: &status, rule: &rule, chain: &chain, town: &town });
    let items: Vec<Value> =
        chosen.page(page as usize, per_page as usize).map(|l| line_json(round, r.award_key(&l.key), l)).collect();
    Ok(Json(json!({
        "round": id, "revision": round.revision(), "page": page, "per_page": per_page, "total": chosen.len(),
        "totals": tally_json(&chosen.tally), "items": items,
    })))
}

/// An event as JSON: its fields, with money as yuan strings (`amount` for `amount_fen`).
fn event_json(e: &Event) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let Some(o) = v.as_object_mut()
        && let Some(f) = o.remove("amount_fen")
    {
        o.insert("amount".into(), yuan_of_fen(f.as_i64()));
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("lines");
    }
    v
}

/// `GET /api/v1/rounds/{id}/events`: the timeline, oldest first.
pub async fn events(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
) -> Result<Json<Value>, ApiError> {
    let id = ids.round();
    let r = state.store.round(id).await.map_err(store_error)?;
    let task_force = user.role == lianzhang_store::Role::TaskForce;
    let items: Vec<Value> = r
        .events
        .iter()
        .filter(|e| r.round.event_seen(&e.event, task_force, |l| visible(&user, l)))
        .map(|e| {
            let mut o = Map::new();
            o.insert("seq".into(), json!(e.seq));
            o.insert("at".into(), json!(e.at));
            o.insert("actor".into(), json!(e.actor.username));
            o.insert("role".into(), json!(e.actor.role));
            o.insert("role_zh".into(), json!(e.actor.role.zh()));
            o.insert("zh".into(), json!(e.zh(&r.round)));
            o.insert("event".into(), event_json(&e.event));
            Value::Object(o)
        })
        .collect();
    Ok(Json(json!({"round": id, "items": items})))
}

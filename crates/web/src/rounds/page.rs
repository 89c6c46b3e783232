//! `/rounds/{id}`: a round's header, the actions of the signed-in role, totals against the
//! budget, what the last refresh changed, conflicts with other open rounds, objections and the
//! lines (filtered, paged); `/rounds/{id}/timeline`: every event.

use super::index::Filter;
use super::view::{self, Conflict, LineRow, ObjectionView, Totals};
use super::{date_of, fen_of, load, refusal, sees, today};
use crate::auth::{Session, check_csrf};
use crate::pages::{Frame, urlencode};
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{Actor, Change, Event, Phase, Role as RoundRole, STATUSES, Upheld};
use lianzhang_store::{NewBudget, RoundRecord};
use std::sync::Arc;

const PER_PAGE: usize = 50;

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct LinesQuery {
    pub status: String,
    pub rule: String,
    pub chain: String,
    pub town: String,
    /// `referrals` for the recommendation list (推荐名单).
    pub tab: String,
    pub page: Option<u32>,
}

/// The 公示 to confirm: the period computed on the official calendar.
pub struct Preview {
    pub date: String,
    pub last_day: String,
    pub document_no: String,
    pub period: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/round.html")]
pub struct RoundPage {
    frame: Frame,
    r: Arc<RoundRecord>,
    role: Actor,
    hash_short: String,
    registry_revision: String,
    created_at: String,
    today: String,
    totals: Totals,
    changes: Vec<String>,
    conflicts: Arc<Vec<Conflict>>,
    objections: Vec<ObjectionView>,
    preview: Option<Preview>,
    /// (the form, the refusal) shown beside that form.
    refused: Option<(&'static str, String)>,
    query: LinesQuery,
    statuses: Vec<(&'static str, &'static str)>,
    rules: Vec<(String, String)>,
    chains: Vec<(String, String)>,
    towns: Vec<String>,
    rows: Vec<LineRow>,
    matched: usize,
    award_count: usize,
    referral_count: usize,
    recovery_count: usize,
    page: u32,
    pages: u32,
    /// The clauses of the policy, for the budget form.
    clauses: Vec<String>,
    credit_lists: usize,
}

impl RoundPage {
    fn link(&self, page: u32) -> String {
        let q = &self.query;
        format!(
            "/rounds/{}?tab={}&status={}&rule={}&chain={}&town={}&page={page}#lines",
            self.r.header.id,
            urlencode(&q.tab),
            urlencode(&q.status),
            urlencode(&q.rule),
            urlencode(&q.chain),
            urlencode(&q.town)
        )
    }
    fn bureau(&self) -> bool {
        self.role.role == RoundRole::Bureau
    }
    fn leader(&self) -> bool {
        self.role.role == RoundRole::Leader
    }
    fn finance(&self) -> bool {
        self.role.role == RoundRole::Finance
    }
    fn in_review(&self) -> bool {
        *self.r.round.phase() == Phase::Review
    }
    fn approved(&self) -> bool {
        *self.r.round.phase() == Phase::Approved
    }
    fn publicity(&self) -> Option<(String, String, String)> {
        match self.r.round.phase() {
            Phase::Publicity { date, last_day, document_no } => {
                Some((date.to_string(), last_day.to_string(), document_no.clone()))
            }
            _ => None,
        }
    }
    /// The last publication (公示) of the round, in publicity or after it: (date, last day,
    /// document number).
    fn published(&self) -> Option<(String, String, String)> {
        self.r.events.iter().rev().find_map(|e| match &e.event {
            lianzhang_rounds::Event::Published { date, last_day, document_no } => {
                Some((date.to_string(), last_day.to_string(), document_no.clone()))
            }
            _ => None,
        })
    }
    fn final_date(&self) -> Option<String> {
        match self.r.round.phase() {
            Phase::Final { date } => Some(date.to_string()),
            _ => None,
        }
    }
    fn referrals(&self) -> bool {
        self.query.tab == "referrals"
    }
    fn signoffs(&self) -> String {
        let a = self.r.round.approvals();
        let names: Vec<&str> = a.iter().map(String::as_str).collect();
        let k = self.r.header.approvals.max(1);
        if names.is_empty() { format!("0/{k}") } else { format!("{}/{k}（{}）", names.len(), names.join("、")) }
    }
    fn error_for(&self, form: &str) -> Option<&str> {
        self.refused.as_ref().filter(|(f, _)| *f == form).map(|(_, t)| t.as_str())
    }
    /// A refusal whose form is not on the page for this role and phase (say, a task force that
    /// posted a refresh): shown above the panel instead.
    fn orphan(&self) -> Option<&str> {
        let (form, text) = self.refused.as_ref()?;
        let shown = match *form {
            "refresh" | "credit" => self.bureau() && self.in_review(),
            "approve" => self.leader() && self.in_review(),
            "publish" => self.bureau() && self.approved(),
            "finalise" => self.bureau() && self.publicity().is_some(),
            "settle" => !self.objections.is_empty(),
            "budget" => self.bureau(),
            _ => false,
        };
        (!shown).then_some(text.as_str())
    }
    fn is(&self, a: &str, b: &str) -> bool {
        a == b
    }
}

/// The Chinese name of a chain code (`—` for none).
pub fn chain_name(state: &AppState, code: Option<&str>) -> String {
    match code {
        None => "无产业链".into(),
        Some(c) => {
            state.policy.vocabulary.chains.iter().find(|x| x.code == c).map_or(c.to_string(), |x| x.name.clone())
        }
    }
}

fn change_text(round: &lianzhang_rounds::Round, c: &Change) -> String {
    let amount = |a: Option<i64>| a.map_or(String::new(), |a| format!(" {}", super::yuan_plain(a)));
    match c {
        Change::Added(k) => format!("新增：{}", round.name_of(k)),
        Change::Removed(k) => format!("移除：{k}"),
        Change::Changed { key, before, after } => format!(
            "变化：{}：{}{} → {}{}（原有决定需重新作出）",
            round.name_of(key),
            before.0.zh(),
            amount(before.1),
            after.0.zh(),
            amount(after.1)
        ),
    }
}

/// Whether the signed-in user may open an enterprise's record from a line (its scope).
pub async fn links(state: &AppState, session: &Session, uscc: &str) -> Result<bool, WebError> {
    use crate::scope::Scope;
    Ok(match Scope::of(&session.user) {
        Scope::All | Scope::Chain(_) => true,
        Scope::Liaison(_) => state.store.is_liaison(session.user.id, uscc).await?,
        Scope::NoEnterprises => false,
    })
}

async fn render(
    state: &AppState,
    session: Session,
    r: Arc<RoundRecord>,
    query: LinesQuery,
    preview: Option<Preview>,
    refused: Option<(&'static str, String)>,
) -> Result<RoundPage, WebError> {
    let actor = session.user.actor();
    let round = &r.round;
    let index = super::index(state, &r, &actor);
    let referrals = query.tab == "referrals";
    let selection = index.select(Filter {
        list: Some(referrals),
        status: &query.status,
        rule: &query.rule,
        chain: &query.chain,
        town: &query.town,
    });
    let pages = selection.len().div_ceil(PER_PAGE).max(1) as u32;
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let mut rows = Vec::new();
    for l in selection.page(page as usize, PER_PAGE) {
        let link = links(state, &session, &l.key.uscc).await?;
        rows.push(view::row(r.header.id, round, l, link));
    }
    let chains = index.chains.iter().map(|c| (c.clone(), chain_name(state, Some(c)))).collect();
    let visible_round = |l: &lianzhang_rounds::Line| sees(&actor, l);
    // A task force's totals are its chain's lines' (the county's budget is not set per chain).
    let task_force = matches!(actor.role, RoundRole::TaskForce(_));
    let budgets = if task_force { Vec::new() } else { state.store.budgets(r.header.year).await? };
    let mut totals = view::totals(&[&index], &state.policy, &budgets);
    if task_force {
        totals.by_clause.clear();
    }
    let changes = round
        .last_changes()
        .iter()
        .filter(|c| match c {
            Change::Added(k) | Change::Changed { key: k, .. } => round.line(k).is_some_and(visible_round),
            Change::Removed(_) => !matches!(actor.role, RoundRole::TaskForce(_)),
        })
        .map(|c| change_text(round, c))
        .collect();
    let conflicts = index.conflicts(&state.store.rounds().await?);
    let objections =
        view::objections(&r).into_iter().filter(|o| round.line(&o.line).is_none_or(visible_round)).collect();
    let mut clauses: Vec<String> = state.policy.rules.iter().map(|x| x.clause.clone()).collect();
    clauses.dedup();
    let credit_lists = if actor.role == RoundRole::Bureau { state.store.credit_lists().await?.len() } else { 0 };
    let last = r.revisions.last();
    Ok(RoundPage {
        frame: Frame::new(session, "rounds"),
        hash_short: r.header.policy_hash.chars().take(12).collect(),
        registry_revision: last.and_then(|x| x.registry_revision).map_or("—".into(), |x| x.to_string()),
        created_at: crate::format::beijing(&r.header.created_at),
        today: today().to_string(),
        totals,
        changes,
        conflicts,
        objections,
        preview,
        refused,
        // The recommendation list has no statuses to filter by; the award list never has 推荐.
        statuses: if referrals {
            Vec::new()
        } else {
            STATUSES.iter().copied().filter(|(c, _)| *c != "recommendation").collect()
        },
        // The rules of the list shown (a referral rule only on the recommendation list).
        rules: index
            .rules
            .iter()
            .filter(|(code, _)| {
                !index.select(Filter { list: Some(referrals), rule: code, ..Filter::default() }).is_empty()
            })
            .cloned()
            .collect(),
        chains,
        towns: index.towns.clone(),
        rows,
        matched: selection.len(),
        award_count: index.award_count,
        referral_count: index.referral_count,
        recovery_count: index.recovery_count,
        page,
        pages,
        clauses,
        credit_lists,
        role: actor,
        query,
        r,
    })
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
    query: Result<Query<LinesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<RoundPage, WebError> {
    let Query(query) = query.map_err(|e| crate::api::query_refused(&e))?;
    crate::door::search_texts([
        ("状态 status", query.status.as_str(), TextKind::Line),
        ("规则 rule", query.rule.as_str(), TextKind::Line),
        ("产业链 chain", query.chain.as_str(), TextKind::Line),
        ("乡镇 town", query.town.as_str(), TextKind::Line),
        ("名单 tab", query.tab.as_str(), TextKind::Line),
    ])?;
    if !query.status.is_empty() && lianzhang_rounds::status_bit(&query.status).is_none() {
        let known: Vec<&str> = STATUSES.iter().map(|(_, zh)| *zh).collect();
        return Err(WebError::Invalid(format!(
            "没有“{}”这种状态，可选：{}",
            lianzhang_facts::typed::shown(&query.status),
            known.join("、")
        )));
    }
    let r = load(&state, id).await?;
    render(&state, session, r, query, None, None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RoundForm {
    csrf: String,
    action: String,
    date: String,
    note: String,
    document_no: String,
    objection: u32,
    settle: String,
    reason: String,
    clause: String,
    amount: String,
}

/// POST `/rounds/{id}`: an action on the round as a whole. A refusal (the store's, or a field
/// typed wrong) re-shows the page with the sentence beside the form; nothing is changed.
pub async fn act(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
    Form(f): Form<RoundForm>,
) -> Result<Response, WebError> {
    check_csrf(&session, &f.csrf)?;
    let actor = session.user.actor();
    let r = load(&state, id).await?;
    let form: &'static str = match f.action.as_str() {
        "refresh" => "refresh",
        "credit_check" => "credit",
        "approve" => "approve",
        "publish_preview" | "publish" => "publish",
        "finalise" => "finalise",
        "settle" => "settle",
        "budget" => "budget",
        _ => return Err(WebError::Invalid("未知的操作".into())),
    };
    let texts = crate::door::texts([
        ("审批意见", f.note.as_str(), TextKind::Note),
        ("文号", f.document_no.as_str(), TextKind::Line),
        ("处理理由", f.reason.as_str(), TextKind::Note),
        ("条款", f.clause.as_str(), TextKind::Line),
    ]);
    let done: Result<Option<Preview>, String> = match texts {
        Err(e) => Err(e.to_string()),
        Ok(()) => round_action(&state, &actor, &r, &f).await?,
    };
    match done {
        Ok(None) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Ok(Some(preview)) => {
            let r = load(&state, id).await?;
            Ok(render(&state, session, r, LinesQuery::default(), Some(preview), None).await?.into_response())
        }
        Err(why) => {
            let r = load(&state, id).await?;
            let page = render(&state, session, r, LinesQuery::default(), None, Some((form, why))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Does the action: `Ok(Ok(None))` done, `Ok(Ok(Some))` a 公示 to confirm, `Ok(Err)` refused.
async fn round_action(
    state: &AppState,
    actor: &Actor,
    r: &RoundRecord,
    f: &RoundForm,
) -> Result<Result<Option<Preview>, String>, WebError> {
    let id = r.header.id;
    let store = &state.store;
    let result = match f.action.as_str() {
        "refresh" => store.refresh_round(id, actor).await.map(|_| ()),
        "credit_check" => match date_of("核查日期", &f.date) {
            Ok(date) => store.credit_check(id, actor, date).await.map(|_| ()),
            Err(why) => return Ok(Err(why)),
        },
        "approve" => store.act(id, actor, Event::Approved { note: f.note.trim().to_string() }).await.map(|_| ()),
        "publish_preview" | "publish" => {
            let date = match date_of("公示发布日期", &f.date) {
                Ok(d) => d,
                Err(why) => return Ok(Err(why)),
            };
            let period = match store.calendar().await?.period(date, r.header.publicity_days.max(1)) {
                Ok(p) => p,
                Err(e) => return Ok(Err(e.to_string())),
            };
            if f.action == "publish_preview" {
                return Ok(Ok(Some(Preview {
                    date: date.to_string(),
                    last_day: period.last.to_string(),
                    document_no: f.document_no.trim().to_string(),
                    period: period.to_string(),
                })));
            }
            let event = Event::Published { date, last_day: period.last, document_no: f.document_no.trim().to_string() };
            store.act(id, actor, event).await.map(|_| ())
        }
        "finalise" => match date_of("确定日期", &f.date) {
            Ok(date) => store.act(id, actor, Event::Finalised { date }).await.map(|_| ()),
            Err(why) => return Ok(Err(why)),
        },
        "settle" => {
            let reason = f.reason.trim().to_string();
            let event = match f.settle.as_str() {
                "withdraw" => Event::ObjectionUpheld { id: f.objection, settle: Upheld::Withdraw, reason },
                "correct" => Event::ObjectionUpheld { id: f.objection, settle: Upheld::Correct, reason },
                "dismiss" => Event::ObjectionDismissed { id: f.objection, reason },
                _ => return Ok(Err("请选择处理结果：成立（撤下该行）、成立（更正事实后重新审核）或不成立".into())),
            };
            store.act(id, actor, event).await.map(|_| ())
        }
        "budget" => {
            let amount_fen = match fen_of("预算金额", &f.amount) {
                Ok(a) => a,
                Err(why) => return Ok(Err(why)),
            };
            let b = NewBudget {
                year: r.header.year,
                clause: f.clause.trim().to_string(),
                amount_fen,
                note: f.note.trim().to_string(),
            };
            store.set_budget(&b, actor).await.map(|_| ())
        }
        _ => unreachable!("checked by the caller"),
    };
    Ok(match result {
        Ok(()) => Ok(None),
        Err(e) => Err(refusal(e)?),
    })
}

/// One event of the timeline.
pub struct TimelineRow {
    pub seq: i64,
    pub at: String,
    pub who: String,
    pub role: &'static str,
    pub what: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/timeline.html")]
pub struct TimelinePage {
    frame: Frame,
    r: Arc<RoundRecord>,
    rows: Vec<TimelineRow>,
}

/// GET `/rounds/{id}/timeline`: every event of the round (a task force: those not about
/// another chain's line).
pub async fn timeline(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<TimelinePage, WebError> {
    let r = load(&state, id).await?;
    let actor = session.user.actor();
    let scoped = matches!(actor.role, RoundRole::TaskForce(_));
    let rows = r
        .events
        .iter()
        .filter(|e| r.round.event_seen(&e.event, scoped, |l| sees(&actor, l)))
        .map(|e| TimelineRow {
            seq: e.seq,
            at: crate::format::beijing(&e.at),
            who: e.actor.username.clone(),
            role: e.actor.role.zh(),
            what: e.zh(&r.round),
        })
        .collect();
    Ok(TimelinePage { frame: Frame::new(session, "rounds"), r, rows })
}

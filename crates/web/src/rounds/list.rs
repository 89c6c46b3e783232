//! `/rounds`: every round with what waits on it, and the bureau's form to create one.

use super::refusal;
use crate::auth::{Session, check_csrf};
use crate::format::wan;
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{Phase, Role as RoundRole, Tally};
use lianzhang_store::{NewRound, RoundRecord};
use std::sync::Arc;

/// A round as the list shows it (over the lines the user may see: [`super::index`]).
pub struct RoundSummary {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub phase: String,
    pub revision: u32,
    pub tally: Tally,
    /// What waits, in Chinese (lines by what they wait on; sign-offs and objections).
    pub waits: Vec<String>,
    pub signoffs: String,
}

impl RoundSummary {
    pub fn proposed_wan(&self) -> String {
        wan(self.tally.proposed_fen)
    }
}

pub fn summary(state: &AppState, record: &Arc<RoundRecord>, actor: &lianzhang_rounds::Actor) -> RoundSummary {
    let round = &record.round;
    let tally = super::index(state, record, actor).all.clone();
    let mut waits = crate::payouts::waits(&tally);
    if !matches!(actor.role, RoundRole::TaskForce(_)) {
        // The list has a column of its own for the sign-offs.
        waits.extend(crate::payouts::round_waits(record, false));
    }
    RoundSummary {
        id: record.header.id,
        name: record.header.name.clone(),
        year: record.header.year,
        phase: match round.phase() {
            Phase::Publicity { last_day, .. } => format!("公示中（至 {last_day}）"),
            p => p.zh().to_string(),
        },
        revision: round.revision(),
        tally,
        waits,
        signoffs: format!("{}/{}", round.approvals().len(), round.settings().approvals.max(1)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/list.html")]
pub struct ListPage {
    frame: Frame,
    rounds: Vec<RoundSummary>,
    /// The policy's years in force to create a round for (bureau only; empty otherwise).
    years: Vec<i32>,
    default_year: i32,
    name: String,
    error: Option<String>,
}

async fn page(state: &AppState, session: Session, error: Option<String>, name: String) -> Result<ListPage, WebError> {
    let actor = session.user.actor();
    let rounds = state.store.rounds().await?.iter().map(|r| summary(state, r, &actor)).collect();
    let years = if actor.role == RoundRole::Bureau { years(state).await? } else { Vec::new() };
    let latest = crate::pages::latest_year(state).await?;
    let default_year = if years.contains(&latest) { latest } else { years.last().copied().unwrap_or(latest) };
    Ok(ListPage { frame: Frame::new(session, "rounds"), rounds, years, default_year, name, error })
}

/// The years a round can be made for: the policy's years in force up to its end year, or up to
/// this year (or the latest year with data) when it has none.
async fn years(state: &AppState) -> Result<Vec<i32>, WebError> {
    let meta = &state.policy.meta;
    let latest = crate::pages::latest_year(state).await?;
    let to = meta.effective_to.unwrap_or_else(|| latest.max(super::today().year() as i32 - 1));
    Ok((meta.effective_from..=to).filter(|y| state.policy.in_force(*y)).collect())
}

pub async fn list(State(state): State<Arc<AppState>>, session: Session) -> Result<ListPage, WebError> {
    page(&state, session, None, String::new()).await
}

#[derive(serde::Deserialize)]
pub struct CreateForm {
    csrf: String,
    year: i32,
    name: String,
}

/// POST `/rounds`: the bureau creates a round (assessed now, its facts frozen with it).
pub async fn create(
    State(state): State<Arc<AppState>>,
    session: Session,
    Form(f): Form<CreateForm>,
) -> Result<Response, WebError> {
    check_csrf(&session, &f.csrf)?;
    let actor = session.user.actor();
    let mut refused = match crate::door::texts([("批次名称", f.name.as_str(), TextKind::Line)]) {
        Err(e) => Some(e.to_string()),
        Ok(()) => None,
    };
    if refused.is_none() {
        // Pinned to the version in force for the round's year.
        let (file, policy) = state.policy_for(f.year);
        let new = NewRound { year: f.year, name: &f.name, file: &file, policy: &policy, actor: &actor };
        match state.store.create_round(new).await {
            Ok(r) => return Ok(Redirect::to(&format!("/rounds/{}", r.header.id)).into_response()),
            Err(e) => refused = Some(refusal(e)?),
        }
    }
    let page = page(&state, session, refused, f.name).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

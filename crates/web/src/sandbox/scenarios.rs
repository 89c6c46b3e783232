//! Saved scenarios (沙盘方案): saving one from the sandbox, the list, and several compared side
//! by side with the policy in force (totals per year and per rule).

use super::answer::{self, Answer};
use super::page::{ChangeView, changes, render};
use super::{Question, resolve};
use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_store::{NewScenario, Scenario, StoreError};
use rust_decimal::Decimal;
use std::sync::Arc;

/// `POST /policy/sandbox/scenarios`: saves the question as a named scenario and opens it; a
/// refused save shows the sandbox again with the reason beside the form.
pub async fn save(
    State(state): State<Arc<AppState>>,
    session: Session,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default();
    check_csrf(&session, csrf)?;
    let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let (name, note) = (value("name"), value("note"));
    let q = Question::parse(pairs.iter().filter(|(k, _)| k != "name" && k != "note").cloned().collect())?;
    let resolved = resolve(&state, &q).await?;
    // Only a scenario that compiles is kept: a saved name always opens to an answer.
    if let Err(problems) = answer::plan(&state, &resolved.overrides, resolved.years()) {
        let why = format!("方案有误，未保存：{}", problems.join("；"));
        return Ok(render(&state, session, resolved, Some(why), name).await?.into_response());
    }
    let new = NewScenario {
        name: name.clone(),
        policy_hash: lianzhang_store::policy_hash(state.policy_for(resolved.from).0.text()),
        overrides: resolved.overrides.clone(),
        year_from: resolved.from,
        year_to: resolved.to,
        note,
    };
    match state.store.save_scenario(&new, &session.user.username).await {
        Ok(s) => Ok(Redirect::to(&format!("/policy/sandbox?scenario={}", s.id)).into_response()),
        Err(StoreError::Refused(why)) => Ok(render(&state, session, resolved, Some(why), name).await?.into_response()),
        Err(e) => Err(e.into()),
    }
}

/// A saved scenario as listed.
pub struct Listed {
    pub s: Scenario,
    pub changes: Vec<ChangeView>,
    /// Made on another version of the policy than the one in force.
    pub other_version: bool,
    pub selected: bool,
}

/// One line of the comparison: a year's or a rule's amounts under the policy in force and under
/// each compared scenario (yuan).
pub struct CompareRow {
    pub label: String,
    pub base: Decimal,
    pub scenarios: Vec<Decimal>,
}

#[derive(Template, WebTemplate)]
#[template(path = "sandbox/scenarios.html")]
pub struct ScenariosPage {
    frame: Frame,
    listed: Vec<Listed>,
    /// The compared scenarios' names, in the columns' order.
    compared: Vec<String>,
    /// The years compared (every compared scenario's years together).
    years: String,
    by_year: Vec<CompareRow>,
    by_rule: Vec<CompareRow>,
    problems: Vec<String>,
}

impl ScenariosPage {
    pub fn wan(&self, d: &Decimal) -> String {
        crate::format::wan_yuan(d)
    }
    pub fn when(&self, at: &str) -> String {
        crate::format::beijing(at)
    }
    pub fn signed_wan(&self, base: &Decimal, d: &Decimal) -> String {
        let delta = *d - *base;
        let w = crate::format::wan_yuan(&delta);
        if delta > Decimal::ZERO { format!("+{w}") } else { w }
    }
}

/// `GET /policy/sandbox/scenarios[?compare=ID&compare=ID…]`
pub async fn list(
    State(state): State<Arc<AppState>>,
    session: Session,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ScenariosPage, WebError> {
    let mut ids = Vec::new();
    for (k, v) in &pairs {
        if k == "compare" {
            ids.push(v.parse::<i64>().map_err(|_| WebError::Invalid(format!("方案编号应为整数，收到“{v}”")))?);
        }
    }
    let latest = state.store.latest_year().await?.unwrap_or(state.policy.meta.effective_from);
    let fields = super::fields_for(&state, latest);
    let saved = state.store.scenarios().await?;
    let listed: Vec<Listed> = saved
        .into_iter()
        .map(|s| Listed {
            changes: changes(&fields, &s.overrides),
            other_version: s.policy_hash != lianzhang_store::policy_hash(state.policy_for(s.year_from).0.text()),
            selected: ids.contains(&s.id),
            s,
        })
        .collect();
    let chosen: Vec<&Scenario> =
        ids.iter().filter_map(|id| listed.iter().find(|l| l.s.id == *id).map(|l| &l.s)).collect();
    let (from, to) = (
        chosen.iter().map(|s| s.year_from).min().unwrap_or_default(),
        chosen.iter().map(|s| s.year_to).max().unwrap_or_default(),
    );
    let (mut by_year, mut by_rule, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    let mut answers: Vec<Answer> = Vec::new();
    for s in &chosen {
        match answer::plan(&state, &s.overrides, from..=to) {
            Ok(plan) => answers.push(answer::answer(&state, &session.user, plan, 0).await?),
            Err(why) => problems.push(format!("方案“{}”在现行政策下无法试算：{}", s.name, why.join("；"))),
        }
    }
    if problems.is_empty() && !answers.is_empty() {
        let first = &answers[0];
        for (i, y) in first.years.iter().enumerate() {
            by_year.push(CompareRow {
                label: format!("{}年度", y.year),
                base: y.base_total,
                scenarios: answers.iter().map(|a| a.years[i].scenario_total).collect(),
            });
        }
        by_year.push(CompareRow {
            label: "合计".into(),
            base: first.base_total(),
            scenarios: answers.iter().map(|a| a.scenario_total()).collect(),
        });
        for (r, rule) in state.policy.rules.iter().enumerate() {
            let sum = |a: &Answer, scenario: bool| -> Decimal {
                a.years.iter().map(|y| if scenario { y.rules[r].scenario_amount } else { y.rules[r].base_amount }).sum()
            };
            let row = CompareRow {
                label: rule.title.clone(),
                base: sum(first, false),
                scenarios: answers.iter().map(|a| sum(a, true)).collect(),
            };
            if !row.base.is_zero() || row.scenarios.iter().any(|d| !d.is_zero()) {
                by_rule.push(row);
            }
        }
    }
    Ok(ScenariosPage {
        frame: Frame::new(session, "sandbox"),
        compared: chosen.iter().map(|s| s.name.clone()).collect(),
        years: if from == to { format!("{from}年度") } else { format!("{from}—{to}年度") },
        listed,
        by_year,
        by_rule,
        problems,
    })
}

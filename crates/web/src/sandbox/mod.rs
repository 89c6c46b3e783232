//! 政策沙盘 (issue 12): a leader changes the policy's parameters (amounts, thresholds, caps,
//! interpretation choices) for one or several years and sees, while waiting, what the scenario
//! pays beside the policy in force: by rule, by chain, the change, and the enterprises whose
//! outcome changes with both explanations; as a workbook too. Scenarios are saved with a name
//! and compared side by side.
//!
//! A scenario is the policy file with `--set` assignments, so its numbers are those of
//! `lianzhang assess --set …` on the same registry, to the fen. Every role may use it: the
//! budgets are county-wide figures (as on the dashboard); the enterprises listed are those of the
//! user's scope (finance: none).

mod answer;
mod export;
pub(crate) mod form;
mod page;
mod scenarios;

pub use answer::{answer, plan};

use crate::{AppState, WebError};
use axum::Router;
use axum::routing::get;
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/policy/sandbox", get(page::show))
        .route("/policy/sandbox.xlsx", get(export::xlsx))
        .route("/policy/sandbox/scenarios", get(scenarios::list).post(scenarios::save))
}

/// How many years one question may span.
const MAX_YEARS: i32 = 10;

/// A sandbox question as the query string carries it: the years, the form's fields (`p.KEY`),
/// raw assignments (`set`, as `--set` takes them) and a saved scenario (`scenario`).
#[derive(Debug, Default)]
pub struct Question {
    pub from: Option<i32>,
    pub to: Option<i32>,
    pub fields: Vec<(String, String)>,
    pub set: Vec<String>,
    pub scenario: Option<i64>,
    /// The year whose version the form's values were shown from (`basis`): a field equal to that
    /// version's value is no change, whatever years are asked now.
    pub basis: Option<i32>,
}

impl Question {
    /// Reads the query's pairs; a year or scenario that is not a number is refused.
    pub fn parse(pairs: Vec<(String, String)>) -> Result<Question, WebError> {
        let mut q = Question::default();
        let number = |k: &str, v: &str| {
            v.trim().parse::<i64>().map_err(|_| WebError::Invalid(format!("{k} 应为整数，收到“{v}”")))
        };
        let year = |k: &str, v: &str| -> Result<i32, WebError> {
            let y = number(k, v)?;
            lianzhang_facts::typed::check_year(y).map_err(|e| WebError::Invalid(format!("{k}：{e}")))
        };
        for (k, v) in pairs {
            match k.as_str() {
                "from" if !v.trim().is_empty() => q.from = Some(year("起始年度", &v)?),
                "to" if !v.trim().is_empty() => q.to = Some(year("截止年度", &v)?),
                "set" if !v.trim().is_empty() => q.set.push(v.trim().to_string()),
                "scenario" if !v.trim().is_empty() => q.scenario = Some(number("方案编号", &v)?),
                "basis" if !v.trim().is_empty() => q.basis = Some(year("参数所据年度", &v)?),
                _ if k.starts_with("p.") => q.fields.push((k, v)),
                _ => {}
            }
        }
        Ok(q)
    }
}

/// A question resolved against the policy in force: the assignments and the years.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub overrides: Vec<String>,
    pub from: i32,
    pub to: i32,
    /// The saved scenario it came from.
    pub scenario: Option<lianzhang_store::Scenario>,
}

impl Resolved {
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.from..=self.to
    }

    /// The query string that asks the same question (for links and the workbook).
    pub fn query(&self) -> String {
        let mut q = format!("from={}&to={}", self.from, self.to);
        for o in &self.overrides {
            q.push_str("&set=");
            q.push_str(&crate::pages::urlencode(o));
        }
        q
    }
}

/// The assignments and years of `q`: a saved scenario's, or the form's changed fields followed by
/// the raw assignments; years default to the newest year with data (or the scenario's).
pub async fn resolve(state: &AppState, q: &Question) -> Result<Resolved, WebError> {
    let (mut overrides, mut from, mut to, mut saved) = (Vec::new(), None, None, None);
    if let Some(id) = q.scenario {
        let s = state.store.scenario(id).await?;
        overrides = s.overrides.clone();
        (from, to) = (Some(s.year_from), Some(s.year_to));
        saved = Some(s);
    }
    let latest = state.store.latest_year().await?.unwrap_or(state.policy.meta.effective_from);
    let from = q.from.or(from).unwrap_or(latest);
    let to = q.to.or(to).unwrap_or(from);
    if to < from {
        return Err(WebError::Invalid(format!("年度范围有误：{from}年至{to}年，截止年度应不早于起始年度")));
    }
    if to - from >= MAX_YEARS {
        return Err(WebError::Invalid(format!("一次最多试算{MAX_YEARS}个年度，请缩小年度范围")));
    }
    // The form (or `set`) wins over the saved scenario it was opened from.
    if !q.fields.is_empty() || !q.set.is_empty() {
        overrides = form::assignments(&fields_for(state, q.basis.unwrap_or(from)), &q.fields);
        for s in &q.set {
            if !overrides.contains(s) {
                overrides.push(s.clone());
            }
        }
    }
    // A saved scenario opened again keeps its identity only while nothing is changed.
    let saved = saved.filter(|s| s.overrides == overrides);
    Ok(Resolved { overrides, from, to, scenario: saved })
}

/// The form's fields: the parameters of the version in force for `year`.
pub fn fields_for(state: &AppState, year: i32) -> Vec<form::Field> {
    let (file, policy) = state.policy_for(year);
    form::fields(&file, &lianzhang_policy::choices::choices(&policy))
}

//! The sandbox's answer: a scenario beside the policy in force, year by year, as the page, the
//! workbook and the API show it. Computed on the registry's facts kept in memory
//! ([`crate::snapshot::Inputs`]); only the enterprises shown get explanations.

use crate::policy::rule_url;
use crate::scope::Visible;
use crate::{AppState, WebError};
use lianzhang_facts::Dataset;
use lianzhang_policy::whatif::{self, Changed, YearComparison};
use lianzhang_policy::{Finding, Policy, PolicyFile, RuleReport};
use lianzhang_store::{AssessmentInputs, User};
use rust_decimal::Decimal;
use serde::Serialize;
use std::sync::Arc;

/// How many changed enterprises a page lists per year (the workbook lists them all).
pub const LISTED: usize = 50;

/// A rule's line of a year: the policy in force, the scenario and the change.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub id: String,
    pub title: String,
    pub url: String,
    pub base_awards: u64,
    /// Yuan.
    pub base_amount: Decimal,
    pub scenario_awards: u64,
    pub scenario_amount: Decimal,
    pub base_reviews: u64,
    pub scenario_reviews: u64,
}

impl RuleRow {
    pub fn delta(&self) -> Decimal {
        self.scenario_amount - self.base_amount
    }
}

/// A chain's line of a year (未入链 last).
#[derive(Debug, Clone, Serialize)]
pub struct ChainRow {
    pub name: String,
    pub base: Decimal,
    pub scenario: Decimal,
}

impl ChainRow {
    pub fn delta(&self) -> Decimal {
        self.scenario - self.base
    }
}

/// One rule's finding for a changed enterprise, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedRule {
    pub title: String,
    pub url: String,
    pub project_id: Option<String>,
    /// `奖励 10万元`, `不符合`, `待核实`….
    pub before: String,
    pub after: String,
    pub before_explanation: String,
    pub after_explanation: String,
}

/// An enterprise whose outcome changes.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedRow {
    pub uscc: String,
    pub name: String,
    pub chain: String,
    /// Yuan.
    pub before: Decimal,
    pub after: Decimal,
    pub rules: Vec<ChangedRule>,
}

impl ChangedRow {
    pub fn delta(&self) -> Decimal {
        self.after - self.before
    }
}

/// One year of the answer.
#[derive(Debug, Clone, Serialize)]
pub struct YearAnswer {
    pub year: i32,
    pub in_force: bool,
    pub rules: Vec<RuleRow>,
    pub chains: Vec<ChainRow>,
    /// Yuan.
    pub base_total: Decimal,
    pub scenario_total: Decimal,
    /// Enterprises whose outcome changes: all of them, and those in the user's scope.
    pub changed_count: usize,
    pub changed_in_scope: usize,
    /// The changed enterprises in scope, the largest change first (at most `limit` of them).
    pub changed: Vec<ChangedRow>,
}

impl YearAnswer {
    pub fn delta(&self) -> Decimal {
        self.scenario_total - self.base_total
    }
}

/// The scenario's answer over its years.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub years: Vec<YearAnswer>,
    /// The registry revision the facts are the state of.
    pub revision: Option<i64>,
}

impl Answer {
    pub fn base_total(&self) -> Decimal {
        self.years.iter().map(|y| y.base_total).sum()
    }
    pub fn scenario_total(&self) -> Decimal {
        self.years.iter().map(|y| y.scenario_total).sum()
    }
    pub fn delta(&self) -> Decimal {
        self.scenario_total() - self.base_total()
    }
}

/// What a question compares, year by year: the version in force for the year, and that version
/// with the question's assignments.
pub struct Plan(Vec<(i32, Arc<Policy>, Arc<Policy>)>);

/// The plan of `overrides` over `years`, each year's scenario made from the version in force for
/// it (once per version), or every problem (each version's, once).
pub fn plan(state: &AppState, overrides: &[String], years: std::ops::RangeInclusive<i32>) -> Result<Plan, Vec<String>> {
    let versions = state.versions();
    let mut made: Vec<(String, Arc<Policy>)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for year in years {
        let v = versions.for_year(year);
        let scenario = match made.iter().find(|(h, _)| *h == v.hash) {
            Some((_, p)) => p.clone(),
            None => match scenario(&v.file, overrides) {
                Ok(p) => {
                    let p = Arc::new(p);
                    made.push((v.hash.clone(), p.clone()));
                    p
                }
                Err(e) => {
                    for p in e {
                        if !problems.contains(&p) {
                            problems.push(p);
                        }
                    }
                    made.push((v.hash.clone(), v.policy.clone()));
                    continue;
                }
            },
        };
        out.push((year, v.policy.clone(), scenario));
    }
    if problems.is_empty() { Ok(Plan(out)) } else { Err(problems) }
}

/// The scenario: `file` with `overrides` applied, or every problem of them (each a Chinese
/// sentence naming the assignment).
pub fn scenario(file: &PolicyFile, overrides: &[String]) -> Result<Policy, Vec<String>> {
    let mut f = file.clone();
    for o in overrides {
        f.set(o);
    }
    f.compile().map_err(|e| {
        e.problems
            .iter()
            .map(|p| {
                let at = match &p.origin {
                    Some(lianzhang_policy::tree::Origin::Override(i, _)) => {
                        format!("“{}”：", overrides.get(*i).map(String::as_str).unwrap_or_default())
                    }
                    _ => String::new(),
                };
                match &p.help {
                    Some(h) => format!("{at}{}（{h}）", p.message),
                    None => format!("{at}{}", p.message),
                }
            })
            .collect()
    })
}

fn finding_zh(r: &RuleReport) -> String {
    match r.finding {
        Finding::Outcome(s) => match r.amount {
            Some(a) => format!("{} {}", s.zh(), lianzhang_policy::engine::text::money_exact(a.abs())),
            None => s.zh().to_string(),
        },
        Finding::NotEligible => "不符合".into(),
        Finding::NotAssessed => "未评定".into(),
        Finding::Capped => "超出上限，不再奖励".into(),
    }
}

fn changed_rules(base: &Policy, year: i32, before: &[RuleReport], after: &[RuleReport]) -> Vec<ChangedRule> {
    let mut out = Vec::new();
    for a in after {
        let b = before.iter().find(|b| b.rule == a.rule && b.project_id == a.project_id);
        let (bs, be) = b.map_or(("未评定".to_string(), String::new()), |b| (finding_zh(b), b.explanation.clone()));
        let after_zh = finding_zh(a);
        if bs == after_zh && be == a.explanation {
            continue; // a project of the rule that did not change
        }
        out.push(ChangedRule {
            title: base.rules.iter().find(|r| r.id == a.rule).map_or(a.title.clone(), |r| r.title.clone()),
            url: rule_url(&a.rule, year),
            project_id: a.project_id.clone(),
            before: bs,
            after: after_zh,
            before_explanation: be,
            after_explanation: a.explanation.clone(),
        });
    }
    out
}

/// Computes the answer on `inputs` (blocking: run it off the async threads). `limit` bounds the
/// changed enterprises listed per year (with explanations).
pub fn compute(plan: &Plan, inputs: &AssessmentInputs, visible: &Visible, limit: usize) -> Result<Answer, WebError> {
    let ds: &Dataset = &inputs.dataset;
    let mut out = Vec::new();
    for (year, base, scenario) in &plan.0 {
        let (year, base, scenario): (i32, &Policy, &Policy) = (*year, base, scenario);
        let v = &base.vocabulary;
        let c: YearComparison = whatif::compare(base, scenario, ds, year, &inputs.paid, &inputs.confirmations)
            .map_err(|e| WebError::Invalid(e.to_string()))?;
        let rules = base
            .rules
            .iter()
            .zip(c.base.rules.iter().zip(&c.scenario.rules))
            .map(|(r, (b, s))| RuleRow {
                id: r.id.clone(),
                title: r.title.clone(),
                url: rule_url(&r.id, year),
                base_awards: b.awards,
                base_amount: b.amount,
                scenario_awards: s.awards,
                scenario_amount: s.amount,
                base_reviews: b.reviews,
                scenario_reviews: s.reviews,
            })
            .collect();
        let chains = c
            .base
            .chains
            .iter()
            .zip(&c.scenario.chains)
            .enumerate()
            .map(|(i, (b, s))| ChainRow {
                name: v.chains.get(i).map_or("未入链".to_string(), |c| c.name.clone()),
                base: *b,
                scenario: *s,
            })
            .collect();
        let chain_code = |ch: &Changed| ds.get(ch.enterprise).enterprise.chain.map(|c| v.chain_info(c).code.as_str());
        let in_scope: Vec<&Changed> = c
            .changed
            .iter()
            .filter(|ch| visible.allows(chain_code(ch), ds.get(ch.enterprise).enterprise.uscc.as_str()))
            .collect();
        let changed = in_scope
            .iter()
            .take(limit)
            .map(|ch| {
                let e = ds.get(ch.enterprise).enterprise;
                let (before, after) =
                    whatif::explain_change(base, scenario, ds, year, &inputs.paid, &inputs.confirmations, ch);
                ChangedRow {
                    uscc: e.uscc.as_str().to_string(),
                    name: e.name.clone(),
                    chain: e.chain.map_or("未入链".to_string(), |c| v.chain_info(c).name.clone()),
                    before: ch.before,
                    after: ch.after,
                    rules: changed_rules(base, year, &before, &after),
                }
            })
            .collect();
        out.push(YearAnswer {
            year,
            in_force: c.base.in_force || c.scenario.in_force,
            base_total: c.base.total(),
            scenario_total: c.scenario.total(),
            changed_count: c.changed.len(),
            changed_in_scope: in_scope.len(),
            rules,
            chains,
            changed,
        });
    }
    Ok(Answer { years: out, revision: inputs.revision })
}

/// Loads the facts (from memory when the registry has not changed) and computes.
pub async fn answer(state: &Arc<AppState>, user: &User, plan: Plan, limit: usize) -> Result<Answer, WebError> {
    let inputs = state.inputs.get(&state.store, &state.policy).await?;
    let visible = Visible::of(state, user).await?;
    tokio::task::spawn_blocking(move || compute(&plan, &inputs, &visible, limit))
        .await
        .map_err(|_| WebError::Internal("沙盘计算失败"))?
}

//! The evaluation engine: facts in, outcomes out. Pure: no IO, no clock, no database.

mod ctx;
mod rules;
pub mod text;

use crate::model::{GroupKind, Policy, Rounding, RuleKind};
use crate::tri::Tri;
use ctx::{Ctx, Recorder, Silent, Trace};
use lianzhang_facts::{Dataset, EnterpriseFacts, Uscc, Year};
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// The status of an outcome (POLICY.md, "Outcome statuses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Award,
    NeedsReview,
    Referral,
    AlreadyPaid,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Award => "award",
            Status::NeedsReview => "needs_review",
            Status::Referral => "referral",
            Status::AlreadyPaid => "already_paid",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Status::Award => "奖励",
            Status::NeedsReview => "待核实",
            Status::Referral => "推荐",
            Status::AlreadyPaid => "已兑现",
        }
    }
}

/// One outcome of `assess`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub uscc: Uscc,
    pub enterprise: String,
    pub rule: String,
    pub clause: String,
    pub status: Status,
    /// Rounded once, for `award` only.
    pub amount: Option<Decimal>,
    pub project_id: Option<String>,
    pub explanation: String,
    /// The unknown facts a `needs_review` outcome turns on.
    pub missing: Vec<String>,
}

/// The outcomes of one assessment year, sorted by uscc, rule id, project id.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub policy: String,
    pub year: Year,
    pub in_force: bool,
    pub outcomes: Vec<Outcome>,
}

impl Assessment {
    /// The sum of `award` amounts.
    pub fn total(&self) -> Decimal {
        self.outcomes.iter().filter(|o| o.status == Status::Award).filter_map(|o| o.amount).sum()
    }
}

/// What `explain` says of one rule (or one project) for an enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Outcome(Status),
    /// Assessed, and the conditions do not hold.
    NotEligible,
    /// Not assessed: no annual row for the year, no project completed, policy not in force.
    NotAssessed,
}

#[derive(Debug, Clone)]
pub struct RuleReport {
    pub rule: String,
    pub clause: String,
    pub title: String,
    pub finding: Finding,
    pub amount: Option<Decimal>,
    pub project_id: Option<String>,
    pub explanation: String,
    pub missing: Vec<String>,
}

/// The payout ledger as the engine sees it: has this award been paid (net of reversals)?
/// One-time awards are asked with `year = None`, yearly ones with their year.
pub trait PaidLedger: Sync {
    fn is_paid(&self, uscc: &Uscc, rule: &str, year: Option<Year>, project_id: Option<&str>) -> bool;
}

/// A ledger with nothing paid.
pub struct NothingPaid;

impl PaidLedger for NothingPaid {
    fn is_paid(&self, _: &Uscc, _: &str, _: Option<Year>, _: Option<&str>) -> bool {
        false
    }
}

/// One rule's raw decision for an enterprise-year (before groups and the ledger).
#[derive(Debug, Clone, Copy)]
struct Decision {
    tri: Tri,
    amount: Option<Decimal>,
}

const NONE: Decision = Decision { tri: Tri::False, amount: None };

fn decide<T: Trace>(ctx: &Ctx, kind: &RuleKind, t: &mut T) -> Decision {
    if kind.needs_annual_row() && ctx.row.is_none() {
        t.step(|| format!("{}年无年度数据行，按年度数据评定的规则不评定", ctx.year));
        return NONE;
    }
    let fixed = |tri: Tri, amount: lianzhang_facts::Fen| Decision { tri, amount: Some(amount.to_yuan()) };
    match kind {
        RuleKind::FirstReach { fact, threshold, requires, amount } => {
            fixed(rules::first_reach(ctx, *fact, *threshold, requires, t), *amount)
        }
        RuleKind::FirstEntry { fact, requires, amount } => fixed(rules::first_entry(ctx, *fact, requires, t), *amount),
        RuleKind::Retention { fact, years, counting, min_entry_year, amount } => {
            fixed(rules::retention(ctx, *fact, *years, *counting, *min_entry_year, t), *amount)
        }
        RuleKind::FirstRecognition { recognition, amount } => {
            fixed(rules::first_recognition(ctx, *recognition, t), *amount)
        }
        RuleKind::LocalSourcing { requires, min_rise_points, step_points, counting, baseline, rate, cap } => {
            let (tri, amount) = rules::local_sourcing(
                ctx,
                requires,
                *min_rise_points,
                *step_points,
                *counting,
                *baseline,
                *rate,
                *cap,
                t,
            );
            Decision { tri, amount }
        }
        RuleKind::ResearchReferral { requires, min_expense, min_growth_percent, min_intensity_percent } => {
            let tri = rules::research_referral(ctx, requires, *min_expense, *min_growth_percent, *min_intensity_percent, t);
            Decision { tri, amount: None }
        }
        RuleKind::ProjectSubsidy { .. } => unreachable!("projects are decided one by one"),
    }
}

fn round(policy: &Policy, d: Decimal) -> Decimal {
    let strategy = match policy.meta.rounding {
        Rounding::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    let r = d.round_dp_with_strategy(policy.meta.round_dp, strategy);
    // Always show two places for yuan (FACTS.md: "a decimal string with two places").
    let mut r = r;
    r.rescale(policy.meta.round_dp.max(2));
    r
}

/// Decides every non-project rule for one enterprise-year, then applies the groups.
fn decide_all<T: Trace>(ctx: &Ctx, traces: &mut [T]) -> Vec<Decision> {
    let policy = ctx.policy;
    let mut out: Vec<Decision> = policy
        .rules
        .iter()
        .zip(traces.iter_mut())
        .map(|(r, t)| match r.kind {
            RuleKind::ProjectSubsidy { .. } => NONE,
            ref k => decide(ctx, k, t),
        })
        .collect();
    for g in &policy.groups {
        apply_group(ctx, g, &mut out, traces);
    }
    out
}

fn apply_group<T: Trace>(ctx: &Ctx, g: &crate::model::Group, out: &mut [Decision], traces: &mut [T]) {
    let policy = ctx.policy;
    match g.kind {
        GroupKind::Tiers { highest: false }
        | GroupKind::Upgrade { difference: false }
        | GroupKind::Levels { once: false } => {}
        GroupKind::Tiers { highest: true } => {
            // A tier pays only when no higher tier of the group is crossed the same year.
            for (i, &r) in g.rules.iter().enumerate() {
                let higher = g.rules[i + 1..].iter().fold(Tri::False, |acc, &h| acc.or(out[h].tri));
                if out[r].tri != Tri::False && higher != Tri::False {
                    let before = out[r].tri;
                    out[r].tri = before.and(higher.not());
                    traces[r].step(|| format!("同年亦首次达到更高档（{}：只奖高档）", g.title));
                }
            }
        }
        GroupKind::Levels { once: true } => {
            // Only the first of the levels pays; in one year, the highest.
            let firsts: Vec<Option<Year>> = g.rules.iter().map(|&r| recognition_year(ctx, r)).collect();
            for (i, &r) in g.rules.iter().enumerate() {
                if out[r].tri != Tri::True {
                    continue;
                }
                let beaten = firsts.iter().enumerate().any(|(j, f)| {
                    j != i && f.is_some_and(|fy| fy < ctx.year || (fy == ctx.year && j > i))
                });
                if beaten {
                    out[r].tri = Tri::False;
                    traces[r].step(|| format!("{}只奖首次认定的一个级别，已认定其他级别", g.title));
                }
            }
        }
        GroupKind::Upgrade { difference: true } => {
            // A higher level pays its amount less what the lower levels paid (in force, ≤ Y).
            for (i, &r) in g.rules.iter().enumerate() {
                if out[r].tri != Tri::True || i == 0 {
                    continue;
                }
                let mut paid = Decimal::ZERO;
                for &l in &g.rules[..i] {
                    if let (Some(fy), RuleKind::FirstRecognition { amount, .. }) =
                        (recognition_year(ctx, l), &policy.rules[l].kind)
                        && fy <= ctx.year
                        && policy.in_force(fy)
                    {
                        paid += amount.to_yuan();
                        let (fy, lid) = (fy, &policy.rules[l].title);
                        traces[r].step(|| format!("{fy}年已按“{lid}”奖励{}（升级补差）", text::yuan(*amount)));
                    }
                }
                if let Some(a) = out[r].amount.as_mut() {
                    *a = (*a - paid).max(Decimal::ZERO);
                }
            }
        }
    }
}

fn recognition_year(ctx: &Ctx, rule: usize) -> Option<Year> {
    match ctx.policy.rules[rule].kind {
        RuleKind::FirstRecognition { recognition, .. } => rules::first_recognition_year(ctx.facts.recognitions, recognition),
        _ => None,
    }
}

fn status_of(kind: &RuleKind, tri: Tri) -> Option<Status> {
    match (tri, kind) {
        (Tri::False, _) => None,
        (Tri::Unknown, _) => Some(Status::NeedsReview),
        (Tri::True, RuleKind::ResearchReferral { .. }) => Some(Status::Referral),
        (Tri::True, _) => Some(Status::Award),
    }
}

fn conclusion(status: Option<Status>, amount: Option<Decimal>, missing: &[String]) -> String {
    match status {
        Some(Status::Award) => format!("结论：符合条件，奖励{}", text::yuan_dec(amount.unwrap_or_default())),
        Some(Status::AlreadyPaid) => "结论：符合条件，但台账显示已兑现，不再支付".to_string(),
        Some(Status::Referral) => "结论：符合条件，推荐争取省级资金（非县级支付）".to_string(),
        Some(Status::NeedsReview) => format!("结论：取决于未知事实，待核实：{}", missing.join("、")),
        None => "结论：不符合条件".to_string(),
    }
}

/// Assesses one enterprise-year, appending its outcomes (sorted by rule id, project id).
pub fn assess_enterprise(
    policy: &Policy,
    facts: EnterpriseFacts<'_>,
    year: Year,
    paid: &dyn PaidLedger,
    out: &mut Vec<Outcome>,
) {
    if !policy.in_force(year) {
        return;
    }
    let ctx = Ctx::new(policy, facts, year);
    let mut silent: Vec<Silent> = policy.rules.iter().map(|_| Silent).collect();
    let decisions = decide_all(&ctx, &mut silent);
    let start = out.len();
    let mut explained: Option<(Vec<Decision>, Vec<Recorder>)> = None;
    for (i, rule) in policy.rules.iter().enumerate() {
        if let RuleKind::ProjectSubsidy { .. } = rule.kind {
            for p in facts.projects.iter().filter(|p| p.completed_year == Some(year)) {
                let mut t = Recorder::default();
                let (tri, amount) = decide_project(&ctx, &rule.kind, p, &mut Silent);
                if tri == Tri::False {
                    continue;
                }
                decide_project(&ctx, &rule.kind, p, &mut t);
                push(policy, &ctx, rule, i, status_of(&rule.kind, tri), amount, Some(&p.project_id), t, paid, out);
            }
            continue;
        }
        let d = decisions[i];
        let Some(status) = status_of(&rule.kind, d.tri) else { continue };
        // Explain only what is reported: re-run the decisions with a recording trace.
        let (_, recorders) = explained.get_or_insert_with(|| {
            let mut recs: Vec<Recorder> = policy.rules.iter().map(|_| Recorder::default()).collect();
            let ds = decide_all(&ctx, &mut recs);
            (ds, recs)
        });
        let t = std::mem::take(&mut recorders[i]);
        push(policy, &ctx, rule, i, Some(status), d.amount, None, t, paid, out);
    }
    out[start..].sort_by(|a, b| (&a.rule, &a.project_id).cmp(&(&b.rule, &b.project_id)));
}

fn decide_project<T: Trace>(ctx: &Ctx, kind: &RuleKind, p: &lianzhang_facts::Project, t: &mut T) -> (Tri, Option<Decimal>) {
    match kind {
        RuleKind::ProjectSubsidy { categories, threshold_categories, threshold, rate, cap } => {
            rules::project(ctx, p, categories, threshold_categories, *threshold, *rate, *cap, t)
        }
        _ => (Tri::False, None),
    }
}

#[allow(clippy::too_many_arguments)] // internal assembly of one outcome
fn push(
    policy: &Policy,
    ctx: &Ctx,
    rule: &crate::model::Rule,
    _index: usize,
    status: Option<Status>,
    amount: Option<Decimal>,
    project_id: Option<&str>,
    t: Recorder,
    paid: &dyn PaidLedger,
    out: &mut Vec<Outcome>,
) {
    let Some(mut status) = status else { return };
    let uscc = ctx.facts.enterprise.uscc;
    let ledger_year = (!rule.kind.one_time()).then_some(ctx.year);
    if status == Status::Award && paid.is_paid(&uscc, &rule.id, ledger_year, project_id) {
        status = Status::AlreadyPaid;
    }
    let amount = (status == Status::Award).then(|| round(policy, amount.unwrap_or_default()));
    let missing = if status == Status::NeedsReview { t.missing } else { Vec::new() };
    let mut explanation = t.steps.join("；");
    explanation.push_str("。");
    explanation.push_str(&conclusion(Some(status), amount, &missing));
    out.push(Outcome {
        uscc,
        enterprise: ctx.facts.enterprise.name.clone(),
        rule: rule.id.clone(),
        clause: rule.clause.clone(),
        status,
        amount,
        project_id: project_id.map(str::to_string),
        explanation,
        missing,
    });
}

/// Assesses every enterprise of the dataset for `year`, in parallel.
pub fn assess(policy: &Policy, dataset: &Dataset, year: Year, paid: &dyn PaidLedger) -> Assessment {
    let outcomes = (0..dataset.len())
        .into_par_iter()
        .with_min_len(1024)
        .fold(Vec::new, |mut acc, i| {
            assess_enterprise(policy, dataset.get(i), year, paid, &mut acc);
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    // Enterprises are in USCC order and parallel folds keep order within and across chunks.
    Assessment { policy: policy.meta.id.clone(), year, in_force: policy.in_force(year), outcomes }
}

/// Every rule for one enterprise, the ones that pay and the ones that do not, with reasons.
pub fn explain(policy: &Policy, facts: EnterpriseFacts<'_>, year: Year, paid: &dyn PaidLedger) -> Vec<RuleReport> {
    let report = |rule: &crate::model::Rule, finding, amount, project_id, explanation, missing| RuleReport {
        rule: rule.id.clone(),
        clause: rule.clause.clone(),
        title: rule.title.clone(),
        finding,
        amount,
        project_id,
        explanation,
        missing,
    };
    if !policy.in_force(year) {
        return policy
            .rules
            .iter()
            .map(|r| report(r, Finding::NotAssessed, None, None, format!("本政策不适用于{year}年度"), vec![]))
            .collect();
    }
    let ctx = Ctx::new(policy, facts, year);
    let mut recs: Vec<Recorder> = policy.rules.iter().map(|_| Recorder::default()).collect();
    let decisions = decide_all(&ctx, &mut recs);
    let mut out = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        if let RuleKind::ProjectSubsidy { .. } = rule.kind {
            let done: Vec<_> = facts.projects.iter().filter(|p| p.completed_year == Some(year)).collect();
            if done.is_empty() {
                let text = format!("{year}年无竣工投产项目");
                out.push(report(rule, Finding::NotAssessed, None, None, text, vec![]));
            }
            for p in done {
                let mut t = Recorder::default();
                let (tri, amount) = decide_project(&ctx, &rule.kind, p, &mut t);
                out.push(finish(policy, &ctx, rule, tri, amount, Some(&p.project_id), t, paid, &report));
            }
            continue;
        }
        let t = std::mem::take(&mut recs[i]);
        if rule.kind.needs_annual_row() && ctx.row.is_none() {
            out.push(report(rule, Finding::NotAssessed, None, None, t.steps.join("；"), vec![]));
            continue;
        }
        out.push(finish(policy, &ctx, rule, decisions[i].tri, decisions[i].amount, None, t, paid, &report));
    }
    out
}

type Report<'r> =
    dyn Fn(&crate::model::Rule, Finding, Option<Decimal>, Option<String>, String, Vec<String>) -> RuleReport + 'r;

#[allow(clippy::too_many_arguments)] // internal assembly of one report
fn finish(
    policy: &Policy,
    ctx: &Ctx,
    rule: &crate::model::Rule,
    tri: Tri,
    amount: Option<Decimal>,
    project_id: Option<&str>,
    t: Recorder,
    paid: &dyn PaidLedger,
    report: &Report<'_>,
) -> RuleReport {
    let mut one = Vec::new();
    push(policy, ctx, rule, 0, status_of(&rule.kind, tri), amount, project_id, Recorder { steps: t.steps.clone(), missing: t.missing.clone() }, paid, &mut one);
    match one.pop() {
        Some(o) => report(rule, Finding::Outcome(o.status), o.amount, o.project_id, o.explanation, o.missing),
        None => {
            let mut text = t.steps.join("；");
            text.push_str("。");
            text.push_str(&conclusion(None, None, &[]));
            report(rule, Finding::NotEligible, None, project_id.map(str::to_string), text, vec![])
        }
    }
}

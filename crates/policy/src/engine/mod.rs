//! The evaluation engine: facts in, outcomes out. Pure: no IO, no clock, no database.

mod caps;
mod ctx;
mod explain;
pub mod facts;
mod formula;
mod rules;
mod tally;
pub mod text;
mod types;

pub use types::{Assessment, Finding, NothingPaid, Outcome, PaidLedger, RuleReport, Status};

pub use explain::{explain, explain_with};
pub use tally::{RuleTally, tally, tally_enterprise, tally_enterprise_with, tally_with};

pub(crate) use ctx::money_of;
pub use facts::{FactKey, FactRead, FactValue, facts_read};
pub(crate) use formula::{Source, sources};

use crate::model::{FlagFact, GroupKind, Policy, Rounding, RuleKind};
use crate::plausibility::{self, Confirmations};

use crate::tri::Tri;
use ctx::{Ctx, Recorder, Silent, Trace};
use lianzhang_facts::{Dataset, EnterpriseFacts, Year};
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use smallvec::SmallVec;

/// One rule's raw decision for an enterprise-year (before groups and the ledger).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    tri: Tri,
    amount: Option<Decimal>,
}

const NONE: Decision = Decision { tri: Tri::False, amount: None };

/// One truth value per rule, on the stack for any policy of up to 32 rules. Amounts are
/// computed only for the rules that are reported.
type Tris = SmallVec<[Tri; 32]>;

/// One outcome of an enterprise-year before the caps: (rule, status, amount, project).
pub(crate) type Line<'p> = (usize, Status, Option<Decimal>, Option<&'p str>);

/// Receives a group's note about rule `i`; only the explained path builds the text.
type Note<'n> = &'n mut dyn FnMut(usize, &dyn Fn() -> String);

pub(crate) fn decide<T: Trace>(ctx: &Ctx, kind: &RuleKind, t: &mut T) -> Decision {
    if kind.needs_annual_row() && ctx.row.is_none() {
        t.step(|| format!("{}年无年度数据行，按年度数据评定的规则不评定", ctx.year));
        return NONE;
    }
    // Amounts are built only for decisions that are not known-false.
    let fixed = |tri: Tri, amount: lianzhang_facts::Fen| Decision {
        tri,
        amount: (tri != Tri::False).then(|| amount.to_yuan()),
    };
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
            let tri =
                rules::research_referral(ctx, requires, *min_expense, *min_growth_percent, *min_intensity_percent, t);
            Decision { tri, amount: None }
        }
        RuleKind::Formula { per: crate::expr::Scope::Year, when, recovery: Some(rec), .. } => {
            formula::recovery(ctx, when, rec, t)
        }
        RuleKind::Formula { per: crate::expr::Scope::Year, when, amount, instalments, .. }
            if instalments.is_empty() =>
        {
            formula::formula(ctx, None, when, amount.as_deref(), t)
        }
        RuleKind::Formula { per: crate::expr::Scope::Year, when, amount: Some(amount), instalments, .. } => {
            formula::instalments(ctx, when, amount, instalments, t)
        }
        RuleKind::ProjectSubsidy { .. } | RuleKind::Formula { .. } => {
            unreachable!("projects are decided one by one; a referral has no instalments")
        }
    }
}

/// The policy's rounding, used once for each amount and for every figure an explanation shows,
/// so a step never prints a number the award disagrees with.
pub(crate) fn round(policy: &Policy, d: Decimal) -> Decimal {
    let strategy = match policy.meta.rounding {
        Rounding::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    let unit = policy.meta.round_unit;
    let mut r = if unit >= Decimal::ONE {
        // To the unit (10, 100 yuan): the number of units, rounded once, times the unit.
        (d / unit).round_dp_with_strategy(0, strategy) * unit
    } else {
        d.round_dp_with_strategy(policy.meta.round_dp, strategy)
    };
    // Always show two places for yuan (FACTS.md: "a decimal string with two places").
    r.rescale(policy.meta.round_dp.max(2));
    r
}

/// The policy's rounding in Chinese, for explanations.
pub(crate) fn rounding_zh(policy: &Policy) -> &'static str {
    match policy.meta.rounding {
        Rounding::HalfAwayFromZero => "四舍五入",
        Rounding::HalfEven => "四舍六入五成双",
    }
}

/// Every non-project rule decided silently, before the groups are applied.
fn decide_raw(ctx: &Ctx) -> Tris {
    let rules = &ctx.policy.rules;
    let mut out: Tris = smallvec::smallvec![Tri::False; rules.len()];
    let open = Open::of(ctx);
    for (i, (r, g)) in rules.iter().zip(&ctx.policy.gates).enumerate() {
        if open.admits(g) && !r.kind.per_project() {
            out[i] = decide(ctx, &r.kind, &mut Silent).tri;
        }
    }
    out
}

/// Whether any rule other than a project's is left open by the gates of the assessed year.
/// A closed gate is a flag known "否" or a recognition absent that year, and no plausibility
/// finding ever doubts those (findings doubt values that are there: money, a "是"), so when
/// nothing is open the findings need not be worked out at all (the what-if fast path).
pub(crate) fn any_gate_open(ctx: &Ctx) -> bool {
    let open = Open::of(ctx);
    ctx.policy.rules.iter().zip(&ctx.policy.gates).any(|(r, g)| open.admits(g) && !r.kind.per_project())
}

/// A cheap look at the facts of the assessed year that rules most enterprise-years out. A
/// rule is skipped only when a part of its conjunction is known false (which decides it
/// whatever the other parts are): most enterprises are not chain masters, not above scale, and
/// recognised in no year, so nearly all the work is skipped.
struct Open {
    has_row: bool,
    /// Flags known false this year (bits of `FlagFact::bit`).
    closed: u8,
    /// Recognition kinds (index < 64) recognised this year; kinds ≥ 64 are never ruled out.
    recognised: u64,
    year: i32,
}

impl Open {
    #[inline]
    fn of(ctx: &Ctx) -> Open {
        let mut closed = 0;
        if let Some(row) = ctx.row {
            if row.above_scale == Some(false) {
                closed |= FlagFact::AboveScale.bit();
            }
            if row.chain_master == Some(false) {
                closed |= FlagFact::ChainMaster.bit();
            }
        }
        if ctx.facts.enterprise.strategic_emerging == Some(false) {
            closed |= FlagFact::StrategicEmerging.bit();
        }
        let recognised = ctx
            .facts
            .recognitions
            .iter()
            .filter(|r| r.year == ctx.year && r.kind.0 < 64)
            .fold(0u64, |acc, r| acc | 1 << r.kind.0);
        Open { has_row: ctx.row.is_some(), closed, recognised, year: ctx.year }
    }

    #[inline]
    fn admits(&self, g: &crate::model::Gate) -> bool {
        (self.has_row || !g.needs_row)
            && self.year >= g.from_year
            && g.flags & self.closed == 0
            && g.recognition.is_none_or(|k| k >= 64 || self.recognised & (1 << k) != 0)
    }
}

fn apply_groups(ctx: &Ctx, tris: &mut [Tri], note: Note<'_>) {
    for g in &ctx.policy.groups {
        apply_group(ctx, g, tris, note);
    }
}

/// Rule `i` decided again with a recording trace: its explanation and its amount, after what
/// its group does to it.
fn explain_rule(ctx: &Ctx, i: usize, raw: &Tris) -> (Recorder, Option<Decimal>) {
    let mut rec = Recorder::default();
    let d = decide(ctx, &ctx.policy.rules[i].kind, &mut rec);
    let mut amount = d.amount;
    if let Some((g, _)) = ctx.policy.group_of(i) {
        let mut scratch = raw.clone();
        let mut note = |j: usize, text: &dyn Fn() -> String| {
            if j == i {
                rec.steps.push(text());
            }
        };
        apply_group(ctx, g, &mut scratch, &mut note);
        if scratch[i] == Tri::True
            && let Some(a) = amount
        {
            amount = Some(group_amount(ctx, g, i, a, &mut note));
        }
    }
    (rec, amount)
}

/// What a group does to the amount of its member `r`: an upgrade or tiers paying the
/// difference (补差) subtract what the lower levels were actually paid. Each lower level paid
/// under the policy, up to this year, was itself paid its amount less what the levels below it
/// had paid, so over any number of levels the total paid is the highest level's amount (city
/// 5万 → province 15万 → national 50万 pays 5 + 10 + 35).
fn group_amount(ctx: &Ctx, g: &crate::model::Group, r: usize, amount: Decimal, note: Note<'_>) -> Decimal {
    let Some(pos) = g.rules.iter().position(|&x| x == r) else { return amount };
    // (year paid, rule, its amount) of each lower level, low → high.
    let lower: SmallVec<[(Year, usize, Decimal); 4]> = match g.kind {
        GroupKind::Upgrade { difference: true } => g.rules[..pos]
            .iter()
            .filter_map(|&l| match (recognition_year(ctx, l), &ctx.policy.rules[l].kind) {
                (Some(fy), RuleKind::FirstRecognition { amount, .. }) if fy <= ctx.year && ctx.policy.in_force(fy) => {
                    Some((fy, l, amount.to_yuan()))
                }
                _ => None,
            })
            .collect(),
        GroupKind::Tiers { difference: true, .. } => {
            let reached: SmallVec<[(Year, usize, Decimal); 4]> =
                g.rules[..pos].iter().filter_map(|&l| reached_before(ctx, l).map(|(y, a)| (y, l, a))).collect();
            // Of the lower tiers reached in one year, only the highest was paid.
            reached.iter().filter(|(y, l, _)| !reached.iter().any(|(y2, l2, _)| y2 == y && l2 > l)).copied().collect()
        }
        _ => return amount,
    };
    let mut paid = Decimal::ZERO;
    let why = if matches!(g.kind, GroupKind::Tiers { .. }) { "跨档补差" } else { "升级补差" };
    for (fy, l, full) in lower {
        let due = (full - paid).max(Decimal::ZERO);
        if !due.is_zero() {
            paid += due;
            let title = &ctx.policy.rules[l].title;
            note(r, &|| format!("{fy}年已按“{title}”奖励{}（{why}）", text::money_exact(due)));
        }
    }
    let left = (amount - paid).max(Decimal::ZERO);
    if !paid.is_zero() {
        let m = text::money_exact;
        note(r, &|| format!("{why}：{} − {} = {}", m(amount), m(paid), m(left)));
    }
    left
}

/// The earlier year (in force) in which rule `l` (a one-time tier) paid, with its amount then.
fn reached_before(ctx: &Ctx, l: usize) -> Option<(Year, Decimal)> {
    let from = ctx.policy.meta.effective_from.max(ctx.first.unwrap_or(ctx.year));
    (from..ctx.year).filter(|&y| ctx.policy.in_force(y)).find_map(|y| {
        let d = decide(&ctx.at(y), &ctx.policy.rules[l].kind, &mut Silent);
        (d.tri == Tri::True).then(|| (y, d.amount.unwrap_or_default()))
    })
}

fn apply_group(ctx: &Ctx, g: &crate::model::Group, out: &mut [Tri], note: Note<'_>) {
    match g.kind {
        GroupKind::Tiers { highest: false, .. } | GroupKind::Upgrade { .. } | GroupKind::Levels { once: false } => {}
        GroupKind::Tiers { highest: true, .. } => {
            // A tier pays only when no higher tier of the group is crossed the same year.
            for (i, &r) in g.rules.iter().enumerate() {
                let higher = g.rules[i + 1..].iter().fold(Tri::False, |acc, &h| acc.or(out[h]));
                if out[r] != Tri::False && higher != Tri::False {
                    out[r] = out[r].and(higher.not());
                    note(r, &|| match higher {
                        Tri::True => format!("同年亦首次达到更高档（{}：只奖高档）", g.title),
                        _ => format!("同年是否首次达到更高档无法确定（{}：只奖高档）", g.title),
                    });
                }
            }
        }
        GroupKind::Levels { once: true } => {
            // Only the first of the levels pays; in one year, the highest.
            let firsts: SmallVec<[Option<Year>; 4]> = g.rules.iter().map(|&r| recognition_year(ctx, r)).collect();
            for (i, &r) in g.rules.iter().enumerate() {
                if out[r] != Tri::True {
                    continue;
                }
                let beaten = firsts
                    .iter()
                    .enumerate()
                    .any(|(j, f)| j != i && f.is_some_and(|fy| fy < ctx.year || (fy == ctx.year && j > i)));
                if beaten {
                    out[r] = Tri::False;
                    note(r, &|| format!("{}只奖首次认定的一个级别，已认定其他级别", g.title));
                }
            }
        }
    }
}

fn recognition_year(ctx: &Ctx, rule: usize) -> Option<Year> {
    match ctx.policy.rules[rule].kind {
        RuleKind::FirstRecognition { recognition, .. } => {
            rules::first_recognition_year(ctx.facts.recognitions, recognition)
        }
        _ => None,
    }
}

fn status_of(kind: &RuleKind, tri: Tri) -> Option<Status> {
    match (tri, kind) {
        (Tri::False, _) => None,
        (Tri::Unknown, _) => Some(Status::NeedsReview),
        (Tri::True, k) if k.is_referral() => Some(Status::Referral),
        (Tri::True, k) if k.recovery().is_some() => Some(Status::Recovery),
        (Tri::True, _) => Some(Status::Award),
    }
}

fn conclusion(status: Option<Status>, amount: Option<Decimal>, missing: &[String]) -> String {
    match status {
        Some(Status::Award) => format!("结论：符合条件，奖励{}", text::money_exact(amount.unwrap_or_default())),
        Some(Status::AlreadyPaid) => "结论：符合条件，但台账显示已兑现，不再支付".to_string(),
        Some(Status::Referral) => "结论：符合条件，推荐争取省级资金（非县级支付）".to_string(),
        Some(Status::NeedsReview) => format!("结论：取决于未知或存疑的事实，待核实：{}", missing.join("、")),
        Some(Status::Recovery) => {
            format!("结论：已兑现的奖励应予收回，收回{}", text::money_exact(-amount.unwrap_or_default()))
        }
        None => "结论：不符合条件".to_string(),
    }
}

/// Assesses one enterprise-year, appending its outcomes (sorted by rule id, project id), with
/// the plausibility checks run and no confirmation (see [`assess_enterprise_with`]).
pub fn assess_enterprise(
    policy: &Policy,
    facts: EnterpriseFacts<'_>,
    year: Year,
    paid: &dyn PaidLedger,
    out: &mut Vec<Outcome>,
) {
    let doubts = plausibility::findings_of(policy, facts, &Confirmations::none());
    assess_enterprise_with(policy, facts, year, paid, &doubts, out);
}

/// Assesses one enterprise-year given its plausibility findings in force (`doubts`, from
/// [`plausibility::findings_of`]): a rule that reads a doubtful fact needs review.
pub fn assess_enterprise_with(
    policy: &Policy,
    facts: EnterpriseFacts<'_>,
    year: Year,
    paid: &dyn PaidLedger,
    doubts: &[plausibility::Finding],
    out: &mut Vec<Outcome>,
) {
    if !policy.in_force(year) {
        return;
    }
    let ctx = Ctx::new(policy, facts, year).with_doubts(doubts);
    let raw = decide_raw(&ctx);
    if raw.iter().all(|&t| t == Tri::False) && !facts.projects.iter().any(|p| p.completed_year == Some(year)) {
        return; // the common case: nothing to report
    }
    let mut tris = raw.clone();
    apply_groups(&ctx, &mut tris, &mut |_, _| {});
    let start = out.len();
    // Every line with its explanation, in rule order.
    let mut lines: Vec<(Line<'_>, Recorder)> = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        if rule.kind.per_project() {
            for p in facts.projects.iter().filter(|p| p.completed_year == Some(year)) {
                let (tri, amount) = decide_project(&ctx, &rule.kind, p, &mut Silent);
                let Some(status) = status_of(&rule.kind, tri) else { continue };
                let mut t = Recorder::default();
                decide_project(&ctx, &rule.kind, p, &mut t);
                lines.push(((i, status, amount, Some(&p.project_id)), t));
            }
            continue;
        }
        let Some(status) = status_of(&rule.kind, tris[i]) else { continue };
        // Explain only what is reported: re-run this rule with a recording trace.
        let (t, amount) = explain_rule(&ctx, i, &raw);
        lines.push(((i, status, amount, None), t));
    }
    let mut emptied = Vec::new();
    if !policy.caps.is_empty() {
        let mut awards: Vec<caps::Capped<'_>> = lines
            .iter_mut()
            .enumerate()
            .filter(|(_, l)| l.0.1 == Status::Award)
            .filter_map(|(line, ((i, _, amount, _), t))| {
                amount.as_mut().map(|a| caps::Capped { line, rule: *i, amount: a, steps: Some(&mut t.steps) })
            })
            .collect();
        emptied = caps::apply(policy, &mut awards);
    }
    // An award a cap left nothing of is not owed: not listed (`explain` says why).
    for (_, ((i, status, amount, project), t)) in lines.into_iter().enumerate().filter(|(n, _)| !emptied.contains(n)) {
        push(policy, &ctx, &policy.rules[i], Some(status), amount, project, t, paid, out);
    }
    out[start..].sort_by(|a, b| (&a.rule, &a.project_id).cmp(&(&b.rule, &b.project_id)));
}

fn decide_project<T: Trace>(
    ctx: &Ctx,
    kind: &RuleKind,
    p: &lianzhang_facts::Project,
    t: &mut T,
) -> (Tri, Option<Decimal>) {
    match kind {
        RuleKind::ProjectSubsidy { categories, threshold_categories, threshold, rate, cap } => {
            rules::project(ctx, p, categories, threshold_categories, *threshold, *rate, *cap, t)
        }
        RuleKind::Formula { when, amount, .. } => {
            t.step(|| format!("项目“{}”（{}）{}年竣工投产", p.name, p.project_id, ctx.year));
            let d = formula::formula(ctx, Some(p), when, amount.as_deref(), t);
            (d.tri, d.amount)
        }
        _ => (Tri::False, None),
    }
}

#[allow(clippy::too_many_arguments)] // internal assembly of one outcome
fn push(
    policy: &Policy,
    ctx: &Ctx,
    rule: &crate::model::Rule,
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
    // A recovery takes back only an award the ledger shows paid (`explain` says so otherwise).
    if rule.kind.recovery().is_some() && !recovers_paid(&uscc, rule, paid) {
        return;
    }
    if matches!(status, Status::Award | Status::Recovery) && paid.is_paid(&uscc, &rule.id, ledger_year, project_id) {
        status = Status::AlreadyPaid;
    }
    let amount = match status {
        Status::Award => Some(round(policy, amount.unwrap_or_default())),
        Status::Recovery => Some(-round(policy, amount.unwrap_or_default())),
        _ => None,
    };
    let missing = if status == Status::NeedsReview { t.missing } else { Vec::new() };
    let mut explanation = t.steps.join("；");
    explanation.push('。');
    if status == Status::AlreadyPaid && rule.kind.recovery().is_some() {
        explanation.push_str("结论：应予收回，台账显示已收回");
    } else {
        explanation.push_str(&conclusion(Some(status), amount, &missing));
    }
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

/// Whether the award a recovery rule takes back was paid (one-time: its ledger key has no year).
pub(crate) fn recovers_paid(uscc: &lianzhang_facts::Uscc, rule: &crate::model::Rule, paid: &dyn PaidLedger) -> bool {
    rule.kind.recovery().is_some_and(|r| paid.is_paid(uscc, &r.rule, None, None))
}

/// Assesses every enterprise of the dataset for `year`, in parallel, with the plausibility
/// checks run and no confirmation.
pub fn assess(policy: &Policy, dataset: &Dataset, year: Year, paid: &dyn PaidLedger) -> Assessment {
    assess_with(policy, dataset, year, paid, &Confirmations::none())
}

/// [`assess`] with the confirmations in force: a confirmed value raises no finding.
pub fn assess_with(
    policy: &Policy,
    dataset: &Dataset,
    year: Year,
    paid: &dyn PaidLedger,
    confirmations: &Confirmations,
) -> Assessment {
    type Acc = (Vec<Outcome>, Vec<plausibility::Finding>);
    let (outcomes, findings) = (0..dataset.len())
        .into_par_iter()
        .with_min_len(1024)
        .fold(Acc::default, |(mut outcomes, mut findings), i| {
            let facts = dataset.get(i);
            let doubts = plausibility::findings_of(policy, facts, confirmations);
            assess_enterprise_with(policy, facts, year, paid, &doubts, &mut outcomes);
            findings.extend(doubts);
            (outcomes, findings)
        })
        .reduce(Acc::default, |(mut a, mut fa), (mut b, mut fb)| {
            a.append(&mut b);
            fa.append(&mut fb);
            (a, fa)
        });
    // Enterprises are in USCC order and parallel folds keep order within and across chunks.
    Assessment { policy: policy.meta.id.clone(), year, in_force: policy.in_force(year), outcomes, findings }
}

//! The budget path: statuses and amounts per rule without explanation text (what-if runs).

use super::*;

/// Counts and sums of one rule's outcomes for a year (the budget view of a what-if run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleTally {
    pub awards: u64,
    /// The sum of award amounts, each rounded once as in `assess`.
    pub amount: Decimal,
    pub reviews: u64,
    pub referrals: u64,
    pub already_paid: u64,
    /// 收回: how many paid awards are to be taken back, and their sum (positive, yuan).
    pub recoveries: u64,
    pub recovered: Decimal,
}

impl std::ops::AddAssign<&RuleTally> for RuleTally {
    /// Counts and sums of the same rule over more enterprises.
    fn add_assign(&mut self, y: &RuleTally) {
        self.awards += y.awards;
        self.amount += y.amount;
        self.reviews += y.reviews;
        self.referrals += y.referrals;
        self.already_paid += y.already_paid;
        self.recoveries += y.recoveries;
        self.recovered += y.recovered;
    }
}

/// Decides every outcome of one enterprise-year and adds it to `tally` (one entry per rule),
/// without building explanations: the fast path behind what-if budgets. The plausibility
/// checks run with no confirmation.
pub fn tally_enterprise(
    policy: &Policy,
    facts: EnterpriseFacts<'_>,
    year: Year,
    paid: &dyn PaidLedger,
    tally: &mut [RuleTally],
) {
    tally_enterprise_with(policy, facts, year, paid, &Confirmations::none(), tally);
}

/// [`tally_enterprise`] with the confirmations in force.
pub fn tally_enterprise_with(
    policy: &Policy,
    facts: EnterpriseFacts<'_>,
    year: Year,
    paid: &dyn PaidLedger,
    confirmations: &Confirmations,
    tally: &mut [RuleTally],
) {
    if !policy.in_force(year) {
        return;
    }
    let completes = facts.projects.iter().any(|p| p.completed_year == Some(year));
    let ctx = Ctx::new(policy, facts, year);
    if !completes && !super::any_gate_open(&ctx) {
        return; // the common case: every rule ruled out by a known "否", no finding can reopen it
    }
    let doubts = plausibility::findings_of(policy, facts, confirmations);
    let ctx = ctx.with_doubts(&doubts);
    let mut tris = decide_raw(&ctx);
    if tris.iter().all(|&t| t == Tri::False) && !completes {
        return; // nothing to report
    }
    apply_groups(&ctx, &mut tris, &mut |_, _| {});
    let uscc = facts.enterprise.uscc;
    let mut add =
        |i: usize, rule: &crate::model::Rule, status: Status, amount: Option<Decimal>, project: Option<&str>| {
            let t = &mut tally[i];
            let ledger_year = (!rule.kind.one_time()).then_some(year);
            match status {
                _ if rule.kind.recovery().is_some() && !super::recovers_paid(&uscc, rule, paid) => {}
                Status::Award | Status::Recovery if paid.is_paid(&uscc, &rule.id, ledger_year, project) => {
                    t.already_paid += 1
                }
                Status::Recovery => {
                    t.recoveries += 1;
                    t.recovered += round(policy, amount.unwrap_or_default());
                }
                Status::Award => {
                    t.awards += 1;
                    t.amount += round(policy, amount.unwrap_or_default());
                }
                Status::NeedsReview => t.reviews += 1,
                Status::Referral => t.referrals += 1,
                Status::AlreadyPaid => t.already_paid += 1,
            }
        };
    let mut lines: SmallVec<[super::Line<'_>; 8]> = SmallVec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        if rule.kind.per_project() {
            for p in facts.projects.iter().filter(|p| p.completed_year == Some(year)) {
                let (tri, amount) = decide_project(&ctx, &rule.kind, p, &mut Silent);
                if let Some(status) = status_of(&rule.kind, tri) {
                    lines.push((i, status, amount, Some(&p.project_id)));
                }
            }
            continue;
        }
        let Some(status) = status_of(&rule.kind, tris[i]) else { continue };
        let mut amount = None;
        if matches!(status, Status::Award | Status::Recovery) {
            amount = decide(&ctx, &rule.kind, &mut Silent).amount;
            if let (Status::Award, Some((g, _)), Some(a)) = (status, policy.group_of(i), amount) {
                amount = Some(group_amount(&ctx, g, i, a, &mut |_, _| {}));
            }
        }
        lines.push((i, status, amount, None));
    }
    let mut emptied = Vec::new();
    if !policy.caps.is_empty() {
        let mut awards: Vec<caps::Capped<'_>> = lines
            .iter_mut()
            .enumerate()
            .filter(|(_, l)| l.1 == Status::Award)
            .filter_map(|(line, (i, _, a, _))| {
                a.as_mut().map(|a| caps::Capped { line, rule: *i, amount: a, steps: None })
            })
            .collect();
        emptied = caps::apply(policy, &mut awards);
    }
    for (_, (i, status, amount, project)) in lines.into_iter().enumerate().filter(|(n, _)| !emptied.contains(n)) {
        add(i, &policy.rules[i], status, amount, project);
    }
}

/// [`tally_enterprise`] over the whole dataset, in parallel: one entry per rule.
pub fn tally(policy: &Policy, dataset: &Dataset, year: Year, paid: &dyn PaidLedger) -> Vec<RuleTally> {
    tally_with(policy, dataset, year, paid, &Confirmations::none())
}

/// [`tally`] with the confirmations in force.
pub fn tally_with(
    policy: &Policy,
    dataset: &Dataset,
    year: Year,
    paid: &dyn PaidLedger,
    confirmations: &Confirmations,
) -> Vec<RuleTally> {
    let empty = || vec![RuleTally::default(); policy.rules.len()];
    (0..dataset.len())
        .into_par_iter()
        .with_min_len(4096)
        .fold(empty, |mut acc, i| {
            tally_enterprise_with(policy, dataset.get(i), year, paid, confirmations, &mut acc);
            acc
        })
        .reduce(empty, |mut a, b| {
            for (x, y) in a.iter_mut().zip(&b) {
                *x += y;
            }
            a
        })
}

//! 政策沙盘: a scenario (the policy in force with some parameters changed, as `--set` does)
//! beside the policy in force, on the same facts, paid ledger and confirmations: what each pays
//! by rule and by chain in a year, and which enterprises' outcomes change. The budget path
//! ([`tally_enterprise_with`]) decides every enterprise-year without explanations; explanations
//! are written only for the enterprises shown ([`explain_change`]).
//!
//! The amounts are those of [`crate::assess_with`] on the same policy, to the fen: each award
//! rounded once, then summed.

use crate::engine::{RuleReport, RuleTally, explain_with, tally_enterprise_with};
use crate::model::Policy;
use crate::{Confirmations, PaidLedger};
use lianzhang_facts::{Dataset, Year};
use rayon::prelude::*;
use rust_decimal::Decimal;

/// What one policy decides in one year: per rule (policy order) and per chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Budget {
    pub in_force: bool,
    /// One entry per rule of the policy, in its order.
    pub rules: Vec<RuleTally>,
    /// Award amounts (yuan) per chain of the vocabulary, in its order, then enterprises on no
    /// chain (未入链) last.
    pub chains: Vec<Decimal>,
}

impl Budget {
    /// The sum of award amounts (yuan).
    pub fn total(&self) -> Decimal {
        self.rules.iter().map(|t| t.amount).sum()
    }

    /// The sum of amounts to be recovered (收回, positive yuan).
    pub fn recovered(&self) -> Decimal {
        self.rules.iter().map(|t| t.recovered).sum()
    }

    fn add(&mut self, chain: usize, tallies: &[RuleTally]) {
        for (x, y) in self.rules.iter_mut().zip(tallies) {
            *x += y;
        }
        self.chains[chain] += tallies.iter().map(|t| t.amount).sum::<Decimal>();
    }

    fn merge(mut self, other: Budget) -> Budget {
        for (x, y) in self.rules.iter_mut().zip(&other.rules) {
            *x += y;
        }
        for (x, y) in self.chains.iter_mut().zip(&other.chains) {
            *x += y;
        }
        self
    }
}

/// An enterprise whose outcome differs between the two policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Its index in the dataset.
    pub enterprise: usize,
    /// Its awards' sum (yuan) under the policy in force and under the scenario.
    pub before: Decimal,
    pub after: Decimal,
    /// Indexes of the rules whose outcome differs (counts, statuses or amounts).
    pub rules: Vec<usize>,
}

impl Changed {
    /// `after − before` (yuan).
    pub fn delta(&self) -> Decimal {
        self.after - self.before
    }
}

/// One year of a scenario beside the policy in force.
#[derive(Debug, Clone)]
pub struct YearComparison {
    pub year: Year,
    pub base: Budget,
    pub scenario: Budget,
    /// The enterprises whose outcome changes, the largest change in amount first, then in
    /// dataset order.
    pub changed: Vec<Changed>,
}

impl YearComparison {
    /// Scenario total minus base total (yuan).
    pub fn change(&self) -> Decimal {
        self.scenario.total() - self.base.total()
    }
}

/// Why two policies cannot be compared rule by rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("方案与现行政策的规则不一致：{0}")]
pub struct NotComparable(String);

/// Compares `scenario` with `base` in `year` over every enterprise of `dataset`, in parallel.
///
/// Both must have the same rules in the same order and the same chains (a scenario is the
/// policy in force with parameters changed); otherwise [`NotComparable`]. An enterprise counts
/// as changed when any rule's tally (awards, amount, reviews, referrals, already paid,
/// recoveries) differs.
pub fn compare(
    base: &Policy,
    scenario: &Policy,
    dataset: &Dataset,
    year: Year,
    paid: &dyn PaidLedger,
    confirmations: &Confirmations,
) -> Result<YearComparison, NotComparable> {
    let ids = |p: &Policy| p.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    if ids(base) != ids(scenario) {
        return Err(NotComparable("规则的编号或顺序不同".into()));
    }
    if base.vocabulary.chains.len() != scenario.vocabulary.chains.len() {
        return Err(NotComparable("产业链不同".into()));
    }
    let rules = base.rules.len();
    let chains = base.vocabulary.chains.len();
    let empty = || Budget {
        in_force: false,
        rules: vec![RuleTally::default(); rules],
        chains: vec![Decimal::ZERO; chains + 1],
    };
    type Acc = (Budget, Budget, Vec<Changed>, Vec<RuleTally>, Vec<RuleTally>);
    let start = || -> Acc {
        (empty(), empty(), Vec::new(), vec![RuleTally::default(); rules], vec![RuleTally::default(); rules])
    };
    let (mut b, mut s, mut changed, _, _) = (0..dataset.len())
        .into_par_iter()
        .with_min_len(2048)
        .fold(start, |(mut b, mut s, mut changed, mut before, mut after), i| {
            let facts = dataset.get(i);
            before.iter_mut().for_each(|t| *t = RuleTally::default());
            after.iter_mut().for_each(|t| *t = RuleTally::default());
            tally_enterprise_with(base, facts, year, paid, confirmations, &mut before);
            tally_enterprise_with(scenario, facts, year, paid, confirmations, &mut after);
            let chain = facts.enterprise.chain.map_or(chains, |c| c.0 as usize);
            b.add(chain, &before);
            s.add(chain, &after);
            if before != after {
                let differing = (0..rules).filter(|&r| before[r] != after[r]).collect();
                let sum = |t: &[RuleTally]| t.iter().map(|t| t.amount).sum();
                changed.push(Changed { enterprise: i, before: sum(&before), after: sum(&after), rules: differing });
            }
            (b, s, changed, before, after)
        })
        .reduce(start, |(b1, s1, mut c1, x, y), (b2, s2, c2, _, _)| {
            c1.extend(c2);
            (b1.merge(b2), s1.merge(s2), c1, x, y)
        });
    b.in_force = base.in_force(year);
    s.in_force = scenario.in_force(year);
    changed.sort_by(|x, y| y.delta().abs().cmp(&x.delta().abs()).then(x.enterprise.cmp(&y.enterprise)));
    Ok(YearComparison { year, base: b, scenario: s, changed })
}

/// The reports (with explanations) of a changed enterprise's differing rules, under the policy in
/// force and under the scenario: `(before, after)`, each in rule order (a project rule gives one
/// report per project).
pub fn explain_change(
    base: &Policy,
    scenario: &Policy,
    dataset: &Dataset,
    year: Year,
    paid: &dyn PaidLedger,
    confirmations: &Confirmations,
    change: &Changed,
) -> (Vec<RuleReport>, Vec<RuleReport>) {
    let facts = dataset.get(change.enterprise);
    let pick = |p: &Policy| {
        let ids: Vec<&str> = change.rules.iter().map(|&r| p.rules[r].id.as_str()).collect();
        explain_with(p, facts, year, paid, confirmations)
            .into_iter()
            .filter(|r| ids.contains(&r.rule.as_str()))
            .collect()
    };
    (pick(base), pick(scenario))
}

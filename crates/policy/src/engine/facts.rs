//! The facts of a year that rules read, with the value each rule saw: the evidence behind
//! POLICY.md "One fact, one value" (a fact about a year has the same three-valued value in
//! every rule and every assessment year). Used by the property tests and available to audits.

use crate::engine::ctx::{Ctx, Trace};
use crate::engine::decide;
use crate::model::{FlagFact, MoneyFact, Policy};
use crate::tri::Tri;
use lianzhang_facts::{EnterpriseFacts, Fen, Year};

/// A fact about one year of one enterprise, as rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactKey {
    /// A yearly yes/no fact (above scale, chain master) of `year`.
    Flag { fact: FlagFact, year: Year },
    /// A yearly money fact of `year` (`None`: unknown).
    Money { fact: MoneyFact, year: Year },
    /// 首次纳入: `fact` is true in `year` and in no earlier year (the entry year E of the
    /// retention rules), judged with the history rule applied with Y = `year`.
    Entry { fact: FlagFact, year: Year },
    /// The procurement of `year` as the local-sourcing rule reads it for one year.
    Procurement { year: Year },
}

/// The value a rule saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactValue {
    Flag(Tri),
    Money(Option<Fen>),
    /// `Some(Some((local, total)))` a rate, `Some(None)` no rate (total 0, or none before the
    /// enterprise's first row when its history is known), `None` unknown.
    Procurement(Option<Option<(Fen, Fen)>>),
}

/// One read: which rule, assessing which year, read which fact, and saw what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactRead {
    pub rule: String,
    /// The assessment year of the rule that read it.
    pub assessed: Year,
    pub key: FactKey,
    pub value: FactValue,
}

/// Collects the facts a rule reads.
struct Observer {
    reads: Vec<(FactKey, FactValue)>,
}

impl Trace for Observer {
    const ON: bool = false;
    const OBSERVES: bool = true;
    fn step(&mut self, _: impl FnOnce() -> String) {}
    fn missing(&mut self, _: impl FnOnce() -> String) {}
    fn fact(&mut self, key: FactKey, value: FactValue) {
        self.reads.push((key, value));
    }
}

/// Every fact of a year that each rule (other than the per-project rule, which reads only its
/// project) reads when assessing `year` for one enterprise, with the value it sees (a fact a
/// plausibility finding doubts is seen as unknown). Empty when the policy is not in force in
/// `year`.
pub fn facts_read(policy: &Policy, facts: EnterpriseFacts<'_>, year: Year) -> Vec<FactRead> {
    if !policy.in_force(year) {
        return Vec::new();
    }
    let doubts = crate::plausibility::findings_of(policy, facts, &crate::plausibility::Confirmations::none());
    let ctx = Ctx::new(policy, facts, year).with_doubts(&doubts);
    let mut out = Vec::new();
    for rule in &policy.rules {
        if rule.kind.per_project() {
            continue;
        }
        let mut o = Observer { reads: Vec::new() };
        decide(&ctx, &rule.kind, &mut o);
        out.extend(o.reads.into_iter().map(|(key, value)| FactRead {
            rule: rule.id.clone(),
            assessed: year,
            key,
            value,
        }));
    }
    out
}

//! The county at a glance, computed from the whole registry and cached: the dashboard reads it
//! without touching the database. It is rebuilt when the audit trail shows a committed change.

use lianzhang_facts::{Dataset, Year};
use lianzhang_policy::targets::{Progress, progress};
use lianzhang_policy::{Confirmations, Policy, RuleTally, tally_enterprise_with};
use lianzhang_store::{AssessmentInputs, Store, StoreError};
use rust_decimal::Decimal;
use std::sync::{Arc, RwLock};

/// Figures of one year.
#[derive(Debug, Clone, Default)]
pub struct YearFigures {
    pub year: Year,
    pub enterprises_with_rows: u32,
    pub above_scale: u32,
    /// Recognitions of the 专精特新 ladder (specialized and little giant kinds) made that year.
    pub specialized: u32,
    pub chain_masters: u32,
    /// Award amounts by rule id (rules with awards only), and their total.
    pub awards: Vec<(String, String, Decimal)>,
    pub award_total: Decimal,
    /// Award amounts by chain (chain order; enterprises on no chain last, as "未入链").
    pub by_chain: Vec<(String, Decimal)>,
}

/// Figures of one chain in the latest year.
#[derive(Debug, Clone, Default)]
pub struct ChainFigures {
    pub code: String,
    pub name: String,
    pub enterprises: u32,
    /// Revenue of the latest year, in fen.
    pub revenue: i64,
    pub chain_masters: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub enterprises: usize,
    pub latest_year: Option<Year>,
    pub years: Vec<YearFigures>,
    pub chains: Vec<ChainFigures>,
    pub targets: Vec<Progress>,
    /// Every rule of the policy as (id, title), in policy order.
    pub rules: Vec<(String, String)>,
}

/// One line of the rule × year award table.
#[derive(Debug, PartialEq)]
pub struct RuleLine {
    pub title: String,
    /// One amount per year of [`Snapshot::award_years`].
    pub amounts: Vec<Decimal>,
    pub total: Decimal,
}

impl Snapshot {
    /// The years the policy was in force (those with award figures).
    pub fn award_years(&self) -> Vec<&YearFigures> {
        self.years.iter().filter(|y| !y.by_chain.is_empty()).collect()
    }

    /// Award amounts per rule (policy order, rules that never paid left out) and year.
    pub fn rule_lines(&self) -> Vec<RuleLine> {
        let years = self.award_years();
        self.rules
            .iter()
            .filter_map(|(id, title)| {
                let amounts: Vec<Decimal> = years
                    .iter()
                    .map(|y| y.awards.iter().find(|a| &a.0 == id).map(|a| a.2).unwrap_or_default())
                    .collect();
                let total: Decimal = amounts.iter().sum();
                (!total.is_zero()).then(|| RuleLine { title: title.clone(), amounts, total })
            })
            .collect()
    }

    pub fn award_grand_total(&self) -> Decimal {
        self.years.iter().map(|y| y.award_total).sum()
    }

    /// `confirmations`: the values clerks confirmed (核实确认); other doubted values hold their rules
    /// in review, as in every assessment.
    /// Each year under the policy version in force for it (`versions`).
    pub fn compute(
        versions: &crate::versions::Versions,
        ds: &Dataset,
        paid: &lianzhang_store::PaidSet,
        confirmations: &Confirmations,
    ) -> Snapshot {
        let last_year = ds.iter().filter_map(|e| e.annual.last().map(|r| r.year)).max();
        // The version in force for the newest year: its targets and vocabulary.
        let policy: &Policy = &versions.for_year(last_year.unwrap_or(versions.base.from_year)).policy;
        let v = &policy.vocabulary;
        let first = ds.iter().filter_map(|e| e.first_row_year()).min();
        let last = ds.iter().filter_map(|e| e.annual.last().map(|r| r.year)).max();
        let specialized: Vec<_> = v
            .recognition_kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| k.code.starts_with("specialized") || k.code.starts_with("little_giant"))
            .map(|(i, _)| lianzhang_facts::KindId(i as u16))
            .collect();
        let mut years = Vec::new();
        if let (Some(first), Some(last)) = (first, last) {
            for year in first..=last {
                let mut y = YearFigures { year, ..Default::default() };
                for e in ds.iter() {
                    if let Some(r) = e.row(year) {
                        y.enterprises_with_rows += 1;
                        y.above_scale += u32::from(r.above_scale == Some(true));
                        y.chain_masters += u32::from(r.chain_master == Some(true));
                    }
                    y.specialized +=
                        e.recognitions.iter().filter(|r| r.year == year && specialized.contains(&r.kind)).count()
                            as u32;
                }
                let policy: &Policy = &versions.for_year(year).policy;
                if policy.in_force(year) {
                    // One pass: per chain, then summed per rule.
                    let n = v.chains.len();
                    let mut per_chain = vec![vec![RuleTally::default(); policy.rules.len()]; n + 1];
                    for e in ds.iter() {
                        let c = e.enterprise.chain.map_or(n, |c| c.0 as usize);
                        tally_enterprise_with(policy, e, year, paid, confirmations, &mut per_chain[c]);
                    }
                    for (i, rule) in policy.rules.iter().enumerate() {
                        let awards: u64 = per_chain.iter().map(|t| t[i].awards).sum();
                        let amount: Decimal = per_chain.iter().map(|t| t[i].amount).sum();
                        if awards > 0 {
                            y.awards.push((rule.id.clone(), rule.title.clone(), amount));
                            y.award_total += amount;
                        }
                    }
                    for (c, t) in per_chain.iter().enumerate() {
                        let name = v.chains.get(c).map_or("未入链".to_string(), |c| c.name.clone());
                        y.by_chain.push((name, t.iter().map(|r| r.amount).sum()));
                    }
                }
                years.push(y);
            }
        }
        let mut chains: Vec<ChainFigures> = v
            .chains
            .iter()
            .map(|c| ChainFigures { code: c.code.clone(), name: c.name.clone(), ..Default::default() })
            .collect();
        for e in ds.iter() {
            if let Some(c) = e.enterprise.chain {
                let f = &mut chains[c.0 as usize];
                f.enterprises += 1;
                if let Some(r) = last.and_then(|y| e.row(y)) {
                    f.revenue += r.revenue.map_or(0, |x| x.0);
                    f.chain_masters += u32::from(r.chain_master == Some(true));
                }
            }
        }
        // Every rule of every version, first seen first (a rule a revision added comes last).
        let mut rules: Vec<(String, String)> = Vec::new();
        for r in versions.all().flat_map(|v| v.policy.rules.iter()) {
            if !rules.iter().any(|(id, _)| *id == r.id) {
                rules.push((r.id.clone(), r.title.clone()));
            }
        }
        Snapshot { enterprises: ds.len(), latest_year: last, years, chains, targets: progress(policy, ds), rules }
    }
}

/// The facts, the paid awards and the confirmations of one moment, kept in memory until the
/// audit trail shows a committed change: the snapshot and the what-if sandbox read them without
/// loading the registry again.
#[derive(Default)]
pub struct Inputs {
    current: RwLock<Option<Arc<AssessmentInputs>>>,
    /// One load at a time: a burst of requests after a change loads the registry once.
    load: tokio::sync::Mutex<()>,
}

impl Inputs {
    fn fresh(&self, version: Option<i64>) -> Option<Arc<AssessmentInputs>> {
        self.current.read().expect("inputs lock").as_ref().filter(|i| i.revision == version).cloned()
    }

    /// The registry's current inputs, loaded first if it changed since.
    pub async fn get(&self, store: &Store, policy: &Policy) -> Result<Arc<AssessmentInputs>, StoreError> {
        let version = store.last_change().await?;
        if let Some(i) = self.fresh(version) {
            return Ok(i);
        }
        let _one = self.load.lock().await;
        if let Some(i) = self.fresh(version) {
            return Ok(i);
        }
        let inputs = Arc::new(store.load_assessment_inputs(&policy.vocabulary).await?);
        *self.current.write().expect("inputs lock") = Some(inputs.clone());
        Ok(inputs)
    }
}

/// The cached snapshot and the audit id it was computed at.
#[derive(Default)]
pub struct Cache {
    current: RwLock<Option<(Option<i64>, Arc<Snapshot>)>>,
    /// One rebuild at a time: a burst of requests after a change loads the registry once.
    rebuild: tokio::sync::Mutex<()>,
}

impl Cache {
    fn fresh(&self, version: Option<i64>) -> Option<Arc<Snapshot>> {
        self.current.read().expect("snapshot lock").as_ref().filter(|(v, _)| *v == version).map(|(_, s)| s.clone())
    }

    /// The current snapshot, rebuilt first if the registry changed since.
    pub async fn get(
        &self,
        store: &Store,
        inputs: &Inputs,
        versions: Arc<crate::versions::Versions>,
    ) -> Result<Arc<Snapshot>, StoreError> {
        let version = store.last_change().await?;
        if let Some(s) = self.fresh(version) {
            return Ok(s);
        }
        let _one = self.rebuild.lock().await;
        if let Some(s) = self.fresh(version) {
            return Ok(s);
        }
        let inputs = inputs.get(store, &versions.base.policy).await?;
        let revision = inputs.revision;
        let snap = tokio::task::spawn_blocking(move || {
            Snapshot::compute(&versions, &inputs.dataset, &inputs.paid, &inputs.confirmations)
        })
        .await
        .expect("snapshot computation");
        let snap = Arc::new(snap);
        *self.current.write().expect("snapshot lock") = Some((revision, snap.clone()));
        Ok(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn the_rule_table_has_a_line_per_paying_rule_in_policy_order_and_a_column_per_year() {
        let year = |year, awards: Vec<(&str, Decimal)>| YearFigures {
            year,
            award_total: awards.iter().map(|a| a.1).sum(),
            awards: awards.into_iter().map(|(id, d)| (id.to_string(), id.to_uppercase(), d)).collect(),
            by_chain: vec![("钢铁".into(), Decimal::ZERO)],
            ..Default::default()
        };
        let snap = Snapshot {
            years: vec![
                YearFigures { year: 2021, ..Default::default() },
                year(2022, vec![("b", dec!(300000))]),
                year(2023, vec![("a", dec!(100000)), ("b", dec!(50000.50))]),
            ],
            rules: ["a", "never", "b"].iter().map(|r| (r.to_string(), r.to_uppercase())).collect(),
            ..Default::default()
        };
        assert_eq!(snap.award_years().iter().map(|y| y.year).collect::<Vec<_>>(), [2022, 2023]);
        assert_eq!(
            snap.rule_lines(),
            [
                RuleLine { title: "A".into(), amounts: vec![dec!(0), dec!(100000)], total: dec!(100000) },
                RuleLine { title: "B".into(), amounts: vec![dec!(300000), dec!(50000.50)], total: dec!(350000.50) },
            ]
        );
        assert_eq!(snap.award_grand_total(), dec!(450000.50));
    }
}

//! The county at a glance, computed from the whole registry and cached: the dashboard reads it
//! without touching the database. It is rebuilt when the audit trail shows a committed change.

use lianzhang_facts::{Dataset, Year};
use lianzhang_policy::targets::{Progress, progress};
use lianzhang_policy::{Policy, RuleTally, tally_enterprise};
use lianzhang_store::{Store, StoreError};
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
}

impl Snapshot {
    pub fn compute(policy: &Policy, ds: &Dataset, paid: &lianzhang_store::PaidSet) -> Snapshot {
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
                if year >= policy.meta.effective_from && policy.meta.effective_to.is_none_or(|t| year <= t) {
                    // One pass: per chain, then summed per rule.
                    let n = v.chains.len();
                    let mut per_chain = vec![vec![RuleTally::default(); policy.rules.len()]; n + 1];
                    for e in ds.iter() {
                        let c = e.enterprise.chain.map_or(n, |c| c.0 as usize);
                        tally_enterprise(policy, e, year, paid, &mut per_chain[c]);
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
        Snapshot { enterprises: ds.len(), latest_year: last, years, chains, targets: progress(policy, ds) }
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
    pub async fn get(&self, store: &Store, policy: &Arc<Policy>) -> Result<Arc<Snapshot>, StoreError> {
        let version = store.last_change().await?;
        if let Some(s) = self.fresh(version) {
            return Ok(s);
        }
        let _one = self.rebuild.lock().await;
        if let Some(s) = self.fresh(version) {
            return Ok(s);
        }
        let ds = store.load_dataset(&policy.vocabulary).await?;
        let paid = store.paid().await?;
        let p = policy.clone();
        let snap =
            tokio::task::spawn_blocking(move || Snapshot::compute(&p, &ds, &paid)).await.expect("snapshot computation");
        let snap = Arc::new(snap);
        *self.current.write().expect("snapshot lock") = Some((version, snap.clone()));
        Ok(snap)
    }
}

//! Progress towards the policy's targets (parts 一 and 二), computed from the facts.

use crate::model::{Policy, Target, TargetMeasure};
use lianzhang_facts::{Dataset, Year};
use std::collections::HashSet;

/// The measured value of one target (per chain for `new_chain_members`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub target: String,
    pub title: String,
    pub year: Year,
    /// (chain code or "" for county-wide, target value, measured value)
    pub parts: Vec<(String, u32, u32)>,
}

fn count(ds: &Dataset, f: impl Fn(lianzhang_facts::EnterpriseFacts<'_>) -> bool) -> u32 {
    ds.iter().filter(|e| f(*e)).count() as u32
}

/// Measures every target of the policy on the dataset.
pub fn progress(policy: &Policy, ds: &Dataset) -> Vec<Progress> {
    policy.targets.iter().map(|t| measure(policy, ds, t)).collect()
}

fn measure(policy: &Policy, ds: &Dataset, t: &Target) -> Progress {
    let y = t.year;
    let above = |e: lianzhang_facts::EnterpriseFacts<'_>, year| e.row(year).and_then(|r| r.above_scale) == Some(true);
    let county = |value: u32, got: u32| vec![(String::new(), value, got)];
    let parts = match &t.measure {
        TargetMeasure::NewAboveScale { value } => county(*value, count(ds, |e| above(e, y) && !above(e, y - 1))),
        TargetMeasure::AboveScale { value } => county(*value, count(ds, |e| above(e, y))),
        TargetMeasure::ChainMasters { value } => {
            county(*value, count(ds, |e| e.row(y).and_then(|r| r.chain_master) == Some(true)))
        }
        TargetMeasure::RecognizedInYear { kinds, value } => {
            let kinds: HashSet<_> = kinds.iter().collect();
            county(*value, count(ds, |e| e.recognitions.iter().any(|r| r.year == y && kinds.contains(&r.kind))))
        }
        TargetMeasure::RecognizedBy { kinds, value } => {
            let kinds: HashSet<_> = kinds.iter().collect();
            county(*value, count(ds, |e| e.recognitions.iter().any(|r| r.year <= y && kinds.contains(&r.kind))))
        }
        TargetMeasure::NewChainMembers { per_chain } => per_chain
            .iter()
            .map(|&(c, value)| {
                let got = count(ds, |e| {
                    e.enterprise.chain.map(|id| id.0 as usize) == Some(c) && e.enterprise.chain_joined_year == Some(y)
                });
                (policy.vocabulary.chains[c].code.clone(), value, got)
            })
            .collect(),
    };
    Progress { target: t.id.clone(), title: t.title.clone(), year: y, parts }
}

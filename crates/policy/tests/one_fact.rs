//! POLICY.md "One fact, one value": a fact about a year has the same three-valued value in
//! every rule and every assessment year. When a rule asks whether an earlier year J was a first
//! time (the entry year E of the retention rules), J is judged as the rule for J judges it when
//! assessing J. Checked over generated histories with gaps, unknown cells and unknown or recent
//! establishment dates.
mod common;
use common::*;
use lianzhang_facts::{Annual, Fen};
use lianzhang_policy::engine::{FactKey, FactValue, facts_read};
use lianzhang_policy::{NothingPaid, Policy, Status, assess};
use proptest::prelude::*;
use std::collections::HashMap;

/// One generated enterprise: establishment year and rows (years with gaps).
#[derive(Debug, Clone)]
struct Hist {
    established: Option<i32>,
    rows: Vec<Annual>,
}

fn flag() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![1 => Just(None), 1 => Just(Some(false)), 4 => Just(Some(true))]
}

fn money() -> impl Strategy<Value = Option<Fen>> {
    prop_oneof![
        1 => Just(None),
        3 => (0i64..700).prop_map(|m| Some(Fen::yuan(m * 1_000_000))),
    ]
}

fn annual(year: i32) -> impl Strategy<Value = Annual> {
    (flag(), flag(), money(), money(), money(), money()).prop_map(move |(above, master, revenue, local, total, rd)| {
        let (local, total) = match (local, total) {
            (Some(l), Some(t)) if l > t => (Some(t), Some(l)),
            other => other,
        };
        Annual {
            year,
            revenue,
            above_scale: above,
            chain_master: master,
            local_procurement: local,
            total_procurement: total,
            rd_expense: rd,
        }
    })
}

fn hist() -> impl Strategy<Value = Hist> {
    (proptest::option::of(2012i32..2027), proptest::sample::subsequence((2019..=2027).collect::<Vec<i32>>(), 1..=9))
        .prop_flat_map(|(established, years)| {
            let rows: Vec<_> = years.into_iter().map(annual).collect();
            (Just(established), rows)
        })
        .prop_map(|(established, rows)| Hist { established, rows })
}

fn ents(hs: &[Hist]) -> Vec<Ent> {
    hs.iter().map(|h| Ent { established: h.established, rows: h.rows.clone(), ..Ent::default() }).collect()
}

fn policies() -> Vec<Policy> {
    vec![
        policy(&[]),
        policy(&[
            "local_sourcing_increase.baseline=best_prior",
            "above_scale_retained_2y.counting=including_entry",
            "above_scale_retained_3y.counting=including_entry",
        ]),
    ]
}

const YEARS: std::ops::RangeInclusive<i32> = 2022..=2028;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Every fact of a year read by any rule in any assessment year has one value.
    #[test]
    fn every_rule_and_every_year_sees_one_value_per_fact(hs in proptest::collection::vec(hist(), 1..4)) {
        // The built-in rules, and the same rules written as expressions, which read the facts
        // through the same accessors.
        let all: Vec<Policy> =
            policies().into_iter().flat_map(|p| [lianzhang_policy::equivalent::rewritten(&p), p]).collect();
        for p in all {
            let ds = dataset(&p, ents(&hs));
            for facts in ds.iter() {
                let mut seen: HashMap<FactKey, (FactValue, String, i32)> = HashMap::new();
                for year in YEARS {
                    for r in facts_read(&p, facts, year) {
                        if let Some((v, rule, at)) = seen.get(&r.key) {
                            prop_assert_eq!(
                                *v, r.value,
                                "{:?}: {} assessing {} saw {:?}, {} assessing {} saw {:?} (history {:?})",
                                r.key, rule, at, v, r.rule, r.assessed, r.value, facts.annual
                            );
                        } else {
                            seen.insert(r.key, (r.value, r.rule.clone(), r.assessed));
                        }
                    }
                }
            }
        }
    }

    /// Black-box: when every year after E is known to be above scale, the retention award of
    /// E+2 (E+3) has exactly the status of the entry in E: an entry that needs review makes
    /// the retention need review, never an award and never nothing.
    #[test]
    fn retention_has_the_status_of_its_entry(hs in proptest::collection::vec(hist(), 1..4)) {
        // Without plausibility checks: a finding on a year of the run would (rightly) make the
        // retention need review on its own account.
        let mut p = policy(&[]);
        p.plausibility.clear();
        let ds = dataset(&p, ents(&hs));
        let by_year: HashMap<i32, Vec<_>> =
            YEARS.map(|y| (y, assess(&p, &ds, y, &NothingPaid).outcomes)).collect();
        let status = |uscc, year: i32, rule: &str| -> Option<Status> {
            by_year.get(&year)?.iter().find(|o| o.uscc == uscc && o.rule == rule).map(|o| o.status)
        };
        for facts in ds.iter() {
            let u = facts.enterprise.uscc;
            for (rule, n) in [("above_scale_retained_2y", 2), ("above_scale_retained_3y", 3)] {
                for y in YEARS {
                    let e = y - n;
                    if e < 2022 || facts.row(e).is_none() {
                        continue;
                    }
                    let run = (e + 1..=y).all(|j| facts.row(j).and_then(|r| r.above_scale) == Some(true));
                    if !run {
                        continue;
                    }
                    prop_assert_eq!(
                        status(u, y, rule),
                        status(u, e, "above_scale_entry"),
                        "{} in {} vs entry in {} (history {:?}, established {:?})",
                        rule, y, e, facts.annual, facts.enterprise.established
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// The built-in rules written as expressions (`equivalent::rewritten`) decide exactly as the
    /// built-in rules on histories with gaps, unknown cells and unknown or recent establishment:
    /// same statuses, same amounts, every assessment year, both retention countings.
    #[test]
    fn the_rules_written_as_expressions_decide_as_the_built_in_ones(hs in proptest::collection::vec(hist(), 1..4)) {
        for p in policies() {
            let rewritten = lianzhang_policy::equivalent::rewritten(&p);
            let ds = dataset(&p, ents(&hs));
            for year in YEARS {
                let key = |o: &lianzhang_policy::Outcome| {
                    (o.uscc, o.rule.clone(), o.project_id.clone(), o.status, o.amount)
                };
                let a: Vec<_> = assess(&p, &ds, year, &NothingPaid).outcomes.iter().map(key).collect();
                let b: Vec<_> = assess(&rewritten, &ds, year, &NothingPaid).outcomes.iter().map(key).collect();
                prop_assert_eq!(a, b, "{} (histories {:?})", year, hs);
            }
        }
    }
}

/// The case of issue 8: an entry that needs review in 2022 makes the retention awards of 2024
/// and 2025 need review, and an unknown 2022 (no row, history unknown) is not assumed "not above
/// scale" by the retention rule of 2024.
#[test]
fn entry_under_review_is_under_review_for_retention() {
    let p = policy(&[]);
    let above = |year| Annual { above_scale: Some(true), ..plain(year, 30_000_000) };
    let est_2020 = || vec![Ent { established: Some(2020), rows: (2022..=2025).map(above).collect(), ..Ent::default() }];
    assert_eq!(of(&p, est_2020(), 2022, "above_scale_entry"), review());
    assert_eq!(of(&p, est_2020(), 2024, "above_scale_retained_2y"), review());
    assert_eq!(of(&p, est_2020(), 2025, "above_scale_retained_3y"), review());
    let est_2021 = || vec![Ent { established: Some(2021), rows: (2023..=2025).map(above).collect(), ..Ent::default() }];
    assert_eq!(of(&p, est_2021(), 2023, "above_scale_entry"), review());
    assert_eq!(of(&p, est_2021(), 2024, "above_scale_retained_2y"), review());
    assert_eq!(of(&p, est_2021(), 2025, "above_scale_retained_2y"), review());
    assert_eq!(of(&p, est_2021(), 2025, "above_scale_retained_3y"), review());
}

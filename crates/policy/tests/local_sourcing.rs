//! 三（二）: local sourcing rate rise of chain masters.
mod common;
use common::*;
use lianzhang_facts::{Annual, Fen};
use lianzhang_policy::{Policy, Status};

fn m(year: i32, local: i64, total: i64) -> Annual {
    Annual {
        chain_master: Some(true),
        local_procurement: y(local),
        total_procurement: y(total),
        ..plain(year, 400_000_000)
    }
}

fn one(rows: Vec<Annual>) -> Vec<Ent> {
    vec![Ent { rows, ..Ent::default() }]
}

const R: &str = "local_sourcing_increase";

/// Every golden here holds for the built-in rule and for its expression alike (with the previous
/// year's rate as baseline; the best earlier rate has none): `lianzhang_policy::equivalent`.
fn of(p: &Policy, ents: Vec<Ent>, year: i32, rule: &str) -> Option<(Status, Option<String>)> {
    let built_in = common::of(p, ents.clone(), year, rule);
    let rewritten = lianzhang_policy::equivalent::rewritten(p);
    let i = rewritten.rules.iter().position(|r| r.id == rule).expect("the rule");
    if matches!(rewritten.rules[i].kind, lianzhang_policy::model::RuleKind::Formula { .. }) {
        assert_eq!(common::of(&rewritten, ents, year, rule), built_in, "the expression differs");
    } else {
        use lianzhang_policy::model::{RuleKind, SourcingBaseline};
        let best_prior =
            matches!(p.rules[i].kind, RuleKind::LocalSourcing { baseline: SourcingBaseline::BestPrior, .. });
        assert!(best_prior, "only the best earlier rate has no expression");
    }
    built_in
}

#[test]
fn the_worked_example_of_policy_md() {
    // total 800,000,000; rate 20.00% → 32.00%; Δ = 12; counted 10; matching 80,000,000; 800,000.
    let p = policy(&[]);
    let e = one(vec![m(2022, 160_000_000, 800_000_000), m(2023, 256_000_000, 800_000_000)]);
    assert_eq!(of(&p, e, 2023, R), award("800000.00"));
    let ds = dataset(&p, one(vec![m(2022, 160_000_000, 800_000_000), m(2023, 256_000_000, 800_000_000)]));
    let a = lianzhang_policy::assess(&p, &ds, 2023, &lianzhang_policy::NothingPaid);
    let text = &a.outcomes[0].explanation;
    // Money in 万元/亿元 as the web site shows it (issue 8): 80,000,000 is 8,000万元.
    for part in ["32.00%", "20.00%", "提高 12.00 个百分点", "计入 10 个百分点", "8,000万元", "奖励80万元"]
    {
        assert!(text.contains(part), "{part} not in {text}");
    }
}

#[test]
fn exactly_five_points_counts() {
    let p = policy(&[]);
    let e = one(vec![m(2022, 200_000_000, 1_000_000_000), m(2023, 250_000_000, 1_000_000_000)]);
    // 5 points × 1,000,000,000 = 50,000,000; 1% = 500,000.
    assert_eq!(of(&p, e, 2023, R), award("500000.00"));
}

#[test]
fn just_under_five_points_does_not() {
    let p = policy(&[]);
    let e = one(vec![m(2022, 200_000_000, 1_000_000_000), m(2023, 249_999_999, 1_000_000_000)]);
    assert_eq!(of(&p, e, 2023, R), None);
}

#[test]
fn five_points_of_thirds_is_exact_not_float() {
    // 1/3 → 1/3 + 1/20 exactly: 100/300 → 115/300.
    let p = policy(&[]);
    let e = one(vec![m(2022, 100, 300), m(2023, 115, 300)]);
    assert_eq!(of(&p, e, 2023, R), award("0.15"));
}

#[test]
fn the_subsidy_is_capped_at_one_million() {
    let p = policy(&[]);
    // 10% → 40%: 30 points × 400,000,000 × 1% = 1,200,000 → 1,000,000.
    let e = one(vec![m(2022, 40_000_000, 400_000_000), m(2023, 160_000_000, 400_000_000)]);
    assert_eq!(of(&p, e, 2023, R), award("1000000.00"));
    let p = policy(&["local_sourcing_increase.cap=2000000"]);
    let e = one(vec![m(2022, 40_000_000, 400_000_000), m(2023, 160_000_000, 400_000_000)]);
    assert_eq!(of(&p, e, 2023, R), award("1200000.00"));
}

#[test]
fn exact_counting_counts_the_whole_rise() {
    let p = policy(&["local_sourcing_increase.counting=exact"]);
    let e = one(vec![m(2022, 160_000_000, 800_000_000), m(2023, 256_000_000, 800_000_000)]);
    // 12 points × 800,000,000 × 1% = 960,000.
    assert_eq!(of(&p, e, 2023, R), award("960000.00"));
}

#[test]
fn best_prior_baseline_uses_the_highest_earlier_rate() {
    let rows = vec![
        m(2021, 300_000_000, 1_000_000_000),
        m(2022, 200_000_000, 1_000_000_000),
        m(2023, 320_000_000, 1_000_000_000),
    ];
    // previous_year: 20% → 32% = 12 → 10 points → 1,000,000 × ... = 100,000,000 × 1% = 1,000,000.
    assert_eq!(of(&policy(&[]), one(rows.clone()), 2023, R), award("1000000.00"));
    // best_prior: 30% → 32% = 2 points: nothing.
    assert_eq!(of(&policy(&["local_sourcing_increase.baseline=best_prior"]), one(rows), 2023, R), None);
}

#[test]
fn missing_previous_row_needs_review_unless_history_is_known_to_be_empty() {
    let p = policy(&[]);
    let rows = vec![m(2021, 100_000_000, 1_000_000_000), m(2023, 320_000_000, 1_000_000_000)];
    assert_eq!(of(&p, one(rows), 2023, R), review());
    // A new enterprise (established 2022, first row 2023) has no baseline rate: nothing.
    let new = vec![Ent { established: Some(2022), rows: vec![m(2023, 320_000_000, 1_000_000_000)], ..Ent::default() }];
    assert_eq!(of(&p, new, 2023, R), None);
}

#[test]
fn zero_total_procurement_has_no_rate() {
    let p = policy(&[]);
    assert_eq!(of(&p, one(vec![m(2022, 0, 0), m(2023, 300_000_000, 1_000_000_000)]), 2023, R), None);
    assert_eq!(of(&p, one(vec![m(2022, 100, 1_000), m(2023, 0, 0)]), 2023, R), None);
}

#[test]
fn unknown_current_procurement_needs_review_and_known_small_rise_decides() {
    let p = policy(&[]);
    let mut r = m(2023, 0, 1_000_000_000);
    r.local_procurement = None;
    assert_eq!(of(&p, one(vec![m(2022, 200_000_000, 1_000_000_000), r]), 2023, R), review());
    // best_prior with an unknown early year: a known rise below 5 points over a known rate decides.
    let p = policy(&["local_sourcing_increase.baseline=best_prior"]);
    let mut early = m(2021, 0, 0);
    early.total_procurement = None;
    let rows = vec![early, m(2022, 300_000_000, 1_000_000_000), m(2023, 320_000_000, 1_000_000_000)];
    assert_eq!(of(&p, one(rows), 2023, R), None);
}

#[test]
fn not_a_chain_master_gets_nothing() {
    let p = policy(&[]);
    let mut r = m(2023, 320_000_000, 1_000_000_000);
    r.chain_master = Some(false);
    assert_eq!(of(&p, one(vec![m(2022, 100_000_000, 1_000_000_000), r]), 2023, R), None);
}

#[test]
fn the_award_recurs_each_year_the_rate_rises() {
    let p = policy(&[]);
    let rows = vec![
        m(2022, 100_000_000, 1_000_000_000),
        m(2023, 150_000_000, 1_000_000_000),
        m(2024, 200_000_000, 1_000_000_000),
    ];
    assert_eq!(of(&p, one(rows.clone()), 2023, R), award("500000.00"));
    assert_eq!(of(&p, one(rows), 2024, R), award("500000.00"));
    let _ = (Fen(0), Status::Award);
}

#[test]
fn a_total_of_zero_has_no_rate_whatever_the_local_part() {
    // The local part unknown does not matter: with a total of 0 there is no rate (total > 0).
    let p = policy(&[]);
    let mut now = m(2023, 0, 0);
    now.local_procurement = None;
    assert_eq!(of(&p, one(vec![m(2022, 100, 1_000), now]), 2023, R), None);
    let mut before = m(2022, 0, 0);
    before.local_procurement = None;
    assert_eq!(of(&p, one(vec![before, m(2023, 300_000_000, 1_000_000_000)]), 2023, R), None);
}

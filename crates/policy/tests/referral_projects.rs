//! 三（六）R&D referral and 三（七）project subsidies; effective years; rounding.
mod common;
use common::*;
use lianzhang_facts::{Annual, Fen};
use lianzhang_policy::Status;

fn rd(year: i32, revenue: i64, rd: i64, above: bool) -> Annual {
    Annual { above_scale: Some(above), rd_expense: y(rd), ..plain(year, revenue) }
}

fn one(rows: Vec<Annual>) -> Vec<Ent> {
    vec![Ent { rows, ..Ent::default() }]
}

const RD: &str = "rd_referral";

#[test]
fn referral_at_each_boundary() {
    let p = policy(&[]);
    // 30,000,000 ≥ 30M; growth exactly 15% (26,086,956.52 → 30M is 15.000...%; use 20M→... ); share exactly 3%.
    let rows = vec![rd(2022, 900_000_000, 26_000_000, true), rd(2023, 1_000_000_000, 29_900_000, true)];
    assert_eq!(of(&p, one(rows), 2023, RD), None, "29.9M below 30M");
    // growth exactly 15%: 30,000,000 / 1.15 is not whole; use 40M → 46M (15%) and revenue 46M / 3% .
    let rows = vec![rd(2022, 1_000_000_000, 40_000_000, true), rd(2023, 1_533_333_333, 46_000_000, true)];
    assert_eq!(of(&p, one(rows), 2023, RD), Some((Status::Referral, None)));
    // one yuan less growth
    let rows = vec![rd(2022, 1_000_000_000, 40_000_000, true), rd(2023, 1_000_000_000, 45_999_999, true)];
    assert_eq!(of(&p, one(rows), 2023, RD), None);
    // share one yuan of revenue too many: 46M / 1,533,333,334 < 3%
    let rows = vec![rd(2022, 1_000_000_000, 40_000_000, true), rd(2023, 1_533_333_334, 46_000_000, true)];
    assert_eq!(of(&p, one(rows), 2023, RD), None);
    // not above scale
    let rows = vec![rd(2022, 1_000_000_000, 40_000_000, true), rd(2023, 1_000_000_000, 50_000_000, false)];
    assert_eq!(of(&p, one(rows), 2023, RD), None);
}

#[test]
fn referral_needs_review_without_last_years_rd() {
    let p = policy(&[]);
    let mut prev = rd(2022, 1_000_000_000, 0, true);
    prev.rd_expense = None;
    let rows = vec![prev, rd(2023, 1_000_000_000, 50_000_000, true)];
    assert_eq!(of(&p, one(rows), 2023, RD), review());
}

fn proj(category: &str, investment: Option<Fen>, completed: Option<i32>) -> Vec<Ent> {
    let p = policy(&[]);
    vec![Ent { projects: vec![project("XM-1", Some(category), investment, completed, &p)], ..Ent::default() }]
}

const PS: &str = "project_subsidy";

#[test]
fn project_threshold_at_ten_million_inclusive() {
    let p = policy(&[]);
    assert_eq!(of(&p, proj("transformation", y(10_000_000), Some(2023)), 2023, PS), award("1000000.00"));
    assert_eq!(of(&p, proj("energy_saving", Some(Fen(999_999_999)), Some(2023)), 2023, PS), None);
}

#[test]
fn digital_projects_have_no_threshold_and_other_projects_get_nothing() {
    let p = policy(&[]);
    assert_eq!(of(&p, proj("digital", y(3_000_000), Some(2023)), 2023, PS), award("300000.00"));
    assert_eq!(of(&p, proj("other", y(30_000_000), Some(2023)), 2023, PS), None);
    let p = policy(&["project_subsidy.threshold_categories=[\"transformation\",\"energy_saving\",\"digital\"]"]);
    assert_eq!(of(&p, proj("digital", y(3_000_000), Some(2023)), 2023, PS), None);
}

#[test]
fn project_cap_two_million_per_project() {
    let p = policy(&[]);
    assert_eq!(of(&p, proj("transformation", y(20_000_000), Some(2023)), 2023, PS), award("2000000.00"));
    assert_eq!(of(&p, proj("transformation", y(25_000_000), Some(2023)), 2023, PS), award("2000000.00"));
    let p = policy(&["project_subsidy.cap=1500000"]);
    assert_eq!(of(&p, proj("transformation", y(25_000_000), Some(2023)), 2023, PS), award("1500000.00"));
}

#[test]
fn project_only_in_its_completion_year_and_unknown_investment_needs_review() {
    let p = policy(&[]);
    assert_eq!(of(&p, proj("transformation", y(20_000_000), Some(2024)), 2023, PS), None);
    assert_eq!(of(&p, proj("transformation", y(20_000_000), None), 2023, PS), None);
    assert_eq!(of(&p, proj("digital", None, Some(2023)), 2023, PS), review());
}

#[test]
fn each_project_is_its_own_outcome_sorted_by_project_id() {
    let p = policy(&[]);
    let e = vec![Ent {
        projects: vec![
            project("XM-2", Some("digital"), y(1_000_000), Some(2023), &p),
            project("XM-1", Some("transformation"), y(12_000_000), Some(2023), &p),
        ],
        ..Ent::default()
    }];
    let ds = dataset(&p, e);
    let a = lianzhang_policy::assess(&p, &ds, 2023, &lianzhang_policy::NothingPaid);
    let ids: Vec<_> = a.outcomes.iter().map(|o| o.project_id.clone().unwrap()).collect();
    assert_eq!(ids, vec!["XM-1", "XM-2"]);
    assert_eq!(a.total().to_string(), "1300000.00");
}

#[test]
fn rounding_is_once_at_the_end_half_away_from_zero_or_half_even() {
    // 10% of 10,000,000.05 = 1,000,000.005.
    let inv = Some(Fen(1_000_000_005));
    assert_eq!(of(&policy(&[]), proj("transformation", inv, Some(2023)), 2023, PS), award("1000000.01"));
    assert_eq!(
        of(&policy(&["policy.rounding=half_even"]), proj("transformation", inv, Some(2023)), 2023, PS),
        award("1000000.00")
    );
}

#[test]
fn years_before_the_policy_are_not_assessed() {
    let p = policy(&[]);
    assert_eq!(outcomes(&p, proj("digital", y(3_000_000), Some(2021)), 2021), vec![]);
    let p = policy(&["policy.effective_to=2024"]);
    assert_eq!(outcomes(&p, proj("digital", y(3_000_000), Some(2025)), 2025), vec![]);
}

#[test]
fn explanation_shows_the_amount_the_award_pays() {
    // 10% of 10,000,000.05 = 1,000,000.005: the award is 1,000,000.01 half away from zero, and
    // the arithmetic in the explanation must print the same figure, not a banker's 1,000,000.00.
    let inv = Some(Fen(1_000_000_005));
    // The exact figure is shown, then the rounding the award uses (issue 8: a fen that matters
    // is shown in yuan; a round figure in 万元).
    for (sets, shown, hidden) in [
        (&[][..], "1,000,000.005元，四舍五入为1,000,000.01元", "100万元"),
        (&["policy.rounding=half_even"][..], "1,000,000.005元，四舍六入五成双为100万元", "1,000,000.01元"),
    ] {
        let p = policy(sets);
        let ds = dataset(&p, proj("transformation", inv, Some(2023)));
        let a = lianzhang_policy::assess(&p, &ds, 2023, &lianzhang_policy::NothingPaid);
        let o = a.outcomes.iter().find(|o| o.rule == PS).expect("project outcome");
        assert!(o.explanation.contains(shown), "{sets:?}: {}", o.explanation);
        assert!(!o.explanation.contains(hidden), "{sets:?}: {}", o.explanation);
    }
}

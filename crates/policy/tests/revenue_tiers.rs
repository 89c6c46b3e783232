//! 三（一）: chain-master revenue tiers, at and across each boundary.
mod common;
use common::*;
use lianzhang_policy::Status;

fn master(year: i32, revenue: Option<i64>) -> lianzhang_facts::Annual {
    lianzhang_facts::Annual { chain_master: Some(true), revenue: revenue.and_then(y), ..plain(year, 0) }
}

fn ent(rows: Vec<lianzhang_facts::Annual>) -> Vec<Ent> {
    vec![Ent { rows, ..Ent::default() }]
}

#[test]
fn exactly_300m_is_reached_以上_includes_the_number() {
    let p = policy(&[]);
    let e = ent(vec![master(2022, Some(250_000_000)), master(2023, Some(300_000_000))]);
    assert_eq!(of(&p, e, 2023, "chain_master_revenue_300m"), award("100000.00"));
}

#[test]
fn one_fen_below_300m_is_not() {
    let p = policy(&[]);
    let mut r = master(2023, None);
    r.revenue = Some(lianzhang_facts::Fen(300_000_000 * 100 - 1));
    let e = ent(vec![master(2022, Some(250_000_000)), r]);
    assert_eq!(of(&p, e, 2023, "chain_master_revenue_300m"), None);
}

#[test]
fn an_earlier_year_above_the_tier_makes_it_not_first_even_when_not_master_then() {
    let p = policy(&[]);
    let e = ent(vec![plain(2021, 310_000_000), master(2022, Some(290_000_000)), master(2023, Some(320_000_000))]);
    assert_eq!(of(&p, e, 2023, "chain_master_revenue_300m"), None);
}

#[test]
fn not_chain_master_in_the_year_gives_nothing_even_with_unknown_revenue() {
    let p = policy(&[]);
    let mut r = plain(2023, 0);
    r.revenue = None;
    let e = ent(vec![plain(2022, 100), r]);
    assert_eq!(outcomes(&p, e, 2023), vec![]);
}

#[test]
fn unknown_chain_master_flag_needs_review() {
    let p = policy(&[]);
    let mut r = master(2023, Some(320_000_000));
    r.chain_master = None;
    let e = ent(vec![master(2022, Some(200_000_000)), r]);
    assert_eq!(of(&p, e, 2023, "chain_master_revenue_300m"), review());
}

#[test]
fn unknown_earlier_revenue_needs_review_naming_the_year() {
    let p = policy(&[]);
    let e = ent(vec![master(2021, None), master(2022, Some(200_000_000)), master(2023, Some(320_000_000))]);
    let ds = dataset(&p, e);
    let a = lianzhang_policy::assess(&p, &ds, 2023, &lianzhang_policy::NothingPaid);
    let o = a.outcomes.iter().find(|o| o.rule == "chain_master_revenue_300m").expect("outcome");
    assert_eq!(o.status, Status::NeedsReview);
    assert_eq!(o.amount, None);
    assert_eq!(o.missing, vec!["2021年营业收入".to_string()]);
    assert!(o.explanation.contains("待核实：2021年营业收入"), "{}", o.explanation);
}

#[test]
fn a_gap_year_after_the_first_row_is_unknown() {
    let p = policy(&[]);
    let e =
        ent(vec![master(2020, Some(100_000_000)), master(2022, Some(200_000_000)), master(2023, Some(320_000_000))]);
    assert_eq!(of(&p, e, 2023, "chain_master_revenue_300m"), review());
}

#[test]
fn no_history_before_the_first_row_needs_review_unless_new_or_previous_row_present() {
    let p = policy(&[]);
    // First row is the assessed year, established long ago: history before F unknown.
    let old = vec![Ent { rows: vec![master(2023, Some(320_000_000))], ..Ent::default() }];
    assert_eq!(of(&p, old, 2023, "chain_master_revenue_300m"), review());
    // Established in F−1: the years before F count as not reached.
    let new = vec![Ent { established: Some(2022), rows: vec![master(2023, Some(320_000_000))], ..Ent::default() }];
    assert_eq!(of(&p, new, 2023, "chain_master_revenue_300m"), award("100000.00"));
    // Established unknown but the row for Y−1 is present: known.
    let prev = vec![Ent {
        established: None,
        // (200,000,000 in 2022: a 1-yuan revenue would now be a plausibility finding.)
        rows: vec![master(2022, Some(200_000_000)), master(2023, Some(320_000_000))],
        ..Ent::default()
    }];
    assert_eq!(of(&p, prev, 2023, "chain_master_revenue_300m"), award("100000.00"));
}

#[test]
fn crossing_both_tiers_in_one_year_pays_both_by_default() {
    let p = policy(&[]);
    let e = ent(vec![master(2022, Some(200_000_000)), master(2023, Some(500_000_000))]);
    let out = outcomes(&p, e, 2023);
    assert_eq!(
        out,
        vec![
            ("chain_master_revenue_300m".into(), Status::Award, Some("100000.00".into())),
            ("chain_master_revenue_500m".into(), Status::Award, Some("200000.00".into())),
        ]
    );
}

#[test]
fn highest_pays_only_the_higher_tier() {
    let p = policy(&["chain_master_revenue.pay=highest"]);
    let e = ent(vec![master(2022, Some(200_000_000)), master(2023, Some(600_000_000))]);
    let out = outcomes(&p, e, 2023);
    assert_eq!(out, vec![("chain_master_revenue_500m".into(), Status::Award, Some("200000.00".into()))]);
}

#[test]
fn highest_still_pays_the_lower_tier_when_the_higher_is_not_crossed() {
    let p = policy(&["chain_master_revenue.pay=highest"]);
    let e = ent(vec![master(2022, Some(200_000_000)), master(2023, Some(499_999_999))]);
    assert_eq!(of(&p, e, 2023, "chain_master_revenue_300m"), award("100000.00"));
}

#[test]
fn tiers_crossed_in_successive_years_each_pay_in_their_year() {
    let p = policy(&["chain_master_revenue.pay=highest"]);
    let rows = vec![plain(2021, 100_000_000), master(2022, Some(350_000_000)), master(2023, Some(550_000_000))];
    assert_eq!(of(&p, ent(rows.clone()), 2022, "chain_master_revenue_300m"), award("100000.00"));
    assert_eq!(of(&p, ent(rows.clone()), 2023, "chain_master_revenue_500m"), award("200000.00"));
    assert_eq!(of(&p, ent(rows), 2023, "chain_master_revenue_300m"), None);
}

#[test]
fn overriding_the_amount_changes_the_award() {
    let p = policy(&["chain_master_revenue_300m.amount=150000.50"]);
    let e = ent(vec![master(2022, Some(250_000_000)), master(2023, Some(300_000_000))]);
    assert_eq!(of(&p, e, 2023, "chain_master_revenue_300m"), award("150000.50"));
}

//! 潜在可享 (issue 12): an enterprise moved across each nearness boundary enters or leaves the
//! list, with its gap in its own terms, and the boundaries are the policy's `[nearness]`.
mod common;
use common::*;
use lianzhang_facts::{Annual, Project};
use lianzhang_policy::Policy;
use lianzhang_policy::near::{NearKind, NearMiss, near_misses};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn near(p: &Policy, e: Ent, year: i32) -> Vec<NearMiss> {
    let ds = dataset(p, vec![e]);
    near_misses(p, ds.get(0), year)
}

fn of(list: &[NearMiss], kind: NearKind) -> Option<&NearMiss> {
    list.iter().find(|m| m.kind == kind)
}

fn chain_master(year: i32, revenue: i64) -> Annual {
    Annual { chain_master: Some(true), above_scale: Some(true), ..plain(year, revenue) }
}

/// 3亿 tier, 10%: 2.7亿 is on the list, 2.7亿 − 1 yuan is not, 3亿 is an award (not near).
#[test]
fn a_chain_master_within_the_share_of_a_tier() {
    let p = policy(&[]);
    let at = |revenue: i64| {
        near(
            &p,
            Ent { rows: vec![chain_master(2023, 250_000_000), chain_master(2024, revenue)], ..Ent::default() },
            2024,
        )
    };
    let m = at(270_000_000);
    let tier = of(&m, NearKind::RevenueTier).expect("at 90% of 3亿");
    assert_eq!(tier.gap, Some(dec!(30_000_000)));
    assert_eq!(tier.at_stake, dec!(100_000.00));
    // Growth 8% a year: 2.7亿 → 2.916亿 (2025) → 3.149亿 (2026).
    assert_eq!(tier.expected_year, Some(2026));
    assert!(
        tier.explanation.contains("距“链主企业年度营业收入首次达到3亿元进档奖励”的门槛3亿元还差3,000万元"),
        "{}",
        tier.explanation
    );
    assert!(of(&at(269_999_999), NearKind::RevenueTier).is_none(), "below 90%");
    assert!(of(&at(300_000_000), NearKind::RevenueTier).is_none(), "reached: an award, not a near-miss");
    // Not a chain master that year: not near.
    let plain_ent = Ent { rows: vec![plain(2024, 280_000_000)], ..Ent::default() };
    assert!(of(&near(&p, plain_ent, 2024), NearKind::RevenueTier).is_none());
    // Reached in an earlier year (first time only): not near again.
    let before = Ent { rows: vec![chain_master(2023, 310_000_000), chain_master(2024, 290_000_000)], ..Ent::default() };
    assert!(of(&near(&p, before, 2024), NearKind::RevenueTier).is_none());
    // The share is the policy's.
    let p20 = policy(&["nearness.tier_share=\"0.20\""]);
    let e = Ent { rows: vec![chain_master(2024, 245_000_000)], ..Ent::default() };
    assert!(of(&near(&p20, e.clone(), 2024), NearKind::RevenueTier).is_some());
    assert!(of(&near(&p, e, 2024), NearKind::RevenueTier).is_none());
}

/// 规上 line 2,000万, 20%: 1,600万 and growing is near; 1,600万 − 1 is not; not growing is not;
/// above the line but not yet in the list: gap 0.
#[test]
fn a_below_scale_enterprise_near_the_line_and_growing() {
    let p = policy(&[]);
    let at =
        |last: i64, now: i64| near(&p, Ent { rows: vec![plain(2023, last), plain(2024, now)], ..Ent::default() }, 2024);
    let m = at(14_000_000, 16_000_000);
    let a = of(&m, NearKind::AboveScale).expect("at 80% and growing");
    assert_eq!(a.gap, Some(dec!(4_000_000)));
    assert_eq!(a.at_stake, dec!(100_000.00), "the entry award (not strategic: no bonus)");
    // 1,600万 growing 1/7 a year: 1,828.6万 (2025), 2,089.8万 (2026).
    assert_eq!(a.expected_year, Some(2026));
    assert!(a.explanation.contains("距规上标准2,000万元还差400万元"), "{}", a.explanation);
    assert!(of(&at(14_000_000, 15_999_999), NearKind::AboveScale).is_none(), "below 80%");
    assert!(of(&at(17_000_000, 16_000_000), NearKind::AboveScale).is_none(), "shrinking");
    let over = at(19_000_000, 21_000_000);
    let o = of(&over, NearKind::AboveScale).expect("over the line, not in the list");
    assert_eq!(o.gap, Some(Decimal::ZERO));
    assert!(o.explanation.contains("尚未纳入规上工业企业库"), "{}", o.explanation);
    // A strategic emerging enterprise would get the bonus too: one line, both rules.
    let s = near(
        &p,
        Ent { strategic: Some(true), rows: vec![plain(2023, 15_000_000), plain(2024, 17_000_000)], ..Ent::default() },
        2024,
    );
    let s = of(&s, NearKind::AboveScale).unwrap();
    assert_eq!((s.rules.len(), s.at_stake), (2, dec!(200_000.00)));
    // Above scale before: the entry award was its first time, not again.
    let was = Ent {
        rows: vec![
            Annual { above_scale: Some(true), ..plain(2022, 21_000_000) },
            plain(2023, 15_000_000),
            plain(2024, 17_000_000),
        ],
        ..Ent::default()
    };
    assert!(of(&near(&p, was, 2024), NearKind::AboveScale).is_none());
}

fn sourcing(year: i32, local: i64, total: i64) -> Annual {
    Annual { local_procurement: y(local), total_procurement: y(total), ..chain_master(year, 400_000_000) }
}

/// Minimum rise 5 points, nearness 5 points: a rise of 0 to 4.99… points is near, with the local
/// procurement still needed at this year's total; 5 points is a subsidy; a fall is not near.
#[test]
fn a_chain_master_short_of_the_sourcing_step() {
    let p = policy(&[]);
    let at = |local_now: i64| {
        near(
            &p,
            Ent {
                rows: vec![sourcing(2023, 40_000_000, 100_000_000), sourcing(2024, local_now, 100_000_000)],
                ..Ent::default()
            },
            2024,
        )
    };
    let m = at(43_000_000);
    let s = of(&m, NearKind::LocalSourcing).expect("3 points of 5");
    assert_eq!(s.gap, Some(dec!(2_000_000.00)), "2 points of 1亿");
    assert_eq!(s.at_stake, dec!(50_000.00), "5 points of 1亿 × 1%");
    assert!(s.explanation.contains("还差2个"), "{}", s.explanation);
    assert!(of(&at(40_000_000), NearKind::LocalSourcing).is_some(), "no rise: one step short");
    assert!(of(&at(39_999_999), NearKind::LocalSourcing).is_none(), "a fall");
    assert!(of(&at(45_000_000), NearKind::LocalSourcing).is_none(), "5 points: a subsidy");
    // Nearness of 2 points: 3 points short is not near.
    let p2 = policy(&["nearness.sourcing_points=\"2\""]);
    let e = Ent {
        rows: vec![sourcing(2023, 40_000_000, 100_000_000), sourcing(2024, 42_000_000, 100_000_000)],
        ..Ent::default()
    };
    assert!(of(&near(&p2, e.clone(), 2024), NearKind::LocalSourcing).is_none());
    assert!(of(&near(&p, e, 2024), NearKind::LocalSourcing).is_some());
}

fn research(year: i32, revenue: i64, rd: i64) -> Annual {
    Annual { above_scale: Some(true), rd_expense: y(rd), ..plain(year, revenue) }
}

/// 3,000万, 15%, 3%; 20%: one condition missing by at most a fifth of it.
#[test]
fn a_research_referral_missing_one_condition() {
    let p = policy(&[]);
    let at = |prev_rd: i64, revenue: i64, rd: i64| {
        near(
            &p,
            Ent { rows: vec![research(2023, revenue, prev_rd), research(2024, revenue, rd)], ..Ent::default() },
            2024,
        )
    };
    // Expense 2,400万 (80% of 3,000万), growth 20%, intensity 3%: near, 600万 short.
    let m = at(20_000_000, 800_000_000, 24_000_000);
    let r = of(&m, NearKind::Referral).expect("expense at 80%");
    assert_eq!(r.gap, Some(dec!(6_000_000.00)));
    assert!(r.explanation.contains("研发投入2,400万元，距3,000万元还差600万元"), "{}", r.explanation);
    assert!(of(&at(20_000_000, 700_000_000, 24_000_000), NearKind::Referral).is_some(), "80%, intensity 3.4%");
    assert!(of(&at(20_000_000, 700_000_000, 23_999_999), NearKind::Referral).is_none(), "below 80%");
    // Growth 13% of 15% (≥ 12%): near; 11%: not.
    let g = at(30_000_000, 1_000_000_000, 33_900_000);
    let g = of(&g, NearKind::Referral).expect("growth 13%");
    assert!(g.explanation.contains("研发投入增长13%，距15%还差2个百分点"), "{}", g.explanation);
    assert_eq!(g.gap, Some(dec!(600_000.00)), "3,450万 − 3,390万");
    assert!(of(&at(30_000_000, 1_000_000_000, 33_300_000), NearKind::Referral).is_none());
    // Two conditions missing: not near. All met: a referral, not near.
    assert!(of(&at(30_000_000, 2_000_000_000, 33_000_000), NearKind::Referral).is_none());
    assert!(of(&at(30_000_000, 1_000_000_000, 36_000_000), NearKind::Referral).is_none());
}

/// A project started and not completed whose category and investment qualify: its ceiling.
#[test]
fn a_project_under_way_that_will_qualify() {
    let p = policy(&[]);
    let v = &p.vocabulary;
    let project = |id: &str, category: &str, investment: i64, completed: Option<i32>| Project {
        project_id: id.into(),
        name: format!("项目{id}"),
        category: v.project_category(category),
        fixed_asset_investment: y(investment),
        start_year: Some(2023),
        completed_year: completed,
    };
    let e = Ent {
        rows: vec![plain(2024, 50_000_000)],
        projects: vec![
            project("A", "transformation", 15_000_000, None),
            project("B", "transformation", 9_999_999, None),
            project("C", "digital", 5_000_000, Some(2025)),
            project("D", "transformation", 30_000_000, Some(2024)),
            project("E", "transformation", 50_000_000, None),
        ],
        ..Ent::default()
    };
    let m = near(&p, e, 2024);
    let projects: Vec<(String, Decimal)> =
        m.iter().filter(|m| m.kind == NearKind::Project).map(|m| (m.project_id.clone().unwrap(), m.at_stake)).collect();
    // B under the 1,000万 threshold; D completed this year (assessed, not near); E capped at 200万.
    assert_eq!(
        projects,
        [
            ("A".to_string(), dec!(1_500_000.00)),
            ("C".to_string(), dec!(500_000.00)),
            ("E".to_string(), dec!(2_000_000.00))
        ]
    );
}

/// The parameters are checked when the file is read.
#[test]
fn nearness_parameters_are_checked() {
    let mut f = lianzhang_policy::PolicyFile::bundled();
    f.set("nearness.tier_share=\"1.5\"");
    f.set("nearness.sourcing_points=\"0\"");
    let e = f.compile().unwrap_err();
    let text = e.to_plain();
    assert!(text.contains("比例应大于 0、小于 1") && text.contains("百分点数应大于 0"), "{text}");
}

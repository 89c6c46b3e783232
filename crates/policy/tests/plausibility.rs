//! Plausibility checks (issue 8 item 2): each check at and around its threshold, one finding per
//! cause, confirmations that clear a finding for one value only, the policy section's
//! diagnostics, and the engine's use of findings (needs review, never an award paid on them).
mod common;
use common::*;
use lianzhang_facts::{Annual, Fen};
use lianzhang_policy::file::BUNDLED_TEXT;
use lianzhang_policy::plausibility::{Confirmations, check, findings_of};
use lianzhang_policy::{NothingPaid, PolicyFile, Status, assess, assess_with};
use proptest::prelude::*;

fn row(year: i32, revenue: i64, above: bool) -> Annual {
    Annual { above_scale: Some(above), ..plain(year, revenue) }
}

fn checks_of(rows: Vec<Annual>) -> Vec<(String, i32, Vec<String>)> {
    let p = policy(&[]);
    let ds = dataset(&p, vec![Ent { rows, ..Ent::default() }]);
    check(&p, &ds, &Confirmations::none())
        .into_iter()
        .map(|f| (f.check, f.year, f.facts.into_iter().map(|i| i.fact.field).collect()))
        .collect()
}

#[test]
fn above_scale_revenue_below_the_line_at_and_around_20_million() {
    let below = checks_of(vec![row(2023, 19_999_999, true)]);
    assert_eq!(
        below,
        vec![("above_scale_revenue_below_line".into(), 2023, vec!["revenue".into(), "above_scale".into()])]
    );
    // 以上 includes the number itself: exactly the line is fine.
    assert_eq!(checks_of(vec![row(2023, 20_000_000, true)]), vec![]);
    // Not above scale: a small revenue is no contradiction.
    assert_eq!(checks_of(vec![row(2023, 2_200, false)]), vec![]);
    // The line is a parameter of the policy file.
    let p = policy(&["above_scale_revenue_below_line.line=30000000"]);
    let ds = dataset(&p, vec![Ent { rows: vec![row(2023, 25_000_000, true)], ..Ent::default() }]);
    assert_eq!(check(&p, &ds, &Confirmations::none()).len(), 1);
}

#[test]
fn unit_jump_at_and_around_the_factor_names_the_smaller_value() {
    // 1,000 times smaller than the year before: a finding on the smaller year.
    let f = checks_of(vec![row(2022, 30_000_000, false), row(2023, 30_000, false)]);
    assert_eq!(f, vec![("unit_jump".into(), 2023, vec!["revenue".into()])]);
    // Just under 1,000 times: no unit jump, but a fall of 99.9% is a revenue collapse.
    let f = checks_of(vec![row(2022, 30_000_000, false), row(2023, 30_031, false)]);
    assert_eq!(f, vec![("revenue_collapse".into(), 2023, vec!["revenue".into()])]);
    // Another money fact just under the factor: nothing.
    let rd = |year, v| Annual { rd_expense: y(v), ..plain(year, 50_000_000) };
    assert_eq!(checks_of(vec![rd(2022, 3_000_000), rd(2023, 3_001)]), vec![]);
    let f = checks_of(vec![rd(2022, 3_000_000), rd(2023, 3_000)]);
    assert_eq!(f, vec![("unit_jump".into(), 2023, vec!["rd_expense".into()])]);
    // A rise: the earlier year is the one suspected.
    let f = checks_of(vec![row(2022, 3_000, false), row(2023, 30_000_000, false)]);
    assert_eq!(f, vec![("unit_jump".into(), 2022, vec!["revenue".into()])]);
    // Not consecutive years: no comparison.
    assert_eq!(checks_of(vec![row(2021, 30_000_000, false), row(2023, 3_000, false)]), vec![]);
}

#[test]
fn one_cause_one_finding_the_unit_jump_wins() {
    // A 9,000-fold fall is both a unit jump and a revenue collapse: one finding.
    let f = checks_of(vec![row(2022, 280_000_000, true), row(2023, 31_000, true)]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "unit_jump");
    // It absorbs the above-scale line of the same year: the flag is doubtful too.
    assert!(f[0].2.contains(&"above_scale".to_string()), "{f:?}");
    // A fall of 95% without a unit jump is a collapse.
    let f = checks_of(vec![row(2022, 100_000_000, false), row(2023, 5_000_000, false)]);
    assert_eq!(f, vec![("revenue_collapse".into(), 2023, vec!["revenue".into()])]);
    // A fall of exactly 90%: not beyond the limit.
    assert_eq!(checks_of(vec![row(2022, 100_000_000, false), row(2023, 10_000_000, false)]), vec![]);
}

#[test]
fn local_procurement_above_total() {
    let r = Annual { local_procurement: y(5_000_001), total_procurement: y(5_000_000), ..plain(2023, 50_000_000) };
    let f = checks_of(vec![r]);
    assert_eq!(
        f,
        vec![("local_above_total".into(), 2023, vec!["local_procurement".into(), "total_procurement".into()])]
    );
    let r = Annual { local_procurement: y(5_000_000), total_procurement: y(5_000_000), ..plain(2023, 50_000_000) };
    assert_eq!(checks_of(vec![r]), vec![]);
}

#[test]
fn a_suspected_year_makes_its_projects_doubtful_but_a_small_project_alone_is_not() {
    let p = policy(&[]);
    let rows = vec![row(2022, 15_000_000, false), row(2023, 2_200, true)];
    let ents = || {
        vec![Ent {
            rows: rows.clone(),
            projects: vec![project("XM-1", Some("energy_saving"), y(1_200), Some(2023), &p)],
            ..Ent::default()
        }]
    };
    let ds = dataset(&p, ents());
    let f = check(&p, &ds, &Confirmations::none());
    assert!(f[0].facts.iter().any(|i| i.fact.project_id.as_deref() == Some("XM-1")), "{f:?}");
    assert_eq!(of(&p, ents(), 2023, "project_subsidy"), review());
    assert_eq!(of(&p, ents(), 2023, "above_scale_entry"), review());
    // A 123.45-yuan digital project of a plausible year is paid (no "too small" check).
    let small = vec![Ent {
        rows: vec![row(2023, 50_000_000, false)],
        projects: vec![project("XM-A", Some("digital"), Some(Fen(12_345)), Some(2023), &p)],
        ..Ent::default()
    }];
    assert_eq!(of(&p, small, 2023, "project_subsidy"), award("12.35"));
}

#[test]
fn a_rule_that_does_not_read_the_doubtful_fact_is_unaffected() {
    // Revenue of 2023 suspected; the recognition award of 2023 reads no revenue.
    let p = policy(&[]);
    let e = vec![Ent {
        rows: vec![row(2022, 280_000_000, false), row(2023, 31_000, false)],
        recognitions: vec![("specialized_city", 2023)],
        ..Ent::default()
    }];
    assert_eq!(of(&p, e, 2023, "specialized_city"), award("30000.00"));
}

#[test]
fn a_confirmation_clears_the_finding_for_that_value_only() {
    let p = policy(&[]);
    let rows = |v| vec![row(2022, 15_000_000, false), row(2023, v, true)];
    let ds = dataset(&p, vec![Ent { rows: rows(2_200), ..Ent::default() }]);
    let found = check(&p, &ds, &Confirmations::none());
    assert_eq!(found.len(), 1);
    let confirmed = Confirmations { items: Confirmations::for_finding(&found[0]) };
    assert!(check(&p, &ds, &confirmed).is_empty());
    let a = assess_with(&p, &ds, 2023, &NothingPaid, &confirmed);
    let entry = a.outcomes.iter().find(|o| o.rule == "above_scale_entry").unwrap();
    assert_eq!(entry.status, Status::Award);
    assert!(a.findings.is_empty());
    // The value changes: the finding is back.
    let ds2 = dataset(&p, vec![Ent { rows: rows(2_300), ..Ent::default() }]);
    assert_eq!(check(&p, &ds2, &confirmed).len(), 1);
    // Serialisable, for the store.
    let json = serde_json::to_string(&confirmed).unwrap();
    assert_eq!(serde_json::from_str::<Confirmations>(&json).unwrap(), confirmed);
    let f = serde_json::to_value(&found[0]).unwrap();
    assert_eq!(f["uscc"], ds.get(0).enterprise.uscc.as_str());
    assert!(f["message"].as_str().unwrap().contains("疑似按万元填报"));
}

#[test]
fn the_needs_review_outcome_names_the_finding_and_the_value() {
    let p = policy(&[]);
    let ds =
        dataset(&p, vec![Ent { rows: vec![row(2022, 15_000_000, false), row(2023, 2_200, true)], ..Ent::default() }]);
    let a = assess(&p, &ds, 2023, &NothingPaid);
    let entry = a.outcomes.iter().find(|o| o.rule == "above_scale_entry").unwrap();
    assert_eq!(entry.status, Status::NeedsReview);
    assert!(entry.missing.iter().any(|m| m.starts_with("疑似按万元填报：2023年")), "{:?}", entry.missing);
    assert_eq!(a.findings.len(), 1);
    assert_eq!(findings_of(&p, ds.get(0), &Confirmations::none()), a.findings);
}

#[test]
fn the_plausibility_section_is_checked_like_the_rest() {
    let text = BUNDLED_TEXT
        .replace("[plausibility.local_above_total]", "[plausibility.local_above_totl]")
        .replace("factor = \"1000\"", "factor = \"1\"")
        .replace("max_drop = \"0.9\"", "max_drop = \"0.9\"\nmax_rise = \"9\"");
    let out = match PolicyFile::parse("bad.toml", text).compile() {
        Ok(_) => panic!("accepted a bad plausibility section"),
        Err(e) => e.to_plain(),
    };
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.contains("未知核查项 `local_above_totl`"), "{out}");
    assert!(out.contains("倍数应大于 1"), "{out}");
    assert!(out.contains("未知参数 `max_rise`"), "{out}");
    // Without the section, no check runs (an older policy file still compiles).
    let start = BUNDLED_TEXT.find("[plausibility.above_scale_revenue_below_line]").unwrap();
    let end = BUNDLED_TEXT.find("# Targets (parts").unwrap();
    let without = format!("{}{}", &BUNDLED_TEXT[..start], &BUNDLED_TEXT[end..]);
    let p = PolicyFile::parse("old.toml", without).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    assert!(p.plausibility.is_empty());
}

fn money() -> impl Strategy<Value = Option<Fen>> {
    prop_oneof![
        1 => Just(None),
        2 => (0i64..60_000_000_000).prop_map(|f| Some(Fen(f))),
        2 => (0i64..800_000).prop_map(|y| Some(Fen::yuan(y * 1000))),
        1 => (0i64..50_000).prop_map(|y| Some(Fen::yuan(y))),
    ]
}

fn flag() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![1 => Just(None), 3 => any::<bool>().prop_map(Some)]
}

/// An enterprise: establishment year, rows, projects (investment, completion year).
type Hist = (Option<i32>, Vec<Annual>, Vec<(Option<Fen>, Option<i32>)>);

fn hist() -> impl Strategy<Value = Hist> {
    (
        proptest::option::of(2012i32..2026),
        proptest::sample::subsequence((2019..=2025).collect::<Vec<i32>>(), 0..=7),
        proptest::collection::vec((money(), proptest::option::of(2021i32..2026)), 0..3),
    )
        .prop_flat_map(|(est, years, projects)| {
            let rows: Vec<_> = years
                .into_iter()
                .map(|year| {
                    (money(), flag(), flag(), money(), money(), money()).prop_map(move |(r, a, m, l, t, rd)| {
                        let (l, t) = match (l, t) {
                            (Some(l), Some(t)) if l > t => (Some(t), Some(l)),
                            other => other,
                        };
                        Annual {
                            year,
                            revenue: r,
                            above_scale: a,
                            chain_master: m,
                            local_procurement: l,
                            total_procurement: t,
                            rd_expense: rd,
                        }
                    })
                })
                .collect();
            (Just(est), rows, Just(projects))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// The checks only ever turn outcomes into needs_review: with no finding the outcomes are
    /// exactly those of the same policy without checks, and with findings no award is created
    /// or changed.
    #[test]
    fn checks_only_turn_outcomes_into_needs_review(hs in proptest::collection::vec(hist(), 1..5), year in 2022i32..2026) {
        let with = policy(&[]);
        let mut without = with.clone();
        without.plausibility.clear();
        let ents: Vec<Ent> = hs
            .iter()
            .enumerate()
            .map(|(e, (est, rows, projects))| Ent {
                established: *est,
                rows: rows.clone(),
                projects: projects
                    .iter()
                    .enumerate()
                    .map(|(i, (inv, done))| project(&format!("P{e}-{i}"), Some("transformation"), *inv, *done, &with))
                    .collect(),
                ..Ent::default()
            })
            .collect();
        let ds = dataset(&with, ents);
        let a = assess(&with, &ds, year, &NothingPaid);
        let b = assess(&without, &ds, year, &NothingPaid);
        prop_assert!(b.findings.is_empty());
        if a.findings.is_empty() {
            prop_assert_eq!(&a.outcomes, &b.outcomes);
        }
        for o in &a.outcomes {
            let before = b.outcomes.iter().find(|x| x.uscc == o.uscc && x.rule == o.rule && x.project_id == o.project_id);
            match o.status {
                Status::NeedsReview => {}
                _ => {
                    let before = before.expect("a finding created an outcome");
                    prop_assert_eq!(before.status, o.status);
                    prop_assert_eq!(before.amount, o.amount);
                }
            }
        }
        // Every outcome that changed names a finding's label among its reasons.
        for x in &b.outcomes {
            let now = a.outcomes.iter().find(|o| o.uscc == x.uscc && o.rule == x.rule && o.project_id == x.project_id);
            if let Some(now) = now && now.status != x.status {
                prop_assert_eq!(now.status, Status::NeedsReview);
                let labels: Vec<&str> = a.findings.iter().filter(|f| f.uscc == x.uscc).map(|f| f.label.as_str()).collect();
                prop_assert!(now.missing.iter().any(|m| labels.iter().any(|l| m.starts_with(l))), "{:?} {:?}", now.missing, labels);
            }
        }
    }
}

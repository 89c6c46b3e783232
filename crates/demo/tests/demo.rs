//! The demo county: deterministic, valid, and alive enough that every rule fires.
use lianzhang_demo::{DemoParams, generate};
use lianzhang_facts::Uscc;
use lianzhang_policy::{NothingPaid, Policy, PolicyFile, Status, assess};
use std::collections::{BTreeMap, BTreeSet};

fn policy() -> Policy {
    PolicyFile::bundled().compile().expect("bundled policy")
}

#[test]
fn same_parameters_same_county_and_seeds_differ() {
    let p = policy();
    let a = generate(&DemoParams::default(), &p.vocabulary);
    let b = generate(&DemoParams::default(), &p.vocabulary);
    assert_eq!(a, b);
    let c = generate(&DemoParams { seed: 7, ..DemoParams::default() }, &p.vocabulary);
    assert_ne!(a, c);
    assert_eq!(a.len(), 600);
}

#[test]
fn everything_generated_is_valid() {
    let p = policy();
    let d = generate(&DemoParams { enterprises: 20_000, ..DemoParams::default() }, &p.vocabulary);
    assert_eq!(d.len(), 20_000, "USCCs are unique");
    for e in d.iter() {
        let distinct: BTreeSet<_> = e.recognitions.iter().map(|r| (r.kind, r.year)).collect();
        assert_eq!(distinct.len(), e.recognitions.len(), "one row per recognition: {}", e.enterprise.uscc);
        assert_eq!(Uscc::parse(e.enterprise.uscc.as_str()), Ok(e.enterprise.uscc));
        if let (Some(c), Some(s)) = (e.enterprise.chain, e.enterprise.stage) {
            assert!((s as usize) < p.vocabulary.chain_info(c).stages.len());
        }
        assert!(e.enterprise.stage.is_none() || e.enterprise.chain.is_some());
        for r in e.annual {
            assert!((2018..=2025).contains(&r.year));
            if let (Some(l), Some(t)) = (r.local_procurement, r.total_procurement) {
                assert!(l <= t);
            }
        }
        for pr in e.projects {
            if let (Some(s), Some(c)) = (pr.start_year, pr.completed_year) {
                assert!(c >= s);
            }
        }
    }
}

#[test]
fn the_county_is_alive_every_rule_fires_in_2022_to_2025() {
    let p = policy();
    let d = generate(&DemoParams::default(), &p.vocabulary);
    let mut fired: BTreeSet<String> = BTreeSet::new();
    for year in 2022..=2025 {
        let a = assess(&p, &d, year, &NothingPaid);
        let entries = a.outcomes.iter().filter(|o| o.rule == "above_scale_entry" && o.status == Status::Award).count();
        assert!(entries >= 5, "{year}: only {entries} 小升规 awards");
        assert!(a.outcomes.iter().any(|o| o.status == Status::NeedsReview), "{year}: no unknowns at all");
        fired.extend(a.outcomes.iter().filter(|o| o.status != Status::NeedsReview).map(|o| o.rule.clone()));
    }
    let all: BTreeSet<String> = p.rules.iter().map(|r| r.id.clone()).collect();
    let missing: Vec<_> = all.difference(&fired).collect();
    assert!(missing.is_empty(), "rules that never fire: {missing:?}");
}

#[test]
fn chain_masters_are_one_or_two_per_chain_in_most_chain_years() {
    let p = policy();
    let d = generate(&DemoParams::default(), &p.vocabulary);
    let mut per: BTreeMap<(u8, i32), usize> = BTreeMap::new();
    for e in d.iter() {
        for r in e.annual {
            if r.chain_master == Some(true) {
                *per.entry((e.enterprise.chain.unwrap().0, r.year)).or_default() += 1;
            }
        }
    }
    let ok = per.values().filter(|&&n| (1..=2).contains(&n)).count();
    assert!(per.len() >= 7 * 7, "masters in almost every chain-year: {}", per.len());
    assert!(ok * 10 >= per.len() * 8, "mostly 1–2 per chain: {per:?}");
    // Some cross the 3亿 tier during the policy years.
    let big = d
        .iter()
        .filter(|e| {
            e.annual.iter().any(|r| r.chain_master == Some(true) && r.revenue.is_some_and(|v| v.0 >= 30_000_000_000))
        })
        .count();
    assert!(big >= 3);
}

#[test]
fn a_few_rows_typed_in_wanyuan_are_the_only_doubtful_values() {
    let p = policy();
    let d = generate(&DemoParams { enterprises: 20_000, ..DemoParams::default() }, &p.vocabulary);
    let findings = lianzhang_policy::plausibility::check(&p, &d, &lianzhang_policy::Confirmations::none());
    let wan = findings.iter().filter(|f| f.label == "疑似按万元填报" && f.year == 2023).count();
    // About one enterprise in 211 with a 2023 row: some have no row that year.
    assert!((60..=100).contains(&wan), "{wan} enterprises with a 万元 year");
    let other: Vec<_> = findings.iter().filter(|f| !(f.label == "疑似按万元填报" && f.year == 2023)).collect();
    assert!(
        other.len() * 1000 <= d.len(),
        "the rest of the county is plausible: {} findings, e.g. {:?}",
        other.len(),
        other.first()
    );
}

/// The demo follows the policy it is made for (issue 11): 青岚's chains, recognition kinds,
/// categories and declared facts, and every one of its measures fires somewhere in 2023–2025.
#[test]
fn another_countys_demo_follows_its_policy() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("policies/examples/qinglan-2023.toml")).unwrap();
    let q = PolicyFile::parse("qinglan-2023.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    let county = q.meta.county();
    assert_eq!(county, "青岚县");
    let d = generate(&DemoParams { county, ..DemoParams::default() }, &q.vocabulary);
    assert!(d.enterprises().iter().filter(|e| e.name.starts_with("青岚县")).count() > 300);
    assert!(!d.enterprises().iter().any(|e| e.name.contains("泽州")));
    let chains: BTreeSet<&str> =
        d.enterprises().iter().filter_map(|e| e.chain).map(|c| q.vocabulary.chain_info(c).code.as_str()).collect();
    assert_eq!(chains, BTreeSet::from(["equipment", "food", "new_materials"]));
    let kinds: BTreeSet<&str> =
        d.iter().flat_map(|e| e.recognitions).map(|r| q.vocabulary.kind_info(r.kind).code.as_str()).collect();
    assert_eq!(kinds.len(), q.vocabulary.recognition_kinds.len(), "{kinds:?}");
    // 实缴税金 on (nearly) every annual row with revenue, 设备购置额 on (nearly) every project.
    let tax = d.iter().flat_map(|e| e.extras).filter(|x| x.fact == 0).count();
    assert!(tax * 100 > d.annual_count() * 95, "{tax} of {}", d.annual_count());
    let equipment = d.iter().flat_map(|e| e.extras).filter(|x| x.fact == 1).count();
    assert!(equipment * 100 > d.project_count() * 90);
    let mut fired: BTreeSet<String> = BTreeSet::new();
    for year in 2023..=2025 {
        let a = assess(&q, &d, year, &NothingPaid);
        fired.extend(a.outcomes.iter().filter(|o| o.status == Status::Award).map(|o| o.rule.clone()));
    }
    let all: BTreeSet<String> = q.rules.iter().map(|r| r.id.clone()).collect();
    let silent: Vec<&String> = all.difference(&fired).collect();
    assert!(silent.is_empty(), "never awarded: {silent:?}");
}

/// A county under the bundled policy is drawn exactly as before the generator learned other
/// counties (the README's figures, the benchmarks and the browser walks rely on it).
#[test]
fn the_zezhou_county_is_unchanged() {
    let p = policy();
    let d = generate(&DemoParams::default(), &p.vocabulary);
    assert_eq!(d.summary_zh(), "600 家企业、4428 条年度数据、325 条认定、70 个项目");
    let revenue: i64 = d.iter().flat_map(|e| e.annual).filter_map(|r| r.revenue).map(|f| f.0).sum();
    let names: usize = d.enterprises().iter().map(|e| e.name.chars().count()).sum();
    assert_eq!((revenue, names), (REVENUE_FEN, NAME_CHARS));
}

/// The default county's total revenue (fen) and the length of its names, as drawn before.
const REVENUE_FEN: i64 = 12_181_732_516_812;
const NAME_CHARS: usize = 6852;

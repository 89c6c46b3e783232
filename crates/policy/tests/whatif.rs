//! 政策沙盘: a scenario's figures are those of `assess` on the same policy with the same `--set`
//! assignments, to the fen, for every kind of parameter (amount, threshold, cap, interpretation
//! choice), over random values; and the enterprises listed as changed are exactly those whose
//! outcomes differ.
use lianzhang_facts::Dataset;
use lianzhang_policy::whatif::{compare, explain_change};
use lianzhang_policy::{Confirmations, NothingPaid, Policy, PolicyFile, Status, assess_with};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

fn base() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| PolicyFile::bundled().compile().unwrap())
}

fn dataset() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(|| {
        lianzhang_demo::generate(
            &lianzhang_demo::DemoParams { enterprises: 2500, seed: 7, ..Default::default() },
            &base().vocabulary,
        )
    })
}

fn with(overrides: &[String]) -> Policy {
    let mut f = PolicyFile::bundled();
    for o in overrides {
        f.set(o);
    }
    f.compile().unwrap_or_else(|e| panic!("{overrides:?}: {}", e.to_plain()))
}

/// Per rule id: (awards, amount).
type PerRule = BTreeMap<String, (u64, Decimal)>;
/// Per USCC: its outcomes as text.
type PerEnterprise = BTreeMap<String, Vec<String>>;

/// What `assess` gives: per rule and per enterprise.
fn assessed(p: &Policy, year: i32) -> (PerRule, PerEnterprise) {
    let a = assess_with(p, dataset(), year, &NothingPaid, &Confirmations::none());
    let mut per_rule = PerRule::new();
    let mut per_enterprise = PerEnterprise::new();
    for o in &a.outcomes {
        if o.status == Status::Award {
            let e = per_rule.entry(o.rule.clone()).or_default();
            e.0 += 1;
            e.1 += o.amount.unwrap();
        }
        per_enterprise.entry(o.uscc.to_string()).or_default().push(format!(
            "{}|{:?}|{:?}|{:?}",
            o.rule,
            o.project_id,
            o.status,
            o.amount.map(|d| d.normalize())
        ));
    }
    (per_rule, per_enterprise)
}

fn check(overrides: Vec<String>) -> Result<(), TestCaseError> {
    let scenario = with(&overrides);
    for year in 2022..=2024 {
        let c = compare(base(), &scenario, dataset(), year, &NothingPaid, &Confirmations::none()).unwrap();
        let (before_rules, before_ent) = assessed(base(), year);
        let (after_rules, after_ent) = assessed(&scenario, year);
        for (budget, expected) in [(&c.base, &before_rules), (&c.scenario, &after_rules)] {
            let got: PerRule = base()
                .rules
                .iter()
                .zip(&budget.rules)
                .filter(|(_, t)| t.awards > 0)
                .map(|(r, t)| (r.id.clone(), (t.awards, t.amount)))
                .collect();
            prop_assert_eq!(&got, expected, "{} {:?}", year, overrides);
            let total: Decimal = expected.values().map(|v| v.1).sum();
            prop_assert_eq!(budget.total(), total);
            prop_assert_eq!(budget.chains.iter().copied().sum::<Decimal>(), total, "chains add up to the total");
        }
        let differing: BTreeSet<String> = before_ent
            .keys()
            .chain(after_ent.keys())
            .filter(|u| before_ent.get(*u) != after_ent.get(*u))
            .cloned()
            .collect();
        let changed: BTreeSet<String> =
            c.changed.iter().map(|ch| dataset().get(ch.enterprise).enterprise.uscc.to_string()).collect();
        prop_assert_eq!(changed, differing, "{} {:?}", year, overrides);
        prop_assert!(c.changed.windows(2).all(|w| w[0].delta().abs() >= w[1].delta().abs()), "largest change first");
    }
    Ok(())
}

fn choice(key: &'static str, options: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(options).prop_map(move |o| format!("{key}=\"{o}\""))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn an_amount(fen in 1u64..=50_000_000) {
        let yuan = Decimal::new(fen as i64, 2);
        check(vec![format!("above_scale_entry.amount=\"{yuan}\""), format!("specialized_city.amount=\"{yuan}\"")])?;
    }

    /// (The 3亿 tier's threshold stays below the 5亿 tier's: the file refuses tiers out of order.)
    #[test]
    fn a_threshold(wan in 5_000u64..50_000, expense_wan in 100u64..=5_000) {
        check(vec![
            format!("chain_master_revenue_300m.threshold=\"{}\"", wan * 10_000),
            format!("project_subsidy.threshold=\"{}\"", expense_wan * 10_000),
        ])?;
    }

    #[test]
    fn a_cap_and_a_rate(cap_wan in 1u64..=400, rate_permille in 1u64..=300) {
        check(vec![
            format!("project_subsidy.cap=\"{}\"", cap_wan * 10_000),
            format!("project_subsidy.rate=\"{}\"", Decimal::new(rate_permille as i64, 3)),
            format!("local_sourcing_increase.cap=\"{}\"", cap_wan * 10_000),
        ])?;
    }

    #[test]
    fn an_interpretation_choice(
        counting in choice("local_sourcing_increase.counting", &["whole_steps", "exact"]),
        baseline in choice("local_sourcing_increase.baseline", &["previous_year", "best_prior"]),
        retention in choice("above_scale_retained_2y.counting", &["after_entry", "including_entry"]),
        tiers in choice("chain_master_revenue.pay", &["each", "highest", "difference"]),
        upgrade in choice("champion.pay", &["full", "difference"]),
        levels in choice("little_giant.pay", &["per_level", "once"]),
    ) {
        check(vec![counting, baseline, retention, tiers, upgrade, levels])?;
    }
}

/// The change of a scenario that raises the 小升规 award: every entrant changes by the difference,
/// nothing else; its explanations say both amounts.
#[test]
fn raising_one_award_changes_exactly_its_recipients_by_the_difference() {
    let scenario = with(&["above_scale_entry.amount=\"150000\"".to_string()]);
    let c = compare(base(), &scenario, dataset(), 2023, &NothingPaid, &Confirmations::none()).unwrap();
    let rule = base().rules.iter().position(|r| r.id == "above_scale_entry").unwrap();
    let entrants = c.base.rules[rule].awards;
    assert!(entrants > 5, "the demo county has entrants in 2023 ({entrants})");
    assert_eq!(c.scenario.rules[rule].awards, entrants);
    assert_eq!(c.change(), Decimal::from(50_000 * entrants));
    assert_eq!(c.changed.len() as u64, entrants);
    assert!(c.changed.iter().all(|ch| ch.delta() == Decimal::from(50_000) && ch.rules == [rule]));
    let (before, after) =
        explain_change(base(), &scenario, dataset(), 2023, &NothingPaid, &Confirmations::none(), &c.changed[0]);
    assert_eq!((before.len(), after.len()), (1, 1));
    assert!(before[0].explanation.contains("10万元"), "{}", before[0].explanation);
    assert!(after[0].explanation.contains("15万元"), "{}", after[0].explanation);
    // The same policy twice: nothing changes.
    let same = compare(base(), base(), dataset(), 2023, &NothingPaid, &Confirmations::none()).unwrap();
    assert!(same.changed.is_empty() && same.change().is_zero() && same.base == same.scenario);
}

/// Policies with different rules are not compared.
#[test]
fn policies_with_other_rules_are_refused() {
    let other = PolicyFile::parse(
        "qinglan.toml",
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/examples/qinglan-2023.toml"))
            .unwrap(),
    )
    .compile()
    .unwrap();
    let e = compare(base(), &other, dataset(), 2023, &NothingPaid, &Confirmations::none()).unwrap_err();
    assert!(e.to_string().contains("规则不一致"), "{e}");
}

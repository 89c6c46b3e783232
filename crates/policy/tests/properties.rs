//! Invariants over random enterprises: caps hold, amounts are non-negative with two decimals,
//! the order of rows changes nothing, and needs_review always names what is missing.
mod common;
use common::*;
use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Project, Recognition};
use lianzhang_policy::model::RuleKind;
use lianzhang_policy::{NothingPaid, Policy, Status, assess};
use proptest::prelude::*;

const KINDS: [&str; 8] = [
    "innovative_sme",
    "specialized_city",
    "little_giant_province",
    "little_giant_national",
    "champion_province",
    "champion_national",
    "tech_center_province",
    "tech_center_national",
];
const CATS: [&str; 4] = ["transformation", "energy_saving", "digital", "other"];

fn money() -> impl Strategy<Value = Option<Fen>> {
    prop_oneof![
        1 => Just(None),
        2 => (0i64..60_000_000_000).prop_map(|f| Some(Fen(f))),
        2 => (0i64..800_000).prop_map(|y| Some(Fen::yuan(y * 1000))),
    ]
}

fn flag() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![1 => Just(None), 3 => any::<bool>().prop_map(Some)]
}

fn annual(year: i32) -> impl Strategy<Value = Annual> {
    (money(), flag(), flag(), money(), money(), money()).prop_map(move |(revenue, above, master, local, total, rd)| {
        // Keep local ≤ total as FACTS.md requires.
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

#[derive(Debug, Clone)]
struct RandomEnt {
    established: Option<i32>,
    strategic: Option<bool>,
    rows: Vec<Annual>,
    recognitions: Vec<(usize, i32)>,
    projects: Vec<(usize, Option<Fen>, Option<i32>)>,
}

fn ent() -> impl Strategy<Value = RandomEnt> {
    (
        proptest::option::of(2010i32..2026),
        flag(),
        proptest::sample::subsequence((2018..=2025).collect::<Vec<i32>>(), 0..=8),
        proptest::collection::vec((0usize..8, 2018i32..2026), 0..4),
        proptest::collection::vec((0usize..4, money(), proptest::option::of(2021i32..2026)), 0..3),
    )
        .prop_flat_map(|(established, strategic, years, recognitions, projects)| {
            let rows: Vec<_> = years.into_iter().map(annual).collect();
            (Just(established), Just(strategic), rows, Just(recognitions), Just(projects))
        })
        .prop_map(|(established, strategic, rows, recognitions, projects)| RandomEnt {
            established,
            strategic,
            rows,
            recognitions,
            projects,
        })
}

fn build(p: &Policy, ents: &[RandomEnt], reverse: bool) -> lianzhang_facts::Dataset {
    let mut b = DatasetBuilder::new(p.vocabulary.clone());
    let order: Vec<usize> = if reverse { (0..ents.len()).rev().collect() } else { (0..ents.len()).collect() };
    for &i in &order {
        let e = &ents[i];
        let u = uscc(i as u32 + 1);
        b.enterprise(Enterprise {
            uscc: u,
            name: format!("企业{i}"),
            chain: None,
            stage: None,
            town: None,
            industry_code: None,
            strategic_emerging: e.strategic,
            established: e.established.map(|y| jiff::civil::date(y as i16, 1, 1)),
            chain_joined_year: None,
        });
    }
    for &i in &order {
        let e = &ents[i];
        let u = uscc(i as u32 + 1);
        let mut rows = e.rows.clone();
        let mut recs = e.recognitions.clone();
        let mut projs: Vec<_> = e.projects.iter().enumerate().collect();
        if reverse {
            rows.reverse();
            recs.reverse();
            projs.reverse();
        }
        for r in rows {
            b.annual(u, r);
        }
        for (k, year) in recs {
            b.recognition(u, Recognition { kind: p.vocabulary.recognition_kind(KINDS[k]).unwrap(), year });
        }
        for (j, (c, inv, done)) in projs {
            b.project(
                u,
                Project {
                    project_id: format!("P{i}-{j}"),
                    name: "项目".into(),
                    category: p.vocabulary.project_category(CATS[*c]),
                    fixed_asset_investment: *inv,
                    start_year: Some(2020),
                    completed_year: *done,
                },
            );
        }
    }
    b.build().unwrap()
}

fn cap_of(kind: &RuleKind) -> Option<Fen> {
    match kind {
        RuleKind::FirstReach { amount, .. }
        | RuleKind::FirstEntry { amount, .. }
        | RuleKind::Retention { amount, .. }
        | RuleKind::FirstRecognition { amount, .. } => Some(*amount),
        RuleKind::LocalSourcing { cap, .. } | RuleKind::ProjectSubsidy { cap, .. } => Some(*cap),
        // Bundled policies have no formula rules; an expression's amount has no fixed bound.
        RuleKind::ResearchReferral { .. } | RuleKind::Formula { .. } => None,
    }
}

fn policies() -> Vec<Policy> {
    vec![
        policy(&[]),
        policy(&[
            "chain_master_revenue.pay=highest",
            "champion.pay=difference",
            "little_giant.pay=once",
            "local_sourcing_increase.baseline=best_prior",
            "local_sourcing_increase.counting=exact",
            "above_scale_retained_2y.counting=including_entry",
            "above_scale_retained_3y.counting=including_entry",
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn awards_respect_caps_and_are_exact_to_the_fen(ents in proptest::collection::vec(ent(), 1..6), year in 2021i32..2026) {
        for p in policies() {
            let ds = build(&p, &ents, false);
            let a = assess(&p, &ds, year, &NothingPaid);
            for o in &a.outcomes {
                let rule = p.rule(&o.rule).unwrap();
                match o.status {
                    Status::Award => {
                        let amount = o.amount.expect("award has an amount");
                        prop_assert!(amount >= rust_decimal::Decimal::ZERO);
                        prop_assert_eq!(amount.scale(), 2, "{}", amount);
                        if let Some(cap) = cap_of(&rule.kind) {
                            prop_assert!(amount <= cap.to_yuan(), "{} > cap {:?} for {}", amount, cap, o.rule);
                        }
                    }
                    Status::NeedsReview => {
                        prop_assert!(o.amount.is_none());
                        prop_assert!(!o.missing.is_empty(), "review without missing facts: {}", o.explanation);
                    }
                    _ => prop_assert!(o.amount.is_none()),
                }
                prop_assert!(o.explanation.contains("结论"));
            }
            let sum: rust_decimal::Decimal = a.outcomes.iter().filter_map(|o| o.amount).sum();
            prop_assert_eq!(sum, a.total());
        }
    }

    #[test]
    fn shuffling_rows_changes_nothing(ents in proptest::collection::vec(ent(), 1..6), year in 2022i32..2026) {
        for p in policies() {
            let a = assess(&p, &build(&p, &ents, false), year, &NothingPaid);
            let b = assess(&p, &build(&p, &ents, true), year, &NothingPaid);
            prop_assert_eq!(a.outcomes, b.outcomes);
        }
    }

    #[test]
    fn outcomes_are_sorted_by_uscc_rule_and_project(ents in proptest::collection::vec(ent(), 1..8), year in 2022i32..2026) {
        let p = policy(&[]);
        let a = assess(&p, &build(&p, &ents, false), year, &NothingPaid);
        let keys: Vec<_> = a.outcomes.iter().map(|o| (o.uscc, o.rule.clone(), o.project_id.clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
    }

    #[test]
    fn explain_agrees_with_assess(ents in proptest::collection::vec(ent(), 1..4), year in 2022i32..2026) {
        let p = policy(&[]);
        let ds = build(&p, &ents, false);
        let a = assess(&p, &ds, year, &NothingPaid);
        for facts in ds.iter() {
            for r in lianzhang_policy::explain(&p, facts, year, &NothingPaid) {
                let found = a.outcomes.iter().find(|o| o.uscc == facts.enterprise.uscc && o.rule == r.rule && o.project_id == r.project_id);
                match r.finding {
                    lianzhang_policy::Finding::Outcome(s) => {
                        let o = found.expect("explain reports an outcome assess lacks");
                        prop_assert_eq!(o.status, s);
                        prop_assert_eq!(o.amount, r.amount);
                        prop_assert_eq!(&o.explanation, &r.explanation);
                    }
                    _ => prop_assert!(found.is_none()),
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// The fast budget path agrees with the full assessment, rule by rule.
    #[test]
    fn tally_agrees_with_assess(ents in proptest::collection::vec(ent(), 1..8), year in 2022i32..2026) {
        for p in policies() {
            let ds = build(&p, &ents, false);
            let a = assess(&p, &ds, year, &NothingPaid);
            let t = lianzhang_policy::tally(&p, &ds, year, &NothingPaid);
            for (rule, tally) in p.rules.iter().zip(&t) {
                let mine: Vec<_> = a.outcomes.iter().filter(|o| o.rule == rule.id).collect();
                prop_assert_eq!(tally.awards as usize, mine.iter().filter(|o| o.status == Status::Award).count());
                prop_assert_eq!(tally.reviews as usize, mine.iter().filter(|o| o.status == Status::NeedsReview).count());
                prop_assert_eq!(tally.referrals as usize, mine.iter().filter(|o| o.status == Status::Referral).count());
                let sum: rust_decimal::Decimal = mine.iter().filter_map(|o| o.amount).sum();
                prop_assert_eq!(tally.amount, sum, "{}", rule.id);
            }
        }
    }
}

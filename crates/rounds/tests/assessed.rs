//! The lines of a round are the assessment's outcomes, to the fen: the round's award total is
//! the engine's, on the demo county.

use lianzhang_demo::{DemoParams, generate};
use lianzhang_facts::Fen;
use lianzhang_policy::{NothingPaid, PolicyFile, Status, assess};
use lianzhang_rounds::{Outcome, lines_of};

#[test]
fn a_rounds_lines_are_the_assessments_outcomes_to_the_fen() {
    let policy = PolicyFile::bundled().compile().unwrap();
    let ds = generate(&DemoParams::default(), &policy.vocabulary);
    for year in 2022..=2024 {
        let a = assess(&policy, &ds, year, &NothingPaid);
        let lines = lines_of(&policy, &ds, &a);
        assert_eq!(lines.len(), a.outcomes.iter().filter(|o| o.status != Status::AlreadyPaid).count());
        let total: i64 = lines.iter().filter(|l| l.outcome == Outcome::Award).filter_map(|l| l.amount_fen).sum();
        assert_eq!(Fen(total).to_yuan(), a.total(), "{year}");
        assert!(
            lines.iter().any(|l| l.ceiling && l.key.project_id.is_some()),
            "{year}: project subsidies are ceilings"
        );
        assert!(lines.iter().filter(|l| l.outcome == Outcome::Referral).all(|l| l.is_recommendation()));
        assert!(lines.iter().filter(|l| l.key.rule == "research_referral").all(|l| !l.pays));
        assert!(lines.iter().any(|l| l.chain.is_some() && l.town.is_some()));
        let mut keys: Vec<_> = lines.iter().map(|l| &l.key).collect();
        keys.dedup();
        assert_eq!(keys.len(), lines.len(), "one line per key");
    }
}

/// A rule written as an expression keeps what the round needs of it: the project subsidy, written
/// in the policy language (`ceiling = true`), is still a ceiling whose final amount review sets.
#[test]
fn the_project_subsidy_written_as_an_expression_is_still_a_ceiling() {
    let bundled = PolicyFile::bundled().compile().unwrap();
    let policy = lianzhang_policy::equivalent::rewritten(&bundled);
    let ds = generate(&DemoParams::default(), &policy.vocabulary);
    let a = assess(&policy, &ds, 2024, &NothingPaid);
    let lines = lines_of(&policy, &ds, &a);
    let projects: Vec<_> = lines.iter().filter(|l| l.key.project_id.is_some()).collect();
    assert!(!projects.is_empty());
    assert!(projects.iter().all(|l| l.ceiling), "project subsidies are ceilings");
    assert!(lines.iter().filter(|l| l.key.project_id.is_none()).all(|l| !l.ceiling));
}

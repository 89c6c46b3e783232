//! A round's lines from an assessment: one line per outcome, with what the workflow needs to
//! know of its rule (does it pay, is its amount a ceiling) and of its enterprise (chain, town).

use crate::line::{Line, LineKey, Outcome};
use lianzhang_facts::{Dataset, Fen};
use lianzhang_policy::{Assessment, Policy, Status};

/// The lines of `assessment` (made by the engine from `policy` on `dataset`), in the
/// assessment's order (uscc, rule, project). `already_paid` outcomes are not lines: the ledger
/// shows them. An award amount that is not a whole number of fen cannot happen (the engine
/// rounds once, to the fen) and is kept to the fen below.
pub fn lines_of(policy: &Policy, dataset: &Dataset, assessment: &Assessment) -> Vec<Line> {
    let v = &policy.vocabulary;
    assessment
        .outcomes
        .iter()
        .filter_map(|o| {
            let outcome = match o.status {
                Status::Award => Outcome::Award,
                Status::NeedsReview => Outcome::NeedsReview,
                Status::Referral => Outcome::Referral,
                Status::Recovery => Outcome::Recovery,
                Status::AlreadyPaid => return None,
            };
            let rule = policy.rules.iter().find(|r| r.id == o.rule);
            // A referral pays nothing; a recovery takes money back: neither is paid in a round.
            let pays = rule.is_some_and(|r| !r.kind.is_referral() && r.kind.recovery().is_none());
            let ceiling = rule.is_some_and(|r| r.kind.ceiling());
            let enterprise = dataset.find(&o.uscc).map(|e| e.enterprise);
            Some(Line {
                key: LineKey { uscc: o.uscc.to_string(), rule: o.rule.clone(), project_id: o.project_id.clone() },
                enterprise: o.enterprise.clone(),
                chain: enterprise.and_then(|e| e.chain).map(|c| v.chain_info(c).code.clone()),
                town: enterprise.and_then(|e| e.town.clone()),
                clause: o.clause.clone(),
                rule_title: rule.map_or_else(|| o.rule.clone(), |r| r.title.clone()),
                outcome,
                pays,
                amount_fen: o.amount.and_then(|a| Fen::from_decimal_yuan(a.abs().round_dp(2)).ok()).map(|f| f.0),
                ceiling,
                explanation: o.explanation.clone(),
                missing: o.missing.clone(),
            })
        })
        .collect()
}

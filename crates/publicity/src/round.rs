//! The public list of a published award round (`lianzhang-rounds`): the decided award lines
//! (可兑现) with their final amounts, each with its reason (the engine's explanation, and the
//! review's final amount and basis for a ceiling line).

use crate::{PublicLine, PublicList};
use lianzhang_rounds::{Event, LineState, Phase, Round};

/// What the list says besides its lines: the policy and who issues it.
pub struct Issuing<'a> {
    /// The policy's title, e.g. `泽州县制造业培育激励市场主体倍增的实施方案`.
    pub policy_title: &'a str,
    /// The policy document number, e.g. `泽工信字〔2022〕84号`.
    pub policy_document: &'a str,
    /// The issuing body, e.g. `泽州县工业和信息化局`.
    pub issuer: &'a str,
    /// Where and how to object (the round's `objection_to`).
    pub objection_to: &'a str,
    /// The 公示 period in working days (the round's).
    pub working_days: u32,
    /// The Chinese name of a chain code.
    pub chain_name: &'a dyn Fn(&str) -> Option<String>,
}

/// The public list of `round` as published (`events` are its events, for the review's basis of
/// each final amount); `None` before the round is published.
pub fn from_round<'a>(
    round: &Round,
    events: impl IntoIterator<Item = &'a Event>,
    issuing: &Issuing,
) -> Option<PublicList> {
    if !matches!(round.phase(), Phase::Publicity { .. } | Phase::Final { .. }) {
        return None;
    }
    let mut basis = std::collections::HashMap::new();
    let mut publication = None;
    for e in events {
        match e {
            Event::AmountSet { line, amount_fen, basis: b } => {
                basis.insert(line.clone(), (*amount_fen, b.clone()));
            }
            Event::Published { date, last_day, document_no } => {
                publication = Some((*date, *last_day, document_no.clone()))
            }
            _ => {}
        }
    }
    let (published, last_day, document_no) = publication?;
    let lines = round
        .lines()
        .filter(|l| !l.is_recommendation())
        .filter_map(|l| match round.state(l) {
            LineState::Ready { amount_fen, .. } => {
                let mut reason = l.explanation.clone();
                if let Some((fen, b)) = basis.get(&l.key).filter(|_| l.ceiling) {
                    reason.push_str(&format!("；评审核定为{}万元（{b}）", crate::format::wan(*fen)));
                }
                Some(PublicLine {
                    enterprise: l.enterprise.clone(),
                    uscc: l.key.uscc.clone(),
                    chain: l.chain.as_deref().and_then(issuing.chain_name),
                    clause: l.clause.clone(),
                    rule_title: l.rule_title.clone(),
                    amount_fen,
                    reason,
                })
            }
            _ => None,
        })
        .collect();
    Some(PublicList {
        title: format!("关于{}年度《{}》奖励资金兑现名单的公示", round.settings().year, issuing.policy_title),
        issuer: issuing.issuer.to_string(),
        document_no,
        year: round.settings().year,
        published,
        last_day,
        working_days: issuing.working_days,
        objection_to: issuing.objection_to.to_string(),
        policy: issuing.policy_document.to_string(),
        lines,
    })
}

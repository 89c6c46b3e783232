//! What the round pages show, computed from a replayed round: the status of each line as the
//! filters name it, totals (proposed, approved, paid; budget per clause), objections and payments
//! read from the timeline, and conflicts with other open rounds.

use super::index::LinesIndex;
use super::line_url;
use crate::format::wan;
use lianzhang_rounds::{Event, Line, LineKey, LineState, Phase, Round, Tally};
use lianzhang_store::{BudgetLine, RoundRecord};
use std::collections::HashSet;

/// One row of the lines table.
pub struct LineRow {
    pub url: String,
    pub uscc: String,
    pub enterprise: String,
    /// Whether the signed-in user may open the enterprise's record.
    pub link: bool,
    pub clause: String,
    pub rule_title: String,
    pub project: Option<String>,
    pub outcome: &'static str,
    /// The amount in yuan: the final amount, or the ceiling (上限) while none is set.
    pub amount: String,
    pub state: String,
    pub ready: bool,
    pub paid: String,
}

/// The amount column of a line: `120,000.00` (final), `上限 300,000.00` (a ceiling not yet
/// set), `—` (no amount).
pub fn amount_text(line: &Line, state: &LineState) -> String {
    match (state, line.amount_fen) {
        (LineState::Ready { amount_fen, .. }, _) if line.ceiling => {
            format!("{}（上限 {}）", super::yuan_plain(*amount_fen), super::yuan_plain(line.amount_fen.unwrap_or(0)))
        }
        (LineState::Ready { amount_fen, .. }, _) => super::yuan_plain(*amount_fen),
        (_, Some(a)) if line.ceiling => format!("上限 {}", super::yuan_plain(a)),
        (_, Some(a)) => super::yuan_plain(a),
        (_, None) => "—".into(),
    }
}

pub fn row(id: i64, round: &Round, line: &Line, link: bool) -> LineRow {
    let state = round.state(line);
    let paid = round.paid_fen(&line.key);
    LineRow {
        url: line_url(id, &line.key),
        uscc: line.key.uscc.clone(),
        enterprise: line.enterprise.clone(),
        link,
        clause: line.clause.clone(),
        rule_title: line.rule_title.clone(),
        project: line.key.project_id.clone(),
        outcome: line.outcome.zh(),
        amount: amount_text(line, &state),
        ready: matches!(state, LineState::Ready { .. }),
        state: round.state_zh(line),
        paid: if paid == 0 { "—".into() } else { super::yuan_plain(paid) },
    }
}

/// A total of award lines under a name, with the budget when one is entered. Money in fen.
pub struct Total {
    pub name: String,
    pub lines: usize,
    pub tally: Tally,
    pub budget: Option<i64>,
}

impl Total {
    fn new(name: String, tally: &Tally) -> Total {
        Total { name, lines: tally.lines, tally: tally.clone(), budget: None }
    }
    pub fn proposed_wan(&self) -> String {
        wan(self.tally.proposed_fen)
    }
    pub fn approved_wan(&self) -> String {
        wan(self.tally.approved_fen)
    }
    pub fn paid_wan(&self) -> String {
        wan(self.tally.paid_fen)
    }
    pub fn budget_wan(&self) -> String {
        self.budget.map_or_else(|| "未录入".into(), wan)
    }
    /// Proposed beyond the budget.
    pub fn over(&self) -> bool {
        self.budget.is_some_and(|b| self.tally.proposed_fen > b)
    }
}

/// The totals of a round's lines in a scope by rule, by chain and by clause (with the budgets
/// of its year: `budgets` empty for a scope the county's budget is not set for). Only award
/// lines count (never the recommendation list); see [`Tally`] for what each sum is.
pub struct Totals {
    pub by_rule: Vec<Total>,
    pub by_chain: Vec<Total>,
    pub by_clause: Vec<Total>,
    pub all: Total,
}

/// Each group in the policy's order (its rules, clauses and chains as the document has them).
pub fn totals(indexes: &[&LinesIndex], policy: &lianzhang_policy::Policy, budgets: &[BudgetLine]) -> Totals {
    let rule_at = |code: &str| policy.rules.iter().position(|r| r.id == code).unwrap_or(usize::MAX);
    let clause_at = |clause: &str| policy.rules.iter().position(|r| r.clause == clause).unwrap_or(usize::MAX);
    let chains = &policy.vocabulary.chains;
    let chain_at =
        |code: Option<&str>| code.and_then(|c| chains.iter().position(|x| x.code == c)).unwrap_or(usize::MAX);
    let chain_name = |code: Option<&str>| match code {
        None => "无产业链".to_string(),
        Some(c) => chains.iter().find(|x| x.code == c).map_or_else(|| c.to_string(), |x| x.name.clone()),
    };
    let rule_name = |code: &str| {
        policy
            .rules
            .iter()
            .find(|r| r.id == code)
            .map_or_else(|| code.to_string(), |r| format!("{}（{}）", r.title, r.clause))
    };
    fn sum<K: Ord + Clone>(groups: impl Iterator<Item = (K, Tally)>) -> Vec<(K, Tally)> {
        let mut m: std::collections::BTreeMap<K, Tally> = std::collections::BTreeMap::new();
        for (k, t) in groups {
            m.entry(k).or_default().merge(&t);
        }
        m.into_iter().collect()
    }
    let by_rule = sum(indexes.iter().flat_map(|i| i.by_rule.iter().cloned()));
    let by_chain = sum(indexes.iter().flat_map(|i| i.by_chain.iter().cloned()));
    let mut by_clause: Vec<Total> = sum(indexes.iter().flat_map(|i| i.by_clause.iter().cloned()))
        .iter()
        .map(|(c, t)| Total::new(c.clone(), t))
        .collect();
    for b in budgets {
        match by_clause.iter_mut().find(|t| t.name == b.clause) {
            Some(t) => t.budget = Some(b.amount_fen),
            None => {
                by_clause.push(Total { budget: Some(b.amount_fen), ..Total::new(b.clause.clone(), &Tally::default()) })
            }
        }
    }
    by_clause.sort_by_key(|t| clause_at(&t.name));
    let mut by_rule = by_rule;
    by_rule.sort_by_key(|(code, _)| rule_at(code));
    let mut by_chain = by_chain;
    by_chain.sort_by_key(|(code, _)| chain_at(code.as_deref()));
    let mut all_tally = Tally::default();
    for i in indexes {
        all_tally.merge(&i.all);
    }
    let mut all = Total::new("合计".into(), &all_tally);
    if !budgets.is_empty() {
        all.budget = Some(budgets.iter().map(|b| b.amount_fen).sum());
    }
    Totals {
        by_rule: by_rule.iter().map(|(code, t)| Total::new(rule_name(code), t)).collect(),
        by_chain: by_chain.iter().map(|(c, t)| Total::new(chain_name(c.as_deref()), t)).collect(),
        by_clause,
        all,
    }
}

/// An objection as the timeline recorded it, and how it was settled.
pub struct ObjectionView {
    pub id: u32,
    pub line: LineKey,
    pub url: String,
    /// The line as a sentence names it (its key when it is no longer in the round).
    pub name: String,
    pub objector: String,
    pub date: String,
    pub content: String,
    pub evidence: String,
    /// `None` while open.
    pub settled: Option<String>,
}

pub fn objections(record: &RoundRecord) -> Vec<ObjectionView> {
    let id = record.header.id;
    let mut out: Vec<ObjectionView> = Vec::new();
    for e in &record.events {
        match &e.event {
            Event::Objected { id: n, line, objector, date, content, evidence } => out.push(ObjectionView {
                id: *n,
                line: line.clone(),
                url: line_url(id, line),
                name: record.round.line(line).map_or_else(|| line.to_string(), Line::name),
                objector: objector.clone(),
                date: date.to_string(),
                content: content.clone(),
                evidence: evidence.clone(),
                settled: None,
            }),
            ev @ (Event::ObjectionUpheld { id: n, .. } | Event::ObjectionDismissed { id: n, .. }) => {
                if let Some(o) = out.iter_mut().find(|o| o.id == *n) {
                    o.settled = Some(record.round.describe(ev));
                }
            }
            _ => {}
        }
    }
    out
}

/// A payment of a line: its ledger entry, voucher, date, amount, and whether it was reversed.
pub struct PaymentView {
    pub ledger_entry: i64,
    pub voucher: String,
    pub date: String,
    pub amount: String,
    pub by: String,
    pub reversed: Option<String>,
}

pub fn payments(record: &RoundRecord, key: &LineKey) -> Vec<PaymentView> {
    let mut out: Vec<PaymentView> = Vec::new();
    for e in &record.events {
        match &e.event {
            Event::Paid { line, ledger_entry, voucher, date, amount_fen } if line == key => out.push(PaymentView {
                ledger_entry: *ledger_entry,
                voucher: voucher.clone(),
                date: date.to_string(),
                amount: super::yuan_plain(*amount_fen),
                by: e.actor.username.clone(),
                reversed: None,
            }),
            Event::Reversed { ledger_entry, reason, .. } => {
                if let Some(p) = out.iter_mut().find(|p| p.ledger_entry == *ledger_entry) {
                    p.reversed = Some(format!("{}：{reason}", crate::format::beijing(&e.at)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a timeline event is about `line` (its history on the line page).
pub fn about(event: &Event, line: &LineKey, payments: &[i64], objections: &[u32]) -> bool {
    if let Some(l) = event.line() {
        return l == line;
    }
    match event {
        Event::CreditChecked { hits, .. } => hits.iter().any(|h| h.uscc == line.uscc),
        Event::CreditCleared { uscc, .. } => *uscc == line.uscc,
        Event::Reversed { ledger_entry, .. } => payments.contains(ledger_entry),
        Event::ObjectionUpheld { id, .. } | Event::ObjectionDismissed { id, .. } => objections.contains(id),
        _ => false,
    }
}

/// One conflict: a line of this round whose award is also in another open round.
#[derive(Clone)]
pub struct Conflict {
    pub line: LineKey,
    pub url: String,
    /// The line as a sentence names it ([`Line::name`]).
    pub name: String,
    pub other_id: i64,
    pub other_name: String,
}

/// The award lines of `this` whose award key is also on an award line of another round that is
/// not final (an award must be paid by one round only).
pub fn conflicts(this: &RoundRecord, others: &[std::sync::Arc<RoundRecord>]) -> Vec<Conflict> {
    let mine: Vec<(&Line, &str)> = this
        .round
        .lines()
        .filter(|l| !l.is_recommendation())
        .filter_map(|l| this.award_key(&l.key).map(|k| (l, k)))
        .collect();
    let mut out = Vec::new();
    for other in others.iter().filter(|o| o.header.id != this.header.id) {
        if matches!(other.round.phase(), Phase::Final { .. }) {
            continue;
        }
        let theirs: HashSet<&str> =
            other.round.lines().filter(|l| !l.is_recommendation()).filter_map(|l| other.award_key(&l.key)).collect();
        for (line, key) in &mine {
            if theirs.contains(key) {
                out.push(Conflict {
                    line: line.key.clone(),
                    url: line_url(this.header.id, &line.key),
                    name: line.name(),
                    other_id: other.header.id,
                    other_name: other.header.name.clone(),
                });
            }
        }
    }
    out
}

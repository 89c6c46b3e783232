//! A round's state, folded from its events, and the checks each event must pass: who may do it,
//! in which phase, on which line. A refused event changes nothing.

use crate::event::{Actor, BankAccount, CreditHit, Event, Upheld};
use crate::line::{Change, Line, LineKey, Outcome, changes};
use crate::state::{LineState, Pending, Phase};
use std::collections::{BTreeMap, BTreeSet};

mod check;

/// The policy parameters a round runs by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub year: i32,
    /// 意愿确认: a line is payable only once the enterprise confirmed it (default on).
    pub confirmation: bool,
    /// The leaders' sign-offs that approve a round (k ≥ 1, default 1).
    pub approvals: u32,
}

/// Why an event was refused: one Chinese sentence for the person who tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// A reviewer's decision about a line of the current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decision {
    Rejected(String),
    Amount(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Confirmed(BankAccount),
    Declined,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Objection {
    line: LineKey,
    open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Payment {
    line: LineKey,
    amount_fen: i64,
    reversed: bool,
}

/// An award round (兑现批次) as its events made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    settings: Settings,
    revision: u32,
    /// The current revision's lines, sorted by key (positions are stable until the next refresh).
    lines: Vec<Line>,
    /// What the last refresh changed.
    last_changes: Vec<Change>,
    decisions: BTreeMap<LineKey, Decision>,
    answers: BTreeMap<LineKey, Answer>,
    /// The credit check: the enterprises it covered and the hits not cleared.
    credit_checked: Option<BTreeSet<String>>,
    credit_hits: BTreeMap<String, CreditHit>,
    approvals: BTreeSet<String>,
    /// Everyone who ever signed off on this round (separation of duties: never its payer).
    approvers: BTreeSet<String>,
    phase: Phase,
    objections: BTreeMap<u32, Objection>,
    withdrawn: BTreeMap<LineKey, u32>,
    payments: BTreeMap<i64, Payment>,
    /// Net payments per line (fen): the sum of `payments` not reversed, kept as they are applied.
    paid: BTreeMap<LineKey, i64>,
}

impl Round {
    /// A round before its first revision of lines (the creating [`Event::Refreshed`]).
    pub fn new(settings: Settings) -> Round {
        Round {
            settings,
            revision: 0,
            lines: Vec::new(),
            last_changes: Vec::new(),
            decisions: BTreeMap::new(),
            answers: BTreeMap::new(),
            credit_checked: None,
            credit_hits: BTreeMap::new(),
            approvals: BTreeSet::new(),
            approvers: BTreeSet::new(),
            phase: Phase::Review,
            objections: BTreeMap::new(),
            withdrawn: BTreeMap::new(),
            payments: BTreeMap::new(),
            paid: BTreeMap::new(),
        }
    }

    /// Replays a timeline.
    pub fn replay<'a>(
        settings: Settings,
        events: impl IntoIterator<Item = (&'a Actor, &'a Event)>,
    ) -> Result<Round, Refusal> {
        let mut round = Round::new(settings);
        for (actor, event) in events {
            round.apply(actor, event)?;
        }
        Ok(round)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn revision(&self) -> u32 {
        self.revision
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The lines of the current revision, in key order.
    pub fn lines(&self) -> std::slice::Iter<'_, Line> {
        self.lines.iter()
    }

    /// The lines of the current revision in key order, as a slice (a line's position is stable
    /// until the next refresh: what a page's index of the lines may hold on to).
    pub fn line_slice(&self) -> &[Line] {
        &self.lines
    }

    pub fn line(&self, key: &LineKey) -> Option<&Line> {
        self.lines.binary_search_by(|l| l.key.cmp(key)).ok().map(|i| &self.lines[i])
    }

    /// What the last refresh changed, in key order.
    pub fn last_changes(&self) -> &[Change] {
        &self.last_changes
    }

    /// `event` in Chinese, each line named by its enterprise and rule title ([`Line::name`]) while
    /// it is in the current revision, else by its key.
    pub fn describe(&self, event: &Event) -> String {
        match event {
            // The clearing names the enterprise, not only its code.
            Event::CreditCleared { uscc, reason, .. } => match self.lines.iter().find(|l| &l.key.uscc == uscc) {
                Some(l) => format!("解除 {}（{uscc}）的信用核查命中：{reason}", l.enterprise),
                None => event.zh(),
            },
            e => e.zh_naming(&|k| self.name_of(k)),
        }
    }

    /// Whether `event` shows on a timeline seen through `sees` (a task force: its chain's lines;
    /// `scoped` says there is such a limit): an event about a line when the line is seen, a credit
    /// clearing when one of the enterprise's lines is, the rest always. A line no longer in the
    /// round is shown only to the unscoped (its chain is not known any more).
    pub fn event_seen(&self, event: &Event, scoped: bool, sees: impl Fn(&Line) -> bool) -> bool {
        if !scoped {
            return true;
        }
        match event {
            Event::CreditCleared { uscc, .. } => self.lines.iter().any(|l| &l.key.uscc == uscc && sees(l)),
            e => e.line().is_none_or(|k| self.line(k).is_some_and(&sees)),
        }
    }

    /// A line as a sentence names it ([`Line::name`]) while it is in the current revision, else
    /// its key.
    pub fn name_of(&self, key: &LineKey) -> String {
        self.line(key).map_or_else(|| key.to_string(), Line::name)
    }

    /// The leaders who signed off on the current list.
    pub fn approvals(&self) -> &BTreeSet<String> {
        &self.approvals
    }

    /// The objection numbers still open.
    pub fn open_objections(&self) -> Vec<u32> {
        self.objections.iter().filter(|(_, o)| o.open).map(|(id, _)| *id).collect()
    }

    /// The number the next objection gets.
    pub fn next_objection(&self) -> u32 {
        self.objections.keys().next_back().map_or(1, |n| n + 1)
    }

    /// Net payments of a line so far (fen).
    pub fn paid_fen(&self, key: &LineKey) -> i64 {
        self.paid.get(key).copied().unwrap_or(0)
    }

    /// Where a line stands in Chinese, with its payments: a ready line paid in full is 已付清,
    /// one paid in part 部分支付.
    pub fn state_zh(&self, line: &Line) -> String {
        match self.state(line) {
            LineState::Ready { amount_fen, .. } => {
                let paid = self.paid_fen(&line.key);
                if amount_fen > 0 && paid >= amount_fen {
                    "已付清".into()
                } else if paid > 0 {
                    format!(
                        "部分支付（已付 {}，尚余 {}）",
                        crate::event::yuan(paid),
                        crate::event::yuan(amount_fen - paid)
                    )
                } else {
                    "可兑现".into()
                }
            }
            s => s.zh(),
        }
    }

    /// Where a line stands.
    pub fn state(&self, line: &Line) -> LineState {
        if line.is_recommendation() {
            return LineState::Recommendation;
        }
        if let Some(&objection) = self.withdrawn.get(&line.key) {
            return LineState::Withdrawn { objection };
        }
        if let Some(Decision::Rejected(reason)) = self.decisions.get(&line.key) {
            return LineState::Rejected { reason: reason.clone() };
        }
        if self.answers.get(&line.key) == Some(&Answer::Declined) {
            return LineState::Declined;
        }
        let mut pending = Vec::new();
        let mut amount = line.amount_fen.unwrap_or(0);
        match line.outcome {
            Outcome::NeedsReview => pending.push(Pending::Review { missing: line.missing.clone() }),
            _ if line.ceiling => match self.decisions.get(&line.key) {
                Some(Decision::Amount(a)) => amount = *a,
                _ => pending.push(Pending::FinalAmount),
            },
            _ => {}
        }
        let account = match self.answers.get(&line.key) {
            Some(Answer::Confirmed(a)) => Some(a.clone()),
            _ => None,
        };
        if self.settings.confirmation && account.is_none() && line.outcome == Outcome::Award {
            pending.push(Pending::Confirmation);
        }
        match &self.credit_checked {
            Some(checked) if checked.contains(&line.key.uscc) => {
                if let Some(hit) = self.credit_hits.get(&line.key.uscc) {
                    pending.push(Pending::CreditHit(hit.clone()));
                }
            }
            _ => pending.push(Pending::CreditCheck),
        }
        if pending.is_empty() { LineState::Ready { amount_fen: amount, account } } else { LineState::Open { pending } }
    }

    /// Whether `event` by `actor` would pass the checks of [`Round::apply`], without applying it.
    pub fn check_event(&self, actor: &Actor, event: &Event) -> Result<(), Refusal> {
        self.check(actor, event)
    }

    /// Checks `event` by `actor` against the round as it stands and, if it passes, applies it.
    pub fn apply(&mut self, actor: &Actor, event: &Event) -> Result<(), Refusal> {
        self.check(actor, event)?;
        self.commit(actor, event);
        Ok(())
    }

    fn commit(&mut self, actor: &Actor, event: &Event) {
        let changes_lines = matches!(
            event,
            Event::Refreshed { .. }
                | Event::Rejected { .. }
                | Event::AmountSet { .. }
                | Event::Reopened { .. }
                | Event::Confirmed { .. }
                | Event::Declined { .. }
                | Event::CreditChecked { .. }
                | Event::CreditCleared { .. }
        );
        if changes_lines {
            // The leaders signed off on the list as it was.
            self.approvals.clear();
        }
        match event {
            Event::Refreshed { revision, lines } => self.refresh(*revision, lines),
            Event::Rejected { line, reason } => {
                self.decisions.insert(line.clone(), Decision::Rejected(reason.clone()));
            }
            Event::AmountSet { line, amount_fen, .. } => {
                self.decisions.insert(line.clone(), Decision::Amount(*amount_fen));
            }
            Event::Reopened { line, .. } => {
                self.decisions.remove(line);
            }
            Event::Confirmed { line, account, .. } => {
                self.answers.insert(line.clone(), Answer::Confirmed(account.clone()));
            }
            Event::Declined { line, .. } => {
                self.answers.insert(line.clone(), Answer::Declined);
            }
            Event::CreditChecked { hits, .. } => {
                let checked: BTreeSet<String> = self.lines.iter().map(|l| l.key.uscc.clone()).collect();
                self.credit_hits =
                    hits.iter().filter(|h| checked.contains(&h.uscc)).map(|h| (h.uscc.clone(), h.clone())).collect();
                self.credit_checked = Some(checked);
            }
            Event::CreditCleared { uscc, .. } => {
                self.credit_hits.remove(uscc);
            }
            Event::Approved { .. } => {
                self.approvals.insert(actor.username.clone());
                self.approvers.insert(actor.username.clone());
                if self.approvals.len() as u32 >= self.settings.approvals.max(1) {
                    self.phase = Phase::Approved;
                }
            }
            Event::Published { date, last_day, document_no } => {
                self.phase = Phase::Publicity { date: *date, last_day: *last_day, document_no: document_no.clone() };
            }
            Event::Objected { id, line, .. } => {
                self.objections.insert(*id, Objection { line: line.clone(), open: true });
            }
            Event::ObjectionUpheld { id, settle, .. } => {
                let o = self.objections.get_mut(id).expect("checked");
                o.open = false;
                match settle {
                    Upheld::Withdraw => {
                        self.withdrawn.insert(o.line.clone(), *id);
                    }
                    Upheld::Correct => {
                        self.phase = Phase::Review;
                        self.approvals.clear();
                    }
                }
            }
            Event::ObjectionDismissed { id, .. } => {
                self.objections.get_mut(id).expect("checked").open = false;
            }
            Event::Finalised { date } => self.phase = Phase::Final { date: *date },
            Event::Paid { line, ledger_entry, amount_fen, .. } => {
                self.payments
                    .insert(*ledger_entry, Payment { line: line.clone(), amount_fen: *amount_fen, reversed: false });
                *self.paid.entry(line.clone()).or_default() += amount_fen;
            }
            Event::Reversed { ledger_entry, .. } => {
                let p = self.payments.get_mut(ledger_entry).expect("checked");
                p.reversed = true;
                *self.paid.get_mut(&p.line).expect("a payment's line is in the paid index") -= p.amount_fen;
            }
        }
    }

    /// The next revision: lines whose outcome did not change keep their decisions and
    /// confirmations; the others are asked again.
    fn refresh(&mut self, revision: u32, lines: &[Line]) {
        self.last_changes = if self.revision == 0 { Vec::new() } else { changes(&self.lines, lines) };
        for c in &self.last_changes {
            let key = match c {
                Change::Added(k) | Change::Removed(k) | Change::Changed { key: k, .. } => k,
            };
            self.decisions.remove(key);
            self.answers.remove(key);
        }
        self.lines = lines.to_vec();
        self.lines.sort_by(|a, b| a.key.cmp(&b.key));
        self.revision = revision;
    }
}

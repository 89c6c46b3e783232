//! A round's state, folded from its events, and the checks each event must pass: who may do it,
//! in which phase, on which line. A refused event changes nothing.

use crate::event::{Actor, BankAccount, CreditHit, Event, Role, Upheld};
use crate::line::{Change, Line, LineKey, Outcome, changes};
use crate::state::{LineState, Pending, Phase};
use std::collections::{BTreeMap, BTreeSet};

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

fn refuse<T>(text: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(text.into()))
}

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
    lines: BTreeMap<LineKey, Line>,
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
}

impl Round {
    /// A round before its first revision of lines (the creating [`Event::Refreshed`]).
    pub fn new(settings: Settings) -> Round {
        Round {
            settings,
            revision: 0,
            lines: BTreeMap::new(),
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
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.values()
    }

    pub fn line(&self, key: &LineKey) -> Option<&Line> {
        self.lines.get(key)
    }

    /// What the last refresh changed, in key order.
    pub fn last_changes(&self) -> &[Change] {
        &self.last_changes
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
        self.payments.values().filter(|p| &p.line == key && !p.reversed).map(|p| p.amount_fen).sum()
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

    /// Checks `event` by `actor` against the round as it stands and, if it passes, applies it.
    pub fn apply(&mut self, actor: &Actor, event: &Event) -> Result<(), Refusal> {
        self.check(actor, event)?;
        self.commit(actor, event);
        Ok(())
    }

    fn check(&self, actor: &Actor, event: &Event) -> Result<(), Refusal> {
        let role = &actor.role;
        let in_review = |what: &str| -> Result<(), Refusal> {
            if self.phase == Phase::Review {
                Ok(())
            } else {
                refuse(format!("批次{}，不能再{what}", self.phase.zh()))
            }
        };
        let bureau = |what: &str| -> Result<(), Refusal> {
            if *role == Role::Bureau {
                Ok(())
            } else {
                refuse(format!("{}不能{what}：此操作由工信局办理", role.zh()))
            }
        };
        let line = |key: &LineKey| -> Result<&Line, Refusal> {
            self.lines.get(key).ok_or_else(|| Refusal(format!("本批次当前名单中没有 {key}")))
        };
        let reviewer = |key: &LineKey, what: &str| -> Result<&Line, Refusal> {
            let l = line(key)?;
            match role {
                Role::Bureau => Ok(l),
                Role::TaskForce(chain) if l.chain.as_deref() == Some(chain.as_str()) => Ok(l),
                Role::TaskForce(_) => refuse(format!("{key} 不属于本专班的产业链，不能{what}")),
                _ => refuse(format!("{}不能{what}：此操作由工信局或该产业链专班办理", role.zh())),
            }
        };
        let award_line = |l: &Line, what: &str| -> Result<(), Refusal> {
            if l.is_recommendation() {
                refuse(format!("{} 在推荐名单上，不兑现，无需{what}", l.key))
            } else if self.withdrawn.contains_key(&l.key) {
                refuse(format!("{} 已经异议撤下，不能{what}", l.key))
            } else {
                Ok(())
            }
        };
        let text = |t: &str, what: &str| -> Result<(), Refusal> {
            if t.trim().is_empty() { refuse(format!("请填写{what}")) } else { Ok(()) }
        };
        let payer = |what: &str| -> Result<(), Refusal> {
            if *role != Role::Finance {
                return refuse(format!("{}不能{what}：支付由财政局办理", role.zh()));
            }
            if self.approvers.contains(&actor.username) {
                return refuse(format!("{} 审批过本批次，不能办理本批次的支付（审批与支付须分离）", actor.username));
            }
            Ok(())
        };
        match event {
            Event::Refreshed { revision, lines } => {
                bureau("刷新名单")?;
                in_review("刷新名单")?;
                if *revision != self.revision + 1 {
                    return refuse(format!("名单版本应为第 {} 版，收到第 {revision} 版", self.revision + 1));
                }
                let keys: BTreeSet<&LineKey> = lines.iter().map(|l| &l.key).collect();
                if keys.len() != lines.len() {
                    return refuse("名单中有重复的行（同一企业、同一规则、同一项目）");
                }
            }
            Event::Rejected { line: key, reason } => {
                in_review("改变审核决定")?;
                let l = reviewer(key, "审核")?;
                award_line(l, "审核")?;
                text(reason, "不予兑现的理由")?;
                if matches!(self.decisions.get(key), Some(Decision::Rejected(_))) {
                    return refuse(format!("{key} 已不予兑现"));
                }
            }
            Event::AmountSet { line: key, amount_fen, basis } => {
                in_review("核定金额")?;
                let l = reviewer(key, "核定金额")?;
                award_line(l, "核定金额")?;
                text(basis, "核定依据")?;
                if !l.ceiling || l.outcome != Outcome::Award {
                    return refuse(format!("{key} 的金额由政策确定，不是上限，不能另行核定"));
                }
                let ceiling = l.amount_fen.unwrap_or(0);
                if *amount_fen <= 0 || *amount_fen > ceiling {
                    return refuse(format!(
                        "核定金额须大于 0 且不超过上限 {}；不予补助请用“不予兑现”",
                        crate::event::yuan(ceiling)
                    ));
                }
            }
            Event::Reopened { line: key, reason } => {
                in_review("改变审核决定")?;
                reviewer(key, "撤回决定")?;
                text(reason, "撤回的理由")?;
                if !self.decisions.contains_key(key) {
                    return refuse(format!("{key} 没有可撤回的审核决定"));
                }
            }
            Event::Confirmed { line: key, account, .. } => {
                in_review("登记企业确认")?;
                let l = reviewer(key, "登记企业确认")?;
                award_line(l, "企业确认")?;
                if l.outcome != Outcome::Award {
                    return refuse(format!("{key} 待核实，金额未定，核实后再请企业确认"));
                }
                text(&account.holder, "收款户名")?;
                text(&account.bank, "开户行")?;
                text(&account.number, "收款账号")?;
            }
            Event::Declined { line: key, .. } => {
                in_review("登记企业确认")?;
                let l = reviewer(key, "登记企业放弃")?;
                award_line(l, "企业确认")?;
            }
            Event::CreditChecked { source, .. } => {
                bureau("做信用核查")?;
                in_review("做信用核查")?;
                text(source, "名单来源")?;
            }
            Event::CreditCleared { uscc, reason, evidence } => {
                bureau("解除信用核查命中")?;
                in_review("解除信用核查命中")?;
                if !self.credit_hits.contains_key(uscc) {
                    return refuse(format!("{uscc} 没有未解除的信用核查命中"));
                }
                text(reason, "解除理由")?;
                text(evidence, "证明材料")?;
            }
            Event::Approved { .. } => {
                if *role != Role::Leader {
                    return refuse(format!("{}不能审批：批次由领导审批", role.zh()));
                }
                in_review("审批")?;
                if self.approvals.contains(&actor.username) {
                    return refuse(format!("{} 已审批过当前名单", actor.username));
                }
                let open = self.lines.values().filter(|l| !self.state(l).is_decided()).count();
                if open > 0 {
                    return refuse(format!(
                        "还有 {open} 行未办结（待核实、待核定金额、待企业确认或信用核查），不能审批"
                    ));
                }
                if !self.lines.values().any(|l| matches!(self.state(l), LineState::Ready { .. })) {
                    return refuse("名单中没有可兑现的奖励，无需审批");
                }
            }
            Event::Published { date, last_day, document_no } => {
                bureau("发布公示")?;
                if self.phase != Phase::Approved {
                    return refuse(format!("批次{}，审批完成后才能公示", self.phase.zh()));
                }
                text(document_no, "文号")?;
                if last_day <= date {
                    return refuse("公示期的最后一天应在发布日之后");
                }
            }
            Event::Objected { id, line: key, objector, date, content, .. } => {
                bureau("登记异议")?;
                let Phase::Publicity { date: from, last_day, .. } = &self.phase else {
                    return refuse(format!("批次{}，只有公示期内才能登记异议", self.phase.zh()));
                };
                if date < from || date > last_day {
                    return refuse(format!("异议日期 {date} 不在公示期 {from} 至 {last_day} 内"));
                }
                let l = line(key)?;
                if self.withdrawn.contains_key(&l.key) {
                    return refuse(format!("{key} 已经撤下"));
                }
                text(objector, "异议人")?;
                text(content, "异议内容")?;
                if *id != self.next_objection() {
                    return refuse(format!("异议编号应为 {}", self.next_objection()));
                }
            }
            Event::ObjectionUpheld { id, reason, .. } | Event::ObjectionDismissed { id, reason } => {
                bureau("处理异议")?;
                if !matches!(self.phase, Phase::Publicity { .. }) {
                    return refuse(format!("批次{}，没有待处理的异议", self.phase.zh()));
                }
                if !self.objections.get(id).is_some_and(|o| o.open) {
                    return refuse(format!("没有待处理的第 {id} 号异议"));
                }
                text(reason, "处理理由")?;
            }
            Event::Finalised { date } => {
                bureau("确定名单")?;
                let Phase::Publicity { last_day, .. } = &self.phase else {
                    return refuse(format!("批次{}，公示期满后才能确定名单", self.phase.zh()));
                };
                if date <= last_day {
                    return refuse(format!("公示期至 {last_day}，期满后才能确定名单"));
                }
                let open = self.open_objections();
                if !open.is_empty() {
                    return refuse(format!("还有 {} 件异议未处理，不能确定名单", open.len()));
                }
            }
            Event::Paid { line: key, ledger_entry, voucher, amount_fen, .. } => {
                payer("支付")?;
                if !matches!(self.phase, Phase::Final { .. }) {
                    return refuse(format!("批次{}，名单确定后才能支付", self.phase.zh()));
                }
                let l = line(key)?;
                let LineState::Ready { amount_fen: due, .. } = self.state(l) else {
                    return refuse(format!("{key} 不可兑现：{}", self.state(l).zh()));
                };
                text(voucher, "凭证号")?;
                let paid = self.paid_fen(key);
                if *amount_fen <= 0 || paid + amount_fen > due {
                    return refuse(format!(
                        "{key} 应付 {}，已付 {}，本次最多可付 {}",
                        crate::event::yuan(due),
                        crate::event::yuan(paid),
                        crate::event::yuan(due - paid)
                    ));
                }
                if self.payments.contains_key(ledger_entry) {
                    return refuse(format!("台账第 {ledger_entry} 条已登记"));
                }
            }
            Event::Reversed { ledger_entry, reason, .. } => {
                payer("冲正")?;
                if !self.payments.get(ledger_entry).is_some_and(|p| !p.reversed) {
                    return refuse(format!("台账第 {ledger_entry} 条不是本批次未冲正的支付"));
                }
                text(reason, "冲正原因")?;
            }
        }
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
                self.credit_checked = Some(self.lines.keys().map(|k| k.uscc.clone()).collect());
                self.credit_hits = hits
                    .iter()
                    .filter(|h| self.lines.keys().any(|k| k.uscc == h.uscc))
                    .map(|h| (h.uscc.clone(), h.clone()))
                    .collect();
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
            }
            Event::Reversed { ledger_entry, .. } => {
                self.payments.get_mut(ledger_entry).expect("checked").reversed = true;
            }
        }
    }

    /// The next revision: lines whose outcome did not change keep their decisions and
    /// confirmations; the others are asked again.
    fn refresh(&mut self, revision: u32, lines: &[Line]) {
        let old: Vec<Line> = self.lines.values().cloned().collect();
        self.last_changes = if self.revision == 0 { Vec::new() } else { changes(&old, lines) };
        for c in &self.last_changes {
            let key = match c {
                Change::Added(k) | Change::Removed(k) | Change::Changed { key: k, .. } => k,
            };
            self.decisions.remove(key);
            self.answers.remove(key);
        }
        self.lines = lines.iter().map(|l| (l.key.clone(), l.clone())).collect();
        self.revision = revision;
    }
}

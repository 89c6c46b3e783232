//! What the award rounds (兑现批次) add to the pages that are not the rounds' own: the tallies of
//! a round (what waits on whom, proposed, approved, paid), an enterprise's 兑现记录, and the
//! county's paid-against-owed figures for the dashboard. All derived from the replayed rounds
//! ([`lianzhang_store::RoundRecord`]), never stored twice.

use crate::format::wan;
use lianzhang_rounds::{Event, Line, LineState, Pending, Phase};
use lianzhang_store::RoundRecord;

/// A round's lines counted (those `keep` admits: a task force counts its chain's). Money in fen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Award lines (recommendations are not counted).
    pub lines: usize,
    /// The engine's amounts of the award lines (ceilings at their ceiling).
    pub proposed_fen: i64,
    /// Decided amounts of the ready lines, once the round is approved.
    pub approved_fen: i64,
    /// Net payments.
    pub paid_fen: i64,
    /// Lines waiting: 待核实, 待核定金额, 待企业确认, 待信用核查, 信用核查命中.
    pub review: usize,
    pub final_amount: usize,
    pub confirmation: usize,
    pub credit_check: usize,
    pub credit_hits: usize,
    /// Ready lines of a final round with something left to pay, and how much (fen).
    pub to_pay: usize,
    pub to_pay_fen: i64,
}

impl Tally {
    pub fn of(record: &RoundRecord, keep: impl Fn(&Line) -> bool) -> Tally {
        let round = &record.round;
        let approved = !matches!(round.phase(), Phase::Review);
        let is_final = matches!(round.phase(), Phase::Final { .. });
        let mut t = Tally::default();
        for l in round.lines().filter(|l| !l.is_recommendation() && keep(l)) {
            t.lines += 1;
            t.proposed_fen += l.amount_fen.unwrap_or(0);
            let paid = round.paid_fen(&l.key);
            t.paid_fen += paid;
            match round.state(l) {
                LineState::Ready { amount_fen, .. } => {
                    if approved {
                        t.approved_fen += amount_fen;
                    }
                    if is_final && amount_fen > paid {
                        t.to_pay += 1;
                        t.to_pay_fen += amount_fen - paid;
                    }
                }
                LineState::Open { pending } => {
                    for p in pending {
                        match p {
                            Pending::Review { .. } => t.review += 1,
                            Pending::FinalAmount => t.final_amount += 1,
                            Pending::Confirmation => t.confirmation += 1,
                            Pending::CreditCheck => t.credit_check += 1,
                            Pending::CreditHit(_) => t.credit_hits += 1,
                        }
                    }
                }
                _ => {}
            }
        }
        t
    }

    /// What still waits, in Chinese ("待核实 3 行", …); empty when nothing does.
    pub fn waits(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (n, what) in [
            (self.review, "待核实"),
            (self.final_amount, "待核定金额"),
            (self.confirmation, "待企业确认"),
            (self.credit_check, "待信用核查"),
            (self.credit_hits, "信用核查命中"),
        ] {
            if n > 0 {
                out.push(format!("{what} {n} 行"));
            }
        }
        if self.to_pay > 0 {
            out.push(format!("待支付 {} 行（{} 万元）", self.to_pay, wan(self.to_pay_fen)));
        }
        out
    }
}

/// What the round waits on as a whole: sign-offs and objections, in Chinese.
pub fn round_waits(record: &RoundRecord) -> Vec<String> {
    let round = &record.round;
    let mut out = Vec::new();
    if matches!(round.phase(), Phase::Review) {
        out.push(format!("审批 {}/{}", round.approvals().len(), record.header.approvals));
    }
    let open = round.open_objections().len();
    if open > 0 {
        out.push(format!("未办结异议 {open} 件"));
    }
    if let Phase::Publicity { last_day, .. } = round.phase() {
        out.push(format!("公示期至 {last_day}"));
    }
    out
}

/// One line of an enterprise's 兑现记录.
pub struct PayoutRow {
    pub round_id: i64,
    pub round: String,
    pub year: i32,
    pub clause: String,
    pub rule: String,
    /// The amount (万元): the decided amount when there is one, else the engine's.
    pub amount: String,
    pub state: String,
    pub paid: String,
    /// Each payment or reversal: date, voucher, amount.
    pub payments: Vec<String>,
}

/// The lines of `uscc` in every round, newest round first.
pub fn record_of(rounds: &[std::sync::Arc<RoundRecord>], uscc: &str) -> Vec<PayoutRow> {
    let mut out = Vec::new();
    for r in rounds {
        for l in r.round.lines().filter(|l| l.key.uscc == uscc) {
            let state = r.round.state(l);
            let amount = match &state {
                LineState::Ready { amount_fen, .. } => *amount_fen,
                _ => l.amount_fen.unwrap_or(0),
            };
            let mut payments = Vec::new();
            for e in &r.events {
                match &e.event {
                    Event::Paid { line, voucher, date, amount_fen, ledger_entry } if *line == l.key => {
                        payments.push(format!("{date} 支付 {} 万元（凭证号 {voucher}，台账第 {ledger_entry} 条）", wan(*amount_fen)))
                    }
                    Event::Reversed { ledger_entry, reason, .. }
                        if r.events.iter().any(|p| matches!(&p.event, Event::Paid { line, ledger_entry: n, .. } if *line == l.key && n == ledger_entry)) =>
                    {
                        payments.push(format!("冲正台账第 {ledger_entry} 条：{reason}"))
                    }
                    _ => {}
                }
            }
            out.push(PayoutRow {
                round_id: r.header.id,
                round: r.header.name.clone(),
                year: r.header.year,
                clause: l.clause.clone(),
                rule: l.rule_title.clone(),
                amount: if l.amount_fen.is_some() { wan(amount) } else { "—".into() },
                state: if l.is_recommendation() { "推荐（不兑现）".into() } else { state.zh() },
                paid: wan(r.round.paid_fen(&l.key)),
                payments,
            });
        }
    }
    out
}

/// The county's rounds side by side for the dashboard: year, name, phase and the tallies.
pub struct RoundFigures {
    pub id: i64,
    pub year: i32,
    pub name: String,
    pub phase: &'static str,
    pub proposed: String,
    pub approved: String,
    pub paid: String,
    /// Paid as a share of approved, 0–100.
    pub percent: u32,
}

pub fn figures(rounds: &[std::sync::Arc<RoundRecord>]) -> Vec<RoundFigures> {
    rounds
        .iter()
        .map(|r| {
            let t = Tally::of(r, |_| true);
            RoundFigures {
                id: r.header.id,
                year: r.header.year,
                name: r.header.name.clone(),
                phase: r.round.phase().zh(),
                proposed: wan(t.proposed_fen),
                approved: wan(t.approved_fen),
                paid: wan(t.paid_fen),
                percent: if t.approved_fen > 0 { (t.paid_fen * 100 / t.approved_fen).clamp(0, 100) as u32 } else { 0 },
            }
        })
        .collect()
}

//! What the award rounds (兑现批次) add to the pages that are not the rounds' own: the tallies of
//! a round (what waits on whom, proposed, approved, paid), an enterprise's 兑现记录, and the
//! county's paid-against-owed figures for the dashboard. All derived from the replayed rounds
//! ([`lianzhang_store::RoundRecord`]), never stored twice.

use crate::AppState;
use crate::format::wan;
use lianzhang_rounds::{Event, LineState, Phase, Tally};
use lianzhang_store::RoundRecord;
use lianzhang_store::exact_wan;

/// What still waits in a tally, in Chinese ("待核实 3 行", …); empty when nothing does.
pub fn waits(t: &Tally) -> Vec<String> {
    let mut out = Vec::new();
    for (n, what) in [
        (t.review, "待核实"),
        (t.final_amount, "待核定金额"),
        (t.confirmation, "待企业确认"),
        (t.credit_check, "待信用核查"),
        (t.credit_hits, "信用核查命中"),
    ] {
        if n > 0 {
            out.push(format!("{what} {n} 行"));
        }
    }
    if t.to_pay > 0 {
        out.push(format!("待支付 {} 行（{} 万元）", t.to_pay, wan(t.to_pay_fen)));
    }
    out
}

/// What the round waits on as a whole, in Chinese: objections, the 公示 period, and (with
/// `signoffs`, for a page without a column of its own for them) the leaders' sign-offs.
pub fn round_waits(record: &RoundRecord, signoffs: bool) -> Vec<String> {
    let round = &record.round;
    let mut out = Vec::new();
    if signoffs && matches!(round.phase(), Phase::Review) {
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
                        payments.push(format!("{date} 支付 {} 万元（凭证号 {voucher}，台账第 {ledger_entry} 条）", exact_wan(*amount_fen)))
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
                // A line's figures exact (863元 is 0.0863 万元, not 0.09).
                amount: if l.amount_fen.is_some() { exact_wan(amount) } else { "—".into() },
                state: if l.is_recommendation() { "推荐（不兑现）".into() } else { r.round.state_zh(l) },
                paid: exact_wan(r.round.paid_fen(&l.key)),
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

pub fn figures(state: &AppState, rounds: &[std::sync::Arc<RoundRecord>]) -> Vec<RoundFigures> {
    rounds
        .iter()
        .map(|r| {
            let t = &crate::rounds::county_index(state, r).all;
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

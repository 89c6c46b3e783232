//! Payments of a round's final lines (财政支付) and their reversals (冲正): each is a ledger entry
//! and a round event, written in one transaction. The ledger's own guard (a trigger) still refuses
//! more than a line's final amount across every round and every payment outside rounds.

use super::{RoundRecord, append, load};
use crate::ledger::LedgerEntry;
use crate::runs::{check_actor, check_typed, yuan_of};
use crate::{Result, Store, StoreError, now};
use jiff::civil::Date;
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{Actor, BankAccount, Event, LineKey, LineState, ReceiptLine, Reconciliation, Sent};
use std::sync::Arc;

/// One payment to record: a line of a final round, the amount (fen, ≤ what remains of the
/// line's final amount), the accounting voucher number (凭证号) and the payment date.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub line: LineKey,
    pub amount_fen: i64,
    pub voucher: String,
    pub date: Date,
}

/// A payment of a round still standing (not reversed), with the account its line's enterprise
/// confirmed (收款账户).
#[derive(Debug, Clone)]
pub struct Standing<'a> {
    pub line: &'a LineKey,
    pub ledger_entry: i64,
    /// 凭证号 and 支付日期 as finance recorded them.
    pub voucher: &'a str,
    pub date: Date,
    /// Fen.
    pub amount_fen: i64,
    pub account: Option<BankAccount>,
}

impl RoundRecord {
    /// The payments of the round not reversed, in the order they were recorded.
    pub fn standing(&self) -> Vec<Standing<'_>> {
        let reversed: std::collections::HashSet<i64> = self
            .events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Reversed { ledger_entry, .. } => Some(*ledger_entry),
                _ => None,
            })
            .collect();
        self.events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Paid { line, ledger_entry, amount_fen, voucher, date } if !reversed.contains(ledger_entry) => {
                    let account = self.round.line(line).and_then(|l| match self.round.state(l) {
                        LineState::Ready { account, .. } => account,
                        _ => None,
                    });
                    Some(Standing {
                        line,
                        ledger_entry: *ledger_entry,
                        voucher,
                        date: *date,
                        amount_fen: *amount_fen,
                        account,
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// The standing payments as instructions to the bank (the 代发 file,
    /// `lianzhang_facts::lists::receipt::instruction_xlsx`), those paid on `date` when one is
    /// given; 用途 is the round's name and the clause (short: banks cut long ones), the account
    /// without the spaces a clerk types for reading.
    pub fn instructions(&self, date: Option<Date>) -> Vec<lianzhang_facts::lists::receipt::Instruction> {
        self.standing()
            .into_iter()
            .filter(|p| date.is_none_or(|d| d == p.date))
            .filter_map(|p| {
                let l = self.round.line(p.line)?;
                let a = p.account.unwrap_or_else(|| BankAccount {
                    holder: String::new(),
                    bank: String::new(),
                    number: String::new(),
                });
                Some(lianzhang_facts::lists::receipt::Instruction {
                    reference: p.ledger_entry.to_string(),
                    holder: a.holder,
                    account: a.number.chars().filter(|c| !c.is_whitespace()).collect(),
                    bank: a.bank,
                    amount_fen: p.amount_fen,
                    purpose: format!("{} {}", self.header.name, l.clause),
                    voucher: p.voucher.to_string(),
                    date: p.date,
                    uscc: l.key.uscc.clone(),
                    enterprise: l.enterprise.clone(),
                })
            })
            .collect()
    }

    /// The standing payments as the bank was asked to make them: the reference is the ledger
    /// entry number (付款流水号 on the payment instruction), the account the one the enterprise
    /// confirmed. What a bank receipt is reconciled against.
    pub fn sent(&self) -> Vec<Sent> {
        self.standing()
            .into_iter()
            .map(|p| Sent {
                reference: p.ledger_entry.to_string(),
                line: p.line.clone(),
                holder: p.account.as_ref().map_or_else(String::new, |a| a.holder.clone()),
                account: p.account.map_or_else(String::new, |a| a.number),
                amount_fen: p.amount_fen,
                ledger_entry: p.ledger_entry,
            })
            .collect()
    }
}

impl Store {
    /// Reconciles a bank receipt (银行回单) with the round's payments: nothing is written.
    pub async fn reconcile_round(&self, id: i64, receipt: &[ReceiptLine]) -> Result<Reconciliation> {
        let record = self.round(id).await?;
        let mut r = lianzhang_rounds::reconcile(&record.sent(), receipt);
        let reversed: Vec<(String, i64)> = record
            .events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Reversed { ledger_entry, reversal_entry, .. } => {
                    Some((ledger_entry.to_string(), *reversal_entry))
                }
                _ => None,
            })
            .collect();
        r.note_reversed(&reversed);
        Ok(r)
    }

    /// Reverses every payment the bank reports failed (退票), each with the bank's reason: the
    /// lines become payable again, for a follow-up batch. Returns the round as it then stands.
    /// Reconciled again inside, so a receipt applied twice reverses nothing twice.
    pub async fn settle_failed_payments(
        &self,
        id: i64,
        actor: &Actor,
        receipt: &[ReceiptLine],
    ) -> Result<Arc<RoundRecord>> {
        let reconciliation = self.reconcile_round(id, receipt).await?;
        let mut record = self.round(id).await?;
        for failed in &reconciliation.failed {
            let why = failed.receipt.failure.clone().unwrap_or_else(|| "未说明原因".into());
            let reason = format!("银行回单第 {} 行：支付失败（{why}），转入补发", failed.receipt.row);
            record = self.reverse_round_payment(id, actor, failed.sent.ledger_entry, &reason).await?;
        }
        Ok(record)
    }

    /// Records `payments` on round `id`, all or none: each is checked by the workflow (finance
    /// only, never a leader who approved the round, the round final, the line ready, the amount
    /// within what remains) and by the ledger (no award paid beyond its amount, in any round).
    /// A refusal names the payment and, for an award already paid, the ledger entries that paid it.
    pub async fn pay_round(&self, id: i64, actor: &Actor, payments: &[NewPayment]) -> Result<Arc<RoundRecord>> {
        check_actor(&actor.username)?;
        if payments.is_empty() {
            return Err(StoreError::Refused("没有要支付的行".into()));
        }
        let mut tx = self.begin_write().await?;
        let mut record = (*load(&mut tx, &self.rounds_cache, id).await?).clone();
        for p in payments {
            check_typed("凭证号", &p.voucher, TextKind::Line)?;
            let probe = Event::Paid {
                line: p.line.clone(),
                ledger_entry: i64::MIN,
                voucher: p.voucher.clone(),
                date: p.date,
                amount_fen: p.amount_fen,
            };
            record.round.check_event(actor, &probe).map_err(|r| StoreError::Refused(r.0))?;
            let today = jiff::tz::Offset::constant(8).to_datetime(jiff::Timestamp::now()).date();
            if p.date > today {
                return Err(StoreError::Refused(format!("支付日期 {} 晚于今天（{today}），请核对支付日期", p.date)));
            }
            let line = record.round.line(&p.line).expect("checked by the workflow");
            let LineState::Ready { amount_fen: owed, .. } = record.round.state(line) else {
                unreachable!("checked by the workflow")
            };
            let award_key = record.award_key(&p.line).expect("every line has its award key").to_string();
            let run_id = record.revisions.last().expect("a round has a revision").run_id;
            let entry = LedgerEntry {
                id: 0,
                at: now(),
                actor: actor.username.clone(),
                entry: "payment".into(),
                award_key: award_key.clone(),
                run_id,
                uscc: p.line.uscc.clone(),
                rule: p.line.rule.clone(),
                year: record.header.year,
                project_id: p.line.project_id.clone(),
                amount: yuan_of(p.amount_fen),
                reverses: None,
                note: format!("第 {id} 号兑现批次，凭证号 {}，支付日期 {}", p.voucher, p.date),
                run_overrides: Vec::new(),
                round_id: Some(id),
            };
            let entry = match crate::ledger::append(&mut tx, entry, Some(owed)).await {
                Ok(e) => e,
                Err(StoreError::Refused(_)) => {
                    drop(tx);
                    return Err(StoreError::Refused(self.already_paid(&p.line, &award_key).await?));
                }
                Err(e) => return Err(e),
            };
            let event = Event::Paid {
                line: p.line.clone(),
                ledger_entry: entry.id,
                voucher: p.voucher.clone(),
                date: p.date,
                amount_fen: p.amount_fen,
            };
            record = append(&mut tx, &record, actor, event).await?;
        }
        tx.commit().await?;
        let record = Arc::new(record);
        self.rounds_cache.put(record.clone());
        Ok(record)
    }

    /// Reverses payment `ledger_entry` of round `id` in full (冲正), with the reason: a negative
    /// ledger entry and a round event. The line becomes payable again (a follow-up payment).
    pub async fn reverse_round_payment(
        &self,
        id: i64,
        actor: &Actor,
        ledger_entry: i64,
        reason: &str,
    ) -> Result<Arc<RoundRecord>> {
        check_actor(&actor.username)?;
        check_typed("冲正原因", reason, TextKind::Note)?;
        let mut tx = self.begin_write().await?;
        let record = load(&mut tx, &self.rounds_cache, id).await?;
        let probe = Event::Reversed { ledger_entry, reversal_entry: i64::MIN, reason: reason.to_string() };
        record.round.clone().apply(actor, &probe).map_err(|r| StoreError::Refused(r.0))?;
        let paid = self.ledger_entry_in(&mut tx, ledger_entry).await?;
        let reversal = LedgerEntry {
            at: now(),
            actor: actor.username.clone(),
            entry: "reversal".into(),
            amount: -paid.amount,
            reverses: Some(ledger_entry),
            note: reason.to_string(),
            ..paid
        };
        let reversal = crate::ledger::append(&mut tx, reversal, None).await?;
        let event = Event::Reversed { ledger_entry, reversal_entry: reversal.id, reason: reason.to_string() };
        let record = append(&mut tx, &record, actor, event).await?;
        tx.commit().await?;
        let record = Arc::new(record);
        self.rounds_cache.put(record.clone());
        Ok(record)
    }

    /// Why an award cannot be paid again: the ledger entries that paid it, in Chinese.
    async fn already_paid(&self, line: &LineKey, award_key: &str) -> Result<String> {
        let entries: Vec<LedgerEntry> =
            self.ledger(Some(&line.uscc)).await?.into_iter().filter(|e| e.award_key == award_key).collect();
        let shown: Vec<String> = entries
            .iter()
            .filter(|e| e.entry == "payment" && !entries.iter().any(|r| r.reverses == Some(e.id)))
            .map(|e| {
                let place = e.round_id.map_or_else(|| "台账直接支付".to_string(), |r| format!("第 {r} 号兑现批次"));
                format!("台账第 {} 条（{}，{} 元，{}，{}）", e.id, place, e.amount, crate::beijing_time(&e.at), e.note)
            })
            .collect();
        Ok(format!("{line} 的奖励已支付，不能超额或重复支付：{}", shown.join("；")))
    }

    async fn ledger_entry_in(&self, tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: i64) -> Result<LedgerEntry> {
        let sql = format!("{} WHERE l.id = $1", crate::ledger::SELECT);
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?;
        crate::ledger::entry_of(&row.ok_or_else(|| StoreError::NotFound(format!("台账中没有第 {id} 条")))?)
    }
}

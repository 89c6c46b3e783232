//! Reconciling the bank's receipt of a payment batch (银行回单/代发结果) with the payments we
//! recorded (issue 10 item 7). Pure: the receipt comes in as plain rows ([`ReceiptLine`]; the
//! reader is `lianzhang_facts::lists::receipt`), and every payment and every receipt row lands
//! in exactly one bucket of the [`Reconciliation`].
//!
//! A payment is paired with the receipt row that carries its reference (付款流水号: the ledger
//! entry or voucher we put on it; all-digit references compare without leading zeros, as a bank
//! that stored them as numbers prints them). Then: the bank failed or returned it → `failed`
//! (the payment is reversed and the line goes to a follow-up batch); the bank paid it but the
//! amount or the account differs → `mismatched`, each difference named; else `matched`. A
//! payment without a row is `unanswered`; a row without a payment (or a second row for the
//! same reference) is `unmatched_receipt`.

use crate::event::yuan;
use crate::line::LineKey;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A payment we recorded and sent to the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The reference put on the payment (付款流水号/业务编号).
    pub reference: String,
    pub line: LineKey,
    /// 收款户名 as recorded.
    pub holder: String,
    /// 收款账号 as recorded.
    pub account: String,
    /// In fen.
    pub amount_fen: i64,
    /// The ledger entry of the payment (台账编号).
    pub ledger_entry: i64,
}

/// One row of a bank receipt: the plain form of `lianzhang_facts::lists::receipt::ReceiptRow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub reference: String,
    /// The bank's voucher number (凭证号), if given.
    pub voucher: Option<String>,
    pub holder: String,
    /// Digits; a masked account keeps its `*`.
    pub account: String,
    /// In fen.
    pub amount_fen: i64,
    pub date: Date,
    /// Whether the bank paid.
    pub ok: bool,
    pub failure: Option<String>,
    /// The row of the receipt file (1-based).
    pub row: usize,
}

impl From<lianzhang_facts::lists::receipt::ReceiptRow> for ReceiptLine {
    fn from(r: lianzhang_facts::lists::receipt::ReceiptRow) -> Self {
        ReceiptLine {
            reference: r.reference,
            voucher: r.voucher,
            holder: r.holder,
            account: r.account,
            amount_fen: r.amount_fen,
            date: r.date,
            ok: r.ok,
            failure: r.failure,
            row: r.row,
        }
    }
}

/// A difference between a payment and the bank's row for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Difference {
    /// Amounts in fen.
    Amount {
        sent: i64,
        bank: i64,
    },
    Account {
        sent: String,
        bank: String,
    },
}

impl Difference {
    /// The difference in Chinese: `金额不符：登记 5,000.00元，回单 500.00元`.
    pub fn zh(&self) -> String {
        match self {
            Difference::Amount { sent, bank } => format!("金额不符：登记 {}，回单 {}", yuan(*sent), yuan(*bank)),
            Difference::Account { sent, bank } => format!("收款账号不符：登记 {sent}，回单 {bank}"),
        }
    }
}

/// A payment and the bank's row for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paired {
    pub sent: Sent,
    pub receipt: ReceiptLine,
}

/// A payment the bank paid, but not as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatched {
    pub sent: Sent,
    pub receipt: ReceiptLine,
    pub differences: Vec<Difference>,
}

/// A receipt row that answers no payment of ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    pub receipt: ReceiptLine,
    /// The row of an earlier receipt row with the same reference, if this one repeats it.
    pub repeats: Option<usize>,
    /// The ledger entry of the reversal, when the reference is a payment of ours that was
    /// reversed ([`Reconciliation::note_reversed`]).
    #[serde(default)]
    pub reversed_by: Option<i64>,
}

/// The receipt reconciled with the payments: each payment and each receipt row in exactly one
/// bucket, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Paid by the bank as recorded.
    pub matched: Vec<Paired>,
    /// Failed or returned by the bank: to reverse, the line to a follow-up batch.
    pub failed: Vec<Paired>,
    /// Paid by the bank, but the amount or the account differs.
    pub mismatched: Vec<Mismatched>,
    /// Receipt rows we never sent (or that repeat a reference).
    pub unmatched_receipt: Vec<Unmatched>,
    /// Payments the receipt does not mention.
    pub unanswered: Vec<Sent>,
}

/// A reference as compared: trimmed; all digits without their leading zeros.
fn key(reference: &str) -> String {
    let t = reference.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let stripped = t.trim_start_matches('0');
        return if stripped.is_empty() { "0".into() } else { stripped.into() };
    }
    t.to_string()
}

/// Whether the bank's account is the recorded one: equal digits (spaces and dashes aside), or
/// a masked account (`6222****4567`) whose shown digits agree.
fn same_account(sent: &str, bank: &str) -> bool {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect() };
    let (sent, bank) = (clean(sent), clean(bank));
    if sent == bank {
        return true;
    }
    let (Some(first), Some(last)) = (bank.find('*'), bank.rfind('*')) else { return false };
    let (head, tail) = (&bank[..first], &bank[last + 1..]);
    !head.is_empty()
        && !tail.is_empty()
        && sent.len() > head.len() + tail.len()
        && sent.starts_with(head)
        && sent.ends_with(tail)
}

/// Reconciles the receipt rows `receipt` with the payments `sent` (see the module's text).
pub fn reconcile(sent: &[Sent], receipt: &[ReceiptLine]) -> Reconciliation {
    let mut rows: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in receipt.iter().enumerate() {
        rows.entry(key(&r.reference)).or_default().push(i);
    }
    let mut taken = vec![false; receipt.len()];
    let mut next: HashMap<String, usize> = HashMap::new();
    let mut out = Reconciliation::default();
    for s in sent {
        let k = key(&s.reference);
        let at = next.entry(k.clone()).or_default();
        let Some(&i) = rows.get(&k).and_then(|r| r.get(*at)) else {
            out.unanswered.push(s.clone());
            continue;
        };
        *at += 1;
        taken[i] = true;
        let r = &receipt[i];
        let paired = Paired { sent: s.clone(), receipt: r.clone() };
        if !r.ok {
            out.failed.push(paired);
            continue;
        }
        let mut differences = Vec::new();
        if r.amount_fen != s.amount_fen {
            differences.push(Difference::Amount { sent: s.amount_fen, bank: r.amount_fen });
        }
        if !same_account(&s.account, &r.account) {
            differences.push(Difference::Account { sent: s.account.clone(), bank: r.account.clone() });
        }
        if differences.is_empty() {
            out.matched.push(paired);
        } else {
            out.mismatched.push(Mismatched { sent: paired.sent, receipt: paired.receipt, differences });
        }
    }
    for (i, r) in receipt.iter().enumerate() {
        if !taken[i] {
            let first = rows.get(&key(&r.reference)).and_then(|all| all.first()).copied();
            let repeats = first.filter(|&f| f != i).map(|f| receipt[f].row);
            out.unmatched_receipt.push(Unmatched { receipt: r.clone(), repeats, reversed_by: None });
        }
    }
    out
}

impl Reconciliation {
    /// Marks the unmatched rows that answer a payment already reversed: `reversed` gives each
    /// such payment's reference (its ledger entry) and the ledger entry of its reversal. Such a
    /// row is no stranger to the ledger: its problem says so instead of "not registered".
    pub fn note_reversed(&mut self, reversed: &[(String, i64)]) {
        for u in self.unmatched_receipt.iter_mut().filter(|u| u.repeats.is_none()) {
            let k = key(&u.receipt.reference);
            u.reversed_by = reversed.iter().find(|(r, _)| key(r) == k).map(|(_, by)| *by);
        }
    }

    /// The ledger entries to reverse: the payments the bank failed or returned.
    pub fn to_reverse(&self) -> Vec<i64> {
        self.failed.iter().map(|p| p.sent.ledger_entry).collect()
    }

    /// The lines to pay again in a follow-up batch (补发): those of the failed payments.
    pub fn follow_up(&self) -> Vec<&LineKey> {
        self.failed.iter().map(|p| &p.sent.line).collect()
    }

    /// Whether every payment was paid as recorded and every row answers one.
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty()
            && self.mismatched.is_empty()
            && self.unmatched_receipt.is_empty()
            && self.unanswered.is_empty()
    }

    /// One Chinese sentence: how many of each, with their sums.
    pub fn zh(&self) -> String {
        let rows = self.matched.len() + self.failed.len() + self.mismatched.len() + self.unmatched_receipt.len();
        let payments = self.matched.len() + self.failed.len() + self.mismatched.len() + self.unanswered.len();
        let sum = |v: &[Paired]| yuan(v.iter().map(|p| p.sent.amount_fen).sum());
        format!(
            "回单 {rows} 行，登记的支付 {payments} 笔：一致 {} 笔（{}）；失败或退回 {} 笔（{}，须冲正后转入补发批次）；信息不符 {} 笔；回单中有而未登记 {} 行；未见回单 {} 笔",
            self.matched.len(),
            sum(&self.matched),
            self.failed.len(),
            sum(&self.failed),
            self.mismatched.len(),
            self.unmatched_receipt.len(),
            self.unanswered.len(),
        )
    }

    /// Everything that needs a person, one Chinese line each: failed, mismatched, unmatched and
    /// unanswered, in that order (matched payments need nobody); lines by their key.
    pub fn problems_zh(&self) -> Vec<String> {
        self.problems_zh_naming(&|k| k.to_string())
    }

    /// [`Reconciliation::problems_zh`] with each line named by `name` (a round names its lines
    /// by enterprise and rule title: [`crate::Round::name_of`]).
    pub fn problems_zh_naming(&self, name: &dyn Fn(&LineKey) -> String) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.failed {
            let (s, r) = (&p.sent, &p.receipt);
            let why = r.failure.as_deref().unwrap_or("回单未写原因");
            out.push(format!(
                "回单第{}行 流水号 {}：{} {} {}，银行支付失败或退回（{why}）：须冲正台账第 {} 条，并把该行转入补发批次",
                r.row,
                s.reference,
                name(&s.line),
                s.holder,
                yuan(s.amount_fen),
                s.ledger_entry
            ));
        }
        for m in &self.mismatched {
            let diffs: Vec<String> = m.differences.iter().map(Difference::zh).collect();
            out.push(format!(
                "回单第{}行 流水号 {}：{} {}，{}：请向银行核实",
                m.receipt.row,
                m.sent.reference,
                name(&m.sent.line),
                m.sent.holder,
                diffs.join("；")
            ));
        }
        for u in &self.unmatched_receipt {
            let r = &u.receipt;
            out.push(match (u.repeats, u.reversed_by) {
                (Some(first), _) => format!("回单第{}行 流水号 {}：与第{first}行的流水号重复，未计入", r.row, r.reference),
                (None, Some(by)) if !r.ok => format!(
                    "回单第{}行 流水号 {}：这笔支付已冲正（台账第 {by} 条），银行的失败回单无需再处理",
                    r.row, r.reference
                ),
                (None, Some(by)) => format!(
                    "回单第{}行 流水号 {}：银行显示已支付 {}，但这笔支付已冲正（台账第 {by} 条）：请向银行核实是否重复支付",
                    r.row,
                    r.reference,
                    yuan(r.amount_fen)
                ),
                (None, None) => format!(
                    "回单第{}行 流水号 {}（{} {}）：不是登记过的支付，请核对流水号",
                    r.row,
                    r.reference,
                    r.holder,
                    yuan(r.amount_fen)
                ),
            });
        }
        for s in &self.unanswered {
            out.push(format!(
                "流水号 {}：{} {} {}（台账第 {} 条）在回单中没有找到：请向银行核实是否已付",
                s.reference,
                name(&s.line),
                s.holder,
                yuan(s.amount_fen),
                s.ledger_entry
            ));
        }
        out
    }
}

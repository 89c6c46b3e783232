//! Reconciling a bank receipt with the payments recorded: each bucket on its own case, the
//! Chinese text exactly, and (property) every payment and every receipt row in exactly one bucket.

use jiff::civil::date;
use lianzhang_rounds::{Difference, LineKey, ReceiptLine, Sent, reconcile};
use proptest::prelude::*;

fn key(uscc: &str) -> LineKey {
    LineKey { uscc: uscc.into(), rule: "first_reach".into(), project_id: None }
}

fn sent(reference: &str, uscc: &str, account: &str, amount_fen: i64, ledger_entry: i64) -> Sent {
    Sent {
        reference: reference.into(),
        line: key(uscc),
        holder: format!("企业{uscc}"),
        account: account.into(),
        amount_fen,
        ledger_entry,
    }
}

fn row(reference: &str, account: &str, amount_fen: i64, ok: bool, row: usize) -> ReceiptLine {
    ReceiptLine {
        reference: reference.into(),
        voucher: None,
        holder: "某企业".into(),
        account: account.into(),
        amount_fen,
        date: date(2025, 6, 30),
        ok,
        failure: (!ok).then(|| "账户已销户".into()),
        row,
    }
}

#[test]
fn each_bucket() {
    let sent = [
        sent("101", "A", "6222020200001234567", 50_000_000, 101),
        sent("102", "B", "6222020200007654321", 30_000_000, 102),
        sent("103", "C", "6222020200000000003", 12_000_000, 103),
        sent("104", "D", "6222020200000000004", 1_000_000, 104),
        sent("105", "E", "6222020200000000005", 2_000_000, 105),
    ];
    let receipt = [
        // Leading zeros: the bank kept the reference as text, we as a number.
        row("000101", "6222 0202 0000 1234 567", 50_000_000, true, 4),
        row("102", "6222020200007654321", 30_000_000, false, 5),
        row("103", "6222020200000000009", 1_200_000, true, 6),
        row("105", "6222****0005", 2_000_000, true, 7),
        row("999", "6222020200000000999", 500_000, true, 8),
        row("105", "6222020200000000005", 2_000_000, true, 9),
    ];
    let r = reconcile(&sent, &receipt);
    let refs = |v: &[lianzhang_rounds::Paired]| v.iter().map(|p| p.sent.reference.clone()).collect::<Vec<_>>();
    assert_eq!(refs(&r.matched), ["101", "105"]);
    assert_eq!(refs(&r.failed), ["102"]);
    assert_eq!(r.mismatched.len(), 1);
    assert_eq!(
        r.mismatched[0].differences,
        [
            Difference::Amount { sent: 12_000_000, bank: 1_200_000 },
            Difference::Account { sent: "6222020200000000003".into(), bank: "6222020200000000009".into() },
        ]
    );
    assert_eq!(
        r.unmatched_receipt.iter().map(|u| (u.receipt.row, u.repeats)).collect::<Vec<_>>(),
        [(8, None), (9, Some(7))]
    );
    assert_eq!(r.unanswered.iter().map(|s| s.ledger_entry).collect::<Vec<_>>(), [104]);
    assert_eq!(r.to_reverse(), [102]);
    assert_eq!(r.follow_up(), [&key("B")]);
    assert!(!r.is_clean());
    assert_eq!(
        r.zh(),
        "回单 6 行，登记的支付 5 笔：一致 2 笔（520,000.00元）；失败或退回 1 笔（300,000.00元，须冲正后转入补发批次）；信息不符 1 笔；回单中有而未登记 2 行；未见回单 1 笔"
    );
    assert_eq!(
        r.problems_zh(),
        [
            "回单第5行 流水号 102：B first_reach 企业B 300,000.00元，银行支付失败或退回（账户已销户）：须冲正台账第 102 条，并把该行转入补发批次",
            "回单第6行 流水号 103：C first_reach 企业C，金额不符：登记 120,000.00元，回单 12,000.00元；收款账号不符：登记 6222020200000000003，回单 6222020200000000009：请向银行核实",
            "回单第8行 流水号 999（某企业 5,000.00元）：不是登记过的支付，请核对流水号",
            "回单第9行 流水号 105：与第7行的流水号重复，未计入",
            "流水号 104：D first_reach 企业D 10,000.00元（台账第 104 条）在回单中没有找到：请向银行核实是否已付",
        ]
    );
}

#[test]
fn a_clean_receipt_and_masks_that_do_not_fit() {
    let sent = [sent("1", "A", "6222020200001234567", 100, 1)];
    let ok = reconcile(&sent, &[row("1", "6222020200001234567", 100, true, 2)]);
    assert!(ok.is_clean());
    assert_eq!(ok.problems_zh(), Vec::<String>::new());
    // A mask whose shown digits disagree, and one that shows nothing, are differences.
    for masked in ["6223****4567", "****"] {
        let r = reconcile(&sent, &[row("1", masked, 100, true, 2)]);
        assert_eq!(r.mismatched.len(), 1, "{masked}");
    }
    // A failed payment is failed whatever else differs: it is reversed either way.
    let r = reconcile(&sent, &[row("1", "0", 1, false, 2)]);
    assert_eq!(r.failed.len(), 1);
}

fn arb_sent() -> impl Strategy<Value = Vec<Sent>> {
    prop::collection::vec((0u8..6, 0u8..3, 1i64..4), 0..12).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (r, a, amount))| {
                sent(&format!("{:0w$}", r, w = 1 + i % 3), "U", &format!("62{a}"), amount, i as i64)
            })
            .collect()
    })
}

fn arb_receipt() -> impl Strategy<Value = Vec<ReceiptLine>> {
    prop::collection::vec((0u8..8, 0u8..3, 1i64..4, any::<bool>()), 0..12).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (r, a, amount, ok))| row(&r.to_string(), &format!("62{a}"), amount, ok, i + 2))
            .collect()
    })
}

proptest! {
    #[test]
    fn every_payment_and_every_row_in_exactly_one_bucket(sent in arb_sent(), receipt in arb_receipt()) {
        let r = reconcile(&sent, &receipt);
        let mut payments: Vec<i64> = r.matched.iter().chain(&r.failed).map(|p| p.sent.ledger_entry)
            .chain(r.mismatched.iter().map(|m| m.sent.ledger_entry))
            .chain(r.unanswered.iter().map(|s| s.ledger_entry))
            .collect();
        payments.sort_unstable();
        prop_assert_eq!(payments, (0..sent.len() as i64).collect::<Vec<_>>());
        let mut rows: Vec<usize> = r.matched.iter().chain(&r.failed).map(|p| p.receipt.row)
            .chain(r.mismatched.iter().map(|m| m.receipt.row))
            .chain(r.unmatched_receipt.iter().map(|u| u.receipt.row))
            .collect();
        rows.sort_unstable();
        prop_assert_eq!(rows, (2..receipt.len() + 2).collect::<Vec<_>>());
        // Each bucket keeps its promise.
        for p in &r.matched {
            prop_assert!(p.receipt.ok && p.receipt.amount_fen == p.sent.amount_fen && p.receipt.account == p.sent.account);
        }
        for p in &r.failed {
            prop_assert!(!p.receipt.ok);
        }
        for m in &r.mismatched {
            prop_assert!(m.receipt.ok && !m.differences.is_empty());
        }
        prop_assert_eq!(r.problems_zh().len(), r.failed.len() + r.mismatched.len() + r.unmatched_receipt.len() + r.unanswered.len());
    }
}

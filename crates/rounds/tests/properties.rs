//! Invariants over any sequence of events by anyone: refusals change nothing, a replay gives
//! the same round, nobody is paid more than a line's amount or before the list is final, and
//! whoever approved never pays.

mod common;
use common::*;
use lianzhang_rounds::*;
use proptest::prelude::*;

fn actors() -> Vec<Actor> {
    vec![bureau(), steel(), food(), leader(), finance(), actor("leader", Role::Finance), actor("admin", Role::Admin)]
}

fn event(kind: u8, line: usize, n: i64) -> Event {
    let keys: Vec<LineKey> = lines_v1().into_iter().map(|l| l.key).collect();
    let k = keys[line % keys.len()].clone();
    let d = day(3, 1 + (n % 27) as i8);
    match kind % 14 {
        0 => Event::Rejected { line: k, reason: "理由".into() },
        1 => Event::AmountSet { line: k, amount_fen: n * 1_000_000, basis: "评审".into() },
        2 => Event::Reopened { line: k, reason: "撤回".into() },
        3 => confirm(&k),
        4 => Event::Declined { line: k, channel: Channel::Phone, date: d, note: String::new() },
        5 => Event::CreditChecked {
            date: d,
            source: "信用中国".into(),
            hits: if n % 3 == 0 {
                vec![CreditHit {
                    uscc: k.uscc.clone(),
                    list: "名单".into(),
                    source: "s".into(),
                    listed: day(1, 1),
                    removed: None,
                }]
            } else {
                vec![]
            },
        },
        6 => Event::CreditCleared { uscc: k.uscc, reason: "已修复".into(), evidence: "决定书".into() },
        7 => Event::Approved { note: String::new() },
        8 => Event::Published { date: day(3, 10), last_day: day(3, 17), document_no: "文号".into() },
        9 => Event::Objected {
            id: 1 + (n % 3) as u32,
            line: k,
            objector: "某".into(),
            date: d,
            content: "异议".into(),
            evidence: String::new(),
        },
        10 => Event::ObjectionDismissed { id: 1 + (n % 3) as u32, reason: "不成立".into() },
        11 => Event::Finalised { date: d },
        12 => Event::Paid { line: k, ledger_entry: n, voucher: "v".into(), date: d, amount_fen: n * 2_500_000 },
        _ => Event::Reversed { ledger_entry: n, reversal_entry: 100 + n, reason: "冲正".into() },
    }
}

/// The events that carry the round of [`created`] to a final list: B rejected, C's amount set,
/// A, C and D confirmed, the credit check, the approval, 公示 and the end of the period.
fn to_final() -> Vec<(Actor, Event)> {
    let keys: Vec<LineKey> = lines_v1().into_iter().map(|l| l.key).collect();
    vec![
        (bureau(), Event::Refreshed { revision: 1, lines: lines_v1() }),
        (steel(), Event::Rejected { line: keys[1].clone(), reason: "企业已注销".into() }),
        (steel(), Event::AmountSet { line: keys[2].clone(), amount_fen: 60_000_000, basis: "评审".into() }),
        (steel(), confirm(&keys[0])),
        (steel(), confirm(&keys[2])),
        (food(), confirm(&keys[3])),
        (bureau(), Event::CreditChecked { date: day(3, 1), source: "信用中国".into(), hits: vec![] }),
        (leader(), Event::Approved { note: String::new() }),
        (bureau(), Event::Published { date: day(3, 10), last_day: day(3, 17), document_no: "文号".into() }),
        (bureau(), Event::Finalised { date: day(3, 18) }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn any_sequence_keeps_the_invariants(
        from_final in any::<bool>(),
        steps in prop::collection::vec((0usize..7, 0u8..14, 0usize..5, 1i64..60), 0..80),
    ) {
        let actors = actors();
        let mut r = Round::new(settings());
        let mut accepted = Vec::new();
        let start = if from_final { to_final() } else { to_final().into_iter().take(1).collect() };
        for (a, e) in start {
            r.apply(&a, &e).unwrap();
            accepted.push((a, e));
        }
        let mut payers = Vec::new();
        for (who, kind, line, n) in steps {
            let (a, e) = (&actors[who], event(kind, line, n));
            let before = r.clone();
            match r.apply(a, &e) {
                Ok(()) => {
                    if let Event::Paid { .. } = e {
                        let final_before = matches!(before.phase(), Phase::Final { .. });
                        prop_assert!(final_before, "paid before the list was final");
                        payers.push(a.username.clone());
                    }
                    accepted.push((a.clone(), e));
                }
                Err(refusal) => {
                    prop_assert_eq!(&r, &before);
                    prop_assert!(!refusal.0.is_empty());
                }
            }
            for l in r.lines() {
                let paid = r.paid_fen(&l.key);
                prop_assert!(paid >= 0);
                match r.state(l) {
                    LineState::Ready { amount_fen, .. } => prop_assert!(paid <= amount_fen),
                    _ => prop_assert_eq!(paid, 0),
                }
            }
        }
        if from_final {
            prop_assert!(matches!(r.phase(), Phase::Final { .. }), "a final list stays final");
        }
        let replayed = Round::replay(settings(), accepted.iter().map(|(a, e)| (a, e))).unwrap();
        prop_assert_eq!(&replayed, &r);
        for p in payers {
            prop_assert!(!r.approvals().contains(&p), "{p} approved and paid");
            prop_assert_ne!(p.as_str(), "leader");
        }
    }
}

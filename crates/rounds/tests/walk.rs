//! A year's round walked from creation to payment, and each refusal on the way.

mod common;
use common::*;
use lianzhang_rounds::*;

fn refused(r: &mut Round, a: &Actor, e: Event) -> String {
    let before = r.clone();
    let err = r.apply(a, &e).unwrap_err().to_string();
    assert_eq!(*r, before, "a refused event changes nothing: {e:?}");
    err
}

fn ok(r: &mut Round, a: &Actor, e: Event) {
    r.apply(a, &e).unwrap_or_else(|err| panic!("{e:?} by {a:?}: {err}"));
}

fn check(r: &mut Round) {
    ok(r, &bureau(), Event::CreditChecked { date: day(3, 1), source: "信用中国".into(), hits: vec![] });
}

#[test]
fn a_year_from_creation_to_payment() {
    let mut r = created();
    let (a, b, c, d) = (
        key("A", "above_scale_entry"),
        key("B", "revenue_300m"),
        lines_v1()[2].key.clone(),
        key("D", "above_scale_entry"),
    );
    // Everything is open at first: B needs review, C its final amount, all their confirmation and
    // the credit check; E is a recommendation and holds nothing.
    let state = |r: &Round, k: &LineKey| r.state(r.line(k).unwrap());
    assert_eq!(state(&r, &key("E", "research_referral")), LineState::Recommendation);
    assert_eq!(
        state(&r, &b),
        LineState::Open {
            pending: vec![Pending::Review { missing: vec!["2024年营业收入".into()] }, Pending::CreditCheck]
        }
    );
    assert_eq!(
        state(&r, &c),
        LineState::Open { pending: vec![Pending::FinalAmount, Pending::Confirmation, Pending::CreditCheck] }
    );
    assert!(refused(&mut r, &leader(), Event::Approved { note: String::new() }).contains("还有 4 行未办结"));

    // The fact of B is fixed in the registry; the refresh makes revision 2 where B is an award.
    // A keeps its confirmation (its outcome did not change); B is asked again.
    ok(&mut r, &steel(), confirm(&a));
    let mut v2 = lines_v1();
    v2[1] = line("B", "revenue_300m", "steel", Outcome::Award, Some(20_000_000));
    assert!(refused(&mut r, &steel(), Event::Refreshed { revision: 2, lines: v2.clone() }).contains("工信局"));
    ok(&mut r, &bureau(), Event::Refreshed { revision: 2, lines: v2 });
    assert_eq!(
        r.last_changes(),
        [Change::Changed {
            key: b.clone(),
            before: (Outcome::NeedsReview, None),
            after: (Outcome::Award, Some(20_000_000))
        }]
    );
    assert!(!matches!(state(&r, &a), LineState::Open { ref pending } if pending.contains(&Pending::Confirmation)));

    // Review: C's final amount within its ceiling; a food line is not the steel task force's.
    assert!(
        refused(&mut r, &steel(), Event::AmountSet { line: c.clone(), amount_fen: 130_000_000, basis: "评审".into() })
            .contains("不超过上限 1,200,000.00元")
    );
    ok(&mut r, &steel(), Event::AmountSet { line: c.clone(), amount_fen: 95_000_000, basis: "专家评审意见".into() });
    assert!(refused(&mut r, &steel(), confirm(&d)).contains("不属于本专班的产业链"));
    ok(&mut r, &food(), confirm(&d));
    ok(&mut r, &steel(), confirm(&b));
    ok(&mut r, &steel(), confirm(&c));

    // Credit check: D is on the list; clearing needs a reason and evidence.
    let hit = CreditHit {
        uscc: "D".into(),
        list: "失信被执行人名单".into(),
        source: "信用中国".into(),
        listed: day(1, 5),
        removed: None,
    };
    ok(&mut r, &bureau(), Event::CreditChecked { date: day(3, 1), source: "信用中国".into(), hits: vec![hit.clone()] });
    assert_eq!(state(&r, &d), LineState::Open { pending: vec![Pending::CreditHit(hit)] });
    assert!(
        refused(
            &mut r,
            &bureau(),
            Event::CreditCleared { uscc: "D".into(), reason: "已履行".into(), evidence: " ".into() }
        )
        .contains("证明材料")
    );
    ok(
        &mut r,
        &bureau(),
        Event::CreditCleared {
            uscc: "D".into(),
            reason: "已履行完毕并移出名单".into(),
            evidence: "信用修复决定书".into(),
        },
    );

    // Approval, by a leader only, when nothing is open.
    assert!(refused(&mut r, &bureau(), Event::Approved { note: String::new() }).contains("领导审批"));
    ok(&mut r, &leader(), Event::Approved { note: "同意".into() });
    assert_eq!(*r.phase(), Phase::Approved);
    assert!(
        refused(&mut r, &steel(), Event::Rejected { line: a.clone(), reason: "x".into() }).contains("批次已审批待公示")
    );

    // 公示 and an objection, dismissed; the list is final after the period.
    let published =
        Event::Published { date: day(3, 10), last_day: day(3, 17), document_no: "泽工信〔2025〕12号".into() };
    ok(&mut r, &bureau(), published);
    let objection = |id| Event::Objected {
        id,
        line: a.clone(),
        objector: "张某".into(),
        date: day(3, 12),
        content: "营业收入不实".into(),
        evidence: String::new(),
    };
    assert!(refused(&mut r, &bureau(), objection(2)).contains("异议编号应为 1"));
    ok(&mut r, &bureau(), objection(1));
    assert!(refused(&mut r, &bureau(), Event::Finalised { date: day(3, 18) }).contains("还有 1 件异议未处理"));
    ok(&mut r, &bureau(), Event::ObjectionDismissed { id: 1, reason: "经核对统计年报属实".into() });
    assert!(refused(&mut r, &bureau(), Event::Finalised { date: day(3, 17) }).contains("期满后"));
    ok(&mut r, &bureau(), Event::Finalised { date: day(3, 18) });

    // Payment: finance only, never the approver; partial payments up to the line's amount.
    let pay = |entry, amount_fen| Event::Paid {
        line: c.clone(),
        ledger_entry: entry,
        voucher: format!("记-{entry}"),
        date: day(4, 1),
        amount_fen,
    };
    let approver_in_finance = actor("leader", Role::Finance);
    assert!(refused(&mut r, &approver_in_finance, pay(1, 1)).contains("审批与支付须分离"));
    assert!(refused(&mut r, &bureau(), pay(1, 1)).contains("财政局"));
    let early =
        Event::Paid { line: c.clone(), ledger_entry: 1, voucher: "记-1".into(), date: day(3, 17), amount_fen: 1 };
    assert!(refused(&mut r, &finance(), early).contains("支付日期 2025-03-17 早于名单确定日 2025-03-18"));
    ok(&mut r, &finance(), pay(1, 50_000_000));
    assert!(refused(&mut r, &finance(), pay(2, 50_000_000)).contains("本次最多可付 450,000.00元"));
    ok(&mut r, &finance(), pay(2, 45_000_000));
    assert_eq!(r.paid_fen(&c), 95_000_000);
    ok(&mut r, &finance(), Event::Reversed { ledger_entry: 2, reversal_entry: 3, reason: "账号有误".into() });
    assert!(
        refused(&mut r, &finance(), Event::Reversed { ledger_entry: 2, reversal_entry: 4, reason: "再次".into() })
            .contains("未冲正")
    );
    ok(&mut r, &finance(), pay(5, 45_000_000));
    assert_eq!(r.paid_fen(&c), 95_000_000);
}

#[test]
fn a_rejected_or_declined_line_is_decided_and_never_paid() {
    let mut r = created();
    let (a, b, c, d) = (
        key("A", "above_scale_entry"),
        key("B", "revenue_300m"),
        lines_v1()[2].key.clone(),
        key("D", "above_scale_entry"),
    );
    assert!(
        refused(&mut r, &steel(), Event::Rejected { line: b.clone(), reason: "  ".into() })
            .contains("请填写不予兑现的理由")
    );
    ok(&mut r, &steel(), Event::Rejected { line: b.clone(), reason: "企业已注销".into() });
    ok(
        &mut r,
        &steel(),
        Event::Declined {
            line: c.clone(), channel: Channel::Visit, date: day(3, 2), note: "企业自愿放弃".into()
        },
    );
    ok(&mut r, &steel(), confirm(&a));
    ok(&mut r, &food(), confirm(&d));
    check(&mut r);
    assert_eq!(r.state(r.line(&b).unwrap()), LineState::Rejected { reason: "企业已注销".into() });
    assert_eq!(r.state(r.line(&c).unwrap()), LineState::Declined);
    // The tally: rejected and declined lines are not proposed; nothing is approved before the
    // leaders sign; every award line counted, decided.
    let ready: i64 = r
        .lines()
        .filter_map(|l| match r.state(l) {
            LineState::Ready { amount_fen, .. } => Some(amount_fen),
            _ => None,
        })
        .sum();
    let t = Tally::of(&r, |_| true);
    assert_eq!((t.open, t.proposed_fen, t.ready_fen, t.approved_fen), (0, ready, ready, 0));
    assert_eq!(t.lines, r.lines().filter(|l| !l.is_recommendation()).count());
    assert_eq!(ready, 20_000_000, "A and D; the declined project's ceiling (C) is not proposed");
    ok(&mut r, &leader(), Event::Approved { note: String::new() });
    assert_eq!(Tally::of(&r, |_| true).approved_fen, ready, "approved once signed");
    ok(&mut r, &bureau(), Event::Published { date: day(3, 10), last_day: day(3, 17), document_no: "x".into() });
    ok(&mut r, &bureau(), Event::Finalised { date: day(3, 20) });
    let e = refused(
        &mut r,
        &finance(),
        Event::Paid { line: b, ledger_entry: 1, voucher: "v".into(), date: day(4, 1), amount_fen: 1 },
    );
    assert!(e.contains("不可兑现：不予兑现：企业已注销"), "{e}");
}

#[test]
fn k_leaders_must_sign_the_same_list_and_a_change_between_clears_the_signatures() {
    let mut r = Round::new(Settings { approvals: 2, ..settings() });
    let lines = vec![line("A", "above_scale_entry", "steel", Outcome::Award, Some(10_000_000))];
    ok(&mut r, &bureau(), Event::Refreshed { revision: 1, lines });
    let a = key("A", "above_scale_entry");
    ok(&mut r, &steel(), confirm(&a));
    check(&mut r);
    let l2 = actor("leader2", Role::Leader);
    ok(&mut r, &leader(), Event::Approved { note: String::new() });
    assert!(refused(&mut r, &leader(), Event::Approved { note: String::new() }).contains("已审批过"));
    assert_eq!(*r.phase(), Phase::Review);
    // A change between the signatures: the first leader signed another list.
    ok(
        &mut r,
        &steel(),
        Event::Confirmed {
            line: a.clone(),
            channel: Channel::Paper,
            date: day(3, 4),
            account: account("新户名"),
            note: String::new(),
        },
    );
    assert!(r.approvals().is_empty());
    ok(&mut r, &l2, Event::Approved { note: String::new() });
    assert_eq!(*r.phase(), Phase::Review);
    ok(&mut r, &leader(), Event::Approved { note: String::new() });
    assert_eq!(*r.phase(), Phase::Approved);
}

#[test]
fn an_upheld_objection_withdraws_the_line_or_sends_the_round_back_to_review() {
    let mut r = Round::new(settings());
    let lines = vec![
        line("A", "above_scale_entry", "steel", Outcome::Award, Some(10_000_000)),
        line("D", "above_scale_entry", "food", Outcome::Award, Some(10_000_000)),
    ];
    ok(&mut r, &bureau(), Event::Refreshed { revision: 1, lines: lines.clone() });
    let (a, d) = (key("A", "above_scale_entry"), key("D", "above_scale_entry"));
    ok(&mut r, &steel(), confirm(&a));
    ok(&mut r, &food(), confirm(&d));
    check(&mut r);
    ok(&mut r, &leader(), Event::Approved { note: String::new() });
    ok(&mut r, &bureau(), Event::Published { date: day(3, 10), last_day: day(3, 17), document_no: "x".into() });
    let object = |id, k: &LineKey| Event::Objected {
        id,
        line: k.clone(),
        objector: "李某".into(),
        date: day(3, 11),
        content: "不符合条件".into(),
        evidence: "材料".into(),
    };
    ok(&mut r, &bureau(), object(1, &a));
    ok(&mut r, &bureau(), Event::ObjectionUpheld { id: 1, settle: Upheld::Withdraw, reason: "核实后不符合".into() });
    assert_eq!(r.state(r.line(&a).unwrap()), LineState::Withdrawn { objection: 1 });
    assert!(refused(&mut r, &bureau(), object(2, &a)).contains("已经撤下"));
    // A correction: back to review, refreshed, approved and published again.
    ok(&mut r, &bureau(), object(2, &d));
    ok(&mut r, &bureau(), Event::ObjectionUpheld { id: 2, settle: Upheld::Correct, reason: "更正营业收入".into() });
    assert_eq!(*r.phase(), Phase::Review);
    ok(
        &mut r,
        &bureau(),
        Event::Refreshed {
            revision: 2,
            lines: vec![lines[0].clone(), line("D", "above_scale_entry", "food", Outcome::Award, Some(5_000_000))],
        },
    );
    assert!(
        refused(&mut r, &leader(), Event::Approved { note: String::new() }).contains("还有 1 行未办结"),
        "D's amount changed: confirm again"
    );
    ok(&mut r, &food(), confirm(&d));
    ok(&mut r, &leader(), Event::Approved { note: String::new() });
    ok(&mut r, &bureau(), Event::Published { date: day(3, 20), last_day: day(3, 27), document_no: "y".into() });
    ok(&mut r, &bureau(), Event::Finalised { date: day(3, 28) });
    assert_eq!(r.state(r.line(&a).unwrap()), LineState::Withdrawn { objection: 1 });
    assert!(matches!(r.state(r.line(&d).unwrap()), LineState::Ready { amount_fen: 5_000_000, .. }));
}

#[test]
fn without_the_confirmation_parameter_a_line_needs_no_confirmation() {
    let mut r = Round::new(Settings { confirmation: false, ..settings() });
    ok(
        &mut r,
        &bureau(),
        Event::Refreshed { revision: 1, lines: vec![line("A", "x", "steel", Outcome::Award, Some(1))] },
    );
    check(&mut r);
    assert!(matches!(r.state(r.line(&key("A", "x")).unwrap()), LineState::Ready { amount_fen: 1, account: None }));
}

#[test]
fn events_round_trip_through_json_as_the_store_keeps_them() {
    let e = Event::Paid {
        line: key("A", "x"),
        ledger_entry: 7,
        voucher: "记-7".into(),
        date: day(4, 1),
        amount_fen: 12_345,
    };
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains("\"kind\":\"paid\""), "{json}");
    assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    assert_eq!(e.zh(), "支付 A x 123.45元（凭证号 记-7）");
}

#[test]
fn a_task_force_sees_the_events_of_its_chain_only() {
    let r = created();
    let on = |chain: &'static str| move |l: &Line| l.chain.as_deref() == Some(chain);
    let a_steel = confirm(&key("A", "above_scale_entry"));
    let d_food = confirm(&key("D", "above_scale_entry"));
    assert!(r.event_seen(&a_steel, true, on("steel")));
    assert!(!r.event_seen(&d_food, true, on("steel")));
    assert!(r.event_seen(&d_food, false, on("steel")), "an unscoped reader sees everything");
    let cleared = Event::CreditCleared { uscc: "D".into(), reason: "r".into(), evidence: "e".into() };
    assert!(r.event_seen(&cleared, true, on("food")) && !r.event_seen(&cleared, true, on("steel")));
    let gone = confirm(&key("Z", "above_scale_entry"));
    assert!(!r.event_seen(&gone, true, on("steel")) && r.event_seen(&gone, false, on("steel")));
    assert!(r.event_seen(&Event::Approved { note: String::new() }, true, on("steel")));
}

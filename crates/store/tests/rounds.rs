//! Award rounds in the registry, on both databases: a round freezes what it was computed from
//! (its amounts equal the engine's on the frozen facts, to the fen, whatever the registry says
//! later), refuses what-ifs, keeps decisions across a refresh, and pays through the ledger:
//! partial payments up to a line's amount, never twice, reversals, separation of duties.
mod common;
use common::*;
use jiff::civil::date;
use lianzhang_rounds::{Actor, BankAccount, Channel, Event, Line, LineState, Outcome, Role, lines_of};
use lianzhang_store::{NewCreditEntry, NewPayment, NewRound, Store};

fn actor(name: &str, role: Role) -> Actor {
    Actor { username: name.into(), role }
}

fn bureau() -> Actor {
    actor("clerk", Role::Bureau)
}

async fn created(store: &Store, year: i32) -> (lianzhang_policy::Policy, i64) {
    let (file, p) = policy();
    let ds = demo(&p, 200, 5);
    store.import(&ds, "t", "demo", &no_progress).await.unwrap();
    let r = store
        .create_round(NewRound { year, name: "2023年度第一批", file: &file, policy: &p, actor: &bureau() })
        .await
        .unwrap();
    (p, r.header.id)
}

fn award_lines(lines: &[Line]) -> impl Iterator<Item = &Line> {
    lines.iter().filter(|l| !l.is_recommendation())
}

#[tokio::test]
async fn a_round_equals_the_engine_on_its_frozen_facts_whatever_the_registry_says_later() {
    each_db(async |store, db| {
        let (p, id) = created(&store, 2023).await;
        let record = store.round(id).await.unwrap();
        let lines: Vec<Line> = record.round.lines().cloned().collect();
        assert!(lines.iter().any(|l| l.outcome == Outcome::Award), "{db}: the demo county has awards");
        assert!(lines.iter().any(|l| l.outcome == Outcome::NeedsReview), "{db}: and doubtful cases");

        // The same amounts as the engine on the registry at creation, to the fen.
        let inputs = store.load_assessment_inputs(&p.vocabulary).await.unwrap();
        let a = lianzhang_policy::engine::assess_with(&p, &inputs.dataset, 2023, &inputs.paid, &inputs.confirmations);
        let engine_total: i64 = lines_of(&p, &inputs.dataset, &a).iter().filter_map(|l| l.amount_fen).sum();
        let round_total: i64 = lines.iter().filter_map(|l| l.amount_fen).sum();
        assert_eq!(round_total, engine_total, "{db}");
        assert_eq!(
            lianzhang_facts::Fen(round_total).to_yuan(),
            a.total(),
            "{db}: the lines carry every award of the assessment"
        );

        // The registry changes: every revenue of 2023 doubles.
        let changed = double_revenue(demo(&p, 200, 5), 2023);
        store.import(&changed, "t", "revised", &no_progress).await.unwrap();

        // Re-read: the round still shows what it was computed from; its frozen facts give its
        // lines again, exactly.
        let again = store.round(id).await.unwrap();
        assert_eq!(again.round.lines().cloned().collect::<Vec<_>>(), lines, "{db}");
        let frozen = store.round_facts(id, 1, &p.vocabulary).await.unwrap();
        assert_eq!(frozen.hash, again.revisions[0].facts_hash, "{db}");
        let a = lianzhang_policy::engine::assess_with(&p, &frozen.dataset, 2023, &frozen.paid, &frozen.confirmations);
        assert_eq!(lines_of(&p, &frozen.dataset, &a), lines, "{db}: frozen facts assess to the same lines");

        // A refresh reads the registry as it is now: the changes are shown.
        let refreshed = store.refresh_round(id, &bureau()).await.unwrap();
        assert_eq!(refreshed.round.revision(), 2, "{db}");
        assert!(!refreshed.round.last_changes().is_empty(), "{db}: doubled revenues change outcomes");
        assert_eq!(refreshed.revisions.len(), 2, "{db}");
        assert_ne!(refreshed.revisions[0].run_id, refreshed.revisions[1].run_id, "{db}");
        // And the cache is the database: a fresh store replays the same state.
        let url = match store.url() {
            lianzhang_store::DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            lianzhang_store::DbUrl::Postgres(u) => u.clone(),
        };
        let fresh = Store::open(&url).await.unwrap();
        assert_eq!(fresh.round(id).await.unwrap().round, refreshed.round, "{db}");
    })
    .await;
}

fn double_revenue(ds: lianzhang_facts::Dataset, year: i32) -> lianzhang_facts::Dataset {
    let v = ds.vocabulary().clone();
    let mut b = lianzhang_facts::DatasetBuilder::new(v);
    for f in ds.iter() {
        b.enterprise(f.enterprise.clone());
        for r in f.annual {
            let mut r = *r;
            if r.year == year {
                r.revenue = r.revenue.map(|x| lianzhang_facts::Fen(x.0 * 2));
            }
            b.annual(f.enterprise.uscc, r);
        }
        for r in f.recognitions {
            b.recognition(f.enterprise.uscc, *r);
        }
        for pr in f.projects {
            b.project(f.enterprise.uscc, pr.clone());
        }
    }
    b.build().unwrap()
}

#[tokio::test]
async fn a_what_if_or_an_unauthorised_creator_makes_no_round() {
    each_db(async |store, db| {
        let (mut file, p) = policy();
        store.import(&demo(&p, 50, 1), "t", "demo", &no_progress).await.unwrap();
        file.set("above_scale_entry.amount=150000");
        let p2 = file.compile().unwrap();
        let err = store
            .create_round(NewRound { year: 2023, name: "试算批次", file: &file, policy: &p2, actor: &bureau() })
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("试算"), "{db}: {err}");
        let (file, p) = policy();
        let err = store
            .create_round(NewRound {
                year: 2023,
                name: "领导建的批次",
                file: &file,
                policy: &p,
                actor: &actor("boss", Role::Leader),
            })
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("工信局"), "{db}: {err}");
        for table in ["rounds", "runs", "round_events"] {
            let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(store.pool())
                .await
                .unwrap();
            assert_eq!(n, 0, "{db}: nothing written to {table}");
        }
    })
    .await;
}

/// Decides every award line of the round: doubtful ones rejected, ceilings set to 90%, all
/// confirmed; then the credit check with one hit cleared, approval, 公示 and finalisation.
async fn to_final(store: &Store, id: i64, leader: &Actor) {
    let record = store.round(id).await.unwrap();
    let lines: Vec<Line> = award_lines(&record.round.lines().cloned().collect::<Vec<_>>()).cloned().collect();
    for l in &lines {
        if l.outcome == Outcome::NeedsReview {
            store
                .act(id, &bureau(), Event::Rejected { line: l.key.clone(), reason: "核实后不符合条件".into() })
                .await
                .unwrap();
            continue;
        }
        if l.ceiling {
            let amount_fen = l.amount_fen.unwrap() * 9 / 10;
            store
                .act(id, &bureau(), Event::AmountSet { line: l.key.clone(), amount_fen, basis: "专家评审".into() })
                .await
                .unwrap();
        }
        let account = BankAccount {
            holder: l.enterprise.clone(),
            bank: "晋城银行泽州支行".into(),
            number: "6228000011112222".into(),
        };
        let confirm = Event::Confirmed {
            line: l.key.clone(),
            channel: Channel::Phone,
            date: date(2024, 3, 1),
            account,
            note: String::new(),
        };
        store.act(id, &bureau(), confirm).await.unwrap();
    }
    let hit = &lines.iter().find(|l| l.outcome == Outcome::Award).unwrap().key.uscc;
    let entry = |uscc: &str, removed| NewCreditEntry {
        uscc: uscc.into(),
        name: None,
        list: "失信被执行人名单".into(),
        source: "最高人民法院".into(),
        listed: date(2023, 6, 1),
        removed,
    };
    let other = &lines.iter().rev().find(|l| &l.key.uscc != hit).unwrap().key.uscc;
    store
        .import_credit_list("失信名单.xlsx", &[entry(hit, None), entry(other, Some(date(2024, 1, 1)))], &bureau())
        .await
        .unwrap();
    let checked = store.credit_check(id, &bureau(), date(2024, 3, 5)).await.unwrap();
    let Some(Event::CreditChecked { hits, .. }) = checked.events.last().map(|e| &e.event) else { panic!() };
    assert_eq!(
        hits.iter().map(|h| &h.uscc).collect::<Vec<_>>(),
        [hit],
        "the entry removed before the date is not a hit"
    );
    let err = store.act(id, leader, Event::Approved { note: String::new() }).await.unwrap_err().to_string();
    assert!(err.contains("未办结"), "{err}");
    store
        .act(
            id,
            &bureau(),
            Event::CreditCleared {
                uscc: hit.clone(), reason: "已履行".into(), evidence: "信用修复证明".into()
            },
        )
        .await
        .unwrap();
    store.act(id, leader, Event::Approved { note: "同意".into() }).await.unwrap();
    let calendar = store.calendar().await.unwrap();
    let period = calendar.period(date(2024, 9, 27), 5).unwrap();
    store
        .act(
            id,
            &bureau(),
            Event::Published {
                date: date(2024, 9, 27),
                last_day: period.last,
                document_no: "泽工信公〔2024〕1号".into(),
            },
        )
        .await
        .unwrap();
    store.act(id, &bureau(), Event::Finalised { date: date(2024, 10, 11) }).await.unwrap();
}

#[tokio::test]
async fn payments_are_partial_up_to_the_line_never_twice_and_never_by_an_approver() {
    each_db(async |store, db| {
        let (_, id) = created(&store, 2023).await;
        let leader = actor("boss", Role::Leader);
        to_final(&store, id, &leader).await;
        let record = store.round(id).await.unwrap();
        let (line, due) = record
            .round
            .lines()
            .find_map(|l| match record.round.state(l) {
                LineState::Ready { amount_fen, .. } if amount_fen > 1 => Some((l.key.clone(), amount_fen)),
                _ => None,
            })
            .expect("a payable line");
        let pay = |amount_fen, voucher: &str| NewPayment { line: line.clone(), amount_fen, voucher: voucher.into(), date: date(2024, 10, 20) };
        let finance = actor("cashier", Role::Finance);

        // The leader who approved may not pay, even as finance.
        let err = store.pay_round(id, &actor("boss", Role::Finance), &[pay(due, "记-1")]).await.unwrap_err().to_string();
        assert!(err.contains("审批与支付须分离"), "{db}: {err}");

        // A payment dated after today is refused (a typo in the year, not a payment).
        let tomorrow = jiff::tz::Offset::constant(8).to_datetime(jiff::Timestamp::now()).date().tomorrow().unwrap();
        let later = NewPayment { date: tomorrow, ..pay(1, "记-0") };
        let err = store.pay_round(id, &finance, &[later]).await.unwrap_err().to_string();
        assert!(err.contains("晚于今天"), "{db}: {err}");

        // A first part, then the rest; a third payment is refused naming the payments.
        let first = due / 3;
        store.pay_round(id, &finance, &[pay(first, "记-2")]).await.unwrap();
        let err = store.pay_round(id, &finance, &[pay(due, "记-3")]).await.unwrap_err().to_string();
        assert!(err.contains("最多可付"), "{db}: {err}");
        let record = store.pay_round(id, &finance, &[pay(due - first, "记-4")]).await.unwrap();
        assert_eq!(record.round.paid_fen(&line), due, "{db}");
        let err = store.pay_round(id, &finance, &[pay(1, "记-5")]).await.unwrap_err().to_string();
        assert!(err.contains("最多可付"), "{db}: {err}");

        // The ledger itself refuses a payment beyond the line's amount, whoever writes it.
        let key = record.award_key(&line).unwrap().to_string();
        let run = record.revisions.last().unwrap().run_id;
        let sql = format!(
            "INSERT INTO ledger (at, actor, entry, award_key, run_id, uscc, rule, year, amount_fen, note, round_id, owed_fen) \
             VALUES ('2024-10-21T00:00:00Z', 'x', 'payment', '{key}', {run}, '{}', '{}', 2023, 1, 'x', {id}, {due})",
            line.uscc, line.rule
        );
        let err = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(store.pool()).await.unwrap_err().to_string();
        assert!(err.contains("already paid"), "{db}: {err}");

        // A reversal makes the line payable again; the ledger shows both.
        let paid = store.ledger(Some(&line.uscc)).await.unwrap();
        let last = paid.iter().rfind(|e| e.entry == "payment" && e.round_id == Some(id)).unwrap().id;
        let err = store.reverse(last, "cashier", "退回").await.unwrap_err().to_string();
        assert!(err.contains("请在该批次中冲正"), "{db}: {err}");
        let record = store.reverse_round_payment(id, &finance, last, "银行退回：账号有误").await.unwrap();
        assert_eq!(record.round.paid_fen(&line), first, "{db}");
        store.pay_round(id, &finance, &[pay(due - first, "记-6")]).await.unwrap();

        // A batch is all or none: one bad payment and nothing of it is recorded.
        let events = store.round(id).await.unwrap().events.len();
        let others: Vec<NewPayment> = record
            .round
            .lines()
            .filter(|l| l.key != line && matches!(record.round.state(l), LineState::Ready { .. }))
            .take(2)
            .map(|l| NewPayment { line: l.key.clone(), amount_fen: 1, voucher: "记-7".into(), date: date(2024, 10, 22) })
            .chain([pay(1, "记-8")])
            .collect();
        assert!(store.pay_round(id, &finance, &others).await.is_err(), "{db}");
        assert_eq!(store.round(id).await.unwrap().events.len(), events, "{db}");
        assert_eq!(
            store.ledger(None).await.unwrap().iter().filter(|e| e.note.contains("记-7")).count(),
            0,
            "{db}: nothing of the refused batch reached the ledger"
        );
    })
    .await;
}

#[tokio::test]
async fn the_timeline_and_the_audit_trail_record_every_step() {
    each_db(async |store, db| {
        let (_, id) = created(&store, 2023).await;
        let leader = actor("boss", Role::Leader);
        to_final(&store, id, &leader).await;
        let record = store.round(id).await.unwrap();
        let kinds: Vec<String> = record.events.iter().map(|e| e.event.zh()).collect();
        assert!(kinds[0].starts_with("刷新名单，形成第 1 版"), "{db}: {kinds:?}");
        assert!(kinds.iter().any(|k| k == "审批同意"), "{db}");
        assert!(record.events.iter().any(|e| e.actor.username == "boss" && e.actor.role == Role::Leader), "{db}");
        let (audited,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit WHERE table_name = 'rounds'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(audited as usize, record.events.len(), "{db}");
        for sql in ["UPDATE round_events SET actor = 'x'", "DELETE FROM round_lines", "DELETE FROM rounds"] {
            let err = sqlx::query(sql).execute(store.pool()).await.expect_err(sql);
            assert!(err.to_string().contains("refused"), "{db}: {sql}: {err}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_bank_receipt_reconciles_and_failed_payments_go_back_to_be_paid_again() {
    each_db(async |store, db| {
        let (_, id) = created(&store, 2023).await;
        to_final(&store, id, &actor("boss", Role::Leader)).await;
        let finance = actor("cashier", Role::Finance);
        let record = store.round(id).await.unwrap();
        let ready: Vec<NewPayment> = record
            .round
            .lines()
            .filter_map(|l| match record.round.state(l) {
                LineState::Ready { amount_fen, .. } => Some(NewPayment {
                    line: l.key.clone(),
                    amount_fen,
                    voucher: "记-100".into(),
                    date: date(2024, 10, 20),
                }),
                _ => None,
            })
            .take(3)
            .collect();
        assert_eq!(ready.len(), 3, "{db}");
        let record = store.pay_round(id, &finance, &ready).await.unwrap();
        let sent = record.sent();
        assert_eq!(sent.len(), 3, "{db}");
        assert!(sent.iter().all(|s| s.account == "6228000011112222"), "{db}: the confirmed account");
        let row = |i: usize, ok: bool| lianzhang_rounds::ReceiptLine {
            reference: sent[i].reference.clone(),
            voucher: None,
            holder: sent[i].holder.clone(),
            account: sent[i].account.clone(),
            amount_fen: sent[i].amount_fen,
            date: date(2024, 10, 21),
            ok,
            failure: (!ok).then(|| "账户已销户".to_string()),
            row: i + 2,
        };
        let receipt = [row(0, true), row(1, false)];
        let r = store.reconcile_round(id, &receipt).await.unwrap();
        assert_eq!((r.matched.len(), r.failed.len(), r.unanswered.len()), (1, 1, 1), "{db}");
        let after = store.settle_failed_payments(id, &finance, &receipt).await.unwrap();
        assert_eq!(after.round.paid_fen(&sent[1].line), 0, "{db}: the failed payment is reversed");
        assert_eq!(after.round.paid_fen(&sent[0].line), sent[0].amount_fen, "{db}");
        let again = store.settle_failed_payments(id, &finance, &receipt).await.unwrap();
        assert_eq!(again.events.len(), after.events.len(), "{db}: a receipt applied twice reverses nothing twice");
        // The failed line is paid again in a follow-up batch.
        let follow = NewPayment {
            line: sent[1].line.clone(),
            amount_fen: sent[1].amount_fen,
            voucher: "记-101".into(),
            date: date(2024, 11, 1),
        };
        store.pay_round(id, &finance, &[follow]).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn budgets_credit_lists_and_calendars_are_entered_by_their_role_only() {
    each_db(async |store, db| {
        let budget = lianzhang_store::NewBudget {
            year: 2024,
            clause: "三（一）".into(),
            amount_fen: 50_000_000,
            note: "2024年县级专项资金预算".into(),
        };
        for who in [actor("leader", Role::Leader), actor("finance", Role::Finance), actor("admin", Role::Admin)] {
            let e = store.set_budget(&budget, &who).await.unwrap_err().to_string();
            assert!(e.contains("由工信局办理"), "{db}: {e}");
        }
        assert!(store.budgets(2024).await.unwrap().is_empty(), "{db}: a refused budget writes nothing");
        store.set_budget(&budget, &bureau()).await.unwrap();
        assert_eq!(store.budgets(2024).await.unwrap()[0].amount_fen, 50_000_000, "{db}");

        let entry = NewCreditEntry {
            uscc: "91140525MA0L00002Q".into(),
            name: None,
            list: "失信被执行人名单".into(),
            source: "法院".into(),
            listed: date(2024, 1, 5),
            removed: None,
        };
        let e = store
            .import_credit_list(
                "名单.xlsx",
                std::slice::from_ref(&entry),
                &actor("tf", Role::TaskForce("steel".into())),
            )
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("由工信局办理"), "{db}: {e}");
        assert!(store.credit_lists().await.unwrap().is_empty(), "{db}");

        let year = r#"{"year": 2027, "holidays": [], "workdays": []}"#;
        let e = store.add_calendar_year(year, &bureau()).await.unwrap_err().to_string();
        assert!(e.contains("由系统管理员办理"), "{db}: {e}");
    })
    .await;
}

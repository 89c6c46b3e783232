//! Recorded runs and the payout ledger on both databases: one net payment per award, reversals,
//! `already_paid`, and the database's own refusal of UPDATE and DELETE.
mod common;
use common::*;
use lianzhang_policy::{Status, assess};
use lianzhang_store::Store;

/// Imports a demo county, records the 2023 run and returns (store's run id, an award outcome).
async fn recorded(store: &Store) -> (i64, lianzhang_store::RunOutcome) {
    let (file, p) = policy();
    let ds = demo(&p, 200, 5);
    store.import(&ds, "t", "demo", &no_progress).await.unwrap();
    let a = assess(&p, &store.load_dataset(&p.vocabulary).await.unwrap(), 2023, &store.paid().await.unwrap());
    let id = store.record_run(&file, &p, &a, "reviewer").await.unwrap();
    let outcomes = store.run_outcomes(id).await.unwrap();
    assert_eq!(outcomes.len(), a.outcomes.len());
    let award = outcomes.iter().find(|o| o.status == "award" && o.one_time).expect("a one-time award").clone();
    (id, award)
}

#[tokio::test]
async fn a_recorded_run_keeps_policy_parameters_and_outcomes() {
    each_db(async |store, db| {
        let (id, _) = recorded(&store).await;
        let run = store.run(id).await.unwrap();
        assert_eq!(
            (run.year, run.actor.as_str(), run.policy_id.as_str()),
            (2023, "reviewer", "zezhou-2022-84"),
            "{db}"
        );
        assert_eq!(run.policy_hash.len(), 64);
        assert_eq!(store.count("policy_versions").await.unwrap(), 1);
        let total: rust_decimal::Decimal = store.run_outcomes(id).await.unwrap().iter().filter_map(|o| o.amount).sum();
        assert_eq!(run.total, total);
        // Stored runs never change: the database itself refuses.
        for sql in [
            "UPDATE runs SET year = 1999",
            "DELETE FROM runs",
            "UPDATE run_outcomes SET amount_fen = 1",
            "DELETE FROM run_outcomes",
            "DELETE FROM audit",
        ] {
            let err = sqlx::query(sql).execute(store.pool()).await.expect_err(sql);
            assert!(err.to_string().contains("refused"), "{db}: {sql}: {err}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_award_is_paid_once_and_a_reversal_allows_paying_it_again() {
    each_db(async |store, db| {
        let (id, award) = recorded(&store).await;
        let project = award.project_id.as_deref();
        let paid = store.pay(id, &award.uscc, &award.rule, project, "finance", "凭证 001").await.unwrap();
        assert_eq!((paid.entry.as_str(), paid.amount), ("payment", award.amount.unwrap()), "{db}");

        let again = store.pay(id, &award.uscc, &award.rule, project, "finance", "凭证 002").await.unwrap_err();
        assert!(again.to_string().contains("不能重复支付"), "{db}: {again}");

        let rev = store.reverse(paid.id, "finance", "金额有误").await.unwrap();
        assert_eq!((rev.entry.as_str(), rev.amount, rev.reverses), ("reversal", -paid.amount, Some(paid.id)));
        assert!(store.reverse(paid.id, "finance", "再冲").await.is_err(), "{db}: a payment is reversed once");
        assert!(store.reverse(rev.id, "finance", "冲冲正").await.is_err(), "{db}: a reversal is not reversed");

        let repaid = store.pay(id, &award.uscc, &award.rule, project, "finance", "凭证 003").await.unwrap();
        assert_eq!(repaid.amount, paid.amount);
        let entries = store.ledger(Some(&award.uscc)).await.unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(
            entries.iter().map(|e| e.amount).sum::<rust_decimal::Decimal>(),
            paid.amount,
            "{db}: net one payment"
        );
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_a_second_payment_and_any_edit_of_the_ledger() {
    each_db(async |store, db| {
        let (id, award) = recorded(&store).await;
        let e = store.pay(id, &award.uscc, &award.rule, award.project_id.as_deref(), "finance", "").await.unwrap();
        // Bypass the application: a hand-written INSERT of the same award is refused by the trigger.
        let key = lianzhang_store::award_key(&award.uscc, &award.rule, None, award.project_id.as_deref());
        let dup = sqlx::query(
            "INSERT INTO ledger (at, actor, entry, award_key, run_id, uscc, rule, year, project_id, amount_fen, note) \
             VALUES ('2026-01-01T00:00:00Z', 'x', 'payment', $1, $2, $3, $4, 2023, $5, 100, '')",
        )
        .bind(&key)
        .bind(id)
        .bind(&award.uscc)
        .bind(&award.rule)
        .bind(award.project_id.clone())
        .execute(store.pool())
        .await
        .expect_err("second payment");
        assert!(dup.to_string().contains("already paid"), "{db}: {dup}");
        // A reversal that does not cancel its payment exactly is refused too.
        let bad = sqlx::query(
            "INSERT INTO ledger (at, actor, entry, award_key, run_id, uscc, rule, year, amount_fen, reverses, note) \
             VALUES ('2026-01-01T00:00:00Z', 'x', 'reversal', $1, $2, $3, $4, 2023, -1, $5, '')",
        )
        .bind(&key)
        .bind(id)
        .bind(&award.uscc)
        .bind(&award.rule)
        .bind(e.id)
        .execute(store.pool())
        .await
        .expect_err("partial reversal");
        assert!(bad.to_string().contains("reversal must"), "{db}: {bad}");
        for sql in ["UPDATE ledger SET amount_fen = 1", "DELETE FROM ledger"] {
            let err = sqlx::query(sql).execute(store.pool()).await.expect_err(sql);
            assert!(err.to_string().contains("refused"), "{db}: {sql}: {err}");
        }
        assert_eq!(store.ledger(None).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_paid_one_time_award_is_reported_already_paid_in_later_runs() {
    each_db(async |store, db| {
        let (id, award) = recorded(&store).await;
        let (_, p) = policy();
        let ds = store.load_dataset(&p.vocabulary).await.unwrap();
        store.pay(id, &award.uscc, &award.rule, award.project_id.as_deref(), "finance", "").await.unwrap();
        let paid = store.paid().await.unwrap();
        let a = assess(&p, &ds, 2023, &paid);
        let o = a
            .outcomes
            .iter()
            .find(|o| o.uscc.as_str() == award.uscc && o.rule == award.rule && o.project_id == award.project_id)
            .unwrap();
        assert_eq!((o.status, o.amount), (Status::AlreadyPaid, None), "{db}");
        // Paying from a run that already shows it paid is refused with a reason.
        let (file, _) = policy();
        let run2 = store.record_run(&file, &p, &a, "reviewer").await.unwrap();
        let err = store.pay(run2, &award.uscc, &award.rule, award.project_id.as_deref(), "f", "").await.unwrap_err();
        assert!(err.to_string().contains("已支付"), "{db}: {err}");
        // Not an award: refused.
        if let Some(r) = store.run_outcomes(run2).await.unwrap().iter().find(|o| o.status == "needs_review") {
            let err = store.pay(run2, &r.uscc, &r.rule, r.project_id.as_deref(), "f", "").await.unwrap_err();
            assert!(err.to_string().contains("不是奖励"), "{db}: {err}");
        }
    })
    .await;
}

#[tokio::test]
async fn two_payments_of_one_award_at_once_pay_it_once() {
    each_db(async |store, db| {
        let (id, award) = recorded(&store).await;
        let pay = |note: &'static str| {
            let (s, a) = (store.clone(), award.clone());
            tokio::spawn(async move { s.pay(id, &a.uscc, &a.rule, a.project_id.as_deref(), "f", note).await })
        };
        let (a, b) = (pay("A"), pay("B"));
        let results = [a.await.unwrap(), b.await.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{db}: {results:?}");
        assert_eq!(store.ledger(None).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_what_if_run_is_never_paid_and_a_year_out_of_range_never_recorded() {
    each_db(async |store, db| {
        let (_, p) = policy();
        let ds = demo(&p, 200, 5);
        store.import(&ds, "t", "demo", &no_progress).await.unwrap();
        let mut file = lianzhang_policy::PolicyFile::bundled();
        file.set("above_scale_entry.amount=9999999");
        let what_if = file.compile().unwrap();
        let a = assess(&what_if, &store.load_dataset(&p.vocabulary).await.unwrap(), 2023, &store.paid().await.unwrap());
        let id = store.record_run(&file, &what_if, &a, "reviewer").await.unwrap();
        assert!(store.run(id).await.unwrap().what_if(), "{db}");
        let award = store.run_outcomes(id).await.unwrap().into_iter().find(|o| o.status == "award").unwrap();
        let err = store.pay(id, &award.uscc, &award.rule, award.project_id.as_deref(), "f", "").await.unwrap_err();
        assert!(matches!(err, lianzhang_store::StoreError::Refused(_)), "{db}: {err:?}");
        assert!(err.to_string().contains("试算") && err.to_string().contains("9999999"), "{db}: {err}");
        assert!(store.ledger(None).await.unwrap().is_empty(), "{db}");

        let far = assess(&p, &ds, 99999, &store.paid().await.unwrap());
        let (file, _) = policy();
        let err = store.record_run(&file, &p, &far, "reviewer").await.unwrap_err();
        assert!(err.to_string().contains("99999 不在 1949 至 2100 之间"), "{db}: {err}");
        assert_eq!(store.runs().await.unwrap().len(), 1, "{db}: nothing recorded");
        // A typed actor that is not one line of text is refused too.
        let err = store.record_run(&file, &p, &a, "re\u{0}viewer").await.unwrap_err();
        assert!(err.to_string().contains("经办人"), "{db}: {err}");
    })
    .await;
}

//! 收回 (issue 11) through the registry on both databases: an award paid in 2022, taken back in
//! 2023 when the enterprise left the above-scale list, recorded once as a `recovery` entry, shown
//! `already_paid` (已收回) afterwards, and reversible like a payment.
mod common;
use common::*;
use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Uscc};
use lianzhang_policy::{PolicyFile, Status, assess};

const RECOVERY: &str = "\n[rules.above_scale_entry_recovery]\nkind = \"formula\"\nclause = \"三（四）\"\n\
    title = \"小升规奖励后3年内退出规上库的，收回奖励\"\noutcome = \"recovery\"\n\
    recovers = \"above_scale_entry\"\nwithin = 3\nwhen = \"not above_scale\"\n";

#[tokio::test]
async fn an_award_taken_back_is_recorded_once_and_shown_recovered() {
    each_db(async |store, db| {
        let file = PolicyFile::parse("recovery.toml", format!("{}{RECOVERY}", lianzhang_policy::file::BUNDLED_TEXT));
        let p = file.compile().unwrap();
        let uscc = Uscc::from_body(b"91140525MA0000001");
        let mut b = DatasetBuilder::new(p.vocabulary.clone());
        b.enterprise(Enterprise {
            uscc,
            name: "泽州县某某机械有限公司".into(),
            chain: None,
            stage: None,
            town: None,
            industry_code: None,
            strategic_emerging: Some(false),
            established: Some(jiff::civil::date(2010, 6, 1)),
            chain_joined_year: None,
        });
        for (year, above) in [(2021, false), (2022, true), (2023, false)] {
            b.annual(
                uscc,
                Annual {
                    year,
                    revenue: Some(Fen::yuan(30_000_000)),
                    above_scale: Some(above),
                    chain_master: Some(false),
                    local_procurement: Some(Fen::yuan(0)),
                    total_procurement: Some(Fen::yuan(0)),
                    rd_expense: Some(Fen::yuan(0)),
                },
            );
        }
        store.import(&b.build().unwrap(), "t", "test", &no_progress).await.unwrap();
        let ds = store.load_dataset(&p.vocabulary).await.unwrap();
        let u = uscc.as_str();
        // 2022: the award, paid.
        let a = assess(&p, &ds, 2022, &store.paid().await.unwrap());
        let run = store.record_run(&file, &p, &a, "reviewer").await.unwrap();
        store.pay(run, u, "above_scale_entry", None, "finance", "凭证 001").await.unwrap();
        // 2023: taken back.
        let a = assess(&p, &ds, 2023, &store.paid().await.unwrap());
        let o = a.outcomes.iter().find(|o| o.rule == "above_scale_entry_recovery").expect("recovery");
        assert_eq!((o.status, o.amount.map(|a| a.to_string())), (Status::Recovery, Some("-100000.00".into())), "{db}");
        let run = store.record_run(&file, &p, &a, "reviewer").await.unwrap();
        let back = store.pay(run, u, "above_scale_entry_recovery", None, "finance", "缴回凭证 007").await.unwrap();
        assert_eq!((back.entry.as_str(), back.amount.to_string()), ("recovery", "100000.00".into()), "{db}");
        let again = store.pay(run, u, "above_scale_entry_recovery", None, "finance", "").await.unwrap_err();
        assert!(again.to_string().contains("不能重复收回"), "{db}: {again}");
        // The database refuses a second recovery written by hand.
        let key = lianzhang_store::award_key(u, "above_scale_entry_recovery", None, None);
        let dup = sqlx::query(
            "INSERT INTO ledger (at, actor, entry, award_key, run_id, uscc, rule, year, amount_fen, note) \
             VALUES ('2026-01-01T00:00:00Z', 'x', 'recovery', $1, $2, $3, 'above_scale_entry_recovery', 2023, 100, '')",
        )
        .bind(&key)
        .bind(run)
        .bind(u)
        .execute(store.pool())
        .await
        .expect_err("second recovery");
        assert!(dup.to_string().contains("already recovered"), "{db}: {dup}");
        // Recorded: the next assessment shows it recovered.
        let a = assess(&p, &ds, 2023, &store.paid().await.unwrap());
        let o = a.outcomes.iter().find(|o| o.rule == "above_scale_entry_recovery").unwrap();
        assert_eq!(o.status, Status::AlreadyPaid, "{db}");
        assert!(o.explanation.ends_with("台账显示已收回"), "{db}: {}", o.explanation);
        // A recovery recorded in error is reversed like a payment.
        let rev = store.reverse(back.id, "finance", "误登记").await.unwrap();
        assert_eq!((rev.entry.as_str(), rev.amount), ("reversal", -back.amount), "{db}");
        let a = assess(&p, &ds, 2023, &store.paid().await.unwrap());
        let o = a.outcomes.iter().find(|o| o.rule == "above_scale_entry_recovery").unwrap();
        assert_eq!(o.status, Status::Recovery, "{db}");
    })
    .await;
}

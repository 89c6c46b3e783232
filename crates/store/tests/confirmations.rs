//! Plausibility confirmations on both databases: recorded with the audit trail, refused without a
//! reason or twice for one value, and append-only.
mod common;
use common::*;
use lianzhang_store::{NewConfirmation, StoreError};

#[tokio::test]
async fn a_confirmation_is_recorded_once_with_its_audit_entry_and_never_changed() {
    let (_, p) = policy();
    let ds = demo(&p, 20, 11);
    let uscc = ds.get(3).enterprise.uscc.to_string();
    each_db(async |store, db| {
        store.import(&ds, "tester", "demo", &no_progress).await.unwrap();
        let c = NewConfirmation {
            check: "above_scale_revenue_below_line",
            uscc: &uscc,
            year: 2023,
            field: "revenue",
            project_id: None,
            value: "15000000.00",
            reason: "经核对统计年报，该年停产检修，营业收入属实",
        };
        let audit_before = store.count("audit").await.unwrap();
        let got = store.confirm_values(std::slice::from_ref(&c), "clerk").await.unwrap().remove(0);
        assert_eq!((got.check.as_str(), got.year, got.value.as_str()), (c.check, 2023, "15000000.00"), "{db}");
        assert_eq!(got.actor, "clerk");
        assert_eq!(store.count("audit").await.unwrap(), audit_before + 1, "{db}: one audit entry");
        let trail = store.audit_search(Some("confirmations"), None, None, 1, 10).await.unwrap().0;
        assert_eq!(trail[0].action, "confirm", "{db}");
        assert_eq!(trail[0].new_value.as_deref(), Some(c.reason), "{db}");

        // The same value again is refused; another value of the same fact is a new confirmation.
        let again = store.confirm_values(std::slice::from_ref(&c), "clerk").await;
        assert!(matches!(again, Err(StoreError::Refused(_))), "{db}: {again:?}");
        store.confirm_values(&[NewConfirmation { value: "16000000.00", ..c.clone() }], "clerk").await.unwrap();
        // All or none: a good item beside a bad one is not kept either.
        let good = NewConfirmation { value: "17000000.00", ..c.clone() };
        let blank = NewConfirmation { value: "1.00", reason: "  ", ..c.clone() };
        let blank = store.confirm_values(&[good, blank], "clerk").await;
        assert!(matches!(blank, Err(StoreError::Refused(_))), "{db}: {blank:?}");
        let unknown = NewConfirmation { uscc: "91140525MA0000000X", ..c.clone() };
        assert!(matches!(store.confirm_values(&[unknown], "clerk").await, Err(StoreError::NotFound(_))), "{db}");

        assert_eq!(store.confirmations().await.unwrap().len(), 2, "{db}");
        assert_eq!(store.confirmations_of(&uscc).await.unwrap().len(), 2, "{db}");
        let policy_side = store.policy_confirmations().await.unwrap();
        assert_eq!(policy_side.items.len(), 2, "{db}");
        assert_eq!(policy_side.items[0].uscc.to_string(), uscc, "{db}");
        assert_eq!(policy_side.items[0].field, "revenue", "{db}");
        for sql in ["UPDATE confirmations SET value = '0'", "DELETE FROM confirmations"] {
            assert!(sqlx::query(sql).execute(store.pool()).await.is_err(), "{db}: {sql} must be refused");
        }
        assert_eq!(store.confirmations().await.unwrap().len(), 2, "{db}");
    })
    .await;
}

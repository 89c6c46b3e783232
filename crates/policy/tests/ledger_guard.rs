//! The payout ledger as a second guard: an award already paid is reported `already_paid`.
mod common;
use common::*;
use lianzhang_facts::{Annual, Uscc};
use lianzhang_policy::{PaidLedger, Status, assess};

struct Paid(Vec<(Uscc, &'static str, Option<i32>, Option<&'static str>)>);

impl PaidLedger for Paid {
    fn is_paid(&self, uscc: &Uscc, rule: &str, year: Option<i32>, project: Option<&str>) -> bool {
        self.0.iter().any(|(u, r, y, p)| u == uscc && *r == rule && *y == year && *p == project)
    }
}

#[test]
fn a_paid_one_time_award_is_already_paid_with_no_amount() {
    let p = policy(&[]);
    // Revenue above the 规上 line: an above-scale enterprise with 1 yuan of revenue is now a
    // plausibility finding (issue 8), which this test of the ledger is not about.
    let rows = vec![
        Annual { above_scale: Some(false), ..plain(2021, 30_000_000) },
        Annual { above_scale: Some(true), ..plain(2022, 30_000_000) },
    ];
    let ds = dataset(&p, vec![Ent { rows, ..Ent::default() }]);
    let ledger = Paid(vec![(uscc(1), "above_scale_entry", None, None)]);
    let a = assess(&p, &ds, 2022, &ledger);
    assert_eq!(a.outcomes.len(), 1);
    assert_eq!(a.outcomes[0].status, Status::AlreadyPaid);
    assert_eq!(a.outcomes[0].amount, None);
    assert_eq!(a.total(), rust_decimal::Decimal::ZERO);
    assert!(a.outcomes[0].explanation.contains("已兑现"));
}

#[test]
fn yearly_awards_are_guarded_per_year_and_projects_per_project() {
    let p = policy(&[]);
    let m = |year, local| Annual {
        chain_master: Some(true),
        local_procurement: y(local),
        total_procurement: y(1_000_000_000),
        ..plain(year, 1)
    };
    let e = Ent {
        rows: vec![m(2022, 100_000_000), m(2023, 150_000_000)],
        projects: vec![
            project("A", Some("digital"), y(1_000_000), Some(2023), &p),
            project("B", Some("digital"), y(2_000_000), Some(2023), &p),
        ],
        ..Ent::default()
    };
    let ds = dataset(&p, vec![e]);
    let ledger = Paid(vec![
        (uscc(1), "local_sourcing_increase", Some(2022), None),
        (uscc(1), "project_subsidy", None, Some("A")),
    ]);
    let a = assess(&p, &ds, 2023, &ledger);
    let st: Vec<_> = a.outcomes.iter().map(|o| (o.rule.as_str(), o.project_id.as_deref(), o.status)).collect();
    assert_eq!(
        st,
        vec![
            ("local_sourcing_increase", None, Status::Award),
            ("project_subsidy", Some("A"), Status::AlreadyPaid),
            ("project_subsidy", Some("B"), Status::Award),
        ]
    );
}

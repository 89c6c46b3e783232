//! Refusals, in Chinese.

mod common;

use lianzhang_publicity::{PublicityError, pdf, xlsx};

#[test]
fn a_period_that_ends_before_it_starts_is_refused_by_both() {
    let mut list = common::list(2);
    list.last_day = jiff::civil::date(2024, 9, 26);
    for result in [pdf(&list), xlsx(&list)] {
        let err = result.expect_err("refused");
        assert!(matches!(err, PublicityError::Period { .. }));
        assert_eq!(err.to_string(), "公示期有误：结束日期 2024年9月26日 早于发布日期 2024年9月27日");
    }
}

#[test]
fn totals_that_overflow_are_refused() {
    let mut list = common::list(2);
    list.lines[0].amount_fen = i64::MAX;
    let err = pdf(&list).expect_err("refused");
    assert_eq!(err.to_string(), "金额合计超出可表示的范围（全部奖励合计）");
}

#[test]
fn an_empty_list_still_renders() {
    let mut list = common::list(0);
    list.lines.clear();
    assert!(pdf(&list).expect("renders").starts_with(b"%PDF-"));
    assert!(!xlsx(&list).expect("renders").is_empty());
}

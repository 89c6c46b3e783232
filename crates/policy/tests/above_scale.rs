//! 三（四）: 小升规 entry, strategic bonus, retention 2 and 3 years.
mod common;
use common::*;
use lianzhang_facts::Annual;

fn a(year: i32, above: Option<bool>) -> Annual {
    Annual { above_scale: above, ..plain(year, 30_000_000) }
}

fn one(rows: Vec<Annual>) -> Vec<Ent> {
    vec![Ent { rows, ..Ent::default() }]
}

fn hist(flags: &[(i32, bool)]) -> Vec<Annual> {
    flags.iter().map(|&(y, f)| a(y, Some(f))).collect()
}

#[test]
fn first_entry_pays_100000() {
    let p = policy(&[]);
    let e = one(hist(&[(2020, false), (2021, false), (2022, true)]));
    assert_eq!(
        outcomes(&p, e, 2022),
        vec![("above_scale_entry".into(), lianzhang_policy::Status::Award, Some("100000.00".into()))]
    );
}

#[test]
fn re_entry_is_not_first() {
    let p = policy(&[]);
    let e = one(hist(&[(2019, true), (2020, false), (2021, false), (2022, true)]));
    assert_eq!(of(&p, e, 2022, "above_scale_entry"), None);
}

#[test]
fn unknown_earlier_year_needs_review_and_known_true_earlier_decides() {
    let p = policy(&[]);
    let e = one(vec![a(2020, None), a(2021, Some(false)), a(2022, Some(true))]);
    assert_eq!(of(&p, e, 2022, "above_scale_entry"), review());
    let e = one(vec![a(2020, None), a(2021, Some(true)), a(2022, Some(true))]);
    assert_eq!(of(&p, e, 2022, "above_scale_entry"), None);
}

#[test]
fn a_new_enterprise_established_last_year_enters_first_time() {
    // POLICY.md interpretation 6: 新开工（投产）企业达效升规的，执行小升规奖励政策.
    let p = policy(&[]);
    let e = vec![Ent { established: Some(2022), rows: hist(&[(2023, true)]), ..Ent::default() }];
    assert_eq!(of(&p, e, 2023, "above_scale_entry"), award("100000.00"));
    let e = vec![Ent { established: Some(2023), rows: hist(&[(2023, true)]), ..Ent::default() }];
    assert_eq!(of(&p, e, 2023, "above_scale_entry"), award("100000.00"));
    // Established earlier with no earlier rows: history unknown.
    let e = vec![Ent { established: Some(2021), rows: hist(&[(2023, true)]), ..Ent::default() }];
    assert_eq!(of(&p, e, 2023, "above_scale_entry"), review());
}

#[test]
fn strategic_bonus_needs_the_entry_and_a_known_strategic_flag() {
    let p = policy(&[]);
    let rows = hist(&[(2021, false), (2022, true)]);
    let e = |s| vec![Ent { strategic: s, rows: rows.clone(), ..Ent::default() }];
    assert_eq!(of(&p, e(Some(true)), 2022, "above_scale_strategic_bonus"), award("100000.00"));
    assert_eq!(of(&p, e(Some(false)), 2022, "above_scale_strategic_bonus"), None);
    assert_eq!(of(&p, e(None), 2022, "above_scale_strategic_bonus"), review());
    // Unknown strategic flag but no entry: nothing (a known-false part decides).
    let no_entry = vec![Ent { strategic: None, rows: hist(&[(2021, true), (2022, true)]), ..Ent::default() }];
    assert_eq!(of(&p, no_entry, 2022, "above_scale_strategic_bonus"), None);
}

#[test]
fn retention_after_entry_pays_in_e_plus_2_and_e_plus_3() {
    let p = policy(&[]);
    let rows = hist(&[(2021, false), (2022, true), (2023, true), (2024, true), (2025, true)]);
    assert_eq!(of(&p, one(rows.clone()), 2023, "above_scale_retained_2y"), None);
    assert_eq!(of(&p, one(rows.clone()), 2024, "above_scale_retained_2y"), award("50000.00"));
    assert_eq!(of(&p, one(rows.clone()), 2024, "above_scale_retained_3y"), None);
    assert_eq!(of(&p, one(rows), 2025, "above_scale_retained_3y"), award("50000.00"));
}

#[test]
fn retention_including_entry_pays_in_e_plus_1_and_e_plus_2() {
    let p = policy(&[
        "above_scale_retained_2y.counting=including_entry",
        "above_scale_retained_3y.counting=including_entry",
    ]);
    let rows = hist(&[(2021, false), (2022, true), (2023, true), (2024, true)]);
    assert_eq!(of(&p, one(rows.clone()), 2023, "above_scale_retained_2y"), award("50000.00"));
    assert_eq!(of(&p, one(rows), 2024, "above_scale_retained_3y"), award("50000.00"));
}

#[test]
fn a_year_out_of_the_list_breaks_the_run_for_good() {
    let p = policy(&[]);
    let rows = hist(&[(2021, false), (2022, true), (2023, false), (2024, true), (2025, true)]);
    assert_eq!(of(&p, one(rows.clone()), 2024, "above_scale_retained_2y"), None);
    assert_eq!(of(&p, one(rows), 2025, "above_scale_retained_3y"), None);
}

#[test]
fn entries_before_2022_get_no_retention_award() {
    let p = policy(&[]);
    let rows = hist(&[(2020, false), (2021, true), (2022, true), (2023, true)]);
    assert_eq!(of(&p, one(rows), 2023, "above_scale_retained_2y"), None);
}

#[test]
fn unknown_year_in_the_run_needs_review() {
    let p = policy(&[]);
    let rows = vec![a(2021, Some(false)), a(2022, Some(true)), a(2023, None), a(2024, Some(true))];
    assert_eq!(of(&p, one(rows), 2024, "above_scale_retained_2y"), review());
}

#[test]
fn no_row_for_the_year_gives_no_yearly_outcome() {
    let p = policy(&[]);
    let e = vec![Ent {
        rows: hist(&[(2021, false), (2022, true)]),
        recognitions: vec![("specialized_city", 2023)],
        ..Ent::default()
    }];
    let out = outcomes(&p, e, 2023);
    assert_eq!(out, vec![("specialized_city".into(), lianzhang_policy::Status::Award, Some("30000.00".into()))]);
}

#[test]
fn amount_override_changes_the_entry_award() {
    let p = policy(&["above_scale_entry.amount=120000"]);
    assert_eq!(of(&p, one(hist(&[(2021, false), (2022, true)])), 2022, "above_scale_entry"), award("120000.00"));
}

//! The bundled calendar against the State Council notices it transcribes, and periods over the
//! long holidays and their make-up weekend days.

use jiff::civil::{Date, date};
use lianzhang_workdays::{Calendar, NotCovered, Special, YearSchedule};
use proptest::prelude::*;

fn cal() -> Calendar {
    Calendar::bundled()
}

fn last(published: Date, n: u32) -> Date {
    cal().period(published, n).unwrap().last
}

#[test]
fn the_bundled_years_are_2022_to_2026_each_with_its_notice() {
    let c = cal();
    let years: Vec<i16> = c.years().map(|y| y.year).collect();
    assert_eq!(years, [2022, 2023, 2024, 2025, 2026]);
    for y in c.years() {
        assert!(y.papers.iter().all(|p| p.contains("gov.cn")), "{}: {:?}", y.year, y.papers);
    }
}

#[test]
fn holidays_make_up_days_and_ordinary_days() {
    let c = cal();
    // 2024: 春节 2月10日至17日放假调休，2月4日（星期日）、2月18日（星期日）上班。
    assert!(!c.is_workday(date(2024, 2, 12)).unwrap());
    assert!(c.is_workday(date(2024, 2, 4)).unwrap());
    assert!(c.is_workday(date(2024, 2, 18)).unwrap());
    assert_eq!(c.day(date(2024, 2, 18)).unwrap().special, Some(Special::MakeUpWorkday("春节".into())));
    assert_eq!(c.day(date(2024, 2, 18)).unwrap().zh(), "春节调休上班");
    // 2025: 国庆节、中秋节 10月1日至8日放假调休，9月28日（星期日）、10月11日（星期六）上班。
    assert!(c.is_workday(date(2025, 9, 28)).unwrap());
    assert!(!c.is_workday(date(2025, 10, 8)).unwrap());
    assert!(c.is_workday(date(2025, 10, 11)).unwrap());
    // An ordinary Saturday and Wednesday.
    assert_eq!(c.day(date(2024, 3, 9)).unwrap().zh(), "周末");
    assert_eq!(c.day(date(2024, 3, 13)).unwrap().zh(), "工作日");
    // 2023's 元旦 holiday began on 2022-12-31, a Saturday listed in 2023's notice.
    assert!(!c.is_workday(date(2022, 12, 31)).unwrap());
}

#[test]
fn a_period_over_national_day_counts_the_make_up_sunday_and_skips_the_holiday() {
    // Published Friday 2024-09-27: 9/29 (make-up Sunday) 1, 9/30 2, 10/1–7 off, 10/8 3, 10/9 4, 10/10 5.
    let p = cal().period(date(2024, 9, 27), 5).unwrap();
    assert_eq!((p.first, p.last), (date(2024, 9, 29), date(2024, 10, 10)));
    assert_eq!(p.to_string(), "2024年9月29日至2024年10月10日（5个工作日）");
    // 2025: published Friday 9/26: 9/28 1, 9/29 2, 9/30 3, 10/1–8 off, 10/9 4, 10/10 5.
    assert_eq!(last(date(2025, 9, 26), 5), date(2025, 10, 10));
    // Published Tuesday 2025-09-30: 10/9 1, 10/10 2, 10/11 (make-up Saturday) 3, 10/13 4, 10/14 5.
    assert_eq!(last(date(2025, 9, 30), 5), date(2025, 10, 14));
}

#[test]
fn a_period_over_the_spring_festival_counts_its_make_up_days() {
    // 2024: published Thursday 2/8: 2/9 1, 2/10–17 off, 2/18 (make-up Sunday) 2, 2/19 3, 2/20 4, 2/21 5.
    assert_eq!(last(date(2024, 2, 8), 5), date(2024, 2, 21));
    // 2025: 1月28日至2月4日放假，1月26日（星期日）、2月8日（星期六）上班.
    // Published Friday 1/24: 1/26 1, 1/27 2, 1/28–2/4 off, 2/5 3, 2/6 4, 2/7 5.
    assert_eq!(last(date(2025, 1, 24), 5), date(2025, 2, 7));
    // Published Thursday 2/6: 2/7 1, 2/8 (make-up Saturday) 2, 2/10 3, 2/11 4, 2/12 5.
    assert_eq!(last(date(2025, 2, 6), 5), date(2025, 2, 12));
}

#[test]
fn a_period_reaching_past_the_calendar_is_an_error_not_a_guess() {
    let e = cal().period(date(2026, 12, 28), 5).unwrap_err();
    assert_eq!(e, NotCovered { year: 2027 });
    assert!(e.to_string().contains("2027 年"), "{e}");
    assert!(cal().day(date(2021, 6, 1)).is_err());
}

#[test]
fn an_administrator_adds_the_next_year_and_a_bad_file_is_refused_in_chinese() {
    let mut c = cal();
    let y2027 = r#"{"year": 2027, "papers": ["https://www.gov.cn/x"], "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
        {"name": "春节", "date": "2027-02-06", "isOffDay": false}]}"#;
    c.add_year(YearSchedule::parse(y2027).unwrap());
    assert!(!c.is_workday(date(2027, 1, 1)).unwrap());
    assert!(c.is_workday(date(2027, 2, 6)).unwrap(), "a Saturday worked");
    // Replacing a year drops its old special days.
    c.add_year(
        YearSchedule::parse(r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#)
            .unwrap(),
    );
    assert!(!c.is_workday(date(2027, 2, 6)).unwrap());

    let empty = YearSchedule::parse(r#"{"year": 2028, "papers": [], "days": []}"#).unwrap_err();
    assert_eq!(empty.to_string(), "日历文件是 2028 年的，但没有任何放假安排：国务院通知发布后再导入");
    let bad = YearSchedule::parse(r#"{"year": 2027, "days": [{"name": "x", "date": "2027/1/1", "isOffDay": true}]}"#);
    assert_eq!(bad.unwrap_err().to_string(), "日历文件第 1 项日期“2027/1/1”不是 YYYY-MM-DD 格式的日期");
    let both = r#"{"year": 2027, "days": [{"name": "a", "date": "2027-01-01", "isOffDay": true},
        {"name": "b", "date": "2027-01-01", "isOffDay": false}]}"#;
    assert!(YearSchedule::parse(both).unwrap_err().to_string().contains("同时列为放假和上班"));
    assert!(YearSchedule::parse("not json").unwrap_err().to_string().starts_with("日历文件不是 holiday-cn 格式"));
}

proptest! {
    /// A period's last day is a working day, exactly n working days follow the start up to it,
    /// and it never ends before a shorter period.
    #[test]
    fn a_period_ends_on_its_nth_working_day(offset in 0i64..1500, n in 1u32..30) {
        let c = cal();
        let start = date(2022, 1, 1).checked_add(jiff::Span::new().days(offset)).unwrap();
        if let Ok(p) = c.period(start, n) {
            prop_assert!(c.is_workday(p.last).unwrap());
            prop_assert!(c.is_workday(p.first).unwrap());
            prop_assert_eq!(c.workdays_between(start, p.last).unwrap(), n);
            prop_assert_eq!(c.workdays_between(start, p.first).unwrap(), 1);
            if n > 1 {
                prop_assert!(c.period(start, n - 1).unwrap().last < p.last);
            }
        }
    }
}

//! Working days (工作日) on China's official calendar: weekends off, the State Council's public
//! holidays (法定节假日) off, and its make-up workdays (调休上班, a Saturday or Sunday worked) on.
//!
//! Pure: no clock, no IO. The calendar is data, one file per year in the format of
//! [holiday-cn](https://github.com/NateScarlet/holiday-cn) (MIT; each file is transcribed from
//! the State Council General Office's notice, whose address it carries in `papers`). The years
//! 2022–2026 are bundled ([`Calendar::bundled`]); an administrator adds the next year with
//! [`Calendar::add_year`] when the State Council publishes it (usually in November). A date in
//! a year the calendar does not hold is an error ([`NotCovered`]), never a guess.
//!
//! Periods follow 《民法典》第二百零一条 (the day an act is done is not counted; the period starts
//! the next day) and 第二百零三条 (a period does not end on a day off), which counting working
//! days gives by construction: see [`Calendar::period`].

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The bundled years, as published by holiday-cn (`calendar/*.json`).
const BUNDLED: [&str; 5] = [
    include_str!("../calendar/2022.json"),
    include_str!("../calendar/2023.json"),
    include_str!("../calendar/2024.json"),
    include_str!("../calendar/2025.json"),
    include_str!("../calendar/2026.json"),
];

/// What the official calendar says of a date that is not an ordinary weekday or weekend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Special {
    /// A public holiday or a day of its 调休 (off), with the holiday's name (春节, 国庆节…).
    Holiday(String),
    /// A weekend day worked to make up for a holiday (调休上班), with the holiday's name.
    MakeUpWorkday(String),
}

/// One date as the calendar sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: Date,
    pub workday: bool,
    /// Why it differs from the weekday rule, if it does.
    pub special: Option<Special>,
}

impl Day {
    /// The day in Chinese: 工作日, 周末, 春节假期, 春节调休上班.
    pub fn zh(&self) -> String {
        match &self.special {
            Some(Special::Holiday(name)) => format!("{name}假期"),
            Some(Special::MakeUpWorkday(name)) => format!("{name}调休上班"),
            None if self.workday => "工作日".into(),
            None => "周末".into(),
        }
    }
}

/// One year's schedule: the notice(s) it comes from and its special days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    pub year: i16,
    /// The addresses of the State Council notices the schedule transcribes.
    pub papers: Vec<String>,
    /// The special days, which may include a few days of the neighbouring years (the 元旦
    /// holiday of 2023 began on 2022-12-31).
    pub days: Vec<(Date, Special)>,
}

/// A date outside the years the calendar holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("工作日历中没有 {year} 年的放假安排：请管理员在国务院办公厅发布该年通知后导入该年日历")]
pub struct NotCovered {
    pub year: i16,
}

/// Why a year file was refused. `Display` is Chinese for the administrator who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("日历文件不是 holiday-cn 格式的 JSON：{0}")]
    Format(String),
    #[error("日历文件第 {index} 项日期“{value}”不是 YYYY-MM-DD 格式的日期")]
    BadDate { index: usize, value: String },
    #[error("日历文件是 {year} 年的，但没有任何放假安排：国务院通知发布后再导入")]
    Empty { year: i16 },
    #[error("日历文件年份 {0} 不在 1949 至 2100 之间")]
    Year(i64),
    #[error("日历文件把 {date} 同时列为放假和上班")]
    Contradiction { date: Date },
    #[error("日历文件第 {index} 项日期 {date} 离 {year} 年太远（只可含相邻年份的几天）")]
    FarDate { index: usize, date: Date, year: i16 },
}

#[derive(Deserialize)]
struct RawYear {
    year: i64,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<RawDay>,
}

#[derive(Deserialize)]
struct RawDay {
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

impl YearSchedule {
    /// Reads one year file in holiday-cn's JSON format (`{"year", "papers", "days": [{"name",
    /// "date", "isOffDay"}]}`).
    pub fn parse(json: &str) -> Result<YearSchedule, ScheduleError> {
        let raw: RawYear = serde_json::from_str(json)
            .map_err(|e| ScheduleError::Format(format!("第 {} 行第 {} 列附近内容不符合要求", e.line(), e.column())))?;
        if !(1949..=2100).contains(&raw.year) {
            return Err(ScheduleError::Year(raw.year));
        }
        let year = raw.year as i16;
        if raw.days.is_empty() {
            return Err(ScheduleError::Empty { year });
        }
        let mut days = Vec::with_capacity(raw.days.len());
        let mut seen = BTreeMap::new();
        for (i, d) in raw.days.into_iter().enumerate() {
            let index = i + 1;
            let date: Date = d
                .date
                .parse()
                .map_err(|_| ScheduleError::BadDate { index, value: d.date.chars().take(40).collect() })?;
            if (i32::from(date.year()) - i32::from(year)).abs() > 1 {
                return Err(ScheduleError::FarDate { index, date, year });
            }
            if seen.insert(date, d.is_off_day).is_some_and(|off| off != d.is_off_day) {
                return Err(ScheduleError::Contradiction { date });
            }
            let special = if d.is_off_day { Special::Holiday(d.name) } else { Special::MakeUpWorkday(d.name) };
            days.push((date, special));
        }
        Ok(YearSchedule { year, papers: raw.papers, days })
    }
}

/// The official calendar over the years it holds.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i16, YearSchedule>,
    special: BTreeMap<Date, Special>,
}

impl Calendar {
    /// 2022–2026 as bundled from holiday-cn.
    pub fn bundled() -> Calendar {
        let mut c = Calendar::default();
        for json in BUNDLED {
            c.add_year(YearSchedule::parse(json).expect("bundled calendar"));
        }
        c
    }

    /// Adds a year, or replaces the year's schedule if the calendar holds it (a corrected notice).
    pub fn add_year(&mut self, schedule: YearSchedule) {
        self.years.insert(schedule.year, schedule);
        // A few hundred days in all: rebuilt whole, so a replaced year leaves nothing behind.
        self.special = self.years.values().flat_map(|y| y.days.iter().cloned()).collect();
    }

    /// The years held, with their sources.
    pub fn years(&self) -> impl Iterator<Item = &YearSchedule> {
        self.years.values()
    }

    /// What the calendar says of `date`.
    pub fn day(&self, date: Date) -> Result<Day, NotCovered> {
        if !self.years.contains_key(&date.year()) {
            return Err(NotCovered { year: date.year() });
        }
        let special = self.special.get(&date).cloned();
        let workday = match &special {
            Some(Special::Holiday(_)) => false,
            Some(Special::MakeUpWorkday(_)) => true,
            None => !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday),
        };
        Ok(Day { date, workday, special })
    }

    pub fn is_workday(&self, date: Date) -> Result<bool, NotCovered> {
        Ok(self.day(date)?.workday)
    }

    /// The period of `n` working days (n ≥ 1) after `start`: the first and the last working day.
    /// `start` itself is not counted (《民法典》第二百零一条), and the last day is a working day
    /// by construction (第二百零三条). A 公示 published on 2024-09-27 for 5 working days runs
    /// 2024-09-29 (the National Day make-up Sunday) to 2024-10-10.
    pub fn period(&self, start: Date, n: u32) -> Result<Period, NotCovered> {
        assert!(n >= 1, "a period has at least one working day");
        let mut date = start;
        let mut first = None;
        let mut counted = 0;
        while counted < n {
            date = date.checked_add(1.day()).map_err(|_| NotCovered { year: date.year() })?;
            if self.is_workday(date)? {
                counted += 1;
                first.get_or_insert(date);
            }
        }
        Ok(Period { start, first: first.expect("n ≥ 1"), last: date, working_days: n })
    }

    /// The working days after `from` up to and including `to` (0 when `to` ≤ `from`): how many
    /// working days a request has waited, say.
    pub fn workdays_between(&self, from: Date, to: Date) -> Result<u32, NotCovered> {
        let mut n = 0;
        let mut date = from;
        while date < to {
            date = date.checked_add(1.day()).map_err(|_| NotCovered { year: date.year() })?;
            n += u32::from(self.is_workday(date)?);
        }
        Ok(n)
    }
}

/// A period counted in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The day of the act (publication), not counted.
    pub start: Date,
    pub first: Date,
    /// The last day of the period: an objection is on time until the end of this day.
    pub last: Date,
    pub working_days: u32,
}

impl fmt::Display for Period {
    /// `2024年9月29日至2024年10月10日（5个工作日）`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = |d: Date| format!("{}年{}月{}日", d.year(), d.month(), d.day());
        write!(f, "{}至{}（{}个工作日）", d(self.first), d(self.last), self.working_days)
    }
}

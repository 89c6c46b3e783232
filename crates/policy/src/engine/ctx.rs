//! The evaluation context of one enterprise-year, the trace that records an explanation, and
//! the history helpers behind "首次" (POLICY.md).

use crate::engine::facts::{FactKey, FactValue};
use crate::engine::text::money_near;
use crate::model::{FlagFact, MoneyFact, Policy};
use crate::plausibility::{Finding, Involved};
use crate::tri::Tri;
use lianzhang_facts::{Annual, EnterpriseFacts, Fen, Year};

/// Records the steps of an evaluation. The silent trace compiles to nothing, so the fast
/// path and the explained path are one piece of code.
pub trait Trace {
    const ON: bool;
    /// Whether it records the facts read (`fact`): a formula then reports its reads too.
    const OBSERVES: bool = false;
    fn step(&mut self, text: impl FnOnce() -> String);
    /// A fact the outcome turned on that is unknown.
    fn missing(&mut self, what: impl FnOnce() -> String);
    /// A fact of a year a rule read, with the value it saw (see [`crate::engine::facts_read`]).
    #[inline(always)]
    fn fact(&mut self, _key: FactKey, _value: FactValue) {}
}

pub struct Silent;

impl Trace for Silent {
    const ON: bool = false;
    #[inline(always)]
    fn step(&mut self, _: impl FnOnce() -> String) {}
    #[inline(always)]
    fn missing(&mut self, _: impl FnOnce() -> String) {}
}

#[derive(Debug, Default)]
pub struct Recorder {
    pub steps: Vec<String>,
    pub missing: Vec<String>,
}

impl Trace for Recorder {
    const ON: bool = true;
    fn step(&mut self, text: impl FnOnce() -> String) {
        self.steps.push(text());
    }
    fn missing(&mut self, what: impl FnOnce() -> String) {
        let w = what();
        if !self.missing.contains(&w) {
            self.missing.push(w);
        }
    }
}

pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub facts: EnterpriseFacts<'a>,
    pub year: Year,
    /// The annual row of the assessed year.
    pub row: Option<&'a Annual>,
    /// F, the year of the earliest annual row.
    pub first: Option<Year>,
    /// Whether the years before F count as "not reached" when judging the assessed year
    /// (the history rule with Y = the assessed year).
    pub pre_known: bool,
    /// The enterprise was established in F − window or later: the years before F count as not
    /// reached whatever the year judged.
    pub established_recently: bool,
    /// The plausibility findings in force on this enterprise: the facts they involve are
    /// doubtful, read as unknown with the finding as the reason.
    pub doubts: &'a [Finding],
}

impl<'a> Ctx<'a> {
    pub fn new(policy: &'a Policy, facts: EnterpriseFacts<'a>, year: Year) -> Self {
        let first = facts.first_row_year();
        let established_recently = match (facts.enterprise.established_year(), first) {
            (Some(e), Some(f)) => e >= f - policy.history.new_enterprise_window,
            _ => false,
        };
        let mut row = None;
        let mut prev = false;
        for r in facts.annual {
            if r.year == year {
                row = Some(r);
            } else if r.year == year - 1 {
                prev = true;
            }
        }
        Ctx {
            policy,
            facts,
            year,
            row,
            first,
            pre_known: established_recently || prev,
            established_recently,
            doubts: &[],
        }
    }

    /// The same context with the enterprise's plausibility findings in force.
    pub fn with_doubts(mut self, doubts: &'a [Finding]) -> Self {
        self.doubts = doubts;
        self
    }

    /// The context of another year of the same enterprise (same findings).
    pub fn at(&self, year: Year) -> Ctx<'a> {
        Ctx::new(self.policy, self.facts, year).with_doubts(self.doubts)
    }

    /// The finding that doubts `field` of `year` (of `project`, for a project's field), with
    /// the fact as it involves it.
    pub fn doubt(&self, field: &str, year: Year, project: Option<&str>) -> Option<(&'a Finding, &'a Involved)> {
        if self.doubts.is_empty() {
            return None;
        }
        self.doubts.iter().find_map(|f| {
            f.facts
                .iter()
                .find(|i| i.fact.year == year && i.fact.field == field && i.fact.project_id.as_deref() == project)
                .map(|i| (f, i))
        })
    }

    /// Records a doubtful value as the reason an outcome needs review; `true` when doubted.
    pub fn doubted<T: Trace>(&self, field: &str, year: Year, project: Option<&str>, t: &mut T) -> bool {
        match self.doubt(field, year, project) {
            Some((f, i)) => {
                t.missing(|| f.reason_for(i));
                true
            }
            None => false,
        }
    }

    pub fn row_of(&self, year: Year) -> Option<&'a Annual> {
        if year == self.year {
            return self.row;
        }
        self.facts.row(year)
    }

    /// Why the years before F count as not reached (for explanations).
    pub fn pre_reason(&self) -> String {
        let f = self.first.unwrap_or(self.year);
        match self.facts.enterprise.established {
            Some(d) if i32::from(d.year()) >= f - self.policy.history.new_enterprise_window => {
                format!("企业成立于{}年，{f}年以前视为未达到", d.year())
            }
            _ => format!("{}年有年度数据，{f}年以前视为未达到", self.year - 1),
        }
    }

    fn pre_unknown<T: Trace>(&self, t: &mut T) {
        let f = self.first.unwrap_or(self.year);
        t.missing(|| format!("{f}年以前的历史（无更早数据，成立日期未知或较早）"));
    }

    /// A yes/no fact in `year`: yearly facts from the row (before F: per the history rule),
    /// enterprise facts from the enterprise.
    pub fn flag<T: Trace>(&self, fact: FlagFact, year: Year, t: &mut T) -> Tri {
        let v = self.flag_value(fact, year, t);
        if fact.is_yearly() {
            t.fact(FactKey::Flag { fact, year }, FactValue::Flag(v));
        }
        v
    }

    fn flag_value<T: Trace>(&self, fact: FlagFact, year: Year, t: &mut T) -> Tri {
        if !fact.is_yearly() {
            let v = match fact {
                FlagFact::StrategicEmerging => self.facts.enterprise.strategic_emerging,
                _ => None,
            };
            if v.is_none() {
                t.missing(|| fact.name_zh().to_string());
            }
            return Tri::from_option(v);
        }
        if self.first.is_none_or(|f| year < f) {
            // One fact, one value (POLICY.md): a year before F is judged as when assessing that
            // year itself, where the row of the year before is never present — known "not
            // reached" only for an enterprise established recently, whichever year is assessed.
            if self.established_recently {
                return Tri::False;
            }
            self.pre_unknown(t);
            return Tri::Unknown;
        }
        let Some(row) = self.row_of(year) else {
            t.missing(|| format!("{year}年年度数据（缺少该年数据行）"));
            return Tri::Unknown;
        };
        let v = match fact {
            FlagFact::AboveScale => row.above_scale,
            FlagFact::ChainMaster => row.chain_master,
            FlagFact::StrategicEmerging => None,
        };
        if v.is_none() {
            t.missing(|| format!("{year}年{}", fact.name_zh()));
        } else if self.doubted(fact.code(), year, None, t) {
            return Tri::Unknown;
        }
        Tri::from_option(v)
    }

    /// A money fact on the row of `year`; `None` when there is no row or the cell is empty.
    pub fn money<T: Trace>(&self, fact: MoneyFact, year: Year, t: &mut T) -> Option<Fen> {
        let v = self.money_value(fact, year, t);
        t.fact(FactKey::Money { fact, year }, FactValue::Money(v));
        v
    }

    fn money_value<T: Trace>(&self, fact: MoneyFact, year: Year, t: &mut T) -> Option<Fen> {
        let Some(row) = self.row_of(year) else {
            t.missing(|| format!("{year}年年度数据（缺少该年数据行）"));
            return None;
        };
        let v = money_of(row, fact);
        if v.is_none() {
            t.missing(|| format!("{year}年{}", fact.name_zh()));
        } else if self.doubted(fact.code(), year, None, t) {
            return None;
        }
        v
    }

    /// A yes/no value for an explanation: `存疑` when a finding made it unknown.
    pub fn flag_zh(&self, fact: FlagFact, year: Year, v: Tri) -> &'static str {
        if v == Tri::Unknown && self.doubt(fact.code(), year, None).is_some() { "存疑" } else { v.zh() }
    }

    /// All `requires` facts in the assessed year, as one conjunction.
    pub fn requires<T: Trace>(&self, requires: &[FlagFact], t: &mut T) -> Tri {
        let mut acc = Tri::True;
        for &f in requires {
            let v = self.flag(f, self.year, t);
            if f.is_yearly() {
                t.step(|| format!("{}年{}：{}", self.year, f.name_zh(), self.flag_zh(f, self.year, v)));
            } else {
                t.step(|| format!("{}：{}", f.name_zh(), v.zh()));
            }
            acc = acc.and(v);
            if acc == Tri::False {
                break;
            }
        }
        acc
    }

    /// Not reached in any year before `until`, over the whole history in the data.
    /// `describe` renders a row's value for the explanation.
    pub fn never_before<T: Trace>(
        &self,
        until: Year,
        field: &str,
        pred: &impl Fn(&Annual) -> Option<bool>,
        describe: &impl Fn(&Annual) -> String,
        unknown_cell: &impl Fn(Year) -> String,
        t: &mut T,
    ) -> Tri {
        let mut acc = if self.pre_known {
            Tri::True
        } else {
            self.pre_unknown(t);
            Tri::Unknown
        };
        let Some(first) = self.first else { return acc };
        let mut listed = Vec::new();
        let mut expected = first;
        for r in self.facts.annual.iter().take_while(|r| r.year < until) {
            for gap in expected..r.year {
                t.missing(|| format!("{gap}年年度数据（缺少该年数据行）"));
                acc = acc.and(Tri::Unknown);
                if T::ON {
                    listed.push(format!("{gap}年无数据"));
                }
            }
            expected = r.year + 1;
            let mut v = Tri::from_option(pred(r)).not();
            if v == Tri::Unknown {
                t.missing(|| unknown_cell(r.year));
            } else if self.doubted(field, r.year, None, t) {
                v = Tri::Unknown;
            }
            if T::ON {
                listed.push(describe(r));
            }
            acc = acc.and(v);
            if acc == Tri::False && !T::ON {
                return acc;
            }
        }
        for gap in expected..until {
            t.missing(|| format!("{gap}年年度数据（缺少该年数据行）"));
            acc = acc.and(Tri::Unknown);
            if T::ON {
                listed.push(format!("{gap}年无数据"));
            }
        }
        if T::ON {
            let pre = if self.pre_known { self.pre_reason() } else { format!("{first}年以前历史未知") };
            if listed.is_empty() {
                t.step(|| format!("此前年度：{pre}"));
            } else {
                t.step(|| format!("此前年度：{}；{pre}", listed.join("，")));
            }
        }
        acc
    }
}

pub fn money_of(row: &Annual, fact: MoneyFact) -> Option<Fen> {
    match fact {
        MoneyFact::Revenue => row.revenue,
        MoneyFact::RdExpense => row.rd_expense,
        MoneyFact::LocalProcurement => row.local_procurement,
        MoneyFact::TotalProcurement => row.total_procurement,
    }
}

pub fn flag_of(row: &Annual, fact: FlagFact) -> Option<bool> {
    match fact {
        FlagFact::AboveScale => row.above_scale,
        FlagFact::ChainMaster => row.chain_master,
        FlagFact::StrategicEmerging => None,
    }
}

/// `2019年 1.2亿元` (at the precision that decides the comparison with `threshold`) or
/// `2019年营业收入未知`.
pub fn describe_money(row: &Annual, fact: MoneyFact, threshold: Fen) -> String {
    match money_of(row, fact) {
        Some(v) => format!("{}年 {}", row.year, money_near(v, threshold)),
        None => format!("{}年{}未知", row.year, fact.name_zh()),
    }
}

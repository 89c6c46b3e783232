//! Rules written in the policy language (`kind = "formula"`, issue 11): the facts an expression
//! reads, taken from one enterprise-year (and, for `per = "project"`, one project), and the
//! decision its condition and amount give.

use super::ctx::{Ctx, Silent, Trace};
use super::facts::{FactKey, FactValue};
use crate::expr::{Compiled, Value};
use crate::model::{FlagFact, MoneyFact};
use crate::tri::Tri;
use lianzhang_facts::{ExtraAt, ExtraValue, Project};
use rust_decimal::Decimal;
use std::cell::RefCell;

/// An enterprise-year's facts as the policy language reads them: the yearly money and yes/no
/// facts through the same accessors as the built-in rules (history before the first row, doubted
/// values), so one fact has one value in every rule; the enterprise's own facts; the project's,
/// for a per-project rule; the facts the policy declares beyond FACTS.md.
struct CtxEnv<'c, 'a> {
    ctx: &'c Ctx<'a>,
    project: Option<&'c Project>,
    /// The yearly facts read, with the value seen, when the caller records them (`facts_read`).
    reads: Option<RefCell<Vec<(FactKey, FactValue)>>>,
}

/// A trace that only keeps the facts read (for a formula's `facts_read`).
struct Reads<'v>(&'v mut Vec<(FactKey, FactValue)>);

impl Trace for Reads<'_> {
    const ON: bool = false;
    fn step(&mut self, _: impl FnOnce() -> String) {}
    fn missing(&mut self, _: impl FnOnce() -> String) {}
    fn fact(&mut self, key: FactKey, value: FactValue) {
        self.0.push((key, value));
    }
}

fn extra_value(v: &ExtraValue) -> Value {
    match v {
        ExtraValue::Money(f) => Value::Num(f.to_yuan()),
        ExtraValue::Bool(b) => Value::Bool(*b),
        ExtraValue::Int(i) => Value::Num(Decimal::from(*i)),
        ExtraValue::Decimal(d) => Value::Num(*d),
        ExtraValue::Date(d) => Value::Code(d.to_string()),
        ExtraValue::Text(t) => Value::Code(t.clone()),
    }
}

impl CtxEnv<'_, '_> {
    /// A project fact of FACTS.md; `None` for other codes.
    fn project_fact(&self, p: &Project, code: &str) -> Option<Option<Value>> {
        let vocab = &self.ctx.policy.vocabulary;
        let year = |y: Option<i32>| y.map(|y| Value::Num(Decimal::from(y)));
        Some(match code {
            "project_id" => Some(Value::Code(p.project_id.clone())),
            "project_name" => Some(Value::Code(p.name.clone())),
            "category" => p.category.map(|c| Value::Code(vocab.category_info(c).code.clone())),
            "fixed_asset_investment" => match p.fixed_asset_investment {
                Some(_) if self.ctx.doubt("fixed_asset_investment", self.ctx.year, Some(&p.project_id)).is_some() => {
                    None
                }
                v => v.map(|f| Value::Num(f.to_yuan())),
            },
            "start_year" => year(p.start_year),
            "completed_year" => year(p.completed_year),
            _ => return None,
        })
    }

    /// An enterprise fact of FACTS.md; `None` for other codes.
    fn enterprise_fact(&self, code: &str) -> Option<Option<Value>> {
        let e = self.ctx.facts.enterprise;
        let vocab = &self.ctx.policy.vocabulary;
        let text = |t: &Option<String>| t.clone().map(Value::Code);
        Some(match code {
            "uscc" => Some(Value::Code(e.uscc.to_string())),
            "name" => Some(Value::Code(e.name.clone())),
            "chain" => e.chain.map(|c| Value::Code(vocab.chain_info(c).code.clone())),
            "stage" => e
                .chain
                .zip(e.stage)
                .and_then(|(c, s)| vocab.chain_info(c).stages.get(usize::from(s)).cloned())
                .map(Value::Code),
            "town" => text(&e.town),
            "industry_code" => text(&e.industry_code),
            "established" => e.established.map(|d| Value::Code(d.to_string())),
            "chain_joined_year" => e.chain_joined_year.map(|y| Value::Num(Decimal::from(y))),
            _ => return None,
        })
    }
}

/// Where a declared fact is read from: a yearly money or yes/no fact the built-in rules read
/// (through the same accessors), a fact declared beyond FACTS.md (its place among the
/// vocabulary's extras), or another column of FACTS.md (matched by its code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Money(MoneyFact),
    Flag(FlagFact),
    Extra(u16),
    Column,
}

/// The source of each declared fact, in the order of `decls.facts`.
pub(crate) fn sources(decls: &crate::expr::Decls, vocab: &lianzhang_facts::Vocabulary) -> Vec<Source> {
    let source = |code: &str| {
        if let Some((_, f)) = MoneyFact::ALL.iter().find(|(c, _)| *c == code) {
            Source::Money(*f)
        } else if let Some((_, f)) = FlagFact::ALL.iter().find(|(c, _)| *c == code) {
            Source::Flag(*f)
        } else if let Some(i) = vocab.extras.iter().position(|f| f.code == code) {
            Source::Extra(i as u16)
        } else {
            Source::Column
        }
    };
    decls.facts.iter().map(|f| source(&f.code)).collect()
}

impl CtxEnv<'_, '_> {
    fn read(&self, source: Source, code: &str, year: i32) -> Option<Value> {
        match source {
            Source::Money(f) => {
                let v = match &self.reads {
                    Some(r) => self.ctx.money(f, year, &mut Reads(&mut r.borrow_mut())),
                    None => self.ctx.money(f, year, &mut Silent),
                };
                v.map(|fen| Value::Num(fen.to_yuan()))
            }
            Source::Flag(f) => {
                let v = match &self.reads {
                    Some(r) => self.ctx.flag(f, year, &mut Reads(&mut r.borrow_mut())),
                    None => self.ctx.flag(f, year, &mut Silent),
                };
                v.known().map(Value::Bool)
            }
            Source::Extra(i) => {
                let decl = &self.ctx.policy.vocabulary.extras[usize::from(i)];
                let at = match decl.place {
                    lianzhang_facts::ExtraPlace::Enterprise => ExtraAt::Enterprise,
                    lianzhang_facts::ExtraPlace::Yearly => ExtraAt::Year(year),
                    lianzhang_facts::ExtraPlace::Project => ExtraAt::Project(self.project?.project_id.clone()),
                };
                self.ctx.facts.extra(i, &at).map(extra_value)
            }
            Source::Column => {
                if let Some(p) = self.project
                    && let Some(v) = self.project_fact(p, code)
                {
                    return v;
                }
                self.enterprise_fact(code).flatten()
            }
        }
    }
}

impl crate::expr::Env for CtxEnv<'_, '_> {
    fn year(&self) -> i32 {
        self.ctx.year
    }

    fn fact(&self, code: &str, year: i32) -> Option<Value> {
        let slot = self.ctx.policy.facts.facts.iter().position(|f| f.code == code)?;
        self.read(self.ctx.policy.sources[slot], code, year)
    }

    fn fact_at(&self, slot: u16, code: &str, year: i32) -> Option<Value> {
        match self.ctx.policy.sources.get(usize::from(slot)) {
            Some(s) => self.read(*s, code, year),
            None => self.fact(code, year),
        }
    }

    fn first_year(&self) -> Option<i32> {
        self.ctx.first
    }

    fn first_flag(&self, slot: u16, year: i32) -> Option<Option<bool>> {
        // Recording the facts read goes year by year, as the explanation does.
        if self.reads.is_some() {
            return None;
        }
        match self.ctx.policy.sources.get(usize::from(slot))? {
            Source::Flag(f) if f.is_yearly() => {
                Some(super::rules::entry(&self.ctx.at(year), *f, year, &mut Silent).known())
            }
            _ => None,
        }
    }

    fn doubted(&self, code: &str, year: i32) -> Option<String> {
        let project = match (self.project, code) {
            (Some(p), "fixed_asset_investment") => Some(p.project_id.as_str()),
            _ => None,
        };
        self.ctx.doubt(code, year, project).map(|(f, i)| f.reason_for(i))
    }

    fn history_known(&self) -> bool {
        self.ctx.pre_known
    }

    fn history_known_at(&self, year: i32) -> bool {
        if year == self.ctx.year { self.ctx.pre_known } else { self.ctx.at(year).pre_known }
    }

    fn recorded(&self, year: i32) -> Option<bool> {
        if self.ctx.facts.annual.iter().any(|r| r.year == year) {
            Some(true)
        } else if self.ctx.first.is_none_or(|f| year < f) && self.ctx.established_recently {
            Some(false)
        } else {
            None
        }
    }

    fn recognized(&self, kind: &str, year: i32) -> bool {
        let Some(k) = self.ctx.policy.vocabulary.recognition_kind_by_code(kind) else { return false };
        self.ctx.facts.recognitions.iter().any(|r| r.kind == k && r.year == year)
    }

    fn first_recognition_year(&self) -> Option<i32> {
        self.ctx.facts.recognitions.iter().map(|r| r.year).min()
    }
}

/// A rule written in the policy language: its condition, then (unless known false) its amount;
/// each expression writes its own steps. An unknown that matters gives `needs_review` naming
/// the facts; a negative amount pays nothing. `project`: the project a per-project rule is
/// decided for; `amount`: `None` for a referral (the condition alone).
pub(crate) fn formula<T: Trace>(
    ctx: &Ctx,
    project: Option<&Project>,
    when: &Compiled,
    amount: Option<&Compiled>,
    t: &mut T,
) -> super::Decision {
    let decls = &ctx.policy.facts;
    let env = CtxEnv { ctx, project, reads: T::OBSERVES.then(|| RefCell::new(Vec::new())) };
    let run = |c: &Compiled| if T::ON { c.eval(decls, &env) } else { c.value(decls, &env) };
    let w = run(when);
    for s in &w.steps {
        t.step(|| s.clone());
    }
    let report = |env: &CtxEnv, t: &mut T| {
        if let Some(r) = &env.reads {
            for (k, v) in r.borrow_mut().drain(..) {
                t.fact(k, v);
            }
        }
    };
    report(&env, t);
    let tri = match w.value {
        Some(Value::Bool(true)) => Tri::True,
        Some(Value::Bool(false)) => return super::Decision { tri: Tri::False, amount: None },
        _ => {
            for m in &w.missing {
                t.missing(|| m.clone());
            }
            Tri::Unknown
        }
    };
    let Some(amount) = amount else { return super::Decision { tri, amount: None } };
    let a = run(amount);
    report(&env, t);
    // What the condition already showed (the facts, an increase both compute) is not repeated.
    for s in a.steps.iter().filter(|s| !w.steps.contains(s)) {
        t.step(|| s.clone());
    }
    match a.value {
        // Nothing to pay (a value in no band, a negative result) is no award.
        Some(Value::Num(d)) if d <= Decimal::ZERO => {
            t.step(|| "金额为0，不予奖励".to_string());
            super::Decision { tri: Tri::False, amount: None }
        }
        Some(Value::Num(d)) => super::Decision { tri, amount: Some(d) },
        _ => {
            for m in &a.missing {
                t.missing(|| m.clone());
            }
            super::Decision { tri: Tri::Unknown, amount: None }
        }
    }
}

/// 分期兑现: the award of year Y − k (decided as in that year) paid in its k-th share this year.
/// Each share is rounded once; the last is what is left of the rounded award, so the shares add
/// up to it exactly. Unknown if any year's award is unknown.
pub(crate) fn instalments<T: Trace>(
    ctx: &Ctx,
    when: &Compiled,
    amount: &Compiled,
    shares: &[Decimal],
    t: &mut T,
) -> super::Decision {
    let n = shares.len();
    let mut tri = Tri::False;
    let mut total = Decimal::ZERO;
    for (k, share) in shares.iter().enumerate() {
        let y = ctx.year - k as i32;
        if !ctx.policy.in_force(y) {
            continue;
        }
        let at = ctx.at(y);
        let d = formula(&at, None, when, Some(amount), &mut Silent);
        if d.tri == Tri::False {
            continue;
        }
        let pct = || format!("{}%", (*share * Decimal::ONE_HUNDRED).normalize());
        t.step(|| format!("{y}年的奖励分{n}期兑现，{}年为第{}期（{}）", ctx.year, k + 1, pct()));
        let d = formula(&at, None, when, Some(amount), t);
        let Some(full) = d.amount.filter(|_| d.tri == Tri::True) else {
            tri = Tri::Unknown;
            continue;
        };
        let full = super::round(ctx.policy, full);
        let m = super::text::money_exact;
        let part = if k + 1 == n && n > 1 {
            // The last share is the rest: the shares add up to the award exactly.
            let earlier: Decimal = shares[..k].iter().map(|s| super::round(ctx.policy, full * s)).sum();
            let rest = full - earlier;
            t.step(|| format!("第{}期（末期为余额）：{} − 前{}期 {} = {}", k + 1, m(full), k, m(earlier), m(rest)));
            rest
        } else {
            let part = super::round(ctx.policy, full * share);
            t.step(|| format!("第{}期：{} × {} = {}", k + 1, m(full), pct(), m(part)));
            part
        };
        total += part;
        if tri == Tri::False {
            tri = Tri::True;
        }
    }
    match tri {
        Tri::True => super::Decision { tri, amount: Some(total) },
        other => super::Decision { tri: other, amount: None },
    }
}

/// 收回: the award of rule `rec.index` made in one of the `rec.within` years before this one (as
/// that rule decided it in its year, with that year's facts), taken back the first year the
/// condition `when` breaks after it. The amount is the award's (positive: what is recovered);
/// whether it was paid, and whether it was already recovered, is the ledger's to say.
pub(crate) fn recovery<T: Trace>(
    ctx: &Ctx,
    when: &Compiled,
    rec: &crate::model::Recovery,
    t: &mut T,
) -> super::Decision {
    use super::NONE;
    let broken = formula(ctx, None, when, None, t);
    if broken.tri == Tri::False {
        return NONE;
    }
    let rule = &ctx.policy.rules[rec.index];
    let y = ctx.year;
    let award = (y - rec.within..y).filter(|&p| ctx.policy.in_force(p)).find_map(|p| {
        let d = super::decide(&ctx.at(p), &rule.kind, &mut Silent);
        (d.tri == Tri::True).then(|| (p, d.amount.unwrap_or_default()))
    });
    let Some((p, amount)) = award else {
        t.step(|| format!("{}—{}年未获“{}”奖励，无可收回", y - rec.within, y - 1, rule.title));
        return NONE;
    };
    let shown = super::text::money_exact(super::round(ctx.policy, amount));
    t.step(|| format!("{p}年获“{}”奖励{shown}，{y}年为其后第{}年（{}年内）", rule.title, y - p, rec.within));
    // Taken back the first year the condition breaks: not if it broke in a year between.
    let mut tri = broken.tri;
    for j in p + 1..y {
        match formula(&ctx.at(j), None, when, None, &mut Silent).tri {
            Tri::True => {
                t.step(|| format!("{j}年已出现该情形，当年即应收回"));
                return NONE;
            }
            Tri::Unknown => {
                t.missing(|| format!("{j}年是否已出现该情形"));
                tri = tri.and(Tri::Unknown);
            }
            Tri::False => {}
        }
    }
    super::Decision { tri, amount: Some(amount) }
}

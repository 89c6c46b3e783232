//! Evaluation of a checked expression against one enterprise-year's facts: three-valued (an
//! unknown fact makes what depends on it unknown, naming it; a known-false part decides `and`, a
//! known-true part decides `or`), each node writing its own step of the Chinese explanation.

use super::Compiled;
use super::decl::{Decls, Place, Type};
use super::parse::{BandExpr, BinOp, Expr, Kind};
use super::schedule::{Band, Schedule};
use crate::engine::text::{decisive_dp, fixed, grouped, money, money_exact, money_near_yuan, percent_short};
use rust_decimal::Decimal;

/// A fact's value, or an expression's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Money in yuan, a count, a percentage as the fraction, an area, a year.
    Num(Decimal),
    Bool(bool),
    /// A code, a date (`YYYY-MM-DD`) or a text.
    Code(String),
}

/// The facts an expression reads.
pub trait Env {
    /// The assessed year.
    fn year(&self) -> i32;
    /// Fact `code` in `year` (for a yearly fact; otherwise `year` is the assessed year and
    /// means nothing): `None` when unknown (an empty cell, no row).
    fn fact(&self, code: &str, year: i32) -> Option<Value>;
    /// [`Env::fact`] for the fact in place `slot` of the declared facts (the checker resolved
    /// the code to it): an environment that keeps the declarations' places reads it without
    /// matching the code.
    fn fact_at(&self, slot: u16, code: &str, year: i32) -> Option<Value> {
        let _ = slot;
        self.fact(code, year)
    }
    /// The earliest year with data (F, the first annual row): `first(…)` looks at every year from
    /// it. `None`: no earlier year to look at.
    fn first_year(&self) -> Option<i32> {
        None
    }
    /// Whether the years before F count as not reached (POLICY.md's history rule, for the
    /// assessed year); when not, a `first(…)` that holds so far is unknown ("F年以前历史未知").
    fn history_known(&self) -> bool {
        true
    }
    /// The history rule as it reads when `year` is the one judged (`entered(c, n)` judges an
    /// earlier year as it was judged then: one fact, one value).
    fn history_known_at(&self, year: i32) -> bool {
        let _ = year;
        self.history_known()
    }
    /// Why fact `code` of `year` is read as unknown although a value is there: a plausibility
    /// finding doubts it (`营业收入与相邻年度相差约万倍：2023年营业收入 248元`); `None` otherwise.
    fn doubted(&self, _code: &str, _year: i32) -> Option<String> {
        None
    }
    /// Whether the enterprise has a recognition of kind `kind` (its code) in `year`.
    fn recognized(&self, _kind: &str, _year: i32) -> bool {
        false
    }
    /// Whether the enterprise has its annual row of `year` (`recorded(-1)`): `Some(false)` only
    /// where the history rule knows there is none (a year before the first row of an enterprise
    /// established recently, POLICY.md interpretation 6); `None` when unknown.
    fn recorded(&self, _year: i32) -> Option<bool> {
        None
    }
    /// `first(f)` judged in `year`, for the yes/no fact in place `slot` of the declared facts,
    /// when the environment decides it itself (the engine's 首次纳入, which the built-in rules
    /// use: the same three-valued judgment); `None` to let the evaluator go year by year. Asked
    /// on the values-only path.
    fn first_flag(&self, _slot: u16, _year: i32) -> Option<Option<bool>> {
        None
    }
    /// The year of the enterprise's earliest recognition of any kind.
    fn first_recognition_year(&self) -> Option<i32> {
        None
    }
}

/// What an evaluation gives: the value (`None`: it turns on unknown facts), the facts it turned
/// on when unknown (Chinese, `2022年营业收入`), and the steps of its explanation in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluated {
    pub value: Option<Value>,
    pub missing: Vec<String>,
    pub steps: Vec<String>,
}

type Res = Result<Value, Vec<String>>;

/// `EXPLAIN`: whether to write the explanation. The values-only path (off) is compiled apart,
/// without the text-building code, and builds no text.
struct Ev<'a, const EXPLAIN: bool> {
    decls: &'a Decls,
    env: &'a dyn Env,
    /// The assessed year (asked of the `Env` once).
    year: i32,
    /// Years from the assessed year to the year being judged (`first(…)` judges earlier years).
    shift: i32,
    steps: Vec<String>,
    read: Vec<String>,
}

fn union(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    for x in b {
        if !a.contains(&x) {
            a.push(x);
        }
    }
    a
}

/// A value as the explanation writes it, by its type.
/// A value as a step of arithmetic writes it: exact, money in the largest unit that keeps it
/// exact (the engine's convention, `engine/text.rs`).
fn show(v: &Value, ty: Option<Type>) -> String {
    match v {
        Value::Bool(b) => (if *b { "是" } else { "否" }).into(),
        Value::Code(c) => c.clone(),
        Value::Num(d) => match ty {
            Some(Type::Money) => money_exact(*d),
            // 20%, 12.5% as written; a computed ratio with its decimals (at most four).
            Some(Type::Percent) => {
                let p = (*d * Decimal::ONE_HUNDRED).normalize();
                if p.scale() <= 2 { format!("{}%", grouped(p, 0)) } else { percent_short(*d) }
            }
            _ => grouped(*d, 0),
        },
    }
}

/// A fact's value as it is reported: money in 万元/亿元 with two decimals (display only).
fn reported(v: &Value, ty: Option<Type>) -> String {
    match (v, ty) {
        (Value::Num(d), Some(Type::Money)) => money(*d),
        _ => show(v, ty),
    }
}

/// A value beside the one it is compared with: as reported unless the rounding would hide the
/// decision (then exact), as the built-in rules show it.
fn near(v: &Value, other: &Value, ty: Option<Type>) -> String {
    match (v, other, ty) {
        (Value::Num(a), Value::Num(b), Some(Type::Money)) => money_near_yuan(*a, *b),
        (Value::Num(a), Value::Num(b), Some(Type::Percent)) => {
            let p = *a * Decimal::ONE_HUNDRED;
            if p.normalize().scale() <= 2 {
                format!("{}%", grouped(p.normalize(), 0))
            } else {
                format!("{}%", fixed(p, decisive_dp(p, *b * Decimal::ONE_HUNDRED, 2), 2))
            }
        }
        _ => show(v, ty),
    }
}

/// Whether `e` reads a yearly fact (one the years before the data may leave unknown).
pub(crate) fn reads_yearly(e: &Expr, decls: &Decls) -> bool {
    match &e.kind {
        Kind::Fact { code, .. } => decls.get(code).is_some_and(|f| f.place == Place::Yearly),
        Kind::Num(..) | Kind::Bool(_) | Kind::Str(_) | Kind::ThisYear => false,
        Kind::Neg(x) | Kind::Not(x) | Kind::In(x, _) => reads_yearly(x, decls),
        Kind::Bin(_, l, r) => reads_yearly(l, decls) || reads_yearly(r, decls),
        Kind::Call(f, _) if f == "recorded" => true,
        Kind::Call(_, args) => args.iter().any(|x| reads_yearly(x, decls)),
        Kind::Schedule(bands) => bands
            .iter()
            .any(|b| b.from.iter().chain(b.to.iter()).chain(std::iter::once(&b.value)).any(|x| reads_yearly(x, decls))),
    }
}

impl<const EXPLAIN: bool> Ev<'_, EXPLAIN> {
    /// What an unknown turns on, named only when explaining (the values-only path builds no
    /// text: its unknowns are an empty list, still an unknown).
    fn unknown(&self, what: impl FnOnce() -> String) -> Vec<String> {
        if EXPLAIN { vec![what()] } else { Vec::new() }
    }

    /// A code as a clerk reads it: its Chinese name where the policy lists the fact's codes.
    fn code_zh(&self, fact: Option<&str>, code: &str) -> String {
        fact.and_then(|f| self.decls.codes_of(f))
            .and_then(|cs| cs.iter().find(|(c, _)| c == code))
            .map_or_else(|| code.to_string(), |(_, n)| n.clone())
    }

    /// `2023年营业收入` (yearly facts with their year), `战略性新兴产业企业` (the others).
    fn label(&self, code: &str, offset: i32) -> String {
        let Some(f) = self.decls.get(code) else { return code.to_string() };
        if f.place == Place::Yearly {
            format!("{}年{}", self.year + self.shift + offset, f.name)
        } else {
            f.name.clone()
        }
    }

    fn fact(&mut self, slot: u16, code: &str, offset: i32, ty: Option<Type>) -> Res {
        let year = self.year + self.shift + offset;
        let v = self.env.fact_at(slot, code, year);
        // A doubted value is unknown, and the finding is what it turns on.
        let doubt = if v.is_none() && EXPLAIN { self.env.doubted(code, year) } else { None };
        if let Some(reason) = doubt {
            let label = self.label(code, offset);
            if !self.read.contains(&label) {
                self.steps.push(format!("{label}：存疑（{reason}）"));
                self.read.push(label);
            }
            return Err(vec![reason]);
        }
        if EXPLAIN {
            let label = self.label(code, offset);
            if !self.read.contains(&label) {
                let shown = match &v {
                    None => "未知".to_string(),
                    Some(Value::Code(c)) if ty == Some(Type::Code) => self.code_zh(Some(code), c),
                    Some(v) => reported(v, ty),
                };
                self.steps.push(format!("{label}：{shown}"));
                self.read.push(label);
            }
        }
        v.ok_or_else(|| self.unknown(|| self.label(code, offset)))
    }

    /// How a node is named in a comparison's step: a fact by its label, a function by what it
    /// computes, a literal or an arithmetic result by nothing but its value.
    fn name(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            Kind::Fact { code, offset, .. } => Some(self.label(code, *offset)),
            Kind::Call(f, args) if f == "growth" || f == "increase" => match &args[0].kind {
                Kind::Fact { code, .. } => {
                    let name = self.decls.get(code).map_or(code.as_str(), |d| d.name.as_str());
                    Some(format!("{name}{}", if f == "growth" { "增长率" } else { "增加额" }))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn num(&mut self, e: &Expr) -> Result<Decimal, Vec<String>> {
        match self.eval(e)? {
            Value::Num(d) => Ok(d),
            _ => unreachable!("checked: a number"),
        }
    }

    fn eval(&mut self, e: &Expr) -> Res {
        match &e.kind {
            Kind::Num(d, _) => Ok(Value::Num(*d)),
            Kind::Bool(b) => Ok(Value::Bool(*b)),
            Kind::Str(t) => Ok(Value::Code(t.clone())),
            Kind::ThisYear => Ok(Value::Num(Decimal::from(self.year + self.shift))),
            Kind::In(x, items) => {
                let v = self.eval(x)?;
                let Value::Code(c) = &v else { unreachable!("checked: a code") };
                let holds = items.iter().any(|(i, _)| i == c);
                if EXPLAIN {
                    let fact = match &x.kind {
                        Kind::Fact { code, .. } => Some(code.as_str()),
                        _ => None,
                    };
                    let listed: Vec<String> = items.iter().map(|(i, _)| self.code_zh(fact, i)).collect();
                    let name = self.name(x).map_or_else(String::new, |n| format!("{n} "));
                    self.steps.push(format!(
                        "{name}{} 属于（{}）：{}",
                        self.code_zh(fact, c),
                        listed.join("、"),
                        if holds { "是" } else { "否" }
                    ));
                }
                Ok(Value::Bool(holds))
            }
            Kind::Fact { code, offset, slot } => self.fact(*slot, code, *offset, e.ty),
            Kind::Neg(inner) => Ok(Value::Num(-self.num(inner)?)),
            Kind::Not(inner) => match self.eval(inner)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                _ => unreachable!("checked: a condition"),
            },
            Kind::Bin(op @ (BinOp::And | BinOp::Or), l, r) => {
                let decides = *op == BinOp::Or;
                let l = self.eval(l);
                // A known-false part decides `and` (a known-true one `or`) whatever the rest: the
                // values-only path does not evaluate the rest; the explained one shows it.
                if !EXPLAIN && l == Ok(Value::Bool(decides)) {
                    return l;
                }
                let r = self.eval(r);
                match (l, r) {
                    (Ok(Value::Bool(b)), _) | (_, Ok(Value::Bool(b))) if b == decides => Ok(Value::Bool(b)),
                    (Err(a), Err(b)) => Err(union(a, b)),
                    (Err(a), _) | (_, Err(a)) => Err(a),
                    _ => Ok(Value::Bool(!decides)),
                }
            }
            Kind::Bin(op, l, r) if op.is_comparison() => {
                let (lv, rv) = (self.eval(l), self.eval(r));
                let (lv, rv) = match (lv, rv) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(a), Err(b)) => return Err(union(a, b)),
                    (Err(a), _) | (_, Err(a)) => return Err(a),
                };
                let ty = l.ty.filter(|t| *t != Type::Number).or(r.ty);
                use std::cmp::Ordering::{Equal, Greater, Less};
                let order = match (&lv, &rv) {
                    (Value::Num(a), Value::Num(b)) => Some(a.cmp(b)),
                    // Dates (ISO text) order as text.
                    (Value::Code(a), Value::Code(b)) => Some(a.cmp(b)),
                    _ => None,
                };
                let holds = match (order, op) {
                    (Some(o), BinOp::Ge) => o != Less,
                    (Some(o), BinOp::Le) => o != Greater,
                    (Some(o), BinOp::Gt) => o == Greater,
                    (Some(o), BinOp::Lt) => o == Less,
                    (Some(o), BinOp::Eq) => o == Equal,
                    (Some(o), _) => o != Equal,
                    (None, _) => (lv == rv) == (*op == BinOp::Eq),
                };
                // The side that is a literal (the threshold) exactly; the other near it.
                let fact = [l, r].into_iter().find_map(|x| match &x.kind {
                    Kind::Fact { code, .. } => Some(code.as_str()),
                    _ => None,
                });
                let side = |name: Option<String>, v: &Value, other: &Value, literal: bool| {
                    let shown = match v {
                        Value::Code(c) if ty == Some(Type::Code) => self.code_zh(fact, c),
                        _ if literal => show(v, ty),
                        _ => near(v, other, ty),
                    };
                    match name {
                        Some(n) => format!("{n} {shown}"),
                        None => shown,
                    }
                };
                let literal = |e: &Expr| matches!(e.kind, Kind::Num(..) | Kind::Str(_));
                if EXPLAIN {
                    let (ln, rn) = (self.name(l), self.name(r));
                    self.steps.push(format!(
                        "{} {} {}：{}",
                        side(ln, &lv, &rv, literal(l)),
                        op.symbol(),
                        side(rn, &rv, &lv, literal(r)),
                        if holds { "是" } else { "否" }
                    ));
                }
                Ok(Value::Bool(holds))
            }
            Kind::Bin(op, l, r) => {
                let (a, b) = (self.num(l), self.num(r));
                let (a, b) = match (a, b) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(x), Err(y)) => return Err(union(x, y)),
                    (Err(x), _) | (_, Err(x)) => return Err(x),
                };
                let v = match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    _ if b.is_zero() => {
                        return Err(self.unknown(|| format!("除数为 0（{}），无法计算", show(&Value::Num(a), l.ty))));
                    }
                    _ => a / b,
                };
                if EXPLAIN {
                    self.steps.push(format!(
                        "{} {} {} = {}",
                        show(&Value::Num(a), l.ty),
                        op.symbol(),
                        show(&Value::Num(b), r.ty),
                        show(&Value::Num(v), e.ty)
                    ));
                }
                Ok(Value::Num(v))
            }
            Kind::Call(f, args) => self.call(f, args, e),
            Kind::Schedule(_) => unreachable!("checked: a schedule is only an argument"),
        }
    }

    fn call(&mut self, f: &str, args: &[Expr], e: &Expr) -> Res {
        match f {
            "min" | "max" => {
                let mut vals = Vec::new();
                // An unknown argument makes the result unknown (its list is empty on the
                // values-only path: whether one was unknown is kept apart from what it names).
                let mut missing: Option<Vec<String>> = None;
                for a in args {
                    match self.num(a) {
                        Ok(v) => vals.push(v),
                        Err(m) => missing = Some(union(missing.unwrap_or_default(), m)),
                    }
                }
                if let Some(m) = missing {
                    return Err(m);
                }
                let v = if f == "min" { vals.iter().min() } else { vals.iter().max() }.copied().expect("two or more");
                let shown: Vec<String> = vals.iter().map(|x| show(&Value::Num(*x), e.ty)).collect();
                let word = if f == "min" { "取小" } else { "取大" };
                if EXPLAIN {
                    self.steps.push(format!("{word}（{}）= {}", shown.join("，"), show(&Value::Num(v), e.ty)));
                }
                Ok(Value::Num(v))
            }
            "first" => self.first(&args[0]),
            "floor" => {
                let x = self.num(&args[0])?;
                let v = x.floor();
                if EXPLAIN {
                    self.steps.push(format!(
                        "向下取整（{}）= {}",
                        show(&Value::Num(x), args[0].ty),
                        show(&Value::Num(v), e.ty)
                    ));
                }
                Ok(Value::Num(v))
            }
            "recorded" => {
                let Kind::Num(n, _) = &args[0].kind else { unreachable!("checked: a whole offset") };
                let year = self.year + self.shift + i32::try_from(n.trunc().mantissa()).unwrap_or(0);
                let v = self.env.recorded(year);
                if EXPLAIN {
                    let zh = match v {
                        Some(true) => "有",
                        Some(false) => "无（新设企业，此前无数据）",
                        None => "未知",
                    };
                    self.steps.push(format!("{year}年年度数据：{zh}"));
                }
                v.map(Value::Bool).ok_or_else(|| self.unknown(|| format!("{year}年年度数据（缺少该年数据行）")))
            }
            "entered" => {
                let Kind::Num(n, _) = &args[1].kind else { unreachable!("checked: a whole number") };
                let n = i32::try_from(n.trunc().mantissa()).unwrap_or(0);
                let saved = self.shift;
                self.shift -= n;
                let r = self.first(&args[0]);
                self.shift = saved;
                r
            }
            "recognized" => {
                let Kind::Str(kind) = &args[0].kind else { unreachable!("checked: a kind's code") };
                let year = self.year + self.shift;
                let holds = self.env.recognized(kind, year);
                if EXPLAIN {
                    let name = self.code_zh(Some("kind"), kind);
                    self.steps.push(format!("{year}年认定为“{name}”：{}", if holds { "是" } else { "否" }));
                }
                Ok(Value::Bool(holds))
            }
            "increase" | "growth" => {
                let Kind::Fact { code, slot, .. } = &args[0].kind else { unreachable!("checked: a fact") };
                let now = self.fact(*slot, code, 0, args[0].ty);
                let before = self.fact(*slot, code, -1, args[0].ty);
                let (now, before) = match (now, before) {
                    (Ok(Value::Num(a)), Ok(Value::Num(b))) => (a, b),
                    (Err(a), Err(b)) => return Err(union(a, b)),
                    (Err(a), _) | (_, Err(a)) => return Err(a),
                    _ => unreachable!("checked: a number"),
                };
                // Text only when explaining: the values-only path builds none.
                let name = || self.name(e).unwrap_or_default();
                let shown = |v: Decimal| show(&Value::Num(v), args[0].ty);
                if f == "increase" {
                    let v = now - before;
                    if EXPLAIN {
                        let step = format!("{}：{} − {} = {}", name(), shown(now), shown(before), shown(v));
                        self.steps.push(step);
                    }
                    return Ok(Value::Num(v));
                }
                if before.is_zero() {
                    return Err(self.unknown(|| format!("{}为 0，{}无法计算", self.label(code, -1), name())));
                }
                let v = (now - before) / before;
                if EXPLAIN {
                    let (a, b) = (shown(now), shown(before));
                    let step = format!("{}：({a} − {b}) ÷ {b} = {}", name(), show(&Value::Num(v), Some(Type::Percent)));
                    self.steps.push(step);
                }
                Ok(Value::Num(v))
            }
            "band" | "rate" | "brackets" => {
                let x = self.num(&args[0]);
                let schedule = self.schedule(&args[1]);
                let (x, schedule) = match (x, schedule) {
                    (Ok(x), Ok(s)) => (x, s),
                    (Err(a), Err(b)) => return Err(union(a, b)),
                    (Err(a), _) | (_, Err(a)) => return Err(a),
                };
                let (xt, vt) = (args[0].ty, args[1].ty);
                let xs = || show(&Value::Num(x), xt);
                let what = |ev: &Self| ev.name(&args[0]).map_or_else(xs, |n| format!("{n} {}", xs()));
                let band_zh = |b: &Band| match (b.from, b.to) {
                    (Some(f), Some(t)) => format!("{}（含）至{}", show(&Value::Num(f), xt), show(&Value::Num(t), xt)),
                    (Some(f), None) => format!("{}（含）以上", show(&Value::Num(f), xt)),
                    (None, Some(t)) => format!("不满{}", show(&Value::Num(t), xt)),
                    (None, None) => "任意".into(),
                };
                if f == "brackets" {
                    let (total, parts) = schedule.brackets(x);
                    for (b, part, amount) in &parts {
                        if EXPLAIN {
                            self.steps.push(format!(
                                "{}部分 {} × {} = {}",
                                band_zh(b),
                                show(&Value::Num(*part), xt),
                                show(&Value::Num(b.value), vt),
                                show(&Value::Num(*amount), e.ty)
                            ));
                        }
                    }
                    if EXPLAIN {
                        let step = format!("{} 分段累计：{}", what(self), show(&Value::Num(total), e.ty));
                        self.steps.push(step);
                    }
                    return Ok(Value::Num(total));
                }
                let Some(b) = schedule.band(x) else {
                    if EXPLAIN {
                        let step = format!("{} 不在任何一档：0", what(self));
                        self.steps.push(step);
                    }
                    return Ok(Value::Num(Decimal::ZERO));
                };
                if f == "band" {
                    if EXPLAIN {
                        let step = format!("{} 在“{}”档：{}", what(self), band_zh(b), show(&Value::Num(b.value), vt));
                        self.steps.push(step);
                    }
                    return Ok(Value::Num(b.value));
                }
                let v = x * b.value;
                if EXPLAIN {
                    let step = format!(
                        "{} 在“{}”档，按 {}：{} × {} = {}",
                        what(self),
                        band_zh(b),
                        show(&Value::Num(b.value), vt),
                        xs(),
                        show(&Value::Num(b.value), vt),
                        show(&Value::Num(v), e.ty)
                    );
                    self.steps.push(step);
                }
                Ok(Value::Num(v))
            }
            _ => unreachable!("checked: a known function"),
        }
    }

    /// `first(c)`: `c` holds in the judged year and in no earlier year (from the first year with
    /// data; before it as the history rule says), Kleene's `and` over the years.
    fn first(&mut self, c: &Expr) -> Res {
        let as_tri = |r: Res| match r {
            Ok(Value::Bool(b)) => Ok(b),
            Err(m) => Err(m),
            Ok(_) => unreachable!("checked: a condition"),
        };
        if !EXPLAIN
            && let Kind::Fact { slot, offset: 0, .. } = &c.kind
            && let Some(v) = self.env.first_flag(*slot, self.year + self.shift)
        {
            return v.map(Value::Bool).ok_or_else(Vec::new);
        }
        let mut acc: Result<bool, Vec<String>> = as_tri(self.eval(c));
        if acc == Ok(false) {
            return Ok(Value::Bool(false));
        }
        let judged = self.year + self.shift;
        // A condition on recognitions alone (dated events, all in the data) has no unknown past:
        // its earlier years are those from the first recognition on.
        let dated = c.dated;
        let first_year = if dated { self.env.first_recognition_year() } else { self.env.first_year() };
        let saved = self.shift;
        for j in first_year.unwrap_or(judged).min(judged)..judged {
            self.shift = j - self.year;
            let earlier = as_tri(self.eval(c)).map(|b| !b);
            acc = match (acc, earlier) {
                (Ok(false), _) | (_, Ok(false)) => Ok(false),
                (Err(a), Err(b)) => Err(union(a, b)),
                (Err(a), _) | (_, Err(a)) => Err(a),
                _ => Ok(true),
            };
            if acc == Ok(false) && !EXPLAIN {
                break;
            }
        }
        self.shift = saved;
        // The history rule is asked only when it matters (it may build the judged year's context).
        let asks = !dated && (acc != Ok(false) || EXPLAIN);
        let known = !asks || self.env.history_known_at(judged);
        if acc != Ok(false) && !known {
            let f = first_year.unwrap_or(judged);
            acc = Err(union(acc.err().unwrap_or_default(), self.unknown(|| format!("{f}年以前的历史"))));
        }
        if EXPLAIN {
            let verdict = match &acc {
                Ok(true) => "是（首次）",
                Ok(false) => "否（此前已达到或本年未达到）",
                Err(_) => "未知",
            };
            let history = if dated || known { "此前年度" } else { "此前年度（更早的历史未知）" };
            self.steps.push(format!("{judged}年为首次，{history}均未达到：{verdict}"));
        }
        acc.map(Value::Bool)
    }

    fn schedule(&mut self, e: &Expr) -> Result<Schedule, Vec<String>> {
        let Kind::Schedule(bands) = &e.kind else { unreachable!("checked: a schedule") };
        let mut out = Vec::new();
        // Whether a part is unknown, apart from what it names (empty on the values-only path).
        let mut missing: Option<Vec<String>> = None;
        for BandExpr { from, to, value, .. } in bands {
            let mut bound = |x: &Option<Expr>, ev: &mut Self| match x {
                None => Some(None),
                Some(x) => match ev.num(x) {
                    Ok(v) => Some(Some(v)),
                    Err(m) => {
                        missing = Some(union(missing.take().unwrap_or_default(), m));
                        None
                    }
                },
            };
            let (f, t) = (bound(from, self), bound(to, self));
            let v = match self.num(value) {
                Ok(v) => Some(v),
                Err(m) => {
                    missing = Some(union(missing.take().unwrap_or_default(), m));
                    None
                }
            };
            if let (Some(from), Some(to), Some(value)) = (f, t, v) {
                out.push(Band { from, to, value });
            }
        }
        match missing {
            Some(m) => Err(m),
            None => Ok(Schedule { bands: out }),
        }
    }
}

impl Compiled {
    /// The parts that must all hold for the condition to hold: its top-level `and`s, and those
    /// of a `first(…)` among them (首次 holds only if its condition holds this year).
    pub fn conjuncts(&self) -> Vec<&Expr> {
        fn walk<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
            match &e.kind {
                Kind::Bin(BinOp::And, l, r) => {
                    walk(l, out);
                    walk(r, out);
                }
                Kind::Call(f, args) if f == "first" => walk(&args[0], out),
                _ => out.push(e),
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// The value of an expression that is a number alone (`10万`, `-5万`), if it is one.
    pub fn constant(&self) -> Option<Decimal> {
        match &self.expr.kind {
            Kind::Num(d, _) => Some(*d),
            Kind::Neg(inner) => match &inner.kind {
                Kind::Num(d, _) => Some(-*d),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the expression reads a yearly fact (a year without its row cannot be judged).
    pub fn reads_yearly(&self, decls: &Decls) -> bool {
        reads_yearly(&self.expr, decls)
    }

    /// Evaluates against `env`, the facts named as `decls` declares them, with the explanation.
    pub fn eval(&self, decls: &Decls, env: &dyn Env) -> Evaluated {
        self.run::<true>(decls, env)
    }

    /// The value only: no explanation is written and `missing` is empty (an unknown is still
    /// `None`); the engine's fast path, which names nothing.
    pub fn value(&self, decls: &Decls, env: &dyn Env) -> Evaluated {
        self.run::<false>(decls, env)
    }

    fn run<const EXPLAIN: bool>(&self, decls: &Decls, env: &dyn Env) -> Evaluated {
        let mut ev = Ev::<EXPLAIN> { decls, env, year: env.year(), shift: 0, steps: Vec::new(), read: Vec::new() };
        let r = ev.eval(&self.expr);
        match r {
            Ok(v) => Evaluated { value: Some(v), missing: Vec::new(), steps: ev.steps },
            Err(missing) => Evaluated { value: None, missing, steps: ev.steps },
        }
    }
}

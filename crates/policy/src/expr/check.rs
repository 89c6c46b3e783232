//! The type check of an expression against the declared facts: every node gets its type, and
//! every problem is reported at once, before any data is read.

use super::Diagnostic;
use super::decl::{Decls, Place, Type};
use super::lex::Unit;
use super::parse::{BinOp, Expr, Kind};

/// The earliest year an expression may look back to (`revenue[-10]`).
const MAX_LOOKBACK: i32 = 10;

struct Checker<'a> {
    decls: &'a Decls,
    scope: Scope,
    problems: Vec<Diagnostic>,
}

/// What a rule is assessed for: each enterprise-year, or each project completed in the year
/// (`per = "project"`), whose facts it may then read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Year,
    Project,
}

impl Checker<'_> {
    fn problem(&mut self, d: Diagnostic) -> Type {
        self.problems.push(d);
        Type::Error
    }

    /// The type of `e`, stored in it; problems are collected (a wrong part gets `Number` so the
    /// rest is still checked).
    fn ty(&mut self, e: &mut Expr) -> Type {
        let span = e.span.clone();
        let t = match &mut e.kind {
            Kind::Num(_, Unit::Yuan) => Type::Money,
            Kind::Num(_, Unit::Percent) => Type::Percent,
            Kind::Num(_, Unit::Bare) => Type::Number,
            Kind::Bool(_) => Type::Bool,
            Kind::Str(_) => Type::Code,
            Kind::ThisYear => Type::Year,
            Kind::In(x, items) => {
                let t = self.ty(x);
                self.expect(x, t, Type::Code, "“属于”（in）前");
                let fact = match &x.kind {
                    Kind::Fact { code, .. } => Some(code.clone()),
                    _ => None,
                };
                for (item, at) in items.iter_mut() {
                    if let Some(code) = self.code_of(fact.as_deref(), item, at.clone()) {
                        *item = code;
                    }
                }
                Type::Bool
            }
            Kind::Fact { code, offset, slot } => match self.decls.get(code) {
                None => {
                    let near: Vec<&str> = self
                        .decls
                        .facts
                        .iter()
                        .filter(|f| {
                            f.code.contains(code.as_str()) || code.contains(f.code.as_str()) || close(&f.code, code)
                        })
                        .map(|f| f.code.as_str())
                        .collect();
                    let d = Diagnostic::new(span, format!("政策文件没有声明事实“{code}”"));
                    self.problem(if near.is_empty() {
                        d.help("事实须先在政策文件的 [facts] 中声明")
                    } else {
                        d.help(format!("是否想写 {}？", near.join("、")))
                    })
                }
                Some(f) if f.place == Place::Project && self.scope != Scope::Project => self.problem(
                    Diagnostic::new(
                        span,
                        format!("“{}”（{}）是项目的事实，只能用在按项目评定的规则中", f.code, f.name),
                    )
                    .help("在规则中写 per = \"project\"：每个当年竣工投产的项目评定一次"),
                ),
                Some(f) if f.place == Place::Recognition => self.problem(
                    Diagnostic::new(span, format!("“{}”（{}）是认定的事实，不能直接读取", f.code, f.name))
                        .help("用 recognized(认定类型代码) 判断当年是否获得该认定，如 recognized(mu_a)"),
                ),
                Some(f) if *offset != 0 && f.place != Place::Yearly => self
                    .problem(Diagnostic::new(span, format!("“{}”（{}）不按年度记录，不能写年度偏移", f.code, f.name))),
                Some(_) if *offset > 0 => self.problem(
                    Diagnostic::new(span, "年度偏移不能指向以后的年度").help("[0] 或不写为评定年度，[-1] 为上一年"),
                ),
                Some(_) if *offset < -MAX_LOOKBACK => {
                    self.problem(Diagnostic::new(span, format!("年度偏移最多回看 {MAX_LOOKBACK} 年")))
                }
                Some(f) => {
                    *slot = self.decls.facts.iter().position(|d| d.code == f.code).map_or(u16::MAX, |i| i as u16);
                    f.ty
                }
            },
            Kind::Neg(inner) => {
                let t = self.ty(inner);
                if t.numeric() { t } else { self.problem(Diagnostic::new(span, format!("{}不能取负", t.zh()))) }
            }
            Kind::Not(inner) => {
                let t = self.ty(inner);
                self.expect(inner, t, Type::Bool, "“非”（not）后");
                Type::Bool
            }
            Kind::Bin(op, l, r) => {
                if matches!(op, BinOp::Eq | BinOp::Ne) {
                    self.literal_beside(l, r);
                    self.literal_beside(r, l);
                }
                let (op, lt, rt) = (*op, self.ty(l), self.ty(r));
                self.binary(op, (l, lt), (r, rt), span)
            }
            Kind::Call(name, args) => self.call(name.clone(), args, span),
            Kind::Schedule(_) => self.problem(
                Diagnostic::new(span, "档位表只能作为 band、rate 或 brackets 的第二个参数")
                    .help("如 band(revenue, [2000万..5000万: 10万, 5000万..: 20万])"),
            ),
        };
        e.ty = Some(t);
        t
    }

    /// The code `text` (a code or a Chinese name) of code fact `fact`, checked against the codes
    /// the policy lists for it (any text when it lists none).
    fn code_of(&mut self, fact: Option<&str>, text: &str, span: std::ops::Range<usize>) -> Option<String> {
        let Some(codes) = fact.and_then(|f| self.decls.codes_of(f)) else { return Some(text.to_string()) };
        if let Some((c, _)) = codes.iter().find(|(c, n)| c == text || n == text) {
            return Some(c.clone());
        }
        let name = fact.and_then(|f| self.decls.get(f)).map_or("", |d| d.name.as_str());
        let listed: Vec<String> = codes.iter().map(|(c, n)| format!("{c}（{n}）")).collect();
        self.problems.push(
            Diagnostic::new(span, format!("“{text}”不是{name}的代码")).help(format!("可用：{}", listed.join("、"))),
        );
        None
    }

    /// In `fact == x`, a bare word or a quoted text `x` beside a code fact is one of its codes.
    fn literal_beside(&mut self, fact: &Expr, other: &mut Expr) {
        let Kind::Fact { code: f, .. } = &fact.kind else { return };
        if self.decls.get(f).is_none_or(|d| d.ty != Type::Code) {
            return;
        }
        let text = match &other.kind {
            Kind::Fact { code, offset: 0, .. } if self.decls.get(code).is_none() => code.clone(),
            Kind::Str(t) => t.clone(),
            _ => return,
        };
        let code = self.code_of(Some(f), &text, other.span.clone()).unwrap_or(text);
        other.kind = Kind::Str(code);
    }

    /// The bands of a schedule written with numbers: each lower bound below its upper, the bands
    /// from low to high without overlapping (a gap is allowed: a value in no band gives 0).
    fn ordered(&mut self, bands: &[super::parse::BandExpr]) {
        let num = |e: &Option<Expr>| match e.as_ref().map(|e| &e.kind) {
            Some(Kind::Num(d, _)) => Some(Some(*d)),
            None => Some(None),
            _ => None,
        };
        let mut prev_to: Option<Option<rust_decimal::Decimal>> = None;
        for (i, b) in bands.iter().enumerate() {
            let (Some(from), Some(to)) = (num(&b.from), num(&b.to)) else { return };
            if let (Some(f), Some(t)) = (from, to)
                && f >= t
            {
                self.problems.push(
                    Diagnostic::new(b.span.clone(), "档的下限应小于上限")
                        .help("如 2000万..5000万：含2000万，不含5000万"),
                );
            }
            let overlaps = match (prev_to, from) {
                (None, _) => false,
                (Some(None), _) | (Some(Some(_)), None) => true,
                (Some(Some(p)), Some(f)) => f < p,
            };
            if i > 0 && overlaps {
                self.problems.push(
                    Diagnostic::new(b.span.clone(), "各档应由低到高排列、互不重叠")
                        .help("上一档的上限应不大于本档的下限，如 [..2000万: …, 2000万..5000万: …]"),
                );
            }
            prev_to = Some(to);
        }
    }

    fn expect(&mut self, e: &Expr, got: Type, want: Type, where_: &str) {
        if got != want && got != Type::Error && !(got == Type::Number && want.numeric()) {
            self.problems
                .push(Diagnostic::new(e.span.clone(), format!("{where_}应为{}，这里是{}", want.zh(), got.zh())));
        }
    }

    fn binary(&mut self, op: BinOp, l: (&Expr, Type), r: (&Expr, Type), span: std::ops::Range<usize>) -> Type {
        use Type::*;
        let (lt, rt) = (l.1, r.1);
        if lt == Type::Error || rt == Type::Error {
            return if op.is_comparison() || matches!(op, BinOp::And | BinOp::Or) { Bool } else { Type::Error };
        }
        match op {
            BinOp::And | BinOp::Or => {
                self.expect(l.0, lt, Bool, &format!("“{}”两边", op.symbol()));
                self.expect(r.0, rt, Bool, &format!("“{}”两边", op.symbol()));
                Bool
            }
            BinOp::Eq | BinOp::Ne if lt == rt && matches!(lt, Bool | Code) => Bool,
            _ if op.is_comparison() && lt == Date && rt == Date => Bool,
            _ if op.is_comparison() => {
                if unify(lt, rt).is_none() {
                    return self.mismatch(op, lt, rt, span);
                }
                Bool
            }
            BinOp::Add | BinOp::Sub => {
                unify(lt, rt).filter(|t| t.numeric()).unwrap_or_else(|| self.mismatch(op, lt, rt, span))
            }
            BinOp::Mul => match (lt, rt) {
                (Money, Number | Percent | Count) | (Number | Percent | Count, Money) => Money,
                (Area, Number | Percent) | (Number | Percent, Area) => Area,
                (Count, Number) | (Number, Count) => Count,
                (Percent, Number) | (Number, Percent) => Percent,
                (Number, Number) => Number,
                _ => self.mismatch(op, lt, rt, span),
            },
            BinOp::Div => match (lt, rt) {
                (Money, Money) | (Count, Count) | (Area, Area) => Percent,
                // How many steps of 5% a rise holds: a bare number.
                (Percent, Percent) => Number,
                (Money, Number | Count | Area | Percent) => Money,
                (Count | Area | Percent, Number) => lt,
                (Number, Number) => Number,
                _ => self.mismatch(op, lt, rt, span),
            },
            _ => unreachable!("every operator is matched"),
        }
    }

    fn mismatch(&mut self, op: BinOp, lt: Type, rt: Type, span: std::ops::Range<usize>) -> Type {
        let d = Diagnostic::new(span, format!("{}与{}不能“{}”", lt.zh(), rt.zh(), op.symbol()));
        let percent = [lt, rt].contains(&Type::Percent);
        self.problem(if percent && [lt, rt].contains(&Type::Number) {
            d.help("比例请写成百分数，如 20%")
        } else if percent && [lt, rt].contains(&Type::Money) {
            d.help("比例写作 20%，金额写作 10万、1亿 或 300元")
        } else {
            d
        })
    }

    fn call(&mut self, name: String, args: &mut [Expr], span: std::ops::Range<usize>) -> Type {
        let arity = |n: usize| args.len() == n;
        match name.as_str() {
            "min" | "max" => {
                if args.len() < 2 {
                    return self.problem(Diagnostic::new(span, format!("{name} 至少要两个参数")));
                }
                let types: Vec<Type> = args.iter_mut().map(|a| self.ty(a)).collect();
                let mut t = types[0];
                for (a, at) in args.iter().zip(&types).skip(1) {
                    match unify(t, *at) {
                        Some(u) if u.numeric() => t = u,
                        _ => {
                            self.problems.push(Diagnostic::new(
                                a.span.clone(),
                                format!("{name} 的参数类型应一致：{}与{}", t.zh(), at.zh()),
                            ));
                        }
                    }
                }
                t
            }
            "first" => {
                if !arity(1) {
                    return self
                        .problem(Diagnostic::new(span, "first 只有一个参数：一个条件，如 first(revenue >= 3亿)"));
                }
                let t = self.ty(&mut args[0]);
                self.expect(&args[0], t, Type::Bool, "first 的参数");
                args[0].dated = !super::eval::reads_yearly(&args[0], self.decls);
                Type::Bool
            }
            "entered" => {
                // entered(c, n): c held for the first time n years ago, judged as then.
                let n_ok = matches!(args.get(1).map(|a| &a.kind), Some(Kind::Num(d, Unit::Bare))
                    if d.fract().is_zero() && *d >= rust_decimal::Decimal::ZERO && *d <= rust_decimal::Decimal::from(MAX_LOOKBACK));
                if args.len() != 2 || !n_ok {
                    return self.problem(
                        Diagnostic::new(span, "entered 有两个参数：一个条件和年数（0 至 10 的整数）")
                            .help("如 entered(above_scale, 2)：两年前首次纳入"),
                    );
                }
                let t = self.ty(&mut args[0]);
                self.expect(&args[0], t, Type::Bool, "entered 的第一个参数");
                args[0].dated = !super::eval::reads_yearly(&args[0], self.decls);
                Type::Bool
            }
            "recognized" => {
                let arg = match args {
                    [a] => a,
                    _ => {
                        return self.problem(Diagnostic::new(
                            span,
                            "recognized 只有一个参数：认定类型的代码，如 recognized(mu_a)",
                        ));
                    }
                };
                let text = match &arg.kind {
                    Kind::Fact { code, offset: 0, .. } => code.clone(),
                    Kind::Str(t) => t.clone(),
                    _ => {
                        return self.problem(Diagnostic::new(arg.span.clone(), "recognized 的参数应为认定类型的代码"));
                    }
                };
                if let Some(code) = self.code_of(Some("kind"), &text, arg.span.clone()) {
                    arg.kind = Kind::Str(code);
                    arg.ty = Some(Type::Code);
                }
                Type::Bool
            }
            "floor" => {
                // Whole steps: floor(rise / 5%) counts the whole 5-point steps of a rise.
                if !arity(1) {
                    return self.problem(
                        Diagnostic::new(span, "floor 只有一个参数：一个数")
                            .help("如 floor(增幅 / 5%)：增幅含几个整 5 个百分点"),
                    );
                }
                let t = self.ty(&mut args[0]);
                if !matches!(t, Type::Number | Type::Count | Type::Error) {
                    self.problems.push(
                        Diagnostic::new(args[0].span.clone(), format!("floor 向下取整的应为数，这里是{}", t.zh()))
                            .help("比例先除以步长，如 floor(增幅 / 5%)"),
                    );
                }
                if t == Type::Count { Type::Count } else { Type::Number }
            }
            "recorded" => {
                // recorded(-1): the enterprise has last year's annual row (see the evaluator).
                // The offset is written `-1`: a negation of a whole number, folded here.
                let offset = match args.first().map(|a| &a.kind) {
                    Some(Kind::Num(d, Unit::Bare)) if d.is_zero() => Some(rust_decimal::Decimal::ZERO),
                    Some(Kind::Neg(inner)) => match &inner.kind {
                        Kind::Num(d, Unit::Bare) => Some(-*d),
                        _ => None,
                    },
                    _ => None,
                };
                let offset = offset.filter(|d| {
                    d.fract().is_zero()
                        && *d <= rust_decimal::Decimal::ZERO
                        && *d >= -rust_decimal::Decimal::from(MAX_LOOKBACK)
                });
                match offset {
                    Some(d) if arity(1) => {
                        args[0].kind = Kind::Num(d, Unit::Bare);
                        args[0].ty = Some(Type::Number);
                        Type::Bool
                    }
                    _ => self.problem(
                        Diagnostic::new(span, "recorded 只有一个参数：年度偏移（-10 至 0 的整数）")
                            .help("如 recorded(-1)：有上年的年度数据"),
                    ),
                }
            }
            "increase" | "growth" => {
                if !arity(1) {
                    return self.problem(Diagnostic::new(span, format!("{name} 只有一个参数：一项按年度记录的事实")));
                }
                let t = self.ty(&mut args[0]);
                let yearly = match &args[0].kind {
                    Kind::Fact { code, offset: 0, .. } => self.decls.get(code).map(|f| f.place == Place::Yearly),
                    _ => Some(false),
                };
                if yearly == Some(false) {
                    self.problems.push(Diagnostic::new(
                        args[0].span.clone(),
                        format!("{name} 的参数应为一项按年度记录的事实（不带年度偏移），如 {name}(revenue)"),
                    ));
                }
                if !matches!(t, Type::Money | Type::Count | Type::Area | Type::Number | Type::Error) {
                    self.problems.push(Diagnostic::new(args[0].span.clone(), format!("{}不能计算增减", t.zh())));
                }
                if name == "growth" { Type::Percent } else { t }
            }
            "band" | "rate" | "brackets" => {
                if !arity(2) {
                    return self.problem(
                        Diagnostic::new(span, format!("{name} 有两个参数：一个数和一张档位表"))
                            .help(format!("如 {name}(revenue, [2000万..5000万: 10万, 5000万..: 20万])")),
                    );
                }
                let (x, rest) = args.split_first_mut().expect("two");
                let xt = self.ty(x);
                let Kind::Schedule(bands) = &mut rest[0].kind else {
                    return self.problem(Diagnostic::new(
                        rest[0].span.clone(),
                        format!("{name} 的第二个参数应为档位表 [下限..上限: 值, …]"),
                    ));
                };
                let mut value_t: Option<Type> = None;
                for b in bands.iter_mut() {
                    for bound in [&mut b.from, &mut b.to].into_iter().flatten() {
                        let bt = self.ty(bound);
                        if unify(xt, bt).is_none() {
                            self.problems.push(Diagnostic::new(
                                bound.span.clone(),
                                format!("档的界限应与被分档的数同为{}，这里是{}", xt.zh(), bt.zh()),
                            ));
                        }
                    }
                    let vt = self.ty(&mut b.value);
                    match value_t.map_or(Some(vt), |t| unify(t, vt)) {
                        Some(t) => value_t = Some(t),
                        None => self.problems.push(Diagnostic::new(b.value.span.clone(), "各档的值应为同一类型")),
                    }
                }
                if bands.is_empty() {
                    return self.problem(Diagnostic::new(rest[0].span.clone(), "档位表是空的"));
                }
                self.ordered(bands);
                rest[0].ty = value_t;
                let vt = value_t.unwrap_or(Type::Number);
                match name.as_str() {
                    "band" => vt,
                    _ if vt != Type::Percent => self.problem(Diagnostic::new(
                        rest[0].span.clone(),
                        format!("{name} 的各档应为比例（如 8%），这里是{}", vt.zh()),
                    )),
                    _ => {
                        if xt == Type::Number {
                            Type::Number
                        } else {
                            xt
                        }
                    }
                }
            }
            _ => self.problem(Diagnostic::new(span, format!("没有函数“{name}”")).help(
                "可用：min、max、floor、increase、growth、first、entered、recognized、recorded、band、rate、brackets",
            )),
        }
    }
}

/// The type two operands share: equal types, or a bare number meeting a typed one.
fn unify(a: Type, b: Type) -> Option<Type> {
    match (a, b) {
        _ if a == b => Some(a),
        (Type::Error, t) | (t, Type::Error) => Some(t),
        (Type::Number, t) | (t, Type::Number) if t.numeric() && t != Type::Percent => Some(t),
        _ => None,
    }
}

/// Within one edit (a typo).
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()] <= 1
}

/// Checks `e` against `decls`, expecting `want` (`Number` accepts any number). Errors: every
/// problem, in source order.
pub fn check(e: &mut Expr, decls: &Decls, want: Type, scope: Scope) -> Result<Type, Vec<Diagnostic>> {
    let mut c = Checker { decls, scope, problems: Vec::new() };
    let t = c.ty(e);
    if c.problems.is_empty() && unify(t, want).is_none() && !(want == Type::Number && t.numeric()) {
        let what = if want == Type::Bool { "条件" } else { "金额" };
        c.problems.push(Diagnostic::new(e.span.clone(), format!("{what}应为{}，这里是{}", want.zh(), t.zh())));
    }
    c.problems.sort_by_key(|d| d.span.start);
    if c.problems.is_empty() { Ok(t) } else { Err(c.problems) }
}

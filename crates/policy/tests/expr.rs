//! The policy language's expressions (issue 11): Qinglan's measures written as expressions and
//! evaluated by hand-computed values, diagnostics with line, column and caret for type errors,
//! unknown facts and wrong year offsets, and three-valued evaluation against Kleene's tables with
//! an explanation that names every fact it read.

use lianzhang_policy::expr::{Decls, Env, FactDecl, Place, Scope, Type, Value, compile, compile_in};
use lianzhang_policy::tri::Tri;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::HashMap;

fn decl(code: &str, name: &str, ty: Type, place: Place) -> FactDecl {
    FactDecl { code: code.into(), name: name.into(), ty, place }
}

fn decls() -> Decls {
    Decls {
        codes: Vec::new(),
        facts: vec![
            decl("revenue", "营业收入", Type::Money, Place::Yearly),
            decl("tax_paid", "实缴税金", Type::Money, Place::Yearly),
            decl("rd_expense", "研发投入", Type::Money, Place::Yearly),
            decl("above_scale", "规上企业", Type::Bool, Place::Yearly),
            decl("chain_master", "链主企业", Type::Bool, Place::Yearly),
            decl("strategic_emerging", "战略性新兴产业企业", Type::Bool, Place::Enterprise),
            decl("fixed_asset_investment", "固定资产投资", Type::Money, Place::Project),
            decl("category", "项目类别", Type::Code, Place::Project),
            decl("employees", "从业人员", Type::Count, Place::Yearly),
        ],
    }
}

/// Facts by (code, year); the assessed year 2024.
struct Facts(HashMap<(&'static str, i32), Value>);

impl Env for Facts {
    fn year(&self) -> i32 {
        2024
    }
    fn fact(&self, code: &str, year: i32) -> Option<Value> {
        self.0.iter().find(|((c, y), _)| *c == code && (*y == year || *y == 0)).map(|(_, v)| v.clone())
    }
}

fn money(code: &'static str, year: i32, yuan: Decimal) -> ((&'static str, i32), Value) {
    ((code, year), Value::Num(yuan))
}

fn facts(v: Vec<((&'static str, i32), Value)>) -> Facts {
    Facts(v.into_iter().collect())
}

fn amount(source: &str, f: &Facts) -> Option<Decimal> {
    let d = decls();
    // Per project: every fact may be read (a project's too).
    let c = compile_in(source, &d, Type::Money, Scope::Project).unwrap_or_else(|e| panic!("{source}: {e:?}"));
    match c.eval(&d, f).value {
        Some(Value::Num(v)) => Some(v),
        None => None,
        other => panic!("{other:?}"),
    }
}

fn holds(source: &str, f: &Facts) -> Option<bool> {
    let d = decls();
    let c = compile_in(source, &d, Type::Bool, Scope::Project).unwrap_or_else(|e| panic!("{source}: {e:?}"));
    match c.eval(&d, f).value {
        Some(Value::Bool(b)) => Some(b),
        None => None,
        other => panic!("{other:?}"),
    }
}

#[test]
fn qinglan_entry_award_by_band_of_revenue() {
    // 第一条: 2000万（含）至5000万 10万; 5000万（含）至1亿 15万; 1亿（含）以上 20万.
    let s = "band(revenue, [2000万..5000万: 10万, 5000万..1亿: 15万, 1亿..: 20万])";
    let at = |r: Decimal| amount(s, &facts(vec![money("revenue", 2024, r)]));
    assert_eq!(at(dec!(19999999.99)), Some(dec!(0)));
    assert_eq!(at(dec!(20000000)), Some(dec!(100000)));
    assert_eq!(at(dec!(49999999.99)), Some(dec!(100000)));
    assert_eq!(at(dec!(50000000)), Some(dec!(150000)));
    assert_eq!(at(dec!(100000000)), Some(dec!(200000)));
    assert_eq!(amount(s, &facts(vec![])), None, "unknown revenue: no amount");
}

#[test]
fn qinglan_rd_increase_subsidy_capped() {
    // 第二条: 增加额的10%，单户最高50万.
    let s = "min(increase(rd_expense) * 10%, 50万)";
    let two =
        |now: Decimal, before: Decimal| facts(vec![money("rd_expense", 2024, now), money("rd_expense", 2023, before)]);
    assert_eq!(amount(s, &two(dec!(3000000), dec!(2000000))), Some(dec!(100000)));
    assert_eq!(amount(s, &two(dec!(12000000), dec!(2000000))), Some(dec!(500000)), "the cap");
    let d = decls();
    let c = compile(s, &d, Type::Money).unwrap();
    let missing = c.eval(&d, &facts(vec![money("rd_expense", 2024, dec!(3000000))]));
    assert_eq!(missing.value, None);
    assert_eq!(missing.missing, vec!["2023年研发投入".to_string()]);
}

#[test]
fn qinglan_growth_award_three_valued() {
    // 第三条: 营业收入1亿以上，且较上年增长20%以上、税收较上年增长10%以上.
    let s = "above_scale and revenue >= 1亿 and growth(revenue) >= 20% and growth(tax_paid) >= 10%";
    let base = vec![
        ((("above_scale"), 2024), Value::Bool(true)),
        money("revenue", 2024, dec!(120000000)),
        money("revenue", 2023, dec!(100000000)),
        money("tax_paid", 2024, dec!(5500000)),
        money("tax_paid", 2023, dec!(5000000)),
    ];
    assert_eq!(holds(s, &facts(base.clone())), Some(true), "exactly 20% and 10%: 以上 includes");
    let mut low = base.clone();
    low[4] = money("tax_paid", 2023, dec!(5000001));
    assert_eq!(holds(s, &facts(low)), Some(false));
    // Revenue known below 1亿 decides even with the tax unknown.
    let partial = vec![((("above_scale"), 2024), Value::Bool(true)), money("revenue", 2024, dec!(90000000))];
    assert_eq!(holds(s, &facts(partial)), Some(false));
    // A known-true condition with the tax unknown: unknown, naming the tax years.
    let d = decls();
    let c = compile(s, &d, Type::Bool).unwrap();
    let e = c.eval(&d, &facts(base[..3].to_vec()));
    assert_eq!(e.value, None);
    assert_eq!(e.missing, vec!["2024年实缴税金".to_string(), "2023年实缴税金".to_string()]);
    let text = c.eval(&d, &facts(base)).steps.join("\n");
    assert!(text.contains("营业收入增长率：(1.2亿元 − 1亿元) ÷ 1亿元 = 20%"), "{text}");
    assert!(text.contains("营业收入增长率 20% ≥ 20%：是"), "{text}");
}

#[test]
fn qinglan_retrofit_rate_by_band_capped() {
    // 第四条: 1000万（含）至5000万 8%; 5000万（含）以上 10%; 单个项目最高500万.
    let s = "min(rate(fixed_asset_investment, [1000万..5000万: 8%, 5000万..: 10%]), 500万)";
    let at = |x: Decimal| amount(s, &facts(vec![money("fixed_asset_investment", 0, x)]));
    assert_eq!(at(dec!(9999999)), Some(dec!(0)));
    assert_eq!(at(dec!(10000000)), Some(dec!(800000)));
    assert_eq!(at(dec!(50000000)), Some(dec!(5000000)));
    assert_eq!(at(dec!(80000000)), Some(dec!(5000000)), "the cap");
    let d = decls();
    let c = compile_in(s, &d, Type::Money, Scope::Project).unwrap();
    let text = c.eval(&d, &facts(vec![money("fixed_asset_investment", 0, dec!(20000000))])).steps.join("\n");
    assert!(text.contains("固定资产投资 2,000万元 在“1,000万元（含）至5,000万元”档，按 8%"), "{text}");
}

#[test]
fn progressive_brackets_and_codes() {
    let s = "brackets(revenue, [..1亿: 1%, 1亿..5亿: 0.5%, 5亿..: 0.1%])";
    assert_eq!(amount(s, &facts(vec![money("revenue", 2024, dec!(600000000))])), Some(dec!(3100000)));
    let c = "category == category and not (revenue < 1亿)";
    assert_eq!(
        holds(
            c,
            &facts(vec![(("category", 0), Value::Code("digital".into())), money("revenue", 2024, dec!(100000000))])
        ),
        Some(true)
    );
}

fn problems(source: &str, want: Type) -> Vec<String> {
    compile(source, &decls(), want).unwrap_err().iter().map(|d| d.render(source)).collect()
}

#[test]
fn diagnostics_name_the_place_and_every_problem() {
    let p = problems("revenu >= 1亿 and above_scale[-1] and strategic_emerging[-1]", Type::Bool);
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(
        p[0].starts_with("第 1 行第 1 列：政策文件没有声明事实“revenu”") && p[0].contains("是否想写 revenue"),
        "{}",
        p[0]
    );
    assert!(p[0].contains("\n  revenu >= 1亿"), "{}", p[0]);
    assert!(p[0].contains("\n  ^^^^^^\n"), "the caret under the name: {}", p[0]);
    assert!(p[1].contains("“strategic_emerging”（战略性新兴产业企业）不按年度记录，不能写年度偏移"), "{}", p[1]);

    let p = problems("revenue[1] >= 1亿", Type::Bool);
    assert!(p[0].contains("不能指向以后的年度"), "{p:?}");
    let p = problems("revenue >= 20%", Type::Bool);
    assert!(p[0].contains("金额与百分比不能“≥”"), "{p:?}");
    let p = problems("growth(revenue) >= 20", Type::Bool);
    assert!(p[0].contains("比例请写成百分数"), "{p:?}");
    let p = problems("revenue + above_scale", Type::Money);
    assert!(p[0].contains("金额与是/否不能“+”"), "{p:?}");
    let p = problems("revenue * 10%", Type::Bool);
    assert!(p[0].contains("条件应为是/否，这里是金额"), "{p:?}");
    let p = problems("above_scale and\n  revenue >= 1亿 and", Type::Bool);
    assert!(p[0].starts_with("第 2 行第 20 列") && p[0].contains("表达式结尾"), "{p:?}");
    let p = problems("band(revenue, [1亿..2亿: 20万, 2亿..: 5%])", Type::Money);
    assert!(p[0].contains("各档的值应为同一类型"), "{p:?}");
    let p = problems("rate(revenue, [1亿..: 20万])", Type::Money);
    assert!(p[0].contains("rate 的各档应为比例"), "{p:?}");
    let p = problems("increase(strategic_emerging) > 0", Type::Bool);
    assert!(p.iter().any(|x| x.contains("按年度记录的事实")), "{p:?}");
    let p = problems("foo(revenue)", Type::Money);
    assert!(p[0].contains("没有函数“foo”"), "{p:?}");
    let p = problems("revenue = 1亿", Type::Bool);
    assert!(p[0].contains("单个“=”不是比较"), "{p:?}");
    let p = problems("1亿 <= revenue < 5亿", Type::Bool);
    assert!(p[0].contains("比较不能连写"), "{p:?}");
}

/// A random condition over three yes/no facts.
#[derive(Debug, Clone)]
enum B {
    F(usize),
    Not(Box<B>),
    And(Box<B>, Box<B>),
    Or(Box<B>, Box<B>),
}

const FLAGS: [&str; 3] = ["above_scale", "chain_master", "strategic_emerging"];
const NAMES: [&str; 3] = ["2024年规上企业", "2024年链主企业", "战略性新兴产业企业"];

impl B {
    fn source(&self) -> String {
        match self {
            B::F(i) => FLAGS[*i].into(),
            B::Not(b) => format!("not ({})", b.source()),
            B::And(a, b) => format!("({}) and ({})", a.source(), b.source()),
            B::Or(a, b) => format!("({}) or ({})", a.source(), b.source()),
        }
    }
    fn tri(&self, v: &[Tri; 3]) -> Tri {
        match self {
            B::F(i) => v[*i],
            B::Not(b) => b.tri(v).not(),
            B::And(a, b) => a.tri(v).and(b.tri(v)),
            B::Or(a, b) => a.tri(v).or(b.tri(v)),
        }
    }
    fn facts(&self, out: &mut Vec<usize>) {
        match self {
            B::F(i) => out.push(*i),
            B::Not(b) => b.facts(out),
            B::And(a, b) | B::Or(a, b) => {
                a.facts(out);
                b.facts(out);
            }
        }
    }
}

fn cond() -> impl Strategy<Value = B> {
    let leaf = (0..3usize).prop_map(B::F);
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|b| B::Not(Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| B::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| B::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn tri() -> impl Strategy<Value = Tri> {
    prop_oneof![Just(Tri::True), Just(Tri::False), Just(Tri::Unknown)]
}

proptest! {
    #[test]
    fn unknowns_propagate_as_kleene_says_and_every_fact_read_is_named(
        b in cond(), v in [tri(), tri(), tri()]
    ) {
        let d = decls();
        let c = compile(&b.source(), &d, Type::Bool).unwrap();
        let env = facts(
            (0..3)
                .filter(|i| v[*i] != Tri::Unknown)
                .map(|i| ((FLAGS[i], if i == 2 { 0 } else { 2024 }), Value::Bool(v[i] == Tri::True)))
                .collect(),
        );
        let e = c.eval(&d, &env);
        let got = match e.value {
            Some(Value::Bool(x)) => Tri::from_bool(x),
            None => Tri::Unknown,
            Some(other) => panic!("{other:?}"),
        };
        prop_assert_eq!(got, b.tri(&v));
        // The explanation names every fact the expression reads, with its value.
        let mut read = Vec::new();
        b.facts(&mut read);
        let text = e.steps.join("\n");
        for i in read {
            prop_assert!(text.contains(NAMES[i]), "{} not in {}", NAMES[i], text);
        }
        // Unknown names only unknown facts, and at least one.
        if got == Tri::Unknown {
            prop_assert!(!e.missing.is_empty());
            for m in &e.missing {
                let i = NAMES.iter().position(|n| n == m).unwrap();
                prop_assert_eq!(v[i], Tri::Unknown);
            }
        }
    }
}

proptest! {
    /// The values-only path (the engine's fast path, which names nothing) gives the same value as
    /// the explained one, unknowns included, whatever facts are known.
    #[test]
    fn the_values_only_path_gives_the_explained_value(
        known in [any::<bool>(), any::<bool>(), any::<bool>()],
        amounts in [0i64..300_000_000, 0i64..300_000_000, 0i64..300_000_000],
    ) {
        const SOURCES: [&str; 9] = [
            "min(revenue * 10%, rd_expense, 50万)",
            "max(revenue, rd_expense) - 1万",
            "band(revenue, [..1亿: 1万, 1亿..: rd_expense])",
            "rate(revenue, [..1亿: 1%, 1亿..: 2%])",
            "brackets(revenue, [..1亿: 1%, 1亿..: 0.5%])",
            "min(increase(revenue) * 10%, 50万)",
            "growth(revenue) >= 20% and rd_expense > 1万",
            "first(revenue >= 1亿) or rd_expense >= 1亿",
            "revenue / rd_expense >= 300%",
        ];
        let d = decls();
        let cells = [("revenue", 2024), ("revenue", 2023), ("rd_expense", 2024)];
        let env = facts(
            (0..3)
                .filter(|i| known[*i])
                .map(|i| money(cells[i].0, cells[i].1, Decimal::from(amounts[i])))
                .collect(),
        );
        for s in SOURCES {
            let want = if s.contains(">=") || s.contains("> ") { Type::Bool } else { Type::Money };
            let c = compile_in(s, &d, want, Scope::Project).unwrap();
            prop_assert_eq!(c.value(&d, &env).value, c.eval(&d, &env).value, "{}", s);
        }
    }
}

#[test]
fn a_schedule_goes_from_low_to_high_without_overlaps() {
    let d = decls();
    let e = compile("band(revenue, [5000万..2000万: 10万])", &d, Type::Money).unwrap_err();
    assert_eq!(e[0].message, "档的下限应小于上限");
    let e = compile("band(revenue, [2000万..6000万: 10万, 5000万..: 20万])", &d, Type::Money).unwrap_err();
    assert_eq!(e[0].message, "各档应由低到高排列、互不重叠");
    let e = compile("band(revenue, [1亿..: 20万, 2000万..1亿: 10万])", &d, Type::Money).unwrap_err();
    assert_eq!(e[0].message, "各档应由低到高排列、互不重叠");
    // A gap is allowed (a value in it is in no band).
    assert!(compile("band(revenue, [2000万..4000万: 10万, 5000万..: 20万])", &d, Type::Money).is_ok());
    // An unknown fact is reported once, not again by the function that reads it.
    let e = compile("increase(revenu) > 0", &d, Type::Bool).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
}

#[test]
fn entered_and_the_year_judged() {
    let d = decls();
    assert!(compile("entered(above_scale, 2) and above_scale[-1] and year >= 2024", &d, Type::Bool).is_ok());
    let e = compile("entered(above_scale, revenue)", &d, Type::Bool).unwrap_err();
    assert!(e[0].message.starts_with("entered 有两个参数"), "{e:?}");
    let e = compile("entered(above_scale, 11)", &d, Type::Bool).unwrap_err();
    assert!(e[0].message.starts_with("entered 有两个参数"), "{e:?}");
    // `year` is the year judged: 2024 here.
    let env = facts(vec![((FLAGS[0], 2024), Value::Bool(true))]);
    let c = compile("year == 2024", &d, Type::Bool).unwrap();
    assert_eq!(c.eval(&d, &env).value, Some(Value::Bool(true)));
}

//! The policy language's expressions evaluated alone (issue 11): enterprise-years per second on
//! one core for a condition and an amount written as expressions (Qinglan's 第三条 condition over
//! Zezhou's facts, its 第二条 amount), values only, then with the explanation, on the 100,000
//! demo enterprises. Run: `cargo bench -p lianzhang-policy --bench expr`.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lianzhang_demo::{DemoParams, generate};
use lianzhang_facts::{EnterpriseFacts, Year};
use lianzhang_policy::PolicyFile;
use lianzhang_policy::expr::{Env, Type, Value, compile};
use std::hint::black_box;

/// One enterprise's yearly facts as an expression reads them.
struct Row<'a> {
    facts: EnterpriseFacts<'a>,
    year: Year,
}

impl Env for Row<'_> {
    fn year(&self) -> i32 {
        self.year
    }
    fn fact(&self, code: &str, year: i32) -> Option<Value> {
        let row = self.facts.row(year)?;
        match code {
            "revenue" => row.revenue.map(|f| Value::Num(f.to_yuan())),
            "rd_expense" => row.rd_expense.map(|f| Value::Num(f.to_yuan())),
            "above_scale" => row.above_scale.map(Value::Bool),
            "chain_master" => row.chain_master.map(Value::Bool),
            _ => None,
        }
    }
}

fn expr(c: &mut Criterion) {
    let policy = PolicyFile::bundled().compile().expect("bundled policy");
    let n = 100_000;
    let dataset = generate(&DemoParams { enterprises: n, ..DemoParams::default() }, &policy.vocabulary);
    let when = compile(
        "above_scale and revenue >= 1亿 and growth(revenue) >= 20% and growth(rd_expense) >= 10%",
        &policy.facts,
        Type::Bool,
    )
    .unwrap();
    let amount = compile("min(increase(rd_expense) * 10%, 50万)", &policy.facts, Type::Money).unwrap();
    let mut g = c.benchmark_group("expr");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("condition_and_amount_values_2024_100k", |b| {
        b.iter(|| {
            let mut awards = 0usize;
            for facts in dataset.iter() {
                let env = Row { facts, year: 2024 };
                if when.value(&policy.facts, &env).value == Some(Value::Bool(true)) {
                    awards += usize::from(amount.value(&policy.facts, &env).value.is_some());
                }
            }
            black_box(awards)
        })
    });
    g.bench_function("condition_explained_2024_100k", |b| {
        b.iter(|| {
            let mut steps = 0usize;
            for facts in dataset.iter() {
                steps += when.eval(&policy.facts, &Row { facts, year: 2024 }).steps.len();
            }
            black_box(steps)
        })
    });
    g.finish();
}

criterion_group!(benches, expr);
criterion_main!(benches);

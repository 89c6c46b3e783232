//! Evaluation alone (no IO): enterprise-years per second on one core, all rules of the bundled
//! policy, on the demo county, and the same policy with its rules written as expressions
//! (`equivalent::rewritten`, issue 11). Run: `cargo bench -p lianzhang-policy --bench evaluate`.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lianzhang_demo::{DemoParams, generate};
use lianzhang_policy::{NothingPaid, PolicyFile, RuleTally, assess_enterprise, tally_enterprise};
use std::hint::black_box;

fn evaluate(c: &mut Criterion) {
    let policy = PolicyFile::bundled().compile().expect("bundled policy");
    let n = 100_000;
    let dataset = generate(&DemoParams { enterprises: n, ..DemoParams::default() }, &policy.vocabulary);
    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    for year in [2022, 2024] {
        // Decisions and amounts (statuses, rounded amounts per rule), no explanation text.
        g.bench_function(format!("decide_one_core_{year}_100k"), |b| {
            let mut t = vec![RuleTally::default(); policy.rules.len()];
            b.iter(|| {
                for facts in dataset.iter() {
                    tally_enterprise(&policy, facts, year, &NothingPaid, &mut t);
                }
                black_box(t[0].awards)
            })
        });
        // Full outcomes with their Chinese explanations, as `assess` reports them.
        g.bench_function(format!("assess_one_core_{year}_100k"), |b| {
            let mut out = Vec::with_capacity(n / 4);
            b.iter(|| {
                out.clear();
                for facts in dataset.iter() {
                    assess_enterprise(&policy, facts, year, &NothingPaid, &mut out);
                }
                black_box(out.len())
            })
        });
    }
    // The same policy with every rule that has an equivalent written in the policy language.
    let rewritten = lianzhang_policy::equivalent::rewritten(&policy);
    for year in [2022, 2024] {
        g.bench_function(format!("decide_expressions_one_core_{year}_100k"), |b| {
            let mut t = vec![RuleTally::default(); rewritten.rules.len()];
            b.iter(|| {
                for facts in dataset.iter() {
                    tally_enterprise(&rewritten, facts, year, &NothingPaid, &mut t);
                }
                black_box(t[0].awards)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);

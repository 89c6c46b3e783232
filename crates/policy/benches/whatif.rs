//! 政策沙盘 (issue 12: one year on a 100,000-enterprise registry in under 300 ms): a scenario
//! compiled from the bundled file with `--set` assignments, compared with the policy in force over
//! the 100,000 demo enterprises (both policies decided per enterprise, on every core), and the
//! explanations of the 50 largest changes as the page lists them. The facts are in memory, as the
//! server keeps them. Run: `cargo bench -p lianzhang-policy --bench whatif`.
use criterion::{Criterion, criterion_group, criterion_main};
use lianzhang_demo::{DemoParams, generate};
use lianzhang_policy::whatif::{compare, explain_change};
use lianzhang_policy::{Confirmations, NothingPaid, PolicyFile};
use std::hint::black_box;

const SET: [&str; 3] = [
    "above_scale_entry.amount=\"150000\"",
    "project_subsidy.cap=\"1500000\"",
    "local_sourcing_increase.counting=\"exact\"",
];

fn scenario() -> lianzhang_policy::Policy {
    let mut f = PolicyFile::bundled();
    for s in SET {
        f.set(s);
    }
    f.compile().expect("scenario")
}

fn whatif(c: &mut Criterion) {
    let base = PolicyFile::bundled().compile().expect("bundled policy");
    let n = 100_000;
    let dataset = generate(&DemoParams { enterprises: n, ..DemoParams::default() }, &base.vocabulary);
    let none = Confirmations::none();
    let mut g = c.benchmark_group("whatif");
    g.sample_size(20);
    g.bench_function("compile_scenario", |b| b.iter(|| black_box(scenario().rules.len())));
    let s = scenario();
    for year in [2022, 2024] {
        g.bench_function(format!("compare_{year}_100k"), |b| {
            b.iter(|| black_box(compare(&base, &s, &dataset, year, &NothingPaid, &none).unwrap().changed.len()))
        });
    }
    // What one question costs the server: compile, compare, explain the 50 listed.
    g.bench_function("question_2024_100k", |b| {
        b.iter(|| {
            let s = scenario();
            let c = compare(&base, &s, &dataset, 2024, &NothingPaid, &none).unwrap();
            let explained: usize = c
                .changed
                .iter()
                .take(50)
                .map(|ch| explain_change(&base, &s, &dataset, 2024, &NothingPaid, &none, ch).1.len())
                .sum();
            black_box(explained)
        })
    });
    g.finish();
}

criterion_group!(benches, whatif);
criterion_main!(benches);

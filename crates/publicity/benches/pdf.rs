//! The 公示 list of a 1,000-line round: PDF (target < 2 s, issue 10) and xlsx.
//!
//! `cargo bench -p lianzhang-publicity --bench pdf`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/common/mod.rs"]
mod common;

fn thousand_lines(c: &mut Criterion) {
    let list = common::list(1000);
    // The first call parses the fonts; measure the steady state a server sees.
    lianzhang_publicity::pdf(&list).expect("renders");
    let mut group = c.benchmark_group("publicity_1000_lines");
    group.sample_size(10);
    group.bench_function("pdf", |b| b.iter(|| lianzhang_publicity::pdf(black_box(&list)).expect("renders")));
    group.bench_function("xlsx", |b| b.iter(|| lianzhang_publicity::xlsx(black_box(&list)).expect("renders")));
    group.bench_function("missing_glyphs", |b| b.iter(|| lianzhang_publicity::missing_glyphs(black_box(&list))));
    group.finish();
}

criterion_group!(benches, thousand_lines);
criterion_main!(benches);

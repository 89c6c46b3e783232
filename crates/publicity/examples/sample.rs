//! Writes sample lists for looking at: `sample <lines> <out.pdf> [out.xlsx]`, and prints how
//! long the first (cold: fonts parsed) and a second (warm) PDF took.
//!
//! `cargo run --release -p lianzhang-publicity --example sample -- 30 /tmp/sample-30.pdf`

use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let out = args.get(2).map_or("sample.pdf", String::as_str);
    let list = common::list(n);
    let t = Instant::now();
    let bytes = lianzhang_publicity::pdf(&list).expect("renders");
    let cold = t.elapsed();
    let t = Instant::now();
    lianzhang_publicity::pdf(&list).expect("renders");
    let warm = t.elapsed();
    std::fs::write(out, &bytes).expect("write the PDF");
    println!("{n} lines: {} bytes, cold {cold:.2?}, warm {warm:.2?} -> {out}", bytes.len());
    if let Some(x) = args.get(3) {
        let t = Instant::now();
        let bytes = lianzhang_publicity::xlsx(&list).expect("renders");
        println!("xlsx: {} bytes in {:.2?} -> {x}", bytes.len(), t.elapsed());
        std::fs::write(x, bytes).expect("write the workbook");
    }
}

//! Times reading a large CSV dataset (the `assess` workload).
//!
//! ```text
//! cargo run --release -p lianzhang-facts --example read_bench -- gen /tmp/big 1000000 8
//! /usr/bin/time -v cargo run --release -p lianzhang-facts --example read_bench -- read /tmp/big
//! ```

use lianzhang_facts::{
    Annual, ChainVocab, Code, DatasetBuilder, Enterprise, Fen, HeaderLanguage, Uscc, Vocabulary, read_dataset,
    write_csv_dir,
};
use std::path::Path;
use std::time::Instant;

fn vocabulary() -> Vocabulary {
    let chain = |code: &str, name: &str, stages: &[&str]| ChainVocab {
        code: code.into(),
        name: name.into(),
        stages: stages.iter().map(|s| s.to_string()).collect(),
    };
    let code = |c: &str, n: &str| Code { code: c.into(), name: n.into() };
    Vocabulary {
        chains: vec![
            chain("steel", "钢铁", &["生铁", "粗钢", "钢材", "冷轧薄板", "高端装备制造", "加工", "配送"]),
            chain("food", "食品", &["农牧产品养殖种植", "农牧产品加工", "农牧产品研发", "仓储销售"]),
        ],
        recognition_kinds: vec![code("innovative_sme", "创新型中小企业")],
        project_categories: vec![code("digital", "智能化数字化改造")],
        extras: Vec::new(),
    }
}

fn uscc(i: u64) -> Uscc {
    Uscc::from_body(format!("9114{:04}MA{:07}", i / 10_000_000, i % 10_000_000).as_bytes())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let vocab = vocabulary();
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            let dir = Path::new(&args[2]);
            let n: u64 = args[3].parse().unwrap();
            let years: i32 = args[4].parse().unwrap();
            let mut b = DatasetBuilder::new(vocab.clone());
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut rand = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            for i in 0..n {
                let id = uscc(i);
                b.enterprise(Enterprise {
                    uscc: id,
                    name: format!("泽州县第{i}号机械制造有限公司"),
                    chain: vocab.chain(if i % 2 == 0 { "steel" } else { "food" }),
                    stage: Some(1),
                    town: Some("巴公镇".into()),
                    industry_code: Some("C3110".into()),
                    strategic_emerging: Some(i % 3 == 0),
                    established: Some(jiff::civil::date(2008, 3, 15)),
                    chain_joined_year: Some(2021),
                });
                for y in 0..years {
                    let total = rand() % 100_000_000_000;
                    b.annual(
                        id,
                        Annual {
                            year: 2016 + y,
                            revenue: Some(Fen((rand() % 500_000_000_000) as i64)),
                            above_scale: Some(rand() % 2 == 0),
                            chain_master: Some(rand() % 50 == 0),
                            local_procurement: Some(Fen((total / 3) as i64)),
                            total_procurement: Some(Fen(total as i64)),
                            rd_expense: Some(Fen((rand() % 1_000_000_000) as i64 / 100 * 100)),
                        },
                    );
                }
            }
            let d = b.build().unwrap();
            std::fs::create_dir_all(dir).unwrap();
            let t = Instant::now();
            write_csv_dir(&d, dir, HeaderLanguage::English, None).unwrap();
            eprintln!("wrote {} enterprises, {} annual rows in {:.2?}", d.len(), d.annual_count(), t.elapsed());
        }
        Some("read") => {
            let t = Instant::now();
            let d = read_dataset(Path::new(&args[2]), &vocab).unwrap_or_else(|e| panic!("{e}"));
            let secs = t.elapsed().as_secs_f64();
            let rows = d.len() + d.annual_count();
            eprintln!(
                "read {} enterprises + {} annual rows in {secs:.2} s: {:.0} rows/s",
                d.len(),
                d.annual_count(),
                rows as f64 / secs
            );
        }
        _ => eprintln!("usage: read_bench gen DIR ENTERPRISES YEARS | read_bench read DIR"),
    }
}

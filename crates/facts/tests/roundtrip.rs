//! What the writers write, the readers read back as the same dataset: CSV and XLSX, English and
//! Chinese headers, for a fixed and for random datasets.
mod common;

use common::*;
use jiff::civil::Date;
use lianzhang_facts::{
    Annual, ChainId, Dataset, DatasetBuilder, Enterprise, Fen, HeaderLanguage, KindId, Project, Recognition, Uscc,
    write_csv_dir, write_xlsx,
};
use proptest::prelude::*;

fn sample() -> Dataset {
    let v = vocabulary();
    let mut b = DatasetBuilder::new(v.clone());
    b.enterprise(Enterprise {
        uscc: uscc(7),
        name: "泽州县恒达钢铁有限公司, \"恒达\" 二厂".into(),
        chain: v.chain("steel"),
        stage: Some(6),
        town: Some("巴公镇".into()),
        industry_code: Some("C3120".into()),
        strategic_emerging: Some(true),
        established: Some(jiff::civil::date(1949, 10, 1)),
        chain_joined_year: Some(2022),
    });
    b.enterprise(Enterprise {
        uscc: uscc(3),
        name: "=SUM(A1)".into(),
        chain: None,
        stage: None,
        town: None,
        industry_code: None,
        strategic_emerging: None,
        established: Some(jiff::civil::date(2100, 12, 31)),
        chain_joined_year: None,
    });
    b.annual(
        uscc(7),
        Annual {
            year: 2023,
            revenue: Some(Fen(1)),
            above_scale: Some(false),
            chain_master: None,
            local_procurement: Some(Fen(99_999_999_999_999)),
            total_procurement: Some(Fen(i64::MAX)),
            rd_expense: Some(Fen(123_456_789_012)),
        },
    );
    b.annual(uscc(7), Annual::unknown(1949));
    b.annual(uscc(3), Annual { revenue: Some(Fen::yuan(320_000_000)), ..Annual::unknown(2100) });
    b.recognition(uscc(3), Recognition { kind: v.recognition_kind("champion_national").unwrap(), year: 2020 });
    b.recognition(uscc(3), Recognition { kind: v.recognition_kind("innovative_sme").unwrap(), year: 2021 });
    b.project(
        uscc(7),
        Project {
            project_id: "00123".into(),
            name: "项目".into(),
            category: v.project_category("other"),
            fixed_asset_investment: Some(Fen(1_000_000_000_000_001)),
            start_year: Some(2021),
            completed_year: None,
        },
    );
    b.build().unwrap()
}

fn via_csv(d: &Dataset, lang: HeaderLanguage) -> Dataset {
    let dir = tempfile::tempdir().unwrap();
    write_csv_dir(d, dir.path(), lang, None).unwrap();
    read(dir.path()).unwrap_or_else(|e| panic!("{e}"))
}

fn via_xlsx(d: &Dataset, lang: HeaderLanguage) -> Dataset {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    write_xlsx(d, &path, lang, None).unwrap();
    read(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn csv_round_trip() {
    let d = sample();
    assert_eq!(via_csv(&d, HeaderLanguage::English), d);
    assert_eq!(via_csv(&d, HeaderLanguage::Chinese), d);
}

#[test]
fn xlsx_round_trip() {
    let d = sample();
    assert_eq!(via_xlsx(&d, HeaderLanguage::English), d);
    assert_eq!(via_xlsx(&d, HeaderLanguage::Chinese), d);
}

#[test]
fn csv_files_have_a_bom_chinese_names_and_plain_yuan() {
    let dir = tempfile::tempdir().unwrap();
    write_csv_dir(&sample(), dir.path(), HeaderLanguage::English, None).unwrap();
    let bytes = std::fs::read(dir.path().join("annual.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "uscc,year,revenue,above_scale,chain_master,local_procurement,total_procurement,rd_expense");
    assert_eq!(lines[1], format!("{},2100,320000000,,,,,", u(3)));
    assert_eq!(lines[2], format!("{},1949,,,,,,", u(7)));
    assert_eq!(lines[3], format!("{},2023,0.01,否,,999999999999.99,92233720368547758.07,1234567890.12", u(7)));
    let enterprises = std::fs::read_to_string(dir.path().join("enterprises.csv")).unwrap();
    assert!(enterprises.contains(",钢铁,配送,巴公镇,C3120,是,1949-10-01,2022"), "{enterprises}");
    let recognitions = std::fs::read_to_string(dir.path().join("recognitions.csv")).unwrap();
    assert!(recognitions.contains("国家级制造业单项冠军,2020"), "{recognitions}");
    let projects = std::fs::read_to_string(dir.path().join("projects.csv")).unwrap();
    assert!(projects.contains(",其他,"), "{projects}");

    let zh = tempfile::tempdir().unwrap();
    write_csv_dir(&sample(), zh.path(), HeaderLanguage::Chinese, None).unwrap();
    let names: Vec<String> = ["企业", "年度数据", "认定", "项目"].iter().map(|n| format!("{n}.csv")).collect();
    for n in &names {
        assert!(zh.path().join(n).is_file(), "{n}");
    }
    let header = std::fs::read_to_string(zh.path().join("认定.csv")).unwrap();
    assert!(header.starts_with("\u{feff}统一社会信用代码,认定类型,认定年度\r\n"));
}

#[test]
fn xlsx_sheets_are_named_in_the_language_and_cells_are_typed() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    write_xlsx(&sample(), &path, HeaderLanguage::Chinese, None).unwrap();
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names(), ["企业", "年度数据", "认定", "项目"]);
    let annual = book.worksheet_range("年度数据").unwrap();
    assert_eq!(annual.get((0, 0)), Some(&Data::String("统一社会信用代码".into())));
    assert_eq!(annual.get((1, 0)), Some(&Data::String(u(3))));
    assert_eq!(annual.get((1, 2)), Some(&Data::Float(320_000_000.0)));
    assert_eq!(annual.get((3, 3)), Some(&Data::String("否".into())));
    let projects = book.worksheet_range("项目").unwrap();
    assert_eq!(projects.get((1, 0)), Some(&Data::String("00123".into())), "ids are text");
    assert_eq!(projects.get((1, 4)), Some(&Data::String("10000000000000.01".into())), "beyond 15 digits: text");
    let enterprises = book.worksheet_range("企业").unwrap();
    assert!(matches!(enterprises.get((2, 7)), Some(Data::DateTime(_))), "{:?}", enterprises.get((2, 7)));
    assert!(matches!(enterprises.get((1, 7)), Some(Data::DateTime(_))), "{:?}", enterprises.get((1, 7)));
    // A date from before the registry's years (old data) is still written, as text Excel keeps.
    let mut old = sample().enterprises().to_vec();
    old[0].established = Some(jiff::civil::date(1899, 12, 31));
    let mut b = lianzhang_facts::DatasetBuilder::new(sample().vocabulary().clone());
    for e in old {
        b.enterprise(e);
    }
    let path = dir.path().join("old.xlsx");
    write_xlsx(&b.build().unwrap(), &path, HeaderLanguage::Chinese, None).unwrap();
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    let enterprises = book.worksheet_range("企业").unwrap();
    assert_eq!(enterprises.get((1, 7)), Some(&Data::String("1899-12-31".into())), "before Excel's dates: text");
}

#[test]
fn too_many_rows_for_a_worksheet_is_an_error() {
    let v = vocabulary();
    let mut b = DatasetBuilder::new(v);
    let n = 1_048_576u32;
    for i in 0..n {
        b.enterprise(Enterprise {
            // Distinct codes beyond 100 000: vary the district digits of the body.
            uscc: Uscc::from_body(format!("9114{:04}MA0L{:05}", i / 100_000, i % 100_000).as_bytes()),
            name: "x".into(),
            chain: None,
            stage: None,
            town: None,
            industry_code: None,
            strategic_emerging: None,
            established: None,
            chain_joined_year: None,
        });
    }
    let d = b.build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = write_xlsx(&d, &dir.path().join("big.xlsx"), HeaderLanguage::English, None).unwrap_err();
    assert!(err.to_string().contains("1048575"), "{err}");
}

// ---- random datasets ----

fn text() -> impl Strategy<Value = String> {
    // Anything a name holds on one line (a line break, a tab or another control character is
    // refused on reading), never blank at the ends (values are trimmed on reading); full-width
    // characters stay as written. Names may start with what a spreadsheet runs as a formula
    // (`=`, `+`, `-`, `@`, also after a `'`): the CSV writer escapes them, the reader undoes it.
    "[A-Za-z0-9泽州县恒达钢铁有限公司（）“”,;\"'#=+@-][A-Za-z0-9 泽州县恒达,\"'=+@，１Ａ-]{0,8}[A-Za-z0-9泽州县恒达）]"
}

fn fen() -> impl Strategy<Value = Fen> {
    prop_oneof![
        (0i64..100_000_000).prop_map(Fen),
        (0i64..10_000).prop_map(|y| Fen::yuan(y * 10_000)),
        (0i64..=i64::MAX).prop_map(Fen),
    ]
}

fn year() -> impl Strategy<Value = i32> {
    1949i32..=2100
}

fn date() -> impl Strategy<Value = Date> {
    prop_oneof![
        (1949i16..=2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| jiff::civil::date(y, m, d)),
        (0i32..120).prop_map(|d| jiff::civil::date(1949, 1, 1) + jiff::Span::new().days(d)),
        (0i32..120).prop_map(|d| jiff::civil::date(2100, 12, 31) - jiff::Span::new().days(d)),
    ]
}

/// Year, revenue/local/total/R&D, above scale, chain master.
type RandomAnnual = (i32, [Option<Fen>; 4], Option<bool>, Option<bool>);
/// Name, category, investment, start year, completion year.
type RandomProject = (String, Option<u16>, Option<Fen>, Option<i32>, Option<i32>);

#[derive(Debug, Clone)]
struct RandomEnterprise {
    name: String,
    chain: Option<(u8, u16)>,
    stage: bool,
    town: Option<String>,
    industry_code: Option<&'static str>,
    strategic_emerging: Option<bool>,
    established: Option<Date>,
    chain_joined_year: Option<i32>,
    annual: Vec<RandomAnnual>,
    recognitions: Vec<(u16, i32)>,
    projects: Vec<RandomProject>,
}

fn random_enterprise() -> impl Strategy<Value = RandomEnterprise> {
    (
        (
            text(),
            prop::option::of((0u8..7, 0u16..9)),
            any::<bool>(),
            prop::option::of(text()),
            prop::option::of(prop::sample::select(vec!["C3110", "C31", "0511", "F5191", "C1391"])),
            prop::option::of(any::<bool>()),
            prop::option::of(date()),
            prop::option::of(year()),
        ),
        prop::collection::btree_map(
            year(),
            (
                [prop::option::of(fen()), prop::option::of(fen()), prop::option::of(fen()), prop::option::of(fen())],
                prop::option::of(any::<bool>()),
                prop::option::of(any::<bool>()),
            ),
            0..4,
        ),
        // One row per recognition (a repeated one is a data error): distinct (kind, year) pairs.
        prop::collection::btree_set((0u16..8, year()), 0..3).prop_map(|s| s.into_iter().collect::<Vec<_>>()),
        prop::collection::vec(
            (
                text(),
                prop::option::of(0u16..4),
                prop::option::of(fen()),
                prop::option::of(year()),
                prop::option::of(year()),
            ),
            0..3,
        ),
    )
        .prop_map(
            |((name, chain, stage, town, industry_code, se, est, joined), annual, recognitions, projects)| {
                RandomEnterprise {
                    name,
                    chain,
                    stage,
                    town,
                    industry_code,
                    strategic_emerging: se,
                    established: est,
                    chain_joined_year: joined,
                    annual: annual.into_iter().map(|(y, (m, a, c))| (y, m, a, c)).collect(),
                    recognitions,
                    projects,
                }
            },
        )
}

fn build(ents: &[RandomEnterprise]) -> Dataset {
    let v = vocabulary();
    let mut b = DatasetBuilder::new(v.clone());
    for (i, r) in ents.iter().enumerate() {
        let id = uscc(i as u32 * 7919 % 100_000);
        let chain = r.chain.map(|(c, _)| ChainId(c));
        let stage = match (r.chain, r.stage) {
            (Some((c, s)), true) => Some(s % v.chains[c as usize].stages.len() as u16),
            _ => None,
        };
        b.enterprise(Enterprise {
            uscc: id,
            name: r.name.clone(),
            chain,
            stage,
            town: r.town.clone(),
            industry_code: r.industry_code.map(str::to_string),
            strategic_emerging: r.strategic_emerging,
            established: r.established,
            chain_joined_year: r.chain_joined_year,
        });
        for &(year, [revenue, a, b2, rd], above_scale, chain_master) in &r.annual {
            // local ≤ total when both are known.
            let (local, total) = match (a, b2) {
                (Some(x), Some(y)) => (Some(x.min(y)), Some(x.max(y))),
                other => other,
            };
            b.annual(
                id,
                Annual {
                    year,
                    revenue,
                    above_scale,
                    chain_master,
                    local_procurement: local,
                    total_procurement: total,
                    rd_expense: rd,
                },
            );
        }
        for &(kind, year) in &r.recognitions {
            b.recognition(id, Recognition { kind: KindId(kind), year });
        }
        for (j, (name, category, fai, start, done)) in r.projects.iter().enumerate() {
            let (start, done) = match (start, done) {
                (Some(s), Some(d)) => (Some(*s.min(d)), Some(*s.max(d))),
                other => (*other.0, *other.1),
            };
            b.project(
                id,
                Project {
                    project_id: format!("XM-{i}-{j}"),
                    name: name.clone(),
                    category: category.map(lianzhang_facts::CategoryId),
                    fixed_asset_investment: *fai,
                    start_year: start,
                    completed_year: done,
                },
            );
        }
    }
    b.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_datasets_round_trip_through_csv_and_xlsx(
        ents in prop::collection::vec(random_enterprise(), 0..12),
        chinese in any::<bool>(),
    ) {
        let d = build(&ents);
        let lang = if chinese { HeaderLanguage::Chinese } else { HeaderLanguage::English };
        prop_assert_eq!(&via_csv(&d, lang), &d);
        prop_assert_eq!(&via_xlsx(&d, lang), &d);
    }
}

/// Rewrites every CSV file of `dir` with its data rows in another order (a rotation and a
/// reversal, by `seed`).
fn reorder_rows(dir: &std::path::Path, seed: usize) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(&path).unwrap();
        let mut records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let header = records.remove(0);
        if !records.is_empty() {
            let n = records.len();
            records.rotate_left(seed % n);
            if seed % 2 == 1 {
                records.reverse();
            }
        }
        let mut writer = csv::Writer::from_path(&path).unwrap();
        writer.write_record(&header).unwrap();
        for r in &records {
            writer.write_record(r).unwrap();
        }
        writer.flush().unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Rows may come in any order: the dataset is the same.
    #[test]
    fn row_order_does_not_matter(ents in prop::collection::vec(random_enterprise(), 1..12), seed in 0usize..1000) {
        let d = build(&ents);
        let dir = tempfile::tempdir().unwrap();
        write_csv_dir(&d, dir.path(), HeaderLanguage::English, None).unwrap();
        reorder_rows(dir.path(), seed);
        prop_assert_eq!(&read(dir.path()).unwrap(), &d);
    }
}

/// The starts of the data cells of every CSV file of `dir`: (file, byte offset).
fn cell_starts(dir: &std::path::Path) -> Vec<(std::path::PathBuf, usize)> {
    let mut starts = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        // After the header line; a cell starts after a line break or a comma outside quotes.
        let Some(header_end) = bytes.iter().position(|&b| b == b'\n') else { continue };
        let mut quoted = false;
        for i in header_end + 1..bytes.len() {
            let prev = bytes[i - 1];
            if !quoted && (prev == b'\n' || prev == b',') {
                starts.push((path.clone(), i));
            }
            if bytes[i] == b'"' {
                quoted = !quoted;
            }
        }
    }
    starts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A quote typed at the start of any cell of a CSV file the writer wrote (a quote that is
    /// never closed, or closed in the wrong place) makes the dataset refused: never read with
    /// rows merged or cells shifted.
    #[test]
    fn an_unclosed_quote_anywhere_is_refused_never_merged(
        ents in prop::collection::vec(random_enterprise(), 1..8),
        chinese in any::<bool>(),
        at in any::<prop::sample::Index>(),
    ) {
        let d = build(&ents);
        let lang = if chinese { HeaderLanguage::Chinese } else { HeaderLanguage::English };
        let dir = tempfile::tempdir().unwrap();
        write_csv_dir(&d, dir.path(), lang, None).unwrap();
        let starts = cell_starts(dir.path());
        prop_assume!(!starts.is_empty());
        let (path, offset) = &starts[at.index(starts.len())];
        let mut bytes = std::fs::read(path).unwrap();
        bytes.insert(*offset, b'"');
        std::fs::write(path, &bytes).unwrap();
        match read(dir.path()) {
            Err(lianzhang_facts::ReadError::Data(errors)) => prop_assert!(!errors.is_empty()),
            Err(other) => prop_assert!(false, "not a data error: {other}"),
            Ok(read) => prop_assert!(false, "read although a quote was inserted at {offset} of {}: {} enterprises (written {})",
                path.display(), read.len(), d.len()),
        }
    }
}

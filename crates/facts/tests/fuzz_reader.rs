//! Property tests of the readers against hostile input: whatever a folder of CSV files or a
//! workbook holds, `read_dataset` returns a dataset or an error that says something; it never
//! panics.
//!
//! The CSV inputs are built from the real header names (taken from the writer, so they follow
//! the reader's tables) mixed with junk, in English and Chinese file names, quoted and
//! misquoted, with BOMs, GB18030, invalid UTF-8 and very long fields. The workbook inputs are a
//! real workbook truncated and with bytes flipped, arbitrary bytes, and well-formed workbooks
//! whose cells are random typed values under random headers.
mod common;

use common::*;
use lianzhang_facts::{DatasetBuilder, HeaderLanguage, ReadError, Vocabulary, read_dataset, write_csv_dir, write_xlsx};
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::path::Path;
use std::sync::OnceLock;

const SHEETS: [(&str, &str); 4] =
    [("enterprises", "企业"), ("annual", "年度数据"), ("recognitions", "认定"), ("projects", "项目")];

/// The header rows the writer writes, English and Chinese, per sheet: the reader's columns.
fn columns() -> &'static Vec<(Vec<String>, Vec<String>)> {
    static COLUMNS: OnceLock<Vec<(Vec<String>, Vec<String>)>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let empty = DatasetBuilder::new(vocabulary()).build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        write_csv_dir(&empty, dir.path(), HeaderLanguage::English, None).unwrap();
        write_csv_dir(&empty, dir.path(), HeaderLanguage::Chinese, None).unwrap();
        let header = |name: &str| -> Vec<String> {
            let text = std::fs::read_to_string(dir.path().join(format!("{name}.csv"))).unwrap();
            let line = text.trim_start_matches('\u{feff}').lines().next().unwrap_or("").to_string();
            line.split(',').map(str::to_string).collect()
        };
        SHEETS.iter().map(|(en, zh)| (header(en), header(zh))).collect()
    })
}

/// Every header name of every sheet, English and Chinese.
fn all_headers() -> Vec<String> {
    columns().iter().flat_map(|(en, zh)| en.iter().chain(zh).cloned()).collect()
}

/// Reading ended in a dataset or in an error with something to say; never a panic (a panic
/// fails the test by itself).
fn check(result: Result<lianzhang_facts::Dataset, ReadError>) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => {}
        Err(ReadError::Data(errors)) => {
            prop_assert!(!errors.is_empty(), "ReadError::Data without errors");
            for e in &errors {
                prop_assert!(!e.reason.trim().is_empty(), "error without a reason: {e:?}");
                prop_assert!(!e.sheet.is_empty() || !e.to_string().is_empty(), "error without text: {e:?}");
            }
            prop_assert!(!errors.to_string().trim().is_empty());
        }
        Err(e) => prop_assert!(!e.to_string().trim().is_empty(), "an error without text: {e:?}"),
    }
    Ok(())
}

fn read_with(path: &Path, vocab: &Vocabulary) -> Result<lianzhang_facts::Dataset, ReadError> {
    read_dataset(path, vocab)
}

// ---------------------------------------------------------------------------------------------
// CSV

/// A header cell: a real column (of this sheet or another, any language or case), or junk.
fn header_cell() -> impl Strategy<Value = String> {
    let real = prop::sample::select(all_headers());
    prop_oneof![
        6 => real.clone(),
        1 => real.clone().prop_map(|h| h.to_uppercase()),
        1 => real.prop_map(|h| format!(" {h}\u{3000}")),
        1 => "[a-z_]{0,12}",
        1 => Just(String::new()),
        1 => Just("\u{feff}uscc".to_string()),
        1 => "\\PC{0,8}",
    ]
}

/// A data cell: plausible values (valid and invalid), junk, and very long text.
fn data_cell() -> impl Strategy<Value = String> {
    let plausible = prop::sample::select(vec![
        u(1),
        u(2),
        u(3),
        "91140525MA0L00001X".to_string(),
        "911405250000000000".to_string(),
        "2023".into(),
        "1948".into(),
        "2101".into(),
        "2023.0".into(),
        "12500000".into(),
        "12500000.50".into(),
        "-5".into(),
        "1,000".into(),
        "1e308".into(),
        "999999999999999999999999".into(),
        "是".into(),
        "否".into(),
        "true".into(),
        "maybe".into(),
        "2008-03-15".into(),
        "2008-02-30".into(),
        "0000-00-00".into(),
        "steel".into(),
        "钢铁".into(),
        "加工".into(),
        "高端铸件".into(),
        "champion_province".into(),
        "省级专精特新\"小巨人\"".into(),
        "digital".into(),
        "C3110".into(),
        "Z9999".into(),
        "P-1".into(),
        " ".into(),
        "\u{3000}".into(),
        String::new(),
    ]);
    prop_oneof![
        8 => plausible,
        2 => "\\PC{0,12}",
        1 => "[\"\n\r,]{1,4}",
        1 => (1usize..20_000, prop::char::any()).prop_map(|(n, c)| std::iter::repeat_n(c, n).collect()),
    ]
}

/// How a CSV text becomes bytes.
#[derive(Debug, Clone)]
enum Encoding {
    Utf8,
    Bom,
    Gb18030,
    /// UTF-8 (with a BOM or not) with some bytes replaced by bytes that break UTF-8.
    Broken {
        bom: bool,
        at: Vec<(usize, u8)>,
    },
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![
        3 => Just(Encoding::Utf8),
        2 => Just(Encoding::Bom),
        1 => Just(Encoding::Gb18030),
        2 => (any::<bool>(), prop::collection::vec((any::<usize>(), 0x80u8..=0xFF), 1..4))
            .prop_map(|(bom, at)| Encoding::Broken { bom, at }),
    ]
}

/// A CSV file of one sheet: a header row, some data rows, quoting choices.
#[derive(Debug, Clone)]
struct CsvFile {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Per cell: quote it properly (true) or write it raw, which may misquote (false).
    quote: Vec<bool>,
    crlf: bool,
    trailing_newline: bool,
    encoding: Encoding,
}

fn csv_file() -> impl Strategy<Value = CsvFile> {
    (
        prop::collection::vec(header_cell(), 0..12),
        prop::collection::vec(prop::collection::vec(data_cell(), 0..12), 0..6),
        prop::collection::vec(any::<bool>(), 0..64),
        any::<bool>(),
        any::<bool>(),
        encoding(),
    )
        .prop_map(|(header, rows, quote, crlf, trailing_newline, encoding)| CsvFile {
            header,
            rows,
            quote,
            crlf,
            trailing_newline,
            encoding,
        })
}

impl CsvFile {
    fn bytes(&self) -> Vec<u8> {
        let mut text = String::new();
        let mut n = 0usize;
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let lines = std::iter::once(&self.header).chain(&self.rows);
        let count = self.rows.len() + 1;
        for (i, line) in lines.enumerate() {
            for (j, cell) in line.iter().enumerate() {
                if j > 0 {
                    text.push(',');
                }
                let quoted = self.quote.get(n % self.quote.len().max(1)).copied().unwrap_or(true);
                n += 1;
                if quoted {
                    text.push('"');
                    text.push_str(&cell.replace('"', "\"\""));
                    text.push('"');
                } else {
                    text.push_str(cell);
                }
            }
            if i + 1 < count || self.trailing_newline {
                text.push_str(eol);
            }
        }
        match &self.encoding {
            Encoding::Utf8 => text.into_bytes(),
            Encoding::Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            Encoding::Gb18030 => encoding_rs::GB18030.encode(&text).0.into_owned(),
            Encoding::Broken { bom, at } => {
                let mut bytes = if *bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
                let start = bytes.len();
                bytes.extend_from_slice(text.as_bytes());
                let len = bytes.len() - start;
                for &(i, b) in at {
                    if len == 0 {
                        bytes.push(b);
                    } else {
                        bytes[start + i % len] = b;
                    }
                }
                bytes
            }
        }
    }
}

/// A dataset folder: for each sheet, no file, the English file, the Chinese file, or both
/// (which the reader refuses as ambiguous).
fn csv_folder() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let sheet = (0u8..8, csv_file());
    prop::collection::vec(sheet, 4).prop_map(|sheets| {
        let mut files = Vec::new();
        for (i, (which, file)) in sheets.into_iter().enumerate() {
            let (en, zh) = SHEETS[i];
            let bytes = file.bytes();
            match which {
                0 => {}
                1 => files.push((format!("{zh}.csv"), bytes)),
                2 => {
                    files.push((format!("{en}.csv"), bytes.clone()));
                    files.push((format!("{zh}.csv"), bytes));
                }
                3 => files.push((format!("{}.CSV", en.to_uppercase()), bytes)),
                _ => files.push((format!("{en}.csv"), bytes)),
            }
        }
        files
    })
}

fn read_folder(files: &[(String, Vec<u8>)]) -> Result<lianzhang_facts::Dataset, ReadError> {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let dir = folder(&files);
    read(dir.path())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn csv_arbitrary_bytes(
        files in prop::collection::vec((0usize..4, any::<bool>(), prop::collection::vec(any::<u8>(), 0..600)), 1..5),
    ) {
        let files: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|(i, zh, bytes)| (format!("{}.csv", if zh { SHEETS[i].1 } else { SHEETS[i].0 }), bytes))
            .collect();
        check(read_folder(&files))?;
    }

    #[test]
    fn csv_structured_but_wrong(files in csv_folder()) {
        check(read_folder(&files))?;
    }

    #[test]
    fn csv_valid_headers_random_cells(
        rows in prop::collection::vec(prop::collection::vec(data_cell(), 0..10), 0..8),
        encoding in encoding(),
        chinese in any::<bool>(),
    ) {
        // Every sheet with its real header row, so the cells themselves are what gets parsed.
        let mut files = Vec::new();
        for (i, (en, zh)) in SHEETS.iter().enumerate() {
            let (en_cols, zh_cols) = &columns()[i];
            let header = if chinese { zh_cols.clone() } else { en_cols.clone() };
            let file = CsvFile {
                header,
                rows: rows.clone(),
                quote: vec![true],
                crlf: i % 2 == 0,
                trailing_newline: true,
                encoding: encoding.clone(),
            };
            files.push((format!("{}.csv", if chinese { zh } else { en }), file.bytes()));
        }
        check(read_folder(&files))?;
    }

    #[test]
    fn csv_with_an_empty_vocabulary(files in csv_folder()) {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        let dir = folder(&files);
        check(read_with(dir.path(), &Vocabulary::default()))?;
    }
}

// ---------------------------------------------------------------------------------------------
// XLSX

/// A small real workbook with rows in all four sheets.
fn real_xlsx(lang: HeaderLanguage) -> Vec<u8> {
    let csv = folder(&[
        (
            "enterprises.csv",
            format!(
                "uscc,name,chain,stage,town,industry_code,strategic_emerging,established,chain_joined_year\n\
                 {},甲钢铁,steel,钢材,巴公镇,C3110,true,2008-03-15,2019\n{},乙,,,,,,,\n",
                u(1),
                u(2)
            )
            .as_bytes(),
        ),
        (
            "annual.csv",
            format!(
                "uscc,year,revenue,above_scale,chain_master,local_procurement,total_procurement,rd_expense\n\
                 {u1},2022,350000000,true,true,1000000,5000000.50,12000000\n{u1},2023,420000000.25,true,false,,,\n",
                u1 = u(1)
            )
            .as_bytes(),
        ),
        ("recognitions.csv", format!("uscc,kind,year\n{},champion_province,2023\n", u(1)).as_bytes()),
        (
            "projects.csv",
            format!(
                "project_id,uscc,name,category,fixed_asset_investment,start_year,completed_year\n\
                 P-2023-001,{},技改,digital,25000000,2022,2023\n",
                u(1)
            )
            .as_bytes(),
        ),
    ]);
    let d = read(csv.path()).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    write_xlsx(&d, &path, lang, None).unwrap();
    std::fs::read(&path).unwrap()
}

fn real_xlsx_cached(chinese: bool) -> &'static [u8] {
    static EN: OnceLock<Vec<u8>> = OnceLock::new();
    static ZH: OnceLock<Vec<u8>> = OnceLock::new();
    if chinese {
        ZH.get_or_init(|| real_xlsx(HeaderLanguage::Chinese))
    } else {
        EN.get_or_init(|| real_xlsx(HeaderLanguage::English))
    }
}

fn read_xlsx_bytes(bytes: &[u8], ext: &str) -> Result<lianzhang_facts::Dataset, ReadError> {
    let name = format!("d.{ext}");
    let dir = folder(&[(name.as_str(), bytes)]);
    read(&dir.path().join(&name))
}

#[test]
fn the_real_workbooks_read_back() {
    for chinese in [false, true] {
        let d = read_xlsx_bytes(real_xlsx_cached(chinese), "xlsx").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((d.len(), d.annual_count(), d.recognition_count(), d.project_count()), (2, 2, 1, 1));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn xlsx_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..3000),
        zip_magic in any::<bool>(),
        ext in prop::sample::select(vec!["xlsx", "xls", "xlsb", "ods", "xlsm"]),
    ) {
        let mut bytes = bytes;
        if zip_magic {
            bytes.splice(0..0, *b"PK\x03\x04");
        }
        check(read_xlsx_bytes(&bytes, ext))?;
    }

    #[test]
    fn xlsx_truncated_and_flipped(
        chinese in any::<bool>(),
        cut in 0.0f64..=1.0,
        flips in prop::collection::vec((0.0f64..1.0, 1u8..=255), 0..6),
    ) {
        let mut bytes = real_xlsx_cached(chinese).to_vec();
        let n = bytes.len();
        for (at, b) in flips {
            let i = ((at * n as f64) as usize).min(n - 1);
            bytes[i] ^= b;
        }
        bytes.truncate((cut * n as f64) as usize);
        check(read_xlsx_bytes(&bytes, "xlsx"))?;
    }

    #[test]
    fn xlsx_flipped_only(
        chinese in any::<bool>(),
        flips in prop::collection::vec((0.0f64..1.0, 1u8..=255), 1..4),
    ) {
        // Same length, so the zip directory is still found; damage lands inside entries.
        let mut bytes = real_xlsx_cached(chinese).to_vec();
        let n = bytes.len();
        for (at, b) in flips {
            bytes[((at * n as f64) as usize).min(n - 1)] ^= b;
        }
        check(read_xlsx_bytes(&bytes, "xlsx"))?;
    }
}

/// A typed workbook cell.
#[derive(Debug, Clone)]
enum XCell {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(f64),
    Formula(String),
    Blank,
}

fn xcell() -> impl Strategy<Value = XCell> {
    prop_oneof![
        4 => data_cell().prop_map(XCell::Text),
        3 => prop_oneof![
            Just(2023.0),
            Just(-1.0),
            Just(0.5),
            Just(1e300),
            Just(-1e300),
            Just(91140525.0),
            Just(911_405_250_000_000_000.0),
            any::<f64>().prop_filter("finite", |f| f.is_finite()),
        ].prop_map(XCell::Number),
        1 => any::<bool>().prop_map(XCell::Bool),
        2 => prop_oneof![
            Just(0.0),
            Just(59.0),
            Just(60.0),
            Just(61.0),
            Just(43525.0),
            Just(43525.5),
            Just(-5.0),
            Just(2_958_465.0),
            Just(2_958_466.0),
            Just(1e12),
            any::<f64>().prop_filter("finite", |f| f.is_finite()),
        ].prop_map(XCell::Date),
        1 => prop::sample::select(vec!["=1/0", "=NA()", "=\"x\"", "=1+1", "=#REF!", "=A1"])
            .prop_map(|f| XCell::Formula(f.to_string())),
        1 => Just(XCell::Blank),
    ]
}

#[derive(Debug, Clone)]
struct XSheet {
    /// 0..4: a sheet of FACTS.md (English or Chinese name by `chinese`); else a junk name.
    which: usize,
    chinese: bool,
    junk_name: String,
    /// Start of the used range: data need not start at A1.
    top: u32,
    left: u16,
    real_header: bool,
    header: Vec<String>,
    rows: Vec<Vec<XCell>>,
}

fn xsheet() -> impl Strategy<Value = XSheet> {
    (
        0usize..6,
        any::<bool>(),
        "[A-Za-z\u{4e00}-\u{4e10}]{1,10}",
        0u32..3,
        0u16..3,
        any::<bool>(),
        prop::collection::vec(header_cell(), 0..10),
        prop::collection::vec(prop::collection::vec(xcell(), 0..10), 0..5),
    )
        .prop_map(|(which, chinese, junk_name, top, left, real_header, header, rows)| XSheet {
            which,
            chinese,
            junk_name,
            top,
            left,
            real_header,
            header,
            rows,
        })
}

fn typed_workbook(sheets: &[XSheet]) -> Vec<u8> {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut book = Workbook::new();
    let mut used = Vec::new();
    for s in sheets {
        let name = match SHEETS.get(s.which) {
            Some((en, zh)) => {
                if s.chinese {
                    zh.to_string()
                } else {
                    en.to_string()
                }
            }
            None => s.junk_name.clone(),
        };
        // rust_xlsxwriter refuses duplicate names (case-insensitively).
        if used.iter().any(|u: &String| u.eq_ignore_ascii_case(&name)) {
            continue;
        }
        let ws = book.add_worksheet();
        if ws.set_name(&name).is_err() {
            continue;
        }
        used.push(name);
        let header: Vec<String> = match (SHEETS.get(s.which), s.real_header) {
            (Some(_), true) => {
                let (en, zh) = &columns()[s.which];
                if s.chinese { zh.clone() } else { en.clone() }
            }
            _ => s.header.clone(),
        };
        for (c, h) in header.iter().enumerate() {
            let _ = ws.write_string(s.top, s.left + c as u16, h.as_str());
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = s.top + 1 + r as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = s.left + c as u16;
                let _ = match cell {
                    XCell::Text(t) => ws.write_string(r, c, t.as_str()).map(|_| ()),
                    XCell::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
                    XCell::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    XCell::Date(n) => ws.write_number_with_format(r, c, *n, &date).map(|_| ()),
                    XCell::Formula(f) => ws.write_formula(r, c, Formula::new(f.as_str())).map(|_| ()),
                    XCell::Blank => ws.write_blank(r, c, &date).map(|_| ()),
                };
            }
        }
    }
    if used.is_empty() {
        book.add_worksheet();
    }
    // A date cell written as a real datetime too, to cover calamine's DateTime path.
    if let Ok(ws) = book.worksheet_from_index(0) {
        let _ = ws.write_datetime_with_format(60, 0, ExcelDateTime::from_ymd(2019, 3, 1).unwrap(), &date);
    }
    book.save_to_buffer().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn xlsx_typed_cells_under_random_headers(sheets in prop::collection::vec(xsheet(), 1..6)) {
        check(read_xlsx_bytes(&typed_workbook(&sheets), "xlsx"))?;
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: inputs the properties above found.

/// A money cell of many digits overflowed `i64` while being accumulated (a panic in debug
/// builds, a wrapped value in release).
#[test]
fn regression_long_digit_runs_in_money_cells() {
    for revenue in [
        "9999999999999999999",
        "999999999999999999999999",
        &"9".repeat(57),
        "79228162514264337593543950335",
        "79228162514264337593543950335.99",
        "7922816251426433759354395033500",
    ] {
        let dir = folder(&[
            ("enterprises.csv", format!("uscc,name\n{},甲\n", u(1)).as_bytes()),
            ("annual.csv", format!("uscc,year,revenue\n{},2023,{revenue}\n", u(1)).as_bytes()),
        ]);
        let errors = error_lines(dir.path());
        assert_eq!(errors.len(), 1, "{revenue}: {errors:?}");
        assert!(errors[0].starts_with("年度数据:2:营业收入: "), "{revenue}: {errors:?}");
    }
}

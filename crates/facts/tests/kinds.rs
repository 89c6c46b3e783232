//! Files as county clerks and other systems really make them (issue 8 item 1), beyond the handed
//! cases: each kind read where its value is unambiguous, else refused with one located Chinese
//! sentence that says what was found and how to fix it; never a library's message, never a
//! cascade of errors from one cause.
mod common;

use common::*;
use lianzhang_facts::{Dataset, Fen, ReadError};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::{Path, PathBuf};

/// A small valid dataset as CSV text: two enterprises, their years, a recognition, a project.
fn csv_files() -> Vec<(&'static str, String)> {
    vec![
        (
            "enterprises.csv",
            format!("uscc,name,chain,strategic_emerging\n{},甲公司,steel,true\n{},乙公司,food,false\n", u(1), u(2)),
        ),
        (
            "annual.csv",
            format!(
                "uscc,year,revenue,above_scale\n{0},2022,1250000.50,true\n{0},2023,300000000,true\n{1},2023,22000000,false\n",
                u(1),
                u(2)
            ),
        ),
        ("recognitions.csv", format!("uscc,kind,year\n{},specialized_city,2023\n", u(2))),
        ("projects.csv", format!("project_id,uscc,name,fixed_asset_investment\nP1,{},技改,12000000\n", u(1))),
    ]
}

fn reference() -> Dataset {
    read_csv(&csv_files().iter().map(|(n, t)| (*n, t.as_str())).collect::<Vec<_>>())
}

/// The same files, each converted by `convert` (text → bytes).
fn converted(convert: impl Fn(&str) -> Vec<u8>) -> tempfile::TempDir {
    let files: Vec<(&str, Vec<u8>)> = csv_files().iter().map(|(n, t)| (*n, convert(t))).collect();
    folder(&files.iter().map(|(n, b)| (*n, b.as_slice())).collect::<Vec<_>>())
}

fn not_a_dataset(path: &Path) -> String {
    match read(path) {
        Err(ReadError::NotADataset(m)) => {
            for raw in ["Xls", "Cfb", "Zip", "error", "\\x", "Invalid"] {
                assert!(!m.contains(raw), "a library's message: {m}");
            }
            m
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---- encodings and delimiters of a Chinese "save as" ----

#[test]
fn unicode_text_utf16_with_tabs_reads_as_the_csv() {
    // Excel's "Unicode 文本 (*.txt)", renamed .csv: UTF-16 LE with a BOM, tab-separated.
    let le = converted(|t| {
        let tabbed = t.replace(',', "\t").replace('\n', "\r\n");
        [vec![0xFF, 0xFE], tabbed.encode_utf16().flat_map(u16::to_le_bytes).collect()].concat()
    });
    assert_eq!(read(le.path()).unwrap(), reference());
    let be = converted(|t| [vec![0xFE, 0xFF], t.encode_utf16().flat_map(u16::to_be_bytes).collect()].concat());
    assert_eq!(read(be.path()).unwrap(), reference());
}

#[test]
fn gbk_tab_and_semicolon_separated_files_read() {
    let gbk_tabs = converted(|t| encoding_rs::GB18030.encode(&t.replace(',', "\t")).0.into_owned());
    assert_eq!(read(gbk_tabs.path()).unwrap(), reference());
    let semicolons = converted(|t| t.replace(',', ";").into_bytes());
    assert_eq!(read(semicolons.path()).unwrap(), reference());
    let bom = converted(|t| [b"\xEF\xBB\xBF".as_slice(), t.as_bytes()].concat());
    assert_eq!(read(bom.path()).unwrap(), reference());
}

#[test]
fn a_title_row_above_the_header_of_a_csv_file_is_skipped() {
    let titled = converted(|t| format!("泽州县2023年制造业企业名单,,,\n单位：元,,,\n{t}").into_bytes());
    assert_eq!(read(titled.path()).unwrap(), reference());
}

#[test]
fn a_sheet_without_a_header_row_is_one_error_not_one_per_cell() {
    let mut files = csv_files();
    // annual.csv lost its header: its rows start at once.
    files[1].1 = files[1].1.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let lines = csv_errors(&files.iter().map(|(n, t)| (*n, t.as_str())).collect::<Vec<_>>());
    assert_eq!(
        lines,
        [format!(
            "年度数据:1:: {}: 找不到表头行：前30行中没有一行是本表的列名（应有“统一社会信用代码”“年度”等）。请在数据上方加上列名行（可从导入模板复制）后再导入",
            u(1)
        )]
    );
}

// ---- values a spreadsheet shows that the text does not ----

#[test]
fn amounts_years_and_dates_as_clerks_type_them() {
    let d = read_csv(&[
        (
            "enterprises.csv",
            &format!(
                "uscc,name,established,chain_joined_year\n{},甲,2022/3/5,2021年\n{},乙,2022年3月5日,２０２１\n{},丙,2022.3.5,2021.0\n{},丁,20220305,\n",
                u(1),
                u(2),
                u(3),
                u(4)
            ),
        ),
        (
            "annual.csv",
            &format!(
                "uscc,year,revenue,rd_expense,local_procurement,total_procurement\n{0},2023,\"1,234,567.00\",¥8000,１２，０００．５０,3000000元\n",
                u(1)
            ),
        ),
    ]);
    for e in d.enterprises() {
        assert_eq!(e.established, Some(jiff::civil::date(2022, 3, 5)), "{}", e.name);
    }
    let joined: Vec<Option<i32>> = d.enterprises().iter().map(|e| e.chain_joined_year).collect();
    assert_eq!(joined, [Some(2021), Some(2021), Some(2021), None]);
    let row = d.find(&uscc(1)).unwrap().annual[0];
    assert_eq!(row.revenue, Some(Fen(123_456_700)));
    assert_eq!(row.rd_expense, Some(Fen(800_000)));
    assert_eq!(row.local_procurement, Some(Fen(1_200_050)));
    assert_eq!(row.total_procurement, Some(Fen(300_000_000)));
}

#[test]
fn amounts_in_another_unit_or_that_lost_digits_are_refused_with_what_to_type() {
    let lines = csv_errors(&[
        ("enterprises.csv", &format!("uscc,name\n{},甲\n", u(1))),
        ("annual.csv", &format!("uscc,year,revenue,rd_expense\n{0},2022,31000万元,1.2亿\n{0},2023,3.1E+08,\n", u(1))),
    ]);
    assert_eq!(
        lines,
        [
            "年度数据:2:营业收入: 31000万元: 金额以元为单位，不能写单位“31000万元”：请填写 310000000",
            "年度数据:2:研发投入: 1.2亿: 金额以元为单位，不能写单位“1.2亿”：请填写 120000000",
            "年度数据:3:营业收入: 3.1E+08: 这是科学计数法（Excel 把长数字显示成这样，后面的位数已丢失）：请在 Excel 中把该列设为“数值”格式后重新保存",
        ]
    );
}

#[test]
fn a_header_with_a_unit_of_yuan_reads_and_one_of_wanyuan_is_one_error() {
    let d = read_csv(&[
        ("企业.csv", &format!("统一社会信用代码,企业名称\n{},甲\n", u(1))),
        ("年度数据.csv", &format!("统一社会信用代码,年度,营业收入（元）,研发投入(元)\n{},2023,100,5\n", u(1))),
    ]);
    assert_eq!(d.find(&uscc(1)).unwrap().annual[0].revenue, Some(Fen(10_000)));
    let lines = csv_errors(&[
        ("企业.csv", &format!("统一社会信用代码,企业名称\n{},甲\n", u(1))),
        ("年度数据.csv", &format!("统一社会信用代码,年度,营业收入（万元）\n{0},2022,28000\n{0},2023,31000\n", u(1))),
    ]);
    assert_eq!(
        lines,
        [
            "年度数据:1:营业收入（万元）: 营业收入（万元）: 表头写明单位是万元，但金额须以元为单位：请把本列数值换算成元（1万元 = 10000元），并把表头改为“营业收入”"
        ]
    );
}

// ---- workbooks: merged cells, number formats, date serials ----

fn workbook(build: impl FnOnce(&mut Workbook)) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    let mut book = Workbook::new();
    build(&mut book);
    book.save(&path).unwrap();
    (dir, path)
}

fn sheet<'a>(book: &'a mut Workbook, name: &str, rows: &[&[&str]]) -> &'a mut Worksheet {
    let ws = book.add_worksheet();
    ws.set_name(name).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    ws
}

#[test]
fn a_key_merged_down_is_every_row_s_and_an_amount_merged_down_is_refused() {
    let (a, b) = (u(1), u(2));
    let (_dir, path) = workbook(|book| {
        let ws =
            sheet(book, "企业", &[&["泽州县企业名单"], &["统一社会信用代码", "企业名称"], &[&a, "甲"], &[&b, "乙"]]);
        ws.merge_range(0, 0, 0, 1, "泽州县企业名单", &Format::new()).unwrap();
        let ws = sheet(book, "年度数据", &[&["统一社会信用代码", "年度", "营业收入"], &["", "2022"], &["", "2023"]]);
        // One USCC over the enterprise's two years; revenue numbers.
        ws.merge_range(1, 0, 2, 0, &a, &Format::new()).unwrap();
        ws.write_number(1, 2, 1000.0).unwrap();
        ws.write_number(2, 2, 2000.0).unwrap();
    });
    let d = read(&path).unwrap();
    let years: Vec<(i32, Option<Fen>)> = d.find(&uscc(1)).unwrap().annual.iter().map(|r| (r.year, r.revenue)).collect();
    assert_eq!(years, [(2022, Some(Fen(100_000))), (2023, Some(Fen(200_000)))]);

    let (_dir, path) = workbook(|book| {
        sheet(book, "企业", &[&["统一社会信用代码", "企业名称"], &[&a, "甲"], &[&b, "乙"]]);
        let ws = sheet(book, "年度数据", &[&["统一社会信用代码", "年度", "营业收入"], &[&a, "2023"], &[&b, "2023"]]);
        ws.merge_range(1, 2, 2, 2, "", &Format::new()).unwrap();
        ws.write_number(1, 2, 5000.0).unwrap();
    });
    assert_eq!(
        error_lines(&path),
        [
            "年度数据:2:营业收入: 5000: C2:C3 是合并单元格：一个金额不能同时作为2行的数值。请取消合并，在每一行填写各自的金额"
        ]
    );
}

#[test]
fn number_formats_do_not_change_the_stored_value_and_serials_in_date_columns_are_dates() {
    let a = u(1);
    let (_dir, path) = workbook(|book| {
        let ws = sheet(book, "企业", &[&["统一社会信用代码", "企业名称", "成立日期", "入链年份"], &[&a, "甲"]]);
        // 2008-03-15 as a bare serial (a General cell), the year as a float.
        ws.write_number(1, 2, 39522.0).unwrap();
        ws.write_number(1, 3, 2021.0).unwrap();
        let ws =
            sheet(book, "年度数据", &[&["统一社会信用代码", "年度", "营业收入", "研发投入", "本地配套采购额"], &[&a]]);
        ws.write_number(1, 1, 2023.0).unwrap();
        // Shown as 31,000.00万元 and 1,234,567.50: the stored yuan count.
        ws.write_number_with_format(1, 2, 310_000_000.0, &Format::new().set_num_format("#,##0.00,,\"万元\"")).unwrap();
        ws.write_number_with_format(1, 3, 1_234_567.5, &Format::new().set_num_format("#,##0.00")).unwrap();
        // Float noise Excel hides: shown as 10,000,000.00.
        ws.write_number(1, 4, 9_999_999.999_999_998).unwrap();
    });
    let d = read(&path).unwrap();
    let f = d.find(&uscc(1)).unwrap();
    assert_eq!(f.enterprise.established, Some(jiff::civil::date(2008, 3, 15)));
    assert_eq!(f.enterprise.chain_joined_year, Some(2021));
    let r = f.annual[0];
    assert_eq!((r.year, r.revenue, r.rd_expense), (2023, Some(Fen::yuan(310_000_000)), Some(Fen(123_456_750))));
    assert_eq!(r.local_procurement, Some(Fen::yuan(10_000_000)));
}

#[test]
fn a_line_break_in_a_name_is_refused() {
    let a = u(1);
    let (_dir, path) = workbook(|book| {
        sheet(book, "企业", &[&["统一社会信用代码", "企业名称"], &[&a, "泽州县恒达\n钢铁有限公司"]]);
    });
    assert_eq!(
        error_lines(&path),
        ["企业:2:企业名称: 泽州县恒达\\n钢铁有限公司: 内容中有换行：名称、编号等须写在一行内，请删去换行"]
    );
}

// ---- files whose name lies ----

fn case_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../lianzhang/tests/data/cases").join(name)
}

#[test]
fn a_workbook_reads_whatever_its_name_says() {
    let dir = tempfile::tempdir().unwrap();
    let xls = case_file("17-misnamed-xls/facts.xls");
    let expected = read(&xls).unwrap();
    for name in ["old.xlsx", "wps.et", "noextension", "data.csv"] {
        let path = dir.path().join(name);
        std::fs::copy(&xls, &path).unwrap();
        assert_eq!(read(&path).unwrap(), expected, "{name}");
    }
}

#[test]
fn files_that_are_no_workbook_get_one_sentence_saying_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (write("empty.xlsx", b""), "是空文件（0 字节）"),
        (write("scan.xls", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), "是 PDF 文件"),
        (
            write("export.xls", "<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>统一社会信用代码</td></tr></table>".as_bytes()),
            "实际是网页（HTML）格式的表格，只是文件名像 Excel 文件",
        ),
        (
            write("xml2003.xls", b"<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"></Workbook>"),
            "实际是“XML 表格 2003”格式",
        ),
        (write("data.xlsx", "uscc,name\n9114,甲\n".as_bytes()), "实际是文本（CSV）文件，不是 Excel 工作簿"),
        (write("broken.et", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage"), "是旧版 Excel（.xls）或 WPS 表格（.et）格式，但无法读取"),
        (write("blob.xlsx", b"\x00\x01\x02\x03\x04binary"), "不是 Excel 工作簿，也不是 CSV 文本"),
    ];
    for (path, expected) in cases {
        let m = not_a_dataset(&path);
        assert!(m.contains(expected), "{}: {m}", path.display());
        assert!(m.contains("另存为") || m.contains("请"), "says what to do: {m}");
    }

    // A zip that is not a workbook; a Word document.
    let zipped = |name: &str, entry: &str| {
        let p = dir.path().join(name);
        let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        z.start_file(entry, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut z, b"x").unwrap();
        z.finish().unwrap();
        p
    };
    let m = not_a_dataset(&zipped("photos.xlsx", "a.jpg"));
    assert!(m.contains("是一个压缩包（zip），不是 Excel 工作簿"), "{m}");
    let m = not_a_dataset(&zipped("report.xlsx", "word/document.xml"));
    assert!(m.contains("是Word 文档，不是表格"), "{m}");
}

#[test]
fn a_csv_file_that_is_a_workbook_is_refused_with_a_sentence() {
    let xlsx = std::fs::read(case_file("07-title-row/facts.xlsx")).unwrap();
    let dir = folder(&[("enterprises.csv", &xlsx)]);
    let m = not_a_dataset(dir.path());
    assert!(m.contains("实际是 Excel 工作簿（只是扩展名为 .csv）：请直接导入这个工作簿"), "{m}");
}

// ---- quotes ----

#[test]
fn a_stray_quote_or_one_open_at_the_end_is_one_error() {
    let lines = csv_errors(&[(
        "enterprises.csv",
        &format!("uscc,name,chain\n{},\"兴旺\"化工（泽州）有限公司,chemical\n{},乙,steel\n{},\"丙", u(1), u(2), u(3)),
    )]);
    assert_eq!(
        lines,
        [
            "企业:2:企业名称: 兴旺化工（泽州）有限公司: 引号用法有误：这一格以英文双引号（\"）开头，引号闭合后又接着别的文字，无法确定内容。请删去这一格中的引号，或把整格用引号括起、其中的引号写成两个（\"\"）",
            "企业:4:企业名称: 丙: 引号没有闭合：这一格以英文双引号（\"）开头，直到文件末尾也没有右引号。请补上右引号，或删去这个引号",
        ]
    );
}

#[test]
fn an_unclosed_quote_names_the_lines_it_swallowed_and_nothing_else() {
    // The quote opened on line 3 swallows lines 4 and 5 up to a quote on line 5; annual.csv
    // names the swallowed enterprises, which are not reported again.
    let lines = csv_errors(&[
        (
            "enterprises.csv",
            &format!(
                "uscc,name,chain\n{},甲,steel\n{},\"乙,steel\n{},丙,food\n{},\"丁\",food\n",
                u(1),
                u(2),
                u(3),
                u(4)
            ),
        ),
        ("annual.csv", &format!("uscc,year\n{},2023\n{},2023\n{},2023\n", u(2), u(3), u(4))),
    ]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("企业:3:企业名称: 乙,steel…: 引号没有闭合"), "{}", lines[0]);
    assert!(lines[0].contains("下面第4至5行被并进了这一格"), "{}", lines[0]);
}

// ---- dates outside the years the registry keeps ----

#[test]
fn a_date_outside_1949_to_2100_is_refused_at_its_cell_in_csv_and_xlsx() {
    let text = format!("uscc,name,established\n{},甲公司,9999-12-31\n{},乙公司,1800-01-01\n", u(1), u(2));
    let lines = csv_errors(&[("enterprises.csv", &text)]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("企业:2:成立日期: 9999-12-31: ") && lines[0].contains("年份 9999 不在 1949 至 2100 之间"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("企业:3:成立日期: 1800-01-01: ") && lines[1].contains("年份 1800 不在 1949 至 2100 之间"),
        "{lines:?}"
    );

    // A date cell of a workbook: its serial is read as the date it shows.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dates.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("enterprises").unwrap();
    let format = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["uscc", "name", "established"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, y) in [1900u16, 2101, 1949].into_iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, u(r)).unwrap();
        sheet.write_string(r, 1, format!("企业{r}")).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(y, 3, 1).unwrap();
        sheet.write_datetime_with_format(r, 2, &date, &format).unwrap();
    }
    book.save(&path).unwrap();
    let lines = error_lines(&path);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("企业:2:成立日期: 1900-03-01: ") && lines[0].contains("年份 1900 不在"), "{lines:?}");
    assert!(lines[1].contains("企业:3:成立日期: 2101-03-01: ") && lines[1].contains("年份 2101 不在"), "{lines:?}");
}

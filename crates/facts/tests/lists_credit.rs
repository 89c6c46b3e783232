//! The 失信名单 reader on files made the way clerks make them: a GBK CSV saved by Excel under a
//! title row, an `.xlsx` with a merged title and merged list names, full-width codes, dates as
//! 2024年3月1日, 2024/3/1 and Excel serials; and every error, exactly, with its place.

use jiff::civil::date;
use lianzhang_facts::lists::credit::{self, CreditEntry};
use lianzhang_facts::{Limits, ReadError};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lists").join(name)
}

/// The errors of a read that must fail on its cells, one `sheet:row:column: value: reason` each.
fn errors(read: Result<Vec<CreditEntry>, ReadError>) -> Vec<String> {
    match read {
        Err(ReadError::Data(errors)) => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected data errors, got {other:?}"),
    }
}

fn entry(uscc: &str, name: &str, list: &str, source: &str, listed: jiff::civil::Date) -> CreditEntry {
    CreditEntry {
        uscc: uscc.into(),
        name: Some(name.into()),
        list: list.into(),
        source: source.into(),
        listed,
        removed: None,
    }
}

#[test]
fn a_gbk_csv_from_excel_under_a_title_row() {
    let read = credit::read(&data("失信名单_gbk.csv"), &Limits::default()).unwrap();
    let court = "失信被执行人名单";
    assert_eq!(
        read,
        vec![
            entry("91140525MA0L00000J", "山西甲机械有限公司", court, "晋城市中级人民法院", date(2024, 3, 1)),
            CreditEntry {
                removed: Some(date(2024, 9, 30)),
                ..entry(
                    // Typed full-width by an IME: read half-width.
                    "91140525MA0L00010K",
                    "山西乙化工有限公司（分公司）",
                    "重大税收违法失信主体名单",
                    "国家税务总局晋城市税务局",
                    date(2024, 3, 1),
                )
            },
            // 45352: an Excel serial saved as text.
            entry("91140525MA0L00020L", "泽州县丙建材厂", court, "泽州县人民法院", date(2024, 3, 1)),
        ]
    );
}

#[test]
fn every_error_of_a_csv_at_once_with_its_place() {
    let got = errors(credit::read(&data("失信名单_错误.csv"), &Limits::default()));
    assert_eq!(
        got,
        [
            "失信名单_错误:2:统一社会信用代码: 91140525MA0L00000K: 校验码错误：应为“J”，实为“K”",
            "失信名单_错误:3:移出日期: 2023/9/30: 移出日期早于列入日期（2024-03-01）：请核对这两个日期",
            "失信名单_错误:4:名单名称: : 不能为空",
            "失信名单_错误:4:列入日期: 2024-02-30: 不是有效的日期",
            "失信名单_错误:6:统一社会信用代码: 91140525MA0L00000J: 重复的记录：第5行已有这一主体在“失信被执行人名单”中同一列入日期的记录，请删去其中一行",
        ]
    );
}

/// A workbook as a clerk makes it: a merged title over the header, the list name merged down
/// over the entries of one list, dates as date cells, a serial in a General cell, Chinese text.
fn clerk_workbook(path: &Path) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("名单").unwrap();
    let title = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 5, "泽州县严重失信主体名单", &title).unwrap();
    let header = ["序号", "统一社会信用代码", "企业名称", "名单类型", "来源", "列入日期", "移出日期"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let day = Format::new().set_num_format("yyyy-mm-dd");
    ws.merge_range(2, 3, 3, 3, "失信被执行人名单", &Format::new()).unwrap();
    let rows = [
        ("91140525MA0L00000J", "山西甲机械有限公司", "泽州县人民法院"),
        ("91140525MA0L00030M", "山西丁物流有限公司", "泽州县人民法院"),
    ];
    for (i, (uscc, name, source)) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, *uscc).unwrap();
        ws.write_string(r, 2, *name).unwrap();
        ws.write_string(r, 4, *source).unwrap();
    }
    ws.write_datetime_with_format(2, 5, ExcelDateTime::from_ymd(2023, 11, 20).unwrap(), &day).unwrap();
    ws.write_datetime_with_format(2, 6, ExcelDateTime::from_ymd(2024, 5, 6).unwrap(), &day).unwrap();
    // A serial in a General cell: 45352 is 2024-03-01.
    ws.write_number(3, 5, 45352.0).unwrap();
    ws.write_string(4, 1, "91140525MA0L00040N").unwrap();
    ws.write_string(4, 3, "重大税收违法失信主体名单").unwrap();
    ws.write_string(4, 4, "国家税务总局泽州县税务局").unwrap();
    ws.write_string(4, 5, "2024年3月1日").unwrap();
    book.save(path).unwrap();
}

#[test]
fn an_xlsx_with_a_merged_title_and_merged_list_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名单.xlsx");
    clerk_workbook(&path);
    let read = credit::read(&path, &Limits::default()).unwrap();
    let court = "失信被执行人名单";
    assert_eq!(
        read,
        vec![
            CreditEntry {
                removed: Some(date(2024, 5, 6)),
                ..entry("91140525MA0L00000J", "山西甲机械有限公司", court, "泽州县人民法院", date(2023, 11, 20))
            },
            entry("91140525MA0L00030M", "山西丁物流有限公司", court, "泽州县人民法院", date(2024, 3, 1)),
            CreditEntry {
                name: None,
                ..entry(
                    "91140525MA0L00040N",
                    "",
                    "重大税收违法失信主体名单",
                    "国家税务总局泽州县税务局",
                    date(2024, 3, 1)
                )
            },
        ]
    );
    // In force: from the listed day, until the day before removal.
    assert!(!read[0].in_force_on(date(2023, 11, 19)));
    assert!(read[0].in_force_on(date(2023, 11, 20)));
    assert!(read[0].in_force_on(date(2024, 5, 5)));
    assert!(!read[0].in_force_on(date(2024, 5, 6)));
    assert!(read[1].in_force_on(date(2030, 1, 1)));
    let hits = credit::in_force(&read, "91140525MA0L00000J", date(2024, 1, 1));
    assert_eq!(hits, vec![&read[0]]);
    assert!(credit::in_force(&read, "91140525MA0L00000J", date(2024, 6, 1)).is_empty());
}

#[test]
fn errors_of_a_workbook_a_numeric_code_and_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名单.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Sheet1").unwrap();
    // 认定部门 is missing; 列入时间 is a synonym; 信用代码 too.
    for (c, h) in ["信用代码", "名单名称", "列入时间", "移出日期"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 911_405_250_000_000_000.0).unwrap();
    ws.write_string(1, 1, "失信被执行人名单").unwrap();
    ws.write_string(1, 2, "2024/3/1").unwrap();
    ws.write_string(1, 3, "2024/2/29").unwrap();
    book.save(&path).unwrap();
    let got = errors(credit::read(&path, &Limits::default()));
    assert_eq!(
        got,
        [
            "Sheet1:1:认定部门: : 缺少必需的列“认定部门”（也可写作“来源”“认定单位”“列入部门”“发布部门”“数据来源”“来源单位”）：请在表头行加上这一列",
            "Sheet1:2:信用代码: 911405250000000000: 统一社会信用代码须为文本单元格（Excel 数字只保留15位有效数字，18位代码会被改坏）",
            "Sheet1:2:移出日期: 2024/2/29: 移出日期早于列入日期（2024-03-01）：请核对这两个日期",
        ]
    );
}

#[test]
fn a_near_miss_header_is_named_and_an_empty_list_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("空名单.csv");
    std::fs::write(&path, "统一社会信用码,名单名称,来源,列入日期\n").unwrap();
    assert_eq!(
        errors(credit::read(&path, &Limits::default())),
        [
            "空名单:1:统一社会信用代码: : 缺少必需的列“统一社会信用代码”（也可写作“社会信用代码”“信用代码”“统一代码”“USCC”）：表头中的“统一社会信用码”是否就是这一列？请改为“统一社会信用代码”"
        ]
    );
    std::fs::write(&path, "统一社会信用代码,名单名称,来源,列入日期\r\n,,,\r\n").unwrap();
    assert_eq!(
        errors(credit::read(&path, &Limits::default())),
        ["空名单:1:: : 表头下没有数据行：这份失信名单是空的，请检查是否选错了文件或工作表"]
    );
}

#[test]
fn files_that_are_not_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("tmp123.xlsx");
    std::fs::write(&empty, b"").unwrap();
    let e = credit::read_named(&empty, "失信名单.xlsx", &Limits::default()).unwrap_err();
    assert_eq!(e.to_string(), "是空文件（0 字节），没有数据：请检查是否选错了文件");
    let pdf = dir.path().join("tmp456");
    std::fs::write(&pdf, b"%PDF-1.7\n...").unwrap();
    let e = credit::read_named(&pdf, "名单.pdf", &Limits::default()).unwrap_err();
    assert_eq!(e.to_string(), "是 PDF 文件，不是表格，无法读出数据：请提供失信名单的 Excel 表格（.xlsx）或 CSV 文件");
    // A title and notes but no header row.
    let notes = dir.path().join("说明.csv");
    std::fs::write(&notes, "泽州县失信名单\n本表由县发改委提供\n").unwrap();
    assert_eq!(
        errors(credit::read(&notes, &Limits::default())),
        [
            "说明:1:: 泽州县失信名单: 找不到表头行：前30行中没有一行是失信名单的列名（应有“统一社会信用代码”“名单名称”“认定部门”“列入日期”等）。请在数据上方加上列名行（可从模板复制）后再导入"
        ]
    );
    // Over the size limit: refused before it is read.
    let limits = Limits { max_file_bytes: 10, ..Limits::default() };
    let e = credit::read_named(&data("失信名单_gbk.csv"), "名单.csv", &limits).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge(_)), "{e:?}");
    assert!(e.to_string().starts_with("名单.csv 有 416 字节，超过单个文件的上限 10 字节"), "{e}");
    // A missing file names the file as the clerk knows it.
    let e = credit::read_named(&dir.path().join("nothing"), "名单.xlsx", &Limits::default()).unwrap_err();
    assert_eq!(e.to_string(), "无法读取 名单.xlsx：文件或文件夹不存在，请检查路径");
}

#[test]
fn the_template_reads_its_columns_and_refuses_its_example_row() {
    // Uploaded as it is, the template would put a fictional enterprise on the list.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("模板.xlsx");
    std::fs::write(&path, credit::template_xlsx().unwrap()).unwrap();
    let e = credit::read(&path, &Limits::default()).unwrap_err().to_string();
    assert!(e.contains("1 处错误") && e.contains("这是模板中的示例行"), "{e}");
    assert!(e.contains("失信名单:2:统一社会信用代码"), "the sheet, row and column are named: {e}");
}

#[test]
fn unicode_text_from_excel_is_read_as_tab_separated_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名单.txt");
    let text = "统一社会信用代码\t名单名称\t来源\t列入日期\r\n91140525MA0L00000J\t失信被执行人名单\t泽州县人民法院\t2024/3/1\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&path, bytes).unwrap();
    let read = credit::read(&path, &Limits::default()).unwrap();
    assert_eq!(
        read,
        vec![CreditEntry {
            name: None,
            ..entry("91140525MA0L00000J", "", "失信被执行人名单", "泽州县人民法院", date(2024, 3, 1))
        }]
    );
}

#[test]
fn a_sheet_of_notes_beside_the_list_is_not_skipped_silently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名单.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("名单").unwrap();
    for (c, h) in ["统一社会信用代码", "名单名称", "来源", "列入日期"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["91140525MA0L00000J", "失信被执行人名单", "泽州县人民法院", "2024-03-01"].iter().enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let notes = book.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(2, 1, "数据来源：信用中国（山西晋城）").unwrap();
    book.save(&path).unwrap();
    assert_eq!(
        errors(credit::read(&path, &Limits::default())),
        [
            "说明:3:: 数据来源：信用中国（山西晋城）: 这张工作表找不到表头行，其中的内容没有读入：若是说明，请删去这张工作表；若是失信名单的数据，请在数据上方加上列名行（应有“统一社会信用代码”“名单名称”“认定部门”“列入日期”等）"
        ]
    );
}

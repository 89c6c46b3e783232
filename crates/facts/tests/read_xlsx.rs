//! Reading workbooks: typed cells (numbers, dates, booleans), sheet names, and their errors.
mod common;

use common::*;
use lianzhang_facts::{Fen, ReadError};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use std::path::PathBuf;

/// A workbook from sheets of rows; each cell written by a closure on the worksheet.
fn workbook(build: impl FnOnce(&mut Workbook)) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.xlsx");
    let mut book = Workbook::new();
    build(&mut book);
    book.save(&path).unwrap();
    (dir, path)
}

fn sheet<'a>(book: &'a mut Workbook, name: &str, headers: &[&str]) -> &'a mut Worksheet {
    let ws = book.add_worksheet();
    ws.set_name(name).unwrap();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws
}

#[test]
fn typed_cells_are_read_as_their_text() {
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let (_dir, path) = workbook(|book| {
        let ws = sheet(
            book,
            "企业",
            &["统一社会信用代码", "企业名称", "成立日期", "入链年份", "战略性新兴产业", "行业代码"],
        );
        ws.write_string(1, 0, u(1)).unwrap();
        ws.write_string(1, 1, "甲").unwrap();
        let date = ExcelDateTime::from_ymd(2019, 3, 1).unwrap();
        ws.write_datetime_with_format(1, 2, &date, &date_format).unwrap();
        ws.write_number(1, 3, 2022.0).unwrap();
        ws.write_boolean(1, 4, true).unwrap();
        ws.write_number(1, 5, 3110.0).unwrap();
        ws.write_string(2, 0, u(2)).unwrap();
        ws.write_string(2, 1, "乙").unwrap();
        ws.write_string(2, 2, "2020-01-02").unwrap();
        ws.write_string(2, 3, "2021").unwrap();
        ws.write_string(2, 4, "否").unwrap();
        let ws = sheet(book, "年度数据", &["统一社会信用代码", "年度", "营业收入", "研发投入", "规上企业"]);
        ws.write_string(1, 0, u(1)).unwrap();
        ws.write_number(1, 1, 2023.0).unwrap();
        ws.write_number(1, 2, 12_500_000.5).unwrap();
        ws.write_string(1, 3, "1,234,567.80").unwrap();
        ws.write_number(1, 4, 1.0).unwrap();
    });
    let d = read(&path).unwrap_or_else(|e| panic!("{e}"));
    let a = d.find(&uscc(1)).unwrap();
    assert_eq!(a.enterprise.established, Some(jiff::civil::date(2019, 3, 1)));
    assert_eq!(a.enterprise.chain_joined_year, Some(2022));
    assert_eq!(a.enterprise.strategic_emerging, Some(true));
    assert_eq!(a.enterprise.industry_code.as_deref(), Some("C3110"));
    assert_eq!(a.annual[0].year, 2023);
    assert_eq!(a.annual[0].revenue, Some(Fen(1_250_000_050)));
    assert_eq!(a.annual[0].rd_expense, Some(Fen(123_456_780)), "thousands separators in text cells");
    assert_eq!(a.annual[0].above_scale, Some(true));
    let b = d.find(&uscc(2)).unwrap();
    assert_eq!(b.enterprise.established, Some(jiff::civil::date(2020, 1, 2)));
    assert_eq!(b.enterprise.strategic_emerging, Some(false));
}

#[test]
fn excel_serials_mind_the_1900_leap_year_bug() {
    // Serial 59 is 1900-02-28, 60 the 1900-02-29 Excel believes in, 61 1900-03-01, 43525 2019-03-01.
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let (_dir, path) = workbook(|book| {
        let ws = sheet(book, "enterprises", &["uscc", "name", "established"]);
        for (i, serial) in [59.0, 61.0, 43525.0, 60.0, 43525.5, 0.0].into_iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, u(row)).unwrap();
            ws.write_string(row, 1, "x").unwrap();
            ws.write_number_with_format(row, 2, serial, &date_format).unwrap();
        }
    });
    assert_eq!(
        error_lines(&path),
        [
            // Read as the dates Excel shows, then refused: before 1949 (FACTS.md).
            "企业:2:成立日期: 1900-02-28: 日期的年份 1900 不在 1949 至 2100 之间，请填写四位数字的年份",
            "企业:3:成立日期: 1900-03-01: 日期的年份 1900 不在 1949 至 2100 之间，请填写四位数字的年份",
            "企业:5:成立日期: 60: 不是有效的日期（Excel 的1900年2月29日并不存在）",
            "企业:6:成立日期: 43525.5: 日期不应包含时间",
            "企业:7:成立日期: 0: 不是有效的日期",
        ]
    );
    let (_dir, path) = workbook(|book| {
        let ws = sheet(book, "enterprises", &["uscc", "name", "established"]);
        for (i, serial) in [18264.0, 73415.0, 43525.0].into_iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, u(row)).unwrap();
            ws.write_string(row, 1, "x").unwrap();
            ws.write_number_with_format(row, 2, serial, &date_format).unwrap();
        }
    });
    let d = read(&path).unwrap();
    let dates: Vec<_> = (1..=3).map(|i| d.find(&uscc(i)).unwrap().enterprise.established.unwrap()).collect();
    assert_eq!(dates, [jiff::civil::date(1950, 1, 1), jiff::civil::date(2100, 12, 31), jiff::civil::date(2019, 3, 1)]);
}

#[test]
fn a_uscc_in_a_number_cell_is_refused() {
    let (_dir, path) = workbook(|book| {
        let ws = sheet(book, "enterprises", &["uscc", "name"]);
        ws.write_number(1, 0, 911_100_001_000_128_858.0).unwrap();
        ws.write_string(1, 1, "x").unwrap();
    });
    assert_eq!(
        error_lines(&path),
        [
            "企业:2:统一社会信用代码: 911100001000129000: 统一社会信用代码须为文本单元格（Excel 数字只保留15位有效数字，18位代码会被改坏）"
        ]
    );
}

#[test]
fn errors_carry_the_workbook_row_and_header() {
    let (_dir, path) = workbook(|book| {
        let ws = sheet(book, "企业", &["统一社会信用代码", "企业名称"]);
        ws.write_string(1, 0, u(1)).unwrap();
        ws.write_string(1, 1, "甲").unwrap();
        // Row 3 left blank: skipped, but counted.
        ws.write_string(3, 0, "bad").unwrap();
        ws.write_string(3, 1, "乙").unwrap();
        let ws = sheet(book, "年度数据", &["统一社会信用代码", "年度", "营业收入"]);
        ws.write_string(1, 0, u(1)).unwrap();
        ws.write_number(1, 1, 2023.0).unwrap();
        ws.write_number(1, 2, -5.0).unwrap();
        ws.write_string(2, 0, u(1)).unwrap();
        ws.write_number(2, 1, 2024.0).unwrap();
        ws.write_number(2, 2, 0.001).unwrap();
    });
    assert_eq!(
        error_lines(&path),
        [
            "企业:4:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）",
            "年度数据:2:营业收入: -5: 金额不能为负数",
            "年度数据:3:营业收入: 0.001: 金额最多保留两位小数（分）",
        ]
    );
}

#[test]
fn unknown_sheets_are_errors_unless_empty() {
    let (_dir, path) = workbook(|book| {
        let ws = sheet(book, "enterprises", &["uscc", "name"]);
        ws.write_string(1, 0, u(1)).unwrap();
        ws.write_string(1, 1, "甲").unwrap();
        book.add_worksheet().set_name("Sheet2").unwrap();
        sheet(book, "anual", &["uscc", "year"]);
    });
    assert_eq!(
        error_lines(&path),
        [
            "anual:1:: anual: 未知的工作表（应为 企业、年度数据、认定 或 项目）：这张表没有读入，请改正表名，或删去这张表"
        ]
    );
}

#[test]
fn a_workbook_without_enterprises_is_not_a_dataset() {
    let (_dir, path) = workbook(|book| {
        sheet(book, "annual", &["uscc", "year"]);
    });
    match read(&path) {
        Err(ReadError::NotADataset(m)) => assert!(m.starts_with("没有“企业”工作表"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_sheet_may_start_lower_and_further_right() {
    let (_dir, path) = workbook(|book| {
        let ws = book.add_worksheet();
        ws.set_name("enterprises").unwrap();
        ws.write_string(2, 1, "uscc").unwrap();
        ws.write_string(2, 2, "name").unwrap();
        ws.write_string(3, 1, "bad").unwrap();
        ws.write_string(3, 2, "x").unwrap();
        ws.write_string(4, 1, u(1)).unwrap();
        ws.write_string(4, 2, "y").unwrap();
        ws.write_string(4, 3, "z").unwrap();
    });
    assert_eq!(
        error_lines(&path),
        ["企业:4:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）", "企业:5:D: z: 该列没有表头"]
    );
}

#[test]
fn error_values_are_errors_and_not_reported_twice() {
    let (_dir, path) = workbook(|book| {
        let ws = sheet(book, "enterprises", &["uscc", "name"]);
        ws.write_string(1, 0, u(1)).unwrap();
        ws.write_string(1, 1, "甲").unwrap();
        let ws = sheet(book, "annual", &["uscc", "year", "revenue"]);
        ws.write_formula(1, 0, Formula::new("=NA()").set_result("#N/A")).unwrap();
        ws.write_number(1, 1, 2023.0).unwrap();
        ws.write_formula(1, 2, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    });
    assert_eq!(
        error_lines(&path),
        [
            "年度数据:2:统一社会信用代码: #N/A: 单元格是 Excel 错误值",
            "年度数据:2:营业收入: #DIV/0!: 单元格是 Excel 错误值"
        ]
    );
}

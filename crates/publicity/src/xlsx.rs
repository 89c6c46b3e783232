//! The list as an `.xlsx` workbook: sheet 公示名单 (the lines and their total) and sheet
//! 按条款汇总 (one subtotal per clause).
//!
//! Cell types: every text (names, codes, clauses, reasons) is a string cell, so a USCC is never
//! turned into a number and nothing is ever a formula. Amounts are number cells, so a clerk can
//! sum and filter them: 金额（元） with the format `#,##0.00` and 金额（万元） with
//! `#,##0.00####`; the number is the double nearest to the exact fen amount, which Excel shows
//! exactly up to 15 significant digits (any amount below 10 trillion yuan). 序号 and 项数 are
//! whole numbers. The totals are written as values computed exactly in fen, not as formulas.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::{PublicList, PublicityError, format, summary};

const LIST_SHEET: &str = "公示名单";
const CLAUSE_SHEET: &str = "按条款汇总";
const HEADERS: [&str; 9] = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "产业链",
    "条款",
    "奖励事项",
    "金额（元）",
    "金额（万元）",
    "依据（事实与计算）",
];
const YUAN_FORMAT: &str = "#,##0.00";
const WAN_FORMAT: &str = "#,##0.00####";
/// Width of the reason column, in Excel character units (about 30 hanzi); reasons wrap.
const REASON_WIDTH: f64 = 64.0;

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

fn wan(fen: i64) -> f64 {
    fen as f64 / 1_000_000.0
}

/// Display width in Excel character units: a wide (CJK, full-width) character counts two.
fn width(text: &str) -> usize {
    text.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    text: Format,
    wrap: Format,
    number: Format,
    yuan: Format,
    wan: Format,
    total_text: Format,
    total_yuan: Format,
    total_wan: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        let bold = cell.clone().set_bold();
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            note: Format::new().set_text_wrap().set_align(FormatAlign::VerticalCenter),
            header: bold.clone().set_align(FormatAlign::Center).set_text_wrap().set_background_color(0xE4E4E4),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            number: cell.clone().set_align(FormatAlign::Center),
            yuan: cell.clone().set_num_format(YUAN_FORMAT),
            wan: cell.set_num_format(WAN_FORMAT),
            total_text: bold.clone().set_align(FormatAlign::Right),
            total_yuan: bold.clone().set_num_format(YUAN_FORMAT),
            total_wan: bold.set_num_format(WAN_FORMAT),
        }
    }
}

/// Renders the list as an `.xlsx` workbook (see the module doc for the cell types). Errors:
/// [`PublicityError::Period`], [`PublicityError::Overflow`], and [`PublicityError::Xlsx`] when
/// the writer fails (a bug here).
pub fn xlsx(list: &PublicList) -> Result<Vec<u8>, PublicityError> {
    list.check()?;
    let totals = summary::totals(list)?;
    let fail = |e: XlsxError| PublicityError::Xlsx { detail: e.to_string() };
    let f = Formats::new();
    let mut book = Workbook::new();
    write_list(book.add_worksheet(), list, &totals, &f).map_err(fail)?;
    write_clauses(book.add_worksheet(), &totals, &f).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

fn write_list(
    sheet: &mut Worksheet,
    list: &PublicList,
    totals: &summary::Totals,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(LIST_SHEET)?;
    let last_col = (HEADERS.len() - 1) as u16;
    sheet.merge_range(0, 0, 0, last_col, &list.title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    let notes = [
        format!("发布单位：{}　　{}", list.issuer.trim(), list.document_no_text()),
        list.intro_text(),
        list.period_text(),
        list.objection_text(),
    ];
    for (i, note) in notes.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.merge_range(row, 0, row, last_col, note, &f.note)?;
        // Merged cells do not grow with their text: give long notes a second line.
        if width(note) > 160 {
            sheet.set_row_height(row, 32)?;
        }
    }
    let header_row = 1 + notes.len() as u32;
    for (col, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(header_row, col as u16, *h, &f.header)?;
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;

    let mut widths: Vec<usize> = HEADERS.iter().map(|h| width(h)).collect();
    let mut row = header_row;
    for (i, line) in list.lines.iter().enumerate() {
        row += 1;
        let chain = line.chain.as_deref().unwrap_or("");
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.number)?;
        let texts =
            [(1, line.enterprise.as_str()), (2, &line.uscc), (3, chain), (4, &line.clause), (5, &line.rule_title)];
        for (col, text) in texts {
            sheet.write_string_with_format(row, col, text, &f.wrap)?;
            widths[col as usize] = widths[col as usize].max(width(text));
        }
        sheet.write_number_with_format(row, 6, yuan(line.amount_fen), &f.yuan)?;
        sheet.write_number_with_format(row, 7, wan(line.amount_fen), &f.wan)?;
        sheet.write_string_with_format(row, 8, &line.reason, &f.wrap)?;
        widths[6] = widths[6].max(format::yuan(line.amount_fen).len());
        widths[7] = widths[7].max(format::wan(line.amount_fen).len() + 3);
    }
    row += 1;
    let label = format!("合计：{}家企业，{}项奖励", totals.enterprises, totals.lines);
    sheet.merge_range(row, 0, row, 5, &label, &f.total_text)?;
    sheet.write_number_with_format(row, 6, yuan(totals.amount_fen), &f.total_yuan)?;
    sheet.write_number_with_format(row, 7, wan(totals.amount_fen), &f.total_wan)?;
    sheet.write_string_with_format(row, 8, "", &f.text)?;
    widths[6] = widths[6].max(format::yuan(totals.amount_fen).len());

    row += 2;
    let signed = format!("{}　{}", list.issuer.trim(), format::date(list.published));
    sheet.merge_range(row, 0, row, last_col, &signed, &f.note)?;

    // Readable widths: the widest value plus a margin, within bounds; the reason wraps.
    let bounds = [(6, 6), (12, 40), (20, 22), (8, 24), (10, 24), (10, 30), (14, 20), (12, 16)];
    for (col, (min, max)) in bounds.iter().enumerate() {
        let w = (widths[col] + 2).clamp(*min, *max);
        sheet.set_column_width(col as u16, w as f64)?;
    }
    sheet.set_column_width(8, REASON_WIDTH)?;
    Ok(())
}

fn write_clauses(sheet: &mut Worksheet, totals: &summary::Totals, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(CLAUSE_SHEET)?;
    let headers = ["条款", "奖励事项", "项数", "金额（元）", "金额（万元）"];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &f.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row = 0;
    for c in &totals.clauses {
        row += 1;
        sheet.write_string_with_format(row, 0, &c.clause, &f.text)?;
        sheet.write_string_with_format(row, 1, c.rule_titles.join("、"), &f.wrap)?;
        sheet.write_number_with_format(row, 2, c.lines as f64, &f.number)?;
        sheet.write_number_with_format(row, 3, yuan(c.amount_fen), &f.yuan)?;
        sheet.write_number_with_format(row, 4, wan(c.amount_fen), &f.wan)?;
    }
    row += 1;
    sheet.merge_range(row, 0, row, 1, "合计", &f.total_text)?;
    sheet.write_number_with_format(row, 2, totals.lines as f64, &f.total_text)?;
    sheet.write_number_with_format(row, 3, yuan(totals.amount_fen), &f.total_yuan)?;
    sheet.write_number_with_format(row, 4, wan(totals.amount_fen), &f.total_wan)?;
    for (col, w) in [24.0, 48.0, 8.0, 20.0, 16.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, w)?;
    }
    Ok(())
}

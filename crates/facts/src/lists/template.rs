//! The template of a list: one sheet, the list's headers, one example row; codes and accounts
//! formatted as text (an Excel number keeps 15 digits), dates `yyyy-mm-dd`, money `#,##0.00`.

use super::table::{As, Spec};
use crate::error::WriteError;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

/// The workbook: sheet `sheet`, the header of `spec` (required columns in red; no note row under
/// it, which would be read as data) and `example` (one text per column, dates as `YYYY-MM-DD`,
/// money in yuan).
pub(crate) fn xlsx(sheet: &str, spec: &Spec, example: &[&str]) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let header = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let required = header.clone().set_font_color(rust_xlsxwriter::Color::RGB(0xC0_00_00));
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0.00");
    for (c, column) in spec.columns.iter().enumerate() {
        let col = c as u16;
        let name =
            if column.read_as == As::Money { format!("{}（元）", column.names[0]) } else { column.names[0].into() };
        ws.write_string_with_format(0, col, name, if column.required { &required } else { &header })?;
        let format = match column.read_as {
            As::Date | As::DateTime => &date,
            As::Money => &money,
            As::Text | As::Uscc | As::Account => &text,
        };
        ws.set_column_format(col, format)?;
        ws.set_column_width(col, if column.read_as == As::Uscc || column.read_as == As::Account { 24 } else { 18 })?;
        let value = example.get(c).copied().unwrap_or_default();
        if value.is_empty() {
            continue;
        }
        match column.read_as {
            As::Date | As::DateTime => {
                let d: jiff::civil::Date = value.parse().map_err(|_| WriteError::Io(std::io::Error::other("date")))?;
                let at = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                ws.write_datetime_with_format(1, col, &at, &date)?;
            }
            As::Money => {
                let yuan: f64 = value.parse().map_err(|_| WriteError::Io(std::io::Error::other("money")))?;
                ws.write_number_with_format(1, col, yuan, &money)?;
            }
            _ => {
                ws.write_string_with_format(1, col, value, &text)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}

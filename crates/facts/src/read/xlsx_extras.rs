//! What a worksheet's values do not show: formula cells whose result was never saved, and
//! merged cells below the header (issue 8 item 1).

use super::row::{Errors, SheetInfo};
use super::schema::{CellKind, column_letter};
use super::xlsx::cell_text;
use calamine::Data;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;

/// What a worksheet's values do not show: formulas without a saved result, merged cells.
pub(crate) struct Extras {
    /// Formula cells without a cached value: (row, col) → formula.
    uncached: HashMap<(u32, u32), String>,
    /// Merged areas (absolute rows and columns).
    merged: Vec<calamine::Dimensions>,
}

impl Extras {
    pub(crate) fn of(
        book: &mut calamine::Sheets<BufReader<File>>,
        name: &str,
        range: &calamine::Range<Data>,
    ) -> Extras {
        let mut uncached = HashMap::new();
        for (at, f) in super::xlsx_bounded::formulas(book, name) {
            if range.get_value(at).is_none_or(|d| matches!(d, Data::Empty)) {
                uncached.insert(at, f);
            }
        }
        let merged = match book {
            calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            _ => Vec::new(),
        };
        Extras { uncached, merged }
    }
}

/// Merged cells below the header. Merged down over several rows, a key, text, year or flag is
/// the value of every row it covers (a USCC merged over an enterprise's years), and is filled
/// down; an amount is not (one amount cannot be every row's), and is refused once per area.
/// Returns the cells already reported.
pub(crate) fn unmerge(
    info: &SheetInfo,
    range: &mut calamine::Range<Data>,
    header_row: u32,
    extras: &Extras,
    errors: &mut Errors,
) -> HashSet<(u32, u32)> {
    let mut silenced = HashSet::new();
    let Some((_, left)) = range.start() else { return silenced };
    for m in &extras.merged {
        let ((r0, c0), (r1, c1)) = (m.start, m.end);
        if r0 <= header_row || r1 == r0 || c0 < left {
            continue;
        }
        let col = (c0 - left) as usize;
        let field = info.field_at(col);
        if field.is_some_and(|f| f.cell == CellKind::Money) {
            let area = format!("{}{}:{}{}", column_letter(c0 as usize), r0 + 1, column_letter(c1 as usize), r1 + 1);
            let mut value = String::new();
            if let Some(d) = range.get_value((r0, c0)) {
                let _ = cell_text(d, CellKind::Money, &mut value);
            }
            let reason = format!(
                "{area} 是合并单元格：一个金额不能同时作为{}行的数值。请取消合并，在每一行填写各自的金额",
                r1 - r0 + 1
            );
            errors.push(info, r0 + 1, Some(col), info.column_at(col).as_str(), &value, reason);
            for r in r0..=r1 {
                silenced.insert((r, c0));
            }
            continue;
        }
        let Some(top_value) = range.get_value((r0, c0)).cloned() else { continue };
        let end = range.end().map_or(r1, |(last, _)| last.min(r1));
        for r in r0 + 1..=end {
            if range.get_value((r, c0)).is_none_or(|d| matches!(d, Data::Empty)) {
                range.set_value((r, c0), top_value.clone());
            }
        }
    }
    silenced
}

/// Formula cells below the header with no saved result (a file written by a program and never
/// opened in Excel): one error for the sheet, at the first, never "unknown" values.
pub(crate) fn uncached(
    info: &SheetInfo,
    header_row: u32,
    extras: &Extras,
    mut silenced: HashSet<(u32, u32)>,
    errors: &mut Errors,
) -> HashSet<(u32, u32)> {
    let left = info.left as u32;
    let mut found: Vec<(&(u32, u32), &String)> =
        extras.uncached.iter().filter(|((r, c), _)| *r > header_row && *c >= left).collect();
    if found.is_empty() {
        return silenced;
    }
    found.sort();
    let (&(r, c), formula) = found[0];
    let col = (c - left) as usize;
    let count = if found.len() > 1 {
        format!("本表有 {} 个公式单元格", found.len())
    } else {
        "这个公式单元格".into()
    };
    let reason = format!(
        "{count}没有保存计算结果（文件可能由其他程序生成，从未在 Excel 中打开）：请用 Excel 或 WPS 打开此文件，保存后再导入"
    );
    errors.push(info, r + 1, Some(col), info.column_at(col).as_str(), &format!("={formula}"), reason);
    silenced.extend(found.iter().map(|(at, _)| **at));
    silenced
}

//! The cells and headers of a list as text: a cell read for its column's kind (the facts
//! reader's `cell_text`, with a bank's date-and-time and a long account number as a bank writes
//! them), headers compared as a clerk may write them.

use super::table::As;
use crate::read::schema::CellKind;
use crate::read::values::{Reason, half_width};
use crate::read::xlsx::cell_text;
use calamine::Data;

/// A header or a title as text.
pub(crate) fn plain(d: &Data) -> String {
    let mut out = String::new();
    let _ = cell_text(d, CellKind::Plain, &mut out);
    out
}

/// `合计`, `总计：共 12 笔`: the total line under a bank's rows.
pub(crate) fn is_total(text: &str) -> bool {
    let t = text.trim();
    ["合计", "总计", "小计"].iter().any(|w| t.starts_with(w))
}

/// A header as compared: full-width forms half-width, no spaces, a BOM dropped.
pub(crate) fn normalize(h: &str) -> String {
    half_width(h.trim_start_matches('\u{feff}')).chars().filter(|c| !c.is_whitespace()).collect()
}

/// A normalized header without a unit of yuan: `金额(元)` is `金额`.
pub(crate) fn strip_yuan(h: &str) -> &str {
    for unit in ["(元)", "(单位:元)", "(人民币元)", "(单位:人民币元)"] {
        if let Some(base) = h.strip_suffix(unit) {
            return base;
        }
    }
    h
}

/// Whether an unknown header is a near miss of a column name (a typo, a character too many).
pub(crate) fn near(header: &str, name: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (normalize(header).chars().collect(), name.chars().collect());
    if a.len() > 40 {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    let d = prev[b.len()];
    d > 0 && d <= (b.len() / 3).max(1)
}

/// The text of a cell for a column read `as`; on error, `out` holds the value to show.
pub(crate) fn read_cell(d: &Data, read_as: As, out: &mut String) -> Result<(), Reason> {
    match read_as {
        As::Text => cell_text(d, CellKind::Plain, out),
        As::Uscc => cell_text(d, CellKind::Uscc, out),
        As::Money => cell_text(d, CellKind::Money, out),
        As::Account => match d {
            Data::Int(_) | Data::Float(_) => {
                cell_text(d, CellKind::Plain, out)?;
                if out.bytes().filter(u8::is_ascii_digit).count() > 15 {
                    return Err("银行账号须为文本单元格（Excel 数字只保留15位有效数字，更长的账号会被改坏）：请把该列设为“文本”格式后重新填写".into());
                }
                Ok(())
            }
            _ => cell_text(d, CellKind::Plain, out),
        },
        As::Date | As::DateTime => {
            let timed = read_as == As::DateTime;
            match d {
                Data::DateTime(dt) if timed && !dt.is_duration() => {
                    let (y, m, day, ..) = dt.to_ymd_hms_milli();
                    out.push_str(&format!("{y:04}-{m:02}-{day:02}"));
                    Ok(())
                }
                Data::Float(f) if timed => cell_text(&Data::Float(f.floor()), CellKind::Date, out),
                Data::String(s) => {
                    let s = s.trim();
                    // An Excel serial saved as text (a General cell in a CSV file): 45352.
                    if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
                        let serial: f64 = s.parse().unwrap_or_default();
                        return cell_text(&Data::Float(serial), CellKind::Date, out);
                    }
                    let day = match s.split_once([' ', 'T']) {
                        Some((day, time))
                            if timed && time.trim().bytes().all(|b| b.is_ascii_digit() || b == b':' || b == b'.') =>
                        {
                            day
                        }
                        _ => s,
                    };
                    out.push_str(day);
                    Ok(())
                }
                _ => cell_text(d, CellKind::Date, out),
            }
        }
    }
}

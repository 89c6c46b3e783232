//! A workbook read within [`Limits`]: its zip entries inflated once, counted, before calamine
//! sees them; worksheets gathered cell by cell, so that a sheet whose used range spans the
//! whole grid (a value in A1 and one in XFD1048576, a few bytes in the file) is refused before
//! a grid of seventeen billion cells is allocated.

use super::limits::{Limits, size};
use crate::error::ReadError;
use calamine::{Cell, Data, DataRef, Range, Reader};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

pub(crate) type Book = calamine::Sheets<BufReader<File>>;

/// Checks what a zip workbook inflates to, before calamine reads it: the sizes its directory
/// declares, then the bytes each entry actually inflates to (a header may lie), stopping at the
/// limit. An archive the zip reader cannot open is left to calamine, which refuses it.
pub(crate) fn check_zip(path: &Path, limits: &Limits) -> Result<(), ReadError> {
    let io = |source| ReadError::Io { path: path.to_path_buf(), cause: source };
    let file = File::open(path).map_err(io)?;
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else { return Ok(()) };
    let max = limits.max_unzipped_bytes;
    let too_large = |how: &str| {
        ReadError::TooLarge(format!(
            "解压后超过上限 {}{how}：这不像一份企业数据表（可能是压缩炸弹或损坏的文件），请检查文件；若确是本县数据，请分成几个文件导入（上限由环境变量 LIANZHANG_MAX_UNZIPPED_MB 设定）",
            size(max)
        ))
    };
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else { continue };
        declared = declared.saturating_add(entry.size());
        if declared > max {
            return Err(too_large("（按压缩包中记录的大小）"));
        }
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else { continue };
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut runs = cells_entry(&name).then(Runs::default);
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            total += n as u64;
            if total > max {
                return Err(too_large(""));
            }
            if let Some(runs) = &mut runs
                && let Some(over) = runs.feed(&buf[..n])
            {
                return Err(over.refusal(&name));
            }
        }
    }
    Ok(())
}

/// The longest text between two tags an entry holding cells may have, in bytes: a cell holds at
/// most [`crate::typed::CELL_MAX_CHARS`] characters, four bytes each at most in UTF-8, and an
/// entity (`&amp;`) takes up to six bytes for one character.
pub(crate) const MAX_TEXT_RUN_BYTES: u64 = 6 * crate::typed::CELL_MAX_CHARS as u64;

/// The longest tag (`<` … `>`, with its attributes) an entry holding cells may have, in bytes.
pub(crate) const MAX_TAG_BYTES: u64 = 64 << 10;

/// Whether a zip entry holds cell text that calamine builds whole: a worksheet, the shared
/// strings of an .xlsx, or the content of an .ods.
fn cells_entry(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("xl/worksheets/") && lower.ends_with(".xml"))
        || lower == "xl/sharedstrings.xml"
        || lower == "content.xml"
}

/// The longest text run and tag of an XML entry, counted as it inflates, so that a cell of
/// hundreds of megabytes is refused before any reader builds it as one string.
#[derive(Default)]
struct Runs {
    in_tag: bool,
    run: u64,
}

/// What went over a bound of [`Runs`].
enum Over {
    Text,
    Tag,
}

impl Runs {
    /// Counts `bytes`; the first bound a run goes over.
    fn feed(&mut self, mut bytes: &[u8]) -> Option<Over> {
        while !bytes.is_empty() {
            let stop = bytes.iter().position(|&b| b == b'<' || (self.in_tag && b == b'>'));
            let len = stop.unwrap_or(bytes.len());
            self.run += len as u64;
            if let Some(over) = self.over() {
                return Some(over);
            }
            let Some(at) = stop else { break };
            self.in_tag = bytes[at] == b'<';
            self.run = 0;
            bytes = &bytes[at + 1..];
        }
        None
    }

    fn over(&self) -> Option<Over> {
        match self.in_tag {
            false if self.run > MAX_TEXT_RUN_BYTES => Some(Over::Text),
            true if self.run > MAX_TAG_BYTES => Some(Over::Tag),
            _ => None,
        }
    }
}

impl Over {
    /// The sentence for a workbook whose entry `entry` holds a run over its bound.
    fn refusal(&self, entry: &str) -> ReadError {
        let part = if entry.eq_ignore_ascii_case("xl/sharedStrings.xml") {
            format!("共享文字表“{}”", crate::typed::shown(entry))
        } else {
            format!("工作表文件“{}”", crate::typed::shown(entry))
        };
        let what = match self {
            Over::Text => format!(
                "有一段文字超过 {MAX_TEXT_RUN_BYTES} 字节，超出一个单元格最多 {} 个字的上限",
                crate::typed::CELL_MAX_CHARS
            ),
            Over::Tag => format!("有一个 XML 标记超过 {} KB", MAX_TAG_BYTES >> 10),
        };
        ReadError::TooLarge(format!(
            "{part}中{what}，未读取：这不像一份企业数据表（可能是损坏或被改动过的文件），请在 Excel 或 WPS 中打开检查，删去超长的内容后另存再导入"
        ))
    }
}

/// The sentence for a worksheet whose used range is too large.
fn range_too_large(sheet: &str, (rows, cols): (u64, u64), limits: &Limits) -> ReadError {
    ReadError::TooLarge(format!(
        "工作表“{}”的使用范围有 {rows} 行 × {cols} 列，超过上限 {} 个单元格：请删去表格右侧和下方多余的内容（包括只有空格的单元格）后再导入（上限由环境变量 LIANZHANG_MAX_SHEET_CELLS 设定）",
        crate::typed::shown(sheet),
        limits.max_sheet_cells
    ))
}

/// The extent (rows, columns) of cells, if any.
fn extent(cells: &[Cell<Data>]) -> Option<(u64, u64)> {
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0, u32::MAX, 0);
    for c in cells {
        let (r, col) = c.get_position();
        (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(col), c1.max(col));
    }
    (r0 <= r1).then(|| (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1))
}

/// The non-empty cells of a worksheet, read one by one, with the used range checked against
/// [`Limits::max_sheet_cells`] before it becomes a grid. Formats without a cell reader (.xls,
/// .ods) are read by calamine whole; their grids are bounded by the file size (an .xls has at
/// most 65,536 × 256 cells).
pub(crate) fn range(book: &mut Book, name: &str, limits: &Limits) -> Result<Option<Range<Data>>, ReadError> {
    let mut cells: Vec<Cell<Data>> = Vec::new();
    let push = |cell: Cell<DataRef<'_>>, cells: &mut Vec<Cell<Data>>| {
        if !matches!(cell.get_value(), DataRef::Empty) {
            let pos = cell.get_position();
            cells.push(Cell::new(pos, Data::from(cell.get_value().clone())));
        }
    };
    match book {
        calamine::Sheets::Xlsx(x) => {
            let mut reader = match x.worksheet_cells_reader(name) {
                Ok(r) => r,
                // A chart sheet: no cells (as calamine's own range reader has it).
                Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Some(Range::default())),
                Err(_) => return Ok(None),
            };
            loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => push(cell, &mut cells),
                    Ok(None) => break,
                    // Damaged: never a sheet cut short without a word.
                    Err(_) => return Ok(None),
                }
            }
        }
        calamine::Sheets::Xlsb(x) => {
            let Ok(mut reader) = x.worksheet_cells_reader(name) else { return Ok(None) };
            loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => push(cell, &mut cells),
                    Ok(None) => break,
                    Err(_) => return Ok(None),
                }
            }
        }
        other => return Ok(other.worksheet_range(name).ok()),
    }
    if let Some((rows, cols)) = extent(&cells)
        && rows.saturating_mul(cols) > limits.max_sheet_cells
    {
        return Err(range_too_large(name, (rows, cols), limits));
    }
    Ok(Some(Range::from_sparse(cells)))
}

/// The formulas of a worksheet's cells: (absolute row, column) and the formula, read cell by
/// cell where the format allows (never as a grid spanning the used range).
pub(crate) fn formulas(book: &mut Book, name: &str) -> Vec<((u32, u32), String)> {
    let mut out = Vec::new();
    match book {
        calamine::Sheets::Xlsx(x) => {
            let Ok(mut reader) = x.worksheet_cells_reader(name) else { return out };
            while let Ok(Some(cell)) = reader.next_formula() {
                if !cell.get_value().trim().is_empty() {
                    out.push((cell.get_position(), cell.get_value().clone()));
                }
            }
        }
        calamine::Sheets::Xlsb(x) => {
            let Ok(mut reader) = x.worksheet_cells_reader(name) else { return out };
            while let Ok(Some(cell)) = reader.next_formula() {
                if !cell.get_value().trim().is_empty() {
                    out.push((cell.get_position(), cell.get_value().clone()));
                }
            }
        }
        other => {
            let Ok(formulas) = other.worksheet_formula(name) else { return out };
            let (top, left) = formulas.start().unwrap_or((0, 0));
            for (r, c, f) in formulas.used_cells() {
                if !f.trim().is_empty() {
                    out.push(((top + r as u32, left + c as u32), f.clone()));
                }
            }
        }
    }
    out
}

//! A list file as grids of cells, one per worksheet (a CSV file is one grid): its format decided
//! from its content, read within [`Limits`] by the facts reader's own parts (`read::sniff`,
//! `read::csv::read_bounded`, `read::text::delimiter`, `read::xlsx_bounded`).

use crate::error::ReadError;
use crate::read::limits::{self, Limits};
use crate::read::{csv as csv_file, sniff, text, xlsx_bounded};
use calamine::{Data, Reader};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// One worksheet (or the CSV file) as rows of cells.
pub(crate) struct Grid {
    /// The sheet's name as written (a CSV file: the stem of its name).
    pub name: String,
    /// Each row: its spreadsheet row number (1-based) and its cells from column `left`.
    pub lines: Vec<(u32, Vec<Data>)>,
    /// The worksheet column (0-based) of each row's first cell.
    pub left: u32,
    /// Merged areas spanning rows: (index of the first line, index of the last, column index).
    pub merged: Vec<(usize, usize, usize)>,
}

/// The grids of the file at `path` (`stem`: the name a CSV file's grid takes), every worksheet
/// with a cell in it, in the workbook's order.
///
/// # Errors
/// A file that cannot be read, goes over a limit or is not a table (`what` names the list in the
/// sentence: `失信名单`).
pub(crate) fn grids(path: &Path, stem: &str, limits: &Limits, what: &str) -> Result<Vec<Grid>, ReadError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(cause) => {
            return Err(match limits::present(path) {
                Some(Err(why)) => ReadError::NotADataset(why),
                _ => ReadError::Io { path: path.to_path_buf(), cause },
            });
        }
    };
    if meta.is_dir() {
        return Err(ReadError::NotADataset(format!("这是一个文件夹，应为一份{what}表格文件")));
    }
    if !meta.is_file() {
        return Err(ReadError::NotADataset("不是普通文件（是设备、管道或套接字），无法作为数据读取".into()));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ReadError::TooLarge(limits::file_too_large(path, meta.len(), limits)));
    }
    let io = |cause| ReadError::Io { path: path.to_path_buf(), cause };
    let format = sniff::sniff(&sniff::head(path).map_err(io)?);
    let book = match format {
        sniff::Format::Text => return csv(path, stem, limits).map(|g| vec![g]),
        sniff::Format::Pdf => {
            return Err(ReadError::NotADataset(format!(
                "是 PDF 文件，不是表格，无法读出数据：请提供{what}的 Excel 表格（.xlsx）或 CSV 文件"
            )));
        }
        sniff::Format::Zip => match sniff::archive(path) {
            sniff::Archive::Xlsx => Book::Xlsx,
            sniff::Archive::Xlsb => Book::Xlsb,
            sniff::Archive::Ods => Book::Ods,
            _ => return Err(ReadError::NotADataset(sniff::refusal(format, path))),
        },
        sniff::Format::Compound => Book::Xls,
        _ => return Err(ReadError::NotADataset(sniff::refusal(format, path))),
    };
    if book != Book::Xls {
        xlsx_bounded::check_zip(path, limits)?;
    }
    let read = std::panic::catch_unwind(|| workbook(path, book, limits));
    read.unwrap_or_else(|_| Err(damaged(path, book)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Book {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// A workbook that could not be read: the facts reader's sentence, never the library's message.
fn damaged(path: &Path, book: Book) -> ReadError {
    let format = if book == Book::Xls { sniff::Format::Compound } else { sniff::Format::Zip };
    ReadError::NotADataset(sniff::refusal(format, path))
}

fn workbook(path: &Path, kind: Book, limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    let file = File::open(path).map_err(|cause| ReadError::Io { path: path.to_path_buf(), cause })?;
    let file = BufReader::new(file);
    let book = match kind {
        Book::Xlsx => calamine::Xlsx::new(file).map(calamine::Sheets::Xlsx).ok(),
        Book::Xlsb => calamine::Xlsb::new(file).map(calamine::Sheets::Xlsb).ok(),
        Book::Xls => calamine::Xls::new(file).map(calamine::Sheets::Xls).ok(),
        Book::Ods => calamine::Ods::new(file).map(calamine::Sheets::Ods).ok(),
    };
    let mut book = book.ok_or_else(|| damaged(path, kind))?;
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        // The import template's guide and code lists carry no data.
        if crate::read::TEMPLATE_SHEETS.contains(&name.trim()) {
            continue;
        }
        let range = xlsx_bounded::range(&mut book, &name, limits)?.ok_or_else(|| damaged(path, kind))?;
        let Some((top, left)) = range.start() else { continue };
        let merged = match &mut book {
            calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        };
        let lines: Vec<(u32, Vec<Data>)> =
            range.rows().enumerate().map(|(i, line)| (top + i as u32 + 1, line.to_vec())).collect();
        let merged = merged
            .iter()
            .filter(|m| m.end.0 > m.start.0 && m.start.0 >= top && m.start.1 >= left)
            .map(|m| ((m.start.0 - top) as usize, (m.end.0 - top) as usize, (m.start.1 - left) as usize))
            .collect();
        grids.push(Grid { name, lines, left, merged });
    }
    Ok(grids)
}

/// A CSV file as one grid: UTF-8 (with or without BOM), GB18030/GBK as Excel saves it on
/// Chinese Windows, or UTF-16 ("Unicode 文本"); comma, tab or semicolon separated.
fn csv(path: &Path, stem: &str, limits: &Limits) -> Result<Grid, ReadError> {
    let bytes = csv_file::read_bounded(path, limits)?;
    let text = decode(&bytes).ok_or_else(|| ReadError::NotADataset(text::unreadable(path)))?;
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = text::delimiter(text.as_bytes());
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    let (mut counted, mut line) = (0usize, 1u32);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(ReadError::NotADataset(text::unreadable(path))),
        }
        // The record's position is taken before the reader skips the line ends ahead of it
        // (blank lines, the `\n` of a CRLF): its row is the line of its first other byte.
        let mut start = record.position().map_or(counted, |p| p.byte() as usize);
        let bytes = text.as_bytes();
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let start = start.max(counted);
        line += bytes[counted..start].iter().filter(|&&b| b == b'\n').count() as u32;
        counted = start;
        lines.push((line, record.iter().map(|f| Data::String(f.to_string())).collect()));
    }
    Ok(Grid { name: stem.to_string(), lines, left: 0, merged: Vec::new() })
}

/// A CSV file's text, whatever encoding a Chinese office saved it in; `None` if none fits.
fn decode(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some((UTF_16LE, &bytes[2..])),
        [0xFE, 0xFF, ..] => Some((UTF_16BE, &bytes[2..])),
        _ => sniff::utf16_without_bom(&bytes[..bytes.len().min(8192)]).map(|e| (e, bytes)),
    };
    if let Some((encoding, rest)) = utf16 {
        return encoding.decode_without_bom_handling_and_without_replacement(rest);
    }
    let rest = bytes.strip_prefix(csv_file::BOM);
    match std::str::from_utf8(rest.unwrap_or(bytes)) {
        Ok(t) => Some(std::borrow::Cow::Borrowed(t)),
        // A BOM said UTF-8: bytes that are not are damage, not another encoding.
        Err(_) if rest.is_some() => None,
        Err(_) => GB18030.decode_without_bom_handling_and_without_replacement(bytes),
    }
}

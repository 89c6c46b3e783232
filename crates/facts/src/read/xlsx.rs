//! A dataset as one workbook (.xlsx, .xlsm, .xls, .xlsb, .ods), read with calamine: a sheet per
//! sheet of FACTS.md, named in English or Chinese.

use super::row::{Cell, Cells, Errors, SheetInfo};
use super::schema::{CellKind, SheetKind, column_letter};
use super::sheets::{Fold, Parse, Recent, Rows, Source, parse_row};
use super::sniff;
use crate::error::ReadError;
use crate::stamp::{ExportStamp, STAMP_SHEET};
use calamine::{Data, Reader};
use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// The kind of workbook a file is, from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Book {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// Reads every sheet of a workbook into `rows`. A damaged file is an error, never a panic.
pub(crate) fn read_workbook(path: &Path, kind: Book, rows: &mut Rows<'_>) -> Result<(), ReadError> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_sheets(path, kind, rows)));
    read.unwrap_or_else(|_| Err(damaged(path, kind)))
}

/// A workbook that could not be read: one sentence, never the library's message.
fn damaged(path: &Path, kind: Book) -> ReadError {
    let what = path.display().to_string();
    let format = match kind {
        Book::Xls => sniff::Format::Compound,
        _ => sniff::Format::Zip,
    };
    ReadError::NotADataset(sniff::refusal(&what, format, path))
}

fn open(path: &Path, kind: Book) -> Result<calamine::Sheets<BufReader<File>>, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    let file = BufReader::new(file);
    let book = match kind {
        Book::Xlsx => calamine::Xlsx::new(file).map(calamine::Sheets::Xlsx).ok(),
        Book::Xlsb => calamine::Xlsb::new(file).map(calamine::Sheets::Xlsb).ok(),
        Book::Xls => calamine::Xls::new(file).map(calamine::Sheets::Xls).ok(),
        Book::Ods => calamine::Ods::new(file).map(calamine::Sheets::Ods).ok(),
    };
    book.ok_or_else(|| damaged(path, kind))
}

fn read_sheets(path: &Path, format: Book, rows: &mut Rows<'_>) -> Result<(), ReadError> {
    let mut book = open(path, format)?;
    let names = book.sheet_names();
    let mut sheets: Vec<(SheetKind, String)> = Vec::new();
    let mut unknown = Vec::new();
    for name in &names {
        match SheetKind::from_name(name) {
            Some(kind) => {
                if let Some((_, other)) = sheets.iter().find(|(k, _)| *k == kind) {
                    return Err(ReadError::NotADataset(format!(
                        "{}：工作表“{other}”与“{name}”是同一张表（{}），请只保留一个",
                        path.display(),
                        kind.en()
                    )));
                }
                sheets.push((kind, name.clone()));
            }
            None if super::TEMPLATE_SHEETS.contains(&name.trim()) => {}
            None if name.trim() == STAMP_SHEET => {
                let range = book.worksheet_range(name).map_err(|_| damaged(path, format))?;
                read_stamp(&range, rows);
            }
            None => unknown.push(name.clone()),
        }
    }
    if !sheets.iter().any(|(k, _)| *k == SheetKind::Enterprises) {
        return Err(ReadError::NotADataset(format!(
            "{} 中没有 enterprises（或 企业）工作表：不是一个数据集（工作表：{}）",
            path.display(),
            names.join("、")
        )));
    }
    sheets.sort_by_key(|(k, _)| *k);
    for (kind, name) in &sheets {
        let range = book.worksheet_range(name).map_err(|_| damaged(path, format))?;
        read_range(*kind, name, &range, rows);
    }
    // Other sheets are errors (a typo in a sheet name must not drop its rows), unless empty.
    for (i, name) in unknown.iter().enumerate() {
        let range = book.worksheet_range(name).map_err(|_| damaged(path, format))?;
        if range.cells().any(|(_, _, d)| !is_blank(d)) {
            let info = SheetInfo {
                kind: SheetKind::Enterprises,
                name: name.clone(),
                order: 10 + i as u32,
                of_field: Vec::new(),
                header: Vec::new(),
                headless: Vec::new(),
                columns: Vec::new(),
                left: 0,
            };
            let reason =
                "未知的工作表（应为 enterprises、annual、recognitions、projects 或 企业、年度数据、认定、项目）";
            rows.errors.push(&info, 1, None, "", name, reason.into());
        }
    }
    Ok(())
}

/// Reads the export stamp from its sheet: 项目 / 内容 under a header row.
fn read_stamp(range: &calamine::Range<Data>, rows: &mut Rows<'_>) {
    let top = range.start().map_or(0, |(r, _)| r);
    let mut lines = Vec::new();
    for (i, line) in range.rows().enumerate().skip(1) {
        let text = |c: usize| {
            let mut out = String::new();
            if let Some(d) = line.get(c) {
                let _ = cell_text(d, CellKind::Plain, &mut out);
            }
            out
        };
        lines.push((top + 1 + i as u32, text(0), text(1)));
    }
    match ExportStamp::from_rows(lines.iter().map(|(r, a, b)| (*r, a.as_str(), b.as_str()))) {
        Ok(stamp) => rows.stamp = Some(stamp),
        Err((row, value, reason)) => rows.errors.stamp(row, &value, reason),
    }
}

fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn read_range(kind: SheetKind, name: &str, range: &calamine::Range<Data>, rows: &mut Rows<'_>) {
    let Some((top, left)) = range.start() else {
        if kind == SheetKind::Enterprises {
            rows.start(kind, name, &[], (1, 0));
        }
        return;
    };
    let mut lines = range.rows();
    let Some(header) = lines.next() else { return };
    let mut cells = RowCells { texts: Vec::new(), reported: Vec::new() };
    cells.fill(header, None, top + 1, left, &mut rows.errors);
    let headers: Vec<&str> = cells.texts.iter().map(String::as_str).collect();
    let info = rows.start(kind, name, &headers, (top + 1, left as usize));
    let mut source = RangeRows { lines, top, left, cells };
    let Ok(()) = rows.read(&info, &mut source);
}

/// The data rows of a worksheet, read one by one on this thread (a worksheet is small).
struct RangeRows<'a> {
    lines: calamine::Rows<'a, Data>,
    top: u32,
    left: u32,
    cells: RowCells,
}

impl Source for RangeRows<'_> {
    type Stop = std::convert::Infallible;

    fn drive<P: Parse, F: Fold<Row = P::Row>>(
        &mut self,
        sheet: &SheetInfo,
        parse: &P,
        fold: &mut F,
        errors: &mut Errors,
    ) -> Result<(), Self::Stop> {
        let mut recent = Recent::default();
        for (i, line) in self.lines.by_ref().enumerate() {
            let row = self.top + 2 + i as u32;
            self.cells.fill(line, Some(sheet), row, self.left, errors);
            if let Some(parsed) = parse_row(parse, sheet, row, &self.cells, errors, &mut recent) {
                fold.fold(sheet, row, parsed, errors);
            }
        }
        Ok(())
    }
}

/// One worksheet row as text, in buffers reused from row to row.
struct RowCells {
    texts: Vec<String>,
    reported: Vec<bool>,
}

impl RowCells {
    /// Converts a row's cells; errors (error values, numeric USCCs, impossible dates) are
    /// reported here and the cells marked. `info` is `None` for the header row.
    fn fill(&mut self, line: &[Data], info: Option<&SheetInfo>, row: u32, left: u32, errors: &mut Errors) {
        self.texts.resize_with(line.len(), String::new);
        self.reported.clear();
        self.reported.resize(line.len(), false);
        for (col, (data, text)) in line.iter().zip(&mut self.texts).enumerate() {
            text.clear();
            let kind = info.and_then(|i| i.field_at(col)).map_or(CellKind::Plain, |f| f.cell);
            if let Err(reason) = cell_text(data, kind, text) {
                // A header cell holding an error value stays as text: an unknown column.
                let Some(info) = info else { continue };
                self.reported[col] = true;
                let column = info.column_at(col);
                errors.push(info, row, Some(col), &column, text, reason);
            }
        }
    }
}

impl Cells for RowCells {
    fn len(&self) -> usize {
        self.texts.len()
    }

    fn cell(&self, col: usize) -> Cell<'_> {
        match (self.texts.get(col), self.reported.get(col)) {
            (Some(_), Some(true)) => Cell::Reported,
            (Some(t), _) => Cell::Text(t),
            (None, _) => Cell::Text(""),
        }
    }
}

/// The text of a cell for a column of `kind`; on error, `out` holds the value to show.
fn cell_text(data: &Data, kind: CellKind, out: &mut String) -> Result<(), String> {
    match data {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) if kind != CellKind::Date => out.push_str(s),
        Data::String(s) | Data::DurationIso(s) => out.push_str(s),
        Data::DateTimeIso(s) => {
            // `2008-03-15T00:00:00` from ODS: a date at midnight is the date.
            match s.split_once('T') {
                Some((d, t)) if t.bytes().all(|b| matches!(b, b'0' | b':' | b'.')) => out.push_str(d),
                _ => out.push_str(s),
            }
        }
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
            if kind == CellKind::Uscc {
                return Err(NUMERIC_USCC.into());
            }
        }
        Data::Float(f) => {
            // The shortest text that reads back as the same float: `2023`, `12500000.5`.
            let _ = write!(out, "{f}");
            if kind == CellKind::Uscc {
                return Err(NUMERIC_USCC.into());
            }
        }
        Data::DateTime(dt) if kind == CellKind::Date => return excel_date(dt, out),
        Data::DateTime(dt) => {
            let _ = write!(out, "{}", dt.as_f64());
        }
        Data::Error(e) => {
            let _ = write!(out, "{e}");
            return Err("单元格是 Excel 错误值".into());
        }
    }
    Ok(())
}

const NUMERIC_USCC: &str = "统一社会信用代码须为文本单元格（Excel 数字只保留15位有效数字，18位代码会被改坏）";

/// An Excel date serial as `YYYY-MM-DD`. Excel counts 1900-02-29, which never was (serial 60);
/// calamine accounts for that and for the 1904 system.
fn excel_date(dt: &calamine::ExcelDateTime, out: &mut String) -> Result<(), String> {
    let serial = dt.as_f64();
    let _ = write!(out, "{serial}");
    // Serials 1..2958466 are 1900-01-01..=9999-12-31 (in the 1904 system they start later).
    if !(1.0..2_958_466.0).contains(&serial) || dt.is_duration() {
        return Err("不是有效的日期".into());
    }
    let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
    if (hh, mm, ss, ms) != (0, 0, 0, 0) {
        return Err("日期不应包含时间".into());
    }
    if jiff::civil::Date::new(y as i16, m as i8, d as i8).is_err() {
        // 1900-02-29.
        return Err("不是有效的日期（Excel 的1900年2月29日并不存在）".into());
    }
    out.clear();
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
    Ok(())
}

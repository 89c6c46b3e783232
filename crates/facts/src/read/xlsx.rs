//! A dataset as one workbook (.xlsx, .xlsm, .xls, .xlsb, .ods), read with calamine: a sheet per
//! sheet of FACTS.md, named in English or Chinese.

use super::limits::Limits;
use super::row::{Cell, Cells, Errors, SheetInfo};
use super::schema::{CellKind, HEADER_SEARCH_ROWS, SheetKind, is_header, no_header_reason};
use super::sheets::{Fold, Parse, Recent, Rows, Source, parse_row};
use super::sniff;
use super::xlsx_bounded as bounded;
use super::xlsx_extras::{Extras, uncached, unmerge};
use crate::error::ReadError;
use crate::model::{MAX_YEAR, MIN_YEAR};
use crate::stamp::{ExportStamp, STAMP_SHEET};
use calamine::{Data, Reader};
use std::collections::HashSet;
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
pub(crate) fn read_workbook(path: &Path, kind: Book, rows: &mut Rows<'_>, limits: &Limits) -> Result<(), ReadError> {
    if kind != Book::Xls {
        bounded::check_zip(path, limits)?;
    }
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_sheets(path, kind, rows, limits)));
    read.unwrap_or_else(|_| Err(damaged(path, kind)))
}

/// A workbook that could not be read: one sentence, never the library's message.
fn damaged(path: &Path, kind: Book) -> ReadError {
    let format = match kind {
        Book::Xls => sniff::Format::Compound,
        _ => sniff::Format::Zip,
    };
    ReadError::NotADataset(sniff::refusal(format, path))
}

fn open(path: &Path, kind: Book) -> Result<bounded::Book, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), cause: source })?;
    let file = BufReader::new(file);
    let book = match kind {
        Book::Xlsx => calamine::Xlsx::new(file).map(calamine::Sheets::Xlsx).ok(),
        Book::Xlsb => calamine::Xlsb::new(file).map(calamine::Sheets::Xlsb).ok(),
        Book::Xls => calamine::Xls::new(file).map(calamine::Sheets::Xls).ok(),
        Book::Ods => calamine::Ods::new(file).map(calamine::Sheets::Ods).ok(),
    };
    book.ok_or_else(|| damaged(path, kind))
}

fn read_sheets(path: &Path, format: Book, rows: &mut Rows<'_>, limits: &Limits) -> Result<(), ReadError> {
    let mut book = open(path, format)?;
    let names = book.sheet_names();
    let mut sheets: Vec<(SheetKind, String)> = Vec::new();
    let mut unknown = Vec::new();
    for name in &names {
        match SheetKind::from_name(name) {
            Some(kind) => {
                if let Some((_, other)) = sheets.iter().find(|(k, _)| *k == kind) {
                    return Err(ReadError::NotADataset(format!(
                        "工作表“{other}”与“{name}”是同一张表（{}），请只保留一个",
                        kind.en()
                    )));
                }
                sheets.push((kind, name.clone()));
            }
            None if super::TEMPLATE_SHEETS.contains(&name.trim()) => {}
            None if name.trim() == STAMP_SHEET => {
                let range = bounded::range(&mut book, name, limits)?.ok_or_else(|| damaged(path, format))?;
                read_stamp(&range, rows);
            }
            None => unknown.push(name.clone()),
        }
    }
    if !sheets.iter().any(|(k, _)| *k == SheetKind::Enterprises) {
        return Err(ReadError::NotADataset(format!(
            "没有“企业”工作表，不是一个数据集（工作表：{}）：请把企业名单所在的工作表命名为“企业”",
            names.join("、")
        )));
    }
    sheets.sort_by_key(|(k, _)| *k);
    for (kind, name) in &sheets {
        let range = bounded::range(&mut book, name, limits)?.ok_or_else(|| damaged(path, format))?;
        let extras = Extras::of(&mut book, name, &range);
        read_range(*kind, name, range, &extras, rows);
    }
    // Other sheets are errors (a typo in a sheet name must not drop its rows), unless empty.
    for (i, name) in unknown.iter().enumerate() {
        let range = bounded::range(&mut book, name, limits)?.ok_or_else(|| damaged(path, format))?;
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
                extra: Vec::new(),
                formula_escaped: false,
            };
            let reason = "未知的工作表（应为 企业、年度数据、认定 或 项目）：这张表没有读入，请改正表名，或删去这张表";
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

fn read_range(kind: SheetKind, name: &str, mut range: calamine::Range<Data>, extras: &Extras, rows: &mut Rows<'_>) {
    let Some((top, left)) = range.start() else {
        if kind == SheetKind::Enterprises {
            rows.start(kind, name, &[], (1, 0));
        }
        return;
    };
    let mut cells = RowCells { texts: Vec::new(), reported: Vec::new() };
    // The header: the first row naming the sheet's columns, below any title rows.
    let mut header = None;
    let mut first = None;
    for (i, line) in range.rows().enumerate().take(HEADER_SEARCH_ROWS) {
        cells.header(line);
        let Some(text) = cells.texts.iter().map(|t| t.trim()).find(|t| !t.is_empty()) else { continue };
        if is_header(kind, cells.texts.iter().map(String::as_str)) {
            header = Some(i as u32);
            break;
        }
        first.get_or_insert_with(|| (top + 1 + i as u32, text.to_string()));
    }
    let Some(at) = header else {
        if let Some((row, text)) = first {
            rows.errors.sheet(kind, name, row, &text, no_header_reason(kind, HEADER_SEARCH_ROWS));
        } else if kind == SheetKind::Enterprises {
            rows.start(kind, name, &[], (1, 0));
        }
        return;
    };
    let header_row = top + at;
    if let Some(line) = range.rows().nth(at as usize) {
        cells.header(line);
    }
    let headers: Vec<&str> = cells.texts.iter().map(String::as_str).collect();
    let info = rows.start(kind, name, &headers, (header_row + 1, left as usize));
    let silenced = unmerge(&info, &mut range, header_row, extras, &mut rows.errors);
    let silenced = uncached(&info, header_row, extras, silenced, &mut rows.errors);
    let mut source = RangeRows { lines: range.rows(), from: at + 1, top, left, cells, silenced };
    let Ok(()) = rows.read(&info, &mut source);
}

/// The data rows of a worksheet, read one by one on this thread (a worksheet is small).
struct RangeRows<'a> {
    lines: calamine::Rows<'a, Data>,
    /// The index of the first data row in `lines`.
    from: u32,
    top: u32,
    left: u32,
    cells: RowCells,
    /// Cells already reported (absolute row, column).
    silenced: HashSet<(u32, u32)>,
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
        for (i, line) in self.lines.by_ref().enumerate().skip(self.from as usize) {
            let at = self.top + i as u32;
            let row = at + 1;
            self.cells.fill(line, sheet, row, errors);
            if !self.silenced.is_empty() {
                for (col, reported) in self.cells.reported.iter_mut().enumerate() {
                    if self.silenced.contains(&(at, self.left + col as u32)) {
                        *reported = true;
                    }
                }
            }
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
    /// A row as plain text, for the header search.
    fn header(&mut self, line: &[Data]) {
        self.texts.resize_with(line.len(), String::new);
        self.reported.clear();
        self.reported.resize(line.len(), false);
        for (data, text) in line.iter().zip(&mut self.texts) {
            text.clear();
            // A header cell holding an error value stays as text: an unknown column.
            let _ = cell_text(data, CellKind::Plain, text);
        }
    }

    /// Converts a data row's cells; errors (error values, numeric USCCs, impossible dates) are
    /// reported here and the cells marked.
    fn fill(&mut self, line: &[Data], info: &SheetInfo, row: u32, errors: &mut Errors) {
        self.texts.resize_with(line.len(), String::new);
        self.reported.clear();
        self.reported.resize(line.len(), false);
        for (col, (data, text)) in line.iter().zip(&mut self.texts).enumerate() {
            text.clear();
            let kind = info.field_at(col).map_or(CellKind::Plain, |f| f.cell);
            if let Err(reason) = cell_text(data, kind, text) {
                self.reported[col] = true;
                errors.push(info, row, Some(col), &info.column_at(col), text, reason);
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
pub(crate) fn cell_text(data: &Data, kind: CellKind, out: &mut String) -> Result<(), String> {
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
        Data::Int(i) if kind == CellKind::Date => return serial_date(*i as f64, out),
        Data::Float(f) if kind == CellKind::Date => return serial_date(*f, out),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
            if kind == CellKind::Uscc {
                return Err(NUMERIC_USCC.into());
            }
        }
        Data::Float(f) => {
            excel_number(*f, out);
            if kind == CellKind::Uscc {
                return Err(NUMERIC_USCC.into());
            }
        }
        Data::DateTime(dt) if kind == CellKind::Date => return excel_date(dt, out),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            excel_number(serial, out);
            let year = serial.fract() == 0.0 && (f64::from(MIN_YEAR)..=f64::from(MAX_YEAR)).contains(&serial);
            match kind {
                // A year typed into a date-formatted cell: its stored number is the year.
                CellKind::Year if year => {}
                CellKind::Year | CellKind::Money => {
                    let shown = date_shown(dt);
                    let what =
                        if kind == CellKind::Year { "四位年份，如 2023" } else { "以元为单位的金额" };
                    return Err(format!(
                        "单元格被设成了日期格式（显示为 {shown}）：本列应填写{what}，请把单元格格式改为“常规”或“数值”后重新填写"
                    ));
                }
                _ => {}
            }
        }
        Data::Error(e) => {
            let _ = write!(out, "{e}");
            return Err("单元格是 Excel 错误值".into());
        }
    }
    Ok(())
}

/// A number as Excel shows it: at most 15 significant digits (`299999999.99999994` is
/// `300000000`, `0.35` stays `0.35`), in plain notation.
fn excel_number(f: f64, out: &mut String) {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
        return;
    }
    match rust_decimal::Decimal::from_scientific(&format!("{f:.14e}")) {
        Ok(d) => {
            let _ = write!(out, "{}", d.normalize());
        }
        Err(_) => {
            let _ = write!(out, "{f}");
        }
    }
}

/// A number in a date column: `20220305` typed as a number, or an Excel date serial in a cell
/// formatted as a number (`39522` is 2008-03-15).
fn serial_date(f: f64, out: &mut String) -> Result<(), String> {
    excel_number(f, out);
    if f.fract() != 0.0 {
        return Err("日期不应包含时间".into());
    }
    if (19_000_101.0..=99_991_231.0).contains(&f) {
        // `20220305`: the text reader decides.
        return Ok(());
    }
    // Serials from 61 (1900-03-01, after the 1900-02-29 Excel counts) to 2100-12-31.
    if !(61.0..=73_415.0).contains(&f) {
        return Err("不是有效的日期：日期应写成 2022-03-05，或设为日期格式".into());
    }
    let date = jiff::civil::date(1899, 12, 30).checked_add(jiff::Span::new().days(f as i64));
    let Ok(date) = date else { return Err("不是有效的日期".into()) };
    out.clear();
    let _ = write!(out, "{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
    Ok(())
}

/// A date cell as a clerk sees it, for a message.
fn date_shown(dt: &calamine::ExcelDateTime) -> String {
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    format!("{y}-{m:02}-{d:02}")
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

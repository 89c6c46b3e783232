//! Writing a dataset in the exchange format: a folder of CSV files (UTF-8 with a BOM, so that
//! Excel opens it) or one `.xlsx` workbook. Reading either back gives the same dataset.
//!
//! Coded columns hold the Chinese names a clerk reads and types (产业链 `钢铁`, 认定类型
//! `市级专精特新`, 项目类别 `智能化数字化改造`; stages by name), booleans `是`/`否`, money plain
//! yuan (`12500000`, `12500000.50`), dates `YYYY-MM-DD`; unknown values are empty cells. The
//! readers take names and codes alike, so a file re-imports as it was written (issue 8 item 5).

use crate::error::WriteError;
use crate::extra::{ExtraAt, ExtraFact, ExtraPlace, ExtraValue};
use crate::model::{Annual, Dataset, Enterprise, Project, Recognition};
use crate::money::Fen;
use crate::read::{ANNUAL, ENTERPRISES, Field, PROJECTS, RECOGNITIONS, SheetKind};
use crate::stamp::{ExportStamp, STAMP_HEADER, STAMP_SHEET};
use crate::typed::{CELL_MAX_CHARS, csv_formula_safe};
use crate::uscc::Uscc;
use crate::vocab::Vocabulary;
use jiff::civil::Date;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The language of header rows and sheet (file) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderLanguage {
    /// `enterprises.csv`, `uscc`, `name`, …
    #[default]
    English,
    /// `企业.csv`, `统一社会信用代码`, `企业名称`, …
    Chinese,
}

impl HeaderLanguage {
    fn sheet(self, kind: SheetKind) -> &'static str {
        match self {
            HeaderLanguage::English => kind.en(),
            HeaderLanguage::Chinese => kind.zh(),
        }
    }

    fn header(self, f: &Field) -> &'static str {
        match self {
            HeaderLanguage::English => f.en,
            HeaderLanguage::Chinese => f.zh,
        }
    }
}

/// One cell to write.
enum Value<'a> {
    Empty,
    Text(&'a str),
    Number(i64),
    Bool(bool),
    Money(Fen),
    Date(Date),
    /// A declared fact's value as text (a percentage `12.5%`, an area, a code, a date).
    Owned(String),
}

impl Value<'_> {
    fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Self) -> Self {
        v.map_or(Value::Empty, f)
    }

    /// The CSV text, appended to `out`. Text a spreadsheet would run as a formula gets a
    /// leading `'` ([`csv_formula_safe`]; the reader takes it away); numbers stay numbers.
    fn write_text(&self, out: &mut String) {
        let _ = match self {
            Value::Empty => Ok(()),
            Value::Text(t) => out.write_str(&csv_formula_safe(t)),
            Value::Owned(t) => out.write_str(&csv_formula_safe(t)),
            Value::Number(n) => write!(out, "{n}"),
            Value::Bool(b) => out.write_str(yes_no(*b)),
            Value::Money(f) => write_yuan(*f, out),
            Value::Date(d) => write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        };
    }
}

/// 是/否.
fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// Plain yuan, with the fen only when there are some: `12500000`, `12500000.50`.
pub(crate) fn write_yuan(f: Fen, out: &mut String) -> std::fmt::Result {
    let sign = if f.0 < 0 { "-" } else { "" };
    let (yuan, fen) = (f.0.unsigned_abs() / 100, f.0.unsigned_abs() % 100);
    if fen == 0 { write!(out, "{sign}{yuan}") } else { write!(out, "{sign}{yuan}.{fen:02}") }
}

fn uscc(u: &Uscc) -> Value<'_> {
    Value::Text(u.as_str())
}

fn enterprise_row<'a>(e: &'a Enterprise, v: &'a Vocabulary) -> [Value<'a>; 9] {
    [
        uscc(&e.uscc),
        Value::Text(&e.name),
        Value::opt(e.chain, |c| Value::Text(&v.chain_info(c).name)),
        match (e.chain, e.stage) {
            (Some(c), Some(s)) => {
                Value::opt(v.chain_info(c).stages.get(usize::from(s)), |name| Value::Text(name.as_str()))
            }
            _ => Value::Empty,
        },
        Value::opt(e.town.as_deref(), Value::Text),
        Value::opt(e.industry_code.as_deref(), Value::Text),
        Value::opt(e.strategic_emerging, Value::Bool),
        Value::opt(e.established, Value::Date),
        Value::opt(e.chain_joined_year, |y| Value::Number(y.into())),
    ]
}

fn annual_row<'a>(u: &'a Uscc, r: &Annual) -> [Value<'a>; 8] {
    [
        uscc(u),
        Value::Number(r.year.into()),
        Value::opt(r.revenue, Value::Money),
        Value::opt(r.above_scale, Value::Bool),
        Value::opt(r.chain_master, Value::Bool),
        Value::opt(r.local_procurement, Value::Money),
        Value::opt(r.total_procurement, Value::Money),
        Value::opt(r.rd_expense, Value::Money),
    ]
}

fn recognition_row<'a>(u: &'a Uscc, r: &Recognition, v: &'a Vocabulary) -> [Value<'a>; 3] {
    [uscc(u), Value::Text(&v.kind_info(r.kind).name), Value::Number(r.year.into())]
}

fn project_row<'a>(u: &'a Uscc, p: &'a Project, v: &'a Vocabulary) -> [Value<'a>; 7] {
    [
        Value::Text(&p.project_id),
        uscc(u),
        Value::Text(&p.name),
        Value::opt(p.category, |c| Value::Text(&v.category_info(c).name)),
        Value::opt(p.fixed_asset_investment, Value::Money),
        Value::opt(p.start_year, |y| Value::Number(y.into())),
        Value::opt(p.completed_year, |y| Value::Number(y.into())),
    ]
}

/// The declared facts of a sheet (see [`crate::extra`]), written after FACTS.md's columns.
fn declared(v: &Vocabulary, kind: SheetKind) -> Vec<(u16, &ExtraFact)> {
    let place = match kind {
        SheetKind::Enterprises => ExtraPlace::Enterprise,
        SheetKind::Annual => ExtraPlace::Yearly,
        SheetKind::Projects => ExtraPlace::Project,
        SheetKind::Recognitions => return Vec::new(),
    };
    v.extras_of(place).collect()
}

fn extra_value(e: &ExtraValue, f: &ExtraFact) -> Value<'static> {
    match e {
        ExtraValue::Money(m) => Value::Money(*m),
        ExtraValue::Bool(b) => Value::Bool(*b),
        ExtraValue::Int(i) => Value::Number(*i),
        other => Value::Owned(other.cell_text_as(f.ty)),
    }
}

/// Calls `row` with every row of a sheet, in dataset order, the declared facts' cells last.
fn for_each_row(dataset: &Dataset, kind: SheetKind, mut row: impl FnMut(&[Value<'_>])) {
    let v = dataset.vocabulary();
    let extra = declared(v, kind);
    let mut emit = |base: &[Value<'_>], facts: &crate::model::EnterpriseFacts<'_>, at: ExtraAt| {
        if extra.is_empty() {
            return row(base);
        }
        let mut cells: Vec<Value<'_>> = base.iter().map(Value::copy).collect();
        for (i, f) in &extra {
            cells.push(facts.extra(*i, &at).map_or(Value::Empty, |e| extra_value(e, f)));
        }
        row(&cells);
    };
    for facts in dataset.iter() {
        let u = &facts.enterprise.uscc;
        match kind {
            SheetKind::Enterprises => emit(&enterprise_row(facts.enterprise, v), &facts, ExtraAt::Enterprise),
            SheetKind::Annual => {
                facts.annual.iter().for_each(|r| emit(&annual_row(u, r), &facts, ExtraAt::Year(r.year)));
            }
            SheetKind::Recognitions => {
                facts.recognitions.iter().for_each(|r| emit(&recognition_row(u, r, v), &facts, ExtraAt::Enterprise));
            }
            SheetKind::Projects => facts
                .projects
                .iter()
                .for_each(|p| emit(&project_row(u, p, v), &facts, ExtraAt::Project(p.project_id.clone()))),
        }
    }
}

impl Value<'_> {
    /// The same cell (text borrowed again).
    fn copy(&self) -> Value<'_> {
        match self {
            Value::Empty => Value::Empty,
            Value::Text(t) => Value::Text(t),
            Value::Number(n) => Value::Number(*n),
            Value::Bool(b) => Value::Bool(*b),
            Value::Money(f) => Value::Money(*f),
            Value::Date(d) => Value::Date(*d),
            Value::Owned(t) => Value::Text(t),
        }
    }
}

/// The header row of a sheet: FACTS.md's columns, then the declared facts'.
fn headers(v: &Vocabulary, kind: SheetKind, lang: HeaderLanguage) -> Vec<String> {
    let mut out: Vec<String> = fields(kind).iter().map(|f| lang.header(f).to_string()).collect();
    for (_, f) in declared(v, kind) {
        out.push(match lang {
            HeaderLanguage::English => f.code.clone(),
            HeaderLanguage::Chinese => f.name.clone(),
        });
    }
    out
}

fn row_count(dataset: &Dataset, kind: SheetKind) -> usize {
    match kind {
        SheetKind::Enterprises => dataset.len(),
        SheetKind::Annual => dataset.annual_count(),
        SheetKind::Recognitions => dataset.recognition_count(),
        SheetKind::Projects => dataset.project_count(),
    }
}

fn fields(kind: SheetKind) -> &'static [Field] {
    match kind {
        SheetKind::Enterprises => ENTERPRISES,
        SheetKind::Annual => ANNUAL,
        SheetKind::Recognitions => RECOGNITIONS,
        SheetKind::Projects => PROJECTS,
    }
}

/// Writes `enterprises.csv`, `annual.csv`, `recognitions.csv` and `projects.csv` (or 企业.csv,
/// 年度数据.csv, 认定.csv, 项目.csv) into `dir`, which must exist: UTF-8 with a BOM, RFC 4180.
/// Files of the same sheet in the other language are left alone (reading would then refuse the
/// folder as ambiguous). With a `stamp`, also `导出信息.csv` (see [`crate::stamp`]); without,
/// an old `导出信息.csv` in `dir` is removed, so the folder never carries a stale stamp.
pub fn write_csv_dir(
    dataset: &Dataset,
    dir: &Path,
    lang: HeaderLanguage,
    stamp: Option<&ExportStamp>,
) -> Result<(), WriteError> {
    write_stamp_csv(dir, stamp)?;
    for kind in SheetKind::ALL {
        let path = dir.join(format!("{}.csv", lang.sheet(kind)));
        let mut file = BufWriter::with_capacity(1 << 16, std::fs::File::create(&path)?);
        file.write_all(b"\xEF\xBB\xBF")?;
        let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(file);
        let header = headers(dataset.vocabulary(), kind, lang);
        out.write_record(&header)?;
        let mut cells: Vec<String> = vec![String::new(); header.len()];
        let mut result = Ok(());
        for_each_row(dataset, kind, |row| {
            if result.is_err() {
                return;
            }
            for (cell, value) in cells.iter_mut().zip(row) {
                cell.clear();
                value.write_text(cell);
            }
            result = out.write_record(&cells);
        });
        result?;
        out.flush()?;
        out.into_inner().map_err(|e| WriteError::Io(e.into_error()))?.flush()?;
    }
    Ok(())
}

/// Writes (or, without a stamp, removes) `导出信息.csv`.
fn write_stamp_csv(dir: &Path, stamp: Option<&ExportStamp>) -> std::io::Result<()> {
    let path = dir.join(format!("{STAMP_SHEET}.csv"));
    let Some(stamp) = stamp else {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    };
    let mut file = BufWriter::new(std::fs::File::create(&path)?);
    file.write_all(b"\xEF\xBB\xBF")?;
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(file);
    out.write_record(STAMP_HEADER)?;
    for (item, content) in stamp.rows() {
        out.write_record([item, &*csv_formula_safe(&content)])?;
    }
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.flush()
}

/// The largest row count of a worksheet, header excluded.
const MAX_XLSX_ROWS: usize = 1_048_575;
/// Money below this many fen (15 significant digits) is an exact Excel number; above, text.
const MAX_EXACT_FEN: i64 = 1_000_000_000_000_000;

/// Writes the dataset as one workbook with the sheets `enterprises`, `annual`, `recognitions`,
/// `projects` (企业, 年度数据, 认定, 项目 in Chinese). USCCs and ids are text cells, money numbers
/// formatted `#,##0.00`, dates date cells, booleans the text 是/否. With a `stamp`, a last sheet
/// `导出信息` (see [`crate::stamp`]).
pub fn write_xlsx(
    dataset: &Dataset,
    path: &Path,
    lang: HeaderLanguage,
    stamp: Option<&ExportStamp>,
) -> Result<(), WriteError> {
    for kind in SheetKind::ALL {
        let rows = row_count(dataset, kind);
        if rows > MAX_XLSX_ROWS {
            return Err(WriteError::TooManyRows { sheet: lang.sheet(kind), rows });
        }
    }
    let formats = Formats {
        header: Format::new().set_bold(),
        money: Format::new().set_num_format("#,##0.00"),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        text: Format::new().set_num_format("@"),
    };
    let mut book = Workbook::new();
    for kind in SheetKind::ALL {
        let sheet = book.add_worksheet();
        sheet.set_name(lang.sheet(kind))?;
        write_sheet(sheet, dataset, kind, lang, &formats)?;
    }
    if let Some(stamp) = stamp {
        let sheet = book.add_worksheet();
        sheet.set_name(STAMP_SHEET)?;
        for (col, h) in STAMP_HEADER.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *h, &formats.header)?;
        }
        sheet.set_column_width(0, 14.0)?;
        sheet.set_column_width(1, 60.0)?;
        for (i, (item, content)) in stamp.rows().iter().enumerate() {
            sheet.write_string(i as u32 + 1, 0, *item)?;
            sheet.write_string(i as u32 + 1, 1, xlsx_text(content))?;
        }
    }
    book.save(path)?;
    Ok(())
}

struct Formats {
    header: Format,
    money: Format,
    date: Format,
    text: Format,
}

fn write_sheet(
    sheet: &mut Worksheet,
    dataset: &Dataset,
    kind: SheetKind,
    lang: HeaderLanguage,
    formats: &Formats,
) -> Result<(), WriteError> {
    let header = headers(dataset.vocabulary(), kind, lang);
    for (col, h) in header.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, h, &formats.header)?;
        let en = fields(kind).get(usize::from(col)).map_or("", |f| f.en);
        let width = match en {
            "uscc" => 22.0,
            "name" => 36.0,
            "project_id" => 16.0,
            _ => 14.0,
        };
        sheet.set_column_width(col, width)?;
        if matches!(en, "uscc" | "project_id" | "industry_code") {
            // New codes typed into the column stay text (an 18-digit number would be corrupted).
            sheet.set_column_format(col, &formats.text)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row = 0u32;
    let mut result = Ok(());
    for_each_row(dataset, kind, |values| {
        row += 1;
        for (col, value) in values.iter().enumerate() {
            if result.is_ok() {
                result = write_cell(sheet, row, col as u16, value, formats);
            }
        }
    });
    result
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value<'_>,
    formats: &Formats,
) -> Result<(), WriteError> {
    match value {
        Value::Empty => {}
        Value::Text(t) => {
            sheet.write_string(row, col, xlsx_text(t))?;
        }
        Value::Owned(t) => {
            sheet.write_string(row, col, xlsx_text(t))?;
        }
        Value::Number(n) => {
            sheet.write_number(row, col, *n as f64)?;
        }
        Value::Bool(b) => {
            sheet.write_string(row, col, yes_no(*b))?;
        }
        Value::Money(f) if f.0.abs() < MAX_EXACT_FEN => {
            // The nearest double to the amount; its shortest text is the amount again.
            sheet.write_number_with_format(row, col, f.0 as f64 / 100.0, &formats.money)?;
        }
        Value::Date(d) if (1900..=9999).contains(&d.year()) => {
            let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            sheet.write_datetime_with_format(row, col, &dt, &formats.date)?;
        }
        // Beyond what an Excel number or date holds: text, which reads back the same.
        Value::Money(_) | Value::Date(_) => {
            let mut t = String::new();
            value.write_text(&mut t);
            sheet.write_string(row, col, &t)?;
        }
    }
    Ok(())
}

/// A text as an .xlsx cell holds it: at most [`CELL_MAX_CHARS`] characters (Excel's limit). A
/// longer text — only the registry's old data can hold one, every door refuses it now — is cut,
/// and the cell says so at its end, so that one cell never fails a whole export and the cut is
/// seen (re-importing the cell is refused as over-long, never taken silently). Cells are always
/// written as strings, never formulas: a text starting with `=` is text in the workbook.
pub fn xlsx_text(t: &str) -> std::borrow::Cow<'_, str> {
    if t.len() <= CELL_MAX_CHARS {
        return std::borrow::Cow::Borrowed(t);
    }
    let chars = t.chars().count();
    if chars <= CELL_MAX_CHARS {
        return std::borrow::Cow::Borrowed(t);
    }
    let note = format!("…【原文 {chars} 个字，超过 Excel 单元格上限 {CELL_MAX_CHARS} 个字，已截断】");
    let keep = CELL_MAX_CHARS - note.chars().count();
    let mut cut: String = t.chars().take(keep).collect();
    cut.push_str(&note);
    std::borrow::Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_over_long_text_is_cut_to_a_cell_and_says_so() {
        assert_eq!(xlsx_text("泽州钢铁"), "泽州钢铁");
        let at = "字".repeat(CELL_MAX_CHARS);
        assert_eq!(xlsx_text(&at), at.as_str());
        let cut = xlsx_text(&"x".repeat(100_011)).into_owned();
        assert_eq!(cut.chars().count(), CELL_MAX_CHARS);
        assert!(cut.ends_with("【原文 100011 个字，超过 Excel 单元格上限 32767 个字，已截断】"), "{}", &cut[32_700..]);
    }
}

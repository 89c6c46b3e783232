//! What every sheet shares: mapping the header row onto the sheet's columns, and reading one
//! row's cells with its errors located at `sheet:row:column`.

use super::locations::{column_display, sheet_display};
use super::schema::{CellKind, Field, SheetKind, column_letter, field_named, other_unit_header, suggest};
use super::values::Reason;
use crate::error::DataError;
use crate::typed::{CELL_MAX_CHARS, shown};

/// A cell as a source hands it over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    /// The source could not turn it into text and has already reported why.
    Reported,
}

/// One data row of a source.
pub(crate) trait Cells {
    fn len(&self) -> usize;
    /// The cell of a physical column; an absent one is empty text.
    fn cell(&self, col: usize) -> Cell<'_>;

    /// The first cell over [`CELL_MAX_CHARS`] characters (more than a spreadsheet cell holds).
    fn oversize(&self) -> Option<usize> {
        (0..self.len()).find(|&c| match self.cell(c) {
            Cell::Text(t) => t.len() > CELL_MAX_CHARS && t.chars().count() > CELL_MAX_CHARS,
            Cell::Reported => false,
        })
    }

    fn is_blank(&self) -> bool {
        (0..self.len()).all(|c| match self.cell(c) {
            // Most rows start with a printable ASCII character: no need to trim.
            Cell::Text(t) => !t.bytes().any(|b| b.is_ascii_graphic()) && t.trim().is_empty(),
            Cell::Reported => false,
        })
    }
}

/// `str::trim`, with a shortcut for text that starts and ends with printable ASCII.
pub(crate) fn trim(t: &str) -> &str {
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => t,
        _ => t.trim(),
    }
}

impl Cells for csv::StringRecord {
    fn len(&self) -> usize {
        csv::StringRecord::len(self)
    }

    fn cell(&self, col: usize) -> Cell<'_> {
        Cell::Text(self.get(col).unwrap_or(""))
    }

    fn oversize(&self) -> Option<usize> {
        // One look at the record's length for nearly every record.
        if self.as_byte_record().as_slice().len() <= CELL_MAX_CHARS {
            return None;
        }
        self.iter().position(|t| t.len() > CELL_MAX_CHARS && t.chars().count() > CELL_MAX_CHARS)
    }
}

/// An error with its place, for sorting: sheet order, row, physical column.
#[derive(Debug)]
pub(crate) struct Located {
    pub key: (u32, u32, u32),
    pub error: DataError,
}

/// Where a sheet's errors go.
#[derive(Debug, Default)]
pub(crate) struct Errors(pub Vec<Located>);

impl Errors {
    pub(crate) fn push(
        &mut self,
        sheet: &SheetInfo,
        row: u32,
        col: Option<usize>,
        column: &str,
        value: &str,
        reason: Reason,
    ) {
        self.0.push(Located {
            key: (sheet.order, row, col.map_or(u32::MAX, |c| c as u32)),
            error: DataError {
                sheet: shown(&sheet.name),
                row: row as usize,
                column: shown(column),
                value: shown(value),
                reason,
            },
        });
    }
}

impl Errors {
    /// The one error of a whole sheet (no header row): at `row`, no column.
    pub(crate) fn sheet(&mut self, kind: SheetKind, name: &str, row: u32, value: &str, reason: Reason) {
        self.0.push(Located {
            key: (kind.order(), row, 0),
            error: DataError {
                sheet: shown(&sheet_display(kind, name)),
                row: row as usize,
                column: String::new(),
                value: shown(value),
                reason,
            },
        });
    }

    /// An error in the export stamp (sheet or file `导出信息`), after every sheet's.
    pub(crate) fn stamp(&mut self, row: u32, value: &str, reason: Reason) {
        self.0.push(Located {
            key: (SheetKind::ALL.len() as u32, row, 1),
            error: DataError {
                sheet: crate::stamp::STAMP_SHEET.to_string(),
                row: row as usize,
                column: crate::stamp::STAMP_HEADER[1].to_string(),
                value: shown(value),
                reason,
            },
        });
    }

    /// An error in the column of field `f`.
    pub(crate) fn at(&mut self, sheet: &SheetInfo, row: u32, f: usize, value: &str, reason: Reason) {
        self.push(sheet, row, sheet.of_field[f], sheet.column_of(f), value, reason);
    }
}

/// A sheet being read: its name and how its header maps onto the fields.
#[derive(Debug, Clone)]
pub(crate) struct SheetInfo {
    pub kind: SheetKind,
    /// The sheet as messages name it (see [`super::locations::sheet_display`]).
    pub name: String,
    /// Sort key of its errors.
    pub order: u32,
    /// Field → physical column.
    pub of_field: Vec<Option<usize>>,
    /// Header text by physical column, trimmed.
    pub header: Vec<String>,
    /// Columns whose header is blank: any value under them is an error.
    pub headless: Vec<usize>,
    /// Each field's column as messages name it (see [`super::locations::column_display`]).
    pub columns: Vec<String>,
    /// The worksheet column of physical column 0 (a workbook's used range may start right of A).
    pub left: usize,
    /// The columns of facts the policy declares beyond FACTS.md: (index of
    /// [`crate::Vocabulary::extras`], physical column).
    pub extra: Vec<(u16, usize)>,
    /// Whether text cells may carry the `'` a CSV export puts before a value a spreadsheet
    /// would run as a formula ([`crate::typed::csv_formula_safe`]); it is taken away on reading.
    pub formula_escaped: bool,
}

impl SheetInfo {
    /// Maps a header row, reporting unknown, repeated and missing columns at `header_row`.
    pub(crate) fn new(
        kind: SheetKind,
        name: &str,
        order: u32,
        headers: &[&str],
        (header_row, left): (u32, usize),
        vocab: &crate::vocab::Vocabulary,
        errors: &mut Errors,
    ) -> SheetInfo {
        let fields = kind.fields();
        let mut info = SheetInfo {
            kind,
            name: sheet_display(kind, name),
            order,
            of_field: vec![None; fields.len()],
            header: headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').trim().to_string()).collect(),
            headless: Vec::new(),
            columns: Vec::new(),
            left,
            extra: Vec::new(),
            formula_escaped: false,
        };
        let place = match kind {
            SheetKind::Enterprises => Some(crate::extra::ExtraPlace::Enterprise),
            SheetKind::Annual => Some(crate::extra::ExtraPlace::Yearly),
            SheetKind::Projects => Some(crate::extra::ExtraPlace::Project),
            SheetKind::Recognitions => None,
        };
        for col in 0..info.header.len() {
            let h = info.header[col].as_str();
            if h.is_empty() {
                info.headless.push(col);
                continue;
            }
            let found = field_named(fields, h);
            let other_unit = other_unit_header(fields, h).filter(|(f, _)| fields[*f].cell == CellKind::Money);
            let declared = match (found, place) {
                (None, Some(place)) => vocab.extra_named(place, h).map(|(i, _)| i),
                _ => None,
            };
            if let Some(i) = declared {
                match info.extra.iter().find(|(x, _)| *x == i) {
                    Some(&(_, first)) => {
                        let reason =
                            format!("重复的列（与第{}列“{}”相同）", column_letter(left + first), info.header[first]);
                        errors.push(&info, header_row, Some(col), h, h, reason);
                    }
                    None => info.extra.push((i, col)),
                }
                continue;
            }
            match found {
                None if other_unit.is_some_and(|(f, _)| info.of_field[f].is_none()) => {
                    let Some((f, unit)) = other_unit else { continue };
                    info.of_field[f] = Some(col);
                    let zh = fields[f].zh;
                    let reason = format!(
                        "表头写明单位是{unit}，但金额须以元为单位：请把本列数值换算成元（1{unit} = {}元），并把表头改为“{zh}”",
                        if unit == "万元" { "10000" } else { "100000000" }
                    );
                    errors.push(&info, header_row, Some(col), h, h, reason);
                }
                None if let Some(other) =
                    vocab.extras.iter().find(|f| f.code.eq_ignore_ascii_case(h) || f.name == h) =>
                {
                    let sheet = match other.place {
                        crate::extra::ExtraPlace::Enterprise => "企业",
                        crate::extra::ExtraPlace::Yearly => "年度数据",
                        crate::extra::ExtraPlace::Project => "项目",
                    };
                    let reason =
                        format!("“{}”是政策声明的“{sheet}”表的列，不能写在本表：请移到“{sheet}”表", other.name);
                    errors.push(&info, header_row, Some(col), h, h, reason);
                }
                None => {
                    let reason = match suggest(fields, h) {
                        Some(s) => format!("未知的列（是否应为 {s}？）"),
                        None => unknown_column_reason(
                            fields,
                            place
                                .map(|p| vocab.extras_of(p).map(|(_, f)| f.name.as_str()).collect())
                                .unwrap_or_default(),
                        ),
                    };
                    errors.push(&info, header_row, Some(col), h, h, reason);
                }
                Some(f) if info.of_field[f].is_some() => {
                    let first = info.of_field[f].unwrap_or_default();
                    let reason =
                        format!("重复的列（与第{}列“{}”相同）", column_letter(left + first), info.header[first]);
                    errors.push(&info, header_row, Some(col), h, h, reason);
                }
                Some(f) => info.of_field[f] = Some(col),
            }
        }
        info.columns = (0..fields.len())
            .map(|f| column_display(kind, f, info.of_field[f].map(|c| info.header[c].as_str())))
            .collect();
        for (f, field) in fields.iter().enumerate() {
            if field.required && info.of_field[f].is_none() {
                let reason = format!("缺少必需的列“{}”：请在表头行加上这一列", field.zh);
                errors.push(&info, header_row, None, field.zh, "", reason);
            }
        }
        info
    }

    /// The column of a field as messages name it.
    pub(crate) fn column_of(&self, f: usize) -> &str {
        &self.columns[f]
    }

    pub(crate) fn field(&self, f: usize) -> &'static Field {
        &self.kind.fields()[f]
    }

    /// A physical column as messages name it: its field's name, else its header as written,
    /// else its letter.
    pub(crate) fn column_at(&self, col: usize) -> String {
        match self.of_field.iter().position(|&c| c == Some(col)) {
            Some(f) => self.columns[f].clone(),
            None => match self.header.get(col) {
                Some(h) if !h.is_empty() => h.clone(),
                _ => column_letter(self.left + col),
            },
        }
    }

    /// The field of a physical column.
    pub(crate) fn field_at(&self, col: usize) -> Option<&'static Field> {
        self.of_field.iter().position(|&c| c == Some(col)).map(|f| self.field(f))
    }

    /// Reports values in columns without a header (blank header, or past the last header).
    pub(crate) fn check_headless(&self, row: u32, cells: &impl Cells, errors: &mut Errors) {
        let extra = self.header.len()..cells.len();
        for col in self.headless.iter().copied().chain(extra) {
            if let Cell::Text(t) = cells.cell(col) {
                let t = t.trim();
                if !t.is_empty() {
                    errors.push(self, row, Some(col), &column_letter(self.left + col), t, "该列没有表头".into());
                }
            }
        }
    }
}

fn unknown_column_reason(fields: &[Field], declared: Vec<&str>) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.zh).chain(declared).collect();
    format!("未知的列（可用的列：{}）", names.join("、"))
}

/// One data row being read: its cells, its place, and whether it is free of errors so far.
pub(crate) struct RowCtx<'a, C: Cells> {
    pub row: u32,
    cells: &'a C,
    pub sheet: &'a SheetInfo,
    pub errors: &'a mut Errors,
    pub ok: bool,
}

impl<'a, C: Cells> RowCtx<'a, C> {
    pub(crate) fn new(row: u32, cells: &'a C, sheet: &'a SheetInfo, errors: &'a mut Errors) -> Self {
        RowCtx { row, cells, sheet, errors, ok: true }
    }

    /// The trimmed text of a field; an absent column reads as empty.
    pub(crate) fn get(&self, f: usize) -> Cell<'a> {
        let cells: &'a C = self.cells;
        match self.sheet.of_field[f] {
            None => Cell::Text(""),
            Some(c) => match cells.cell(c) {
                Cell::Text(t) if self.sheet.formula_escaped && t.starts_with('\'') => {
                    Cell::Text(trim(crate::typed::csv_formula_unescape(t)))
                }
                Cell::Text(t) => Cell::Text(trim(t)),
                Cell::Reported => Cell::Reported,
            },
        }
    }

    /// Whether a field's cell is empty (and not an already reported bad cell).
    pub(crate) fn is_empty(&self, f: usize) -> bool {
        matches!(self.get(f), Cell::Text(""))
    }

    pub(crate) fn report(&mut self, f: usize, value: &str, reason: Reason) {
        self.ok = false;
        let column = self.sheet.column_of(f);
        self.errors.push(self.sheet, self.row, self.sheet.of_field[f], column, value, reason);
    }

    /// The values of the declared facts' columns (empty when the sheet has none); a bad cell is
    /// reported with its column and the type it should hold.
    pub(crate) fn extras(&mut self, vocab: &crate::vocab::Vocabulary) -> Vec<(u16, crate::extra::ExtraValue)> {
        let mut out = Vec::new();
        for &(fact, col) in &self.sheet.extra {
            let text = match self.cells.cell(col) {
                Cell::Reported => {
                    self.ok = false;
                    continue;
                }
                Cell::Text(t) if self.sheet.formula_escaped && t.starts_with('\'') => {
                    trim(crate::typed::csv_formula_unescape(t))
                }
                Cell::Text(t) => trim(t),
            };
            if text.is_empty() {
                continue;
            }
            let decl = &vocab.extras[fact as usize];
            match crate::extra::parse(decl.ty, text) {
                Ok(v) => out.push((fact, v)),
                Err(reason) => {
                    self.ok = false;
                    let column = self.sheet.column_at(col);
                    let reason = format!("{reason}（“{}”应填{}）", decl.name, decl.ty.zh());
                    self.errors.push(self.sheet, self.row, Some(col), &column, text, reason);
                }
            }
        }
        out
    }

    /// An optional value: `None` when empty (unknown) or invalid (reported).
    pub(crate) fn opt<T>(&mut self, f: usize, parse: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        match self.get(f) {
            Cell::Reported => {
                self.ok = false;
                None
            }
            Cell::Text("") => None,
            Cell::Text(t) => match parse(t) {
                Ok(v) => Some(v),
                Err(reason) => {
                    self.report(f, t, reason);
                    None
                }
            },
        }
    }

    /// A required value: `None` (reported) when empty or invalid. A missing column was reported
    /// once with the header, not on every row.
    pub(crate) fn req<T>(&mut self, f: usize, parse: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        if matches!(self.get(f), Cell::Text("")) {
            if self.sheet.of_field[f].is_some() {
                self.report(f, "", "不能为空".into());
            }
            self.ok = false;
            return None;
        }
        self.opt(f, parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_rows_and_trimming() {
        let r = csv::StringRecord::from(vec!["a", " ", ""]);
        assert_eq!(Cells::len(&r), 3);
        assert!(!r.is_blank());
        assert!(csv::StringRecord::from(vec![" ", "", "\u{3000}"]).is_blank());
        assert!(!csv::StringRecord::from(vec![" ", "\u{3000}甲"]).is_blank());
        assert_eq!(trim(" a "), "a");
        assert_eq!(trim("\u{3000}甲\u{3000}"), "甲");
        assert_eq!(trim("a b"), "a b");
        assert_eq!(trim(""), "");
    }
}

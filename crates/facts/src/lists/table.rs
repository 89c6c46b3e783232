//! One list as a table: in each grid of the file, the header row found below any title rows and
//! mapped onto the list's columns (each with a few names), then every data row's cells as text,
//! with the errors of the whole file located at `sheet:row:column`.

use super::cells::{is_total, near, normalize, plain, read_cell, strip_yuan};
use super::source::Grid;
use crate::error::{DataError, DataErrors, ReadError};
use crate::read::schema::{CellKind, HEADER_SEARCH_ROWS, column_letter};
use crate::read::values::Reason;
use crate::read::xlsx::cell_text;
use crate::typed::shown;
use calamine::Data;

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum As {
    /// Any cell as text; numbers in their shortest form (a reference typed as a number).
    Text,
    /// A USCC: a number cell is refused (Excel keeps 15 significant digits).
    Uscc,
    /// A date: Excel date cells and serials become `YYYY-MM-DD`.
    Date,
    /// A date that may carry a time of day (a bank's 交易时间): the date is kept.
    DateTime,
    /// An amount in yuan: a date cell, or one merged over several rows, is refused.
    Money,
    /// A bank account number: a number cell over 15 digits is refused (its digits are lost).
    Account,
}

/// A column of a list.
pub(crate) struct Column {
    /// The names a header may give it; the first is its name in messages when the header is
    /// not Chinese, and in the template.
    pub names: &'static [&'static str],
    pub required: bool,
    pub read_as: As,
}

/// A list's columns, and what the list is called in messages.
pub(crate) struct Spec {
    pub what: &'static str,
    pub columns: &'static [Column],
}

/// A grid whose header was found: its name and where each column of the list is.
struct Sheet {
    name: String,
    header_row: u32,
    /// Column of the list → physical column in the grid's rows.
    physical: Vec<Option<usize>>,
    /// Column of the list → its name in messages (the header as written when Chinese).
    shown: Vec<String>,
}

/// A data row: its sheet, row number and its cells by column of the list; `None` for a cell
/// already refused.
struct Line {
    sheet: usize,
    row: u32,
    cells: Vec<Option<String>>,
}

/// Where a row of the list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    sheet: usize,
    pub row: u32,
}

/// A list read as text, with the errors found so far.
pub(crate) struct Table {
    spec: &'static Spec,
    sheets: Vec<Sheet>,
    lines: Vec<Line>,
    /// Errors with their sort key: (sheet, row, physical column).
    errors: Vec<((usize, u32, usize), DataError)>,
}

impl Table {
    /// The table of the file's grids.
    pub(crate) fn of(spec: &'static Spec, grids: Vec<Grid>) -> Table {
        let mut table = Table { spec, sheets: Vec::new(), lines: Vec::new(), errors: Vec::new() };
        let mut no_header = Vec::new();
        for grid in grids {
            if let Err(first) = table.grid(grid) {
                no_header.push(first);
            }
        }
        // A sheet with content but no header: its rows are not read, which is never silent.
        let names: Vec<&str> = spec.columns.iter().filter(|c| c.required).map(|c| c.names[0]).collect();
        let any = !table.sheets.is_empty();
        for (name, row, text) in no_header {
            let reason = if any {
                format!(
                    "这张工作表找不到表头行，其中的内容没有读入：若是说明，请删去这张工作表；若是{}的数据，请在数据上方加上列名行（应有“{}”等）",
                    spec.what,
                    names.join("”“")
                )
            } else {
                format!(
                    "找不到表头行：前{HEADER_SEARCH_ROWS}行中没有一行是{}的列名（应有“{}”等）。请在数据上方加上列名行（可从模板复制）后再导入",
                    spec.what,
                    names.join("”“")
                )
            };
            table.push_named(usize::MAX, &name, row, None, "", &text, reason);
        }
        table
    }

    /// Reads one grid; `Err` with the sheet, first row and first text of a grid that has
    /// content but no header row.
    fn grid(&mut self, mut grid: Grid) -> Result<(), (String, u32, String)> {
        let mut found = None;
        let mut first = None;
        for (i, (row, line)) in grid.lines.iter().enumerate().take(HEADER_SEARCH_ROWS) {
            let texts: Vec<String> = line.iter().map(plain).collect();
            let Some(text) = texts.iter().map(|t| t.trim()).find(|t| !t.is_empty()) else { continue };
            if self.is_header(&texts) {
                found = Some((i, texts));
                break;
            }
            first.get_or_insert_with(|| (grid.name.clone(), *row, text.to_string()));
        }
        let Some((at, texts)) = found else {
            return match first {
                Some(f) => Err(f),
                None => Ok(()),
            };
        };
        let index = self.sheets.len();
        self.header(index, &grid, grid.lines[at].0, &texts);
        let (physical, shown_as) = (self.sheets[index].physical.clone(), self.sheets[index].shown.clone());
        let silenced = self.unmerge(index, (&physical, &shown_as), &mut grid, at);
        for (i, (row, line)) in grid.lines.iter().enumerate().skip(at + 1) {
            let mut cells = Vec::with_capacity(self.spec.columns.len());
            for (c, column) in self.spec.columns.iter().enumerate() {
                let Some(p) = physical[c] else {
                    cells.push(Some(String::new()));
                    continue;
                };
                if silenced.contains(&(i, p)) {
                    cells.push(None);
                    continue;
                }
                let mut out = String::new();
                match line.get(p).map_or(Ok(()), |d| read_cell(d, column.read_as, &mut out)) {
                    Ok(()) => cells.push(Some(out)),
                    Err(reason) => {
                        self.push(index, *row, Some(p), &shown_as[c], &out, reason);
                        cells.push(None);
                    }
                }
            }
            let blank = cells.iter().all(|c| c.as_deref().is_some_and(|t| t.trim().is_empty()));
            // A total line under the rows (合计：共 12 笔) is not a row of the list.
            let total = self.key_empty(&cells) && line.iter().map(plain).any(|t| is_total(&t));
            if !blank && !total {
                self.lines.push(Line { sheet: index, row: *row, cells });
            }
        }
        Ok(())
    }

    /// Whether the first required column of the list is empty in `cells`.
    fn key_empty(&self, cells: &[Option<String>]) -> bool {
        let key = self.spec.columns.iter().position(|c| c.required).unwrap_or(0);
        cells[key].as_deref().is_some_and(|t| t.trim().is_empty())
    }

    /// Whether a row names at least one column of the list (a title row names none).
    fn is_header(&self, texts: &[String]) -> bool {
        texts.iter().any(|t| self.named(t).is_some() || self.other_unit(t).is_some())
    }

    /// The column a header cell names.
    fn named(&self, header: &str) -> Option<usize> {
        let h = normalize(header);
        let h = strip_yuan(&h);
        (!h.is_empty()).then(|| self.spec.columns.iter().position(|c| c.names.iter().any(|n| normalize(n) == h)))?
    }

    /// A money column whose header names 万元 or 亿元: the column and the unit.
    fn other_unit(&self, header: &str) -> Option<(usize, &'static str)> {
        let h = normalize(header);
        for unit in ["万元", "亿元"] {
            for pattern in [format!("({unit})"), format!("(单位:{unit})")] {
                let Some(base) = h.strip_suffix(pattern.as_str()) else { continue };
                let c = self.named(base)?;
                return (self.spec.columns[c].read_as == As::Money).then_some((c, unit));
            }
        }
        None
    }

    /// Maps a header row onto the list's columns; duplicate, 万元 and missing columns are
    /// reported at the header row. Columns the list does not use are ignored.
    fn header(&mut self, index: usize, grid: &Grid, row: u32, texts: &[String]) {
        let columns = self.spec.columns;
        self.sheets.push(Sheet { name: grid.name.clone(), header_row: row, physical: Vec::new(), shown: Vec::new() });
        let mut physical: Vec<Option<usize>> = vec![None; columns.len()];
        let mut unknown = Vec::new();
        let mut shown_as: Vec<String> = columns.iter().map(|c| c.names[0].to_string()).collect();
        for (p, text) in texts.iter().enumerate() {
            let h = text.trim();
            if h.is_empty() {
                continue;
            }
            let (c, unit) = match (self.named(h), self.other_unit(h)) {
                (Some(c), _) => (c, None),
                (None, Some((c, unit))) => (c, Some(unit)),
                (None, None) => {
                    unknown.push(h.to_string());
                    continue;
                }
            };
            if let Some(first) = physical[c] {
                let letter = column_letter(grid.left as usize + first);
                let reason = format!("重复的列（与第{letter}列“{}”是同一列）：请删去其中一列", texts[first].trim());
                self.push(index, row, Some(p), h, h, reason);
                continue;
            }
            physical[c] = Some(p);
            if !h.is_ascii() {
                shown_as[c] = h.to_string();
            }
            if let Some(unit) = unit {
                let reason = format!(
                    "表头写明单位是{unit}，但金额须以元为单位：请把本列数值换算成元（1{unit} = {}元），并把表头改为“{}”",
                    if unit == "万元" { "10000" } else { "100000000" },
                    columns[c].names[0]
                );
                self.push(index, row, Some(p), h, h, reason);
            }
        }
        for (c, column) in columns.iter().enumerate() {
            if column.required && physical[c].is_none() {
                let mut reason = format!("缺少必需的列“{}”", column.names[0]);
                if column.names.len() > 1 {
                    reason.push_str(&format!("（也可写作“{}”）", column.names[1..].join("”“")));
                }
                if let Some(guess) = unknown.iter().find(|u| column.names.iter().any(|n| near(u, n))) {
                    reason.push_str(&format!(
                        "：表头中的“{}”是否就是这一列？请改为“{}”",
                        shown(guess),
                        column.names[0]
                    ));
                } else {
                    reason.push_str("：请在表头行加上这一列");
                }
                self.push(index, row, None, column.names[0], "", reason);
            }
        }
        self.sheets[index].physical = physical;
        self.sheets[index].shown = shown_as;
    }

    /// Merged cells below the header: a text or date merged down over rows is the value of every
    /// row it covers (a list name merged over its entries) and is filled down; an amount is not
    /// (one amount cannot be every row's) and is refused once. Returns the cells so refused
    /// (line index, physical column).
    fn unmerge(
        &mut self,
        index: usize,
        (physical, shown_as): (&[Option<usize>], &[String]),
        grid: &mut Grid,
        header: usize,
    ) -> Vec<(usize, usize)> {
        let mut silenced = Vec::new();
        for &(r0, r1, p) in &grid.merged {
            if r0 <= header || r1 >= grid.lines.len() {
                continue;
            }
            let column = physical.iter().position(|&x| x == Some(p));
            let top = grid.lines[r0].1.get(p).cloned().unwrap_or(Data::Empty);
            if column.is_some_and(|c| self.spec.columns[c].read_as == As::Money) {
                let c = column.unwrap_or_default();
                let letter = column_letter(grid.left as usize + p);
                let (first, last) = (grid.lines[r0].0, grid.lines[r1].0);
                let reason = format!(
                    "{letter}{first}:{letter}{last} 是合并单元格：一个金额不能同时作为{}行的数值。请取消合并，在每一行填写各自的金额",
                    r1 - r0 + 1
                );
                let mut value = String::new();
                let _ = cell_text(&top, CellKind::Money, &mut value);
                self.push(index, first, Some(p), &shown_as[c], &value, reason);
                silenced.extend((r0..=r1).map(|r| (r, p)));
                continue;
            }
            for line in &mut grid.lines[r0 + 1..=r1] {
                if line.1.len() <= p {
                    line.1.resize(p + 1, Data::Empty);
                }
                if matches!(line.1[p], Data::Empty) {
                    line.1[p] = top.clone();
                }
            }
        }
        silenced
    }

    fn push(&mut self, sheet: usize, row: u32, physical: Option<usize>, column: &str, value: &str, reason: Reason) {
        let name = self.sheets.get(sheet).map_or_else(String::new, |s| s.name.clone());
        self.push_named(sheet, &name, row, physical, column, value, reason);
    }

    #[allow(clippy::too_many_arguments)] // reason: one error's place and content, all needed
    fn push_named(
        &mut self,
        sheet: usize,
        name: &str,
        row: u32,
        physical: Option<usize>,
        column: &str,
        value: &str,
        reason: Reason,
    ) {
        let error =
            DataError { sheet: shown(name), row: row as usize, column: shown(column), value: shown(value), reason };
        self.errors.push(((sheet, row, physical.unwrap_or(usize::MAX)), error));
    }

    /// Parses every data row with `parse`, which reports through the [`RowCtx`] and returns
    /// `None` for a row with errors.
    pub(crate) fn parse<T>(&mut self, mut parse: impl FnMut(&mut RowCtx<'_>) -> Option<T>) -> Vec<(Place, T)> {
        let lines = std::mem::take(&mut self.lines);
        let mut out = Vec::with_capacity(lines.len());
        for line in &lines {
            let mut ctx = RowCtx { table: self, line, ok: true };
            if let Some(value) = parse(&mut ctx) {
                let ok = ctx.ok;
                if ok {
                    out.push((Place { sheet: line.sheet, row: line.row }, value));
                }
            }
        }
        self.lines = lines;
        out
    }

    /// Reports an error found across rows (a repeated entry) at `place`, in column `c`.
    pub(crate) fn report(&mut self, place: Place, c: usize, value: &str, reason: Reason) {
        let sheet = &self.sheets[place.sheet];
        let (p, column) = (sheet.physical[c], sheet.shown[c].clone());
        self.push(place.sheet, place.row, p, &column, value, reason);
    }

    /// The sheet name of a place, as messages show it.
    pub(crate) fn sheet_of(&self, place: Place) -> &str {
        &self.sheets[place.sheet].name
    }

    /// Every error, sorted by sheet, row and column; a file with a header but no row at all is
    /// an error too (a list cannot be empty).
    pub(crate) fn finish(mut self) -> Result<(), ReadError> {
        if self.lines.is_empty() && self.errors.is_empty() {
            let reason = format!("表头下没有数据行：这份{}是空的，请检查是否选错了文件或工作表", self.spec.what);
            match self.sheets.first() {
                Some(s) => {
                    let (name, row) = (s.name.clone(), s.header_row);
                    self.push_named(0, &name, row, None, "", "", reason);
                }
                None => {
                    return Err(ReadError::NotADataset(format!(
                        "没有数据：表格中没有任何内容，不是一份{}",
                        self.spec.what
                    )));
                }
            }
        }
        if self.errors.is_empty() {
            return Ok(());
        }
        self.errors.sort_by_key(|(key, _)| *key);
        Err(ReadError::Data(DataErrors(self.errors.into_iter().map(|(_, e)| e).collect())))
    }
}

/// One data row being parsed.
pub(crate) struct RowCtx<'a> {
    table: &'a mut Table,
    line: &'a Line,
    /// Whether the row is free of errors so far.
    pub ok: bool,
}

impl<'a> RowCtx<'a> {
    /// The trimmed text of column `c`; `None` if the cell was refused already.
    pub(crate) fn get(&self, c: usize) -> Option<&'a str> {
        self.line.cells[c].as_deref().map(str::trim)
    }

    pub(crate) fn report(&mut self, c: usize, value: &str, reason: Reason) {
        self.ok = false;
        let place = Place { sheet: self.line.sheet, row: self.line.row };
        self.table.report(place, c, value, reason);
    }

    /// An optional value: `None` when empty or invalid (reported).
    pub(crate) fn opt<T>(&mut self, c: usize, parse: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        let Some(text) = self.get(c) else {
            self.ok = false;
            return None;
        };
        if text.is_empty() {
            return None;
        }
        match parse(text) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.report(c, text, reason);
                None
            }
        }
    }

    /// A required value: `None` (reported) when empty or invalid. A missing column was reported
    /// once at the header.
    pub(crate) fn req<T>(&mut self, c: usize, parse: impl FnOnce(&str) -> Result<T, Reason>) -> Option<T> {
        if self.get(c) == Some("") {
            if self.table.sheets[self.line.sheet].physical[c].is_some() {
                self.report(c, "", "不能为空".into());
            }
            self.ok = false;
            return None;
        }
        self.opt(c, parse)
    }
}

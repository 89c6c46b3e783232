//! Where each fact of a dataset came from: sheet, row and column as the reader names them in its
//! messages, for findings about facts that are valid but implausible (issue 8 item 2).
//!
//! Built on the fast path from what the reader keeps anyway (the enterprise of every key, the row
//! of every fact); the lookup of an annual row by (enterprise, year) sorts an index once, on the
//! first lookup.

use super::keys::KeyMap;
use super::row::SheetInfo;
use super::schema::SheetKind;
use crate::model::Year;
use crate::uscc::Uscc;
use std::collections::HashMap;
use std::sync::OnceLock;

/// How messages name a sheet: as written when the name is Chinese, else its Chinese name
/// (`annual` → `年度数据`), so that a clerk reads Chinese whatever language the file used.
pub(crate) fn sheet_display(kind: SheetKind, written: &str) -> String {
    let w = written.trim();
    if !w.is_empty() && !w.is_ascii() { w.to_string() } else { kind.zh().to_string() }
}

/// How messages name a column: its header as written when that is Chinese, else the field's
/// Chinese name (`revenue` → `营业收入`).
pub(crate) fn column_display(kind: SheetKind, field: usize, written: Option<&str>) -> String {
    match written.map(str::trim) {
        Some(w) if !w.is_empty() && !w.is_ascii() => w.to_string(),
        _ => kind.fields()[field].zh.to_string(),
    }
}

/// One sheet as read: its name and the name of each field's column, as messages show them.
#[derive(Debug, Clone, Default)]
struct Placed {
    name: String,
    columns: Vec<String>,
}

impl Placed {
    fn of(info: &SheetInfo) -> Placed {
        let columns = (0..info.kind.fields().len()).map(|f| info.column_of(f).to_string()).collect();
        Placed { name: info.name.clone(), columns }
    }

    fn absent(kind: SheetKind) -> Placed {
        let columns = kind.fields().iter().map(|f| f.zh.to_string()).collect();
        Placed { name: kind.zh().to_string(), columns }
    }
}

/// Where each fact of a dataset came from (sheet as messages name it, spreadsheet row).
///
/// Row numbers are those of the file (the header of a CSV file is row 1). Sheet and column names
/// follow the reader's messages: the name as written when it is Chinese, else the Chinese name
/// (`年度数据`, `营业收入`), so findings and errors name the same places the same way.
#[derive(Debug, Default)]
pub struct Locations {
    sheets: [Option<Placed>; 4],
    /// Each enterprise's slot (its position among the `enterprises` rows).
    slot_of: KeyMap<Uscc, u32>,
    /// By slot: the row of the enterprise.
    enterprise_rows: Vec<u32>,
    /// Every annual row read, in file order: its enterprise's slot, its year, its row.
    annual_slots: Vec<u32>,
    annual_years: Vec<Year>,
    annual_rows: Vec<u32>,
    /// Indexes of the annual rows sorted by (slot, year), built on the first lookup.
    annual_index: OnceLock<Vec<u32>>,
    projects: HashMap<String, u32>,
}

/// What a reader hands over to build [`Locations`].
pub(crate) struct Parts {
    pub slot_of: KeyMap<Uscc, u32>,
    pub enterprise_rows: Vec<u32>,
    pub annual_slots: Vec<u32>,
    pub annual_years: Vec<Year>,
    pub annual_rows: Vec<u32>,
    pub projects: HashMap<String, u32>,
}

impl Locations {
    pub(crate) fn new(sheets: &[SheetInfo], parts: Parts) -> Locations {
        let mut placed: [Option<Placed>; 4] = Default::default();
        for info in sheets {
            placed[info.kind.order() as usize] = Some(Placed::of(info));
        }
        Locations {
            sheets: placed,
            slot_of: parts.slot_of,
            enterprise_rows: parts.enterprise_rows,
            annual_slots: parts.annual_slots,
            annual_years: parts.annual_years,
            annual_rows: parts.annual_rows,
            annual_index: OnceLock::new(),
            projects: parts.projects,
        }
    }

    fn placed(&self, kind: SheetKind) -> Placed {
        self.sheets[kind.order() as usize].clone().unwrap_or_else(|| Placed::absent(kind))
    }

    fn sheet_of(&self, kind: SheetKind) -> String {
        match &self.sheets[kind.order() as usize] {
            Some(p) => p.name.clone(),
            None => kind.zh().to_string(),
        }
    }

    /// The sheet of `enterprises` (企业) and the row of an enterprise.
    pub fn enterprise(&self, uscc: &Uscc) -> Option<(String, u32)> {
        let slot = *self.slot_of.get(uscc)?;
        let row = *self.enterprise_rows.get(slot as usize)?;
        Some((self.sheet_of(SheetKind::Enterprises), row))
    }

    /// The sheet of `annual` (年度数据) and the row of an enterprise's year.
    pub fn annual(&self, uscc: &Uscc, year: Year) -> Option<(String, u32)> {
        let slot = *self.slot_of.get(uscc)?;
        let index = self.annual_index.get_or_init(|| {
            let mut index: Vec<u32> = (0..self.annual_rows.len() as u32).collect();
            index.sort_unstable_by_key(|&i| (self.annual_slots[i as usize], self.annual_years[i as usize]));
            index
        });
        let at = index
            .binary_search_by_key(&(slot, year), |&i| (self.annual_slots[i as usize], self.annual_years[i as usize]))
            .ok()?;
        Some((self.sheet_of(SheetKind::Annual), self.annual_rows[index[at] as usize]))
    }

    /// The sheet of `projects` (项目) and the row of a project.
    pub fn project(&self, project_id: &str) -> Option<(String, u32)> {
        let row = *self.projects.get(project_id)?;
        Some((self.sheet_of(SheetKind::Projects), row))
    }

    /// The name of a sheet as messages show it: `sheet` is its English code (`annual`) or
    /// Chinese name (`年度数据`); an unknown name is returned as given.
    pub fn sheet(&self, sheet: &str) -> String {
        match SheetKind::from_name(sheet) {
            Some(kind) => self.sheet_of(kind),
            None => sheet.to_string(),
        }
    }

    /// The name of a column as messages show it: the header as written when it is Chinese, else
    /// the field's Chinese name (also when the sheet had no such column). `sheet` is the sheet's
    /// English code or Chinese name, `field_code` the field's English code (`revenue`); an
    /// unknown field is returned as given.
    pub fn column(&self, sheet: &str, field_code: &str) -> String {
        let Some(kind) = SheetKind::from_name(sheet) else {
            return field_code.to_string();
        };
        match kind.fields().iter().position(|f| f.en == field_code) {
            Some(f) => self.placed(kind).columns[f].clone(),
            None => field_code.to_string(),
        }
    }
}

//! The list of seriously untrustworthy entities (严重失信主体名单, 失信名单) a credit check
//! (信用核查) reads: who (统一社会信用代码), on which list, by whom, from when until when.

use super::source;
use super::table::{As, Column, Place, RowCtx, Spec, Table};
use crate::error::ReadError;
use crate::read::Limits;
use crate::read::values;
use crate::uscc::Uscc;
use jiff::civil::Date;
use std::collections::HashMap;
use std::path::Path;

/// One entry of the list: an entity listed on `listed`, until `removed` if it was removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditEntry {
    /// 统一社会信用代码, verified (GB 32100 check digit), upper case, half-width.
    pub uscc: String,
    /// 主体名称, as the list gives it.
    pub name: Option<String>,
    /// 名单名称: e.g. 失信被执行人名单, 重大税收违法失信主体名单.
    pub list: String,
    /// 来源/认定部门: the body that listed the entity, or the site it was taken from.
    pub source: String,
    /// 列入日期 (a Beijing calendar date).
    pub listed: Date,
    /// 移出日期, never before `listed`; `None` while the entity is on the list.
    pub removed: Option<Date>,
}

impl CreditEntry {
    /// Whether the entry is in force on `date`: listed on or before it, and not removed on or
    /// before it (removed on a date, the entity is off the list that day).
    pub fn in_force_on(&self, date: Date) -> bool {
        self.listed <= date && self.removed.is_none_or(|removed| date < removed)
    }
}

/// The entries of `entries` about `uscc` in force on `date`, in the list's order.
pub fn in_force<'a>(entries: &'a [CreditEntry], uscc: &str, date: Date) -> Vec<&'a CreditEntry> {
    entries.iter().filter(|e| e.uscc == uscc && e.in_force_on(date)).collect()
}

/// The columns, by index.
const USCC: usize = 0;
const NAME: usize = 1;
const LIST: usize = 2;
const SOURCE: usize = 3;
const LISTED: usize = 4;
const REMOVED: usize = 5;

pub(crate) static SPEC: Spec = Spec {
    what: "失信名单",
    columns: &[
        Column {
            names: &["统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "USCC"],
            required: true,
            read_as: As::Uscc,
        },
        Column {
            names: &["主体名称", "企业名称", "单位名称", "失信主体名称", "名称", "被执行人"],
            required: false,
            read_as: As::Text,
        },
        Column {
            names: &["名单名称", "名单类型", "名单", "失信类型", "列入名单"], required: true, read_as: As::Text
        },
        Column {
            names: &["认定部门", "来源", "认定单位", "列入部门", "发布部门", "数据来源", "来源单位"],
            required: true,
            read_as: As::Text,
        },
        Column {
            names: &["列入日期", "列入时间", "认定日期", "发布日期", "纳入日期"],
            required: true,
            read_as: As::Date,
        },
        Column {
            names: &["移出日期", "移出时间", "退出日期", "信用修复日期"], required: false, read_as: As::Date
        },
    ],
};

/// Reads a 失信名单 file (`.xlsx`, `.xls`, `.xlsb`, `.ods` or CSV in UTF-8, GBK or UTF-16),
/// every sheet with the list's header, within `limits`.
///
/// # Errors
/// As [`read_named`], the file named by its own name.
pub fn read(path: &Path, limits: &Limits) -> Result<Vec<CreditEntry>, ReadError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    read_named(path, &name, limits)
}

/// Reads a 失信名单 file at `path` that the person knows as `name` (a web upload kept in a
/// scratch file): messages name `name`, never the scratch path; a CSV file's rows are located in
/// the sheet named after `name`'s stem.
///
/// # Errors
/// A file that cannot be read, is over a limit or is not a table: one sentence
/// (`ReadError::Io`, `TooLarge`, `NotADataset`). Otherwise every bad cell at once
/// (`ReadError::Data`, by sheet, row and column): a missing or repeated required column, an
/// empty required cell, a USCC with a wrong check digit (full-width characters are read as
/// half-width), a date that is none, a 移出日期 before its 列入日期, text no clerk types
/// ([`crate::typed::check_text`]), an entry repeated (same code, list and 列入日期), a list with
/// no row.
pub fn read_named(path: &Path, name: &str, limits: &Limits) -> Result<Vec<CreditEntry>, ReadError> {
    read_inner(path, name, limits).map_err(|e| e.shown_as(path, name))
}

fn read_inner(path: &Path, name: &str, limits: &Limits) -> Result<Vec<CreditEntry>, ReadError> {
    let stem = Path::new(name).file_stem().map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
    let grids = source::grids(path, &stem, limits, SPEC.what)?;
    let mut table = Table::of(&SPEC, grids);
    let rows = table.parse(entry);
    let mut first: HashMap<(&str, &str, Date), Place> = HashMap::new();
    let mut repeats = Vec::new();
    for (place, e) in &rows {
        match first.get(&(e.uscc.as_str(), e.list.as_str(), e.listed)) {
            Some(at) => {
                let where_ = if table.sheet_of(*at) == table.sheet_of(*place) {
                    format!("第{}行", at.row)
                } else {
                    format!("工作表“{}”第{}行", table.sheet_of(*at), at.row)
                };
                repeats.push((*place, e.uscc.clone(), where_, e.list.clone()));
            }
            None => {
                first.insert((e.uscc.as_str(), e.list.as_str(), e.listed), *place);
            }
        }
    }
    for (place, uscc, where_, list) in repeats {
        let reason = format!("重复的记录：{where_}已有这一主体在“{list}”中同一列入日期的记录，请删去其中一行");
        table.report(place, USCC, &uscc, reason);
    }
    table.finish()?;
    Ok(rows.into_iter().map(|(_, e)| e).collect())
}

/// One row of the list.
/// The template's example row (its code and name): refused when read, so that a template
/// uploaded unchanged puts no fictional enterprise on the list.
const EXAMPLE: [&str; 2] = ["91140525MA0L00010K", "山西示例机械制造有限公司"];

fn entry(ctx: &mut RowCtx<'_>) -> Option<CreditEntry> {
    let uscc = ctx.req(USCC, values::uscc);
    if uscc.as_ref().is_some_and(|u| u.to_string() == EXAMPLE[0]) && ctx.get(NAME) == Some(EXAMPLE[1]) {
        ctx.report(USCC, EXAMPLE[0], "这是模板中的示例行，不是真实名单条目：请删除此行后再导入".to_string());
        return None;
    }
    let name = ctx.opt(NAME, values::text);
    let list = ctx.req(LIST, values::text);
    let source = ctx.req(SOURCE, values::text);
    let listed = ctx.req(LISTED, values::date);
    let removed = ctx.opt(REMOVED, values::date);
    if let (Some(listed), Some(removed)) = (listed, removed)
        && removed < listed
    {
        let text = ctx.get(REMOVED).unwrap_or_default().to_string();
        ctx.report(REMOVED, &text, format!("移出日期早于列入日期（{listed}）：请核对这两个日期"));
    }
    Some(CreditEntry {
        uscc: uscc.as_ref().map(Uscc::to_string)?,
        name,
        list: list?,
        source: source?,
        listed: listed?,
        removed,
    })
}

/// The 失信名单 template: one sheet with the list's headers, a guide row of formats and one
/// example row (`.xlsx` bytes).
///
/// # Errors
/// The workbook could not be written (`crate::WriteError`).
pub fn template_xlsx() -> Result<Vec<u8>, crate::WriteError> {
    let example = [EXAMPLE[0], EXAMPLE[1], "失信被执行人名单", "晋城市中级人民法院", "2024-03-01", ""];
    super::template::xlsx("失信名单", &SPEC, &example)
}

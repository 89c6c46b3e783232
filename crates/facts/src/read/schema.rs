//! The sheets and columns of FACTS.md, in English and Chinese, and the mapping of a sheet's
//! header row onto them.

/// One of the four sheets of a dataset, in the order they are read (and errors are sorted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum SheetKind {
    Enterprises,
    Annual,
    Recognitions,
    Projects,
}

impl SheetKind {
    pub(crate) const ALL: [SheetKind; 4] =
        [SheetKind::Enterprises, SheetKind::Annual, SheetKind::Recognitions, SheetKind::Projects];

    pub(crate) fn en(self) -> &'static str {
        match self {
            SheetKind::Enterprises => "enterprises",
            SheetKind::Annual => "annual",
            SheetKind::Recognitions => "recognitions",
            SheetKind::Projects => "projects",
        }
    }

    pub(crate) fn zh(self) -> &'static str {
        match self {
            SheetKind::Enterprises => "企业",
            SheetKind::Annual => "年度数据",
            SheetKind::Recognitions => "认定",
            SheetKind::Projects => "项目",
        }
    }

    /// The sheet a (sheet or file stem) name denotes: English (any case) or Chinese.
    pub(crate) fn from_name(name: &str) -> Option<SheetKind> {
        let n = name.trim();
        SheetKind::ALL.into_iter().find(|k| k.en().eq_ignore_ascii_case(n) || k.zh() == n)
    }

    pub(crate) fn order(self) -> u32 {
        self as u32
    }

    pub(crate) fn fields(self) -> &'static [Field] {
        match self {
            SheetKind::Enterprises => ENTERPRISES,
            SheetKind::Annual => ANNUAL,
            SheetKind::Recognitions => RECOGNITIONS,
            SheetKind::Projects => PROJECTS,
        }
    }
}

/// How a workbook cell of a column is turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// Any cell as text; numbers in their shortest form.
    Plain,
    /// A USCC: 18 characters, which an Excel number cannot hold (15 significant digits).
    Uscc,
    /// Date cells (Excel serials) become `YYYY-MM-DD`.
    Date,
    /// A year: a date cell is refused unless its stored number is itself a year.
    Year,
    /// An amount in yuan: a date cell is refused; a merged cell over several rows is refused.
    Money,
}

/// A column of a sheet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub en: &'static str,
    pub zh: &'static str,
    /// The column must be present and every row must fill it.
    pub required: bool,
    pub cell: CellKind,
}

const fn key(en: &'static str, zh: &'static str) -> Field {
    Field { en, zh, required: true, cell: CellKind::Plain }
}

const fn opt(en: &'static str, zh: &'static str) -> Field {
    Field { en, zh, required: false, cell: CellKind::Plain }
}

const fn typed(en: &'static str, zh: &'static str, required: bool, cell: CellKind) -> Field {
    Field { en, zh, required, cell }
}

const USCC: Field = Field { en: "uscc", zh: "统一社会信用代码", required: true, cell: CellKind::Uscc };

/// Column indexes of `enterprises`.
pub(crate) mod ent {
    pub const USCC: usize = 0;
    pub const NAME: usize = 1;
    pub const CHAIN: usize = 2;
    pub const STAGE: usize = 3;
    pub const TOWN: usize = 4;
    pub const INDUSTRY_CODE: usize = 5;
    pub const STRATEGIC_EMERGING: usize = 6;
    pub const ESTABLISHED: usize = 7;
    pub const CHAIN_JOINED_YEAR: usize = 8;
}

pub(crate) const ENTERPRISES: &[Field] = &[
    USCC,
    key("name", "企业名称"),
    opt("chain", "产业链"),
    opt("stage", "环节"),
    opt("town", "乡镇"),
    opt("industry_code", "行业代码"),
    opt("strategic_emerging", "战略性新兴产业"),
    Field { en: "established", zh: "成立日期", required: false, cell: CellKind::Date },
    typed("chain_joined_year", "入链年份", false, CellKind::Year),
];

/// Column indexes of `annual`.
pub(crate) mod ann {
    pub const USCC: usize = 0;
    pub const YEAR: usize = 1;
    pub const REVENUE: usize = 2;
    pub const ABOVE_SCALE: usize = 3;
    pub const CHAIN_MASTER: usize = 4;
    pub const LOCAL_PROCUREMENT: usize = 5;
    pub const TOTAL_PROCUREMENT: usize = 6;
    pub const RD_EXPENSE: usize = 7;
}

pub(crate) const ANNUAL: &[Field] = &[
    USCC,
    typed("year", "年度", true, CellKind::Year),
    typed("revenue", "营业收入", false, CellKind::Money),
    opt("above_scale", "规上企业"),
    opt("chain_master", "链主企业"),
    typed("local_procurement", "本地配套采购额", false, CellKind::Money),
    typed("total_procurement", "配套采购总额", false, CellKind::Money),
    typed("rd_expense", "研发投入", false, CellKind::Money),
];

/// Column indexes of `recognitions`.
pub(crate) mod rec {
    pub const USCC: usize = 0;
    pub const KIND: usize = 1;
    pub const YEAR: usize = 2;
}

pub(crate) const RECOGNITIONS: &[Field] =
    &[USCC, key("kind", "认定类型"), typed("year", "认定年度", true, CellKind::Year)];

/// Column indexes of `projects`.
pub(crate) mod proj {
    pub const PROJECT_ID: usize = 0;
    pub const USCC: usize = 1;
    pub const NAME: usize = 2;
    pub const CATEGORY: usize = 3;
    pub const FIXED_ASSET_INVESTMENT: usize = 4;
    pub const START_YEAR: usize = 5;
    pub const COMPLETED_YEAR: usize = 6;
}

pub(crate) const PROJECTS: &[Field] = &[
    key("project_id", "项目编号"),
    USCC,
    key("name", "项目名称"),
    opt("category", "项目类别"),
    typed("fixed_asset_investment", "固定资产投资", false, CellKind::Money),
    typed("start_year", "开工年度", false, CellKind::Year),
    typed("completed_year", "竣工投产年度", false, CellKind::Year),
];

/// A header cell's text without what a form adds around a column name: a BOM, spaces, a unit
/// of yuan (`营业收入（元）`, `营业收入(元)`). A unit of 万元/亿元 is kept: it is refused.
pub(crate) fn header_name(h: &str) -> &str {
    let h = h.trim().trim_start_matches('\u{feff}').trim();
    for unit in ["（元）", "(元)", "（单位：元）", "(单位:元)"] {
        if let Some(base) = h.strip_suffix(unit) {
            return base.trim_end();
        }
    }
    h
}

/// The field a header cell names, exactly (English in any case, or Chinese).
pub(crate) fn field_named(fields: &[Field], h: &str) -> Option<usize> {
    let h = header_name(h);
    fields.iter().position(|f| f.en.eq_ignore_ascii_case(h) || f.zh == h)
}

/// A unit of 万元 or 亿元 in a column's header (`营业收入（万元）`): the field and the unit.
pub(crate) fn other_unit_header(fields: &[Field], h: &str) -> Option<(usize, &'static str)> {
    let h = h.trim();
    for unit in ["万元", "亿元"] {
        for pattern in
            [format!("（{unit}）"), format!("({unit})"), format!("（单位：{unit}）"), format!("(单位:{unit})")]
        {
            if let Some(base) = h.strip_suffix(pattern.as_str()) {
                let base = base.trim_end();
                let f = fields.iter().position(|f| f.en.eq_ignore_ascii_case(base) || f.zh == base)?;
                return Some((f, unit));
            }
        }
    }
    None
}

/// Whether a row can be the header of a sheet: a cell that names one of its columns, or two
/// that nearly do (typos). A title row (`泽州县2023年制造业企业名单`) is neither.
pub(crate) fn is_header<'a>(kind: SheetKind, cells: impl Iterator<Item = &'a str>) -> bool {
    let fields = kind.fields();
    let mut near = 0;
    for c in cells {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        if field_named(fields, c).is_some() || other_unit_header(fields, c).is_some() {
            return true;
        }
        if c.chars().count() <= 24 && suggest(fields, c).is_some() {
            near += 1;
        }
    }
    near >= 2
}

/// Rows looked at for the header (title rows, notes above it).
pub(crate) const HEADER_SEARCH_ROWS: usize = 30;

/// The one error of a sheet without a header row: what was found, what to do.
pub(crate) fn no_header_reason(kind: SheetKind, rows: usize) -> String {
    let names: Vec<&str> = kind.fields().iter().filter(|f| f.required).map(|f| f.zh).collect();
    format!(
        "找不到表头行：前{rows}行中没有一行是本表的列名（应有“{}”等）。请在数据上方加上列名行（可从导入模板复制）后再导入",
        names.join("”“")
    )
}

/// The spreadsheet letter of a 0-based column: `A`, `Z`, `AA`.
pub(crate) fn column_letter(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Edit distance, to suggest the column a typo meant.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The column of `fields` closest to an unknown header, if it is close enough to be a typo.
pub(crate) fn suggest(fields: &[Field], header: &str) -> Option<&'static str> {
    // No column name is near a long text, and the distance costs its length times theirs.
    if header.len() > 256 {
        return None;
    }
    let lower = header.to_lowercase();
    fields
        .iter()
        .flat_map(|f| [f.en, f.zh])
        .map(|name| (distance(&lower, name), name))
        .filter(|&(d, name)| d > 0 && d <= (name.chars().count() / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_header_gets_no_suggestion_and_costs_nothing() {
        let fields = [typed("revenue", "营业收入", false, CellKind::Money)];
        assert_eq!(suggest(&fields, "revenu"), Some("revenue"));
        // Ten million characters: the edit distance would take hours.
        assert_eq!(suggest(&fields, &"x".repeat(10_000_000)), None);
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest(ANNUAL, "revenu"), Some("revenue"));
        assert_eq!(suggest(ANNUAL, "above_scal"), Some("above_scale"));
        assert_eq!(suggest(ENTERPRISES, "colour"), None);
        assert_eq!(suggest(ENTERPRISES, "企业名"), Some("企业名称"));
    }

    #[test]
    fn sheet_names() {
        assert_eq!(SheetKind::from_name("Annual"), Some(SheetKind::Annual));
        assert_eq!(SheetKind::from_name(" 企业 "), Some(SheetKind::Enterprises));
        assert_eq!(SheetKind::from_name("企业名录"), None);
    }
}

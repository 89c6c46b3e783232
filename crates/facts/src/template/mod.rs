//! The import template (`lianzhang template --out FILE`): an empty `.xlsx` workbook with the
//! four sheets of FACTS.md under their Chinese names and Chinese headers, so that a filled
//! template is imported by `lianzhang import` as it is.
//!
//! Each column is formatted for what it holds (USCCs and ids as text, money `#,##0.00`, years
//! whole numbers, dates `yyyy-mm-dd`) and validated: drop-down lists for the coded columns
//! (chains, stages, recognition kinds, project categories, yes/no) from the policy's vocabulary,
//! kept on the hidden sheet `代码表` and referenced through defined names (an inline list is
//! limited to 255 characters), and ranges for years, money and dates. The first sheet,
//! `填写说明`, explains every column in Chinese.
//!
//! The column table below mirrors the reader's (`crate::read::schema`, which is not
//! public); a test checks it against the headers the facts writer writes.

use crate::Vocabulary;
use crate::error::WriteError;
use crate::read::schema::column_letter;

type Result<T, E = WriteError> = std::result::Result<T, E>;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Formula, Workbook, Worksheet,
};
use std::path::Path;

/// The visible sheet explaining every column.
pub const INSTRUCTIONS_SHEET: &str = crate::TEMPLATE_SHEETS[0];
/// The hidden sheet holding the drop-down lists.
pub const LISTS_SHEET: &str = crate::TEMPLATE_SHEETS[1];

/// The last worksheet row (0-based): formats and validations cover whole columns.
const LAST_ROW: u32 = 1_048_575;

/// What a column holds: decides its format, validation and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Uscc,
    /// A free identifier kept as text (project id).
    Id,
    Text,
    IndustryCode,
    Chain,
    Stage,
    Recognition,
    Category,
    Bool,
    Date,
    Year,
    Money,
    /// A declared fact's count (whole number ≥ 0).
    Count,
    /// A declared fact's percentage, in points.
    Percent,
    /// A declared fact's area.
    Area,
}

impl Kind {
    /// The kind of a column of a fact the policy declares (see [`crate::extra`]).
    fn of(ty: crate::ExtraType) -> Kind {
        use crate::ExtraType as T;
        match ty {
            T::Money => Kind::Money,
            T::Bool => Kind::Bool,
            T::Count => Kind::Count,
            T::Percent => Kind::Percent,
            T::Area => Kind::Area,
            T::Year => Kind::Year,
            T::Date => Kind::Date,
            T::Code | T::Text => Kind::Text,
        }
    }
}

/// A column as the template writes it: FACTS.md's, or one of a fact the policy declares.
struct Col<'a> {
    en: &'a str,
    zh: &'a str,
    required: bool,
    kind: Kind,
    note: std::borrow::Cow<'a, str>,
}

/// The columns of sheet `s`: FACTS.md's, then the facts the policy declares for that sheet.
fn columns<'a>(s: &'a Sheet, v: &'a Vocabulary) -> Vec<Col<'a>> {
    let fixed = s.columns.iter().map(|c| Col {
        en: c.en,
        zh: c.zh,
        required: c.required,
        kind: c.kind,
        note: std::borrow::Cow::Borrowed(c.note),
    });
    let place = match s.en {
        "enterprises" => Some(crate::ExtraPlace::Enterprise),
        "annual" => Some(crate::ExtraPlace::Yearly),
        "projects" => Some(crate::ExtraPlace::Project),
        _ => None,
    };
    let declared = place.into_iter().flat_map(|p| v.extras_of(p)).map(|(_, f)| Col {
        en: &f.code,
        zh: &f.name,
        required: false,
        kind: Kind::of(f.ty),
        note: std::borrow::Cow::Owned(format!("本政策声明的事实：{}。", f.name)),
    });
    fixed.chain(declared).collect()
}

#[derive(Debug)]
struct Column {
    en: &'static str,
    zh: &'static str,
    required: bool,
    kind: Kind,
    note: &'static str,
}

#[derive(Debug)]
struct Sheet {
    en: &'static str,
    zh: &'static str,
    note: &'static str,
    columns: &'static [Column],
}

const fn req(en: &'static str, zh: &'static str, kind: Kind, note: &'static str) -> Column {
    Column { en, zh, required: true, kind, note }
}

const fn opt(en: &'static str, zh: &'static str, kind: Kind, note: &'static str) -> Column {
    Column { en, zh, required: false, kind, note }
}

const KNOWN_USCC: &str = "须为“企业”表中已有的企业。";

/// The sheets and columns of FACTS.md, in the reader's order.
const SHEETS: &[Sheet] = &[
    Sheet {
        en: "enterprises",
        zh: "企业",
        note: "每家企业一行；统一社会信用代码不得重复。",
        columns: &[
            req(
                "uscc",
                "统一社会信用代码",
                Kind::Uscc,
                "18位统一社会信用代码（GB 32100-2015），校验位会被核对；企业的唯一标识，不得重复。",
            ),
            req("name", "企业名称", Kind::Text, "企业全称。"),
            opt("chain", "产业链", Kind::Chain, "企业所属的产业链。"),
            opt(
                "stage",
                "环节",
                Kind::Stage,
                "企业在产业链中所处的环节，须为所填产业链的环节；填写环节时须同时填写产业链。",
            ),
            opt("town", "乡镇", Kind::Text, "企业所在乡镇。"),
            opt(
                "industry_code",
                "行业代码",
                Kind::IndustryCode,
                "国民经济行业分类（GB/T 4754-2017）代码，如 C3110 或 3110。",
            ),
            opt("strategic_emerging", "战略性新兴产业", Kind::Bool, "是否属于战略性新兴产业。"),
            opt("established", "成立日期", Kind::Date, "企业成立日期。"),
            opt("chain_joined_year", "入链年份", Kind::Year, "企业加入所属产业链的年份。"),
        ],
    },
    Sheet {
        en: "annual",
        zh: "年度数据",
        note: "每家企业每年一行；同一企业同一年度只能有一行。",
        columns: &[
            req("uscc", "统一社会信用代码", Kind::Uscc, KNOWN_USCC),
            req("year", "年度", Kind::Year, "数据所属年度。"),
            opt("revenue", "营业收入", Kind::Money, "当年营业收入。"),
            opt("above_scale", "规上企业", Kind::Bool, "当年是否纳入规上工业企业库。"),
            opt("chain_master", "链主企业", Kind::Bool, "当年是否为认定的链主企业。"),
            opt(
                "local_procurement",
                "本地配套采购额",
                Kind::Money,
                "当年向本地企业的配套采购额，不得大于配套采购总额。",
            ),
            opt("total_procurement", "配套采购总额", Kind::Money, "当年配套采购总额。"),
            opt("rd_expense", "研发投入", Kind::Money, "当年研发投入。"),
        ],
    },
    Sheet {
        en: "recognitions",
        zh: "认定",
        note: "每项认定一行。",
        columns: &[
            req("uscc", "统一社会信用代码", Kind::Uscc, KNOWN_USCC),
            req("kind", "认定类型", Kind::Recognition, "获得的认定（称号）。"),
            req("year", "认定年度", Kind::Year, "获得认定的年度。"),
        ],
    },
    Sheet {
        en: "projects",
        zh: "项目",
        note: "每个项目一行；项目编号不得重复。",
        columns: &[
            req("project_id", "项目编号", Kind::Id, "项目的唯一编号，按文本保存（如 P-2023-001）。"),
            req("uscc", "统一社会信用代码", Kind::Uscc, KNOWN_USCC),
            req("name", "项目名称", Kind::Text, "项目名称。"),
            opt("category", "项目类别", Kind::Category, "项目所属类别。"),
            opt("fixed_asset_investment", "固定资产投资", Kind::Money, "经核定的固定资产投资额。"),
            opt("start_year", "开工年度", Kind::Year, "项目开工年度。"),
            opt("completed_year", "竣工投产年度", Kind::Year, "项目竣工投产年度；在建项目留空。"),
        ],
    },
];

/// A drop-down list on the hidden sheet: its column there and the defined name referring to it.
struct List {
    name: &'static str,
    header: &'static str,
    values: Vec<String>,
}

/// The drop-down lists of a vocabulary, in the columns A.. of the lists sheet.
fn lists(v: &Vocabulary) -> Vec<List> {
    let mut stages: Vec<String> = Vec::new();
    for s in v.chains.iter().flat_map(|c| &c.stages) {
        if !stages.contains(s) {
            stages.push(s.clone());
        }
    }
    vec![
        List { name: "lz_chain", header: "产业链", values: v.chains.iter().map(|c| c.name.clone()).collect() },
        List { name: "lz_stage", header: "环节（全部产业链）", values: stages },
        List {
            name: "lz_recognition_kind",
            header: "认定类型",
            values: v.recognition_kinds.iter().map(|c| c.name.clone()).collect(),
        },
        List {
            name: "lz_project_category",
            header: "项目类别",
            values: v.project_categories.iter().map(|c| c.name.clone()).collect(),
        },
        List { name: "lz_yes_no", header: "是/否", values: vec!["是".into(), "否".into()] },
    ]
}

/// The defined name of a coded kind's list.
fn list_name(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Chain => Some("lz_chain"),
        Kind::Stage => Some("lz_stage"),
        Kind::Recognition => Some("lz_recognition_kind"),
        Kind::Category => Some("lz_project_category"),
        Kind::Bool => Some("lz_yes_no"),
        _ => None,
    }
}

/// Writes the import template for `vocabulary` to `path`.
pub fn write_template(vocabulary: &Vocabulary, path: &Path) -> Result<()> {
    let mut book = template_workbook(vocabulary)?;
    book.save(path)?;
    Ok(())
}

struct Formats {
    required: Format,
    optional: Format,
    text: Format,
    money: Format,
    year: Format,
    date: Format,
}

/// The template as a workbook, not yet saved.
fn template_workbook(vocabulary: &Vocabulary) -> Result<Workbook> {
    let header = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let formats = Formats {
        required: header.clone().set_background_color(Color::RGB(0xF8CBAD)),
        optional: header.set_background_color(Color::RGB(0xDDEBF7)),
        text: Format::new().set_num_format("@"),
        money: Format::new().set_num_format("#,##0.00"),
        year: Format::new().set_num_format("0"),
        date: Format::new().set_num_format("yyyy-mm-dd"),
    };
    let lists = lists(vocabulary);
    let mut book = Workbook::new();

    let sheet = book.add_worksheet();
    sheet.set_name(INSTRUCTIONS_SHEET)?;
    write_instructions(sheet, vocabulary)?;
    sheet.set_active(true);

    for s in SHEETS {
        let sheet = book.add_worksheet();
        sheet.set_name(s.zh)?;
        write_data_sheet(sheet, &columns(s, vocabulary), &lists, &formats)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name(LISTS_SHEET)?;
    write_lists(sheet, &lists, vocabulary, &formats)?;
    sheet.set_hidden(true);
    for (col, list) in lists.iter().enumerate() {
        if list.values.is_empty() {
            continue;
        }
        let letter = column_letter(col);
        let range = format!("='{LISTS_SHEET}'!${letter}$2:${letter}${}", list.values.len() + 1);
        book.define_name(list.name, &range)?;
    }
    Ok(book)
}

/// The width of a text in Excel's character units: CJK characters count double.
fn text_width(t: &str) -> f64 {
    t.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum()
}

fn write_data_sheet(sheet: &mut Worksheet, columns: &[Col<'_>], lists: &[List], formats: &Formats) -> Result<()> {
    for (col, c) in columns.iter().enumerate() {
        let col = col as u16;
        let header_format = if c.required { &formats.required } else { &formats.optional };
        sheet.write_string_with_format(0, col, c.zh, header_format)?;
        let width: f64 = match c.kind {
            Kind::Uscc => 24.0,
            Kind::Text if c.en == "name" => 36.0,
            Kind::Stage | Kind::Recognition | Kind::Category => 26.0,
            Kind::Id | Kind::Chain | Kind::Money => 18.0,
            Kind::Text | Kind::Date => 14.0,
            Kind::IndustryCode | Kind::Bool | Kind::Year | Kind::Count | Kind::Percent | Kind::Area => 12.0,
        };
        sheet.set_column_width(col, width.max(text_width(c.zh) + 4.0))?;
        let format = match c.kind {
            Kind::Money => &formats.money,
            Kind::Year => &formats.year,
            Kind::Date => &formats.date,
            // Text cells: an 18-character code must not become a (corrupted) number, nor an
            // id like `2023-1` a date.
            _ => &formats.text,
        };
        sheet.set_column_format(col, format)?;
        let validation = validation(c, lists)?;
        sheet.add_data_validation(1, col, LAST_ROW, col, &validation)?;
    }
    sheet.set_row_height(0, 20)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The validation of a column, with its note as the input message shown on the cell.
fn validation(c: &Col<'_>, lists: &[List]) -> Result<DataValidation> {
    let v = DataValidation::new();
    let (v, error) = match c.kind {
        Kind::Uscc => (v.allow_text_length(DataValidationRule::EqualTo(18)), "统一社会信用代码应为18位。"),
        Kind::IndustryCode => (
            v.allow_text_length(DataValidationRule::Between(2, 5)),
            "行业代码应为门类字母加2至4位数字（如 C3110）或2至4位数字（如 3110）。",
        ),
        Kind::Year => {
            (v.allow_whole_number(DataValidationRule::Between(1949, 2100)), "年份应为1949至2100之间的四位数字。")
        }
        Kind::Money => {
            (v.allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)), "金额应为不小于0的数字，单位：元。")
        }
        Kind::Count => (v.allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)), "应为不小于0的整数。"),
        Kind::Area => (v.allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)), "应为不小于0的数。"),
        // 12.5 or 12.5%: typed as text or a number, both read.
        Kind::Percent => (v.allow_any_value(), ""),
        Kind::Date => (
            v.allow_date(DataValidationRule::Between(
                ExcelDateTime::from_ymd(1900, 1, 1)?,
                ExcelDateTime::from_ymd(2100, 12, 31)?,
            )),
            "请填写日期，格式 YYYY-MM-DD。",
        ),
        kind => match list_name(kind).filter(|name| lists.iter().any(|l| l.name == *name && !l.values.is_empty())) {
            Some(name) => (v.allow_list_formula(Formula::new(format!("={name}"))), "请从下拉列表中选择。"),
            None => (v.allow_any_value(), ""),
        },
    };
    let mut message = c.note.to_string();
    match c.kind {
        _ if c.required => {}
        Kind::Money => message.push_str("单位：元。留空表示未知（不等于0）。"),
        Kind::Bool => message.push_str("留空表示未知（不等于“否”）。"),
        Kind::Year | Kind::Date | Kind::Count | Kind::Area => message.push_str("留空表示未知。"),
        Kind::Percent => message.push_str("按百分点填写，如 12.5 或 12.5%。留空表示未知。"),
        _ => {}
    }
    let mut v = v.set_input_title(c.zh)?.set_input_message(message)?;
    if !error.is_empty() {
        v = v
            .set_error_title(format!("{}填写有误", c.zh))?
            .set_error_message(error)?
            .set_error_style(DataValidationErrorStyle::Stop);
    }
    Ok(v)
}

fn write_lists(sheet: &mut Worksheet, lists: &[List], v: &Vocabulary, formats: &Formats) -> Result<()> {
    let mut col: u16 = 0;
    for list in lists {
        sheet.write_string_with_format(0, col, list.header, &formats.optional)?;
        for (row, value) in list.values.iter().enumerate() {
            sheet.write_string(row as u32 + 1, col, value)?;
        }
        sheet.set_column_width(col, 24)?;
        col += 1;
    }
    // Each chain's own stages, for reference.
    for chain in &v.chains {
        sheet.write_string_with_format(0, col, format!("环节（{}）", chain.name), &formats.optional)?;
        for (row, stage) in chain.stages.iter().enumerate() {
            sheet.write_string(row as u32 + 1, col, stage)?;
        }
        sheet.set_column_width(col, 24)?;
        col += 1;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The format of a column as the instructions state it.
fn format_text(kind: Kind) -> &'static str {
    match kind {
        Kind::Uscc => "文本，18位",
        Kind::Id | Kind::Text => "文本",
        Kind::IndustryCode => "文本，如 C3110",
        Kind::Chain | Kind::Stage | Kind::Recognition | Kind::Category => "下拉选择",
        Kind::Bool => "是/否",
        Kind::Date => "日期，YYYY-MM-DD",
        Kind::Year => "四位年份",
        Kind::Money => "数字，单位：元，最多两位小数",
        Kind::Count => "整数",
        Kind::Percent => "百分比，如 12.5 或 12.5%",
        Kind::Area => "数字",
    }
}

/// The allowed values of a column as the instructions state them.
fn allowed_text(kind: Kind, v: &Vocabulary) -> String {
    let codes = |codes: &[crate::Code]| {
        codes.iter().map(|c| format!("{}（{}）", c.name, c.code)).collect::<Vec<_>>().join("、")
    };
    match kind {
        Kind::Chain => {
            let names: Vec<String> = v.chains.iter().map(|c| format!("{}（{}）", c.name, c.code)).collect();
            format!("{}；填中文名称或括号中的代码均可", names.join("、"))
        }
        Kind::Stage => {
            let per_chain: Vec<String> =
                v.chains.iter().map(|c| format!("{}：{}", c.name, c.stages.join("、"))).collect();
            format!("须为所填产业链的环节：\n{}", per_chain.join("\n"))
        }
        Kind::Recognition => format!("{}；填中文名称或括号中的代码均可", codes(&v.recognition_kinds)),
        Kind::Category => format!("{}；填中文名称或括号中的代码均可", codes(&v.project_categories)),
        Kind::Bool => "是、否（也可填 true/false、1/0、yes/no）".into(),
        Kind::Year => "1949至2100".into(),
        Kind::Money | Kind::Count | Kind::Area => "不小于0".into(),
        Kind::Percent => "按百分点填写".into(),
        Kind::Date => "1900-01-01 以后的有效日期".into(),
        Kind::Uscc => "符合 GB 32100-2015 的代码（含校验位）".into(),
        Kind::IndustryCode => "门类字母（A–T）加2至4位数字，或2至4位数字".into(),
        Kind::Id | Kind::Text => String::new(),
    }
}

fn write_instructions(sheet: &mut Worksheet, v: &Vocabulary) -> Result<()> {
    let title = Format::new().set_bold().set_font_size(16);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_align(FormatAlign::Top);
    let sheet_cell = wrap.clone().set_bold();

    sheet.write_string_with_format(0, 0, "链长 Lianzhang 数据导入模板 · 填写说明", &title)?;
    let general = [
        "1. 请在“企业”“年度数据”“认定”“项目”四张工作表中填写，每行一条记录。不要修改工作表名称和表头文字；列的顺序可以调整，不需要的选填列可以整列删除。",
        "2. 表头为橙色的列为必填列，表头为蓝色的列为选填列。必填列的每一行都必须填写。",
        "3. 空白单元格表示“未知”，不等于0，也不等于“否”：不知道的数据请留空，不要填0。",
        "4. 统一社会信用代码为18位，须为文本格式（本模板已设置），校验位会被核对；“年度数据”“认定”“项目”中的企业须已在“企业”表中。",
        "5. 金额单位为元，最多两位小数，不能为负数；年份为四位数字（1949至2100）；日期格式为 YYYY-MM-DD。",
        "6. 产业链、环节、认定类型、项目类别和是/否请从下拉列表中选择；列表来自当前政策文件，存放在隐藏的“代码表”工作表中，请勿修改或删除该工作表。",
        "7. 数据中只要有一处错误，整个文件都不会被导入；系统会列出全部错误，格式为“工作表:行:列: 值: 原因”，请逐条修改后重新导入。",
    ];
    for (i, line) in general.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, *line)?;
    }
    let mut row = general.len() as u32 + 2;
    sheet.write_string_with_format(row, 0, "各列说明", &bold)?;
    row += 1;
    let headers = ["工作表", "列名（表头）", "英文列名", "是否必填", "格式", "可填写的值", "说明"];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *h, &header)?;
    }
    let table_header = row;
    for s in SHEETS {
        for c in &columns(s, v) {
            row += 1;
            let mut note = c.note.to_string();
            if !c.required {
                note.push_str("可留空，留空表示未知。");
            }
            let cells = [
                format!("{}（{}）", s.zh, s.en),
                c.zh.to_string(),
                c.en.to_string(),
                if c.required { "必填" } else { "选填" }.to_string(),
                format_text(c.kind).to_string(),
                allowed_text(c.kind, v),
                note,
            ];
            for (col, text) in cells.iter().enumerate() {
                let format = if col == 0 { &sheet_cell } else { &wrap };
                sheet.write_string_with_format(row, col as u16, text, format)?;
            }
        }
        row += 1;
        sheet.write_string_with_format(row, 0, format!("{}（{}）", s.zh, s.en), &sheet_cell)?;
        sheet.merge_range(row, 1, row, 6, &format!("整表要求：{}", s.note), &wrap)?;
    }
    for (col, width) in [16.0, 18.0, 22.0, 10.0, 18.0, 60.0, 50.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(table_header + 1, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests;

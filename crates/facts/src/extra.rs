//! Facts a policy file declares beyond FACTS.md's columns (issue 11): another county's policy
//! reads 实缴税金 or 设备购置额, so the data carries them as extra columns of the sheet the
//! declaration names, read and written like the others, without a code change per fact.
//!
//! The declarations come with the [`crate::Vocabulary`] (from the policy file); the values are
//! kept per enterprise beside its rows ([`crate::EnterpriseFacts::extras`]).

use crate::model::Year;
use crate::money::Fen;
use jiff::civil::Date;
use rust_decimal::Decimal;

/// The type of a declared fact's cells (the policy language's types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraType {
    /// An amount in yuan (`12500000.50`), kept in fen.
    Money,
    /// 是/否.
    Bool,
    /// A whole number ≥ 0 (人、台、项).
    Count,
    /// A percentage written in points, with or without `%` (`12.5` and `12.5%` are 12.5%),
    /// kept as the fraction (0.125).
    Percent,
    /// An area (亩, 平方米), a decimal ≥ 0.
    Area,
    /// A four-digit year.
    Year,
    /// A calendar date.
    Date,
    /// A code (`A`, `transformation`), compared as written.
    Code,
    /// Free text.
    Text,
}

impl ExtraType {
    /// What a cell of this type should hold, for messages.
    pub fn zh(self) -> &'static str {
        match self {
            ExtraType::Money => "金额（元）",
            ExtraType::Bool => "是/否",
            ExtraType::Count => "个数",
            ExtraType::Percent => "百分比",
            ExtraType::Area => "面积",
            ExtraType::Year => "年份",
            ExtraType::Date => "日期",
            ExtraType::Code => "代码",
            ExtraType::Text => "文字",
        }
    }
}

/// The sheet a declared fact is a column of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraPlace {
    /// `enterprises`: one value per enterprise.
    Enterprise,
    /// `annual`: one value per enterprise and year.
    Yearly,
    /// `projects`: one value per project.
    Project,
}

/// A declared fact: its code (the column's English header), its Chinese name (the Chinese
/// header), its type and its sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraFact {
    pub code: String,
    pub name: String,
    pub ty: ExtraType,
    pub place: ExtraPlace,
}

/// A declared fact's value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExtraValue {
    Money(Fen),
    Bool(bool),
    /// A count or a year.
    Int(i64),
    /// A percentage (as the fraction) or an area.
    Decimal(Decimal),
    Date(Date),
    /// A code or a text.
    Text(String),
}

/// What a value belongs to: the enterprise, one of its years, one of its projects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExtraAt {
    Enterprise,
    Year(Year),
    Project(String),
}

/// One declared fact's value: `fact` indexes [`crate::Vocabulary::extras`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Extra {
    pub at: ExtraAt,
    pub fact: u16,
    pub value: ExtraValue,
}

impl ExtraValue {
    /// The value as a cell of the exchange format writes it (money in yuan with two places, a
    /// percentage in points with `%`, 是/否).
    pub fn cell_text(&self) -> String {
        match self {
            ExtraValue::Money(f) => {
                let mut out = String::new();
                crate::write::write_yuan(*f, &mut out).expect("a String takes any text");
                out
            }
            ExtraValue::Bool(b) => (if *b { "是" } else { "否" }).to_string(),
            ExtraValue::Int(i) => i.to_string(),
            ExtraValue::Decimal(d) => d.normalize().to_string(),
            ExtraValue::Date(d) => d.to_string(),
            ExtraValue::Text(t) => t.clone(),
        }
    }

    /// [`Self::cell_text`] for a fact of type `ty` (a percentage in points).
    pub fn cell_text_as(&self, ty: ExtraType) -> String {
        match (self, ty) {
            (ExtraValue::Decimal(d), ExtraType::Percent) => {
                format!("{}%", (*d * Decimal::ONE_HUNDRED).normalize())
            }
            _ => self.cell_text(),
        }
    }
}

impl ExtraValue {
    /// A cell's text (trimmed, not empty) as a value of `ty`, as the readers take it; the error
    /// is the reason a clerk reads.
    pub fn parse(ty: ExtraType, text: &str) -> Result<ExtraValue, String> {
        parse(ty, text)
    }
}

impl ExtraAt {
    /// As the registry stores it: `enterprise`, a year (`2023`), `project:<id>`.
    pub fn code(&self) -> String {
        match self {
            ExtraAt::Enterprise => "enterprise".into(),
            ExtraAt::Year(y) => y.to_string(),
            ExtraAt::Project(id) => format!("project:{id}"),
        }
    }

    /// [`ExtraAt::code`] read back.
    pub fn from_code(code: &str) -> Option<ExtraAt> {
        if code == "enterprise" {
            return Some(ExtraAt::Enterprise);
        }
        if let Some(id) = code.strip_prefix("project:") {
            return Some(ExtraAt::Project(id.to_string()));
        }
        code.parse().ok().map(ExtraAt::Year)
    }

    /// What a person reads: `2023年`, `项目 QL-1`, empty for the enterprise itself.
    pub fn zh(&self) -> String {
        match self {
            ExtraAt::Enterprise => String::new(),
            ExtraAt::Year(y) => format!("{y}年"),
            ExtraAt::Project(id) => format!("项目 {id}"),
        }
    }
}

/// Parses a cell (trimmed, not empty) as a value of `ty`; the error is the reason a clerk reads.
pub(crate) fn parse(ty: ExtraType, t: &str) -> Result<ExtraValue, String> {
    use crate::read::values;
    let decimal = |t: &str| -> Option<Decimal> {
        let half = values::half_width(t);
        let plain: String = half.chars().filter(|c| *c != ',').collect();
        plain.trim().parse::<Decimal>().ok()
    };
    Ok(match ty {
        ExtraType::Money => ExtraValue::Money(values::money(t)?),
        ExtraType::Bool => ExtraValue::Bool(values::boolean(t)?),
        ExtraType::Year => ExtraValue::Int(i64::from(values::year(t)?)),
        ExtraType::Date => ExtraValue::Date(values::date(t)?),
        ExtraType::Code | ExtraType::Text => ExtraValue::Text(values::text(t)?),
        ExtraType::Count => match decimal(t) {
            Some(d) if d.fract().is_zero() && d >= Decimal::ZERO => {
                ExtraValue::Int(i64::try_from(d).map_err(|_| "数值过大".to_string())?)
            }
            _ => return Err("应为不小于 0 的整数".into()),
        },
        ExtraType::Area => match decimal(t) {
            Some(d) if d >= Decimal::ZERO => ExtraValue::Decimal(d),
            _ => return Err("应为不小于 0 的数，如 12.5".into()),
        },
        ExtraType::Percent => {
            let points = t.trim_end_matches(['%', '％']).trim_end();
            match decimal(points) {
                Some(d) => ExtraValue::Decimal(d / Decimal::ONE_HUNDRED),
                None => return Err("应为百分比，如 12.5 或 12.5%（按百分点填写）".into()),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_by_type() {
        assert_eq!(parse(ExtraType::Money, "1,200,000.5"), Ok(ExtraValue::Money(Fen(120_000_050))));
        assert_eq!(parse(ExtraType::Percent, "12.5%"), Ok(ExtraValue::Decimal(Decimal::new(125, 3))));
        assert_eq!(parse(ExtraType::Percent, "12.5"), Ok(ExtraValue::Decimal(Decimal::new(125, 3))));
        assert_eq!(parse(ExtraType::Count, "３"), Ok(ExtraValue::Int(3)));
        assert!(parse(ExtraType::Count, "2.5").is_err());
        assert!(parse(ExtraType::Count, "-1").is_err());
        assert!(parse(ExtraType::Area, "亩").is_err());
        assert_eq!(parse(ExtraType::Bool, "是"), Ok(ExtraValue::Bool(true)));
        assert_eq!(parse(ExtraType::Year, "2023年"), Ok(ExtraValue::Int(2023)));
        assert_eq!(ExtraValue::Decimal(Decimal::new(125, 3)).cell_text_as(ExtraType::Percent), "12.5%");
        assert_eq!(ExtraValue::Money(Fen(120_000_050)).cell_text(), "1200000.50");
        assert_eq!(ExtraValue::Money(Fen(30_000_000)).cell_text(), "300000");
    }
}

//! The cells of an import's diff as a county clerk reads them: Chinese sheet and column names,
//! codes as their Chinese names, 是/否, money in 万元 (exact), times in Beijing time.

use crate::rows::{Cell, Ty};
use lianzhang_facts::{Fen, Vocabulary};
use rust_decimal::Decimal;

/// The Chinese name of a fact table (the sheet names of the import template).
pub fn table_zh(table: &str) -> &'static str {
    match table {
        "enterprises" => "企业",
        "annual" => "年度数据",
        "recognitions" => "认定",
        "projects" => "项目",
        "extra_facts" => "政策声明的其他事实",
        _ => "其他",
    }
}

/// The Chinese name of a column of a fact table (the import template's headers).
pub fn field_zh(table: &str, field: &str) -> &'static str {
    match (table, field) {
        (_, "uscc") => "统一社会信用代码",
        ("enterprises", "name") => "企业名称",
        (_, "chain") => "产业链",
        (_, "stage") => "环节",
        (_, "town") => "乡镇",
        (_, "industry_code") => "行业代码",
        (_, "strategic_emerging") => "战略性新兴产业",
        (_, "established") => "成立日期",
        (_, "chain_joined_year") => "入链年份",
        ("annual", "year") => "年度",
        (_, "revenue") => "营业收入",
        (_, "above_scale") => "规上企业",
        (_, "chain_master") => "链主企业",
        (_, "local_procurement") => "本地配套采购额",
        (_, "total_procurement") => "配套采购总额",
        (_, "rd_expense") => "研发投入",
        (_, "kind") => "认定类型",
        ("recognitions", "year") => "认定年度",
        (_, "project_id") => "项目编号",
        ("projects", "name") => "项目名称",
        (_, "category") => "项目类别",
        (_, "fixed_asset_investment") => "固定资产投资",
        (_, "start_year") => "开工年度",
        (_, "completed_year") => "竣工投产年度",
        ("extra_facts", "value") => "取值",
        _ => "其他",
    }
}

/// A cell's value for a person: `None` for an empty (unknown) cell. Money is exact in 万元
/// (`30,000.00 万元`, `0.0032 万元`): a diff must show a change of one fen.
pub fn value_zh(cell: &Cell, ty: Ty, field: &str, vocabulary: &Vocabulary) -> Option<String> {
    match (cell, ty) {
        (Cell::Null, _) => None,
        (Cell::Int(f), Ty::Money) => Some(format!("{} 万元", exact_wan(*f))),
        (Cell::Text(code), _) if field == "chain" => {
            Some(vocabulary.chain(code).map_or(code.clone(), |c| vocabulary.chain_info(c).name.clone()))
        }
        (Cell::Text(code), _) if field == "category" => {
            Some(vocabulary.project_category(code).map_or(code.clone(), |c| vocabulary.category_info(c).name.clone()))
        }
        (Cell::Text(code), _) if field == "kind" => Some(
            vocabulary.recognition_kind_by_code(code).map_or(code.clone(), |k| vocabulary.kind_info(k).name.clone()),
        ),
        _ => cell.display(ty),
    }
}

/// Fen as 万元 with thousands separators and as many places as it takes to be exact (at
/// least two): `30,000.00`, `12,345.678901`.
pub fn exact_wan(fen: i64) -> String {
    let wan = (Fen(fen).to_yuan() / Decimal::from(10_000)).normalize();
    let text = wan.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    lianzhang_facts::money::group_digits(wan.is_sign_negative() && !wan.is_zero(), int, &format!("{frac:0<2}"))
}

/// A stored UTC timestamp as Beijing time (UTC+8 all year), to the second:
/// `2026-11-25 19:12:05`. Text that is not a timestamp is returned as it is.
pub fn beijing_time(stored: &str) -> String {
    stored
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| jiff::Timestamp::from_second(t.as_second() + 8 * 3600).ok())
        .map_or_else(|| stored.to_string(), |t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_in_wan_yuan() {
        assert_eq!(exact_wan(30_000_000_000), "30,000.00");
        assert_eq!(exact_wan(12_345_678_901), "12,345.678901");
        assert_eq!(exact_wan(3_200), "0.0032");
        assert_eq!(exact_wan(0), "0.00");
        assert_eq!(exact_wan(1_000_000), "1.00");
    }

    #[test]
    fn times_are_beijing_time_to_the_second() {
        assert_eq!(beijing_time("2026-11-25T11:12:05.088718037Z"), "2026-11-25 19:12:05");
        assert_eq!(beijing_time("2026-12-31T20:00:00Z"), "2027-01-01 04:00:00");
    }
}

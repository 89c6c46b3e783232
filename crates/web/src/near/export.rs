//! `GET /near.xlsx?year=&kind=&chain=`: every line of the list (not only the page's first ones),
//! with its explanation and the services noted. Amounts are number cells in yuan; USCCs and
//! texts are string cells.

use super::{Filter, lines, nearness_zh, resolve};
use crate::auth::Session;
use crate::rounds::publicity::download;
use crate::{AppState, WebError};
use axum::extract::{Query, State};
use axum::response::Response;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::sync::Arc;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADERS: [(&str, f64); 12] = [
    ("类别", 14.0),
    ("统一社会信用代码", 22.0),
    ("企业名称", 30.0),
    ("产业链", 12.0),
    ("政策规则", 40.0),
    ("项目", 12.0),
    ("差距（元）", 16.0),
    ("可获（元）", 16.0),
    ("预计年度", 10.0),
    ("说明", 80.0),
    ("已提供的服务", 50.0),
    ("服务次数", 10.0),
];

fn book(year: i32, nearness: &str, lines: &[super::Line]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let wrap = Format::new().set_text_wrap();
    let sheet = book.add_worksheet().set_name(format!("{year}年潜在可享"))?;
    sheet.write_string_with_format(0, 0, format!("{year}年度潜在可享名单（距奖励一步之遥的企业）"), &bold)?;
    sheet.write_string(1, 0, format!("口径：{nearness}"))?;
    for (c, (h, w)) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(4, 0)?;
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 4;
        sheet.write_string(r, 0, l.kind_zh)?;
        sheet.write_string(r, 1, &l.uscc)?;
        sheet.write_string(r, 2, &l.name)?;
        sheet.write_string(r, 3, &l.chain)?;
        sheet.write_string(r, 4, l.rules.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join("；"))?;
        sheet.write_string(r, 5, l.project())?;
        if let Some(g) = l.gap {
            sheet.write_number_with_format(r, 6, g.round_dp(2).to_f64().unwrap_or_default(), &money)?;
        }
        sheet.write_number_with_format(r, 7, l.at_stake.round_dp(2).to_f64().unwrap_or_default(), &money)?;
        if let Some(y) = l.expected_year {
            sheet.write_number(r, 8, y)?;
        }
        sheet.write_string_with_format(r, 9, &l.explanation, &wrap)?;
        let noted: Vec<String> = l.services.iter().map(|s| format!("{} {}：{}", s.date, s.actor, s.note)).collect();
        sheet.write_string_with_format(r, 10, noted.join("\n"), &wrap)?;
        sheet.write_number(r, 11, l.services.len() as u32)?;
    }
    book.save_to_buffer()
}

pub async fn xlsx(
    State(state): State<Arc<AppState>>,
    session: Session,
    Query(f): Query<Filter>,
) -> Result<Response, WebError> {
    let r = resolve(&state, &f).await?;
    let all = lines(&state, &session.user, &r).await?;
    let bytes = book(r.year, &nearness_zh(&state.policy_for(r.year).1), &all)
        .map_err(|_| WebError::Internal("生成 Excel 失败"))?;
    Ok(download(bytes, XLSX, "near.xlsx", &format!("{}年潜在可享名单.xlsx", r.year)))
}

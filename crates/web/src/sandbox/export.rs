//! `GET /policy/sandbox.xlsx`: the answer as a workbook. Sheets: 说明 (the policy, the changes,
//! the years and the data version), 按规则, 按产业链 and 变化企业 (every changed enterprise in the
//! user's scope, each differing rule on its own row with both explanations). Amounts are number
//! cells in yuan (`#,##0.00`); codes and texts are string cells.

use super::answer::{self, Answer};
use super::page::changes;
use super::{Question, resolve};
use crate::auth::Session;
use crate::rounds::publicity::download;
use crate::{AppState, WebError};
use axum::extract::{Query, State};
use axum::response::Response;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::sync::Arc;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn yuan(d: Decimal) -> f64 {
    d.round_dp(2).to_f64().unwrap_or_default()
}

fn header(sheet: &mut Worksheet, bold: &Format, titles: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    for (c, (t, w)) in titles.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, c as u16, *t, bold)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The workbook of `a` (the changes listed as `(rule, parameter, in force, scenario)`).
pub fn workbook(title: &str, about: &[(String, String)], a: &Answer) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let wrap = Format::new().set_text_wrap();

    let sheet = book.add_worksheet().set_name("说明")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 90)?;
    for (i, (k, v)) in about.iter().enumerate() {
        sheet.write_string(i as u32 + 2, 0, k)?;
        sheet.write_string_with_format(i as u32 + 2, 1, v, &wrap)?;
    }

    let sheet = book.add_worksheet().set_name("按规则")?;
    header(
        sheet,
        &bold,
        &["年度", "规则", "现行（项）", "现行（元）", "方案（项）", "方案（元）", "变化（元）"],
        &[8.0, 56.0, 11.0, 16.0, 11.0, 16.0, 16.0],
    )?;
    let mut row = 1;
    for y in &a.years {
        for r in &y.rules {
            sheet.write_number(row, 0, y.year)?;
            sheet.write_string(row, 1, &r.title)?;
            sheet.write_number(row, 2, r.base_awards as f64)?;
            sheet.write_number_with_format(row, 3, yuan(r.base_amount), &money)?;
            sheet.write_number(row, 4, r.scenario_awards as f64)?;
            sheet.write_number_with_format(row, 5, yuan(r.scenario_amount), &money)?;
            sheet.write_number_with_format(row, 6, yuan(r.delta()), &money)?;
            row += 1;
        }
        sheet.write_number_with_format(row, 0, y.year, &bold)?;
        sheet.write_string_with_format(row, 1, "合计", &bold)?;
        sheet.write_number_with_format(row, 3, yuan(y.base_total), &money)?;
        sheet.write_number_with_format(row, 5, yuan(y.scenario_total), &money)?;
        sheet.write_number_with_format(row, 6, yuan(y.delta()), &money)?;
        row += 1;
    }

    let sheet = book.add_worksheet().set_name("按产业链")?;
    header(
        sheet,
        &bold,
        &["年度", "产业链", "现行（元）", "方案（元）", "变化（元）"],
        &[8.0, 24.0, 16.0, 16.0, 16.0],
    )?;
    let mut row = 1;
    for y in &a.years {
        for c in &y.chains {
            sheet.write_number(row, 0, y.year)?;
            sheet.write_string(row, 1, &c.name)?;
            sheet.write_number_with_format(row, 2, yuan(c.base), &money)?;
            sheet.write_number_with_format(row, 3, yuan(c.scenario), &money)?;
            sheet.write_number_with_format(row, 4, yuan(c.delta()), &money)?;
            row += 1;
        }
    }

    let sheet = book.add_worksheet().set_name("变化企业")?;
    header(
        sheet,
        &bold,
        &[
            "年度",
            "统一社会信用代码",
            "企业名称",
            "产业链",
            "现行合计（元）",
            "方案合计（元）",
            "变化（元）",
            "规则",
            "项目",
            "现行结果",
            "方案结果",
            "现行依据",
            "方案依据",
        ],
        &[8.0, 22.0, 30.0, 14.0, 15.0, 15.0, 15.0, 40.0, 12.0, 16.0, 16.0, 70.0, 70.0],
    )?;
    let mut row = 1;
    for y in &a.years {
        for e in &y.changed {
            for r in &e.rules {
                sheet.write_number(row, 0, y.year)?;
                sheet.write_string(row, 1, &e.uscc)?;
                sheet.write_string(row, 2, &e.name)?;
                sheet.write_string(row, 3, &e.chain)?;
                sheet.write_number_with_format(row, 4, yuan(e.before), &money)?;
                sheet.write_number_with_format(row, 5, yuan(e.after), &money)?;
                sheet.write_number_with_format(row, 6, yuan(e.delta()), &money)?;
                sheet.write_string(row, 7, &r.title)?;
                sheet.write_string(row, 8, r.project_id.as_deref().unwrap_or(""))?;
                sheet.write_string(row, 9, &r.before)?;
                sheet.write_string(row, 10, &r.after)?;
                sheet.write_string_with_format(row, 11, &r.before_explanation, &wrap)?;
                sheet.write_string_with_format(row, 12, &r.after_explanation, &wrap)?;
                row += 1;
            }
        }
    }
    book.save_to_buffer()
}

/// `GET /policy/sandbox.xlsx?…`: the same question as the page, every changed enterprise listed.
pub async fn xlsx(
    State(state): State<Arc<AppState>>,
    session: Session,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let q = Question::parse(pairs)?;
    let resolved = resolve(&state, &q).await?;
    let plan = answer::plan(&state, &resolved.overrides, resolved.years())
        .map_err(|p| WebError::Invalid(format!("方案有误，未试算：{}", p.join("；"))))?;
    let a = answer::answer(&state, &session.user, plan, usize::MAX).await?;
    let fields = super::fields_for(&state, resolved.from);
    let m = &state.policy.meta;
    let mut about = vec![
        ("政策".to_string(), format!("{}（{}）", m.title, m.document)),
        ("年度".into(), format!("{}年至{}年", resolved.from, resolved.to)),
        ("数据版本".into(), a.revision.map_or("—".into(), |r| format!("#{r}"))),
        ("导出人".into(), session.user.username.clone()),
        ("导出时间".into(), crate::format::beijing(&jiff::Timestamp::now().to_string())),
        ("说明".into(), "试算结果，不能据此支付。金额为各项奖励四舍五入后的合计；已兑现、待核实、推荐不计入。".into()),
    ];
    if let Some(s) = &resolved.scenario {
        about.insert(0, ("方案".into(), s.name.clone()));
    }
    for c in changes(&fields, &resolved.overrides) {
        about.push(("改动".into(), format!("{} · {}：{} → {}", c.owner, c.label, c.before, c.after)));
    }
    if resolved.overrides.is_empty() {
        about.push(("改动".into(), "未改动任何参数（现行政策）".into()));
    }
    let bytes = workbook("政策沙盘试算", &about, &a).map_err(|_| WebError::Internal("生成 Excel 失败"))?;
    let name = match &resolved.scenario {
        Some(s) => format!("政策沙盘-{}-{}至{}年.xlsx", s.name, resolved.from, resolved.to),
        None => format!("政策沙盘-{}至{}年.xlsx", resolved.from, resolved.to),
    };
    Ok(download(bytes, XLSX, "sandbox.xlsx", &name))
}

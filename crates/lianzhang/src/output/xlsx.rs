//! The assessment as an Excel workbook a finance office can file: a summary sheet with the
//! policy, year and overrides, then one sheet per status with formatted amounts.

use super::{Context, totals};
use lianzhang_facts::write::xlsx_text;
use lianzhang_policy::Status;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::path::Path;

const SHEETS: [(Status, &str); 5] = [
    (Status::Award, "奖励"),
    (Status::NeedsReview, "待核实"),
    (Status::Referral, "推荐"),
    (Status::AlreadyPaid, "已兑现"),
    (Status::Recovery, "收回"),
];

fn money_value(d: rust_decimal::Decimal) -> f64 {
    // Amounts are exact to the fen; f64 represents every such amount below 2^53 fen exactly
    // enough for Excel to display the same two decimals.
    d.to_string().parse().unwrap_or(0.0)
}

pub fn write(ctx: &Context, path: &Path) -> Result<(), XlsxError> {
    let a = ctx.assessment;
    let p = ctx.policy;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let amount = Format::new().set_num_format("#,##0.00");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let head = Format::new().set_bold().set_background_color("#DDEBF7").set_border(rust_xlsxwriter::FormatBorder::Thin);

    let s = wb.add_worksheet().set_name("汇总")?;
    s.write_string_with_format(0, 0, format!("{} {}年度评定结果", p.meta.title, a.year), &title)?;
    let info = [
        ("政策编号", p.meta.id.clone()),
        ("政策文件", format!("{} {}", p.meta.document, p.meta.issuer)),
        ("评定年度", a.year.to_string()),
        (
            "参数覆盖",
            if ctx.overrides.is_empty() {
                "无（按政策文件默认参数）".to_string()
            } else {
                ctx.overrides.join("；")
            },
        ),
        ("结果数", a.outcomes.len().to_string()),
    ];
    for (i, (k, v)) in info.iter().enumerate() {
        s.write_string_with_format(2 + i as u32, 0, *k, &bold)?;
        s.write_string(2 + i as u32, 1, v)?;
    }
    let r0 = 9u32;
    for (c, h) in
        ["条款", "规则编号", "规则", "奖励（项）", "奖励金额（元）", "待核实（项）", "推荐（项）", "已兑现（项）"]
            .iter()
            .enumerate()
    {
        s.write_string_with_format(r0, c as u16, *h, &head)?;
    }
    let mut row = r0 + 1;
    for t in totals(p, &a.outcomes) {
        s.write_string(row, 0, t.clause)?;
        s.write_string(row, 1, t.rule)?;
        s.write_string(row, 2, t.title)?;
        s.write_number(row, 3, t.awards as f64)?;
        s.write_number_with_format(row, 4, money_value(t.amount), &amount)?;
        s.write_number(row, 5, t.reviews as f64)?;
        s.write_number(row, 6, t.referrals as f64)?;
        s.write_number(row, 7, t.paid as f64)?;
        row += 1;
    }
    s.write_string_with_format(row, 2, "合计", &bold)?;
    s.write_number_with_format(row, 4, money_value(a.total()), &amount.clone().set_bold())?;
    s.set_column_width(0, 10)?;
    s.set_column_width(1, 30)?;
    s.set_column_width(2, 48)?;
    s.set_column_width(4, 18)?;

    for (status, name) in SHEETS {
        // 收回 only in a year that has some (a policy without recovery rules never does).
        if status == Status::Recovery && !a.outcomes.iter().any(|o| o.status == status) {
            continue;
        }
        let ws = wb.add_worksheet().set_name(name)?;
        outcomes_sheet(ws, ctx, status, &head, &amount, &wrap)?;
    }
    wb.save(path)
}

fn outcomes_sheet(
    ws: &mut Worksheet,
    ctx: &Context,
    status: Status,
    head: &Format,
    amount: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    let headers = ["统一社会信用代码", "企业名称", "条款", "规则编号", "规则", "金额（元）", "项目编号", "说明"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, head)?;
    }
    let mut row = 1u32;
    for o in ctx.assessment.outcomes.iter().filter(|o| o.status == status) {
        let title = ctx.policy.rule(&o.rule).map_or("", |r| r.title.as_str());
        ws.write_string(row, 0, o.uscc.as_str())?;
        ws.write_string(row, 1, xlsx_text(&o.enterprise))?;
        ws.write_string(row, 2, &o.clause)?;
        ws.write_string(row, 3, &o.rule)?;
        ws.write_string(row, 4, title)?;
        if let Some(a) = o.amount {
            ws.write_number_with_format(row, 5, money_value(a), amount)?;
        }
        ws.write_string(row, 6, xlsx_text(o.project_id.as_deref().unwrap_or("")))?;
        ws.write_string_with_format(row, 7, xlsx_text(&o.explanation), wrap)?;
        row += 1;
    }
    for (c, w) in [(0u16, 22.0), (1, 32.0), (2, 9.0), (3, 28.0), (4, 40.0), (5, 16.0), (6, 16.0), (7, 90.0)] {
        ws.set_column_width(c, w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if row > 1 {
        ws.autofilter(0, 0, row - 1, 7)?;
    }
    Ok(())
}

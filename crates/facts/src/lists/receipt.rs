//! The bank's receipt of a payment batch (银行回单/代发结果): for each payment we sent, under the
//! reference we put on it (付款流水号/业务编号), whether the bank paid it, to whom, how much, when.

use super::source;
use super::table::{As, Column, RowCtx, Spec, Table};
use crate::error::ReadError;
use crate::read::Limits;
use crate::read::values::{self, Reason, half_width};
use jiff::civil::Date;
use std::path::Path;

/// One row of a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRow {
    /// 付款流水号/业务编号: the reference we sent with the payment (the ledger entry or the
    /// voucher), as text (`000123` keeps its zeros), half-width.
    pub reference: String,
    /// 凭证号: the bank's own voucher number, if the receipt gives one.
    pub voucher: Option<String>,
    /// 收款户名.
    pub holder: String,
    /// 收款账号: digits only (spaces and dashes the bank prints are dropped); a masked account
    /// keeps its `*` (`6222****1234`).
    pub account: String,
    /// 金额, in fen (the file gives yuan; 万元 is refused).
    pub amount_fen: i64,
    /// 交易日期 (a time of day, if given, is dropped).
    pub date: Date,
    /// 处理结果: `true` if the bank paid (成功, 交易成功…), `false` if it did not (失败, 已退回…).
    pub ok: bool,
    /// 失败原因, as the bank gives it.
    pub failure: Option<String>,
    /// The spreadsheet row the payment is on (1-based), to point the clerk at it.
    pub row: usize,
}

const VOUCHER: usize = 0;
const REFERENCE: usize = 1;
const HOLDER: usize = 2;
const ACCOUNT: usize = 3;
const AMOUNT: usize = 4;
const DATE: usize = 5;
const STATUS: usize = 6;
const FAILURE: usize = 7;

pub(crate) static SPEC: Spec = Spec {
    what: "银行回单",
    columns: &[
        Column {
            names: &["凭证号", "银行凭证号", "回单编号", "交易流水号", "银行流水号"],
            required: false,
            read_as: As::Text,
        },
        Column {
            names: &["付款流水号", "业务编号", "业务参考号", "客户流水号", "商户流水号", "付款编号", "摘要编号"],
            required: true,
            read_as: As::Text,
        },
        Column {
            names: &["收款户名", "收款人户名", "收款人名称", "收款方户名", "户名"],
            required: true,
            read_as: As::Text,
        },
        Column {
            names: &["收款账号", "收款人账号", "收款方账号", "收款卡号", "账号"],
            required: true,
            read_as: As::Account,
        },
        Column {
            names: &["金额", "交易金额", "付款金额", "代发金额", "发生额"], required: true, read_as: As::Money
        },
        Column {
            names: &["交易日期", "交易时间", "付款日期", "处理日期", "入账日期", "日期"],
            required: true,
            read_as: As::DateTime,
        },
        Column {
            names: &["处理结果", "状态", "交易状态", "处理状态", "交易结果", "结果", "付款状态"],
            required: true,
            read_as: As::Text,
        },
        Column {
            names: &["失败原因", "失败原由", "退回原因", "错误信息"], required: false, read_as: As::Text
        },
    ],
};

/// Reads a bank receipt file (`.xlsx`, `.xls`, `.xlsb`, `.ods` or CSV in UTF-8, GBK or
/// UTF-16) within `limits`. Columns the receipt has but this does not use (付款账号, 币种,
/// 摘要…) are ignored; a total line under the rows (合计…) is not a row.
///
/// # Errors
/// As [`read_named`], the file named by its own name.
pub fn read(path: &Path, limits: &Limits) -> Result<Vec<ReceiptRow>, ReadError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    read_named(path, &name, limits)
}

/// Reads a bank receipt at `path` that the person knows as `name` (a web upload kept in a
/// scratch file): messages name `name`, never the scratch path.
///
/// # Errors
/// A file that cannot be read, is over a limit or is not a table: one sentence. Otherwise every
/// bad cell at once (`ReadError::Data`): a missing required column, an empty required cell, an
/// amount that is not yuan (万元 refused with the yuan to type) or not above zero, an account
/// that is not digits or was stored as an Excel number, a date that is none, a 处理结果 that is
/// neither success nor failure (or still in progress), text no clerk types.
pub fn read_named(path: &Path, name: &str, limits: &Limits) -> Result<Vec<ReceiptRow>, ReadError> {
    let stem = Path::new(name).file_stem().map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
    let read = || -> Result<Vec<ReceiptRow>, ReadError> {
        let mut table = Table::of(&SPEC, source::grids(path, &stem, limits, SPEC.what)?);
        let rows = table.parse(row);
        table.finish()?;
        Ok(rows
            .into_iter()
            .map(|(place, mut r)| {
                r.row = place.row as usize;
                r
            })
            .collect())
    };
    read().map_err(|e| e.shown_as(path, name))
}

/// The template's example row (its payee and account): refused when read.
const EXAMPLE: [&str; 2] = ["山西示例机械制造有限公司", "6222020200001234567"];

fn row(ctx: &mut RowCtx<'_>) -> Option<ReceiptRow> {
    if ctx.get(HOLDER) == Some(EXAMPLE[0]) && ctx.get(ACCOUNT) == Some(EXAMPLE[1]) {
        ctx.report(HOLDER, EXAMPLE[0], "这是模板中的示例行，不是银行回单：请删除此行后再导入".to_string());
        return None;
    }
    let voucher = ctx.opt(VOUCHER, values::text);
    let reference = ctx.req(REFERENCE, reference);
    let holder = ctx.req(HOLDER, values::text);
    let account = ctx.req(ACCOUNT, account);
    let amount = ctx.req(AMOUNT, |t| {
        let fen = values::money(t)?;
        if fen.0 <= 0 { Err("金额应大于0".to_string()) } else { Ok(fen.0) }
    });
    let date = ctx.req(DATE, values::date);
    let ok = ctx.req(STATUS, status);
    let failure = ctx.opt(FAILURE, values::text);
    Some(ReceiptRow {
        reference: reference?,
        voucher,
        holder: holder?,
        account: account?,
        amount_fen: amount?,
        date: date?,
        ok: ok?,
        failure: failure.filter(|_| ok == Some(false)),
        row: 0,
    })
}

/// A reference: one line of text, half-width, no spaces inside.
fn reference(t: &str) -> Result<String, Reason> {
    let t = values::text(t)?;
    let t = half_width(&t).trim().to_string();
    if t.chars().any(char::is_whitespace) {
        return Err("流水号中不应有空格：请核对".into());
    }
    Ok(t)
}

/// An account number: digits (and the `*` of a masked account), spaces and dashes dropped.
fn account(t: &str) -> Result<String, Reason> {
    values::text(t)?;
    let digits: String = half_width(t).chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '*') {
        return Err("银行账号应只含数字（可用空格分隔）".into());
    }
    let n = digits.chars().count();
    if !(6..=32).contains(&n) {
        return Err(format!("银行账号应为6至32位数字（实为{n}位）"));
    }
    Ok(digits)
}

/// 处理结果: success or failure, as banks write them.
fn status(t: &str) -> Result<bool, Reason> {
    const OK: [&str; 12] = [
        "成功",
        "交易成功",
        "处理成功",
        "支付成功",
        "代发成功",
        "付款成功",
        "入账成功",
        "已入账",
        "已到账",
        "已成功",
        "S",
        "SUCCESS",
    ];
    const FAILED: [&str; 16] = [
        "失败",
        "交易失败",
        "处理失败",
        "支付失败",
        "代发失败",
        "付款失败",
        "入账失败",
        "已退回",
        "退回",
        "已退票",
        "退票",
        "退汇",
        "已退汇",
        "已失败",
        "F",
        "FAIL",
    ];
    const PENDING: [&str; 6] = ["处理中", "待处理", "已受理", "交易处理中", "银行处理中", "未处理"];
    let t: String = half_width(t).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if OK.contains(&t.as_str()) {
        Ok(true)
    } else if FAILED.contains(&t.as_str()) || t == "FAILED" {
        Ok(false)
    } else if PENDING.contains(&t.as_str()) {
        Err("银行尚未处理完这笔付款：请在银行处理完成后重新导出回单再导入".into())
    } else {
        Err("无法识别的处理结果：应为“成功”或“失败”（也可写 交易成功、已入账、交易失败、已退回 等）".into())
    }
}

/// The bank receipt template (for a bank that lets the payer choose its columns, or to fill by
/// hand from paper receipts): one sheet with the headers and one example row (`.xlsx` bytes).
///
/// # Errors
/// The workbook could not be written (`crate::WriteError`).
pub fn template_xlsx() -> Result<Vec<u8>, crate::WriteError> {
    let example = ["", "1024", EXAMPLE[0], EXAMPLE[1], "500000.00", "2025-06-30", "成功", ""];
    super::template::xlsx("银行回单", &SPEC, &example)
}

/// One payment to make, as the payment instruction (代发文件) gives it to the bank. The bank's
/// receipt answers each by its `reference` (付款流水号: the ledger entry number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// 付款流水号 (the ledger entry number).
    pub reference: String,
    /// 收款户名, 收款账号, 开户行.
    pub holder: String,
    pub account: String,
    pub bank: String,
    /// In fen.
    pub amount_fen: i64,
    /// 用途: the round and the rule, e.g. `2024年度兑现（第一批）首次入规奖励`.
    pub purpose: String,
    /// 凭证号 and 支付日期 as finance recorded them.
    pub voucher: String,
    pub date: Date,
    pub uscc: String,
    pub enterprise: String,
}

/// The payment instruction (代发文件) for the bank: one sheet `代发明细`, a row per payment with
/// 付款流水号 first (the column the bank's receipt must give back, [`read`]), accounts and codes
/// as text, amounts as numbers in yuan; no total row, which a bank's import would read as a
/// payment (`.xlsx` bytes).
///
/// # Errors
/// The workbook could not be written (`crate::WriteError`); more rows than a sheet holds.
pub fn instruction_xlsx(rows: &[Instruction]) -> Result<Vec<u8>, crate::WriteError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook};
    if rows.len() >= 1_048_574 {
        return Err(crate::WriteError::TooManyRows { sheet: "代发明细", rows: rows.len() });
    }
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("代发明细")?;
    let header = Format::new().set_bold().set_border(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let heads = [
        ("序号", 6),
        ("付款流水号", 12),
        ("收款户名", 30),
        ("收款账号", 24),
        ("开户行", 28),
        ("金额（元）", 16),
        ("用途", 36),
        ("凭证号", 18),
        ("支付日期", 12),
        ("统一社会信用代码", 22),
        ("企业名称", 30),
    ];
    for (c, (name, width)) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, &header)?;
        ws.set_column_width(c as u16, *width)?;
    }
    let yuan = |fen: i64| rust_decimal::Decimal::new(fen, 2).to_string().parse::<f64>().unwrap_or_default();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, (i + 1) as f64)?;
        for (col, value) in [(1, &r.reference), (2, &r.holder), (3, &r.account), (4, &r.bank)] {
            ws.write_string_with_format(row, col, value, &text)?;
        }
        ws.write_number_with_format(row, 5, yuan(r.amount_fen), &money)?;
        ws.write_string_with_format(row, 6, &r.purpose, &text)?;
        ws.write_string_with_format(row, 7, &r.voucher, &text)?;
        let d = ExcelDateTime::from_ymd(r.date.year() as u16, r.date.month() as u8, r.date.day() as u8)?;
        ws.write_datetime_with_format(row, 8, &d, &date)?;
        ws.write_string_with_format(row, 9, &r.uscc, &text)?;
        ws.write_string_with_format(row, 10, &r.enterprise, &text)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}

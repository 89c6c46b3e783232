//! The bank receipt reader (银行回单/代发结果): a bank's CSV export with title lines, columns we
//! do not use and a total line; a workbook with 金额（万元）, a merged amount, a number-formatted
//! account, a status still in progress; every error exactly.

use jiff::civil::date;
use lianzhang_facts::lists::receipt::{self, ReceiptRow};
use lianzhang_facts::{Limits, ReadError};
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;

fn errors(read: Result<Vec<ReceiptRow>, ReadError>) -> Vec<String> {
    match read {
        Err(ReadError::Data(errors)) => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected data errors, got {other:?}"),
    }
}

#[test]
fn a_bank_csv_with_title_lines_extra_columns_and_a_total() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lists/代发结果.csv");
    let read = receipt::read(&path, &Limits::default()).unwrap();
    let row = |reference: &str, holder: &str, account: &str, amount_fen, ok, failure: Option<&str>, row| ReceiptRow {
        reference: reference.into(),
        voucher: None,
        holder: holder.into(),
        account: account.into(),
        amount_fen,
        date: date(2025, 6, 30),
        ok,
        failure: failure.map(Into::into),
        row,
    };
    assert_eq!(
        read,
        vec![
            row("000101", "山西甲机械有限公司", "6222020200001234567", 50_000_000, true, None, 4),
            row("000102", "山西乙化工有限公司", "6222020200007654321", 30_000_000, false, Some("户名与账号不符"), 5),
            row("000103", "泽州县丙建材厂", "6222****0003", 12_000_050, true, None, 6),
        ]
    );
}

#[test]
fn every_error_of_a_workbook_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("回单.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("代发明细").unwrap();
    ws.merge_range(0, 0, 0, 6, "代发工资/奖励处理结果", &Format::new()).unwrap();
    let header = ["凭证号", "付款流水号", "收款户名", "收款账号", "金额（万元）", "交易日期", "处理结果"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    // Row 3: fine but for the amount's unit (reported once, at the header).
    ws.write_string(2, 0, "V001").unwrap();
    ws.write_number(2, 1, 101.0).unwrap();
    ws.write_string(2, 2, "山西甲机械有限公司").unwrap();
    ws.write_string(2, 3, "6222020200001234567").unwrap();
    ws.write_number(2, 4, 50.0).unwrap();
    ws.write_string(2, 5, "2025年6月30日").unwrap();
    ws.write_string(2, 6, "交易成功").unwrap();
    // Row 4: an account typed as a number, a status in progress, no date.
    ws.write_number(3, 1, 102.0).unwrap();
    ws.write_string(3, 2, "山西乙化工有限公司").unwrap();
    ws.write_number(3, 3, 6_222_020_200_007_654_321.0).unwrap();
    ws.write_number(3, 4, 30.0).unwrap();
    ws.write_string(3, 6, "处理中").unwrap();
    // Rows 5-6: one amount merged over two payments, a status no bank writes.
    ws.merge_range(4, 4, 5, 4, "", &Format::new()).unwrap();
    ws.write_number(4, 4, 12.0).unwrap();
    for r in [4, 5] {
        ws.write_string(r, 1, format!("10{}", r - 1)).unwrap();
        ws.write_string(r, 2, "泽州县丙建材厂").unwrap();
        ws.write_string(r, 3, "6222 0202 0000 0003").unwrap();
        ws.write_string(r, 5, "2025-06-30 09:00:00").unwrap();
        ws.write_string(r, 6, if r == 4 { "OK" } else { "已退回" }).unwrap();
    }
    book.save(&path).unwrap();
    assert_eq!(
        errors(receipt::read(&path, &Limits::default())),
        [
            "代发明细:2:金额（万元）: 金额（万元）: 表头写明单位是万元，但金额须以元为单位：请把本列数值换算成元（1万元 = 10000元），并把表头改为“金额”",
            "代发明细:4:收款账号: 6222020200007650000: 银行账号须为文本单元格（Excel 数字只保留15位有效数字，更长的账号会被改坏）：请把该列设为“文本”格式后重新填写",
            "代发明细:4:交易日期: : 不能为空",
            "代发明细:4:处理结果: 处理中: 银行尚未处理完这笔付款：请在银行处理完成后重新导出回单再导入",
            "代发明细:5:金额（万元）: 12: E5:E6 是合并单元格：一个金额不能同时作为2行的数值。请取消合并，在每一行填写各自的金额",
            "代发明细:5:处理结果: OK: 无法识别的处理结果：应为“成功”或“失败”（也可写 交易成功、已入账、交易失败、已退回 等）",
        ]
    );
}

#[test]
fn amounts_in_wan_yuan_and_bad_accounts_in_a_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("回单.csv");
    let text = "业务编号,户名,账号,交易金额,日期,状态\n\
                7,甲公司,6222-0202-0000-1234,50万元,2025/7/1,失败\n\
                8,乙公司,62220202ABC,0,2025/7/1,成功\n\
                9,丙公司,１２３４５６７８,１２，０００．００,2025/7/1,ｓｕｃｃｅｓｓ\n";
    std::fs::write(&path, text).unwrap();
    assert_eq!(
        errors(receipt::read(&path, &Limits::default())),
        [
            "回单:2:交易金额: 50万元: 金额以元为单位，不能写单位“50万元”：请填写 500000",
            "回单:3:账号: 62220202ABC: 银行账号应只含数字（可用空格分隔）",
            "回单:3:交易金额: 0: 金额应大于0",
        ]
    );
    std::fs::write(&path, text.lines().take(1).chain(text.lines().skip(3)).collect::<Vec<_>>().join("\n")).unwrap();
    let read = receipt::read(&path, &Limits::default()).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!((read[0].account.as_str(), read[0].amount_fen, read[0].ok), ("12345678", 1_200_000, true));
}

#[test]
fn the_template_reads_its_columns_and_refuses_its_example_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("回单模板.xlsx");
    std::fs::write(&path, receipt::template_xlsx().unwrap()).unwrap();
    let e = receipt::read(&path, &Limits::default()).unwrap_err().to_string();
    assert!(e.contains("1 处错误") && e.contains("这是模板中的示例行"), "{e}");
}

//! The workbook read back with calamine.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use lianzhang_publicity::{totals, xlsx};

fn cell(range: &calamine::Range<Data>, row: usize, col: usize) -> Data {
    range.get((row, col)).cloned().unwrap_or_else(|| panic!("no cell at row {row}, column {col}"))
}

fn text(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    match cell(range, row, col) {
        Data::String(s) => s,
        other => panic!("row {row}, column {col}: expected text, found {other:?}"),
    }
}

fn number(range: &calamine::Range<Data>, row: usize, col: usize) -> f64 {
    match cell(range, row, col) {
        Data::Float(f) => f,
        Data::Int(i) => i as f64,
        other => panic!("row {row}, column {col}: expected a number, found {other:?}"),
    }
}

#[test]
fn the_list_sheet_holds_every_line_and_the_total() {
    let list = common::list(25);
    let bytes = xlsx(&list).expect("renders");
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
    assert_eq!(book.sheet_names(), vec!["公示名单", "按条款汇总"]);
    let sheet = book.worksheet_range("公示名单").expect("sheet");
    assert_eq!(text(&sheet, 0, 0), list.title);
    assert!(text(&sheet, 1, 0).contains("文号：泽工信发〔2025〕12号"));
    assert!(text(&sheet, 2, 0).contains("2024年度"));
    assert_eq!(text(&sheet, 3, 0), "公示期：2024年9月27日发布，自次日起5个工作日，至2024年10月10日止");
    assert!(text(&sheet, 4, 0).starts_with("异议受理："));
    let header: Vec<String> = (0..9).map(|c| text(&sheet, 5, c)).collect();
    assert_eq!(
        header,
        [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "产业链",
            "条款",
            "奖励事项",
            "金额（元）",
            "金额（万元）",
            "依据（事实与计算）"
        ]
    );
    for (i, line) in list.lines.iter().enumerate() {
        let row = 6 + i;
        assert_eq!(number(&sheet, row, 0), (i + 1) as f64);
        assert_eq!(text(&sheet, row, 1), line.enterprise);
        assert_eq!(text(&sheet, row, 2), line.uscc, "the USCC stays text");
        match &line.chain {
            Some(chain) => assert_eq!(text(&sheet, row, 3), *chain),
            None => assert!(
                matches!(cell(&sheet, row, 3), Data::Empty | Data::String(_))
                    && sheet.get((row, 3)).is_none_or(|d| d.to_string().is_empty())
            ),
        }
        assert_eq!(text(&sheet, row, 4), line.clause);
        assert_eq!(text(&sheet, row, 5), line.rule_title);
        // The double nearest the exact amount: back to fen without loss.
        assert_eq!((number(&sheet, row, 6) * 100.0).round() as i64, line.amount_fen);
        assert_eq!((number(&sheet, row, 7) * 1e6).round() as i64, line.amount_fen);
        assert_eq!(text(&sheet, row, 8), line.reason);
    }
    let t = totals(&list).expect("totals");
    let total_row = 6 + list.lines.len();
    assert_eq!(text(&sheet, total_row, 0), "合计：25家企业，25项奖励");
    assert_eq!((number(&sheet, total_row, 6) * 100.0).round() as i64, t.amount_fen);
    let sum: i64 = list.lines.iter().map(|l| l.amount_fen).sum();
    assert_eq!(t.amount_fen, sum);
    assert!(text(&sheet, total_row + 2, 0).contains("泽州县工业和信息化局　2024年9月27日"));
}

#[test]
fn the_clause_sheet_has_one_row_per_clause_in_order() {
    let list = common::list(12);
    let bytes = xlsx(&list).expect("renders");
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("按条款汇总").expect("sheet");
    assert_eq!(text(&sheet, 0, 0), "条款");
    let t = totals(&list).expect("totals");
    assert_eq!(t.clauses.len(), 5);
    for (i, c) in t.clauses.iter().enumerate() {
        assert_eq!(text(&sheet, 1 + i, 0), c.clause);
        assert_eq!(text(&sheet, 1 + i, 1), c.rule_titles.join("、"));
        assert_eq!(number(&sheet, 1 + i, 2), c.lines as f64);
        assert_eq!((number(&sheet, 1 + i, 3) * 100.0).round() as i64, c.amount_fen);
    }
    // 12 lines over 5 clauses in turn: 3, 3, 2, 2, 2.
    let counts: Vec<usize> = t.clauses.iter().map(|c| c.lines).collect();
    assert_eq!(counts, [3, 3, 2, 2, 2]);
    assert_eq!(t.clauses[0].clause, "第三条第（一）项");
    assert_eq!(text(&sheet, 6, 0), "合计");
    assert_eq!(number(&sheet, 6, 2), 12.0);
    assert_eq!((number(&sheet, 6, 3) * 100.0).round() as i64, t.amount_fen);
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let mut list = common::list(1);
    list.lines[0].enterprise = "=HYPERLINK(\"http://x\",\"点我\")".into();
    list.lines[0].uscc = "0114052500000000X1".into();
    let bytes = xlsx(&list).expect("renders");
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("公示名单").expect("sheet");
    assert_eq!(text(&sheet, 6, 1), list.lines[0].enterprise);
    assert_eq!(text(&sheet, 6, 2), "0114052500000000X1");
    let formulas = book.worksheet_formula("公示名单").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

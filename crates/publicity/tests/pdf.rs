//! The PDF read back with poppler's `pdftotext`, `pdffonts` and `pdfinfo`.
//!
//! Without poppler-utils these tests print why and pass, unless `LIANZHANG_PDF_TESTS=required`
//! (set in CI, which installs poppler-utils): then a missing tool fails them.

mod common;

use std::io::Write;
use std::process::Command;

use lianzhang_publicity::{fen_to_wan, fen_to_yuan, pdf, totals};

/// Runs a poppler tool on the PDF bytes; `None` (after saying why) when the tool is absent and
/// not required.
fn poppler(tool: &str, pdf: &[u8], extra: &[&str]) -> Option<String> {
    let mut file = tempfile::Builder::new().suffix(".pdf").tempfile().expect("temporary file");
    file.write_all(pdf).expect("write the PDF");
    let mut cmd = Command::new(tool);
    cmd.args(extra).arg(file.path());
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    match cmd.output() {
        Ok(out) => {
            assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
            Some(String::from_utf8(out.stdout).expect("poppler prints UTF-8"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let required = std::env::var("LIANZHANG_PDF_TESTS").is_ok_and(|v| v == "required");
            assert!(
                !required,
                "LIANZHANG_PDF_TESTS=required but {tool} is not installed (apt-get install poppler-utils)"
            );
            eprintln!("skipped: {tool} not found (apt-get install poppler-utils to run this check)");
            None
        }
        Err(e) => panic!("{tool}: {e}"),
    }
}

/// The text without any whitespace: pdftotext spaces and breaks lines as it sees fit.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn text_holds_title_enterprises_amounts_totals_and_period() {
    let list = common::list(30);
    let bytes = pdf(&list).expect("renders");
    assert!(bytes.starts_with(b"%PDF-"));
    let Some(text) = poppler("pdftotext", &bytes, &["-layout", "-enc", "UTF-8"]) else {
        return;
    };
    let text = squeeze(&text);
    let must = |needle: &str| {
        let needle = squeeze(needle);
        assert!(text.contains(&needle), "the PDF text lacks {needle:?}");
    };
    must(&list.title);
    must("泽州县工业和信息化局");
    must("文号：泽工信发〔2025〕12号");
    must("公示期：2024年9月27日发布，自次日起5个工作日，至2024年10月10日止");
    must("电话0356-2021234");
    must("2024年度拟兑现奖励资金");
    for h in ["序号", "企业名称", "统一社会信用代码", "条款", "奖励事项", "金额（元）", "依据（事实与计算）"]
    {
        must(h);
    }
    for line in &list.lines {
        must(&line.enterprise);
        must(&line.uscc);
        must(&fen_to_yuan(line.amount_fen));
        must(&format!("{}万元", fen_to_wan(line.amount_fen)));
    }
    let t = totals(&list).expect("totals");
    assert_eq!((t.lines, t.enterprises), (30, 30));
    must(&format!("合计：30家企业，30项奖励，金额{}元（{}万元）", fen_to_yuan(t.amount_fen), fen_to_wan(t.amount_fen)));
    must("按条款汇总");
    for c in &t.clauses {
        must(&c.clause);
        must(&fen_to_yuan(c.amount_fen));
    }
    must("第1页");
    must("2024年9月27日");
}

#[test]
fn an_empty_document_number_prints_a_blank_field() {
    let mut list = common::list(2);
    list.document_no = "  ".into();
    let bytes = pdf(&list).expect("renders");
    let Some(text) = poppler("pdftotext", &bytes, &["-layout", "-enc", "UTF-8"]) else {
        return;
    };
    assert!(squeeze(&text).contains("文号：＿＿＿＿＿＿"), "{text}");
}

#[test]
fn both_weights_are_embedded() {
    let bytes = pdf(&common::list(3)).expect("renders");
    let Some(fonts) = poppler("pdffonts", &bytes, &[]) else {
        return;
    };
    for weight in ["NotoSansCJKsc-Regular", "NotoSansCJKsc-Bold"] {
        let line = fonts
            .lines()
            .find(|l| l.contains(weight))
            .unwrap_or_else(|| panic!("{weight} is not in the PDF:\n{fonts}"));
        // name, type…, encoding, emb, sub, uni, object number, generation
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "{weight} is not embedded:\n{fonts}");
    }
    assert!(
        fonts.lines().skip(2).all(|l| l.contains("NotoSansCJKsc")),
        "a font other than the embedded ones is used:\n{fonts}"
    );
}

#[test]
fn a_thousand_lines_make_many_pages_each_numbered() {
    let list = common::list(1000);
    let bytes = pdf(&list).expect("renders");
    let Some(info) = poppler("pdfinfo", &bytes, &[]) else {
        return;
    };
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count");
    assert!(pages > 1, "{pages} pages");
    let text = poppler("pdftotext", &bytes, &["-layout", "-enc", "UTF-8"]).expect("poppler");
    let text = squeeze(&text);
    assert!(text.contains(&format!("第{pages}页共{pages}页")), "last page number");
    // The header row is repeated on every page of the table.
    assert!(text.matches("统一社会信用代码").count() >= pages - 1);
    assert!(text.contains(&squeeze(&common::enterprise(999))));
}

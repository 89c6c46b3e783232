//! The list as an A4 PDF, laid out by typst with the embedded fonts only.
//!
//! The data goes in as one JSON string (`sys.inputs.data`), every figure already formatted
//! here, so the template only places text: a string from the data is never read as typst
//! markup.

use std::sync::LazyLock;

use serde::Serialize;
use typst::foundations::{Bytes, Dict, IntoValue};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

use crate::{PublicList, PublicityError, format, summary};

/// Noto Sans CJK SC Regular, subset by `fonts/make.sh` (SIL OFL 1.1).
pub(crate) static REGULAR: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular-subset.otf");
/// Noto Sans CJK SC Bold, subset by `fonts/make.sh` (SIL OFL 1.1).
pub(crate) static BOLD: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Bold-subset.otf");

static TEMPLATE: &str = include_str!("list.typ");

/// The engine with its fonts parsed once; only these two fonts exist for it (typst-as-lib is
/// built without its font-search features, so no system font is ever read).
static ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> =
    LazyLock::new(|| TypstEngine::builder().main_file(TEMPLATE).fonts([Bytes::new(REGULAR), Bytes::new(BOLD)]).build());

#[derive(Serialize)]
struct View<'a> {
    title: &'a str,
    issuer: &'a str,
    document_no: String,
    intro: String,
    period: String,
    objection: String,
    date: String,
    lines: Vec<LineView<'a>>,
    total: String,
    total_yuan: String,
    total_wan: String,
    clauses: Vec<ClauseView>,
}

#[derive(Serialize)]
struct LineView<'a> {
    no: usize,
    enterprise: &'a str,
    chain: Option<&'a str>,
    uscc: &'a str,
    clause: &'a str,
    rule_title: &'a str,
    yuan: String,
    wan: String,
    reason: &'a str,
}

#[derive(Serialize)]
struct ClauseView {
    clause: String,
    rules: String,
    lines: usize,
    yuan: String,
    wan: String,
}

fn view(list: &PublicList) -> Result<View<'_>, PublicityError> {
    let totals = summary::totals(list)?;
    Ok(View {
        title: &list.title,
        issuer: &list.issuer,
        document_no: list.document_no_text(),
        intro: list.intro_text(),
        period: list.period_text(),
        objection: list.objection_text(),
        date: format::date(list.published),
        lines: list
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineView {
                no: i + 1,
                enterprise: &l.enterprise,
                chain: l.chain.as_deref().filter(|c| !c.trim().is_empty()),
                uscc: &l.uscc,
                clause: &l.clause,
                rule_title: &l.rule_title,
                yuan: format::yuan(l.amount_fen),
                wan: format::wan(l.amount_fen),
                reason: &l.reason,
            })
            .collect(),
        total: format!(
            "合计：{}家企业，{}项奖励，金额{}元（{}万元）",
            totals.enterprises,
            totals.lines,
            format::yuan(totals.amount_fen),
            format::wan(totals.amount_fen)
        ),
        total_yuan: format::yuan(totals.amount_fen),
        total_wan: format::wan(totals.amount_fen),
        clauses: totals
            .clauses
            .iter()
            .map(|c| ClauseView {
                clause: c.clause.clone(),
                rules: c.rule_titles.join("、"),
                lines: c.lines,
                yuan: format::yuan(c.amount_fen),
                wan: format::wan(c.amount_fen),
            })
            .collect(),
    })
}

/// Renders the list as an A4 landscape PDF in Chinese: title, issuer, 文号 field, the opening
/// paragraph, the table (header repeated on every page), the totals and the subtotal per
/// clause, the period, where to object, the issuer and date at the bottom right, and
/// `第 x 页 共 y 页` on every page. The fonts are embedded (subset again to what is used).
///
/// Characters the fonts lack print as empty boxes: check [`crate::missing_glyphs`] first.
/// Errors: [`PublicityError::Period`] when the period ends before it starts,
/// [`PublicityError::Overflow`] when a total does not fit, [`PublicityError::Pdf`] when typst
/// fails (a bug here).
pub fn pdf(list: &PublicList) -> Result<Vec<u8>, PublicityError> {
    let document = document(list)?;
    let options =
        typst_pdf::PdfOptions { ident: typst::foundations::Smart::Custom(list.title.clone()), ..Default::default() };
    typst_pdf::pdf(&document, &options).map_err(|diags| PublicityError::Pdf {
        detail: diags.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; "),
    })
}

/// The laid-out pages.
fn document(list: &PublicList) -> Result<PagedDocument, PublicityError> {
    list.check()?;
    let json = serde_json::to_string(&view(list)?).map_err(|e| PublicityError::Pdf { detail: e.to_string() })?;
    let mut inputs = Dict::new();
    inputs.insert("data".into(), json.into_value());
    let document: PagedDocument =
        ENGINE.compile_with_input(inputs).output.map_err(|e| PublicityError::Pdf { detail: e.to_string() })?;
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PublicLine;

    fn list(n: usize) -> PublicList {
        PublicList {
            title: "泽州县2024年度制造业产业链政策奖励资金兑现名单（公示）".into(),
            issuer: "泽州县工业和信息化局".into(),
            document_no: String::new(),
            year: 2024,
            published: jiff::civil::date(2025, 3, 3),
            last_day: jiff::civil::date(2025, 3, 7),
            working_days: 5,
            objection_to: "电话0356-2021234".into(),
            policy: "泽工信字〔2022〕84号".into(),
            lines: (0..n)
                .map(|i| PublicLine {
                    enterprise: format!("泽州县第{i}机械有限公司"),
                    uscc: format!("91140525MA{i:08}"),
                    chain: None,
                    clause: "第三条第（一）项".into(),
                    rule_title: "首次升规入统奖励".into(),
                    amount_fen: 50_000_000,
                    reason: "首次纳入规模以上工业企业统计，一次性奖励50万元。".repeat(3),
                })
                .collect(),
        }
    }

    #[test]
    fn pages_grow_with_the_list() {
        let short = document(&list(3)).expect("lays out").pages().len();
        let long = document(&list(300)).expect("lays out").pages().len();
        assert_eq!(short, 1);
        assert!(long > 10, "{long} pages for 300 lines");
    }

    #[test]
    fn the_embedded_fonts_are_one_family_in_two_weights() {
        let fonts: Vec<typst::text::Font> =
            [REGULAR, BOLD].into_iter().flat_map(|b| typst::text::Font::iter(Bytes::new(b))).collect();
        assert_eq!(fonts.len(), 2);
        for f in &fonts {
            assert_eq!(f.info().family, "Noto Sans CJK SC");
        }
        assert_eq!(fonts[0].info().variant.weight, typst::text::FontWeight::REGULAR);
        assert_eq!(fonts[1].info().variant.weight, typst::text::FontWeight::BOLD);
    }
}

//! Text and years at the door: every value a person types into a form, a query string or an API
//! parameter is checked with [`lianzhang_facts::typed`] before anything is read or written, and
//! refused with a Chinese sentence naming the field.

use crate::WebError;
use lianzhang_facts::typed::{TextKind, check_text, check_year};

/// Checks typed values of a form that saves: (the field's Chinese name, its value, its kind).
/// Every problem is said at once, each with its field, and that nothing was saved.
pub(crate) fn texts<'a, N: std::fmt::Display>(
    fields: impl IntoIterator<Item = (N, &'a str, TextKind)>,
) -> Result<(), WebError> {
    checked(fields, "未保存任何内容。")
}

/// Checks the typed values of a search (a query string, an API parameter): nothing is saved, so
/// the sentence asks for other search terms.
pub(crate) fn search_texts<'a, N: std::fmt::Display>(
    fields: impl IntoIterator<Item = (N, &'a str, TextKind)>,
) -> Result<(), WebError> {
    checked(fields, "请修改搜索条件后重试。")
}

/// Checks typed values; `then` follows the problems (what happened, what to do).
pub(crate) fn checked<'a, N: std::fmt::Display>(
    fields: impl IntoIterator<Item = (N, &'a str, TextKind)>,
    then: &str,
) -> Result<(), WebError> {
    let problems: Vec<String> = fields
        .into_iter()
        .filter_map(|(name, value, kind)| check_text(value, kind).err().map(|e| format!("{name}：{e}")))
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(WebError::Invalid(format!("{}。{then}", problems.join("；")))) }
}

/// A typed year (form, query string, API parameter) within 1949–2100.
pub(crate) fn year(name: &str, y: i64) -> Result<i32, WebError> {
    check_year(y).map_err(|e| WebError::Invalid(format!("{name}：{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named() {
        let long = "长".repeat(201);
        let err = texts([("企业名称", long.as_str(), TextKind::Line), ("乡镇", "a\u{202E}b", TextKind::Line)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("企业名称：") && err.contains("乡镇：") && err.contains("未保存任何内容"), "{err}");
        let err = search_texts([("查询条件 q", "\u{1b}", TextKind::Line)]).unwrap_err().to_string();
        assert!(err.contains("请修改搜索条件") && !err.contains("未保存"), "{err}");
        assert!(texts([("核实依据", "第一行\n第二行", TextKind::Note)]).is_ok());
        assert!(year("年度", 99999).unwrap_err().to_string().contains("年度："));
        assert_eq!(year("年度", 2024).unwrap(), 2024);
    }
}

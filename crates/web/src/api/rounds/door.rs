//! The door of the rounds API: a JSON body read with a Chinese sentence for what is wrong with
//! it, and each typed value (text, ISO dates, yuan amounts) checked, every problem kept and all
//! said at once (422), before anything is read or written.

use crate::WebError;
use crate::api::ApiError;
use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use jiff::civil::Date;
use lianzhang_facts::typed::{TextKind, check_text, shown};
use lianzhang_rounds::LineKey;
use serde::de::DeserializeOwned;

/// A JSON body: refused unless declared `application/json` (a form posted from another site
/// cannot send one without the browser asking first), and with a Chinese sentence when it does
/// not parse (the field, the line and column; the parser's own words go to the log).
pub(super) fn body<T: DeserializeOwned>(headers: &HeaderMap, bytes: &Bytes) -> Result<T, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return Err(
            WebError::Invalid("请求体应为 JSON（Content-Type: application/json）。未做任何修改。".into()).into()
        );
    }
    serde_json::from_slice(bytes).map_err(|e| {
        tracing::info!(error = %e, "api body refused");
        let text = e.to_string();
        let quoted = |after: &str| text.split(after).nth(1).and_then(|r| r.split('`').next()).map(shown);
        let why = if let Some(f) = quoted("missing field `") {
            format!("缺少字段 {f}")
        } else if let Some(f) = quoted("unknown field `") {
            format!("不认识的字段 {f}")
        } else if let Some(v) = quoted("unknown variant `") {
            format!("取值 {v} 无效")
        } else if e.is_syntax() || e.is_eof() {
            "不是有效的 JSON".into()
        } else {
            "字段类型不对（金额、日期、文本为字符串，年度为整数，accepted 为 true 或 false）".into()
        };
        WebError::Invalid(format!("请求体有误：{why}（第 {} 行第 {} 列）。未做任何修改。", e.line(), e.column())).into()
    })
}

/// The door: each typed value checked, every problem kept, all said at once.
#[derive(Default)]
pub(super) struct Door(pub(super) Vec<String>);

impl Door {
    pub(super) fn text(&mut self, name: &str, value: &str, kind: TextKind) {
        if let Err(e) = check_text(value, kind) {
            self.0.push(format!("{name}：{e}"));
        }
    }

    pub(super) fn line(&mut self, key: &LineKey) {
        self.text("企业 line.uscc", &key.uscc, TextKind::Line);
        self.text("规则 line.rule", &key.rule, TextKind::Line);
        if let Some(p) = &key.project_id {
            self.text("项目 line.project_id", p, TextKind::Line);
        }
    }

    /// An ISO date within 1949–2100.
    pub(super) fn date(&mut self, name: &str, value: &str) -> Date {
        match value.trim().parse::<Date>() {
            Ok(d) if (1949..=2100).contains(&d.year()) => d,
            Ok(_) => {
                self.0.push(format!("{name}：“{}”不在 1949 至 2100 年之间", shown(value)));
                Date::constant(2000, 1, 1)
            }
            Err(_) => {
                self.0.push(format!("{name}：“{}”不是日期，应写作 2024-10-08", shown(value)));
                Date::constant(2000, 1, 1)
            }
        }
    }

    /// A yuan amount (`"1200000.00"`) as fen.
    pub(super) fn money(&mut self, name: &str, value: &str) -> i64 {
        match lianzhang_facts::Fen::parse_yuan(value) {
            Ok(f) => f.0,
            Err(e) => {
                self.0.push(format!("{name}：“{}”{e}（应为元，最多两位小数，如 \"1200000.00\"）", shown(value)));
                0
            }
        }
    }

    pub(super) fn done(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(WebError::Invalid(format!("{}。未做任何修改。", self.0.join("；"))).into())
        }
    }
}

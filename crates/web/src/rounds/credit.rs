//! `/rounds/credit-lists`: the lists of seriously untrustworthy entities (失信名单) a round's credit
//! check reads. The bureau pastes a list (CSV or tab-separated, as copied from a spreadsheet):
//! 统一社会信用代码, 主体名称, 名单名称, 认定部门, 列入日期, 移出日期; every bad row is named at once.

use super::{date_of, refusal};
use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::Uscc;
use lianzhang_facts::typed::TextKind;
use lianzhang_store::{CreditList, NewCreditEntry, Role};
use std::sync::Arc;

#[derive(Template, WebTemplate)]
#[template(path = "rounds/credit.html")]
pub struct CreditPage {
    frame: Frame,
    lists: Vec<CreditList>,
    file_name: String,
    text: String,
    refused: Option<String>,
    /// The uploaded file's name and every bad cell in it (nothing imported).
    file: Option<String>,
    errors: Vec<lianzhang_facts::DataError>,
    /// The uploaded file could not be read at all, or the store refused it.
    file_refused: Option<String>,
}

impl CreditPage {
    fn at(&self, l: &CreditList) -> String {
        crate::format::beijing(&l.at)
    }
}

fn bureau(session: &Session) -> Result<(), WebError> {
    if session.user.role == Role::Bureau { Ok(()) } else { Err(WebError::Forbidden) }
}

pub async fn form(State(state): State<Arc<AppState>>, session: Session) -> Result<CreditPage, WebError> {
    bureau(&session)?;
    let lists = state.store.credit_lists().await?;
    Ok(CreditPage {
        frame: Frame::new(session, "rounds"),
        lists,
        file_name: String::new(),
        text: String::new(),
        refused: None,
        file: None,
        errors: Vec::new(),
        file_refused: None,
    })
}

/// POST `/rounds/credit-lists/file` (multipart `file`): imports a list file as exported from
/// 信用中国 or a court's system (`.xlsx`, `.xls`, CSV in UTF-8 or GBK), read by
/// `lianzhang_facts::lists::credit` (header names as the sources write them); every bad cell is
/// named with its sheet, row and column and nothing is imported.
pub async fn upload_file(
    State(state): State<Arc<AppState>>,
    session: Session,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    bureau(&session)?;
    let got = crate::import::one_file(&session, &state.limits, multipart).await?;
    let (path, name, limits) = (got.path.clone(), got.name.clone(), state.limits.read);
    let read = tokio::task::spawn_blocking(move || lianzhang_facts::lists::credit::read_named(&path, &name, &limits))
        .await
        .map_err(|_| WebError::Internal("读取失信名单失败"))?;
    let (mut errors, mut file_refused) = (Vec::new(), None);
    match read {
        Ok(entries) => {
            let entries: Vec<NewCreditEntry> = entries.into_iter().map(NewCreditEntry::from).collect();
            match state.store.import_credit_list(&got.name, &entries, &session.user.actor()).await {
                Ok(_) => return Ok(Redirect::to("/rounds/credit-lists").into_response()),
                Err(e) => file_refused = Some(refusal(e)?),
            }
        }
        Err(lianzhang_facts::ReadError::Data(e)) => errors = e.0,
        Err(other) => file_refused = Some(other.to_string()),
    }
    let page = CreditPage {
        lists: state.store.credit_lists().await?,
        frame: Frame::new(session, "rounds"),
        file_name: String::new(),
        text: String::new(),
        refused: None,
        file: Some(got.name),
        errors,
        file_refused,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `GET /rounds/credit-lists/template.xlsx`: the list's columns with an example row.
pub async fn template(session: Session) -> Result<Response, WebError> {
    bureau(&session)?;
    let bytes = lianzhang_facts::lists::credit::template_xlsx().map_err(|e| WebError::Invalid(e.to_string()))?;
    Ok(super::publicity::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "credit-list-template.xlsx",
        "失信名单模板.xlsx",
    ))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CreditForm {
    csrf: String,
    file_name: String,
    text: String,
}

/// The entries of a pasted list, or every bad row named (row, column, value, reason).
pub fn parse(text: &str) -> Result<Vec<NewCreditEntry>, String> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let row = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let sep = if raw.contains('\t') { '\t' } else { ',' };
        let cells: Vec<&str> = raw.split(sep).map(str::trim).collect();
        if row == 1 && cells.first().is_some_and(|c| c.contains("代码")) {
            continue; // the header row
        }
        let cell = |n: usize| cells.get(n).copied().unwrap_or("");
        let mut bad = |col: &str, why: String| problems.push(format!("第 {row} 行 {col}：{why}"));
        let uscc = match Uscc::parse(cell(0)) {
            Ok(u) => Some(u.to_string()),
            Err(e) => {
                bad("统一社会信用代码", format!("“{}” {e}", cell(0)));
                None
            }
        };
        for (n, col) in [(2, "名单名称"), (3, "认定部门")] {
            if cell(n).is_empty() {
                bad(col, "不能为空".into());
            }
        }
        let listed = date_of("列入日期", cell(4)).map_err(|e| bad("列入日期", e)).ok();
        let removed = if cell(5).is_empty() {
            Some(None)
        } else {
            date_of("移出日期", cell(5)).map(Some).map_err(|e| bad("移出日期", e)).ok()
        };
        if let (Some(uscc), Some(listed), Some(removed)) = (uscc, listed, removed) {
            if cell(2).is_empty() || cell(3).is_empty() {
                continue;
            }
            out.push(NewCreditEntry {
                uscc,
                name: Some(cell(1).to_string()).filter(|n| !n.is_empty()),
                list: cell(2).to_string(),
                source: cell(3).to_string(),
                listed,
                removed,
            });
        }
    }
    if !problems.is_empty() {
        return Err(format!("{}。未导入任何条目。", problems.join("；")));
    }
    if out.is_empty() {
        return Err(
            "没有名单条目：每行一条，依次为 统一社会信用代码、主体名称、名单名称、认定部门、列入日期、移出日期".into(),
        );
    }
    Ok(out)
}

/// POST `/rounds/credit-lists`: imports a pasted list (all rows or none).
pub async fn upload(
    State(state): State<Arc<AppState>>,
    session: Session,
    Form(f): Form<CreditForm>,
) -> Result<Response, WebError> {
    check_csrf(&session, &f.csrf)?;
    bureau(&session)?;
    crate::door::texts([("名单来源文件名", f.file_name.as_str(), TextKind::Line)])?;
    let name =
        if f.file_name.trim().is_empty() { "粘贴的名单".to_string() } else { f.file_name.trim().to_string() };
    let refused = match parse(&f.text) {
        Err(why) => why,
        Ok(entries) => match state.store.import_credit_list(&name, &entries, &session.user.actor()).await {
            Ok(_) => return Ok(Redirect::to("/rounds/credit-lists").into_response()),
            Err(e) => refusal(e)?,
        },
    };
    let lists = state.store.credit_lists().await?;
    let page = CreditPage {
        frame: Frame::new(session, "rounds"),
        lists,
        file_name: f.file_name,
        text: f.text,
        refused: Some(refused),
        file: None,
        errors: Vec::new(),
        file_refused: None,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bad_row_is_named_and_a_good_list_is_read() {
        let err =
            super::parse("统一社会信用代码,主体名称,名单名称,认定部门,列入日期,移出日期\nX,甲,,部门,2024-13-01,\n")
                .unwrap_err();
        assert!(err.contains("第 2 行 统一社会信用代码") && err.contains("第 2 行 名单名称"), "{err}");
        assert!(err.contains("第 2 行 列入日期") && err.contains("未导入任何条目"), "{err}");
        assert!(super::parse("\n\n").unwrap_err().contains("没有名单条目"));
    }
}

//! `/rounds/credit-lists`: the lists of seriously untrustworthy entities (失信名单) a round's credit
//! check reads. The bureau uploads the list file or pastes its rows (CSV or tab-separated, as
//! copied from a spreadsheet: 统一社会信用代码, 主体名称, 名单名称, 认定部门, 列入日期, 移出日期).
//! Both are read by `lianzhang_facts::lists::credit`, so both name every bad cell at once and
//! accept the same date and code forms; nothing is imported unless every row is good.

use super::refusal;
use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
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
/// 信用中国 or a court's system (`.xlsx`, `.xls`, CSV in UTF-8 or GBK).
pub async fn upload_file(
    State(state): State<Arc<AppState>>,
    session: Session,
    multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    bureau(&session)?;
    let got = match crate::import::one_file(&session, &state.limits, multipart).await {
        Ok(got) => got,
        // No file, an empty one: said on the page.
        Err(WebError::Invalid(why)) => {
            let page = CreditPage {
                lists: state.store.credit_lists().await?,
                frame: Frame::new(session, "rounds"),
                file_name: String::new(),
                text: String::new(),
                refused: None,
                file: None,
                errors: Vec::new(),
                file_refused: Some(why),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e),
    };
    import(&state, session, got.path.clone(), got.name.clone(), None).await
}

/// Reads the list file at `path` (named `name` for the person) and imports it; or the page
/// with every bad cell (or the store's refusal), and `pasted` kept in its form.
async fn import(
    state: &AppState,
    session: Session,
    path: std::path::PathBuf,
    name: String,
    pasted: Option<(String, String)>,
) -> Result<Response, WebError> {
    let (read_name, limits) = (name.clone(), state.limits.read);
    let read =
        tokio::task::spawn_blocking(move || lianzhang_facts::lists::credit::read_named(&path, &read_name, &limits))
            .await
            .map_err(|_| WebError::Internal("读取失信名单失败"))?;
    let (mut errors, mut file_refused) = (Vec::new(), None);
    match read {
        Ok(entries) => {
            let entries: Vec<NewCreditEntry> = entries.into_iter().map(NewCreditEntry::from).collect();
            match state.store.import_credit_list(&name, &entries, &session.user.actor()).await {
                Ok(_) => return Ok(Redirect::to("/rounds/credit-lists").into_response()),
                Err(e) => file_refused = Some(refusal(e)?),
            }
        }
        Err(lianzhang_facts::ReadError::Data(e)) => errors = e.0,
        Err(other) => file_refused = Some(other.to_string()),
    }
    let (file_name, text) = pasted.unwrap_or_default();
    let page = CreditPage {
        lists: state.store.credit_lists().await?,
        frame: Frame::new(session, "rounds"),
        file_name,
        text,
        refused: None,
        file: Some(name),
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

/// The pasted rows as a CSV file the list reader reads: tab-separated rows (copied from a
/// spreadsheet) written as CSV, and the standard header put first when the paste has none.
fn pasted_csv(text: &str) -> Result<Vec<u8>, WebError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
    let has_header = lines.peek().is_some_and(|l| l.contains("代码"));
    if !has_header {
        w.write_record(["统一社会信用代码", "主体名称", "名单名称", "认定部门", "列入日期", "移出日期"])
            .map_err(|_| WebError::Internal("整理粘贴的名单失败"))?;
    }
    for line in lines {
        let cells: Vec<String> = if line.contains('\t') {
            line.split('\t').map(|c| c.trim().to_string()).collect()
        } else {
            // Comma-separated as typed: quotes are read as CSV reads them.
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
            r.records()
                .next()
                .and_then(Result::ok)
                .map(|rec| rec.iter().map(str::to_string).collect())
                .unwrap_or_default()
        };
        w.write_record(&cells).map_err(|_| WebError::Internal("整理粘贴的名单失败"))?;
    }
    w.into_inner().map_err(|_| WebError::Internal("整理粘贴的名单失败"))
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
    if f.text.trim().is_empty() {
        let page = CreditPage {
            lists: state.store.credit_lists().await?,
            frame: Frame::new(session, "rounds"),
            file_name: f.file_name,
            text: f.text,
            refused: Some(
                "请粘贴名单内容：每行一条，依次为 统一社会信用代码、主体名称、名单名称、认定部门、列入日期、移出日期"
                    .into(),
            ),
            file: None,
            errors: Vec::new(),
            file_refused: None,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let dir = tempfile::tempdir().map_err(|_| WebError::Internal("服务器无法保存粘贴的名单（临时目录不可用）"))?;
    let path = dir.path().join("pasted.csv");
    std::fs::write(&path, pasted_csv(&f.text)?)
        .map_err(|_| WebError::Internal("服务器无法保存粘贴的名单（临时目录不可用）"))?;
    let response = import(&state, session, path, name, Some((f.file_name, f.text))).await;
    drop(dir);
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn pasted_rows_become_the_csv_the_reader_reads() {
        let tsv = "91140525MA0L00002Q\t乙公司\t失信被执行人名单\t法院\t2024/3/1\t\n";
        let csv = String::from_utf8(super::pasted_csv(tsv).unwrap()).unwrap();
        assert_eq!(
            csv,
            "统一社会信用代码,主体名称,名单名称,认定部门,列入日期,移出日期\n91140525MA0L00002Q,乙公司,失信被执行人名单,法院,2024/3/1,\n"
        );
        let with_header =
            "统一社会信用代码,名单名称,来源,列入日期\n91140525MA0L00002Q,失信被执行人名单,法院,2024-03-01\n";
        assert_eq!(String::from_utf8(super::pasted_csv(with_header).unwrap()).unwrap(), with_header);
    }
}

//! The round and the bank: the payment instruction (代发文件) finance sends with the recorded
//! payments, and the bank's receipt (银行回单) uploaded back to reconcile them: matched, failed
//! (reversed on request so the lines can go to a follow-up batch), mismatched, unmatched,
//! unanswered. The receipt is read by `lianzhang_facts::lists::receipt` (every bad cell named
//! with its sheet, row and column) and reconciled by the pure `lianzhang_rounds::reconcile`.

use super::{load, refusal};
use crate::auth::Session;
use crate::import::one_file;
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lianzhang_facts::DataError;
use lianzhang_facts::lists::receipt;
use lianzhang_rounds::{ReceiptLine, Role as RoundRole};
use lianzhang_store::RoundRecord;
use std::sync::Arc;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Finance pays and reconciles; the bureau may read what was sent.
fn finance_or_bureau(session: &Session) -> Result<(), WebError> {
    match session.user.actor().role {
        RoundRole::Finance | RoundRole::Bureau => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct InstructionQuery {
    /// `YYYY-MM-DD`: only the payments recorded for that day.
    date: String,
}

/// `GET /rounds/{id}/pay/instructions.xlsx[?date=YYYY-MM-DD]`: the 代发文件.
pub async fn instructions_xlsx(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<InstructionQuery>,
) -> Result<Response, WebError> {
    finance_or_bureau(&session)?;
    let date = if q.date.trim().is_empty() {
        None
    } else {
        Some(super::date_of("支付日期", &q.date).map_err(WebError::Invalid)?)
    };
    let r = load(&state, id).await?;
    let rows = r.instructions(date);
    let bytes = receipt::instruction_xlsx(&rows).map_err(|e| WebError::Invalid(e.to_string()))?;
    let name = match date {
        Some(d) => format!("第{id}号兑现批次代发文件-{d}.xlsx"),
        None => format!("第{id}号兑现批次代发文件.xlsx"),
    };
    Ok(super::publicity::download(bytes, XLSX, "instructions.xlsx", &name))
}

/// `GET /rounds/receipt-template.xlsx`: the receipt's columns, for a bank that lets the payer
/// choose them or to type paper receipts in.
pub async fn receipt_template(session: Session) -> Result<Response, WebError> {
    finance_or_bureau(&session)?;
    let bytes = receipt::template_xlsx().map_err(|e| WebError::Invalid(e.to_string()))?;
    Ok(super::publicity::download(bytes, XLSX, "receipt-template.xlsx", "银行回单模板.xlsx"))
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/receipt.html")]
pub struct ReceiptPage {
    frame: Frame,
    r: Arc<RoundRecord>,
    file: String,
    /// Every bad cell of the file (nothing reconciled).
    errors: Vec<DataError>,
    /// The file could not be read at all, or the store refused.
    problem: Option<String>,
    summary: Option<String>,
    problems: Vec<String>,
    /// The failed payments reversed now (their lines payable again).
    reversed: usize,
    /// Failed payments left standing (the box was not ticked).
    failed: usize,
}

/// POST `/rounds/{id}/receipt` (multipart: `file`, `apply`): reconciles the bank's receipt with
/// the round's payments; with `apply`, reverses the failed ones (all in one transaction).
pub async fn receipt_upload(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let actor = session.user.actor();
    if actor.role != RoundRole::Finance {
        return Err(WebError::Forbidden);
    }
    let got = one_file(&session, &state.limits, multipart).await;
    let r = load(&state, id).await?;
    let got = match got {
        Ok(got) => got,
        // No file, an empty one: said on the page, beside the way back.
        Err(WebError::Invalid(why)) => {
            let page = ReceiptPage {
                frame: Frame::new(session, "rounds"),
                r,
                file: "（无）".into(),
                errors: Vec::new(),
                problem: Some(why),
                summary: None,
                problems: Vec::new(),
                reversed: 0,
                failed: 0,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e),
    };
    let mut page = ReceiptPage {
        frame: Frame::new(session, "rounds"),
        r,
        file: got.name.clone(),
        errors: Vec::new(),
        problem: None,
        summary: None,
        problems: Vec::new(),
        reversed: 0,
        failed: 0,
    };
    let (path, name, limits) = (got.path.clone(), got.name.clone(), state.limits.read);
    let read = tokio::task::spawn_blocking(move || receipt::read_named(&path, &name, &limits))
        .await
        .map_err(|_| WebError::Internal("读取银行回单失败"))?;
    let rows: Vec<ReceiptLine> = match read {
        Ok(rows) => rows.into_iter().map(Into::into).collect(),
        Err(lianzhang_facts::ReadError::Data(errors)) => {
            page.errors = errors.0;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => {
            page.problem = Some(other.to_string());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let reconciliation = match state.store.reconcile_round(id, &rows).await {
        Ok(x) => x,
        Err(e) => {
            page.problem = Some(refusal(e)?);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    page.summary = Some(reconciliation.zh());
    page.problems = reconciliation.problems_zh_naming(&|k| page.r.round.name_of(k));
    let apply = got.fields.contains_key("apply");
    if apply && !reconciliation.failed.is_empty() {
        match state.store.settle_failed_payments(id, &actor, &rows).await {
            Ok(r) => {
                page.reversed = reconciliation.failed.len();
                page.r = r;
            }
            Err(e) => page.problem = Some(refusal(e)?),
        }
    } else {
        page.failed = reconciliation.failed.len();
    }
    Ok(page.into_response())
}

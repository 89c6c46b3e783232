//! The 公示 list of a published round as a download: the PDF (A4, Chinese, embedded font) and
//! the workbook, rendered from the round as stored (`lianzhang-publicity`). Any signed-in user may
//! download it: it is the list the county publishes.

use super::load;
use crate::auth::Session;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use lianzhang_publicity::{Issuing, PublicList, from_round};
use std::sync::Arc;

/// The public list of round `id`, or 404 before it is published.
pub(crate) async fn public_list(state: &AppState, id: i64) -> Result<PublicList, WebError> {
    let r = load(state, id).await?;
    let v = &state.policy.vocabulary;
    let chain_name = |code: &str| v.chain(code).map(|c| v.chain_info(c).name.clone());
    let meta = &state.policy.meta;
    let issuing = Issuing {
        policy_title: &meta.title,
        policy_document: &meta.document,
        issuer: &meta.issuer,
        objection_to: &r.header.objection_to,
        working_days: r.header.publicity_days,
        chain_name: &chain_name,
    };
    from_round(&r.round, r.events.iter().map(|e| &e.event), &issuing)
        .ok_or_else(|| WebError::NotFound(format!("第 {id} 号兑现批次的公示名单（批次尚未公示）")))
}

pub(crate) fn download(bytes: Vec<u8>, mime: &'static str, ascii: &str, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::pages::urlencode(name));
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// `GET /rounds/{id}/publicity.pdf`
pub async fn pdf(State(state): State<Arc<AppState>>, _: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    let list = public_list(&state, id).await?;
    let bytes = tokio::task::spawn_blocking(move || lianzhang_publicity::pdf(&list))
        .await
        .map_err(|_| WebError::Internal("生成公示 PDF 失败"))?
        .map_err(|e| WebError::Invalid(e.to_string()))?;
    Ok(download(bytes, "application/pdf", "publicity.pdf", &format!("第{id}号兑现批次公示名单.pdf")))
}

/// `GET /rounds/{id}/publicity.xlsx`
pub async fn xlsx(State(state): State<Arc<AppState>>, _: Session, Path(id): Path<i64>) -> Result<Response, WebError> {
    let list = public_list(&state, id).await?;
    let bytes = lianzhang_publicity::xlsx(&list).map_err(|e| WebError::Invalid(e.to_string()))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "publicity.xlsx",
        &format!("第{id}号兑现批次公示名单.xlsx"),
    ))
}

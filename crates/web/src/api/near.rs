//! 潜在可享 in the API: `GET /api/v1/near?year=&kind=&chain=` lists the enterprises one step from
//! an award in the caller's scope (amounts as yuan strings), each with its explanation and the
//! services noted; `POST /api/v1/near/services` notes a service
//! (`{"uscc", "year", "kind", "rule", "project_id", "date", "note"}`).

use super::{ApiError, Caller};
use crate::near::{Filter, lines, nearness_zh, resolve};
use crate::{AppState, WebError};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lianzhang_store::{NewService, StoreError};
use serde_json::json;
use std::sync::Arc;

/// `GET /api/v1/near`
pub async fn list(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    query: Result<Query<Filter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(f) = query.map_err(|e| super::query_refused(&e))?;
    let r = resolve(&state, &f).await?;
    let items = lines(&state, &user, &r).await?;
    Ok(Json(
        json!({"year": r.year, "nearness": nearness_zh(&state.policy_for(r.year).1), "total": items.len(), "items": items}),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceBody {
    uscc: String,
    year: i32,
    kind: String,
    rule: String,
    #[serde(default)]
    project_id: String,
    date: String,
    note: String,
}

/// `POST /api/v1/near/services`: 201 with the note; 409 when refused (empty note, future date).
pub async fn add_service(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    body: Result<Json<ServiceBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body.map_err(|_| {
        WebError::Invalid(
            "请求体应为 JSON：{\"uscc\", \"year\", \"kind\", \"rule\", \"project_id\", \"date\": \"YYYY-MM-DD\", \"note\"}".into(),
        )
    })?;
    let record = crate::pages::load_in_scope(&state, &user, &b.uscc).await?;
    let uscc = record.get(0).enterprise.uscc.as_str().to_string();
    let date = crate::rounds::date_of("服务日期 date", &b.date).map_err(WebError::Invalid)?;
    crate::near::check_line(&state, b.year, &b.kind, &b.rule, date).map_err(WebError::Invalid)?;
    let new =
        NewService { uscc, year: b.year, kind: b.kind, rule: b.rule, project_id: b.project_id, date, note: b.note };
    match state.store.add_near_service(&new, &user.username, crate::format::beijing_today()).await {
        Ok(s) => Ok((StatusCode::CREATED, Json(s)).into_response()),
        Err(StoreError::Refused(why)) => Err(ApiError::conflict(why)),
        Err(e) => Err(e.into()),
    }
}

//! The sandbox in the API: `GET /api/v1/sandbox?from=&to=&set=KEY=VALUE…[&scenario=ID]` answers
//! a question as the page does (amounts as yuan strings, every changed enterprise in the caller's
//! scope up to `limit`, 200 by default); `GET /api/v1/scenarios` lists the saved scenarios and
//! `POST /api/v1/scenarios` saves one (`{"name", "note", "set": [...], "from", "to"}`).
//! A scenario with problems is refused with 422 and every problem in `problems`.

use super::{ApiError, Caller};
use crate::sandbox::{self, Question, resolve};
use crate::{AppState, WebError};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lianzhang_store::{NewScenario, StoreError};
use serde_json::json;
use std::sync::Arc;

fn problems(p: Vec<String>) -> Response {
    let message = format!("方案有误，未试算：{}", p.join("；"));
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": {"status": 422, "message": message, "problems": p}})))
        .into_response()
}

/// `GET /api/v1/sandbox`
pub async fn ask(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let limit = match pairs.iter().find(|(k, _)| k == "limit") {
        Some((_, v)) => v.parse::<usize>().map_err(|_| WebError::Invalid(format!("limit 应为非负整数，收到“{v}”")))?,
        None => 200,
    };
    let q = Question::parse(pairs.into_iter().filter(|(k, _)| !k.starts_with("p.")).collect())?;
    let resolved = resolve(&state, &q).await?;
    let plan = match sandbox::plan(&state, &resolved.overrides, resolved.years()) {
        Ok(s) => s,
        Err(p) => return Ok(problems(p)),
    };
    let a = sandbox::answer(&state, &user, plan, limit).await?;
    Ok(Json(json!({
        "policy": state.policy.meta.id,
        "policy_hash": lianzhang_store::policy_hash(state.policy_for(resolved.from).0.text()),
        "scenario": resolved.scenario.as_ref().map(|s| s.id),
        "set": resolved.overrides,
        "from": resolved.from,
        "to": resolved.to,
        "revision": a.revision,
        "base_total": a.base_total(),
        "scenario_total": a.scenario_total(),
        "change": a.delta(),
        "years": a.years,
    }))
    .into_response())
}

/// `GET /api/v1/scenarios`
pub async fn list(State(state): State<Arc<AppState>>, Caller(_): Caller) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(json!({"items": state.store.scenarios().await?})))
}

#[derive(serde::Deserialize)]
pub struct SaveBody {
    name: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    set: Vec<String>,
    from: Option<i32>,
    to: Option<i32>,
}

/// `POST /api/v1/scenarios`: 201 with the saved scenario; 409 for a taken name or no change.
pub async fn save(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    body: Result<Json<SaveBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(b) = body.map_err(|_| {
        WebError::Invalid("请求体应为 JSON：{\"name\": 名称, \"note\": 说明, \"set\": [\"规则.参数=值\"], \"from\": 年度, \"to\": 年度}".into())
    })?;
    let q = Question { from: b.from, to: b.to, set: b.set, ..Default::default() };
    let resolved = resolve(&state, &q).await?;
    if let Err(p) = sandbox::plan(&state, &resolved.overrides, resolved.years()) {
        return Ok(problems(p));
    }
    let new = NewScenario {
        name: b.name,
        policy_hash: lianzhang_store::policy_hash(state.policy_for(resolved.from).0.text()),
        overrides: resolved.overrides,
        year_from: resolved.from,
        year_to: resolved.to,
        note: b.note,
    };
    match state.store.save_scenario(&new, &user.username).await {
        Ok(s) => Ok((StatusCode::CREATED, Json(s)).into_response()),
        Err(StoreError::Refused(why)) => Err(ApiError::conflict(why)),
        Err(e) => Err(e.into()),
    }
}

//! `GET /api/v1/policy`: the policy in force as the policy page shows it (every role may read it).

use super::{ApiError, Caller};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use std::sync::Arc;

pub async fn show(
    State(state): State<Arc<AppState>>,
    Caller(_): Caller,
) -> Result<Json<crate::policy::PolicyView>, ApiError> {
    let (file, policy, _) = crate::policy::current(&state, None).await?;
    Ok(Json(crate::policy::view(&policy, &file)))
}

/// `GET /api/v1/policy/versions`: every version, the years each is in force (`to` null for the
/// last, open-ended), who adopted it and when.
pub async fn versions(
    State(state): State<Arc<AppState>>,
    Caller(_): Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let vs = state.versions();
    let latest = state.store.latest_year().await?.unwrap_or(state.policy.meta.effective_from);
    let first = state.policy.meta.effective_from.min(latest);
    let runs = vs.years_in_force(first, latest);
    let items: Vec<serde_json::Value> = vs
        .all()
        .map(|v| {
            let years: Vec<serde_json::Value> = runs
                .iter()
                .filter(|(w, _, _)| std::ptr::eq(*w, v))
                // `to` null: in force until another version is adopted.
                .map(|(_, a, b)| serde_json::json!({"from": a, "to": b}))
                .collect();
            serde_json::json!({
                "id": v.adoption.as_ref().map_or(0, |a| a.id),
                "label": v.label(),
                "hash": v.hash,
                "policy_id": v.policy.meta.id,
                "title": v.policy.meta.title,
                "from_year": v.from_year,
                "in_force": years,
                "adoption": v.adoption,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"items": items})))
}

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
    Ok(Json(crate::policy::view(&state.policy, &state.file)))
}

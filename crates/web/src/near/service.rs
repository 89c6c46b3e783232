//! `POST /near/services`: a task force (its chain's enterprises), the bureau, an administrator or
//! a liaison leader (its enterprises) notes a service given to an enterprise on the list. A
//! refused note shows the list again with the reason; a saved one returns to the list.

use super::{Filter, render};
use crate::auth::{Session, check_csrf};
use crate::{AppState, WebError};
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_store::{NewService, StoreError};
use std::sync::Arc;

#[derive(serde::Deserialize)]
pub struct ServiceForm {
    csrf: String,
    uscc: String,
    year: i32,
    kind: String,
    rule: String,
    #[serde(default)]
    project_id: String,
    date: String,
    note: String,
    /// The list's filters, to return to.
    #[serde(default)]
    back_kind: String,
    #[serde(default)]
    back_chain: String,
}

pub async fn add(
    State(state): State<Arc<AppState>>,
    session: Session,
    Form(f): Form<ServiceForm>,
) -> Result<Response, WebError> {
    check_csrf(&session, &f.csrf)?;
    // In scope (finance: refused), as for opening the enterprise's record; the USCC as stored.
    let record = crate::pages::load_in_scope(&state, &session.user, &f.uscc).await?;
    let uscc = record.get(0).enterprise.uscc.as_str().to_string();
    let back =
        Filter { year: Some(f.year.to_string()), kind: Some(f.back_kind.clone()), chain: Some(f.back_chain.clone()) };
    let date = match crate::rounds::date_of("服务日期", &f.date) {
        Ok(d) => d,
        Err(why) => return Ok(render(&state, session, back, Some(why)).await?.into_response()),
    };
    if let Err(why) = super::check_line(&state, f.year, &f.kind, &f.rule, date) {
        return Ok(render(&state, session, back, Some(why)).await?.into_response());
    }
    let new = NewService {
        uscc: uscc.clone(),
        year: f.year,
        kind: f.kind,
        rule: f.rule,
        project_id: f.project_id,
        date,
        note: f.note,
    };
    match state.store.add_near_service(&new, &session.user.username, crate::format::beijing_today()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/near?year={}&kind={}&chain={}#line-{}",
            f.year,
            crate::pages::urlencode(&f.back_kind),
            crate::pages::urlencode(&f.back_chain),
            uscc
        ))
        .into_response()),
        Err(StoreError::Refused(why)) => Ok(render(&state, session, back, Some(why)).await?.into_response()),
        Err(e) => Err(e.into()),
    }
}

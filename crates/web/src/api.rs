//! The JSON API under `/api/v1`: the same data and the same scope rules as the pages, bearer
//! tokens for machine clients, errors as JSON with their status codes (401, 403, 404, 422).

use crate::auth::ApiUser;
use crate::pages::{ListQuery, latest_year, load_in_scope, outcomes_by_year};
use crate::scope::Scope;
use crate::{AppState, WebError};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use lianzhang_facts::{ExtraAt, ExtraPlace};
use serde_json::{Value, json};
use std::sync::Arc;

pub(crate) mod near;
pub(crate) mod policy;
pub(crate) mod rounds;
pub(crate) mod sandbox;

/// A [`WebError`] rendered as JSON, with its own status when the API says more than the page
/// would (409 for a workflow refusal, see [`ApiError::conflict`]).
pub struct ApiError(WebError, Option<axum::http::StatusCode>);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into(), None)
    }
}

impl ApiError {
    /// 409: the request was well formed but the round's workflow (or the ledger) refused it, with
    /// its Chinese sentence; nothing was changed.
    pub(crate) fn conflict(why: String) -> ApiError {
        ApiError(WebError::Invalid(why), Some(axum::http::StatusCode::CONFLICT))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.1.unwrap_or_else(|| match &self.0 {
            WebError::LoginRequired => axum::http::StatusCode::UNAUTHORIZED,
            e => e.status(),
        });
        if let WebError::Store(e) = &self.0
            && status == axum::http::StatusCode::INTERNAL_SERVER_ERROR
        {
            tracing::error!(error = %e, "api request failed");
        }
        (status, Json(json!({"error": {"status": status.as_u16(), "message": self.0.shown()}}))).into_response()
    }
}

/// Any other path under `/api`: a JSON 404 like every API error.
pub async fn no_such_endpoint(uri: axum::http::Uri) -> ApiError {
    ApiError(WebError::NotFound(format!("接口 {}", uri.path())), None)
}

/// The API caller, with API-shaped rejections.
pub struct Caller(pub(crate) lianzhang_store::User);

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        Ok(Caller(ApiUser::from_request_parts(parts, state).await?.0))
    }
}

/// Fen as a FACTS.md yuan string with two places (`"30000000.00"`), or null when unknown.
pub(crate) fn yuan_of_fen(fen: Option<i64>) -> Value {
    fen.map_or(Value::Null, |f| json!(lianzhang_facts::Fen(f).to_yuan().to_string()))
}

/// A query string that does not parse (a year that is not a number, a page below 1): a Chinese
/// sentence; the parser's own words go to the log.
pub(crate) fn query_refused(e: &QueryRejection) -> WebError {
    tracing::info!(error = %e, "query refused");
    WebError::Invalid(
        "查询参数无效：年度 year 应为 1949 至 2100 之间的四位数字，页码 page 应为正整数，请检查链接中 ? 之后的部分"
            .into(),
    )
}

/// `GET /api/v1/enterprises?q=&chain=&stage=&town=&above_scale=&year=&sort=&page=`
pub async fn enterprises(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(|e| query_refused(&e))?;
    let scope = Scope::of(&user);
    scope.enterprises()?;
    let filter = query.filter(latest_year(&state).await?, &scope)?;
    let (rows, total) = state.store.search_enterprises(&filter).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "uscc": r.uscc, "name": r.name, "chain": r.chain, "stage": r.stage, "town": r.town,
                "revenue": yuan_of_fen(r.revenue), "above_scale": r.above_scale,
            })
        })
        .collect();
    Ok(Json(json!({
        "year": filter.year, "page": filter.page, "per_page": filter.per_page, "total": total, "items": items,
    })))
}

/// `GET /api/v1/enterprises/{uscc}`: the profile, yearly facts, recognitions, projects and each
/// year's outcomes.
pub async fn enterprise(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    Path(uscc): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = load_in_scope(&state, &user, &uscc).await?;
    let p = &state.policy;
    let v = &p.vocabulary;
    let f = record.get(0);
    let e = f.enterprise;
    let money = |x: Option<lianzhang_facts::Fen>| yuan_of_fen(x.map(|f| f.0));
    let chain = e.chain.map(|c| v.chain_info(c));
    let annual: Vec<Value> = f
        .annual
        .iter()
        .map(|r| {
            let mut row = json!({
                "year": r.year, "revenue": money(r.revenue), "above_scale": r.above_scale,
                "chain_master": r.chain_master, "local_procurement": money(r.local_procurement),
                "total_procurement": money(r.total_procurement), "rd_expense": money(r.rd_expense),
            });
            // The facts the policy declares beyond FACTS.md, under their codes.
            let declared = crate::declared::json_of(v, &f, ExtraPlace::Yearly, &ExtraAt::Year(r.year));
            row.as_object_mut().expect("an object").extend(declared);
            row
        })
        .collect();
    let (paid, confirmations) = state.store.paid_and_confirmations().await?;
    let outcomes: Vec<Value> = outcomes_by_year(&state.versions(), f, &paid, &confirmations)
        .into_iter()
        .map(|(year, status, r)| {
            json!({
                "year": year, "rule": r.rule, "clause": r.clause, "status": status.code(),
                "amount": r.amount.map(|a| a.to_string()), "project_id": r.project_id,
                "explanation": r.explanation,
            })
        })
        .collect();
    let projects: Vec<Value> = f
        .projects
        .iter()
        .map(|pr| {
            let mut p = json!({
                "project_id": pr.project_id, "name": pr.name,
                "category": pr.category.map(|c| v.category_info(c).code.clone()),
                "fixed_asset_investment": money(pr.fixed_asset_investment),
                "start_year": pr.start_year, "completed_year": pr.completed_year,
            });
            let at = ExtraAt::Project(pr.project_id.clone());
            p.as_object_mut().expect("an object").extend(crate::declared::json_of(v, &f, ExtraPlace::Project, &at));
            p
        })
        .collect();
    let mut body = json!({
        "uscc": e.uscc.as_str(), "name": e.name,
        "chain": chain.map(|c| c.code.clone()), "stage": chain.zip(e.stage).map(|(c, s)| c.stages[s as usize].clone()),
        "town": e.town, "industry_code": e.industry_code, "strategic_emerging": e.strategic_emerging,
        "established": e.established.map(|d| d.to_string()), "chain_joined_year": e.chain_joined_year,
        "annual": annual,
        "recognitions": f.recognitions.iter().map(|r| json!({"kind": v.kind_info(r.kind).code, "year": r.year})).collect::<Vec<_>>(),
        "projects": projects,
        "outcomes": outcomes,
    });
    let own = crate::declared::json_of(v, &f, ExtraPlace::Enterprise, &ExtraAt::Enterprise);
    body.as_object_mut().expect("an object").extend(own);
    Ok(Json(body))
}

/// `GET /api/openapi.json`
pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], include_str!("openapi.json")).into_response()
}

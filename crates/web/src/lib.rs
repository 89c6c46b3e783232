//! The web application: server-rendered Chinese pages and a JSON API over the registry.
//! Every page and API call resolves the signed-in user's data scope on the server
//! ([`scope::Scope`]); nothing is hidden only in the UI.

mod admin;
mod api;
pub mod auth;
mod chains;
mod charts;
mod dashboard;
mod edit;
mod findings;
mod format;
mod import;
mod pages;
mod scope;
mod snapshot;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lianzhang_policy::Policy;
use lianzhang_store::{Store, StoreError};
use std::sync::Arc;

pub use snapshot::Snapshot;

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub policy: Arc<Policy>,
    snapshot: snapshot::Cache,
    staged: import::Staged,
}

impl AppState {
    pub fn new(store: Store, policy: Policy) -> Arc<AppState> {
        Arc::new(AppState {
            store,
            policy: Arc::new(policy),
            snapshot: snapshot::Cache::default(),
            staged: import::Staged::default(),
        })
    }
}

/// All routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/chains", get(chains::chains))
        .route("/chains/{code}", get(chains::chain))
        .route("/enterprises", get(pages::enterprises))
        .route("/enterprises/{uscc}", get(pages::enterprise))
        .route("/enterprises/{uscc}/edit", get(edit::edit_form).post(edit::edit_save))
        .route("/enterprises/{uscc}/confirm", post(findings::confirm))
        .route("/import", get(import::form).post(import::upload))
        .route("/import/confirm", post(import::confirm))
        .route("/import/template.xlsx", get(import::template))
        .route("/export.xlsx", get(import::export))
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{username}", post(admin::change_user))
        .route("/admin/audit", get(admin::audit))
        .route("/assets/style.css", get(style))
        .route("/assets/app.js", get(script))
        .route("/assets/fonts/lianzhang-sans-sc.woff2", get(font))
        .route("/assets/fonts/OFL.txt", get(font_licence))
        .route("/api/v1/enterprises", get(api::enterprises))
        .route("/api/v1/enterprises/{uscc}", get(api::enterprise))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/{*rest}", axum::routing::any(api::no_such_endpoint))
        .fallback(no_such_page)
        .with_state(state)
}

async fn no_such_page() -> WebError {
    WebError::NotFound("页面".into())
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../assets/style.css")).into_response()
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../assets/app.js")).into_response()
}

/// The CJK web font (a subset of Noto Sans CJK SC, see `scripts/make-font.sh`): pages look the
/// same on every desk, even one with no Chinese system font. Cached for a day.
async fn font() -> Response {
    (
        [(header::CONTENT_TYPE, "font/woff2"), (header::CACHE_CONTROL, "public, max-age=86400")],
        &include_bytes!("../assets/fonts/lianzhang-sans-sc.woff2")[..],
    )
        .into_response()
}

async fn font_licence() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], include_str!("../assets/fonts/OFL.txt")).into_response()
}

/// Serves until the process is stopped.
pub async fn serve(state: Arc<AppState>, bind: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, router(state)).await
}

/// Why a page request failed, rendered as a Chinese page (the API renders JSON, see `api`).
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("请先登录")]
    LoginRequired,
    #[error("未认证")]
    Unauthorized,
    #[error("无权访问")]
    Forbidden,
    #[error("表单已失效（缺少或错误的 CSRF 令牌），请返回刷新后重试")]
    Csrf,
    #[error("未找到：{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::LoginRequired | WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self, WebError::LoginRequired) {
            return Redirect::to("/login").into_response();
        }
        if let WebError::Store(e) = &self {
            tracing::error!(error = %e, "request failed");
        }
        let page = pages::ErrorPage { status: self.status().as_u16(), message: self.to_string() };
        (self.status(), Html(askama::Template::render(&page).unwrap_or_default())).into_response()
    }
}

//! The web application: server-rendered Chinese pages and a JSON API over the registry.
//! Every page and API call resolves the signed-in user's data scope on the server
//! ([`scope::Scope`]); nothing is hidden only in the UI.

mod admin;
mod api;
pub mod auth;
mod chains;
mod charts;
mod dashboard;
mod declared;
mod door;
mod edit;
mod findings;
mod format;
mod home;
mod import;
mod near;
mod pages;
mod payouts;
mod policy;
mod rounds;
mod sandbox;
mod scope;
mod server;
mod snapshot;
mod versions;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_store::{Store, StoreError};
use std::sync::Arc;

pub use server::{
    BindError, DEFAULT_MAX_UPLOAD_BYTES, ServeLimits, bind, connection_cap, raise_open_file_limit, serve_on, size_zh,
};
pub use snapshot::Snapshot;

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    /// The policy file as adopted (its text is what a new award round is pinned to).
    pub file: Arc<PolicyFile>,
    pub policy: Arc<Policy>,
    /// The server's limits (time, connections, body sizes).
    pub limits: ServeLimits,
    snapshot: snapshot::Cache,
    /// The registry's facts in memory, shared by the snapshot and the sandbox.
    inputs: snapshot::Inputs,
    staged: import::Staged,
    /// The award rounds' lines, indexed per round state and scope.
    round_indexes: rounds::Indexes,
    /// The policy versions in force year by year ([`AppState::load_versions`]).
    versions: std::sync::RwLock<Arc<versions::Versions>>,
}

impl AppState {
    /// The state with the default [`ServeLimits`].
    pub fn new(store: Store, file: PolicyFile, policy: Policy) -> Arc<AppState> {
        AppState::with_limits(store, file, policy, ServeLimits::default())
    }

    /// `policy` is `file` compiled.
    /// Until [`AppState::load_versions`] reads the registry's adoptions, `file` is in force for
    /// every year.
    pub fn with_limits(store: Store, file: PolicyFile, policy: Policy, limits: ServeLimits) -> Arc<AppState> {
        let (file, policy) = (Arc::new(file), Arc::new(policy));
        Arc::new(AppState {
            store,
            versions: std::sync::RwLock::new(Arc::new(versions::Versions::started(file.clone(), policy.clone()))),
            file,
            policy,
            limits,
            snapshot: snapshot::Cache::default(),
            inputs: snapshot::Inputs::default(),
            staged: import::Staged::default(),
            round_indexes: rounds::Indexes::default(),
        })
    }
}

/// All routes. Every request body is limited: the upload to [`ServeLimits::max_upload_bytes`]
/// (plus room for the form around the file), every other to [`ServeLimits::form_body_bytes`];
/// every request to its time limit (see [`server::time_limit`]).
pub fn router(state: Arc<AppState>) -> Router {
    let upload_body = usize::try_from(state.limits.max_upload_bytes).unwrap_or(usize::MAX).saturating_add(1 << 20);
    Router::new()
        .route("/", get(|| async { Redirect::to("/home") }))
        .route("/home", get(home::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/chains", get(chains::chains))
        .route("/chains/{code}", get(chains::chain))
        .route("/policy", get(policy::page))
        .route("/enterprises", get(pages::enterprises))
        .route("/enterprises/{uscc}", get(pages::enterprise))
        .route("/enterprises/{uscc}/edit", get(edit::edit_form).post(edit::edit_save))
        .route("/enterprises/{uscc}/confirm", post(findings::confirm))
        .route(
            server::UPLOAD_PATH,
            get(import::form).post(import::upload).layer(axum::extract::DefaultBodyLimit::max(upload_body)),
        )
        .route("/import/confirm", post(import::confirm))
        .route("/import/template.xlsx", get(import::template))
        .route("/export.xlsx", get(import::export))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{username}", post(admin::change_user))
        .route("/admin/audit", get(admin::audit))
        .merge(rounds::routes(upload_body))
        .merge(sandbox::routes())
        .merge(near::routes())
        .merge(versions::routes(upload_body))
        .route("/assets/style.css", get(style))
        .route("/assets/app.js", get(script))
        .route("/assets/fonts/lianzhang-sans-sc.woff2", get(font))
        .route("/assets/fonts/OFL.txt", get(font_licence))
        .route("/api/v1/enterprises", get(api::enterprises))
        .route("/api/v1/enterprises/{uscc}", get(api::enterprise))
        // rounds API
        .route("/api/v1/policy", get(api::policy::show))
        .route("/api/v1/policy/versions", get(api::policy::versions))
        .route("/api/v1/sandbox", get(api::sandbox::ask))
        .route("/api/v1/near", get(api::near::list))
        .route("/api/v1/near/services", axum::routing::post(api::near::add_service))
        .route("/api/v1/scenarios", get(api::sandbox::list).post(api::sandbox::save))
        .route("/api/v1/rounds", get(api::rounds::list).post(api::rounds::create))
        .route("/api/v1/rounds/{id}", get(api::rounds::show))
        .route("/api/v1/rounds/{id}/lines", get(api::rounds::lines))
        .route("/api/v1/rounds/{id}/events", get(api::rounds::events))
        .route("/api/v1/rounds/{id}/refresh", post(api::rounds::refresh))
        .route("/api/v1/rounds/{id}/decisions", post(api::rounds::decide))
        .route("/api/v1/rounds/{id}/confirmations", post(api::rounds::confirm))
        .route("/api/v1/rounds/{id}/credit-check", post(api::rounds::credit_check))
        .route("/api/v1/rounds/{id}/credit-clearances", post(api::rounds::credit_clear))
        .route("/api/v1/rounds/{id}/approvals", post(api::rounds::approve))
        .route("/api/v1/rounds/{id}/publish", post(api::rounds::publish))
        .route("/api/v1/rounds/{id}/objections", post(api::rounds::object))
        .route("/api/v1/rounds/{id}/objections/{n}/resolve", post(api::rounds::resolve))
        .route("/api/v1/rounds/{id}/finalise", post(api::rounds::finalise))
        .route("/api/v1/rounds/{id}/payments", post(api::rounds::pay))
        .route("/api/v1/rounds/{id}/payments/{entry}/reversal", post(api::rounds::reverse))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/{*rest}", axum::routing::any(api::no_such_endpoint))
        .fallback(no_such_page)
        .layer(axum::extract::DefaultBodyLimit::max(state.limits.form_body_bytes))
        .layer(axum::middleware::from_fn_with_state(state.clone(), server::time_limit))
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

/// Binds `addr` and serves until the process is stopped (see [`serve_on`] to bind first).
pub async fn serve(state: Arc<AppState>, addr: &str) -> std::io::Result<()> {
    let listener = bind(addr).await.map_err(std::io::Error::other)?;
    serve_on(state, listener).await
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
    /// The request body is over a limit (the sentence names the limit).
    #[error("{0}")]
    TooLarge(String),
    /// The server failed on its side (disk, temporary folder); the detail is in the log.
    #[error("{0}")]
    Internal(&'static str),
    /// The request was not done within its time limit (seconds).
    #[error("请求超时：{0} 秒内未完成（网络过慢或请求不完整），请重试")]
    Timeout(u64),
    /// An upload's body paused longer than [`ServeLimits::body_idle_timeout`] (seconds).
    #[error("上传中断超过 {0} 秒，连接已关闭，未导入任何数据；请重新上传")]
    Stalled(u64),
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
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Timeout(_) | WebError::Stalled(_) => StatusCode::REQUEST_TIMEOUT,
            // The store's own "not found" and refusals are the request's, not the server's.
            WebError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::Refused(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl WebError {
    /// The sentence as a person reads it: control, bidi and invisible characters escaped
    /// (`\u{202E}`), so no value from a path, query or form is ever echoed raw.
    pub fn shown(&self) -> String {
        lianzhang_facts::typed::escaped(&self.to_string()).into_owned()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self, WebError::LoginRequired) {
            return Redirect::to("/login").into_response();
        }
        if let WebError::Store(e) = &self
            && self.status() == StatusCode::INTERNAL_SERVER_ERROR
        {
            tracing::error!(error = %e, "request failed");
        }
        let page = pages::ErrorPage { status: self.status().as_u16(), message: self.shown() };
        (self.status(), Html(askama::Template::render(&page).unwrap_or_default())).into_response()
    }
}

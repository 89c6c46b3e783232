//! The HTTP server: our own accept loop over hyper, so that no connection can hold the server
//! without a login. A connection that sends half a request header is closed after
//! [`ServeLimits::header_timeout`]; an ordinary request (header, body and answer) must be done in
//! [`ServeLimits::request_timeout`], an upload in [`ServeLimits::upload_timeout`] with at most
//! [`ServeLimits::body_idle_timeout`] between two pieces of its body (and no answer waits longer
//! than that for its client to read it); at most
//! [`ServeLimits::max_connections`] connections are served at once (the others wait in the
//! kernel's queue, costing no descriptor); and the process's soft limit of open files is raised
//! to its hard limit at start ([`raise_open_file_limit`]).

use crate::{AppState, WebError, router};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use lianzhang_facts::Limits;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The upload route of the registry's data (see [`ServeLimits::max_upload_bytes`]).
pub(crate) const UPLOAD_PATH: &str = "/import";

/// Whether `path` takes a file upload (a long body within [`ServeLimits::max_upload_bytes`]):
/// the import, a 失信名单 file, a bank receipt (`/rounds/{id}/receipt`).
pub(crate) fn is_upload(path: &str) -> bool {
    path == UPLOAD_PATH
        || path == "/rounds/credit-lists/file"
        || path
            .strip_prefix("/rounds/")
            .and_then(|p| p.strip_suffix("/receipt"))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// The most a request header may take, in bytes (its cookies included): 64 KiB.
pub const MAX_HEADER_BYTES: usize = 64 << 10;

/// The requests given [`ServeLimits::upload_timeout`]: an upload, its confirmation (one
/// transaction over the whole file) and the workbooks made from the whole registry.
const LONG_PATHS: [&str; 4] = [UPLOAD_PATH, "/import/confirm", "/export.xlsx", "/import/template.xlsx"];

/// The server's limits. Each has a default (below) and a `lianzhang serve` flag / environment
/// variable (README, "服务限制").
#[derive(Debug, Clone)]
pub struct ServeLimits {
    /// Time for a client to send a whole request header, counted from when the server starts
    /// waiting for it (also the most an idle kept-alive connection stays open). Default 10 s.
    pub header_timeout: Duration,
    /// Time for an ordinary request: its body read, its page made and answered. Default 60 s.
    /// Past it the answer is 408 and the connection is closed.
    pub request_timeout: Duration,
    /// Time for an upload (`/import`: its whole body read, read as a dataset and the diff made),
    /// its confirmation (`/import/confirm`) and the workbook downloads (`/export.xlsx`,
    /// `/import/template.xlsx`). Default 15 min.
    pub upload_timeout: Duration,
    /// The longest pause between two pieces of an upload's body, and the longest a client may
    /// leave an answer unread (a slow reader holds no connection for ever). Default 30 s.
    pub body_idle_timeout: Duration,
    /// Connections served at once. Default 1024 (lowered at start to what the open-file limit
    /// allows, see [`connection_cap`]).
    pub max_connections: usize,
    /// The largest file an upload may carry, in bytes. Default [`DEFAULT_MAX_UPLOAD_BYTES`].
    pub max_upload_bytes: u64,
    /// The largest body of a form post or any other request but the upload, in bytes.
    /// Default 1 MiB.
    pub form_body_bytes: usize,
    /// What reading an uploaded file may cost (the readers' limits: inflated size, record,
    /// sheet grid), the same as the CLI's; [`Limits::from_env`] at `lianzhang serve`.
    pub read: Limits,
}

/// The default upload limit: the readers' default file limit (200 MiB).
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = Limits::DEFAULT_MAX_FILE_BYTES;

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            upload_timeout: Duration::from_secs(15 * 60),
            body_idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            form_body_bytes: 1 << 20,
            read: Limits::default(),
        }
    }
}

/// A byte count as a clerk reads it: `256 MB`, `1.5 MB`, `800 KB`.
pub fn size_zh(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        let mb = bytes as f64 / f64::from(1u32 << 20);
        if mb.fract() == 0.0 { format!("{mb:.0} MB") } else { format!("{mb:.1} MB") }
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Why the server could not listen, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("地址 {0} 已被占用（另一个程序已在监听该端口）：请用 --bind 换一个端口，或先停止占用它的程序")]
    InUse(String),
    #[error("无权监听地址 {0}（1024 以下的端口需要管理员权限）：请用 --bind 换一个 1024 以上的端口")]
    NotAllowed(String),
    #[error("本机没有地址 {0}：请用 --bind 指定本机的地址，如 127.0.0.1:8080 或 0.0.0.0:8080")]
    NotHere(String),
    #[error("--bind 的地址 {0} 无效：应为 主机:端口，如 127.0.0.1:8080")]
    Invalid(String),
    #[error("无法监听地址 {addr}（系统错误 {code}）")]
    Other { addr: String, code: String },
}

/// Binds the listening socket, before anything announces the server has started.
pub async fn bind(addr: &str) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr).await.map_err(|e| {
        tracing::debug!(error = %e, addr, "bind failed");
        let addr = addr.to_string();
        match e.kind() {
            std::io::ErrorKind::AddrInUse => BindError::InUse(addr),
            std::io::ErrorKind::PermissionDenied => BindError::NotAllowed(addr),
            std::io::ErrorKind::AddrNotAvailable => BindError::NotHere(addr),
            std::io::ErrorKind::InvalidInput => BindError::Invalid(addr),
            _ if e.raw_os_error().is_none() => BindError::Invalid(addr),
            _ => BindError::Other { addr, code: e.raw_os_error().map_or_else(|| "?".into(), |c| c.to_string()) },
        }
    })
}

/// Raises the process's soft limit of open files (RLIMIT_NOFILE) to its hard limit; returns the
/// soft limit in force afterwards (None where it is unlimited or cannot be read).
pub fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.maximum != limit.current {
        let raised = rustix::process::Rlimit { current: limit.maximum, maximum: limit.maximum };
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!(error = %e, "could not raise the open-file limit");
        }
    }
    getrlimit(Resource::Nofile).current
}

/// Connections that fit under an open-file limit: `wanted`, or the limit less 64 descriptors
/// kept for the database, files and the listener (at least 16).
pub fn connection_cap(wanted: usize, open_files: Option<u64>) -> usize {
    match open_files {
        Some(n) => wanted.min((n.saturating_sub(64) as usize).max(16)),
        None => wanted,
    }
}

/// Serves on `listener` until the process is stopped, with the limits of `state`.
pub async fn serve_on(state: Arc<AppState>, listener: TcpListener) -> std::io::Result<()> {
    let limits = state.limits.clone();
    let app = router(state);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    // A request header is at most 64 KiB (hyper's default lets it grow to ~400 KB), else 431.
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_header_size(MAX_HEADER_BYTES);
    loop {
        // A slot first: past the cap, connections wait in the kernel's queue.
        let slot = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors and the like: wait a moment rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let stream = StallGuard { inner: stream, limit: limits.body_idle_timeout, stalled: None };
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
            drop(slot);
        });
    }
}

/// A connection whose writes may not wait longer than `limit` for the client to read: a client
/// that stops reading an answer (a large export) is cut off instead of holding its connection.
struct StallGuard {
    inner: tokio::net::TcpStream,
    limit: Duration,
    /// Since when the client has not taken what the server writes.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StallGuard {
    /// A write that made progress (or failed) ends the stall; one that waits starts or continues it.
    fn guard<T>(&mut self, cx: &mut Context<'_>, done: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        if done.is_ready() {
            self.stalled = None;
            return done;
        }
        let limit = self.limit;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => {
                Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the client stopped reading")))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for StallGuard {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for StallGuard {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let me = self.get_mut();
        let done = Pin::new(&mut me.inner).poll_write(cx, buf);
        me.guard(cx, done)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let me = self.get_mut();
        let done = Pin::new(&mut me.inner).poll_write_vectored(cx, bufs);
        me.guard(cx, done)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let me = self.get_mut();
        let done = Pin::new(&mut me.inner).poll_flush(cx);
        me.guard(cx, done)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The whole-request time limit (middleware): [`ServeLimits::upload_timeout`] for an upload and
/// the other long requests ([`LONG_PATHS`]),
/// [`ServeLimits::request_timeout`] for the rest. Past it: 408 with a Chinese page; hyper then
/// closes the connection (the body was not read to its end).
pub(crate) async fn time_limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let upload = LONG_PATHS.contains(&request.uri().path()) || is_upload(request.uri().path());
    let api = request.uri().path().starts_with("/api/");
    if let Some(refused) = declared_too_large(&request, &state.limits) {
        let mut response =
            if api { crate::api::ApiError::from(refused).into_response() } else { refused.into_response() };
        closing(&mut response);
        return response;
    }
    let limit = if upload { state.limits.upload_timeout } else { state.limits.request_timeout };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => {
            let mut response = chinese_rejection(response, api, &state.limits);
            // A refused or timed-out body was not read to its end: the connection is done.
            let status = response.status();
            if status == axum::http::StatusCode::REQUEST_TIMEOUT || status == axum::http::StatusCode::PAYLOAD_TOO_LARGE
            {
                closing(&mut response);
            }
            response
        }
        Err(_) => {
            let late = WebError::Timeout(limit.as_secs());
            let mut response =
                if api { crate::api::ApiError::from(late).into_response() } else { late.into_response() };
            closing(&mut response);
            response
        }
    }
}

/// The body may not have been read to its end: this connection carries nothing more.
fn closing(response: &mut Response) {
    response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
}

/// The largest body a request to `path` may carry, in bytes: the upload limit and room for the
/// form around the file on an upload ([`is_upload`]), [`ServeLimits::form_body_bytes`] elsewhere.
pub(crate) fn body_limit(path: &str, limits: &ServeLimits) -> u64 {
    if is_upload(path) { limits.max_upload_bytes.saturating_add(1 << 20) } else { limits.form_body_bytes as u64 }
}

/// A request whose declared `Content-Length` is over its route's [`body_limit`]: refused at once,
/// its body never read (a client declaring 2 GB holds no connection until the time limit).
fn declared_too_large(request: &Request, limits: &ServeLimits) -> Option<WebError> {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())?;
    let path = request.uri().path();
    if declared <= body_limit(path, limits) {
        return None;
    }
    Some(if is_upload(path) {
        crate::import::upload_too_large(limits.max_upload_bytes)
    } else {
        form_too_large(limits)
    })
}

/// The sentence of a form (or any body but an upload) over [`ServeLimits::form_body_bytes`].
fn form_too_large(limits: &ServeLimits) -> WebError {
    WebError::TooLarge(format!(
        "提交的内容超过 {} 的上限，未保存任何内容（导入文件请用“导入”页上传；上限由 lianzhang serve --form-body-kb 或环境变量 LIANZHANG_FORM_BODY_KB 设定）",
        size_zh(limits.form_body_bytes as u64)
    ))
}

/// A request the framework itself refused (a body over the limit, a form or JSON that does not
/// parse: plain English text) becomes a Chinese page, or Chinese JSON under `/api`.
fn chinese_rejection(response: Response, api: bool, limits: &ServeLimits) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !plain || !status.is_client_error() {
        return response;
    }
    let said = if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        form_too_large(limits)
    } else {
        WebError::Invalid("提交的内容不完整或格式不对，未保存任何内容；请返回、刷新页面后重试".into())
    };
    let mut out = if api { crate::api::ApiError::from(said).into_response() } else { said.into_response() };
    *out.status_mut() = status;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_files_of_a_round_are_uploads_and_nothing_else_is() {
        let limits = ServeLimits::default();
        for path in ["/import", "/rounds/credit-lists/file", "/rounds/12/receipt"] {
            assert!(is_upload(path), "{path}");
            assert!(body_limit(path, &limits) > limits.max_upload_bytes, "{path}");
        }
        for path in ["/rounds/credit-lists", "/rounds/12/pay", "/rounds//receipt", "/rounds/x/receipt", "/rounds/1"] {
            assert!(!is_upload(path), "{path}");
            assert_eq!(body_limit(path, &limits), limits.form_body_bytes as u64, "{path}");
        }
    }

    #[test]
    fn sizes_read_as_a_clerk_reads_them() {
        assert_eq!(size_zh(256 << 20), "256 MB");
        assert_eq!(size_zh(3 << 19), "1.5 MB");
        assert_eq!(size_zh(800 * 1024), "800 KB");
    }

    #[test]
    fn the_connection_cap_leaves_room_for_files() {
        assert_eq!(connection_cap(1024, Some(256)), 192);
        assert_eq!(connection_cap(1024, Some(1 << 20)), 1024);
        assert_eq!(connection_cap(1024, Some(10)), 16);
        assert_eq!(connection_cap(1024, None), 1024);
    }
}

//! The in-process harness of the web tests: the real router over a real SQLite registry, a
//! login that goes through the login form (CSRF cookie and all), form posts and page text.
#![allow(dead_code)] // each test binary uses part of it

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lianzhang_facts::Dataset;
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_store::{Role, Store};
use lianzhang_web::{AppState, auth, router};
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct App {
    pub state: Arc<AppState>,
    /// The folder of the SQLite file, when the harness made it.
    _dir: Option<tempfile::TempDir>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    /// The body as text (lossy: for pages and JSON).
    pub body: String,
    /// The body as sent (for downloads).
    pub bytes: Vec<u8>,
}

/// The bundled policy, compiled.
pub fn policy() -> Policy {
    PolicyFile::bundled().compile().unwrap()
}

/// A registry holding `data`, with the users `admin` (管理员), `clerk` (工信局), `steel` (钢铁
/// task force), `food` (食品 task force), `leader` and `finance`, all with [`PASSWORD`].
pub async fn app(policy: Policy, data: &Dataset) -> App {
    app_limited(policy, data, lianzhang_web::ServeLimits::default()).await
}

/// As [`app`], with the server's limits `limits`.
pub async fn app_limited(policy: Policy, data: &Dataset, limits: lianzhang_web::ServeLimits) -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("w.db").display())).await.unwrap();
    let mut app = app_in(store, policy, data, limits).await;
    app._dir = Some(dir);
    app
}

/// As [`app_limited`], on a registry of the caller's (SQLite or PostgreSQL, empty).
pub async fn app_in(store: Store, policy: Policy, data: &Dataset, limits: lianzhang_web::ServeLimits) -> App {
    store.seed_chains(&policy).await.unwrap();
    store.import(data, "test", "fixture", &|_, _| {}).await.unwrap();
    let hash = auth::hash_password(PASSWORD);
    for (name, zh, role, chain) in [
        ("admin", "管理员", Role::Admin, None),
        ("clerk", "工信局", Role::Bureau, None),
        ("steel", "钢铁专班", Role::TaskForce, Some("steel")),
        ("food", "食品专班", Role::TaskForce, Some("food")),
        ("leader", "领导", Role::Leader, None),
        ("finance", "财政", Role::Finance, None),
    ] {
        store.add_user(name, zh, role, chain, &hash, "t").await.unwrap();
    }
    App { state: AppState::with_limits(store, lianzhang_policy::PolicyFile::bundled(), policy, limits), _dir: None }
}

/// Runs the real server (the real accept loop and its limits) on a free local port.
pub async fn serve_real(app: &App) -> std::net::SocketAddr {
    let listener = lianzhang_web::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(lianzhang_web::serve_on(app.state.clone(), listener));
    addr
}

impl App {
    /// An app over a state the caller built (another county's policy, its own users).
    pub fn of(state: Arc<AppState>) -> App {
        App { state, _dir: None }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply { status, headers, body, bytes }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Reply {
        self.send(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    pub async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Reply {
        let body: String = form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
        let r = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }

    /// Signs `user` in; returns the session cookie.
    pub async fn session(&self, user: &str) -> String {
        let form = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let csrf = token_in(&form.body);
        let login_cookie = format!("{}={csrf}", auth::LOGIN_CSRF_COOKIE);
        let r =
            self.post("/login", &login_cookie, &[("username", user), ("password", PASSWORD), ("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        r.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(auth::SESSION_COOKIE))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap()
    }
}

/// Percent-encoding for a form body.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The CSRF token of the first form of a page.
pub fn token_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + 64].to_string()
}

/// What a page shows: its text without tags.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A form upload of one file with the CSRF token, as the import page sends it.
pub fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    multipart_with(&[("csrf", csrf)], file_name, bytes)
}

/// A form upload of small `fields` (in order) and then one file.
pub fn multipart_with(fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "lzboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl App {
    /// Posts `fields` and a file to `path` as a multipart form.
    pub async fn upload_to(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        name: &str,
        bytes: &[u8],
    ) -> Reply {
        let (ct, body) = multipart_with(fields, name, bytes);
        let r = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }

    /// Uploads a file on the import page.
    pub async fn upload(&self, cookie: &str, csrf: &str, name: &str, bytes: &[u8]) -> Reply {
        let (ct, body) = multipart(csrf, name, bytes);
        let r = Request::post("/import")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }
}

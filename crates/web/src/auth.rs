//! Login, sessions, CSRF tokens and API tokens.
//!
//! - Passwords: argon2id (PHC strings in `users.password_hash`).
//! - Sessions: a random id in an HttpOnly, SameSite=Strict cookie; the database keeps its
//!   SHA-256, the user and a CSRF token; 30 minutes idle and the session is gone.
//! - CSRF: every form carries the session's token in a hidden `csrf` field, checked on POST; the
//!   login form (no session yet) uses a double-submit cookie.
//! - Lockout: 5 failed logins lock the account for 15 minutes.
//! - Machine clients: `Authorization: Bearer TOKEN` (tokens stored hashed).

use crate::{AppState, WebError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use lianzhang_store::User;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "lz_session";
pub const LOGIN_CSRF_COOKIE: &str = "lz_login_csrf";
pub const IDLE_SECS: i64 = 30 * 60;
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("operating system randomness");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 hash").to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

pub fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// `Set-Cookie` for the session: HttpOnly, SameSite=Strict, the whole site.
pub fn session_cookie(id: &str) -> String {
    format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict")
}

/// A Set-Cookie value that removes the cookie `name` set with `path` (a browser keys cookies by
/// name and path: clearing under another path leaves the original in place).
pub fn clear_cookie(name: &str, path: &str) -> String {
    format!("{name}=; Path={path}; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The signed-in user of a page request, with the session's CSRF token. Pages without one
/// redirect to `/login`.
pub struct Session {
    pub user: User,
    pub csrf: String,
    /// The Chinese name of a task force's chain (the user's `chain` is its code), for the frame.
    pub chain_name: Option<String>,
    /// The county the policy is of (`泽州县`), for the frame's title.
    pub county: String,
    /// The policy's document number (`泽工信字〔2022〕84号`).
    pub document: String,
}

impl FromRequestParts<Arc<AppState>> for Session {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let id = cookie(&parts.headers, SESSION_COOKIE).ok_or(WebError::LoginRequired)?;
        match state.store.session(id, now_secs(), IDLE_SECS).await? {
            Some((user, csrf)) => {
                let chain_name = user.chain.as_deref().map(|code| {
                    let chains = &state.policy.vocabulary.chains;
                    chains.iter().find(|c| c.code == code).map_or_else(|| code.to_string(), |c| c.name.clone())
                });
                let county = state.policy.meta.county();
                let document = state.policy.meta.document.clone();
                Ok(Session { user, csrf, chain_name, county, document })
            }
            None => Err(WebError::LoginRequired),
        }
    }
}

/// The caller of an API request: a bearer token, or a browser session.
pub struct ApiUser(pub User);

impl FromRequestParts<Arc<AppState>> for ApiUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        if let Some(h) = parts.headers.get(AUTHORIZATION) {
            let token = h.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(WebError::Unauthorized)?;
            return match state.store.user_by_token(token.trim()).await? {
                Some(u) => Ok(ApiUser(u)),
                None => Err(WebError::Unauthorized),
            };
        }
        let id = cookie(&parts.headers, SESSION_COOKIE).ok_or(WebError::Unauthorized)?;
        match state.store.session(id, now_secs(), IDLE_SECS).await? {
            Some((user, _)) => Ok(ApiUser(user)),
            None => Err(WebError::Unauthorized),
        }
    }
}

/// Checks a submitted CSRF token against the session's, in constant time.
pub fn check_csrf(session: &Session, submitted: &str) -> Result<(), WebError> {
    let (a, b) = (session.csrf.as_bytes(), submitted.as_bytes());
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same { Ok(()) } else { Err(WebError::Csrf) }
}

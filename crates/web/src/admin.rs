//! 管理: users and roles (administrator), the audit trail with filters (administrator, bureau).

pub(crate) mod trail;

use crate::auth::{Session, check_csrf, hash_password};
use crate::pages::{Frame, urlencode};
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_store::{Role, StoreError, User};
use std::sync::Arc;
use trail::TrailRow;

fn require(session: &Session, roles: &[Role]) -> Result<(), WebError> {
    if roles.contains(&session.user.role) { Ok(()) } else { Err(WebError::Forbidden) }
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    frame: Frame,
    users: Vec<User>,
    chains: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

impl UsersPage {
    /// A username as one path segment.
    fn path(&self, username: &str) -> String {
        urlencode(username)
    }
}

async fn users_page(state: &AppState, session: Session, error: Option<String>) -> Result<UsersPage, WebError> {
    Ok(UsersPage {
        users: state.store.users().await?,
        chains: state.policy.vocabulary.chains.iter().map(|c| (c.code.clone(), c.name.clone())).collect(),
        roles: Role::ALL.iter().map(|r| (r.code(), r.zh())).collect(),
        error,
        frame: Frame::new(session, "admin"),
    })
}

pub async fn users(State(state): State<Arc<AppState>>, session: Session) -> Result<UsersPage, WebError> {
    require(&session, &[Role::Admin])?;
    users_page(&state, session, None).await
}

#[derive(serde::Deserialize)]
pub struct NewUser {
    #[serde(default)]
    csrf: String,
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    chain: String,
    password: String,
}

pub async fn add_user(
    State(state): State<Arc<AppState>>,
    session: Session,
    Form(f): Form<NewUser>,
) -> Result<Response, WebError> {
    require(&session, &[Role::Admin])?;
    check_csrf(&session, &f.csrf)?;
    use lianzhang_facts::typed::TextKind::Line;
    crate::door::texts([("用户名", f.username.as_str(), Line), ("显示名称", f.display_name.as_str(), Line)])?;
    let problem = if f.username.trim().is_empty() || f.username.chars().any(char::is_whitespace) {
        Some("用户名不能为空，也不能含空格".to_string())
    } else if f.password.chars().count() < 8 {
        Some("密码至少 8 个字符".to_string())
    } else {
        None
    };
    let Some(role) = Role::parse(&f.role) else { return Err(WebError::Invalid(format!("未知角色 {}", f.role))) };
    let result = match problem {
        Some(p) => Err(p),
        None => {
            let chain = (role == Role::TaskForce).then_some(f.chain.as_str()).filter(|c| !c.is_empty());
            let display = if f.display_name.trim().is_empty() { f.username.trim() } else { f.display_name.trim() };
            match state
                .store
                .add_user(f.username.trim(), display, role, chain, &hash_password(&f.password), &session.user.username)
                .await
            {
                Ok(_) => Ok(()),
                Err(StoreError::Refused(why) | StoreError::NotFound(why)) => Err(why),
                Err(e) => return Err(e.into()),
            }
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(why) => {
            let page = users_page(&state, session, Some(why)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub struct UserChange {
    #[serde(default)]
    csrf: String,
    /// `scope` (role and chain), `unlock`, `password`, `disable` or `enable`.
    action: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    chain: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{username}`: change a user's role and chain scope, lift a lockout, set a
/// new password, disable or enable the account (administrator only; each change audited,
/// sessions ended where the rights change).
pub async fn change_user(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(username): Path<String>,
    Form(f): Form<UserChange>,
) -> Result<Response, WebError> {
    require(&session, &[Role::Admin])?;
    check_csrf(&session, &f.csrf)?;
    let actor = session.user.username.clone();
    let result = match f.action.as_str() {
        "scope" => {
            let Some(role) = Role::parse(&f.role) else {
                return Err(WebError::Invalid(format!("未知角色 {}", f.role)));
            };
            let chain = Some(f.chain.as_str()).filter(|c| !c.is_empty());
            state.store.set_role(&username, role, chain, &actor).await.map(|_| ())
        }
        "unlock" => state.store.unlock(&username, &actor).await,
        "disable" => state.store.set_disabled(&username, true, &actor).await,
        "enable" => state.store.set_disabled(&username, false, &actor).await,
        "password" if f.password.chars().count() < 8 => Err(StoreError::Refused("密码至少 8 个字符".into())),
        "password" => state.store.set_password(&username, &hash_password(&f.password), &actor).await,
        other => return Err(WebError::Invalid(format!("未知操作 {other}"))),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(StoreError::Refused(why) | StoreError::NotFound(why)) => {
            let page = users_page(&state, session, Some(format!("{username}：{why}"))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    table: Option<String>,
    actor: Option<String>,
    key: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    frame: Frame,
    query: AuditQuery,
    entries: Vec<TrailRow>,
    /// The tables to filter by: (code, 中文).
    tables: &'static [(&'static str, &'static str)],
    total: i64,
    page: u32,
    pages: u32,
}

impl AuditPage {
    fn value(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    fn link(&self, page: u32) -> String {
        let enc = |s: &Option<String>| s.as_deref().map(urlencode).unwrap_or_default();
        format!(
            "/admin/audit?table={}&actor={}&key={}&page={page}",
            enc(&self.query.table),
            enc(&self.query.actor),
            enc(&self.query.key)
        )
    }
}

pub async fn audit(
    State(state): State<Arc<AppState>>,
    session: Session,
    Query(query): Query<AuditQuery>,
) -> Result<AuditPage, WebError> {
    require(&session, &[Role::Admin, Role::Bureau])?;
    let given = |v: &Option<String>| v.clone().unwrap_or_default();
    let (table, actor, key) = (given(&query.table), given(&query.actor), given(&query.key));
    use lianzhang_facts::typed::TextKind::Line;
    crate::door::search_texts([
        ("表 table", table.as_str(), Line),
        ("操作人 actor", actor.as_str(), Line),
        ("记录 key", key.as_str(), Line),
    ])?;
    let page = query.page.unwrap_or(1).max(1);
    let (entries, total) = state
        .store
        .audit_search(query.table.as_deref(), query.actor.as_deref(), query.key.as_deref(), page, 100)
        .await?;
    let names = state.store.audit_names(&entries).await?;
    Ok(AuditPage {
        entries: trail::rows(&entries, &names, &state.policy.vocabulary),
        tables: &trail::TABLES,
        frame: Frame::new(session, "admin"),
        pages: (total as u32).div_ceil(100).max(1),
        page,
        query,
        total,
    })
}

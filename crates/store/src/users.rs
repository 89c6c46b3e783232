//! Users, roles, API tokens and web sessions. Passwords are argon2 hashes made by the caller
//! (the web crate); tokens and session ids are stored as SHA-256 hashes, never in clear.

use crate::{Result, Store, StoreError, now};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The roles of PRODUCT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Bureau,
    TaskForce,
    Leader,
    Finance,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Bureau, Role::TaskForce, Role::Leader, Role::Finance];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Bureau => "bureau",
            Role::TaskForce => "task_force",
            Role::Leader => "leader",
            Role::Finance => "finance",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Bureau => "工信局",
            Role::TaskForce => "专班成员",
            Role::Leader => "链长/领导",
            Role::Finance => "财政局",
        }
    }

    /// Whether the role keeps records (imports and edits; PRODUCT.md): administrator, bureau,
    /// task force. Leaders and finance read; a leader approves award lists and must not set the
    /// facts that drive them.
    pub fn keeps_records(self) -> bool {
        matches!(self, Role::Admin | Role::Bureau | Role::TaskForce)
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The chain a task-force user is scoped to.
    pub chain: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    /// When the account was disabled (it cannot sign in, its sessions and tokens are refused).
    pub disabled_at: Option<String>,
}

impl User {
    /// The account as the award-round workflow sees it ([`lianzhang_rounds::Actor`]): its role, a
    /// task force with its chain. The one mapping, for the pages, the API and the CLI.
    pub fn actor(&self) -> lianzhang_rounds::Actor {
        use lianzhang_rounds::Role as R;
        let role = match self.role {
            Role::Admin => R::Admin,
            Role::Bureau => R::Bureau,
            Role::TaskForce => R::TaskForce(self.chain.clone().unwrap_or_default()),
            Role::Leader => R::Leader,
            Role::Finance => R::Finance,
        };
        lianzhang_rounds::Actor { username: self.username.clone(), role }
    }
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, chain, password_hash, failed_logins, locked_until, disabled_at";
/// The same columns of the `users` table aliased `u`, for joins.
const USER_COLUMNS_U: &str = "u.id, u.username, u.display_name, u.role, u.chain, u.password_hash, u.failed_logins, u.locked_until, u.disabled_at";

fn user_of(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Inconsistent(format!("未知角色 {role}")))?,
        chain: r.try_get("chain")?,
        password_hash: r.try_get("password_hash")?,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        disabled_at: r.try_get("disabled_at")?,
    })
}

/// SHA-256 in hex: how tokens and session ids are stored.
pub fn digest(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// Creates a user. A task-force user needs a chain; the chain must exist. The user name and
    /// display name are typed text (one line, no control, bidi or invisible characters, at most
    /// 200 characters: `lianzhang_facts::typed`).
    pub async fn add_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        chain: Option<&str>,
        password_hash: &str,
        actor: &str,
    ) -> Result<User> {
        // Typed text at the door, whoever calls (the admin page, `lianzhang user add`).
        use lianzhang_facts::typed::{TextKind, check_text};
        for (field, value) in [("用户名", username), ("显示名称", display_name)] {
            check_text(value, TextKind::Line).map_err(|e| StoreError::Refused(format!("{field}：{e}")))?;
        }
        self.check_scope(role, chain).await?;
        if self.user(username).await?.is_some() {
            return Err(StoreError::Refused(format!("用户 {username} 已存在")));
        }
        let mut tx = self.pool.begin().await?;
        let at = now();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (username, display_name, role, chain, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}"
        )))
        .bind(username)
        .bind(display_name)
        .bind(role.code())
        .bind(chain.map(str::to_string))
        .bind(password_hash)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        let user = user_of(&row)?;
        sqlx::query(
            "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
             VALUES ($1, $2, 'insert', 'users', $3, 'role', NULL, $4)",
        )
        .bind(&at)
        .bind(actor)
        .bind(username)
        .bind(role.code())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// A task-force user needs a chain, and a chain must exist.
    async fn check_scope(&self, role: Role, chain: Option<&str>) -> Result<()> {
        if role == Role::TaskForce && chain.is_none() {
            return Err(StoreError::Refused("专班成员须指定产业链（--chain）".into()));
        }
        if let Some(c) = chain {
            let known: Option<(String,)> =
                sqlx::query_as("SELECT code FROM chains WHERE code = $1").bind(c).fetch_optional(&self.pool).await?;
            if known.is_none() {
                return Err(StoreError::NotFound(format!("没有产业链 {c}")));
            }
        }
        Ok(())
    }

    /// Refuses to take away the last enabled administrator.
    async fn keep_an_administrator(&self) -> Result<()> {
        let (admins,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        if admins <= 1 {
            return Err(StoreError::Refused("至少须保留一名系统管理员".into()));
        }
        Ok(())
    }

    /// Changes a user's role and chain scope (the chain is kept for task forces only). The
    /// user's sessions end, so the new scope applies at the next request; the last
    /// administrator cannot be demoted. Audited, old and new.
    pub async fn set_role(&self, username: &str, role: Role, chain: Option<&str>, actor: &str) -> Result<User> {
        let chain = chain.filter(|_| role == Role::TaskForce);
        self.check_scope(role, chain).await?;
        let user = self.user(username).await?.ok_or_else(|| StoreError::NotFound(format!("用户 {username}")))?;
        if user.role == Role::Admin && role != Role::Admin {
            self.keep_an_administrator().await?;
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET role = $1, chain = $2 WHERE id = $3")
            .bind(role.code())
            .bind(chain.map(str::to_string))
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
        let at = now();
        let changes = [
            ("role", Some(user.role.code().to_string()), Some(role.code().to_string())),
            ("chain", user.chain.clone(), chain.map(str::to_string)),
        ];
        for (field, old, new) in changes.into_iter().filter(|c| c.1 != c.2) {
            audit_user(&mut tx, &at, actor, username, field, old, new).await?;
        }
        tx.commit().await?;
        Ok(User { role, chain: chain.map(str::to_string), ..user })
    }

    /// Disables an account (it cannot sign in; its sessions end; its API tokens are revoked) or
    /// enables it again. Nobody disables their own account, and the last enabled administrator
    /// stays. Audited, with the number of tokens revoked.
    ///
    /// Disabling deletes the sessions and API tokens for good (rather than only refusing them
    /// while disabled): enabling the account again must not bring back a token handed out before,
    /// perhaps to someone who has left. After enabling, the user signs in again and a machine
    /// client needs a new token (`lianzhang token create`).
    pub async fn set_disabled(&self, username: &str, disabled: bool, actor: &str) -> Result<()> {
        let user = self.user(username).await?.ok_or_else(|| StoreError::NotFound(format!("用户 {username}")))?;
        if disabled == user.disabled_at.is_some() {
            return Ok(());
        }
        if disabled && username == actor {
            return Err(StoreError::Refused("不能停用自己的账户".into()));
        }
        if disabled && user.role == Role::Admin {
            self.keep_an_administrator().await?;
        }
        let at = now();
        let value = disabled.then(|| at.clone());
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(value.clone())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
        audit_user(&mut tx, &at, actor, username, "disabled_at", user.disabled_at, value).await?;
        if disabled {
            let gone = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
            let n = gone.rows_affected();
            if n > 0 {
                audit_user(&mut tx, &at, actor, username, "api_tokens", Some(n.to_string()), Some("0".into())).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a lockout (and the count of failed logins). Audited.
    pub async fn unlock(&self, username: &str, actor: &str) -> Result<()> {
        let user = self.user(username).await?.ok_or_else(|| StoreError::NotFound(format!("用户 {username}")))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        audit_user(&mut tx, &now(), actor, username, "locked_until", user.locked_until, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password (its hash), lifts a lockout and ends the user's sessions. Audited
    /// without any hash.
    pub async fn set_password(&self, username: &str, password_hash: &str, actor: &str) -> Result<()> {
        let user = self.user(username).await?.ok_or_else(|| StoreError::NotFound(format!("用户 {username}")))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
            .bind(password_hash)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
        audit_user(&mut tx, &now(), actor, username, "password", None, Some("（已重置）".into())).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1")))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_of).transpose()
    }

    /// Every user, by username.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY username")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_of).collect()
    }

    pub async fn user_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// Records a failed login; from the `max`-th failure on, locks the account until `until`.
    pub async fn login_failed(&self, user_id: i64, max: i64, until: &str) -> Result<()> {
        sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1, \
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END WHERE id = $1",
        )
        .bind(user_id)
        .bind(max)
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn login_succeeded(&self, user_id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a new API token for `username` (only its hash is kept). A disabled account gets
    /// none: it is inserted only while the account is enabled (one statement, so a disable that
    /// commits first wins).
    pub async fn add_token(&self, username: &str, token: &str) -> Result<()> {
        let user = self.user(username).await?.ok_or_else(|| StoreError::NotFound(format!("没有用户 {username}")))?;
        let added = sqlx::query(
            "INSERT INTO api_tokens (user_id, token_hash, created_at) \
             SELECT id, $2, $3 FROM users WHERE id = $1 AND disabled_at IS NULL",
        )
        .bind(user.id)
        .bind(digest(token))
        .bind(now())
        .execute(&self.pool)
        .await?;
        if added.rows_affected() == 0 {
            return Err(StoreError::Refused(format!("用户 {username} 已停用，不能生成 API 令牌；请先启用该账户")));
        }
        Ok(())
    }

    /// Revokes every API token of a user (a machine client then needs a new one); returns how
    /// many. Audited.
    pub async fn revoke_tokens(&self, username: &str, actor: &str) -> Result<u64> {
        let user = self.user(username).await?.ok_or_else(|| StoreError::NotFound(format!("没有用户 {username}")))?;
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
        let n = gone.rows_affected();
        if n > 0 {
            audit_user(&mut tx, &now(), actor, username, "api_tokens", Some(n.to_string()), Some("0".into())).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS_U} FROM users u JOIN api_tokens t ON t.user_id = u.id \
             WHERE t.token_hash = $1 AND u.disabled_at IS NULL"
        )))
        .bind(digest(token))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_of).transpose()
    }

    /// Opens a session for `user_id`; `id` is the cookie's secret, `csrf` the form token. Only
    /// while the account is enabled (one statement): a login that races a disable does not leave
    /// a session that would come back to life when the account is enabled again.
    pub async fn open_session(&self, id: &str, user_id: i64, csrf: &str, now_secs: i64) -> Result<()> {
        let opened = sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen) \
             SELECT $1, id, $3, $4, $5 FROM users WHERE id = $2 AND disabled_at IS NULL",
        )
        .bind(digest(id))
        .bind(user_id)
        .bind(csrf)
        .bind(now())
        .bind(now_secs)
        .execute(&self.pool)
        .await?;
        if opened.rows_affected() == 0 {
            return Err(StoreError::Refused("该账户已停用，请联系系统管理员".into()));
        }
        Ok(())
    }

    /// The session's user and CSRF token if it was seen within `idle_secs`; touches it.
    pub async fn session(&self, id: &str, now_secs: i64, idle_secs: i64) -> Result<Option<(User, String)>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS_U}, s.csrf, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND u.disabled_at IS NULL"
        )))
        .bind(digest(id))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: i64 = row.try_get("last_seen")?;
        if now_secs - last_seen > idle_secs {
            self.close_session(id).await?;
            return Ok(None);
        }
        // Touch at most once a minute: a page of parallel requests writes once.
        if now_secs - last_seen >= 60 {
            sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1")
                .bind(digest(id))
                .bind(now_secs)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((user_of(&row)?, row.try_get("csrf")?)))
    }

    pub async fn close_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(digest(id)).execute(&self.pool).await?;
        Ok(())
    }
}

/// One audit entry for a change to a user account.
async fn audit_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    at: &str,
    actor: &str,
    username: &str,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
         VALUES ($1, $2, 'update', 'users', $3, $4, $5, $6)",
    )
    .bind(at)
    .bind(actor)
    .bind(username)
    .bind(field)
    .bind(old)
    .bind(new)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

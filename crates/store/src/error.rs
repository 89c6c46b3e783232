//! The store's errors. Each says its cause once, in Chinese a clerk or an administrator can act
//! on: a database failure is classified ([`DbCause`]) and the driver's own text goes only to the
//! `tracing` debug log (`LIANZHANG_LOG=debug`), never into the message and never as a `source`
//! (so that `anyhow`'s `{:#}` does not print it again).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("数据库地址无效：{0}（应为 sqlite://文件路径 或 postgres://…）")]
    BadUrl(String),
    /// The folder a SQLite file should be created in does not exist.
    #[error("数据库文件所在的文件夹 {0} 不存在：请先创建该文件夹，或换一个 --db 路径")]
    NoFolder(String),
    /// The database (its URL, password hidden) could not be opened.
    #[error("无法连接数据库 {0}：{1}")]
    Connect(String, DbCause),
    #[error("{0}")]
    Db(DbCause),
    #[error("数据库迁移失败：{0}")]
    Migrate(DbCause),
    /// Stored data that the current policy's vocabulary cannot read (e.g. an unknown chain code).
    #[error("库中数据与政策文件的词表不一致：{0}（企业库按另一份政策文件导入的，请用 --policy 指定该文件）")]
    Inconsistent(String),
    #[error("{0}")]
    NotFound(String),
    /// A refused ledger entry: already paid, not an award, not reversible.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("文件操作失败：{0}")]
    Io(DbCause),
}

/// Why a database operation failed, as one Chinese sentence with what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbCause {
    /// The server refused the connection or is not there.
    Refused,
    /// Another process holds the database (SQLite busy/locked, PostgreSQL lock or deadlock), or
    /// no connection came free in time.
    Busy,
    /// The disk (or the database's quota) is full.
    DiskFull,
    /// The file or the database is read-only.
    ReadOnly,
    /// The operating system or the database refused access.
    Permission,
    /// The file, folder or database does not exist or cannot be opened.
    Missing,
    /// A rule of the database itself (a trigger: the append-only audit trail, runs and ledger)
    /// refused the write.
    Guard,
    /// The file is not a SQLite database (or is damaged).
    NotADatabase,
    /// A constraint of the registry (duplicate key, missing reference, required value) refused
    /// the write.
    Constraint,
    /// The database was made by a newer version of this program.
    NewerSchema,
    /// The login was refused (PostgreSQL password or role).
    Login,
    /// The network connection broke.
    Network,
    /// Anything else: see the debug log.
    Other,
}

impl std::fmt::Display for DbCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DbCause::Refused => "数据库服务拒绝连接或未运行，请确认数据库服务已启动、地址和端口正确",
            DbCause::Busy => "数据库正被其他操作占用（繁忙或锁定），请稍后重试",
            DbCause::DiskFull => "磁盘已满，数据未写入，请清理磁盘空间后重试",
            DbCause::ReadOnly => "数据库为只读，无法写入，请检查文件或数据库的写权限",
            DbCause::Permission => "没有访问数据库的权限，请检查文件权限或数据库账号的授权",
            DbCause::Missing => "数据库文件或数据库不存在、无法打开，请检查 --db 地址",
            DbCause::Guard => {
                "数据库的保护规则拒绝了这次修改（审计记录、评定记录和台账只能追加，不能修改或删除），未写入"
            }
            DbCause::NotADatabase => "该文件不是数据库文件或已损坏，请检查 --db 路径，或从备份恢复",
            DbCause::Constraint => "数据不符合企业库的约束（重复、缺少关联记录或必填项为空），未写入",
            DbCause::NewerSchema => "该数据库由更新版本的链长创建，请使用新版本程序打开",
            DbCause::Login => "数据库拒绝登录，请检查 --db 地址中的用户名和密码",
            DbCause::Network => "与数据库的连接中断，请检查网络后重试",
            DbCause::Other => "数据库操作失败（设置环境变量 LIANZHANG_LOG=debug 重新运行可看到详细原因）",
        })
    }
}

impl DbCause {
    /// Classifies a driver error; the raw text goes to the debug log.
    pub fn of(e: &sqlx::Error) -> DbCause {
        tracing::debug!(error = %e, "database error");
        match e {
            sqlx::Error::Io(io) => DbCause::of_io(io),
            sqlx::Error::PoolTimedOut => DbCause::Busy,
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                of_code(&code, db.kind()).unwrap_or_else(|| of_text(db.message()))
            }
            other => of_text(&other.to_string()),
        }
    }

    /// Classifies an operating-system error (SQLite files, backups); raw text to the debug log.
    pub fn of_io(e: &std::io::Error) -> DbCause {
        use std::io::ErrorKind as K;
        tracing::debug!(error = %e, "file or network error");
        match e.kind() {
            K::ConnectionRefused | K::AddrNotAvailable | K::HostUnreachable | K::NetworkUnreachable => DbCause::Refused,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::TimedOut | K::UnexpectedEof => {
                DbCause::Network
            }
            K::NotFound => DbCause::Missing,
            K::PermissionDenied => DbCause::Permission,
            K::StorageFull | K::QuotaExceeded => DbCause::DiskFull,
            K::ReadOnlyFilesystem => DbCause::ReadOnly,
            _ => of_text(&e.to_string()),
        }
    }
}

/// SQLite extended result codes (the primary code is the low byte) and PostgreSQL SQLSTATEs.
fn of_code(code: &str, kind: sqlx::error::ErrorKind) -> Option<DbCause> {
    use sqlx::error::ErrorKind as K;
    if !matches!(kind, K::Other) {
        return Some(DbCause::Constraint);
    }
    // SQLITE_CONSTRAINT_TRIGGER, PostgreSQL's raise_exception: our own triggers.
    if code == "1811" || code == "P0001" {
        return Some(DbCause::Guard);
    }
    if let Ok(n) = code.parse::<u32>() {
        // SQLite: all its codes are numbers; PostgreSQL SQLSTATEs of five digits are handled below.
        if code.len() < 5 {
            return match n & 0xff {
                5 | 6 => Some(DbCause::Busy),
                13 => Some(DbCause::DiskFull),
                8 => Some(DbCause::ReadOnly),
                3 | 23 => Some(DbCause::Permission),
                14 => Some(DbCause::Missing),
                11 | 26 => Some(DbCause::NotADatabase),
                19 => Some(DbCause::Constraint),
                _ => None,
            };
        }
    }
    match code {
        "53100" => Some(DbCause::DiskFull),
        "25006" => Some(DbCause::ReadOnly),
        "42501" => Some(DbCause::Permission),
        "3D000" => Some(DbCause::Missing),
        "28P01" | "28000" => Some(DbCause::Login),
        "40P01" | "55P03" | "40001" | "57014" | "53300" => Some(DbCause::Busy),
        "57P01" | "57P02" | "57P03" | "08000" | "08003" | "08006" => Some(DbCause::Network),
        c if c.starts_with("23") => Some(DbCause::Constraint),
        _ => None,
    }
}

/// The last resort: the driver's English text.
fn of_text(text: &str) -> DbCause {
    let t = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["connection refused"]) {
        DbCause::Refused
    } else if has(&["database is locked", "database table is locked", "busy", "deadlock"]) {
        DbCause::Busy
    } else if has(&["disk is full", "no space left", "disk full", "quota"]) {
        DbCause::DiskFull
    } else if has(&["readonly", "read-only", "read only"]) {
        DbCause::ReadOnly
    } else if has(&["permission denied", "access denied", "authorization"]) {
        DbCause::Permission
    } else if has(&["unable to open database", "no such file", "does not exist"]) {
        DbCause::Missing
    } else if has(&["password authentication failed", "role \""]) {
        DbCause::Login
    } else if has(&["not a database", "malformed"]) {
        DbCause::NotADatabase
    } else if has(&["constraint", "duplicate key", "violates"]) {
        DbCause::Constraint
    } else {
        DbCause::Other
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(DbCause::of(&e))
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError as M;
        tracing::debug!(error = %e, "migration error");
        StoreError::Migrate(match &e {
            M::Execute(inner) | M::ExecuteMigration(inner, _) => DbCause::of(inner),
            M::VersionMissing(_) | M::VersionTooNew(..) => DbCause::NewerSchema,
            _ => DbCause::Other,
        })
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(DbCause::of_io(&e))
    }
}

impl StoreError {
    /// The error of opening `url` (shown with its password hidden).
    pub(crate) fn connect(url: &crate::DbUrl, e: sqlx::Error) -> StoreError {
        StoreError::Connect(url.to_string(), DbCause::of(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_read_from_codes_and_texts() {
        use sqlx::error::ErrorKind::{Other, UniqueViolation};
        assert_eq!(of_code("5", Other), Some(DbCause::Busy));
        assert_eq!(of_code("261", Other), Some(DbCause::Busy), "SQLITE_BUSY_RECOVERY");
        assert_eq!(of_code("13", Other), Some(DbCause::DiskFull));
        assert_eq!(of_code("1032", Other), Some(DbCause::ReadOnly), "SQLITE_READONLY_DBMOVED");
        assert_eq!(of_code("2067", UniqueViolation), Some(DbCause::Constraint));
        assert_eq!(of_code("53100", Other), Some(DbCause::DiskFull));
        assert_eq!(of_code("1811", Other), Some(DbCause::Guard));
        assert_eq!(of_code("P0001", Other), Some(DbCause::Guard));
        assert_eq!(of_code("23505", Other), Some(DbCause::Constraint));
        assert_eq!(of_code("42P01", Other), None);
        assert_eq!(of_text("error communicating with database: Connection refused (os error 111)"), DbCause::Refused);
        assert_eq!(of_text("database is locked"), DbCause::Busy);
        assert_eq!(of_text("whatever"), DbCause::Other);
    }

    #[test]
    fn a_database_error_says_its_cause_once_without_the_driver_text() {
        let e = StoreError::from(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        )));
        let shown = format!("{:#}", anyhow::Error::from(e));
        assert!(!shown.contains("os error"), "{shown}");
        assert_eq!(shown.matches("拒绝连接").count(), 1, "{shown}");
    }
}

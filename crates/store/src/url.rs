//! `--db` URLs: `sqlite://relative.db`, `sqlite:///absolute/path.db`, `postgres://…`.

use crate::{Backend, StoreError};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    pub fn parse(s: &str) -> Result<DbUrl, StoreError> {
        if let Some(rest) = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")) {
            // `sqlite:///abs` leaves `/abs`; `sqlite://rel.db` leaves `rel.db`. Query options
            // are ours to set, not the caller's.
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::BadUrl(s.to_string()));
            }
            Ok(DbUrl::Sqlite(PathBuf::from(path)))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(DbUrl::Postgres(s.to_string()))
        } else {
            Err(StoreError::BadUrl(s.to_string()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DbUrl::Sqlite(p) => Some(p),
            DbUrl::Postgres(_) => None,
        }
    }

    /// The URL sqlx is given: SQLite files are created when missing (`mode=rwc`).
    pub(crate) fn sqlx_url(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}?mode=rwc", p.display()),
            DbUrl::Postgres(u) => u.clone(),
        }
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            // Never print a password.
            DbUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if u[s + 3..at].contains(':') => {
                    let user = &u[s + 3..at];
                    let name = user.split(':').next().unwrap_or_default();
                    write!(f, "{}{name}:***{}", &u[..s + 3], &u[at..])
                }
                _ => f.write_str(u),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_relative_and_absolute() {
        assert_eq!(DbUrl::parse("sqlite://data/x.db").unwrap(), DbUrl::Sqlite("data/x.db".into()));
        assert_eq!(DbUrl::parse("sqlite:///var/lib/x.db").unwrap(), DbUrl::Sqlite("/var/lib/x.db".into()));
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn passwords_are_not_displayed() {
        let u = DbUrl::parse("postgres://bob:secret@db:5432/lz").unwrap();
        assert_eq!(u.to_string(), "postgres://bob:***@db:5432/lz");
    }
}

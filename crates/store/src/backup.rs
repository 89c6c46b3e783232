//! SQLite backups: `VACUUM INTO` writes a consistent copy from a read transaction, so it runs
//! while the server is serving. PostgreSQL has pg_dump and pg_restore; we do not reinvent them.

use crate::{Backend, Result, Store, StoreError};
use std::path::Path;

const PG_ADVICE: &str = "PostgreSQL 请用 pg_dump / pg_restore 备份与恢复（见 README 的“备份”一节）";

impl Store {
    /// Writes a consistent copy of the SQLite database to `out` (which must not exist).
    pub async fn backup(&self, out: &Path) -> Result<()> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Unsupported(PG_ADVICE.into()));
        }
        if out.exists() {
            return Err(StoreError::Refused(format!("{} 已存在，不覆盖", out.display())));
        }
        let target = out.to_str().ok_or_else(|| StoreError::Refused("备份路径须为 UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target.to_string()).execute(&self.pool).await?;
        Ok(())
    }

    /// `PRAGMA integrity_check` (SQLite): `["ok"]` when sound. PostgreSQL checks itself.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        if self.backend == Backend::Postgres {
            return Ok(vec!["ok".into()]);
        }
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Replaces the SQLite database at `target` by the backup `from`, after checking that the
    /// backup is a sound Lianzhang database. Stop the server first: a running server would keep
    /// the old file open.
    pub async fn restore(target: &str, from: &Path) -> Result<()> {
        let url = crate::DbUrl::parse(target)?;
        let Some(path) = url.sqlite_path() else {
            return Err(StoreError::Unsupported(PG_ADVICE.into()));
        };
        if !from.is_file() {
            return Err(StoreError::NotFound(format!("备份文件 {} 不存在", from.display())));
        }
        // Check a scratch copy, so that a bad backup leaves nothing behind and the backup itself
        // is never written to (opening migrates).
        let staged = path.with_extension("restore-tmp");
        let _ = std::fs::remove_file(&staged);
        std::fs::copy(from, &staged)?;
        let check = async {
            // Before anything opens (and so migrates) it: an empty or foreign file would
            // otherwise become a valid, empty registry and replace the real one.
            if !is_registry(&staged).await {
                return Err(StoreError::Refused(format!("{} 不是链长数据库的备份", from.display())));
            }
            let staged_url = format!("sqlite://{}", staged.display());
            let store = Store::open(&staged_url).await?;
            let report = store.integrity_check().await?;
            // Fold the WAL back into the file before it is moved.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&store.pool).await?;
            store.close().await;
            if report != ["ok"] {
                return Err(StoreError::Refused(format!("备份文件损坏：{}", report.join("; "))));
            }
            Ok(())
        };
        if let Err(e) = check.await {
            remove_with_sidecars(&staged);
            return Err(e);
        }
        remove_with_sidecars(path);
        std::fs::rename(&staged, path)?;
        remove_with_sidecars(&staged);
        Ok(())
    }
}

/// Whether `path` is an SQLite file holding a Lianzhang registry (its migrations recorded, its
/// enterprises and ledger tables present). Opened as is, without migrating.
async fn is_registry(path: &Path) -> bool {
    use sqlx::Connection;
    let mut head = [0u8; 16];
    let sqlite = std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
        && &head == b"SQLite format 3\0";
    if !sqlite {
        return false;
    }
    sqlx::any::install_default_drivers();
    let Ok(mut conn) = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rw", path.display())).await else {
        return false;
    };
    let tables: Result<i64, _> = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' \
         AND name IN ('_sqlx_migrations', 'enterprises', 'ledger')",
    )
    .fetch_one(&mut conn)
    .await;
    let _ = conn.close().await;
    matches!(tables, Ok(3))
}

fn remove_with_sidecars(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(Path::new(&p));
    }
}

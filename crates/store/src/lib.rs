//! The registry of PRODUCT.md in SQLite (embedded, the default) or PostgreSQL, through one code
//! path (sqlx `Any`): enterprises and their facts, the chains and their stage graph, the
//! organisation, users, the audit trail, stored policy versions, recorded assessment runs and
//! the append-only payout ledger.
//!
//! Storage conventions (the same in both databases): money in fen as 64-bit integers, booleans as
//! 0/1, dates and timestamps as ISO text, JSON as text. Migrations are embedded, one folder per
//! backend, and applied when a store is opened.

mod audit;
mod backup;
mod confirmations;
mod error;
mod import;
mod ledger;
mod near;
mod org;
mod query;
mod read;
mod rounds;
mod rows;
mod runs;
mod scenarios;
mod seed;
mod textcheck;
mod url;
mod users;
mod versions;

pub use audit::{AuditEntry, AuditNames};
pub use confirmations::{Confirmation, NewConfirmation};
pub use error::{DbCause, StoreError};
pub use import::{
    CellChange, CellId, Choice, ImportOptions, ImportOutcome, ImportPreview, ImportReport, LastChange, Progress,
    Resolution, SheetCounts, beijing_time, exact_wan, field_zh, table_zh,
};
pub use ledger::{LedgerEntry, award_key};
pub use near::{NewService, Service};
pub use org::ChainRole;
pub use query::{EnterpriseFilter, EnterpriseSummary};
pub use read::AssessmentInputs;
pub use rounds::{
    BudgetLine, CreditList, FrozenFacts, NewBudget, NewCreditEntry, NewPayment, NewRound, Revision, RoundHeader,
    RoundRecord, Standing, StoredEvent,
};
pub use runs::{PaidSet, RecordedRun, RunOutcome, policy_hash};
pub use scenarios::{NewScenario, Scenario};
pub use textcheck::StoredTextProblem;
pub use url::DbUrl;
pub use users::{Role, User, digest};
pub use versions::{Adoption, NewAdoption};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open registry.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: DbUrl,
    /// Replayed rounds, reused until a new event is stored.
    rounds_cache: std::sync::Arc<rounds::RoundCache>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens (creating a missing SQLite file) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Store> {
        let url = DbUrl::parse(url)?;
        install_default_drivers();
        if let Some(folder) = url.sqlite_path().and_then(|p| p.parent()).filter(|f| !f.as_os_str().is_empty())
            && !folder.is_dir()
        {
            return Err(StoreError::NoFolder(folder.display().to_string()));
        }
        let backend = url.backend();
        // WAL: readers never block the writer; busy_timeout: a second writer waits for the
        // first instead of failing. Foreign keys are off in SQLite unless asked for.
        // busy_timeout first: switching a fresh file to WAL needs a lock another opener may hold.
        const SQLITE_INIT: &str = "PRAGMA busy_timeout = 60000; PRAGMA journal_mode = WAL; \
                                   PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        let options = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 4 } else { 8 });
        let options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_INIT).await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options.acquire_timeout(Duration::from_secs(30)),
        };
        let connect = |e| StoreError::connect(&url, e);
        // Large batched statements are expected (imports): never log their text above debug.
        let connect_options = AnyConnectOptions::from_str(&url.sqlx_url())
            .map_err(connect)?
            .log_statements(log::LevelFilter::Trace)
            .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(5));
        // One connection made directly first: a server that refuses, a file that is not a
        // database, fail here at once with their cause. The pool would retry them until its
        // timeout (30 s) and then report only "timed out".
        // A database busy with another opener is not such a failure: the pool waits for it.
        let probe = async {
            let mut probe = connect_options.connect().await?;
            if backend == Backend::Sqlite {
                probe.execute(SQLITE_INIT).await?;
            }
            probe.close().await
        };
        match probe.await {
            Err(e) if error::DbCause::of(&e) != error::DbCause::Busy => return Err(connect(e)),
            _ => {}
        }
        let pool = options.connect_with(connect_options).await.map_err(connect)?;
        let store = Store { pool, backend, url, rounds_cache: Default::default() };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            // sqlx serialises concurrent PostgreSQL migrators with an advisory lock.
            POSTGRES_MIGRATIONS.run(&self.pool).await?;
            return Ok(());
        }
        // SQLite's migrator takes no lock, so two processes opening a fresh file at once (a server
        // and an import, say) both try migration 1 and the later one fails on "table already
        // exists". Each migration is one transaction, so a failed attempt leaves nothing behind:
        // while another process is making progress (more migrations applied than before our
        // attempt), try again.
        self.accept_corrected_sqlite_migrations().await?;
        loop {
            let before = self.applied_sqlite_migrations().await?;
            match SQLITE_MIGRATIONS.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(e) if self.applied_sqlite_migrations().await? > before => {
                    tracing::debug!("another process migrated this database at the same time ({e}); retrying");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Migration 0009 as it first landed (stop 18) named the old ledger in the rebuilt table's
    /// self-reference, which failed on any ledger holding a reversal; its text was corrected. A
    /// database that applied the first text (the same schema: it could only succeed without
    /// reversals) has the recorded checksum replaced by the corrected one, so the migrator, which
    /// refuses a changed migration, goes on.
    async fn accept_corrected_sqlite_migrations(&self) -> Result<()> {
        /// SHA-384 of 0009_recoveries.sql as commit cac5235 had it.
        const FIRST_0009: &str =
            "0117e594c5cfd9e2022f184fa60b6f6a474a116ce123c59fc0a79c78674f458058307aa72ba7a59b9471a06b171d0ff0";
        if self.applied_sqlite_migrations().await? < 9 {
            return Ok(());
        }
        let corrected = SQLITE_MIGRATIONS.iter().find(|m| m.version == 9).expect("migration 0009 is embedded");
        let hex: String = corrected.checksum.iter().map(|b| format!("{b:02x}")).collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE _sqlx_migrations SET checksum = X'{hex}' WHERE version = 9 AND checksum = X'{FIRST_0009}'"
        )))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many migrations a SQLite database records as applied (0 before the first).
    async fn applied_sqlite_migrations(&self) -> Result<i64> {
        let exists: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                .fetch_one(&self.pool)
                .await?;
        if exists == 0 {
            return Ok(0);
        }
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&self.pool).await?)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// The connection pool, for the web layer's own queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Begins a write transaction that holds the registry's write lock from its first statement,
    /// so that two writers run one after the other (SQLite `BEGIN IMMEDIATE`; PostgreSQL a
    /// transaction-scoped advisory lock).
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7125001)").execute(&mut *tx).await?;
                Ok(tx)
            }
        }
    }
}

/// Now, as stored: an RFC 3339 UTC timestamp.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

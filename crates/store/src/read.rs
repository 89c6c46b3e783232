//! Consistent reads of the whole registry. A reader sees one committed state, whatever writers do
//! meanwhile, and never waits for them: SQLite (WAL) keeps a read transaction's snapshot from its
//! first read to its end; PostgreSQL does the same under `REPEATABLE READ`. Nothing is retried,
//! so a busy registry costs a reader no more than a quiet one.
//!
//! Reading is the cost of `assess --db`: the annual rows (the largest table) are read in two
//! halves, and the three small tables besides, over three connections at once. Each connection
//! holds its own snapshot; a helper's part is used only when its snapshot is the first's (the
//! newest audit id is the same: every committed change of the facts writes one). Otherwise, or
//! when no other connection comes free quickly (a busy server must not have readers each holding
//! one connection and waiting for another), the first connection reads that part itself.

use crate::rows::{ENTERPRISES, EXTRAS, PROJECTS, RECOGNITIONS, Rows, load_annual, load_table, rows_dataset};
use crate::{Backend, PaidSet, Result, Store};
use lianzhang_facts::{Dataset, Vocabulary};
use lianzhang_policy::Confirmations;
use sqlx::{Any, AnyConnection, Transaction};
use std::time::Duration;

/// How long a reader waits for a second connection before reading alone.
const HELPER_WAIT: Duration = Duration::from_millis(250);

/// Everything an assessment from the registry reads, from one snapshot.
#[derive(Debug)]
pub struct AssessmentInputs {
    pub dataset: Dataset,
    /// The registry revision the snapshot is the state of: the newest audit id (`None` for an
    /// empty audit trail).
    pub revision: Option<i64>,
    /// The awards the ledger shows paid in that snapshot.
    pub paid: PaidSet,
    /// The confirmed values (核实确认) in that snapshot.
    pub confirmations: Confirmations,
}

/// The newest audit id as `conn` sees it; the first read of a transaction fixes its snapshot.
pub(crate) async fn revision(conn: &mut AnyConnection) -> Result<Option<i64>> {
    let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM audit").fetch_one(conn).await?;
    Ok(id)
}

impl Store {
    /// Begins a read-only transaction that sees one snapshot (SQLite: a deferred transaction, its
    /// snapshot fixed by its first read; PostgreSQL: `REPEATABLE READ`, the snapshot of its first
    /// statement). Nothing is written: it is rolled back when dropped.
    pub(crate) async fn begin_read(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
        })
    }

    /// The newest audit entry: every committed change to the registry writes one.
    pub async fn last_change(&self) -> Result<Option<i64>> {
        let mut conn = self.pool.acquire().await?;
        revision(&mut conn).await
    }

    /// The whole registry as a dataset, one consistent state (see the module documentation).
    pub async fn load_dataset(&self, vocabulary: &Vocabulary) -> Result<Dataset> {
        Ok(self.load_dataset_at(vocabulary).await?.0)
    }

    /// [`Store::load_dataset`] and the registry revision it is the state of (the newest audit id,
    /// `None` for an empty audit trail): what an export is stamped with.
    pub async fn load_dataset_at(&self, vocabulary: &Vocabulary) -> Result<(Dataset, Option<i64>)> {
        let mut tx = self.begin_read().await?;
        let revision = revision(&mut tx).await?;
        let dataset = self.read_dataset(&mut tx, vocabulary, revision).await?;
        Ok((dataset, revision))
    }

    /// The dataset, the paid awards and the confirmed values, all from one snapshot: what an
    /// assessment or the dashboard reads (reading them one after the other could pair a dataset
    /// with a ledger of another moment).
    pub async fn load_assessment_inputs(&self, vocabulary: &Vocabulary) -> Result<AssessmentInputs> {
        let mut tx = self.begin_read().await?;
        let revision = revision(&mut tx).await?;
        let dataset = self.read_dataset(&mut tx, vocabulary, revision).await?;
        let paid = crate::runs::paid_in(&mut tx).await?;
        let confirmations = crate::confirmations::policy_confirmations_in(&mut tx).await?;
        Ok(AssessmentInputs { dataset, revision, paid, confirmations })
    }

    /// The paid awards and the confirmed values from one snapshot: what a page of one enterprise
    /// needs besides its facts ([`Store::enterprise`]).
    pub async fn paid_and_confirmations(&self) -> Result<(PaidSet, Confirmations)> {
        let mut tx = self.begin_read().await?;
        let paid = crate::runs::paid_in(&mut tx).await?;
        let confirmations = crate::confirmations::policy_confirmations_in(&mut tx).await?;
        Ok((paid, confirmations))
    }

    /// Reads the four fact tables in `conn`'s snapshot (at `revision`): the odd years' annual rows
    /// and the three small tables over two more connections at once, when connections with the
    /// same snapshot are to be had (else `conn` reads them after its own part).
    async fn read_dataset(
        &self,
        conn: &mut AnyConnection,
        vocabulary: &Vocabulary,
        revision: Option<i64>,
    ) -> Result<Dataset> {
        let odd = self.helper(Part::Annual(1), revision);
        let tables = self.helper(Part::Tables, revision);
        let Read::Annual(mut annual) = read_part(&mut *conn, Part::Annual(0)).await? else { unreachable!() };
        let mut rest = Vec::new();
        for (part, helper) in [(Part::Annual(1), odd), (Part::Tables, tables)] {
            rest.push(match helper.await.expect("registry reader") {
                Ok(Some(read)) => read,
                // Another snapshot, no connection free, or the helper failed: read it here.
                Ok(None) | Err(_) => read_part(&mut *conn, part).await?,
            });
        }
        let mut tables = None;
        for read in rest {
            match read {
                Read::Annual(mut odd) => annual.append(&mut odd),
                Read::Tables(e, r, p, x) => tables = Some((e, r, p, x)),
            }
        }
        let (enterprises, recognitions, projects, extras) = tables.expect("the tables were read");
        rows_dataset(vocabulary, enterprises, annual, recognitions, projects, extras)
    }

    /// Reads `part` over another connection whose snapshot is at `revision`; `None` when no
    /// connection comes free within [`HELPER_WAIT`] or its snapshot is another.
    fn helper(&self, part: Part, revision: Option<i64>) -> tokio::task::JoinHandle<Result<Option<Read>>> {
        let store = self.clone();
        tokio::spawn(async move {
            let Ok(begun) = tokio::time::timeout(HELPER_WAIT, store.begin_read()).await else { return Ok(None) };
            let mut tx = begun?;
            if self::revision(&mut tx).await? != revision {
                return Ok(None);
            }
            read_part(&mut tx, part).await.map(Some)
        })
    }
}

/// A share of the reading of the registry.
#[derive(Clone, Copy)]
enum Part {
    /// The annual rows of even (0) or odd (1) years.
    Annual(i64),
    /// The enterprises, recognitions, projects and declared facts.
    Tables,
}

enum Read {
    Annual(Vec<(lianzhang_facts::Uscc, lianzhang_facts::Annual)>),
    Tables(Rows, Rows, Rows, Rows),
}

async fn read_part(conn: &mut AnyConnection, part: Part) -> Result<Read> {
    Ok(match part {
        Part::Annual(parity) => Read::Annual(load_annual(&mut *conn, Some(parity)).await?),
        Part::Tables => Read::Tables(
            load_table(&mut *conn, &ENTERPRISES).await?,
            load_table(&mut *conn, &RECOGNITIONS).await?,
            load_table(&mut *conn, &PROJECTS).await?,
            load_table(&mut *conn, &EXTRAS).await?,
        ),
    })
}

//! The seven chains and their stage graph, seeded from the policy file's vocabulary: stored as
//! data so that pages and reports can join on them. Idempotent: existing rows are kept.

use crate::{Result, Store};
use lianzhang_policy::Policy;

impl Store {
    /// Inserts the chains, stages, stage edges and cross-chain links of `policy` that are not
    /// stored yet.
    pub async fn seed_chains(&self, policy: &Policy) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let chains = &policy.vocabulary.chains;
        for (i, c) in chains.iter().enumerate() {
            sqlx::query("INSERT INTO chains (code, name, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(&c.code)
                .bind(&c.name)
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
            for (j, s) in c.stages.iter().enumerate() {
                sqlx::query("INSERT INTO stages (chain, position, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(&c.code)
                    .bind(j as i64)
                    .bind(s)
                    .execute(&mut *tx)
                    .await?;
            }
            for &(from, to) in policy.chain_edges.get(i).map(Vec::as_slice).unwrap_or_default() {
                sqlx::query(
                    "INSERT INTO stage_edges (chain, from_stage, to_stage) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(&c.code)
                .bind(i64::from(from))
                .bind(i64::from(to))
                .execute(&mut *tx)
                .await?;
            }
        }
        for l in &policy.chain_links {
            sqlx::query(
                "INSERT INTO chain_links (from_chain, from_stage, to_chain, to_stage) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&chains[l.from.0].code)
            .bind(i64::from(l.from.1))
            .bind(&chains[l.to.0].code)
            .bind(i64::from(l.to.1))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rows in a table (for reports and tests).
    pub async fn count(&self, table: &str) -> Result<i64> {
        const TABLES: &[&str] = &[
            "enterprises",
            "annual",
            "recognitions",
            "projects",
            "chains",
            "stages",
            "stage_edges",
            "chain_links",
            "audit",
            "runs",
            "run_outcomes",
            "ledger",
            "policy_versions",
            "users",
        ];
        let table = TABLES.iter().find(|t| **t == table).ok_or_else(|| crate::StoreError::NotFound(table.into()))?;
        let (n,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&self.pool).await?;
        Ok(n)
    }
}

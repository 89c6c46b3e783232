//! The organisation: chain chiefs, deputies and assistants, and leader–enterprise liaison.

use crate::{Result, Store, now};

/// One person's role on a chain.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChainRole {
    pub chain: String,
    /// `chief`, `deputy` or `assistant`.
    pub role: String,
    pub name: String,
    pub title: Option<String>,
}

impl ChainRole {
    pub fn role_zh(&self) -> &'static str {
        match self.role.as_str() {
            "chief" => "链长",
            "deputy" => "副链长",
            _ => "链长助理",
        }
    }
}

impl Store {
    /// Adds a person; returns its id.
    pub async fn add_person(&self, name: &str, title: Option<&str>) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO people (name, title) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(title.map(str::to_string))
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    pub async fn add_chain_role(&self, chain: &str, person_id: i64, role: &str, actor: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO chain_roles (chain, person_id, role) VALUES ($1, $2, $3)")
            .bind(chain)
            .bind(person_id)
            .bind(role)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
             VALUES ($1, $2, 'insert', 'chain_roles', $3, 'role', NULL, $4)",
        )
        .bind(now())
        .bind(actor)
        .bind(format!("{chain}|{person_id}"))
        .bind(role)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes `person_id` the liaison of an enterprise, and links a user to that person.
    pub async fn add_liaison(&self, person_id: i64, uscc: &str) -> Result<()> {
        sqlx::query("INSERT INTO liaisons (person_id, uscc) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(person_id)
            .bind(uscc)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn link_user_person(&self, username: &str, person_id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET person_id = $1 WHERE username = $2")
            .bind(person_id)
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every chain role, by chain and rank.
    pub async fn chain_roles(&self) -> Result<Vec<ChainRole>> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT r.chain, r.role, p.name, p.title FROM chain_roles r JOIN people p ON p.id = r.person_id \
             ORDER BY r.chain, CASE r.role WHEN 'chief' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, p.name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(chain, role, name, title)| ChainRole { chain, role, name, title }).collect())
    }

    /// The chain masters of `year`: (chain, enterprise name, uscc), by chain and name.
    pub async fn chain_masters(&self, year: i32) -> Result<Vec<(String, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT e.chain, e.name, e.uscc FROM enterprises e JOIN annual y ON y.uscc = e.uscc AND y.year = $1 \
             WHERE y.chain_master = 1 AND e.chain IS NOT NULL ORDER BY e.chain, e.name",
        )
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Enterprises per stage of a chain (`None`: no stage given).
    pub async fn stage_counts(&self, chain: &str) -> Result<Vec<(Option<String>, i64)>> {
        Ok(sqlx::query_as("SELECT stage, COUNT(*) FROM enterprises WHERE chain = $1 GROUP BY stage")
            .bind(chain)
            .fetch_all(&self.pool)
            .await?)
    }
}

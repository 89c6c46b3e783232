//! Policy versions (issue 12): the texts an administrator adopted and the first assessment year
//! each is in force from. The registry keeps every text it ever used (`policy_versions`, by hash);
//! an adoption says "from year Y on, assess with this text". Which version is in force for a
//! year is decided by the caller (`lianzhang_web`'s `Versions`) from [`Store::adoptions`].

use crate::runs::{check_actor, check_typed, check_year, policy_hash};
use crate::{Result, Store, StoreError, now};
use lianzhang_facts::typed::TextKind;
use sqlx::Row;

/// An adoption to record: the file's name and text (already validated by the caller), its
/// policy id, and the first year it is in force.
#[derive(Debug, Clone)]
pub struct NewAdoption {
    pub name: String,
    pub text: String,
    pub policy_id: String,
    pub from_year: i32,
    pub note: String,
}

/// A recorded adoption.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Adoption {
    pub id: i64,
    /// SHA-256 of the text ([`crate::policy_hash`]).
    pub hash: String,
    pub policy_id: String,
    /// The file name as uploaded.
    pub name: String,
    pub from_year: i32,
    pub note: String,
    pub at: String,
    pub actor: String,
}

const SELECT: &str = "SELECT a.id, a.hash, p.policy_id, p.name, a.from_year, a.note, a.at, a.actor \
                      FROM policy_adoptions a JOIN policy_versions p ON p.hash = a.hash";

fn adoption(row: &sqlx::any::AnyRow) -> Result<Adoption> {
    Ok(Adoption {
        id: row.try_get("id")?,
        hash: row.try_get("hash")?,
        policy_id: row.try_get("policy_id")?,
        name: row.try_get("name")?,
        from_year: row.try_get::<i64, _>("from_year")? as i32,
        note: row.try_get("note")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
    })
}

impl Store {
    /// Records that `a.text` is in force from `a.from_year` on (the text stored once per hash),
    /// with an audit entry. The caller has compiled the text. Errors: `Refused` for a year out of
    /// range, a name or note that is not clean text, or an empty text.
    pub async fn adopt_policy(&self, a: &NewAdoption, actor: &str) -> Result<Adoption> {
        check_actor(actor)?;
        check_year(i64::from(a.from_year))?;
        check_typed("文件名", &a.name, TextKind::Line)?;
        check_typed("说明", &a.note, TextKind::Note)?;
        if a.text.trim().is_empty() {
            return Err(StoreError::Refused("政策文件为空".into()));
        }
        let hash = policy_hash(&a.text);
        let at = now();
        let mut tx = self.begin_write().await?;
        let known: Option<(String,)> = sqlx::query_as("SELECT hash FROM policy_versions WHERE hash = $1")
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            sqlx::query(
                "INSERT INTO policy_versions (hash, policy_id, name, text, stored_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&hash)
            .bind(&a.policy_id)
            .bind(&a.name)
            .bind(&a.text)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO policy_adoptions (hash, from_year, note, at, actor) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&hash)
        .bind(i64::from(a.from_year))
        .bind(a.note.trim())
        .bind(&at)
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        // Audited: what is owed from that year on changes (and the facts kept in memory with it).
        sqlx::query(
            "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
             VALUES ($1, $2, 'insert', 'policy_adoptions', $3, 'from_year', NULL, $4)",
        )
        .bind(&at)
        .bind(actor)
        .bind(format!("{id}|{}", &hash[..12]))
        .bind(format!("{}年起施行 {}", a.from_year, a.name))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Adoption {
            id,
            hash,
            policy_id: a.policy_id.clone(),
            name: a.name.clone(),
            from_year: a.from_year,
            note: a.note.trim().to_string(),
            at,
            actor: actor.to_string(),
        })
    }

    /// Every adoption, oldest first.
    pub async fn adoptions(&self) -> Result<Vec<Adoption>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY a.id"))).fetch_all(&self.pool).await?;
        rows.iter().map(adoption).collect()
    }

    /// The adopted version in force for `year`, as (file name, text, first year): the adoption
    /// with the greatest first year not after `year`, the later one on a tie; `None` before any
    /// adoption (the caller's own file is in force). The web's `Versions::for_year` decides alike.
    pub async fn policy_in_force(&self, year: i32) -> Result<Option<(String, String, i32)>> {
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT p.name, p.text, a.from_year FROM policy_adoptions a JOIN policy_versions p ON p.hash = a.hash \
             WHERE a.from_year <= $1 ORDER BY a.from_year DESC, a.id DESC LIMIT 1",
        )
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(n, t, y)| (n, t, y as i32)))
    }

    /// A stored policy text: (file name, text). Errors: `NotFound`.
    pub async fn policy_text(&self, hash: &str) -> Result<(String, String)> {
        let row: Option<(String, String)> = sqlx::query_as("SELECT name, text FROM policy_versions WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("政策版本 {}", &hash[..hash.len().min(12)])))
    }
}

//! The lists of seriously untrustworthy entities (严重失信主体名单) as the bureau imports them,
//! and a round's credit check (信用核查) against the entries in force on the check date.

use super::{RoundRecord, append, load};
use crate::runs::{check_actor, check_typed};
use crate::{Result, Store, StoreError, now};
use jiff::civil::Date;
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{Actor, CreditHit, Event};
use sqlx::Row;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One entry of a list file, as read (the reader has checked the USCC and the dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCreditEntry {
    pub uscc: String,
    /// 主体名称, when the file gives it.
    pub name: Option<String>,
    /// 名单名称, e.g. 失信被执行人名单.
    pub list: String,
    /// 认定部门 / 来源.
    pub source: String,
    pub listed: Date,
    /// 移出日期: the entry is in force before this date.
    pub removed: Option<Date>,
}

impl From<lianzhang_facts::lists::credit::CreditEntry> for NewCreditEntry {
    fn from(e: lianzhang_facts::lists::credit::CreditEntry) -> NewCreditEntry {
        NewCreditEntry {
            uscc: e.uscc,
            name: e.name,
            list: e.list,
            source: e.source,
            listed: e.listed,
            removed: e.removed,
        }
    }
}

/// An imported list file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreditList {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub file_name: String,
    pub entry_count: i64,
}

impl Store {
    /// Stores an imported list file (all entries or none). Errors: `Refused` unless `actor` is the
    /// bureau (工信局), for an empty list or text that breaks the door rules.
    pub async fn import_credit_list(
        &self,
        file_name: &str,
        entries: &[NewCreditEntry],
        actor: &Actor,
    ) -> Result<CreditList> {
        if actor.role != lianzhang_rounds::Role::Bureau {
            return Err(StoreError::Refused(format!("{}不能导入失信名单：此操作由工信局办理", actor.role.zh())));
        }
        let actor = actor.username.as_str();
        check_actor(actor)?;
        check_typed("文件名", file_name, TextKind::Line)?;
        if entries.is_empty() {
            return Err(StoreError::Refused("名单文件中没有条目".into()));
        }
        let at = now();
        let mut tx = self.begin_write().await?;
        // The same list imported again (every entry alike) is refused: it would change nothing
        // and the lists are never deleted.
        let key = |uscc: &str, list: &str, source: &str, listed: String, removed: Option<String>| {
            (uscc.to_string(), list.to_string(), source.to_string(), listed, removed)
        };
        let mut new: Vec<_> = entries
            .iter()
            .map(|e| key(&e.uscc, &e.list, &e.source, e.listed.to_string(), e.removed.map(|d| d.to_string())))
            .collect();
        new.sort();
        let same_size: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, file_name FROM credit_lists WHERE entry_count = $1 ORDER BY id")
                .bind(entries.len() as i64)
                .fetch_all(&mut *tx)
                .await?;
        for (other, other_name) in same_size {
            let rows =
                sqlx::query("SELECT uscc, list_name, source, listed, removed FROM credit_entries WHERE list_id = $1")
                    .bind(other)
                    .fetch_all(&mut *tx)
                    .await?;
            let mut old = rows
                .iter()
                .map(|r| {
                    Ok(key(
                        &r.try_get::<String, _>("uscc")?,
                        &r.try_get::<String, _>("list_name")?,
                        &r.try_get::<String, _>("source")?,
                        r.try_get("listed")?,
                        r.try_get("removed")?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            old.sort();
            if old == new {
                return Err(StoreError::Refused(format!(
                    "这份名单与第 {other} 次导入的“{other_name}”完全相同，无需再导入"
                )));
            }
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO credit_lists (at, actor, file_name, entry_count) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&at)
        .bind(actor)
        .bind(file_name)
        .bind(entries.len() as i64)
        .fetch_one(&mut *tx)
        .await?;
        for (i, e) in entries.iter().enumerate() {
            sqlx::query(
                "INSERT INTO credit_entries (list_id, row_no, uscc, name, list_name, source, listed, removed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(i as i64 + 1)
            .bind(&e.uscc)
            .bind(&e.name)
            .bind(&e.list)
            .bind(&e.source)
            .bind(e.listed.to_string())
            .bind(e.removed.map(|d| d.to_string()))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO audit (at, actor, action, table_name, row_key, field, old_value, new_value) \
             VALUES ($1, $2, 'import', 'credit_lists', $3, NULL, NULL, $4)",
        )
        .bind(&at)
        .bind(actor)
        .bind(id.to_string())
        .bind(format!("导入失信名单 {file_name}（{} 条）", entries.len()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(CreditList {
            id,
            at,
            actor: actor.to_string(),
            file_name: file_name.to_string(),
            entry_count: entries.len() as i64,
        })
    }

    /// The imported list files, newest first.
    pub async fn credit_lists(&self) -> Result<Vec<CreditList>> {
        let rows = sqlx::query("SELECT id, at, actor, file_name, entry_count FROM credit_lists ORDER BY id DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CreditList {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    file_name: r.try_get("file_name")?,
                    entry_count: r.try_get("entry_count")?,
                })
            })
            .collect()
    }

    /// Checks every enterprise of round `id` against the imported lists' entries in force on
    /// `date` (listed on or before it, not removed by it), and records the check with its source
    /// (the list files used). Errors: `Refused` when no list was imported, or by the workflow.
    pub async fn credit_check(&self, id: i64, actor: &Actor, date: Date) -> Result<Arc<RoundRecord>> {
        check_actor(&actor.username)?;
        let lists = self.credit_lists().await?;
        if lists.is_empty() {
            return Err(StoreError::Refused("还没有导入失信名单：请先导入名单文件再核查".into()));
        }
        let mut tx = self.begin_write().await?;
        let record = load(&mut tx, &self.rounds_cache, id).await?;
        let usccs: BTreeSet<&str> = record.round.lines().map(|l| l.key.uscc.as_str()).collect();
        let day = date.to_string();
        let rows = sqlx::query(
            "SELECT uscc, list_name, source, listed, removed FROM credit_entries \
             WHERE listed <= $1 AND (removed IS NULL OR removed > $1) ORDER BY uscc, listed",
        )
        .bind(&day)
        .fetch_all(&mut *tx)
        .await?;
        let mut hits = Vec::new();
        for r in &rows {
            let uscc: String = r.try_get("uscc")?;
            if !usccs.contains(uscc.as_str()) {
                continue;
            }
            let listed: String = r.try_get("listed")?;
            let removed: Option<String> = r.try_get("removed")?;
            let date =
                |s: &str| s.parse::<Date>().map_err(|e| StoreError::Inconsistent(format!("失信名单日期 {s}：{e}")));
            hits.push(CreditHit {
                uscc,
                list: r.try_get("list_name")?,
                source: r.try_get("source")?,
                listed: date(&listed)?,
                removed: removed.as_deref().map(date).transpose()?,
            });
        }
        let source = lists
            .iter()
            .map(|l| format!("{}（第 {} 次导入，{} 条）", l.file_name, l.id, l.entry_count))
            .collect::<Vec<_>>()
            .join("、");
        let record = append(&mut tx, &record, actor, Event::CreditChecked { date, source, hits }).await?;
        tx.commit().await?;
        let record = Arc::new(record);
        self.rounds_cache.put(record.clone());
        Ok(record)
    }
}

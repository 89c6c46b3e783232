//! Reads for the web pages and the API: enterprise search with filters and pagination, and one
//! enterprise's facts. All user input is bound as parameters, never spliced into SQL.

use crate::rows::{ANNUAL, ENTERPRISES, EXTRAS, PROJECTS, RECOGNITIONS, Table, annual_of, decode, rows_dataset};
use crate::{Result, Store};
use lianzhang_facts::{Annual, Dataset, Uscc, Vocabulary};
use sqlx::{AssertSqlSafe, Row};

#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Part of the name or the USCC.
    pub q: Option<String>,
    pub chain: Option<String>,
    pub stage: Option<String>,
    pub town: Option<String>,
    /// In the above-scale list in `year`.
    pub above_scale: Option<bool>,
    pub year: i32,
    /// Holding a recognition of this kind (code), in any year: the cultivation ladder.
    pub tier: Option<String>,
    /// Only the enterprises this user (a leader) is liaison for.
    pub liaison_of: Option<i64>,
    /// `name` (default), `revenue` (in `year`, largest first) or `uscc`.
    pub sort: Option<String>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct EnterpriseSummary {
    pub uscc: String,
    pub name: String,
    pub chain: Option<String>,
    pub stage: Option<String>,
    pub town: Option<String>,
    /// Revenue in `year`, in fen.
    pub revenue: Option<i64>,
    pub above_scale: Option<bool>,
}

const REVENUE_ORDER: &str = "y.revenue IS NULL, y.revenue DESC, e.uscc";

impl Store {
    /// One page of enterprises and the number matching in all.
    pub async fn search_enterprises(&self, f: &EnterpriseFilter) -> Result<(Vec<EnterpriseSummary>, i64)> {
        let mut wheres = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let param = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // A plain substring test (no wildcards to escape: `%` and `_` are just characters),
            // 2-4 times faster than LIKE on SQLite's scan; names as typed, codes in capitals.
            let find = match self.backend {
                crate::Backend::Sqlite => "instr",
                crate::Backend::Postgres => "strpos",
            };
            let name = param(q.to_string(), &mut binds);
            let code = param(q.to_uppercase(), &mut binds);
            wheres.push(format!("({find}(e.name, {name}) > 0 OR {find}(e.uscc, {code}) > 0)"));
        }
        for (col, v) in [("chain", &f.chain), ("stage", &f.stage), ("town", &f.town)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                let p = param(v.to_string(), &mut binds);
                wheres.push(format!("e.{col} = {p}"));
            }
        }
        if let Some(t) = f.tier.as_deref().filter(|t| !t.is_empty()) {
            let p = param(t.to_string(), &mut binds);
            wheres.push(format!("e.uscc IN (SELECT r.uscc FROM recognitions r WHERE r.kind = {p})"));
        }
        if let Some(id) = f.liaison_of {
            wheres.push(format!(
                "e.uscc IN (SELECT l.uscc FROM liaisons l JOIN users u ON u.person_id = l.person_id WHERE u.id = {id})"
            ));
        }
        if let Some(a) = f.above_scale {
            wheres.push(format!("COALESCE(y.above_scale, -1) = {}", i64::from(a)));
        }
        let filter = if wheres.is_empty() { String::new() } else { format!("WHERE {}", wheres.join(" AND ")) };
        // The year is the last parameter, so that a query without the join need not bind it.
        let year_param = binds.len() + 1;
        let from =
            format!("FROM enterprises e LEFT JOIN annual y ON y.uscc = e.uscc AND y.year = ${year_param} {filter}");
        let order = match f.sort.as_deref() {
            Some("revenue") => REVENUE_ORDER,
            Some("uscc") => "e.uscc",
            _ => "e.name, e.uscc",
        };
        let per_page = f.per_page.clamp(1, 200);
        let offset = (f.page.max(1) - 1) as i64 * per_page as i64;
        // The join adds nothing to the count (one row per enterprise and year) unless a filter
        // reads the year's row: count without it, which SQLite does from an index.
        let count_sql = if f.above_scale.is_some() {
            format!("SELECT COUNT(*) {from}")
        } else {
            format!("SELECT COUNT(*) FROM enterprises e {filter}")
        };
        let mut count = sqlx::query_as::<_, (i64,)>(AssertSqlSafe(count_sql));
        for b in &binds {
            count = count.bind(b.clone());
        }
        if f.above_scale.is_some() {
            count = count.bind(i64::from(f.year));
        }
        // The count and the page from one snapshot: a page never disagrees with its total.
        let mut tx = self.begin_read().await?;
        let (total,) = count.fetch_one(&mut *tx).await?;
        // Unless the year's row decides the order or the filter, page the enterprises first (from
        // an index) and join the year's row for the page only.
        let list_sql = if f.above_scale.is_none() && order != REVENUE_ORDER {
            format!(
                "SELECT e.uscc, e.name, e.chain, e.stage, e.town, y.revenue, y.above_scale FROM \
                 (SELECT * FROM enterprises e {filter} ORDER BY {order} LIMIT {per_page} OFFSET {offset}) e \
                 LEFT JOIN annual y ON y.uscc = e.uscc AND y.year = ${year_param} ORDER BY {order}"
            )
        } else {
            format!(
                "SELECT e.uscc, e.name, e.chain, e.stage, e.town, y.revenue, y.above_scale {from} ORDER BY {order} \
                 LIMIT {per_page} OFFSET {offset}"
            )
        };
        let mut list = sqlx::query(AssertSqlSafe(list_sql));
        for b in &binds {
            list = list.bind(b.clone());
        }
        list = list.bind(i64::from(f.year));
        let rows = list.fetch_all(&mut *tx).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(EnterpriseSummary {
                uscc: r.try_get(0)?,
                name: r.try_get(1)?,
                chain: r.try_get(2)?,
                stage: r.try_get(3)?,
                town: r.try_get(4)?,
                revenue: r.try_get(5)?,
                above_scale: r.try_get::<Option<i64>, _>(6)?.map(|b| b != 0),
            });
        }
        Ok((out, total))
    }

    /// The chain code of every enterprise on record (`None`: on no chain), by USCC.
    pub async fn enterprise_chains(&self) -> Result<std::collections::HashMap<String, Option<String>>> {
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT uscc, chain FROM enterprises").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().collect())
    }

    /// The chain code of the enterprise each project on record belongs to, by project id.
    pub async fn project_chains(&self) -> Result<std::collections::HashMap<String, Option<String>>> {
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT p.project_id, e.chain FROM projects p JOIN enterprises e ON e.uscc = p.uscc")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// The towns (乡镇) the registry knows, sorted, for the edit form's drop-down.
    pub async fn towns(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT town FROM enterprises WHERE town IS NOT NULL AND town <> '' ORDER BY town")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The latest year with annual data.
    pub async fn latest_year(&self) -> Result<Option<i32>> {
        let (y,): (Option<i64>,) = sqlx::query_as("SELECT MAX(year) FROM annual").fetch_one(&self.pool).await?;
        Ok(y.map(|y| y as i32))
    }

    /// Whether the user (a leader) is liaison for the enterprise.
    pub async fn is_liaison(&self, user_id: i64, uscc: &str) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM liaisons l JOIN users u ON u.person_id = l.person_id WHERE u.id = $1 AND l.uscc = $2",
        )
        .bind(user_id)
        .bind(uscc.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// The USCCs of the enterprises the user (a leader) is liaison for, sorted.
    pub async fn liaison_usccs(&self, user_id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT l.uscc FROM liaisons l JOIN users u ON u.person_id = l.person_id WHERE u.id = $1 ORDER BY l.uscc",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(u,)| u).collect())
    }

    /// One enterprise with all its facts, as a one-enterprise dataset, read in one snapshot (an
    /// edit committed meanwhile is either wholly in it or not at all).
    pub async fn enterprise(&self, vocabulary: &Vocabulary, uscc: &Uscc) -> Result<Option<Dataset>> {
        let key = uscc.as_str().to_string();
        let mut tx = self.begin_read().await?;
        let enterprises = rows_where(&mut tx, &ENTERPRISES, "uscc", &key).await?;
        if enterprises.is_empty() {
            return Ok(None);
        }
        let annual = rows_where(&mut tx, &ANNUAL, "uscc", &key).await?;
        let annual: Vec<(Uscc, Annual)> = annual.iter().map(|r| (*uscc, annual_of(r))).collect();
        let recognitions = rows_where(&mut tx, &RECOGNITIONS, "uscc", &key).await?;
        let projects = rows_where(&mut tx, &PROJECTS, "uscc", &key).await?;
        let extras = rows_where(&mut tx, &EXTRAS, "uscc", &key).await?;
        rows_dataset(vocabulary, enterprises, annual, recognitions, projects, extras).map(Some)
    }
}

async fn rows_where(
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    col: &str,
    value: &str,
) -> Result<crate::rows::Rows> {
    let cols: Vec<&str> = table.columns.iter().map(|c| c.0).collect();
    let sql = format!("SELECT {} FROM {} WHERE {col} = $1", cols.join(", "), table.name);
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(value.to_string()).fetch_all(conn).await?;
    rows.iter().map(|r| decode(table, r)).collect()
}

//! The four fact tables as generic rows of cells, and the conversions between them and a
//! [`Dataset`]: one description of each table serves loading, diffing, inserting and auditing.

use crate::{Result, StoreError};
use lianzhang_facts::{
    Annual, Dataset, DatasetBuilder, Enterprise, Extra, ExtraAt, ExtraValue, Fen, Project, Recognition, Uscc,
    Vocabulary,
};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

/// How a column is stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Text,
    /// A year or another plain integer.
    Int,
    /// Fen, shown as yuan.
    Money,
    /// 0/1, shown as 是/否.
    Bool,
}

pub struct Table {
    pub name: &'static str,
    /// FACTS.md sheet name, for reports.
    pub sheet: &'static str,
    pub columns: &'static [(&'static str, Ty)],
    /// The first `key` columns are the primary key.
    pub key: usize,
}

use Ty::*;

pub const ENTERPRISES: Table = Table {
    name: "enterprises",
    sheet: "enterprises",
    columns: &[
        ("uscc", Text),
        ("name", Text),
        ("chain", Text),
        ("stage", Text),
        ("town", Text),
        ("industry_code", Text),
        ("strategic_emerging", Bool),
        ("established", Text),
        ("chain_joined_year", Int),
    ],
    key: 1,
};

pub const ANNUAL: Table = Table {
    name: "annual",
    sheet: "annual",
    columns: &[
        ("uscc", Text),
        ("year", Int),
        ("revenue", Money),
        ("above_scale", Bool),
        ("chain_master", Bool),
        ("local_procurement", Money),
        ("total_procurement", Money),
        ("rd_expense", Money),
    ],
    key: 2,
};

pub const RECOGNITIONS: Table = Table {
    name: "recognitions",
    sheet: "recognitions",
    columns: &[("uscc", Text), ("kind", Text), ("year", Int)],
    key: 3,
};

pub const PROJECTS: Table = Table {
    name: "projects",
    sheet: "projects",
    columns: &[
        ("project_id", Text),
        ("uscc", Text),
        ("name", Text),
        ("category", Text),
        ("fixed_asset_investment", Money),
        ("start_year", Int),
        ("completed_year", Int),
    ],
    key: 1,
};

/// The values of the facts a policy declares beyond FACTS.md (issue 11), one row per value:
/// `at` is [`lianzhang_facts::ExtraAt::code`], `fact` the declared code, `value` the cell text.
pub const EXTRAS: Table = Table {
    name: "extra_facts",
    sheet: "extra_facts",
    columns: &[("uscc", Text), ("at", Text), ("fact", Text), ("value", Text)],
    key: 3,
};

/// In dependency order: enterprises before the rows that refer to them.
pub const TABLES: [&Table; 5] = [&ENTERPRISES, &ANNUAL, &RECOGNITIONS, &PROJECTS, &EXTRAS];

/// The rows of every table of [`TABLES`], in its order.
pub type TableRows = [Rows; 5];

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

impl Cell {
    fn text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Null, |s| Cell::Text(s.to_string()))
    }
    fn int(i: Option<i64>) -> Cell {
        i.map_or(Cell::Null, Cell::Int)
    }
    fn money(f: Option<Fen>) -> Cell {
        Cell::int(f.map(|f| f.0))
    }
    fn bool(b: Option<bool>) -> Cell {
        Cell::int(b.map(i64::from))
    }

    /// As a person reads it in the audit trail; `None` for an empty (unknown) cell.
    pub fn display(&self, ty: Ty) -> Option<String> {
        match (self, ty) {
            (Cell::Null, _) => None,
            (Cell::Int(f), Money) => Some(Fen(*f).to_yuan().to_string()),
            (Cell::Int(b), Bool) => Some(if *b != 0 { "是" } else { "否" }.to_string()),
            (Cell::Int(i), _) => Some(i.to_string()),
            (Cell::Text(s), _) => Some(s.clone()),
        }
    }

    fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }
    fn as_int(&self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(*i),
            _ => None,
        }
    }
}

pub type Rows = Vec<Vec<Cell>>;

/// The key of a row, as one string (cells joined by a separator no value contains).
pub fn key_of(table: &Table, row: &[Cell]) -> String {
    let mut k = String::new();
    for (i, c) in row[..table.key].iter().enumerate() {
        if i > 0 {
            k.push('|');
        }
        match c {
            Cell::Null => {}
            Cell::Int(v) => k.push_str(&v.to_string()),
            Cell::Text(s) => k.push_str(s),
        }
    }
    k
}

/// The dataset as rows of the tables, in [`TABLES`] order.
pub fn dataset_rows(ds: &Dataset) -> TableRows {
    let v = ds.vocabulary();
    let mut out: TableRows = Default::default();
    out[1].reserve(ds.annual_count());
    for f in ds.iter() {
        enterprise_rows(v, f, &mut out);
    }
    out
}

/// One enterprise's rows of the tables, appended to `out` (in [`TABLES`] order).
pub fn enterprise_rows(v: &Vocabulary, f: lianzhang_facts::EnterpriseFacts<'_>, out: &mut TableRows) {
    let e = f.enterprise;
    let u = Cell::Text(e.uscc.as_str().to_string());
    let chain = e.chain.map(|c| v.chain_info(c));
    out[0].push(vec![
        u.clone(),
        Cell::Text(e.name.clone()),
        Cell::text(chain.map(|c| c.code.as_str())),
        Cell::text(chain.zip(e.stage).map(|(c, s)| c.stages[s as usize].as_str())),
        Cell::text(e.town.as_deref()),
        Cell::text(e.industry_code.as_deref()),
        Cell::bool(e.strategic_emerging),
        Cell::text(e.established.map(|d| d.to_string()).as_deref()),
        Cell::int(e.chain_joined_year.map(i64::from)),
    ]);
    for r in f.annual {
        out[1].push(vec![
            u.clone(),
            Cell::Int(r.year.into()),
            Cell::money(r.revenue),
            Cell::bool(r.above_scale),
            Cell::bool(r.chain_master),
            Cell::money(r.local_procurement),
            Cell::money(r.total_procurement),
            Cell::money(r.rd_expense),
        ]);
    }
    for r in f.recognitions {
        out[2].push(vec![u.clone(), Cell::Text(v.kind_info(r.kind).code.clone()), Cell::Int(r.year.into())]);
    }
    for p in f.projects {
        out[3].push(vec![
            Cell::Text(p.project_id.clone()),
            u.clone(),
            Cell::Text(p.name.clone()),
            Cell::text(p.category.map(|c| v.category_info(c).code.as_str())),
            Cell::money(p.fixed_asset_investment),
            Cell::int(p.start_year.map(i64::from)),
            Cell::int(p.completed_year.map(i64::from)),
        ]);
    }
    for x in f.extras {
        let decl = &v.extras[usize::from(x.fact)];
        out[4].push(vec![
            u.clone(),
            Cell::Text(x.at.code()),
            Cell::Text(decl.code.clone()),
            Cell::Text(x.value.cell_text_as(decl.ty)),
        ]);
    }
}

/// Reads the annual rows straight into the engine's type: the registry's largest table, read
/// for every assessment. Each enterprise's rows arrive as one aggregated text (`string_agg`, in
/// both databases), which costs the drivers one row per enterprise instead of one per year.
/// `parity` picks the rows of even (0) or odd (1) years, so that two readers share the work;
/// `None` reads them all.
pub async fn load_annual(conn: &mut sqlx::AnyConnection, parity: Option<i64>) -> Result<Vec<(Uscc, Annual)>> {
    use futures_util::TryStreamExt;
    const CELL: &str = "COALESCE(CAST({} AS TEXT), '')";
    let cells: Vec<String> =
        ["year", "revenue", "above_scale", "chain_master", "local_procurement", "total_procurement", "rd_expense"]
            .iter()
            .map(|c| CELL.replace("{}", c))
            .collect();
    let filter = if parity.is_some() { "WHERE year % 2 = $1" } else { "" };
    let sql = format!("SELECT uscc, string_agg({}, ';') FROM annual {filter} GROUP BY uscc", cells.join(" || ',' || "));
    let mut out = Vec::new();
    let mut query = sqlx::query(AssertSqlSafe(sql));
    if let Some(p) = parity {
        query = query.bind(p);
    }
    let mut stream = query.fetch(conn);
    while let Some(r) = stream.try_next().await? {
        let text: &str = r.try_get(0)?;
        let bad = |what: &str| StoreError::Inconsistent(format!("annual {text}: {what}"));
        let uscc = Uscc::parse(text).map_err(|e| bad(&e.to_string()))?;
        let rows: &str = r.try_get(1)?;
        for row in rows.split(';') {
            let mut f = row.split(',');
            let mut next = || -> Result<Option<i64>> {
                match f.next() {
                    Some("") => Ok(None),
                    Some(v) => v.parse().map(Some).map_err(|_| bad(row)),
                    None => Err(bad(row)),
                }
            };
            let year = next()?.ok_or_else(|| bad(row))? as i32;
            let revenue = next()?.map(Fen);
            let above_scale = next()?.map(|b| b != 0);
            let chain_master = next()?.map(|b| b != 0);
            let local_procurement = next()?.map(Fen);
            let total_procurement = next()?.map(Fen);
            let rd_expense = next()?.map(Fen);
            out.push((
                uscc,
                Annual { year, revenue, above_scale, chain_master, local_procurement, total_procurement, rd_expense },
            ));
        }
    }
    Ok(out)
}

/// Reads every row of a table, sorted by key.
pub async fn load_table<'c, E>(exec: E, table: &Table) -> Result<Rows>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let cols: Vec<&str> = table.columns.iter().map(|c| c.0).collect();
    let keys: Vec<&str> = cols[..table.key].to_vec();
    let sql = format!("SELECT {} FROM {} ORDER BY {}", cols.join(", "), table.name, keys.join(", "));
    let rows: Vec<AnyRow> = sqlx::query(AssertSqlSafe(sql)).fetch_all(exec).await?;
    rows.iter().map(|r| decode(table, r)).collect()
}

/// Reads the rows of a table whose `column` holds one of `values`, sorted by key: what an import
/// of a few enterprises (the edit form) needs, without reading the whole table inside its write
/// transaction.
pub async fn load_table_where_in(
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    column: &str,
    values: &[String],
) -> Result<Rows> {
    let cols: Vec<&str> = table.columns.iter().map(|c| c.0).collect();
    let keys: Vec<&str> = cols[..table.key].to_vec();
    let mut out = Rows::new();
    for chunk in values.chunks(400) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE {column} IN ({}) ORDER BY {}",
            cols.join(", "),
            table.name,
            marks.join(", "),
            keys.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in chunk {
            q = q.bind(v.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(decode(table, &r)?);
        }
    }
    Ok(out)
}

pub(crate) fn decode(table: &Table, r: &AnyRow) -> Result<Vec<Cell>> {
    let mut out = Vec::with_capacity(table.columns.len());
    for (i, (_, ty)) in table.columns.iter().enumerate() {
        out.push(match ty {
            Text => Cell::text(r.try_get::<Option<String>, _>(i)?.as_deref()),
            Int | Money | Bool => Cell::int(r.try_get::<Option<i64>, _>(i)?),
        });
    }
    Ok(out)
}

fn inconsistent(table: &Table, row: &[Cell], what: &str) -> StoreError {
    StoreError::Inconsistent(format!("{} {}: {what}", table.name, key_of(table, row)))
}

/// An `annual` table row (as [`ANNUAL`] lists its columns) as the engine's type.
pub fn annual_of(r: &[Cell]) -> Annual {
    Annual {
        year: year(&r[1]).unwrap_or_default(),
        revenue: money(&r[2]),
        above_scale: flag(&r[3]),
        chain_master: flag(&r[4]),
        local_procurement: money(&r[5]),
        total_procurement: money(&r[6]),
        rd_expense: money(&r[7]),
    }
}

fn year(c: &Cell) -> Option<i32> {
    c.as_int().map(|y| y as i32)
}
fn flag(c: &Cell) -> Option<bool> {
    c.as_int().map(|b| b != 0)
}
fn money(c: &Cell) -> Option<Fen> {
    c.as_int().map(Fen)
}

/// Builds a dataset from the tables' rows, reading codes through `vocabulary`. Values of facts
/// the policy no longer declares are left out (the registry keeps them for a policy that does).
pub fn rows_dataset(
    vocabulary: &Vocabulary,
    enterprises: Rows,
    annual: Vec<(Uscc, Annual)>,
    recognitions: Rows,
    projects: Rows,
    extras: Rows,
) -> Result<Dataset> {
    let mut b = DatasetBuilder::new(vocabulary.clone());
    b.reserve_annual(annual.len());
    let uscc = |t: &Table, r: &[Cell], c: &Cell| {
        Uscc::parse(c.as_text().unwrap_or_default()).map_err(|e| inconsistent(t, r, &e.to_string()))
    };
    for r in &enterprises {
        let t = &ENTERPRISES;
        let chain = match r[2].as_text() {
            Some(code) => {
                Some(vocabulary.chain(code).ok_or_else(|| inconsistent(t, r, &format!("未知产业链 {code}")))?)
            }
            None => None,
        };
        let stage = match (chain, r[3].as_text()) {
            (Some(c), Some(s)) => {
                Some(vocabulary.stage(c, s).ok_or_else(|| inconsistent(t, r, &format!("未知环节 {s}")))?)
            }
            _ => None,
        };
        let established = match r[7].as_text() {
            Some(d) => Some(d.parse().map_err(|_| inconsistent(t, r, &format!("日期无效 {d}")))?),
            None => None,
        };
        b.enterprise(Enterprise {
            uscc: uscc(t, r, &r[0])?,
            name: r[1].as_text().unwrap_or_default().to_string(),
            chain,
            stage,
            town: r[4].as_text().map(str::to_string),
            industry_code: r[5].as_text().map(str::to_string),
            strategic_emerging: flag(&r[6]),
            established,
            chain_joined_year: year(&r[8]),
        });
    }
    for (u, row) in annual {
        b.annual(u, row);
    }
    for r in &recognitions {
        let code = r[1].as_text().unwrap_or_default();
        let kind = vocabulary
            .recognition_kind_by_code(code)
            .ok_or_else(|| inconsistent(&RECOGNITIONS, r, &format!("未知认定类型 {code}")))?;
        b.recognition(uscc(&RECOGNITIONS, r, &r[0])?, Recognition { kind, year: year(&r[2]).unwrap_or_default() });
    }
    for r in &projects {
        let category = match r[3].as_text() {
            Some(code) => Some(
                vocabulary
                    .project_category(code)
                    .ok_or_else(|| inconsistent(&PROJECTS, r, &format!("未知项目类别 {code}")))?,
            ),
            None => None,
        };
        b.project(
            uscc(&PROJECTS, r, &r[1])?,
            Project {
                project_id: r[0].as_text().unwrap_or_default().to_string(),
                name: r[2].as_text().unwrap_or_default().to_string(),
                category,
                fixed_asset_investment: money(&r[4]),
                start_year: year(&r[5]),
                completed_year: year(&r[6]),
            },
        );
    }
    for r in &extras {
        let t = &EXTRAS;
        let (Some(at), Some(code), Some(text)) = (r[1].as_text(), r[2].as_text(), r[3].as_text()) else { continue };
        let Some(fact) = vocabulary.extras.iter().position(|f| f.code == code) else { continue };
        let at = ExtraAt::from_code(at).ok_or_else(|| inconsistent(t, r, &format!("无效位置 {at}")))?;
        let value = ExtraValue::parse(vocabulary.extras[fact].ty, text)
            .map_err(|e| inconsistent(t, r, &format!("“{text}”：{e}")))?;
        b.extra(uscc(t, r, &r[0])?, Extra { at, fact: fact as u16, value });
    }
    b.build().map_err(|e| StoreError::Inconsistent(e.to_string()))
}

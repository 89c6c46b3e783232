//! Editing an enterprise in the browser: the submitted cells go through the very reader and
//! import that files go through, so they are validated the same way (every error, with its
//! column and reason) and written the same way (one transaction, each changed cell audited).

use crate::auth::{Session, check_csrf};
use crate::pages::{Frame, load_in_scope};
use crate::scope::Scope;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::{DataError, ReadError, read_dataset};
use lianzhang_facts::{MAX_YEAR, MIN_YEAR};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The editable cells: (FACTS.md column, 中文 label), enterprise first, then the year's row.
const ENTERPRISE_FIELDS: [(&str, &str); 8] = [
    ("name", "企业名称"),
    ("chain", "产业链"),
    ("stage", "环节"),
    ("town", "乡镇"),
    ("industry_code", "行业代码"),
    ("strategic_emerging", "战略性新兴产业（是/否，空为未知）"),
    ("established", "成立日期（YYYY-MM-DD）"),
    ("chain_joined_year", "入链年份"),
];
const ANNUAL_FIELDS: [(&str, &str); 6] = [
    ("revenue", "营业收入（元）"),
    ("above_scale", "规上企业（是/否）"),
    ("chain_master", "链主企业（是/否）"),
    ("local_procurement", "本地配套采购额（元）"),
    ("total_procurement", "配套采购总额（元）"),
    ("rd_expense", "研发投入（元）"),
];

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "edit.html")]
pub struct EditPage {
    frame: Frame,
    uscc: String,
    title: String,
    year: i32,
    enterprise: Vec<Field>,
    annual: Vec<Field>,
    errors: Vec<DataError>,
}

#[derive(serde::Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

fn yes_no(b: Option<bool>) -> String {
    b.map_or(String::new(), |b| if b { "是" } else { "否" }.to_string())
}

fn money(f: Option<lianzhang_facts::Fen>) -> String {
    f.map_or(String::new(), |f| f.to_yuan().to_string())
}

/// The current values of the form, from the record.
fn current(state: &AppState, ds: &lianzhang_facts::Dataset, year: i32) -> BTreeMap<&'static str, String> {
    let v = &state.policy.vocabulary;
    let f = ds.get(0);
    let e = f.enterprise;
    let chain = e.chain.map(|c| v.chain_info(c));
    let mut m = BTreeMap::new();
    m.insert("name", e.name.clone());
    m.insert("chain", chain.map_or(String::new(), |c| c.code.clone()));
    m.insert("stage", chain.zip(e.stage).map_or(String::new(), |(c, s)| c.stages[s as usize].clone()));
    m.insert("town", e.town.clone().unwrap_or_default());
    m.insert("industry_code", e.industry_code.clone().unwrap_or_default());
    m.insert("strategic_emerging", yes_no(e.strategic_emerging));
    m.insert("established", e.established.map_or(String::new(), |d| d.to_string()));
    m.insert("chain_joined_year", e.chain_joined_year.map_or(String::new(), |y| y.to_string()));
    let r = f.row(year);
    m.insert("revenue", money(r.and_then(|r| r.revenue)));
    m.insert("above_scale", yes_no(r.and_then(|r| r.above_scale)));
    m.insert("chain_master", yes_no(r.and_then(|r| r.chain_master)));
    m.insert("local_procurement", money(r.and_then(|r| r.local_procurement)));
    m.insert("total_procurement", money(r.and_then(|r| r.total_procurement)));
    m.insert("rd_expense", money(r.and_then(|r| r.rd_expense)));
    m
}

fn page(
    session: Session,
    uscc: &str,
    title: &str,
    year: i32,
    values: &BTreeMap<&'static str, String>,
    errors: Vec<DataError>,
) -> EditPage {
    let fields = |list: &[(&'static str, &'static str)], sheet: &str| {
        list.iter()
            .map(|(name, label)| Field {
                name,
                label,
                value: values.get(name).cloned().unwrap_or_default(),
                error: errors.iter().find(|e| e.sheet == sheet && e.column == *name).map(|e| e.reason.clone()),
            })
            .collect()
    };
    EditPage {
        uscc: uscc.to_string(),
        title: title.to_string(),
        year,
        enterprise: fields(&ENTERPRISE_FIELDS, "enterprises"),
        annual: fields(&ANNUAL_FIELDS, "annual"),
        errors,
        frame: Frame::new(session, "enterprises"),
    }
}

pub async fn edit_form(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(uscc): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<EditPage, WebError> {
    crate::scope::keeps_records(&session.user)?;
    let record = load_in_scope(&state, &session.user, &uscc).await?;
    let last = record.get(0).annual.last().map(|r| r.year);
    let year = q.year.or(last).unwrap_or(state.policy.meta.effective_from);
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(WebError::Invalid(format!("年度应在{MIN_YEAR}至{MAX_YEAR}之间")));
    }
    let values = current(&state, &record, year);
    let title = record.get(0).enterprise.name.clone();
    Ok(page(session, &uscc, &title, year, &values, Vec::new()))
}

pub async fn edit_save(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(uscc): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    crate::scope::keeps_records(&session.user)?;
    check_csrf(&session, form.get("csrf").map_or("", String::as_str))?;
    let record = load_in_scope(&state, &session.user, &uscc).await?;
    let year: i32 = form.get("year").and_then(|y| y.parse().ok()).ok_or(WebError::Invalid("年度无效".into()))?;
    let mut values = current(&state, &record, year);
    for (name, _) in ENTERPRISE_FIELDS.iter().chain(&ANNUAL_FIELDS) {
        if let Some(v) = form.get(*name) {
            values.insert(name, v.trim().to_string());
        }
    }
    // A task force keeps its enterprises on its own chain.
    if let Scope::Chain(own) = Scope::of(&session.user)
        && values["chain"] != own
    {
        return Err(WebError::Forbidden);
    }
    let dir = tempfile::tempdir().map_err(|e| WebError::Invalid(format!("无法创建临时目录：{e}")))?;
    let write = |file: &str, fields: &[(&str, &str)], lead: &[(&str, String)]| -> std::io::Result<()> {
        let mut w = csv::Writer::from_path(dir.path().join(file))?;
        let names: Vec<&str> = lead.iter().map(|l| l.0).chain(fields.iter().map(|f| f.0)).collect();
        w.write_record(&names)?;
        let row: Vec<String> =
            lead.iter().map(|l| l.1.clone()).chain(fields.iter().map(|f| values[f.0].clone())).collect();
        w.write_record(&row)?;
        w.flush()
    };
    write("enterprises.csv", &ENTERPRISE_FIELDS, &[("uscc", uscc.clone())])
        .and_then(|_| write("annual.csv", &ANNUAL_FIELDS, &[("uscc", uscc.clone()), ("year", year.to_string())]))
        .map_err(|e| WebError::Invalid(format!("无法写入临时文件：{e}")))?;
    match read_dataset(dir.path(), &state.policy.vocabulary) {
        Ok(ds) => {
            state.store.import(&ds, &session.user.username, "网页编辑", &|_, _| {}).await?;
            Ok(Redirect::to(&format!("/enterprises/{uscc}")).into_response())
        }
        Err(ReadError::Data(errors)) => {
            let title = record.get(0).enterprise.name.clone();
            let page = page(session, &uscc, &title, year, &values, errors.0);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(WebError::Invalid(other.to_string())),
    }
}

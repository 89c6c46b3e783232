//! Editing an enterprise in the browser: the submitted cells go through the very reader and
//! import that files go through, so they are validated the same way (every error, with its
//! column and reason) and written the same way (one transaction, each changed cell audited).
//!
//! The form speaks the clerk's language (issue 8 item 5): chains, stages, towns, recognition
//! kinds and project categories are chosen by Chinese name from drop-downs, yes/no facts are
//! 是/否/未知 (unknown is not 否), dates and years are typed as a clerk types them. The
//! drop-downs post the codes the reader takes; the reader checks them again.

mod form;

use crate::auth::{Session, check_csrf};
use crate::pages::{Frame, load_in_scope};
use crate::scope::Scope;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use form::{ANNUAL, Choices, ENTERPRISE, Field, PROJECT, Spec, YEARS};
use lianzhang_facts::{DataError, Dataset, Fen, ReadError, read_dataset};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The form's values by form field name: the FACTS.md columns of the enterprise and of the
/// year's row; `recognition` (a kind to add for the year); `town_new` (a town not yet in the
/// registry); `p{i}.{column}` for the enterprise's i-th project and `pn.{column}` for a new one.
type Values = BTreeMap<String, String>;

/// What the form shows: its values, the registry's values when it was first shown (posted back
/// in hidden `was.{name}` fields, so that a save changes only what the clerk changed), the
/// reader's errors, and (form field, why) for the cells changed by someone else meanwhile and
/// the values refused at the door (typed text a clerk does not type).
struct Shown {
    values: Values,
    was: Values,
    errors: Vec<DataError>,
    conflicts: Vec<(String, String)>,
}

/// One error of a submitted form, named as the form names it.
pub struct Problem {
    pub label: String,
    pub value: String,
    pub reason: String,
}

/// A project of the form: its id (fixed, or typed for a new one) and its controls.
pub struct ProjectForm {
    pub prefix: String,
    pub id: String,
    pub fields: Vec<Field>,
}

#[derive(Template, WebTemplate)]
#[template(path = "edit.html")]
pub struct EditPage {
    frame: Frame,
    uscc: String,
    title: String,
    year: i32,
    enterprise: Vec<Field>,
    town_new: String,
    annual: Vec<Field>,
    /// The recognitions of the year, by Chinese name.
    recognitions: Vec<String>,
    /// Kinds to add for the year: (code, 中文), and the one chosen.
    kinds: Vec<(String, String)>,
    recognition: String,
    recognition_error: Option<String>,
    projects: Vec<ProjectForm>,
    new_project: ProjectForm,
    problems: Vec<Problem>,
}

#[derive(serde::Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

fn yes_no(b: Option<bool>) -> String {
    b.map_or(String::new(), |b| if b { "是" } else { "否" }.to_string())
}

fn money(f: Option<Fen>) -> String {
    f.map_or(String::new(), |f| f.to_yuan().to_string())
}

fn year(y: Option<i32>) -> String {
    y.map_or(String::new(), |y| y.to_string())
}

/// The current values of the form, from the record.
fn current(state: &AppState, ds: &Dataset, year_shown: i32) -> Values {
    let v = &state.policy.vocabulary;
    let f = ds.get(0);
    let e = f.enterprise;
    let chain = e.chain.map(|c| v.chain_info(c));
    let mut m = Values::new();
    let mut put = |k: &str, val: String| {
        m.insert(k.to_string(), val);
    };
    put("name", e.name.clone());
    put("chain", chain.map_or(String::new(), |c| c.code.clone()));
    put("stage", chain.zip(e.stage).map_or(String::new(), |(c, s)| c.stages[s as usize].clone()));
    put("town", e.town.clone().unwrap_or_default());
    put("industry_code", e.industry_code.clone().unwrap_or_default());
    put("strategic_emerging", yes_no(e.strategic_emerging));
    put("established", e.established.map_or(String::new(), |d| format!("{}年{}月{}日", d.year(), d.month(), d.day())));
    put("chain_joined_year", year(e.chain_joined_year));
    let r = f.row(year_shown);
    put("revenue", money(r.and_then(|r| r.revenue)));
    put("above_scale", yes_no(r.and_then(|r| r.above_scale)));
    put("chain_master", yes_no(r.and_then(|r| r.chain_master)));
    put("local_procurement", money(r.and_then(|r| r.local_procurement)));
    put("total_procurement", money(r.and_then(|r| r.total_procurement)));
    put("rd_expense", money(r.and_then(|r| r.rd_expense)));
    for (i, p) in f.projects.iter().enumerate() {
        let k = |c: &str| format!("p{i}.{c}");
        put(&k("project_id"), p.project_id.clone());
        put(&k("name"), p.name.clone());
        put(&k("category"), p.category.map_or(String::new(), |c| v.category_info(c).code.clone()));
        put(&k("fixed_asset_investment"), money(p.fixed_asset_investment));
        put(&k("start_year"), year(p.start_year));
        put(&k("completed_year"), year(p.completed_year));
    }
    m
}

/// Where a reader error belongs: the form field it names.
fn field_of(e: &DataError, project_rows: &[String]) -> Option<String> {
    let find = |specs: &[Spec]| specs.iter().find(|s| s.0 == e.column || label_core(s.1) == e.column).map(|s| s.0);
    match e.sheet.as_str() {
        "enterprises" | "企业" => find(&ENTERPRISE).map(str::to_string),
        "annual" | "年度数据" => find(&ANNUAL).map(str::to_string),
        "recognitions" | "认定" => Some("recognition".into()),
        "projects" | "项目" => {
            let prefix = project_rows.get(e.row.checked_sub(2)?)?;
            let column = if e.column == "project_id" || e.column == "项目编号" {
                Some("project_id")
            } else {
                find(&PROJECT)
            };
            column.map(|c| format!("{prefix}.{c}"))
        }
        _ => None,
    }
}

/// Where the edit form holds a fact as the engine names a missing one: its year and field
/// (`2022年营业收入` → `(Some(2022), Some("revenue"))`, `入链年份` → `(None,
/// Some("chain_joined_year"))`); the field is `None` for a fact the form does not hold.
pub(crate) fn field_of_fact(text: &str) -> (Option<i32>, Option<&'static str>) {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let year = (digits.len() == 4).then(|| digits.parse().ok()).flatten();
    let what = if year.is_some() { text[4..].trim_start_matches('年') } else { text };
    // The engine names facts as the policy model does (`在规上工业企业库`); its codes are the
    // form's field names. Then the form's own labels.
    use lianzhang_policy::model::{FlagFact, MoneyFact};
    let by_engine = MoneyFact::ALL
        .iter()
        .find(|(_, f)| f.name_zh() == what)
        .map(|(c, _)| *c)
        .or_else(|| FlagFact::ALL.iter().find(|(_, f)| f.name_zh() == what).map(|(c, _)| *c));
    let field = by_engine.or_else(|| ANNUAL.iter().chain(&ENTERPRISE).find(|s| label_core(s.1) == what).map(|s| s.0));
    (year, field)
}

/// A label without its unit: `营业收入（元）` → `营业收入`.
fn label_core(label: &str) -> &str {
    label.split('（').next().unwrap_or(label)
}

struct Context<'a> {
    state: &'a AppState,
    towns: Vec<String>,
    only_chain: Option<String>,
}

impl Context<'_> {
    fn page(&self, session: Session, record: &Dataset, year: i32, form: &Shown) -> EditPage {
        let Shown { values, was, errors, conflicts } = form;
        let facts = record.get(0);
        let vocab = &self.state.policy.vocabulary;
        let project_rows: Vec<String> = written_projects(values);
        let error_of = |name: &str| {
            conflicts.iter().find(|c| c.0 == name).map(|c| c.1.clone()).or_else(|| {
                errors.iter().find(|e| field_of(e, &project_rows).as_deref() == Some(name)).map(|e| e.reason.clone())
            })
        };
        let choices = Choices { vocab, towns: &self.towns, only_chain: self.only_chain.as_deref() };
        let get = |name: &str| values.get(name).cloned().unwrap_or_default();
        let chain = get("chain");
        let fields = |specs: &[Spec], prefix: &str| -> Vec<Field> {
            specs
                .iter()
                .map(|s| {
                    let name = if prefix.is_empty() { s.0.to_string() } else { format!("{prefix}.{}", s.0) };
                    let mut f = choices.field(name.clone(), s, &get(&name), &chain, error_of(&name));
                    f.was = was.get(&name).cloned();
                    f
                })
                .collect()
        };
        let project = |prefix: String| ProjectForm {
            id: get(&format!("{prefix}.project_id")),
            fields: fields(&PROJECT, &prefix),
            prefix,
        };
        let labels: BTreeMap<String, String> = ENTERPRISE
            .iter()
            .chain(&ANNUAL)
            .map(|s| (s.0.to_string(), s.1.to_string()))
            .chain([("recognition".to_string(), "新增认定".to_string())])
            .collect();
        let label_of = |field: &str| match field.split_once('.') {
            Some((p, c)) => {
                let what = PROJECT.iter().find(|s| s.0 == c).map_or("项目编号", |s| s.1);
                format!("项目 {}：{}", get(&format!("{p}.project_id")), label_core(what))
            }
            None => labels.get(field).map_or_else(|| field.to_string(), |l| label_core(l).to_string()),
        };
        let clashes = conflicts.iter().map(|(name, reason)| Problem {
            label: label_of(name),
            value: get(name),
            reason: reason.clone(),
        });
        let problems = clashes
            .chain(errors.iter().map(|e| {
                let label = field_of(e, &project_rows).map_or_else(|| e.column.clone(), |f| label_of(&f));
                Problem { label, value: e.value.clone(), reason: e.reason.clone() }
            }))
            .collect();
        EditPage {
            uscc: facts.enterprise.uscc.as_str().to_string(),
            title: facts.enterprise.name.clone(),
            year,
            enterprise: fields(&ENTERPRISE, ""),
            town_new: get("town_new"),
            annual: fields(&ANNUAL, ""),
            recognitions: facts
                .recognitions
                .iter()
                .filter(|r| r.year == year)
                .map(|r| vocab.kind_info(r.kind).name.clone())
                .collect(),
            kinds: vocab.recognition_kinds.iter().map(|k| (k.code.clone(), k.name.clone())).collect(),
            recognition: get("recognition"),
            recognition_error: error_of("recognition"),
            projects: (0..facts.projects.len()).map(|i| project(format!("p{i}"))).collect(),
            new_project: project("pn".into()),
            problems,
            frame: Frame::new(session, "enterprises"),
        }
    }
}

/// The project rows a save writes, in order (their row in `projects.csv` is index + 2): every
/// project of the enterprise, then the new one if anything was typed for it.
fn written_projects(values: &Values) -> Vec<String> {
    let mut rows: Vec<String> =
        (0..).map(|i| format!("p{i}")).take_while(|p| values.contains_key(&format!("{p}.project_id"))).collect();
    let typed = |c: &str| values.get(&format!("pn.{c}")).is_some_and(|v| !v.is_empty());
    if typed("project_id") || PROJECT.iter().any(|s| typed(s.0)) {
        rows.push("pn".into());
    }
    rows
}

async fn context<'a>(state: &'a AppState, session: &Session) -> Result<Context<'a>, WebError> {
    let only_chain = match Scope::of(&session.user) {
        Scope::Chain(own) => Some(own),
        _ => None,
    };
    Ok(Context { state, towns: state.store.towns().await?, only_chain })
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
    if !(YEARS.0..=YEARS.1).contains(&year) {
        return Err(WebError::Invalid(format!("年度应在{}至{}之间", YEARS.0, YEARS.1)));
    }
    let values = current(&state, &record, year);
    let cx = context(&state, &session).await?;
    let shown = Shown { was: values.clone(), values, errors: Vec::new(), conflicts: Vec::new() };
    Ok(cx.page(session, &record, year, &shown))
}

pub async fn edit_save(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(uscc): Path<String>,
    Form(posted): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    crate::scope::keeps_records(&session.user)?;
    check_csrf(&session, posted.get("csrf").map_or("", String::as_str))?;
    let record = load_in_scope(&state, &session.user, &uscc).await?;
    let year = lianzhang_facts::typed::parse_year(posted.get("year").map_or("", String::as_str))
        .map_err(|e| WebError::Invalid(format!("年度：{e}")))?;
    // Every typed value is checked before anything is read or written; a refused one is shown
    // beside its field, escaped so that what was invisible can be seen and deleted.
    let refused: Vec<(String, String)> = posted
        .iter()
        .filter(|(k, _)| k.as_str() != "csrf")
        .filter_map(|(k, v)| {
            let why = lianzhang_facts::typed::check_text(v, lianzhang_facts::typed::TextKind::Line).err()?;
            Some((k.strip_prefix("was.").unwrap_or(k).to_string(), format!("{why}。未保存任何内容")))
        })
        .collect();
    let registry = current(&state, &record, year);
    let (mut values, mut was, clashes) = merge(&registry, &posted);
    // A town not yet in the registry is typed beside the drop-down.
    if let Some(town) = values.get("town_new").filter(|t| !t.is_empty()).cloned() {
        values.insert("town".into(), town);
    }
    // A task force keeps its enterprises on its own chain.
    if let Scope::Chain(own) = Scope::of(&session.user)
        && values["chain"] != own
    {
        return Err(WebError::Forbidden);
    }
    if !refused.is_empty() {
        for (name, _) in &refused {
            if let Some(v) = values.get_mut(name) {
                *v = lianzhang_facts::typed::escaped(v).into_owned();
            }
        }
        let cx = context(&state, &session).await?;
        let shown = Shown { values, was, errors: Vec::new(), conflicts: refused };
        let page = cx.page(session, &record, year, &shown);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if !clashes.is_empty() {
        let conflicts = explain_clashes(&state, &uscc, year, &registry, &clashes).await?;
        // Shown again with the registry's current values as the new starting point: saving
        // once more deliberately puts the clerk's values over the colleague's.
        for name in &clashes {
            was.insert(name.clone(), registry.get(name).cloned().unwrap_or_default());
        }
        let cx = context(&state, &session).await?;
        let shown = Shown { values, was, errors: Vec::new(), conflicts };
        let page = cx.page(session, &record, year, &shown);
        return Ok((axum::http::StatusCode::CONFLICT, page).into_response());
    }
    // The server's scratch folder never reaches the page: the detail goes to the log.
    let scratch = |e: std::io::Error| {
        tracing::error!(error = %e, "edit scratch space");
        WebError::Internal("服务器无法保存表单（临时目录不可用或磁盘已满），未保存任何内容；请联系系统管理员")
    };
    let dir = tempfile::tempdir().map_err(scratch)?;
    write_sheets(dir.path(), &uscc, year, &values).map_err(scratch)?;
    match read_dataset(dir.path(), &state.policy.vocabulary) {
        Ok(ds) => {
            state.store.import(&ds, &session.user.username, "网页编辑", &|_, _| {}).await?;
            Ok(Redirect::to(&format!("/enterprises/{uscc}")).into_response())
        }
        Err(ReadError::Data(errors)) => {
            let cx = context(&state, &session).await?;
            let shown = Shown { values, was, errors: errors.0, conflicts: Vec::new() };
            let page = cx.page(session, &record, year, &shown);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => {
            tracing::error!(error = %other, "edit form not read back");
            Err(WebError::Internal("服务器无法读取表单内容，未保存任何内容；请联系系统管理员"))
        }
    }
}

/// The values to save: the registry's, with each cell the clerk changed from what the form
/// showed (`was.{name}`) taken from the form. A cell changed in the registry since the form was
/// shown, and changed by the clerk to something else, is a clash: never silently overwritten.
/// A post without `was.{name}` (a client that does not send it) sets the cell as posted.
/// Returns (values, what the form showed, the clashing form fields).
fn merge(registry: &Values, posted: &BTreeMap<String, String>) -> (Values, Values, Vec<String>) {
    let mut values = registry.clone();
    let mut was = Values::new();
    let mut clashes = Vec::new();
    for (name, v) in posted {
        let v = v.trim().to_string();
        let editable = registry.contains_key(name)
            || ["recognition", "town_new"].contains(&name.as_str())
            || name.starts_with("pn.");
        if !editable {
            continue;
        }
        match posted.get(&format!("was.{name}")).map(|w| w.trim().to_string()) {
            Some(shown) => {
                let now = registry.get(name).cloned().unwrap_or_default();
                if v != shown {
                    if now != shown && now != v {
                        clashes.push(name.clone());
                    }
                    values.insert(name.clone(), v);
                }
                was.insert(name.clone(), shown);
            }
            None => {
                values.insert(name.clone(), v);
            }
        }
    }
    (values, was, clashes)
}

/// Why each clashing field was not saved: who changed it to what, and when.
async fn explain_clashes(
    state: &AppState,
    uscc: &str,
    year: i32,
    registry: &Values,
    clashes: &[String],
) -> Result<Vec<(String, String)>, WebError> {
    let mut out = Vec::new();
    for name in clashes {
        let (table, key, field) = match name.split_once('.') {
            Some((_, column)) => ("projects", registry.get(&name.replace(column, "project_id")).cloned(), column),
            None if ANNUAL.iter().any(|s| s.0 == name) => ("annual", Some(format!("{uscc}|{year}")), name.as_str()),
            None => ("enterprises", Some(uscc.to_string()), name.as_str()),
        };
        let last = match key {
            Some(k) => {
                state.store.audit(Some((table, &k)), 200).await?.into_iter().find(|a| a.field.as_deref() == Some(field))
            }
            None => None,
        };
        let now = registry.get(name).cloned().unwrap_or_default();
        let now = if now.is_empty() { "（空）".to_string() } else { format!("“{now}”") };
        let who = last.map_or_else(String::new, |a| format!("（{} 于 {}）", a.actor, crate::format::beijing(&a.at)));
        out.push((
            name.clone(),
            format!("打开表单后此项已被他人改为{now}{who}，您的修改未保存；核对后如仍要修改，请再次保存"),
        ));
    }
    Ok(out)
}

/// The form as a small dataset folder (English headers, as FACTS.md names the columns).
fn write_sheets(dir: &std::path::Path, uscc: &str, year: i32, values: &Values) -> std::io::Result<()> {
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let write = |file: &str, header: Vec<&str>, rows: Vec<Vec<String>>| -> std::io::Result<()> {
        let mut w = csv::Writer::from_path(dir.join(file))?;
        w.write_record(&header)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()
    };
    let columns = |lead: &[&'static str], specs: &[Spec]| -> Vec<&'static str> {
        lead.iter().copied().chain(specs.iter().map(|s| s.0)).collect()
    };
    let mut enterprise = vec![uscc.to_string()];
    enterprise.extend(ENTERPRISE.iter().map(|s| get(s.0)));
    write("enterprises.csv", columns(&["uscc"], &ENTERPRISE), vec![enterprise])?;
    let mut annual = vec![uscc.to_string(), year.to_string()];
    annual.extend(ANNUAL.iter().map(|s| get(s.0)));
    write("annual.csv", columns(&["uscc", "year"], &ANNUAL), vec![annual])?;
    let kind = get("recognition");
    if !kind.is_empty() {
        write("recognitions.csv", vec!["uscc", "kind", "year"], vec![vec![uscc.to_string(), kind, year.to_string()]])?;
    }
    let projects: Vec<Vec<String>> = written_projects(values)
        .iter()
        .map(|p| {
            let mut row = vec![get(&format!("{p}.project_id")), uscc.to_string()];
            row.extend(PROJECT.iter().map(|s| get(&format!("{p}.{}", s.0))));
            row
        })
        .collect();
    if !projects.is_empty() {
        write("projects.csv", columns(&["project_id", "uscc"], &PROJECT), projects)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_fact_names_its_field_and_year() {
        use super::field_of_fact as f;
        assert_eq!(f("2022年营业收入"), (Some(2022), Some("revenue")));
        assert_eq!(f("2023年本地配套采购额"), (Some(2023), Some("local_procurement")));
        assert_eq!(f("2024年研发投入"), (Some(2024), Some("rd_expense")));
        assert_eq!(f("2024年在规上工业企业库"), (Some(2024), Some("above_scale")));
        assert_eq!(f("战略性新兴产业企业"), (None, Some("strategic_emerging")));
        assert_eq!(f("入链年份"), (None, Some("chain_joined_year")));
        assert_eq!(f("2023年某项不在表单上的事实"), (Some(2023), None));
    }
}

//! Editing an enterprise in the browser: the submitted cells go through the very reader and
//! import that files go through, so they are validated the same way (every error, with its
//! column and reason) and written the same way (one transaction, each changed cell audited).
//!
//! The form speaks the clerk's language (issue 8 item 5): chains, stages, towns, recognition
//! kinds and project categories are chosen by Chinese name from drop-downs, yes/no facts are
//! 是/否/未知 (unknown is not 否), dates and years are typed as a clerk types them. The
//! drop-downs post the codes the reader takes; the reader checks them again.

mod form;
mod values;

use crate::auth::{Session, check_csrf};
use crate::pages::{Frame, load_in_scope};
use crate::scope::Scope;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use form::{Choices, Field, Spec, Specs, YEARS};
use lianzhang_facts::{DataError, Dataset, ReadError, Vocabulary, read_dataset};
use std::collections::BTreeMap;
use std::sync::Arc;
use values::{Values, current, merge, write_sheets, written_projects};

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

/// Where a reader error belongs: the form field it names.
fn field_of(specs: &Specs, e: &DataError, project_rows: &[String]) -> Option<String> {
    let find = |list: &[Spec]| {
        list.iter().find(|s| s.code == e.column || label_core(&s.label) == e.column).map(|s| s.code.clone())
    };
    match e.sheet.as_str() {
        "enterprises" | "企业" => find(&specs.enterprise),
        "annual" | "年度数据" => find(&specs.annual),
        "recognitions" | "认定" => Some("recognition".into()),
        "projects" | "项目" => {
            let prefix = project_rows.get(e.row.checked_sub(2)?)?;
            let column = if e.column == "project_id" || e.column == "项目编号" {
                Some("project_id".to_string())
            } else {
                find(&specs.project)
            };
            column.map(|c| format!("{prefix}.{c}"))
        }
        _ => None,
    }
}

/// Where the edit form holds a fact as the engine names a missing one: its year and field
/// (`2022年营业收入` → `(Some(2022), Some("revenue"))`, `入链年份` → `(None,
/// Some("chain_joined_year"))`, a declared `2022年实缴税金` → `(Some(2022), Some("tax_paid"))`);
/// the field is `None` for a fact the form does not hold.
pub(crate) fn field_of_fact(vocab: &Vocabulary, text: &str) -> (Option<i32>, Option<String>) {
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
    let specs = Specs::of(vocab);
    let field = by_engine.map(str::to_string).or_else(|| specs.own(what).map(|s| s.code.clone())).or_else(|| {
        specs.enterprise.iter().chain(&specs.annual).find(|s| label_core(&s.label) == what).map(|s| s.code.clone())
    });
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
        let specs = Specs::of(vocab);
        let project_rows: Vec<String> = written_projects(&specs, values);
        let error_of = |name: &str| {
            conflicts.iter().find(|c| c.0 == name).map(|c| c.1.clone()).or_else(|| {
                errors
                    .iter()
                    .find(|e| field_of(&specs, e, &project_rows).as_deref() == Some(name))
                    .map(|e| e.reason.clone())
            })
        };
        let choices = Choices { vocab, towns: &self.towns, only_chain: self.only_chain.as_deref() };
        let get = |name: &str| values.get(name).cloned().unwrap_or_default();
        let chain = get("chain");
        let fields = |specs: &[Spec], prefix: &str| -> Vec<Field> {
            specs
                .iter()
                .map(|s| {
                    let name = if prefix.is_empty() { s.code.clone() } else { format!("{prefix}.{}", s.code) };
                    let mut f = choices.field(name.clone(), s, &get(&name), &chain, error_of(&name));
                    f.was = was.get(&name).cloned();
                    f
                })
                .collect()
        };
        let project = |prefix: String| ProjectForm {
            id: get(&format!("{prefix}.project_id")),
            fields: fields(&specs.project, &prefix),
            prefix,
        };
        let labels: BTreeMap<String, String> = specs
            .enterprise
            .iter()
            .chain(&specs.annual)
            .map(|s| (s.code.clone(), s.label.clone()))
            .chain([("recognition".to_string(), "新增认定".to_string())])
            .collect();
        let label_of = |field: &str| match field.split_once('.') {
            Some((p, c)) => {
                let what = specs.project.iter().find(|s| s.code == c).map_or("项目编号", |s| s.label.as_str());
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
                let label = field_of(&specs, e, &project_rows).map_or_else(|| e.column.clone(), |f| label_of(&f));
                Problem { label, value: e.value.clone(), reason: e.reason.clone() }
            }))
            .collect();
        EditPage {
            uscc: facts.enterprise.uscc.as_str().to_string(),
            title: facts.enterprise.name.clone(),
            year,
            enterprise: fields(&specs.enterprise, ""),
            town_new: get("town_new"),
            annual: fields(&specs.annual, ""),
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
    let values = current(&state.policy.vocabulary, &Specs::of(&state.policy.vocabulary), &record, year);
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
    let specs = Specs::of(&state.policy.vocabulary);
    let registry = current(&state.policy.vocabulary, &specs, &record, year);
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
        let conflicts = explain_clashes(&state, &specs, &uscc, year, &registry, &clashes).await?;
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
    write_sheets(dir.path(), &specs, &uscc, year, &values).map_err(scratch)?;
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

/// Why each clashing field was not saved: who changed it to what, and when.
async fn explain_clashes(
    state: &AppState,
    specs: &Specs,
    uscc: &str,
    year: i32,
    registry: &Values,
    clashes: &[String],
) -> Result<Vec<(String, String)>, WebError> {
    let mut out = Vec::new();
    for name in clashes {
        // Where the cell's audit entries are: a declared fact's in `extra_facts` (one row each).
        let (table, key, field) = match name.split_once('.') {
            Some((p, column)) => {
                let id = registry.get(&format!("{p}.project_id")).cloned();
                match specs.project.iter().find(|s| s.code == column && s.declared) {
                    Some(_) => ("extra_facts", id.map(|id| format!("{uscc}|project:{id}|{column}")), "value"),
                    None => ("projects", id, column),
                }
            }
            None => match specs.own(name) {
                Some(s) if s.declared && specs.annual.iter().any(|a| a.code == s.code) => {
                    ("extra_facts", Some(format!("{uscc}|{year}|{name}")), "value")
                }
                Some(s) if s.declared => ("extra_facts", Some(format!("{uscc}|enterprise|{name}")), "value"),
                _ if specs.annual.iter().any(|s| &s.code == name) => {
                    ("annual", Some(format!("{uscc}|{year}")), name.as_str())
                }
                _ => ("enterprises", Some(uscc.to_string()), name.as_str()),
            },
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_fact_names_its_field_and_year() {
        let v = lianzhang_policy::PolicyFile::bundled().compile().unwrap().vocabulary;
        let mut q = v.clone();
        q.extras.push(lianzhang_facts::ExtraFact {
            code: "tax_paid".into(),
            name: "实缴税金".into(),
            ty: lianzhang_facts::ExtraType::Money,
            place: lianzhang_facts::ExtraPlace::Yearly,
        });
        let f = |t: &str| super::field_of_fact(&v, t);
        assert_eq!(super::field_of_fact(&q, "2022年实缴税金"), (Some(2022), Some("tax_paid".to_string())));
        assert_eq!(f("2022年实缴税金"), (Some(2022), None), "not declared by the bundled policy");
        assert_eq!(f("2022年营业收入"), (Some(2022), Some("revenue".to_string())));
        assert_eq!(f("2023年本地配套采购额"), (Some(2023), Some("local_procurement".to_string())));
        assert_eq!(f("2024年研发投入"), (Some(2024), Some("rd_expense".to_string())));
        assert_eq!(f("2024年在规上工业企业库"), (Some(2024), Some("above_scale".to_string())));
        assert_eq!(f("战略性新兴产业企业"), (None, Some("strategic_emerging".to_string())));
        assert_eq!(f("入链年份"), (None, Some("chain_joined_year".to_string())));
        assert_eq!(f("2023年某项不在表单上的事实"), (Some(2023), None));
    }
}

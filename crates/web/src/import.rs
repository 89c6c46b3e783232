//! 导入: upload an .xlsx workbook or a .zip of CSV files, see every error in a table, confirm to
//! import (one transaction, audited); download the import template; export the registry (within
//! the user's scope).

use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::scope::Scope;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use lianzhang_facts::{DataError, Dataset, DatasetBuilder, ReadError, read_dataset};
use lianzhang_store::{ImportReport, Role};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Validated uploads waiting for confirmation: one per user (a new upload replaces it), with the
/// random id its confirmation form carries.
#[derive(Default)]
pub struct Staged(Mutex<HashMap<String, (String, Dataset)>>);

fn may_import(session: &Session) -> Result<(), WebError> {
    match session.user.role {
        Role::Admin | Role::Bureau | Role::TaskForce => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub struct ImportPage {
    frame: Frame,
    file: Option<String>,
    errors: Vec<DataError>,
    problem: Option<String>,
    /// Validated and waiting: (staging id, counts).
    ready: Option<(String, String)>,
    report: Option<ImportReport>,
}

fn blank(session: Session) -> ImportPage {
    ImportPage {
        frame: Frame::new(session, "import"),
        file: None,
        errors: vec![],
        problem: None,
        ready: None,
        report: None,
    }
}

pub async fn form(session: Session) -> Result<ImportPage, WebError> {
    may_import(&session)?;
    Ok(blank(session))
}

/// Unpacks the CSV files of a zip into `dir` (flat: folders inside the zip are ignored).
fn unzip(bytes: &[u8], dir: &Path) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("不是有效的 zip 文件：{e}"))?;
    let mut found = 0;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| format!("zip 文件损坏：{e}"))?;
        let Some(name) = f.enclosed_name().and_then(|p| p.file_name().map(|n| n.to_owned())) else { continue };
        if !name.to_string_lossy().to_lowercase().ends_with(".csv") {
            continue;
        }
        let mut out = std::fs::File::create(dir.join(&name)).map_err(|e| e.to_string())?;
        std::io::copy(&mut f, &mut out).map_err(|e| format!("zip 文件损坏：{e}"))?;
        found += 1;
    }
    if found == 0 {
        return Err("zip 中没有 CSV 文件".into());
    }
    Ok(())
}

/// The dataset's enterprises a task force may not write: those outside its chain in the file, and
/// those on record under another chain (a file must not move another chain's enterprise into the
/// task force's own).
async fn outside(state: &AppState, scope: &Scope, ds: &Dataset) -> Result<Vec<String>, WebError> {
    let Scope::Chain(own) = scope else { return Ok(vec![]) };
    let stored = state.store.enterprise_chains().await?;
    let v = ds.vocabulary();
    Ok(ds
        .enterprises()
        .iter()
        .filter(|e| {
            let in_file = e.chain.map(|c| v.chain_info(c).code.as_str());
            let on_record = stored.get(e.uscc.as_str());
            in_file != Some(own.as_str()) || on_record.is_some_and(|c| c.as_deref() != Some(own.as_str()))
        })
        .map(|e| format!("{}（{}）", e.name, e.uscc))
        .collect())
}

pub async fn upload(
    State(state): State<Arc<AppState>>,
    session: Session,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    may_import(&session)?;
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|e| WebError::Invalid(format!("上传失败：{e}")))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|e| WebError::Invalid(format!("上传失败：{e}")))?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    check_csrf(&session, &csrf)?;
    let Some((name, bytes)) = file else { return Err(WebError::Invalid("请选择文件".into())) };
    let dir = tempfile::tempdir().map_err(|e| WebError::Invalid(e.to_string()))?;
    let lower = name.to_lowercase();
    let mut page = blank(session);
    page.file = Some(name.clone());
    let path = if lower.ends_with(".zip") {
        if let Err(p) = unzip(&bytes, dir.path()) {
            page.problem = Some(p);
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        dir.path().to_path_buf()
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".ods") {
        let p = dir.path().join(format!("upload.{}", lower.rsplit('.').next().unwrap_or("xlsx")));
        std::fs::write(&p, &bytes).map_err(|e| WebError::Invalid(e.to_string()))?;
        p
    } else {
        page.problem = Some("请上传 .xlsx 工作簿或 CSV 文件的 .zip 压缩包".into());
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let vocab = state.policy.vocabulary.clone();
    let read_path = path.clone();
    let read = tokio::task::spawn_blocking(move || read_dataset(&read_path, &vocab)).await.expect("reader task");
    match read {
        Ok(ds) => {
            let foreign = outside(&state, &Scope::of(&page.frame.user), &ds).await?;
            if !foreign.is_empty() {
                page.problem = Some(format!(
                    "文件中有 {} 家企业不属于您的产业链（按文件或企业库），不能导入：{}",
                    foreign.len(),
                    foreign.iter().take(10).cloned().collect::<Vec<_>>().join("、")
                ));
                return Ok((axum::http::StatusCode::FORBIDDEN, page).into_response());
            }
            let counts = ds.summary_zh();
            let id = crate::auth::random_token();
            state.staged.0.lock().expect("staged").insert(page.frame.user.username.clone(), (id.clone(), ds));
            page.ready = Some((id, counts));
            Ok(page.into_response())
        }
        Err(ReadError::Data(errors)) => {
            page.errors = errors.0;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => {
            page.problem = Some(other.to_string());
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub struct Confirm {
    #[serde(default)]
    csrf: String,
    id: String,
}

pub async fn confirm(
    State(state): State<Arc<AppState>>,
    session: Session,
    Form(f): Form<Confirm>,
) -> Result<Response, WebError> {
    may_import(&session)?;
    check_csrf(&session, &f.csrf)?;
    let ds = {
        let mut staged = state.staged.0.lock().expect("staged");
        match staged.remove(&session.user.username) {
            Some((id, ds)) if id == f.id => ds,
            // Another upload's form: keep the pending one.
            Some(other) => {
                staged.insert(session.user.username.clone(), other);
                return Err(WebError::NotFound("待导入的文件（请重新上传）".into()));
            }
            None => return Err(WebError::NotFound("待导入的文件（请重新上传）".into())),
        }
    };
    // The user's scope may have changed since the upload.
    if !outside(&state, &Scope::of(&session.user), &ds).await?.is_empty() {
        return Err(WebError::Forbidden);
    }
    let report = state.store.import(&ds, &session.user.username, "网页导入", &|_, _| {}).await?;
    let mut page = blank(session);
    page.report = Some(report);
    Ok(page.into_response())
}

/// `GET /import/template.xlsx`
pub async fn template(State(state): State<Arc<AppState>>, session: Session) -> Result<Response, WebError> {
    may_import(&session)?;
    let dir = tempfile::tempdir().map_err(|e| WebError::Invalid(e.to_string()))?;
    let path = dir.path().join("template.xlsx");
    let vocab = state.policy.vocabulary.clone();
    let p = path.clone();
    tokio::task::spawn_blocking(move || lianzhang_facts::template::write_template(&vocab, &p))
        .await
        .expect("template task")
        .map_err(|e| WebError::Invalid(e.to_string()))?;
    xlsx_download(&path, "导入模板.xlsx")
}

fn xlsx_download(path: &Path, name: &str) -> Result<Response, WebError> {
    let bytes = std::fs::read(path).map_err(|e| WebError::Invalid(e.to_string()))?;
    let disposition =
        format!("attachment; filename=\"registry.xlsx\"; filename*=UTF-8''{}", crate::pages::urlencode(name));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The dataset restricted to one chain's enterprises.
fn only_chain(ds: &Dataset, code: &str) -> Dataset {
    let v = ds.vocabulary();
    let mut b = DatasetBuilder::new(v.clone());
    for f in ds.iter().filter(|f| f.enterprise.chain.map(|c| v.chain_info(c).code.as_str()) == Some(code)) {
        let u = f.enterprise.uscc;
        b.enterprise(f.enterprise.clone());
        f.annual.iter().for_each(|r| {
            b.annual(u, *r);
        });
        f.recognitions.iter().for_each(|r| {
            b.recognition(u, *r);
        });
        f.projects.iter().for_each(|p| {
            b.project(u, p.clone());
        });
    }
    b.build().expect("a subset of a valid dataset is valid")
}

/// `GET /export.xlsx`: the registry, restricted to the user's chain for a task force.
pub async fn export(State(state): State<Arc<AppState>>, session: Session) -> Result<Response, WebError> {
    let scope = Scope::of(&session.user);
    if !matches!(scope, Scope::All | Scope::Chain(_)) {
        return Err(WebError::Forbidden);
    }
    let mut ds = state.store.load_dataset(&state.policy.vocabulary).await?;
    if let Scope::Chain(code) = &scope {
        ds = only_chain(&ds, code);
    }
    let dir = tempfile::tempdir().map_err(|e| WebError::Invalid(e.to_string()))?;
    let path = dir.path().join("registry.xlsx");
    let p = path.clone();
    tokio::task::spawn_blocking(move || lianzhang_facts::write_xlsx(&ds, &p, lianzhang_facts::HeaderLanguage::Chinese))
        .await
        .expect("export task")
        .map_err(|e| WebError::Invalid(e.to_string()))?;
    xlsx_download(&path, "企业库.xlsx")
}

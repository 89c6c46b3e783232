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
use lianzhang_store::ImportReport;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Validated uploads waiting for confirmation: one per user (a new upload replaces it), with the
/// random id its confirmation form carries.
#[derive(Default)]
pub struct Staged(Mutex<HashMap<String, (String, Dataset)>>);

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
    crate::scope::keeps_records(&session.user)?;
    Ok(blank(session))
}

/// The most a zip of CSV files may unpack to (the upload limit itself is 256 MB).
const UNZIPPED_LIMIT: u64 = 1 << 30;

/// Unpacks the CSV files of a zip into `dir` (flat: folders inside the zip are ignored).
fn unzip(bytes: &[u8], dir: &Path, limit: u64) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("不是有效的 zip 文件：{e}"))?;
    let (mut found, mut unpacked) = (0, 0u64);
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| format!("zip 文件损坏：{e}"))?;
        let Some(name) = f.enclosed_name().and_then(|p| p.file_name().map(|n| n.to_owned())) else { continue };
        if !name.to_string_lossy().to_lowercase().ends_with(".csv") {
            continue;
        }
        let mut out = std::fs::File::create(dir.join(&name)).map_err(|e| e.to_string())?;
        // Read no more than the limit (plus one byte, to know it was passed): a small zip can
        // unpack to gigabytes.
        let room = limit - unpacked;
        let copied = std::io::copy(&mut (&mut f).take(room + 1), &mut out).map_err(|e| format!("zip 文件损坏：{e}"))?;
        if copied > room {
            return Err(format!("zip 解压后超过 {} MB，请拆分后分批导入", limit >> 20));
        }
        unpacked += copied;
        found += 1;
    }
    if found == 0 {
        return Err("zip 中没有 CSV 文件".into());
    }
    Ok(())
}

/// What in the dataset a task force may not write: enterprises outside its chain in the file,
/// enterprises on record under another chain, and projects on record under another chain's
/// enterprise (a project is keyed by its id alone: the file must not move it to the task force's
/// enterprise).
async fn outside(state: &AppState, scope: &Scope, ds: &Dataset) -> Result<Vec<String>, WebError> {
    let Scope::Chain(own) = scope else { return Ok(vec![]) };
    let own = Some(own.as_str());
    let stored = state.store.enterprise_chains().await?;
    let v = ds.vocabulary();
    let mut foreign: Vec<String> = ds
        .enterprises()
        .iter()
        .filter(|e| {
            let in_file = e.chain.map(|c| v.chain_info(c).code.as_str());
            let on_record = stored.get(e.uscc.as_str());
            in_file != own || on_record.is_some_and(|c| c.as_deref() != own)
        })
        .map(|e| format!("{}（{}）", e.name, e.uscc))
        .collect();
    if ds.iter().any(|f| !f.projects.is_empty()) {
        let projects = state.store.project_chains().await?;
        for f in ds.iter() {
            for p in f.projects.iter().filter(|p| projects.get(&p.project_id).is_some_and(|c| c.as_deref() != own)) {
                foreign.push(format!("项目 {}", p.project_id));
            }
        }
    }
    Ok(foreign)
}

pub async fn upload(
    State(state): State<Arc<AppState>>,
    session: Session,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    crate::scope::keeps_records(&session.user)?;
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
        if let Err(p) = unzip(&bytes, dir.path(), UNZIPPED_LIMIT) {
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
                    "文件中有 {} 项（企业或项目）不属于您的产业链（按文件或企业库），不能导入：{}",
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
    crate::scope::keeps_records(&session.user)?;
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
    crate::scope::keeps_records(&session.user)?;
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
    tokio::task::spawn_blocking(move || {
        lianzhang_facts::write_xlsx(&ds, &p, lianzhang_facts::HeaderLanguage::Chinese, None)
    })
    .await
    .expect("export task")
    .map_err(|e| WebError::Invalid(e.to_string()))?;
    xlsx_download(&path, "企业库.xlsx")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_unpacks_its_csv_files_up_to_the_limit_and_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let small = zip_of(&[("a/enterprises.csv", b"uscc,name\n"), ("notes.txt", b"x")]);
        unzip(&small, dir.path(), 1 << 20).unwrap();
        assert!(dir.path().join("enterprises.csv").exists() && !dir.path().join("notes.txt").exists());
        // Two files of 3 MB each (a few kilobytes zipped) against a 4 MB limit.
        let big = vec![b'a'; 3 << 20];
        let bomb = zip_of(&[("enterprises.csv", &big), ("annual.csv", &big)]);
        assert!(bomb.len() < 100_000);
        let dir = tempfile::tempdir().unwrap();
        let err = unzip(&bomb, dir.path(), 4 << 20).unwrap_err();
        assert!(err.contains("超过 4 MB"), "{err}");
        let written: u64 = std::fs::read_dir(dir.path()).unwrap().map(|f| f.unwrap().metadata().unwrap().len()).sum();
        assert!(written <= (4 << 20) + 1, "stopped at the limit: {written}");
    }
}

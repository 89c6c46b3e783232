//! 导入: upload an .xlsx workbook or a .zip of CSV files, see every error in a table, check the
//! diff (every cell the import would change, who changed it last, the conflicts with edits made
//! after the file was exported) and confirm to import (one transaction, audited); download the
//! import template; export the registry (within the user's scope), stamped with its revision.

use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::scope::Scope;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lianzhang_facts::{DataError, Dataset, DatasetBuilder, ReadError, read_dataset_limited};
use lianzhang_store::{
    CellChange, CellId, Choice, ImportOptions, ImportOutcome, ImportPreview, ImportReport, Resolution,
};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

mod receive;
pub(crate) use receive::one_file;
pub(crate) use receive::too_large as upload_too_large;
use receive::{base_name, save_field, scratch_failed, small_field, too_large, unzip, upload_failed};

/// An upload waiting for confirmation: what was read, how it meets the registry, and the diff
/// the user is shown.
pub struct StagedImport {
    /// The random id its confirmation form carries: only this upload can be confirmed by it.
    id: String,
    file: String,
    dataset: Arc<Dataset>,
    options: ImportOptions,
    /// Who exported the file and when (from its stamp), for the page.
    stamp_note: Option<String>,
    /// The file's doubtful values (数据疑点), located in the file.
    findings: Vec<crate::findings::ImportFinding>,
    preview: Arc<ImportPreview>,
}

/// Validated uploads waiting for confirmation: one per user (a new upload replaces it).
#[derive(Default)]
pub struct Staged(Mutex<HashMap<String, Arc<StagedImport>>>);

/// Conflicts listed with their own choice on the confirm page; the rest are decided with the
/// "all" buttons.
const CONFLICTS_SHOWN: usize = 500;
/// Other changed cells listed on the confirm page (the count of the rest is shown).
const CHANGES_SHOWN: usize = 500;

/// The confirm part of the page: the diff of a staged upload.
pub struct Confirmation {
    id: String,
    fingerprint: u64,
    counts: String,
    stamp_note: Option<String>,
    findings: Vec<crate::findings::ImportFinding>,
    /// Shared with the staged upload: a diff can hold 100,000 cells.
    preview: Arc<ImportPreview>,
    /// Choices already made (shown again when the page is refused), by cell token.
    chosen: HashMap<String, Choice>,
}

impl Confirmation {
    fn of(s: &StagedImport, chosen: HashMap<String, Choice>) -> Confirmation {
        Confirmation {
            id: s.id.clone(),
            fingerprint: s.preview.fingerprint,
            counts: s.dataset.summary_zh(),
            stamp_note: s.stamp_note.clone(),
            findings: s.findings.clone(),
            preview: s.preview.clone(),
            chosen,
        }
    }
    fn conflicts(&self) -> impl Iterator<Item = &CellChange> {
        self.preview.conflicts().take(CONFLICTS_SHOWN)
    }
    fn conflict_count(&self) -> usize {
        self.preview.conflict_count()
    }
    fn conflicts_hidden(&self) -> usize {
        self.conflict_count().saturating_sub(CONFLICTS_SHOWN)
    }
    fn others(&self) -> impl Iterator<Item = &CellChange> {
        self.preview.changes.iter().skip(self.conflict_count()).take(CHANGES_SHOWN)
    }
    fn other_count(&self) -> usize {
        self.preview.changes.len() - self.conflict_count()
    }
    fn others_hidden(&self) -> usize {
        self.other_count().saturating_sub(CHANGES_SHOWN)
    }
    /// 新增：企业 3 行，年度数据 10 行
    fn added(&self) -> String {
        let parts: Vec<String> = self
            .preview
            .sheets
            .iter()
            .filter(|s| s.added > 0)
            .map(|s| format!("{} {} 行", lianzhang_store::table_zh(s.sheet), s.added))
            .collect();
        if parts.is_empty() { "无".into() } else { parts.join("，") }
    }
    fn token(&self, c: &CellChange) -> String {
        c.id.token()
    }
    fn is_chosen(&self, c: &CellChange, value: &str) -> bool {
        self.chosen.get(&c.id.token()).copied() == Choice::parse(value)
    }
    /// A value on the page: an empty (unknown) cell is `（空）`.
    fn value(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_else(|| "（空）".into())
    }
    /// Who changed a cell last, or that nobody did since its row was imported.
    fn last(&self, c: &CellChange) -> String {
        c.last.as_ref().map_or_else(|| "无修改记录（首次导入的值）".into(), |l| l.describe())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub struct ImportPage {
    frame: Frame,
    file: Option<String>,
    errors: Vec<DataError>,
    problem: Option<String>,
    /// Validated and waiting for confirmation.
    ready: Option<Confirmation>,
    report: Option<ImportReport>,
}

impl ImportPage {
    /// A sheet's Chinese name.
    fn sheet_zh(&self, sheet: &str) -> &'static str {
        lianzhang_store::table_zh(sheet)
    }
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
    headers: axum::http::HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    crate::scope::keeps_records(&session.user)?;
    let limits = &state.limits;
    let limit = limits.max_upload_bytes;
    // A body declared larger than the file limit (and the form around it) is refused unread.
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(1 << 20)) {
        return Err(too_large(limit));
    }
    // `raw` keeps the file as uploaded (a zip), `dir` what is read.
    let raw = tempfile::tempdir().map_err(scratch_failed)?;
    let dir = tempfile::tempdir().map_err(scratch_failed)?;
    let (mut csrf, mut file, mut only_new) = (String::new(), None, false);
    while let Some(mut field) = multipart.next_field().await.map_err(|e| upload_failed(e, limit))? {
        match field.name() {
            Some("csrf") => csrf = small_field(field, 256, limit).await?,
            Some("only_new") => {
                small_field(field, 256, limit).await?;
                only_new = true;
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                if let Err(e) = lianzhang_facts::typed::check_text(&name, lianzhang_facts::typed::TextKind::Line) {
                    return Err(WebError::Invalid(format!("文件名：{e}")));
                }
                // The CSRF field comes first in the form: a forged upload is not even saved.
                if !csrf.is_empty() {
                    check_csrf(&session, &csrf)?;
                }
                let base = base_name(&name);
                let to = if base.to_lowercase().ends_with(".zip") {
                    raw.path().join("upload.zip")
                } else {
                    dir.path().join(&base)
                };
                save_field(&mut field, &to, limits).await?;
                file = Some((name, base, to));
            }
            _ => {
                small_field(field, 1 << 16, limit).await?;
            }
        }
    }
    check_csrf(&session, &csrf)?;
    let Some((name, base, saved)) = file else { return Err(WebError::Invalid("请选择文件".into())) };
    let lower = base.to_lowercase();
    let mut page = blank(session);
    page.file = Some(name.clone());
    let path = if lower.ends_with(".zip") {
        let (zip, into, limit) = (saved.clone(), dir.path().to_path_buf(), state.limits.read.max_unzipped_bytes);
        let unzipped = tokio::task::spawn_blocking(move || unzip(&zip, &into, limit)).await.expect("unzip task");
        if let Err(p) = unzipped {
            page.problem = Some(p);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        dir.path().to_path_buf()
    } else if lower.ends_with(".csv") {
        // One CSV file is one sheet, known by its name; alone it can only be the enterprise sheet.
        let stem = base.get(..base.len() - 4).unwrap_or(&base);
        let problem = match lianzhang_facts::csv_sheet_zh(stem) {
            None => Some(format!(
                "无法判断“{name}”是哪一张表：CSV 文件须以表名命名（企业.csv、年度数据.csv、认定.csv 或 项目.csv），\
                 请改名后上传；几张表一起导入时请把它们打成一个 zip，或使用 Excel 工作簿"
            )),
            Some("企业") => None,
            Some(sheet) => Some(format!(
                "“{name}”是{sheet}表：单独上传的 CSV 只能是企业表（企业.csv）；{sheet}须与企业表一起打成一个 zip 上传，或使用 Excel 工作簿"
            )),
        };
        if let Some(p) = problem {
            page.problem = Some(p);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        // Kept under its own name (only the name, never a path) so that messages name the
        // user's file. A CSV file is one sheet (企业.csv …): a folder of one file. Anything else
        // is taken for a workbook, whose format the reader decides from the content whatever the
        // name says (an .xlsx named .xls, a WPS .et); a file that is none gets its own sentence.
        dir.path().to_path_buf()
    } else {
        saved.clone()
    };
    let vocab = state.policy.vocabulary.clone();
    let read_path = path.clone();
    let limits = state.limits.read;
    let read = tokio::task::spawn_blocking(move || read_dataset_limited(&read_path, &vocab, &limits))
        .await
        .expect("reader task");
    let read = match read {
        Ok(read) => read,
        Err(ReadError::Data(errors)) => {
            page.errors = errors.0;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => {
            // The page names the user's file: never the server's scratch folder.
            page.problem = Some(if path == saved {
                other.shown_as(&path, &name).to_string()
            } else {
                // A folder of CSV files (one uploaded CSV, or a zip's): its files by their names.
                let scratch = dir.path().display().to_string();
                other.to_string().replace(&format!("{scratch}/"), "").replace(&scratch, &name)
            });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let confirmations = state.store.policy_confirmations().await?;
    let findings = crate::findings::of_upload(&state.policy, &read, &confirmations);
    let (ds, stamp) = (read.dataset, read.stamp);
    let foreign = outside(&state, &Scope::of(&page.frame.user), &ds).await?;
    if !foreign.is_empty() {
        page.problem = Some(format!(
            "文件中有 {} 项（企业或项目）不属于您的产业链（按文件或企业库），不能导入：{}",
            foreign.len(),
            foreign.iter().take(10).cloned().collect::<Vec<_>>().join("、")
        ));
        return Ok((StatusCode::FORBIDDEN, page).into_response());
    }
    let options = ImportOptions { revision: stamp.as_ref().map(|s| s.revision), only_new };
    let preview = state.store.preview_import(&ds, &options).await?;
    let staged = Arc::new(StagedImport {
        id: crate::auth::random_token(),
        file: name,
        dataset: Arc::new(ds),
        options,
        stamp_note: stamp.as_ref().map(stamp_note),
        findings,
        preview: Arc::new(preview),
    });
    state.staged.0.lock().expect("staged").insert(page.frame.user.username.clone(), staged.clone());
    page.ready = Some(Confirmation::of(&staged, HashMap::new()));
    Ok(page.into_response())
}

/// The sentence that says where a stamped upload comes from.
fn stamp_note(s: &lianzhang_facts::ExportStamp) -> String {
    format!("文件导出自企业库版本 {}（{}，{}）。", s.revision, s.exported_by, s.exported_at)
}

/// The confirmation form: the staged upload's id, the fingerprint of the diff the user saw, and
/// a choice per conflict (`c:<cell>` = keep|take) or one for all (`all`, the buttons).
fn confirm_fields(fields: &[(String, String)]) -> (String, String, Option<u64>, Resolution, HashMap<String, Choice>) {
    let (mut csrf, mut id, mut fingerprint) = (String::new(), String::new(), None);
    let mut resolution = Resolution::default();
    let mut chosen = HashMap::new();
    for (k, v) in fields {
        match k.as_str() {
            "csrf" => csrf = v.clone(),
            "id" => id = v.clone(),
            "fingerprint" => fingerprint = v.parse().ok(),
            "all" => resolution.all = Choice::parse(v),
            _ => {
                if let (Some(token), Some(choice)) = (k.strip_prefix("c:"), Choice::parse(v))
                    && let Some(cell) = CellId::parse(token)
                {
                    chosen.insert(token.to_string(), choice);
                    resolution.each.insert(cell, choice);
                }
            }
        }
    }
    // The "all" buttons decide every conflict, whatever was chosen row by row.
    if resolution.all.is_some() {
        resolution.each.clear();
    }
    (csrf, id, fingerprint, resolution, chosen)
}

pub async fn confirm(
    State(state): State<Arc<AppState>>,
    session: Session,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    crate::scope::keeps_records(&session.user)?;
    let (csrf, id, fingerprint, resolution, chosen) = confirm_fields(&fields);
    check_csrf(&session, &csrf)?;
    let user = session.user.username.clone();
    // Only the upload this form was made for (another upload's form is refused, and the
    // pending one kept).
    let staged = state.staged.0.lock().expect("staged").get(&user).filter(|s| s.id == id).cloned();
    let Some(staged) = staged else { return Err(WebError::NotFound("待导入的文件（请重新上传）".into())) };
    // The user's scope may have changed since the upload.
    if !outside(&state, &Scope::of(&session.user), &staged.dataset).await?.is_empty() {
        return Err(WebError::Forbidden);
    }
    let mut page = blank(session);
    page.file = Some(staged.file.clone());
    let unresolved = staged.preview.unresolved(&resolution).count();
    if unresolved > 0 {
        page.problem = Some(format!(
            "还有 {unresolved} 处冲突没有选择：请为每处冲突选择“保留库中值”或“采用文件值”，或用“全部保留库中值”“全部采用文件值”按钮。未导入任何数据。"
        ));
        page.ready = Some(Confirmation::of(&staged, chosen));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let expected = fingerprint.unwrap_or(staged.preview.fingerprint);
    let outcome = state
        .store
        .apply_import(&staged.dataset, &staged.options, &resolution, Some(expected), &user, "网页导入", &|_, _| {})
        .await?;
    let preview = match outcome {
        ImportOutcome::Applied(report) => {
            let mut all = state.staged.0.lock().expect("staged");
            if all.get(&user).is_some_and(|s| s.id == staged.id) {
                all.remove(&user);
            }
            page.report = Some(report);
            return Ok(page.into_response());
        }
        ImportOutcome::Unresolved(p) | ImportOutcome::Changed(p) => p,
    };
    // Something changed between the preview and this confirmation: show the new diff, to be
    // checked and confirmed again; nothing was written.
    let renewed = Arc::new(StagedImport {
        id: staged.id.clone(),
        file: staged.file.clone(),
        dataset: staged.dataset.clone(),
        options: staged.options.clone(),
        stamp_note: staged.stamp_note.clone(),
        findings: staged.findings.clone(),
        preview: Arc::new(preview),
    });
    {
        let mut all = state.staged.0.lock().expect("staged");
        if all.get(&user).is_some_and(|s| s.id == staged.id) {
            all.insert(user.clone(), renewed.clone());
        }
    }
    page.problem =
        Some("在您核对期间，企业库中有数据被修改，下表已按最新数据更新。未导入任何数据，请重新核对后再确认。".into());
    page.ready = Some(Confirmation::of(&renewed, chosen));
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// `GET /import/template.xlsx`
pub async fn template(State(state): State<Arc<AppState>>, session: Session) -> Result<Response, WebError> {
    crate::scope::keeps_records(&session.user)?;
    let dir = tempfile::tempdir().map_err(scratch_failed)?;
    let path = dir.path().join("template.xlsx");
    let vocab = state.policy.vocabulary.clone();
    let p = path.clone();
    tokio::task::spawn_blocking(move || lianzhang_facts::template::write_template(&vocab, &p))
        .await
        .expect("template task")
        .map_err(|e| unwritten(&e, dir.path()))?;
    xlsx_download(&path, "导入模板.xlsx")
}

/// A workbook that could not be written: the writer's sentence without the server's scratch
/// folder (the detail goes to the log).
fn unwritten(e: &dyn std::fmt::Display, scratch: &Path) -> WebError {
    tracing::error!(error = %e, "workbook not written");
    let scratch = scratch.display().to_string();
    WebError::Invalid(e.to_string().replace(&format!("{scratch}/"), "").replace(&scratch, "").replace("/tmp/", ""))
}

fn xlsx_download(path: &Path, name: &str) -> Result<Response, WebError> {
    let bytes = std::fs::read(path).map_err(scratch_failed)?;
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

/// `GET /export.xlsx`: the registry, restricted to the user's chain for a task force, stamped
/// with the revision it was read at (re-importing it finds the cells changed since).
pub async fn export(State(state): State<Arc<AppState>>, session: Session) -> Result<Response, WebError> {
    let scope = Scope::of(&session.user);
    if !matches!(scope, Scope::All | Scope::Chain(_)) {
        return Err(WebError::Forbidden);
    }
    let (mut ds, stamp) = state.store.load_for_export(&state.policy.vocabulary, &session.user.username).await?;
    if let Scope::Chain(code) = &scope {
        ds = only_chain(&ds, code);
    }
    let dir = tempfile::tempdir().map_err(scratch_failed)?;
    let path = dir.path().join("registry.xlsx");
    let p = path.clone();
    tokio::task::spawn_blocking(move || {
        lianzhang_facts::write_xlsx(&ds, &p, lianzhang_facts::HeaderLanguage::Chinese, Some(&stamp))
    })
    .await
    .expect("export task")
    .map_err(|e| unwritten(&e, dir.path()))?;
    xlsx_download(&path, "企业库.xlsx")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_form_gives_a_choice_per_conflict_and_all_overrides_them() {
        let f = |pairs: &[(&str, &str)]| {
            let fields: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            confirm_fields(&fields)
        };
        let cell = "annual/91140525MA0000008P|2023/revenue";
        let (csrf, id, fingerprint, r, chosen) = f(&[
            ("csrf", "t"),
            ("id", "abc"),
            ("fingerprint", "42"),
            (&format!("c:{cell}"), "keep"),
            ("c:annual/x|2023/no_such_column", "take"),
        ]);
        assert_eq!((csrf.as_str(), id.as_str(), fingerprint), ("t", "abc", Some(42)));
        let id = CellId::parse(cell).unwrap();
        assert_eq!((r.all, r.choice(&id), r.each.len()), (None, Some(Choice::Keep), 1), "unknown cells are ignored");
        assert_eq!(chosen.get(cell), Some(&Choice::Keep));
        let (.., all, _) = f(&[(&format!("c:{cell}"), "keep"), ("all", "take")]);
        assert_eq!(all.choice(&id), Some(Choice::Take), "the all buttons decide every conflict");
    }
}

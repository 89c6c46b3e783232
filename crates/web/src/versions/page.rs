//! The version pages: `GET /policy/versions` (the list, the years each is in force, and for an
//! administrator the upload form), `POST /policy/versions` (upload: every problem located, or the
//! version adopted), `GET /policy/versions/{id}` (one version, its difference from the one before
//! it, its text). `0` is the file the server was started with.

use super::{Change, diff, incompatible};
use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_policy::PolicyFile;
use lianzhang_store::{NewAdoption, Role, StoreError};
use std::sync::Arc;

/// A version as listed.
pub struct Listed {
    pub id: i64,
    pub label: String,
    pub hash: String,
    pub policy_title: String,
    pub document: String,
    /// `2022—2023年`, or `未施行（已被同年度的较新版本取代）`.
    pub in_force: String,
    pub at: String,
    pub actor: String,
    pub note: String,
}

/// One problem of an uploaded file, located.
pub struct Located {
    /// 1-based, `None` when the problem has no place (a missing section).
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The offending text (at most 60 characters).
    pub text: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "versions/list.html")]
pub struct ListPage {
    frame: Frame,
    versions: Vec<Listed>,
    is_admin: bool,
    /// The uploaded file's problems (none stored while there is one).
    problems: Vec<Located>,
    file_name: String,
    error: Option<String>,
    default_year: i32,
}

/// `(line, column)` of byte `at` in `text`, 1-based, the column in characters.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// Every problem of `errors`, with its place in the uploaded text.
fn located(errors: &lianzhang_policy::PolicyErrors) -> Vec<Located> {
    errors
        .problems
        .iter()
        .map(|p| {
            let message = match &p.help {
                Some(h) => format!("{}（{h}）", p.message),
                None => p.message.clone(),
            };
            match &p.origin {
                Some(lianzhang_policy::tree::Origin::File(span)) => {
                    let (line, column) = line_column(&errors.source, span.start);
                    let mut text: String =
                        errors.source.get(span.clone()).unwrap_or_default().chars().take(60).collect();
                    if text.trim().is_empty() {
                        // A place between characters (a value missing): the whole line.
                        text =
                            errors.source.lines().nth(line - 1).unwrap_or_default().trim().chars().take(60).collect();
                    }
                    Located { line: Some(line), column: Some(column), text, message }
                }
                _ => Located { line: None, column: None, text: String::new(), message },
            }
        })
        .collect()
}

async fn list_page(
    state: &Arc<AppState>,
    session: Session,
    problems: Vec<Located>,
    file_name: String,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let vs = state.versions();
    let latest = state.store.latest_year().await?.unwrap_or(state.policy.meta.effective_from);
    let first = state.policy.meta.effective_from.min(latest);
    let runs = vs.years_in_force(first, latest);
    let versions = vs
        .all()
        .map(|v| {
            let years: Vec<String> = runs
                .iter()
                .filter(|(w, _, _)| std::ptr::eq(*w, v))
                .map(|(_, a, b)| match b {
                    None => format!("{a}年起"),
                    Some(b) if a == b => format!("{a}年"),
                    Some(b) => format!("{a}—{b}年"),
                })
                .collect();
            let a = v.adoption.as_ref();
            Listed {
                id: a.map_or(0, |a| a.id),
                label: v.label(),
                hash: v.short_hash().to_string(),
                policy_title: v.policy.meta.title.clone(),
                document: v.policy.meta.document.clone(),
                in_force: if years.is_empty() {
                    "未施行（在这些年度已被其他版本取代）".into()
                } else {
                    years.join("、")
                },
                at: a.map_or(String::new(), |a| crate::format::beijing(&a.at)),
                actor: a.map_or(String::new(), |a| a.actor.clone()),
                note: a.map_or(String::new(), |a| a.note.clone()),
            }
        })
        .collect();
    Ok(ListPage {
        is_admin: session.user.role == Role::Admin,
        frame: Frame::new(session, "policy"),
        versions,
        problems,
        file_name,
        error,
        default_year: latest + 1,
    })
}

/// `GET /policy/versions`: every role reads the list.
pub async fn list(State(state): State<Arc<AppState>>, session: Session) -> Result<ListPage, WebError> {
    list_page(&state, session, Vec::new(), String::new(), None).await
}

/// `POST /policy/versions` (multipart: `csrf`, `file`, `from_year`, `note`): an administrator
/// adopts a policy file from a year on. A file with problems is shown back with every problem
/// and nothing is stored.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    session: Session,
    mut form: Multipart,
) -> Result<Response, WebError> {
    if session.user.role != Role::Admin {
        return Err(WebError::Forbidden);
    }
    let (mut csrf, mut name, mut bytes, mut year, mut note) =
        (String::new(), String::new(), Vec::new(), String::new(), String::new());
    while let Some(field) =
        form.next_field().await.map_err(|_| WebError::Invalid("上传中断或格式有误，请重新上传".into()))?
    {
        let key = field.name().unwrap_or_default().to_string();
        if key == "file" {
            name = field.file_name().unwrap_or("policy.toml").to_string();
        }
        let data = field.bytes().await.map_err(|_| WebError::Invalid("上传中断或格式有误，请重新上传".into()))?;
        match key.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&data).into_owned(),
            "file" => bytes = data.to_vec(),
            "from_year" => year = String::from_utf8_lossy(&data).trim().to_string(),
            "note" => note = String::from_utf8_lossy(&data).into_owned(),
            _ => {}
        }
    }
    check_csrf(&session, &csrf)?;
    let refuse = |why: String| (Vec::new(), Some(why));
    let (problems, error) = 'check: {
        if bytes.is_empty() {
            break 'check refuse("请选择要上传的政策文件（.toml）".into());
        }
        let Ok(text) = String::from_utf8(bytes) else {
            break 'check refuse(format!("{name} 不是 UTF-8 编码的文本文件：请用文本编辑器另存为 UTF-8 后再上传"));
        };
        let Ok(from_year) = year.parse::<i32>() else {
            break 'check refuse(format!("施行起始年度“{year}”应为四位数字"));
        };
        let file = PolicyFile::parse(name.clone(), text);
        let policy = match file.compile() {
            Ok(p) => p,
            Err(e) => break 'check (located(&e), Some(format!("{name} 有 {} 处问题，未启用", e.problems.len()))),
        };
        if let Some(why) = incompatible(&policy, &state.policy) {
            break 'check refuse(why);
        }
        if !policy.in_force(from_year) {
            break 'check refuse(format!("{from_year} 年不在该文件的施行期内（{}）", policy.meta.effective_from));
        }
        let adoption = NewAdoption {
            name: name.clone(),
            text: file.text().to_string(),
            policy_id: policy.meta.id.clone(),
            from_year,
            note,
        };
        match state.store.adopt_policy(&adoption, &session.user.username).await {
            Ok(a) => {
                state.load_versions().await?;
                return Ok(Redirect::to(&format!("/policy/versions/{}", a.id)).into_response());
            }
            Err(StoreError::Refused(why)) => refuse(why),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(list_page(&state, session, problems, name, error).await?.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "versions/show.html")]
pub struct ShowPage {
    frame: Frame,
    label: String,
    hash: String,
    title: String,
    document: String,
    at: String,
    actor: String,
    note: String,
    /// The version it is compared with, and the changes.
    before: Option<String>,
    changes: Vec<Change>,
    text: String,
}

/// `GET /policy/versions/{id}` (`0`: the file the server was started with).
pub async fn show(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<ShowPage, WebError> {
    let vs = state.versions();
    let all: Vec<&super::Version> = vs.all().collect();
    let at = all
        .iter()
        .position(|v| v.adoption.as_ref().map_or(0, |a| a.id) == id)
        .ok_or_else(|| WebError::NotFound(format!("第 {id} 个政策版本")))?;
    let v = all[at];
    let (before, changes) = match at.checked_sub(1).map(|i| all[i]) {
        Some(b) => (Some(b.label()), diff((&b.file, &b.policy), (&v.file, &v.policy))),
        None => (None, Vec::new()),
    };
    let a = v.adoption.as_ref();
    Ok(ShowPage {
        frame: Frame::new(session, "policy"),
        label: v.label(),
        hash: v.hash.clone(),
        title: v.policy.meta.title.clone(),
        document: v.policy.meta.document.clone(),
        at: a.map_or(String::new(), |a| crate::format::beijing(&a.at)),
        actor: a.map_or(String::new(), |a| a.actor.clone()),
        note: a.map_or(String::new(), |a| a.note.clone()),
        before,
        changes,
        text: v.file.text().to_string(),
    })
}

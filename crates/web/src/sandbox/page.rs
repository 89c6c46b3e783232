//! `GET /policy/sandbox`: the form of parameters beside the answer.

use super::answer::{self, Answer, LISTED};
use super::form::Field;
use super::{Question, Resolved, resolve};
use crate::auth::Session;
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use lianzhang_store::Scenario;
use std::sync::Arc;
use std::time::Instant;

/// A field with the value the form shows.
pub struct FieldView {
    pub field: Field,
    pub value: String,
    pub changed: bool,
}

/// The parameters of one rule, group or cap.
pub struct Owner {
    pub title: String,
    pub fields: Vec<FieldView>,
}

/// One change of the scenario, as a reader says it.
pub struct ChangeView {
    pub owner: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sandbox/page.html")]
pub struct SandboxPage {
    pub frame: Frame,
    pub owners: Vec<Owner>,
    pub from: i32,
    pub to: i32,
    /// Assignments the form has no field for (kept as hidden `set` inputs).
    pub extra: Vec<String>,
    pub overrides: Vec<String>,
    pub changes: Vec<ChangeView>,
    /// The scenario's problems: no answer is computed while there are any.
    pub problems: Vec<String>,
    pub answer: Option<Answer>,
    pub elapsed_ms: u128,
    /// The query asking the same question (workbook link, save form).
    pub query: String,
    pub saved: Option<Scenario>,
    pub save_error: Option<String>,
    pub name: String,
    pub listed: usize,
}

impl SandboxPage {
    pub fn wan(&self, d: impl std::borrow::Borrow<rust_decimal::Decimal>) -> String {
        crate::format::wan_yuan(d.borrow())
    }

    /// A stored instant in Beijing time.
    pub fn when(&self, at: &str) -> String {
        crate::format::beijing(at)
    }

    /// `+12.00` / `-3.50` / `0.00` in 万元.
    pub fn signed_wan(&self, d: impl std::borrow::Borrow<rust_decimal::Decimal>) -> String {
        let d = d.borrow();
        let w = crate::format::wan_yuan(d);
        if d.is_sign_positive() && !d.is_zero() { format!("+{w}") } else { w }
    }
}

/// The changes as read beside the fields they set.
pub fn changes(fields: &[Field], overrides: &[String]) -> Vec<ChangeView> {
    overrides
        .iter()
        .map(|o| {
            let key = o.split_once('=').map_or(o.as_str(), |(k, _)| k.trim());
            match fields.iter().find(|f| f.key == key) {
                Some(f) => ChangeView {
                    owner: f.owner.clone(),
                    label: f.label.clone(),
                    before: f.reads(&f.current),
                    after: f.reads(&f.shown(std::slice::from_ref(o))),
                },
                None => {
                    ChangeView { owner: String::new(), label: key.to_string(), before: "—".into(), after: o.clone() }
                }
            }
        })
        .collect()
}

/// Renders the page for a resolved question (also after a refused save).
pub async fn render(
    state: &Arc<AppState>,
    session: Session,
    resolved: Resolved,
    save_error: Option<String>,
    name: String,
) -> Result<SandboxPage, WebError> {
    let fields = super::fields_for(state, resolved.from);
    let extra: Vec<String> = resolved
        .overrides
        .iter()
        .filter(|o| !fields.iter().any(|f| o.split_once('=').is_some_and(|(k, _)| k.trim() == f.key)))
        .cloned()
        .collect();
    let changes = changes(&fields, &resolved.overrides);
    let mut owners: Vec<Owner> = Vec::new();
    for f in fields {
        let value = f.shown(&resolved.overrides);
        let changed = value != f.current;
        let view = FieldView { field: f, value, changed };
        match owners.last_mut() {
            Some(o) if o.title == view.field.owner => o.fields.push(view),
            _ => owners.push(Owner { title: view.field.owner.clone(), fields: vec![view] }),
        }
    }
    let started = Instant::now();
    let (problems, answer) = match answer::plan(state, &resolved.overrides, resolved.years()) {
        Err(problems) => (problems, None),
        Ok(plan) => {
            let a = answer::answer(state, &session.user, plan, LISTED).await?;
            (Vec::new(), Some(a))
        }
    };
    Ok(SandboxPage {
        frame: Frame::new(session, "sandbox"),
        owners,
        from: resolved.from,
        to: resolved.to,
        extra,
        query: resolved.query(),
        overrides: resolved.overrides,
        changes,
        problems,
        answer,
        elapsed_ms: started.elapsed().as_millis(),
        saved: resolved.scenario,
        save_error,
        name,
        listed: LISTED,
    })
}

/// `GET /policy/sandbox[?from=&to=&p.KEY=…&set=…&scenario=]`
pub async fn show(
    State(state): State<Arc<AppState>>,
    session: Session,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<SandboxPage, WebError> {
    let q = Question::parse(pairs)?;
    let resolved = resolve(&state, &q).await?;
    render(&state, session, resolved, None, String::new()).await
}

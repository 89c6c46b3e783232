//! 数据疑点 on an upload's confirm page and on an enterprise's record: the plausibility findings of the policy file that are in
//! force (not cleared by a confirmation), and the form by which a clerk confirms that a doubted
//! value is right after all (核实确认). A confirmation is kept with who, when and why (store
//! `confirmations`, audited) and clears the finding for exactly those values.

use crate::auth::{Session, check_csrf};
use crate::pages::load_in_scope;
use crate::{AppState, WebError};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::EnterpriseFacts;
use lianzhang_policy::Policy;
use lianzhang_policy::plausibility::{self, Confirmations, Finding};
use lianzhang_store::{NewConfirmation, StoreError};
use std::sync::Arc;

/// A finding as the record page shows it.
pub struct FindingView {
    /// The check id, posted back by the confirm form.
    pub check: String,
    pub title: String,
    pub year: i32,
    /// The doubted values: `2023年营业收入 2,200元、2023年规上企业 是`.
    pub values: String,
    /// What was found and what to do.
    pub message: String,
}

impl FindingView {
    fn of(f: &Finding) -> FindingView {
        FindingView {
            check: f.check.clone(),
            title: f.title.clone(),
            year: f.year,
            values: f.values_zh(),
            message: f.message.clone(),
        }
    }
}

/// The findings of one enterprise in force, newest year first.
pub fn views(policy: &Policy, facts: EnterpriseFacts<'_>, confirmations: &Confirmations) -> Vec<FindingView> {
    let mut found = plausibility::findings_of(policy, facts, confirmations);
    found.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.check.cmp(&b.check)));
    found.iter().map(FindingView::of).collect()
}

/// A plausibility finding of an upload, as the confirm page lists it.
#[derive(Debug, Clone)]
pub struct ImportFinding {
    pub enterprise: String,
    pub uscc: String,
    pub year: i32,
    pub title: String,
    /// Where the doubted values are: `年度数据:5:营业收入: 2,200元、项目:2:固定资产投资: 1,200元`.
    pub places: String,
    pub message: String,
}

/// The upload's findings, less the values confirmed in the registry, each located in the file.
pub fn of_upload(
    policy: &Policy,
    read: &lianzhang_facts::ReadOutput,
    confirmations: &Confirmations,
) -> Vec<ImportFinding> {
    let located = |f: &Finding, i: &plausibility::Involved| {
        let place = match &i.fact.project_id {
            Some(p) => read.locations.project(p).map(|(sheet, row)| (sheet, row, "projects")),
            None => read.locations.annual(&f.uscc, i.fact.year).map(|(sheet, row)| (sheet, row, "annual")),
        };
        match place {
            Some((sheet, row, code)) => {
                format!("{sheet}:{row}:{}: {}", read.locations.column(code, &i.fact.field), i.text)
            }
            None => format!("{} {}", i.what(), i.text),
        }
    };
    plausibility::check(policy, &read.dataset, confirmations)
        .iter()
        .map(|f| ImportFinding {
            enterprise: f.enterprise.clone(),
            uscc: f.uscc.as_str().to_string(),
            year: f.year,
            title: f.title.clone(),
            places: f.facts.iter().map(|i| located(f, i)).collect::<Vec<_>>().join("、"),
            message: f.message.clone(),
        })
        .collect()
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    csrf: String,
    check: String,
    year: i32,
    reason: String,
}

/// POST `/enterprises/{uscc}/confirm`: confirms every value of the named finding. Whoever may
/// edit the enterprise's facts may confirm them; the finding must still be in force.
pub async fn confirm(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(uscc): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    crate::scope::keeps_records(&session.user)?;
    check_csrf(&session, &form.csrf)?;
    crate::door::texts([("核实依据", form.reason.as_str(), lianzhang_facts::typed::TextKind::Note)])?;
    crate::door::year("年度", i64::from(form.year))?;
    if form.reason.trim().is_empty() {
        return Err(WebError::Invalid("请写明核实依据（为什么这个数值是对的），再确认".into()));
    }
    let record = load_in_scope(&state, &session.user, &uscc).await?;
    let confirmations = state.store.policy_confirmations().await?;
    let found = plausibility::findings_of(&state.policy, record.get(0), &confirmations);
    let Some(finding) = found.iter().find(|f| f.check == form.check && f.year == form.year) else {
        return Err(WebError::Invalid(format!(
            "{}年没有待核实的该项疑点（可能已由他人确认，或数值已更正），请刷新页面查看",
            form.year
        )));
    };
    let wanted = Confirmations::for_finding(finding);
    let items: Vec<NewConfirmation<'_>> = wanted.iter().map(|c| NewConfirmation::of(c, form.reason.trim())).collect();
    match state.store.confirm_values(&items, &session.user.username).await {
        Ok(_) => Ok(Redirect::to(&format!("/enterprises/{uscc}#findings")).into_response()),
        Err(StoreError::Refused(why) | StoreError::NotFound(why)) => Err(WebError::Invalid(why)),
        Err(e) => Err(e.into()),
    }
}

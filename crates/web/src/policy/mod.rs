//! 政策: the policy in force as a Chinese reader wants it (issue 12). Each rule is shown with its
//! clause, title, the original words of the document (原文), its condition and amount in plain
//! Chinese, the same rule written in the policy language, its group, and its interpretation
//! choices (the option chosen and what each other would mean). Caps, targets and the rounding
//! rule follow. Every explanation elsewhere links here by `#rule-{id}`. `/api/v1/policy` serves
//! the same view as JSON.

use crate::AppState;
use crate::auth::Session;
use crate::pages::Frame;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use lianzhang_policy::choices::{Choice, choices};
use lianzhang_policy::model::{GroupKind, RuleKind};
use lianzhang_policy::{Policy, PolicyFile, show};
use serde::Serialize;
use std::sync::Arc;

/// Where a rule is explained: its anchor on the policy page of the version in force for `year`.
pub fn rule_url(rule: &str, year: i32) -> String {
    format!("/policy?year={year}#rule-{rule}")
}

/// One rule as the page and the API show it.
#[derive(Serialize)]
pub struct RuleView {
    pub id: String,
    pub clause: String,
    pub title: String,
    /// 原文 (empty when the file quotes none).
    pub source: String,
    pub condition: String,
    pub amount: String,
    /// The rule in the policy language: a built-in kind's equivalent, or the formula as written.
    pub expression: Option<String>,
    /// `award`, `referral` or `recovery`.
    pub outcome: &'static str,
    /// Paid once (per enterprise, or per project), or every year the condition holds.
    pub once: bool,
    pub group: Option<String>,
    pub choices: Vec<Choice>,
    /// The rule's other parameters as `--set` keys with their values (amounts, thresholds, rates).
    pub params: Vec<(String, String)>,
}

#[derive(Serialize)]
pub struct GroupView {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub mode: &'static str,
    /// (rule id, rule title), low → high.
    pub rules: Vec<(String, String)>,
}

#[derive(Serialize)]
pub struct CapView {
    pub id: String,
    pub clause: String,
    pub title: String,
    pub source: String,
    pub limit: String,
}

#[derive(Serialize)]
pub struct TargetView {
    pub year: i32,
    pub title: String,
    pub value: String,
}

/// The policy in force, as shown.
#[derive(Serialize)]
pub struct PolicyView {
    pub id: String,
    pub title: String,
    pub document: String,
    pub issuer: String,
    pub issued: String,
    /// `2022年起，无截止年度` / `2023年至2025年`.
    pub years: String,
    pub rounding: String,
    /// The file's name and the SHA-256 of its text (what runs and rounds record).
    pub file: String,
    pub hash: String,
    pub rules: Vec<RuleView>,
    pub groups: Vec<GroupView>,
    pub caps: Vec<CapView>,
    pub targets: Vec<TargetView>,
}

impl PolicyView {
    /// The first 12 hex digits of the hash, as a person compares them.
    pub fn short_hash(&self) -> &str {
        &self.hash[..12]
    }
}

/// The view of `policy` (compiled from `file`).
pub fn view(policy: &Policy, file: &PolicyFile) -> PolicyView {
    let m = &policy.meta;
    let all_choices = choices(policy);
    let params = file.params();
    let rules = policy
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (condition, amount) = show::describe_rule(policy, r);
            let expression = match &r.kind {
                RuleKind::Formula { .. } => None,
                _ => lianzhang_policy::equivalent::equivalent(r, &policy.vocabulary).map(|eq| match eq.amount {
                    Some(a) => format!("{} → {a}", eq.when),
                    None => format!("{} → 推荐", eq.when),
                }),
            };
            let chosen: Vec<Choice> = all_choices.iter().filter(|c| c.owner == r.id).cloned().collect();
            let prefix = format!("{}.", r.id);
            RuleView {
                id: r.id.clone(),
                clause: r.clause.clone(),
                title: r.title.clone(),
                source: r.source.clone(),
                condition,
                amount,
                expression,
                outcome: if r.kind.recovery().is_some() {
                    "recovery"
                } else if r.kind.is_referral() {
                    "referral"
                } else {
                    "award"
                },
                once: r.kind.one_time(),
                group: policy.group_of(i).map(|(g, _)| format!("{}（{}）", g.title, show::group_mode(g))),
                params: params
                    .iter()
                    .filter(|p| p.key.starts_with(&prefix) && !chosen.iter().any(|c| c.key == p.key))
                    .map(|p| (p.key.clone(), p.value.clone()))
                    .collect(),
                choices: chosen,
            }
        })
        .collect();
    let groups = policy
        .groups
        .iter()
        .map(|g| GroupView {
            id: g.id.clone(),
            title: g.title.clone(),
            kind: match g.kind {
                GroupKind::Tiers { .. } => "tiers",
                GroupKind::Upgrade { .. } => "upgrade",
                GroupKind::Levels { .. } => "levels",
            },
            mode: show::group_mode(g),
            rules: g.rules.iter().map(|&r| (policy.rules[r].id.clone(), policy.rules[r].title.clone())).collect(),
        })
        .collect();
    let caps = policy
        .caps
        .iter()
        .map(|c| CapView {
            id: c.id.clone(),
            clause: c.clause.clone(),
            title: c.title.clone(),
            source: c.source.clone(),
            limit: show::cap_zh(policy, c),
        })
        .collect();
    let targets = policy
        .targets
        .iter()
        .map(|t| TargetView { year: t.year, title: t.title.clone(), value: show::target_value_zh(policy, t) })
        .collect();
    PolicyView {
        id: m.id.clone(),
        title: m.title.clone(),
        document: m.document.clone(),
        issuer: m.issuer.clone(),
        issued: m.issued.clone(),
        years: match m.effective_to {
            Some(t) => format!("{}年至{t}年", m.effective_from),
            None => format!("{}年起，无截止年度", m.effective_from),
        },
        rounding: show::rounding_zh(m),
        file: file.name().to_string(),
        hash: lianzhang_store::policy_hash(file.text()),
        rules,
        groups,
        caps,
        targets,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policy.html")]
pub struct PolicyPage {
    frame: Frame,
    p: PolicyView,
    /// How many versions the registry knows (the started file and the adoptions).
    versions: usize,
    /// The year whose version is shown.
    year: i32,
}

/// The version in force for `year`, or for the newest year with data (the started file before
/// any adoption), and that year.
pub async fn current(
    state: &AppState,
    year: Option<i32>,
) -> Result<(Arc<PolicyFile>, Arc<Policy>, i32), crate::WebError> {
    let year = match year {
        Some(y) => y,
        None => state.store.latest_year().await?.unwrap_or(state.policy.meta.effective_from),
    };
    let (file, policy) = state.policy_for(year);
    Ok((file, policy, year))
}

/// `?year=`: the year whose version to show.
#[derive(serde::Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

impl YearQuery {
    /// The year asked for; a value that is not a year is refused with its reason.
    pub fn year(&self) -> Result<Option<i32>, crate::WebError> {
        match self.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
            None => Ok(None),
            Some(y) => {
                let n = y.parse::<i64>().map_err(|_| crate::WebError::Invalid(format!("年度“{y}”应为四位数字")))?;
                lianzhang_facts::typed::check_year(n).map(Some).map_err(|e| crate::WebError::Invalid(e.to_string()))
            }
        }
    }
}

/// `GET /policy[?year=]`: every role reads the policy in force (for `year`, or the newest year).
pub async fn page(
    State(state): State<Arc<AppState>>,
    session: Session,
    axum::extract::Query(q): axum::extract::Query<YearQuery>,
) -> Result<PolicyPage, crate::WebError> {
    let (file, policy, year) = current(&state, q.year()?).await?;
    let versions = state.versions().adopted.len() + 1;
    Ok(PolicyPage { frame: Frame::new(session, "policy"), p: view(&policy, &file), versions, year })
}

//! 潜在可享 (issue 12): the enterprises one step from an award, per chain for the task forces
//! and county-wide for the bureau, each line with the gap in its own terms and its explanation
//! (`lianzhang_policy::near`), the services noted on it, a workbook, and the form to note a
//! service. Scope as everywhere: a task force sees its chain, a leader the enterprises it is
//! liaison for, finance none (it keeps no enterprise records).

mod export;
mod service;

use crate::auth::Session;
use crate::pages::Frame;
use crate::policy::rule_url;
use crate::scope::{Scope, Visible};
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use lianzhang_policy::near::{NearKind, near_misses};
use lianzhang_store::{Service, User};
use rust_decimal::Decimal;
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/near", get(page))
        .route("/near.xlsx", get(export::xlsx))
        .route("/near/services", post(service::add))
}

/// How many lines the page shows (the workbook has them all).
const SHOWN: usize = 300;

/// One enterprise near an award.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Line {
    pub uscc: String,
    pub name: String,
    /// The chain's name (`未入链` for none) and code.
    pub chain: String,
    pub chain_code: Option<String>,
    pub kind: NearKind,
    pub kind_zh: &'static str,
    /// (id, title, policy page link) of the rules it would satisfy.
    pub rules: Vec<(String, String, String)>,
    pub project_id: Option<String>,
    /// Yuan still missing (None for a project).
    pub gap: Option<Decimal>,
    /// Yuan at stake (a project's ceiling; 0 for a referral).
    pub at_stake: Decimal,
    pub expected_year: Option<i32>,
    pub explanation: String,
    pub services: Vec<Service>,
}

impl Line {
    pub fn rule_id(&self) -> &str {
        self.rules.first().map_or("", |r| r.0.as_str())
    }
    pub fn project(&self) -> &str {
        self.project_id.as_deref().unwrap_or_default()
    }
}

/// The list's filters (query string).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    pub year: Option<String>,
    pub kind: Option<String>,
    pub chain: Option<String>,
}

/// A filter resolved: the year, the kind and the chain (codes), checked.
pub struct Resolved {
    pub year: i32,
    pub kind: Option<NearKind>,
    pub chain: Option<String>,
}

pub async fn resolve(state: &AppState, f: &Filter) -> Result<Resolved, WebError> {
    let year = match f.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => y.parse::<i32>().map_err(|_| WebError::Invalid(format!("年度“{y}”应为四位数字")))?,
        None => state.store.latest_year().await?.unwrap_or(state.policy.meta.effective_from),
    };
    lianzhang_facts::typed::check_year(i64::from(year)).map_err(|e| WebError::Invalid(e.to_string()))?;
    let kind = match f.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(NearKind::parse(k).ok_or_else(|| {
            let known: Vec<&str> = NearKind::ALL.iter().map(|k| k.code()).collect();
            WebError::Invalid(format!("类别“{k}”无效，可选：{}", known.join("、")))
        })?),
        None => None,
    };
    let chain = f.chain.clone().filter(|c| !c.is_empty());
    if let Some(c) = &chain
        && state.policy.vocabulary.chain(c).is_none()
    {
        return Err(WebError::Invalid(format!("产业链“{c}”不存在")));
    }
    Ok(Resolved { year, kind, chain })
}

/// Every line in `user`'s scope matching `r`, kind by kind, the nearest first (smallest gap; a
/// project by its ceiling, largest first).
pub async fn lines(state: &Arc<AppState>, user: &User, r: &Resolved) -> Result<Vec<Line>, WebError> {
    let visible = Visible::of(state, user).await?;
    visible.scope.enterprises()?;
    let inputs = state.inputs.get(&state.store, &state.policy).await?;
    let services = state.store.near_services(r.year).await?;
    // The lists of a year follow the version in force for it.
    let policy = state.policy_for(r.year).1;
    let (year, kind, chain) = (r.year, r.kind, r.chain.clone());
    let lines = tokio::task::spawn_blocking(move || {
        let v = &policy.vocabulary;
        let mut out = Vec::new();
        for facts in inputs.dataset.iter() {
            let e = facts.enterprise;
            let code = e.chain.map(|c| v.chain_info(c).code.clone());
            let uscc = e.uscc.as_str();
            if !visible.allows(code.as_deref(), uscc) || (chain.is_some() && code != chain) {
                continue;
            }
            for m in near_misses(&policy, facts, year).into_iter().filter(|m| kind.is_none_or(|k| k == m.kind)) {
                let rules: Vec<(String, String, String)> = m
                    .rules
                    .iter()
                    .map(|&i| {
                        (policy.rules[i].id.clone(), policy.rules[i].title.clone(), rule_url(&policy.rules[i].id, year))
                    })
                    .collect();
                let (rule, project) =
                    (rules.first().map_or("", |r| r.0.as_str()), m.project_id.as_deref().unwrap_or(""));
                let noted = services.iter().filter(|s| s.is_for(uscc, m.kind.code(), rule, project)).cloned().collect();
                out.push(Line {
                    uscc: uscc.to_string(),
                    name: e.name.clone(),
                    chain: e.chain.map_or("未入链".into(), |c| v.chain_info(c).name.clone()),
                    chain_code: code.clone(),
                    kind: m.kind,
                    kind_zh: m.kind.zh(),
                    rules,
                    project_id: m.project_id,
                    gap: m.gap,
                    at_stake: m.at_stake,
                    expected_year: m.expected_year,
                    explanation: m.explanation,
                    services: noted,
                });
            }
        }
        out.sort_by(|a, b| {
            a.kind.cmp(&b.kind).then_with(|| match (a.gap, b.gap) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => b.at_stake.cmp(&a.at_stake),
            })
        });
        out
    })
    .await
    .map_err(|_| WebError::Internal("潜在可享名单计算失败"))?;
    Ok(lines)
}

/// Whether a service note names a line that can exist: a known kind, a rule of the version in
/// force for the list's year, a date from the year before the list's on. The sentence says what
/// is wrong.
pub(crate) fn check_line(
    state: &AppState,
    year: i32,
    kind: &str,
    rule: &str,
    date: jiff::civil::Date,
) -> Result<(), String> {
    if NearKind::parse(kind).is_none() {
        return Err(format!("类别“{}”无效", lianzhang_facts::typed::shown(kind)));
    }
    let policy = state.policy_for(year).1;
    if !policy.rules.iter().any(|r| r.id == rule) {
        return Err(format!("规则“{}”不在{year}年施行的政策中", lianzhang_facts::typed::shown(rule)));
    }
    if i32::from(date.year()) < year - 1 {
        return Err(format!("服务日期 {date} 早于{}年：请填写实际提供服务的日期", year - 1));
    }
    Ok(())
}

/// Per kind: how many lines, and the yuan at stake.
pub struct KindTotal {
    pub code: &'static str,
    pub zh: &'static str,
    pub lines: usize,
    pub at_stake: Decimal,
}

pub fn totals(lines: &[Line]) -> Vec<KindTotal> {
    NearKind::ALL
        .iter()
        .map(|k| {
            let of: Vec<&Line> = lines.iter().filter(|l| l.kind == *k).collect();
            KindTotal { code: k.code(), zh: k.zh(), lines: of.len(), at_stake: of.iter().map(|l| l.at_stake).sum() }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "near.html")]
pub struct NearPage {
    frame: Frame,
    year: i32,
    kind: String,
    chain: String,
    /// (code, name) of the chains the user may filter by (none for a task force).
    chains: Vec<(String, String)>,
    totals: Vec<KindTotal>,
    lines: Vec<Line>,
    count: usize,
    shown: usize,
    /// The nearness parameters as a sentence.
    nearness: String,
    query: String,
    today: String,
    error: Option<String>,
}

impl NearPage {
    pub fn wan(&self, d: &Decimal) -> String {
        crate::format::wan_yuan(d)
    }
    pub fn gap_wan(&self, l: &Line) -> String {
        l.gap.map_or("—".into(), |g| crate::format::wan_yuan(&g))
    }
}

/// The nearness parameters, for the page's note.
pub fn nearness_zh(policy: &lianzhang_policy::Policy) -> String {
    let n = &policy.nearness;
    let pct = |d: Decimal| format!("{}%", (d * Decimal::ONE_HUNDRED).normalize());
    format!(
        "营业收入在进档门槛以下{}以内；未上规企业营业收入达到规上标准{}的{}以上且增长；本地配套率提高幅度距要求不超过{}个百分点；研发推荐三项条件差一项且差距在{}以内；在建项目竣工后符合补助条件。",
        pct(n.tier_share),
        lianzhang_policy::engine::text::money_exact(n.above_scale_line.to_yuan()),
        pct(Decimal::ONE - n.above_scale_share),
        n.sourcing_points.normalize(),
        pct(n.referral_share),
    )
}

pub(crate) async fn render(
    state: &Arc<AppState>,
    session: Session,
    f: Filter,
    error: Option<String>,
) -> Result<NearPage, WebError> {
    let r = resolve(state, &f).await?;
    let all = lines(state, &session.user, &r).await?;
    let chains = match Scope::of(&session.user) {
        Scope::Chain(_) => Vec::new(),
        _ => state.policy.vocabulary.chains.iter().map(|c| (c.code.clone(), c.name.clone())).collect(),
    };
    let kind = r.kind.map_or(String::new(), |k| k.code().to_string());
    let chain = r.chain.clone().unwrap_or_default();
    let query = format!("year={}&kind={kind}&chain={}", r.year, crate::pages::urlencode(&chain));
    Ok(NearPage {
        frame: Frame::new(session, "near"),
        year: r.year,
        totals: totals(&all),
        count: all.len(),
        shown: SHOWN.min(all.len()),
        lines: all.into_iter().take(SHOWN).collect(),
        kind,
        chain,
        chains,
        nearness: nearness_zh(&state.policy_for(r.year).1),
        query,
        today: crate::format::beijing_today().to_string(),
        error,
    })
}

/// `GET /near?year=&kind=&chain=`
pub async fn page(
    State(state): State<Arc<AppState>>,
    session: Session,
    Query(f): Query<Filter>,
) -> Result<NearPage, WebError> {
    render(&state, session, f, None).await
}

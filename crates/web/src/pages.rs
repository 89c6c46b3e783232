//! The Chinese pages: login, dashboard (数据大屏), enterprises (企业) and an enterprise's record.

use crate::auth::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE, Session, check_csrf, now_secs};
use crate::format::{wan, yes_no, yuan};
use crate::scope::Scope;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::Uscc;
use lianzhang_policy::{Finding, explain_with};
use lianzhang_store::{EnterpriseFilter, EnterpriseSummary, User};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

impl ErrorPage {
    /// The status as a Chinese reader names it.
    pub fn title(&self) -> &'static str {
        match self.status {
            401 => "请先登录",
            403 => "无权访问",
            404 => "未找到",
            408 => "请求超时",
            413 => "内容过大",
            422 => "无法处理",
            431 => "请求头过大",
            400..=499 => "请求有误",
            _ => "服务器出错",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    csrf: String,
    error: Option<String>,
}

/// The login form with a fresh double-submit CSRF token (cookie and hidden field).
fn login_page(status: axum::http::StatusCode, error: Option<&str>) -> Response {
    let csrf = auth::random_token();
    let cookie = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict");
    (status, [(SET_COOKIE, cookie)], LoginPage { csrf, error: error.map(str::to_string) }).into_response()
}

pub async fn login_form() -> Response {
    login_page(axum::http::StatusCode::OK, None)
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

fn login_again(error: &str) -> Response {
    login_page(axum::http::StatusCode::UNAUTHORIZED, Some(error))
}

pub async fn login(State(state): State<Arc<AppState>>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let expected = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default().to_string();
    if f.csrf.is_empty() || f.csrf != expected {
        return WebError::Csrf.into_response();
    }
    let name = [("用户名", f.username.as_str(), lianzhang_facts::typed::TextKind::Line)];
    if let Err(e) = crate::door::checked(name, "请重新输入。") {
        return login_again(&e.shown());
    }
    let user = match state.store.user(f.username.trim()).await {
        Ok(u) => u,
        Err(e) => return WebError::from(e).into_response(),
    };
    let Some(user) = user else { return login_again("用户名或密码错误") };
    let now = jiff::Timestamp::now();
    if let Some(until) = user.locked_until.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok())
        && until > now
    {
        return login_again("连续登录失败次数过多，账户已锁定 15 分钟，请稍后再试");
    }
    if !auth::verify_password(&f.password, &user.password_hash) {
        let until = now + jiff::SignedDuration::from_mins(auth::LOCK_MINUTES);
        if let Err(e) = state.store.login_failed(user.id, auth::MAX_FAILURES, &until.to_string()).await {
            return WebError::from(e).into_response();
        }
        return login_again("用户名或密码错误");
    }
    // Said only to the holder of the right password.
    if user.disabled_at.is_some() {
        return login_again("该账户已停用，请联系系统管理员");
    }
    let (id, csrf) = (auth::random_token(), auth::random_token());
    let opened = async {
        state.store.login_succeeded(user.id).await?;
        state.store.open_session(&id, user.id, &csrf, now_secs()).await
    };
    match opened.await {
        Ok(()) => {}
        // Disabled between the check above and the session.
        Err(lianzhang_store::StoreError::Refused(why)) => return login_again(&why),
        Err(e) => return WebError::from(e).into_response(),
    }
    let mut headers = HeaderMap::new();
    headers.append(SET_COOKIE, auth::session_cookie(&id).parse().expect("cookie"));
    headers.append(SET_COOKIE, auth::clear_cookie(LOGIN_CSRF_COOKIE, "/login").parse().expect("cookie"));
    (headers, Redirect::to("/home")).into_response()
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    session: Session,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    check_csrf(&session, &f.csrf)?;
    if let Some(id) = auth::cookie(&headers, SESSION_COOKIE) {
        state.store.close_session(id).await?;
    }
    Ok(([(SET_COOKIE, auth::clear_cookie(SESSION_COOKIE, "/"))], Redirect::to("/login")).into_response())
}

/// What the page frame needs: who is signed in, the CSRF token for the logout form.
pub struct Frame {
    pub user: User,
    pub csrf: String,
    pub active: &'static str,
    /// The Chinese name of a task force's chain.
    pub chain_name: Option<String>,
    /// The county the policy is of, for the title.
    pub county: String,
    /// The policy's document number.
    pub document: String,
}

impl Frame {
    pub fn new(s: Session, active: &'static str) -> Frame {
        Frame { user: s.user, csrf: s.csrf, active, chain_name: s.chain_name, county: s.county, document: s.document }
    }
    /// Whether the user keeps records (imports and edits).
    pub fn keeps_records(&self) -> bool {
        self.user.role.keeps_records()
    }
    /// Whether the user may open enterprise records (finance sees award lists only).
    pub fn sees_enterprises(&self) -> bool {
        self.user.role != lianzhang_store::Role::Finance
    }
    pub fn can_admin(&self) -> bool {
        matches!(self.user.role, lianzhang_store::Role::Admin | lianzhang_store::Role::Bureau)
    }
    pub fn role_zh(&self) -> &'static str {
        self.user.role.zh()
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub chain: Option<String>,
    pub stage: Option<String>,
    pub town: Option<String>,
    pub above_scale: Option<String>,
    pub tier: Option<String>,
    pub year: Option<i32>,
    pub sort: Option<String>,
    pub page: Option<u32>,
}

impl ListQuery {
    /// The filter the query asks for, within the scope; every typed parameter checked (text,
    /// and a year within 1949–2100).
    pub fn filter(&self, latest: i32, scope: &Scope) -> Result<EnterpriseFilter, WebError> {
        use lianzhang_facts::typed::TextKind::Line;
        let given = |v: &Option<String>| v.clone().unwrap_or_default();
        let (q, chain, stage, town, tier, sort) = (
            given(&self.q),
            given(&self.chain),
            given(&self.stage),
            given(&self.town),
            given(&self.tier),
            given(&self.sort),
        );
        crate::door::search_texts([
            ("查询条件 q（企业名称或代码）", q.as_str(), Line),
            ("产业链 chain", chain.as_str(), Line),
            ("环节 stage", stage.as_str(), Line),
            ("乡镇 town", town.as_str(), Line),
            ("梯度 tier", tier.as_str(), Line),
            ("排序 sort", sort.as_str(), Line),
        ])?;
        let year = match self.year {
            Some(y) => crate::door::year("年度 year", i64::from(y))?,
            None => latest,
        };
        let mut f = EnterpriseFilter {
            q: self.q.clone(),
            chain: self.chain.clone().filter(|c| !c.is_empty()),
            stage: self.stage.clone().filter(|c| !c.is_empty()),
            town: self.town.clone().filter(|c| !c.is_empty()),
            above_scale: match self.above_scale.as_deref() {
                Some("1") => Some(true),
                Some("0") => Some(false),
                _ => None,
            },
            year,
            sort: self.sort.clone(),
            page: self.page.unwrap_or(1).max(1),
            per_page: 50,
            tier: self.tier.clone().filter(|t| !t.is_empty()),
            liaison_of: None,
        };
        scope.restrict(&mut f);
        Ok(f)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprises.html")]
pub struct EnterprisesPage {
    frame: Frame,
    query: ListQuery,
    year: i32,
    rows: Vec<EnterpriseSummary>,
    total: i64,
    page: u32,
    pages: u32,
    chains: Vec<(String, String)>,
    /// The stages of the chosen chain (none while no chain is chosen).
    stages: Vec<String>,
    kinds: Vec<(String, String)>,
    /// The towns of the registry, for the town filter.
    towns: Vec<String>,
    chain_locked: bool,
}

impl EnterprisesPage {
    fn chain_name(&self, code: &Option<String>) -> String {
        code.as_ref()
            .map_or("—".into(), |c| self.chains.iter().find(|x| &x.0 == c).map_or(c.clone(), |x| x.1.clone()))
    }
    fn revenue(&self, fen: &Option<i64>) -> String {
        fen.map_or("—".into(), wan)
    }
    fn yn(&self, b: &Option<bool>) -> &'static str {
        yes_no(*b)
    }
    fn link(&self, page: u32) -> String {
        let enc = |s: &Option<String>| s.as_deref().map(urlencode).unwrap_or_default();
        format!(
            "/enterprises?q={}&chain={}&stage={}&town={}&above_scale={}&tier={}&year={}&sort={}&page={page}",
            enc(&self.query.q),
            enc(&self.query.chain),
            enc(&self.query.stage),
            enc(&self.query.town),
            enc(&self.query.above_scale),
            enc(&self.query.tier),
            self.year,
            enc(&self.query.sort)
        )
    }
    fn q(&self) -> &str {
        self.query.q.as_deref().unwrap_or_default()
    }
    fn selected(&self, code: &str) -> bool {
        self.query.chain.as_deref() == Some(code)
    }
    fn stage_selected(&self, stage: &str) -> bool {
        self.query.stage.as_deref() == Some(stage)
    }
    fn tier_selected(&self, code: &str) -> bool {
        self.query.tier.as_deref() == Some(code)
    }
    fn town_selected(&self, town: &str) -> bool {
        self.query.town.as_deref() == Some(town)
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The default year of lists: the latest year with data, else the policy's first year.
pub async fn latest_year(state: &AppState) -> Result<i32, WebError> {
    Ok(state.store.latest_year().await?.unwrap_or(state.policy.meta.effective_from))
}

pub async fn enterprises(
    State(state): State<Arc<AppState>>,
    session: Session,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<EnterprisesPage, WebError> {
    let Query(query) = query.map_err(|e| crate::api::query_refused(&e))?;
    let scope = Scope::of(&session.user);
    scope.enterprises()?;
    let mut query = query;
    let mut filter = query.filter(latest_year(&state).await?, &scope)?;
    let v = &state.policy.vocabulary;
    // The stages to choose from are the chosen chain's; a stage without a chain, or left over
    // from another chain (the chain was just changed), no longer applies.
    let stages = filter
        .chain
        .as_deref()
        .and_then(|c| v.chains.iter().find(|x| x.code == c))
        .map(|c| c.stages.clone())
        .unwrap_or_default();
    if filter.stage.as_ref().is_some_and(|s| !stages.contains(s)) {
        filter.stage = None;
        query.stage = None;
    }
    // A task force's chain is fixed: show it chosen.
    query.chain = filter.chain.clone();
    let (rows, total) = state.store.search_enterprises(&filter).await?;
    let chains = v.chains.iter().map(|c| (c.code.clone(), c.name.clone())).collect();
    Ok(EnterprisesPage {
        frame: Frame::new(session, "enterprises"),
        year: filter.year,
        page: filter.page,
        pages: ((total as u32).div_ceil(filter.per_page)).max(1),
        query,
        rows,
        total,
        chains,
        stages,
        kinds: state.policy.vocabulary.recognition_kinds.iter().map(|k| (k.code.clone(), k.name.clone())).collect(),
        towns: state.store.towns().await?,
        chain_locked: matches!(scope, Scope::Chain(_)),
    })
}

/// Loads an enterprise the user may see, as a one-enterprise dataset: 404 when unknown, 403 when
/// out of scope.
pub async fn load_in_scope(state: &AppState, user: &User, uscc: &str) -> Result<lianzhang_facts::Dataset, WebError> {
    let scope = Scope::of(user);
    scope.enterprises()?;
    let code = Uscc::parse(uscc).map_err(|_| WebError::NotFound(format!("企业 {uscc}")))?;
    let dataset = state
        .store
        .enterprise(&state.policy.vocabulary, &code)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("企业 {uscc}")))?;
    let e = dataset.get(0).enterprise;
    let chain = e.chain.map(|c| state.policy.vocabulary.chain_info(c).code.as_str());
    let liaison = matches!(scope, Scope::Liaison(_)) && state.store.is_liaison(user.id, code.as_str()).await?;
    if !scope.allows(chain, liaison) {
        return Err(WebError::Forbidden);
    }
    Ok(dataset)
}

/// Every outcome of an enterprise from the policy's first year to its latest annual row, oldest
/// first, as the ledger stands (paid awards are `already_paid`).
pub fn outcomes_by_year(
    versions: &crate::versions::Versions,
    facts: lianzhang_facts::EnterpriseFacts<'_>,
    paid: &dyn lianzhang_policy::PaidLedger,
    confirmations: &lianzhang_policy::Confirmations,
) -> Vec<(i32, lianzhang_policy::Status, lianzhang_policy::RuleReport)> {
    let first = versions.all().map(|v| v.policy.meta.effective_from).min().unwrap_or_default();
    let last = facts.annual.last().map_or(first, |r| r.year);
    (first..=last)
        .flat_map(|year| {
            // Each year under the version in force for it.
            let policy = &versions.for_year(year).policy;
            explain_with(policy, facts, year, paid, confirmations).into_iter().filter_map(move |r| match r.finding {
                Finding::Outcome(status) => Some((year, status, r)),
                _ => None,
            })
        })
        .collect()
}

pub struct YearRow {
    pub year: i32,
    pub revenue: String,
    pub above_scale: &'static str,
    pub chain_master: &'static str,
    pub local_rate: String,
    pub rd: String,
    /// Revenue in fen for the bar chart (0 when unknown).
    pub revenue_fen: i64,
}

pub struct OutcomeRow {
    pub year: i32,
    /// Where the rule is explained (the policy page's anchor).
    pub rule_url: String,
    pub rule: String,
    pub clause: String,
    pub status: String,
    pub amount: String,
    pub explanation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprise.html")]
pub struct EnterprisePage {
    frame: Frame,
    uscc: String,
    name: String,
    chain: String,
    stage: String,
    town: String,
    industry: String,
    strategic: &'static str,
    established: String,
    years: Vec<YearRow>,
    max_revenue: i64,
    /// Small charts: revenue, R&D and local sourcing rate over the years.
    sparks: Vec<(&'static str, String)>,
    recognitions: Vec<(i32, String)>,
    projects: Vec<lianzhang_facts::Project>,
    categories: Vec<String>,
    /// The facts the policy declares beyond FACTS.md (issue 11).
    declared: crate::declared::Declared,
    /// 数据疑点 in force, with the confirm form for those who keep records.
    findings: Vec<crate::findings::FindingView>,
    outcomes: Vec<OutcomeRow>,
    /// 兑现记录: the enterprise's lines in every award round, with payments.
    payouts: Vec<crate::payouts::PayoutRow>,
    audit: Vec<crate::admin::trail::TrailRow>,
}

impl EnterprisePage {
    fn bar(&self, fen: &i64) -> i64 {
        if self.max_revenue == 0 { 0 } else { fen * 100 / self.max_revenue }
    }
    fn money(&self, f: &Option<lianzhang_facts::Fen>) -> String {
        f.map_or("—".into(), |f| wan(f.0))
    }
    fn opt(&self, v: &Option<i32>) -> String {
        v.map_or("—".into(), |y| y.to_string())
    }
    fn category(&self, c: &Option<lianzhang_facts::CategoryId>) -> String {
        c.map_or("—".into(), |c| self.categories[c.0 as usize].clone())
    }
}

pub async fn enterprise(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(uscc): Path<String>,
) -> Result<EnterprisePage, WebError> {
    let record = load_in_scope(&state, &session.user, &uscc).await?;
    let p = &state.policy;
    let v = &p.vocabulary;
    let facts = record.get(0);
    let e = facts.enterprise;
    let chain = e.chain.map(|c| v.chain_info(c));
    let max_revenue = facts.annual.iter().filter_map(|r| r.revenue).map(|f| f.0).max().unwrap_or(0);
    let years = facts
        .annual
        .iter()
        .map(|r| YearRow {
            year: r.year,
            revenue: r.revenue.map_or("—".into(), |f| wan(f.0)),
            above_scale: yes_no(r.above_scale),
            chain_master: yes_no(r.chain_master),
            local_rate: match (r.local_procurement, r.total_procurement) {
                (Some(l), Some(t)) if t.0 > 0 => format!("{:.1}%", l.0 as f64 * 100.0 / t.0 as f64),
                _ => "—".into(),
            },
            rd: r.rd_expense.map_or("—".into(), |f| wan(f.0)),
            revenue_fen: r.revenue.map_or(0, |f| f.0),
        })
        .collect();
    let series = |f: &dyn Fn(&lianzhang_facts::Annual) -> Option<f64>| -> Vec<(i32, Option<f64>)> {
        facts.annual.iter().map(|r| (r.year, f(r))).collect()
    };
    let sparks = vec![
        ("营业收入", crate::format::sparkline(&series(&|r| r.revenue.map(|f| f.0 as f64)))),
        ("研发投入", crate::format::sparkline(&series(&|r| r.rd_expense.map(|f| f.0 as f64)))),
        (
            "本地配套率",
            crate::format::sparkline(&series(&|r| match (r.local_procurement, r.total_procurement) {
                (Some(l), Some(t)) if t.0 > 0 => Some(l.0 as f64 / t.0 as f64),
                _ => None,
            })),
        ),
    ];
    let (paid, confirmations) = state.store.paid_and_confirmations().await?;
    let findings = crate::findings::views(p, facts, &confirmations);
    let outcomes = outcomes_by_year(&state.versions(), facts, &paid, &confirmations)
        .into_iter()
        .rev()
        .map(|(year, status, r)| OutcomeRow {
            year,
            rule_url: crate::policy::rule_url(&r.rule, year),
            rule: r.title,
            clause: r.clause,
            status: status.zh().to_string(),
            amount: r.amount.map_or(String::new(), |a| format!("{} 元", yuan(a))),
            explanation: r.explanation,
        })
        .collect();
    let payouts = crate::payouts::record_of(&state.store.rounds().await?, e.uscc.as_str());
    let entries = state.store.audit_of_enterprise(e.uscc.as_str(), 50).await?;
    let names = state.store.audit_names(&entries).await?;
    let audit = crate::admin::trail::rows(&entries, &names, v);
    Ok(EnterprisePage {
        frame: Frame::new(session, "enterprises"),
        uscc: e.uscc.as_str().to_string(),
        name: e.name.clone(),
        chain: chain.map_or("—".into(), |c| c.name.clone()),
        stage: chain.zip(e.stage).map_or("—".into(), |(c, s)| c.stages[s as usize].clone()),
        town: e.town.clone().unwrap_or_else(|| "—".into()),
        industry: e.industry_code.clone().unwrap_or_else(|| "—".into()),
        strategic: yes_no(e.strategic_emerging),
        established: e.established.map_or("—".into(), |d| format!("{}年{}月", d.year(), d.month())),
        years,
        max_revenue,
        sparks,
        recognitions: facts.recognitions.iter().map(|r| (r.year, v.kind_info(r.kind).name.clone())).collect(),
        projects: facts.projects.to_vec(),
        categories: v.project_categories.iter().map(|c| c.name.clone()).collect(),
        declared: crate::declared::of(v, &facts),
        findings,
        outcomes,
        payouts,
        audit,
    })
}

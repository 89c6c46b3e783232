//! `/rounds/{id}/pay`: finance pays several ready lines at once (all or none, one voucher prefix
//! and one date); a refusal (a line already paid, the payer an approver) names why and pays
//! nothing.

use super::{date_of, fen_of, line_url, load, refusal, sees, today, yuan_input, yuan_plain};
use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{LineState, Phase, Role as RoundRole};
use lianzhang_store::{NewPayment, RoundRecord};
use std::collections::HashMap;
use std::sync::Arc;

/// A ready line with what remains to pay.
pub struct PayRow {
    /// The line's place in the round's (final, fixed) list: the form's value.
    pub index: usize,
    pub url: String,
    pub enterprise: String,
    pub uscc: String,
    pub rule_title: String,
    pub due: String,
    pub paid: String,
    pub remaining: String,
    pub account: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/pay.html")]
pub struct PayPage {
    frame: Frame,
    r: Arc<RoundRecord>,
    rows: Vec<PayRow>,
    finance: bool,
    is_final: bool,
    today: String,
    voucher: String,
    refused: Option<String>,
}

fn rows(r: &RoundRecord, actor: &lianzhang_rounds::Actor, picked: &[usize]) -> Vec<PayRow> {
    let round = &r.round;
    round
        .lines()
        .enumerate()
        .filter(|(_, l)| sees(actor, l))
        .filter_map(|(index, l)| {
            let LineState::Ready { amount_fen, account } = round.state(l) else { return None };
            let paid = round.paid_fen(&l.key);
            (amount_fen > paid).then(|| PayRow {
                index,
                url: line_url(r.header.id, &l.key),
                enterprise: l.enterprise.clone(),
                uscc: l.key.uscc.clone(),
                rule_title: l.rule_title.clone(),
                due: yuan_plain(amount_fen),
                paid: yuan_plain(paid),
                remaining: yuan_input(amount_fen - paid),
                account: account.map_or_else(|| "—".into(), |a| format!("{} {} {}", a.holder, a.bank, a.number)),
                checked: picked.contains(&index),
            })
        })
        .collect()
}

fn page(session: Session, r: Arc<RoundRecord>, picked: &[usize], voucher: String, refused: Option<String>) -> PayPage {
    let actor = session.user.actor();
    PayPage {
        rows: rows(&r, &actor, picked),
        finance: actor.role == RoundRole::Finance,
        is_final: matches!(r.round.phase(), Phase::Final { .. }),
        today: today().to_string(),
        voucher,
        refused,
        frame: Frame::new(session, "rounds"),
        r,
    }
}

/// The payment pages are finance's, and the bureau's to read.
fn finance_or_bureau(session: &Session) -> Result<(), WebError> {
    match session.user.actor().role {
        RoundRole::Finance | RoundRole::Bureau => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

pub async fn form(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<PayPage, WebError> {
    finance_or_bureau(&session)?;
    let r = load(&state, id).await?;
    Ok(page(session, r, &[], String::new(), None))
}

/// POST `/rounds/{id}/pay`: `pick` (repeated: line indexes), `amount.{index}` (yuan), `voucher`
/// (the prefix: the n-th picked line gets `{prefix}-{n:03}`), `date`.
pub async fn pay(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    check_csrf(&session, get("csrf"))?;
    let actor = session.user.actor();
    if actor.role != RoundRole::Finance {
        return Err(WebError::Forbidden);
    }
    let r = load(&state, id).await?;
    let picked: Vec<usize> = fields.iter().filter(|(k, _)| k == "pick").filter_map(|(_, v)| v.parse().ok()).collect();
    let amounts: HashMap<&str, &str> =
        fields.iter().filter_map(|(k, v)| k.strip_prefix("amount.").map(|i| (i, v.as_str()))).collect();
    let prefix = get("voucher").trim().to_string();
    let form = match crate::door::texts([("凭证号", prefix.as_str(), TextKind::Line)]) {
        Err(e) => Err(e.to_string()),
        Ok(()) => payments(&r, &actor, &picked, &amounts, &prefix, get("date")),
    };
    let refused = match form {
        Err(why) => why,
        Ok(list) => match state.store.pay_round(id, &actor, &list).await {
            Ok(_) => return Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
            // A line paid (in part) before: its payments are named beside the refusal.
            Err(e) => {
                let why = refusal(e)?;
                let r = load(&state, id).await?;
                let earlier = earlier(&r, &actor, &picked);
                if earlier.is_empty() || !why.contains("已付") {
                    why
                } else {
                    format!("{why}；此前的支付：{}", earlier.join("；"))
                }
            }
        },
    };
    let refused = Some(refused);
    let r = load(&state, id).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(session, r, &picked, prefix, refused)).into_response())
}

/// The payments not reversed of the picked lines, one sentence each (shown with a refusal).
fn earlier(r: &RoundRecord, actor: &lianzhang_rounds::Actor, picked: &[usize]) -> Vec<String> {
    let lines: Vec<_> = r.round.lines().collect();
    picked
        .iter()
        .filter_map(|i| lines.get(*i).filter(|l| sees(actor, l)))
        .flat_map(|l| {
            super::view::payments(r, &l.key).into_iter().filter(|p| p.reversed.is_none()).map(|p| {
                format!(
                    "{} {}：台账第 {} 条，凭证号 {}，{}，{} 元",
                    l.enterprise, l.rule_title, p.ledger_entry, p.voucher, p.date, p.amount
                )
            })
        })
        .collect()
}

/// The payments the form asks for, or every problem of the form at once.
fn payments(
    r: &RoundRecord,
    actor: &lianzhang_rounds::Actor,
    picked: &[usize],
    amounts: &HashMap<&str, &str>,
    prefix: &str,
    date: &str,
) -> Result<Vec<NewPayment>, String> {
    let mut problems = Vec::new();
    if picked.is_empty() {
        problems.push("请勾选要支付的行".to_string());
    }
    if prefix.is_empty() {
        problems.push("请填写凭证号".to_string());
    }
    let date = date_of("支付日期", date).map_err(|e| problems.push(e)).ok();
    let lines: Vec<_> = r.round.lines().collect();
    let mut out = Vec::new();
    for (n, i) in picked.iter().enumerate() {
        let Some(line) = lines.get(*i).filter(|l| sees(actor, l)) else {
            problems.push(format!("第 {} 个勾选的行不在本批次名单中", n + 1));
            continue;
        };
        let typed = amounts.get(i.to_string().as_str()).copied().unwrap_or("");
        let what = format!("{} {} 的支付金额", line.enterprise, line.rule_title);
        match fen_of(&what, typed) {
            Ok(0) => problems.push(format!("{what}须大于 0")),
            Ok(amount_fen) => out.push(NewPayment {
                line: line.key.clone(),
                amount_fen,
                voucher: if picked.len() == 1 { prefix.to_string() } else { format!("{prefix}-{:03}", n + 1) },
                date: date.unwrap_or_default(),
            }),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems.join("；")) }
}

//! `/rounds/{id}/lines/{uscc}/{rule}[?project=…]`: one line of a round: its explanation, what it
//! still needs (for a doubtful line, the missing facts with a link to the enterprise's edit
//! form), its history and payments, and the forms of the signed-in role.

use super::view::{self, PaymentView};
use super::{date_of, fen_of, line_url, load, refusal, sees, today, yuan_input, yuan_plain};
use crate::auth::{Session, check_csrf};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{
    Actor, BankAccount, Channel, Event, Line, LineKey, LineState, Outcome, Pending, Phase, Role as RoundRole,
};
use lianzhang_store::{NewPayment, RoundRecord};
use std::sync::Arc;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LineQuery {
    project: Option<String>,
}

/// One event of the line's history.
pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub role: &'static str,
    pub what: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rounds/line.html")]
pub struct LinePage {
    frame: Frame,
    r: Arc<RoundRecord>,
    line: Line,
    url: String,
    /// The rule on the policy page.
    rule_url: String,
    state_zh: String,
    pending: Vec<String>,
    /// The missing facts of a doubtful line, and the edit form to fix them (when the user may).
    missing: Vec<(String, Option<String>)>,
    link: bool,
    amount: String,
    ceiling_yuan: String,
    /// The ceiling with separators, for the label.
    amount_cap: String,
    account: Option<BankAccount>,
    hit: Option<String>,
    history: Vec<HistoryRow>,
    payments: Vec<PaymentView>,
    paid: String,
    remaining_yuan: String,
    can_review: bool,
    can_amount: bool,
    can_reopen: bool,
    can_confirm: bool,
    can_clear: bool,
    can_object: bool,
    can_pay: bool,
    can_reverse: bool,
    today: String,
    next_objection: u32,
    refused: Option<(String, String)>,
    /// What was typed in the refused form, shown again in it.
    typed: LineForm,
}

impl LinePage {
    /// A refusal whose form is not on the page for this role and phase: shown above the forms.
    fn orphan(&self) -> Option<&str> {
        let (form, text) = self.refused.as_ref()?;
        let shown = match form.as_str() {
            "reject" => self.can_review,
            "amount" => self.can_amount,
            "reopen" => self.can_reopen,
            "confirm" | "decline" => self.can_confirm,
            "clear_credit" => self.can_clear,
            "object" => self.can_object,
            "pay" => true,
            f => f.starts_with("reverse-") && self.can_reverse && self.payments.iter().any(|p| p.reversed.is_none()),
        };
        (!shown).then_some(text.as_str())
    }

    /// The value typed in `field` of `form` when that form was refused (else empty).
    fn v(&self, form: &str, field: &str) -> &str {
        if self.error_for(form).is_none() {
            return "";
        }
        let t = &self.typed;
        match field {
            "reason" => &t.reason,
            "amount" => &t.amount,
            "basis" => &t.basis,
            "holder" => &t.holder,
            "bank" => &t.bank,
            "number" => &t.number,
            "note" => &t.note,
            "evidence" => &t.evidence,
            "voucher" => &t.voucher,
            "objector" => &t.objector,
            "content" => &t.content,
            _ => "",
        }
    }
    fn error_for(&self, form: &str) -> Option<&str> {
        self.refused.as_ref().filter(|(f, _)| f == form).map(|(_, t)| t.as_str())
    }
}

/// The line a path names, if the user may see it (a task force: 403 for another chain's line).
fn find(r: &RoundRecord, actor: &Actor, uscc: &str, rule: &str, project: Option<String>) -> Result<Line, WebError> {
    let key = LineKey { uscc: uscc.to_string(), rule: rule.to_string(), project_id: project.filter(|p| !p.is_empty()) };
    let line = r.round.line(&key).ok_or_else(|| WebError::NotFound(format!("本批次当前名单中的 {key}")))?;
    if !sees(actor, line) {
        return Err(WebError::Forbidden);
    }
    Ok(line.clone())
}

async fn render(
    state: &AppState,
    session: Session,
    r: Arc<RoundRecord>,
    line: Line,
    refused: Option<(String, String)>,
    typed: LineForm,
) -> Result<LinePage, WebError> {
    let actor = session.user.actor();
    let round = &r.round;
    let st = round.state(&line);
    let payments = view::payments(&r, &line.key);
    let paid_entries: Vec<i64> = payments.iter().map(|p| p.ledger_entry).collect();
    let objection_ids: Vec<u32> = view::objections(&r).iter().filter(|o| o.line == line.key).map(|o| o.id).collect();
    let history = r
        .events
        .iter()
        .filter(|e| view::about(&e.event, &line.key, &paid_entries, &objection_ids))
        .map(|e| HistoryRow {
            at: crate::format::beijing(&e.at),
            who: e.actor.username.clone(),
            role: e.actor.role.zh(),
            what: e.zh(&r.round),
        })
        .collect();
    let pending: Vec<Pending> = match &st {
        LineState::Open { pending } => pending.clone(),
        _ => Vec::new(),
    };
    let reviewer = matches!(actor.role, RoundRole::Bureau | RoundRole::TaskForce(_));
    let in_review = *round.phase() == Phase::Review;
    let award = !line.is_recommendation() && !matches!(st, LineState::Withdrawn { .. });
    let paid = round.paid_fen(&line.key);
    let due = match &st {
        LineState::Ready { amount_fen, .. } => *amount_fen,
        _ => 0,
    };
    let link = super::page::links(state, &session, &line.key.uscc).await?;
    let edit_url = (session.user.role.keeps_records() && !line.missing.is_empty())
        .then(|| format!("/enterprises/{}/edit", line.key.uscc));
    // Each missing fact links to exactly its field of the edit form, at its year
    // (`2024年研发投入` → `?year=2024#f-rd_expense`).
    let missing = line
        .missing
        .iter()
        .map(|m| {
            let url = edit_url.as_ref().map(|u| {
                let (year, field) = crate::edit::field_of_fact(&state.policy.vocabulary, m);
                let year = year.map_or(String::new(), |y| format!("?year={y}"));
                let field = field.map_or(String::new(), |f| format!("#f-{f}"));
                format!("{u}{year}{field}")
            });
            (m.clone(), url)
        })
        .collect();
    let hit = pending.iter().find_map(|p| match p {
        Pending::CreditHit(h) => Some(format!(
            "{}（{}），{} 列入{}",
            h.list,
            h.source,
            h.listed,
            h.removed.map_or(String::new(), |d| format!("，{d} 移出"))
        )),
        _ => None,
    });
    Ok(LinePage {
        url: line_url(r.header.id, &line.key),
        rule_url: crate::policy::rule_url(&line.key.rule, r.header.year),
        state_zh: r.round.state_zh(&line),
        pending: pending.iter().map(Pending::zh).collect(),
        missing,
        link,
        amount: view::amount_text(&line, &st),
        ceiling_yuan: line.amount_fen.map(yuan_input).unwrap_or_default(),
        amount_cap: line.amount_fen.map(yuan_plain).unwrap_or_default(),
        account: match &st {
            LineState::Ready { account, .. } => account.clone(),
            _ => None,
        },
        can_review: reviewer && in_review && award,
        can_amount: reviewer && in_review && award && line.ceiling && line.outcome == Outcome::Award,
        can_reopen: reviewer
            && in_review
            && (matches!(st, LineState::Rejected { .. }) || (line.ceiling && !pending.contains(&Pending::FinalAmount))),
        can_confirm: reviewer && in_review && award && line.outcome == Outcome::Award,
        can_clear: actor.role == RoundRole::Bureau && in_review && hit.is_some(),
        can_object: actor.role == RoundRole::Bureau && matches!(round.phase(), Phase::Publicity { .. }) && award,
        can_pay: actor.role == RoundRole::Finance && matches!(round.phase(), Phase::Final { .. }) && due > paid,
        can_reverse: actor.role == RoundRole::Finance,
        hit,
        history,
        paid: yuan_plain(paid),
        remaining_yuan: yuan_input((due - paid).max(0)),
        payments,
        today: today().to_string(),
        next_objection: round.next_objection(),
        refused,
        typed,
        frame: Frame::new(session, "rounds"),
        r,
        line,
    })
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path((id, uscc, rule)): Path<(i64, String, String)>,
    Query(q): Query<LineQuery>,
) -> Result<LinePage, WebError> {
    let r = load(&state, id).await?;
    let line = find(&r, &session.user.actor(), &uscc, &rule, q.project)?;
    render(&state, session, r, line, None, LineForm::default()).await
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct LineForm {
    csrf: String,
    action: String,
    reason: String,
    amount: String,
    basis: String,
    channel: String,
    date: String,
    holder: String,
    bank: String,
    number: String,
    note: String,
    evidence: String,
    voucher: String,
    ledger_entry: i64,
    objector: String,
    content: String,
}

/// POST on a line: a decision, a confirmation, a credit clearance, an objection, a payment or a
/// reversal. Refused: the page again with the sentence beside the form, nothing changed.
pub async fn act(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path((id, uscc, rule)): Path<(i64, String, String)>,
    Query(q): Query<LineQuery>,
    Form(f): Form<LineForm>,
) -> Result<Response, WebError> {
    check_csrf(&session, &f.csrf)?;
    let actor = session.user.actor();
    let r = load(&state, id).await?;
    let line = find(&r, &actor, &uscc, &rule, q.project)?;
    let form = match f.action.as_str() {
        "reject" | "amount" | "reopen" | "confirm" | "decline" | "clear_credit" | "object" | "pay" => f.action.clone(),
        "reverse" => format!("reverse-{}", f.ledger_entry),
        _ => return Err(WebError::Invalid("未知的操作".into())),
    };
    let done = match crate::door::texts([
        ("理由", f.reason.as_str(), TextKind::Note),
        ("核定依据", f.basis.as_str(), TextKind::Note),
        ("户名", f.holder.as_str(), TextKind::Line),
        ("开户行", f.bank.as_str(), TextKind::Line),
        ("账号", f.number.as_str(), TextKind::Line),
        ("备注", f.note.as_str(), TextKind::Note),
        ("证明材料", f.evidence.as_str(), TextKind::Note),
        ("凭证号", f.voucher.as_str(), TextKind::Line),
        ("异议人", f.objector.as_str(), TextKind::Line),
        ("异议内容", f.content.as_str(), TextKind::Note),
    ]) {
        Err(e) => Err(e.to_string()),
        Ok(()) => line_action(&state, &actor, &r, &line, &f).await?,
    };
    match done {
        Ok(()) => Ok(Redirect::to(&line_url(id, &line.key)).into_response()),
        Err(why) => {
            let r = load(&state, id).await?;
            let page = render(&state, session, r, line, Some((form, why)), f).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn channel_of(text: &str) -> Result<Channel, String> {
    match text {
        "phone" => Ok(Channel::Phone),
        "paper" => Ok(Channel::Paper),
        "visit" => Ok(Channel::Visit),
        _ => Err("请选择确认方式：电话、书面或走访".into()),
    }
}

/// Does the action: `Ok(Ok(()))` done, `Ok(Err)` refused with the sentence to show.
async fn line_action(
    state: &AppState,
    actor: &Actor,
    r: &RoundRecord,
    line: &Line,
    f: &LineForm,
) -> Result<Result<(), String>, WebError> {
    let (id, store, key) = (r.header.id, &state.store, line.key.clone());
    let t = |s: &str| s.trim().to_string();
    let event = match f.action.as_str() {
        "reject" => Event::Rejected { line: key, reason: t(&f.reason) },
        "amount" => match fen_of("核定金额", &f.amount) {
            Ok(amount_fen) => Event::AmountSet { line: key, amount_fen, basis: t(&f.basis) },
            Err(why) => return Ok(Err(why)),
        },
        "reopen" => Event::Reopened { line: key, reason: t(&f.reason) },
        "confirm" | "decline" => {
            let (channel, date) = match (channel_of(&f.channel), date_of("确认日期", &f.date)) {
                (Ok(c), Ok(d)) => (c, d),
                (Err(a), Err(b)) => return Ok(Err(format!("{a}；{b}"))),
                (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
            };
            if f.action == "decline" {
                Event::Declined { line: key, channel, date, note: t(&f.note) }
            } else {
                let account = BankAccount { holder: t(&f.holder), bank: t(&f.bank), number: t(&f.number) };
                Event::Confirmed { line: key, channel, date, account, note: t(&f.note) }
            }
        }
        "clear_credit" => Event::CreditCleared { uscc: key.uscc, reason: t(&f.reason), evidence: t(&f.evidence) },
        "object" => match date_of("异议日期", &f.date) {
            Ok(date) => Event::Objected {
                id: r.round.next_objection(),
                line: key,
                objector: t(&f.objector),
                date,
                content: t(&f.content),
                evidence: t(&f.evidence),
            },
            Err(why) => return Ok(Err(why)),
        },
        "pay" => {
            let (amount_fen, date) = match (fen_of("支付金额", &f.amount), date_of("支付日期", &f.date)) {
                (Ok(a), Ok(d)) => (a, d),
                (Err(a), Err(b)) => return Ok(Err(format!("{a}；{b}"))),
                (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
            };
            let p = NewPayment { line: key, amount_fen, voucher: t(&f.voucher), date };
            return Ok(match store.pay_round(id, actor, &[p]).await {
                Ok(_) => Ok(()),
                Err(e) => Err(refusal(e)?),
            });
        }
        "reverse" => {
            if !view::payments(r, &line.key).iter().any(|p| p.ledger_entry == f.ledger_entry) {
                return Ok(Err(format!("台账第 {} 条不是本行的支付", f.ledger_entry)));
            }
            return Ok(match store.reverse_round_payment(id, actor, f.ledger_entry, f.reason.trim()).await {
                Ok(_) => Ok(()),
                Err(e) => Err(refusal(e)?),
            });
        }
        _ => unreachable!("checked by the caller"),
    };
    Ok(match store.act(id, actor, event).await {
        Ok(_) => Ok(()),
        Err(e) => Err(refusal(e)?),
    })
}

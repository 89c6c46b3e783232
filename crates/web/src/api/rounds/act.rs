//! The actions on a round (`POST /api/v1/rounds…`): each body is read as JSON (`Content-Type:
//! application/json`, unknown fields refused), checked at the door (text, dates, yuan amounts:
//! every problem at once, 422), turned into a workflow event and handed to the store, whose
//! workflow decides (a refusal is 409, nothing changed). Each answers with the round's detail.

use super::door::{Door, body};
use super::{Ids, detail, store_error};
use crate::api::{ApiError, Caller};
use crate::{AppState, WebError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use lianzhang_facts::typed::TextKind;
use lianzhang_rounds::{BankAccount, Channel, Event, LineKey, Upheld};
use lianzhang_store::{NewPayment, NewRound};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

type Answer = Result<Json<Value>, ApiError>;

/// Records `event` on round `id` as the caller.
async fn act(state: &AppState, user: &lianzhang_store::User, id: i64, event: Event) -> Answer {
    let r = state.store.act(id, &user.actor(), event).await.map_err(store_error)?;
    Ok(detail(state, user, &r))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    year: i64,
    name: String,
}

/// `POST /api/v1/rounds {year, name}` (工信局): 201 with the new round.
pub async fn create(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b: CreateBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.text("批次名称 name", &b.name, TextKind::Line);
    let year = crate::door::year("年度 year", b.year);
    if let Err(e) = &year {
        door.0.push(e.to_string());
    }
    door.done()?;
    let actor = user.actor();
    let year = year.unwrap_or_default();
    // Pinned to the version in force for the round's year.
    let (file, policy) = state.policy_for(year);
    let new = NewRound { year, name: &b.name, file: &file, policy: &policy, actor: &actor };
    let r = state.store.create_round(new).await.map_err(store_error)?;
    Ok((StatusCode::CREATED, detail(&state, &user, &r)))
}

/// `POST /api/v1/rounds/{id}/refresh` (工信局): the next revision on the registry's facts.
pub async fn refresh(State(state): State<Arc<AppState>>, Caller(user): Caller, ids: Ids) -> Answer {
    let id = ids.round();
    let r = state.store.refresh_round(id, &user.actor()).await.map_err(store_error)?;
    Ok(detail(&state, &user, &r))
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Decision {
    Reject,
    SetAmount,
    Reopen,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    line: LineKey,
    action: Decision,
    #[serde(default)]
    reason: String,
    amount: Option<String>,
    #[serde(default)]
    basis: String,
}

/// `POST /api/v1/rounds/{id}/decisions` (工信局, 本链专班): reject, set the final amount of a
/// ceiling line, or reopen.
pub async fn decide(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: DecisionBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.line(&b.line);
    door.text("理由 reason", &b.reason, TextKind::Note);
    door.text("核定依据 basis", &b.basis, TextKind::Note);
    let event = match b.action {
        Decision::Reject => Event::Rejected { line: b.line, reason: b.reason },
        Decision::Reopen => Event::Reopened { line: b.line, reason: b.reason },
        Decision::SetAmount => {
            let amount_fen = match &b.amount {
                Some(a) => door.money("核定金额 amount", a),
                None => {
                    door.0.push("核定金额 amount：缺少（set_amount 须给出金额）".into());
                    0
                }
            };
            Event::AmountSet { line: b.line, amount_fen, basis: b.basis }
        }
    };
    door.done()?;
    act(&state, &user, id, event).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationBody {
    line: LineKey,
    accepted: bool,
    channel: Channel,
    date: String,
    account: Option<BankAccount>,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/rounds/{id}/confirmations` (本链专班, 工信局): the enterprise accepted (with its
/// account) or declined.
pub async fn confirm(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: ConfirmationBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.line(&b.line);
    let date = door.date("确认日期 date", &b.date);
    door.text("备注 note", &b.note, TextKind::Note);
    if let Some(a) = &b.account {
        door.text("户名 account.holder", &a.holder, TextKind::Line);
        door.text("开户行 account.bank", &a.bank, TextKind::Line);
        door.text("账号 account.number", &a.number, TextKind::Line);
    }
    let event = match (b.accepted, b.account) {
        (true, Some(account)) => Event::Confirmed { line: b.line, channel: b.channel, date, account, note: b.note },
        (true, None) => {
            door.0.push("收款账户 account：企业接受时须填写户名、开户行和账号".into());
            Event::Declined { line: b.line, channel: b.channel, date, note: b.note }
        }
        (false, _) => Event::Declined { line: b.line, channel: b.channel, date, note: b.note },
    };
    door.done()?;
    act(&state, &user, id, event).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateBody {
    date: String,
}

/// `POST /api/v1/rounds/{id}/credit-check {date}` (工信局): against the lists in force that day.
pub async fn credit_check(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: DateBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    let date = door.date("核查日期 date", &b.date);
    door.done()?;
    let r = state.store.credit_check(id, &user.actor(), date).await.map_err(store_error)?;
    Ok(detail(&state, &user, &r))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearanceBody {
    uscc: String,
    reason: String,
    evidence: String,
}

/// `POST /api/v1/rounds/{id}/credit-clearances` (工信局): clear a hit with reason and evidence.
pub async fn credit_clear(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: ClearanceBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.text("企业 uscc", &b.uscc, TextKind::Line);
    door.text("解除理由 reason", &b.reason, TextKind::Note);
    door.text("证明材料 evidence", &b.evidence, TextKind::Note);
    door.done()?;
    act(&state, &user, id, Event::CreditCleared { uscc: b.uscc, reason: b.reason, evidence: b.evidence }).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/rounds/{id}/approvals {note}` (领导): one sign-off.
pub async fn approve(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: ApprovalBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.text("审批意见 note", &b.note, TextKind::Note);
    door.done()?;
    act(&state, &user, id, Event::Approved { note: b.note }).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    date: String,
    document_no: String,
}

/// `POST /api/v1/rounds/{id}/publish {date, document_no}` (工信局): the period's last day is
/// counted in working days on the official calendar (the round's `publicity_days`).
pub async fn publish(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: PublishBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    let date = door.date("发布日期 date", &b.date);
    door.text("文号 document_no", &b.document_no, TextKind::Line);
    door.done()?;
    let r = state.store.round(id).await.map_err(store_error)?;
    let calendar = state.store.calendar().await.map_err(store_error)?;
    let period =
        calendar.period(date, r.header.publicity_days.max(1)).map_err(|e| ApiError::conflict(e.to_string()))?;
    let event = Event::Published { date, last_day: period.last, document_no: b.document_no };
    act(&state, &user, id, event).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    line: LineKey,
    objector: String,
    date: String,
    content: String,
    #[serde(default)]
    evidence: String,
}

/// `POST /api/v1/rounds/{id}/objections` (工信局, during 公示): the objection gets the next number.
pub async fn object(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: ObjectionBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.line(&b.line);
    door.text("异议人 objector", &b.objector, TextKind::Line);
    let date = door.date("收到日期 date", &b.date);
    door.text("异议内容 content", &b.content, TextKind::Note);
    door.text("证据 evidence", &b.evidence, TextKind::Note);
    door.done()?;
    let r = state.store.round(id).await.map_err(store_error)?;
    let event = Event::Objected {
        id: r.round.next_objection(),
        line: b.line,
        objector: b.objector,
        date,
        content: b.content,
        evidence: b.evidence,
    };
    act(&state, &user, id, event).await
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Resolution {
    Withdraw,
    Correct,
    Dismissed,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    result: Resolution,
    reason: String,
}

/// `POST /api/v1/rounds/{id}/objections/{n}/resolve {result: withdraw|correct|dismissed, reason}`
/// (工信局): upheld (the line withdrawn, or the round back to review) or dismissed.
pub async fn resolve(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let n = u32::try_from(ids.second()).map_err(|_| WebError::NotFound("该异议".into()))?;
    let b: ResolveBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.text("处理理由 reason", &b.reason, TextKind::Note);
    door.done()?;
    let event = match b.result {
        Resolution::Withdraw => Event::ObjectionUpheld { id: n, settle: Upheld::Withdraw, reason: b.reason },
        Resolution::Correct => Event::ObjectionUpheld { id: n, settle: Upheld::Correct, reason: b.reason },
        Resolution::Dismissed => Event::ObjectionDismissed { id: n, reason: b.reason },
    };
    act(&state, &user, id, event).await
}

/// `POST /api/v1/rounds/{id}/finalise {date}` (工信局): after the period, no objection open.
pub async fn finalise(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: DateBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    let date = door.date("确定日期 date", &b.date);
    door.done()?;
    act(&state, &user, id, Event::Finalised { date }).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    line: LineKey,
    amount: String,
    voucher: String,
    date: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsBody {
    payments: Vec<PaymentBody>,
}

/// `POST /api/v1/rounds/{id}/payments {payments: [{line, amount, voucher, date}]}` (财政局, never
/// an approver of the round): all or none.
pub async fn pay(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let b: PaymentsBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    let payments: Vec<NewPayment> = b
        .payments
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let n = i + 1;
            door.line(&p.line);
            door.text(&format!("第 {n} 笔的凭证号 voucher"), &p.voucher, TextKind::Line);
            NewPayment {
                amount_fen: door.money(&format!("第 {n} 笔的金额 amount"), &p.amount),
                date: door.date(&format!("第 {n} 笔的支付日期 date"), &p.date),
                line: p.line,
                voucher: p.voucher,
            }
        })
        .collect();
    door.done()?;
    let r = state.store.pay_round(id, &user.actor(), &payments).await.map_err(store_error)?;
    Ok(detail(&state, &user, &r))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReversalBody {
    reason: String,
}

/// `POST /api/v1/rounds/{id}/payments/{ledger_entry}/reversal {reason}` (财政局): 冲正 in full.
pub async fn reverse(
    State(state): State<Arc<AppState>>,
    Caller(user): Caller,
    ids: Ids,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let id = ids.round();
    let entry = ids.second();
    let b: ReversalBody = body(&headers, &bytes)?;
    let mut door = Door::default();
    door.text("冲正原因 reason", &b.reason, TextKind::Note);
    door.done()?;
    let r = state.store.reverse_round_payment(id, &user.actor(), entry, &b.reason).await.map_err(store_error)?;
    Ok(detail(&state, &user, &r))
}

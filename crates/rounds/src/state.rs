//! What a line still needs, and what it is when nothing more is needed: derived from the round's
//! events, never stored.

use crate::event::{BankAccount, CreditHit};
use jiff::civil::Date;
use serde::Serialize;

/// The phase of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// 审核中: lines are reviewed, confirmed and checked; leaders sign off.
    Review,
    /// 已审批: every sign-off given; waiting for 公示.
    Approved,
    /// 公示中: objections are received through `last_day`.
    Publicity { date: Date, last_day: Date, document_no: String },
    /// 已确定: the list is final; finance pays.
    Final { date: Date },
}

impl Phase {
    pub fn zh(&self) -> &'static str {
        match self {
            Phase::Review => "审核中",
            Phase::Approved => "已审批待公示",
            Phase::Publicity { .. } => "公示中",
            Phase::Final { .. } => "已确定",
        }
    }
}

/// What an award line still needs before the round can be approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "pending", rename_all = "snake_case")]
pub enum Pending {
    /// 待核实: the missing or doubtful facts must be fixed (then refresh) or the line rejected.
    Review { missing: Vec<String> },
    /// 待核定金额: the amount is a ceiling; review sets the final amount.
    FinalAmount,
    /// 待企业确认 (意愿确认).
    Confirmation,
    /// 待信用核查: the enterprise was not on the round's credit check (new since the check).
    CreditCheck,
    /// 信用核查命中: held until cleared with a reason and evidence.
    CreditHit(CreditHit),
}

impl Pending {
    pub fn zh(&self) -> String {
        match self {
            Pending::Review { missing } if missing.is_empty() => "待核实".into(),
            Pending::Review { missing } => format!("待核实：{}", missing.join("、")),
            Pending::FinalAmount => "待核定金额（上限内由评审确定）".into(),
            Pending::Confirmation => "待企业确认".into(),
            Pending::CreditCheck => "待信用核查".into(),
            Pending::CreditHit(h) => format!("信用核查命中：{}（{}，{} 列入）", h.list, h.source, h.listed),
        }
    }
}

/// Where a line stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LineState {
    /// On the recommendation list (推荐名单): never holds the round, never paid.
    Recommendation,
    /// Something is still needed.
    Open { pending: Vec<Pending> },
    /// 不予兑现, with the reviewer's reason.
    Rejected { reason: String },
    /// 企业放弃.
    Declined,
    /// Withdrawn by an upheld objection (its number).
    Withdrawn { objection: u32 },
    /// Decided: the amount to pay (fen) once the round is final, and where to.
    Ready { amount_fen: i64, account: Option<BankAccount> },
}

impl LineState {
    pub fn zh(&self) -> String {
        match self {
            LineState::Recommendation => "推荐".into(),
            LineState::Open { pending } => pending.iter().map(Pending::zh).collect::<Vec<_>>().join("；"),
            LineState::Rejected { reason } => format!("不予兑现：{reason}"),
            LineState::Declined => "企业放弃".into(),
            LineState::Withdrawn { objection } => format!("经第 {objection} 号异议撤下"),
            LineState::Ready { .. } => "可兑现".into(),
        }
    }

    /// Whether the line no longer holds up approval.
    pub fn is_decided(&self) -> bool {
        !matches!(self, LineState::Open { .. })
    }
}

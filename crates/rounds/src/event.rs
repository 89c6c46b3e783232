//! What people do to a round, one event each: the round's timeline is its list of events, and its
//! state is that list folded ([`crate::Round::apply`]).

use crate::line::{Line, LineKey};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Fen as exact yuan with separators: `1,200,000.00元`.
pub fn yuan(fen: i64) -> String {
    format!("{}元", lianzhang_facts::format_yuan(lianzhang_facts::Fen(fen).to_yuan()))
}

/// The roles of PRODUCT.md as the workflow sees them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理员: accounts and the system, not the awards.
    Admin,
    /// 工信局: runs the round.
    Bureau,
    /// 产业链专班: reviews and confirms the lines of its chain (by chain code).
    TaskForce(String),
    /// 领导: approves.
    Leader,
    /// 财政局: pays.
    Finance,
}

impl Role {
    pub fn zh(&self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Bureau => "工信局",
            Role::TaskForce(_) => "产业链专班",
            Role::Leader => "领导",
            Role::Finance => "财政局",
        }
    }
}

/// Who did something: the account and its role at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub username: String,
    pub role: Role,
}

/// How an enterprise's answer reached the task force (until an enterprise portal exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Paper,
    Visit,
}

impl Channel {
    pub fn zh(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Paper => "书面",
            Channel::Visit => "走访",
        }
    }
}

/// The receiving bank account an enterprise confirmed (收款账户).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    /// 户名.
    pub holder: String,
    /// 开户行.
    pub bank: String,
    /// 账号.
    pub number: String,
}

/// One entry of a list of seriously untrustworthy entities (严重失信主体名单) that matched a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditHit {
    pub uscc: String,
    /// The list's name (e.g. 失信被执行人名单).
    pub list: String,
    /// Where the entry comes from (the publishing body or site).
    pub source: String,
    pub listed: Date,
    pub removed: Option<Date>,
}

/// How an upheld objection is settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Upheld {
    /// The line is withdrawn from the round.
    Withdraw,
    /// The facts are corrected: the round goes back to review, is refreshed, approved and
    /// published again.
    Correct,
}

/// Everything that can happen to a round. Money in fen; dates are Beijing calendar dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The next revision of the lines, assessed again on the registry's current facts.
    Refreshed {
        revision: u32,
        lines: Vec<Line>,
    },
    /// A reviewer rejects a line (不予兑现), with a written reason.
    Rejected {
        line: LineKey,
        reason: String,
    },
    /// A reviewer sets the final amount of a ceiling line (≤ the ceiling), with the review basis.
    AmountSet {
        line: LineKey,
        amount_fen: i64,
        basis: String,
    },
    /// A reviewer takes back a rejection or a final amount, before approval.
    Reopened {
        line: LineKey,
        reason: String,
    },
    /// The enterprise accepted the award and confirmed its account (意愿确认).
    Confirmed {
        line: LineKey,
        channel: Channel,
        date: Date,
        account: BankAccount,
        note: String,
    },
    /// The enterprise declined the award.
    Declined {
        line: LineKey,
        channel: Channel,
        date: Date,
        note: String,
    },
    /// The credit check (信用核查) of every line's enterprise against the list in force on `date`.
    CreditChecked {
        date: Date,
        source: String,
        hits: Vec<CreditHit>,
    },
    /// A credit hit cleared, with the reason and the evidence (e.g. a 信用修复 certificate).
    CreditCleared {
        uscc: String,
        reason: String,
        evidence: String,
    },
    /// A leader's sign-off on the round as a whole.
    Approved {
        note: String,
    },
    /// 公示: the public list published on `date`, open to objections through `last_day`.
    Published {
        date: Date,
        last_day: Date,
        document_no: String,
    },
    /// An objection (异议) received during the period.
    Objected {
        id: u32,
        line: LineKey,
        objector: String,
        date: Date,
        content: String,
        evidence: String,
    },
    ObjectionUpheld {
        id: u32,
        settle: Upheld,
        reason: String,
    },
    ObjectionDismissed {
        id: u32,
        reason: String,
    },
    /// The period ended with no open objection: the list is final and payable.
    Finalised {
        date: Date,
    },
    /// A payment recorded by finance (full or partial), with the ledger entry it made.
    Paid {
        line: LineKey,
        ledger_entry: i64,
        voucher: String,
        date: Date,
        amount_fen: i64,
    },
    /// A payment reversed (冲正), with the reversing ledger entry.
    Reversed {
        ledger_entry: i64,
        reversal_entry: i64,
        reason: String,
    },
}

impl Event {
    /// The line the event is about, if it is about one line.
    pub fn line(&self) -> Option<&LineKey> {
        match self {
            Event::Rejected { line, .. }
            | Event::AmountSet { line, .. }
            | Event::Reopened { line, .. }
            | Event::Confirmed { line, .. }
            | Event::Declined { line, .. }
            | Event::Objected { line, .. }
            | Event::Paid { line, .. } => Some(line),
            _ => None,
        }
    }

    /// The event on the round's timeline, in Chinese.
    pub fn zh(&self) -> String {
        self.zh_naming(&|k| k.to_string())
    }

    /// The event in Chinese, each line named by `name` (a round names its lines by enterprise
    /// and rule title: [`crate::Round::describe`]).
    pub fn zh_naming(&self, name: &dyn Fn(&LineKey) -> String) -> String {
        match self {
            Event::Refreshed { revision, lines } => format!("刷新名单，形成第 {revision} 版（{} 行）", lines.len()),
            Event::Rejected { line, reason } => format!("不予兑现 {}：{reason}", name(line)),
            Event::AmountSet { line, amount_fen, basis } => {
                format!("核定 {} 的金额为 {}（依据：{basis}）", name(line), yuan(*amount_fen))
            }
            Event::Reopened { line, reason } => format!("撤回对 {} 的决定：{reason}", name(line)),
            Event::Confirmed { line, channel, date, account, .. } => format!(
                "{} 企业已确认接受（{}，{date}），收款账户 {} {}",
                name(line),
                channel.zh(),
                account.bank,
                account.number
            ),
            Event::Declined { line, channel, date, .. } => {
                format!("{} 企业放弃（{}，{date}）", name(line), channel.zh())
            }
            Event::CreditChecked { date, source, hits } => {
                format!("信用核查（{date} 在册名单，来源 {source}）：命中 {} 家", hits.len())
            }
            Event::CreditCleared { uscc, reason, .. } => format!("解除 {uscc} 的信用核查命中：{reason}"),
            Event::Approved { .. } => "审批同意".into(),
            Event::Published { date, last_day, document_no } => {
                format!("公示（{document_no}），{date} 发布，异议期至 {last_day}")
            }
            Event::Objected { id, line, objector, .. } => format!("收到第 {id} 号异议（{objector}）：{}", name(line)),
            Event::ObjectionUpheld { id, settle, reason } => match settle {
                Upheld::Withdraw => format!("第 {id} 号异议成立，撤下该行：{reason}"),
                Upheld::Correct => format!("第 {id} 号异议成立，更正事实后重新审核：{reason}"),
            },
            Event::ObjectionDismissed { id, reason } => format!("第 {id} 号异议不成立：{reason}"),
            Event::Finalised { date } => format!("公示期满无异议，{date} 名单确定"),
            Event::Paid { line, voucher, amount_fen, .. } => {
                format!("支付 {} {}（凭证号 {voucher}）", name(line), yuan(*amount_fen))
            }
            Event::Reversed { ledger_entry, reason, .. } => format!("冲正台账第 {ledger_entry} 条：{reason}"),
        }
    }
}

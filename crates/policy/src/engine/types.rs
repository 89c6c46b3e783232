//! What the engine hands out: outcomes and their statuses, a year's assessment, `explain`'s
//! reports, and the payout ledger it consults.

use crate::plausibility;
use lianzhang_facts::{Uscc, Year};
use rust_decimal::Decimal;
use serde::Serialize;

/// The status of an outcome (POLICY.md, "Outcome statuses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Award,
    NeedsReview,
    Referral,
    AlreadyPaid,
    /// 收回: an award paid under another rule is to be taken back (its amount negative).
    Recovery,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Award => "award",
            Status::NeedsReview => "needs_review",
            Status::Referral => "referral",
            Status::AlreadyPaid => "already_paid",
            Status::Recovery => "recovery",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Status::Award => "奖励",
            Status::NeedsReview => "待核实",
            Status::Referral => "推荐",
            Status::AlreadyPaid => "已兑现",
            Status::Recovery => "收回",
        }
    }
}

/// One outcome of `assess`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub uscc: Uscc,
    pub enterprise: String,
    pub rule: String,
    pub clause: String,
    pub status: Status,
    /// Rounded once, for `award` and `recovery` (negative: what is taken back) only.
    pub amount: Option<Decimal>,
    pub project_id: Option<String>,
    pub explanation: String,
    /// The unknown facts a `needs_review` outcome turns on.
    pub missing: Vec<String>,
}

/// The outcomes of one assessment year, sorted by uscc, rule id, project id.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub policy: String,
    pub year: Year,
    pub in_force: bool,
    pub outcomes: Vec<Outcome>,
    /// The plausibility findings in force on the dataset (not cleared by a confirmation),
    /// sorted by uscc, year and check: warnings for the clerk, and the reason of every outcome
    /// they turned into `needs_review`.
    pub findings: Vec<plausibility::Finding>,
}

impl Assessment {
    /// The sum of `award` amounts.
    pub fn total(&self) -> Decimal {
        self.outcomes.iter().filter(|o| o.status == Status::Award).filter_map(|o| o.amount).sum()
    }

    /// The sum of `recovery` amounts (negative, or zero).
    pub fn recovered(&self) -> Decimal {
        self.outcomes.iter().filter(|o| o.status == Status::Recovery).filter_map(|o| o.amount).sum()
    }
}

/// What `explain` says of one rule (or one project) for an enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Outcome(Status),
    /// Assessed, and the conditions do not hold.
    NotEligible,
    /// Not assessed: no annual row for the year, no project completed, policy not in force.
    NotAssessed,
    /// The conditions hold, but a cap across rules (`[caps]`) left nothing of the award.
    Capped,
}

#[derive(Debug, Clone)]
pub struct RuleReport {
    pub rule: String,
    pub clause: String,
    pub title: String,
    pub finding: Finding,
    pub amount: Option<Decimal>,
    pub project_id: Option<String>,
    pub explanation: String,
    pub missing: Vec<String>,
}

/// The payout ledger as the engine sees it: has this award been paid (net of reversals)?
/// One-time awards are asked with `year = None`, yearly ones with their year.
pub trait PaidLedger: Sync {
    fn is_paid(&self, uscc: &Uscc, rule: &str, year: Option<Year>, project_id: Option<&str>) -> bool;
}

/// A ledger with nothing paid.
pub struct NothingPaid;

impl PaidLedger for NothingPaid {
    fn is_paid(&self, _: &Uscc, _: &str, _: Option<Year>, _: Option<&str>) -> bool {
        false
    }
}

//! Plausibility, not only validity (issue 8 item 2): values that are valid one by one but
//! contradict each other or their history — an enterprise on the above-scale list with a few
//! thousand yuan of revenue, a value that moved by a factor of about 10,000 from the year before
//! (万元 typed where 元 was asked). The checks and their thresholds are data: the policy file's
//! `[plausibility]` section. Pure: no IO.
//!
//! A [`Finding`] names the facts it doubts. The engine treats a doubtful fact as unknown, with
//! the finding as the reason: a rule that reads it becomes `needs_review` (never an award paid
//! on it), a rule that does not read it is unaffected, and a known-false part still decides. A
//! clerk who checks the value records a [`Confirmation`]; it clears the finding for that value
//! only, so a changed value brings the finding back.

mod checks;
pub(crate) mod compile;
mod serde_uscc;

use lianzhang_facts::{Dataset, EnterpriseFacts, Fen, Uscc, Year};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use checks::check_enterprise;

/// One check of the policy file's `[plausibility]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The check id, e.g. `unit_jump` (the key of its table in the policy file).
    pub id: String,
    /// Its Chinese title, shown with every finding.
    pub title: String,
    pub kind: CheckKind,
}

/// What a check looks for, with its thresholds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckKind {
    /// `above_scale_revenue_below_line`: above scale in a year, revenue (yuan) below the
    /// above-scale line (规上标准, 20,000,000 yuan by default).
    AboveScaleRevenueBelowLine { line: Fen },
    /// `unit_jump`: a money value of the annual sheet that differs from the year before by a
    /// factor of at least `factor` (up or down): the smaller is suspected of 万元.
    UnitJump { factor: Decimal },
    /// `local_above_total`: local procurement above total procurement in a year.
    LocalAboveTotal,
    /// `revenue_collapse`: revenue fell by more than `max_drop` (a share, 0.9 = 90%) from the
    /// year before. Not reported when `unit_jump` explains the same value (one cause, one finding).
    RevenueCollapse { max_drop: Decimal },
}

impl CheckKind {
    /// The check ids the policy file may use, with their parameters.
    pub const IDS: [(&'static str, &'static [&'static str]); 4] = [
        ("above_scale_revenue_below_line", &["title", "line"]),
        ("unit_jump", &["title", "factor"]),
        ("local_above_total", &["title"]),
        ("revenue_collapse", &["title", "max_drop"]),
    ];
}

/// A fact a finding involves: a field of the annual sheet in a year, or of a project.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FactRef {
    /// The field code of FACTS.md: `revenue`, `above_scale`, `local_procurement`,
    /// `total_procurement`, `rd_expense`, or `fixed_asset_investment` (with `project_id`).
    pub field: String,
    pub year: Year,
    /// The project, for a project's field.
    pub project_id: Option<String>,
}

/// A fact and its value as the finding saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involved {
    pub fact: FactRef,
    /// The value as a clerk reads it: `3.1万元`, `是`.
    pub text: String,
    /// The value as stored: yuan with two decimals (`31000.00`) or `true`/`false`.
    pub raw: String,
}

/// A plausibility finding on one enterprise-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The check id (`unit_jump`, …).
    pub check: String,
    /// The check's Chinese title.
    pub title: String,
    #[serde(with = "serde_uscc")]
    pub uscc: Uscc,
    pub enterprise: String,
    /// The year the doubtful values belong to.
    pub year: Year,
    /// The doubtful facts and their values: a rule that reads one of them needs review.
    pub facts: Vec<Involved>,
    /// One Chinese sentence: what was found and what to do.
    pub message: String,
    /// The short name of the suspicion (`疑似按万元填报`): an outcome that reads one of the
    /// facts needs review for `label：2023年营业收入 3.1万元`.
    pub label: String,
}

impl Finding {
    /// Why an outcome that reads `fact` needs review: `疑似按万元填报：2023年营业收入 3.1万元`.
    pub fn reason_for(&self, fact: &Involved) -> String {
        format!("{}：{} {}", self.label, fact.what(), fact.text)
    }

    /// The doubted values in one line: `2023年营业收入 2,200元、2023年规上企业 是`.
    pub fn values_zh(&self) -> String {
        self.facts.iter().map(|i| format!("{} {}", i.what(), i.text)).collect::<Vec<_>>().join("、")
    }
}

impl Involved {
    /// The fact in Chinese: `2023年营业收入`, `项目XM-1固定资产投资`.
    pub fn what(&self) -> String {
        match &self.fact.project_id {
            Some(p) => format!("项目{p}{}", field_zh(&self.fact.field)),
            None => format!("{}年{}", self.fact.year, field_zh(&self.fact.field)),
        }
    }
}

/// The Chinese name of a field code of FACTS.md (`revenue` → 营业收入).
pub fn field_zh(code: &str) -> &str {
    match code {
        "revenue" => "营业收入",
        "above_scale" => "规上企业",
        "chain_master" => "链主企业",
        "local_procurement" => "本地配套采购额",
        "total_procurement" => "配套采购总额",
        "rd_expense" => "研发投入",
        "fixed_asset_investment" => "固定资产投资",
        other => other,
    }
}

/// A clerk's confirmation that a value is right although a check doubted it. It clears the
/// finding of that check for that value only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Confirmation {
    pub check: String,
    #[serde(with = "serde_uscc")]
    pub uscc: Uscc,
    pub year: Year,
    pub field: String,
    pub project_id: Option<String>,
    /// The raw value confirmed ([`Involved::raw`]).
    pub value: String,
}

/// The confirmations in force (kept by the store, with who and why in its audit trail).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmations {
    pub items: Vec<Confirmation>,
}

impl Confirmations {
    /// None: every finding counts.
    pub fn none() -> Self {
        Confirmations::default()
    }

    /// The confirmations that clear `finding` (one per fact it involves, with today's values).
    pub fn for_finding(finding: &Finding) -> Vec<Confirmation> {
        finding
            .facts
            .iter()
            .map(|i| Confirmation {
                check: finding.check.clone(),
                uscc: finding.uscc,
                year: i.fact.year,
                field: i.fact.field.clone(),
                project_id: i.fact.project_id.clone(),
                value: i.raw.clone(),
            })
            .collect()
    }

    /// Whether every fact of `finding` is confirmed at its current value.
    pub fn clears(&self, finding: &Finding) -> bool {
        Self::for_finding(finding).iter().all(|c| self.items.contains(c))
    }
}

/// Every finding of every check on the dataset, less the confirmed ones, sorted by uscc, year
/// and check id.
pub fn check(policy: &crate::Policy, dataset: &Dataset, confirmations: &Confirmations) -> Vec<Finding> {
    let mut out = Vec::new();
    for facts in dataset.iter() {
        out.extend(findings_of(policy, facts, confirmations));
    }
    out
}

/// The findings of one enterprise in force (not cleared by a confirmation).
pub fn findings_of(policy: &crate::Policy, facts: EnterpriseFacts<'_>, confirmations: &Confirmations) -> Vec<Finding> {
    if policy.plausibility.is_empty() {
        return Vec::new();
    }
    let mut found = check_enterprise(policy, facts);
    found.retain(|f| !confirmations.clears(f));
    found
}

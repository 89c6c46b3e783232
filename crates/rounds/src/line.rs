//! Lines (名单行): the outcomes of a round's assessment, frozen. A line is never edited; every
//! decision about it is an event recorded beside it ([`crate::Event`]).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What identifies a line across the revisions of a round: the enterprise (USCC), the rule and,
/// for per-project rules, the project.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LineKey {
    pub uscc: String,
    pub rule: String,
    pub project_id: Option<String>,
}

impl fmt::Display for LineKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.uscc, self.rule)?;
        if let Some(p) = &self.project_id {
            write!(f, "（项目 {p}）")?;
        }
        Ok(())
    }
}

/// The outcome a line stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 奖励: the policy owes the amount.
    Award,
    /// 待核实: a missing or doubtful fact decides; holds the round until resolved.
    NeedsReview,
    /// 推荐: a recommendation (provincial fund), never a county payment; never holds the round.
    Referral,
    /// 收回: an award paid earlier is to be taken back (`amount_fen`, positive, is what comes
    /// back); on the side list with the recommendations, never a payment, never holds the round.
    /// The finance bureau records the money back in the ledger (`ledger pay` of the line's
    /// outcome: a `recovery` entry).
    Recovery,
}

impl Outcome {
    pub fn zh(self) -> &'static str {
        match self {
            Outcome::Award => "奖励",
            Outcome::NeedsReview => "待核实",
            Outcome::Referral => "推荐",
            Outcome::Recovery => "收回",
        }
    }
}

/// One line of one revision of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub key: LineKey,
    pub enterprise: String,
    /// The enterprise's chain code, if it is on a chain (a task force sees its chain's lines).
    pub chain: Option<String>,
    pub town: Option<String>,
    pub clause: String,
    pub rule_title: String,
    pub outcome: Outcome,
    /// Whether the rule pays money (a referral rule's doubtful case is `NeedsReview` but pays
    /// nothing and goes to the recommendation list).
    pub pays: bool,
    /// The amount in fen, for `Award` lines; for `Recovery` lines what is taken back (positive).
    pub amount_fen: Option<i64>,
    /// The amount is a ceiling (上限, `project_subsidy`): the final amount is set in review.
    pub ceiling: bool,
    /// The engine's explanation in Chinese: clause, facts, arithmetic.
    pub explanation: String,
    /// The missing or doubtful facts of a `NeedsReview` line, in Chinese.
    pub missing: Vec<String>,
}

impl Line {
    /// On the recommendation list rather than the award list: referrals, and the doubtful cases
    /// of rules that pay nothing. Such lines never hold up approval or payment.
    pub fn is_recommendation(&self) -> bool {
        self.outcome == Outcome::Referral || !self.pays
    }

    /// 收回: an award paid earlier to be taken back (on the side list, never paid in a round).
    pub fn is_recovery(&self) -> bool {
        self.outcome == Outcome::Recovery
    }

    /// What a decision about this line depends on: a refresh keeps the decisions of lines whose
    /// fingerprint did not change, and asks again about the others.
    /// The line as a sentence names it: `晋城某某钢铁有限公司（91140525…）的“首次入规奖励”`, with
    /// the project for per-project rules.
    pub fn name(&self) -> String {
        let mut s = format!("{}（{}）的“{}”", self.enterprise, self.key.uscc, self.rule_title);
        if let Some(p) = &self.key.project_id {
            s.push_str(&format!("（项目 {p}）"));
        }
        s
    }

    pub fn fingerprint(&self) -> (Outcome, Option<i64>, &[String]) {
        (self.outcome, self.amount_fen, &self.missing)
    }
}

/// How a line changed from one revision to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(LineKey),
    Removed(LineKey),
    /// The outcome, amount or missing facts changed: decisions are asked again.
    Changed {
        key: LineKey,
        before: (Outcome, Option<i64>),
        after: (Outcome, Option<i64>),
    },
}

/// The changes from `old` to `new` (both sorted or not; compared by key), in key order.
pub fn changes(old: &[Line], new: &[Line]) -> Vec<Change> {
    use std::collections::BTreeMap;
    let old: BTreeMap<&LineKey, &Line> = old.iter().map(|l| (&l.key, l)).collect();
    let new: BTreeMap<&LineKey, &Line> = new.iter().map(|l| (&l.key, l)).collect();
    let mut out = Vec::new();
    for (k, n) in &new {
        match old.get(k) {
            None => out.push(Change::Added((*k).clone())),
            Some(o) if o.fingerprint() != n.fingerprint() => out.push(Change::Changed {
                key: (*k).clone(),
                before: (o.outcome, o.amount_fen),
                after: (n.outcome, n.amount_fen),
            }),
            Some(_) => {}
        }
    }
    out.extend(old.keys().filter(|k| !new.contains_key(*k)).map(|k| Change::Removed((*k).clone())));
    out.sort_by(|a, b| key_of(a).cmp(key_of(b)));
    out
}

fn key_of(c: &Change) -> &LineKey {
    match c {
        Change::Added(k) | Change::Removed(k) | Change::Changed { key: k, .. } => k,
    }
}

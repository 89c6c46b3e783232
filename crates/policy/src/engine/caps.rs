//! Limits across rules (`[caps]`): once every rule is decided for an enterprise-year, what the
//! enterprise receives from the rules a limit counts is at most its amount (同一企业同一年度奖补
//! 资金总额不超过…). Awards are met in the policy's rule order (projects by id) until the limit is
//! reached; the award that crosses it is reduced to what is left, each saying why in its
//! explanation. An award with nothing left is no award: `assess` does not list it, `explain`
//! says it was met but the limit was reached.

use super::{round, text};
use crate::model::Policy;
use rust_decimal::Decimal;

/// One award of the enterprise-year: its rule (index), its amount (yuan, reduced in place) and,
/// on the explained paths, its explanation's steps.
pub(crate) struct Capped<'a> {
    /// Where the caller keeps the award (returned for those a cap empties).
    pub line: usize,
    pub rule: usize,
    pub amount: &'a mut Decimal,
    pub steps: Option<&'a mut Vec<String>>,
}

/// Applies every cap of `policy` to `awards`, which are in rule order (then project id).
/// Returns the `line` of each award a cap left nothing of.
pub(crate) fn apply(policy: &Policy, awards: &mut [Capped<'_>]) -> Vec<usize> {
    let mut emptied = Vec::new();
    for cap in &policy.caps {
        let limit = cap.amount.to_yuan();
        let mut total = Decimal::ZERO;
        for a in awards.iter_mut().filter(|a| !cap.exclude.contains(&a.rule)) {
            let amount = round(policy, *a.amount);
            let left = (limit - total).max(Decimal::ZERO);
            if amount <= left {
                *a.amount = amount;
                total += amount;
                continue;
            }
            if let Some(steps) = a.steps.as_deref_mut() {
                let clause = if cap.clause.is_empty() { String::new() } else { format!("按{}，", cap.clause) };
                let result = if left.is_zero() {
                    "本项不再奖励".to_string()
                } else {
                    format!("本项由{}核减为{}", text::money_exact(amount), text::money_exact(left))
                };
                steps.push(format!(
                    "{clause}{}不超过{}：本年度此前各项已计{}，{result}",
                    cap.title,
                    text::money_exact(limit),
                    text::money_exact(total)
                ));
            }
            *a.amount = left;
            total = limit;
            if left.is_zero() && !emptied.contains(&a.line) {
                emptied.push(a.line);
            }
        }
    }
    emptied
}

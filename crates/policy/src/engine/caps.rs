//! Limits across rules (`[caps]`): once every rule is decided for an enterprise-year, what the
//! enterprise receives from the rules a limit counts is at most its amount (同一企业同一年度奖补
//! 资金总额不超过…). Awards are met in the policy's rule order (projects by id) until the limit is
//! reached; the award that crosses it is reduced to what is left, and the ones after it to 0, each
//! saying why in its explanation.

use super::{round, text};
use crate::model::Policy;
use rust_decimal::Decimal;

/// One award of the enterprise-year: its rule (index), its amount (yuan, reduced in place) and,
/// on the explained paths, its explanation's steps.
pub(crate) struct Capped<'a> {
    pub rule: usize,
    pub amount: &'a mut Decimal,
    pub steps: Option<&'a mut Vec<String>>,
}

/// Applies every cap of `policy` to `awards`, which are in rule order (then project id).
pub(crate) fn apply(policy: &Policy, awards: &mut [Capped<'_>]) {
    for cap in &policy.caps {
        let limit = cap.amount.to_yuan();
        let mut total = Decimal::ZERO;
        for a in awards.iter_mut().filter(|a| !cap.exclude.contains(&a.rule)) {
            let amount = round(policy, *a.amount);
            let left = (limit - total).max(Decimal::ZERO);
            if amount > left {
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
            } else {
                *a.amount = amount;
                total += amount;
            }
        }
    }
}

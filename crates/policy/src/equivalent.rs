//! The built-in rule kinds written in the policy language (issue 11): each shorthand kind that
//! pays on a condition is also a `when` and an `amount` expression, which `policy show` prints
//! beside it and the tests hold equal to it on generated data (same statuses, same amounts).
//!
//! `local_sourcing` with the previous year's rate as baseline is a difference of two rates, its
//! whole steps `floor(rise / 5%) * 5%`, and `recorded(-1)` reads last year's row as the built-in
//! rule does (known absent only for an enterprise established recently). With the best earlier
//! rate as baseline (`best_prior`) it is not written as an expression: that ranges over a varying
//! number of years, which the language has no way to say. `research_referral` is a referral: a condition with no
//! amount (`outcome = "referral"`); its growth and intensity are written as products
//! (`rd_expense >= rd_expense[-1] * 115%`), so a year of zero reads as the built-in rule
//! reads it, with no division.
//! `retention` is `entered(fact, n)` (the entry judged as it was judged in its own year) with the
//! fact held in every year after it.

use crate::expr::Scope;
use crate::model::{FlagFact, Rule, RuleKind, SourcingBaseline, SourcingCounting};
use lianzhang_facts::{Fen, Vocabulary};
use rust_decimal::Decimal;

/// A rule as expressions: its condition, its amount, whether it is decided per project, once,
/// and whether the amount is a ceiling set finally by review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equivalent {
    pub when: String,
    /// `None`: a referral, with no amount.
    pub amount: Option<String>,
    pub per: Scope,
    pub once: bool,
    pub ceiling: bool,
}

/// Money as a clerk writes it in an expression: `3亿`, `10万`, `1234.5元`.
pub fn money_literal(f: Fen) -> String {
    let yuan = f.to_yuan();
    let in_unit = |unit: i64| {
        let v = yuan / Decimal::from(unit);
        v.fract().is_zero().then(|| v.normalize().to_string())
    };
    if !yuan.is_zero() {
        if let Some(v) = in_unit(100_000_000) {
            return format!("{v}亿");
        }
        if let Some(v) = in_unit(10_000) {
            // 2.5亿 rather than 25000万.
            if yuan >= Decimal::from(100_000_000) {
                return format!("{}亿", (yuan / Decimal::from(100_000_000)).normalize());
            }
            return format!("{v}万");
        }
    }
    format!("{}元", yuan.normalize())
}

/// A rate as a percentage: `0.10` → `10%`.
fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

fn flag(f: FlagFact) -> &'static str {
    f.code()
}

/// `a and b and …` of the parts that are not empty.
fn all(parts: Vec<String>) -> String {
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" and ")
}

/// The rule's kind as expressions, when it has been written so (see the module documentation).
pub fn equivalent(rule: &Rule, vocab: &Vocabulary) -> Option<Equivalent> {
    let once = rule.kind.one_time();
    let year = |when: String, amount: String| {
        Some(Equivalent { when, amount: Some(amount), per: Scope::Year, once, ceiling: false })
    };
    match &rule.kind {
        RuleKind::FirstReach { fact, threshold, requires, amount } => {
            let mut parts: Vec<String> = requires.iter().map(|f| flag(*f).to_string()).collect();
            parts.push(format!("first({} >= {})", fact.code(), money_literal(*threshold)));
            year(all(parts), money_literal(*amount))
        }
        RuleKind::FirstEntry { fact, requires, amount } => {
            let mut parts = vec![format!("first({})", flag(*fact))];
            parts.extend(requires.iter().map(|f| flag(*f).to_string()));
            year(all(parts), money_literal(*amount))
        }
        RuleKind::FirstRecognition { recognition, amount } => {
            year(format!("first(recognized({}))", vocab.kind_info(*recognition).code), money_literal(*amount))
        }
        RuleKind::ProjectSubsidy { categories, threshold_categories, threshold, rate, cap } => {
            let list = |cs: &[lianzhang_facts::CategoryId]| {
                cs.iter().map(|c| vocab.category_info(*c).code.clone()).collect::<Vec<_>>().join(", ")
            };
            let free: Vec<_> = categories.iter().filter(|c| !threshold_categories.contains(c)).copied().collect();
            let gated: Vec<_> = categories.iter().filter(|c| threshold_categories.contains(c)).copied().collect();
            let invested = format!("fixed_asset_investment >= {}", money_literal(*threshold));
            let when = match (free.is_empty(), gated.is_empty()) {
                (true, true) => "false".to_string(),
                (true, false) => format!("category in [{}] and {invested}", list(&gated)),
                (false, true) => format!("category in [{}]", list(&free)),
                (false, false) => {
                    format!("category in [{}] or (category in [{}] and {invested})", list(&free), list(&gated))
                }
            };
            let amount = format!("min(fixed_asset_investment * {}, {})", percent(*rate), money_literal(*cap));
            Some(Equivalent { when, amount: Some(amount), per: Scope::Project, once, ceiling: true })
        }
        RuleKind::Retention { fact, years, counting, min_entry_year, amount } => {
            // The entry year E is `years` (after entry) or `years - 1` (entry counted) before the
            // assessed year; the fact holds in every year after E; E is not before the minimum.
            let back = counting.back(*years);
            // The cheap parts first: the entry's history is read only when they hold.
            let f = flag(*fact);
            let mut parts = vec![format!("year >= {}", min_entry_year + back)];
            if back > 0 {
                parts.push(f.to_string());
            }
            parts.extend((1..back).map(|k| format!("{f}[-{k}]")));
            parts.push(format!("entered({f}, {back})"));
            year(all(parts), money_literal(*amount))
        }
        RuleKind::ResearchReferral { requires, min_expense, min_growth_percent, min_intensity_percent } => {
            let points = |p: &Decimal| format!("{}%", p.normalize());
            let mut parts: Vec<String> = requires.iter().map(|f| flag(*f).to_string()).collect();
            parts.push(format!("rd_expense >= {}", money_literal(*min_expense)));
            // Grown by 15%: at least 115% of last year's.
            parts.push(format!(
                "rd_expense >= rd_expense[-1] * {}",
                points(&(Decimal::ONE_HUNDRED + min_growth_percent))
            ));
            parts.push(format!("rd_expense >= revenue * {}", points(min_intensity_percent)));
            Some(Equivalent { when: all(parts), amount: None, per: Scope::Year, once, ceiling: false })
        }
        RuleKind::LocalSourcing {
            requires,
            min_rise_points,
            step_points,
            counting,
            baseline: SourcingBaseline::PreviousYear,
            rate,
            cap,
        } => {
            let points = |p: &Decimal| format!("{}%", p.normalize());
            // The rise in percentage points, as the difference of two rates.
            let rise = "(local_procurement / total_procurement - local_procurement[-1] / total_procurement[-1])";
            let mut parts: Vec<String> = requires.iter().map(|f| flag(*f).to_string()).collect();
            // A rate this year and last (a total above 0); last year's row is known absent only
            // for an enterprise established recently, as the built-in rule reads it.
            parts.extend(["total_procurement > 0", "recorded(-1)", "total_procurement[-1] > 0"].map(String::from));
            parts.push(format!("{rise} >= {}", points(min_rise_points)));
            let counted = match counting {
                SourcingCounting::WholeSteps => {
                    format!("floor({rise} / {step}) * {step}", step = points(step_points))
                }
                SourcingCounting::Exact => rise.to_string(),
            };
            let amount = format!("min({counted} * total_procurement * {}, {})", percent(*rate), money_literal(*cap));
            year(all(parts), amount)
        }
        // The best earlier rate ranges over a varying number of years: no expression yet.
        RuleKind::LocalSourcing { baseline: SourcingBaseline::BestPrior, .. } | RuleKind::Formula { .. } => None,
    }
}

/// `policy` with every rule that has an [`equivalent`] written as that expression (a
/// `formula` rule, same id, clause and title); the groups and the rest unchanged. The
/// expressions are compiled against the policy's declared facts.
///
/// # Panics
/// If an equivalent does not compile: the equivalents are written by this module and tested.
pub fn rewritten(policy: &crate::Policy) -> crate::Policy {
    let mut p = policy.clone();
    for rule in &mut p.rules {
        let Some(eq) = equivalent(rule, &policy.vocabulary) else { continue };
        let compile = |src: &str, ty| {
            crate::expr::compile_in(src, &policy.facts, ty, eq.per)
                .unwrap_or_else(|e| panic!("the equivalent of {} does not compile: {src}: {e:?}", rule.id))
        };
        let when = compile(&eq.when, crate::expr::Type::Bool);
        let amount = eq.amount.as_deref().map(|a| compile(a, crate::expr::Type::Money));
        let needs_row =
            when.reads_yearly(&policy.facts) || amount.as_ref().is_some_and(|a| a.reads_yearly(&policy.facts));
        rule.kind = RuleKind::Formula {
            when: Box::new(when),
            amount: amount.map(Box::new),
            once: eq.once,
            per: eq.per,
            needs_row,
            instalments: Vec::new(),
            ceiling: eq.ceiling,
            recovery: None,
        };
    }
    p.gates = p.rules.iter().map(|r| r.kind.gate(&p.vocabulary)).collect();
    p
}

#[cfg(test)]
mod tests {
    use super::money_literal;
    use lianzhang_facts::Fen;

    #[test]
    fn money_as_written() {
        assert_eq!(money_literal(Fen(30_000_000_000)), "3亿");
        assert_eq!(money_literal(Fen(10_000_000)), "10万");
        assert_eq!(money_literal(Fen(12_345_050)), "123450.5元");
        assert_eq!(money_literal(Fen(0)), "0元");
        assert_eq!(money_literal(Fen(25_000_000_000)), "2.5亿");
    }
}

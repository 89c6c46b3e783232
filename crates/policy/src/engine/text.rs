//! Chinese formatting for explanations: yuan, 万元/亿元, percentages.

use lianzhang_facts::{Fen, format_yuan};
use rust_decimal::{Decimal, RoundingStrategy};

/// `320,000,000.00元`.
pub fn yuan(f: Fen) -> String {
    format!("{}元", format_yuan(f.to_yuan()))
}

/// A decimal yuan amount: `800,000.00元`.
pub fn yuan_dec(d: Decimal) -> String {
    format!("{}元", format_yuan(d))
}

/// A ratio as a percentage with two places: `32.00%` (display only; decisions are exact).
pub fn percent(ratio: Decimal) -> String {
    let p = (ratio * Decimal::ONE_HUNDRED).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    format!("{p:.2}%")
}

/// A decimal without trailing zeros: `5`, `0.5`, `12.5`.
pub fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A rate as a percentage without trailing zeros: 0.01 → `1%`.
pub fn rate(d: Decimal) -> String {
    format!("{}%", plain(d * Decimal::ONE_HUNDRED))
}

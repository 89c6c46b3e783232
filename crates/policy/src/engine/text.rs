//! Chinese formatting for explanations: money in 万元/亿元 as the web site shows it, and every
//! figure beside a comparison at the precision that decides it.
//!
//! The rule (docs/decisions.md, "Issue 8: engine"):
//! - a figure that is only reported (a history year, a context value) is shown in 万元 or 亿元
//!   with at most two decimals, as the web site shows it: `3.1亿元`, `1,200万元`, `2,624.58万元`;
//!   below 10,000 yuan in yuan: `2,200元`;
//! - a threshold, an award and each step of arithmetic are shown exactly, in the largest unit
//!   that keeps them exact with at most two decimals: `1,000万元`, `12.345元`, `1,000,000.01元`;
//! - a figure compared with a threshold is shown like a reported one unless that rounding would
//!   hide the decision (it would print equal to the threshold, or on its other side): then it is
//!   shown exactly in yuan (`299,999,999.99元 ＜ 3亿元`, `4.999 个百分点 ＜ 5`).

use lianzhang_facts::{Fen, format_yuan};
use rust_decimal::{Decimal, RoundingStrategy};

const WAN: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);
const YI: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 0);

/// Thousands separators on the integer part; the decimals as given (trailing zeros trimmed
/// unless `min_dp` keeps them).
pub fn grouped(d: Decimal, min_dp: u32) -> String {
    let mut d = d.normalize();
    if d.scale() < min_dp {
        d.rescale(min_dp);
    }
    let s = d.abs().to_string();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A reported amount as the web site shows it: `3.1亿元`, `1,200万元`, `2,200元` (rounded to
/// two decimals of its unit; display only).
pub fn money(d: Decimal) -> String {
    let a = d.abs();
    if a >= YI {
        format!("{}亿元", grouped(round2(d / YI), 0))
    } else if a >= WAN {
        format!("{}万元", grouped(round2(d / WAN), 0))
    } else {
        format!("{}元", grouped(round2(d), 0))
    }
}

/// An amount shown exactly, in the largest unit that keeps it exact with at most two
/// decimals: `3亿元`, `1,000万元`, `12.345元`, `1,000,000.01元`.
pub fn money_exact(d: Decimal) -> String {
    let a = d.abs();
    let fits = |q: Decimal| q.normalize().scale() <= 2;
    if a >= YI && fits(d / YI) {
        format!("{}亿元", grouped(d / YI, 0))
    } else if a >= WAN && fits(d / WAN) {
        format!("{}万元", grouped(d / WAN, 0))
    } else {
        // Whole yuan without decimals; otherwise every decimal that is there, at least two.
        let dp = if d.fract().is_zero() { 0 } else { 2 };
        format!("{}元", grouped(d, dp))
    }
}

/// [`money`] of fen.
pub fn fen(f: Fen) -> String {
    money(f.to_yuan())
}

/// [`money_exact`] of fen.
pub fn fen_exact(f: Fen) -> String {
    money_exact(f.to_yuan())
}

/// The display value of [`money`] as a number of yuan (for the decision check).
fn shown_value(d: Decimal) -> Decimal {
    let a = d.abs();
    if a >= YI {
        round2(d / YI) * YI
    } else if a >= WAN {
        round2(d / WAN) * WAN
    } else {
        round2(d)
    }
}

/// A value compared with `threshold`, as reported unless the rounding would hide the decision
/// (print it equal to the threshold, or on its other side): then exactly in yuan.
pub fn money_near(value: Fen, threshold: Fen) -> String {
    let (v, t) = (value.to_yuan(), threshold.to_yuan());
    let shown = shown_value(v);
    let hides = (shown >= t) != (v >= t) || (shown == t && v != t);
    if hides { format!("{}元", grouped(v, if v.fract().is_zero() { 0 } else { 2 })) } else { money(v) }
}

/// [`money_near`] of yuan amounts that need not be whole fen (a computed value).
pub fn money_near_yuan(v: Decimal, t: Decimal) -> String {
    let shown = shown_value(v);
    let hides = (shown >= t) != (v >= t) || (shown == t && v != t);
    if hides { format!("{}元", grouped(v, if v.fract().is_zero() { 0 } else { 2 })) } else { money(v) }
}

/// A percentage shown exactly when it has at most four decimals (`38.335%`), else with two.
pub fn percent_short(ratio: Decimal) -> String {
    let p = (ratio * Decimal::ONE_HUNDRED).normalize();
    let dp = if p.scale() <= 4 { p.scale().max(2) } else { 2 };
    format!("{}%", fixed(p, dp, 2))
}

/// `value op threshold` with the comparison sign (`≥` or `＜`) the exact values give; the
/// value as reported unless the rounding would hide the decision, then exactly in yuan.
pub fn money_vs(value: Fen, threshold: Fen) -> String {
    let (v, t) = (value.to_yuan(), threshold.to_yuan());
    let sign = if v >= t { "≥" } else { "＜" };
    format!("{} {sign} {}", money_near(value, threshold), money_exact(t))
}

/// The fewest decimals (at least `min_dp`) at which `value` rounds to a number on the same side
/// of `threshold` as itself, and equal to it only when it is equal: the precision that decides.
pub fn decisive_dp(value: Decimal, threshold: Decimal, min_dp: u32) -> u32 {
    let exact = value.cmp(&threshold);
    let mut dp = min_dp;
    while dp < 12 {
        let r = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
        if r.cmp(&threshold) == exact {
            return dp;
        }
        dp += 1;
    }
    dp
}

/// A decimal rounded to `dp` places, trailing zeros kept down to `min_dp`.
pub fn fixed(d: Decimal, dp: u32, min_dp: u32) -> String {
    let r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    grouped(r, min_dp.min(dp))
}

/// A ratio as a percentage with `dp` places: 0.38335, 3 → `38.335%`.
pub fn percent_dp(ratio: Decimal, dp: u32) -> String {
    format!("{}%", fixed(ratio * Decimal::ONE_HUNDRED, dp, 2))
}

/// A ratio as a percentage with two places: `32.00%` (display only; decisions are exact).
pub fn percent(ratio: Decimal) -> String {
    percent_dp(ratio, 2)
}

/// `value% op threshold%` for a ratio compared with a percentage threshold, at the precision
/// that decides it: `2.999% ＜ 3%`.
pub fn percent_vs(ratio: Decimal, threshold_percent: Decimal) -> String {
    let p = ratio * Decimal::ONE_HUNDRED;
    let sign = if p >= threshold_percent { "≥" } else { "＜" };
    let dp = decisive_dp(p, threshold_percent, 2);
    format!("{}% {sign} {}%", fixed(p, dp, 2), plain(threshold_percent))
}

/// A decimal without trailing zeros: `5`, `0.5`, `12.5`.
pub fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A rate as a percentage without trailing zeros: 0.01 → `1%`.
pub fn rate(d: Decimal) -> String {
    format!("{}%", plain(d * Decimal::ONE_HUNDRED))
}

/// `12.345元，四舍五入为12.35元` when the final rounding changes the figure, else the exact
/// figure alone. `how` names the policy's rounding (`四舍五入`).
pub fn rounded_step(raw: Decimal, rounded: Decimal, how: &str) -> String {
    if raw.normalize() == rounded.normalize() {
        money_exact(rounded)
    } else {
        format!("{}，{how}为{}", money_exact(raw), money_exact(rounded))
    }
}

/// `320,000,000.00元` (exact yuan; kept for callers outside explanations).
pub fn yuan(f: Fen) -> String {
    format!("{}元", format_yuan(f.to_yuan()))
}

/// A decimal yuan amount: `800,000.00元`.
pub fn yuan_dec(d: Decimal) -> String {
    format!("{}元", format_yuan(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn reported_money_in_wan_and_yi() {
        assert_eq!(money(dec!(310000000)), "3.1亿元");
        assert_eq!(money(dec!(12000000)), "1,200万元");
        assert_eq!(money(dec!(26245790)), "2,624.58万元");
        assert_eq!(money(dec!(2200)), "2,200元");
        assert_eq!(money(dec!(12.345)), "12.35元");
    }

    #[test]
    fn exact_money_keeps_every_fen() {
        assert_eq!(money_exact(dec!(300000000)), "3亿元");
        assert_eq!(money_exact(dec!(10000000)), "1,000万元");
        assert_eq!(money_exact(dec!(12.345)), "12.345元");
        assert_eq!(money_exact(dec!(1000000.01)), "1,000,000.01元");
        assert_eq!(money_exact(dec!(1234.565)), "1,234.565元");
        assert_eq!(money_exact(dec!(50000)), "5万元");
        assert_eq!(money_exact(dec!(2200)), "2,200元");
        assert_eq!(money_exact(dec!(1234565)), "1,234,565元");
        assert_eq!(money_exact(dec!(370369.5)), "370,369.50元");
    }

    #[test]
    fn a_compared_figure_is_exact_when_rounding_would_hide_the_decision() {
        assert_eq!(money_vs(Fen::yuan(280_000_000), Fen::yuan(300_000_000)), "2.8亿元 ＜ 3亿元");
        assert_eq!(money_vs(Fen(29_999_999_999), Fen::yuan(300_000_000)), "299,999,999.99元 ＜ 3亿元");
        assert_eq!(money_vs(Fen(1_000_000_005), Fen::yuan(10_000_000)), "10,000,000.05元 ≥ 1,000万元");
        assert_eq!(money_vs(Fen::yuan(10_000_000), Fen::yuan(10_000_000)), "1,000万元 ≥ 1,000万元");
        assert_eq!(money_vs(Fen(999_999_999), Fen::yuan(10_000_000)), "9,999,999.99元 ＜ 1,000万元");
    }

    #[test]
    fn decisive_precision() {
        assert_eq!(decisive_dp(dec!(4.999), dec!(5), 2), 3);
        assert_eq!(decisive_dp(dec!(4.5), dec!(5), 2), 2);
        assert_eq!(decisive_dp(dec!(5.0004), dec!(5), 2), 4);
        assert_eq!(percent_vs(dec!(0.02999), dec!(3)), "2.999% ＜ 3%");
        assert_eq!(percent_dp(dec!(0.38335), 3), "38.335%");
    }
}

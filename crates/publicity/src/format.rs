//! Money and dates as a public list prints them: exact, never rounded.

use jiff::civil::Date;

/// Fen as yuan with thousands separators and always two decimals: `1,234,567.80`
/// (negative amounts keep their sign: `-12.00`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", grouped(abs / 100), abs % 100)
}

/// Fen as 万元, exact: every decimal that is there and no trailing zeros (`50`, `12.345678`,
/// `0.0001`); one 万元 is 1,000,000 fen, so at most six decimals.
pub fn wan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let int = grouped(abs / 1_000_000);
    let frac = format!("{:06}", abs % 1_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
}

/// `n` with a comma every three digits: `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A date as Chinese documents write it: `2024年5月6日`.
pub fn date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_is_exact_with_separators() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(123_456_780), "1,234,567.80");
        assert_eq!(yuan(10_000_000_000), "100,000,000.00");
        assert_eq!(yuan(-1200), "-12.00");
        assert_eq!(yuan(i64::MIN), "-92,233,720,368,547,758.08");
    }

    #[test]
    fn wan_is_exact_without_trailing_zeros() {
        assert_eq!(wan(50_000_000), "50");
        assert_eq!(wan(12_345_678), "12.345678");
        assert_eq!(wan(100), "0.0001");
        assert_eq!(wan(1), "0.000001");
        assert_eq!(wan(12_000_000_000), "12,000");
        assert_eq!(wan(-15_000_000), "-15");
    }

    #[test]
    fn chinese_date() {
        assert_eq!(date(jiff::civil::date(2024, 5, 6)), "2024年5月6日");
        assert_eq!(date(jiff::civil::date(2025, 10, 31)), "2025年10月31日");
    }
}

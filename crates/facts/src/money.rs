//! Money: exact yuan amounts held as integer fen (0.01 yuan).

use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// An amount of money in fen (分, 0.01 yuan). Exact; never a float.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("不是金额：应为以元为单位的数字，如 12500000 或 12,500,000.00")]
    Malformed,
    #[error("金额不能为负数")]
    Negative,
    #[error("金额最多保留两位小数（分）")]
    TooPrecise,
    #[error("金额超出范围")]
    Overflow,
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Parses a yuan amount: `12500000`, `12500000.50`, and thousands separators `12,500,000.50`
    /// (what Excel shows in text cells). Negative amounts and sub-fen precision are refused.
    pub fn parse_yuan(text: &str) -> Result<Fen, MoneyError> {
        let t = text.trim();
        let cleaned;
        let t = if t.contains(',') {
            if !thousands_ok(t) {
                return Err(MoneyError::Malformed);
            }
            cleaned = t.replace(',', "");
            cleaned.as_str()
        } else {
            t
        };
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
            return Err(MoneyError::Malformed);
        }
        let d = Decimal::from_str(t).map_err(|_| MoneyError::Malformed)?;
        Self::from_decimal_yuan(d)
    }

    /// An exact decimal yuan amount to fen.
    pub fn from_decimal_yuan(d: Decimal) -> Result<Fen, MoneyError> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative);
        }
        let fen = d.checked_mul(Decimal::ONE_HUNDRED).ok_or(MoneyError::Overflow)?;
        if fen.fract() != Decimal::ZERO {
            return Err(MoneyError::TooPrecise);
        }
        i64::try_from(fen.trunc()).map(Fen).map_err(|_| MoneyError::Overflow)
    }

    /// The amount in yuan as an exact decimal with two places.
    pub fn to_yuan(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// The amount from whole yuan.
    pub const fn yuan(y: i64) -> Fen {
        Fen(y * 100)
    }
}

/// Commas must group the integer part by three digits.
fn thousands_ok(t: &str) -> bool {
    let int = t.split('.').next().unwrap_or("");
    let int = int.trim_start_matches(['-', '+']);
    let groups: Vec<&str> = int.split(',').collect();
    !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)
}

impl fmt::Display for Fen {
    /// Plain yuan with two places: `12500000.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_yuan())
    }
}

impl fmt::Debug for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fen({})", self.to_yuan())
    }
}

/// Formats a decimal yuan amount with thousands separators and two places: `1,234,567.80`.
pub fn format_yuan(d: Decimal) -> String {
    let d = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{:.2}", d.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    group_digits(d.is_sign_negative() && !d.is_zero(), int, frac)
}

/// `-` when `negative`, the integer digits `int` with thousands separators, `.`, then `frac`:
/// `group_digits(false, "1234567", "80")` is `1,234,567.80`.
pub fn group_digits(negative: bool, int: &str, frac: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3 + frac.len() + 2);
    if negative {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push('.');
    out.push_str(frac);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_grouped_amounts() {
        assert_eq!(Fen::parse_yuan("12500000"), Ok(Fen(1_250_000_000)));
        assert_eq!(Fen::parse_yuan("12500000.50"), Ok(Fen(1_250_000_050)));
        assert_eq!(Fen::parse_yuan("12,500,000.5"), Ok(Fen(1_250_000_050)));
        assert_eq!(Fen::parse_yuan("0"), Ok(Fen(0)));
    }

    #[test]
    fn refuses_bad_amounts() {
        assert_eq!(Fen::parse_yuan("-5"), Err(MoneyError::Negative));
        assert_eq!(Fen::parse_yuan("1.005"), Err(MoneyError::TooPrecise));
        assert_eq!(Fen::parse_yuan("abc"), Err(MoneyError::Malformed));
        assert_eq!(Fen::parse_yuan("1e5"), Err(MoneyError::Malformed));
        assert_eq!(Fen::parse_yuan("12,50,000"), Err(MoneyError::Malformed));
        assert_eq!(Fen::parse_yuan(""), Err(MoneyError::Malformed));
    }

    #[test]
    fn formats_with_separators() {
        assert_eq!(format_yuan(Decimal::new(123456780, 2)), "1,234,567.80");
        assert_eq!(format_yuan(Decimal::new(5, 1)), "0.50");
        assert_eq!(format_yuan(Decimal::new(100000, 0)), "100,000.00");
    }
}

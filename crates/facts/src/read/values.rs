//! Parsing one cell's text (already trimmed, never empty) into a value. Errors are the reason
//! shown to the user, in Chinese. The happy paths allocate nothing.

use crate::model::{MAX_YEAR, MIN_YEAR, Year};
use crate::money::Fen;
use crate::uscc::Uscc;
use jiff::civil::Date;

pub(crate) type Reason = String;

pub(crate) fn uscc(t: &str) -> Result<Uscc, Reason> {
    Uscc::parse(t).map_err(|e| e.to_string())
}

/// Yuan to fen. Plain amounts (`12500000`, `12500000.5`, `12500000.50`) take a fast path; the
/// rest (separators, signs, errors) goes through [`Fen::parse_yuan`], which decides.
pub(crate) fn money(t: &str) -> Result<Fen, Reason> {
    if let Some(f) = plain_money(t.as_bytes()) {
        return Ok(f);
    }
    if too_many_digits(t) {
        // Decided here: `Fen::parse_yuan` multiplies a `Decimal`, which panics near its maximum.
        return Err(crate::money::MoneyError::Overflow.to_string());
    }
    Fen::parse_yuan(t).map_err(|e| e.to_string())
}

/// More significant integer digits than any amount in fen holds (`i64`: 17 digits of yuan).
fn too_many_digits(t: &str) -> bool {
    let int = t.split('.').next().unwrap_or("");
    int.bytes().filter(u8::is_ascii_digit).skip_while(|&b| b == b'0').count() > 18
}

/// `digits[.d[d]]` with at most 15 integer digits (so no overflow), else `None`.
fn plain_money(b: &[u8]) -> Option<Fen> {
    let mut yuan: i64 = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if i == 15 {
            // A 16th digit: not plain (and accumulating further would overflow).
            return None;
        }
        yuan = yuan * 10 + i64::from(c - b'0');
        i += 1;
    }
    if i == 0 || i > 15 {
        return None;
    }
    let fen = match &b[i..] {
        [] => 0,
        [b'.', d] if d.is_ascii_digit() => i64::from(d - b'0') * 10,
        [b'.', d, e] if d.is_ascii_digit() && e.is_ascii_digit() => i64::from(d - b'0') * 10 + i64::from(e - b'0'),
        _ => return None,
    };
    Some(Fen(yuan * 100 + fen))
}

/// A four-digit year within 1949..=2100.
pub(crate) fn year(t: &str) -> Result<Year, Reason> {
    let b = t.as_bytes();
    if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
        return Err("年份应为四位数字".into());
    }
    let y = b.iter().fold(0i32, |acc, &c| acc * 10 + i32::from(c - b'0'));
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(format!("年份应在{MIN_YEAR}至{MAX_YEAR}之间"));
    }
    Ok(y)
}

/// `true/false`, `1/0`, `是/否`, `yes/no`, any case.
pub(crate) fn boolean(t: &str) -> Result<bool, Reason> {
    const TRUE: [&str; 4] = ["true", "1", "是", "yes"];
    const FALSE: [&str; 4] = ["false", "0", "否", "no"];
    if TRUE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Ok(true)
    } else if FALSE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Ok(false)
    } else {
        Err("应为 true/false、1/0、是/否 或 yes/no".into())
    }
}

/// `YYYY-MM-DD`, a real calendar date.
pub(crate) fn date(t: &str) -> Result<Date, Reason> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0i32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0')))
    };
    let parts = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        digits(0..4).zip(digits(5..7)).zip(digits(8..10))
    } else {
        None
    };
    let Some(((y, m), d)) = parts else {
        return Err("日期应为 YYYY-MM-DD 格式".into());
    };
    // y < 10000, m and d < 100: the casts are exact.
    Date::new(y as i16, m as i8, d as i8).map_err(|_| "不是有效的日期".into())
}

/// GB/T 4754-2017 industry code: an optional section letter and 2–4 digits (`C3110`, `3110`,
/// `c31`). A bare manufacturing code (divisions 13–43) gets its section letter `C`.
pub(crate) fn industry_code(t: &str) -> Result<String, Reason> {
    const FORMAT: &str = "行业代码应为门类字母加2至4位数字（如 C3110）或2至4位数字（如 3110）";
    let b = t.as_bytes();
    let (letter, digits) = match b.first() {
        Some(c) if c.is_ascii_alphabetic() => (Some(c.to_ascii_uppercase()), &b[1..]),
        _ => (None, b),
    };
    if !(2..=4).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return Err(FORMAT.into());
    }
    let division = (digits[0] - b'0') * 10 + (digits[1] - b'0');
    if !(1..=97).contains(&division) {
        return Err("行业大类应在01至97之间".into());
    }
    let manufacturing = (13..=43).contains(&division);
    match letter {
        Some(l) if !(b'A'..=b'T').contains(&l) => Err("门类字母应在A至T之间".into()),
        Some(b'C') if !manufacturing => Err("制造业（C）的大类应在13至43之间".into()),
        Some(l) if l != b'C' && manufacturing => Err(format!("大类{division}属于制造业，门类应为C而非{}", l as char)),
        Some(l) => Ok(format!("{}{}", l as char, std::str::from_utf8(digits).unwrap_or_default())),
        None if manufacturing => Ok(format!("C{t}")),
        None => Ok(t.to_string()),
    }
}

/// A free text (name, town, id): as given, trimmed.
pub(crate) fn text(t: &str) -> Result<String, Reason> {
    Ok(t.to_string())
}

/// Formats a value for an error line: control characters escaped, long values cut.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_fast_path_agrees_with_parse_yuan() {
        for t in [
            "0",
            "1",
            "12500000",
            "12500000.5",
            "12500000.50",
            "007",
            "0.01",
            "1.",
            ".5",
            "1.005",
            "+5",
            "-5",
            "1,000",
            "999999999999999",
            "9999999999999999",
            "99999999999999999999999",
            "1.500",
            "1e5",
            "",
            "1.2.3",
        ] {
            assert_eq!(money(t), Fen::parse_yuan(t).map_err(|e| e.to_string()), "{t}");
        }
    }

    #[test]
    fn years() {
        assert_eq!(year("2023"), Ok(2023));
        assert!(year("1948").is_err());
        assert!(year("2101").is_err());
        assert!(year("23").is_err());
        assert!(year("2023.0").is_err());
    }

    #[test]
    fn booleans() {
        for t in ["true", "TRUE", "1", "是", "Yes"] {
            assert_eq!(boolean(t), Ok(true), "{t}");
        }
        for t in ["false", "False", "0", "否", "NO"] {
            assert_eq!(boolean(t), Ok(false), "{t}");
        }
        assert!(boolean("maybe").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(date("2008-03-15"), Ok(jiff::civil::date(2008, 3, 15)));
        assert!(date("2008-02-30").is_err());
        assert!(date("2008/03/15").is_err());
        assert!(date("2008-3-15").is_err());
        assert!(date("２００８-03-15").is_err());
    }

    #[test]
    fn industry_codes() {
        assert_eq!(industry_code("C3110").as_deref(), Ok("C3110"));
        assert_eq!(industry_code("3110").as_deref(), Ok("C3110"));
        assert_eq!(industry_code("c31").as_deref(), Ok("C31"));
        assert_eq!(industry_code("0511").as_deref(), Ok("0511"));
        assert_eq!(industry_code("F5191").as_deref(), Ok("F5191"));
        assert!(industry_code("C0511").is_err());
        assert!(industry_code("A3110").is_err());
        assert!(industry_code("31101").is_err());
        assert!(industry_code("3").is_err());
        assert!(industry_code("Z3110").is_err());
        assert!(industry_code("9910").is_err());
    }
}

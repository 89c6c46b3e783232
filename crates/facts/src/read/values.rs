//! Parsing one cell's text (already trimmed, never empty) into a value. Errors are the reason
//! shown to the user, in Chinese. The happy paths allocate nothing.

use crate::model::{MAX_YEAR, MIN_YEAR, Year};
use crate::money::Fen;
use crate::uscc::Uscc;
use jiff::civil::Date;

pub(crate) type Reason = String;

/// A USCC; full-width characters (as a Chinese IME types them) are read as half-width.
pub(crate) fn uscc(t: &str) -> Result<Uscc, Reason> {
    if let Ok(u) = Uscc::parse(t) {
        return Ok(u);
    }
    let half = half_width(t);
    if scientific(&half) {
        return Err(format!("{SCIENTIFIC}；统一社会信用代码须为文本，请把该列设为“文本”格式并重新填写"));
    }
    Uscc::parse(&half).map_err(|e| e.to_string())
}

/// Full-width forms (U+FF01..U+FF5E: `３１０，０００．５`, `ＡＢ`) and the ideographic space as
/// their ASCII counterparts, as NFKC maps them; the minus sign U+2212 as `-`. Borrowed when
/// there is nothing to map.
pub(crate) fn half_width(t: &str) -> std::borrow::Cow<'_, str> {
    let wide = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}' | '\u{2212}');
    if t.is_ascii() || !t.chars().any(wide) {
        return std::borrow::Cow::Borrowed(t);
    }
    let mapped: String = t
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{2212}' => '-',
            _ => c,
        })
        .collect();
    std::borrow::Cow::Owned(mapped.trim().to_string())
}

const SCIENTIFIC: &str = "这是科学计数法（Excel 把长数字显示成这样，后面的位数已丢失）";

/// `3.1E+08`, `9.11405E+17`: a number as Excel shows it in a narrow General column.
fn scientific(t: &str) -> bool {
    let Some((mantissa, exp)) = t.split_once(['e', 'E']) else { return false };
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// Yuan to fen. Plain amounts (`12500000`, `12500000.5`, `12500000.50`) take a fast path; the
/// rest (separators, signs, errors) goes through [`Fen::parse_yuan`], which decides.
pub(crate) fn money(t: &str) -> Result<Fen, Reason> {
    if let Some(f) = plain_money(t.as_bytes()) {
        return Ok(f);
    }
    let half = half_width(t);
    let t = yuan_text(&half)?;
    if too_many_digits(t) {
        // Decided here: `Fen::parse_yuan` multiplies a `Decimal`, which panics near its maximum.
        return Err(crate::money::MoneyError::Overflow.to_string());
    }
    Fen::parse_yuan(t).map_err(|e| e.to_string())
}

/// The number of a money text without its unit: `¥1,234.50` and `1234.50元` are yuan and
/// read; `120万元`, `1.2亿` name another unit and are refused with the amount in yuan to type;
/// `3.1E+08` has lost digits and is refused.
fn yuan_text(t: &str) -> Result<&str, Reason> {
    let t = t.trim();
    let t = t.strip_prefix(['¥', '￥']).map_or(t, str::trim_start);
    let t = t.strip_prefix("RMB").or_else(|| t.strip_prefix("人民币")).map_or(t, str::trim_start);
    if let Some(n) = t.strip_suffix("元").map(str::trim_end) {
        for (unit, factor) in [("万", 10_000i64), ("亿", 100_000_000)] {
            if let Some(number) = n.strip_suffix(unit) {
                return Err(other_unit(t, number, factor));
            }
        }
        return Ok(n);
    }
    for (unit, factor) in [("万", 10_000i64), ("亿", 100_000_000)] {
        if let Some(number) = t.strip_suffix(unit) {
            return Err(other_unit(t, number, factor));
        }
    }
    if scientific(t) {
        return Err(format!("{SCIENTIFIC}：请在 Excel 中把该列设为“数值”格式后重新保存"));
    }
    Ok(t)
}

/// The refusal of an amount in 万元 or 亿元, with the amount in yuan when it can be computed.
fn other_unit(text: &str, number: &str, factor: i64) -> Reason {
    let yuan = rust_decimal::Decimal::from_str_exact(number.trim().replace(',', "").as_str())
        .ok()
        .and_then(|d| d.checked_mul(rust_decimal::Decimal::from(factor)))
        .map(|d| d.normalize().to_string());
    match yuan {
        Some(y) => format!("金额以元为单位，不能写单位“{text}”：请填写 {y}"),
        None => format!("金额以元为单位，不能写单位“{text}”：请换算成元后填写数字"),
    }
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

/// A four-digit year within 1949..=2100; also as typed or saved by a spreadsheet: full-width
/// digits, `2022年`, `2022.0`.
pub(crate) fn year(t: &str) -> Result<Year, Reason> {
    let b = t.as_bytes();
    if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
        return year_in_range(b);
    }
    let half = half_width(t);
    let mut digits = half.trim();
    digits = digits.strip_suffix('年').map_or(digits, str::trim_end);
    if let Some((int, frac)) = digits.split_once('.')
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0')
    {
        digits = int;
    }
    let b = digits.as_bytes();
    if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
        return Err("年份应为四位数字，如 2023".into());
    }
    year_in_range(b)
}

fn year_in_range(b: &[u8]) -> Result<Year, Reason> {
    let y = b.iter().fold(0i32, |acc, &c| acc * 10 + i32::from(c - b'0'));
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(format!("年份应在{MIN_YEAR}至{MAX_YEAR}之间"));
    }
    Ok(y)
}

/// `true/false`, `1/0`, `是/否`, `yes/no`, any case.
/// Also full-width (`１`, `ＴＲＵＥ`).
pub(crate) fn boolean(t: &str) -> Result<bool, Reason> {
    const TRUE: [&str; 4] = ["true", "1", "是", "yes"];
    const FALSE: [&str; 4] = ["false", "0", "否", "no"];
    let word = |t: &str| {
        if TRUE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
            Some(true)
        } else if FALSE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
            Some(false)
        } else {
            None
        }
    };
    word(t).or_else(|| word(&half_width(t))).ok_or_else(|| "应填“是”或“否”".into())
}

/// A real calendar date: `YYYY-MM-DD`, and the forms a Chinese spreadsheet shows or a clerk
/// types: `2022/3/5`, `2022.3.5`, `2022-3-5`, `2022年3月5日`, `20220305`, full-width digits, a
/// time of midnight after it (`2022/3/5 0:00`).
pub(crate) fn date(t: &str) -> Result<Date, Reason> {
    const FORMAT: &str = "日期应写成 2022-03-05（也可写 2022/3/5、2022年3月5日 或 20220305）";
    let b = t.as_bytes();
    let digits =
        |r: &[u8]| r.iter().try_fold(0i32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0')));
    let parts = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        digits(&b[0..4]).zip(digits(&b[5..7])).zip(digits(&b[8..10]))
    } else {
        loose_date(&half_width(t))
    };
    let Some(((y, m), d)) = parts else {
        return Err(FORMAT.into());
    };
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err("不是有效的日期".into());
    }
    // y < 10000, m and d < 100: the casts are exact.
    let date = Date::new(y as i16, m as i8, d as i8).map_err(|_| Reason::from("不是有效的日期"))?;
    // Every date of the registry lies in the years it keeps (1949–2100, FACTS.md).
    crate::typed::check_year(i64::from(y)).map_err(|e| format!("日期的{e}"))?;
    Ok(date)
}

/// Year, month and day of the looser forms of [`date`].
fn loose_date(t: &str) -> Option<((i32, i32), i32)> {
    let mut t = t.trim();
    // A time of midnight, as Excel writes a date cell into a CSV file.
    if let Some((day, time)) = t.split_once(' ')
        && time.trim().bytes().all(|b| matches!(b, b'0' | b':'))
    {
        t = day;
    }
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(((number(&t[0..4])?, number(&t[4..6])?), number(&t[6..8])?));
    }
    let parts: Vec<&str> = if let Some(rest) = t.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else {
        let sep = ['-', '/', '.'].into_iter().find(|&c| t.contains(c))?;
        t.split(sep).collect()
    };
    match parts[..] {
        [y, m, d] if y.trim().len() == 4 && m.trim().len() <= 2 && d.trim().len() <= 2 => {
            Some(((number(y.trim())?, number(m.trim())?), number(d.trim())?))
        }
        _ => None,
    }
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

/// A free text (name, town, id): as given, trimmed; one line of at most
/// [`crate::typed::LINE_MAX_CHARS`] characters a clerk can type: no line break (the sign of an
/// unclosed quote in a CSV file, or of Alt+Enter in a cell), control character, NUL,
/// bidirectional override or invisible character ([`crate::typed::check_text`]).
pub(crate) fn text(t: &str) -> Result<String, Reason> {
    if t.as_bytes().contains(&b'\n') || t.as_bytes().contains(&b'\r') {
        return Err("内容中有换行：名称、编号等须写在一行内，请删去换行".into());
    }
    crate::typed::check_text(t, crate::typed::TextKind::Line).map_err(|e| e.to_string())?;
    Ok(t.to_string())
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
        assert_eq!(year("2023.0"), Ok(2023));
        assert_eq!(year("2023年"), Ok(2023));
        assert_eq!(year("２０２３"), Ok(2023));
        assert!(year("2023.5").is_err());
        assert!(year("二〇二三").is_err());
    }

    #[test]
    fn money_as_typed() {
        assert_eq!(money("３１０００"), Ok(Fen(3_100_000)));
        assert_eq!(money("310，000，000．50"), Ok(Fen(31_000_000_050)));
        assert_eq!(money("¥1,234.50"), Ok(Fen(123_450)));
        assert_eq!(money("￥ 1234"), Ok(Fen(123_400)));
        assert_eq!(money("1234元"), Ok(Fen(123_400)));
        assert_eq!(money("120万元").unwrap_err(), "金额以元为单位，不能写单位“120万元”：请填写 1200000");
        assert_eq!(money("1.5亿").unwrap_err(), "金额以元为单位，不能写单位“1.5亿”：请填写 150000000");
        assert!(money("3.1E+08").unwrap_err().contains("科学计数法"));
        assert!(money("－5").unwrap_err().contains("负数"));
        assert!(money("abc").unwrap_err().starts_with("不是金额"));
    }

    #[test]
    fn full_width_usccs_and_texts() {
        let wide: String = "91140525MA0L00001X".chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        assert_eq!(uscc(&wide).map(|u| u.to_string()), uscc("91140525MA0L00001X").map(|u| u.to_string()));
        assert!(uscc("9.11405E+17").unwrap_err().contains("科学计数法"));
        assert!(text("甲\n乙").unwrap_err().contains("换行"));
        assert_eq!(half_width("\u{3000}１２\u{3000}"), "12");
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
        assert_eq!(boolean("１"), Ok(true));
    }

    #[test]
    fn dates() {
        assert_eq!(date("2008-03-15"), Ok(jiff::civil::date(2008, 3, 15)));
        assert!(date("2008-02-30").is_err());
        for t in [
            "2008/03/15",
            "2008/3/15",
            "2008-3-15",
            "2008.3.15",
            "2008年3月15日",
            "20080315",
            "２００８-03-15",
            "2008/3/15 0:00",
            "2008-03-15 00:00:00",
        ] {
            assert_eq!(date(t), Ok(jiff::civil::date(2008, 3, 15)), "{t}");
        }
        for t in ["2008/2/30", "15/3/2008", "2008-3", "2008年3月", "200803155", "2008/3/15 9:30", "2008-13-01"] {
            assert!(date(t).is_err(), "{t}");
        }
        for t in ["9999-12-31", "1800-01-01", "1948/12/31", "21010101"] {
            let e = date(t).unwrap_err();
            assert!(e.contains("不在 1949 至 2100 之间"), "{t}: {e}");
        }
        assert_eq!(date("1949-01-01"), Ok(jiff::civil::date(1949, 1, 1)));
        assert_eq!(date("2100-12-31"), Ok(jiff::civil::date(2100, 12, 31)));
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

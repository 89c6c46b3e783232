//! Text and years as a person types them: what the registry, a terminal and an export accept.
//!
//! Every door (file readers, web forms, API bodies, CLI arguments) checks typed text with
//! [`check_text`] and years with [`check_year`], so that text no clerk types (over-long values,
//! control characters, NUL, bidirectional overrides, zero-width characters) never reaches a
//! terminal, a database or an export raw. CSV exports pass text cells through
//! [`csv_formula_safe`] so that Excel and WPS never execute a cell; the readers undo it with
//! [`csv_formula_unescape`].

use crate::model::{MAX_YEAR, MIN_YEAR, Year};
use std::borrow::Cow;
use std::fmt;

/// The most characters of a one-line value: names, codes, towns (企业名称、项目名称…).
pub const LINE_MAX_CHARS: usize = 200;
/// The most characters of a free text: reasons, notes, review bases (理由、备注…).
pub const NOTE_MAX_CHARS: usize = 2_000;
/// The most characters one spreadsheet cell can hold (Excel's limit); no reader keeps more.
pub const CELL_MAX_CHARS: usize = 32_767;

/// What a typed value is: one line, or a note that may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line, at most [`LINE_MAX_CHARS`] characters; no line break or tab.
    Line,
    /// Free text, at most [`NOTE_MAX_CHARS`] characters; line breaks allowed.
    Note,
}

impl TextKind {
    pub fn max_chars(self) -> usize {
        match self {
            TextKind::Line => LINE_MAX_CHARS,
            TextKind::Note => NOTE_MAX_CHARS,
        }
    }
}

/// Why a typed value is refused. `Display` is one Chinese sentence a clerk can act on; the
/// offending character is named by its position (1-based, in characters) and code, never
/// printed raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    TooLong {
        chars: usize,
        max: usize,
    },
    LineBreak {
        position: usize,
    },
    /// NUL, another C0/C1 control character, or a tab in a one-line value.
    Control {
        position: usize,
        code: u32,
    },
    /// A bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
    /// U+061C), which makes text display in another order than it is stored.
    Bidi {
        position: usize,
        code: u32,
    },
    /// An invisible character (zero-width space U+200B, word joiner U+2060, a BOM U+FEFF inside
    /// text), which makes two equal-looking values differ.
    Invisible {
        position: usize,
        code: u32,
    },
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TextProblem::TooLong { chars, max } => {
                write!(f, "内容过长：{chars} 个字，最多 {max} 个字，请删减")
            }
            TextProblem::LineBreak { position } => {
                write!(f, "第 {position} 个字处有换行：此项须写在一行内，请删去换行")
            }
            TextProblem::Control { position, code: 0 } => {
                write!(f, "第 {position} 个字是空字符（U+0000），不是正常输入的文字，请删去后重新输入")
            }
            TextProblem::Control { position, code } => {
                write!(f, "第 {position} 个字是控制字符（U+{code:04X}），不是正常输入的文字，请删去后重新输入")
            }
            TextProblem::Bidi { position, code } => write!(
                f,
                "第 {position} 个字是文字方向控制符（U+{code:04X}），会使显示顺序与实际内容不同，请删去后重新输入"
            ),
            TextProblem::Invisible { position, code } => {
                write!(f, "第 {position} 个字是不可见字符（U+{code:04X}），会使看起来相同的内容不同，请删去后重新输入")
            }
        }
    }
}

impl std::error::Error for TextProblem {}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}')
}

/// Checks a typed value: its length in characters and every character. A value that passes can
/// be stored, printed on a terminal and written to any export as it is.
pub fn check_text(s: &str, kind: TextKind) -> Result<(), TextProblem> {
    let mut chars = 0usize;
    for (i, c) in s.chars().enumerate() {
        let position = i + 1;
        let code = c as u32;
        match c {
            '\n' | '\r' if kind == TextKind::Line => return Err(TextProblem::LineBreak { position }),
            '\n' | '\r' | '\t' if kind == TextKind::Note => {}
            c if c.is_control() => return Err(TextProblem::Control { position, code }),
            c if is_bidi(c) => return Err(TextProblem::Bidi { position, code }),
            c if is_invisible(c) => return Err(TextProblem::Invisible { position, code }),
            _ => {}
        }
        chars = position;
    }
    if chars > kind.max_chars() {
        return Err(TextProblem::TooLong { chars, max: kind.max_chars() });
    }
    Ok(())
}

/// A year outside 1949–2100, as typed (any integer; a CLI argument may be negative or huge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearOutOfRange(pub i64);

impl fmt::Display for YearOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "年份 {} 不在 {MIN_YEAR} 至 {MAX_YEAR} 之间，请填写四位数字的年份", self.0)
    }
}

impl std::error::Error for YearOutOfRange {}

/// The year `y` if it is within [`MIN_YEAR`]..=[`MAX_YEAR`] (1949–2100, FACTS.md).
pub fn check_year(y: i64) -> Result<Year, YearOutOfRange> {
    if (i64::from(MIN_YEAR)..=i64::from(MAX_YEAR)).contains(&y) { Ok(y as Year) } else { Err(YearOutOfRange(y)) }
}

/// Parses a year typed as text (a CLI argument, a form field, a query parameter): digits only,
/// within 1949–2100. The error is one Chinese sentence.
pub fn parse_year(s: &str) -> Result<Year, String> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(y) => check_year(y).map_err(|e| e.to_string()),
        Err(_) => Err(format!("“{}”不是年份：请填写 {MIN_YEAR} 至 {MAX_YEAR} 之间的四位数字", shown(t))),
    }
}

/// The characters that make Excel, WPS and LibreOffice read a CSV cell as a formula (OWASP
/// "CSV injection"): `=`, `+`, `-`, `@`, and tab or carriage return before them.
fn starts_formula(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// Whether a spreadsheet would execute `s` once the leading `'` a CSV export adds are taken away.
fn needs_escape(s: &str) -> bool {
    starts_formula(s.trim_start_matches('\''))
}

/// A text cell as a CSV export writes it: a value that a spreadsheet would execute gets a
/// leading `'` (shown as text by Excel and WPS); others are unchanged. Numbers are written as
/// numbers and never pass here. [`csv_formula_unescape`] undoes it on reading.
pub fn csv_formula_safe(s: &str) -> Cow<'_, str> {
    if needs_escape(s) { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) }
}

/// The value a CSV text cell written by [`csv_formula_safe`] held.
pub fn csv_formula_unescape(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_escape(rest) => rest,
        _ => s,
    }
}

/// A value for an error line: control characters escaped, long values cut to 60 characters.
pub fn shown(value: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() || is_bidi(c) || is_invisible(c) {
            out.extend(c.escape_unicode());
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
    fn ordinary_names_pass() {
        for s in ["山西泽州钢铁有限公司", "A-1 项目（二期）", "", "晋城市·泽州县 No.3"] {
            assert_eq!(check_text(s, TextKind::Line), Ok(()), "{s}");
        }
        assert_eq!(check_text("经核对\n统计年报属实", TextKind::Note), Ok(()));
    }

    #[test]
    fn each_kind_of_untyped_text_is_refused_at_its_position() {
        assert_eq!(check_text("ab\0c", TextKind::Line), Err(TextProblem::Control { position: 3, code: 0 }));
        assert_eq!(check_text("a\u{1b}[31m", TextKind::Note), Err(TextProblem::Control { position: 2, code: 0x1b }));
        assert_eq!(check_text("a\tb", TextKind::Line), Err(TextProblem::Control { position: 2, code: 9 }));
        assert_eq!(check_text("公司\u{202E}gpj", TextKind::Line), Err(TextProblem::Bidi { position: 3, code: 0x202E }));
        assert_eq!(
            check_text("公\u{200B}司", TextKind::Line),
            Err(TextProblem::Invisible { position: 2, code: 0x200B })
        );
        assert_eq!(check_text("一\r\n二", TextKind::Line), Err(TextProblem::LineBreak { position: 2 }));
        assert!(check_text("\u{85}", TextKind::Note).is_err(), "C1 controls too");
    }

    #[test]
    fn length_is_counted_in_characters_with_the_limit_inclusive() {
        let at = "字".repeat(LINE_MAX_CHARS);
        assert_eq!(check_text(&at, TextKind::Line), Ok(()));
        let over = "字".repeat(LINE_MAX_CHARS + 1);
        assert_eq!(check_text(&over, TextKind::Line), Err(TextProblem::TooLong { chars: 201, max: 200 }));
        assert_eq!(check_text(&over, TextKind::Note), Ok(()));
        let msg = check_text(&"x".repeat(100_011), TextKind::Line).unwrap_err().to_string();
        assert_eq!(msg, "内容过长：100011 个字，最多 200 个字，请删减");
    }

    #[test]
    fn years_are_refused_outside_1949_to_2100_in_chinese() {
        assert_eq!(check_year(1949), Ok(1949));
        assert_eq!(check_year(2100), Ok(2100));
        assert_eq!(check_year(1948), Err(YearOutOfRange(1948)));
        assert_eq!(parse_year("99999").unwrap_err(), "年份 99999 不在 1949 至 2100 之间，请填写四位数字的年份");
        assert_eq!(parse_year("-1").unwrap_err(), "年份 -1 不在 1949 至 2100 之间，请填写四位数字的年份");
        assert!(parse_year("二〇二四").unwrap_err().contains("不是年份"));
        assert_eq!(parse_year(" 2024 "), Ok(2024));
    }

    #[test]
    fn formula_cells_are_escaped_and_read_back_exactly() {
        for s in ["=1+1", "+86 139", "-5", "@SUM(A1)", "\t=x", "'=x", "''=x", "'abc", "abc", "", "'"] {
            let written = csv_formula_safe(s);
            assert!(!starts_formula(&written), "{s:?} → {written:?}");
            assert_eq!(csv_formula_unescape(&written), s, "{s:?} → {written:?}");
        }
        assert_eq!(csv_formula_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_formula_safe("泽州钢铁"), "泽州钢铁");
    }
}

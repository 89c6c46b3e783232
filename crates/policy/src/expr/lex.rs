//! Tokens of an expression, each with its byte range in the source. Numbers keep the unit a clerk
//! wrote after them (`10万`, `1亿`, `300元`, `20%`); the Chinese operators and keywords (`≥`, `且`,
//! `或`, `非`, `是`, `否`, `×`, `÷`, full-width parentheses and commas) are read as their ASCII
//! forms.

use super::Diagnostic;
use rust_decimal::Decimal;
use std::ops::Range;

/// The unit written after a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// None: the number takes the type of what it meets.
    Bare,
    /// 元, 万 (×10,000), 亿 (×100,000,000): money in yuan.
    Yuan,
    /// `%`: a percentage, kept as the fraction (20% is 0.2).
    Percent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// The value (in yuan for money, the fraction for a percentage) and its unit.
    Num(Decimal, Unit),
    Ident(String),
    /// A quoted text: a code or its Chinese name (`"transformation"`, `“技术改造”`).
    Str(String),
    /// `in` / `属于`: membership in a list of codes.
    In,
    True,
    False,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Star,
    Slash,
    Ge,
    Le,
    Gt,
    Lt,
    Eq,
    Ne,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Colon,
    DotDot,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

/// The tokens of `src`, ending with [`Tok::End`]; every character that starts no token is a
/// problem (all reported at once).
pub fn lex(src: &str) -> Result<Vec<Token>, Vec<Diagnostic>> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(src.len(), |c| c.0);
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).map(|c| c.1);
        let simple = match c {
            '+' | '＋' => Some(Tok::Plus),
            '-' | '－' | '−' => Some(Tok::Minus),
            '*' | '×' => Some(Tok::Star),
            '/' | '÷' => Some(Tok::Slash),
            '≥' => Some(Tok::Ge),
            '≤' => Some(Tok::Le),
            '≠' => Some(Tok::Ne),
            '(' | '（' => Some(Tok::LParen),
            ')' | '）' => Some(Tok::RParen),
            '[' | '【' => Some(Tok::LBrack),
            ']' | '】' => Some(Tok::RBrack),
            ',' | '，' | '、' => Some(Tok::Comma),
            ':' | '：' => Some(Tok::Colon),
            '且' => Some(Tok::And),
            '或' => Some(Tok::Or),
            '非' => Some(Tok::Not),
            '是' => Some(Tok::True),
            '否' => Some(Tok::False),
            _ => None,
        };
        if let Some(tok) = simple {
            out.push(Token { tok, span: start..at(i + 1) });
            i += 1;
            continue;
        }
        let two = match (c, next) {
            ('属', Some('于')) => Some(Tok::In),
            ('>', Some('=')) => Some(Tok::Ge),
            ('<', Some('=')) => Some(Tok::Le),
            ('=', Some('=')) => Some(Tok::Eq),
            ('!', Some('=')) => Some(Tok::Ne),
            ('.', Some('.')) => Some(Tok::DotDot),
            _ => None,
        };
        if let Some(tok) = two {
            out.push(Token { tok, span: start..at(i + 2) });
            i += 2;
            continue;
        }
        match c {
            '>' => {
                out.push(Token { tok: Tok::Gt, span: start..at(i + 1) });
                i += 1;
            }
            '<' => {
                out.push(Token { tok: Tok::Lt, span: start..at(i + 1) });
                i += 1;
            }
            '"' | '“' | '\'' | '‘' => {
                let close = match c {
                    '“' => '”',
                    '‘' => '’',
                    other => other,
                };
                let Some(end) = (i + 1..chars.len()).find(|&k| chars[k].1 == close) else {
                    problems
                        .push(Diagnostic::new(start..src.len(), "引号没有配对").help(format!("在文字后加上 {close}")));
                    break;
                };
                let text = src[at(i + 1)..at(end)].trim().to_string();
                out.push(Token { tok: Tok::Str(text), span: start..at(end + 1) });
                i = end + 1;
            }
            '=' => {
                problems.push(
                    Diagnostic::new(start..at(i + 1), "单个“=”不是比较").help("相等写作 ==，大于等于写作 >= 或 ≥"),
                );
                i += 1;
            }
            '0'..='9' => {
                let mut j = i;
                while j < chars.len() && (chars[j].1.is_ascii_digit() || chars[j].1 == '_' || chars[j].1 == ',') {
                    j += 1;
                }
                // A decimal point, not the `..` of a band.
                if j + 1 < chars.len() && chars[j].1 == '.' && chars[j + 1].1.is_ascii_digit() {
                    j += 1;
                    while j < chars.len() && chars[j].1.is_ascii_digit() {
                        j += 1;
                    }
                }
                let text: String = src[start..at(j)].chars().filter(|c| *c != '_' && *c != ',').collect();
                let Ok(mut value) = text.parse::<Decimal>() else {
                    problems.push(Diagnostic::new(start..at(j), format!("“{}”不是数", &src[start..at(j)])));
                    i = j;
                    continue;
                };
                let mut unit = Unit::Bare;
                match chars.get(j).map(|c| c.1) {
                    Some('万') => {
                        value *= Decimal::from(10_000);
                        unit = Unit::Yuan;
                        j += 1;
                    }
                    Some('亿') => {
                        value *= Decimal::from(100_000_000);
                        unit = Unit::Yuan;
                        j += 1;
                    }
                    Some('%' | '％') => {
                        value /= Decimal::from(100);
                        unit = Unit::Percent;
                        j += 1;
                    }
                    _ => {}
                }
                if unit != Unit::Percent && chars.get(j).map(|c| c.1) == Some('元') {
                    unit = Unit::Yuan;
                    j += 1;
                }
                out.push(Token { tok: Tok::Num(value, unit), span: start..at(j) });
                i = j;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut j = i;
                while j < chars.len() && (chars[j].1.is_ascii_alphanumeric() || chars[j].1 == '_') {
                    j += 1;
                }
                let word = &src[start..at(j)];
                let tok = match word {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    w => Tok::Ident(w.to_string()),
                };
                out.push(Token { tok, span: start..at(j) });
                i = j;
            }
            c => {
                problems.push(
                    Diagnostic::new(start..at(i + 1), format!("无法识别的字符“{c}”"))
                        .help("事实用代码书写（如 revenue），金额如 10万、1亿、300元，比例如 20%"),
                );
                i += 1;
            }
        }
    }
    out.push(Token { tok: Tok::End, span: src.len()..src.len() });
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn units_and_chinese_operators() {
        assert_eq!(
            toks("revenue ≥ 1亿 且 growth(revenue) >= 20%"),
            vec![
                Tok::Ident("revenue".into()),
                Tok::Ge,
                Tok::Num(dec!(100000000), Unit::Yuan),
                Tok::And,
                Tok::Ident("growth".into()),
                Tok::LParen,
                Tok::Ident("revenue".into()),
                Tok::RParen,
                Tok::Ge,
                Tok::Num(dec!(0.2), Unit::Percent),
                Tok::End
            ]
        );
        assert_eq!(toks("2000万..5000万：10万")[1], Tok::DotDot);
        assert_eq!(toks("1.5万元")[0], Tok::Num(dec!(15000), Unit::Yuan));
        assert_eq!(toks("300元")[0], Tok::Num(dec!(300), Unit::Yuan));
        assert_eq!(toks("1_000_000")[0], Tok::Num(dec!(1000000), Unit::Bare));
    }

    #[test]
    fn every_stray_character_is_named() {
        let e = lex("revenue = 1亿 # x").unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e[0].message.contains("单个“=”"));
        assert!(e[1].message.contains("“#”"));
    }
}

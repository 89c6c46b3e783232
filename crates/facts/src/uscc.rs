//! 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015.

use std::fmt;

/// The 31 characters of the code alphabet, in the order of their values 0..=30
/// (GB 32100-2015 表 1: digits, then capital letters without I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1..=17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A validated 18-character USCC: the key of an enterprise.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uscc([u8; 18]);

/// Why a text is not a valid USCC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为18位（实为{0}位）")]
    Length(usize),
    #[error("第{position}位字符“{ch}”不在代码字符集内")]
    Character { position: usize, ch: char },
    #[error("校验码错误：应为“{expected}”，实为“{actual}”")]
    CheckDigit { expected: char, actual: char },
}

/// The value of each byte in the alphabet, or `NONE` (a table: readers check millions of codes).
const VALUES: [u8; 256] = {
    let mut t = [NONE; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};
const NONE: u8 = u8::MAX;

fn value_of(c: u8) -> Option<u32> {
    let v = VALUES[c as usize];
    (v != NONE).then_some(u32::from(v))
}

impl Uscc {
    /// Parses and verifies a code; lower-case letters are accepted and upper-cased.
    pub fn parse(text: &str) -> Result<Self, UsccError> {
        let text = text.trim();
        let count = text.chars().count();
        if count != 18 || text.len() != 18 {
            return Err(UsccError::Length(count));
        }
        let mut bytes = [0u8; 18];
        for (i, b) in text.bytes().enumerate() {
            let up = b.to_ascii_uppercase();
            if value_of(up).is_none() {
                return Err(UsccError::Character { position: i + 1, ch: b as char });
            }
            bytes[i] = up;
        }
        let expected = Self::check_char(&bytes[..17]);
        if bytes[17] != expected {
            return Err(UsccError::CheckDigit { expected: expected as char, actual: bytes[17] as char });
        }
        Ok(Uscc(bytes))
    }

    /// The check character (position 18) for the first 17 characters.
    ///
    /// # Panics
    /// If `first17` is not 17 characters of the code alphabet.
    pub fn check_char(first17: &[u8]) -> u8 {
        assert_eq!(first17.len(), 17, "a USCC body has 17 characters");
        let sum: u32 = first17
            .iter()
            .zip(WEIGHTS)
            .map(|(&c, w)| value_of(c.to_ascii_uppercase()).expect("USCC alphabet") * w)
            .sum();
        let check = (31 - sum % 31) % 31;
        ALPHABET[check as usize]
    }

    /// Builds a valid code from a 17-character body by appending its check character.
    pub fn from_body(first17: &[u8]) -> Self {
        let mut bytes = [0u8; 18];
        bytes[..17].copy_from_slice(first17);
        bytes[..17].make_ascii_uppercase();
        bytes[17] = Self::check_char(&bytes[..17]);
        Uscc(bytes)
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII bytes of the alphabet are ever stored.
        std::str::from_utf8(&self.0).expect("ASCII")
    }

    /// The characters of the code alphabet, for generators.
    pub fn alphabet() -> &'static [u8; 31] {
        ALPHABET
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_real_codes_verify() {
        // Published codes of real organisations.
        // (`911100001000128858`, once listed here, fails its check digit: it should end in 5.)
        for code in ["91350100M000100Y43", "91110000802100433B"] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn wrong_check_digit_is_refused_with_the_expected_one() {
        let err = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(err, UsccError::CheckDigit { expected: '3', actual: '4' });
    }

    #[test]
    fn bad_length_and_alphabet() {
        assert_eq!(Uscc::parse("9135").unwrap_err(), UsccError::Length(4));
        assert!(matches!(Uscc::parse("91350100I000100Y43"), Err(UsccError::Character { position: 9, .. })));
    }

    #[test]
    fn from_body_round_trips() {
        let u = Uscc::from_body(b"91140525MA0K12345");
        assert_eq!(Uscc::parse(u.as_str()).unwrap(), u);
    }
}

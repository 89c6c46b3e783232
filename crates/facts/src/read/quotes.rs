//! Quotes in a hand-edited CSV file. The CSV reader (RFC 4180) silently merges the lines after
//! an unclosed quote into one cell, and silently drops a quote followed by more text
//! (`"兴旺"化工`). Both lose data without a word, so the bytes are watched as they stream past
//! the reader: a quoted cell whose closing quote is followed by text, or that is still open at
//! the end of the file, is a problem at its byte offset; a record spanning several lines is
//! found by the reader itself (issue 8 item 1, case 18).

use super::row::{Errors, SheetInfo};
use std::collections::VecDeque;
use std::io::Read;

/// What went wrong with a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteKind {
    /// A quoted cell took in the following lines (its quote closes on a later line).
    Swallowed,
    /// A closing quote is followed by more text in the same cell.
    Stray,
    /// A quote opens a cell and nothing closes it before the end of the file.
    Unclosed,
}

/// A quote problem at a byte offset, in a field of its record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Problem {
    pub at: u64,
    pub field: usize,
    pub kind: QuoteKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// At the start of a field.
    #[default]
    Start,
    /// In a field that did not start with a quote (quotes in it are text).
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// In a quoted field, just after a quote: the end of the field, or the first of two.
    QuoteSeen,
    /// After a closing quote and spaces: only the end of the field may follow.
    Closed,
}

/// The state of quotes over the bytes seen so far.
#[derive(Debug, Default)]
struct Scan {
    delimiter: u8,
    state: State,
    /// The field the next byte belongs to, in its record.
    field: usize,
    /// Where the open quoted field started (offset, field).
    open: (u64, usize),
    problems: VecDeque<Problem>,
    /// Line breaks (`\n`) seen so far.
    lines: u64,
    /// Where the record being read starts: its byte offset and its line (1-based).
    record: (u64, u64),
}

impl Scan {
    fn ends_field(&self, b: u8) -> bool {
        b == self.delimiter || b == b'\n' || b == b'\r'
    }

    /// Follows `chunk`, which starts at byte `base` of the text.
    fn scan(&mut self, chunk: &[u8], base: u64) {
        let has_quote = chunk.contains(&b'"');
        match self.state {
            // No quote: only where the last field starts matters.
            State::Start | State::Unquoted if !has_quote => {
                let d = self.delimiter;
                let count = |s: &[u8]| s.iter().filter(|&&b| b == d).count();
                self.lines += newlines(chunk);
                match chunk.iter().rposition(|&b| b == b'\n' || b == b'\r') {
                    Some(i) => {
                        self.field = count(&chunk[i + 1..]);
                        self.record = (base + i as u64 + 1, self.lines + 1);
                    }
                    None => self.field += count(chunk),
                }
                if let Some(&last) = chunk.last() {
                    self.state = if self.ends_field(last) { State::Start } else { State::Unquoted };
                }
                return;
            }
            State::Quoted if !has_quote => {
                self.lines += newlines(chunk);
                return;
            }
            _ => {}
        }
        for (i, &b) in chunk.iter().enumerate() {
            if b == b'\n' {
                self.lines += 1;
            }
            self.state = match (self.state, b) {
                (State::Start, b'"') => {
                    self.open = (base + i as u64, self.field);
                    State::Quoted
                }
                (State::Start | State::Unquoted | State::QuoteSeen | State::Closed, _) if self.ends_field(b) => {
                    if b == self.delimiter {
                        self.field += 1;
                    } else {
                        self.field = 0;
                        self.record = (base + i as u64 + 1, self.lines + 1);
                    }
                    State::Start
                }
                (State::Start | State::Unquoted, _) => State::Unquoted,
                (State::Quoted, b'"') => State::QuoteSeen,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteSeen, b'"') => State::Quoted,
                // `"甲公司" ,`: spaces after the closing quote are harmless.
                (State::QuoteSeen | State::Closed, b' ') => State::Closed,
                (State::QuoteSeen | State::Closed, _) => {
                    let problem = Problem { at: base + i as u64, field: self.field, kind: QuoteKind::Stray };
                    self.problems.push_back(problem);
                    State::Unquoted
                }
            };
        }
    }

    /// At the end of the text: a quoted field still open is unclosed.
    fn finish(&mut self) {
        if self.state == State::Quoted {
            let (at, field) = self.open;
            self.problems.push_back(Problem { at, field, kind: QuoteKind::Unclosed });
            self.state = State::Start;
        }
    }
}

fn newlines(chunk: &[u8]) -> u64 {
    chunk.iter().filter(|&&b| b == b'\n').count() as u64
}

/// A CSV record longer than [`super::Limits::max_record_bytes`]: the line it starts on. The
/// reader stops there, before holding more of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行起的一行超过 {max} 字节")]
pub(crate) struct RecordTooLong {
    pub line: u64,
    pub max: u64,
}

/// The input of the CSV reader: keeps the last chunk it read (to tell whether a record ended
/// with `\n`), watches the quotes, and stops a record longer than the limit.
pub(crate) struct Tail<R> {
    inner: R,
    /// Bytes read so far.
    read: u64,
    /// The last chunk read (not empty, unless nothing was read). It holds the last byte the
    /// CSV reader took: that reader reads through an `io::BufReader`, which reads again only once
    /// every byte it holds is taken.
    last: Vec<u8>,
    scan: Scan,
    /// The longest record, in bytes.
    max_record: u64,
}

impl<R> Tail<R> {
    pub(crate) fn new(inner: R, delimiter: u8, max_record: u64) -> Self {
        Tail { inner, read: 0, last: Vec::new(), scan: Scan { delimiter, ..Scan::default() }, max_record }
    }

    /// The byte at `offset`, if the last chunk holds it.
    pub(crate) fn byte(&self, offset: u64) -> Option<u8> {
        let start = self.read - self.last.len() as u64;
        let i = usize::try_from(offset.checked_sub(start)?).ok()?;
        self.last.get(i).copied()
    }

    /// The first problem before byte `end` (a record's end), dropping the others before it.
    pub(crate) fn problem_before(&mut self, end: u64) -> Option<Problem> {
        let mut first = None;
        while let Some(p) = self.scan.problems.front().copied() {
            if p.at >= end {
                break;
            }
            self.scan.problems.pop_front();
            first.get_or_insert(p);
        }
        first
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last.clear();
            self.last.extend_from_slice(&buf[..n]);
            self.scan.scan(&buf[..n], self.read);
            self.read += n as u64;
            let (start, line) = self.scan.record;
            if self.read - start > self.max_record {
                return Err(std::io::Error::other(RecordTooLong { line: line.max(1), max: self.max_record }));
            }
        } else {
            self.scan.finish();
        }
        Ok(n)
    }
}

/// A record lost to a quote: its first and last line, the field, its text.
pub(crate) struct QuoteError {
    pub kind: QuoteKind,
    pub first: u32,
    pub last: u32,
    pub field: usize,
    pub text: String,
}

/// One error for a record lost to a quote (never one per cell it shifted).
pub(crate) fn quote_error(sheet: &SheetInfo, q: &QuoteError, errors: &mut Errors) {
    let column = sheet.column_at(q.field);
    let reason = match q.kind {
        QuoteKind::Swallowed => {
            let lines =
                if q.last == q.first + 1 { format!("第{}行", q.last) } else { format!("第{}至{}行", q.first + 1, q.last) };
            format!(
                "引号没有闭合：这一格以英文双引号（\"）开头，却没有对应的右引号，下面{lines}被并进了这一格，都没有读入。请在这一格的末尾补上右引号，或删去这个引号"
            )
        }
        QuoteKind::Stray => "引号用法有误：这一格以英文双引号（\"）开头，引号闭合后又接着别的文字，无法确定内容。请删去这一格中的引号，或把整格用引号括起、其中的引号写成两个（\"\"）".to_string(),
        QuoteKind::Unclosed => "引号没有闭合：这一格以英文双引号（\"）开头，直到文件末尾也没有右引号。请补上右引号，或删去这个引号".to_string(),
    };
    errors.push(sheet, q.first, Some(q.field), &column, &q.text, reason);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str, chunk: usize) -> Vec<(u64, usize, QuoteKind)> {
        let mut s = Scan { delimiter: b',', ..Scan::default() };
        let bytes = text.as_bytes();
        for (i, c) in bytes.chunks(chunk).enumerate() {
            s.scan(c, (i * chunk) as u64);
        }
        s.finish();
        s.problems.iter().map(|p| (p.at, p.field, p.kind)).collect()
    }

    #[test]
    fn quotes_are_followed_across_chunks() {
        for chunk in [1, 2, 3, 7, 1000] {
            assert_eq!(problems("a,\"b,c\",d\n\"x\"\"y\",z\n", chunk), [], "{chunk}");
            assert_eq!(problems("a,b\"c,d\n", chunk), [], "{chunk}");
            assert_eq!(problems("a,\"兴\"旺,d\n", chunk), [(7, 1, QuoteKind::Stray)], "{chunk}");
            assert_eq!(problems("a,b\nc,\"d,e\n", chunk), [(6, 1, QuoteKind::Unclosed)], "{chunk}");
            assert_eq!(problems("a,b\r\n\"c\"d,e\r\n", chunk), [(8, 0, QuoteKind::Stray)], "{chunk}");
            assert_eq!(problems("\"a\"  ,b\n\"c\" \n", chunk), [], "{chunk}");
            assert_eq!(problems("\"a\" \"b\",c\n", chunk), [(4, 0, QuoteKind::Stray)], "{chunk}");
        }
    }
}

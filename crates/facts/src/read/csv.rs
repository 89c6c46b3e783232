//! A dataset as a folder of CSV files: `<sheet>.csv`, UTF-8 (with or without BOM) or, as Excel
//! and WPS save it on Chinese Windows, GB18030 or UTF-16 ("Unicode 文本", tab-separated); comma,
//! tab or semicolon separated. Records are streamed in batches of reused records; a file is read
//! whole into memory only to decode GB18030 or UTF-16.

use super::limits::{self, Limits};
use super::quotes::{Problem, QuoteError, QuoteKind, RecordTooLong, Tail, quote_error};
use super::row::{Errors, SheetInfo};
use super::schema::{HEADER_SEARCH_ROWS, SheetKind, is_header, no_header_reason};
use super::sheets::{Fold, Parse, Recent, Rows, Source, parse_row};
use super::sniff;
use super::text::{self, delimiter, not_text, unreadable};
use crate::error::ReadError;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The sheet files of a folder, by sheet. Another file that looks like data (see
/// [`text::unread_data_file`]) is an error naming it; other files are ignored. Anything under a sheet's
/// name that cannot be read as a file (a dangling symbolic link, a link loop, a folder, a
/// device) is an error naming it, never an absent sheet; so is a file over the size limit.
pub(crate) fn sheet_files(dir: &Path, limits: &Limits) -> Result<Vec<(SheetKind, String, PathBuf)>, ReadError> {
    let io = |source| ReadError::Io { path: dir.to_path_buf(), cause: source };
    let mut found: Vec<(SheetKind, String, PathBuf)> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let is_csv = ext.as_deref() == Some("csv");
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let Some(kind) = SheetKind::from_name(stem).filter(|_| is_csv) else {
            if let Some(why) = text::unread_data_file(&path, stem, ext.as_deref()) {
                unread.push(why);
            }
            continue;
        };
        match limits::present(&path) {
            // Removed since the folder was listed.
            None => continue,
            Some(Err(why)) => return Err(ReadError::NotADataset(format!("{}：{why}", path.display()))),
            Some(Ok(meta)) if meta.len() > limits.max_file_bytes => {
                return Err(ReadError::TooLarge(limits::file_too_large(&path, meta.len(), limits)));
            }
            Some(Ok(_)) => {}
        }
        if let Some((_, other, _)) = found.iter().find(|(k, _, _)| *k == kind) {
            return Err(ReadError::NotADataset(format!(
                "{}：{other}.csv 与 {stem}.csv 是同一张表（{}），请只保留一个",
                dir.display(),
                kind.en()
            )));
        }
        found.push((kind, stem.to_string(), path));
    }
    if !unread.is_empty() {
        // A file the clerk meant as data is never skipped without a word: one line each.
        unread.sort();
        return Err(ReadError::NotADataset(unread.join("\n")));
    }
    if !found.iter().any(|(k, _, _)| *k == SheetKind::Enterprises) {
        return Err(ReadError::NotADataset(format!(
            "{} 中没有 enterprises.csv（或 企业.csv）：不是一个数据集文件夹",
            dir.display()
        )));
    }
    found.sort_by_key(|(k, _, _)| *k);
    Ok(found)
}

/// Reads every sheet file of a folder into `rows`.
pub(crate) fn read_dir(dir: &Path, rows: &mut Rows<'_>, limits: &Limits) -> Result<(), ReadError> {
    for (kind, name, path) in sheet_files(dir, limits)? {
        read_file(&path, kind, &name, rows, limits)?;
    }
    text::read_stamp(dir, rows, limits)
}

/// Why a pass over a file stopped.
pub(crate) enum Stop {
    /// Not UTF-8 (and no BOM said it was): read it again as GB18030.
    NotUtf8,
    Io(std::io::Error),
    /// A record over the limit.
    TooLong(RecordTooLong),
}

impl From<csv::Error> for Stop {
    fn from(e: csv::Error) -> Stop {
        if !e.is_io_error() {
            return Stop::Io(e.into());
        }
        match e.into_kind() {
            csv::ErrorKind::Io(io) => match io.get_ref().and_then(|inner| inner.downcast_ref::<RecordTooLong>()) {
                Some(too_long) => Stop::TooLong(*too_long),
                None => Stop::Io(io),
            },
            _ => Stop::Io(std::io::Error::other("CSV")),
        }
    }
}

/// The error of a pass that stopped on an I/O error or a record over the limit.
fn stopped(path: &Path, stop: Stop) -> ReadError {
    match stop {
        Stop::Io(source) => ReadError::Io { path: path.to_path_buf(), cause: source },
        Stop::NotUtf8 => ReadError::NotADataset(unreadable(path)),
        Stop::TooLong(RecordTooLong { line, max }) => ReadError::TooLarge(format!(
            "{}：第 {line} 行起的一行超过 {}（一行数据的上限）：可能是某一格的英文双引号（\"）没有闭合，把下面的内容都并进了这一行，或文件不是逐行的表格；请检查这一行（上限由环境变量 LIANZHANG_MAX_RECORD_KB 设定）",
            path.display(),
            limits::size(max)
        )),
    }
}

/// A whole file, at most [`Limits::max_file_bytes`] of it (it may have grown since it was
/// listed: the size on disk is not trusted).
pub(crate) fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io { path: path.to_path_buf(), cause: source };
    let mut bytes = Vec::new();
    File::open(path).map_err(io)?.take(limits.max_file_bytes + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::TooLarge(limits::file_too_large(path, bytes.len() as u64, limits)));
    }
    Ok(bytes)
}

/// Reads one sheet's file: its format checked from its first bytes, its encoding (UTF-8 with or
/// without BOM, GB18030/GBK, UTF-16 as Excel's "Unicode 文本") and delimiter (comma, tab or
/// semicolon, from the first lines) found, its header row found below any title rows.
fn read_file(path: &Path, kind: SheetKind, name: &str, rows: &mut Rows<'_>, limits: &Limits) -> Result<(), ReadError> {
    let io = |source| ReadError::Io { path: path.to_path_buf(), cause: source };
    let head = sniff::head(path).map_err(io)?;
    let format = sniff::sniff(&head);
    if !matches!(format, sniff::Format::Text | sniff::Format::Empty) {
        return Err(ReadError::NotADataset(not_text(path, format)));
    }
    let utf16 = match head.as_slice() {
        [0xFF, 0xFE, ..] => Some(encoding_rs::UTF_16LE),
        [0xFE, 0xFF, ..] => Some(encoding_rs::UTF_16BE),
        _ => sniff::utf16_without_bom(&head),
    };
    let pass = Pass { max_record: limits.max_record_bytes, utf8_certain: true, delimiter: b',' };
    if let Some(encoding) = utf16 {
        let bytes = read_bounded(path, limits)?;
        let (text, _, bad) = encoding.decode(&bytes);
        if bad {
            return Err(ReadError::NotADataset(unreadable(path)));
        }
        let text = text.trim_start_matches('\u{feff}');
        let pass = Pass { delimiter: delimiter(text.as_bytes()), ..pass };
        return read_records((text.as_bytes(), Some(text.len() as u64)), kind, name, rows, pass)
            .map_err(|stop| stopped(path, stop));
    }
    let delimiter = delimiter(head.strip_prefix(BOM).unwrap_or(&head));
    let mut input = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
    let bom = input.fill_buf().map_err(io)?.starts_with(BOM);
    if bom {
        input.consume(BOM.len());
    }
    let size = input.get_ref().metadata().ok().map(|m| m.len());
    // Never more than the limit, whatever the file grew to since it was listed.
    let input = input.take(limits.max_file_bytes);
    match read_records((input, size), kind, name, rows, Pass { utf8_certain: bom, delimiter, ..pass }) {
        Ok(()) => Ok(()),
        Err(Stop::NotUtf8) => {
            rows.reset(kind);
            let bytes = read_bounded(path, limits)?;
            let Some(text) = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes) else {
                return Err(ReadError::NotADataset(unreadable(path)));
            };
            // Read as certainly UTF-8, a bad record is a data error, not a stop.
            read_records((text.as_bytes(), Some(text.len() as u64)), kind, name, rows, Pass { delimiter, ..pass })
                .map_err(|stop| stopped(path, stop))
        }
        Err(stop) => Err(stopped(path, stop)),
    }
}

/// How to read a CSV text: the longest record, whether it is certainly UTF-8 (a BOM, or
/// decoded text), its delimiter.
#[derive(Clone, Copy)]
struct Pass {
    max_record: u64,
    utf8_certain: bool,
    delimiter: u8,
}

/// One pass over a CSV text. With `utf8_certain` (a BOM, or decoded text), a record that is not
/// UTF-8 is a data error; without, it means the file is in another encoding.
fn read_records<R: Read + Send>(
    (input, bytes): (R, Option<u64>),
    kind: SheetKind,
    name: &str,
    rows: &mut Rows<'_>,
    Pass { max_record, utf8_certain, delimiter }: Pass,
) -> Result<(), Stop> {
    let input = Tail::new(input, delimiter, max_record);
    let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(input);
    let mut records = Records { reader, spare: None, utf8_certain, bytes, swallowed: Vec::new(), delimiter };
    let info = match records.header(kind)? {
        Found::Header(Header { row, cells, bad }) => {
            let headers: Vec<&str> = cells.iter().map(String::as_str).collect();
            let mut info = rows.start(kind, name, &headers, (row, 0));
            info.formula_escaped = true;
            if let Some(field) = bad {
                bad_utf8(&info, row, field, &mut rows.errors);
            }
            info
        }
        Found::None { row, text } => {
            rows.errors.sheet(kind, name, row, &text, no_header_reason(kind, HEADER_SEARCH_ROWS));
            return Ok(());
        }
        // An empty file: no header, which only `enterprises` needs.
        Found::Empty if kind == SheetKind::Enterprises => rows.start(kind, name, &[], (1, 0)),
        Found::Empty => return Ok(()),
    };
    rows.read(&info, &mut records)?;
    if kind == SheetKind::Enterprises {
        rows.swallowed.append(&mut records.swallowed);
    }
    Ok(())
}

fn bad_utf8(sheet: &SheetInfo, row: u32, field: usize, errors: &mut Errors) {
    let column = sheet.column_at(field);
    let reason = "含有无效的 UTF-8 字节（文件以 UTF-8 BOM 开头）".to_string();
    errors.push(sheet, row, Some(field), &column, "", reason);
}

/// The records of a CSV text, with their spreadsheet row numbers (the lines of the file: a
/// record over several lines is an error).
struct Records<R> {
    reader: csv::Reader<Tail<R>>,
    /// A record's buffers to read the next record into.
    spare: Option<csv::ByteRecord>,
    utf8_certain: bool,
    /// The length of the text, if known.
    bytes: Option<u64>,
    /// The text of every record lost to a quote (its keys must not be reported again as
    /// unknown enterprises).
    swallowed: Vec<String>,
    delimiter: u8,
}

/// What the search for the header row found.
enum Found {
    Header(Header),
    /// Rows, but none of the first ones is a header: the first row and its first text.
    None {
        row: u32,
        text: String,
    },
    Empty,
}

impl<R: Read> Records<R> {
    /// The rows of the whole text, extrapolated from the first records.
    fn expected_rows(&self, first: &[csv::StringRecord]) -> Option<usize> {
        let start = first.first()?.position()?.byte();
        let end = first.last()?.position()?.byte();
        let per_row = (end - start) / (first.len() as u64).saturating_sub(1).max(1);
        let rows = self.bytes? / per_row.max(8);
        // A little more than the estimate: capacity never used is never touched (nor resident).
        usize::try_from(rows + rows / 16 + 16).ok()
    }

    /// The header row: the first row that names the sheet's columns, below any title rows. A
    /// cell that is not UTF-8 is shown with replacement characters and reported if UTF-8 is
    /// certain, else it stops the pass.
    fn header(&mut self, kind: SheetKind) -> Result<Found, Stop> {
        let mut first: Option<(u32, String)> = None;
        let mut record = csv::ByteRecord::new();
        for _ in 0..HEADER_SEARCH_ROWS {
            let Some((row, _)) = self.read(&mut record)? else { break };
            let mut bad = None;
            let mut cells = Vec::with_capacity(record.len());
            for (i, field) in record.iter().enumerate() {
                match std::str::from_utf8(field) {
                    Ok(t) => cells.push(t.to_string()),
                    Err(_) if !self.utf8_certain => return Err(Stop::NotUtf8),
                    Err(_) => {
                        bad.get_or_insert(i);
                        cells.push(String::from_utf8_lossy(field).into_owned());
                    }
                }
            }
            let Some(text) = cells.iter().map(|c| c.trim()).find(|c| !c.is_empty()) else { continue };
            if is_header(kind, cells.iter().map(String::as_str)) {
                return Ok(Found::Header(Header { row, cells, bad }));
            }
            first.get_or_insert_with(|| (row, text.to_string()));
        }
        Ok(match first {
            Some((row, text)) => Found::None { row, text },
            None => Found::Empty,
        })
    }

    /// Reads the next record into `record`. A record that is not UTF-8 is `Bad` if UTF-8 is
    /// certain, else stops the pass; a record lost to a quote is `Quote`.
    fn next(&mut self, record: &mut csv::StringRecord) -> Result<Next, Stop> {
        // Bytes first, UTF-8 checked after: a bad record's line breaks count too. The buffers
        // go round between `spare` and the batch's records, so nothing is allocated.
        let mut bytes = self.spare.take().unwrap_or_default();
        let Some((row, problem)) = self.read(&mut bytes)? else {
            self.spare = Some(bytes);
            return Ok(Next::End);
        };
        // A cell over several lines that holds the delimiter after a line break took in the
        // records below it: an unclosed quote. One without is a line break inside a cell,
        // which the cell's own check reports.
        // `contains` first: it is a fast byte search, and most records have no line break.
        let text = bytes.as_slice();
        let broken = text.contains(&b'\n') || text.contains(&b'\r');
        let lines = if broken { text.iter().filter(|&&b| b == b'\n').count() as u32 } else { 0 };
        let d = self.delimiter;
        let swallowed = broken
            .then(|| {
                bytes.iter().position(|f| {
                    f.iter().position(|&b| b == b'\n' || b == b'\r').is_some_and(|at| f[at..].contains(&d))
                })
            })
            .flatten();
        let problem = match (swallowed, problem) {
            (Some(field), _) => Some((QuoteKind::Swallowed, field)),
            (None, Some(p)) => Some((p.kind, p.field)),
            (None, None) => None,
        };
        if let Some((kind, field)) = problem {
            let whole: Vec<String> = bytes.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
            let text = whole.get(field).map_or("", |t| t.split(['\n', '\r']).next().unwrap_or(""));
            let text = if kind == QuoteKind::Swallowed { format!("{text}…") } else { text.to_string() };
            let error = QuoteError { kind, first: row, last: row + lines, field, text };
            self.swallowed.push(whole.join(","));
            self.spare = Some(bytes);
            return Ok(Next::Quote(error));
        }
        match csv::StringRecord::from_byte_record(bytes) {
            Ok(text) => {
                self.spare = Some(std::mem::replace(record, text).into_byte_record());
                Ok(Next::Row(row))
            }
            Err(e) if self.utf8_certain => {
                let field = e.utf8_error().field();
                self.spare = Some(e.into_byte_record());
                Ok(Next::Bad(row, field))
            }
            Err(_) => Err(Stop::NotUtf8),
        }
    }

    /// Reads the next record into `record`, returning the line it starts on (`None` at the
    /// end) and the first quote problem in it.
    ///
    /// The line is found from where the record *ends*. The csv crate's `Position::line()` of a
    /// record is taken before the reader skips what lies ahead of it: empty lines, and with
    /// CRLF endings the `\n` that ends the previous record, so it is too low after those. After
    /// the record, the reader's line counts every `\n` it took: the record's last line, plus
    /// one if the record ended with `\n` (LF; with CRLF the reader stops at the `\r`). Above
    /// that last line are the record's own line breaks inside quoted cells.
    fn read(&mut self, record: &mut csv::ByteRecord) -> Result<Option<(u32, Option<Problem>)>, Stop> {
        if !self.reader.read_byte_record(record)? {
            return Ok(None);
        }
        let text = record.as_slice();
        let own = if text.contains(&b'\n') { text.iter().filter(|&&b| b == b'\n').count() as u64 } else { 0 };
        let end = self.reader.position().clone();
        let last = end.byte().checked_sub(1).and_then(|at| self.reader.get_ref().byte(at));
        debug_assert!(last.is_some(), "the last byte of a record is in the last chunk read");
        let last_line = end.line() - u64::from(last == Some(b'\n'));
        let problem = self.reader.get_mut().problem_before(end.byte());
        let row = u32::try_from(last_line.saturating_sub(own)).unwrap_or(u32::MAX);
        Ok(Some((row, problem)))
    }
}

/// A header row: its row number, its cells, the first cell that is not UTF-8.
struct Header {
    row: u32,
    cells: Vec<String>,
    bad: Option<usize>,
}

/// What [`Records::next`] read.
enum Next {
    /// A record, at this spreadsheet row.
    Row(u32),
    /// A record that is not UTF-8: its row and the first bad field.
    Bad(u32, usize),
    /// A record lost to a quote.
    Quote(QuoteError),
    End,
}

/// Rows per batch handed to a parsing thread.
const BATCH: usize = 1024;

/// Records read, reused from batch to batch.
#[derive(Default)]
struct Batch {
    records: Vec<csv::StringRecord>,
    rows: Vec<u32>,
    /// On the first batch: about how many rows the file has.
    expect: Option<usize>,
}

/// A batch parsed: its rows, their errors, and the batch to reuse.
struct Parsed<T> {
    seq: usize,
    rows: Vec<(u32, T)>,
    errors: Errors,
    batch: Batch,
}

/// A CSV file streams through three stages: one thread reads records into batches, the
/// parsing threads parse batches, and this thread folds them in order. Memory stays that of a
/// few batches; on two cores reading and parsing overlap.
impl<R: Read + Send> Source for Records<R> {
    type Stop = Stop;

    fn drive<P: Parse, F: Fold<Row = P::Row>>(
        &mut self,
        sheet: &SheetInfo,
        parse: &P,
        fold: &mut F,
        errors: &mut Errors,
    ) -> Result<(), Stop> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Batch)>(threads * 2);
        let work_rx = Mutex::new(work_rx);
        let (done_tx, done_rx) = mpsc::sync_channel::<Parsed<P::Row>>(threads * 2);
        let (free_tx, free_rx) = mpsc::channel::<Batch>();
        std::thread::scope(|s| {
            let reader = s.spawn(move || {
                let mut bad = Errors::default();
                let mut seq = 0;
                let result = loop {
                    let mut batch = free_rx.try_recv().unwrap_or_default();
                    batch.rows.clear();
                    let mut end = Ok(false);
                    while batch.rows.len() < BATCH {
                        let i = batch.rows.len();
                        if batch.records.len() == i {
                            batch.records.push(csv::StringRecord::new());
                        }
                        match self.next(&mut batch.records[i]) {
                            Ok(Next::Row(row)) => batch.rows.push(row),
                            Ok(Next::Bad(row, field)) => bad_utf8(sheet, row, field, &mut bad),
                            Ok(Next::Quote(q)) => quote_error(sheet, &q, &mut bad),
                            Ok(Next::End) => {
                                end = Ok(true);
                                break;
                            }
                            Err(stop) => {
                                end = Err(stop);
                                break;
                            }
                        }
                    }
                    batch.expect = None;
                    if seq == 0 && end.is_ok() {
                        batch.expect = self.expected_rows(&batch.records[..batch.rows.len()]);
                    }
                    if !batch.rows.is_empty() {
                        if work_tx.send((seq, batch)).is_err() {
                            break Ok(());
                        }
                        seq += 1;
                    }
                    match end {
                        Ok(false) => {}
                        Ok(true) => break Ok(()),
                        Err(stop) => break Err(stop),
                    }
                };
                (result, bad)
            });

            for _ in 0..threads {
                let done_tx = done_tx.clone();
                let work_rx = &work_rx;
                s.spawn(move || {
                    let mut recent = Recent::default();
                    loop {
                        let next = match work_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok((seq, batch)) = next else { break };
                        let mut errors = Errors::default();
                        let mut rows = Vec::with_capacity(batch.rows.len());
                        for (record, &row) in batch.records.iter().zip(&batch.rows) {
                            if let Some(p) = parse_row(parse, sheet, row, record, &mut errors, &mut recent) {
                                rows.push((row, p));
                            }
                        }
                        if done_tx.send(Parsed { seq, rows, errors, batch }).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);

            let mut pending = BTreeMap::new();
            let mut next = 0;
            for parsed in done_rx {
                pending.insert(parsed.seq, parsed);
                while let Some(mut p) = pending.remove(&next) {
                    if let Some(rows) = p.batch.expect {
                        fold.expect(rows);
                    }
                    for (row, r) in p.rows.drain(..) {
                        fold.fold(sheet, row, r, errors);
                    }
                    errors.0.append(&mut p.errors.0);
                    let _ = free_tx.send(p.batch);
                    next += 1;
                }
            }
            let (result, bad) = reader.join().unwrap_or_else(|_| {
                let panicked = std::io::Error::other("CSV 读取线程意外终止");
                (Err(Stop::Io(panicked)), Errors::default())
            });
            errors.0.extend(bad.0);
            result
        })
    }
}

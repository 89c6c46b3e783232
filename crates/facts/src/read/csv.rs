//! A dataset as a folder of CSV files: `<sheet>.csv`, UTF-8 (with or without BOM) or, as Excel
//! saves it on Chinese Windows, GB18030. Records are streamed in batches of reused records; a
//! file is read whole into memory only to decode GB18030.

use super::row::{Errors, SheetInfo};
use super::schema::{SheetKind, column_letter};
use super::sheets::{Fold, Parse, Recent, Rows, Source, parse_row};
use crate::error::ReadError;
use crate::stamp::{ExportStamp, STAMP_SHEET};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The sheet files of a folder, by sheet; other files are ignored.
pub(crate) fn sheet_files(dir: &Path) -> Result<Vec<(SheetKind, String, PathBuf)>, ReadError> {
    let io = |source| ReadError::Io { path: dir.to_path_buf(), source };
    let mut found: Vec<(SheetKind, String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let Some(kind) = SheetKind::from_name(stem).filter(|_| is_csv && path.is_file()) else {
            continue;
        };
        if let Some((_, other, _)) = found.iter().find(|(k, _, _)| *k == kind) {
            return Err(ReadError::NotADataset(format!(
                "{}：{other}.csv 与 {stem}.csv 是同一张表（{}），请只保留一个",
                dir.display(),
                kind.en()
            )));
        }
        found.push((kind, stem.to_string(), path));
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
pub(crate) fn read_dir(dir: &Path, rows: &mut Rows<'_>) -> Result<(), ReadError> {
    for (kind, name, path) in sheet_files(dir)? {
        read_file(&path, kind, &name, rows)?;
    }
    read_stamp(dir, rows)
}

/// Reads `导出信息.csv`, the export stamp, if the folder has one.
fn read_stamp(dir: &Path, rows: &mut Rows<'_>) -> Result<(), ReadError> {
    let path = dir.join(format!("{STAMP_SHEET}.csv"));
    if !path.is_file() {
        return Ok(());
    }
    let bytes = std::fs::read(&path).map_err(|source| ReadError::Io { path: path.clone(), source })?;
    let bytes = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let Ok(record) = record else { break };
        if i > 0 {
            let row = record.position().map_or(i as u64 + 1, |p| p.line()) as u32;
            lines.push((row, record.get(0).unwrap_or("").to_string(), record.get(1).unwrap_or("").to_string()));
        }
    }
    match ExportStamp::from_rows(lines.iter().map(|(r, a, b)| (*r, a.as_str(), b.as_str()))) {
        Ok(stamp) => rows.stamp = Some(stamp),
        Err((row, value, reason)) => rows.errors.stamp(row, &value, reason),
    }
    Ok(())
}

/// Why a pass over a file stopped.
pub(crate) enum Stop {
    /// Not UTF-8 (and no BOM said it was): read it again as GB18030.
    NotUtf8,
    Io(std::io::Error),
}

fn read_file(path: &Path, kind: SheetKind, name: &str, rows: &mut Rows<'_>) -> Result<(), ReadError> {
    let io = |source| ReadError::Io { path: path.to_path_buf(), source };
    let mut input = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
    let bom = input.fill_buf().map_err(io)?.starts_with(BOM);
    if bom {
        input.consume(BOM.len());
    }
    let size = input.get_ref().metadata().ok().map(|m| m.len());
    match read_records((input, size), kind, name, rows, bom) {
        Ok(()) => Ok(()),
        Err(Stop::Io(e)) => Err(io(e)),
        Err(Stop::NotUtf8) => {
            rows.reset(kind);
            let bytes = std::fs::read(path).map_err(io)?;
            let Some(text) = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes) else {
                return Err(ReadError::NotADataset(format!(
                    "{}：既不是 UTF-8 也不是 GB18030 编码的文本，无法作为 CSV 读取",
                    path.display()
                )));
            };
            match read_records((text.as_bytes(), Some(text.len() as u64)), kind, name, rows, true) {
                Ok(()) => Ok(()),
                Err(Stop::Io(e)) => Err(io(e)),
                // Read as certainly UTF-8, a bad record is a data error, not a stop.
                Err(Stop::NotUtf8) => Err(ReadError::NotADataset(format!("{}：编码无法识别", path.display()))),
            }
        }
    }
}

/// One pass over a CSV text. With `utf8_certain` (a BOM, or decoded text), a record that is not
/// UTF-8 is a data error; without, it means the file is in another encoding.
fn read_records<R: Read + Send>(
    (input, bytes): (R, Option<u64>),
    kind: SheetKind,
    name: &str,
    rows: &mut Rows<'_>,
    utf8_certain: bool,
) -> Result<(), Stop> {
    let input = Tail { inner: input, read: 0, last: Vec::new() };
    let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut records = Records { reader, inner_breaks: 0, spare: None, utf8_certain, bytes };
    let info = match records.header()? {
        Some(Header { row, cells, bad }) => {
            let headers: Vec<&str> = cells.iter().map(String::as_str).collect();
            let info = rows.start(kind, name, &headers, (row, 0));
            if let Some(field) = bad {
                bad_utf8(&info, row, field, &mut rows.errors);
            }
            info
        }
        // An empty file: no header, which only `enterprises` needs.
        None if kind == SheetKind::Enterprises => rows.start(kind, name, &[], (1, 0)),
        None => return Ok(()),
    };
    rows.read(&info, &mut records)
}

fn bad_utf8(sheet: &SheetInfo, row: u32, field: usize, errors: &mut Errors) {
    let column = sheet.column_at(field);
    let reason = "含有无效的 UTF-8 字节（文件以 UTF-8 BOM 开头）".to_string();
    errors.push(sheet, row, Some(field), &column, "", reason);
}

/// The records of a CSV text, with their spreadsheet row numbers.
struct Records<R> {
    reader: csv::Reader<Tail<R>>,
    /// Line breaks inside quoted cells so far, those of the last record read too: they do not
    /// start spreadsheet rows.
    inner_breaks: u64,
    /// A record's buffers to read the next record into.
    spare: Option<csv::ByteRecord>,
    utf8_certain: bool,
    /// The length of the text, if known.
    bytes: Option<u64>,
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

    /// The header row. A cell that is not UTF-8 is shown with replacement characters and
    /// reported if UTF-8 is certain, else it stops the pass.
    fn header(&mut self) -> Result<Option<Header>, Stop> {
        let mut record = csv::ByteRecord::new();
        let Some(row) = self.read(&mut record)? else {
            return Ok(None);
        };
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
        Ok(Some(Header { row, cells, bad }))
    }

    /// Reads the next record into `record`. A record that is not UTF-8 is `Bad` if UTF-8 is
    /// certain, else stops the pass.
    fn next(&mut self, record: &mut csv::StringRecord) -> Result<Next, Stop> {
        // Bytes first, UTF-8 checked after: a bad record's line breaks count too. The buffers
        // go round between `spare` and the batch's records, so nothing is allocated.
        let mut bytes = self.spare.take().unwrap_or_default();
        let Some(row) = self.read(&mut bytes)? else {
            self.spare = Some(bytes);
            return Ok(Next::End);
        };
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

    /// Reads the next record into `record`, returning its spreadsheet row (`None` at the end).
    ///
    /// The row is found from where the record *ends*. The csv crate's `Position::line()` of a
    /// record is taken before the reader skips what lies ahead of it: empty lines, and with
    /// CRLF endings the `\n` that ends the previous record, so it is too low after those. After
    /// the record, the reader's line counts every `\n` it took: the record's last line, plus
    /// one if the record ended with `\n` (LF; with CRLF the reader stops at the `\r`). Above
    /// that last line are the record's own line breaks inside quoted cells, and the earlier
    /// records' ones are lines that are no rows.
    fn read(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u32>, Stop> {
        if !self.reader.read_byte_record(record).map_err(|e| Stop::Io(e.into()))? {
            return Ok(None);
        }
        let text = record.as_slice();
        if text.contains(&b'\n') {
            self.inner_breaks += text.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let end = self.reader.position();
        let last = end.byte().checked_sub(1).and_then(|at| self.reader.get_ref().byte(at));
        debug_assert!(last.is_some(), "the last byte of a record is in the last chunk read");
        let last_line = end.line() - u64::from(last == Some(b'\n'));
        Ok(Some(u32::try_from(last_line.saturating_sub(self.inner_breaks)).unwrap_or(u32::MAX)))
    }
}

/// The input of the CSV reader, keeping the last chunk it read to tell whether a record ended
/// with `\n`.
struct Tail<R> {
    inner: R,
    /// Bytes read so far.
    read: u64,
    /// The last chunk read (not empty, unless nothing was read). It holds the last byte the
    /// CSV reader took: that reader reads through an `io::BufReader`, which reads again only once
    /// every byte it holds is taken.
    last: Vec<u8>,
}

impl<R> Tail<R> {
    /// The byte at `offset`, if the last chunk holds it.
    fn byte(&self, offset: u64) -> Option<u8> {
        let start = self.read - self.last.len() as u64;
        let i = usize::try_from(offset.checked_sub(start)?).ok()?;
        self.last.get(i).copied()
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last.clear();
            self.last.extend_from_slice(&buf[..n]);
            self.read += n as u64;
        }
        Ok(n)
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

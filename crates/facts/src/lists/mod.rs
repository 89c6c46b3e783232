//! Lists a round reads beside the facts (issue 10): the list of seriously untrustworthy entities
//! (失信名单, [`credit`]) and the bank's receipt of a payment batch (银行回单/代发结果,
//! [`receipt`]).
//!
//! Both are one table, in an `.xlsx`/`.xls`/`.xlsb`/`.ods` workbook or a CSV file, as an office
//! saves it: the format decided from the content (the facts reader's `sniff`), UTF-8, GBK/GB18030
//! or UTF-16 text, title rows above the header, merged cells, Excel date serials, full-width
//! digits, Chinese dates, 万元 refused — all by the facts reader's own parts (`read::sniff`,
//! `read::values`, `read::xlsx::cell_text`, `read::xlsx_bounded`, [`crate::Limits`]); only the
//! mapping of a header onto the list's columns (each with a few synonyms; columns the list does
//! not use, such as a bank's 摘要 or 币种, are ignored) is this module's own (`table.rs`, `cells.rs`).
//!
//! Errors are the facts reader's [`ReadError`]: a file that is not a table is one sentence; bad
//! cells are [`crate::DataError`]s (`sheet:row:column: value: reason`), every one at once, and no
//! list is returned then.

mod cells;
pub mod credit;
pub mod receipt;
mod source;
mod table;
mod template;

pub use crate::error::ReadError;

/// The errors of reading a list: the facts reader's own type, so that a page or a command shows
/// them as it shows an import's (`ReadError::Data` holds every bad cell, located).
pub type ListErrors = ReadError;

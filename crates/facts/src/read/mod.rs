//! Reading a dataset (FACTS.md): a folder of CSV files or one workbook, every cell validated,
//! every error reported with its place; a dataset with any error is refused whole.

pub(crate) mod csv;
mod keys;
pub(crate) mod limits;
mod locations;
mod quotes;
mod row;
pub(crate) mod schema;
mod sheets;
mod sheets_refs;
pub(crate) mod sniff;
pub(crate) mod text;
pub(crate) mod values;
pub(crate) mod xlsx;
pub(crate) mod xlsx_bounded;
mod xlsx_extras;

pub use crate::error::{DataError, DataErrors, ReadError};
pub use limits::{BadLimit, Limits};
pub use locations::Locations;

/// Sheets of the import template (`lianzhang template`) that carry no data: the column guide and
/// the hidden code lists behind the drop-downs. The xlsx reader skips them by name, so a filled
/// template imports as it is; any other unknown sheet is still an error.
pub const TEMPLATE_SHEETS: [&str; 2] = ["填写说明", "代码表"];

/// The sheet a CSV file's name (without `.csv`) stands for, by its Chinese name (企业, 年度数据,
/// 认定, 项目) whatever the file said (`annual` → `年度数据`); `None` for any other name.
pub fn csv_sheet_zh(stem: &str) -> Option<&'static str> {
    SheetKind::from_name(stem).map(SheetKind::zh)
}
use crate::model::Dataset;
use crate::stamp::ExportStamp;
use crate::vocab::Vocabulary;
use std::path::Path;

pub(crate) use schema::{ANNUAL, ENTERPRISES, Field, PROJECTS, RECOGNITIONS, SheetKind};

/// Reads and validates a dataset: `path` is a folder of `<sheet>.csv` files, or a workbook
/// (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`), its format decided from its content, not its
/// name. Other files (a web page or PDF named `.xls`, an empty file, a zip that holds no
/// workbook) are refused with a sentence saying what they are and how to re-save them.
///
/// Every invalid cell is reported (`ReadError::Data`, sorted by sheet, row and column); no
/// dataset is returned then.
pub fn read_dataset(path: &Path, vocab: &Vocabulary) -> Result<Dataset, ReadError> {
    read_dataset_with(path, vocab).map(|out| out.dataset)
}

/// A dataset read, with what came with it.
#[derive(Debug)]
pub struct ReadOutput {
    pub dataset: Dataset,
    /// The export stamp (sheet or file `导出信息`), if the file is an export of the registry.
    pub stamp: Option<ExportStamp>,
    /// Where each fact came from.
    pub locations: Locations,
}

/// Reads and validates a dataset as [`read_dataset`] does, returning also its export stamp and
/// where each fact came from.
///
/// # Errors
/// As [`read_dataset`]; an export stamp edited so that its revision cannot be read is a data
/// error too.
pub fn read_dataset_with(path: &Path, vocab: &Vocabulary) -> Result<ReadOutput, ReadError> {
    read_dataset_limited(path, vocab, &Limits::default())
}

/// Reads and validates a dataset as [`read_dataset_with`] does, within `limits`: a file over
/// a limit is refused (`ReadError::TooLarge`) as soon as that is seen, before it is read whole.
///
/// # Errors
/// As [`read_dataset`]; a file that is present but cannot be read (a dangling symbolic link, a
/// link loop, a folder or a device under a sheet's name, no permission) is `ReadError::Io` or
/// `ReadError::NotADataset` naming it, never taken as absent.
pub fn read_dataset_limited(path: &Path, vocab: &Vocabulary, limits: &Limits) -> Result<ReadOutput, ReadError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        // A dangling link says so, not "no such file".
        Err(cause) => {
            return Err(match limits::present(path) {
                Some(Err(why)) => ReadError::NotADataset(why),
                _ => ReadError::Io { path: path.to_path_buf(), cause },
            });
        }
    };
    let mut rows = sheets::Rows::new(vocab);
    if meta.is_dir() {
        csv::read_dir(path, &mut rows, limits)?;
    } else {
        if !meta.is_file() {
            return Err(ReadError::NotADataset("不是普通文件（是设备、管道或套接字），无法作为数据读取".into()));
        }
        if meta.len() > limits.max_file_bytes {
            return Err(ReadError::TooLarge(limits::file_too_large(path, meta.len(), limits)));
        }
        let io = |source| ReadError::Io { path: path.to_path_buf(), cause: source };
        let format = sniff::sniff(&sniff::head(path).map_err(io)?);
        let book = match format {
            sniff::Format::Zip => match sniff::archive(path) {
                sniff::Archive::Xlsx => Some(xlsx::Book::Xlsx),
                sniff::Archive::Xlsb => Some(xlsx::Book::Xlsb),
                sniff::Archive::Ods => Some(xlsx::Book::Ods),
                _ => None,
            },
            sniff::Format::Compound => Some(xlsx::Book::Xls),
            _ => None,
        };
        match book {
            Some(book) => xlsx::read_workbook(path, book, &mut rows, limits)?,
            None => return Err(ReadError::NotADataset(sniff::refusal(format, path))),
        }
    }
    rows.into_output()
}

impl sheets::Rows<'_> {
    /// The dataset and its locations, or every error in sheet, row, column order.
    fn into_output(self) -> Result<ReadOutput, ReadError> {
        let mut errors = self.errors.0;
        if !self.swallowed.is_empty() {
            // The enterprises lost to a quote are reported once there, not at every reference.
            let lost = |e: &DataError| {
                e.reason == sheets::UNKNOWN_ENTERPRISE && self.swallowed.iter().any(|t| t.contains(&e.value))
            };
            errors.retain(|e| !lost(&e.error));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.key);
            return Err(ReadError::Data(DataErrors(errors.into_iter().map(|e| e.error).collect())));
        }
        // Without errors every enterprise row was valid.
        let slots = self.enterprises.by_slot.len();
        let enterprises: Vec<_> = self.enterprises.by_slot.into_iter().flatten().collect();
        if enterprises.len() != slots {
            return Err(ReadError::NotADataset("内部错误：企业行未全部读入".into()));
        }
        let parts = locations::Parts {
            slot_of: self.slots.map,
            enterprise_rows: self.enterprises.rows,
            annual_slots: self.annual.slots.clone(),
            annual_years: self.annual.rows.iter().map(|r| r.year).collect(),
            annual_rows: self.annual.lines,
            projects: self.projects.ids,
        };
        let locations = Locations::new(&self.sheets, parts);
        let dataset = Dataset::from_positions(
            self.vocab.clone(),
            enterprises,
            self.annual.slots,
            self.annual.rows,
            self.recognitions,
            self.projects.rows,
            [self.enterprises.extras, self.annual.extras, self.projects.extras].concat(),
        )
        .map_err(|e| ReadError::NotADataset(format!("内部错误：{e}")))?;
        Ok(ReadOutput { dataset, stamp: self.stamp, locations })
    }
}

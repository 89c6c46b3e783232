//! Reading a dataset (FACTS.md): a folder of CSV files or one workbook, every cell validated,
//! every error reported with its place; a dataset with any error is refused whole.

mod csv;
mod row;
pub(crate) mod schema;
mod sheets;
mod values;
mod xlsx;

pub use crate::error::{DataError, DataErrors, ReadError};

/// Sheets of the import template (`lianzhang template`) that carry no data: the column guide and
/// the hidden code lists behind the drop-downs. The xlsx reader skips them by name, so a filled
/// template imports as it is; any other unknown sheet is still an error.
pub const TEMPLATE_SHEETS: [&str; 2] = ["填写说明", "代码表"];
use crate::model::Dataset;
use crate::vocab::Vocabulary;
use std::path::Path;

pub(crate) use schema::{ANNUAL, ENTERPRISES, Field, PROJECTS, RECOGNITIONS, SheetKind};

/// Reads and validates a dataset: `path` is a folder of `<sheet>.csv` files, or a workbook
/// (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`).
///
/// Every invalid cell is reported (`ReadError::Data`, sorted by sheet, row and column); no
/// dataset is returned then.
pub fn read_dataset(path: &Path, vocab: &Vocabulary) -> Result<Dataset, ReadError> {
    let meta = std::fs::metadata(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    let mut rows = sheets::Rows::new(vocab);
    if meta.is_dir() {
        csv::read_dir(path, &mut rows)?;
    } else if is_workbook(path) {
        xlsx::read_workbook(path, &mut rows)?;
    } else {
        return Err(ReadError::NotADataset(format!(
            "{}：数据集应为一个 CSV 文件夹（含 enterprises.csv 等）或一个 .xlsx 工作簿",
            path.display()
        )));
    }
    rows.into_dataset()
}

fn is_workbook(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ["xlsx", "xlsm", "xls", "xlsb", "ods"].iter().any(|w| w.eq_ignore_ascii_case(ext))
}

impl sheets::Rows<'_> {
    /// The dataset, or every error in sheet, row, column order.
    fn into_dataset(self) -> Result<Dataset, ReadError> {
        let mut errors = self.errors.0;
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
        Dataset::from_positions(
            self.vocab.clone(),
            enterprises,
            self.annual.slots,
            self.annual.rows,
            self.recognitions,
            self.projects.rows,
        )
        .map_err(|e| ReadError::NotADataset(format!("内部错误：{e}")))
    }
}

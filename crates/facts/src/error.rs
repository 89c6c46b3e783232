//! The errors of reading and writing the exchange format.

use std::fmt;
use std::path::PathBuf;

/// Why a dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path (or a file in the folder) could not be read at all. The system's error is kept
    /// for logs but is not a `source`: a chain of causes printed never shows its English.
    #[error("无法读取 {}：{}", path.display(), io_zh(cause))]
    Io { path: PathBuf, cause: std::io::Error },
    /// The path is not a dataset: no `enterprises` sheet, not a workbook, not decodable text.
    #[error("{0}")]
    NotADataset(String),
    /// A file goes over a limit of [`crate::read::Limits`] (its size, what it inflates to, one
    /// record): one Chinese sentence naming the file, the place where known, and the limit.
    #[error("{0}")]
    TooLarge(String),
    /// The dataset was read, but some cells are invalid: every one of them, in sheet then row
    /// order.
    #[error("数据有 {n} 处错误：\n{0}", n = .0.len())]
    Data(DataErrors),
}

impl ReadError {
    /// The same error with the path read (`path`, and files under it) named as the person knows
    /// it (`name`): a web upload is read from a temporary file whose path means nothing to the
    /// clerk and must not be shown (issue 9 item 10).
    #[must_use]
    pub fn shown_as(self, path: &std::path::Path, name: &str) -> ReadError {
        let from = path.display().to_string();
        match self {
            ReadError::Io { path: p, cause } => {
                let p = match p.strip_prefix(path) {
                    Ok(rest) if rest.as_os_str().is_empty() => PathBuf::from(name),
                    Ok(rest) => PathBuf::from(name).join(rest),
                    Err(_) => p,
                };
                ReadError::Io { path: p, cause }
            }
            ReadError::NotADataset(m) => ReadError::NotADataset(m.replace(&from, name)),
            ReadError::TooLarge(m) => ReadError::TooLarge(m.replace(&from, name)),
            data @ ReadError::Data(_) => data,
        }
    }
}

/// Why a file could not be opened or read, as a clerk can act on it (never the system's English).
pub fn io_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "文件或文件夹不存在，请检查路径".into(),
        PermissionDenied => "没有读取权限，请联系系统管理员".into(),
        IsADirectory => "这是一个文件夹，应为文件".into(),
        NotADirectory => "路径中的某一级不是文件夹".into(),
        InvalidData => "内容无法读取（文件可能已损坏）".into(),
        UnexpectedEof => "文件不完整（可能未传完或已损坏）".into(),
        _ => match e.raw_os_error() {
            // ELOOP: a symbolic link that points to itself, directly or not.
            Some(40) => "符号链接循环指向自身，无法读取".into(),
            _ => "读取时出错（可能是磁盘或网络存储故障），请稍后重试或联系系统管理员".into(),
        },
    }
}

/// One invalid cell (or header, or row).
///
/// `row` is the spreadsheet row number (the header is row 1, the first data row row 2);
/// `sheet` the sheet name as written in the workbook or the CSV file's stem; `column` the header
/// text as written in the file. Displayed as `sheet:row:column: value: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sheet}:{row}:{column}: {value}: {reason}")]
pub struct DataError {
    pub sheet: String,
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// Every error of a dataset, in sheet order (enterprises, annual, recognitions, projects), then
/// row, then column. Displayed one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataErrors(pub Vec<DataError>);

impl DataErrors {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, DataError> {
        self.0.iter()
    }
}

impl fmt::Display for DataErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DataErrors {}

impl<'a> IntoIterator for &'a DataErrors {
    type Item = &'a DataError;
    type IntoIter = std::slice::Iter<'a, DataError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Why a file could not be written, as a clerk can act on it (never the system's English).
pub fn io_write_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "文件夹不存在，请检查路径".into(),
        PermissionDenied => "没有写入权限，请换一个位置或联系系统管理员".into(),
        IsADirectory => "已有同名的文件夹".into(),
        NotADirectory => "路径中的某一级不是文件夹".into(),
        StorageFull => "磁盘已满".into(),
        _ => "写入时出错（可能是磁盘或网络存储故障），请稍后重试或联系系统管理员".into(),
    }
}

/// Why an Excel writer failed, in Chinese.
fn xlsx_zh(e: &rust_xlsxwriter::XlsxError) -> String {
    match e {
        rust_xlsxwriter::XlsxError::IoError(io) => io_write_zh(io),
        _ => "内部错误，请联系系统管理员".into(),
    }
}

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    // No `#[from]`/`#[source]`: a chain of causes printed must not show the library's English.
    #[error("{}", io_write_zh(.0))]
    Io(std::io::Error),
    #[error("Excel 工作簿写入失败：{}", xlsx_zh(.0))]
    Xlsx(rust_xlsxwriter::XlsxError),
    /// A sheet has more rows than a worksheet holds (1,048,576 including the header).
    #[error("{sheet} 表有 {rows} 行，超过 Excel 工作表的上限 1048575 行；请改用 CSV")]
    TooManyRows { sheet: &'static str, rows: usize },
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

impl From<rust_xlsxwriter::XlsxError> for WriteError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        WriteError::Xlsx(e)
    }
}

impl From<csv::Error> for WriteError {
    fn from(e: csv::Error) -> Self {
        if !e.is_io_error() {
            return WriteError::Io(e.into());
        }
        match e.into_kind() {
            csv::ErrorKind::Io(io) => WriteError::Io(io),
            _ => WriteError::Io(std::io::Error::other("CSV")),
        }
    }
}

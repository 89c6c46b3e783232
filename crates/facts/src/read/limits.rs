//! What reading one dataset may cost: the size of a file as it lies on disk, what a workbook
//! holds once inflated, one CSV record, one worksheet's grid (issue 9 item 4); one cell holds
//! at most [`crate::typed::CELL_MAX_CHARS`] characters, Excel's own limit. A file that goes over a limit
//! is refused as soon as the limit is seen — from its size on disk, from the sizes its zip
//! directory declares, or while inflating or reading, counting the bytes actually produced —
//! never after loading it whole.

use std::path::Path;

const MIB: u64 = 1 << 20;

/// The bounds of one read. [`Limits::default`] holds the defaults; [`Limits::from_env`] lets an
/// operator change them (see each field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file, in bytes, as it lies on disk: a workbook, or each CSV file of a folder.
    /// Default 200 MiB; `LIANZHANG_MAX_FILE_MB`.
    pub max_file_bytes: u64,
    /// The most bytes a workbook (.xlsx, .xlsm, .xlsb, .ods) may inflate to, all its zip entries
    /// together; each entry is checked against it before inflating (its declared size) and while
    /// inflating (the bytes actually produced). Default 1 GiB; `LIANZHANG_MAX_UNZIPPED_MB`.
    pub max_unzipped_bytes: u64,
    /// The longest CSV record (one row, with its quoted line breaks), in bytes. Default 1 MiB;
    /// `LIANZHANG_MAX_RECORD_KB`.
    pub max_record_bytes: u64,
    /// The largest used range of one worksheet, in cells (rows × columns from its first to its
    /// last non-empty cell): a reader holds the range as a grid. Default 16,777,216 (every row
    /// of a worksheet, 16 columns wide); `LIANZHANG_MAX_SHEET_CELLS`.
    pub max_sheet_cells: u64,
}

impl Limits {
    /// The default of [`Limits::max_file_bytes`]: 200 MiB (also the web upload's default).
    pub const DEFAULT_MAX_FILE_BYTES: u64 = 200 * MIB;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: Limits::DEFAULT_MAX_FILE_BYTES,
            max_unzipped_bytes: 1024 * MIB,
            max_record_bytes: MIB,
            max_sheet_cells: 1 << 24,
        }
    }
}

/// An environment variable that names a limit but does not hold a positive whole number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("环境变量 {name} 的值“{value}”不是正整数：请写一个大于 0 的整数（单位 {unit}），或删去这个变量以使用默认值")]
pub struct BadLimit {
    pub name: &'static str,
    pub value: String,
    pub unit: &'static str,
}

impl Limits {
    /// The defaults, changed by the environment variables `LIANZHANG_MAX_FILE_MB`,
    /// `LIANZHANG_MAX_UNZIPPED_MB` (both in MiB), `LIANZHANG_MAX_RECORD_KB` (in KiB) and
    /// `LIANZHANG_MAX_SHEET_CELLS`, when set.
    ///
    /// # Errors
    /// A variable that is set but is not a positive integer.
    pub fn from_env() -> Result<Limits, BadLimit> {
        Limits::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`Limits::from_env`], with the variables looked up by `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Limits, BadLimit> {
        let mut limits = Limits::default();
        let read = |name: &'static str, unit: &'static str, scale: u64| -> Result<Option<u64>, BadLimit> {
            let Some(value) = var(name) else { return Ok(None) };
            match value.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(Some(n.saturating_mul(scale))),
                _ => Err(BadLimit { name, value: crate::typed::shown(&value), unit }),
            }
        };
        if let Some(n) = read("LIANZHANG_MAX_FILE_MB", "MB", MIB)? {
            limits.max_file_bytes = n;
        }
        if let Some(n) = read("LIANZHANG_MAX_UNZIPPED_MB", "MB", MIB)? {
            limits.max_unzipped_bytes = n;
        }
        if let Some(n) = read("LIANZHANG_MAX_RECORD_KB", "KB", 1 << 10)? {
            limits.max_record_bytes = n;
        }
        if let Some(n) = read("LIANZHANG_MAX_SHEET_CELLS", "个单元格", 1)? {
            limits.max_sheet_cells = n;
        }
        Ok(limits)
    }
}

/// A size for a message: `200 MB`, `1 MB`, `512 KB`, `100 字节`.
pub(crate) fn size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} 字节")
    }
}

/// The sentence for a file larger than [`Limits::max_file_bytes`].
pub(crate) fn file_too_large(path: &Path, bytes: u64, limits: &Limits) -> String {
    format!(
        "{} 有 {}，超过单个文件的上限 {}：请只导入本县的企业数据，或分成几个文件导入（上限由环境变量 LIANZHANG_MAX_FILE_MB 设定）",
        path.display(),
        size(bytes),
        size(limits.max_file_bytes)
    )
}

/// Whether something lies at `path`: `None` if nothing at all (not even a broken link);
/// `Some(Ok(metadata))` for a regular file, readable as far as its metadata tells; else
/// `Some(Err(why))`, why it cannot be read as a data file, in Chinese.
pub(crate) fn present(path: &Path) -> Option<Result<std::fs::Metadata, String>> {
    let link = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(crate::error::io_zh(&e))),
    };
    let symlink = link.file_type().is_symlink();
    Some(match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(m),
        Ok(m) if m.is_dir() => Err("这是一个文件夹，应为文件".into()),
        Ok(_) => Err("不是普通文件（是设备、管道或套接字），无法作为数据读取".into()),
        Err(e) if symlink && e.kind() == std::io::ErrorKind::NotFound => {
            Err("是一个符号链接（快捷方式），但它指向的文件不存在：请放入文件本身，或删去这个链接".into())
        }
        Err(e) => Err(crate::error::io_zh(&e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_from_the_environment() {
        assert_eq!(Limits::from_vars(|_| None), Ok(Limits::default()));
        let l = Limits::from_vars(|n| (n == "LIANZHANG_MAX_FILE_MB").then(|| " 5 ".to_string())).unwrap();
        assert_eq!(l.max_file_bytes, 5 * MIB);
        let l = Limits::from_vars(|n| (n == "LIANZHANG_MAX_RECORD_KB").then(|| "64".to_string())).unwrap();
        assert_eq!(l.max_record_bytes, 64 * 1024);
        let e = Limits::from_vars(|n| (n == "LIANZHANG_MAX_UNZIPPED_MB").then(|| "0".to_string())).unwrap_err();
        assert!(e.to_string().contains("LIANZHANG_MAX_UNZIPPED_MB"), "{e}");
        assert!(Limits::from_vars(|_| Some("十".into())).is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(size(200 * MIB), "200 MB");
        assert_eq!(size(MIB + MIB / 2), "1.5 MB");
        assert_eq!(size(1500), "2 KB");
        assert_eq!(size(12), "12 字节");
    }
}

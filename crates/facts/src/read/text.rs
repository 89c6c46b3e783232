//! The text of a CSV file: the sentences for files that are not readable text (or not read), the
//! delimiter, and the export stamp file `导出信息.csv`.

use super::csv::BOM;
use super::limits::Limits;
use super::sheets::Rows;
use super::sniff;
use crate::error::ReadError;
use crate::stamp::{ExportStamp, STAMP_SHEET};
use crate::typed::csv_formula_unescape;
use std::path::Path;

/// Reads `导出信息.csv`, the export stamp, if the folder has one.
/// A stamp file that is present but cannot be read is an error, never an absent stamp.
pub(crate) fn read_stamp(dir: &Path, rows: &mut Rows<'_>, limits: &Limits) -> Result<(), ReadError> {
    let path = dir.join(format!("{STAMP_SHEET}.csv"));
    match super::limits::present(&path) {
        None => return Ok(()),
        Some(Err(why)) => return Err(ReadError::NotADataset(format!("{}：{why}", path.display()))),
        Some(Ok(_)) => {}
    }
    let bytes = super::csv::read_bounded(&path, limits)?;
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
            let row = i as u32 + 1;
            let cell = |i: usize| csv_formula_unescape(record.get(i).unwrap_or("")).to_string();
            lines.push((row, cell(0), cell(1)));
        }
    }
    match ExportStamp::from_rows(lines.iter().map(|(r, a, b)| (*r, a.as_str(), b.as_str()))) {
        Ok(stamp) => rows.stamp = Some(stamp),
        Err((row, value, reason)) => rows.errors.stamp(row, &value, reason),
    }
    Ok(())
}

/// The extensions of files that hold data (text or a workbook): in a dataset folder, such a file
/// is read or refused, never skipped.
const DATA_EXTENSIONS: [&str; 8] = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "et", "ods"];

/// Why a file of the folder that looks like data is not read, if it does: a data extension but
/// not a sheet file's name (`年度数据(1).csv`, `annual.txt`, `企业.xlsx`). Hidden files and an
/// office application's lock files (`.…`, `~$…`) and other extensions (.md, .docx, .pdf) are
/// left alone, as is the export stamp `导出信息.csv`.
pub(crate) fn unread_data_file(path: &Path, stem: &str, ext: Option<&str>) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    if file.starts_with('.') || file.starts_with("~$") || !ext.is_some_and(|e| DATA_EXTENSIONS.contains(&e)) {
        return None;
    }
    let is_csv = ext == Some("csv");
    if is_csv && stem.trim() == crate::stamp::STAMP_SHEET {
        return None;
    }
    const NAMES: &str = "企业.csv、年度数据.csv、认定.csv、项目.csv";
    let shown = crate::typed::shown(file);
    Some(if !is_csv && (super::SheetKind::from_name(stem).is_some() || stem.trim() == crate::stamp::STAMP_SHEET) {
        format!(
            "文件夹中的“{shown}”不是 CSV 文件，未读取：文件夹中只读取 {NAMES} 这几个 CSV 文件（英文名 enterprises.csv 等亦可）：请用 Excel 或 WPS 打开它，“另存为”“CSV UTF-8（逗号分隔）”并按表命名，或移出文件夹"
        )
    } else {
        format!(
            "文件夹中的“{shown}”不是可识别的表名，未读取：请改名为 {NAMES} 之一（英文名 enterprises.csv 等亦可），或移出文件夹"
        )
    })
}

/// The sentence for a text file in no encoding we know.
pub(crate) fn unreadable(path: &Path) -> String {
    format!(
        "{}：文字编码无法识别（不是 UTF-8、GBK/GB18030 或 UTF-16）：请用 Excel 或 WPS 打开，另存为“CSV UTF-8（逗号分隔）”后再导入",
        path.display()
    )
}

/// The sentence for a `.csv` file that is not text.
pub(crate) fn not_text(path: &Path, format: sniff::Format) -> String {
    let what = match format {
        sniff::Format::Zip | sniff::Format::Compound => {
            "实际是 Excel 工作簿（只是扩展名为 .csv）：请直接导入这个工作簿（改回 .xlsx 或 .xls 扩展名），或在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”"
        }
        sniff::Format::Html => {
            "实际是网页（HTML）格式的表格：请用 Excel 或 WPS 打开，“另存为”“CSV UTF-8（逗号分隔）”或 Excel 工作簿（*.xlsx）"
        }
        sniff::Format::SpreadsheetXml => {
            "实际是“XML 表格 2003”格式：请用 Excel 或 WPS 打开，“另存为”“CSV UTF-8（逗号分隔）”或 Excel 工作簿（*.xlsx）"
        }
        sniff::Format::Pdf => "是 PDF 文件，不是表格，无法读出数据：请提供 CSV 或 Excel 表格",
        _ => "不是文本文件，无法作为 CSV 读取：请用 Excel 或 WPS 打开原表格，“另存为”“CSV UTF-8（逗号分隔）”",
    };
    format!("{}：{what}", path.display())
}

/// The delimiter of a CSV text, from its first lines: the most frequent of comma, tab and
/// semicolon outside quotes (Excel's "Unicode 文本" is tab-separated; some European-locale
/// "CSV" uses semicolons). Comma when there is none.
pub(crate) fn delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut lines = 0;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                lines += 1;
                if lines == 10 {
                    break;
                }
            }
            b',' if !quoted => counts[0] += 1,
            b'\t' if !quoted => counts[1] += 1,
            b';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    if counts[best] == 0 { b',' } else { [b',', b'\t', b';'][best] }
}

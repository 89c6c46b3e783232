//! What a file is, decided from its first bytes, never from its name: an `.xlsx` named `.xls`
//! is read as the `.xlsx` it is; a web page, a PDF or a Word document named `.xls` is refused
//! with a sentence that says what it is and how to re-save it (issue 8 item 1).

use std::io::Read;
use std::path::Path;

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// A zip archive: an `.xlsx`/`.xlsm`/`.xlsb`/`.ods` workbook, or another archive.
    Zip,
    /// An OLE compound file: an Excel 97-2003 `.xls`, a WPS `.et`, a password-protected
    /// `.xlsx`, or a Word document.
    Compound,
    Pdf,
    /// A web page (an HTML table saved as `.xls`, as some government systems export).
    Html,
    /// Excel 2003 XML (SpreadsheetML), another "save as" some systems produce.
    SpreadsheetXml,
    /// Text (a CSV file, whatever its name says).
    Text,
    Empty,
    /// Anything else.
    Unknown,
}

const ZIP: &[u8] = b"PK\x03\x04";
const COMPOUND: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The format of some leading bytes of a file.
pub(crate) fn sniff(head: &[u8]) -> Format {
    if head.is_empty() {
        return Format::Empty;
    }
    if head.starts_with(ZIP) || head.starts_with(b"PK\x05\x06") {
        return Format::Zip;
    }
    if head.starts_with(COMPOUND) {
        return Format::Compound;
    }
    if head.starts_with(b"%PDF") {
        return Format::Pdf;
    }
    let text = decode_head(head);
    let lower = text.trim_start().to_lowercase();
    if lower.starts_with("<?xml") && lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        return Format::SpreadsheetXml;
    }
    let markup = ["<!doctype html", "<html", "<table", "<meta", "<head", "<body", "<?xml", "<!--"];
    if markup.iter().any(|m| lower.starts_with(m)) || (lower.starts_with('<') && lower.contains("<table")) {
        return Format::Html;
    }
    if looks_like_text(head) { Format::Text } else { Format::Unknown }
}

/// The leading bytes as text, whatever their encoding (UTF-16 by BOM, else lossy UTF-8).
fn decode_head(head: &[u8]) -> String {
    match head {
        [0xFF, 0xFE, rest @ ..] => encoding_rs::UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
        [0xFE, 0xFF, rest @ ..] => encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(head).into_owned(),
    }
}

/// Text in any encoding a Chinese "save as" produces: hardly any control bytes but tab and line
/// ends (UTF-16 has NULs, recognised by its BOM or by every other byte being NUL). A few stray
/// ones (a NUL or an escape pasted into a name) leave it text: the cell holding them is then
/// refused with its place, not the whole file as "not text".
fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || utf16_without_bom(head).is_some() {
        return true;
    }
    let stray = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)).count();
    stray * 64 <= head.len()
}

/// UTF-16 without a BOM: ASCII text with a NUL after (LE) or before (BE) every character.
pub(crate) fn utf16_without_bom(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros = |offset: usize| (0..pairs).filter(|i| head[2 * i + offset] == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 10 >= pairs * 6 && even == 0 {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 6 && odd == 0 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// The first bytes of a file (up to 8 KiB).
pub(crate) fn head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(8192);
    std::fs::File::open(path)?.take(8192).read_to_end(&mut head)?;
    Ok(head)
}

/// What a zip archive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Archive {
    Xlsx,
    Xlsb,
    Ods,
    /// A Word or PowerPoint document (they are zips too).
    Office(&'static str),
    Other,
}

/// Looks into a zip archive for the parts that make it a workbook.
pub(crate) fn archive(path: &Path) -> Archive {
    let Ok(file) = std::fs::File::open(path) else { return Archive::Other };
    let Ok(zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else { return Archive::Other };
    let has = |name: &str| zip.file_names().any(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)));
    if has("xl/workbook.xml") {
        Archive::Xlsx
    } else if has("xl/workbook.bin") {
        Archive::Xlsb
    } else if has("content.xml") && has("mimetype") {
        Archive::Ods
    } else if has("word/document.xml") {
        Archive::Office("Word 文档")
    } else if has("ppt/presentation.xml") {
        Archive::Office("PowerPoint 演示文稿")
    } else {
        Archive::Other
    }
}

/// What an OLE compound file that Excel's reader could not open is, from the names of its
/// streams (stored in UTF-16).
pub(crate) fn compound_kind(path: &Path) -> &'static str {
    let Ok(bytes) = std::fs::read(path) else { return "" };
    let utf16 = |name: &str| -> Vec<u8> { name.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let holds = |name: &str| {
        let needle = utf16(name);
        bytes.windows(needle.len()).any(|w| w == needle.as_slice())
    };
    if holds("EncryptedPackage") || holds("EncryptionInfo") {
        "encrypted"
    } else if holds("WordDocument") {
        "word"
    } else {
        ""
    }
}

/// The sentence that refuses the file read (`path`) which is not a readable workbook: what it
/// is, how to re-save it. It does not name the file: whoever reads a single file names it once
/// (the command line, the upload page).
pub(crate) fn refusal(format: Format, path: &Path) -> String {
    const RESAVE: &str = "请用 Excel 或 WPS 打开它，“另存为”“Excel 工作簿（*.xlsx）”后再导入";
    match format {
        Format::Empty => "是空文件（0 字节），没有数据：请检查是否选错了文件".to_string(),
        Format::Pdf => "是 PDF 文件，不是表格，无法读出数据：请找到原始的 Excel 表格，或把数据录入导入模板（lianzhang template）后导入".to_string(),
        Format::Html => {
            format!("实际是网页（HTML）格式的表格，只是文件名像 Excel 文件（一些系统的“导出Excel”会这样做）：{RESAVE}")
        }
        Format::SpreadsheetXml => format!("实际是“XML 表格 2003”格式，不是 Excel 工作簿：{RESAVE}"),
        Format::Text => format!(
            "实际是文本（CSV）文件，不是 Excel 工作簿：{RESAVE}；或把各表的 CSV 文件（企业.csv、年度数据.csv 等）放在同一个文件夹中，导入该文件夹"
        ),
        Format::Zip => match archive(path) {
            Archive::Office(kind) => format!("是{kind}，不是表格：请提供 Excel 工作簿（.xlsx）"),
            _ => format!(
                "是一个压缩包（zip），不是 Excel 工作簿，或工作簿已损坏：若是压缩包，请先解压；若是工作簿，{RESAVE}"
            ),
        },
        Format::Compound => match compound_kind(path) {
            "encrypted" => {
                "设有打开密码，无法读取：请在 Excel 或 WPS 中取消密码（文件→信息→保护工作簿），保存后再导入".to_string()
            }
            "word" => "是 Word 文档，不是表格：请提供 Excel 工作簿（.xlsx）".to_string(),
            _ => format!(
                "是旧版 Excel（.xls）或 WPS 表格（.et）格式，但无法读取（可能已损坏或是 WPS 专有格式）：{RESAVE}"
            ),
        },
        Format::Unknown => format!("不是 Excel 工作簿，也不是 CSV 文本，无法识别其格式：{RESAVE}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_first_bytes() {
        assert_eq!(sniff(b""), Format::Empty);
        assert_eq!(sniff(b"PK\x03\x04\x14\x00"), Format::Zip);
        assert_eq!(sniff(COMPOUND), Format::Compound);
        assert_eq!(sniff(b"%PDF-1.7\n"), Format::Pdf);
        assert_eq!(sniff(b"\xEF\xBB\xBF<html><body><table>"), Format::Html);
        assert_eq!(sniff(b"  <TABLE border=1><tr>"), Format::Html);
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"),
            Format::SpreadsheetXml
        );
        assert_eq!(sniff("uscc,name\r\n9114,甲\r\n".as_bytes()), Format::Text);
        assert_eq!(sniff(b"\xFF\xFEu\x00s\x00"), Format::Text);
        assert_eq!(sniff(b"u\x00s\x00c\x00c\x00\t\x00"), Format::Text);
        assert_eq!(sniff(b"\x00\x01\x02\x03binary"), Format::Unknown);
        let stray = format!("uscc,name\n{}9114,甲\x00乙\n", "9114,企业\n".repeat(10));
        assert_eq!(sniff(stray.as_bytes()), Format::Text);
    }
}

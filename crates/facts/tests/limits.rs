//! Issue 9: a file present but unreadable is an error, never an absence; what one file, one
//! record, one workbook and one cell may cost is bounded; text no clerk types is refused with
//! its place; CSV exports never hold a cell a spreadsheet would run as a formula.
mod common;

use common::*;
use lianzhang_facts::{
    DatasetBuilder, Enterprise, HeaderLanguage, Limits, Project, ReadError, read_dataset_limited, write_csv_dir,
    write_xlsx,
};
use std::io::Write;
use std::path::Path;

const ENTERPRISES: &str = "uscc,name\n";

fn enterprises(n: u32) -> String {
    let mut s = ENTERPRISES.to_string();
    for i in 0..n {
        s.push_str(&format!("{},企业{i}\n", u(i)));
    }
    s
}

fn refusal(path: &Path, limits: &Limits) -> String {
    match read_dataset_limited(path, &vocabulary(), limits) {
        Ok(d) => panic!("expected a refusal, got {} enterprises", d.dataset.len()),
        Err(ReadError::Data(e)) => panic!("expected a refusal, got data errors: {e}"),
        Err(e) => e.to_string(),
    }
}

#[cfg(unix)]
#[test]
fn a_sheet_file_present_but_unreadable_is_an_error_naming_it() {
    use std::os::unix::fs::symlink;
    type Make = fn(&Path);
    let cases: [(&str, Make); 4] = [
        ("dangling", |p| symlink(p.with_file_name("gone.csv"), p).unwrap()),
        ("loop", |p| {
            // The other end of the loop under a name that is no data file (a `.csv` would be refused).
            symlink(p.with_file_name("b.lnk"), p).unwrap();
            symlink(p, p.with_file_name("b.lnk")).unwrap();
        }),
        ("folder", |p| std::fs::create_dir(p).unwrap()),
        ("device", |p| symlink("/dev/zero", p).unwrap()),
    ];
    for (what, make) in cases {
        for file in ["annual.csv", "年度数据.csv", "导出信息.csv"] {
            let dir = folder(&[("enterprises.csv", enterprises(2).as_bytes())]);
            make(&dir.path().join(file));
            let msg = refusal(dir.path(), &Limits::default());
            assert!(msg.contains(file), "{what} {file}: {msg}");
            let why = match what {
                "dangling" => "指向的文件不存在",
                "loop" => "循环",
                "folder" => "文件夹",
                _ => "不是普通文件",
            };
            assert!(msg.contains(why), "{what} {file}: {msg}");
        }
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = folder(&[("enterprises.csv", enterprises(200).as_bytes())]);
    let limits = Limits { max_file_bytes: 1024, ..Limits::default() };
    let msg = refusal(dir.path(), &limits);
    assert!(msg.contains("enterprises.csv") && msg.contains("超过单个文件的上限 1 KB"), "{msg}");
    assert!(msg.contains("LIANZHANG_MAX_FILE_MB"), "{msg}");
    // A workbook too.
    let path = dir.path().join("data.xlsx");
    let d = read_dataset_limited(dir.path(), &vocabulary(), &Limits::default()).unwrap().dataset;
    write_xlsx(&d, &path, HeaderLanguage::English, None).unwrap();
    let msg = refusal(&path, &Limits { max_file_bytes: 100, ..Limits::default() });
    assert!(msg.contains("data.xlsx") && msg.contains("超过单个文件的上限"), "{msg}");
}

#[test]
fn an_error_names_an_upload_as_the_clerk_knows_it_never_by_its_temporary_path() {
    let dir = folder(&[("enterprises.csv", enterprises(200).as_bytes())]);
    let limits = Limits { max_file_bytes: 1024, ..Limits::default() };
    let e = read_dataset_limited(dir.path(), &vocabulary(), &limits).unwrap_err();
    let msg = e.shown_as(dir.path(), "上传的文件夹").to_string();
    assert!(msg.starts_with("上传的文件夹/enterprises.csv 有 "), "{msg}");
    assert!(!msg.contains(&dir.path().display().to_string()), "{msg}");
    let e = read_dataset_limited(&dir.path().join("gone.xlsx"), &vocabulary(), &limits).unwrap_err();
    let msg = e.shown_as(&dir.path().join("gone.xlsx"), "企业名单.xlsx").to_string();
    assert_eq!(msg, "无法读取 企业名单.xlsx：文件或文件夹不存在，请检查路径");
}

#[test]
fn a_huge_one_line_csv_is_refused_at_the_record_limit_with_its_line() {
    let mut text = enterprises(3);
    text.push_str(&format!("{},", u(9)));
    text.push_str(&"甲".repeat(400_000)); // 1.2 MB on one line
    text.push('\n');
    let dir = folder(&[("enterprises.csv", text.as_bytes())]);
    let msg = refusal(dir.path(), &Limits::default());
    assert!(msg.contains("enterprises.csv：第 5 行起的一行超过 1 MB"), "{msg}");
    assert!(msg.contains("LIANZHANG_MAX_RECORD_KB"), "{msg}");
    // An unclosed quote that swallows the lines below is stopped at the limit too.
    let mut text = enterprises(2);
    text.push_str(&format!("{},\"未闭合\n", u(9)));
    for i in 0..2000 {
        text.push_str(&format!("{},企业{i}\n", u(100 + i)));
    }
    let dir = folder(&[("enterprises.csv", text.as_bytes())]);
    let msg = refusal(dir.path(), &Limits { max_record_bytes: 4096, ..Limits::default() });
    assert!(msg.contains("第 4 行起的一行超过 4 KB") && msg.contains("引号"), "{msg}");
    // The same file within a larger limit: the quote is reported as before.
    assert!(matches!(read_dataset_limited(dir.path(), &vocabulary(), &Limits::default()), Err(ReadError::Data(_))));
}

/// A zip that looks like a workbook and holds `bytes` zeros in one entry.
fn zip_bomb(path: &Path, bytes: usize) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", deflated).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
    zip.start_file("xl/workbook.xml", deflated).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", deflated.large_file(true)).unwrap();
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..bytes / zeros.len() {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn a_zip_bomb_is_refused_before_inflating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    zip_bomb(&path, 64 << 20);
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20, "a small file");
    let limits = Limits { max_unzipped_bytes: 8 << 20, ..Limits::default() };
    let msg = refusal(&path, &limits);
    // The file read is named once, by whoever read it (the command line, the upload page).
    assert!(msg.starts_with("解压后超过上限 8 MB") && !msg.contains("bomb.xlsx"), "{msg}");
    assert!(msg.contains("LIANZHANG_MAX_UNZIPPED_MB"), "{msg}");
}

/// Sets the uncompressed size an archive declares for `name` (local header and directory).
fn lie_about_size(bytes: &mut [u8], name: &[u8], size: u32) {
    for (sig, size_at, name_len_at, name_at) in [(b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)] {
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(4).position(|w| w == sig).map(|p| p + i) {
            let n = u16::from_le_bytes([bytes[at + name_len_at], bytes[at + name_len_at + 1]]) as usize;
            if bytes.get(at + name_at..at + name_at + n) == Some(name) {
                bytes[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
            }
            i = at + 4;
        }
    }
}

#[test]
fn a_zip_whose_header_lies_about_its_size_is_never_inflated_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liar.xlsx");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/workbook.xml", deflated).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", deflated).unwrap();
    zip.write_all(&vec![b'0'; 64 << 20]).unwrap();
    zip.finish().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    lie_about_size(&mut bytes, b"xl/worksheets/sheet1.xml", 1000);
    std::fs::write(&path, bytes).unwrap();
    // The declared sizes pass; what it inflates to is counted, and never read as a dataset.
    let msg = refusal(&path, &Limits { max_unzipped_bytes: 8 << 20, ..Limits::default() });
    // Refused at the limit, or (its sizes disagreeing) as a damaged workbook: never read whole.
    assert!(msg.starts_with("解压后超过上限 8 MB") || msg.starts_with("是一个压缩包（zip）"), "{msg}");
}

#[test]
fn a_sheet_whose_used_range_spans_the_grid_is_refused_before_it_becomes_a_grid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("enterprises").unwrap();
    sheet.write_string(0, 0, "uscc").unwrap();
    sheet.write_string(0, 1, "name").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save(&path).unwrap();
    let msg = refusal(&path, &Limits::default());
    assert!(msg.contains("工作表“enterprises”的使用范围有 1048576 行 × 16384 列"), "{msg}");
    assert!(msg.contains("LIANZHANG_MAX_SHEET_CELLS"), "{msg}");
}

#[test]
fn text_no_clerk_types_is_refused_with_its_place_all_at_once() {
    let long = "长".repeat(201);
    let rows = [
        format!("{},{long}", u(1)),
        format!("{},泽州\u{0}钢铁", u(2)),
        format!("{},泽州钢铁\u{202E}gpj.exe", u(3)),
        format!("{},泽州\u{200B}钢铁", u(4)),
        format!("{},泽州\u{1b}[31m钢铁", u(5)),
        format!("{},正常的企业", u(6)),
    ];
    let text = format!("uscc,name\n{}\n", rows.join("\n"));
    let dir = folder(&[("enterprises.csv", text.as_bytes())]);
    let lines = error_lines(dir.path());
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert!(
        lines[0].starts_with("企业:2:企业名称: ") && lines[0].ends_with("内容过长：201 个字，最多 200 个字，请删减"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("企业:3:") && lines[1].contains("空字符（U+0000）"), "{}", lines[1]);
    assert!(lines[2].starts_with("企业:4:") && lines[2].contains("文字方向控制符（U+202E）"), "{}", lines[2]);
    assert!(lines[3].starts_with("企业:5:") && lines[3].contains("不可见字符（U+200B）"), "{}", lines[3]);
    assert!(lines[4].starts_with("企业:6:") && lines[4].contains("控制字符（U+001B）"), "{}", lines[4]);
    // The value is shown escaped, never raw.
    assert!(lines.iter().all(|l| !l.chars().any(|c| c.is_control() || c == '\u{202E}')), "{lines:#?}");
}

#[test]
fn a_cell_over_the_spreadsheet_limit_is_refused_in_any_column() {
    let text = format!("uscc,name,town,industry_code\n{},甲,乙,{}\n", u(1), "9".repeat(40_000));
    let dir = folder(&[("enterprises.csv", text.as_bytes())]);
    let lines = error_lines(dir.path());
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains(":2:") && lines[0].contains("单元格有 40000 个字，超过一个单元格的上限 32767 个字"),
        "{}",
        lines[0]
    );
    assert!(lines[0].len() < 400, "the value is cut in the message: {}", lines[0].len());
}

fn formula_names() -> lianzhang_facts::Dataset {
    let v = vocabulary();
    let mut b = DatasetBuilder::new(v.clone());
    for (i, name) in ["=1+1", "+86 139", "-5", "@SUM(A1)", "'=x", "泽州钢铁"].into_iter().enumerate() {
        b.enterprise(Enterprise {
            uscc: uscc(i as u32),
            name: name.into(),
            chain: None,
            stage: None,
            town: Some(format!("={i}")),
            industry_code: None,
            strategic_emerging: None,
            established: None,
            chain_joined_year: None,
        });
    }
    b.project(
        uscc(0),
        Project {
            project_id: "-001".into(),
            name: "=HYPERLINK(\"http://x\")".into(),
            category: None,
            fixed_asset_investment: None,
            start_year: None,
            completed_year: None,
        },
    );
    b.build().unwrap()
}

#[test]
fn csv_exports_start_no_cell_with_a_formula_and_read_back_exactly() {
    let d = formula_names();
    for lang in [HeaderLanguage::English, HeaderLanguage::Chinese] {
        let dir = tempfile::tempdir().unwrap();
        write_csv_dir(&d, dir.path(), lang, None).unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
                }
            }
        }
        assert_eq!(read(dir.path()).unwrap_or_else(|e| panic!("{e}")), d);
    }
}

#[test]
fn xlsx_exports_write_text_never_formulas() {
    let d = formula_names();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    write_xlsx(&d, &path, HeaderLanguage::English, None).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        if name.starts_with("xl/worksheets/") {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut entry, &mut xml).unwrap();
            assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name}: {xml}");
        }
    }
    assert_eq!(read(&path).unwrap_or_else(|e| panic!("{e}")), d);
}

#[test]
fn an_over_long_name_from_old_data_never_fails_the_xlsx_export() {
    let v = vocabulary();
    let mut b = DatasetBuilder::new(v.clone());
    let long = "x".repeat(100_011);
    for (i, name) in [long.as_str(), "泽州钢铁"].into_iter().enumerate() {
        b.enterprise(Enterprise {
            uscc: uscc(i as u32),
            name: name.into(),
            chain: None,
            stage: None,
            town: None,
            industry_code: None,
            strategic_emerging: None,
            established: None,
            chain_joined_year: None,
        });
    }
    let d = b.build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    write_xlsx(&d, &path, HeaderLanguage::Chinese, None).unwrap();
    // Read back, the cut name is refused as over-long, at its place: never taken silently.
    let lines = error_lines(&path);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].starts_with("企业:") && lines[0].contains("内容过长：32767 个字"), "{}", lines[0]);
}

/// A workbook whose entry `entry` holds `head`, then `bytes` of `fill`, then `tail`: a few
/// kilobytes compressed, whatever it inflates to.
fn huge_run(path: &Path, entry: &str, (head, fill, bytes, tail): (&str, u8, usize, &str)) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", deflated).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
    zip.start_file("xl/workbook.xml", deflated).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><workbook><sheets><sheet name=\"enterprises\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>").unwrap();
    zip.start_file(entry, deflated.large_file(true)).unwrap();
    zip.write_all(head.as_bytes()).unwrap();
    let chunk = vec![fill; 1 << 20];
    for _ in 0..bytes / chunk.len() {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(tail.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_huge_single_cell_or_tag_is_refused_before_any_reader_builds_it() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>";
    let end = "</t></is></c></row></sheetData></worksheet>";
    let cases = [
        (
            "inline.xlsx",
            "xl/worksheets/sheet1.xml",
            sheet,
            b'x',
            "工作表文件“xl/worksheets/sheet1.xml”中有一段文字超过 196602 字节",
        ),
        (
            "shared.xlsx",
            "xl/sharedStrings.xml",
            "<sst><si><t>",
            b'x',
            "共享文字表“xl/sharedStrings.xml”中有一段文字超过 196602 字节",
        ),
        (
            "tag.xlsx",
            "xl/worksheets/sheet1.xml",
            "<worksheet><sheetData><row r=\"1\" x=\"",
            b'y',
            "工作表文件“xl/worksheets/sheet1.xml”中有一个 XML 标记超过 64 KB",
        ),
    ];
    for (file, entry, head, fill, expected) in cases {
        let path = dir.path().join(file);
        huge_run(&path, entry, (head, fill, 64 << 20, end));
        assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20, "a small file");
        let msg = refusal(&path, &Limits::default());
        assert!(msg.starts_with(expected) && !msg.contains(file), "{file}: {msg}");
        assert!(msg.contains("32767 个字") || expected.contains("标记"), "{msg}");
    }
    // A run just within the bound (a full cell of entities) is left to the reader and its cell limit.
    let path = dir.path().join("within.xlsx");
    huge_run(&path, "xl/worksheets/sheet1.xml", (sheet, b'x', 0, &format!("{}{end}", "&amp;".repeat(39_000))));
    if let Err(ReadError::TooLarge(m)) = read_dataset_limited(&path, &vocabulary(), &Limits::default()) {
        panic!("a run within the bound refused: {m}");
    }
}

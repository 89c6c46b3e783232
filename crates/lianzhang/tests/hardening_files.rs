//! Issue 9 through the real binary, for files: a file present but unreadable is an error naming
//! it, never an absence; a file over a limit is refused in Chinese with the limit named; CSV
//! exports start no cell with `= + - @`; text no clerk types is refused with its place and
//! nothing is imported.
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;

fn bin() -> Command {
    let mut c = Command::cargo_bin("lianzhang").expect("binary");
    c.env_remove("LIANZHANG_DB");
    for v in
        ["LIANZHANG_MAX_FILE_MB", "LIANZHANG_MAX_UNZIPPED_MB", "LIANZHANG_MAX_RECORD_KB", "LIANZHANG_MAX_SHEET_CELLS"]
    {
        c.env_remove(v);
    }
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The refusal of a command: it failed, wrote nothing on stdout, and said why on stderr.
fn refused(out: Output) -> String {
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success(), "expected a refusal; stderr: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&out.stdout));
    stderr
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A copy of `tests/data/small` in a temp dir.
fn small(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small");
    let out = dir.join("small");
    std::fs::create_dir_all(&out).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), out.join(e.file_name())).unwrap();
    }
    out
}

#[cfg(unix)]
#[test]
fn a_dangling_or_looping_sheet_file_is_an_error_naming_it_never_an_absent_sheet() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let data = small(dir.path());
    let annual = data.join("annual.csv");
    std::fs::remove_file(&annual).unwrap();
    symlink(data.join("missing.csv"), &annual).unwrap();
    let msg = refused(run(&["assess", "--data", p(&data), "--year", "2023"]));
    assert!(msg.contains("annual.csv") && msg.contains("指向的文件不存在"), "{msg}");
    assert!(msg.contains("未评定"), "{msg}");

    std::fs::remove_file(&annual).unwrap();
    symlink(data.join("loop.csv"), &annual).unwrap();
    symlink(&annual, data.join("loop.csv")).unwrap();
    let msg = refused(run(&["assess", "--data", p(&data), "--year", "2023"]));
    assert!(msg.contains("annual.csv") && msg.contains("循环"), "{msg}");

    // The export stamp and the policy file too.
    let data = small(&dir.path().join("2"));
    symlink(data.join("gone.csv"), data.join("导出信息.csv")).unwrap();
    let msg = refused(run(&["assess", "--data", p(&data), "--year", "2023"]));
    assert!(msg.contains("导出信息.csv") && msg.contains("指向的文件不存在"), "{msg}");
    let policy = dir.path().join("policy.toml");
    symlink(dir.path().join("gone.toml"), &policy).unwrap();
    let msg = refused(run(&["assess", "--demo", "--policy", p(&policy), "--year", "2023"]));
    assert!(msg.contains("policy.toml") && msg.contains("指向的文件不存在"), "{msg}");
    assert!(!msg.contains("os error"), "never the system's English: {msg}");
}

#[test]
fn a_huge_one_line_csv_is_refused_with_the_record_limit_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = small(dir.path());
    let mut text = std::fs::read_to_string(data.join("annual.csv")).unwrap();
    text.push_str(&"9".repeat(300 << 10));
    std::fs::write(data.join("annual.csv"), text).unwrap();
    let out =
        bin().env("LIANZHANG_MAX_RECORD_KB", "64").args(["assess", "--data", p(&data), "--year", "2023"]).output();
    let msg = refused(out.unwrap());
    assert!(msg.contains("annual.csv：第 ") && msg.contains("行起的一行超过 64 KB"), "{msg}");
    assert!(msg.contains("LIANZHANG_MAX_RECORD_KB"), "{msg}");
    // A bad limit is refused in Chinese.
    let out =
        bin().env("LIANZHANG_MAX_RECORD_KB", "lots").args(["assess", "--data", p(&data), "--year", "2023"]).output();
    let msg = refused(out.unwrap());
    assert!(msg.contains("LIANZHANG_MAX_RECORD_KB") && msg.contains("不是正整数"), "{msg}");
}

#[test]
fn a_workbook_over_the_limits_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xlsx");
    // 64 cells of 32,767 characters: 2 MB once inflated, a few KB as a file.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("enterprises").unwrap();
    sheet.write_string(0, 0, "uscc").unwrap();
    sheet.write_string(0, 1, "name").unwrap();
    for i in 0..64u32 {
        sheet.write_string(i + 1, 1, format!("{i}{}", "0".repeat(32_760))).unwrap();
    }
    book.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let out = bin()
        .env("LIANZHANG_MAX_UNZIPPED_MB", "1")
        .args(["import", "--db", "sqlite://x.db", p(&path)])
        .current_dir(dir.path())
        .output();
    let msg = refused(out.unwrap());
    assert!(msg.contains("big.xlsx：解压后超过上限 1 MB"), "{msg}");
    assert_eq!(msg.matches("big.xlsx").count(), 1, "the file named once: {msg}");
    assert!(!dir.path().join("x.db").exists(), "nothing created");
}

/// A copy of `small` whose enterprises are named as a spreadsheet would run them.
fn formula_named(dir: &Path) -> PathBuf {
    let data = small(dir);
    let path = data.join("enterprises.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let names = ["=1+1", "+8613900000000", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"y\")"];
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        if i > 0 {
            cells[1] = names[(i - 1) % names.len()].to_string();
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&cells).unwrap();
        out.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
    }
    std::fs::write(&path, out).unwrap();
    data
}

/// Every cell of every CSV text: none starts with what a spreadsheet runs.
fn assert_no_formula(what: &str, text: &str) {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{what}: {cell:?}");
        }
    }
    assert!(cells > 3, "{what}: {text}");
}

#[test]
fn csv_exports_opened_as_text_start_no_cell_with_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let data = formula_named(dir.path());
    let db = format!("sqlite://{}", dir.path().join("f.db").display());
    ok(&["import", "--db", &db, p(&data)]);
    let out = dir.path().join("export");
    ok(&["export", "--db", &db, "--out", p(&out)]);
    let mut names = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        names += text.matches("'=1+1").count();
        assert_no_formula(p(&path), &text);
    }
    assert!(names > 0, "the names are exported, escaped");
    // The export imports back as it was: nothing to change.
    let again = ok(&["import", "--db", &db, p(&out)]);
    assert!(again.contains("没有需要修改的单元格"), "{again}");
    let csv = ok(&["assess", "--data", p(&data), "--year", "2023", "--format", "csv"]);
    assert!(csv.contains("'=1+1"), "{csv}");
    assert_no_formula("assess --format csv", &csv);
}

/// The registry's content, as its CSV export (without the stamp, which changes every time).
fn snapshot(db: &str, dir: &Path, name: &str) -> Vec<(String, String)> {
    let out = dir.join(name);
    ok(&["export", "--db", db, "--out", p(&out)]);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name() != "导出信息.csv")
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn text_no_clerk_types_is_refused_at_its_place_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    ok(&["import", "--db", &db, p(&small(dir.path()))]);
    let before = snapshot(&db, dir.path(), "before");

    let data = small(&dir.path().join("bad"));
    let path = data.join("enterprises.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let bad = [
        format!("泽州{}", "长".repeat(300)),
        "泽州\u{0}钢铁".into(),
        "泽州\u{202E}gpj.exe".into(),
        "泽\u{200B}州".into(),
    ];
    for (line, name) in lines.iter_mut().skip(1).zip(&bad) {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[1] = name;
        *line = cells.join(",");
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let msg = refused(run(&["import", "--db", &db, p(&data)]));
    for (row, why) in [
        (2, "内容过长：302 个字"),
        (3, "空字符（U+0000）"),
        (4, "文字方向控制符（U+202E）"),
        (5, "不可见字符（U+200B）"),
    ] {
        let located = format!("企业:{row}:企业名称");
        assert!(msg.lines().any(|l| l.starts_with(&located) && l.contains(why)), "{row} {why}: {msg}");
    }
    assert!(!msg.contains('\u{0}') && !msg.contains('\u{202E}'), "never raw: {msg}");
    assert!(msg.contains("未导入"), "{msg}");
    assert_eq!(snapshot(&db, dir.path(), "after"), before, "the registry is unchanged");
}

#[test]
fn a_data_file_under_a_name_no_sheet_has_is_refused_naming_it_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    ok(&["import", "--db", &db, p(&small(dir.path()))]);
    let before = snapshot(&db, dir.path(), "before");
    // The annual rows saved under names the reader does not know: never silently dropped.
    let data = small(&dir.path().join("renamed"));
    let annual = std::fs::read(data.join("annual.csv")).unwrap();
    std::fs::remove_file(data.join("annual.csv")).unwrap();
    for name in ["年度数据(1).csv", "annual.txt", "企业.xlsx", "annual-2023.tsv"] {
        std::fs::write(data.join(name), &annual).unwrap();
    }
    // Files that are not data are left alone.
    for name in ["README.md", "说明.docx", ".DS_Store", "~$企业.csv"] {
        std::fs::write(data.join(name), b"x").unwrap();
    }
    let out = run(&["import", "--db", &db, p(&data)]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let msg = refused(out);
    for name in ["年度数据(1).csv", "annual-2023.tsv"] {
        let line = format!(
            "文件夹中的“{name}”不是可识别的表名，未读取：请改名为 企业.csv、年度数据.csv、认定.csv、项目.csv 之一"
        );
        assert!(msg.contains(&line), "{name}: {msg}");
    }
    for name in ["annual.txt", "企业.xlsx"] {
        assert!(msg.contains(&format!("文件夹中的“{name}”不是 CSV 文件，未读取")), "{name}: {msg}");
    }
    for name in ["README.md", "说明.docx", ".DS_Store", "~$企业.csv"] {
        assert!(!msg.contains(name), "{name} is not data: {msg}");
    }
    assert!(msg.contains("未导入"), "{msg}");
    assert_eq!(snapshot(&db, dir.path(), "after"), before, "nothing imported");
}

#[test]
fn a_file_that_is_no_dataset_is_named_once_with_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    // A zip that is no workbook (its first bytes say zip; nothing in it is a workbook).
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x00\x00not a workbook";
    let cases: [(&str, &[u8], &str); 3] = [
        ("bomb.zip", zip, "bomb.zip：是一个压缩包（zip），不是 Excel 工作簿"),
        ("pdf.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "pdf.pdf：是 PDF 文件，不是表格"),
        (
            "html.xls",
            b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            "html.xls：实际是网页（HTML）格式的表格",
        ),
    ];
    for (name, bytes, expected) in cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = bin().args(["assess", "--year", "2023", "--data", name]).current_dir(dir.path()).output().unwrap();
        let msg = refused(out);
        assert!(msg.contains(expected), "{name}: {msg}");
        assert_eq!(msg.matches(name).count(), 1, "{name} named once: {msg}");
    }
}

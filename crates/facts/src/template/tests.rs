//! The template read back: sheets, headers, lists, names, and the reader accepting it.
use super::*;
use crate::{DatasetBuilder, HeaderLanguage, ReadError, read_dataset, write_csv_dir};
use calamine::{Data, Reader, SheetVisible};

/// The bundled policy's vocabularies, read from its file (this crate cannot depend on the
/// policy crate, which depends on it).
fn bundled() -> Vocabulary {
    let t: toml::Table = include_str!("../../../../policies/zezhou-2022.toml").parse().unwrap();
    let codes = |key: &str| -> Vec<crate::Code> {
        t[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| crate::Code { code: c["code"].as_str().unwrap().into(), name: c["name"].as_str().unwrap().into() })
            .collect()
    };
    let chains = t["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| crate::ChainVocab {
            code: c["code"].as_str().unwrap().into(),
            name: c["name"].as_str().unwrap().into(),
            stages: c["stages"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().into()).collect(),
        })
        .collect();
    Vocabulary {
        chains,
        recognition_kinds: codes("recognition_kinds"),
        project_categories: codes("project_categories"),
        extras: Vec::new(),
    }
}

/// The header rows the facts writer writes (the reader's own tables), per sheet.
fn facts_headers(lang: HeaderLanguage) -> Vec<(String, Vec<String>)> {
    let empty = DatasetBuilder::new(bundled()).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_csv_dir(&empty, dir.path(), lang, None).unwrap();
    SHEETS
        .iter()
        .map(|s| {
            let name = if lang == HeaderLanguage::Chinese { s.zh } else { s.en };
            let text = std::fs::read_to_string(dir.path().join(format!("{name}.csv"))).unwrap();
            let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            let headers = reader.headers().unwrap().iter().map(str::to_string).collect();
            (name.to_string(), headers)
        })
        .collect()
}

#[test]
fn columns_are_the_readers() {
    for lang in [HeaderLanguage::English, HeaderLanguage::Chinese] {
        for (s, (name, headers)) in SHEETS.iter().zip(facts_headers(lang)) {
            let ours: Vec<&str> =
                s.columns.iter().map(|c| if lang == HeaderLanguage::Chinese { c.zh } else { c.en }).collect();
            assert_eq!(ours, headers, "{name}");
        }
    }
}

fn write(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("模板.xlsx");
    write_template(&bundled(), &path).unwrap();
    path
}

fn cells(range: &calamine::Range<Data>, row: usize) -> Vec<String> {
    range.rows().nth(row).unwrap_or_default().iter().map(|d| d.to_string()).collect()
}

#[test]
fn sheets_headers_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir);
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names(), ["填写说明", "企业", "年度数据", "认定", "项目", "代码表"]);
    let hidden: Vec<&str> =
        book.sheets_metadata().iter().filter(|s| s.visible != SheetVisible::Visible).map(|s| s.name.as_str()).collect();
    assert_eq!(hidden, [LISTS_SHEET]);

    for (name, headers) in facts_headers(HeaderLanguage::Chinese) {
        let range = book.worksheet_range(&name).unwrap();
        assert_eq!(cells(&range, 0), headers, "{name}");
        assert_eq!(range.height(), 1, "{name}: only the header row");
    }

    let v = bundled();
    let lists = book.worksheet_range(LISTS_SHEET).unwrap();
    let column = |col: usize| -> Vec<String> {
        lists.rows().skip(1).filter_map(|r| r.get(col)).map(|d| d.to_string()).filter(|s| !s.is_empty()).collect()
    };
    let chains: Vec<String> = v.chains.iter().map(|c| c.name.clone()).collect();
    assert_eq!(column(0), chains);
    let stages = column(1);
    assert!(v.chains.iter().flat_map(|c| &c.stages).all(|s| stages.contains(s)));
    let unique: std::collections::BTreeSet<&String> = stages.iter().collect();
    assert_eq!(unique.len(), stages.len(), "stages listed once");
    assert_eq!(column(2), v.recognition_kinds.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
    assert_eq!(column(3), v.project_categories.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
    assert_eq!(column(4), ["是", "否"]);
    // The stage list is longer than an inline list may be.
    assert!(stages.join(",").len() > 255);

    let names = book.defined_names().to_vec();
    let find = |n: &str| names.iter().find(|(name, _)| name == n).map(|(_, f)| f.clone());
    assert_eq!(find("lz_chain").as_deref(), Some(format!("'代码表'!$A$2:$A${}", chains.len() + 1).as_str()));
    assert_eq!(find("lz_stage").as_deref(), Some(format!("'代码表'!$B$2:$B${}", stages.len() + 1).as_str()));
    assert!(find("lz_recognition_kind").is_some() && find("lz_project_category").is_some());
    assert_eq!(find("lz_yes_no").as_deref(), Some("'代码表'!$E$2:$E$3"));

    // The instructions name every column of every sheet.
    let instructions = book.worksheet_range(INSTRUCTIONS_SHEET).unwrap();
    let text: Vec<String> = instructions.cells().map(|(_, _, d)| d.to_string()).collect();
    for s in SHEETS {
        for c in s.columns {
            assert!(text.iter().any(|t| t == c.zh) && text.iter().any(|t| t == c.en), "{}", c.en);
        }
    }
    assert!(text.iter().any(|t| t.contains("冷轧薄板")), "stages per chain");
}

#[test]
fn messages_fit_excel_limits() {
    // Input titles ≤ 32 and messages ≤ 255 characters, else building fails.
    let v = declaring();
    for s in SHEETS {
        for c in &columns(s, &v) {
            validation(c, &lists(&v)).unwrap();
        }
    }
}

/// The bundled vocabulary with facts declared beyond FACTS.md (as 青岚's policy does).
fn declaring() -> Vocabulary {
    let decl = |code: &str, name: &str, ty, place| crate::ExtraFact { code: code.into(), name: name.into(), ty, place };
    Vocabulary {
        extras: vec![
            decl("tax_paid", "实缴税金", crate::ExtraType::Money, crate::ExtraPlace::Yearly),
            decl("energy_saving", "节能率", crate::ExtraType::Percent, crate::ExtraPlace::Project),
        ],
        ..bundled()
    }
}

#[test]
fn declared_facts_are_columns_of_their_sheet_and_a_filled_template_reads_them() {
    let v = declaring();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("模板.xlsx");
    write_template(&v, &path).unwrap();
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    let annual = cells(&book.worksheet_range("年度数据").unwrap(), 0);
    assert_eq!(annual.last().map(String::as_str), Some("实缴税金"));
    let projects = cells(&book.worksheet_range("项目").unwrap(), 0);
    assert_eq!(projects.last().map(String::as_str), Some("节能率"));
    let instructions = book.worksheet_range(INSTRUCTIONS_SHEET).unwrap();
    let text: Vec<String> = instructions.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(text.iter().any(|t| t == "本政策声明的事实：实缴税金。可留空，留空表示未知。"), "{text:?}");
    // The empty template reads as an empty dataset with the declarations.
    assert!(read_dataset(&path, &v).unwrap().is_empty());
}

/// Reads a written template: the reader skips the guide and the code lists by name.
fn read_template(path: &Path) -> Option<crate::Dataset> {
    Some(read_dataset(path, &bundled()).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn the_empty_template_is_an_empty_dataset() {
    let dir = tempfile::tempdir().unwrap();
    if let Some(d) = read_template(&write(&dir)) {
        assert!(d.is_empty());
        assert_eq!((d.annual_count(), d.recognition_count(), d.project_count()), (0, 0, 0));
    }
}

#[test]
fn the_reader_ignores_the_template_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let d = read_dataset(&write(&dir), &bundled()).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.is_empty());
}

#[test]
fn a_filled_template_imports() {
    let v = bundled();
    let uscc = crate::Uscc::from_body(b"91140525MA0L00001").to_string();
    let steel = &v.chains[0];
    let mut book = template_workbook(&v).unwrap();
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    // What a user picks from the drop-downs: Chinese names and 是/否.
    let ws = book.worksheet_from_name("企业").unwrap();
    ws.write_string(1, 0, &uscc).unwrap();
    ws.write_string(1, 1, "泽州县甲钢铁有限公司").unwrap();
    ws.write_string(1, 2, &steel.name).unwrap();
    ws.write_string(1, 3, &steel.stages[2]).unwrap();
    ws.write_string(1, 4, "巴公镇").unwrap();
    ws.write_string(1, 5, "C3110").unwrap();
    ws.write_string(1, 6, "是").unwrap();
    ws.write_datetime_with_format(1, 7, ExcelDateTime::from_ymd(2008, 3, 15).unwrap(), &date).unwrap();
    ws.write_number(1, 8, 2019.0).unwrap();

    let ws = book.worksheet_from_name("年度数据").unwrap();
    ws.write_string(1, 0, &uscc).unwrap();
    ws.write_number(1, 1, 2023.0).unwrap();
    ws.write_number_with_format(1, 2, 420_000_000.25, &money).unwrap();
    ws.write_string(1, 3, "是").unwrap();
    ws.write_string(1, 4, "否").unwrap();
    ws.write_number_with_format(1, 5, 1_000_000.0, &money).unwrap();
    ws.write_number_with_format(1, 6, 5_000_000.5, &money).unwrap();
    // rd_expense left empty: unknown.

    let ws = book.worksheet_from_name("认定").unwrap();
    ws.write_string(1, 0, &uscc).unwrap();
    ws.write_string(1, 1, &v.recognition_kinds[0].name).unwrap();
    ws.write_number(1, 2, 2023.0).unwrap();

    let ws = book.worksheet_from_name("项目").unwrap();
    ws.write_string(1, 0, "P-2023-001").unwrap();
    ws.write_string(1, 1, &uscc).unwrap();
    ws.write_string(1, 2, "智能化改造项目").unwrap();
    ws.write_string(1, 3, &v.project_categories[0].name).unwrap();
    ws.write_number_with_format(1, 4, 25_000_000.0, &money).unwrap();
    ws.write_number(1, 5, 2022.0).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filled.xlsx");
    book.save(&path).unwrap();
    // No error in any data sheet; the dataset itself once the reader skips the extra sheets.
    if let Some(d) = read_template(&path) {
        let e = d.find(&crate::Uscc::parse(&uscc).unwrap()).unwrap();
        assert_eq!(e.enterprise.stage, Some(2));
        assert_eq!(e.enterprise.strategic_emerging, Some(true));
        assert_eq!(e.annual[0].revenue, Some(crate::Fen(42_000_000_025)));
        assert_eq!(e.annual[0].rd_expense, None);
        assert_eq!(e.projects[0].completed_year, None);
    }
}

#[test]
fn a_wrong_value_in_the_template_is_reported() {
    // The data sheets are really read: a bad cell surfaces as an error of its sheet.
    let v = bundled();
    let mut book = template_workbook(&v).unwrap();
    let ws = book.worksheet_from_name("企业").unwrap();
    ws.write_string(1, 0, "91140525MA0L00001X").unwrap();
    ws.write_string(1, 1, "甲").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsx");
    book.save(&path).unwrap();
    let Err(ReadError::Data(errors)) = read_dataset(&path, &v) else { panic!("expected data errors") };
    assert!(errors.iter().any(|e| e.sheet == "企业" && e.row == 2 && e.column == "统一社会信用代码"), "{errors}");
}

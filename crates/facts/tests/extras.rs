//! Facts a policy declares beyond FACTS.md (issue 11): extra columns of their sheet, read by code
//! or Chinese name with their type, every bad cell reported with its place, written back after
//! FACTS.md's columns so that an export re-imports as it was.
mod common;
use common::*;
use lianzhang_facts::{
    Annual, DataError, DatasetBuilder, Enterprise, Extra, ExtraAt, ExtraFact, ExtraPlace, ExtraType, ExtraValue, Fen,
    HeaderLanguage, Project, ReadError, Vocabulary, read_dataset, write_csv_dir, write_xlsx,
};
use rust_decimal::Decimal;

fn vocab() -> Vocabulary {
    let decl = |code: &str, name: &str, ty, place| ExtraFact { code: code.into(), name: name.into(), ty, place };
    Vocabulary {
        extras: vec![
            decl("tax_paid", "实缴税金", ExtraType::Money, ExtraPlace::Yearly),
            decl("mu_class", "亩均效益评价等级", ExtraType::Code, ExtraPlace::Yearly),
            decl("land_area", "用地面积", ExtraType::Area, ExtraPlace::Enterprise),
            decl("joined", "入园日期", ExtraType::Date, ExtraPlace::Enterprise),
            decl("equipment_investment", "设备购置额", ExtraType::Money, ExtraPlace::Project),
            decl("jobs", "新增就业", ExtraType::Count, ExtraPlace::Project),
            decl("energy_saving", "节能率", ExtraType::Percent, ExtraPlace::Project),
            decl("green", "绿色工厂", ExtraType::Bool, ExtraPlace::Yearly),
        ],
        ..vocabulary()
    }
}

fn sample() -> lianzhang_facts::Dataset {
    let v = vocab();
    let mut b = DatasetBuilder::new(v);
    for i in 1..=2 {
        b.enterprise(Enterprise {
            uscc: uscc(i),
            name: format!("企业{i}"),
            chain: None,
            stage: None,
            town: None,
            industry_code: None,
            strategic_emerging: None,
            established: None,
            chain_joined_year: None,
        });
        b.annual(uscc(i), Annual { revenue: Some(Fen(100_000_000)), ..Annual::unknown(2023) });
        b.annual(uscc(i), Annual::unknown(2024));
    }
    b.project(
        uscc(1),
        Project {
            project_id: "P-1".into(),
            name: "设备更新".into(),
            category: None,
            fixed_asset_investment: None,
            start_year: Some(2023),
            completed_year: Some(2024),
        },
    );
    let x = |at, fact, value| Extra { at, fact, value };
    b.extra(uscc(1), x(ExtraAt::Year(2023), 0, ExtraValue::Money(Fen(5_500_000 * 100))));
    b.extra(uscc(1), x(ExtraAt::Year(2024), 1, ExtraValue::Text("A".into())));
    b.extra(uscc(1), x(ExtraAt::Year(2024), 7, ExtraValue::Bool(true)));
    b.extra(uscc(2), x(ExtraAt::Enterprise, 2, ExtraValue::Decimal(Decimal::new(1255, 1))));
    b.extra(uscc(2), x(ExtraAt::Enterprise, 3, ExtraValue::Date(jiff::civil::date(2021, 3, 5))));
    b.extra(uscc(1), x(ExtraAt::Project("P-1".into()), 4, ExtraValue::Money(Fen(300_000_050))));
    b.extra(uscc(1), x(ExtraAt::Project("P-1".into()), 5, ExtraValue::Int(12)));
    b.extra(uscc(1), x(ExtraAt::Project("P-1".into()), 6, ExtraValue::Decimal(Decimal::new(125, 3))));
    b.build().unwrap()
}

#[test]
fn declared_facts_round_trip_through_csv_and_xlsx_in_both_languages() {
    let d = sample();
    let e1 = d.find(&uscc(1)).unwrap();
    assert_eq!(e1.extra(0, &ExtraAt::Year(2023)), Some(&ExtraValue::Money(Fen(5_500_000 * 100))));
    assert_eq!(e1.extra(0, &ExtraAt::Year(2024)), None, "an empty cell is unknown");
    for lang in [HeaderLanguage::English, HeaderLanguage::Chinese] {
        let dir = tempfile::tempdir().unwrap();
        write_csv_dir(&d, dir.path(), lang, None).unwrap();
        assert_eq!(read_dataset(dir.path(), &vocab()).unwrap_or_else(|e| panic!("{e}")), d);
        let path = dir.path().join("data.xlsx");
        write_xlsx(&d, &path, lang, None).unwrap();
        assert_eq!(read_dataset(&path, &vocab()).unwrap_or_else(|e| panic!("{e}")), d);
    }
    // The columns follow FACTS.md's, headed by code or Chinese name; a percentage in points.
    let dir = tempfile::tempdir().unwrap();
    write_csv_dir(&d, dir.path(), HeaderLanguage::Chinese, None).unwrap();
    let projects = std::fs::read_to_string(dir.path().join("项目.csv")).unwrap();
    let mut lines = projects.trim_start_matches('\u{feff}').lines();
    assert!(lines.next().unwrap().ends_with(",设备购置额,新增就业,节能率"));
    assert!(lines.next().unwrap().ends_with(",3000000.50,12,12.5%"));
}

#[test]
fn a_dataset_without_declared_columns_reads_as_before() {
    let dir = folder(&[
        ("enterprises.csv", format!("uscc,name\n{},甲\n", u(1)).as_bytes()),
        ("annual.csv", format!("uscc,year,revenue\n{},2023,100\n", u(1)).as_bytes()),
    ]);
    let d = read_dataset(dir.path(), &vocab()).unwrap();
    assert!(d.find(&uscc(1)).unwrap().extras.is_empty());
}

#[test]
fn every_bad_declared_cell_is_reported_with_its_place_and_nothing_is_read() {
    let dir = folder(&[
        ("enterprises.csv", format!("uscc,name,用地面积,入园日期\n{},甲,很大,2021-02-30\n", u(1)).as_bytes()),
        (
            "annual.csv",
            format!("uscc,year,实缴税金,tax_paid,green\n{0},2023,12万,100,也许\n{0},2024,abc,,\n", u(1)).as_bytes(),
        ),
        ("projects.csv", format!("project_id,uscc,name,新增就业,节能率\nP-1,{},更新,2.5,百分之十\n", u(1)).as_bytes()),
    ]);
    let errors = match read_dataset(dir.path(), &vocab()) {
        Err(ReadError::Data(e)) => e.0,
        other => panic!("{other:?}"),
    };
    let lines: Vec<String> = errors.iter().map(DataError::to_string).collect();
    let all = lines.join("\n");
    // The header naming a declared fact twice (by name and by code).
    assert!(all.contains("重复的列（与第C列“实缴税金”相同）"), "{all}");
    for (column, value, reason) in [
        ("用地面积", "很大", "应为不小于 0 的数，如 12.5（“用地面积”应填面积）"),
        ("入园日期", "2021-02-30", "（“入园日期”应填日期）"),
        ("green", "也许", "应填“是”或“否”（“绿色工厂”应填是/否）"),
        ("新增就业", "2.5", "应为不小于 0 的整数（“新增就业”应填个数）"),
        ("节能率", "百分之十", "应为百分比，如 12.5 或 12.5%（按百分点填写）"),
    ] {
        let e = errors.iter().find(|e| e.column == column).unwrap_or_else(|| panic!("{column}: {all}"));
        assert_eq!(e.value, value);
        assert!(e.reason.contains(reason), "{column}: {}", e.reason);
    }
    assert!(errors.iter().any(|e| e.column == "实缴税金" && e.value == "abc" && e.row == 3), "{all}");
}

#[test]
fn a_declared_column_in_another_sheet_says_where_it_belongs() {
    let dir = folder(&[
        ("enterprises.csv", format!("uscc,name,设备购置额\n{},甲,100\n", u(1)).as_bytes()),
        ("annual.csv", format!("uscc,year\n{},2023\n", u(1)).as_bytes()),
    ]);
    let errors = match read_dataset(dir.path(), &vocab()) {
        Err(ReadError::Data(e)) => e.0,
        other => panic!("{other:?}"),
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].column, "设备购置额");
    assert_eq!(errors[0].reason, "“设备购置额”是政策声明的“项目”表的列，不能写在本表：请移到“项目”表");
}

//! The export stamp (导出信息) round-trips through CSV and xlsx and is skipped as data; the
//! locations name the rows and columns facts came from, as messages do.
mod common;

use common::*;
use lianzhang_facts::{
    Annual, DatasetBuilder, Enterprise, ExportStamp, Fen, HeaderLanguage, Project, ReadError, read_dataset_with,
    write_csv_dir, write_xlsx,
};

fn stamp() -> ExportStamp {
    ExportStamp { revision: 1234, exported_at: "2026-11-30 16:05:09".into(), exported_by: "王科员".into() }
}

fn small() -> lianzhang_facts::Dataset {
    let v = vocabulary();
    let mut b = DatasetBuilder::new(v.clone());
    for i in [5, 2] {
        b.enterprise(Enterprise {
            uscc: uscc(i),
            name: format!("企业{i}"),
            chain: v.chain("steel"),
            stage: None,
            town: None,
            industry_code: None,
            strategic_emerging: None,
            established: None,
            chain_joined_year: None,
        });
        for y in [2022, 2023] {
            b.annual(uscc(i), Annual { revenue: Some(Fen::yuan(1000 * i64::from(i))), ..Annual::unknown(y) });
        }
    }
    b.project(
        uscc(5),
        Project {
            project_id: "P1".into(),
            name: "技改".into(),
            category: None,
            fixed_asset_investment: None,
            start_year: None,
            completed_year: None,
        },
    );
    b.build().unwrap()
}

#[test]
fn stamp_round_trips_through_csv_and_xlsx_and_is_not_data() {
    let d = small();
    for lang in [HeaderLanguage::English, HeaderLanguage::Chinese] {
        let dir = tempfile::tempdir().unwrap();
        write_csv_dir(&d, dir.path(), lang, Some(&stamp())).unwrap();
        let text = std::fs::read_to_string(dir.path().join("导出信息.csv")).unwrap();
        assert!(text.starts_with("\u{feff}项目,内容\r\n企业库版本,1234\r\n"), "{text}");
        let out = read_dataset_with(dir.path(), &vocabulary()).unwrap();
        assert_eq!(out.dataset, d);
        assert_eq!(out.stamp, Some(stamp()));

        // Written again without a stamp, the old stamp goes.
        write_csv_dir(&d, dir.path(), lang, None).unwrap();
        assert_eq!(read_dataset_with(dir.path(), &vocabulary()).unwrap().stamp, None);

        let path = dir.path().join("d.xlsx");
        write_xlsx(&d, &path, lang, Some(&stamp())).unwrap();
        let out = read_dataset_with(&path, &vocabulary()).unwrap();
        assert_eq!(out.dataset, d);
        assert_eq!(out.stamp, Some(stamp()));
        write_xlsx(&d, &path, lang, None).unwrap();
        assert_eq!(read_dataset_with(&path, &vocabulary()).unwrap().stamp, None);
    }
}

#[test]
fn an_edited_stamp_is_one_located_error() {
    let dir = tempfile::tempdir().unwrap();
    write_csv_dir(&small(), dir.path(), HeaderLanguage::Chinese, Some(&stamp())).unwrap();
    let path = dir.path().join("导出信息.csv");
    let text = std::fs::read_to_string(&path).unwrap().replace("1234", "第五版");
    std::fs::write(&path, text).unwrap();
    match read_dataset_with(dir.path(), &vocabulary()) {
        Err(ReadError::Data(e)) => {
            assert_eq!(e.len(), 1, "{e}");
            let line = e.0[0].to_string();
            assert!(line.starts_with("导出信息:2:内容: 第五版: 企业库版本应为整数"), "{line}");
        }
        other => panic!("expected one data error, got {other:?}"),
    }
}

#[test]
fn locations_name_rows_and_chinese_columns() {
    let files = [
        ("enterprises.csv", format!("uscc,name,chain\n{},甲,steel\n\n{},乙,steel\n", u(5), u(2))),
        ("annual.csv", format!("uscc,year,revenue\n{a},2023,1\n{b},2022,2\n{a},2022,3\n", a = u(5), b = u(2))),
        ("年度数据说明.md", "not a sheet".to_string()),
        ("projects.csv", format!("project_id,uscc,name\nP1,{},技改\n", u(5))),
    ];
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = folder(&files);
    let out = read_dataset_with(dir.path(), &vocabulary()).unwrap();
    let l = &out.locations;
    assert_eq!(l.enterprise(&uscc(5)), Some(("企业".to_string(), 2)));
    assert_eq!(l.enterprise(&uscc(2)), Some(("企业".to_string(), 4)));
    assert_eq!(l.enterprise(&uscc(9)), None);
    assert_eq!(l.annual(&uscc(5), 2023), Some(("年度数据".to_string(), 2)));
    assert_eq!(l.annual(&uscc(5), 2022), Some(("年度数据".to_string(), 4)));
    assert_eq!(l.annual(&uscc(2), 2022), Some(("年度数据".to_string(), 3)));
    assert_eq!(l.annual(&uscc(2), 2023), None);
    assert_eq!(l.project("P1"), Some(("项目".to_string(), 2)));
    assert_eq!(l.project("P2"), None);
    assert_eq!(l.column("annual", "revenue"), "营业收入");
    assert_eq!(l.column("年度数据", "rd_expense"), "研发投入");
    assert_eq!(l.sheet("recognitions"), "认定");

    // Chinese headers and sheet names are kept as written.
    let files = [
        ("企业.csv", format!("统一社会信用代码,企业名称\n{},甲\n", u(5))),
        ("年度数据.csv", format!("统一社会信用代码,年度,营业收入\n{},2023,1\n", u(5))),
    ];
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = folder(&files);
    let out = read_dataset_with(dir.path(), &vocabulary()).unwrap();
    assert_eq!(out.locations.annual(&uscc(5), 2023), Some(("年度数据".to_string(), 2)));
    assert_eq!(out.locations.column("annual", "revenue"), "营业收入");
}

//! Shared test helpers: the vocabulary of POLICY.md and FACTS.md built by hand, valid USCCs,
//! dataset folders in a temp dir.
#![allow(dead_code)] // Each test binary uses a different part of the helpers.

use lianzhang_facts::{ChainVocab, Code, DataError, Dataset, ReadError, Uscc, Vocabulary, read_dataset};
use std::path::Path;

pub fn vocabulary() -> Vocabulary {
    let chain = |code: &str, name: &str, stages: &[&str]| ChainVocab {
        code: code.into(),
        name: name.into(),
        stages: stages.iter().map(|s| s.to_string()).collect(),
    };
    let code = |code: &str, name: &str| Code { code: code.into(), name: name.into() };
    Vocabulary {
        chains: vec![
            chain("steel", "钢铁", &["生铁", "粗钢", "钢材", "冷轧薄板", "高端装备制造", "加工", "配送"]),
            chain(
                "chemical",
                "化工",
                &["煤炭", "甲醇", "醋酸", "聚甲醛", "合成氨", "己内酰胺", "尼龙6", "尿素", "三聚氰胺"],
            ),
            chain("building_materials", "建材", &["砂石骨料", "水泥", "混凝土"]),
            chain("equipment", "装备制造", &["高端铸件", "零部件", "系统总成", "智能煤机（煤层气）整机", "配套服务"]),
            chain("casting", "铸造", &["产品研发", "模具", "原辅材料", "高端铸件"]),
            chain("food", "食品", &["农牧产品养殖种植", "农牧产品加工", "农牧产品研发", "仓储销售"]),
            chain("recycling", "废旧物资综合利用", &["废旧塑料回收", "清洗加工", "利用", "废旧钢铁回收", "加工"]),
        ],
        recognition_kinds: vec![
            code("innovative_sme", "创新型中小企业"),
            code("specialized_city", "市级专精特新"),
            code("little_giant_province", "省级专精特新\"小巨人\""),
            code("little_giant_national", "国家级专精特新\"小巨人\""),
            code("champion_province", "省级制造业单项冠军"),
            code("champion_national", "国家级制造业单项冠军"),
            code("tech_center_province", "省级企业技术中心"),
            code("tech_center_national", "国家级企业技术中心"),
        ],
        project_categories: vec![
            code("transformation", "工业转型强基"),
            code("energy_saving", "节能降耗减排技术改造"),
            code("digital", "智能化数字化改造"),
            code("other", "其他"),
        ],
        extras: Vec::new(),
    }
}

/// The `i`-th valid test USCC (a Zezhou-style body and its check character).
pub fn uscc(i: u32) -> Uscc {
    Uscc::from_body(format!("91140525MA0L{i:05}").as_bytes())
}

pub fn u(i: u32) -> String {
    uscc(i).to_string()
}

/// A temp folder with the given files (name, bytes).
pub fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

pub fn read(path: &Path) -> Result<Dataset, ReadError> {
    read_dataset(path, &vocabulary())
}

/// The error lines of reading a dataset that must be invalid.
pub fn error_lines(path: &Path) -> Vec<String> {
    match read(path) {
        Err(ReadError::Data(errors)) => errors.0.iter().map(DataError::to_string).collect(),
        Err(other) => panic!("expected data errors, got {other}"),
        Ok(d) => panic!("expected data errors, got a dataset of {} enterprises", d.len()),
    }
}

/// The error lines of a CSV folder.
pub fn csv_errors(files: &[(&str, &str)]) -> Vec<String> {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = folder(&files);
    error_lines(dir.path())
}

pub fn read_csv(files: &[(&str, &str)]) -> Dataset {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = folder(&files);
    read(dir.path()).unwrap_or_else(|e| panic!("{e}"))
}

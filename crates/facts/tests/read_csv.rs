//! Reading CSV folders: headers in either language, encodings, and every kind of error with its
//! exact `sheet:row:column: value: reason` line.
mod common;

use common::*;
use lianzhang_facts::{Annual, Fen, ReadError, Recognition, Year};

fn english() -> Vec<(&'static str, String)> {
    vec![
        (
            "enterprises.csv",
            format!(
                "uscc,name,chain,stage,town,industry_code,strategic_emerging,established,chain_joined_year\n\
                 {},泽州县恒达钢铁有限公司,steel,粗钢,巴公镇,C3120,false,2008-03-15,2022\n\
                 {},\"泽州县鑫源铸造有限公司\",casting,高端铸件,高都镇,3391,true,2016-07-01,\n\
                 {},泽州县丰谷食品有限公司,,,,,,,\n",
                u(1),
                u(2),
                u(3)
            ),
        ),
        (
            "annual.csv",
            format!(
                "uscc,year,revenue,above_scale,chain_master,local_procurement,total_procurement,rd_expense\n\
                 {0},2022,280000000,true,true,160000000,800000000,6000000.5\n\
                 {0},2021,250000000.25,TRUE,yes,,,\n\
                 {1},2023,12000000,false,0,0,0,0\n",
                u(1),
                u(2)
            ),
        ),
        ("recognitions.csv", format!("uscc,kind,year\n{0},innovative_sme,2021\n{0},specialized_city,2023\n", u(2))),
        (
            "projects.csv",
            format!(
                "project_id,uscc,name,category,fixed_asset_investment,start_year,completed_year\n\
                 XM2023-001,{0},食品加工智能化改造,digital,3000000,2022,2023\n\
                 XM2024-002,{0},节能改造,,,2023,\n",
                u(3)
            ),
        ),
    ]
}

/// The same facts with Chinese headers, names and words, columns in another order, CRLF.
fn chinese() -> Vec<(&'static str, String)> {
    let files = vec![
        (
            "企业.csv",
            format!(
                "企业名称,统一社会信用代码,环节,产业链,乡镇,行业代码,战略性新兴产业,成立日期,入链年份\n\
                 泽州县恒达钢铁有限公司,{},粗钢,钢铁,巴公镇,3120,否,2008-03-15,2022\n\
                 泽州县鑫源铸造有限公司,{},高端铸件,铸造,高都镇,C3391,是,2016-07-01,\n\
                 泽州县丰谷食品有限公司 ,{},,,,,,,\n",
                u(1),
                u(2),
                u(3)
            ),
        ),
        (
            "年度数据.csv",
            format!(
                "年度,统一社会信用代码,营业收入,规上企业,链主企业,本地配套采购额,配套采购总额,研发投入\n\
                 2021,{0},250000000.25,是,是,,,\n\
                 2022,{0},280000000.00,1,1,160000000,800000000,6000000.50\n\
                 2023,{1},12000000,否,否,0,0,0\n",
                u(1),
                u(2)
            ),
        ),
        (
            "认定.csv",
            format!("统一社会信用代码,认定类型,认定年度\n{0},市级专精特新,2023\n{0},创新型中小企业,2021\n", u(2)),
        ),
        (
            "项目.csv",
            format!(
                "项目编号,统一社会信用代码,项目名称,项目类别,固定资产投资,开工年度,竣工投产年度\n\
                 XM2024-002,{0},节能改造,,,2023,\n\
                 XM2023-001,{0},食品加工智能化改造,智能化数字化改造,3000000,2022,2023\n",
                u(3)
            ),
        ),
    ];
    files.into_iter().map(|(n, t)| (n, t.replace('\n', "\r\n"))).collect()
}

fn as_refs<'a>(files: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    files.iter().map(|(n, t)| (*n, t.as_str())).collect()
}

#[test]
fn reads_every_column() {
    let d = read_csv(&as_refs(&english()));
    let v = d.vocabulary();
    assert_eq!(d.len(), 3);
    let steel = d.find(&uscc(1)).unwrap();
    let e = steel.enterprise;
    assert_eq!(e.name, "泽州县恒达钢铁有限公司");
    assert_eq!(e.chain, v.chain("steel"));
    assert_eq!(e.stage, Some(1));
    assert_eq!(e.town.as_deref(), Some("巴公镇"));
    assert_eq!(e.industry_code.as_deref(), Some("C3120"));
    assert_eq!(e.strategic_emerging, Some(false));
    assert_eq!(e.established, Some(jiff::civil::date(2008, 3, 15)));
    assert_eq!(e.chain_joined_year, Some(2022));
    let years: Vec<Year> = steel.annual.iter().map(|r| r.year).collect();
    assert_eq!(years, [2021, 2022]);
    assert_eq!(
        steel.annual[1],
        Annual {
            year: 2022,
            revenue: Some(Fen::yuan(280_000_000)),
            above_scale: Some(true),
            chain_master: Some(true),
            local_procurement: Some(Fen::yuan(160_000_000)),
            total_procurement: Some(Fen::yuan(800_000_000)),
            rd_expense: Some(Fen(600_000_050)),
        }
    );
    assert_eq!(steel.annual[0].revenue, Some(Fen(25_000_000_025)));
    assert_eq!(steel.annual[0].local_procurement, None, "an empty cell is unknown, not zero");

    let casting = d.find(&uscc(2)).unwrap();
    assert_eq!(casting.enterprise.industry_code.as_deref(), Some("C3391"), "bare manufacturing codes get C");
    assert_eq!(casting.annual[0].local_procurement, Some(Fen::ZERO));
    let kinds = |c: &str| v.recognition_kind(c).unwrap();
    assert_eq!(
        casting.recognitions,
        [
            Recognition { kind: kinds("innovative_sme"), year: 2021 },
            Recognition { kind: kinds("specialized_city"), year: 2023 }
        ]
    );

    let food = d.find(&uscc(3)).unwrap();
    let e = food.enterprise;
    assert_eq!((e.chain, e.stage, &e.town, e.strategic_emerging, e.established), (None, None, &None, None, None));
    assert!(food.annual.is_empty());
    assert_eq!(food.projects.len(), 2);
    assert_eq!(food.projects[0].project_id, "XM2023-001");
    assert_eq!(food.projects[0].category, v.project_category("digital"));
    assert_eq!(food.projects[0].fixed_asset_investment, Some(Fen::yuan(3_000_000)));
    assert_eq!((food.projects[0].start_year, food.projects[0].completed_year), (Some(2022), Some(2023)));
    assert_eq!(food.projects[1].category, None);
    assert_eq!(food.projects[1].completed_year, None);
}

#[test]
fn english_and_chinese_headers_give_the_same_dataset() {
    assert_eq!(read_csv(&as_refs(&english())), read_csv(&as_refs(&chinese())));
}

#[test]
fn a_utf8_bom_is_skipped() {
    let plain = read_csv(&as_refs(&english()));
    let with_bom: Vec<(&str, Vec<u8>)> =
        english().into_iter().map(|(n, t)| (n, [b"\xEF\xBB\xBF".as_slice(), t.as_bytes()].concat())).collect();
    let files: Vec<(&str, &[u8])> = with_bom.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let dir = folder(&files);
    assert_eq!(read(dir.path()).unwrap(), plain);
}

#[test]
fn gb18030_files_from_excel_are_decoded() {
    let plain = read_csv(&as_refs(&chinese()));
    let encoded: Vec<(&str, Vec<u8>)> = chinese()
        .into_iter()
        .map(|(n, t)| {
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&t);
            assert!(!unmappable);
            assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
            (n, bytes.into_owned())
        })
        .collect();
    let files: Vec<(&str, &[u8])> = encoded.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let dir = folder(&files);
    assert_eq!(read(dir.path()).unwrap(), plain);
}

#[test]
fn gb18030_errors_are_reported_in_chinese() {
    let text = format!("统一社会信用代码,企业名称,产业链\n{},恒达钢铁,钢铁厂\n", u(1));
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    let dir = folder(&[("企业.csv", &bytes)]);
    let lines = error_lines(dir.path());
    assert_eq!(
        lines,
        ["企业:2:产业链: 钢铁厂: 未知的产业链（应为 钢铁、化工、建材、装备制造、铸造、食品、废旧物资综合利用）"]
    );
}

#[test]
fn a_file_in_neither_encoding_is_refused_whole() {
    // 0xFF is neither UTF-8 nor GB18030.
    let dir = folder(&[("enterprises.csv", b"uscc,name\n91140525MA0L00001M,\xFF\n")]);
    match read(dir.path()) {
        Err(ReadError::NotADataset(m)) => {
            assert!(m.contains("文字编码无法识别（不是 UTF-8、GBK/GB18030 或 UTF-16）"), "{m}");
            assert!(m.contains("另存为“CSV UTF-8（逗号分隔）”"), "{m}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_utf8_after_a_bom_is_a_data_error() {
    let mut bytes = b"\xEF\xBB\xBFuscc,name\n".to_vec();
    bytes.extend_from_slice(format!("{},good\n{},", u(1), u(2)).as_bytes());
    bytes.extend_from_slice(b"\x80bad\n");
    let dir = folder(&[("enterprises.csv", &bytes)]);
    assert_eq!(error_lines(dir.path()), ["企业:3:企业名称: : 含有无效的 UTF-8 字节（文件以 UTF-8 BOM 开头）"]);
}

#[test]
fn bad_utf8_in_a_header_after_a_bom_is_reported_and_the_other_columns_read() {
    let mut bytes = b"\xEF\xBB\xBFuscc,name,col\xFF\n".to_vec();
    bytes.extend_from_slice(format!("{},good,\n", u(1)).as_bytes());
    let dir = folder(&[("enterprises.csv", &bytes)]);
    assert_eq!(
        error_lines(dir.path()),
        [
            "企业:1:col\u{fffd}: col\u{fffd}: 未知的列（可用的列：统一社会信用代码、企业名称、产业链、环节、乡镇、行业代码、战略性新兴产业、成立日期、入链年份）",
            "企业:1:col\u{fffd}: : 含有无效的 UTF-8 字节（文件以 UTF-8 BOM 开头）",
        ]
    );
}

#[test]
fn optional_sheets_may_be_absent_and_other_files_are_ignored() {
    let d = read_csv(&[
        ("enterprises.csv", &format!("uscc,name\n{},甲\n", u(1))),
        ("README.md", "not a sheet"),
        ("说明.docx", "not a sheet"),
        (".hidden.csv", "anything,at all\n"),
    ]);
    assert_eq!(d.len(), 1);
    assert_eq!((d.annual_count(), d.recognition_count(), d.project_count()), (0, 0, 0));
}

#[test]
fn a_data_file_under_a_name_no_sheet_has_is_refused_never_ignored() {
    let enterprises = format!("uscc,name\n{},甲\n", u(1));
    let dir = folder(&[
        ("enterprises.csv", enterprises.as_bytes()),
        ("README.txt", b"not a sheet"),
        ("notes.csv", b"anything,at all\n"),
    ]);
    let Err(ReadError::NotADataset(m)) = read(dir.path()) else { panic!("expected a refusal") };
    let lines: Vec<&str> = m.lines().collect();
    assert_eq!(lines.len(), 2, "every file at once: {m}");
    assert!(lines[0].starts_with("文件夹中的“README.txt”不是可识别的表名，未读取：请改名为 企业.csv、"), "{m}");
    assert!(lines[1].starts_with("文件夹中的“notes.csv”不是可识别的表名，未读取"), "{m}");
}

#[test]
fn blank_rows_are_skipped_and_rows_are_lines() {
    // Line 3 is an empty line, line 4 blank cells, lines 5-6 a cell across two lines (refused:
    // a name is one line), line 7 the error.
    let text = format!("uscc,name\n{},甲\n\n , \n{},\"乙\n公司\"\n{},丙\n", u(1), u(2), "bad");
    let lines = csv_errors(&[("enterprises.csv", &text)]);
    assert_eq!(
        lines,
        [
            "企业:5:企业名称: 乙\\n公司: 内容中有换行：名称、编号等须写在一行内，请删去换行",
            "企业:7:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）"
        ]
    );
    let ok = read_csv(&[("enterprises.csv", &format!("uscc,name\n{},甲\n\n,\n{},\"乙 公司\"\n", u(1), u(2)))]);
    assert_eq!(ok.len(), 2);
    assert_eq!(ok.find(&uscc(2)).unwrap().enterprise.name, "乙 公司");
}

#[test]
fn headers_and_values_are_trimmed_and_english_headers_any_case() {
    let d = read_csv(&[(
        "Enterprises.csv",
        &format!(" USCC , Name ,Chain\n  {} ,  甲公司  , steel \n", u(1).to_lowercase()),
    )]);
    let e = &d.enterprises()[0];
    assert_eq!((e.uscc, e.name.as_str(), e.chain), (uscc(1), "甲公司", d.vocabulary().chain("steel")));
}

#[test]
fn an_unknown_column_is_reported_with_a_suggestion_when_close() {
    let lines = csv_errors(&[
        ("enterprises.csv", &format!("uscc,name,colour,industy_code\n{},甲,red,C3110\n", u(1))),
        ("annual.csv", &format!("uscc,year,revenu\n{},2023,5\n", u(1))),
    ]);
    assert_eq!(
        lines,
        [
            "企业:1:colour: colour: 未知的列（可用的列：统一社会信用代码、企业名称、产业链、环节、乡镇、行业代码、战略性新兴产业、成立日期、入链年份）",
            "企业:1:industy_code: industy_code: 未知的列（是否应为 industry_code？）",
            "年度数据:1:revenu: revenu: 未知的列（是否应为 revenue？）",
        ]
    );
}

#[test]
fn missing_and_repeated_columns() {
    let lines = csv_errors(&[
        ("enterprises.csv", &format!("uscc,chain,产业链\n{},steel,钢铁\n", u(1))),
        ("认定.csv", &format!("统一社会信用代码,认定年度\n{},2023\n", u(1))),
    ]);
    assert_eq!(
        lines,
        [
            "企业:1:产业链: 产业链: 重复的列（与第B列“chain”相同）",
            "企业:1:企业名称: : 缺少必需的列“企业名称”：请在表头行加上这一列",
            "认定:1:认定类型: : 缺少必需的列“认定类型”：请在表头行加上这一列",
        ]
    );
}

#[test]
fn values_under_no_header_are_errors_but_empty_trailing_columns_are_not() {
    let lines =
        csv_errors(&[("enterprises.csv", &format!("uscc,name,\n{0},甲,,\n{1},乙,x\n{2},丙,,y\n", u(1), u(2), u(3)))]);
    assert_eq!(lines, ["企业:3:C: x: 该列没有表头", "企业:4:D: y: 该列没有表头"]);
}

#[test]
fn every_kind_of_value_error() {
    let lines = csv_errors(&[
        (
            "enterprises.csv",
            &format!(
                "uscc,name,chain,stage,town,industry_code,strategic_emerging,established,chain_joined_year\n\
                 {0},甲,steel,粗钢,,C3120,false,2008-03-15,2022\n\
                 91140525MA0L00001N,错误校验码公司,,,,,,,\n\
                 {1},,food,粗钢,,31101,maybe,2008-02-30,1948\n\
                 {2},丙,,粗钢,,C0511,,2008/3/15,2101\n\
                 {3},丁,钢,高炉,,,,,\n\
                 {0},重复公司,,,,,,,\n",
                u(1),
                u(2),
                u(3),
                u(4)
            ),
        ),
        (
            "annual.csv",
            &format!(
                "uscc,year,revenue,above_scale,local_procurement,total_procurement,rd_expense\n\
                 {0},2023,-5,true,10,20,1.005\n\
                 {0},2023,100,maybe,30,20,abc\n\
                 {1},23,,,,,\n\
                 {0},,1e5,,,,\n",
                u(1),
                u(9)
            ),
        ),
        (
            "recognitions.csv",
            // The same recognition twice (once by its Chinese name) is an error; another year is not.
            &format!(
                "uscc,kind,year\n{0},gold_medal,2023\n{0},,2023\n{0},innovative_sme,2022\n{0},创新型中小企业,2022\n\
                 {0},innovative_sme,2024\n",
                u(1)
            ),
        ),
        (
            "projects.csv",
            &format!(
                "project_id,uscc,name,category,fixed_asset_investment,start_year,completed_year\n\
                 P1,{0},项目一,digital,100,2023,2022\n\
                 P1,{0},项目二,robots,12,50,2023,x\n\
                 ,{0},,,,,\n",
                u(1)
            ),
        ),
    ]);
    let expected = "\
        企业:3:统一社会信用代码: 91140525MA0L00001N: 校验码错误：应为“M”，实为“N”
        企业:4:企业名称: : 不能为空
        企业:4:环节: 粗钢: 不是食品产业链的环节（可用：农牧产品养殖种植、农牧产品加工、农牧产品研发、仓储销售）
        企业:4:行业代码: 31101: 行业代码应为门类字母加2至4位数字（如 C3110）或2至4位数字（如 3110）
        企业:4:战略性新兴产业: maybe: 应填“是”或“否”
        企业:4:成立日期: 2008-02-30: 不是有效的日期
        企业:4:入链年份: 1948: 年份应在1949至2100之间
        企业:5:环节: 粗钢: 填写环节时须同时填写产业链
        企业:5:行业代码: C0511: 制造业（C）的大类应在13至43之间
        企业:5:入链年份: 2101: 年份应在1949至2100之间
        企业:6:产业链: 钢: 未知的产业链（应为 钢铁、化工、建材、装备制造、铸造、食品、废旧物资综合利用）
        企业:7:统一社会信用代码: {u1}: 统一社会信用代码重复（第2行已有）
        年度数据:2:营业收入: -5: 金额不能为负数
        年度数据:2:研发投入: 1.005: 金额最多保留两位小数（分）
        年度数据:3:年度: 2023: 该企业2023年的数据重复（第2行已有）
        年度数据:3:规上企业: maybe: 应填“是”或“否”
        年度数据:3:本地配套采购额: 30: 本地配套采购额大于配套采购总额（20）
        年度数据:3:研发投入: abc: 不是金额：应为以元为单位的数字，如 12500000 或 12,500,000.00
        年度数据:4:统一社会信用代码: {u9}: 企业表中没有这家企业：请先在企业表中添加它，或检查统一社会信用代码是否填错
        年度数据:4:年度: 23: 年份应为四位数字，如 2023
        年度数据:5:年度: : 不能为空
        年度数据:5:营业收入: 1e5: 这是科学计数法（Excel 把长数字显示成这样，后面的位数已丢失）：请在 Excel 中把该列设为“数值”格式后重新保存
        认定:2:认定类型: gold_medal: 未知的认定类型（应为 创新型中小企业、市级专精特新、省级专精特新\"小巨人\"、国家级专精特新\"小巨人\"、省级制造业单项冠军、国家级制造业单项冠军、省级企业技术中心、国家级企业技术中心）
        认定:3:认定类型: : 不能为空
        认定:5:认定年度: 2022: 该企业2022年的同一认定重复（第4行已有）
        项目:2:竣工投产年度: 2022: 竣工投产年度早于开工年度（2023）
        项目:3:项目编号: P1: 项目编号重复（第2行已有）
        项目:3:项目类别: robots: 未知的项目类别（应为 工业转型强基、节能降耗减排技术改造、智能化数字化改造、其他）
        项目:3:开工年度: 50: 年份应为四位数字，如 2023
        项目:3:H: x: 该列没有表头
        项目:4:项目编号: : 不能为空
        项目:4:项目名称: : 不能为空"
        .replace("{u1}", &u(1))
        .replace("{u9}", &u(9));
    let expected: Vec<&str> = expected.lines().map(str::trim_start).collect();
    assert_eq!(lines, expected, "\n{}", lines.join("\n"));
}

#[test]
fn the_lead_example_line() {
    let lines = csv_errors(&[
        ("enterprises.csv", &format!("uscc,name\n{},甲\n", u(1))),
        ("annual.csv", &format!("uscc,year,revenue\n{},2023,-5\n", u(1))),
    ]);
    assert_eq!(lines, ["年度数据:2:营业收入: -5: 金额不能为负数"]);
}

#[test]
fn rows_of_an_enterprise_with_an_invalid_row_are_not_unknown() {
    // The enterprise's row has an error, but its USCC is known: no cascade in other sheets.
    let lines = csv_errors(&[
        ("enterprises.csv", &format!("uscc,name,chain\n{},甲,nope\n", u(1))),
        ("annual.csv", &format!("uscc,year\n{0},2022\n{0},2023\n", u(1))),
    ]);
    assert_eq!(lines.len(), 1, "{lines:?}");
}

#[test]
fn without_a_uscc_column_references_are_not_checked_row_by_row() {
    let lines = csv_errors(&[
        ("enterprises.csv", "name\n甲\n"),
        ("annual.csv", &format!("uscc,year\n{0},2022\n{0},2023\n", u(1))),
    ]);
    assert_eq!(lines, ["企业:1:统一社会信用代码: : 缺少必需的列“统一社会信用代码”：请在表头行加上这一列"]);
}

#[test]
fn many_errors_are_all_reported_in_order() {
    // Enough rows for many batches of the parallel reader.
    let n = 5000;
    let mut text = String::from("uscc,name\n");
    let mut annual = String::from("uscc,year,revenue\n");
    for i in 0..n {
        text.push_str(&format!("{},企业{i}\n", u(i)));
        for year in [2021, 2022, 2023] {
            let revenue = if i % 100 == 0 && year == 2023 { "-1" } else { "1" };
            annual.push_str(&format!("{},{year},{revenue}\n", u(i)));
        }
    }
    text.push_str("bad,\n");
    annual.push_str(&format!("{},2021,5\n", u(7)));
    let lines = csv_errors(&[("enterprises.csv", &text), ("annual.csv", &annual)]);
    assert_eq!(lines.len(), 2 + 50 + 1);
    assert_eq!(lines[0], format!("企业:{}:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）", n + 2));
    assert_eq!(lines[1], format!("企业:{}:企业名称: : 不能为空", n + 2));
    assert_eq!(lines[2], "年度数据:4:营业收入: -1: 金额不能为负数");
    assert_eq!(lines[3], "年度数据:304:营业收入: -1: 金额不能为负数");
    assert_eq!(lines[51], format!("年度数据:{}:营业收入: -1: 金额不能为负数", 3 * 4900 + 4));
    assert_eq!(lines[52], format!("年度数据:{}:年度: 2021: 该企业2021年的数据重复（第23行已有）", 3 * n + 2));
}

#[test]
fn a_large_valid_folder_reads_whole() {
    let n = 3000;
    let mut text = String::from("uscc,name\n");
    let mut annual = String::from("uscc,year,revenue\n");
    // Enterprises in reverse order, annual rows by year: nothing is sorted as the model is.
    for i in (0..n).rev() {
        text.push_str(&format!("{},企业{i}\n", u(i)));
    }
    for year in [2023, 2021, 2022] {
        for i in 0..n {
            annual.push_str(&format!("{},{year},{}\n", u(i), i * 100 + year as u32));
        }
    }
    let d = read_csv(&[("enterprises.csv", &text), ("annual.csv", &annual)]);
    assert_eq!((d.len(), d.annual_count()), (n as usize, 3 * n as usize));
    for facts in d.iter() {
        let i: u32 = facts.enterprise.name.trim_start_matches("企业").parse().unwrap();
        assert_eq!(facts.enterprise.uscc, uscc(i));
        let got: Vec<(Year, Option<Fen>)> = facts.annual.iter().map(|r| (r.year, r.revenue)).collect();
        let want: Vec<(Year, Option<Fen>)> =
            [2021, 2022, 2023].iter().map(|&y| (y, Some(Fen::yuan(i64::from(i) * 100 + y as i64)))).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn not_a_dataset() {
    let dir = folder(&[("annual.csv", b"uscc,year\n")]);
    assert!(matches!(read(dir.path()), Err(ReadError::NotADataset(_))));
    let file = dir.path().join("annual.csv");
    assert!(matches!(read(&file), Err(ReadError::NotADataset(_))));
    assert!(matches!(read(&dir.path().join("missing")), Err(ReadError::Io { .. })));
    let both = folder(&[("enterprises.csv", b"uscc,name\n"), ("企业.csv", b"uscc,name\n")]);
    assert!(matches!(read(both.path()), Err(ReadError::NotADataset(_))));
}

#[test]
fn an_empty_enterprises_file_lacks_its_columns_and_an_empty_dataset_is_fine() {
    assert_eq!(
        csv_errors(&[("enterprises.csv", "")]),
        [
            "企业:1:统一社会信用代码: : 缺少必需的列“统一社会信用代码”：请在表头行加上这一列",
            "企业:1:企业名称: : 缺少必需的列“企业名称”：请在表头行加上这一列"
        ]
    );
    let d = read_csv(&[("enterprises.csv", "uscc,name\n"), ("annual.csv", "")]);
    assert!(d.is_empty());
}

#[test]
fn the_display_of_read_errors() {
    let dir = folder(&[("enterprises.csv", b"uscc,name\nbad,x\n")]);
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.to_string(), "数据有 1 处错误：\n企业:2:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）");
}

/// One invalid dataset, with LF line endings: quoted cells across lines (refused: a name is one
/// line), blank lines (empty and blank cells), and no line break after the last row of
/// `annual.csv`.
fn rows_dataset() -> Vec<(&'static str, String)> {
    vec![
        (
            "enterprises.csv",
            // Row 2 spans lines 2-3, line 5 is empty, row 6 spans lines 6-8.
            format!(
                "uscc,name,chain\n{},\"甲\n公司\",nope\n{},乙,steel\n\n{},\"丙\n\n公司\",steel\nbad,丁,\n",
                u(1),
                u(2),
                u(3)
            ),
        ),
        // Row 3 is empty; row 5 ends the file without a line break.
        ("annual.csv", format!("uscc,year,revenue\n{0},2022,1\n\n{0},1800,5\n{1},2023,-5", u(1), u(2))),
        // Rows 3 and 4 are blank (an empty line, blank cells).
        ("recognitions.csv", format!("uscc,kind,year\n{0},innovative_sme,2021\n\n , ,\n{0},gold_medal,2023\n", u(1))),
        // The first data row is bad.
        ("projects.csv", format!("project_id,uscc,name\n,{},项目\nP2,{},\n", u(1), u(2))),
    ]
}

/// The errors of `rows_dataset`, at the line each row starts on (the header is line 1).
const ROWS_ERRORS: &str = "\
    企业:2:企业名称: 甲\\n公司: 内容中有换行：名称、编号等须写在一行内，请删去换行
    企业:2:产业链: nope: 未知的产业链（应为 钢铁、化工、建材、装备制造、铸造、食品、废旧物资综合利用）
    企业:6:企业名称: 丙\\n\\n公司: 内容中有换行：名称、编号等须写在一行内，请删去换行
    企业:9:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）
    年度数据:4:年度: 1800: 年份应在1949至2100之间
    年度数据:5:营业收入: -5: 金额不能为负数
    认定:5:认定类型: gold_medal: 未知的认定类型（应为 创新型中小企业、市级专精特新、省级专精特新\"小巨人\"、国家级专精特新\"小巨人\"、省级制造业单项冠军、国家级制造业单项冠军、省级企业技术中心、国家级企业技术中心）
    项目:2:项目编号: : 不能为空
    项目:3:项目名称: : 不能为空";

/// An LF text as written with the line endings and encoding of `label`. With CRLF, every line
/// break becomes CRLF, those inside quoted cells too (as some writers do).
fn written(label: &str, text: &str) -> Vec<u8> {
    let crlf = text.replace('\n', "\r\n");
    match label {
        "LF" => text.as_bytes().to_vec(),
        "CRLF" => crlf.into_bytes(),
        "BOM CRLF" => [b"\xEF\xBB\xBF".as_slice(), crlf.as_bytes()].concat(),
        "GB18030 CRLF" => encoding_rs::GB18030.encode(&crlf).0.into_owned(),
        _ => unreachable!("{label}"),
    }
}

#[test]
fn rows_are_the_same_with_lf_crlf_a_bom_and_gb18030() {
    for label in ["LF", "CRLF", "BOM CRLF", "GB18030 CRLF"] {
        // The line breaks inside a cell are shown as written.
        let eol = if label == "LF" { "\\n" } else { "\\r\\n" };
        let expected: Vec<String> = ROWS_ERRORS.lines().map(|l| l.trim_start().replace("\\n", eol)).collect();
        let files: Vec<(&str, Vec<u8>)> = rows_dataset().iter().map(|(n, t)| (*n, written(label, t))).collect();
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        let dir = folder(&files);
        let lines = error_lines(dir.path());
        assert_eq!(lines, expected, "{label}:\n{}", lines.join("\n"));
    }
}

#[test]
fn the_reported_crlf_examples() {
    // The same bad year on row 3, and a bad first data row on row 2, with either line ending.
    for eol in ["\n", "\r\n"] {
        let annual = format!("uscc,year\n{0},2022\n{0},1800\n", u(1)).replace('\n', eol);
        let projects = format!("project_id,uscc,name\nP1,{},\n", u(1)).replace('\n', eol);
        let lines = csv_errors(&[
            ("enterprises.csv", &format!("uscc,name\n{},甲\n", u(1))),
            ("annual.csv", &annual),
            ("projects.csv", &projects),
        ]);
        assert_eq!(lines, ["年度数据:3:年度: 1800: 年份应在1949至2100之间", "项目:2:项目名称: : 不能为空"], "{eol:?}");
    }
}

#[test]
fn empty_lines_before_the_header_are_rows_too() {
    for eol in ["\n", "\r\n"] {
        let text = "\nuscc,name,colour\n\nbad,甲,\n".replace('\n', eol);
        assert_eq!(
            csv_errors(&[("enterprises.csv", &text)]),
            [
                "企业:2:colour: colour: 未知的列（可用的列：统一社会信用代码、企业名称、产业链、环节、乡镇、行业代码、战略性新兴产业、成立日期、入链年份）",
                "企业:4:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）",
            ],
            "{eol:?}"
        );
    }
}

#[test]
fn rows_are_right_across_the_reader_buffer_with_crlf() {
    // Many rows, one cell longer than the reader's buffer across lines, blank lines: the rows
    // cross many buffer refills at every offset.
    let n = 3000;
    let mut text = String::from("uscc,name\r\n");
    for i in 0..n {
        text.push_str(&format!("{},企业{i}\r\n", u(i)));
        if i % 7 == 0 {
            text.push_str("\r\n");
        }
    }
    // The long record comes after the header, n rows and n / 7 (rounded up) empty lines; it
    // spans three lines.
    let long = "长".repeat(5000);
    text.push_str(&format!("{},\"{long}\r\n{long}\r\n\"\r\nbad,x\r\n", u(n)));
    let row = n + n.div_ceil(7) + 2;
    let lines = csv_errors(&[("enterprises.csv", &text)]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with(&format!("企业:{row}:企业名称: 长长")), "{}", lines[0]);
    assert!(lines[0].ends_with(": 内容中有换行：名称、编号等须写在一行内，请删去换行"), "{}", lines[0]);
    assert_eq!(lines[1], format!("企业:{}:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）", row + 3));
}

#[test]
fn bad_utf8_after_a_bom_keeps_its_row_with_crlf() {
    // The bad record spans lines 3-4, so the row after it is line 5.
    let mut bytes = format!("\u{feff}uscc,name\r\n{},good\r\n{},\"", u(1), u(2)).into_bytes();
    bytes.extend_from_slice(b"\x80bad\r\nstill\"\r\nbad,x\r\n");
    let dir = folder(&[("enterprises.csv", &bytes)]);
    assert_eq!(
        error_lines(dir.path()),
        [
            "企业:3:企业名称: : 含有无效的 UTF-8 字节（文件以 UTF-8 BOM 开头）",
            "企业:5:统一社会信用代码: bad: 统一社会信用代码应为18位（实为3位）"
        ]
    );
}

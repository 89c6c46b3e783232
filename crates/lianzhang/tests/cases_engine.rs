//! The engine's cases of issue 8 through the real binary, with the right values of their
//! READMEs (`tests/data/cases/<case>/README.md`): one fact one value (20), explanations at the
//! precision that decides (12), amounts typed in 万元 (06) and the same data corrected to yuan.
use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cases").join(name)
}

/// Runs `lianzhang ARGS` in the case folder: (exit success, stdout, stderr).
fn run(name: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::cargo_bin("lianzhang").expect("binary").current_dir(case(name)).args(args).output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn assess(name: &str, year: &str) -> (Value, String) {
    let (ok, stdout, stderr) = run(name, &["assess", "--data", ".", "--year", year, "--format", "json"]);
    assert!(ok, "{stderr}");
    (serde_json::from_str(&stdout).unwrap(), stderr)
}

/// (year, uscc, rule, project) → (status, amount) of one year's JSON object.
type Table = BTreeMap<(i64, String, String, Option<String>), (String, Option<String>)>;

fn table(year_object: &Value, into: &mut Table) {
    let year = year_object["year"].as_i64().unwrap();
    for o in year_object["outcomes"].as_array().unwrap() {
        let key = (
            year,
            o["uscc"].as_str().unwrap().to_string(),
            o["rule"].as_str().unwrap().to_string(),
            o["project_id"].as_str().map(str::to_string),
        );
        into.insert(key, (o["status"].as_str().unwrap().to_string(), o["amount"].as_str().map(str::to_string)));
    }
}

fn get<'t>(
    t: &'t Table,
    year: i64,
    uscc: &str,
    rule: &str,
    project: Option<&str>,
) -> Option<(&'t str, Option<&'t str>)> {
    t.get(&(year, uscc.to_string(), rule.to_string(), project.map(str::to_string)))
        .map(|(s, a)| (s.as_str(), a.as_deref()))
}

fn explanation<'v>(year_object: &'v Value, uscc: &str, rule: &str) -> &'v str {
    year_object["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["uscc"] == uscc && o["rule"] == rule)
        .and_then(|o| o["explanation"].as_str())
        .unwrap_or_else(|| panic!("no outcome {uscc} {rule}"))
}

const E20_A: &str = "911405256112579727";
const E20_B: &str = "91140525633555612R";
const E20_C: &str = "91140525876139306Q";

#[test]
fn case_20_one_fact_one_value_over_a_range_of_years() {
    let (v, _) = assess("20-one-fact-one-value", "2022..2025");
    let years: Vec<i64> = v.as_array().unwrap().iter().map(|y| y["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2022, 2023, 2024, 2025]);
    let mut t = Table::new();
    for y in v.as_array().unwrap() {
        table(y, &mut t);
    }
    let review = Some(("needs_review", None));
    // est. 2020, rows from 2022: the 2022 entry is unknown, and so are the retentions built on it.
    assert_eq!(get(&t, 2022, E20_A, "above_scale_entry", None), review);
    assert_eq!(get(&t, 2024, E20_A, "above_scale_retained_2y", None), review);
    assert_eq!(get(&t, 2025, E20_A, "above_scale_retained_3y", None), review);
    // est. 2021-09, rows from 2023: 2022 (no row) is unknown, never assumed "not above scale".
    assert_eq!(get(&t, 2023, E20_B, "above_scale_entry", None), review);
    assert_eq!(get(&t, 2024, E20_B, "above_scale_retained_2y", None), review);
    assert_eq!(get(&t, 2025, E20_B, "above_scale_retained_2y", None), review);
    assert_eq!(get(&t, 2025, E20_B, "above_scale_retained_3y", None), review);
    // The control case.
    assert_eq!(get(&t, 2022, E20_C, "above_scale_entry", None), Some(("award", Some("100000.00"))));
    assert_eq!(get(&t, 2024, E20_C, "above_scale_retained_2y", None), Some(("award", Some("50000.00"))));
    // Nothing else is awarded, in any year.
    let awards: Vec<_> = t.iter().filter(|(_, (s, _))| s == "award").map(|(k, _)| k.clone()).collect();
    assert_eq!(awards.len(), 2, "{awards:?}");
    let totals: Vec<&str> = v.as_array().unwrap().iter().map(|y| y["total"].as_str().unwrap()).collect();
    assert_eq!(totals, ["100000.00", "0.00", "50000.00", "0.00"]);
    // The explanation names the entry year in words, not as a variable.
    let text = explanation(&v[2], E20_A, "above_scale_retained_2y");
    assert!(text.contains("首次纳入年度：须为2022年"), "{text}");
    assert!(!text.contains("E ="), "{text}");
}

const E12_P: &str = "91140525107930945P";

#[test]
fn case_12_amounts_are_exact_and_figures_decide_at_their_precision() {
    let (v, _) = assess("12-explanation-precision", "2023");
    assert_eq!(v["total"], "6001246.93");
    let mut t = Table::new();
    table(&v, &mut t);
    let award = |a| Some(("award", Some(a)));
    assert_eq!(get(&t, 2023, "911405250302940701", "project_subsidy", Some("XM-A")), award("12.35"));
    assert_eq!(get(&t, 2023, "91140525156045790T", "project_subsidy", Some("XM-B")), award("1000000.01"));
    assert_eq!(get(&t, 2023, "911405251925617177", "project_subsidy", Some("XM-E")), award("1000000.00"));
    assert_eq!(get(&t, 2023, "911405251925617177", "project_subsidy", Some("XM-E2")), None);
    assert_eq!(get(&t, 2023, "91140525671877380B", "project_subsidy", Some("XM-F")), award("2000000.00"));
    assert_eq!(get(&t, 2023, "91140525671877380B", "project_subsidy", Some("XM-F2")), award("2000000.00"));
    assert_eq!(get(&t, 2023, "91140525676336065K", "local_sourcing_increase", None), award("1234.57"));
    assert_eq!(get(&t, 2023, E12_P, "local_sourcing_increase", None), None);
    // No plausibility finding: a 123.45-yuan digital project is small, not doubtful.
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    // Where a fen matters, it is shown, with the rounding.
    let xm_a = t.keys().find(|k| k.3.as_deref() == Some("XM-A")).unwrap();
    let text = v["outcomes"].as_array().unwrap().iter().find(|o| o["project_id"] == "XM-A").unwrap()["explanation"]
        .as_str()
        .unwrap();
    assert!(text.contains("123.45元 × 10% = 12.345元，四舍五入为12.35元"), "{xm_a:?}: {text}");
    let text = v["outcomes"].as_array().unwrap().iter().find(|o| o["project_id"] == "XM-B").unwrap()["explanation"]
        .as_str()
        .unwrap();
    assert!(text.contains("10,000,000.05元 ≥ 1,000万元"), "{text}");
    // Round figures in 万元.
    let text = v["outcomes"].as_array().unwrap().iter().find(|o| o["project_id"] == "XM-F2").unwrap()["explanation"]
        .as_str()
        .unwrap();
    assert!(text.contains("超过单个项目上限按200万元"), "{text}");

    // explain: the rise of 4.999 points is shown as 4.999, with the rates that give it.
    let (ok, text, stderr) =
        run("12-explanation-precision", &["explain", "--data", ".", "--year", "2023", "--uscc", E12_P]);
    assert!(ok, "{stderr}");
    assert!(text.contains("38.335%"), "{text}");
    assert!(text.contains("33.336%"), "{text}");
    assert!(text.contains("4.999 个百分点 ＜ 5 个百分点"), "{text}");
    assert!(!text.contains("5.00 个百分点 ＜"), "{text}");
    // No rule ids or variable names where a clerk reads.
    assert!(!text.contains("local_sourcing_increase"), "{text}");
    assert!(!text.contains("E ="), "{text}");
    let (ok, json, _) = run(
        "12-explanation-precision",
        &["explain", "--data", ".", "--year", "2023", "--uscc", E12_P, "--format", "json"],
    );
    assert!(ok);
    let j: Value = serde_json::from_str(&json).unwrap();
    let sourcing = j["rules"].as_array().unwrap().iter().find(|r| r["rule"] == "local_sourcing_increase").unwrap();
    assert_eq!(sourcing["finding"], "not_eligible");
    assert!(sourcing["explanation"].as_str().unwrap().contains("4.999 个百分点 ＜ 5"), "{sourcing}");
}

const E06_1: &str = "911405251477251294";
const E06_2: &str = "91140525589042341J";

#[test]
fn case_06_amounts_in_wanyuan_need_review_naming_the_suspicion() {
    let (v, stderr) = assess("06-amounts-in-wanyuan", "2023");
    let mut t = Table::new();
    table(&v, &mut t);
    for (uscc, rule, project) in [
        (E06_1, "chain_master_revenue_300m", None),
        (E06_1, "local_sourcing_increase", None),
        (E06_2, "above_scale_entry", None),
        (E06_2, "project_subsidy", Some("XM-2023-01")),
    ] {
        assert_eq!(get(&t, 2023, uscc, rule, project), Some(("needs_review", None)), "{uscc} {rule}");
        let o = v["outcomes"].as_array().unwrap().iter().find(|o| o["uscc"] == uscc && o["rule"] == rule).unwrap();
        assert!(o["explanation"].as_str().unwrap().contains("疑似按万元填报"), "{o}");
    }
    // Nothing is paid on the doubtful rows: no 32-yuan sourcing subsidy.
    assert_eq!(v["total"], "0.00");
    assert!(t.values().all(|(s, _)| s != "award"), "{t:?}");
    // One finding per cause (the 2023 row of each enterprise), with the facts and values.
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    let f1 = findings.iter().find(|f| f["uscc"] == E06_1).unwrap();
    assert_eq!(f1["check"], "unit_jump");
    assert_eq!(f1["year"], 2023);
    let fields: Vec<&str> =
        f1["facts"].as_array().unwrap().iter().map(|i| i["fact"]["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"revenue") && fields.contains(&"local_procurement"), "{fields:?}");
    let revenue = f1["facts"].as_array().unwrap().iter().find(|i| i["fact"]["field"] == "revenue").unwrap();
    assert_eq!(revenue["raw"], "31000.00");
    assert_eq!(revenue["text"], "3.1万元");
    // Located as sheet:row:column (the header is row 1), in the order of `facts`.
    assert_eq!(f1["locations"][0], "年度数据:3:营业收入");
    let f2 = findings.iter().find(|f| f["uscc"] == E06_2).unwrap();
    assert!(f2["locations"].as_array().unwrap().iter().any(|l| l == "项目:2:固定资产投资"), "{f2}");
    let project = f2["facts"].as_array().unwrap().iter().find(|i| i["fact"]["project_id"] == "XM-2023-01");
    assert!(project.is_some(), "{f2}");
    // Warnings on stderr, in Chinese, naming enterprise, year, field and value; exit status 0.
    assert!(stderr.contains("数据疑点"), "{stderr}");
    assert!(stderr.contains("泽州县宏远钢铁有限公司"), "{stderr}");
    assert!(stderr.contains("年度数据:3:营业收入: 3.1万元"), "{stderr}");
    assert!(stderr.contains("疑似按万元填报"), "{stderr}");
}

#[test]
fn case_06_corrected_to_yuan_pays_what_the_readme_says() {
    let (v, stderr) = assess("06-amounts-in-yuan-corrected", "2023");
    let mut t = Table::new();
    table(&v, &mut t);
    let award = |a| Some(("award", Some(a)));
    assert_eq!(get(&t, 2023, E06_1, "chain_master_revenue_300m", None), award("100000.00"));
    assert_eq!(get(&t, 2023, E06_1, "local_sourcing_increase", None), award("320000.00"));
    assert_eq!(get(&t, 2023, E06_2, "above_scale_entry", None), award("100000.00"));
    assert_eq!(get(&t, 2023, E06_2, "project_subsidy", Some("XM-2023-01")), award("1200000.00"));
    assert_eq!(v["total"], "1720000.00");
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert!(!stderr.contains("数据疑点"), "{stderr}");
    let text = explanation(&v, E06_1, "chain_master_revenue_300m");
    assert!(text.contains("2023年营业收入：3.1亿元 ≥ 3亿元"), "{text}");
    assert!(text.contains("奖励10万元"), "{text}");
}

#[test]
fn a_year_range_is_refused_for_csv_and_a_bad_range_is_a_chinese_error() {
    let (ok, _, stderr) =
        run("20-one-fact-one-value", &["assess", "--data", ".", "--year", "2022..2025", "--format", "csv"]);
    assert!(!ok);
    assert!(stderr.contains("一次一个年度"), "{stderr}");
    let (ok, _, stderr) = run("20-one-fact-one-value", &["assess", "--data", ".", "--year", "2025..2022"]);
    assert!(!ok);
    assert!(stderr.contains("结束年度早于起始年度"), "{stderr}");
}

#[test]
fn policy_show_and_params_list_the_plausibility_checks() {
    let (ok, text, _) = run("06-amounts-in-wanyuan", &["policy", "show"]);
    assert!(ok);
    assert!(text.contains("数据合理性核查"), "{text}");
    assert!(text.contains("在规上企业库而当年营业收入低于2,000万元"), "{text}");
    assert!(text.contains("相差1,000倍以上"), "{text}");
    let (ok, text, _) = run("06-amounts-in-wanyuan", &["policy", "params"]);
    assert!(ok);
    assert!(text.contains("unit_jump.factor"), "{text}");
    // A county changes a threshold for a run (`--set CHECK.PARAM=VALUE`).
    let (ok, json, stderr) = run(
        "06-amounts-in-wanyuan",
        &["assess", "--data", ".", "--year", "2023", "--format", "json", "--set", "unit_jump.factor=100000"],
    );
    assert!(ok, "{stderr}");
    let v: Value = serde_json::from_str(&json).unwrap();
    let checks: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["check"].as_str().unwrap()).collect();
    // Factor 100,000: no unit jump; the above-scale line and the revenue collapse remain.
    assert!(!checks.contains(&"unit_jump"), "{checks:?}");
    assert!(checks.contains(&"above_scale_revenue_below_line"), "{checks:?}");
}

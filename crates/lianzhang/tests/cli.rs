//! End-to-end tests of the `lianzhang` binary: exit codes, stderr of bad input, output shapes.
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("lianzhang").expect("binary")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn assess_json(args: &[&str]) -> Value {
    let out = bin().arg("assess").args(args).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn small_dataset_gives_the_expected_outcomes_as_facts_md_json() {
    let v = assess_json(&["--data", data("small").to_str().unwrap(), "--year", "2023"]);
    assert_eq!(v["policy"], "zezhou-2022-84");
    assert_eq!(v["year"], 2023);
    assert_eq!(v["total"], "1430000.00");
    let got: Vec<(String, String, String, Value)> = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["uscc", "enterprise", "rule", "clause", "status", "amount", "project_id", "explanation"]);
            (
                o["uscc"].as_str().unwrap()[13..].to_string(),
                o["rule"].as_str().unwrap().to_string(),
                o["status"].as_str().unwrap().to_string(),
                o["amount"].clone(),
            )
        })
        .collect();
    let e = |u: &str, r: &str, s: &str, a: Value| (u.to_string(), r.to_string(), s.to_string(), a);
    assert_eq!(
        got,
        vec![
            e("0001M", "chain_master_revenue_300m", "award", "100000.00".into()),
            e("0001M", "local_sourcing_increase", "award", "800000.00".into()),
            e("0002Q", "above_scale_entry", "award", "100000.00".into()),
            e("0002Q", "above_scale_strategic_bonus", "award", "100000.00".into()),
            e("0003U", "project_subsidy", "award", "300000.00".into()),
            e("0003U", "specialized_city", "award", "30000.00".into()),
            e("0004Y", "chain_master_revenue_300m", "needs_review", Value::Null),
            e("0004Y", "local_sourcing_increase", "needs_review", Value::Null),
            e("00052", "rd_referral", "referral", Value::Null),
        ]
    );
    let review = &v["outcomes"][6];
    assert!(review["explanation"].as_str().unwrap().contains("2022年营业收入"), "{review}");
    assert_eq!(v["outcomes"][4]["project_id"], "XM2023-001");
    assert_eq!(v["outcomes"][0]["clause"], "三（一）");
}

#[test]
fn table_output_is_chinese_with_totals() {
    bin()
        .args(["assess", "--data", data("small").to_str().unwrap(), "--year", "2023"])
        .assert()
        .success()
        .stdout(predicate::str::contains("按规则汇总"))
        .stdout(predicate::str::contains("1,430,000.00"))
        .stdout(predicate::str::contains("待核实"))
        .stdout(predicate::str::contains("泽州县恒达钢铁有限公司"));
}

#[test]
fn csv_output_has_a_bom_header_and_one_line_per_outcome() {
    let out = bin()
        .args(["assess", "--data", data("small").to_str().unwrap(), "--year", "2023", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("\u{feff}uscc,enterprise,rule,clause,status,amount,project_id,explanation"));
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(r.records().count(), 9);
}

#[test]
fn xlsx_output_has_a_summary_and_a_sheet_per_status() {
    use calamine::{Reader, open_workbook_auto};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2023.xlsx");
    bin()
        .args(["assess", "--data", data("small").to_str().unwrap(), "--year", "2023", "--format", "xlsx", "--out"])
        .arg(&path)
        .args(["--set", "project_subsidy.cap=250000"])
        .assert()
        .success();
    let mut wb = open_workbook_auto(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["汇总", "奖励", "待核实", "推荐", "已兑现"]);
    let summary = wb.worksheet_range("汇总").unwrap();
    let text: Vec<String> = summary.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(text.iter().any(|c| c == "zezhou-2022-84"));
    assert!(text.iter().any(|c| c.contains("project_subsidy.cap=250000")), "overrides recorded");
    let awards = wb.worksheet_range("奖励").unwrap();
    assert_eq!(awards.height(), 7, "header + 6 awards");
    let amounts: f64 = awards
        .rows()
        .skip(1)
        .filter_map(|r| match r[5] {
            calamine::Data::Float(f) => Some(f),
            _ => None,
        })
        .sum();
    assert_eq!(amounts, 1_380_000.0);
}

#[test]
fn bad_data_lists_every_error_exits_2_and_prints_no_outcome() {
    let out = bin().args(["assess", "--data", data("bad").to_str().unwrap(), "--year", "2023"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    for place in [
        "企业:1:colour:",
        "企业:3:统一社会信用代码: 91140525MA0L00001N:",
        "企业:4:环节: 粗钢:",
        "年度数据:2:营业收入: -5:",
        "年度数据:3:规上企业: maybe:",
        "年度数据:3:本地配套采购额: 30:",
        "年度数据:4:年度: 1800:",
        "年度数据:4:营业收入: abc:",
    ] {
        assert!(err.contains(place), "missing `{place}` in:\n{err}");
    }
}

#[test]
fn an_invalid_override_is_refused_before_any_data_is_read() {
    bin()
        .args(["assess", "--data", "/nonexistent/data", "--year", "2023", "--set", "project_subsidy.capp=1"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("未知参数 `project_subsidy.capp`"))
        .stderr(predicate::str::contains("/nonexistent").not());
}

#[test]
fn policy_check_reports_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = lianzhang_policy_text()
        .replace("fact = \"above_scale\"\nrequires = []", "fact = \"above_scal\"\nrequires = []");
    std::fs::write(&bad, &text).unwrap();
    let line = text.lines().position(|l| l.contains("above_scal\"")).unwrap() + 1;
    bin()
        .args(["policy", "check"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("bad.toml:{line}:8: 未知事实 `above_scal`")));
    let good = dir.path().join("good.toml");
    std::fs::write(&good, lianzhang_policy_text()).unwrap();
    bin().args(["policy", "check"]).arg(&good).assert().success().stdout(predicate::str::contains("有效"));
}

fn lianzhang_policy_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/zezhou-2022.toml")).unwrap()
}

#[test]
fn policy_params_and_show() {
    bin()
        .args(["policy", "params"])
        .assert()
        .success()
        .stdout(predicate::str::contains("above_scale_entry.amount"))
        .stdout(predicate::str::contains("local_sourcing_increase.baseline"))
        .stdout(predicate::str::contains("project_subsidy.cap"));
    bin()
        .args(["policy", "params", "--set", "project_subsidy.cap=1500000"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1500000"));
    bin()
        .args(["policy", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("三（四） 当年首次“小升规”工业企业奖励"))
        .stdout(predicate::str::contains("100,000.00元"));
}

#[test]
fn explain_covers_every_rule_with_reasons() {
    let out = bin()
        .args(["explain", "--data", data("small").to_str().unwrap(), "--year", "2023", "--uscc", "91140525MA0L00002Q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    // Every rule by its Chinese title; no rule id (an English code) where a clerk reads (issue 8).
    for title in [
        "链主企业年度营业收入首次达到3亿元进档奖励",
        "链主企业本地配套率每提高5个百分点补助",
        "当年首次“小升规”工业企业奖励",
        "研发投入达标的规上工业企业",
        "重点技术改造项目补助",
    ] {
        assert!(text.contains(title), "{title} missing:\n{text}");
    }
    for rule in
        ["chain_master_revenue_300m", "local_sourcing_increase", "above_scale_entry", "rd_referral", "project_subsidy"]
    {
        assert!(!text.contains(rule), "{rule} shown:\n{text}");
    }
    assert!(text.contains("【奖励】三（四） 当年首次“小升规”工业企业奖励"), "{text}");
    assert!(text.contains("【不符合】"), "{text}");
    assert!(text.contains("2023年在规上工业企业库：是"), "{text}");
    let json = bin()
        .args([
            "explain",
            "--data",
            data("small").to_str().unwrap(),
            "--year",
            "2023",
            "--uscc",
            "91140525MA0L00002Q",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["rules"].as_array().unwrap().len(), 16);
}

#[test]
fn explain_refuses_a_bad_uscc() {
    bin()
        .args(["explain", "--data", data("small").to_str().unwrap(), "--year", "2023", "--uscc", "91140525MA0L00002X"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("校验码"));
}

#[test]
fn years_before_the_policy_give_no_outcomes() {
    let out = bin()
        .args(["assess", "--data", data("small").to_str().unwrap(), "--year", "2021", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcomes"].as_array().unwrap().len(), 0);
    assert_eq!(v["total"], "0.00");
    assert!(String::from_utf8_lossy(&out.stderr).contains("不适用于2021年度"));
}

#[test]
fn the_demo_as_csv_and_as_xlsx_give_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let csv_dir = dir.path().join("csv");
    let xlsx = dir.path().join("demo.xlsx");
    bin().args(["demo", "--enterprises", "300", "--seed", "7", "--out"]).arg(&csv_dir).assert().success();
    bin().args(["demo", "--enterprises", "300", "--seed", "7", "--chinese", "--out"]).arg(&xlsx).assert().success();
    for year in ["2022", "2023", "2024", "2025"] {
        let a = assess_json(&["--data", csv_dir.to_str().unwrap(), "--year", year]);
        let b = assess_json(&["--data", xlsx.to_str().unwrap(), "--year", year]);
        assert!(!a["outcomes"].as_array().unwrap().is_empty());
        assert_eq!(a, b, "year {year}");
    }
}

#[test]
fn the_readme_command_assesses_the_builtin_demo() {
    let v = assess_json(&["--demo", "--year", "2023"]);
    let outcomes = v["outcomes"].as_array().unwrap();
    assert!(outcomes.len() > 20, "a living county has many outcomes");
    let rules: std::collections::BTreeSet<&str> = outcomes.iter().map(|o| o["rule"].as_str().unwrap()).collect();
    assert!(rules.len() >= 8, "{rules:?}");
    // Deterministic: the same run twice gives the same result.
    assert_eq!(v, assess_json(&["--demo", "--year", "2023"]));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("d");
    let made = bin().args(["demo", "--enterprises", "5000", "--out"]).arg(&demo).output().unwrap();
    assert!(made.status.success());
    // `lianzhang assess … | head -c 64`: a quarter of a megabyte of JSON, read 64 bytes of.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lianzhang"))
        .args(["assess", "--year", "2024", "--format", "json", "--data"])
        .arg(&demo)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    // stderr carries the plausibility warnings of the data (issue 8), and nothing else: no
    // error about the closed pipe.
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines() {
        assert!(line.starts_with("提示：发现") || line.starts_with("  "), "{stderr}");
    }
    assert!(!stderr.contains("错误") && !stderr.contains("panicked"), "{stderr}");
}

/// Another county's policy is a file: 青岚 (`policies/examples/qinglan-2023.toml`) assessed
/// through the binary on its data, whose 实缴税金 and 设备购置额 columns the file declares. The
/// amounts are the ones `crates/policy/tests/qinglan.rs` computes by hand, article by article.
#[test]
fn a_neighbour_countys_policy_file_runs_on_its_own_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let policy = root.join("policies/examples/qinglan-2023.toml");
    let data = root.join("crates/policy/tests/data/qinglan");
    let args = |year: &str| -> Value {
        assess_json(&["--policy", policy.to_str().unwrap(), "--data", data.to_str().unwrap(), "--year", year])
    };
    let v = args("2024");
    assert_eq!(v["policy"], "qinglan-2023");
    // 第一条 15万 + 第四条 300 + 300 + 240万 + 第五条 200万 + 第六条 50 + 50万 + 第七条 50 + 10万 +
    // 第八条 30万 + 第九条 5万 + 第十条 30 + 50万 (K1's 第九条 capped away by 第十一条).
    assert_eq!(v["total"], "13300000.00");
    let k1: Vec<&str> = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["enterprise"] == "青岚县子一装备有限公司")
        .map(|o| o["amount"].as_str().unwrap())
        .collect();
    assert_eq!(k1, ["100000.00", "500000.00", "2400000.00"]);
    // Outside 2023–2025 the policy is not in force: nothing is assessed.
    let out = bin()
        .args(["assess", "--policy", policy.to_str().unwrap(), "--data", data.to_str().unwrap(), "--year", "2026"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("政策 qinglan-2023 不适用于2026年度，无评定结果"));
}

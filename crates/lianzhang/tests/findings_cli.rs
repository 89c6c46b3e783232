//! Plausibility findings in the registry through the real binary: `findings` lists them,
//! `assess --db` holds the rules that read a doubted value, `confirm` clears a finding for the
//! confirmed values only (a changed value is doubted again).
use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    let mut c = Command::cargo_bin("lianzhang").expect("binary");
    c.env("LIANZHANG_ACTOR", "核查员");
    c
}

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cases").join(name)
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn outcome(v: &Value, uscc: &str, rule: &str) -> (String, Value) {
    let o = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["uscc"] == uscc && o["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} for {uscc}: {v}"));
    (o["status"].as_str().unwrap().to_string(), o["amount"].clone())
}

const E2: &str = "91140525589042341J";

#[test]
fn a_confirmed_value_is_assessed_and_a_changed_value_is_doubted_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let import = bin().args(["import", case("06-amounts-in-wanyuan").to_str().unwrap(), "--db", &db]).output().unwrap();
    assert!(import.status.success());
    // The import shows the doubtful values where they are in the file, before the diff.
    let said = String::from_utf8_lossy(&import.stderr);
    assert!(said.contains("发现 2 处数据疑点"), "{said}");
    assert!(said.contains("年度数据:5:营业收入: 2,200元"), "{said}");
    assert!(said.contains("项目:2:固定资产投资: 1,200元"), "{said}");

    let findings = json(bin().args(["findings", "--db", &db, "--format", "json"]));
    let of_e2: Vec<&Value> = findings.as_array().unwrap().iter().filter(|f| f["uscc"] == E2).collect();
    assert_eq!(of_e2.len(), 1, "{findings}");
    assert_eq!(of_e2[0]["year"], 2023);
    let check = of_e2[0]["check"].as_str().unwrap().to_string();

    let assess = || json(bin().args(["assess", "--db", &db, "--year", "2023", "--format", "json"]));
    let before = assess();
    assert_eq!(outcome(&before, E2, "above_scale_entry"), ("needs_review".into(), Value::Null));

    // Confirming needs the finding to exist: a wrong year or check is refused, nothing recorded.
    let wrong = bin()
        .args(["confirm", "--db", &db, "--uscc", E2, "--year", "2022", "--check", &check])
        .args(["--reason", "x"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("没有待核实"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );

    let ok = bin()
        .args(["confirm", "--db", &db, "--uscc", E2, "--year", "2023", "--check", &check])
        .args(["--reason", "经核对统计年报，2023年试生产，营业收入属实"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("已确认"));
    let again = bin()
        .args(["confirm", "--db", &db, "--uscc", E2, "--year", "2023", "--check", &check])
        .args(["--reason", "再次"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "a cleared finding cannot be confirmed twice");

    let after = assess();
    assert_eq!(outcome(&after, E2, "above_scale_entry"), ("award".into(), Value::from("100000.00")));
    // The other enterprise's finding is untouched.
    assert_eq!(outcome(&after, "911405251477251294", "chain_master_revenue_300m").0, "needs_review");
    let left = json(bin().args(["findings", "--db", &db, "--format", "json"]));
    assert!(left.as_array().unwrap().iter().all(|f| f["uscc"] != E2), "{left}");

    // A new value of a confirmed fact is doubted again.
    let changed = dir.path().join("changed");
    std::fs::create_dir(&changed).unwrap();
    for f in ["enterprises.csv", "annual.csv", "projects.csv", "recognitions.csv"] {
        let text = std::fs::read_to_string(case("06-amounts-in-wanyuan").join(f)).unwrap();
        std::fs::write(changed.join(f), text.replace(&format!("{E2},2023,2200,"), &format!("{E2},2023,2300,")))
            .unwrap();
    }
    let import = bin().args(["import", changed.to_str().unwrap(), "--db", &db]).output().unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    let back = json(bin().args(["findings", "--db", &db, "--uscc", E2, "--format", "json"]));
    assert_eq!(back.as_array().unwrap().len(), 1, "{back}");
    assert_eq!(outcome(&assess(), E2, "above_scale_entry").0, "needs_review");
}

//! Issue 9 through the real binary: a what-if run is never paid (item 1), years outside
//! 1949–2100 are refused at every argument and never recorded (item 9), and errors say their
//! cause once in Chinese, typed arguments included (item 10).
use assert_cmd::Command;
use std::path::Path;
use std::process::Output;

fn run(args: &[&str]) -> Output {
    Command::cargo_bin("lianzhang")
        .expect("binary")
        .args(args)
        .env_remove("LIANZHANG_DB")
        .env_remove("LIANZHANG_LOG")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> (String, String) {
    let out = run(args);
    assert!(out.status.success(), "{args:?}\n{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// Runs a command that must fail with `code`; returns its stderr.
fn refused(args: &[&str], code: i32) -> String {
    let out = run(args);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}\n{err}");
    err
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A registry of 300 demo enterprises: its URL and the USCC of an above-scale entry award of 2023.
fn registry(dir: &Path) -> (String, String) {
    let data = dir.join("d");
    ok(&["demo", "--out", p(&data), "--enterprises", "300", "--seed", "5"]);
    let db = format!("sqlite://{}", dir.join("r.db").display());
    ok(&["import", "--db", &db, p(&data)]);
    let (out, _) = ok(&["assess", "--db", &db, "--year", "2023", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let award = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["status"] == "award" && o["rule"] == "above_scale_entry")
        .expect("an above-scale entry award")
        .clone();
    (db, award["uscc"].as_str().unwrap().to_string())
}

#[test]
fn a_what_if_run_is_recorded_as_such_and_never_paid() {
    let dir = tempfile::tempdir().unwrap();
    let (db, uscc) = registry(dir.path());
    let set = "above_scale_entry.amount=9999999";
    let (_, err) = ok(&["assess", "--db", &db, "--year", "2023", "--record", "--set", set, "--format", "json"]);
    assert!(err.contains("已记录为第 1 次评定，标为试算") && err.contains(set), "{err}");

    let pay = ["ledger", "pay", "--db", &db, "--run", "1", "--uscc", &uscc, "--rule", "above_scale_entry"];
    let err = refused(&pay, 2);
    assert!(err.contains("第 1 次评定是试算") && err.contains(set) && err.contains("不能据此支付"), "{err}");
    assert!(err.contains("不带 --set 重新评定"), "says what to do: {err}");
    let (list, _) = ok(&["ledger", "list", "--db", &db, "--format", "json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&list).unwrap(), serde_json::json!([]), "nothing paid");

    // The same question without the override is a decision, and payable at the policy's amount.
    let (_, err) = ok(&["assess", "--db", &db, "--year", "2023", "--record", "--format", "json"]);
    assert!(err.contains("已记录为第 2 次评定（"), "{err}");
    let pay = ["ledger", "pay", "--db", &db, "--run", "2", "--uscc", &uscc, "--rule", "above_scale_entry"];
    let (paid, _) = ok(&pay);
    assert!(paid.contains("100,000.00"), "{paid}");
    assert!(!paid.contains("9,999,999"), "{paid}");

    // The runs listing tells the what-if from the decision.
    let (runs, _) = ok(&["ledger", "runs", "--db", &db]);
    assert!(runs.contains("试算，不能支付（覆盖了参数：above_scale_entry.amount=9999999）"), "{runs}");
    assert!(runs.contains("评定，可据此支付"), "{runs}");
    assert!(runs.contains("共 2 次评定"), "{runs}");
}

#[test]
fn an_edited_copy_of_the_policy_under_the_same_id_is_a_what_if_too() {
    let dir = tempfile::tempdir().unwrap();
    let (db, uscc) = registry(dir.path());
    // The genuine policy first: its text is what the id means in this registry.
    let (_, err) = ok(&["assess", "--db", &db, "--year", "2023", "--record", "--format", "json"]);
    assert!(err.contains("已记录为第 1 次评定（"), "{err}");
    // A copy with the entry award raised, the id kept.
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/zezhou-2022.toml")).unwrap();
    let entry = text.find("[rules.above_scale_entry]").unwrap();
    let at = entry + text[entry..].find("amount = \"100000\"").unwrap();
    let edited = format!("{}amount = \"9999999\"{}", &text[..at], &text[at + "amount = \"100000\"".len()..]);
    let copy = dir.path().join("evil.toml");
    std::fs::write(&copy, edited).unwrap();
    let (_, err) = ok(&["assess", "--db", &db, "--year", "2023", "--record", "--policy", p(&copy), "--format", "json"]);
    assert!(err.contains("已记录为第 2 次评定，标为试算") && err.contains("与本库第 1 次评定所用的不同"), "{err}");
    let pay = ["ledger", "pay", "--db", &db, "--run", "2", "--uscc", &uscc, "--rule", "above_scale_entry"];
    let err = refused(&pay, 2);
    assert!(err.contains("第 2 次评定是试算（政策 zezhou-2022-84 的文本与本库第 1 次评定所用的不同"), "{err}");
    let (list, _) = ok(&["ledger", "list", "--db", &db, "--format", "json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&list).unwrap(), serde_json::json!([]), "nothing paid");
    let (runs, _) = ok(&["ledger", "runs", "--db", &db]);
    assert!(runs.contains("试算，不能支付（政策 zezhou-2022-84 的文本与本库第 1 次评定所用的不同"), "{runs}");
    // The genuine run stays payable, at the policy's amount.
    let (paid, _) = ok(&["ledger", "pay", "--db", &db, "--run", "1", "--uscc", &uscc, "--rule", "above_scale_entry"]);
    assert!(paid.contains("100,000.00"), "{paid}");
}

#[test]
fn years_outside_1949_to_2100_are_refused_in_chinese_and_never_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (db, uscc) = registry(dir.path());
    for year in ["99999", "-1", "1948", "2101", "abc", "2022..99999", "-5..2023"] {
        let err = refused(&["assess", "--db", &db, "--year", year, "--record"], 2);
        assert!(err.contains("年份") && err.contains("--year"), "{year}: {err}");
        assert!(!err.contains("error:") && !err.contains("invalid value"), "not clap's own text: {err}");
    }
    let err = refused(&["assess", "--demo", "--year", "-1"], 2);
    assert!(err.contains("年份 -1 不在 1949 至 2100 之间"), "{err}");
    let err = refused(&["assess", "--demo", "--year", "2025..2022"], 2);
    assert!(err.contains("结束年度早于起始年度"), "{err}");
    let others: [&[&str]; 5] = [
        &["explain", "--demo", "--year", "0", "--uscc", &uscc],
        &["findings", "--db", &db, "--year", "3000"],
        &["confirm", "--db", &db, "--year", "1800", "--uscc", &uscc, "--check", "unit_jump", "--reason", "核对"],
        &["demo", "--out", "x", "--first-year", "1900"],
        &["demo", "--out", "x", "--last-year", "-2024"],
    ];
    for args in others {
        let err = refused(args, 2);
        assert!(err.contains("不在 1949 至 2100 之间"), "{args:?}: {err}");
    }
    let (runs, _) = ok(&["ledger", "runs", "--db", &db]);
    assert!(runs.contains("共 0 次评定"), "nothing recorded: {runs}");
}

#[test]
fn typed_arguments_are_checked_and_name_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let (db, uscc) = registry(dir.path());
    let pay = |note: &str| {
        let args = ["ledger", "pay", "--db", &db, "--run", "1", "--uscc", &uscc, "--rule", "above_scale_entry"];
        refused(&[&args[..], &["--note", note]].concat(), 2)
    };
    let err = pay("凭证\u{1}号");
    assert!(
        err.contains("参数 --note 的值“") && err.contains("”无效：") && err.contains("控制字符（U+0001）"),
        "{err}"
    );
    let err = pay("凭证\u{202E}号");
    assert!(err.contains("--note") && err.contains("文字方向控制符"), "{err}");
    let long = "长".repeat(2001);
    let err = refused(
        &["confirm", "--db", &db, "--year", "2023", "--uscc", &uscc, "--check", "unit_jump", "--reason", &long],
        2,
    );
    assert!(err.contains("参数 --reason 的值“") && err.contains("”无效：") && err.contains("最多 2000 个字"), "{err}");
    let err = refused(&["ledger", "list", "--db", &db, "--actor", "财务\n张三"], 2);
    assert!(err.contains("参数 --actor 的值“") && err.contains("”无效：") && err.contains("换行"), "{err}");
}

#[test]
fn database_errors_say_their_cause_once_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let err = refused(&["ledger", "list", "--db", "postgres://lz@127.0.0.1:1/none"], 1);
    assert_eq!(err.matches("拒绝连接").count(), 1, "{err}");
    assert!(!err.contains("os error") && !err.contains("error communicating"), "no driver text: {err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    // A file that is not a database.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    let err = refused(&["ledger", "list", "--db", &format!("sqlite://{}", junk.display())], 1);
    assert!(err.contains("不是数据库文件"), "{err}");
    assert!(!err.contains("file is not a database"), "no driver text: {err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
}

#[test]
fn usage_errors_are_said_in_chinese_naming_the_argument_or_the_variable() {
    let err = refused(&["assess", "--demo", "--year", "2024", "--format", "pdf"], 2);
    assert!(err.starts_with("错误：参数 --format 的值“pdf”无效，可选：table、json、csv、xlsx"), "{err}");
    assert!(refused(&["--bogus"], 2).starts_with("错误：不认识的参数 --bogus"));
    assert!(refused(&["asess"], 2).starts_with("错误：不认识的命令 asess（是否想用 assess？）"));
    let err = refused(&["ledger", "pay", "--db", "sqlite::memory:"], 2);
    assert!(err.starts_with("错误：缺少必需的参数：--run"), "{err}");
    let err = refused(&["serve", "--header-timeout", "0"], 2);
    assert!(err.contains("参数 --header-timeout 的值“0”无效：应为不小于 1 的整数"), "{err}");
    let out = Command::cargo_bin("lianzhang")
        .unwrap()
        .args(["serve"])
        .env("LIANZHANG_HEADER_TIMEOUT", "abc")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("环境变量 LIANZHANG_HEADER_TIMEOUT（即参数 --header-timeout）的值“abc”无效：应为整数"),
        "{err}"
    );
    let err = refused(&["ledger", "pay", "--run", "1", "--uscc", "x", "--rule", "y", "--note", "a\u{1b}[31m"], 2);
    assert!(err.contains("a\\u{1b}[31m") && !err.contains('\u{1b}'), "a refused value is shown escaped: {err}");
    assert!(!err.contains("error:") && !err.contains("Usage"), "no clap English: {err}");
}

#[test]
fn help_pages_are_chinese_down_to_their_headings() {
    let (root, _) = ok(&["--help"]);
    assert!(root.contains("用法：lianzhang") && root.contains("命令：") && root.contains("显示版本"), "{root}");
    assert!(!root.contains("Print help") && !root.contains("Usage:"), "{root}");
    let (assess, _) = ok(&["assess", "--help"]);
    assert!(assess.contains("选项：") && assess.contains("评定年度，或含首尾的年度范围"), "{assess}");
    assert!(assess.contains("-h, --help") && assess.contains("显示帮助"), "{assess}");
    let (check, _) = ok(&["policy", "check", "--help"]);
    assert!(check.contains("参数：") && check.contains("要检查的政策文件"), "{check}");
}

//! `lianzhang ledger list` as a person reads it (issue 8 item 5): times in Beijing time, as on
//! the web pages, whatever the machine's zone, to the second, rules by their Chinese title, money in yuan; `--format json` unchanged.
use assert_cmd::Command;
use std::path::Path;

fn run(args: &[&str], tz: &str) -> std::process::Output {
    Command::cargo_bin("lianzhang")
        .expect("binary")
        .args(args)
        .env_remove("LIANZHANG_DB")
        .env("TZ", tz)
        .output()
        .unwrap()
}

fn ok(args: &[&str], tz: &str) -> String {
    let out = run(args, tz);
    assert!(out.status.success(), "{args:?}\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A registry with one recorded run and one paid above-scale entry award: (db url, uscc, the
/// UTC second before the payment, the second after).
fn paid_registry(dir: &Path) -> (String, String, jiff::Timestamp, jiff::Timestamp) {
    let data = dir.join("d");
    ok(&["demo", "--out", p(&data), "--enterprises", "300", "--seed", "5"], "UTC");
    let db = format!("sqlite://{}", dir.join("r.db").display());
    ok(&["import", "--db", &db, p(&data)], "UTC");
    let out = ok(&["assess", "--db", &db, "--year", "2023", "--record", "--format", "json"], "UTC");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let award = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["status"] == "award" && o["rule"] == "above_scale_entry")
        .expect("an above-scale entry award")
        .clone();
    let uscc = award["uscc"].as_str().unwrap().to_string();
    let before = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap();
    let pay = ["ledger", "pay", "--db", &db, "--run", "1", "--uscc", &uscc, "--rule", "above_scale_entry"];
    ok(&pay, "UTC");
    let after = jiff::Timestamp::now();
    (db, uscc, before, after)
}

/// The first `YYYY-MM-DD HH:MM:SS` in `text`.
fn first_time(text: &str) -> Option<&str> {
    text.char_indices().map(|(i, _)| &text[i..]).find_map(|s| {
        let t = s.get(..19)?;
        let shape = t.bytes().enumerate().all(|(i, c)| match i {
            4 | 7 => c == b'-',
            10 => c == b' ',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        });
        shape.then_some(t)
    })
}

#[test]
fn the_ledger_list_shows_local_time_to_the_second_and_chinese_rule_titles() {
    let dir = tempfile::tempdir().unwrap();
    let (db, uscc, before, after) = paid_registry(dir.path());

    let shanghai = ok(&["ledger", "list", "--db", &db], "Asia/Shanghai");
    // The stored UTC time, shown in Beijing time (UTC+8) to the second.
    let shown = first_time(&shanghai).unwrap_or_else(|| panic!("a local time to the second: {shanghai}"));
    let local: jiff::civil::DateTime = shown.parse().unwrap();
    let beijing = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    let at = local.to_zoned_datetime(beijing).unwrap().timestamp();
    assert!(before <= at && at <= after, "{shown} (Beijing time) is the moment of payment, {before}..{after}");
    // A server kept on UTC shows the same clock: one time everywhere in the product.
    let utc = ok(&["ledger", "list", "--db", &db], "UTC");
    let utc_shown: jiff::civil::DateTime = first_time(&utc).unwrap().parse().unwrap();
    assert_eq!(utc_shown, local, "{shanghai}\n{utc}");
    assert!(utc.contains("北京时间"), "{utc}");
    // The rule by its clause and Chinese title from the policy, never its id; money in yuan.
    assert!(shanghai.contains("三（四）") && shanghai.contains("首次“小升规”"), "{shanghai}");
    assert!(!shanghai.contains("above_scale_entry"), "{shanghai}");
    assert!(shanghai.contains(&uscc) && shanghai.contains("100,000.00") && shanghai.contains("支付"), "{shanghai}");
    assert!(shanghai.contains("合计：100,000.00 元"), "{shanghai}");

    // Programs keep the stored values.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["ledger", "list", "--db", &db, "--format", "json"], "Asia/Shanghai")).unwrap();
    assert_eq!(json[0]["rule"], "above_scale_entry");
    let stored = json[0]["at"].as_str().unwrap();
    assert!(stored.ends_with('Z') && !shanghai.contains(stored), "the table never shows the stored form: {stored}");
}

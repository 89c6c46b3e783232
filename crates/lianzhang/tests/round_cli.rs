//! `lianzhang round …` through the real binary on a SQLite registry made by `lianzhang import`
//! of `lianzhang demo --out` data, with accounts made by `lianzhang user add`: a year walked
//! from creation to payment, refusals in Chinese with a non-zero exit and nothing changed, and
//! the round's amounts equal to `lianzhang assess` and to the engine on the round's frozen facts.
use assert_cmd::Command;
use lianzhang_facts::Fen;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const YEAR: &str = "2024";

fn run(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("lianzhang")
        .expect("binary")
        .args(args)
        .env_remove("LIANZHANG_DB")
        .env_remove("LIANZHANG_USER")
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must be refused: its Chinese sentence on stderr.
fn refused(args: &[&str], says: &str) -> String {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} should be refused");
    assert!(err.contains(says) && err.contains("错误："), "{args:?}: {err}");
    err
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// A registry of the demo's `n` enterprises with the accounts clerk (工信局), steel (钢铁专班),
/// food (食品专班), leader and finance.
fn registry(dir: &Path, n: usize) -> String {
    let data = dir.join("d");
    ok(&["demo", "--out", data.to_str().unwrap(), "--enterprises", &n.to_string(), "--seed", "7"]);
    let db = format!("sqlite://{}", dir.join("r.db").display());
    ok(&["import", "--db", &db, data.to_str().unwrap()]);
    for (user, role, chain) in [
        ("clerk", "bureau", None),
        ("steel", "task_force", Some("steel")),
        ("food", "task_force", Some("food")),
        ("leader", "leader", None),
        ("finance", "finance", None),
    ] {
        let mut args = vec!["user", "add", "--db", &db, "--username", user, "--role", role, "--password-stdin"];
        if let Some(c) = chain {
            args.extend(["--chain", c]);
        }
        Command::cargo_bin("lianzhang").unwrap().args(&args).write_stdin("correct horse battery\n").assert().success();
    }
    db
}

fn key(v: &Value) -> (String, String, Option<String>) {
    (
        v["uscc"].as_str().unwrap().to_string(),
        v["rule"].as_str().unwrap().to_string(),
        v["project_id"].as_str().map(str::to_string),
    )
}

fn fen(v: &Value) -> Option<i64> {
    v.as_str().map(|s| Fen::parse_yuan(s).unwrap().0)
}

#[test]
fn a_round_walked_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = registry(dir.path(), 60);
    let who = |user: &'static str| ["--db", db.as_str(), "--user", user];
    let with = |args: &[&str], user: &'static str| -> Vec<String> {
        args.iter().map(|s| s.to_string()).chain(who(user).iter().map(|s| s.to_string())).collect()
    };
    let okw = |args: &[&str], user| ok(&with(args, user).iter().map(String::as_str).collect::<Vec<_>>());
    let refw =
        |args: &[&str], user, says| refused(&with(args, user).iter().map(String::as_str).collect::<Vec<_>>(), says);
    let jsonw = |args: &[&str], user| json(&with(args, user).iter().map(String::as_str).collect::<Vec<_>>());

    // Only the bureau creates; a refusal changes nothing.
    let err = refw(&["round", "create", "--year", YEAR, "--name", "2024年度第一批"], "steel", "工信局");
    assert!(err.contains("未做任何修改"), "{err}");
    refw(&["round", "list"], "nobody", "没有账号 nobody");
    assert_eq!(jsonw(&["round", "list", "--format", "json"], "clerk"), Value::Array(vec![]));
    let out = okw(&["round", "create", "--year", YEAR, "--name", "2024年度第一批"], "clerk");
    assert!(out.contains("已新建第 1 号兑现批次"), "{out}");

    // Lines: the bureau sees all, a task force its chain.
    let lines = jsonw(&["round", "lines", "1", "--format", "json"], "clerk");
    let lines = lines.as_array().unwrap();
    assert!(lines.len() > 5);
    let steel = jsonw(&["round", "lines", "1", "--format", "json"], "steel");
    assert!(steel.as_array().unwrap().iter().all(|l| l["chain"] == "steel"));
    assert!(steel.as_array().unwrap().len() < lines.len());
    let csv = okw(&["round", "lines", "1", "--format", "csv", "--status", "ready"], "clerk");
    assert!(csv.starts_with("uscc,rule,project_id"), "{csv}");

    // The round's amounts equal `lianzhang assess` on the registry it was made from, to the fen.
    let assessed = json(&["assess", "--db", &db, "--year", YEAR, "--format", "json"]);
    let by_key: BTreeMap<_, _> = assessed["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] != "already_paid")
        .map(|o| (key(o), fen(&o["amount"])))
        .collect();
    let round: BTreeMap<_, _> = lines.iter().map(|l| (key(l), fen(&l["amount"]))).collect();
    assert_eq!(round, by_key);

    // Refusals: another chain's line, a leader before the lines are decided, a bad status.
    let food = lines.iter().find(|l| l["chain"] == "food" && l["outcome"] == "award").expect("a food award");
    let (fu, fr) = (food["uscc"].as_str().unwrap(), food["rule"].as_str().unwrap());
    let events = |v: Value| v.as_array().unwrap().len();
    let before = events(jsonw(&["round", "timeline", "1", "--format", "json"], "clerk"));
    refw(&["round", "reject", "1", "--uscc", fu, "--rule", fr, "--reason", "不符"], "steel", "不属于本专班");
    refw(&["round", "approve", "1"], "leader", "未办结");
    refw(&["round", "lines", "1", "--status", "paid"], "clerk", "可选");
    assert_eq!(events(jsonw(&["round", "timeline", "1", "--format", "json"], "clerk")), before);

    // Review, confirmation, credit check, approval.
    for l in jsonw(&["round", "lines", "1", "--status", "review", "--format", "json"], "clerk").as_array().unwrap() {
        let (u, r) = (l["uscc"].as_str().unwrap(), l["rule"].as_str().unwrap());
        let mut args = vec!["round", "reject", "1", "--uscc", u, "--rule", r, "--reason", "资料不全"];
        if let Some(p) = l["project_id"].as_str() {
            args.extend(["--project", p]);
        }
        okw(&args, "clerk");
    }
    for l in
        jsonw(&["round", "lines", "1", "--status", "final_amount", "--format", "json"], "clerk").as_array().unwrap()
    {
        let (u, r, a) = (l["uscc"].as_str().unwrap(), l["rule"].as_str().unwrap(), l["amount"].as_str().unwrap());
        let mut args = vec!["round", "amount", "1", "--uscc", u, "--rule", r, "--amount", a, "--basis", "评审会纪要"];
        if let Some(p) = l["project_id"].as_str() {
            args.extend(["--project", p]);
        }
        okw(&args, "clerk");
    }
    for l in
        jsonw(&["round", "lines", "1", "--status", "confirmation", "--format", "json"], "clerk").as_array().unwrap()
    {
        let (u, r) = (l["uscc"].as_str().unwrap(), l["rule"].as_str().unwrap());
        let user = if l["chain"] == "steel" { "steel" } else { "clerk" };
        let mut args = vec![
            "round",
            "confirm",
            "1",
            "--uscc",
            u,
            "--rule",
            r,
            "--channel",
            "phone",
            "--date",
            "2024-09-02",
            "--holder",
            "企业",
            "--bank",
            "泽州农商行",
            "--account",
            "6228000011112222",
        ];
        if let Some(p) = l["project_id"].as_str() {
            args.extend(["--project", p]);
        }
        okw(&args, user);
    }
    refw(&["round", "credit-check", "1", "--date", "2024-09-10"], "clerk", "失信名单");
    credit_list(&db);
    okw(&["round", "credit-check", "1", "--date", "2024-09-10"], "clerk");
    assert_eq!(jsonw(&["round", "lines", "1", "--status", "open", "--format", "json"], "clerk"), Value::Array(vec![]));
    okw(&["round", "approve", "1", "--note", "同意"], "leader");

    // 公示 over the National Day holidays: 5 working days from 2024-09-27 end on 2024-10-10.
    let out = okw(&["round", "publish", "1", "--date", "2024-09-27", "--document-no", "泽工信字〔2024〕9号"], "clerk");
    assert!(out.contains("2024年10月10日"), "{out}");
    refw(&["round", "finalise", "1", "--date", "2024-10-10"], "clerk", "期满后");
    okw(&["round", "finalise", "1", "--date", "2024-10-11"], "clerk");

    // Payment: not by the approver, all ready lines at once, then once more refused; reversal.
    refw(&["round", "pay", "1", "--all-ready", "--voucher-prefix", "记-", "--date", "2024-10-20"], "leader", "财政局");
    let out = okw(&["round", "pay", "1", "--all-ready", "--voucher-prefix", "记-", "--date", "2024-10-20"], "finance");
    assert!(out.contains("已支付"), "{out}");
    let ready = jsonw(&["round", "lines", "1", "--status", "ready", "--format", "json"], "finance");
    let first = &ready.as_array().unwrap()[0];
    let (u, r) = (first["uscc"].as_str().unwrap(), first["rule"].as_str().unwrap());
    let mut again = vec![
        "round",
        "pay",
        "1",
        "--uscc",
        u,
        "--rule",
        r,
        "--amount",
        "1.00",
        "--voucher",
        "V9",
        "--date",
        "2024-10-21",
    ];
    if let Some(p) = first["project_id"].as_str() {
        again.extend(["--project", p]);
    }
    refw(&again, "finance", "最多可付");
    // The 代发 file of the payments: one row per payment, the ledger entry as 付款流水号.
    let file = dir.path().join("代发.xlsx");
    refw(&["round", "instructions", "1", "--out", file.to_str().unwrap()], "leader", "财政局或工信局");
    let out = okw(&["round", "instructions", "1", "--out", file.to_str().unwrap(), "--date", "2024-10-20"], "finance");
    assert!(out.contains("已写出第 1 号兑现批次代发文件"), "{out}");
    let rows: Vec<Vec<String>> = {
        use calamine::Reader;
        let mut book = calamine::open_workbook_auto(&file).unwrap();
        let sheet = book.worksheet_range("代发明细").unwrap();
        sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    };
    assert_eq!(rows[0][1], "付款流水号");
    assert_eq!(rows.len() - 1, ready.as_array().unwrap().len(), "a row per paid line");
    let timeline = jsonw(&["round", "timeline", "1", "--format", "json"], "clerk");
    let paid = timeline.as_array().unwrap().iter().find(|e| e["event"]["kind"] == "paid").unwrap();
    let entry = paid["event"]["ledger_entry"].to_string();
    assert!(rows.iter().any(|r| r[1] == entry), "the payment's ledger entry is a 付款流水号");
    okw(&["round", "reverse", "1", "--entry", &entry, "--reason", "账号有误"], "finance");
    let text = okw(&["round", "timeline", "1"], "clerk");
    assert!(text.contains("冲正台账第") && text.contains("审批同意") && text.contains("财政局"), "{text}");
    let show = jsonw(&["round", "show", "1", "--format", "json"], "clerk");
    assert_eq!(show["phase"]["phase"], "final");
    assert_ne!(show["paid"], show["ready"]);
}

/// Imports a one-entry list of seriously untrustworthy entities with `round credit-import`, after
/// a refused list file (every problem located, nothing imported) and a refused role.
fn credit_list(db: &str) {
    let dir = Path::new(db.trim_start_matches("sqlite://")).parent().unwrap().to_path_buf();
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("../facts/tests/data/lists/失信名单_错误.csv");
    let out = run(&["round", "credit-import", bad.to_str().unwrap(), "--db", db, "--user", "clerk"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success() && err.contains("处错误，未做任何修改") && err.contains("行"), "{err}");
    let file = dir.join("失信名单.csv");
    std::fs::write(
        &file,
        "统一社会信用代码,名单名称,认定部门,列入日期,移出日期\n91140525MA0000000Y,失信被执行人名单,信用中国,2024-01-05,\n",
    )
    .unwrap();
    refused(&["round", "credit-import", file.to_str().unwrap(), "--db", db, "--user", "finance"], "由工信局办理");
    let said = ok(&["round", "credit-import", file.to_str().unwrap(), "--db", db, "--user", "clerk"]);
    assert!(said.contains("已导入失信名单 失信名单.csv") && said.contains("1 条"), "{said}");
}

/// The round's amounts equal the engine's on the round's frozen facts, to the fen, and stay what
/// they were after the registry changed.
#[test]
fn the_round_equals_the_engine_on_its_frozen_facts() {
    let dir = tempfile::tempdir().unwrap();
    let db = registry(dir.path(), 40);
    ok(&["round", "create", "--year", YEAR, "--name", "一批", "--db", &db, "--user", "clerk"]);
    let before = json(&["round", "lines", "1", "--format", "json", "--db", &db, "--user", "clerk"]);
    // The registry changes: more enterprises. The round still reads what it was made from.
    let more = dir.path().join("more");
    ok(&["demo", "--out", more.to_str().unwrap(), "--enterprises", "40", "--seed", "8"]);
    ok(&["import", "--db", &db, more.to_str().unwrap()]);
    assert_ne!(json(&["assess", "--db", &db, "--year", YEAR, "--format", "json"])["total"], Value::Null);
    assert_eq!(json(&["round", "lines", "1", "--format", "json", "--db", &db, "--user", "clerk"]), before);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = lianzhang_store::Store::open(&db).await.unwrap();
        let record = store.round(1).await.unwrap();
        let policy = store.round_policy(1).await.unwrap().compile().unwrap();
        let frozen = store.round_facts(1, 1, &policy.vocabulary).await.unwrap();
        let year = record.header.year;
        let assessment =
            lianzhang_policy::engine::assess_with(&policy, &frozen.dataset, year, &frozen.paid, &frozen.confirmations);
        let again: BTreeMap<_, _> = lianzhang_rounds::lines_of(&policy, &frozen.dataset, &assessment)
            .into_iter()
            .map(|l| (l.key, (l.outcome, l.amount_fen)))
            .collect();
        let stored: BTreeMap<_, _> = record.round.lines().map(|l| (l.key.clone(), (l.outcome, l.amount_fen))).collect();
        assert!(!stored.is_empty());
        assert_eq!(stored, again);
        assert_eq!(frozen.hash, record.revisions[0].facts_hash);
        store.close().await;
    });
}

//! `lianzhang ledger pay|reverse|list`: the payout ledger from the command line.
//!
//! The table is for people: times in Beijing time (the county's clock, whatever the server's
//! zone; the web pages show the same) to the second, rules by their Chinese
//! title (from the policy version of the recorded run that decided the award), money in yuan.
//! `--format json` keeps the stored values (UTC times, rule ids) for programs.

use crate::registry::{DbOpts, block_on};
use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use lianzhang_facts::format_yuan;
use lianzhang_policy::PolicyFile;
use lianzhang_store::{LedgerEntry, RecordedRun, Store, StoreError};
use std::collections::HashMap;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// 支付：按某次已记录评定中的一项奖励入账
    Pay {
        /// 已记录的评定编号（`assess --db … --record` 会显示）。
        #[arg(long)]
        run: i64,
        /// 企业（统一社会信用代码）。
        #[arg(long, value_parser = crate::line_arg)]
        uscc: String,
        /// 规则编号，如 above_scale_entry。
        #[arg(long, value_parser = crate::line_arg)]
        rule: String,
        /// 项目编号（项目补助时填写）。
        #[arg(long, value_parser = crate::line_arg)]
        project: Option<String>,
        /// 凭证号或备注。
        #[arg(long, default_value = "", value_parser = crate::note_arg)]
        note: String,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 冲正：以一笔反向分录冲销某笔支付
    Reverse {
        /// 要冲正的台账条目编号。
        #[arg(long)]
        entry: i64,
        /// 原因（必填：冲正须说明原因）。
        #[arg(long, value_parser = crate::note_arg)]
        note: String,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 评定记录：已记录的评定（试算标出其覆盖的参数，不能据此支付）
    Runs {
        /// table（表格）或 json。
        #[arg(long, default_value = "table")]
        format: String,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 台账列表
    List {
        /// 只看该企业（统一社会信用代码）。
        #[arg(long, value_parser = crate::line_arg)]
        uscc: Option<String>,
        /// table（表格）或 json。
        #[arg(long, default_value = "table")]
        format: String,
        #[command(flatten)]
        db: DbOpts,
    },
}

pub fn run(c: LedgerCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        let (db, result) = match c {
            LedgerCommand::Pay { run, uscc, rule, project, note, db } => {
                let store = Store::open(&db.db).await?;
                let r = store.pay(run, &uscc, &rule, project.as_deref(), &db.actor(), &note).await;
                (store, r.map(|e| vec![e]))
            }
            LedgerCommand::Reverse { entry, note, db } => {
                let store = Store::open(&db.db).await?;
                let r = store.reverse(entry, &db.actor(), &note).await;
                (store, r.map(|e| vec![e]))
            }
            LedgerCommand::Runs { format, db } => {
                let store = Store::open(&db.db).await?;
                let runs = store.runs().await;
                store.close().await;
                let runs = runs?;
                match format.as_str() {
                    "json" => println!("{}", serde_json::to_string_pretty(&runs)?),
                    "table" => print!("{}", runs_table(&runs)),
                    other => anyhow::bail!("未知格式 {}（table | json）", lianzhang_facts::typed::shown(other)),
                }
                return Ok(ExitCode::SUCCESS);
            }
            LedgerCommand::List { uscc, format, db } => {
                if !matches!(format.as_str(), "table" | "json") {
                    anyhow::bail!("未知格式 {}（table | json）", lianzhang_facts::typed::shown(&format));
                }
                let store = Store::open(&db.db).await?;
                let entries = store.ledger(uscc.as_deref()).await?;
                if format == "json" {
                    println!("{}", serde_json::to_string_pretty(&entries)?);
                } else {
                    let titles = titles(&store, &entries).await?;
                    print!("{}", table(&entries, &titles));
                }
                store.close().await;
                return Ok(ExitCode::SUCCESS);
            }
        };
        let titles = match &result {
            Ok(entries) => titles(&db, entries).await?,
            Err(_) => HashMap::new(),
        };
        db.close().await;
        match result {
            Ok(entries) => {
                print!("{}", table(&entries, &titles));
                Ok(ExitCode::SUCCESS)
            }
            Err(StoreError::Refused(why) | StoreError::NotFound(why)) => {
                eprintln!("拒绝：{why}");
                Ok(ExitCode::from(crate::EXIT_INVALID))
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// Rule id → Chinese title, per recorded run: the titles of the policy version each run was
/// decided under (the bundled policy where that version no longer compiles).
type Titles = HashMap<(i64, String), String>;

async fn titles(store: &Store, entries: &[LedgerEntry]) -> anyhow::Result<Titles> {
    let mut out = Titles::new();
    let mut runs: Vec<i64> = entries.iter().map(|e| e.run_id).collect();
    runs.sort_unstable();
    runs.dedup();
    let bundled = PolicyFile::bundled().compile().ok();
    for run in runs {
        let stored = store.run_policy(run).await?.and_then(|(name, text)| PolicyFile::parse(name, text).compile().ok());
        if let Some(policy) = stored.as_ref().or(bundled.as_ref()) {
            for r in &policy.rules {
                out.insert((run, r.id.clone()), format!("{} {}", r.clause, r.title));
            }
        }
    }
    Ok(out)
}

/// A stored time (UTC, RFC 3339) in `zone` to the second: `2026-11-30 18:05:09`.
/// A value that is not a time is shown as stored.
pub fn local_time(stored: &str, zone: &jiff::tz::TimeZone) -> String {
    match stored.parse::<jiff::Timestamp>() {
        Ok(t) => t.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => stored.to_string(),
    }
}

fn table(entries: &[LedgerEntry], titles: &Titles) -> String {
    // China keeps one time, UTC+8, with no daylight saving: a fixed offset needs no tz database.
    let zone = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header([
        "序号",
        "时间",
        "经办人",
        "类型",
        "评定",
        "统一社会信用代码",
        "规则",
        "年度",
        "项目",
        "金额（元）",
        "冲正",
        "备注",
    ]);
    for e in entries {
        t.add_row([
            e.id.to_string(),
            local_time(&e.at, &zone),
            e.actor.clone(),
            match e.entry.as_str() {
                "payment" => "支付",
                "recovery" => "收回",
                _ => "冲正",
            }
            .to_string(),
            run_label(e.run_id, &e.run_overrides),
            e.uscc.clone(),
            titles.get(&(e.run_id, e.rule.clone())).cloned().unwrap_or_else(|| e.rule.clone()),
            e.year.to_string(),
            e.project_id.clone().unwrap_or_default(),
            format_yuan(e.amount),
            e.reverses.map(|r| r.to_string()).unwrap_or_default(),
            e.note.clone(),
        ]);
    }
    // Money paid out and money taken back (收回) are summed apart, each net of its reversals.
    let recovery = |e: &&lianzhang_store::LedgerEntry| {
        let kind = |id: i64| entries.iter().find(|x| x.id == id).map(|x| x.entry.as_str());
        e.entry == "recovery" || e.reverses.is_some_and(|r| kind(r) == Some("recovery"))
    };
    let total: rust_decimal::Decimal = entries.iter().filter(|e| !recovery(e)).map(|e| e.amount).sum();
    let back: rust_decimal::Decimal = entries.iter().filter(recovery).map(|e| e.amount).sum();
    let back = if back.is_zero() { String::new() } else { format!("；收回合计：{} 元", format_yuan(back)) };
    format!("{t}\n合计：{} 元{back}（时间为北京时间）\n", format_yuan(total))
}

/// A run as the ledger shows it: its number, and for a what-if (试算) the overrides it ran with.
fn run_label(id: i64, overrides: &[String]) -> String {
    if overrides.is_empty() { id.to_string() } else { format!("{id}（试算：{}）", overrides.join("，")) }
}

fn runs_table(runs: &[RecordedRun]) -> String {
    let zone = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(["评定", "时间", "经办人", "政策", "年度", "结果数", "奖励合计（元）", "性质"]);
    for r in runs {
        t.add_row([
            r.id.to_string(),
            local_time(&r.at, &zone),
            r.actor.clone(),
            r.policy_id.clone(),
            r.year.to_string(),
            r.outcome_count.to_string(),
            format_yuan(r.total),
            match r.what_if_reason() {
                Some(why) => format!("试算，不能支付（{why}）"),
                None => "评定，可据此支付".to_string(),
            },
        ]);
    }
    format!("{t}\n共 {} 次评定（时间为北京时间）\n", runs.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_utc_is_shown_in_the_zone_to_the_second() {
        let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        assert_eq!(super::local_time("2026-11-30T17:05:09.123456Z", &shanghai), "2026-12-01 01:05:09");
        assert_eq!(super::local_time("2026-11-30T17:05:09Z", &jiff::tz::TimeZone::UTC), "2026-11-30 17:05:09");
        assert_eq!(super::local_time("不是时间", &shanghai), "不是时间");
    }
}

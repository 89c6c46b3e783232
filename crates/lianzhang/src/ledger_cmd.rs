//! `lianzhang ledger pay|reverse|list`: the payout ledger from the command line.

use crate::registry::{DbOpts, block_on};
use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use lianzhang_facts::format_yuan;
use lianzhang_store::{LedgerEntry, Store, StoreError};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// 支付：按某次已记录评定中的一项奖励入账
    Pay {
        /// The recorded run (`assess --db … --record` prints its number).
        #[arg(long)]
        run: i64,
        #[arg(long)]
        uscc: String,
        /// Rule id, e.g. above_scale_entry.
        #[arg(long)]
        rule: String,
        /// Project id, for project subsidies.
        #[arg(long)]
        project: Option<String>,
        /// Voucher number or remark.
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 冲正：以一笔反向分录冲销某笔支付
    Reverse {
        /// The ledger entry to reverse.
        #[arg(long)]
        entry: i64,
        /// Why (required: a correction must say why).
        #[arg(long)]
        note: String,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 台账列表
    List {
        #[arg(long)]
        uscc: Option<String>,
        /// table or json.
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
            LedgerCommand::List { uscc, format, db } => {
                let store = Store::open(&db.db).await?;
                let entries = store.ledger(uscc.as_deref()).await?;
                if format == "json" {
                    println!("{}", serde_json::to_string_pretty(&entries)?);
                } else {
                    print!("{}", table(&entries));
                }
                store.close().await;
                return Ok(ExitCode::SUCCESS);
            }
        };
        db.close().await;
        match result {
            Ok(entries) => {
                print!("{}", table(&entries));
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

fn table(entries: &[LedgerEntry]) -> String {
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
            e.at.clone(),
            e.actor.clone(),
            if e.entry == "payment" { "支付" } else { "冲正" }.to_string(),
            e.run_id.to_string(),
            e.uscc.clone(),
            e.rule.clone(),
            e.year.to_string(),
            e.project_id.clone().unwrap_or_default(),
            format_yuan(e.amount),
            e.reverses.map(|r| r.to_string()).unwrap_or_default(),
            e.note.clone(),
        ]);
    }
    let total: rust_decimal::Decimal = entries.iter().map(|e| e.amount).sum();
    format!("{t}\n合计：{} 元\n", format_yuan(total))
}

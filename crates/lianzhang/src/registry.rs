//! The registry commands: `import`, `export`, `db backup|restore|check`, and the shared
//! `--db` option. Each opens the store (creating and migrating it when new) and seeds the
//! policy's chains.

use crate::{PolicyOpts, inputs};
use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use lianzhang_policy::Policy;
use lianzhang_store::Store;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

/// The database: SQLite by default, a file in the current folder.
#[derive(Args, Clone)]
pub struct DbOpts {
    /// sqlite://relative.db, sqlite:///absolute/path.db or postgres://user@host/db
    #[arg(long, env = "LIANZHANG_DB", default_value = "sqlite://lianzhang.db", value_name = "URL")]
    pub db: String,
    /// Who does this, for the audit trail and the ledger (default: $USER).
    #[arg(long, env = "LIANZHANG_ACTOR")]
    pub actor: Option<String>,
}

impl DbOpts {
    pub fn actor(&self) -> String {
        self.actor.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".to_string())
    }
}

/// Runs a future to completion (the CLI is otherwise synchronous) on one runtime for the whole
/// process, so that a store opened in one call serves the next. Two workers: the registry reads
/// its largest table over two connections at once.
pub fn block_on<F: Future>(f: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
        })
        .block_on(f)
}

/// Opens the store and seeds the chains of `policy`.
pub async fn open(db: &DbOpts, policy: &Policy) -> anyhow::Result<Store> {
    let store = Store::open(&db.db).await?;
    store.seed_chains(policy).await.context("无法写入产业链")?;
    Ok(store)
}

#[derive(Args)]
pub struct ImportArgs {
    /// A folder of CSV files or one .xlsx workbook (FACTS.md).
    pub path: PathBuf,
    #[command(flatten)]
    pub db: DbOpts,
    #[command(flatten)]
    pub policy: PolicyOpts,
}

pub fn run_import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let (_, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let dataset = match inputs::dataset(Some(&a.path), &policy)? {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    eprintln!("校验通过：{}", dataset.summary_zh());
    let report = block_on(async {
        let store = open(&a.db, &policy).await?;
        let progress = Progress::new();
        let report = store
            .import(&dataset, &a.db.actor(), &a.path.display().to_string(), &|done, total| progress.set(done, total))
            .await;
        progress.finish();
        store.close().await;
        anyhow::Ok(report?)
    })?;
    println!("导入完成（{}）：", a.db.db);
    println!("{:<14}{:>10}{:>10}{:>10}", "表", "新增", "更新", "未变");
    for s in &report.sheets {
        println!("{:<14}{:>12}{:>12}{:>12}", s.sheet, s.added, s.changed, s.unchanged);
    }
    if report.is_noop() {
        println!("库中数据与文件一致，未做任何修改。");
    } else {
        println!("共修改 {} 个单元格，已记入审计日志。", report.changed_cells);
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on a terminal; plain lines every tenth otherwise (logs, CI, tests).
struct Progress {
    bar: Option<ProgressBar>,
    last_tenth: AtomicU64,
}

impl Progress {
    fn new() -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(0);
            b.set_style(
                ProgressStyle::with_template("写入 {bar:40} {pos}/{len} 行 {eta}")
                    .expect("template")
                    .progress_chars("█▉ "),
            );
            b
        });
        Progress { bar, last_tenth: AtomicU64::new(u64::MAX) }
    }

    fn set(&self, done: u64, total: u64) {
        if total == 0 {
            return;
        }
        if let Some(b) = &self.bar {
            b.set_length(total);
            b.set_position(done);
            return;
        }
        let tenth = (done * 10).checked_div(total).unwrap_or(10);
        if self.last_tenth.swap(tenth, Ordering::Relaxed) != tenth {
            eprintln!("写入 {}%（{done}/{total} 行）", tenth * 10);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

#[derive(Args)]
pub struct ExportArgs {
    /// A folder (CSV files) or a file ending in .xlsx.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Chinese headers and sheet names.
    #[arg(long)]
    pub chinese: bool,
    #[command(flatten)]
    pub db: DbOpts,
    #[command(flatten)]
    pub policy: PolicyOpts,
}

pub fn run_export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    let (_, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let dataset = block_on(async {
        let store = open(&a.db, &policy).await?;
        let d = store.load_dataset(&policy.vocabulary).await;
        store.close().await;
        anyhow::Ok(d?)
    })?;
    inputs::write_dataset(&dataset, &a.out, a.chinese)?;
    eprintln!("已导出：{} → {}", dataset.summary_zh(), a.out.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// 备份（SQLite，联机一致）：写一个新的数据库文件
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 恢复（SQLite）：用备份文件替换数据库；请先停止服务
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 完整性检查
    Check {
        #[command(flatten)]
        db: DbOpts,
    },
}

pub fn run_db(c: DbCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        match c {
            DbCommand::Backup { out, db } => {
                // Refuse PostgreSQL before opening: opening would migrate the database.
                if lianzhang_store::DbUrl::parse(&db.db)?.sqlite_path().is_none() {
                    anyhow::bail!("PostgreSQL 请用 pg_dump / pg_restore 备份与恢复（见 README 的“备份”一节）");
                }
                let store = Store::open(&db.db).await?;
                store.backup(&out).await?;
                store.close().await;
                eprintln!("已备份 {} → {}", db.db, out.display());
            }
            DbCommand::Restore { from, db } => {
                Store::restore(&db.db, &from).await?;
                eprintln!("已从 {} 恢复 {}", from.display(), db.db);
            }
            DbCommand::Check { db } => {
                let store = Store::open(&db.db).await?;
                let report = store.integrity_check().await?;
                store.close().await;
                if report != ["ok"] {
                    for line in &report {
                        println!("{line}");
                    }
                    return Ok(ExitCode::FAILURE);
                }
                println!("ok");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `lianzhang template --out FILE.xlsx`: the import template for the policy's vocabularies.
pub fn run_template(out: &std::path::Path, policy: &PolicyOpts) -> anyhow::Result<ExitCode> {
    let (_, policy) = match inputs::policy(policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    lianzhang_facts::template::write_template(&policy.vocabulary, out)
        .with_context(|| format!("无法写入导入模板 {}", out.display()))?;
    eprintln!("已生成导入模板 → {}（填写后用 lianzhang import 导入）", out.display());
    Ok(ExitCode::SUCCESS)
}

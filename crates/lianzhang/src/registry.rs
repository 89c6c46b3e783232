//! The registry commands: `import`, `export`, `db backup|restore|check`, and the shared
//! `--db` option. Each opens the store (creating and migrating it when new) and seeds the
//! policy's chains.

use crate::{PolicyOpts, inputs};
use anyhow::Context;
use clap::{Args, Subcommand};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use lianzhang_facts::ExportStamp;
use lianzhang_policy::{Policy, plausibility};
use lianzhang_store::{Choice, ImportOptions, ImportOutcome, ImportPreview, ImportReport, Resolution, Store, table_zh};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

/// The database: SQLite by default, a file in the current folder.
#[derive(Args, Clone)]
pub struct DbOpts {
    /// 数据库：sqlite://相对路径.db、sqlite:///绝对路径.db 或 postgres://用户@主机/库
    #[arg(long, env = "LIANZHANG_DB", default_value = "sqlite://lianzhang.db", value_name = "URL")]
    pub db: String,
    /// 经办人，记入修改记录和台账（默认为 $USER）。
    #[arg(long, env = "LIANZHANG_ACTOR", value_parser = crate::line_arg)]
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
    /// CSV 文件夹或一个 .xlsx 工作簿（FACTS.md 格式）。
    #[arg(
        help = "CSV 文件夹或一个 .xlsx 工作簿（FACTS 格式）；从企业库导出的文件带有库版本，用来发现导出后库中的修改"
    )]
    pub path: PathBuf,
    /// 只新增库中没有的行，不修改已有的行。
    #[arg(long, help = "只新增库中没有的行，不修改任何已有的行")]
    pub only_new: bool,
    /// 冲突（文件导出后库中又被修改的单元格）如何处理。
    #[arg(
        long,
        value_enum,
        value_name = "keep|take",
        help = "冲突（文件导出后库中又被修改的单元格）的处理：keep 保留库中值，take 采用文件值；不指定时有冲突即拒绝导入"
    )]
    pub on_conflict: Option<OnConflict>,
    /// 只显示将要修改的内容，不写入。
    #[arg(long, help = "只列出将要修改的单元格，不写入")]
    pub dry_run: bool,
    #[command(flatten)]
    pub db: DbOpts,
    #[command(flatten)]
    pub policy: PolicyOpts,
}

/// `--on-conflict`: one choice for every conflict.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum OnConflict {
    /// 保留库中值
    Keep,
    /// 采用文件值
    Take,
}

impl From<OnConflict> for Choice {
    fn from(c: OnConflict) -> Choice {
        match c {
            OnConflict::Keep => Choice::Keep,
            OnConflict::Take => Choice::Take,
        }
    }
}

pub fn run_import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let (_, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let read = match inputs::read(&a.path, &policy)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let (dataset, stamp) = (&read.dataset, &read.stamp);
    eprintln!("校验通过：{}", dataset.summary_zh());
    match stamp {
        Some(s) => println!("文件导出自企业库版本 {}（{}，{}）。", s.revision, s.exported_by, s.exported_at),
        None => println!(
            "文件没有企业库版本标记（不是从企业库导出的）：无法得知文件制作后库中改过哪些单元格，不检查冲突；\
             下面列出将修改的每个单元格，请核对。"
        ),
    }
    let options = ImportOptions { revision: stamp.as_ref().map(|s| s.revision), only_new: a.only_new };
    let resolution = a.on_conflict.map_or_else(Resolution::default, |c| Resolution::all(c.into()));
    let source = a.path.display().to_string();
    block_on(async {
        let store = open(&a.db, &policy).await?;
        // Plausibility (issue 8 item 2): the file's doubtful values, less those confirmed in the
        // registry, are shown before the diff; they hold the rules that read them in review.
        let confirmations = store.policy_confirmations().await?;
        crate::findings_cmd::warn(&plausibility::check(&policy, dataset, &confirmations), Some(&read.locations));
        let code = import_previewed(&store, &a, dataset, &options, &resolution, &source).await;
        store.close().await;
        code
    })
}

/// Previews, prints the diff, refuses unresolved conflicts, then applies what was printed (or
/// prints the new diff when the registry changed meanwhile, and tries again).
async fn import_previewed(
    store: &Store,
    a: &ImportArgs,
    dataset: &lianzhang_facts::Dataset,
    options: &ImportOptions,
    resolution: &Resolution,
    source: &str,
) -> anyhow::Result<ExitCode> {
    let mut preview = store.preview_import(dataset, options).await?;
    for _ in 0..3 {
        print_preview(&preview);
        if preview.unresolved(resolution).next().is_some() {
            print_conflict_refusal(&preview);
            return Ok(ExitCode::from(crate::EXIT_INVALID));
        }
        if a.dry_run {
            println!("试运行（--dry-run）：未写入任何数据。");
            return Ok(ExitCode::SUCCESS);
        }
        if preview.is_noop() {
            println!("库中数据与文件一致，未做任何修改。");
            return Ok(ExitCode::SUCCESS);
        }
        let progress = Progress::new();
        let outcome = store
            .apply_import(dataset, options, resolution, Some(preview.fingerprint), &a.db.actor(), source, &|d, t| {
                progress.set(d, t)
            })
            .await;
        progress.finish();
        match outcome? {
            ImportOutcome::Applied(report) => {
                print_report(&a.db.db, &report);
                return Ok(ExitCode::SUCCESS);
            }
            ImportOutcome::Unresolved(p) | ImportOutcome::Changed(p) => {
                println!("企业库在核对期间发生了变化，未写入任何数据。以下是最新的差异：");
                preview = p;
            }
        }
    }
    println!("企业库一直在变化，未导入任何数据，请稍后重试。");
    Ok(ExitCode::FAILURE)
}

/// The diff of an import as a table: conflicts first.
fn print_preview(p: &ImportPreview) {
    let adds: Vec<String> =
        p.sheets.iter().filter(|s| s.added > 0).map(|s| format!("{} {} 行", table_zh(s.sheet), s.added)).collect();
    if !adds.is_empty() {
        println!("新增：{}。", adds.join("，"));
    }
    if p.skipped_rows > 0 {
        println!("只新增（--only-new）：{} 行与库中不同，保持库中值不变。", p.skipped_rows);
    }
    if p.foreign_stamp && !p.changes.is_empty() {
        println!(
            "文件的版本标记（{}）比本库最新版本（{}）还新：文件来自另一个库，或本库已从旧备份恢复；\
             库中有修改记录的单元格都按冲突处理。",
            p.file_revision.unwrap_or_default(),
            p.registry_revision.unwrap_or_default()
        );
    }
    if p.changes.is_empty() {
        println!("没有需要修改的单元格。");
        return;
    }
    match p.conflict_count() {
        0 => println!("将修改 {} 个单元格：", p.changes.len()),
        n => println!("将修改 {} 个单元格，其中冲突 {n} 个（标 ⚠）：", p.changes.len()),
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header(["", "表", "企业", "年度/键", "字段", "原值", "新值", "原值最后修改"]);
    for c in &p.changes {
        t.add_row([
            if c.conflict { "⚠" } else { "" }.to_string(),
            c.table_zh.to_string(),
            format!("{}（{}）", c.enterprise, c.uscc),
            c.row_label.clone(),
            c.field_zh.to_string(),
            c.old.clone().unwrap_or_else(|| "（空）".into()),
            c.new.clone().unwrap_or_else(|| "（空）".into()),
            c.last.as_ref().map_or_else(|| "无修改记录（首次导入的值）".into(), |l| l.describe()),
        ]);
    }
    println!("{t}");
}

fn print_conflict_refusal(p: &ImportPreview) {
    let since = p.file_revision.map_or(String::new(), |r| format!("（版本 {r}）"));
    println!(
        "有 {} 处冲突：文件导出{since}之后，库中这些单元格又被修改过（上表标 ⚠ 的行）。未导入任何数据。",
        p.conflict_count()
    );
    println!("请选择后重新运行：--on-conflict keep（保留库中值）或 --on-conflict take（采用文件值）。");
}

fn print_report(db: &str, report: &ImportReport) {
    println!("导入完成（{db}）：");
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header(["表", "新增", "更新", "未变"]);
    for s in &report.sheets {
        t.add_row([table_zh(s.sheet).to_string(), s.added.to_string(), s.changed.to_string(), s.unchanged.to_string()]);
    }
    println!("{t}");
    if report.is_noop() && report.kept_cells > 0 {
        println!("文件与库中不同的单元格都保留了库中值：未做任何修改。");
    } else if report.is_noop() {
        println!("库中数据与文件一致，未做任何修改。");
    } else {
        println!("共修改 {} 个单元格，已记入审计日志。", report.changed_cells);
    }
    if report.kept_cells + report.taken_cells > 0 {
        println!("冲突：保留库中值 {} 个，采用文件值 {} 个。", report.kept_cells, report.taken_cells);
    }
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
    /// CSV 文件夹，或以 .xlsx 结尾的工作簿文件。
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// 使用中文表头和工作表名。
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
    let (dataset, stamp) = block_on(async {
        let store = open(&a.db, &policy).await?;
        let d = store.load_for_export(&policy.vocabulary, &a.db.actor()).await;
        store.close().await;
        anyhow::Ok(d?)
    })?;
    write_stamped(&dataset, &a.out, a.chinese, &stamp)?;
    eprintln!("已导出：{} → {}（企业库版本 {}）", dataset.summary_zh(), a.out.display(), stamp.revision);
    Ok(ExitCode::SUCCESS)
}

/// Writes an export (an .xlsx workbook, or a folder of CSV files) with its registry stamp (the
/// sheet or file 导出信息), so that re-importing it finds the cells changed since.
fn write_stamped(
    dataset: &lianzhang_facts::Dataset,
    out: &Path,
    chinese: bool,
    stamp: &ExportStamp,
) -> anyhow::Result<()> {
    use lianzhang_facts::{HeaderLanguage, write_csv_dir, write_xlsx};
    let lang = if chinese { HeaderLanguage::Chinese } else { HeaderLanguage::English };
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        write_xlsx(dataset, out, lang, Some(stamp)).with_context(|| format!("无法写入 {}", out.display()))?;
    } else {
        std::fs::create_dir_all(out).with_context(|| format!("无法创建目录 {}", out.display()))?;
        write_csv_dir(dataset, out, lang, Some(stamp)).with_context(|| format!("无法写入 {}", out.display()))?;
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// 备份（SQLite，联机一致）：写一个新的数据库文件
    Backup {
        /// 备份文件（须是新文件，已存在则拒绝）。
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 恢复（SQLite）：用备份文件替换数据库；请先停止服务
    Restore {
        /// 用来恢复的备份文件。
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
                if report != ["ok"] {
                    store.close().await;
                    for line in &report {
                        println!("{line}");
                    }
                    return Ok(ExitCode::FAILURE);
                }
                // Text stored before the door rules existed (issue 9): listed for correction.
                let texts = store.stored_text_problems().await;
                store.close().await;
                let texts = texts?;
                if !texts.is_empty() {
                    println!("库中有 {} 处文字不符合录入规则（请在网页编辑或重新导入改正）：", texts.len());
                    for t in &texts {
                        println!("  {} {} 的{}：{}", t.table, t.key, t.column, t.problem);
                    }
                    return Ok(ExitCode::FAILURE);
                }
                println!("数据库完好：完整性检查通过，库中文字均符合录入规则");
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

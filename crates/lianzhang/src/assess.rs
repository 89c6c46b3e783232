//! `lianzhang assess` and `lianzhang explain`.

use crate::output::{self, Format};
use crate::registry::{self, DbOpts};
use crate::{PolicyOpts, inputs};
use anyhow::{Context, bail};
use clap::Args;
use lianzhang_facts::{Dataset, Uscc};
use lianzhang_policy::{Policy, explain};
use lianzhang_store::{PaidSet, Store};
use std::path::PathBuf;

use std::process::ExitCode;
use std::time::Instant;

/// Where the facts come from: a dataset on disk, or the built-in demo county.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct DataSource {
    /// Facts: a folder of CSV files or one .xlsx workbook (FACTS.md).
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Use the built-in demo county (`lianzhang demo` with its defaults), generated in memory.
    #[arg(long)]
    pub demo: bool,
    /// The registry: sqlite://file.db or postgres://…; its payout ledger marks paid awards
    /// `already_paid`.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// The facts of a run and what the ledger shows paid (nothing, for files and the demo).
struct Facts {
    dataset: Dataset,
    paid: PaidSet,
    /// The registry they came from, kept open to record the run.
    store: Option<Store>,
}

fn load(source: &DataSource, policy: &Policy) -> anyhow::Result<Result<Facts, ExitCode>> {
    let Some(url) = &source.db else {
        return Ok(inputs::dataset(source.data.as_deref(), policy)?.map(|dataset| Facts {
            dataset,
            paid: PaidSet::default(),
            store: None,
        }));
    };
    let db = DbOpts { db: url.clone(), actor: None };
    registry::block_on(async {
        let store = registry::open(&db, policy).await?;
        let dataset = store.load_dataset(&policy.vocabulary).await?;
        let paid = store.paid().await?;
        Ok(Ok(Facts { dataset, paid, store: Some(store) }))
    })
}

#[derive(Args)]
pub struct AssessArgs {
    #[command(flatten)]
    pub source: DataSource,
    /// Assessment year.
    #[arg(long)]
    pub year: i32,
    #[command(flatten)]
    pub policy: PolicyOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Store the run in the registry (with --db): policy hash, overrides, time, actor, outcomes.
    #[arg(long, requires = "db")]
    pub record: bool,
    /// Who runs it, for the record (default: $USER).
    #[arg(long, env = "LIANZHANG_ACTOR")]
    pub actor: Option<String>,
}

#[derive(Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub source: DataSource,
    #[arg(long)]
    pub year: i32,
    /// The enterprise's 统一社会信用代码.
    #[arg(long)]
    pub uscc: String,
    #[command(flatten)]
    pub policy: PolicyOpts,
    /// text (default) or json.
    #[arg(long, default_value = "text")]
    pub format: String,
}

pub fn run_assess(a: AssessArgs) -> anyhow::Result<ExitCode> {
    if a.format == Format::Xlsx && a.out.is_none() {
        bail!("xlsx 格式需要用 --out 指定输出文件");
    }
    let (file, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let started = Instant::now();
    let Facts { dataset, paid, store } = match load(&a.source, &policy)? {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let read = started.elapsed();
    let assessment = lianzhang_policy::assess(&policy, &dataset, a.year, &paid);
    tracing::info!(
        enterprises = dataset.len(),
        annual_rows = dataset.annual_count(),
        outcomes = assessment.outcomes.len(),
        read_ms = read.as_millis() as u64,
        assess_ms = (started.elapsed() - read).as_millis() as u64,
        "assessed"
    );
    if !assessment.in_force {
        eprintln!("注意：政策 {} 不适用于{}年度，无评定结果", policy.meta.id, a.year);
    }
    if let Some(store) = store {
        if a.record {
            let actor = DbOpts { db: String::new(), actor: a.actor.clone() }.actor();
            let id = registry::block_on(store.record_run(&file, &policy, &assessment, &actor))?;
            eprintln!("已记录为第 {id} 次评定（{} 条结果）", assessment.outcomes.len());
        }
        registry::block_on(store.close());
    }
    let ctx = output::Context { policy: &policy, overrides: file.overrides(), assessment: &assessment };
    output::write(&ctx, a.format, a.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_explain(a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let uscc = match Uscc::parse(&a.uscc) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("统一社会信用代码 {} 无效：{e}", a.uscc);
            return Ok(ExitCode::from(crate::EXIT_INVALID));
        }
    };
    let (_, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let Facts { dataset, paid, store } = match load(&a.source, &policy)? {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let facts = dataset.find(&uscc).with_context(|| format!("数据中没有企业 {uscc}"))?;
    let reports = explain(&policy, facts, a.year, &paid);
    if let Some(store) = store {
        registry::block_on(store.close());
    }
    match a.format.as_str() {
        "json" => {
            println!("{}", serde_json::to_string_pretty(&output::explain_json(&policy, facts, a.year, &reports))?)
        }
        "text" => print!("{}", output::explain_text(&policy, facts, a.year, &reports)),
        other => bail!("未知格式 {other}（text | json）"),
    }
    Ok(ExitCode::SUCCESS)
}

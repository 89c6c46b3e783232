//! `lianzhang assess` and `lianzhang explain`.

use crate::output::{self, Format};
use crate::registry::{self, DbOpts};
use crate::{PolicyOpts, findings_cmd, inputs};
use anyhow::{Context, bail};
use clap::Args;
use lianzhang_facts::{Dataset, Locations, Uscc};
use lianzhang_policy::plausibility::{self, Confirmations};
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_store::{PaidSet, Store};
use std::path::PathBuf;

use std::process::ExitCode;
use std::time::Instant;

/// Where the facts come from: a dataset on disk, or the built-in demo county.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct DataSource {
    /// 企业数据：CSV 文件夹或一个 .xlsx 工作簿（FACTS.md 格式）。
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// 使用内置示范县（与 `lianzhang demo` 默认参数相同），在内存中生成。
    #[arg(long)]
    pub demo: bool,
    /// 企业库：sqlite://文件.db 或 postgres://…；台账中已支付的奖励标为已兑现（already_paid）。
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// The facts of a run and what the ledger shows paid (nothing, for files and the demo).
struct Facts {
    dataset: Dataset,
    /// Where each fact came from (files only): findings are located `sheet:row:column`.
    locations: Option<Locations>,
    paid: PaidSet,
    /// The confirmed values (核实确认) of the registry (none, for files and the demo).
    confirmations: Confirmations,
    /// The registry they came from, kept open to record the run.
    store: Option<Store>,
}

fn load(source: &DataSource, policy: &Policy) -> anyhow::Result<Result<Facts, ExitCode>> {
    let Some(url) = &source.db else {
        return Ok(inputs::dataset_located(source.data.as_deref(), policy)?.map(|(dataset, locations)| Facts {
            dataset,
            locations,
            paid: PaidSet::default(),
            confirmations: Confirmations::none(),
            store: None,
        }));
    };
    let db = DbOpts { db: url.clone(), actor: None };
    registry::block_on(async {
        let store = registry::open(&db, policy).await?;
        // One snapshot: the facts, the ledger and the confirmations of one moment.
        let inputs = store.load_assessment_inputs(&policy.vocabulary).await?;
        Ok(Ok(Facts {
            dataset: inputs.dataset,
            locations: None,
            paid: inputs.paid,
            confirmations: inputs.confirmations,
            store: Some(store),
        }))
    })
}

#[derive(Args)]
pub struct AssessArgs {
    #[command(flatten)]
    pub source: DataSource,
    /// 评定年度，或含首尾的年度范围：2023、2022..2025。
    #[arg(long, value_parser = parse_years, allow_hyphen_values = true)]
    pub year: Years,
    #[command(flatten)]
    pub policy: PolicyOpts,
    /// 输出格式。
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// 写入该文件而不是标准输出（xlsx 格式必填）。
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 把本次评定记入企业库（需 --db）：政策文本哈希、覆盖参数、时间、经办人和全部结果。
    #[arg(long, requires = "db")]
    pub record: bool,
    /// 经办人，记入评定记录（默认为 $USER）。
    #[arg(long, env = "LIANZHANG_ACTOR", value_parser = crate::line_arg)]
    pub actor: Option<String>,
}

#[derive(Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub source: DataSource,
    /// 年度。
    #[arg(long, value_parser = crate::year_arg, allow_hyphen_values = true)]
    pub year: i32,
    /// 企业的统一社会信用代码。
    #[arg(long, value_parser = crate::line_arg)]
    pub uscc: String,
    #[command(flatten)]
    pub policy: PolicyOpts,
    /// text（文本，默认）或 json。
    #[arg(long, default_value = "text")]
    pub format: String,
}

/// The years of a run: one year, or an inclusive range `FROM..TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Years {
    pub from: i32,
    pub to: i32,
}

impl Years {
    fn single(self) -> bool {
        self.from == self.to
    }
}

/// `2023`, `2022..2025` or `2022..=2025`; each year 1949–2100
/// ([`lianzhang_facts::typed::parse_year`]), the range not reversed.
fn parse_years(text: &str) -> Result<Years, String> {
    use lianzhang_facts::typed::parse_year;
    let (from, to) = match text.split_once("..") {
        Some((a, b)) => (parse_year(a)?, parse_year(b.trim_start_matches('='))?),
        None => {
            let y = parse_year(text)?;
            (y, y)
        }
    };
    if to < from {
        return Err(format!("年度范围“{}”无效：结束年度早于起始年度", lianzhang_facts::typed::shown(text)));
    }
    Ok(Years { from, to })
}

pub fn run_assess(a: AssessArgs) -> anyhow::Result<ExitCode> {
    if a.format == Format::Xlsx && a.out.is_none() {
        bail!("xlsx 格式需要用 --out 指定输出文件");
    }
    if !a.year.single() && matches!(a.format, Format::Csv | Format::Xlsx) {
        bail!("CSV 与 xlsx 输出一次一个年度：请用 --year 指定单一年度，或改用 --format json/table");
    }
    if !a.year.single() && a.record {
        bail!("--record 一次记录一个年度：请用 --year 指定单一年度");
    }
    let (file, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let started = Instant::now();
    let Facts { dataset, locations, paid, confirmations, store } = match load(&a.source, &policy)? {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let read = started.elapsed();
    // Each year under its policy: the file given, or (none given, from a registry) the version
    // the registry adopted for that year (issue 12), the bundled file before any adoption.
    let mut per_year: Vec<(PolicyFile, Policy)> = Vec::new();
    for year in a.year.from..=a.year.to {
        let adopted = match (&store, &a.policy.policy) {
            (Some(store), None) => registry::block_on(store.policy_in_force(year))?,
            _ => None,
        };
        match adopted {
            Some((name, text, from)) => {
                eprintln!("注意：{year}年度按企业库启用的政策版本 {name}（{from}年起施行）评定");
                let mut f = PolicyFile::parse(name, text);
                for s in &a.policy.set {
                    f.set(s);
                }
                match f.compile() {
                    Ok(p) => per_year.push((f, p)),
                    Err(e) => {
                        inputs::report_policy_errors(&e);
                        return Ok(ExitCode::from(crate::EXIT_INVALID));
                    }
                }
            }
            None => per_year.push((file.clone(), policy.clone())),
        }
    }
    let assessments: Vec<_> = (a.year.from..=a.year.to)
        .zip(&per_year)
        .map(|(year, (_, policy))| lianzhang_policy::assess_with(policy, &dataset, year, &paid, &confirmations))
        .collect();
    tracing::info!(
        enterprises = dataset.len(),
        annual_rows = dataset.annual_count(),
        outcomes = assessments.iter().map(|a| a.outcomes.len()).sum::<usize>(),
        read_ms = read.as_millis() as u64,
        assess_ms = (started.elapsed() - read).as_millis() as u64,
        "assessed"
    );
    for (assessment, (_, policy)) in assessments.iter().zip(&per_year) {
        if !assessment.in_force {
            eprintln!("注意：政策 {} 不适用于{}年度，无评定结果", policy.meta.id, assessment.year);
        } else if !dataset.iter().any(|e| e.row(assessment.year).is_some()) {
            eprintln!(
                "注意：数据中没有{0}年的年度数据：按年度数据评定的规则没有结果，只评定了{0}年的认定和竣工项目",
                assessment.year
            );
        }
    }
    if let Some(first) = assessments.first() {
        findings_cmd::warn(&first.findings, locations.as_ref());
    }
    if let Some(store) = store {
        if a.record {
            let actor = DbOpts { db: String::new(), actor: a.actor.clone() }.actor();
            let assessment = &assessments[0];
            let (file, policy) = &per_year[0];
            let id = registry::block_on(store.record_run(file, policy, assessment, &actor))?;
            let run = registry::block_on(store.run(id))?;
            match run.what_if_reason() {
                None => eprintln!("已记录为第 {id} 次评定（{} 条结果）", assessment.outcomes.len()),
                Some(why) => eprintln!(
                    "已记录为第 {id} 次评定，标为试算（{why}；{} 条结果）：试算结果不能据此支付，\
                     支付请按现行政策文件、不带 --set 的评定记录",
                    assessment.outcomes.len()
                ),
            }
        }
        registry::block_on(store.close());
    }
    let ctxs: Vec<_> = assessments
        .iter()
        .zip(&per_year)
        .map(|(assessment, (file, policy))| output::Context {
            policy,
            overrides: file.overrides(),
            assessment,
            locations: locations.as_ref(),
        })
        .collect();
    if a.year.single() {
        output::write(&ctxs[0], a.format, a.out.as_deref())?;
    } else {
        output::write_years(&ctxs, a.format, a.out.as_deref())?;
    }
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
    let Facts { dataset, locations, paid, confirmations, store } = match load(&a.source, &policy)? {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let facts = dataset.find(&uscc).with_context(|| format!("数据中没有企业 {uscc}"))?;
    let reports = lianzhang_policy::explain_with(&policy, facts, a.year, &paid, &confirmations);
    let findings = plausibility::findings_of(&policy, facts, &confirmations);
    findings_cmd::warn(&findings, locations.as_ref());
    if let Some(store) = store {
        registry::block_on(store.close());
    }
    match a.format.as_str() {
        "json" => {
            let json = output::explain_json(&policy, facts, a.year, &reports, &findings);
            println!("{}", serde_json::to_string_pretty(&json)?)
        }
        "text" => print!("{}", output::explain_text(&policy, facts, a.year, &reports, &findings)),
        other => bail!("未知格式 {}（text | json）", lianzhang_facts::typed::shown(other)),
    }
    Ok(ExitCode::SUCCESS)
}

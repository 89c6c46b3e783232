//! `lianzhang findings` and `lianzhang confirm`: the plausibility findings (数据疑点) of the
//! registry, and a clerk's confirmation (核实确认) that a doubted value is right after all.

use crate::registry::{self, DbOpts, block_on};
use crate::{PolicyOpts, inputs};
use anyhow::{Context, bail};
use clap::Args;
use lianzhang_facts::{Locations, Uscc};
use lianzhang_policy::plausibility::{self, Confirmations, Finding};
use lianzhang_store::NewConfirmation;
use std::process::ExitCode;

#[derive(Args)]
pub struct FindingsArgs {
    /// 只看该企业（统一社会信用代码）。
    #[arg(long, value_parser = crate::line_arg)]
    pub uscc: Option<String>,
    /// 只看该年度。
    #[arg(long, value_parser = crate::year_arg, allow_hyphen_values = true)]
    pub year: Option<i32>,
    /// table（表格）或 json。
    #[arg(long, default_value = "table")]
    pub format: String,
    #[command(flatten)]
    pub db: DbOpts,
    #[command(flatten)]
    pub policy: PolicyOpts,
}

#[derive(Args)]
pub struct ConfirmArgs {
    /// 企业（统一社会信用代码）。
    #[arg(long, value_parser = crate::line_arg)]
    pub uscc: String,
    /// 疑点数值所在年度。
    #[arg(long, value_parser = crate::year_arg, allow_hyphen_values = true)]
    pub year: i32,
    /// 疑点检查项，按 `lianzhang findings` 所列：代码（如 unit_jump）或中文名称。
    #[arg(long, value_parser = crate::line_arg)]
    pub check: String,
    /// 核实依据（必填，记入修改记录）。
    #[arg(long, value_parser = crate::note_arg)]
    pub reason: String,
    #[command(flatten)]
    pub db: DbOpts,
    #[command(flatten)]
    pub policy: PolicyOpts,
}

/// The findings in force in the registry (confirmed values cleared), sorted by USCC, year, check.
fn findings_in_registry(db: &DbOpts, policy_opts: &PolicyOpts) -> anyhow::Result<Result<Vec<Finding>, ExitCode>> {
    let (_, policy) = match inputs::policy(policy_opts)? {
        Ok(p) => p,
        Err(code) => return Ok(Err(code)),
    };
    block_on(async {
        let store = registry::open(db, &policy).await?;
        let inputs = store.load_assessment_inputs(&policy.vocabulary).await?;
        store.close().await;
        Ok(Ok(plausibility::check(&policy, &inputs.dataset, &inputs.confirmations)))
    })
}

pub fn run_findings(a: FindingsArgs) -> anyhow::Result<ExitCode> {
    let mut findings = match findings_in_registry(&a.db, &a.policy)? {
        Ok(f) => f,
        Err(code) => return Ok(code),
    };
    findings.retain(|f| a.uscc.as_deref().is_none_or(|u| f.uscc.as_str() == u) && a.year.is_none_or(|y| f.year == y));
    match a.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&findings)?),
        "table" => {
            if findings.is_empty() {
                println!("没有待核实的数据疑点。");
                return Ok(ExitCode::SUCCESS);
            }
            // One block per finding: a terminal is narrow and the messages are sentences.
            for (i, f) in findings.iter().enumerate() {
                println!("{}. {}（{}）{}年【{}】检查项 {}", i + 1, f.enterprise, f.uscc, f.year, f.title, f.check);
                println!("   涉及：{}", f.values_zh());
                println!("   {}", f.message);
            }
            println!(
                "\n共 {} 处疑点。核实无误的，用 lianzhang confirm --uscc 代码 --year 年度 --check 检查项 --reason \"核实依据\" \
                 确认（或在企业页面“数据疑点”中确认）；有误的，改正数据后重新导入。",
                findings.len()
            );
        }
        other => bail!("未知格式 {}（table | json）", lianzhang_facts::typed::shown(other)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Where a fact of a finding is in the file: `年度数据:3:营业收入` (sheet:row:column).
pub fn locate(locations: Option<&Locations>, f: &Finding, i: &plausibility::Involved) -> Option<String> {
    let l = locations?;
    let (sheet, row, code) = match &i.fact.project_id {
        Some(p) => {
            let (sheet, row) = l.project(p)?;
            (sheet, row, "projects")
        }
        None => {
            let (sheet, row) = l.annual(&f.uscc, i.fact.year)?;
            (sheet, row, "annual")
        }
    };
    Some(format!("{sheet}:{row}:{}", l.column(code, &i.fact.field)))
}

/// Every finding on stderr, one line each, located as precisely as the source allows (files:
/// `sheet:row:column`; the registry: enterprise and year). The exit status is not affected.
pub fn warn(findings: &[Finding], locations: Option<&Locations>) {
    if findings.is_empty() {
        return;
    }
    eprintln!("提示：发现 {} 处数据疑点，相关规则的结果为“待核实”（不影响退出状态）：", findings.len());
    for f in findings {
        let values: Vec<String> = f
            .facts
            .iter()
            .map(|i| match locate(locations, f, i) {
                Some(at) => format!("{at}: {}", i.text),
                None => format!("{} {}", i.what(), i.text),
            })
            .collect();
        eprintln!(
            "  {}（{}）{}年【{}】{}（涉及：{}）",
            f.enterprise,
            f.uscc,
            f.year,
            f.title,
            f.message,
            values.join("、")
        );
    }
}

pub fn run_confirm(a: ConfirmArgs) -> anyhow::Result<ExitCode> {
    let uscc = match Uscc::parse(a.uscc.trim()) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("统一社会信用代码 {} 无效：{e}", a.uscc);
            return Ok(ExitCode::from(crate::EXIT_INVALID));
        }
    };
    let findings = match findings_in_registry(&a.db, &a.policy)? {
        Ok(f) => f,
        Err(code) => return Ok(code),
    };
    let matching: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.uscc == uscc && f.year == a.year && [&f.check, &f.title].contains(&&a.check))
        .collect();
    if matching.is_empty() {
        let open: Vec<String> = findings
            .iter()
            .filter(|f| f.uscc == uscc)
            .map(|f| format!("{}年 {}（{}）", f.year, f.title, f.check))
            .collect();
        eprintln!(
            "企业 {uscc} {}年没有待核实的“{}”疑点（可能已确认，或数值已更正）。该企业现有疑点：{}",
            a.year,
            a.check,
            if open.is_empty() { "无".to_string() } else { open.join("；") }
        );
        return Ok(ExitCode::from(crate::EXIT_INVALID));
    }
    let confirmations: Vec<_> = matching.iter().flat_map(|f| Confirmations::for_finding(f)).collect();
    let items: Vec<NewConfirmation<'_>> = confirmations.iter().map(|c| NewConfirmation::of(c, &a.reason)).collect();
    let actor = a.db.actor();
    let done = block_on(async {
        let store = lianzhang_store::Store::open(&a.db.db).await?;
        let r = store.confirm_values(&items, &actor).await;
        store.close().await;
        r.context("核实确认未记录")
    })?;
    for f in &matching {
        println!("已确认：{}（{}）{}年【{}】{}", f.enterprise, f.uscc, f.year, f.title, f.values_zh());
    }
    println!("共记录 {} 个数值（操作人 {actor}），相关规则按确认后的数值重新评定。", done.len());
    Ok(ExitCode::SUCCESS)
}

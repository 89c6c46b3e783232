//! `lianzhang demo`: writes the synthetic county as a CSV folder or an .xlsx workbook.

use crate::{PolicyOpts, inputs};
use anyhow::Context;
use clap::Args;
use lianzhang_demo::{DemoParams, generate};
use lianzhang_facts::write::{HeaderLanguage, write_csv_dir, write_xlsx};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct DemoArgs {
    /// A folder (CSV files) or a file ending in .xlsx.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    #[arg(long, default_value_t = DemoParams::default().enterprises)]
    pub enterprises: usize,
    #[arg(long, default_value_t = DemoParams::default().seed)]
    pub seed: u64,
    #[arg(long, default_value_t = DemoParams::default().first_year)]
    pub first_year: i32,
    #[arg(long, default_value_t = DemoParams::default().last_year)]
    pub last_year: i32,
    /// Write Chinese headers and sheet names.
    #[arg(long)]
    pub chinese: bool,
    #[command(flatten)]
    pub policy: PolicyOpts,
}

pub fn run(a: DemoArgs) -> anyhow::Result<ExitCode> {
    let (_, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let params =
        DemoParams { enterprises: a.enterprises, seed: a.seed, first_year: a.first_year, last_year: a.last_year };
    let dataset = generate(&params, &policy.vocabulary);
    let lang = if a.chinese { HeaderLanguage::Chinese } else { HeaderLanguage::English };
    let is_xlsx = a.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        write_xlsx(&dataset, &a.out, lang).with_context(|| format!("无法写入 {}", a.out.display()))?;
    } else {
        std::fs::create_dir_all(&a.out).with_context(|| format!("无法创建目录 {}", a.out.display()))?;
        write_csv_dir(&dataset, &a.out, lang).with_context(|| format!("无法写入 {}", a.out.display()))?;
    }
    eprintln!(
        "已生成示范数据：{} 家企业、{} 条年度数据、{} 条认定、{} 个项目 → {}",
        dataset.len(),
        dataset.annual_count(),
        dataset.recognition_count(),
        dataset.project_count(),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

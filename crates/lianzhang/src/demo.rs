//! `lianzhang demo`: writes the synthetic county as a CSV folder or an .xlsx workbook.

use crate::{PolicyOpts, inputs};
use clap::Args;
use lianzhang_demo::{DemoParams, generate};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct DemoArgs {
    /// CSV 文件夹，或以 .xlsx 结尾的工作簿文件。
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    #[arg(long, default_value_t = DemoParams::default().enterprises)]
    pub enterprises: usize,
    #[arg(long, default_value_t = DemoParams::default().seed)]
    pub seed: u64,
    #[arg(long, default_value_t = DemoParams::default().first_year, value_parser = crate::year_arg, allow_hyphen_values = true)]
    pub first_year: i32,
    #[arg(long, default_value_t = DemoParams::default().last_year, value_parser = crate::year_arg, allow_hyphen_values = true)]
    pub last_year: i32,
    /// 写出中文表头和工作表名。
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
    // The county follows the policy: its chains, recognition kinds, categories, declared facts.
    let params = DemoParams {
        enterprises: a.enterprises,
        seed: a.seed,
        first_year: a.first_year,
        last_year: a.last_year,
        county: policy.meta.county(),
    };
    let dataset = generate(&params, &policy.vocabulary);
    inputs::write_dataset(&dataset, &a.out, a.chinese)?;
    eprintln!("已生成示范数据：{} → {}", dataset.summary_zh(), a.out.display());
    Ok(ExitCode::SUCCESS)
}

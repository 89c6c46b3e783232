//! `lianzhang policy check|params|show`.

use crate::PolicyOpts;
use crate::inputs;
use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// 检查政策文件：逐条报告错误（文件、行、列）
    Check {
        /// 要检查的政策文件（也可写 --policy 文件，与其他命令一致）。
        #[arg(required_unless_present = "policy")]
        file: Option<PathBuf>,
        /// 要检查的政策文件。
        #[arg(long, value_name = "FILE", conflicts_with = "file")]
        policy: Option<PathBuf>,
        /// 检查时覆盖一个参数：规则.参数=值（可重复）。
        #[arg(long = "set", value_name = "RULE.PARAM=VALUE")]
        set: Vec<String>,
    },
    /// 列出全部参数及其取值（可用 --set 覆盖）
    Params(PolicyOpts),
    /// 以中文展示政策规则
    Show(PolicyOpts),
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Check { file, policy, set } => {
            let file = file.or(policy).expect("clap requires one of them");
            let opts = PolicyOpts { policy: Some(file.clone()), set };
            match inputs::policy(&opts)? {
                Ok((_, p)) => {
                    println!(
                        "{}：政策文件有效（{}，{} 条规则，{} 个分组，{} 项目标）",
                        file.display(),
                        p.meta.id,
                        p.rules.len(),
                        p.groups.len(),
                        p.targets.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(code) => Ok(code),
            }
        }
        PolicyCommand::Params(opts) => {
            let file = inputs::policy_file(&opts)?;
            if let Err(e) = file.compile() {
                inputs::report_policy_errors(&e);
                return Ok(ExitCode::from(crate::EXIT_INVALID));
            }
            let mut t = Table::new();
            t.load_style(UTF8_FULL_CONDENSED).set_header(vec!["参数", "取值", "所属"]);
            for p in file.params() {
                t.add_row(vec![p.key, p.value, p.owner]);
            }
            println!("{t}");
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Show(opts) => match inputs::policy(&opts)? {
            Ok((_, p)) => {
                print!("{}", lianzhang_policy::show::show(&p));
                Ok(ExitCode::SUCCESS)
            }
            Err(code) => Ok(code),
        },
    }
}

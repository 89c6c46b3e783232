//! `lianzhang`: the command line of the 链长 platform. It wires the crates together and holds
//! no policy logic of its own.

mod assess;
mod demo;
mod inputs;
mod output;
mod policy_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status for invalid input (bad data, bad policy, bad override): nothing was done.
pub const EXIT_INVALID: u8 = 2;

#[derive(Parser)]
#[command(name = "lianzhang", version, about = "链长：县级制造业产业链政策平台（泽工信字〔2022〕84号）")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 评定：计算某年度全部企业的奖励、待核实与推荐结果
    Assess(assess::AssessArgs),
    /// 说明：某企业某年度每条规则的结论与理由
    Explain(assess::ExplainArgs),
    /// 政策文件：检查、参数、展示
    Policy {
        #[command(subcommand)]
        command: policy_cmd::PolicyCommand,
    },
    /// 生成示范数据：一个确定性的合成县域数据集
    Demo(demo::DemoArgs),
}

/// Options shared by the commands that evaluate a policy.
#[derive(clap::Args, Clone)]
pub struct PolicyOpts {
    /// Policy file (TOML); the bundled 泽工信字〔2022〕84号 policy when omitted.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Override one parameter for this run: RULE.PARAM=VALUE (repeatable).
    #[arg(long = "set", value_name = "RULE.PARAM=VALUE")]
    pub set: Vec<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LIANZHANG_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Assess(a) => assess::run_assess(a),
        Command::Explain(a) => assess::run_explain(a),
        Command::Policy { command } => policy_cmd::run(command),
        Command::Demo(a) => demo::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

//! `lianzhang`: the command line of the 链长 platform. It wires the crates together and holds
//! no policy logic of its own.

mod assess;
mod demo;
mod demo_rounds;
mod findings_cmd;
mod inputs;
mod ledger_cmd;
mod output;
mod policy_cmd;
mod registry;
mod round_cmd;
mod serve;

use clap::{FromArgMatches, Parser, Subcommand};
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
    /// 启动网页服务（--demo：演示库与演示账号）
    Serve(serve::ServeArgs),
    /// 用户管理
    User {
        #[command(subcommand)]
        command: serve::UserCommand,
    },
    /// API 令牌
    Token {
        #[command(subcommand)]
        command: serve::TokenCommand,
    },
    /// 导入：校验后一次性写入企业库（全部成功或全部不变）
    Import(registry::ImportArgs),
    /// 导出：企业库导出为 CSV 文件夹或 .xlsx
    Export(registry::ExportArgs),
    /// 导入模板：中文表头、下拉选项、填写说明的 .xlsx
    Template {
        /// 要写出的 .xlsx 文件。
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
        #[command(flatten)]
        policy: PolicyOpts,
    },
    /// 兑付台账：支付、冲正、列表
    Ledger {
        #[command(subcommand)]
        command: ledger_cmd::LedgerCommand,
    },
    /// 数据疑点：企业库中数值合理性检查发现的疑点（待核实）
    Findings(findings_cmd::FindingsArgs),
    /// 核实确认：确认某个疑点涉及的数值无误（记入审计记录）
    Confirm(findings_cmd::ConfirmArgs),
    /// 兑现批次：新建、审核、确认、信用核查、审批、公示、异议、支付
    Round {
        #[command(subcommand)]
        command: round_cmd::RoundCommand,
    },
    /// 数据库：备份、恢复、完整性检查
    Db {
        #[command(subcommand)]
        command: registry::DbCommand,
    },
}

/// Options shared by the commands that evaluate a policy.
#[derive(clap::Args, Clone)]
pub struct PolicyOpts {
    /// 政策文件（TOML）；不写时使用内置的泽工信字〔2022〕84号政策。
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// 本次覆盖一个参数：规则.参数=值（可重复）。带覆盖参数记录的评定是试算，不能据此支付。
    #[arg(long = "set", value_name = "RULE.PARAM=VALUE", value_parser = line_arg)]
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
    let cli = match command_zh().try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => return refuse_arguments(e),
    };
    let result = match cli.command {
        Command::Assess(a) => assess::run_assess(a),
        Command::Explain(a) => assess::run_explain(a),
        Command::Policy { command } => policy_cmd::run(command),
        Command::Demo(a) => demo::run(a),
        Command::Serve(a) => serve::run_serve(a),
        Command::User { command } => serve::run_user(command),
        Command::Token { command } => serve::run_token(command),
        Command::Import(a) => registry::run_import(a),
        Command::Export(a) => registry::run_export(a),
        Command::Template { out, policy } => registry::run_template(&out, &policy),
        Command::Ledger { command } => ledger_cmd::run(command),
        Command::Db { command } => registry::run_db(command),
        Command::Round { command } => round_cmd::run(command),
        Command::Findings(a) => findings_cmd::run_findings(a),
        Command::Confirm(a) => findings_cmd::run_confirm(a),
    };
    match result {
        Ok(code) => code,
        // The reader of our output went away (`lianzhang assess … | head`): not an error of ours.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::debug!(error = ?e, "command failed");
            eprintln!("错误：{}", error_zh(&e));
            ExitCode::FAILURE
        }
    }
}

/// A year typed as an argument (`--year`, `--first-year`, …): 1949–2100, the Chinese message
/// of [`lianzhang_facts::typed::parse_year`] otherwise.
pub fn year_arg(text: &str) -> Result<i32, String> {
    lianzhang_facts::typed::parse_year(text)
}

/// One line of text typed as an argument (`--actor`, `--check`, `--project`): ordinary text of at
/// most 200 characters ([`lianzhang_facts::typed::check_text`]).
pub fn line_arg(text: &str) -> Result<String, String> {
    use lianzhang_facts::typed::{TextKind, check_text};
    check_text(text, TextKind::Line).map(|()| text.to_string()).map_err(|e| e.to_string())
}

/// Free text typed as an argument (`--note`, `--reason`): ordinary text of at most 2,000
/// characters, line breaks allowed.
pub fn note_arg(text: &str) -> Result<String, String> {
    use lianzhang_facts::typed::{TextKind, check_text};
    check_text(text, TextKind::Note).map(|()| text.to_string()).map_err(|e| e.to_string())
}

/// The command line with clap's own words in Chinese: the headings of every help page, the help
/// and version flags; no `help` subcommand (`--help` after any command does it).
fn command_zh() -> clap::Command {
    use clap::{Arg, ArgAction, CommandFactory};
    fn zh(cmd: clap::Command) -> clap::Command {
        let mut template = String::from("{about-with-newline}\n用法：{usage}\n");
        if cmd.has_subcommands() {
            template.push_str("\n命令：\n{subcommands}\n");
        }
        if cmd.get_positionals().next().is_some() {
            template.push_str("\n参数：\n{positionals}\n");
        }
        template.push_str("\n选项：\n{options}\n");
        cmd.help_template(template)
            .disable_help_subcommand(true)
            .disable_help_flag(true)
            .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示帮助"))
            .mut_subcommands(zh)
    }
    zh(Cli::command())
        .disable_version_flag(true)
        .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help("显示版本"))
}

/// A command line clap refuses, as one Chinese sentence naming the argument (clap's own text is
/// English); help and version are printed as they are. A value taken from an environment
/// variable is blamed on the variable.
fn refuse_arguments(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(s)) => s.join("、"),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let flag = arg.split_whitespace().next().unwrap_or_default().to_string();
    // Shown escaped and cut: a refused value may hold control characters or be very long.
    let value = lianzhang_facts::typed::shown(&text(ContextKind::InvalidValue));
    let hint = |kind| {
        let s = text(kind);
        if s.is_empty() { String::new() } else { format!("（是否想用 {s}？）") }
    };
    let said = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            e.exit()
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default();
            format!("{}的值“{value}”无效：{}", source_of(&flag), reason_zh(&why))
        }
        ErrorKind::InvalidValue => {
            format!("{}的值“{value}”无效，可选：{}", source_of(&flag), text(ContextKind::ValidValue))
        }
        ErrorKind::UnknownArgument => format!("不认识的参数 {arg}{}", hint(ContextKind::SuggestedArg)),
        ErrorKind::InvalidSubcommand => {
            format!("不认识的命令 {}{}", text(ContextKind::InvalidSubcommand), hint(ContextKind::SuggestedSubcommand))
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::ArgumentConflict => {
            format!("参数 {flag} 不能与 {} 同时使用", text(ContextKind::PriorArg))
        }
        _ => "命令行参数有误".to_string(),
    };
    eprintln!("错误：{said}（用法见 lianzhang --help，或在命令后加 --help）");
    ExitCode::from(EXIT_INVALID)
}

/// Where a refused value came from: the argument, or the environment variable that set it when
/// the argument is not on the command line.
fn source_of(flag: &str) -> String {
    use clap::CommandFactory;
    fn env_of(cmd: &clap::Command, long: &str) -> Option<String> {
        cmd.get_arguments()
            .find(|a| a.get_long().is_some_and(|l| format!("--{l}") == long))
            .and_then(|a| a.get_env().map(|v| v.to_string_lossy().into_owned()))
            .or_else(|| cmd.get_subcommands().find_map(|c| env_of(c, long)))
    }
    let typed = std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
    match env_of(&Cli::command(), flag).filter(|v| !typed && std::env::var_os(v).is_some()) {
        Some(var) => format!("环境变量 {var}（即参数 {flag}）"),
        None => format!("参数 {flag} "),
    }
}

/// A value parser's reason in Chinese: ours already are; clap's and the standard library's
/// (English) are said by what they mean.
fn reason_zh(why: &str) -> String {
    if !why.is_ascii() {
        return why.to_string();
    }
    if let Some((_, range)) = why.split_once(" is not in ") {
        let (from, to) = range.split_once("..=").or_else(|| range.split_once("..")).unwrap_or((range, ""));
        if to.len() >= 18 || to.is_empty() {
            return format!("应为不小于 {from} 的整数");
        }
        return format!("应在 {from} 至 {to} 之间");
    }
    if why.contains("invalid digit") || why.contains("empty string") || why.contains("too large") {
        return "应为整数".into();
    }
    "格式不对".into()
}

/// An error as one line: each context once (a cause whose text its wrapper already shows is not
/// repeated), operating-system errors in Chinese (the raw text is in the debug log,
/// `LIANZHANG_LOG=debug`).
fn error_zh(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => io_zh(io),
            None => cause.to_string(),
        };
        if parts.last().is_some_and(|last| last.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join("：")
}

/// An operating-system error in Chinese, by its kind.
fn io_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件或文件夹不存在".into(),
        K::PermissionDenied => "没有读写权限".into(),
        K::AlreadyExists => "文件已存在".into(),
        K::StorageFull | K::QuotaExceeded => "磁盘已满".into(),
        K::ReadOnlyFilesystem => "文件系统为只读".into(),
        K::IsADirectory => "这是一个文件夹，不是文件".into(),
        K::NotADirectory => "路径中有一项不是文件夹".into(),
        K::InvalidData => "文件内容无法读取（不是预期的格式或编码）".into(),
        K::ConnectionRefused => "对方拒绝连接".into(),
        kind => format!("读写失败（{kind}）"),
    }
}

/// Whether writing failed because the reader closed the pipe (an I/O error, possibly inside the
/// JSON or CSV writer's error).
fn broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe))
    })
}

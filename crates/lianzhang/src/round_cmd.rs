//! `lianzhang round …`: award rounds (兑现批次) from the command line, each step of the year as
//! the pages and the API take it. The acting account (`--user`) is an account of the registry:
//! its role and chain decide what it may do, checked by the same workflow as the web
//! (`lianzhang-rounds`, through the store). A refusal prints the workflow's Chinese sentence,
//! exits non-zero and changes nothing.

/// `println!` that returns the write error: a closed pipe (`lianzhang round lines 1 | head`)
/// ends the command quietly (see `main`), never a panic.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?
    }};
}

mod act;
mod show;

use clap::{Args, Subcommand};
use jiff::civil::Date;
use lianzhang_store::{Store, StoreError, User};
use std::path::PathBuf;
use std::process::ExitCode;

/// The registry and the acting account.
#[derive(Args, Clone)]
pub struct Who {
    /// 数据库：sqlite://相对路径.db、sqlite:///绝对路径.db 或 postgres://用户@主机/库
    #[arg(long, env = "LIANZHANG_DB", default_value = "sqlite://lianzhang.db", value_name = "URL")]
    pub db: String,
    /// 办理人：企业库中的账号（用户名），其角色与所属产业链决定能办理什么（与网页相同的检查）。
    #[arg(long, env = "LIANZHANG_USER", value_name = "NAME", value_parser = crate::line_arg)]
    pub user: String,
}

/// A line of a round: enterprise, rule and (for per-project rules) project.
#[derive(Args, Clone)]
pub struct LineArgs {
    /// 企业（统一社会信用代码）。
    #[arg(long, value_parser = crate::line_arg)]
    pub uscc: String,
    /// 规则编号，如 above_scale_entry。
    #[arg(long, value_parser = crate::line_arg)]
    pub rule: String,
    /// 项目编号（项目补助时填写）。
    #[arg(long, value_parser = crate::line_arg)]
    pub project: Option<String>,
}

impl LineArgs {
    pub fn key(&self) -> lianzhang_rounds::LineKey {
        lianzhang_rounds::LineKey { uscc: self.uscc.clone(), rule: self.rule.clone(), project_id: self.project.clone() }
    }
}

/// How the enterprise's answer came (`--channel`).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ChannelArg {
    /// 电话
    Phone,
    /// 书面
    Paper,
    /// 走访
    Visit,
}

impl From<ChannelArg> for lianzhang_rounds::Channel {
    fn from(c: ChannelArg) -> Self {
        match c {
            ChannelArg::Phone => lianzhang_rounds::Channel::Phone,
            ChannelArg::Paper => lianzhang_rounds::Channel::Paper,
            ChannelArg::Visit => lianzhang_rounds::Channel::Visit,
        }
    }
}

/// How an objection is settled (`--result`).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ResultArg {
    /// 异议成立，撤下该行
    Withdraw,
    /// 异议成立，更正事实后重新审核
    Correct,
    /// 异议不成立
    Dismissed,
}

/// Output of the reading commands.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Subcommand)]
pub enum RoundCommand {
    /// 新建兑现批次（工信局）：按现行政策评定企业库，冻结名单与所据事实
    Create {
        /// 年度。
        #[arg(long, value_parser = crate::year_arg)]
        year: i32,
        /// 批次名称，如 2024年度第一批。
        #[arg(long, value_parser = crate::line_arg)]
        name: String,
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        policy: crate::PolicyOpts,
    },
    /// 兑现批次列表
    List {
        /// table（表格）或 json。
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        who: Who,
    },
    /// 批次概况：阶段、版本、合计、所据评定与事实
    Show {
        /// 批次编号。
        id: i64,
        /// table（文字）或 json。
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        who: Who,
    },
    /// 名单行（专班只见本产业链）
    Lines(show::LinesArgs),
    /// 时间线：每一步由谁、何时、做了什么
    Timeline {
        /// 批次编号。
        id: i64,
        /// table（文字）或 json。
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        who: Who,
    },
    /// 公示名单：已公示批次的名单，输出 PDF（A4，内嵌中文字体）或 .xlsx（按 --out 的扩展名）
    Publicity {
        /// 批次编号。
        id: i64,
        /// 输出文件：以 .pdf 或 .xlsx 结尾。
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        policy: crate::PolicyOpts,
    },
    /// 代发文件（财政局、工信局）：本批次已登记且未冲正的支付，交银行批量代发的 .xlsx；付款流水号即台账编号
    Instructions {
        /// 批次编号。
        id: i64,
        /// 输出文件（.xlsx）。
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 只导出这一天登记的支付（如 2024-10-15）。
        #[arg(long, value_parser = date_arg)]
        date: Option<Date>,
        #[command(flatten)]
        who: Who,
    },
    /// 刷新（工信局）：按企业库当前事实重新评定，形成下一版名单
    Refresh {
        /// 批次编号。
        id: i64,
        #[command(flatten)]
        who: Who,
    },
    /// 不予兑现（工信局、本链专班），须写明理由
    Reject {
        /// 批次编号。
        id: i64,
        #[command(flatten)]
        line: LineArgs,
        /// 不予兑现的理由。
        #[arg(long, value_parser = crate::note_arg)]
        reason: String,
        #[command(flatten)]
        who: Who,
    },
    /// 核定金额（工信局、本链专班）：上限内确定项目补助的最终金额
    Amount {
        /// 批次编号。
        id: i64,
        #[command(flatten)]
        line: LineArgs,
        /// 核定金额（元，最多两位小数）。
        #[arg(long, value_parser = yuan_arg)]
        amount: i64,
        /// 核定依据（如评审会纪要）。
        #[arg(long, value_parser = crate::note_arg)]
        basis: String,
        #[command(flatten)]
        who: Who,
    },
    /// 撤回审核决定（不予兑现或核定金额），须写明理由
    Reopen {
        /// 批次编号。
        id: i64,
        #[command(flatten)]
        line: LineArgs,
        /// 撤回的理由。
        #[arg(long, value_parser = crate::note_arg)]
        reason: String,
        #[command(flatten)]
        who: Who,
    },
    /// 登记企业确认接受及收款账户（本链专班、工信局）
    Confirm(act::ConfirmArgs),
    /// 登记企业放弃（本链专班、工信局）
    Decline {
        /// 批次编号。
        id: i64,
        #[command(flatten)]
        line: LineArgs,
        /// 企业答复的方式。
        #[arg(long, value_enum)]
        channel: ChannelArg,
        /// 答复日期（如 2024-09-02）。
        #[arg(long, value_parser = date_arg)]
        date: Date,
        /// 备注。
        #[arg(long, default_value = "", value_parser = crate::note_arg)]
        note: String,
        #[command(flatten)]
        who: Who,
    },
    /// 信用核查（工信局）：按核查日在册的失信名单逐家核对
    CreditCheck {
        /// 批次编号。
        id: i64,
        /// 核查日期（如 2024-09-10）。
        #[arg(long, value_parser = date_arg)]
        date: Date,
        #[command(flatten)]
        who: Who,
    },
    /// 解除信用核查命中（工信局），须有理由与证明材料
    CreditClear {
        /// 批次编号。
        id: i64,
        /// 企业（统一社会信用代码）。
        #[arg(long, value_parser = crate::line_arg)]
        uscc: String,
        /// 解除理由。
        #[arg(long, value_parser = crate::note_arg)]
        reason: String,
        /// 证明材料（如信用修复决定书）。
        #[arg(long, value_parser = crate::note_arg)]
        evidence: String,
        #[command(flatten)]
        who: Who,
    },
    /// 审批同意（领导）
    Approve {
        /// 批次编号。
        id: i64,
        /// 审批意见。
        #[arg(long, default_value = "", value_parser = crate::note_arg)]
        note: String,
        #[command(flatten)]
        who: Who,
    },
    /// 发布公示（工信局）：公示期按法定工作日（含调休）计算
    Publish {
        /// 批次编号。
        id: i64,
        /// 发布日期（如 2024-09-27）。
        #[arg(long, value_parser = date_arg)]
        date: Date,
        /// 文号，如 泽工信字〔2024〕9号。
        #[arg(long, value_parser = crate::line_arg)]
        document_no: String,
        #[command(flatten)]
        who: Who,
    },
    /// 登记异议（工信局，公示期内）
    Object(act::ObjectArgs),
    /// 处理异议（工信局）
    Resolve {
        /// 批次编号。
        id: i64,
        /// 异议编号。
        #[arg(long)]
        objection: u32,
        /// withdraw（成立，撤下该行）| correct（成立，更正事实后重新审核）| dismissed（不成立）
        #[arg(long, value_enum)]
        result: ResultArg,
        /// 处理理由。
        #[arg(long, value_parser = crate::note_arg)]
        reason: String,
        #[command(flatten)]
        who: Who,
    },
    /// 确定名单（工信局）：公示期满且无未处理异议
    Finalise {
        /// 批次编号。
        id: i64,
        /// 确定日期（公示期最后一天之后）。
        #[arg(long, value_parser = date_arg)]
        date: Date,
        #[command(flatten)]
        who: Who,
    },
    /// 支付（财政局）：一行，或 --all-ready 全部可付行（全部成功或全部不变）
    Pay(act::PayArgs),
    /// 冲正（财政局）：冲销本批次的一笔支付
    Reverse {
        /// 批次编号。
        id: i64,
        /// 要冲正的台账条目编号（见 round timeline）。
        #[arg(long)]
        entry: i64,
        /// 冲正原因。
        #[arg(long, value_parser = crate::note_arg)]
        reason: String,
        #[command(flatten)]
        who: Who,
    },
    /// 预算：录入与查看某年度各条款的预算
    Budget {
        #[command(subcommand)]
        command: act::BudgetCommand,
    },
    /// 导入失信名单文件（工信局）：统一社会信用代码、名单名称、认定部门、列入日期、移出日期
    CreditImport {
        /// 名单文件（.xlsx 或 .csv）。
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        who: Who,
    },
    /// 银行回单对账（财政局）：与本批次的支付逐笔核对；加 --apply 将支付失败的冲正，转入补发
    Receipt {
        /// 批次编号。
        id: i64,
        /// 银行回单（.xlsx 或 .csv）：付款流水号（即台账编号）、收款户名、收款账号、金额（元）、交易日期、处理结果。
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// 冲正回单中支付失败的各笔（写明银行给出的原因），这些行重新可付。
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        who: Who,
    },
    /// 工作日历：导入国务院办公厅公布的某年放假安排（holiday-cn 格式 JSON）
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// 导入一年的放假安排（系统管理员）
    Add {
        /// holiday-cn 格式的 JSON 文件（如 2027.json）。
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
        #[command(flatten)]
        who: Who,
    },
}

/// An ISO date typed as an argument, 1949–2100.
pub fn date_arg(text: &str) -> Result<Date, String> {
    match text.trim().parse::<Date>() {
        Ok(d) if (1949..=2100).contains(&d.year()) => Ok(d),
        Ok(_) => Err("应在 1949 至 2100 年之间".into()),
        Err(_) => Err("不是日期，应写作 2024-10-08".into()),
    }
}

/// A yuan amount typed as an argument (`1200000.00`), as fen.
pub fn yuan_arg(text: &str) -> Result<i64, String> {
    lianzhang_facts::Fen::parse_yuan(text).map(|f| f.0).map_err(|e| format!("{e}（应为元，最多两位小数）"))
}

/// Opens the registry and finds the acting account: refused when there is none or it is disabled.
pub async fn open(who: &Who) -> anyhow::Result<(Store, User)> {
    let store = Store::open(&who.db).await?;
    let user = match store.user(&who.user).await? {
        Some(u) if u.disabled_at.is_none() => u,
        Some(_) => anyhow::bail!("账号 {} 已停用，不能办理", who.user),
        None => anyhow::bail!("企业库中没有账号 {}：请先用 lianzhang user add 创建", who.user),
    };
    Ok((store, user))
}

/// A refusal of the workflow or the store, said as it is, with "nothing changed".
pub fn refused(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Refused(why) | StoreError::NotFound(why) => anyhow::anyhow!("{why}（未做任何修改）"),
        e => e.into(),
    }
}

pub fn run(c: RoundCommand) -> anyhow::Result<ExitCode> {
    crate::registry::block_on(async move {
        match c {
            RoundCommand::List { format, who } => show::list(&who, format).await,
            RoundCommand::Show { id, format, who } => show::show(&who, id, format).await,
            RoundCommand::Lines(a) => show::lines(a).await,
            RoundCommand::Timeline { id, format, who } => show::timeline(&who, id, format).await,
            RoundCommand::Publicity { id, out, who, policy } => show::publicity(&who, id, &out, &policy).await,
            RoundCommand::Instructions { id, out, date, who } => show::instructions(&who, id, &out, date).await,
            c => act::run(c).await,
        }
    })
}

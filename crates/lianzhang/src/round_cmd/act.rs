//! The steps of a round from the command line: each builds the workflow's event and hands it to
//! the store (which checks it with the workflow inside the write), then prints what happened.

use super::{ChannelArg, LineArgs, ResultArg, RoundCommand, Who, date_arg, open, refused, yuan_arg};
use anyhow::bail;
use clap::{Args, Subcommand};
use jiff::civil::Date;
use lianzhang_rounds::{BankAccount, Event, LineState, Upheld, yuan};
use lianzhang_store::{NewBudget, NewPayment, NewRound, RoundRecord, Store, User};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct ConfirmArgs {
    /// 批次编号。
    id: i64,
    #[command(flatten)]
    line: LineArgs,
    /// 企业答复的方式。
    #[arg(long, value_enum)]
    channel: ChannelArg,
    /// 确认日期（如 2024-09-02）。
    #[arg(long, value_parser = date_arg)]
    date: Date,
    /// 收款户名。
    #[arg(long, value_parser = crate::line_arg)]
    holder: String,
    /// 开户行。
    #[arg(long, value_parser = crate::line_arg)]
    bank: String,
    /// 收款账号。
    #[arg(long, value_parser = crate::line_arg)]
    account: String,
    /// 备注。
    #[arg(long, default_value = "", value_parser = crate::note_arg)]
    note: String,
    #[command(flatten)]
    who: Who,
}

#[derive(Args)]
pub struct ObjectArgs {
    /// 批次编号。
    id: i64,
    #[command(flatten)]
    line: LineArgs,
    /// 异议人。
    #[arg(long, value_parser = crate::line_arg)]
    objector: String,
    /// 收到日期（公示期内）。
    #[arg(long, value_parser = date_arg)]
    date: Date,
    /// 异议内容。
    #[arg(long, value_parser = crate::note_arg)]
    content: String,
    /// 证据材料。
    #[arg(long, default_value = "", value_parser = crate::note_arg)]
    evidence: String,
    #[command(flatten)]
    who: Who,
}

#[derive(Args)]
pub struct PayArgs {
    /// 批次编号。
    id: i64,
    /// 企业（统一社会信用代码；支付一行时填写）。
    #[arg(long, value_parser = crate::line_arg, required_unless_present = "all_ready", conflicts_with = "all_ready")]
    uscc: Option<String>,
    /// 规则编号（支付一行时填写）。
    #[arg(long, value_parser = crate::line_arg, required_unless_present = "all_ready", conflicts_with = "all_ready")]
    rule: Option<String>,
    /// 项目编号（项目补助时填写）。
    #[arg(long, value_parser = crate::line_arg, conflicts_with = "all_ready")]
    project: Option<String>,
    /// 金额（元；不写时为该行尚未支付的全部金额）。
    #[arg(long, value_parser = yuan_arg, conflicts_with = "all_ready")]
    amount: Option<i64>,
    /// 凭证号（支付一行时填写）。
    #[arg(long, value_parser = crate::line_arg, required_unless_present = "all_ready", conflicts_with = "all_ready")]
    voucher: Option<String>,
    /// 支付全部可付行，每行付其尚未支付的金额。
    #[arg(long, requires = "voucher_prefix")]
    all_ready: bool,
    /// 批量支付的凭证号前缀：各行凭证号为前缀加三位序号（如 记-2024-10-001）。
    #[arg(long, value_parser = crate::line_arg)]
    voucher_prefix: Option<String>,
    /// 支付日期。
    #[arg(long, value_parser = date_arg)]
    date: Date,
    #[command(flatten)]
    who: Who,
}

#[derive(Subcommand)]
pub enum BudgetCommand {
    /// 录入某条款的年度预算（工信局；以最新一次为准）
    Set {
        /// 年度。
        #[arg(long, value_parser = crate::year_arg)]
        year: i32,
        /// 条款，如 第三条第（一）项。
        #[arg(long, value_parser = crate::line_arg)]
        clause: String,
        /// 预算金额（元）。
        #[arg(long, value_parser = yuan_arg)]
        amount: i64,
        /// 说明。
        #[arg(long, default_value = "", value_parser = crate::note_arg)]
        note: String,
        #[command(flatten)]
        who: Who,
    },
    /// 查看某年度各条款的预算
    Show {
        /// 年度。
        #[arg(long, value_parser = crate::year_arg)]
        year: i32,
        #[command(flatten)]
        who: Who,
    },
}

/// Prints the round after a step: its phase and what the step was.
fn done(r: &RoundRecord) -> anyhow::Result<ExitCode> {
    let round = &r.round;
    let last = r.events.last().map(|e| e.zh(&r.round)).unwrap_or_default();
    outln!(
        "第 {} 号兑现批次（{}，第 {} 版，{}）：{last}",
        r.header.id,
        r.header.name,
        round.revision(),
        round.phase().zh()
    );
    Ok(ExitCode::SUCCESS)
}

async fn act(store: &Store, user: &User, id: i64, event: Event) -> anyhow::Result<ExitCode> {
    let r = store.act(id, &user.actor(), event).await.map_err(refused)?;
    done(&r)
}

pub async fn run(c: RoundCommand) -> anyhow::Result<ExitCode> {
    match c {
        RoundCommand::Create { year, name, who, policy: opts } => {
            let (store, user) = open(&who).await?;
            // No file given: the version the registry adopted for the year (issue 12), else the
            // bundled file. `--set` is refused by the store either way (a what-if pays nothing).
            let adopted = match &opts.policy {
                None => store.policy_in_force(year).await?,
                Some(_) => None,
            };
            let (file, policy) = match adopted {
                Some((name, text, from)) => {
                    eprintln!("按企业库启用的政策版本 {name}（{from}年起施行）建批次");
                    let mut f = lianzhang_policy::PolicyFile::parse(name, text);
                    for s in &opts.set {
                        f.set(s);
                    }
                    match f.compile() {
                        Ok(p) => (f, p),
                        Err(e) => {
                            crate::inputs::report_policy_errors(&e);
                            return Ok(ExitCode::from(crate::EXIT_INVALID));
                        }
                    }
                }
                None => match crate::inputs::policy(&opts)? {
                    Ok(p) => p,
                    Err(code) => return Ok(code),
                },
            };
            store.seed_chains(&policy).await?;
            let actor = user.actor();
            let new = NewRound { year, name: &name, file: &file, policy: &policy, actor: &actor };
            let r = store.create_round(new).await.map_err(refused)?;
            let lines = r.round.lines().count();
            outln!("已新建第 {} 号兑现批次：{}（{} 年，{} 行）", r.header.id, r.header.name, r.header.year, lines);
            Ok(ExitCode::SUCCESS)
        }
        RoundCommand::Refresh { id, who } => {
            let (store, user) = open(&who).await?;
            let r = store.refresh_round(id, &user.actor()).await.map_err(refused)?;
            done(&r)?;
            for c in r.round.last_changes() {
                outln!("  {}", super::show::change_zh(&r.round, c));
            }
            Ok(ExitCode::SUCCESS)
        }
        RoundCommand::Reject { id, line, reason, who } => {
            let (store, user) = open(&who).await?;
            act(&store, &user, id, Event::Rejected { line: line.key(), reason }).await
        }
        RoundCommand::Amount { id, line, amount, basis, who } => {
            let (store, user) = open(&who).await?;
            act(&store, &user, id, Event::AmountSet { line: line.key(), amount_fen: amount, basis }).await
        }
        RoundCommand::Reopen { id, line, reason, who } => {
            let (store, user) = open(&who).await?;
            act(&store, &user, id, Event::Reopened { line: line.key(), reason }).await
        }
        RoundCommand::Confirm(a) => {
            let (store, user) = open(&a.who).await?;
            let account = BankAccount { holder: a.holder, bank: a.bank, number: a.account };
            let event =
                Event::Confirmed { line: a.line.key(), channel: a.channel.into(), date: a.date, account, note: a.note };
            act(&store, &user, a.id, event).await
        }
        RoundCommand::Decline { id, line, channel, date, note, who } => {
            let (store, user) = open(&who).await?;
            act(&store, &user, id, Event::Declined { line: line.key(), channel: channel.into(), date, note }).await
        }
        RoundCommand::CreditCheck { id, date, who } => {
            let (store, user) = open(&who).await?;
            let r = store.credit_check(id, &user.actor(), date).await.map_err(refused)?;
            done(&r)
        }
        RoundCommand::CreditClear { id, uscc, reason, evidence, who } => {
            let (store, user) = open(&who).await?;
            act(&store, &user, id, Event::CreditCleared { uscc, reason, evidence }).await
        }
        RoundCommand::Approve { id, note, who } => {
            let (store, user) = open(&who).await?;
            act(&store, &user, id, Event::Approved { note }).await
        }
        RoundCommand::Publish { id, date, document_no, who } => {
            let (store, user) = open(&who).await?;
            let r = store.round(id).await.map_err(refused)?;
            let calendar = store.calendar().await?;
            let period = calendar.period(date, r.header.publicity_days.max(1))?;
            outln!("公示期：{period}");
            act(&store, &user, id, Event::Published { date, last_day: period.last, document_no }).await
        }
        RoundCommand::Object(a) => {
            let (store, user) = open(&a.who).await?;
            let r = store.round(a.id).await.map_err(refused)?;
            let event = Event::Objected {
                id: r.round.next_objection(),
                line: a.line.key(),
                objector: a.objector,
                date: a.date,
                content: a.content,
                evidence: a.evidence,
            };
            act(&store, &user, a.id, event).await
        }
        RoundCommand::Resolve { id, objection, result, reason, who } => {
            let (store, user) = open(&who).await?;
            let event = match result {
                ResultArg::Withdraw => Event::ObjectionUpheld { id: objection, settle: Upheld::Withdraw, reason },
                ResultArg::Correct => Event::ObjectionUpheld { id: objection, settle: Upheld::Correct, reason },
                ResultArg::Dismissed => Event::ObjectionDismissed { id: objection, reason },
            };
            act(&store, &user, id, event).await
        }
        RoundCommand::Finalise { id, date, who } => {
            let (store, user) = open(&who).await?;
            act(&store, &user, id, Event::Finalised { date }).await
        }
        RoundCommand::Pay(a) => pay(a).await,
        RoundCommand::Reverse { id, entry, reason, who } => {
            let (store, user) = open(&who).await?;
            let r = store.reverse_round_payment(id, &user.actor(), entry, &reason).await.map_err(refused)?;
            done(&r)
        }
        RoundCommand::Budget { command } => budget(command).await,
        RoundCommand::Calendar { command: super::CalendarCommand::Add { file, who } } => {
            let (store, user) = open(&who).await?;
            let json = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("无法读取 {}：{}", file.display(), lianzhang_facts::error::io_zh(&e)))?;
            let year = store.add_calendar_year(&json, &user.actor()).await.map_err(refused)?;
            outln!("已导入 {year} 年放假安排");
            Ok(ExitCode::SUCCESS)
        }
        RoundCommand::CreditImport { file, who } => {
            let (store, user) = open(&who).await?;
            let limits = lianzhang_facts::Limits::from_env()?;
            let entries = match lianzhang_facts::lists::credit::read(&file, &limits) {
                Ok(e) => e,
                Err(e) => return Ok(list_refused(&file, &e)),
            };
            let entries: Vec<_> = entries.into_iter().map(lianzhang_store::NewCreditEntry::from).collect();
            let name =
                file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
            let list = store.import_credit_list(&name, &entries, &user.actor()).await.map_err(refused)?;
            outln!("已导入失信名单 {}（第 {} 次导入，{} 条）", list.file_name, list.id, list.entry_count);
            Ok(ExitCode::SUCCESS)
        }
        RoundCommand::Receipt { id, file, apply, who } => {
            let (store, user) = open(&who).await?;
            let limits = lianzhang_facts::Limits::from_env()?;
            let rows = match lianzhang_facts::lists::receipt::read(&file, &limits) {
                Ok(r) => r,
                Err(e) => return Ok(list_refused(&file, &e)),
            };
            let rows: Vec<lianzhang_rounds::ReceiptLine> = rows.into_iter().map(Into::into).collect();
            let r = store.reconcile_round(id, &rows).await.map_err(refused)?;
            let round = store.round(id).await.map_err(refused)?;
            outln!("{}", r.zh());
            for p in r.problems_zh_naming(&|k| round.round.name_of(k)) {
                outln!("  {p}");
            }
            if apply && !r.failed.is_empty() {
                let record = store.settle_failed_payments(id, &user.actor(), &rows).await.map_err(refused)?;
                outln!("已冲正支付失败的 {} 笔，相应行重新可付", r.failed.len());
                return done(&record);
            }
            Ok(ExitCode::SUCCESS)
        }
        RoundCommand::List { .. }
        | RoundCommand::Show { .. }
        | RoundCommand::Lines(_)
        | RoundCommand::Timeline { .. }
        | RoundCommand::Publicity { .. }
        | RoundCommand::Instructions { .. } => {
            unreachable!("reading commands are dispatched in round_cmd::run")
        }
    }
}

/// What remains to pay on each ready line of the round (fen), in line order.
fn payable(r: &Arc<RoundRecord>) -> Vec<(lianzhang_rounds::LineKey, i64)> {
    r.round
        .lines()
        .filter_map(|l| match r.round.state(l) {
            LineState::Ready { amount_fen, .. } => Some((l.key.clone(), amount_fen - r.round.paid_fen(&l.key))),
            _ => None,
        })
        .filter(|(_, left)| *left > 0)
        .collect()
}

async fn pay(a: PayArgs) -> anyhow::Result<ExitCode> {
    let (store, user) = open(&a.who).await?;
    let r = store.round(a.id).await.map_err(refused)?;
    let payments: Vec<NewPayment> = if a.all_ready {
        let prefix = a.voucher_prefix.unwrap_or_default();
        let lines = payable(&r);
        if lines.is_empty() {
            bail!("第 {} 号兑现批次没有尚待支付的可兑现行（未做任何修改）", a.id);
        }
        lines
            .into_iter()
            .enumerate()
            .map(|(i, (line, left))| NewPayment {
                line,
                amount_fen: left,
                voucher: format!("{prefix}{:03}", i + 1),
                date: a.date,
            })
            .collect()
    } else {
        let key = lianzhang_rounds::LineKey {
            uscc: a.uscc.unwrap_or_default(),
            rule: a.rule.unwrap_or_default(),
            project_id: a.project,
        };
        let left = payable(&r).into_iter().find(|(k, _)| *k == key).map_or(0, |(_, left)| left);
        vec![NewPayment {
            line: key,
            amount_fen: a.amount.unwrap_or(left),
            voucher: a.voucher.unwrap_or_default(),
            date: a.date,
        }]
    };
    let total: i64 = payments.iter().map(|p| p.amount_fen).sum();
    let r = store.pay_round(a.id, &user.actor(), &payments).await.map_err(refused)?;
    outln!("已支付 {} 行，合计 {}", payments.len(), yuan(total));
    for e in r.events.iter().rev().take(payments.len()).rev() {
        if let Event::Paid { ledger_entry, .. } = &e.event {
            outln!("  台账第 {ledger_entry} 条：{}", r.round.describe(&e.event));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn budget(c: BudgetCommand) -> anyhow::Result<ExitCode> {
    match c {
        BudgetCommand::Set { year, clause, amount, note, who } => {
            let (store, user) = open(&who).await?;
            let b = store
                .set_budget(&NewBudget { year, clause, amount_fen: amount, note }, &user.actor())
                .await
                .map_err(refused)?;
            outln!("已录入 {} 年 {} 预算 {}", b.year, b.clause, yuan(b.amount_fen));
        }
        BudgetCommand::Show { year, who } => {
            let (store, _) = open(&who).await?;
            let lines = store.budgets(year).await?;
            if lines.is_empty() {
                outln!("{year} 年尚未录入预算");
            }
            for b in lines {
                outln!(
                    "{}\t{}\t{}（{}，{}）",
                    b.clause,
                    yuan(b.amount_fen),
                    b.note,
                    b.actor,
                    lianzhang_store::beijing_time(&b.at)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A list file that cannot be read: every problem on stderr, nothing changed.
fn list_refused(file: &std::path::Path, e: &lianzhang_facts::ReadError) -> ExitCode {
    match e {
        lianzhang_facts::ReadError::Data(errors) => {
            eprintln!("{} 有 {} 处错误，未做任何修改：", file.display(), errors.0.len());
            eprintln!("{errors}");
        }
        other => eprintln!("无法读取 {}：{other}（未做任何修改）", file.display()),
    }
    ExitCode::from(crate::EXIT_INVALID)
}

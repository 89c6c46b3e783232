//! Reading rounds: the list, one round, its lines (a task force sees its chain's only) and its
//! timeline, as text for people or JSON/CSV for programs (money as yuan strings with two places).

use super::{Format, Who, open, refused};
use clap::Args;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use lianzhang_rounds::{Change, Line, LineState, Pending, Round, yuan};
use lianzhang_store::{RoundRecord, User};
use serde_json::{Value, json};
use std::process::ExitCode;

#[derive(Args)]
pub struct LinesArgs {
    /// 批次编号。
    id: i64,
    /// 状态：open|review|final_amount|confirmation|credit_check|credit_hit|ready|rejected|declined|withdrawn|recommendation
    #[arg(long, value_parser = crate::line_arg)]
    status: Option<String>,
    /// 规则编号。
    #[arg(long, value_parser = crate::line_arg)]
    rule: Option<String>,
    /// 产业链代码。
    #[arg(long, value_parser = crate::line_arg)]
    chain: Option<String>,
    /// 乡镇。
    #[arg(long, value_parser = crate::line_arg)]
    town: Option<String>,
    /// table（表格）、json 或 csv。
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    who: Who,
}

/// The status codes `--status` takes (the pure crate's vocabulary, as the API's).
fn statuses() -> Vec<&'static str> {
    lianzhang_rounds::STATUSES.iter().map(|(c, _)| *c).collect()
}

fn money(fen: Option<i64>) -> Value {
    fen.map_or(Value::Null, |f| json!(lianzhang_facts::Fen(f).to_string()))
}

/// Whether `user` may see `line`: a task force only its chain's lines.
fn visible(user: &User, line: &Line) -> bool {
    user.role != lianzhang_store::Role::TaskForce || (user.chain.is_some() && line.chain == user.chain)
}

fn line_json(round: &Round, l: &Line) -> Value {
    let state = round.state(l);
    let final_amount = match &state {
        LineState::Ready { amount_fen, .. } => Some(*amount_fen),
        _ => None,
    };
    let pending: Vec<&str> = match &state {
        LineState::Open { pending } => pending.iter().map(Pending::code).collect(),
        _ => Vec::new(),
    };
    json!({
        "uscc": l.key.uscc, "rule": l.key.rule, "project_id": l.key.project_id,
        "enterprise": l.enterprise, "chain": l.chain, "town": l.town, "clause": l.clause, "rule_title": l.rule_title,
        "outcome": l.outcome, "amount": money(l.amount_fen), "ceiling": l.ceiling,
        "final_amount": money(final_amount), "paid": money(Some(round.paid_fen(&l.key))),
        "state": state.code(), "pending": pending, "state_zh": round.state_zh(l),
    })
}

fn round_json(user: &User, r: &RoundRecord) -> Value {
    let h = &r.header;
    let round = &r.round;
    let t = lianzhang_rounds::Tally::of(round, |l| visible(user, l));
    json!({
        "id": h.id, "year": h.year, "name": h.name, "created_at": h.created_at, "created_by": h.created_by,
        "policy_id": h.policy_id, "policy_hash": h.policy_hash,
        "settings": {"confirmation": h.confirmation, "approvals": h.approvals, "publicity_days": h.publicity_days},
        "phase": round.phase(), "phase_zh": round.phase().zh(), "revision": round.revision(),
        "award_lines": t.lines, "open_lines": t.open, "proposed": money(Some(t.proposed_fen)),
        "ready": money(Some(t.ready_fen)), "paid": money(Some(t.paid_fen)),
        "approvals": round.approvals(), "open_objections": round.open_objections(),
        "revisions": r.revisions,
    })
}

/// A refresh's change in Chinese.
pub fn change_zh(round: &Round, c: &Change) -> String {
    let amount = |a: Option<i64>| a.map(yuan).unwrap_or_default();
    match c {
        Change::Added(k) => format!("新增 {}", round.name_of(k)),
        Change::Removed(k) => format!("移除 {k}"),
        Change::Changed { key, before, after } => format!(
            "变化 {}：{}{} → {}{}",
            round.name_of(key),
            before.0.zh(),
            amount(before.1),
            after.0.zh(),
            amount(after.1)
        ),
    }
}

fn print_json(v: &Value) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(std::io::stdout().lock(), v)?;
    outln!();
    Ok(())
}

pub async fn list(who: &Who, format: Format) -> anyhow::Result<ExitCode> {
    let (store, user) = open(who).await?;
    let rounds = store.rounds().await?;
    if format == Format::Json {
        print_json(&Value::Array(rounds.iter().map(|r| round_json(&user, r)).collect()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header([
        "编号",
        "年度",
        "名称",
        "阶段",
        "版本",
        "奖励行",
        "可兑现",
        "已支付",
    ]);
    for r in &rounds {
        let v = round_json(&user, r);
        t.add_row([
            r.header.id.to_string(),
            r.header.year.to_string(),
            r.header.name.clone(),
            r.round.phase().zh().to_string(),
            r.round.revision().to_string(),
            v["award_lines"].to_string(),
            v["ready"].as_str().unwrap_or_default().to_string(),
            v["paid"].as_str().unwrap_or_default().to_string(),
        ]);
    }
    if rounds.is_empty() {
        outln!("还没有兑现批次");
    } else {
        outln!("{t}");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn show(who: &Who, id: i64, format: Format) -> anyhow::Result<ExitCode> {
    let (store, user) = open(who).await?;
    let r = store.round(id).await.map_err(refused)?;
    let v = round_json(&user, &r);
    if format == Format::Json {
        print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let h = &r.header;
    outln!("第 {} 号兑现批次：{}（{} 年）", h.id, h.name, h.year);
    outln!("阶段：{}；名单第 {} 版", r.round.phase().zh(), r.round.revision());
    outln!("政策：{}（{}）", h.policy_id, &h.policy_hash[..h.policy_hash.len().min(12)]);
    outln!("新建：{}，{}", h.created_by, lianzhang_store::beijing_time(&h.created_at));
    outln!(
        "奖励行 {}，可兑现 {} 元，已支付 {} 元",
        v["award_lines"],
        v["ready"].as_str().unwrap_or_default(),
        v["paid"].as_str().unwrap_or_default()
    );
    outln!("审批：{}/{}；未处理异议：{}", r.round.approvals().len(), h.approvals, r.round.open_objections().len());
    for rev in &r.revisions {
        outln!(
            "  第 {} 版：评定记录 {}，企业库版本 {}，事实摘要 {}（{}，{}）",
            rev.revision,
            rev.run_id,
            rev.registry_revision.map_or_else(|| "—".to_string(), |n| n.to_string()),
            &rev.facts_hash[..rev.facts_hash.len().min(12)],
            rev.actor,
            lianzhang_store::beijing_time(&rev.at)
        );
    }
    for c in r.round.last_changes() {
        outln!("  上次刷新：{}", change_zh(&r.round, c));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn lines(a: LinesArgs) -> anyhow::Result<ExitCode> {
    if let Some(s) = &a.status
        && !statuses().contains(&s.as_str())
    {
        anyhow::bail!("状态 --status 的值“{}”无效，可选：{}", lianzhang_facts::typed::shown(s), statuses().join("、"));
    }
    let (store, user) = open(&a.who).await?;
    let r = store.round(a.id).await.map_err(refused)?;
    let round = &r.round;
    let matches = |l: &&Line| {
        let state = round.state(l);
        visible(&user, l)
            && a.rule.as_ref().is_none_or(|x| &l.key.rule == x)
            && a.chain.as_ref().is_none_or(|x| l.chain.as_ref() == Some(x))
            && a.town.as_ref().is_none_or(|x| l.town.as_ref() == Some(x))
            && a.status.as_deref().is_none_or(|s| state.has_status(s))
    };
    let chosen: Vec<&Line> = round.lines().filter(matches).collect();
    match a.format {
        Format::Json => print_json(&Value::Array(chosen.iter().map(|l| line_json(round, l)).collect()))?,
        Format::Csv => {
            use lianzhang_facts::typed::csv_formula_safe as safe;
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            let head = ["uscc", "rule", "project_id", "enterprise", "chain", "town", "clause", "outcome", "amount"];
            w.write_record(head.iter().chain(&["final_amount", "paid", "state", "state_zh"]))?;
            for l in &chosen {
                let v = line_json(round, l);
                let text = |k: &str| match &v[k] {
                    Value::String(s) => safe(s).into_owned(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                let fields = ["uscc", "rule", "project_id", "enterprise", "chain", "town", "clause", "outcome"];
                let mut row: Vec<String> = fields.iter().map(|k| text(k)).collect();
                row.extend(["amount", "final_amount", "paid", "state", "state_zh"].iter().map(|k| text(k)));
                w.write_record(&row)?;
            }
            w.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_style(UTF8_FULL_CONDENSED).set_header([
                "企业",
                "统一社会信用代码 规则",
                "规则名称",
                "金额（元）",
                "状态",
            ]);
            for l in &chosen {
                let v = line_json(round, l);
                let amount = v["final_amount"].as_str().or(v["amount"].as_str()).unwrap_or("—").to_string();
                t.add_row([l.enterprise.clone(), l.key.to_string(), l.rule_title.clone(), amount, round.state_zh(l)]);
            }
            outln!("{t}");
            outln!("共 {} 行", chosen.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn timeline(who: &Who, id: i64, format: Format) -> anyhow::Result<ExitCode> {
    let (store, user) = open(who).await?;
    let r = store.round(id).await.map_err(refused)?;
    // A task force sees the entries about its chain's lines and those about no line.
    let scoped = user.role == lianzhang_store::Role::TaskForce;
    let seen = |e: &&lianzhang_store::StoredEvent| r.round.event_seen(&e.event, scoped, |l| visible(&user, l));
    if format == Format::Json {
        let items: Vec<Value> = r
            .events
            .iter()
            .filter(seen)
            .map(|e| {
                let mut ev = serde_json::to_value(&e.event).unwrap_or_default();
                if let Some(o) = ev.as_object_mut()
                    && let Some(f) = o.remove("amount_fen")
                {
                    o.insert("amount".into(), money(f.as_i64()));
                }
                json!({"seq": e.seq, "at": e.at, "actor": e.actor.username, "role": e.actor.role, "zh": e.zh(&r.round), "event": ev})
            })
            .collect();
        print_json(&Value::Array(items))?;
        return Ok(ExitCode::SUCCESS);
    }
    for e in r.events.iter().filter(seen) {
        outln!(
            "{:>3}  {}  {}（{}）  {}",
            e.seq,
            lianzhang_store::beijing_time(&e.at),
            e.actor.username,
            e.actor.role.zh(),
            e.zh(&r.round)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the public list of a published round as a PDF or a workbook (by `out`'s extension).
pub async fn publicity(
    who: &Who,
    id: i64,
    out: &std::path::Path,
    policy: &crate::PolicyOpts,
) -> anyhow::Result<ExitCode> {
    let (store, _user) = open(who).await?;
    let r = store.round(id).await.map_err(refused)?;
    let (_, policy) = match crate::inputs::policy(policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let v = &policy.vocabulary;
    let chain_name = |code: &str| v.chain(code).map(|c| v.chain_info(c).name.clone());
    let issuing = lianzhang_publicity::Issuing {
        policy_title: &policy.meta.title,
        policy_document: &policy.meta.document,
        issuer: &policy.meta.issuer,
        objection_to: &r.header.objection_to,
        working_days: r.header.publicity_days,
        chain_name: &chain_name,
    };
    let Some(list) = lianzhang_publicity::from_round(&r.round, r.events.iter().map(|e| &e.event), &issuing) else {
        anyhow::bail!("第 {id} 号兑现批次尚未公示，没有公示名单（未做任何修改）");
    };
    let missing = lianzhang_publicity::missing_glyphs(&list);
    if !missing.is_empty() {
        eprintln!("提示：内嵌字体缺少这些字，PDF 中会显示为空框：{}", missing.iter().collect::<String>());
    }
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let bytes = match ext.as_str() {
        "pdf" => lianzhang_publicity::pdf(&list)?,
        "xlsx" => lianzhang_publicity::xlsx(&list)?,
        _ => anyhow::bail!("--out 应以 .pdf 或 .xlsx 结尾：{}", out.display()),
    };
    std::fs::write(out, bytes)
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{}", out.display(), lianzhang_facts::error::io_write_zh(&e)))?;
    outln!("已写出第 {id} 号兑现批次公示名单（{} 行）：{}", list.lines.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// `round instructions`: the 代发 file of the round's standing payments.
pub async fn instructions(
    who: &Who,
    id: i64,
    out: &std::path::Path,
    date: Option<jiff::civil::Date>,
) -> anyhow::Result<ExitCode> {
    let (store, user) = open(who).await?;
    if !matches!(user.role, lianzhang_store::Role::Finance | lianzhang_store::Role::Bureau) {
        anyhow::bail!("{}不能导出代发文件：此文件由财政局或工信局导出（未做任何修改）", user.role.zh());
    }
    let r = store.round(id).await.map_err(refused)?;
    let rows = r.instructions(date);
    let bytes = lianzhang_facts::lists::receipt::instruction_xlsx(&rows)?;
    std::fs::write(out, bytes)
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{}", out.display(), lianzhang_facts::error::io_write_zh(&e)))?;
    let total: i64 = rows.iter().map(|r| r.amount_fen).sum();
    outln!("已写出第 {id} 号兑现批次代发文件（{} 笔，合计 {}）：{}", rows.len(), yuan(total), out.display());
    Ok(ExitCode::SUCCESS)
}

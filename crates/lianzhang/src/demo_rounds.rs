//! The demo county's award rounds (兑现批次), so that a newcomer sees the whole year's work: the
//! 2023 round carried to payment (a credit hit cleared, an objection dismissed, a payment reversed
//! and paid again, one line still partly paid), the 2024 round in review (the steel task force has
//! confirmed part of its chain), the budgets of both years and an imported 失信名单.

use jiff::civil::{Date, date};
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_rounds::{Actor, BankAccount, Channel, Event, Line, LineState, Outcome, Role};
use lianzhang_store::{NewBudget, NewCreditEntry, NewPayment, NewRound, Store};
use std::collections::BTreeMap;

fn actor(name: &str, role: Role) -> Actor {
    Actor { username: name.into(), role }
}

/// Walks the demo rounds with the demo accounts (`bureau`, `steel`, `leader`, `finance`).
pub async fn demo_rounds(store: &Store, file: &PolicyFile, policy: &Policy, steel: &str) -> anyhow::Result<()> {
    let bureau = actor("bureau", Role::Bureau);
    let task_force = actor("steel", Role::TaskForce(steel.to_string()));
    let leader = actor("leader", Role::Leader);
    let finance = actor("finance", Role::Finance);

    // 2023: the whole way.
    let r = store
        .create_round(NewRound { year: 2023, name: "2023年度兑现（第一批）", file, policy, actor: &bureau })
        .await?;
    let id = r.header.id;
    let lines: Vec<Line> = r.round.lines().filter(|l| !l.is_recommendation()).cloned().collect();
    budget(store, &bureau, 2023, &lines).await?;
    decide(store, id, &lines, &bureau, &task_force, steel, date(2024, 3, 4), true).await?;
    // The 失信名单: one award enterprise listed (cleared with its 信用修复 certificate), one listed
    // and removed before the check, one enterprise not in any round.
    let awarded: Vec<&Line> = lines.iter().filter(|l| l.outcome == Outcome::Award).collect();
    let entry = |l: &Line, list: &str, source: &str, listed, removed| NewCreditEntry {
        uscc: l.key.uscc.clone(),
        name: Some(l.enterprise.clone()),
        list: list.into(),
        source: source.into(),
        listed,
        removed,
    };
    if let (Some(hit), Some(gone)) = (awarded.first(), awarded.last()) {
        let entries = [
            entry(hit, "重大税收违法失信主体名单", "国家税务总局山西省税务局", date(2023, 11, 20), None),
            entry(gone, "失信被执行人名单", "最高人民法院", date(2022, 5, 10), Some(date(2023, 8, 1))),
        ];
        store.import_credit_list("2024年3月失信名单.xlsx", &entries, &bureau).await?;
        store.credit_check(id, &bureau, date(2024, 3, 8)).await?;
        store
            .act(
                id,
                &bureau,
                Event::CreditCleared {
                    uscc: hit.key.uscc.clone(),
                    reason: "企业已补缴税款并完成信用修复，已移出名单".into(),
                    evidence: "信用修复决定书 晋税信修〔2024〕017号".into(),
                },
            )
            .await?;
    }
    store.act(id, &leader, Event::Approved { note: "同意按名单兑现".into() }).await?;
    let published = date(2024, 4, 8);
    let period = store.calendar().await?.period(published, r.header.publicity_days)?;
    store
        .act(
            id,
            &bureau,
            Event::Published {
                date: published, last_day: period.last, document_no: "泽工信公〔2024〕3号".into()
            },
        )
        .await?;
    if let Some(l) = awarded.get(1) {
        let objection = store.round(id).await?.round.next_objection();
        store
            .act(
                id,
                &bureau,
                Event::Objected {
                    id: objection,
                    line: l.key.clone(),
                    objector: "匿名来电".into(),
                    date: date(2024, 4, 10),
                    content: "反映该企业2023年营业收入统计口径有误".into(),
                    evidence: "无".into(),
                },
            )
            .await?;
        store
            .act(
                id,
                &bureau,
                Event::ObjectionDismissed {
                    id: objection,
                    reason: "经核对统计局联网直报数据，营业收入与申报一致，异议不成立".into(),
                },
            )
            .await?;
    }
    store.act(id, &bureau, Event::Finalised { date: period.last.tomorrow()? }).await?;
    let record = store.round(id).await?;
    let ready: Vec<(lianzhang_rounds::LineKey, i64)> = record
        .round
        .lines()
        .filter_map(|l| match record.round.state(l) {
            LineState::Ready { amount_fen, .. } => Some((l.key.clone(), amount_fen)),
            _ => None,
        })
        .collect();
    let payments: Vec<NewPayment> = ready
        .iter()
        .enumerate()
        .map(|(i, (k, due))| NewPayment {
            line: k.clone(),
            // The last line is paid in two parts: half now, the rest is still due.
            amount_fen: if i + 1 == ready.len() { due / 2 } else { *due },
            voucher: format!("记字2024-05-{:03}号", i + 1),
            date: date(2024, 5, 20),
        })
        .collect();
    if !payments.is_empty() {
        let record = store.pay_round(id, &finance, &payments).await?;
        // The bank returned the first payment (wrong account): reversed, then paid again.
        if let Some(Event::Paid { ledger_entry, line, amount_fen, .. }) =
            record.events.iter().map(|e| &e.event).find(|e| matches!(e, Event::Paid { .. }))
        {
            store
                .reverse_round_payment(id, &finance, *ledger_entry, "银行退票：收款账号有误，已请企业重新确认账户")
                .await?;
            let again = NewPayment {
                line: line.clone(),
                amount_fen: *amount_fen,
                voucher: "记字2024-06-001号".into(),
                date: date(2024, 6, 3),
            };
            store.pay_round(id, &finance, &[again]).await?;
        }
    }

    // 2024: in review.
    let r = store
        .create_round(NewRound { year: 2024, name: "2024年度兑现（第一批）", file, policy, actor: &bureau })
        .await?;
    let lines: Vec<Line> = r.round.lines().filter(|l| !l.is_recommendation()).cloned().collect();
    budget(store, &bureau, 2024, &lines).await?;
    let steel_lines: Vec<Line> = lines.iter().filter(|l| l.chain.as_deref() == Some(steel)).cloned().collect();
    decide(store, r.header.id, &steel_lines, &bureau, &task_force, steel, date(2025, 3, 10), false).await?;
    Ok(())
}

/// The year's budget per clause: what the round proposes, rounded up to 10万 with some margin.
async fn budget(store: &Store, bureau: &Actor, year: i32, lines: &[Line]) -> anyhow::Result<()> {
    let mut by_clause: BTreeMap<&str, i64> = BTreeMap::new();
    for l in lines {
        *by_clause.entry(&l.clause).or_default() += l.amount_fen.unwrap_or(0);
    }
    for (clause, proposed) in by_clause {
        let unit = 10_000_000; // 10万元 in fen
        let amount_fen = ((proposed * 11 / 10) / unit + 1) * unit;
        let note = format!("{year}年县级产业链专项资金预算");
        store.set_budget(&NewBudget { year, clause: clause.to_string(), amount_fen, note }, bureau).await?;
    }
    Ok(())
}

/// Reviews `lines`: doubtful ones rejected, ceilings set at 85% after review, awards confirmed
/// (the task force for its chain, the bureau for the others); `all` false leaves every third
/// line open, as a round in progress.
#[allow(clippy::too_many_arguments)]
async fn decide(
    store: &Store,
    id: i64,
    lines: &[Line],
    bureau: &Actor,
    task_force: &Actor,
    steel: &str,
    on: Date,
    all: bool,
) -> anyhow::Result<()> {
    for (i, l) in lines.iter().enumerate() {
        if !all && i % 3 == 2 {
            continue;
        }
        let who = if l.chain.as_deref() == Some(steel) { task_force } else { bureau };
        if l.outcome == Outcome::NeedsReview {
            let reason = "经专班核实，所需数据尚未报送齐全，本批次不予兑现，补齐后在下一批次兑现".into();
            store.act(id, who, Event::Rejected { line: l.key.clone(), reason }).await?;
            continue;
        }
        if l.ceiling {
            let amount_fen = l.amount_fen.unwrap_or(0) * 85 / 100;
            let basis = "经第三方审计，项目实际完成投资按核定口径计，奖补按85%核定".into();
            store.act(id, who, Event::AmountSet { line: l.key.clone(), amount_fen, basis }).await?;
        }
        let account = BankAccount {
            holder: l.enterprise.clone(),
            bank: "中国工商银行晋城泽州支行".into(),
            number: format!("0506 0{:03} 0920 {:04}", i % 1000, (i * 37) % 10_000),
        };
        let channel = [Channel::Phone, Channel::Visit, Channel::Paper][i % 3];
        let note = "企业法人代表确认接受奖励并核对收款账户".into();
        store.act(id, who, Event::Confirmed { line: l.key.clone(), channel, date: on, account, note }).await?;
    }
    Ok(())
}

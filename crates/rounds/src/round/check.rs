//! The checks an event must pass before it is applied: who may do it, in which phase, on which
//! line, within which amount. Each refusal is one Chinese sentence.

use super::{Decision, Refusal, Round};
use crate::event::{Actor, Event, Role};
use crate::line::{Line, LineKey, Outcome};
use crate::state::{LineState, Phase};
use std::collections::BTreeSet;

fn refuse<T>(text: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(text.into()))
}

impl Round {
    pub(super) fn check(&self, actor: &Actor, event: &Event) -> Result<(), Refusal> {
        let role = &actor.role;
        let in_review = |what: &str| -> Result<(), Refusal> {
            if self.phase == Phase::Review {
                Ok(())
            } else {
                refuse(format!("批次{}，不能再{what}", self.phase.zh()))
            }
        };
        let bureau = |what: &str| -> Result<(), Refusal> {
            if *role == Role::Bureau {
                Ok(())
            } else {
                refuse(format!("{}不能{what}：此操作由工信局办理", role.zh()))
            }
        };
        let line = |key: &LineKey| -> Result<&Line, Refusal> {
            self.line(key).ok_or_else(|| Refusal(format!("本批次当前名单中没有 {key}")))
        };
        let reviewer = |key: &LineKey, what: &str| -> Result<&Line, Refusal> {
            let l = line(key)?;
            match role {
                Role::Bureau => Ok(l),
                Role::TaskForce(chain) if l.chain.as_deref() == Some(chain.as_str()) => Ok(l),
                Role::TaskForce(_) => refuse(format!("{} 不属于本专班的产业链，不能{what}", l.name())),
                _ => refuse(format!("{}不能{what}：此操作由工信局或该产业链专班办理", role.zh())),
            }
        };
        let award_line = |l: &Line, what: &str| -> Result<(), Refusal> {
            if l.is_recommendation() {
                refuse(format!("{} 在推荐名单上，不兑现，无需{what}", l.name()))
            } else if self.withdrawn.contains_key(&l.key) {
                refuse(format!("{} 已经异议撤下，不能{what}", l.name()))
            } else {
                Ok(())
            }
        };
        let text = |t: &str, what: &str| -> Result<(), Refusal> {
            if t.trim().is_empty() { refuse(format!("请填写{what}")) } else { Ok(()) }
        };
        let payer = |what: &str| -> Result<(), Refusal> {
            if *role != Role::Finance {
                return refuse(format!("{}不能{what}：支付由财政局办理", role.zh()));
            }
            if self.approvers.contains(&actor.username) {
                return refuse(format!("{} 审批过本批次，不能办理本批次的支付（审批与支付须分离）", actor.username));
            }
            Ok(())
        };
        match event {
            Event::Refreshed { revision, lines } => {
                bureau("刷新名单")?;
                in_review("刷新名单")?;
                if *revision != self.revision + 1 {
                    return refuse(format!("名单版本应为第 {} 版，收到第 {revision} 版", self.revision + 1));
                }
                let keys: BTreeSet<&LineKey> = lines.iter().map(|l| &l.key).collect();
                if keys.len() != lines.len() {
                    return refuse("名单中有重复的行（同一企业、同一规则、同一项目）");
                }
            }
            Event::Rejected { line: key, reason } => {
                in_review("改变审核决定")?;
                let l = reviewer(key, "审核")?;
                award_line(l, "审核")?;
                text(reason, "不予兑现的理由")?;
                if matches!(self.decisions.get(key), Some(Decision::Rejected(_))) {
                    return refuse(format!("{} 已不予兑现", l.name()));
                }
            }
            Event::AmountSet { line: key, amount_fen, basis } => {
                in_review("核定金额")?;
                let l = reviewer(key, "核定金额")?;
                award_line(l, "核定金额")?;
                text(basis, "核定依据")?;
                if !l.ceiling || l.outcome != Outcome::Award {
                    return refuse(format!("{} 的金额由政策确定，不是上限，不能另行核定", l.name()));
                }
                let ceiling = l.amount_fen.unwrap_or(0);
                if *amount_fen <= 0 || *amount_fen > ceiling {
                    return refuse(format!(
                        "核定金额须大于 0 且不超过上限 {}；不予补助请用“不予兑现”",
                        crate::event::yuan(ceiling)
                    ));
                }
            }
            Event::Reopened { line: key, reason } => {
                in_review("改变审核决定")?;
                let l = reviewer(key, "撤回决定")?;
                text(reason, "撤回的理由")?;
                if !self.decisions.contains_key(key) {
                    return refuse(format!("{} 没有可撤回的审核决定", l.name()));
                }
            }
            Event::Confirmed { line: key, account, .. } => {
                in_review("登记企业确认")?;
                let l = reviewer(key, "登记企业确认")?;
                award_line(l, "企业确认")?;
                if l.outcome != Outcome::Award {
                    return refuse(format!("{} 待核实，金额未定，核实后再请企业确认", l.name()));
                }
                text(&account.holder, "收款户名")?;
                text(&account.bank, "开户行")?;
                text(&account.number, "收款账号")?;
            }
            Event::Declined { line: key, .. } => {
                in_review("登记企业确认")?;
                let l = reviewer(key, "登记企业放弃")?;
                award_line(l, "企业确认")?;
            }
            Event::CreditChecked { source, .. } => {
                bureau("做信用核查")?;
                in_review("做信用核查")?;
                text(source, "名单来源")?;
            }
            Event::CreditCleared { uscc, reason, evidence } => {
                bureau("解除信用核查命中")?;
                in_review("解除信用核查命中")?;
                if !self.credit_hits.contains_key(uscc) {
                    return refuse(format!("{uscc} 没有未解除的信用核查命中"));
                }
                text(reason, "解除理由")?;
                text(evidence, "证明材料")?;
            }
            Event::Approved { .. } => {
                if *role != Role::Leader {
                    return refuse(format!("{}不能审批：批次由领导审批", role.zh()));
                }
                in_review("审批")?;
                if self.approvals.contains(&actor.username) {
                    return refuse(format!("{} 已审批过当前名单", actor.username));
                }
                let open = self.lines.iter().filter(|l| !self.state(l).is_decided()).count();
                if open > 0 {
                    return refuse(format!(
                        "还有 {open} 行未办结（待核实、待核定金额、待企业确认或信用核查），不能审批"
                    ));
                }
                if !self.lines.iter().any(|l| matches!(self.state(l), LineState::Ready { .. })) {
                    return refuse("名单中没有可兑现的奖励，无需审批");
                }
            }
            Event::Published { date, last_day, document_no } => {
                bureau("发布公示")?;
                if self.phase != Phase::Approved {
                    return refuse(format!("批次{}，审批完成后才能公示", self.phase.zh()));
                }
                text(document_no, "文号")?;
                if last_day <= date {
                    return refuse("公示期的最后一天应在发布日之后");
                }
            }
            Event::Objected { id, line: key, objector, date, content, .. } => {
                bureau("登记异议")?;
                let Phase::Publicity { date: from, last_day, .. } = &self.phase else {
                    return refuse(format!("批次{}，只有公示期内才能登记异议", self.phase.zh()));
                };
                if date < from || date > last_day {
                    return refuse(format!("异议日期 {date} 不在公示期 {from} 至 {last_day} 内"));
                }
                let l = line(key)?;
                if self.withdrawn.contains_key(&l.key) {
                    return refuse(format!("{} 已经撤下", l.name()));
                }
                text(objector, "异议人")?;
                text(content, "异议内容")?;
                if *id != self.next_objection() {
                    return refuse(format!("异议编号应为 {}", self.next_objection()));
                }
            }
            Event::ObjectionUpheld { id, reason, .. } | Event::ObjectionDismissed { id, reason } => {
                bureau("处理异议")?;
                if !matches!(self.phase, Phase::Publicity { .. }) {
                    return refuse(format!("批次{}，没有待处理的异议", self.phase.zh()));
                }
                if !self.objections.get(id).is_some_and(|o| o.open) {
                    return refuse(format!("没有待处理的第 {id} 号异议"));
                }
                text(reason, "处理理由")?;
            }
            Event::Finalised { date } => {
                bureau("确定名单")?;
                let Phase::Publicity { last_day, .. } = &self.phase else {
                    return refuse(format!("批次{}，公示期满后才能确定名单", self.phase.zh()));
                };
                if date <= last_day {
                    return refuse(format!("公示期至 {last_day}，期满后才能确定名单"));
                }
                let open = self.open_objections();
                if !open.is_empty() {
                    return refuse(format!("还有 {} 件异议未处理，不能确定名单", open.len()));
                }
            }
            Event::Paid { line: key, ledger_entry, voucher, amount_fen, date } => {
                payer("支付")?;
                let Phase::Final { date: finalised } = &self.phase else {
                    return refuse(format!("批次{}，名单确定后才能支付", self.phase.zh()));
                };
                if date < finalised {
                    return refuse(format!("支付日期 {date} 早于名单确定日 {finalised}，请核对支付日期"));
                }
                let l = line(key)?;
                let LineState::Ready { amount_fen: due, .. } = self.state(l) else {
                    return refuse(format!("{} 不可兑现：{}", l.name(), self.state(l).zh()));
                };
                text(voucher, "凭证号")?;
                let paid = self.paid_fen(key);
                if *amount_fen <= 0 || paid + amount_fen > due {
                    return refuse(format!(
                        "{} 应付 {}，已付 {}，本次最多可付 {}",
                        l.name(),
                        crate::event::yuan(due),
                        crate::event::yuan(paid),
                        crate::event::yuan(due - paid)
                    ));
                }
                if self.payments.contains_key(ledger_entry) {
                    return refuse(format!("台账第 {ledger_entry} 条已登记"));
                }
            }
            Event::Reversed { ledger_entry, reason, .. } => {
                payer("冲正")?;
                if self.payments.get(ledger_entry).is_none_or(|p| p.reversed) {
                    return refuse(format!("台账第 {ledger_entry} 条不是本批次未冲正的支付"));
                }
                text(reason, "冲正原因")?;
            }
        }
        Ok(())
    }
}

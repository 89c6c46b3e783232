//! 工作台: the page each role lands on after login, with what waits on it. The bureau sees the
//! rounds in progress and what holds each; a leader the rounds to approve and its liaison
//! enterprises; finance the lines to pay and this month's payments; a task force its chain's lines
//! to review or confirm. Every figure links to the page where the work is done.

use crate::auth::Session;
use crate::pages::Frame;
use crate::payouts::{round_waits, waits};
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use lianzhang_rounds::{Event, Phase};
use lianzhang_store::{EnterpriseFilter, Role};
use std::sync::Arc;

/// A round on a home page, with what waits in it for the signed-in role.
pub struct RoundCard {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub phase: &'static str,
    pub lines: usize,
    pub waits: Vec<String>,
    /// For a leader: the round waits for this leader's sign-off.
    pub to_approve: bool,
}

/// A payment on the finance home page.
pub struct PaymentRow {
    pub round_id: i64,
    pub round: String,
    pub date: String,
    pub enterprise: String,
    pub rule: String,
    pub amount: String,
    pub voucher: String,
}

/// A liaison enterprise on a leader's home page.
pub struct LiaisonRow {
    pub uscc: String,
    pub name: String,
    pub chain: String,
    pub lines: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    frame: Frame,
    rounds: Vec<RoundCard>,
    payments: Vec<PaymentRow>,
    payments_total: String,
    month: String,
    liaison: Vec<LiaisonRow>,
}

impl HomePage {
    fn is(&self, role: &str) -> bool {
        match role {
            "bureau" => matches!(self.frame.user.role, Role::Bureau | Role::Admin),
            "leader" => self.frame.user.role == Role::Leader,
            "finance" => self.frame.user.role == Role::Finance,
            "task_force" => self.frame.user.role == Role::TaskForce,
            _ => false,
        }
    }
}

/// `/home`: the signed-in role's work.
pub async fn home(State(state): State<Arc<AppState>>, session: Session) -> Result<HomePage, WebError> {
    let user = session.user.clone();
    let rounds = state.store.rounds().await?;
    let actor = user.actor();
    let mut cards = Vec::new();
    for r in &rounds {
        let index = crate::rounds::index(&state, r, &actor);
        let t = &index.all;
        let mut waits = waits(t);
        if user.role != Role::TaskForce {
            waits.extend(round_waits(r, true));
        }
        let in_review = matches!(r.round.phase(), Phase::Review);
        let to_approve = user.role == Role::Leader && in_review && !r.round.approvals().contains(&user.username);
        let relevant = match user.role {
            Role::Finance => t.to_pay > 0,
            Role::Leader => to_approve,
            Role::TaskForce => t.review + t.final_amount + t.confirmation > 0,
            _ => !waits.is_empty(),
        };
        if relevant {
            cards.push(RoundCard {
                id: r.header.id,
                name: r.header.name.clone(),
                year: r.header.year,
                phase: r.round.phase().zh(),
                lines: t.lines,
                waits,
                to_approve,
            });
        }
    }
    // This month (Beijing) for the finance page.
    let today = crate::format::beijing_today();
    let mut payments = Vec::new();
    let mut total = 0;
    if user.role == Role::Finance {
        for r in &rounds {
            for e in &r.events {
                if let Event::Paid { line, date, amount_fen, voucher, ledger_entry } = &e.event {
                    let reversed = r
                        .events
                        .iter()
                        .any(|x| matches!(&x.event, Event::Reversed { ledger_entry: n, .. } if n == ledger_entry));
                    if date.year() == today.year() && date.month() == today.month() && !reversed {
                        let l = r.round.line(line);
                        total += amount_fen;
                        payments.push(PaymentRow {
                            round_id: r.header.id,
                            round: r.header.name.clone(),
                            date: date.to_string(),
                            enterprise: l.map_or_else(|| line.uscc.clone(), |l| l.enterprise.clone()),
                            rule: l.map_or_else(|| line.rule.clone(), |l| l.rule_title.clone()),
                            amount: crate::format::wan(*amount_fen),
                            voucher: voucher.clone(),
                        });
                    }
                }
            }
        }
    }
    let mut liaison = Vec::new();
    if user.role == Role::Leader {
        let year = state.store.latest_year().await?.unwrap_or(today.year().into());
        let filter = EnterpriseFilter { liaison_of: Some(user.id), page: 1, per_page: 50, year, ..Default::default() };
        let (found, _) = state.store.search_enterprises(&filter).await?;
        let v = &state.policy.vocabulary;
        for e in found {
            let lines = rounds
                .iter()
                .flat_map(|r| {
                    r.round
                        .lines()
                        .filter(|l| l.key.uscc == e.uscc)
                        .map(move |l| format!("{} · {}：{}", r.header.name, l.rule_title, r.round.state_zh(l)))
                })
                .collect();
            liaison.push(LiaisonRow {
                chain: e
                    .chain
                    .as_deref()
                    .and_then(|c| v.chain(c))
                    .map_or_else(String::new, |c| v.chain_info(c).name.clone()),
                uscc: e.uscc,
                name: e.name,
                lines,
            });
        }
    }
    Ok(HomePage {
        frame: Frame::new(session, "home"),
        rounds: cards,
        payments,
        payments_total: crate::format::wan(total),
        month: format!("{}年{}月", today.year(), today.month()),
        liaison,
    })
}

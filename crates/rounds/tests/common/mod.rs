//! Lines, actors and accounts for the round tests.
#![allow(dead_code)]

use jiff::civil::{Date, date};
use lianzhang_rounds::*;

pub fn actor(username: &str, role: Role) -> Actor {
    Actor { username: username.into(), role }
}

pub fn bureau() -> Actor {
    actor("clerk", Role::Bureau)
}
pub fn steel() -> Actor {
    actor("steel", Role::TaskForce("steel".into()))
}
pub fn food() -> Actor {
    actor("food", Role::TaskForce("food".into()))
}
pub fn leader() -> Actor {
    actor("leader", Role::Leader)
}
pub fn finance() -> Actor {
    actor("finance", Role::Finance)
}

pub fn key(uscc: &str, rule: &str) -> LineKey {
    LineKey { uscc: uscc.into(), rule: rule.into(), project_id: None }
}

pub fn line(uscc: &str, rule: &str, chain: &str, outcome: Outcome, amount: Option<i64>) -> Line {
    Line {
        key: key(uscc, rule),
        enterprise: format!("{uscc} 公司"),
        chain: Some(chain.into()),
        town: Some("巴公镇".into()),
        clause: "三（一）".into(),
        rule_title: rule.into(),
        outcome,
        pays: outcome != Outcome::Referral,
        amount_fen: amount,
        ceiling: false,
        explanation: "…".into(),
        missing: if outcome == Outcome::NeedsReview { vec!["2024年营业收入".into()] } else { vec![] },
    }
}

pub fn project(uscc: &str, chain: &str, ceiling: i64) -> Line {
    Line {
        key: LineKey { uscc: uscc.into(), rule: "project_subsidy".into(), project_id: Some("P1".into()) },
        ceiling: true,
        ..line(uscc, "project_subsidy", chain, Outcome::Award, Some(ceiling))
    }
}

pub fn account(holder: &str) -> BankAccount {
    BankAccount { holder: holder.into(), bank: "晋城银行泽州支行".into(), number: "6228480000000001".into() }
}

pub fn day(m: i8, d: i8) -> Date {
    date(2025, m, d)
}

pub fn confirm(k: &LineKey) -> Event {
    Event::Confirmed {
        line: k.clone(),
        channel: Channel::Phone,
        date: day(3, 3),
        account: account("x"),
        note: String::new(),
    }
}

pub fn settings() -> Settings {
    Settings { year: 2024, confirmation: true, approvals: 1 }
}

/// A round with three steel award lines (A 100,000 yuan entry, B needs review, C a project
/// ceiling of 1,200,000), one food award (D) and one referral (E).
pub fn created() -> Round {
    let mut r = Round::new(settings());
    r.apply(&bureau(), &Event::Refreshed { revision: 1, lines: lines_v1() }).unwrap();
    r
}

pub fn lines_v1() -> Vec<Line> {
    vec![
        line("A", "above_scale_entry", "steel", Outcome::Award, Some(10_000_000)),
        line("B", "revenue_300m", "steel", Outcome::NeedsReview, None),
        project("C", "steel", 120_000_000),
        line("D", "above_scale_entry", "food", Outcome::Award, Some(10_000_000)),
        line("E", "research_referral", "steel", Outcome::Referral, None),
    ]
}

//! Typed reading of tree nodes, each failure recorded as a [`Problem`] at the node's place.

use crate::diag::Problem;
use crate::tree::{Node, Origin, Table, Value};
use lianzhang_facts::Fen;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The keys of one table, read one by one; keys never read are reported as unknown.
pub struct Fields<'a> {
    table: &'a Table,
    origin: &'a Origin,
    what: String,
    used: Vec<bool>,
}

impl<'a> Fields<'a> {
    pub fn new(node: &'a Node, what: impl Into<String>, problems: &mut Vec<Problem>) -> Option<Self> {
        let what = what.into();
        match &node.value {
            Value::Table(table) => {
                Some(Fields { table, origin: &node.origin, what, used: vec![false; table.entries.len()] })
            }
            other => {
                problems.push(Problem::new(Some(&node.origin), format!("{what}应为表，实为{}", other.type_name())));
                None
            }
        }
    }

    pub fn opt(&mut self, key: &str) -> Option<&'a Node> {
        let i = self.table.entries.iter().position(|e| e.key == key)?;
        self.used[i] = true;
        Some(&self.table.entries[i].node)
    }

    pub fn req(&mut self, key: &str, problems: &mut Vec<Problem>) -> Option<&'a Node> {
        let found = self.opt(key);
        if found.is_none() {
            problems.push(Problem::new(Some(self.origin), format!("{}缺少参数 `{key}`", self.what)));
        }
        found
    }

    /// Reports every key that was not read, naming the keys that are allowed.
    pub fn finish(self, allowed: &[&str], problems: &mut Vec<Problem>) {
        for (entry, used) in self.table.entries.iter().zip(&self.used) {
            if !used {
                problems.push(
                    Problem::new(Some(&entry.key_origin), format!("{}中有未知参数 `{}`", self.what, entry.key))
                        .with_help(format!("可用参数：{}", allowed.join("、"))),
                );
            }
        }
    }
}

pub fn string(node: &Node, problems: &mut Vec<Problem>) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        other => {
            problems.push(Problem::new(Some(&node.origin), format!("应为字符串，实为{}", other.type_name())));
            None
        }
    }
}

/// The exact decimal text of a number or numeric string.
fn numeric_text(node: &Node) -> Option<&str> {
    match &node.value {
        Value::String(s) => Some(s.trim()),
        Value::Integer(s, 10) => Some(s),
        Value::Float(s) => Some(s),
        _ => None,
    }
}

pub fn money(node: &Node, problems: &mut Vec<Problem>) -> Option<Fen> {
    let Some(text) = numeric_text(node) else {
        problems.push(Problem::new(
            Some(&node.origin),
            format!("应为金额（元，如 \"100000\"），实为{}", node.value.type_name()),
        ));
        return None;
    };
    match Fen::parse_yuan(&text.replace('_', "")) {
        Ok(f) => Some(f),
        Err(e) => {
            problems.push(Problem::new(Some(&node.origin), format!("金额 `{text}` 无效：{e}")));
            None
        }
    }
}

/// A non-negative exact decimal (rates, percentages, points).
pub fn decimal(node: &Node, problems: &mut Vec<Problem>) -> Option<Decimal> {
    let parsed = numeric_text(node).and_then(|t| Decimal::from_str(&t.replace('_', "")).ok());
    match parsed {
        Some(d) if !d.is_sign_negative() || d.is_zero() => Some(d.normalize()),
        Some(_) => {
            problems.push(Problem::new(Some(&node.origin), "不能为负数"));
            None
        }
        None => {
            problems.push(Problem::new(
                Some(&node.origin),
                format!("应为数值（如 \"0.01\"），实为{}", node.value.type_name()),
            ));
            None
        }
    }
}

pub fn integer(node: &Node, problems: &mut Vec<Problem>) -> Option<i64> {
    match &node.value {
        Value::Integer(s, radix) => i64::from_str_radix(s, *radix).ok(),
        other => {
            problems.push(Problem::new(Some(&node.origin), format!("应为整数，实为{}", other.type_name())));
            None
        }
    }
}

pub fn year(node: &Node, problems: &mut Vec<Problem>) -> Option<i32> {
    let y = integer(node, problems)?;
    if (1949..=2100).contains(&y) {
        Some(y as i32)
    } else {
        problems.push(Problem::new(Some(&node.origin), format!("年份 {y} 超出 1949–2100")));
        None
    }
}

/// One of a fixed set of choices, written as a string.
pub fn choice<T: Copy>(node: &Node, choices: &[(&str, T)], problems: &mut Vec<Problem>) -> Option<T> {
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    let help = format!("可选值：{}", names.join(" | "));
    match &node.value {
        Value::String(s) => match choices.iter().find(|(n, _)| n == s) {
            Some((_, v)) => Some(*v),
            None => {
                problems.push(Problem::new(Some(&node.origin), format!("无效取值 `{s}`")).with_help(help));
                None
            }
        },
        other => {
            problems.push(
                Problem::new(Some(&node.origin), format!("应为字符串选项，实为{}", other.type_name())).with_help(help),
            );
            None
        }
    }
}

/// An array whose items are read by `item`; problems of every item are collected.
pub fn list<T>(
    node: &Node,
    problems: &mut Vec<Problem>,
    mut item: impl FnMut(&Node, &mut Vec<Problem>) -> Option<T>,
) -> Option<Vec<T>> {
    match &node.value {
        Value::Array(items) => {
            let before = problems.len();
            let out: Vec<T> = items.iter().filter_map(|n| item(n, problems)).collect();
            (problems.len() == before).then_some(out)
        }
        other => {
            problems.push(Problem::new(Some(&node.origin), format!("应为数组，实为{}", other.type_name())));
            None
        }
    }
}

/// A code looked up in a list of names; unknown codes name the ones that exist.
pub fn code<T: Copy>(
    node: &Node,
    what: &str,
    lookup: impl Fn(&str) -> Option<T>,
    known: &[&str],
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let s = string(node, problems)?;
    match lookup(&s) {
        Some(v) => Some(v),
        None => {
            problems.push(
                Problem::new(Some(&node.origin), format!("未知{what} `{s}`"))
                    .with_help(format!("已定义的{what}：{}", known.join("、"))),
            );
            None
        }
    }
}

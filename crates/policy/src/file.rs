//! A policy file: its text, its tree, overrides, the parameter list, and compilation.

use crate::compile::{RULE_KINDS, compile};
use crate::diag::{PolicyErrors, Problem};
use crate::model::Policy;
use crate::tree::{self, Entry, Node, Origin, Value};

/// The bundled default policy (泽工信字〔2022〕84号).
pub const BUNDLED_NAME: &str = "policies/zezhou-2022.toml";
pub const BUNDLED_TEXT: &str = include_str!("../../../policies/zezhou-2022.toml");

/// Keys of the top-level sections that are parameters (besides rule and group parameters).
const SECTION_PARAMS: &[(&str, &[&str])] = &[
    ("policy", &["effective_from", "effective_to", "rounding", "round_to"]),
    ("history", &["new_enterprise_window"]),
    ("payout", &["confirmation", "approvals", "publicity_working_days", "objection_to"]),
    ("nearness", &["tier_share", "above_scale_line", "above_scale_share", "sourcing_points", "referral_share"]),
];
/// Keys of a rule or group table that are identity, not parameters.
const NOT_PARAMS: &[&str] = &["kind", "clause", "title", "source", "rules"];
/// The sections whose tables (one per rule, group, check or cap) hold parameters.
const PARAM_TABLES: [&str; 4] = ["rules", "groups", "caps", "plausibility"];

/// One parameter: `key` as used by `--set`, its current value as TOML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub key: String,
    pub value: String,
    /// What the parameter belongs to: a rule's or group's title, or the section.
    pub owner: String,
    /// The top-level section it is in (`rules`, `groups`, `caps`, `plausibility`, `policy`, …).
    pub section: &'static str,
}

#[derive(Debug, Clone)]
pub struct PolicyFile {
    name: String,
    text: String,
    tree: Option<Node>,
    overrides: Vec<String>,
    problems: Vec<Problem>,
}

impl PolicyFile {
    /// Parses the text; syntax errors are kept and reported by [`PolicyFile::compile`].
    pub fn parse(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let (tree, problems) = match tree::parse(&text) {
            Ok(t) => (Some(t), Vec::new()),
            Err((msg, span)) => (
                None,
                vec![Problem {
                    origin: span.map(Origin::File), message: format!("TOML 语法错误：{msg}"), help: None
                }],
            ),
        };
        PolicyFile { name: name.into(), text, tree, overrides: Vec::new(), problems }
    }

    pub fn bundled() -> Self {
        Self::parse(BUNDLED_NAME, BUNDLED_TEXT)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn overrides(&self) -> &[String] {
        &self.overrides
    }

    /// Applies `KEY=VALUE` (`RULE.PARAM=VALUE`, `GROUP.PARAM=VALUE`, `policy.PARAM=VALUE`).
    /// The key must name an existing parameter; the value is checked when compiling.
    pub fn set(&mut self, assignment: &str) {
        let index = self.overrides.len();
        self.overrides.push(assignment.to_string());
        let whole = Origin::Override(index, 0..assignment.len());
        let Some((key, value)) = assignment.split_once('=') else {
            self.problems.push(Problem::new(Some(&whole), "覆盖参数应写作 规则.参数=值"));
            return;
        };
        let key_origin = Origin::Override(index, 0..key.len());
        let valid_keys: Vec<String> = self.params().into_iter().map(|p| p.key).collect();
        let Some(tree) = self.tree.as_mut() else { return };
        let node = tree::parse_override_value(index, key.len() + 1, value.trim());
        let key = key.trim();
        match locate(tree, key) {
            Some(Slot::Existing(target)) => *target = node,
            Some(Slot::Missing(table, param)) => table.entries.push(Entry { key: param, key_origin, node }),
            None => {
                let close: Vec<&String> =
                    valid_keys.iter().filter(|k| k.split('.').next() == key.split('.').next()).collect();
                let help = if close.is_empty() {
                    "`lianzhang policy params` 列出全部参数".to_string()
                } else {
                    format!("该项的参数：{}", close.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("、"))
                };
                self.problems.push(Problem::new(Some(&key_origin), format!("未知参数 `{key}`")).with_help(help));
            }
        }
    }

    /// Every parameter with its current value, in file order.
    pub fn params(&self) -> Vec<Param> {
        let mut out = Vec::new();
        let Some(Node { value: Value::Table(top), .. }) = &self.tree else { return out };
        for (section, keys) in SECTION_PARAMS {
            if let Some(Node { value: Value::Table(t), .. }) = top.get(section) {
                for k in *keys {
                    if let Some(n) = t.get(k) {
                        out.push(Param {
                            key: format!("{section}.{k}"),
                            value: render(n),
                            owner: format!("[{section}]"),
                            section,
                        });
                    }
                }
            }
        }
        for section in PARAM_TABLES {
            if let Some(Node { value: Value::Table(t), .. }) = top.get(section) {
                for e in &t.entries {
                    if let Value::Table(rt) = &e.node.value {
                        let owner = rt.get("title").map(render).unwrap_or_else(|| e.key.clone());
                        for p in rt.entries.iter().filter(|p| !NOT_PARAMS.contains(&p.key.as_str())) {
                            out.push(Param {
                                key: format!("{}.{}", e.key, p.key),
                                value: render(&p.node),
                                owner: owner.trim_matches('"').to_string(),
                                section,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// Validates and builds the policy, or returns every problem found.
    pub fn compile(&self) -> Result<Policy, PolicyErrors> {
        let mut problems = self.problems.clone();
        let policy = match &self.tree {
            Some(tree) => compile(tree, &mut problems),
            None => None,
        };
        match policy {
            Some(p) if problems.is_empty() => Ok(p),
            _ => Err(PolicyErrors {
                file_name: self.name.clone(),
                source: self.text.clone(),
                overrides: self.overrides.clone(),
                problems,
            }),
        }
    }
}

enum Slot<'a> {
    Existing(&'a mut Node),
    /// An optional parameter absent from the file (e.g. `policy.effective_to`).
    Missing(&'a mut crate::tree::Table, String),
}

fn locate<'a>(tree: &'a mut Node, key: &str) -> Option<Slot<'a>> {
    let (owner, param) = key.split_once('.')?;
    let Value::Table(top) = &mut tree.value else { return None };
    if let Some((_, keys)) = SECTION_PARAMS.iter().find(|(s, _)| *s == owner) {
        if !keys.contains(&param) {
            return None;
        }
        let Some(Node { value: Value::Table(t), .. }) = top.get_mut(owner) else { return None };
        return if t.get(param).is_some() {
            t.get_mut(param).map(Slot::Existing)
        } else {
            Some(Slot::Missing(t, param.to_string()))
        };
    }
    if NOT_PARAMS.contains(&param) {
        return None;
    }
    let section = PARAM_TABLES
        .into_iter()
        .find(|s| matches!(top.get(s), Some(Node { value: Value::Table(t), .. }) if t.get(owner).is_some()))?;
    let Some(Node { value: Value::Table(t), .. }) = top.get_mut(section) else { return None };
    let Some(Node { value: Value::Table(rt), .. }) = t.get_mut(owner) else { return None };
    rt.get_mut(param).map(Slot::Existing)
}

/// A node as TOML-like text for listings.
pub fn render(n: &Node) -> String {
    match &n.value {
        Value::String(s) => format!("\"{s}\""),
        Value::Integer(s, _) | Value::Float(s) | Value::Datetime(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Table(t) => format!(
            "{{ {} }}",
            t.entries.iter().map(|e| format!("{} = {}", e.key, render(&e.node))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The parameter names each rule kind takes (for documentation and `policy show`).
pub fn rule_kind_params(kind: &str) -> Option<&'static [&'static str]> {
    RULE_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p)
}

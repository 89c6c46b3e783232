//! A spanned, owned tree of the policy file's TOML, which `--set` overrides edit before the
//! typed model is built, so file values and overrides go through one validator.

use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Where a value came from: a byte range of the policy file, or a `--set` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(Range<usize>),
    /// The index of the override among the `--set` arguments, and the byte range of the value
    /// within that argument's text.
    Override(usize, Range<usize>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub origin: Origin,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Value {
    String(String),
    /// The integer's decimal text (radix 10 only is accepted later).
    Integer(String, u32),
    /// The float's text as written, so decimals stay exact.
    Float(String),
    Bool(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

impl Value {
    /// A type name for messages, in Chinese.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "字符串",
            Value::Integer(..) => "整数",
            Value::Float(_) => "小数",
            Value::Bool(_) => "布尔值",
            Value::Datetime(_) => "日期时间",
            Value::Array(_) => "数组",
            Value::Table(_) => "表",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_origin: Origin,
    pub node: Node,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.iter_mut().find(|e| e.key == key).map(|e| &mut e.node)
    }
}

/// Parses TOML text into a [`Node`] tree; a syntax error comes back with its byte span.
pub fn parse(text: &str) -> Result<Node, (String, Option<Range<usize>>)> {
    let doc = DeTable::parse(text).map_err(|e| (e.message().to_string(), e.span()))?;
    let span = doc.span();
    Ok(Node { origin: Origin::File(span), value: Value::Table(table(doc.into_inner())) })
}

fn table(t: DeTable<'_>) -> Table {
    Table {
        entries: t
            .into_iter()
            .map(|(k, v)| Entry { key_origin: Origin::File(k.span()), key: k.into_inner().into_owned(), node: node(v) })
            .collect(),
    }
}

fn node(v: Spanned<DeValue<'_>>) -> Node {
    let origin = Origin::File(v.span());
    let value = match v.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => Value::Integer(i.as_str().to_string(), i.radix()),
        DeValue::Float(f) => Value::Float(f.as_str().to_string()),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(a.into_iter().map(node).collect()),
        DeValue::Table(t) => Value::Table(table(t)),
    };
    Node { origin, value }
}

/// Parses the value part of a `--set KEY=VALUE` override: a TOML value when it is one
/// (`150000`, `"0.05"`, `["digital"]`, `true`), otherwise the bare text as a string
/// (`best_prior`).
pub fn parse_override_value(index: usize, offset: usize, text: &str) -> Node {
    let origin = Origin::Override(index, offset..offset + text.len());
    match toml::de::DeValue::parse(text) {
        Ok(v) => {
            let mut n = node(v);
            retarget(&mut n, index, offset);
            n
        }
        Err(_) => Node { origin, value: Value::String(text.to_string()) },
    }
}

fn retarget(n: &mut Node, index: usize, offset: usize) {
    if let Origin::File(r) = &n.origin {
        n.origin = Origin::Override(index, r.start + offset..r.end + offset);
    }
    if let Value::Array(items) = &mut n.value {
        for i in items {
            retarget(i, index, offset);
        }
    }
}

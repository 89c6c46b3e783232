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
    let doc = DeTable::parse(text).map_err(|e| (syntax_zh(e.message()), e.span()))?;
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

/// A TOML syntax error as a clerk reads it: what is wrong at the place shown, in Chinese (never
/// the parser's English).
pub fn syntax_zh(message: &str) -> String {
    let m = message.to_ascii_lowercase();
    let has = |w: &str| m.contains(w);
    let zh = if has("must be quoted") {
        "等号后缺少值，或文字没有加引号：文字和金额请写在英文双引号中，如 \"100000\""
    } else if has("duplicate key") {
        "同一个表中这个键出现了两次：删去或改名其中一个"
    } else if has("basic string") || has("literal string") || has("invalid string") || has("opening quote") {
        "字符串不完整：应以英文双引号开头和结尾，如 \"100000\""
    } else if has("escaped value") {
        "字符串中的反斜杠 \\ 后缺少转义字符：要写反斜杠本身请写两个"
    } else if has("unclosed table") || has("unclosed array table") || has("table open") {
        "表头不完整：应写作 [名称] 或 [[名称]]"
    } else if has("unclosed inline table") || has("inline table") {
        "行内表不完整：应写作 { 键 = 值, 键 = 值 }"
    } else if has("unclosed array") || has("array opening") || has("between array elements") {
        "数组不完整：应写作 [\"a\", \"b\"]，元素之间用英文逗号分隔，以 ] 结束"
    } else if has("missing value") {
        "等号后缺少值"
    } else if has("assignment") || has("key-value") {
        "应写作 键 = 值，每行一项"
    } else if has("key") {
        "键名无效：只用英文字母、数字、下划线和短横线，或加英文引号"
    } else if has("date-time") {
        "日期格式有误：应写作 2022-08-04"
    } else if has("boolean") {
        "是/否应写作 true 或 false（小写）"
    } else if has("number") || has("float") || has("mantissa") || has("fraction") || has("exponent") {
        "数字格式有误：金额等请写成带引号的字符串，如 \"100000\""
    } else if has("comment") {
        "注释以 # 开头，其中含有不允许的字符"
    } else {
        "格式有误：请检查此处的引号、括号、逗号和等号"
    };
    zh.to_string()
}

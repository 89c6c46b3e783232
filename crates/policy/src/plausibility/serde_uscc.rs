//! A USCC as its 18-character text in serialised findings and confirmations.

use lianzhang_facts::Uscc;
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(u: &Uscc, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(u.as_str())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Uscc, D::Error> {
    let text = String::deserialize(d)?;
    Uscc::parse(&text).map_err(|e| serde::de::Error::custom(format!("统一社会信用代码 {text} 无效：{e}")))
}

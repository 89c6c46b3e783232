//! The difference between two policy versions in Chinese: the document's identity and years,
//! rules added and removed, every parameter changed (amounts, thresholds, choices, groups, caps,
//! the history rule, the rounds' workflow, the near-miss lists), the original words, and targets.

use lianzhang_policy::{Policy, PolicyFile, show};
use std::collections::BTreeMap;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// `added`, `removed` or `changed`.
    pub kind: &'static str,
    /// What it is about (a rule's title, `政策`, `目标`).
    pub subject: String,
    /// The difference itself (`奖励金额：10万元 → 15万元`).
    pub what: String,
}

fn changed(subject: impl Into<String>, what: String) -> Change {
    Change { kind: "changed", subject: subject.into(), what }
}

/// A parameter's value as a reader reads it: money amounts in 万元, strings unquoted.
fn reads(param: &str, value: &str) -> String {
    let (_, unit) = crate::sandbox::form::label(param);
    let v = value.trim_matches('"');
    match (unit, v.parse::<rust_decimal::Decimal>()) {
        ("元", Ok(d)) => lianzhang_policy::engine::text::money_exact(d),
        (u, _) => format!("{v}{u}"),
    }
}

/// What changed from `old` to `new`, in the order a reader checks: the document, rules, their
/// parameters, targets.
pub fn diff(old: (&PolicyFile, &Policy), new: (&PolicyFile, &Policy)) -> Vec<Change> {
    let (of, op) = old;
    let (nf, np) = new;
    let mut out = Vec::new();
    let (om, nm) = (&op.meta, &np.meta);
    for (what, a, b) in [
        ("标题", om.title.clone(), nm.title.clone()),
        ("文号", om.document.clone(), nm.document.clone()),
        ("印发日期", om.issued.clone(), nm.issued.clone()),
        ("起始年度", om.effective_from.to_string(), nm.effective_from.to_string()),
        (
            "截止年度",
            om.effective_to.map_or("无".into(), |y| y.to_string()),
            nm.effective_to.map_or("无".into(), |y| y.to_string()),
        ),
        ("金额取整", show::rounding_zh(om), show::rounding_zh(nm)),
    ] {
        if a != b {
            out.push(changed("政策", format!("{what}：{a} → {b}")));
        }
    }
    fn ids(p: &Policy) -> BTreeMap<String, &lianzhang_policy::model::Rule> {
        p.rules.iter().map(|r| (r.id.clone(), r)).collect()
    }
    let (or, nr) = (ids(op), ids(np));
    for r in &np.rules {
        if !or.contains_key(&r.id) {
            let (condition, amount) = show::describe_rule(np, r);
            out.push(Change {
                kind: "added",
                subject: format!("{} {}", r.clause, r.title),
                what: format!("新增规则：{condition}；{amount}"),
            });
        }
    }
    for r in &op.rules {
        if !nr.contains_key(&r.id) {
            out.push(Change {
                kind: "removed", subject: format!("{} {}", r.clause, r.title), what: "删除规则".into()
            });
        }
    }
    for r in &np.rules {
        if let Some(o) = or.get(&r.id) {
            if o.title != r.title {
                out.push(changed(r.title.clone(), format!("标题：{} → {}", o.title, r.title)));
            }
            if o.source != r.source {
                out.push(changed(r.title.clone(), "原文摘录有改动".into()));
            }
        }
    }
    // Parameters of the rules both have, groups, caps and sections.
    let params = |f: &PolicyFile| f.params().into_iter().map(|p| (p.key.clone(), p)).collect::<BTreeMap<_, _>>();
    let (opar, npar) = (params(of), params(nf));
    let gone_or_new = |key: &str| {
        let owner = key.split('.').next().unwrap_or_default();
        or.contains_key(owner) != nr.contains_key(owner)
    };
    for (key, n) in &npar {
        if gone_or_new(key) {
            continue;
        }
        let param = key.rsplit('.').next().unwrap_or_default();
        let label = crate::sandbox::form::label(param).0;
        let label = if label.is_empty() { param } else { label };
        match opar.get(key) {
            Some(o) if o.value != n.value => out.push(changed(
                n.owner.clone(),
                format!("{label}：{} → {}", reads(param, &o.value), reads(param, &n.value)),
            )),
            None => out.push(changed(n.owner.clone(), format!("{label}：（无） → {}", reads(param, &n.value)))),
            _ => {}
        }
    }
    for (key, o) in &opar {
        if !npar.contains_key(key) && !gone_or_new(key) {
            let param = key.rsplit('.').next().unwrap_or_default();
            out.push(changed(o.owner.clone(), format!("{param}：{} → （无）", reads(param, &o.value))));
        }
    }
    let targets = |p: &Policy| {
        p.targets
            .iter()
            .map(|t| format!("{}年底{}：{}", t.year, t.title, show::target_value_zh(p, t)))
            .collect::<Vec<_>>()
    };
    let (ot, nt) = (targets(op), targets(np));
    for t in nt.iter().filter(|t| !ot.contains(t)) {
        out.push(Change { kind: "added", subject: "目标".into(), what: t.clone() });
    }
    for t in ot.iter().filter(|t| !nt.contains(t)) {
        out.push(Change { kind: "removed", subject: "目标".into(), what: t.clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_reads_as_its_changes() {
        let old = PolicyFile::bundled();
        let op = old.compile().unwrap();
        let text = old
            .text()
            .replace("requires = []\namount = \"100000\"", "requires = []\namount = \"150000\"")
            .replace("[rules.tech_center_national]", "[rules.tech_center_gone]");
        let new = PolicyFile::parse("zezhou-2024.toml", text);
        let np = new.compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
        let d = diff((&old, &op), (&new, &np));
        let lines: Vec<String> = d.iter().map(|c| format!("{} {} {}", c.kind, c.subject, c.what)).collect();
        assert!(
            lines.contains(&"changed 当年首次“小升规”工业企业奖励 奖励金额：10万元 → 15万元".to_string()),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("removed 三（六） 首次被认定为国家级企业技术中心奖励")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("added 三（六） 首次被认定为国家级企业技术中心奖励 新增规则")),
            "{lines:#?}"
        );
        assert_eq!(d.len(), 3, "{lines:#?}");
        assert!(diff((&old, &op), (&old, &op)).is_empty());
    }
}

//! The `[plausibility]` section of the policy file: one table per check, keyed by its id, each
//! with a Chinese `title` and its thresholds. Read through `fields.rs` like the rest of the file,
//! so unknown checks, unknown keys and bad values are reported at their place.

use super::{Check, CheckKind};
use crate::diag::Problem;
use crate::fields::{Fields, decimal, money, string};
use crate::tree::{Node, Value};
use rust_decimal::Decimal;

pub fn plausibility(node: &Node, problems: &mut Vec<Problem>) -> Vec<Check> {
    let Value::Table(table) = &node.value else {
        problems.push(Problem::new(Some(&node.origin), "[plausibility] 应为表"));
        return Vec::new();
    };
    let ids: Vec<&str> = CheckKind::IDS.iter().map(|(id, _)| *id).collect();
    let mut out = Vec::new();
    for e in &table.entries {
        let Some((id, params)) = CheckKind::IDS.iter().find(|(id, _)| *id == e.key) else {
            problems.push(
                Problem::new(Some(&e.key_origin), format!("未知核查项 `{}`", e.key))
                    .with_help(format!("可用核查项：{}", ids.join("、"))),
            );
            continue;
        };
        if let Some(c) = check(id, params, &e.node, problems) {
            out.push(c);
        }
    }
    out
}

fn check(id: &str, params: &[&str], node: &Node, problems: &mut Vec<Problem>) -> Option<Check> {
    let mut f = Fields::new(node, format!("核查项 {id} "), problems)?;
    let title = f.req("title", problems).and_then(|n| string(n, problems));
    let kind = match id {
        "above_scale_revenue_below_line" => f
            .req("line", problems)
            .and_then(|n| money(n, problems))
            .map(|line| CheckKind::AboveScaleRevenueBelowLine { line }),
        "unit_jump" => f.req("factor", problems).and_then(|n| {
            let d = decimal(n, problems)?;
            if d <= Decimal::ONE {
                problems.push(Problem::new(Some(&n.origin), "倍数应大于 1（如 1000）"));
                return None;
            }
            Some(CheckKind::UnitJump { factor: d })
        }),
        "local_above_total" => Some(CheckKind::LocalAboveTotal),
        "revenue_collapse" => f.req("max_drop", problems).and_then(|n| {
            let d = decimal(n, problems)?;
            if d >= Decimal::ONE || d.is_zero() {
                problems.push(Problem::new(Some(&n.origin), "降幅应在 0 与 1 之间（\"0.9\" 表示 90%）"));
                return None;
            }
            Some(CheckKind::RevenueCollapse { max_drop: d })
        }),
        _ => None,
    };
    f.finish(params, problems);
    Some(Check { id: id.to_string(), title: title?, kind: kind? })
}

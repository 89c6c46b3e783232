//! The checks themselves, one enterprise at a time. One cause gives one finding: a year whose
//! values are suspected of 万元 gives one `unit_jump` finding (which absorbs the above-scale line
//! and the revenue collapse of the same values), and its projects completed that year are
//! doubtful with it (their investment was typed on the same sheet by the same person).

use super::{CheckKind, FactRef, Finding, Involved};
use crate::engine::text::{fen, fen_exact};
use crate::model::{MoneyFact, Policy};
use lianzhang_facts::{Annual, EnterpriseFacts, Fen, Year};
use rust_decimal::Decimal;

/// The label of a suspected 万元 value.
const WAN: &str = "疑似按万元填报";

/// The thresholds in force, by check (a check absent from the policy file is off).
struct Config<'a> {
    below_line: Option<(&'a str, &'a str, Fen)>,
    unit_jump: Option<(&'a str, &'a str, Ratio)>,
    local_above_total: Option<(&'a str, &'a str)>,
    collapse: Option<(&'a str, &'a str, Ratio)>,
}

impl<'a> Config<'a> {
    fn of(policy: &'a Policy) -> Self {
        let mut c = Config { below_line: None, unit_jump: None, local_above_total: None, collapse: None };
        for check in &policy.plausibility {
            let (id, title) = (check.id.as_str(), check.title.as_str());
            match &check.kind {
                CheckKind::AboveScaleRevenueBelowLine { line } => c.below_line = Some((id, title, *line)),
                CheckKind::UnitJump { factor } => c.unit_jump = Some((id, title, Ratio::of(*factor))),
                CheckKind::LocalAboveTotal => c.local_above_total = Some((id, title)),
                CheckKind::RevenueCollapse { max_drop } => c.collapse = Some((id, title, Ratio::of(*max_drop))),
            }
        }
        c
    }
}

fn money_of(row: &Annual, fact: MoneyFact) -> Option<Fen> {
    crate::engine::money_of(row, fact)
}

fn raw(f: Fen) -> String {
    format!("{:.2}", f.to_yuan())
}

fn money_fact(fact: MoneyFact, year: Year, v: Fen) -> Involved {
    Involved {
        fact: FactRef { field: fact.code().to_string(), year, project_id: None },
        text: fen_exact(v),
        raw: raw(v),
    }
}

/// A threshold as an exact fraction `m / s`, worked out once per check rather than once per
/// comparison (the checks run on every enterprise-year the engine decides: the hot path).
#[derive(Clone, Copy)]
struct Ratio {
    m: i128,
    s: i128,
    decimal: Decimal,
}

impl Ratio {
    fn of(decimal: Decimal) -> Ratio {
        Ratio { m: decimal.mantissa(), s: 10i128.pow(decimal.scale()), decimal }
    }
}

/// `a / b ≥ factor`, exactly.
fn at_least_times(a: Fen, b: Fen, factor: Ratio) -> bool {
    let (m, s) = (factor.m, factor.s);
    (a.0 as i128) * s >= (b.0 as i128) * m
}

/// A money value of `row` that is smaller than its value in a neighbouring year by `factor` or
/// more: (fact, value, the other year, its value).
fn jumps(facts: EnterpriseFacts<'_>, i: usize, factor: Ratio) -> Vec<(MoneyFact, Fen, Year, Fen)> {
    let row = &facts.annual[i];
    // Rows are sorted by year, one per year: the neighbours are the rows beside this one.
    let prev = i.checked_sub(1).map(|j| &facts.annual[j]).filter(|r| r.year == row.year - 1);
    let next = facts.annual.get(i + 1).filter(|r| r.year == row.year + 1);
    let mut out = Vec::new();
    for (_, fact) in MoneyFact::ALL {
        let Some(v) = money_of(row, fact).filter(|v| v.0 > 0) else { continue };
        for other in [prev, next].into_iter().flatten() {
            if let Some(o) = money_of(other, fact).filter(|o| o.0 > 0)
                && at_least_times(o, v, factor)
            {
                out.push((fact, v, other.year, o));
                break;
            }
        }
    }
    out
}

/// Every finding of the policy's checks on one enterprise, by year.
pub fn check_enterprise(policy: &Policy, facts: EnterpriseFacts<'_>) -> Vec<Finding> {
    let cfg = Config::of(policy);
    let mut out = Vec::new();
    let e = facts.enterprise;
    let finding = |id: &str, title: &str, year, involved, message, label: &str| Finding {
        check: id.to_string(),
        title: title.to_string(),
        uscc: e.uscc,
        enterprise: e.name.clone(),
        year,
        facts: involved,
        message,
        label: label.to_string(),
    };
    for (index, row) in facts.annual.iter().enumerate() {
        let y = row.year;
        let jumped = cfg.unit_jump.map(|(_, _, factor)| jumps(facts, index, factor)).unwrap_or_default();
        let below = cfg.below_line.and_then(|(_, _, line)| {
            let r = row.revenue?;
            (row.above_scale == Some(true) && r < line).then_some((r, line))
        });
        let projects = || -> Vec<Involved> {
            facts
                .projects
                .iter()
                .filter(|p| p.completed_year == Some(y))
                .filter_map(|p| {
                    let v = p.fixed_asset_investment?;
                    Some(Involved {
                        fact: FactRef {
                            field: "fixed_asset_investment".into(),
                            year: y,
                            project_id: Some(p.project_id.clone()),
                        },
                        text: fen_exact(v),
                        raw: raw(v),
                    })
                })
                .collect()
        };
        let above = || Involved {
            fact: FactRef { field: "above_scale".into(), year: y, project_id: None },
            text: "是".into(),
            raw: "true".into(),
        };
        if let (Some((id, title, _)), false) = (cfg.unit_jump, jumped.is_empty()) {
            let mut involved: Vec<Involved> = jumped.iter().map(|&(f, v, _, _)| money_fact(f, y, v)).collect();
            let listed: Vec<String> = jumped
                .iter()
                .map(|&(f, v, oy, o)| format!("{}{} {}（{oy}年为{}）", y_name(y), f.name_zh(), fen_exact(v), fen(o)))
                .collect();
            let mut extra = String::new();
            if let Some((r, line)) = below {
                if !jumped.iter().any(|j| j.0 == MoneyFact::Revenue) {
                    involved.push(money_fact(MoneyFact::Revenue, y, r));
                }
                involved.push(above());
                extra = format!("，且该年在规上企业库而营业收入低于规上标准{}", fen_exact(line));
            }
            involved.extend(projects());
            let (_, v0, _, o0) = jumped[0];
            let times = (Decimal::from(o0.0) / Decimal::from(v0.0)).round();
            let message = format!(
                "{}，与相邻年度相差约{}倍{extra}，疑似按万元填报：请按元核对{y}年数据（含该年竣工项目的投资额），改正后重新导入；确认无误的，在企业页面“数据疑点”中写明依据确认（或用 lianzhang confirm）。",
                listed.join("、"),
                crate::engine::text::grouped(times, 0)
            );
            out.push(finding(id, title, y, involved, message, WAN));
        } else if let (Some((id, title, _)), Some((r, line))) = (cfg.below_line, below) {
            let mut involved = vec![money_fact(MoneyFact::Revenue, y, r), above()];
            involved.extend(projects());
            let message = format!(
                "{y}年在规上企业库，但营业收入仅{}，低于规上标准{}，疑似按万元填报：请按元核对该年营业收入（含该年竣工项目的投资额）或核对规上标记，改正后重新导入；确认无误的，在企业页面“数据疑点”中写明依据确认（或用 lianzhang confirm）。",
                fen_exact(r),
                fen_exact(line)
            );
            out.push(finding(id, title, y, involved, message, WAN));
        }
        if let (Some((id, title)), Some(l), Some(t)) =
            (cfg.local_above_total, row.local_procurement, row.total_procurement)
            && l > t
        {
            let involved =
                vec![money_fact(MoneyFact::LocalProcurement, y, l), money_fact(MoneyFact::TotalProcurement, y, t)];
            let message = format!(
                "{y}年本地配套采购额{}高于配套采购总额{}：本地采购是总采购的一部分，请核对两项数据后重新导入。",
                fen_exact(l),
                fen_exact(t)
            );
            out.push(finding(id, title, y, involved, message, title));
        }
        let prev_row = index.checked_sub(1).map(|j| &facts.annual[j]).filter(|r| r.year == y - 1);
        if let (Some((id, title, max_drop)), Some(prev)) = (cfg.collapse, prev_row)
            && !jumped.iter().any(|j| j.0 == MoneyFact::Revenue)
            && let (Some(p), Some(c)) = (prev.revenue, row.revenue)
            && p.0 > 0
            && fell_more_than(p, c, max_drop)
            && !prev_jumped(facts, index - 1, cfg.unit_jump.map(|u| u.2))
        {
            let drop = Decimal::from(p.0 - c.0) / Decimal::from(p.0);
            let involved = vec![money_fact(MoneyFact::Revenue, y, c)];
            let message = format!(
                "{y}年营业收入{}，较{}年（{}）下降{}，超过合理降幅{}：请核对该年营业收入，改正后重新导入；确认无误的，在企业页面“数据疑点”中写明依据确认（或用 lianzhang confirm）。",
                fen_exact(c),
                y - 1,
                fen(p),
                crate::engine::text::percent(drop),
                crate::engine::text::rate(max_drop.decimal)
            );
            out.push(finding(id, title, y, involved, message, "营业收入骤降"));
        }
    }
    out
}

/// `(before − after) / before > share`, exactly (integer cross-multiplication).
fn fell_more_than(before: Fen, after: Fen, share: Ratio) -> bool {
    let (m, s) = (share.m, share.s);
    ((before.0 - after.0) as i128) * s > (before.0 as i128) * m
}

/// Whether the previous year's revenue is itself suspected of 万元 (then a fall is no collapse
/// but the other side of that suspicion: one cause, one finding).
fn prev_jumped(facts: EnterpriseFacts<'_>, prev: usize, factor: Option<Ratio>) -> bool {
    factor.is_some_and(|f| jumps(facts, prev, f).iter().any(|j| j.0 == MoneyFact::Revenue))
}

fn y_name(y: Year) -> String {
    format!("{y}年")
}

//! 潜在可享: the enterprises one step from an award in a year, each with the gap in its own terms,
//! so that a task force can serve them before the award is due (免申即享 means finding them).
//! How near is near is the policy's `[nearness]` section ([`Nearness`]).
//!
//! Five kinds, read from the built-in rule kinds (a rule written as a formula has no near-miss
//! list: its condition may be any expression):
//! - 营业收入进档 ([`NearKind::RevenueTier`]): a `first_reach` rule whose requirements hold, never
//!   reached, the year's value within `tier_share` below the threshold: how many yuan short, and
//!   the year it would reach the threshold at the last year's growth;
//! - 小升规 ([`NearKind::AboveScale`]): below scale in the year and never above before, revenue at
//!   least `1 − above_scale_share` of the line and growing: its trend (growth per year over up to
//!   three years) and the year it would cross at that trend; one line for every `first_entry`
//!   rule on 规上 it would unlock; already above the line but not yet in the list: gap 0;
//! - 本地配套 ([`NearKind::LocalSourcing`]): a chain master whose rate rose by less than the
//!   minimum but by no more than `sourcing_points` less: the local procurement it still needs at
//!   this year's total;
//! - 研发推荐 ([`NearKind::Referral`]): a research referral missing exactly one of its three
//!   conditions, by at most `referral_share` of it: which one, and by how much;
//! - 在建项目 ([`NearKind::Project`]): a project started and not completed whose category and
//!   investment qualify: the subsidy's ceiling on completion.
//!
//! Pure: facts in, lines out. Trends are display figures (floating point); every amount at stake
//! is exact and rounded as the policy rounds.

use crate::engine::text::{money, money_exact};
use crate::model::*;
use lianzhang_facts::{Annual, EnterpriseFacts, Fen, Year};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// What an enterprise is near.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NearKind {
    RevenueTier,
    AboveScale,
    LocalSourcing,
    Referral,
    Project,
}

impl NearKind {
    pub const ALL: [NearKind; 5] =
        [NearKind::RevenueTier, NearKind::AboveScale, NearKind::LocalSourcing, NearKind::Referral, NearKind::Project];

    pub fn code(self) -> &'static str {
        match self {
            NearKind::RevenueTier => "revenue_tier",
            NearKind::AboveScale => "above_scale",
            NearKind::LocalSourcing => "local_sourcing",
            NearKind::Referral => "referral",
            NearKind::Project => "project",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            NearKind::RevenueTier => "营业收入进档",
            NearKind::AboveScale => "小升规",
            NearKind::LocalSourcing => "本地配套率提高",
            NearKind::Referral => "研发投入推荐",
            NearKind::Project => "在建项目",
        }
    }

    pub fn parse(code: &str) -> Option<NearKind> {
        NearKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One enterprise one step from an award.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NearMiss {
    pub kind: NearKind,
    /// The rules it would satisfy (indexes into the policy's rules), the first one naming it.
    pub rules: Vec<usize>,
    pub project_id: Option<String>,
    /// What is still missing, in yuan (revenue, local procurement, R&D expense); zero when only
    /// a formality is missing; `None` for a project (its completion is what is missing).
    pub gap: Option<Decimal>,
    /// The awards at stake in yuan, rounded as the policy rounds (a project's ceiling; zero for a
    /// referral, which the county does not pay).
    pub at_stake: Decimal,
    /// The year it would get there at its trend, when it grows.
    pub expected_year: Option<Year>,
    /// One Chinese paragraph: where it stands, what it needs, what it would get.
    pub explanation: String,
}

fn yuan(f: Fen) -> Decimal {
    f.to_yuan()
}

fn row<'a>(facts: &EnterpriseFacts<'a>, year: Year) -> Option<&'a Annual> {
    facts.annual.iter().find(|r| r.year == year)
}

fn money_of(r: &Annual, f: MoneyFact) -> Option<Fen> {
    match f {
        MoneyFact::Revenue => r.revenue,
        MoneyFact::RdExpense => r.rd_expense,
        MoneyFact::LocalProcurement => r.local_procurement,
        MoneyFact::TotalProcurement => r.total_procurement,
    }
}

fn flag_of(facts: &EnterpriseFacts<'_>, r: &Annual, f: FlagFact) -> Option<bool> {
    match f {
        FlagFact::AboveScale => r.above_scale,
        FlagFact::ChainMaster => r.chain_master,
        FlagFact::StrategicEmerging => facts.enterprise.strategic_emerging,
    }
}

fn requires_hold(facts: &EnterpriseFacts<'_>, r: &Annual, requires: &[FlagFact]) -> bool {
    requires.iter().all(|&f| flag_of(facts, r, f) == Some(true))
}

/// Growth per year of a money fact over up to three years before `year` (display only).
fn trend(facts: &EnterpriseFacts<'_>, year: Year, fact: MoneyFact) -> Option<f64> {
    let now = money_of(row(facts, year)?, fact)?.to_yuan().to_f64()?;
    (1..=3).rev().find_map(|k| {
        let then = money_of(row(facts, year - k)?, fact)?.to_yuan().to_f64()?;
        (then > 0.0 && now > 0.0).then(|| (now / then).powf(1.0 / f64::from(k)) - 1.0)
    })
}

/// The first year after `year` in which `value` growing by `g` a year reaches `target` (within
/// ten years), or `None`.
fn crossing(year: Year, value: Decimal, target: Decimal, g: Option<f64>) -> Option<Year> {
    let (v, t, g) = (value.to_f64()?, target.to_f64()?, g?);
    if g <= 0.0 || v <= 0.0 {
        return None;
    }
    let n = ((t / v).ln() / (1.0 + g).ln()).ceil().max(1.0);
    (n <= 10.0).then(|| year + n as Year)
}

fn percent(g: f64) -> String {
    format!("{:.1}%", g * 100.0)
}

fn trend_zh(year: Year, g: Option<f64>, expected: Option<Year>) -> String {
    match (g, expected) {
        (Some(g), Some(y)) => format!("近年年均增长{}，照此预计{y}年达到", percent(g)),
        (Some(g), None) if g > 0.0 => format!("近年年均增长{}，十年内难以达到", percent(g)),
        (Some(g), None) if g < 0.0 => format!("近年年均下降{}，按此趋势难以达到", percent(-g)),
        (Some(_), None) => "近年持平，按此趋势难以达到".to_string(),
        _ => format!("{}年前无可比数据，无法推算趋势", year),
    }
}

/// Every near-miss of one enterprise in `year`, in kind order.
pub fn near_misses(policy: &Policy, facts: EnterpriseFacts<'_>, year: Year) -> Vec<NearMiss> {
    let mut out = Vec::new();
    if !policy.in_force(year) {
        return out;
    }
    let Some(now) = row(&facts, year) else { return out };
    let n = &policy.nearness;
    let round = |d: Decimal| crate::engine::round(policy, d);
    // 小升规: every first_entry rule on 规上 whose other requirements hold.
    let mut entry_rules = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        match &rule.kind {
            RuleKind::FirstReach { fact, threshold, requires, amount } => {
                if !requires_hold(&facts, now, requires) {
                    continue;
                }
                let Some(v) = money_of(now, *fact) else { continue };
                let reached_before = facts
                    .annual
                    .iter()
                    .filter(|r| r.year <= year)
                    .any(|r| money_of(r, *fact).is_some_and(|x| x >= *threshold));
                let floor = yuan(*threshold) * (Decimal::ONE - n.tier_share);
                if reached_before || yuan(v) < floor {
                    continue;
                }
                let gap = yuan(*threshold) - yuan(v);
                let g = trend(&facts, year, *fact);
                let expected = crossing(year, yuan(v), yuan(*threshold), g);
                let explanation = format!(
                    "{year}年{}{}，距“{}”的门槛{}还差{}（{}）；达到后奖励{}。",
                    fact.name_zh(),
                    money(yuan(v)),
                    rule.title,
                    money_exact(yuan(*threshold)),
                    money(gap),
                    trend_zh(year, g, expected),
                    money_exact(yuan(*amount)),
                );
                out.push(NearMiss {
                    kind: NearKind::RevenueTier,
                    rules: vec![i],
                    project_id: None,
                    gap: Some(gap),
                    at_stake: round(yuan(*amount)),
                    expected_year: expected,
                    explanation,
                });
            }
            RuleKind::FirstEntry { fact: FlagFact::AboveScale, requires, .. }
                if requires_hold(&facts, now, requires) =>
            {
                entry_rules.push(i);
            }
            RuleKind::LocalSourcing { requires, min_rise_points, baseline, rate, cap, .. } => {
                let terms = Sourcing { min_rise: *min_rise_points, baseline: *baseline, rate: *rate, cap: *cap };
                if let Some(m) = sourcing(policy, rule, &facts, year, now, requires, terms) {
                    out.push(NearMiss { rules: vec![i], ..m });
                }
            }
            RuleKind::ResearchReferral { requires, min_expense, min_growth_percent, min_intensity_percent } => {
                let terms = (*min_expense, *min_growth_percent, *min_intensity_percent);
                if let Some(m) = referral(policy, rule, &facts, year, now, requires, terms) {
                    out.push(NearMiss { rules: vec![i], ..m });
                }
            }
            RuleKind::ProjectSubsidy { categories, threshold_categories, threshold, rate, cap } => {
                for p in facts.projects {
                    let under_way =
                        p.start_year.is_some_and(|s| s <= year) && p.completed_year.is_none_or(|c| c > year);
                    let (Some(c), Some(inv)) = (p.category, p.fixed_asset_investment) else { continue };
                    if !under_way || !categories.contains(&c) || (threshold_categories.contains(&c) && inv < *threshold)
                    {
                        continue;
                    }
                    let ceiling = round((yuan(inv) * rate).min(yuan(*cap)));
                    let category = &policy.vocabulary.category_info(c).name;
                    out.push(NearMiss {
                        kind: NearKind::Project,
                        rules: vec![i],
                        project_id: Some(p.project_id.clone()),
                        gap: None,
                        at_stake: ceiling,
                        expected_year: None,
                        explanation: format!(
                            "项目“{}”（{category}，{}年开工，固定资产投资{}）尚未竣工投产；竣工投产后可申请“{}”，补助上限{}（投资额×{}，最高{}），终值由评审确定。",
                            p.name,
                            p.start_year.unwrap_or(year),
                            money(yuan(inv)),
                            rule.title,
                            money_exact(ceiling),
                            crate::engine::text::rate(*rate),
                            money_exact(yuan(*cap)),
                        ),
                    });
                }
            }
            _ => {}
        }
    }
    if !entry_rules.is_empty()
        && let Some(m) = above_scale(policy, &facts, year, now, &entry_rules)
    {
        out.push(m);
    }
    out.sort_by_key(|m| m.kind);
    out
}

fn above_scale(
    policy: &Policy,
    facts: &EnterpriseFacts<'_>,
    year: Year,
    now: &Annual,
    rules: &[usize],
) -> Option<NearMiss> {
    let n = &policy.nearness;
    if now.above_scale != Some(false) || facts.annual.iter().any(|r| r.year <= year && r.above_scale == Some(true)) {
        return None;
    }
    let revenue = yuan(now.revenue?);
    let line = yuan(n.above_scale_line);
    let prev = row(facts, year - 1).and_then(|r| r.revenue).map(yuan);
    let growing = prev.is_some_and(|p| revenue > p);
    if revenue < line * (Decimal::ONE - n.above_scale_share) || (revenue < line && !growing) {
        return None;
    }
    let g = trend(facts, year, MoneyFact::Revenue);
    let at_stake: Decimal = rules
        .iter()
        .filter_map(|&r| match policy.rules[r].kind {
            RuleKind::FirstEntry { amount, .. } => Some(yuan(amount)),
            _ => None,
        })
        .sum();
    let titles: Vec<&str> = rules.iter().map(|&r| policy.rules[r].title.as_str()).collect();
    let (gap, expected, where_) = if revenue >= line {
        (Decimal::ZERO, None, format!("已达规上标准{}，尚未纳入规上工业企业库：纳入当年即可", money_exact(line)))
    } else {
        let expected = crossing(year, revenue, line, g);
        (
            line - revenue,
            expected,
            format!("距规上标准{}还差{}（{}）", money_exact(line), money(line - revenue), trend_zh(year, g, expected)),
        )
    };
    Some(NearMiss {
        kind: NearKind::AboveScale,
        rules: rules.to_vec(),
        project_id: None,
        gap: Some(gap),
        at_stake: crate::engine::round(policy, at_stake),
        expected_year: expected,
        explanation: format!(
            "{year}年营业收入{}{}，{where_}；首次纳入可获：{}，合计{}。",
            money(revenue),
            prev.map_or(String::new(), |p| format!("（上年{}）", money(p))),
            titles.join("、"),
            money_exact(at_stake),
        ),
    })
}

/// A local sourcing rule's terms.
struct Sourcing {
    min_rise: Decimal,
    baseline: SourcingBaseline,
    rate: Decimal,
    cap: Fen,
}

fn sourcing(
    policy: &Policy,
    rule: &Rule,
    facts: &EnterpriseFacts<'_>,
    year: Year,
    now: &Annual,
    requires: &[FlagFact],
    terms: Sourcing,
) -> Option<NearMiss> {
    let Sourcing { min_rise, baseline, rate, cap } = terms;
    if !requires_hold(facts, now, requires) {
        return None;
    }
    let ratio = |r: &Annual| -> Option<Decimal> {
        let (l, t) = (r.local_procurement?, r.total_procurement?);
        (t.0 > 0).then(|| Decimal::from(l.0) * Decimal::ONE_HUNDRED / Decimal::from(t.0))
    };
    let total = yuan(now.total_procurement?);
    let current = ratio(now)?;
    let base = match baseline {
        SourcingBaseline::PreviousYear => ratio(row(facts, year - 1)?)?,
        SourcingBaseline::BestPrior => facts.annual.iter().filter(|r| r.year < year).filter_map(ratio).max()?,
    };
    let rise = current - base;
    let short = min_rise - rise;
    if short <= Decimal::ZERO || short > policy.nearness.sourcing_points || rise < Decimal::ZERO {
        return None;
    }
    let needed = total * short / Decimal::ONE_HUNDRED;
    let at_min = (total * min_rise / Decimal::ONE_HUNDRED * rate).min(yuan(cap));
    let points = |d: Decimal| crate::engine::text::plain(d.round_dp(2));
    Some(NearMiss {
        kind: NearKind::LocalSourcing,
        rules: Vec::new(),
        project_id: None,
        gap: Some(crate::engine::round(policy, needed)),
        at_stake: crate::engine::round(policy, at_min),
        expected_year: None,
        explanation: format!(
            "{year}年本地配套率{}%，比{}（{}%）提高{}个百分点，距“{}”要求的{}个百分点还差{}个；按本年采购总额{}计，本地配套采购额再增加{}即可，届时补助约{}。",
            points(current),
            match baseline {
                SourcingBaseline::PreviousYear => "上年",
                SourcingBaseline::BestPrior => "此前最高年度",
            },
            points(base),
            points(rise),
            rule.title,
            points(min_rise),
            points(short),
            money(total),
            money(needed),
            money_exact(crate::engine::round(policy, at_min)),
        ),
    })
}

/// `terms`: the minimum expense, growth (percent) and intensity (percent).
fn referral(
    policy: &Policy,
    rule: &Rule,
    facts: &EnterpriseFacts<'_>,
    year: Year,
    now: &Annual,
    requires: &[FlagFact],
    terms: (Fen, Decimal, Decimal),
) -> Option<NearMiss> {
    let (min_expense, min_growth, min_intensity) = terms;
    if !requires_hold(facts, now, requires) {
        return None;
    }
    let share = policy.nearness.referral_share;
    let e = yuan(now.rd_expense?);
    let prev = yuan(row(facts, year - 1)?.rd_expense?);
    let revenue = yuan(now.revenue?);
    if prev <= Decimal::ZERO || revenue <= Decimal::ZERO {
        return None;
    }
    let growth = (e / prev - Decimal::ONE) * Decimal::ONE_HUNDRED;
    let intensity = e / revenue * Decimal::ONE_HUNDRED;
    let min_e = yuan(min_expense);
    let misses = [e < min_e, growth < min_growth, intensity < min_intensity];
    if misses.iter().filter(|m| **m).count() != 1 {
        return None;
    }
    let near = |v: Decimal, t: Decimal| v >= t * (Decimal::ONE - share);
    let p = |d: Decimal| crate::engine::text::plain(d.round_dp(1));
    let (gap, what) = if misses[0] {
        if !near(e, min_e) {
            return None;
        }
        (min_e - e, format!("研发投入{}，距{}还差{}", money(e), money_exact(min_e), money(min_e - e)))
    } else if misses[1] {
        if !near(growth, min_growth) {
            return None;
        }
        let more = prev * (Decimal::ONE + min_growth / Decimal::ONE_HUNDRED) - e;
        (
            more,
            format!(
                "研发投入增长{}%，距{}%还差{}个百分点（研发投入需再增加{}）",
                p(growth),
                p(min_growth),
                p(min_growth - growth),
                money(more)
            ),
        )
    } else {
        if !near(intensity, min_intensity) {
            return None;
        }
        let more = revenue * min_intensity / Decimal::ONE_HUNDRED - e;
        (
            more,
            format!(
                "研发投入强度{}%，距{}%还差{}个百分点（按本年营业收入，研发投入需再增加{}）",
                p(intensity),
                p(min_intensity),
                p(min_intensity - intensity),
                money(more)
            ),
        )
    };
    Some(NearMiss {
        kind: NearKind::Referral,
        rules: Vec::new(),
        project_id: None,
        gap: Some(crate::engine::round(policy, gap)),
        at_stake: Decimal::ZERO,
        expected_year: None,
        explanation: format!(
            "{year}年“{}”的三项条件差一项：{what}；其余两项已满足。满足后可推荐争取省级资金。",
            rule.title
        ),
    })
}

//! The policy as a Chinese reader wants it: `lianzhang policy show`.

use crate::engine::text::{plain, rate, yuan};
use crate::model::*;
use std::fmt::Write;

fn flags(fs: &[FlagFact]) -> String {
    fs.iter().map(|f| f.name_zh()).collect::<Vec<_>>().join("且")
}

/// The conditions and amount of a rule, in Chinese.
/// An amount expression as written (empty for a referral, which has none).
fn source(amount: &Option<Box<crate::expr::Compiled>>) -> String {
    amount.as_ref().map_or_else(String::new, |a| a.source.clone())
}

pub fn describe_rule(p: &Policy, r: &Rule) -> (String, String) {
    let v = &p.vocabulary;
    let cats = |cs: &[lianzhang_facts::CategoryId]| {
        cs.iter().map(|c| v.category_info(*c).name.clone()).collect::<Vec<_>>().join("、")
    };
    let req = |fs: &[FlagFact]| if fs.is_empty() { String::new() } else { format!("当年为{}；", flags(fs)) };
    match &r.kind {
        RuleKind::FirstReach { fact, threshold, requires, amount } => (
            format!(
                "{}{}首次达到{}以上（含本数；以往任何年度均未达到）",
                req(requires),
                fact.name_zh(),
                yuan(*threshold)
            ),
            format!("{}（一次性）", yuan(*amount)),
        ),
        RuleKind::LocalSourcing { requires, min_rise_points, step_points, counting, baseline, rate: r, cap } => (
            format!(
                "{}本地配套率（本地配套采购额 ÷ 配套采购总额）较{}提高{}个百分点以上",
                req(requires),
                match baseline {
                    SourcingBaseline::PreviousYear => "上年",
                    SourcingBaseline::BestPrior => "此前最高年度",
                },
                plain(*min_rise_points)
            ),
            format!(
                "{}按{}计入增幅，补助 = 增幅相应采购额 × {}，最高{}（每年可享）",
                "",
                match counting {
                    SourcingCounting::WholeSteps => format!("整{}个百分点", plain(*step_points)),
                    SourcingCounting::Exact => "实际增幅".to_string(),
                },
                rate(*r),
                yuan(*cap)
            ),
        ),
        RuleKind::FirstRecognition { recognition, amount } => {
            (format!("当年首次认定为{}", v.kind_info(*recognition).name), format!("{}（一次性）", yuan(*amount)))
        }
        RuleKind::FirstEntry { fact, requires, amount } => (
            format!(
                "当年首次{}（以往任何年度均未在库）{}",
                fact.name_zh(),
                if requires.is_empty() { String::new() } else { format!("，且为{}", flags(requires)) }
            ),
            format!("{}（一次性）", yuan(*amount)),
        ),
        RuleKind::Retention { fact, years, counting, min_entry_year, amount } => (
            format!(
                "{min_entry_year}年起首次{}后，连续{years}年未退出（{}）",
                fact.name_zh(),
                match counting {
                    RetentionCounting::AfterEntry => "纳入年度之后的年份",
                    RetentionCounting::IncludingEntry => "含纳入当年",
                }
            ),
            format!("{}（一次性）", yuan(*amount)),
        ),
        RuleKind::ResearchReferral { requires, min_expense, min_growth_percent, min_intensity_percent } => (
            format!(
                "{}研发投入{}以上，较上年增长{}%以上，占营业收入{}%以上",
                req(requires),
                yuan(*min_expense),
                plain(*min_growth_percent),
                plain(*min_intensity_percent)
            ),
            "推荐争取省级技改奖励资金（非县级支付）".to_string(),
        ),
        RuleKind::Formula { when, amount, once, per, instalments, ceiling, .. } => (
            format!(
                "{}{}{}",
                if *per == crate::expr::Scope::Project { "每个当年竣工投产的项目，" } else { "" },
                when.source,
                match (once, per) {
                    (true, crate::expr::Scope::Project) => "（每个项目一次）",
                    (true, _) => "（一次性）",
                    (false, _) => "（每年）",
                }
            ),
            if amount.is_none() {
                "推荐争取上级资金（非县级支付）".to_string()
            } else if *ceiling {
                format!("{}（上限，终值由评审确定）", source(amount))
            } else if instalments.is_empty() {
                source(amount)
            } else {
                let shares: Vec<String> = instalments
                    .iter()
                    .map(|s| format!("{}%", (*s * rust_decimal::Decimal::ONE_HUNDRED).normalize()))
                    .collect();
                format!("{}（分{}期兑现：{}）", source(amount), instalments.len(), shares.join("、"))
            },
        ),
        RuleKind::ProjectSubsidy { categories, threshold_categories, threshold, rate: r, cap } => (
            format!(
                "当年竣工投产的{}项目；其中{}项目固定资产投资{}以上",
                cats(categories),
                cats(threshold_categories),
                yuan(*threshold)
            ),
            format!("最高为固定资产投资 × {}，单个项目不超过{}（上限，终值由评审确定）", rate(*r), yuan(*cap)),
        ),
    }
}

/// The whole policy as Chinese text.
pub fn show(p: &Policy) -> String {
    let mut s = String::new();
    let m = &p.meta;
    let _ = writeln!(s, "{}", m.title);
    let _ = writeln!(s, "{}  {}  {}印发", m.document, m.issuer, m.issued);
    let to = m.effective_to.map_or("无截止年度".to_string(), |t| format!("至{t}年"));
    let _ = writeln!(s, "政策编号：{}    适用评定年度：{}年起，{to}", m.id, m.effective_from);
    let _ = writeln!(s, "{}", rounding_zh(m));
    let _ = writeln!(s, "\n一、奖励规则");
    for (i, r) in p.rules.iter().enumerate() {
        let (cond, amount) = describe_rule(p, r);
        let _ = writeln!(s, "\n{}. {} {}  [{}]", i + 1, r.clause, r.title, r.id);
        let _ = writeln!(s, "   条件：{cond}");
        let _ = writeln!(s, "   金额：{amount}");
        if let Some(eq) = crate::equivalent::equivalent(r, &p.vocabulary) {
            let _ = match &eq.amount {
                Some(a) => writeln!(s, "   表达式：{} → {a}", eq.when),
                None => writeln!(s, "   表达式：{} → 推荐", eq.when),
            };
        }
        if let Some((g, _)) = p.group_of(i) {
            let _ = writeln!(s, "   分组：{}（{}）", g.title, group_mode(g));
        }
    }
    if !p.caps.is_empty() {
        let _ = writeln!(s, "\n奖补上限（各规则评定后适用，按规则顺序计入，超出部分核减）");
        for c in &p.caps {
            let _ = writeln!(s, "   {} {}：{}", c.clause, c.title, cap_zh(p, c));
        }
    }
    if !p.targets.is_empty() {
        let _ = writeln!(s, "\n二、目标");
        for t in &p.targets {
            let _ = writeln!(s, "   {}年底 {}：{}", t.year, t.title, target_value_zh(p, t));
        }
    }
    if !p.plausibility.is_empty() {
        let _ = writeln!(s, "\n数据合理性核查（发现疑点时，读取该数据的规则结果为“待核实”，确认后解除）");
        for c in &p.plausibility {
            let _ = writeln!(s, "   {}：{}", c.title, describe_check(&c.kind));
        }
    }
    let _ = writeln!(s, "\n{}、产业链", if p.targets.is_empty() { "二" } else { "三" });
    for (c, edges) in p.vocabulary.chains.iter().zip(&p.chain_edges) {
        let arrows: Vec<String> =
            edges.iter().map(|(a, b)| format!("{}→{}", c.stages[*a as usize], c.stages[*b as usize])).collect();
        let _ = writeln!(s, "   {}（{}）：{}", c.name, c.code, arrows.join("，"));
    }
    s
}

/// How amounts are rounded, one sentence: `金额以元计，计算完成后一次四舍五入保留2位小数；…`.
pub fn rounding_zh(m: &Meta) -> String {
    let rounding = match m.rounding {
        Rounding::HalfAwayFromZero => "四舍五入",
        Rounding::HalfEven => "银行家舍入",
    };
    let precision = if m.round_unit >= rust_decimal::Decimal::ONE {
        format!("到{}元", m.round_unit.normalize())
    } else {
        format!("保留{}位小数", m.round_dp)
    };
    format!("金额以元计，计算完成后一次{rounding}{precision}；“以上”“以下”含本数。")
}

/// A cap's limit and the rules it does not count: `不超过300万元（不计：…）`.
pub fn cap_zh(p: &Policy, c: &Cap) -> String {
    let excluded: Vec<&str> = c.exclude.iter().map(|&r| p.rules[r].title.as_str()).collect();
    let except = if excluded.is_empty() { String::new() } else { format!("（不计：{}）", excluded.join("、")) };
    format!("同一企业同一年度不超过{}{except}", yuan(c.amount))
}

/// A target's value: `30户`, or per chain `钢铁产业链5户、…`.
pub fn target_value_zh(p: &Policy, t: &Target) -> String {
    match &t.measure {
        TargetMeasure::NewAboveScale { value }
        | TargetMeasure::AboveScale { value }
        | TargetMeasure::RecognizedInYear { value, .. }
        | TargetMeasure::RecognizedBy { value, .. }
        | TargetMeasure::ChainMasters { value } => format!("{value}户"),
        TargetMeasure::NewChainMembers { per_chain } => per_chain
            .iter()
            .map(|(c, v)| format!("{}{v}户", p.vocabulary.chains[*c].name))
            .collect::<Vec<_>>()
            .join("、"),
    }
}

/// A plausibility check's condition, in Chinese.
pub fn describe_check(kind: &crate::plausibility::CheckKind) -> String {
    use crate::plausibility::CheckKind;
    match kind {
        CheckKind::AboveScaleRevenueBelowLine { line } => {
            format!("在规上企业库而当年营业收入低于{}（疑似按万元填报）", crate::engine::text::fen_exact(*line))
        }
        CheckKind::UnitJump { factor } => {
            format!(
                "金额与上年或下年相差{}倍以上，较小者疑似按万元填报（连同该年竣工项目的投资额）",
                crate::engine::text::grouped(*factor, 0)
            )
        }
        CheckKind::LocalAboveTotal => "本地配套采购额高于配套采购总额".to_string(),
        CheckKind::RevenueCollapse { max_drop } => format!("营业收入较上年下降超过{}", rate(*max_drop)),
    }
}

pub fn group_mode(g: &Group) -> &'static str {
    match g.kind {
        GroupKind::Tiers { highest: false, .. } => "同年跨越多档，各档均奖",
        GroupKind::Tiers { difference: true, .. } => "跨档晋级的按差额补足，同年跨越多档只奖高档",
        GroupKind::Tiers { highest: true, .. } => "同年跨越多档，只奖高档",
        GroupKind::Upgrade { difference: false } => "升级后按高级别全额奖励",
        GroupKind::Upgrade { difference: true } => "升级后补足差额",
        GroupKind::Levels { once: false } => "各级别各奖一次",
        GroupKind::Levels { once: true } => "只奖首次认定的一个级别",
    }
}

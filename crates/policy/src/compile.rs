//! Builds the typed [`Policy`] from the tree, collecting every problem.

use crate::diag::Problem;
use crate::fields::{Fields, choice, code, decimal, integer, list, money, string, year};
use crate::model::*;
use crate::tree::{Node, Value};
use lianzhang_facts::{ChainVocab, Code, Vocabulary};
use rust_decimal::Decimal;

const TOP: &[&str] = &[
    "policy",
    "history",
    "recognition_kinds",
    "project_categories",
    "chains",
    "chain_links",
    "rules",
    "groups",
    "targets",
    "plausibility",
    "payout",
    "facts",
    "caps",
    "nearness",
];
const FLAGS: &[&str] = &["above_scale", "chain_master", "strategic_emerging"];
const MONEY: &[&str] = &["revenue", "rd_expense", "local_procurement", "total_procurement"];

pub fn compile(root: &Node, problems: &mut Vec<Problem>) -> Option<Policy> {
    let mut top = Fields::new(root, "政策文件", problems)?;
    let meta = top.req("policy", problems).and_then(|n| meta(n, problems));
    let history = top.req("history", problems).and_then(|n| history(n, problems));
    let recognition_kinds = codes(top.req("recognition_kinds", problems), "认定类型", problems);
    let project_categories = codes(top.req("project_categories", problems), "项目类别", problems);
    let (chains, chain_edges) = chains(top.req("chains", problems), problems);
    let rules_node = top.req("rules", problems);
    // Facts first: the rules' expressions are checked against them, and the ones beyond FACTS.md
    // become extra columns of the data.
    let facts = match top.opt("facts") {
        Some(n) => crate::expr::decl::compile(n, problems),
        None => crate::expr::Decls::facts_md(),
    };
    let extras = crate::expr::decl::extras(&facts);
    let mut facts = facts;
    facts.vocab_codes(&recognition_kinds, &project_categories, &chains);
    let vocabulary = Vocabulary { chains, recognition_kinds, project_categories, extras };
    let chain_links = match top.opt("chain_links") {
        Some(n) => list(n, problems, |n, p| chain_link(n, &vocabulary, p)).unwrap_or_default(),
        None => Vec::new(),
    };
    let mut rules = rules(rules_node, &vocabulary, &facts, problems);
    let declared: Vec<String> = match rules_node {
        Some(Node { value: Value::Table(t), .. }) => t.entries.iter().map(|e| e.key.clone()).collect(),
        _ => Vec::new(),
    };
    let groups = match top.opt("groups") {
        Some(n) => groups(n, &rules, &declared, problems),
        None => Vec::new(),
    };
    resolve_recoveries(rules_node, &mut rules, &groups, problems);
    let targets = match top.opt("targets") {
        Some(n) => list(n, problems, |n, p| target(n, &vocabulary, p)).unwrap_or_default(),
        None => Vec::new(),
    };
    let plausibility = match top.opt("plausibility") {
        Some(n) => crate::plausibility::compile::plausibility(n, problems),
        None => Vec::new(),
    };
    let caps = match top.opt("caps") {
        Some(n) => caps(n, &rules, &declared, problems),
        None => Vec::new(),
    };
    let payout = match top.opt("payout") {
        Some(n) => payout(n, problems),
        None => Some(Payout::default()),
    };
    let nearness = match top.opt("nearness") {
        Some(n) => nearness(n, problems),
        None => Some(Nearness::default()),
    };
    top.finish(TOP, problems);
    let gates = rules.iter().map(|r| r.kind.gate(&vocabulary)).collect();
    let sources = crate::engine::sources(&facts, &vocabulary);
    let policy = Policy {
        meta: meta?,
        history: history?,
        vocabulary,
        chain_edges,
        chain_links,
        rules,
        groups,
        targets,
        gates,
        plausibility,
        payout: payout?,
        nearness: nearness?,
        sources,
        facts,
        caps,
    };
    problems.is_empty().then_some(policy)
}

fn meta(node: &Node, problems: &mut Vec<Problem>) -> Option<Meta> {
    let mut f = Fields::new(node, "[policy]", problems)?;
    let id = f.req("id", problems).and_then(|n| string(n, problems));
    let title = f.req("title", problems).and_then(|n| string(n, problems));
    let document = f.opt("document").and_then(|n| string(n, problems)).unwrap_or_default();
    let issuer = f.opt("issuer").and_then(|n| string(n, problems)).unwrap_or_default();
    let issued = f.opt("issued").and_then(|n| string(n, problems)).unwrap_or_default();
    let effective_from = f.req("effective_from", problems).and_then(|n| year(n, problems));
    let effective_to = f.opt("effective_to").and_then(|n| year(n, problems));
    let rounding = f.req("rounding", problems).and_then(|n| {
        choice(n, &[("half_away_from_zero", Rounding::HalfAwayFromZero), ("half_even", Rounding::HalfEven)], problems)
    });
    // The rounding unit: a power of ten from 0.0001 to 10,000 yuan (0.01 → 2 places; 100 → to
    // the hundred yuan, as some counties pay).
    let round_unit = f.req("round_to", problems).and_then(|n| {
        let d = decimal(n, problems)?.normalize();
        let power =
            d.mantissa() == 1 && d.scale() <= 4 || [1, 10, 100, 1000, 10_000].iter().any(|u| d == Decimal::from(*u));
        if power {
            Some(d)
        } else {
            problems.push(Problem::new(Some(&n.origin), "舍入单位应为 0.01、0.1、1、10、100 等（10 的整数次方）"));
            None
        }
    });
    f.finish(
        &["id", "title", "document", "issuer", "issued", "effective_from", "effective_to", "rounding", "round_to"],
        problems,
    );
    if let (Some(from), Some(to)) = (effective_from, effective_to)
        && to < from
    {
        problems.push(Problem::new(Some(&node.origin), "effective_to 早于 effective_from"));
    }
    Some(Meta {
        id: id?,
        title: title?,
        document,
        issuer,
        issued,
        effective_from: effective_from?,
        effective_to,
        rounding: rounding?,
        round_dp: round_unit.map_or(0, |u| u.scale()),
        round_unit: round_unit?,
    })
}

fn history(node: &Node, problems: &mut Vec<Problem>) -> Option<History> {
    let mut f = Fields::new(node, "[history]", problems)?;
    let window = f.req("new_enterprise_window", problems).and_then(|n| {
        let v = integer(n, problems)?;
        if (0..=10).contains(&v) {
            Some(v as i32)
        } else {
            problems.push(Problem::new(Some(&n.origin), "应为 0–10 年"));
            None
        }
    });
    f.finish(&["new_enterprise_window"], problems);
    Some(History { new_enterprise_window: window? })
}

/// The `[payout]` section (兑现): how an award round runs under this policy; absent keys keep
/// [`Payout::default`].
fn payout(node: &Node, problems: &mut Vec<Problem>) -> Option<Payout> {
    let mut f = Fields::new(node, "[payout]", problems)?;
    let d = Payout::default();
    let mut ranged = |key: &str, range: std::ops::RangeInclusive<i64>, what: &str, problems: &mut Vec<Problem>| {
        let n = f.opt(key)?;
        let v = integer(n, problems)?;
        if range.contains(&v) {
            Some(v as u32)
        } else {
            problems.push(Problem::new(Some(&n.origin), format!("{what}应为 {}–{}", range.start(), range.end())));
            None
        }
    };
    let approvals = ranged("approvals", 1..=9, "审批人数", problems).unwrap_or(d.approvals);
    let publicity_days =
        ranged("publicity_working_days", 1..=30, "公示期工作日数", problems).unwrap_or(d.publicity_days);
    let confirmation = match f.opt("confirmation") {
        Some(n) => match &n.value {
            Value::Bool(b) => *b,
            _ => {
                problems.push(Problem::new(Some(&n.origin), "应为 true 或 false"));
                d.confirmation
            }
        },
        None => d.confirmation,
    };
    let objection_to = f.opt("objection_to").and_then(|n| string(n, problems)).unwrap_or(d.objection_to);
    f.finish(&["confirmation", "approvals", "publicity_working_days", "objection_to"], problems);
    Some(Payout { confirmation, approvals, publicity_days, objection_to })
}

/// The `[nearness]` section (潜在可享); absent keys keep [`Nearness::default`].
fn nearness(node: &Node, problems: &mut Vec<Problem>) -> Option<Nearness> {
    const KEYS: [&str; 5] =
        ["tier_share", "above_scale_line", "above_scale_share", "sourcing_points", "referral_share"];
    let mut f = Fields::new(node, "[nearness]", problems)?;
    let d = Nearness::default();
    let mut share = |key: &str, default: Decimal, problems: &mut Vec<Problem>| {
        let Some(n) = f.opt(key) else { return default };
        match decimal(n, problems) {
            Some(v) if v > Decimal::ZERO && v < Decimal::ONE => v,
            Some(_) => {
                problems.push(Problem::new(Some(&n.origin), "比例应大于 0、小于 1（如 \"0.10\" 即 10%）"));
                default
            }
            None => default,
        }
    };
    let tier_share = share("tier_share", d.tier_share, problems);
    let above_scale_share = share("above_scale_share", d.above_scale_share, problems);
    let referral_share = share("referral_share", d.referral_share, problems);
    let above_scale_line = match f.opt("above_scale_line") {
        Some(n) => money(n, problems).unwrap_or(d.above_scale_line),
        None => d.above_scale_line,
    };
    let sourcing_points = match f.opt("sourcing_points") {
        Some(n) => match decimal(n, problems) {
            Some(v) if v > Decimal::ZERO => v,
            Some(_) => {
                problems.push(Problem::new(Some(&n.origin), "百分点数应大于 0"));
                d.sourcing_points
            }
            None => d.sourcing_points,
        },
        None => d.sourcing_points,
    };
    f.finish(&KEYS, problems);
    Some(Nearness { tier_share, above_scale_line, above_scale_share, sourcing_points, referral_share })
}

fn codes(node: Option<&Node>, what: &str, problems: &mut Vec<Problem>) -> Vec<Code> {
    let Some(node) = node else { return Vec::new() };
    let out = list(node, problems, |n, p| {
        let mut f = Fields::new(n, what, p)?;
        let code = f.req("code", p).and_then(|n| string(n, p));
        let name = f.req("name", p).and_then(|n| string(n, p));
        f.finish(&["code", "name"], p);
        Some(Code { code: code?, name: name? })
    })
    .unwrap_or_default();
    check_unique(node, out.iter().map(|c| c.code.as_str()), what, problems);
    out
}

fn check_unique<'a>(node: &Node, items: impl Iterator<Item = &'a str>, what: &str, problems: &mut Vec<Problem>) {
    let mut seen = std::collections::HashSet::new();
    for i in items {
        if !seen.insert(i) {
            problems.push(Problem::new(Some(&node.origin), format!("{what} `{i}` 重复定义")));
        }
    }
}

type Edges = Vec<Vec<(u16, u16)>>;

fn chains(node: Option<&Node>, problems: &mut Vec<Problem>) -> (Vec<ChainVocab>, Edges) {
    let Some(node) = node else { return Default::default() };
    let parsed = list(node, problems, |n, p| {
        let mut f = Fields::new(n, "产业链", p)?;
        let code = f.req("code", p).and_then(|n| string(n, p));
        let name = f.req("name", p).and_then(|n| string(n, p));
        let stages = f.req("stages", p).and_then(|n| list(n, p, string));
        let edges_node = f.opt("edges");
        f.finish(&["code", "name", "stages", "edges"], p);
        let stages = stages?;
        if let Some(sn) = f_stage_node(n) {
            check_unique(sn, stages.iter().map(String::as_str), "环节", p);
        }
        let index = |s: &str| stages.iter().position(|x| x == s).map(|i| i as u16);
        let edges = match edges_node {
            Some(en) => list(en, p, |e, p| {
                let pair = list(e, p, string)?;
                if pair.len() != 2 {
                    p.push(Problem::new(Some(&e.origin), "每条边应为 [上游环节, 下游环节]"));
                    return None;
                }
                match (index(&pair[0]), index(&pair[1])) {
                    (Some(a), Some(b)) => Some((a, b)),
                    _ => {
                        p.push(
                            Problem::new(Some(&e.origin), "边中的环节不在本链 stages 中")
                                .with_help(format!("本链环节：{}", stages.join("、"))),
                        );
                        None
                    }
                }
            })?,
            None => (1..stages.len()).map(|i| (i as u16 - 1, i as u16)).collect(),
        };
        Some((ChainVocab { code: code?, name: name?, stages }, edges))
    })
    .unwrap_or_default();
    if parsed.len() > u8::MAX as usize {
        problems.push(Problem::new(Some(&node.origin), "产业链过多（最多255条）"));
    }
    check_unique(node, parsed.iter().map(|(c, _)| c.code.as_str()), "产业链", problems);
    parsed.into_iter().unzip()
}

fn f_stage_node(n: &Node) -> Option<&Node> {
    match &n.value {
        Value::Table(t) => t.get("stages"),
        _ => None,
    }
}

fn stage_ref(node: &Node, vocab: &Vocabulary, problems: &mut Vec<Problem>) -> Option<(usize, u16)> {
    let pair = list(node, problems, string)?;
    let found = (pair.len() == 2)
        .then(|| vocab.chain(&pair[0]).and_then(|c| vocab.stage(c, &pair[1]).map(|s| (c.0 as usize, s))))
        .flatten();
    if found.is_none() {
        problems.push(Problem::new(Some(&node.origin), "应为 [产业链代码, 该链的环节]"));
    }
    found
}

fn chain_link(node: &Node, vocab: &Vocabulary, problems: &mut Vec<Problem>) -> Option<ChainLink> {
    let mut f = Fields::new(node, "跨链关联", problems)?;
    let from = f.req("from", problems).and_then(|n| stage_ref(n, vocab, problems));
    let to = f.req("to", problems).and_then(|n| stage_ref(n, vocab, problems));
    f.finish(&["from", "to"], problems);
    Some(ChainLink { from: from?, to: to? })
}

fn flag(node: &Node, problems: &mut Vec<Problem>) -> Option<FlagFact> {
    code(node, "事实", |s| FlagFact::ALL.iter().find(|(c, _)| *c == s).map(|(_, f)| *f), FLAGS, problems)
}

fn yearly_flag(node: &Node, problems: &mut Vec<Problem>) -> Option<FlagFact> {
    let f = flag(node, problems)?;
    if f.is_yearly() {
        Some(f)
    } else {
        problems.push(Problem::new(Some(&node.origin), format!("`{}` 不是年度事实", f.code())));
        None
    }
}

fn money_fact(node: &Node, problems: &mut Vec<Problem>) -> Option<MoneyFact> {
    code(node, "金额事实", |s| MoneyFact::ALL.iter().find(|(c, _)| *c == s).map(|(_, f)| *f), MONEY, problems)
}

pub const RULE_KINDS: &[(&str, &[&str])] = &[
    ("first_reach", &["fact", "threshold", "requires", "amount"]),
    ("local_sourcing", &["requires", "min_rise_points", "step_points", "counting", "baseline", "rate", "cap"]),
    ("first_recognition", &["recognition", "amount"]),
    ("first_entry", &["fact", "requires", "amount"]),
    ("retention", &["fact", "years", "counting", "min_entry_year", "amount"]),
    ("research_referral", &["requires", "min_expense", "min_growth_percent", "min_intensity_percent"]),
    ("project_subsidy", &["categories", "threshold_categories", "threshold", "rate", "cap"]),
    ("formula", &["when", "amount", "once", "per", "instalments", "ceiling", "outcome", "recovers", "within"]),
];

fn rules(
    node: Option<&Node>,
    vocab: &Vocabulary,
    facts: &crate::expr::Decls,
    problems: &mut Vec<Problem>,
) -> Vec<Rule> {
    let Some(Node { value: Value::Table(table), origin }) = node else {
        if let Some(n) = node {
            problems.push(Problem::new(Some(&n.origin), "[rules] 应为表"));
        }
        return Vec::new();
    };
    if table.entries.is_empty() {
        problems.push(Problem::new(Some(origin), "政策文件没有任何规则"));
    }
    table.entries.iter().filter_map(|e| rule(&e.key, &e.node, vocab, facts, problems)).collect()
}

fn rule(
    id: &str,
    node: &Node,
    vocab: &Vocabulary,
    facts: &crate::expr::Decls,
    problems: &mut Vec<Problem>,
) -> Option<Rule> {
    let mut f = Fields::new(node, format!("规则 {id} "), problems)?;
    let kind_node = f.req("kind", problems)?;
    let kind_names: Vec<&str> = RULE_KINDS.iter().map(|(k, _)| *k).collect();
    let Some((kind_name, params)) =
        RULE_KINDS.iter().find(|(k, _)| matches!(&kind_node.value, Value::String(s) if s == k))
    else {
        problems.push(
            Problem::new(Some(&kind_node.origin), "未知规则类型")
                .with_help(format!("可用类型：{}", kind_names.join("、"))),
        );
        return None;
    };
    let clause = f.req("clause", problems).and_then(|n| string(n, problems));
    let title = f.req("title", problems).and_then(|n| string(n, problems));
    let source = f.opt("source").and_then(|n| string(n, problems)).unwrap_or_default();
    let p = &mut *problems;
    let flags = |n: &Node, p: &mut Vec<Problem>| list(n, p, flag);
    let kinds: Vec<&str> = vocab.recognition_kinds.iter().map(|c| c.code.as_str()).collect();
    let cats: Vec<&str> = vocab.project_categories.iter().map(|c| c.code.as_str()).collect();
    let category = |n: &Node, p: &mut Vec<Problem>| code(n, "项目类别", |s| vocab.project_category(s), &cats, p);
    let kind = match *kind_name {
        "first_reach" => {
            let fact = f.req("fact", p).and_then(|n| money_fact(n, p));
            let threshold = f.req("threshold", p).and_then(|n| money(n, p));
            let requires = f.req("requires", p).and_then(|n| flags(n, p));
            let amount = f.req("amount", p).and_then(|n| money(n, p));
            (|| Some(RuleKind::FirstReach { fact: fact?, threshold: threshold?, requires: requires?, amount: amount? }))(
            )
        }
        "local_sourcing" => {
            let requires = f.req("requires", p).and_then(|n| flags(n, p));
            let min_rise_points = f.req("min_rise_points", p).and_then(|n| decimal(n, p));
            let step_points = f.req("step_points", p).and_then(|n| positive(n, p));
            let counting = f.req("counting", p).and_then(|n| {
                choice(n, &[("whole_steps", SourcingCounting::WholeSteps), ("exact", SourcingCounting::Exact)], p)
            });
            let baseline = f.req("baseline", p).and_then(|n| {
                choice(
                    n,
                    &[("previous_year", SourcingBaseline::PreviousYear), ("best_prior", SourcingBaseline::BestPrior)],
                    p,
                )
            });
            let rate = f.req("rate", p).and_then(|n| fraction(n, p));
            let cap = f.req("cap", p).and_then(|n| money(n, p));
            (|| {
                Some(RuleKind::LocalSourcing {
                    requires: requires?,
                    min_rise_points: min_rise_points?,
                    step_points: step_points?,
                    counting: counting?,
                    baseline: baseline?,
                    rate: rate?,
                    cap: cap?,
                })
            })()
        }
        "first_recognition" => {
            let recognition = f
                .req("recognition", p)
                .and_then(|n| code(n, "认定类型", |s| vocab.recognition_kind_by_code(s), &kinds, p));
            let amount = f.req("amount", p).and_then(|n| money(n, p));
            (|| Some(RuleKind::FirstRecognition { recognition: recognition?, amount: amount? }))()
        }
        "first_entry" => {
            let fact = f.req("fact", p).and_then(|n| yearly_flag(n, p));
            let requires = f.req("requires", p).and_then(|n| flags(n, p));
            let amount = f.req("amount", p).and_then(|n| money(n, p));
            (|| Some(RuleKind::FirstEntry { fact: fact?, requires: requires?, amount: amount? }))()
        }
        "retention" => {
            let fact = f.req("fact", p).and_then(|n| yearly_flag(n, p));
            let years = f.req("years", p).and_then(|n| {
                let v = integer(n, p)?;
                if (1..=20).contains(&v) {
                    Some(v as i32)
                } else {
                    p.push(Problem::new(Some(&n.origin), "连续年数应为 1–20"));
                    None
                }
            });
            let counting = f.req("counting", p).and_then(|n| {
                choice(
                    n,
                    &[
                        ("after_entry", RetentionCounting::AfterEntry),
                        ("including_entry", RetentionCounting::IncludingEntry),
                    ],
                    p,
                )
            });
            let min_entry_year = f.req("min_entry_year", p).and_then(|n| year(n, p));
            let amount = f.req("amount", p).and_then(|n| money(n, p));
            (|| {
                Some(RuleKind::Retention {
                    fact: fact?,
                    years: years?,
                    counting: counting?,
                    min_entry_year: min_entry_year?,
                    amount: amount?,
                })
            })()
        }
        "research_referral" => {
            let requires = f.req("requires", p).and_then(|n| flags(n, p));
            let min_expense = f.req("min_expense", p).and_then(|n| money(n, p));
            let g = f.req("min_growth_percent", p).and_then(|n| decimal(n, p));
            let s = f.req("min_intensity_percent", p).and_then(|n| decimal(n, p));
            (|| {
                Some(RuleKind::ResearchReferral {
                    requires: requires?,
                    min_expense: min_expense?,
                    min_growth_percent: g?,
                    min_intensity_percent: s?,
                })
            })()
        }
        "project_subsidy" => {
            let categories = f.req("categories", p).and_then(|n| list(n, p, category));
            let threshold_categories = f.req("threshold_categories", p).and_then(|n| list(n, p, category));
            let threshold = f.req("threshold", p).and_then(|n| money(n, p));
            let rate = f.req("rate", p).and_then(|n| fraction(n, p));
            let cap = f.req("cap", p).and_then(|n| money(n, p));
            (|| {
                Some(RuleKind::ProjectSubsidy {
                    categories: categories?,
                    threshold_categories: threshold_categories?,
                    threshold: threshold?,
                    rate: rate?,
                    cap: cap?,
                })
            })()
        }
        "formula" => {
            use crate::expr::{Scope, Type};
            let per = match f.opt("per") {
                None => Scope::Year,
                Some(n) => choice(n, &[("year", Scope::Year), ("project", Scope::Project)], p).unwrap_or_default(),
            };
            let when = f.req("when", p).and_then(|n| expression(n, facts, Type::Bool, per, p));
            // `outcome = "referral"` (推荐争取上级资金): the condition alone, no amount;
            // `outcome = "recovery"` (收回): the condition is a break, the amount another rule's award.
            let outcome = f.opt("outcome");
            // `None`: an outcome already reported wrong (then a missing amount is not reported too).
            let kind_of = match outcome {
                None => Some(0),
                Some(n) => choice(n, &[("award", 0), ("referral", 1), ("recovery", 2)], p),
            };
            let amount_node = if kind_of == Some(0) { f.req("amount", p) } else { f.opt("amount") };
            let referral = kind_of == Some(1);
            let recovering = kind_of == Some(2);
            if let Some(n) = amount_node.filter(|_| referral) {
                p.push(Problem::new(Some(&n.origin), "推荐类规则（outcome = \"referral\"）县级不支付，不写 amount"));
            }
            if let Some(n) = amount_node.filter(|_| recovering) {
                p.push(Problem::new(Some(&n.origin), "收回类规则收回所收回规则已兑现的奖励，不写 amount"));
            }
            let recovery = recovery_of(f.opt("recovers"), f.opt("within"), recovering, per, &node.origin, p);
            let amount = amount_node.and_then(|n| expression(n, facts, Type::Money, per, p));
            let flag = |node: Option<&Node>, default: bool, p: &mut Vec<Problem>| match node {
                None => default,
                Some(Node { value: Value::Bool(b), .. }) => *b,
                Some(n) => {
                    p.push(Problem::new(Some(&n.origin), "应为 true 或 false"));
                    default
                }
            };
            let once = flag(f.opt("once"), true, p);
            // The amount is a ceiling, the final one set by review in a round.
            let ceiling = flag(f.opt("ceiling"), false, p);
            // A fixed amount of 0 or less pays nothing: a mistake, not a rule.
            if let Some(n) = amount_node
                && let Some(d) = amount.as_ref().and_then(|a| a.constant())
                && d <= Decimal::ZERO
            {
                let src = amount.as_ref().map_or("", |a| a.source.as_str());
                p.push(Problem::new(Some(&n.origin), format!("金额应大于0，这里是“{src}”")));
            }
            // 分期兑现: shares of the award, this year first ("0.4", "0.3", "0.3"), summing to 1.
            let instalments = match f.opt("instalments") {
                None => Some(Vec::new()),
                Some(n) => list(n, p, fraction).and_then(|shares| {
                    let sum: Decimal = shares.iter().sum();
                    let ok = sum == Decimal::ONE && shares.iter().all(|s| !s.is_zero()) && per == Scope::Year;
                    if !ok {
                        let why = if per == Scope::Year {
                            "各期比例应大于0、合计为1（如 [\"0.4\", \"0.3\", \"0.3\"]）"
                        } else {
                            "按项目评定的规则不能分期"
                        };
                        p.push(Problem::new(Some(&n.origin), why));
                    }
                    ok.then_some(shares)
                }),
            };
            (|| {
                let amount = if referral || recovering { None } else { Some(amount?) };
                if amount.is_none() && (!instalments.as_ref()?.is_empty() || ceiling) {
                    p.push(Problem::new(
                        outcome.map(|n| &n.origin),
                        "推荐、收回类规则没有自己的金额，不能分期或设上限",
                    ));
                    return None;
                }
                let recovery = if recovering { Some(recovery?) } else { None };
                let (when, instalments) = (when?, instalments?);
                let needs_row = when.reads_yearly(facts) || amount.as_ref().is_some_and(|a| a.reads_yearly(facts));
                Some(RuleKind::Formula {
                    when: Box::new(when),
                    amount: amount.map(Box::new),
                    once,
                    per,
                    needs_row,
                    instalments,
                    ceiling,
                    recovery,
                })
            })()
        }
        _ => unreachable!("kind names come from RULE_KINDS"),
    };
    let mut allowed = vec!["kind", "clause", "title", "source"];
    allowed.extend_from_slice(params);
    f.finish(&allowed, problems);
    Some(Rule { id: id.to_string(), clause: clause?, title: title?, source, kind: kind? })
}

/// An expression of the policy language (a string), checked against the declared facts; each
/// of its problems is reported at the string with the expression's own line, column and caret.
fn expression(
    node: &Node,
    facts: &crate::expr::Decls,
    want: crate::expr::Type,
    scope: crate::expr::Scope,
    problems: &mut Vec<Problem>,
) -> Option<crate::expr::Compiled> {
    let source = string(node, problems)?;
    match crate::expr::compile_in(&source, facts, want, scope) {
        Ok(c) => Some(c),
        Err(diagnostics) => {
            for d in diagnostics {
                problems.push(Problem::new(Some(&node.origin), format!("表达式有误：{}", d.render(&source))));
            }
            None
        }
    }
}

fn positive(node: &Node, problems: &mut Vec<Problem>) -> Option<Decimal> {
    let d = decimal(node, problems)?;
    if d.is_zero() {
        problems.push(Problem::new(Some(&node.origin), "应大于 0"));
        return None;
    }
    Some(d)
}

/// A rate between 0 and 1 ("0.01" is 1%).
fn fraction(node: &Node, problems: &mut Vec<Problem>) -> Option<Decimal> {
    let d = decimal(node, problems)?;
    if d > Decimal::ONE {
        problems.push(Problem::new(Some(&node.origin), "比例应在 0 与 1 之间（\"0.01\" 表示 1%）"));
        return None;
    }
    Some(d)
}

/// `declared` are all rule ids of the file, including rules that failed to compile (their
/// groups are skipped without a second, cascading problem).
/// A recovery rule's `recovers` (the id of the rule whose award it takes back, resolved by
/// [`resolve_recoveries`] once every rule is read) and `within` (years after the award, 1..=10).
/// Both are required of a recovery and refused elsewhere.
fn recovery_of(
    recovers: Option<&Node>,
    within: Option<&Node>,
    recovering: bool,
    per: crate::expr::Scope,
    at: &crate::tree::Origin,
    p: &mut Vec<Problem>,
) -> Option<crate::model::Recovery> {
    if !recovering {
        for n in [recovers, within].into_iter().flatten() {
            p.push(Problem::new(Some(&n.origin), "recovers、within 只用于收回类规则（outcome = \"recovery\"）"));
        }
        return None;
    }
    fn missing<T>(key: &str, at: &crate::tree::Origin, p: &mut Vec<Problem>) -> Option<T> {
        p.push(Problem::new(Some(at), format!("收回类规则缺少参数 `{key}`")));
        None
    }
    let rule = match recovers {
        Some(n) => string(n, p),
        None => missing("recovers", at, p),
    };
    let within = match within {
        Some(n) => integer(n, p).and_then(|w| match i32::try_from(w) {
            Ok(w) if (1..=10).contains(&w) => Some(w),
            _ => {
                p.push(Problem::new(Some(&n.origin), "within 为奖励后的年数，应为 1 至 10 的整数"));
                None
            }
        }),
        None => missing("within", at, p),
    };
    if per != crate::expr::Scope::Year {
        p.push(Problem::new(Some(at), "收回类规则按企业年度评定，不能按项目（per = \"project\"）"));
        return None;
    }
    Some(crate::model::Recovery { rule: rule?, index: usize::MAX, within: within? })
}

/// Resolves each recovery rule's `recovers` to the rule it names, which must be a one-time award
/// decided per enterprise-year, in no group, and not itself a referral or a recovery.
fn resolve_recoveries(node: Option<&Node>, rules: &mut [Rule], groups: &[Group], problems: &mut Vec<Problem>) {
    let origin_of = |id: &str| match node {
        Some(Node { value: Value::Table(t), .. }) => {
            t.entries.iter().find(|e| e.key == id).and_then(|e| match &e.node.value {
                Value::Table(r) => r.entries.iter().find(|x| x.key == "recovers").map(|x| x.node.origin.clone()),
                _ => None,
            })
        }
        _ => None,
    };
    for i in 0..rules.len() {
        let Some(target) = rules[i].kind.recovery().map(|r| r.rule.clone()) else { continue };
        let found = rules.iter().position(|r| r.id == target);
        let why = match found {
            None => Some(format!("没有规则 `{target}`")),
            Some(j) if j == i => Some("收回类规则不能收回自己".to_string()),
            Some(j) => {
                let k = &rules[j].kind;
                if k.recovery().is_some() || k.is_referral() {
                    Some(format!("规则 `{target}` 不是奖励，无可收回"))
                } else if !k.one_time() || k.per_project() {
                    Some(format!("规则 `{target}` 不是按企业一次性奖励，收回只适用于一次性奖励"))
                } else if groups.iter().any(|g| g.rules.contains(&j)) {
                    Some(format!("规则 `{target}` 属于规则组，其实付金额取决于组内其他规则，暂不支持收回"))
                } else {
                    None
                }
            }
        };
        match (why, found) {
            (None, Some(j)) => {
                if let RuleKind::Formula { recovery: Some(r), .. } = &mut rules[i].kind {
                    r.index = j;
                }
            }
            (why, _) => {
                let origin = origin_of(&rules[i].id);
                problems.push(Problem::new(origin.as_ref(), why.unwrap_or_default()));
            }
        }
    }
}

fn groups(node: &Node, rules: &[Rule], declared: &[String], problems: &mut Vec<Problem>) -> Vec<Group> {
    let Value::Table(table) = &node.value else {
        problems.push(Problem::new(Some(&node.origin), "[groups] 应为表"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in &table.entries {
        if declared.contains(&e.key) {
            problems.push(Problem::new(Some(&e.key_origin), format!("分组 `{}` 与规则同名", e.key)));
        }
        if let Some(g) = group(&e.key, &e.node, rules, declared, problems) {
            if let Some(r) = g.rules.iter().find(|r| out.iter().any(|o: &Group| o.rules.contains(r))) {
                problems.push(Problem::new(Some(&e.node.origin), format!("规则 `{}` 已属于另一分组", rules[*r].id)));
            }
            out.push(g);
        }
    }
    out
}

fn group(id: &str, node: &Node, rules: &[Rule], declared: &[String], problems: &mut Vec<Problem>) -> Option<Group> {
    let mut f = Fields::new(node, format!("分组 {id} "), problems)?;
    let kind =
        f.req("kind", problems).and_then(|n| choice(n, &[("tiers", 0), ("upgrade", 1), ("levels", 2)], problems));
    let title = f.opt("title").and_then(|n| string(n, problems)).unwrap_or_else(|| id.to_string());
    let members_node = f.req("rules", problems);
    let mut broken_member = false;
    let members = members_node.and_then(|n| {
        list(n, problems, |item, p| {
            if let Value::String(s) = &item.value
                && declared.contains(s)
                && !rules.iter().any(|r| &r.id == s)
            {
                broken_member = true; // already reported where the rule is defined
                return None;
            }
            let ids: Vec<&str> = declared.iter().map(String::as_str).collect();
            code(item, "规则", |s| rules.iter().position(|r| r.id == s), &ids, p)
        })
    });
    if broken_member {
        return None;
    }
    let pay_node = f.req("pay", problems);
    f.finish(&["kind", "title", "rules", "pay"], problems);
    let (kind, members, members_node, pay_node) = (kind?, members?, members_node?, pay_node?);
    let group_kind = match kind {
        0 => {
            let pay = [("each", (false, false)), ("highest", (true, false)), ("difference", (true, true))];
            let (highest, difference) = choice(pay_node, &pay, problems)?;
            GroupKind::Tiers { highest, difference }
        }
        1 => GroupKind::Upgrade { difference: choice(pay_node, &[("full", false), ("difference", true)], problems)? },
        _ => GroupKind::Levels { once: choice(pay_node, &[("per_level", false), ("once", true)], problems)? },
    };
    if members.len() < 2 {
        problems.push(Problem::new(Some(&members_node.origin), "分组至少需要两条规则"));
    }
    let ok = match group_kind {
        GroupKind::Tiers { .. } if members.iter().any(|&r| matches!(rules[r].kind, RuleKind::Formula { .. })) => {
            // Tiers written as expressions: one-time rules for the enterprise, low → high as listed.
            let ok = members.iter().all(|&r| match &rules[r].kind {
                RuleKind::Formula { once, per, .. } => *once && *per == crate::expr::Scope::Year,
                RuleKind::FirstReach { .. } => true,
                _ => false,
            });
            if !ok {
                problems.push(Problem::new(
                    Some(&members_node.origin),
                    "tiers 分组的规则应为 first_reach 规则或一次性（once = true）的 formula 规则，由低到高排列",
                ));
            }
            ok
        }
        GroupKind::Tiers { .. } => {
            let tiers: Vec<_> = members
                .iter()
                .map(|&r| match &rules[r].kind {
                    RuleKind::FirstReach { fact, threshold, .. } => Some((*fact, *threshold)),
                    _ => None,
                })
                .collect();
            let same_fact = tiers.iter().all(|t| t.is_some_and(|(f, _)| Some(f) == tiers[0].map(|t| t.0)));
            let ascending = tiers.windows(2).all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a.1 < b.1));
            if !(same_fact && ascending) {
                problems.push(Problem::new(
                    Some(&members_node.origin),
                    "tiers 分组的规则应为同一事实的 first_reach 规则，门槛由低到高排列",
                ));
            }
            same_fact && ascending
        }
        _ => {
            let all_recognition = members.iter().all(|&r| matches!(rules[r].kind, RuleKind::FirstRecognition { .. }));
            if !all_recognition {
                problems.push(Problem::new(Some(&members_node.origin), "该类分组的规则应均为 first_recognition 规则"));
            }
            all_recognition
        }
    };
    ok.then(|| Group { id: id.to_string(), title, rules: members, kind: group_kind })
}

/// `[caps.ID]`: title, clause, amount (yuan), exclude (rule ids).
fn caps(node: &Node, rules: &[Rule], declared: &[String], problems: &mut Vec<Problem>) -> Vec<Cap> {
    let Value::Table(table) = &node.value else {
        problems.push(Problem::new(Some(&node.origin), "[caps] 应为表"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in &table.entries {
        let Some(mut f) = Fields::new(&e.node, format!("上限 {} ", e.key), problems) else { continue };
        let title = f.req("title", problems).and_then(|n| string(n, problems));
        let clause = f.opt("clause").and_then(|n| string(n, problems)).unwrap_or_default();
        let source = f.opt("source").and_then(|n| string(n, problems)).unwrap_or_default();
        let amount = f.req("amount", problems).and_then(|n| money(n, problems));
        let ids: Vec<&str> = declared.iter().map(String::as_str).collect();
        // A rule that failed to compile is reported where it is defined, not again here.
        let mut broken = false;
        let exclude = match f.opt("exclude") {
            Some(n) => list(n, problems, |item, p| {
                if let Value::String(s) = &item.value
                    && declared.contains(s)
                    && !rules.iter().any(|r| &r.id == s)
                {
                    broken = true;
                    return None;
                }
                code(item, "规则", |s| rules.iter().position(|r| r.id == s), &ids, p)
            }),
            None => Some(Vec::new()),
        };
        f.finish(&["title", "clause", "source", "amount", "exclude"], problems);
        if broken {
            continue;
        }
        if let (Some(title), Some(amount), Some(exclude)) = (title, amount, exclude) {
            out.push(Cap { id: e.key.clone(), title, clause, source, amount, exclude });
        }
    }
    out
}

fn target(node: &Node, vocab: &Vocabulary, problems: &mut Vec<Problem>) -> Option<Target> {
    let mut f = Fields::new(node, "目标", problems)?;
    let id = f.req("id", problems).and_then(|n| string(n, problems));
    let title = f.req("title", problems).and_then(|n| string(n, problems));
    let year = f.req("year", problems).and_then(|n| year(n, problems));
    let measure = f.req("measure", problems).and_then(|n| {
        choice(
            n,
            &[
                ("new_above_scale", 0),
                ("above_scale", 1),
                ("recognized_in_year", 2),
                ("recognized_by", 3),
                ("chain_masters", 4),
                ("new_chain_members", 5),
            ],
            problems,
        )
    });
    let count = |v: i64, n: &Node, p: &mut Vec<Problem>| {
        u32::try_from(v).ok().or_else(|| {
            p.push(Problem::new(Some(&n.origin), "目标值应为非负整数"));
            None
        })
    };
    let kinds: Vec<&str> = vocab.recognition_kinds.iter().map(|c| c.code.as_str()).collect();
    let measure = match measure? {
        m @ 0..=4 => {
            let vn = f.req("value", problems)?;
            let value = integer(vn, problems).and_then(|v| count(v, vn, problems))?;
            match m {
                0 => TargetMeasure::NewAboveScale { value },
                1 => TargetMeasure::AboveScale { value },
                4 => TargetMeasure::ChainMasters { value },
                _ => {
                    let ks = f.req("kinds", problems).and_then(|n| {
                        list(n, problems, |k, p| code(k, "认定类型", |s| vocab.recognition_kind_by_code(s), &kinds, p))
                    })?;
                    if m == 2 {
                        TargetMeasure::RecognizedInYear { kinds: ks, value }
                    } else {
                        TargetMeasure::RecognizedBy { kinds: ks, value }
                    }
                }
            }
        }
        _ => {
            let pn = f.req("per_chain", problems)?;
            let mut per = Vec::new();
            let mut pf = Fields::new(pn, "per_chain", problems)?;
            let chain_codes: Vec<&str> = vocab.chains.iter().map(|c| c.code.as_str()).collect();
            for (i, c) in vocab.chains.iter().enumerate() {
                if let Some(n) = pf.opt(&c.code)
                    && let Some(v) = integer(n, problems).and_then(|v| count(v, n, problems))
                {
                    per.push((i, v));
                }
            }
            pf.finish(&chain_codes, problems);
            TargetMeasure::NewChainMembers { per_chain: per }
        }
    };
    f.finish(&["id", "title", "year", "measure", "value", "kinds", "per_chain"], problems);
    Some(Target { id: id?, title: title?, year: year?, measure })
}

//! The interpretation choices a policy file makes (POLICY.md, "Interpretation choices"): for each,
//! the question in Chinese, the option the file chose and what each other option would mean, and
//! the `--set` assignment that tries it. The policy page shows them beside their rules; the
//! what-if sandbox offers them as parameters.

use crate::model::*;

/// One option of a choice: its value in the policy file and its meaning in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Opt {
    /// The value as written after `=` in the file or in `--set` (TOML: `"exact"`, `["a", "b"]`).
    pub value: String,
    pub meaning: String,
}

/// An interpretation choice of one rule or group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Choice {
    /// The rule's or group's id.
    pub owner: String,
    /// The parameter's `--set` key (`local_sourcing_increase.counting`).
    pub key: String,
    /// What is being decided (`增幅如何计入`).
    pub question: String,
    pub chosen: Opt,
    pub others: Vec<Opt>,
}

impl Choice {
    /// The `--set` assignment that tries option `o` (`local_sourcing_increase.counting="exact"`).
    pub fn assignment(&self, o: &Opt) -> String {
        format!("{}={}", self.key, o.value)
    }
}

fn opt(value: &str, meaning: impl Into<String>) -> Opt {
    Opt { value: format!("\"{value}\""), meaning: meaning.into() }
}

/// `options` as (value, meaning), the one equal to `chosen` first.
fn split(owner: &str, key: &str, question: &str, chosen: &str, options: Vec<Opt>) -> Choice {
    let chosen_value = format!("\"{chosen}\"");
    let (mine, others): (Vec<Opt>, Vec<Opt>) = options.into_iter().partition(|o| o.value == chosen_value);
    Choice {
        owner: owner.to_string(),
        key: format!("{owner}.{key}"),
        question: question.to_string(),
        chosen: mine.into_iter().next().expect("the chosen option is listed"),
        others,
    }
}

/// Every interpretation choice of `p`, rules in file order, then groups.
pub fn choices(p: &Policy) -> Vec<Choice> {
    let mut out = Vec::new();
    let v = &p.vocabulary;
    for r in &p.rules {
        let id = r.id.as_str();
        match &r.kind {
            RuleKind::LocalSourcing { counting, baseline, step_points, .. } => {
                let step = crate::engine::text::plain(*step_points);
                let (c, b) = (
                    match counting {
                        SourcingCounting::WholeSteps => "whole_steps",
                        SourcingCounting::Exact => "exact",
                    },
                    match baseline {
                        SourcingBaseline::PreviousYear => "previous_year",
                        SourcingBaseline::BestPrior => "best_prior",
                    },
                );
                out.push(split(
                    id,
                    "counting",
                    "配套率增幅如何计入",
                    c,
                    vec![
                        opt(
                            "whole_steps",
                            format!("按整{step}个百分点计入：增幅12个百分点计入10个（“每提高{step}个百分点”）"),
                        ),
                        opt("exact", format!("达到{step}个百分点后按实际增幅计入：增幅12个百分点即计入12个")),
                    ],
                ));
                out.push(split(
                    id,
                    "baseline",
                    "配套率与哪一年比较",
                    b,
                    vec![
                        opt("previous_year", "与上年配套率比较"),
                        opt("best_prior", "与此前任一年度的最高配套率比较：回落后再回升不重复补助"),
                    ],
                ));
            }
            RuleKind::Retention { counting, years, .. } => {
                let c = match counting {
                    RetentionCounting::AfterEntry => "after_entry",
                    RetentionCounting::IncludingEntry => "including_entry",
                };
                // The example in the rule's own number of years.
                let n = *years;
                let span = |from: i32| {
                    let to = from + n - 1;
                    if n == 2 { format!("{from}、{to}年") } else { format!("{from}至{to}年") }
                };
                out.push(split(
                    id,
                    "counting",
                    &format!("“首次小升规后连续{n}年未退出”从哪一年数起"),
                    c,
                    vec![
                        opt(
                            "after_entry",
                            format!("从纳入之后的年份数起：2022年纳入，连续{n}年即{}，{}年奖励", span(2023), 2022 + n),
                        ),
                        opt(
                            "including_entry",
                            format!("纳入当年计入：2022年纳入，连续{n}年即{}，{}年奖励", span(2022), 2021 + n),
                        ),
                    ],
                ));
            }
            RuleKind::ProjectSubsidy { categories, threshold_categories, threshold, .. } => {
                let list = |cs: &[lianzhang_facts::CategoryId]| {
                    format!(
                        "[{}]",
                        cs.iter().map(|c| format!("\"{}\"", v.category_info(*c).code)).collect::<Vec<_>>().join(", ")
                    )
                };
                let names = |cs: &[lianzhang_facts::CategoryId]| {
                    cs.iter().map(|c| v.category_info(*c).name.clone()).collect::<Vec<_>>().join("、")
                };
                let amount = crate::engine::text::yuan(*threshold);
                let all = Opt {
                    value: list(categories),
                    meaning: format!("{amount}的投资门槛适用于全部类别：{}", names(categories)),
                };
                let chosen = Opt {
                    value: list(threshold_categories),
                    meaning: format!("{amount}的投资门槛只适用于：{}；其余类别不设门槛", names(threshold_categories)),
                };
                let mut others = Vec::new();
                if threshold_categories.len() != categories.len() {
                    others.push(all);
                }
                out.push(Choice {
                    owner: id.to_string(),
                    key: format!("{id}.threshold_categories"),
                    question: "投资额门槛适用于哪些项目类别".into(),
                    chosen: if others.is_empty() {
                        Opt { value: chosen.value, meaning: format!("{amount}的投资门槛适用于全部类别") }
                    } else {
                        chosen
                    },
                    others,
                });
            }
            _ => {}
        }
    }
    for g in &p.groups {
        let members: Vec<&str> = g.rules.iter().map(|&r| p.rules[r].title.as_str()).collect();
        let question = format!("{}：{}", g.title, members.join("、"));
        let c = match g.kind {
            GroupKind::Tiers { highest: false, .. } => "each",
            GroupKind::Tiers { difference: true, .. } => "difference",
            GroupKind::Tiers { highest: true, .. } => "highest",
            GroupKind::Upgrade { difference: false } => "full",
            GroupKind::Upgrade { difference: true } => "difference",
            GroupKind::Levels { once: false } => "per_level",
            GroupKind::Levels { once: true } => "once",
        };
        let options = match g.kind {
            GroupKind::Tiers { .. } => vec![
                opt("each", "同年跨越多档，各档均奖"),
                opt("highest", "同年跨越多档，只奖高档"),
                opt("difference", "跨档晋级按差额补足：高档奖励减去以前各年已获低档奖励"),
            ],
            GroupKind::Upgrade { .. } => vec![
                opt("full", "升级后按高级别全额奖励"),
                opt("difference", "升级后只补足差额：高级别奖励减去已获低级别奖励"),
            ],
            GroupKind::Levels { .. } => {
                vec![opt("per_level", "各级别各奖一次"), opt("once", "只奖首次认定的一个级别，其后的级别不再奖励")]
            }
        };
        out.push(split(&g.id, "pay", &question, c, options));
    }
    out
}

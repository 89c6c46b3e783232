//! Rules written in the policy language (issue 11): a `kind = "formula"` rule beside the
//! built-in ones, assessed by the engine with its amount, its `needs_review` naming the unknown
//! facts, its explanation, and its expression problems reported where the file wrote them.
mod common;
use common::*;
use lianzhang_policy::{NothingPaid, Policy, PolicyFile, explain};

/// The bundled policy with a rule in the shape of 青岚 第二条 (R&D increase × 10%, capped at 50万)
/// for above-scale enterprises whose revenue grew by 20% or more.
fn with_formula() -> Policy {
    let text = format!(
        "{}\n[rules.rd_increase_subsidy]\nkind = \"formula\"\nclause = \"二\"\ntitle = \"研发投入增加补助\"\n\
         when = \"above_scale and growth(revenue) >= 20% and increase(rd_expense) > 0\"\n\
         amount = \"min(increase(rd_expense) * 10%, 50万)\"\nonce = false\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    PolicyFile::parse("formula.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()))
}

fn firm(rows: Vec<lianzhang_facts::Annual>) -> Vec<Ent> {
    vec![Ent { rows, ..Ent::default() }]
}

fn scale(year: i32, revenue: i64, rd: Option<i64>) -> lianzhang_facts::Annual {
    lianzhang_facts::Annual { above_scale: Some(true), rd_expense: rd.and_then(y), ..plain(year, revenue) }
}

#[test]
fn a_formula_rule_awards_its_computed_amount() {
    let p = with_formula();
    // Revenue +20% exactly (以上 includes), R&D +3,000,000: 300,000.
    let e = firm(vec![scale(2022, 100_000_000, Some(2_000_000)), scale(2023, 120_000_000, Some(5_000_000))]);
    assert_eq!(of(&p, e, 2023, "rd_increase_subsidy"), award("300000.00"));
    // The cap.
    let e = firm(vec![scale(2022, 100_000_000, Some(2_000_000)), scale(2023, 130_000_000, Some(9_000_000))]);
    assert_eq!(of(&p, e, 2023, "rd_increase_subsidy"), award("500000.00"));
    // Growth below 20%: no outcome.
    let e = firm(vec![scale(2022, 100_000_000, Some(2_000_000)), scale(2023, 119_999_999, Some(9_000_000))]);
    assert_eq!(of(&p, e, 2023, "rd_increase_subsidy"), None);
}

#[test]
fn an_unknown_that_matters_needs_review_naming_it_and_one_that_does_not_is_ignored() {
    let p = with_formula();
    let e = || firm(vec![scale(2022, 100_000_000, None), scale(2023, 130_000_000, Some(9_000_000))]);
    assert_eq!(of(&p, e(), 2023, "rd_increase_subsidy"), review());
    let ds = dataset(&p, e());
    let facts = ds.iter().next().unwrap();
    let text = explain(&p, facts, 2023, &NothingPaid)
        .into_iter()
        .find(|r| r.rule == "rd_increase_subsidy")
        .expect("reported")
        .explanation;
    assert!(text.contains("2022年研发投入：未知"), "{text}");
    assert!(text.contains("营业收入增长率：(1.3亿元 − 1亿元) ÷ 1亿元 = 30%"), "{text}");
    assert!(text.contains("待核实：2022年研发投入"), "{text}");
    // Revenue fell: known false whatever R&D was.
    let e = firm(vec![scale(2022, 100_000_000, None), scale(2023, 90_000_000, None)]);
    assert_eq!(of(&p, e, 2023, "rd_increase_subsidy"), None);
}

#[test]
fn expression_problems_are_reported_at_the_rule_with_the_expression_caret() {
    let text = format!(
        "{}\n[rules.bad]\nkind = \"formula\"\nclause = \"二\"\ntitle = \"有误的规则\"\n\
         when = \"above_scale and tax_paid >= 100万\"\namount = \"10万 + above_scale\"\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    let e = PolicyFile::parse("bad.toml", text.clone()).compile().unwrap_err().to_plain();
    let when_line = text.lines().position(|l| l.starts_with("when = \"above_scale and tax_paid")).unwrap() + 1;
    assert!(e.contains(&format!("bad.toml:{when_line}:")), "{e}");
    assert!(e.contains("表达式有误：第 1 行第 17 列：政策文件没有声明事实“tax_paid”"), "{e}");
    assert!(e.contains("金额与是/否不能“+”"), "{e}");
}

#[test]
fn a_formula_rule_shows_its_expressions_and_is_one_time_unless_told() {
    let p = with_formula();
    let r = p.rules.iter().find(|r| r.id == "rd_increase_subsidy").unwrap();
    assert!(!r.kind.one_time());
    let (when, amount) = lianzhang_policy::show::describe_rule(&p, r);
    assert!(when.contains("growth(revenue) >= 20%") && amount.contains("min(increase(rd_expense) * 10%, 50万)"));
}

/// The bundled policy with, beside each built-in rule that has one, its equivalent written in
/// the policy language (`lianzhang_policy::equivalent`) as a formula rule `{id}__expr`, compiled
/// from the file's text like any other rule.
fn zezhou_with_equivalents() -> (Policy, Vec<String>) {
    let bundled = PolicyFile::bundled().compile().unwrap();
    let mut text = lianzhang_policy::file::BUNDLED_TEXT.to_string();
    let mut twins = Vec::new();
    for r in &bundled.rules {
        let Some(eq) = lianzhang_policy::equivalent::equivalent(r, &bundled.vocabulary) else { continue };
        let per = if eq.per == lianzhang_policy::expr::Scope::Project { "per = \"project\"\n" } else { "" };
        let amount = match &eq.amount {
            Some(a) => format!("amount = '{a}'\nceiling = {}\n", eq.ceiling),
            None => "outcome = \"referral\"\n".to_string(),
        };
        text.push_str(&format!(
            "\n[rules.{}__expr]\nkind = \"formula\"\nclause = \"{}\"\ntitle = \"{}（表达式）\"\n{per}when = '{}'\n{amount}once = {}\n",
            r.id, r.clause, r.title, eq.when, eq.once
        ));
        twins.push(r.id.clone());
    }
    let p = PolicyFile::parse("zezhou-equivalents.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    (p, twins)
}

#[test]
fn every_built_in_rule_with_an_equivalent_gives_the_same_outcomes_on_generated_data() {
    let (p, twins) = zezhou_with_equivalents();
    // 首次达到 (2), 本地配套 (1), 首次认定 (7), 首次纳入 (2), 连续未退出 (2), projects (1), the
    // research referral (1): every rule of the file.
    assert_eq!(twins.len(), 16, "{twins:?}");
    let ds = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 3000, seed: 11, ..Default::default() },
        &p.vocabulary,
    );
    type Key = (String, Option<String>);
    let mut compared = 0;
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut per_rule: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for year in 2022..=2025 {
        let a = lianzhang_policy::assess(&p, &ds, year, &NothingPaid);
        let by = |rule: &str| -> std::collections::BTreeMap<Key, (lianzhang_policy::Status, Option<String>)> {
            a.outcomes
                .iter()
                .filter(|o| o.rule == rule)
                .map(|o| ((o.uscc.to_string(), o.project_id.clone()), (o.status, o.amount.map(|d| d.to_string()))))
                .collect()
        };
        for id in &twins {
            let (b, f) = (by(id), by(&format!("{id}__expr")));
            assert_eq!(b, f, "{year}: {id} and its expression differ");
            compared += b.len();
            *per_rule.entry(id.clone()).or_insert(0) += b.len();
            for (status, _) in b.values() {
                *seen.entry(format!("{status:?}")).or_insert(0) += 1;
            }
        }
    }
    assert!(compared > 300, "the demo county has such outcomes ({compared})");
    // Every equivalence is exercised: each rule has outcomes to compare.
    assert!(per_rule.len() == twins.len() && per_rule.values().all(|n| *n > 0), "{per_rule:?}");
    // The whole policy rewritten (same ids): every outcome the same, rule by rule.
    let bundled = PolicyFile::bundled().compile().unwrap();
    let rewritten = lianzhang_policy::equivalent::rewritten(&bundled);
    for year in 2022..=2025 {
        let key = |o: &lianzhang_policy::Outcome| {
            (o.uscc.to_string(), o.rule.clone(), o.project_id.clone(), o.status, o.amount.map(|d| d.to_string()))
        };
        let a: Vec<_> = lianzhang_policy::assess(&bundled, &ds, year, &NothingPaid).outcomes.iter().map(key).collect();
        let b: Vec<_> =
            lianzhang_policy::assess(&rewritten, &ds, year, &NothingPaid).outcomes.iter().map(key).collect();
        assert_eq!(a, b, "{year}");
        let t1 = lianzhang_policy::tally(&bundled, &ds, year, &NothingPaid);
        let t2 = lianzhang_policy::tally(&rewritten, &ds, year, &NothingPaid);
        assert_eq!(t1, t2, "{year}: the budget path");
    }
    // Awards and doubtful cases alike (unknown history, missing cells) are compared.
    assert!(seen.get("Award").is_some_and(|n| *n > 50) && seen.get("NeedsReview").is_some_and(|n| *n > 10), "{seen:?}");
    // And `policy show` prints each equivalent beside its rule.
    let shown = lianzhang_policy::show::show(&PolicyFile::bundled().compile().unwrap());
    assert!(shown.contains("表达式：chain_master and first(revenue >= 3亿) → 10万"), "{shown}");
    assert!(
        shown.contains("表达式：year >= 2024 and above_scale and above_scale[-1] and entered(above_scale, 2) → 5万")
    );
    assert!(shown.contains(
        "表达式：category in [digital] or (category in [transformation, energy_saving] and fixed_asset_investment >= 1000万) → min(fixed_asset_investment * 10%, 200万)"
    ));
}

/// A formula's amount of 0 or less (a value in no band, a negative result) is no award, and a
/// fixed amount of 0 or less is refused when the file is read.
#[test]
fn nothing_to_pay_is_no_award_and_a_fixed_non_positive_amount_is_refused() {
    let text = format!(
        "{}\n[rules.banded]\nkind = \"formula\"\nclause = \"二\"\ntitle = \"分档\"\nwhen = \"above_scale\"\n\
         amount = \"band(revenue, [2000万..4000万: 10万, 5000万..: 20万])\"\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    let p = PolicyFile::parse("band.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    let at = |revenue: i64| {
        let e = firm(vec![scale(2022, revenue, Some(1)), scale(2023, revenue, Some(1))]);
        of(&p, e, 2023, "banded")
    };
    assert_eq!(at(30_000_000), award("100000.00"));
    assert_eq!(at(45_000_000), None, "in the gap between the bands: nothing");
    assert_eq!(at(60_000_000), award("200000.00"));
    let ds = dataset(&p, firm(vec![scale(2022, 45_000_000, Some(1)), scale(2023, 45_000_000, Some(1))]));
    let r = explain(&p, ds.get(0), 2023, &NothingPaid);
    let banded = r.iter().find(|r| r.rule == "banded").unwrap();
    assert!(banded.explanation.contains("不在任何一档：0；金额为0，不予奖励"), "{}", banded.explanation);

    let text = format!(
        "{}\n[rules.negative]\nkind = \"formula\"\nclause = \"二\"\ntitle = \"负数\"\nwhen = \"above_scale\"\namount = \"-5万\"\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    let e = PolicyFile::parse("neg.toml", text).compile().unwrap_err().to_plain();
    assert!(e.contains("金额应大于0，这里是“-5万”"), "{e}");
}

/// A value a plausibility finding doubts reads as unknown in a formula, and the explanation says
/// it is doubted and why, as the built-in rules do.
#[test]
fn a_doubted_value_is_named_with_its_finding() {
    let p = with_formula();
    // 2023's revenue typed in 万元 (10,000 times too small): the unit_jump check doubts it.
    let e = firm(vec![scale(2022, 100_000_000, Some(2_000_000)), scale(2023, 12_000, Some(5_000_000))]);
    let ds = dataset(&p, e);
    let r = explain(&p, ds.get(0), 2023, &NothingPaid);
    let rd = r.iter().find(|r| r.rule == "rd_increase_subsidy").unwrap();
    assert!(rd.explanation.contains("2023年营业收入：存疑（"), "{}", rd.explanation);
    assert!(rd.missing.iter().any(|m| m.contains("2023年营业收入")), "{:?}", rd.missing);
}

/// Rounding to a unit such as 100 yuan (some counties pay in hundreds): once, at the end.
#[test]
fn amounts_round_once_to_the_policys_unit() {
    let text = format!(
        "{}\n[rules.rd_increase_subsidy]\nkind = \"formula\"\nclause = \"二\"\ntitle = \"研发投入增加补助\"\n\
         when = \"above_scale and increase(rd_expense) > 0\"\namount = \"increase(rd_expense) * 10%\"\nonce = false\n",
        lianzhang_policy::file::BUNDLED_TEXT.replacen("round_to = \"0.01\"", "round_to = \"100\"", 1)
    );
    let p = PolicyFile::parse("hundreds.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    let at = |increase: i64| {
        let e =
            firm(vec![scale(2022, 100_000_000, Some(1_000_000)), scale(2023, 100_000_000, Some(1_000_000 + increase))]);
        of(&p, e, 2023, "rd_increase_subsidy")
    };
    assert_eq!(at(3_000_001), award("300000.00")); // 300,000.1 → 3,000 hundreds
    assert_eq!(at(3_000_500), award("300100.00")); // 300,050 → 3,000.5 → 3,001 hundreds (四舍五入)
    assert_eq!(at(3_000_499), award("300000.00"));
    assert!(lianzhang_policy::show::show(&p).contains("计算完成后一次四舍五入到100元"));
    let bad = lianzhang_policy::file::BUNDLED_TEXT.replacen("round_to = \"0.01\"", "round_to = \"50\"", 1);
    let e = PolicyFile::parse("fifty.toml", bad).compile().unwrap_err().to_plain();
    assert!(e.contains("舍入单位应为 0.01、0.1、1、10、100 等"), "{e}");
}

/// 分期兑现: an award paid in shares over its year and the next ones; each share rounded once,
/// the last the rest, so the shares add up to the award exactly; each year's line its own.
#[test]
fn an_award_in_instalments_pays_a_share_each_year() {
    let text = format!(
        "{}\n[rules.entry_in_instalments]\nkind = \"formula\"\nclause = \"四\"\ntitle = \"首次小升规分三年兑现\"\n\
         when = \"first(above_scale)\"\namount = \"100000.05元\"\ninstalments = [\"0.4\", \"0.3\", \"0.3\"]\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    let p = PolicyFile::parse("instalments.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    assert!(!p.rules.iter().find(|r| r.id == "entry_in_instalments").unwrap().kind.one_time(), "a ledger line a year");
    let rows = || {
        let below = |y| lianzhang_facts::Annual { above_scale: Some(false), ..plain(y, 10_000_000) };
        let above = |y| lianzhang_facts::Annual { above_scale: Some(true), ..plain(y, 30_000_000) };
        // Entered in 2022 (after a year below the line); below the line again in 2024.
        vec![below(2021), above(2022), above(2023), below(2024), above(2025)]
    };
    let at = |year| of(&p, firm(rows()), year, "entry_in_instalments");
    assert_eq!(at(2022), award("40000.02")); // 40%: 40,000.02
    assert_eq!(at(2023), award("30000.02")); // 30%: 30,000.015 → 30,000.02
    assert_eq!(at(2024), award("30000.01"), "the rest, owed though below the line that year");
    assert_eq!(at(2025), None);
    let ds = dataset(&p, firm(rows()));
    let r = explain(&p, ds.get(0), 2024, &NothingPaid);
    let line = r.iter().find(|r| r.rule == "entry_in_instalments").unwrap();
    assert!(line.explanation.contains("2022年的奖励分3期兑现，2024年为第3期（30%）"), "{}", line.explanation);
    let bad = format!(
        "{}\n[rules.bad]\nkind = \"formula\"\nclause = \"四\"\ntitle = \"错\"\nwhen = \"first(above_scale)\"\n\
         amount = \"10万\"\ninstalments = [\"0.5\", \"0.3\"]\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    let e = PolicyFile::parse("bad.toml", bad).compile().unwrap_err().to_plain();
    assert!(e.contains("各期比例应大于0、合计为1"), "{e}");
}

/// A formula rule reports the yearly facts it reads (`facts_read`), as the built-in rules do, so
/// "one fact, one value" is checked across both (`one_fact.rs`).
#[test]
fn a_formula_reports_the_facts_it_reads() {
    use lianzhang_policy::engine::{FactKey, facts_read};
    let p = lianzhang_policy::equivalent::rewritten(&PolicyFile::bundled().compile().unwrap());
    let ds = dataset(&p, firm(vec![scale(2022, 30_000_000, Some(1)), scale(2023, 30_000_000, Some(1))]));
    let reads = facts_read(&p, ds.get(0), 2023);
    let entry: Vec<_> = reads.iter().filter(|r| r.rule == "above_scale_entry").map(|r| r.key).collect();
    let above = |year| FactKey::Flag { fact: lianzhang_policy::model::FlagFact::AboveScale, year };
    assert!(entry.contains(&above(2023)) && entry.contains(&above(2022)), "{entry:?}");
}

#[test]
fn a_rule_that_cannot_hold_before_a_year_is_not_evaluated_before_it() {
    // The gate keeps the evaluation away from years the rule cannot hold in: 连续3年 counted
    // from a 2022 entry holds from 2025, the built-in rule and its expression alike.
    let built_in = PolicyFile::bundled().compile().unwrap();
    let rewritten = lianzhang_policy::equivalent::rewritten(&built_in);
    for p in [&built_in, &rewritten] {
        let i = p.rules.iter().position(|r| r.id == "above_scale_retained_3y").unwrap();
        assert_eq!(p.gates[i].from_year, 2025, "{:?}", p.rules[i].kind);
        let i = p.rules.iter().position(|r| r.id == "above_scale_retained_2y").unwrap();
        assert_eq!(p.gates[i].from_year, 2024);
        let i = p.rules.iter().position(|r| r.id == "above_scale_entry").unwrap();
        assert_eq!(p.gates[i].from_year, i32::MIN, "no year bound");
    }
    // `year > N` starts the year after N.
    let p = policy(&[]);
    let decls = &p.facts;
    let when =
        lianzhang_policy::expr::compile("year > 2023 and above_scale", decls, lianzhang_policy::expr::Type::Bool)
            .unwrap();
    let kind = lianzhang_policy::model::RuleKind::Formula {
        when: Box::new(when),
        amount: Some(Box::new(
            lianzhang_policy::expr::compile("1万", decls, lianzhang_policy::expr::Type::Money).unwrap(),
        )),
        once: false,
        per: lianzhang_policy::expr::Scope::Year,
        needs_row: true,
        instalments: Vec::new(),
        ceiling: false,
        recovery: None,
    };
    assert_eq!(kind.gate(&p.vocabulary).from_year, 2024);
}

#[test]
fn a_referral_is_a_condition_without_an_amount() {
    let text = format!(
        "{}\n[rules.growth_referral]\nkind = \"formula\"\nclause = \"六\"\ntitle = \"营业收入增长推荐\"\n\
         outcome = \"referral\"\nonce = false\nwhen = \"above_scale and revenue >= revenue[-1] * 120%\"\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    let p = PolicyFile::parse("referral.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    let r = p.rules.iter().find(|r| r.id == "growth_referral").unwrap();
    assert!(r.kind.is_referral());
    let e = || firm(vec![scale(2022, 100_000_000, None), scale(2023, 120_000_000, None)]);
    assert_eq!(of(&p, e(), 2023, "growth_referral"), Some((lianzhang_policy::Status::Referral, None)));
    let ds = dataset(&p, e());
    let report = explain(&p, ds.get(0), 2023, &NothingPaid);
    let line = report.iter().find(|r| r.rule == "growth_referral").unwrap();
    assert!(line.explanation.contains("推荐争取省级资金"), "{}", line.explanation);
    let e = firm(vec![scale(2022, 100_000_000, None), scale(2023, 119_999_999, None)]);
    assert_eq!(of(&p, e, 2023, "growth_referral"), None);
    // An amount, instalments or a ceiling on a referral are mistakes, each reported.
    for (extra, message) in [
        ("amount = \"10万\"\n", "县级不支付，不写 amount"),
        ("ceiling = true\n", "不能分期或设上限"),
        ("outcome = \"payment\"\n", "无效取值 `payment`"),
    ] {
        let text = format!(
            "{}\n[rules.r]\nkind = \"formula\"\nclause = \"六\"\ntitle = \"推荐\"\n{}when = \"above_scale\"\n{extra}",
            lianzhang_policy::file::BUNDLED_TEXT,
            if extra.starts_with("outcome") { "" } else { "outcome = \"referral\"\n" }
        );
        let e = PolicyFile::parse("bad.toml", text).compile().unwrap_err().to_plain();
        assert!(e.contains(message), "{extra}: {e}");
    }
}

//! `policy check`: every problem with file, line and column; unknown facts, unknown
//! parameters and type errors refused.
use lianzhang_policy::PolicyFile;
use lianzhang_policy::file::BUNDLED_TEXT;

fn problems(text: &str) -> String {
    match PolicyFile::parse("bad.toml", text).compile() {
        Ok(_) => panic!("accepted a bad policy"),
        Err(e) => e.to_plain(),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle") + 1
}

#[test]
fn unknown_fact_unknown_parameter_and_type_error_are_all_reported_with_lines() {
    let text = BUNDLED_TEXT
        .replace("fact = \"revenue\"\nthreshold = \"300000000\"", "fact = \"revenu\"\nthreshold = \"300000000\"")
        .replace("rate = \"0.01\"", "rate = \"0.01\"\nratte = \"0.02\"")
        .replace("amount = \"30000\"", "amount = \"三万\"");
    let out = problems(&text);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let l1 = line_of(&text, "fact = \"revenu\"");
    assert!(lines.iter().any(|l| l.starts_with(&format!("bad.toml:{l1}:8: 未知金额事实 `revenu`"))), "{out}");
    let l2 = line_of(&text, "ratte");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("bad.toml:{l2}:1: 规则 local_sourcing_increase 中有未知参数 `ratte`"))),
        "{out}"
    );
    let l3 = line_of(&text, "\"三万\"");
    assert!(lines.iter().any(|l| l.starts_with(&format!("bad.toml:{l3}:10: 金额 `三万` 无效"))), "{out}");
}

#[test]
fn a_syntax_error_points_at_its_place() {
    let out = problems("[policy]\nid = \"x\"\ntitle = \n");
    assert!(out.starts_with("bad.toml:3:"), "{out}");
    assert!(out.contains("TOML 语法错误"), "{out}");
    assert!(out.contains("等号后缺少值，或文字没有加引号"), "{out}");
}

/// Syntax errors read in Chinese, each at its place; no word of the parser's English.
#[test]
fn syntax_errors_are_told_in_chinese() {
    for (text, says) in [
        ("[policy]\nid = \"x\nname = 1\n", "字符串不完整"),
        ("[policy]\nid = \"x\"\nid = \"y\"\n", "这个键出现了两次"),
        ("[policy\nid = \"x\"\n", "表头不完整"),
        ("[policy]\nrequires = [\"a\" \"b\"]\n", "数组不完整"),
    ] {
        let out = problems(text);
        assert!(out.contains(says), "{text:?}: {out}");
        for english in ["expected", "invalid", "duplicate", "unclosed", "missing"] {
            assert!(!out.contains(english), "{out}");
        }
    }
}

#[test]
fn unknown_choice_names_the_choices() {
    let text = BUNDLED_TEXT.replace("baseline = \"previous_year\"", "baseline = \"last_year\"");
    let e = PolicyFile::parse("bad.toml", text).compile().unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].message, "无效取值 `last_year`");
    assert_eq!(e.problems[0].help.as_deref(), Some("可选值：previous_year | best_prior"));
}

#[test]
fn unknown_recognition_kind_and_group_member_are_refused() {
    let text = BUNDLED_TEXT
        .replace("recognition = \"tech_center_national\"", "recognition = \"tech_centre_national\"")
        .replace(
            "rules = [\"champion_province\", \"champion_national\"]",
            "rules = [\"champion_province\", \"champion_natonal\"]",
        );
    let out = problems(&text);
    assert!(out.contains("未知认定类型 `tech_centre_national`"), "{out}");
    assert!(out.contains("未知规则 `champion_natonal`"), "{out}");
}

#[test]
fn overrides_are_checked_like_the_file() {
    let mut f = PolicyFile::bundled();
    f.set("local_sourcing_increase.baseline=best_prior");
    f.set("project_subsidy.cap=2500000");
    let p = f.compile().expect("valid overrides");
    assert!(matches!(
        p.rule("local_sourcing_increase").unwrap().kind,
        lianzhang_policy::model::RuleKind::LocalSourcing {
            baseline: lianzhang_policy::model::SourcingBaseline::BestPrior,
            ..
        }
    ));

    let mut f = PolicyFile::bundled();
    f.set("local_sourcing_increase.baseline=sometimes");
    f.set("project_subsidy.capp=1");
    f.set("above_scale_entry.amount=-5");
    f.set("nonsense");
    let e = f.compile().unwrap_err();
    let out = e.to_plain();
    assert_eq!(e.problems.len(), 4, "{out}");
    assert!(out.contains("--set local_sourcing_increase.baseline=sometimes: 无效取值 `sometimes`"), "{out}");
    assert!(out.contains("--set project_subsidy.capp=1: 未知参数 `project_subsidy.capp`"), "{out}");
    assert!(out.contains("--set above_scale_entry.amount=-5: 金额 `-5` 无效：金额不能为负数"), "{out}");
}

#[test]
fn miette_renders_a_caret_under_the_problem() {
    let text = BUNDLED_TEXT.replace("pay = \"full\"", "pay = \"partial\"");
    let e = PolicyFile::parse("bad.toml", text).compile().unwrap_err();
    let d = &e.diagnostics()[0];
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, d)
        .unwrap();
    assert!(out.contains("bad.toml:"), "{out}");
    assert!(out.contains("pay = \"partial\""), "{out}");
    assert!(out.contains("^") || out.contains("─┬─") || out.contains("┬"), "{out}");
}

#[test]
fn params_list_every_rule_parameter() {
    let params = PolicyFile::bundled().params();
    let keys: Vec<&str> = params.iter().map(|p| p.key.as_str()).collect();
    assert!(keys.contains(&"policy.rounding"));
    assert!(keys.contains(&"chain_master_revenue.pay"));
    assert!(keys.contains(&"local_sourcing_increase.counting"));
    assert!(!keys.iter().any(|k| k.ends_with(".title") || k.ends_with(".kind") || k.ends_with(".clause")));
    let cap = params.iter().find(|p| p.key == "project_subsidy.cap").unwrap();
    assert_eq!(cap.value, "\"2000000\"");
}

#[test]
fn the_bundled_file_declares_the_facts_of_facts_md() {
    let p = PolicyFile::parse("zezhou.toml", BUNDLED_TEXT).compile().unwrap();
    assert_eq!(p.facts.facts, lianzhang_policy::expr::Decls::facts_md().facts);
    assert!(p.vocabulary.extras.is_empty(), "FACTS.md's columns are no extra columns");
    // A file without [[facts]] gets the same declarations.
    let start = BUNDLED_TEXT.find("[[facts]]").unwrap();
    let end = BUNDLED_TEXT.find("# Vocabularies").unwrap();
    let without = format!("{}{}", &BUNDLED_TEXT[..start], &BUNDLED_TEXT[end..]);
    assert_eq!(PolicyFile::parse("x.toml", without).compile().unwrap().facts, p.facts);
}

#[test]
fn every_mistake_in_a_fact_declaration_is_reported_with_its_line() {
    let text = BUNDLED_TEXT
        .replacen("code = \"town\"", "code = \"Town\"", 1)
        .replacen("name = \"营业收入\"\ntype = \"money\"", "name = \"营业收入\"\ntype = \"bool\"", 1)
        .replacen(
            "code = \"kind\"\nname = \"认定类型\"\ntype = \"code\"",
            "code = \"kind\"\nname = \"认定类型\"\ntype = \"enum\"",
            1,
        )
        .replacen("code = \"project_id\"", "code = \"uscc\"", 1);
    let out = problems(&text);
    let town = line_of(&text, "code = \"Town\"");
    assert!(out.contains(&format!("bad.toml:{town}:8: 事实代码应以小写字母开头")), "{out}");
    assert!(out.contains("事实“revenue”应为金额（内置的规则种类按金额读它），声明的是是/否"), "{out}");
    let kind = line_of(&text, "type = \"enum\"");
    assert!(out.contains(&format!("bad.toml:{kind}:8: 无效取值 `enum`")), "{out}");
    // Each at its own declaration, not at the first one.
    let twice = text.lines().enumerate().filter(|(_, l)| l.contains("code = \"uscc\"")).nth(1).unwrap().0;
    assert!(out.contains(&format!("bad.toml:{twice}:1: 事实“uscc”声明了两次")), "{out}");
    // A built-in fact left out.
    let text = BUNDLED_TEXT.replacen("code = \"rd_expense\"", "code = \"rd_spending\"", 1);
    assert!(problems(&text).contains("未声明事实“rd_expense”：内置的规则种类要用到它"), "{}", problems(&text));
}

#[test]
fn expressions_compile_against_the_declared_facts() {
    use lianzhang_policy::expr::{Scope, Type, compile, compile_in};
    let p = PolicyFile::parse("zezhou.toml", BUNDLED_TEXT).compile().unwrap();
    assert!(compile("chain_master and revenue >= 3亿 and revenue[-1] < 3亿", &p.facts, Type::Bool).is_ok());
    let per_project = "min(fixed_asset_investment * 10%, 200万)";
    assert!(compile_in(per_project, &p.facts, Type::Money, Scope::Project).is_ok());
    let e = compile(per_project, &p.facts, Type::Money).unwrap_err();
    assert!(e[0].message.contains("是项目的事实，只能用在按项目评定的规则中"), "{e:?}");
    assert_eq!(e[0].help.as_deref(), Some("在规则中写 per = \"project\"：每个当年竣工投产的项目评定一次"));
    let e = compile("kind == mu_a", &p.facts, Type::Bool).unwrap_err();
    assert!(e[0].message.contains("是认定的事实，不能直接读取"), "{e:?}");
    // Codes are checked against the policy's vocabularies, by code or Chinese name.
    assert!(
        compile_in("category in [transformation, “智能化数字化改造”]", &p.facts, Type::Bool, Scope::Project).is_ok()
    );
    let e = compile_in("category == green", &p.facts, Type::Bool, Scope::Project).unwrap_err();
    assert!(e[0].message.contains("“green”不是项目类别的代码"), "{e:?}");
    assert!(e[0].help.as_deref().unwrap_or("").contains("transformation（工业转型强基）"), "{e:?}");
    let e = compile("recognized(champion)", &p.facts, Type::Bool).unwrap_err();
    assert!(e[0].message.contains("“champion”不是认定类型的代码"), "{e:?}");
    assert!(compile("first(recognized(champion_national))", &p.facts, Type::Bool).is_ok());
    let e = compile("tax_paid >= 100万", &p.facts, Type::Bool).unwrap_err();
    assert!(e[0].message.contains("没有声明事实“tax_paid”"), "{e:?}");
}

#[test]
fn a_recognition_fact_and_a_cap_naming_a_broken_rule_are_reported_once_where_they_are() {
    let text = format!(
        "{}\n[[facts]]\ncode = \"certificate_no\"\nname = \"证书编号\"\ntype = \"text\"\nplace = \"recognition\"\n\
         \n[caps.yearly]\ntitle = \"年度上限\"\namount = \"3000000\"\nexclude = [\"above_scale_entry\"]\n",
        BUNDLED_TEXT.replacen(
            "amount = \"100000\"\n\n[rules.above_scale_strategic_bonus]",
            "amount = \"十万\"\n\n[rules.above_scale_strategic_bonus]",
            1
        )
    );
    let out = problems(&text);
    let at = line_of(&text, "code = \"certificate_no\"") - 1;
    assert!(out.contains(&format!("bad.toml:{at}:1: 事实“certificate_no”：认定表只有认定类型和年度两列")), "{out}");
    assert!(!out.contains("未知规则"), "the broken rule is reported where it is defined only: {out}");
}

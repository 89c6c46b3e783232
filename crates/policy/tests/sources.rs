//! Each rule quotes the words of its source document (`source`, 原文, issue 12): the quote is
//! found in the document as printed (line and page breaks aside), so the policy page never shows
//! a clause the document does not say.
use lianzhang_policy::PolicyFile;

/// The text without whitespace: the printed documents break lines and pages inside sentences.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn check(file: PolicyFile, document: &str) {
    let p = file.compile().unwrap_or_else(|e| panic!("{}", e.to_plain()));
    let doc = squeezed(document);
    for r in &p.rules {
        assert!(!r.source.is_empty(), "{} quotes no source", r.id);
        assert!(doc.contains(&squeezed(&r.source)), "{}: not in the document: {}", r.id, r.source);
    }
    for c in &p.caps {
        assert!(doc.contains(&squeezed(&c.source)) && !c.source.is_empty(), "{}: {}", c.id, c.source);
    }
}

#[test]
fn every_zezhou_rule_quotes_the_document() {
    check(PolicyFile::bundled(), include_str!("../../../policies/sources/zezhou-2022-84.txt"));
}

#[test]
fn every_qinglan_rule_quotes_the_document() {
    let text = include_str!("../../../policies/examples/qinglan-2023.toml");
    check(
        PolicyFile::parse("qinglan-2023.toml", text.to_string()),
        include_str!("../../../policies/sources/qinglan-2023.md"),
    );
}

#[test]
fn a_source_that_is_not_text_is_refused_with_its_place() {
    let text = lianzhang_policy::file::BUNDLED_TEXT.replacen("source = \"除省", "source = 3\nold_source = \"除省", 1);
    let e = PolicyFile::parse("bad.toml", text).compile().unwrap_err().to_plain();
    assert!(e.contains("bad.toml:") && e.contains("old_source"), "{e}");
}

/// Every interpretation choice's every option is a valid `--set` of the file, and the chosen one
/// is what the file says; POLICY.md's seven choices are all there for Zezhou (the new-enterprise
/// window and the revenue history are not rule parameters).
#[test]
fn every_choice_is_a_parameter_that_compiles() {
    for file in [
        PolicyFile::bundled(),
        PolicyFile::parse("qinglan-2023.toml", include_str!("../../../policies/examples/qinglan-2023.toml")),
    ] {
        let p = file.compile().unwrap();
        let params = file.params();
        let choices = lianzhang_policy::choices::choices(&p);
        for c in &choices {
            let current = params.iter().find(|x| x.key == c.key).unwrap_or_else(|| panic!("{} is a parameter", c.key));
            assert_eq!(current.value.replace(' ', ""), c.chosen.value.replace(' ', ""), "{}", c.key);
            for o in &c.others {
                let mut f = file.clone();
                f.set(&c.assignment(o));
                f.compile().unwrap_or_else(|e| panic!("{}: {}", c.assignment(o), e.to_plain()));
            }
        }
        if file.name() == lianzhang_policy::file::BUNDLED_NAME {
            let keys: Vec<&str> = choices.iter().map(|c| c.key.as_str()).collect();
            for k in [
                "chain_master_revenue.pay",
                "local_sourcing_increase.counting",
                "local_sourcing_increase.baseline",
                "champion.pay",
                "little_giant.pay",
                "above_scale_retained_2y.counting",
                "project_subsidy.threshold_categories",
            ] {
                assert!(keys.contains(&k), "{k} in {keys:?}");
            }
        }
    }
}

/// A retention rule's choice is told in its own number of years.
#[test]
fn a_retention_choice_is_told_in_its_own_years() {
    let p = PolicyFile::bundled().compile().unwrap();
    let all = lianzhang_policy::choices::choices(&p);
    let of = |id: &str| all.iter().find(|c| c.owner == id).unwrap();
    let three = of("above_scale_retained_3y");
    assert_eq!(three.question, "“首次小升规后连续3年未退出”从哪一年数起");
    assert_eq!(three.chosen.meaning, "从纳入之后的年份数起：2022年纳入，连续3年即2023至2025年，2025年奖励");
    assert_eq!(three.others[0].meaning, "纳入当年计入：2022年纳入，连续3年即2022至2024年，2024年奖励");
    assert_eq!(
        of("above_scale_retained_2y").chosen.meaning,
        "从纳入之后的年份数起：2022年纳入，连续2年即2023、2024年，2024年奖励"
    );
}

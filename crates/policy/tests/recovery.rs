//! 收回 (issue 11): a rule that takes back an award paid under another rule when a condition of
//! it breaks within some years, as policies write it ("获得小升规奖励后3年内退出规上库的，收回
//! 奖励资金"). Decided from the facts, taken back only if the ledger shows the award paid, once.
mod common;
use common::*;
use lianzhang_facts::{Uscc, Year};
use lianzhang_policy::{Finding, NothingPaid, PaidLedger, Policy, PolicyFile, Status, assess, explain, tally};

const RECOVERY: &str = "\n[rules.above_scale_entry_recovery]\nkind = \"formula\"\nclause = \"三（四）\"\n\
    title = \"小升规奖励后3年内退出规上库的，收回奖励\"\noutcome = \"recovery\"\n\
    recovers = \"above_scale_entry\"\nwithin = 3\nwhen = \"not above_scale\"\n";

fn policy() -> Policy {
    let text = format!("{}{RECOVERY}", lianzhang_policy::file::BUNDLED_TEXT);
    PolicyFile::parse("recovery.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()))
}

/// A ledger with the given (rule, year) awards paid, for every enterprise.
struct Paid(Vec<&'static str>);

impl PaidLedger for Paid {
    fn is_paid(&self, _: &Uscc, rule: &str, _: Option<Year>, _: Option<&str>) -> bool {
        self.0.contains(&rule)
    }
}

fn above(year: i32, on: Option<bool>) -> lianzhang_facts::Annual {
    lianzhang_facts::Annual { above_scale: on, ..plain(year, 30_000_000) }
}

/// Below scale in 2021, entered the list in 2022 (awarded 10万), then `later` for 2023….
fn firm(later: &[Option<bool>]) -> Vec<Ent> {
    let mut rows = vec![above(2021, Some(false)), above(2022, Some(true))];
    rows.extend(later.iter().enumerate().map(|(i, on)| above(2023 + i as i32, *on)));
    vec![Ent { rows, ..Ent::default() }]
}

fn recovery(p: &Policy, ents: Vec<Ent>, year: i32, paid: &dyn PaidLedger) -> Option<(Status, Option<String>)> {
    let ds = dataset(p, ents);
    assess(p, &ds, year, paid)
        .outcomes
        .into_iter()
        .find(|o| o.rule == "above_scale_entry_recovery")
        .map(|o| (o.status, o.amount.map(|a| a.to_string())))
}

#[test]
fn an_award_paid_is_taken_back_the_first_year_the_condition_breaks_within_the_years() {
    let p = policy();
    let paid = Paid(vec!["above_scale_entry"]);
    let taken = Some((Status::Recovery, Some("-100000.00".to_string())));
    // Left the list in 2023, 2024 or 2025 (the 1st, 2nd and 3rd year after the award): taken back.
    assert_eq!(recovery(&p, firm(&[Some(false)]), 2023, &paid), taken);
    assert_eq!(recovery(&p, firm(&[Some(true), Some(false)]), 2024, &paid), taken);
    assert_eq!(recovery(&p, firm(&[Some(true), Some(true), Some(false)]), 2025, &paid), taken);
    // The 4th year is outside the three.
    assert_eq!(recovery(&p, firm(&[Some(true), Some(true), Some(true), Some(false)]), 2026, &paid), None);
    // Once: a year after the first break is not another recovery.
    assert_eq!(recovery(&p, firm(&[Some(false), Some(false)]), 2024, &paid), None);
    // Still on the list: nothing.
    assert_eq!(recovery(&p, firm(&[Some(true)]), 2023, &paid), None);
    // Unknown this year: needs review; unknown in a year between: needs review, naming the year.
    assert_eq!(recovery(&p, firm(&[None]), 2023, &paid), Some((Status::NeedsReview, None)));
    assert_eq!(recovery(&p, firm(&[None, Some(false)]), 2024, &paid), Some((Status::NeedsReview, None)));
    // Never awarded (on the list before 2022 too): nothing to take back.
    let old = vec![Ent {
        rows: vec![above(2021, Some(true)), above(2022, Some(true)), above(2023, Some(false))],
        ..Ent::default()
    }];
    assert_eq!(recovery(&p, old, 2023, &paid), None);
}

#[test]
fn only_what_the_ledger_shows_paid_is_taken_back_and_only_once() {
    let p = policy();
    // Not paid: nothing to take back (nor to review), and explain says why.
    assert_eq!(recovery(&p, firm(&[Some(false)]), 2023, &NothingPaid), None);
    assert_eq!(recovery(&p, firm(&[None]), 2023, &NothingPaid), None);
    let ds = dataset(&p, firm(&[Some(false)]));
    let r = explain(&p, ds.get(0), 2023, &NothingPaid);
    let line = r.iter().find(|r| r.rule == "above_scale_entry_recovery").unwrap();
    assert_eq!(line.finding, Finding::NotEligible);
    assert!(line.explanation.contains("台账显示该奖励未兑现，无需收回"), "{}", line.explanation);
    // Paid: taken back, and the explanation names the award and the break.
    let paid = Paid(vec!["above_scale_entry"]);
    let r = explain(&p, ds.get(0), 2023, &paid);
    let line = r.iter().find(|r| r.rule == "above_scale_entry_recovery").unwrap();
    assert_eq!(line.finding, Finding::Outcome(Status::Recovery));
    for part in ["2023年规上企业：否", "2022年获“当年首次“小升规”工业企业奖励”奖励10万元", "收回10万元"]
    {
        assert!(line.explanation.contains(part), "{part}: {}", line.explanation);
    }
    // Already recovered (the recovery's own key in the ledger): 已收回, nothing more.
    let both = Paid(vec!["above_scale_entry", "above_scale_entry_recovery"]);
    assert_eq!(recovery(&p, firm(&[Some(false)]), 2023, &both), Some((Status::AlreadyPaid, None)));
    let r = explain(&p, ds.get(0), 2023, &both);
    let line = r.iter().find(|r| r.rule == "above_scale_entry_recovery").unwrap();
    assert!(line.explanation.ends_with("台账显示已收回"), "{}", line.explanation);
}

#[test]
fn the_budget_path_counts_recoveries_apart_from_awards() {
    let p = policy();
    let ds =
        dataset(&p, [firm(&[Some(false)]), firm(&[Some(false)]), firm(&[Some(true)])].into_iter().flatten().collect());
    let paid = Paid(vec!["above_scale_entry"]);
    let t = tally(&p, &ds, 2023, &paid);
    let i = p.rules.iter().position(|r| r.id == "above_scale_entry_recovery").unwrap();
    assert_eq!((t[i].recoveries, t[i].recovered.to_string(), t[i].awards), (2, "200000.00".to_string(), 0));
    let a = assess(&p, &ds, 2023, &paid);
    assert_eq!(a.recovered().to_string(), "-200000.00");
}

#[test]
fn a_recovery_is_declared_with_what_it_takes_back_and_nothing_else() {
    let cases = [
        ("recovers = \"no_such_rule\"\nwithin = 3\n", "没有规则 `no_such_rule`"),
        ("recovers = \"local_sourcing_increase\"\nwithin = 3\n", "不是按企业一次性奖励"),
        ("recovers = \"chain_master_revenue_300m\"\nwithin = 3\n", "属于规则组"),
        ("recovers = \"rd_referral\"\nwithin = 3\n", "不是奖励，无可收回"),
        ("recovers = \"above_scale_entry\"\nwithin = 0\n", "应为 1 至 10 的整数"),
        ("within = 3\n", "缺少参数 `recovers`"),
        ("recovers = \"above_scale_entry\"\nwithin = 3\namount = \"5万\"\n", "不写 amount"),
    ];
    for (keys, message) in cases {
        let text = format!(
            "{}\n[rules.r]\nkind = \"formula\"\nclause = \"三（四）\"\ntitle = \"收回\"\noutcome = \"recovery\"\n\
             when = \"not above_scale\"\n{keys}",
            lianzhang_policy::file::BUNDLED_TEXT
        );
        let e = PolicyFile::parse("bad.toml", text).compile().unwrap_err().to_plain();
        assert!(e.contains(message), "{keys}: {e}");
    }
    // `recovers` on a rule that is not a recovery.
    let text = format!(
        "{}\n[rules.r]\nkind = \"formula\"\nclause = \"三\"\ntitle = \"奖励\"\nwhen = \"above_scale\"\namount = \"1万\"\n\
         recovers = \"above_scale_entry\"\n",
        lianzhang_policy::file::BUNDLED_TEXT
    );
    let e = PolicyFile::parse("bad.toml", text).compile().unwrap_err().to_plain();
    assert!(e.contains("只用于收回类规则"), "{e}");
}

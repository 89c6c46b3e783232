//! 青岚县 (`policies/examples/qinglan-2023.toml`, the text in `../shared/policies/qinglan-2023.md`):
//! a neighbour county's policy written as a file, its data read with the two facts it declares
//! beyond FACTS.md, and every measure checked against amounts computed by hand from the text.
//!
//! The enterprises are named by their letter in `tests/data/qinglan/README.md` (A1 is the first row
//! of `enterprises.csv`, …); each test covers one article.

use lianzhang_facts::{Dataset, Uscc, read_dataset};
use lianzhang_policy::{NothingPaid, Outcome, Policy, PolicyFile, Status, assess, explain};
use std::path::Path;
use std::sync::OnceLock;

const POLICY: &str = include_str!("../../../policies/examples/qinglan-2023.toml");

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        PolicyFile::parse("qinglan-2023.toml", POLICY).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()))
    })
}

fn data() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qinglan");
        read_dataset(&dir, &policy().vocabulary).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The USCC of test enterprise `key` (its position in `enterprises.csv`).
fn uscc(key: &str) -> Uscc {
    const KEYS: [&str; 25] = [
        "A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "C1", "C2", "C3", "C4", "D1", "D2", "E1", "F1", "F2",
        "G1", "H1", "I1", "J1", "J2", "J3", "K1",
    ];
    let i = KEYS.iter().position(|k| *k == key).expect("a test enterprise") + 1;
    let body = format!("91140581MA0Q{i:05}");
    Uscc::from_body(body.as_bytes())
}

/// Every outcome of `key` in `year`, as (rule, project, status, amount in yuan).
fn outcomes(key: &str, year: i32) -> Vec<(String, Option<String>, Status, Option<String>)> {
    let u = uscc(key);
    all(year)
        .iter()
        .filter(|o| o.uscc == u)
        .map(|o| (o.rule.clone(), o.project_id.clone(), o.status, o.amount.map(|a| a.to_string())))
        .collect()
}

fn all(year: i32) -> &'static [Outcome] {
    static A: OnceLock<Vec<Vec<Outcome>>> = OnceLock::new();
    let years = A.get_or_init(|| (2022..=2026).map(|y| assess(policy(), data(), y, &NothingPaid).outcomes).collect());
    &years[(year - 2022) as usize]
}

fn award(rule: &str, amount: &str) -> (String, Option<String>, Status, Option<String>) {
    (rule.into(), None, Status::Award, Some(amount.into()))
}

fn project(
    rule: &str,
    id: &str,
    status: Status,
    amount: Option<&str>,
) -> (String, Option<String>, Status, Option<String>) {
    (rule.into(), Some(id.into()), status, amount.map(str::to_string))
}

fn explanation(key: &str, year: i32, rule: &str, project: Option<&str>) -> String {
    let u = uscc(key);
    all(year)
        .iter()
        .find(|o| o.uscc == u && o.rule == rule && o.project_id.as_deref() == project)
        .unwrap_or_else(|| panic!("{key} {year} {rule}"))
        .explanation
        .clone()
}

#[test]
fn the_file_reads_its_declared_facts_from_the_data() {
    let p = policy();
    let codes: Vec<&str> = p.vocabulary.extras.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["tax_paid", "equipment_investment"]);
    let d = data();
    assert_eq!(d.len(), 25);
    // 实缴税金 under its code in annual.csv, 设备购置额 under its Chinese name in projects.csv.
    let c1 = d.find(&uscc("C1")).unwrap();
    let tax = c1.extra(0, &lianzhang_facts::ExtraAt::Year(2023));
    assert_eq!(tax, Some(&lianzhang_facts::ExtraValue::Money(lianzhang_facts::Fen(5_500_000 * 100))));
    let e1 = d.find(&uscc("E1")).unwrap();
    let eq = e1.extra(1, &lianzhang_facts::ExtraAt::Project("QL-E1-2".into()));
    assert_eq!(eq, Some(&lianzhang_facts::ExtraValue::Money(lianzhang_facts::Fen(30_000_000 * 100))));
    // Outside 2023–2025 the policy is not in force.
    assert!(all(2022).is_empty() && all(2026).is_empty());
}

/// 第一条: 2000万（含）至5000万 10万, 5000万（含）至1亿 15万, 1亿（含）以上 20万, in the year of entry.
#[test]
fn article_1_above_scale_entry_by_revenue_band() {
    assert_eq!(outcomes("A1", 2023), [award("above_scale_entry", "100000.00")]); // 2000万 exactly
    assert_eq!(outcomes("A2", 2023), [award("above_scale_entry", "100000.00")]); // 4999.99万
    assert_eq!(outcomes("A3", 2023), []);
    assert_eq!(outcomes("A3", 2024), [award("above_scale_entry", "150000.00")]); // 5000万 exactly
    assert_eq!(outcomes("A4", 2023), [award("above_scale_entry", "200000.00")]); // 1亿 exactly
    assert_eq!(outcomes("A5", 2023), []); // 1999.99万: below every band
    for y in [2024, 2025] {
        assert_eq!(outcomes("A1", y), [], "once only");
    }
    let text = explanation("A4", 2023, "above_scale_entry", None);
    assert!(text.contains("2023年营业收入 1亿元 在“1亿元（含）以上”档：20万元"), "{text}");
}

/// 第二条: 10% of the increase of R&D expenses over last year, at most 50万 (each year).
#[test]
fn article_2_rd_increase() {
    assert_eq!(outcomes("B1", 2023), [award("rd_increase", "200000.00")]); // (500万 − 300万) × 10%
    assert_eq!(outcomes("B1", 2024), []); // no increase
    assert_eq!(outcomes("B1", 2025), [award("rd_increase", "100000.00")]); // (600万 − 500万) × 10%
    assert_eq!(outcomes("B2", 2023), [award("rd_increase", "500000.00")]); // 70万 capped at 50万
    assert_eq!(outcomes("B3", 2023), []); // decreased
    let b4 = outcomes("B4", 2023);
    assert_eq!(b4, [("rd_increase".into(), None, Status::NeedsReview, None)]);
    let u = uscc("B4");
    let o = all(2023).iter().find(|o| o.uscc == u).unwrap();
    assert_eq!(o.missing, ["2022年研发投入"]);
    let text = explanation("B2", 2023, "rd_increase", None);
    assert!(text.contains("取小（70万元，50万元）= 50万元"), "{text}");
}

/// 第三条: revenue ≥ 1亿 and revenue growth ≥ 20% and tax growth ≥ 10%: 10万 (each year).
#[test]
fn article_3_growth_of_revenue_and_tax() {
    assert_eq!(outcomes("C1", 2023), [award("fast_growth", "100000.00")]); // 20% and 10% exactly
    assert_eq!(outcomes("C1", 2024), []); // no growth
    assert_eq!(outcomes("C2", 2023), []); // tax +9.99%
    assert_eq!(outcomes("C3", 2023), [("fast_growth".into(), None, Status::NeedsReview, None)]);
    let u = uscc("C3");
    let o = all(2023).iter().find(|o| o.uscc == u).unwrap();
    assert_eq!(o.missing, ["2022年实缴税金"]);
    assert_eq!(outcomes("C4", 2023), []); // 9,999.99万 < 1亿
    let text = explanation("C1", 2023, "fast_growth", None);
    assert!(text.contains("实缴税金增长率：(550万元 − 500万元) ÷ 500万元 = 10%"), "{text}");
}

/// 第四条: projects completed in the year, 1000万（含）至5000万 8%, 5000万（含）以上 10%, at most
/// 500万 a project (under the 300万 yearly cap of 第十一条, which binds first).
#[test]
fn article_4_transformation_projects() {
    let r = "transformation_project";
    assert_eq!(outcomes("D1", 2023), [project(r, "QL-D1-1", Status::Award, Some("800000.00"))]); // 1000万 × 8%
    // 6000万 × 10% = 600万 → 500万 a project → 300万 a year.
    assert_eq!(outcomes("D1", 2024), [project(r, "QL-D1-2", Status::Award, Some("3000000.00"))]);
    let text = explanation("D1", 2024, r, Some("QL-D1-2"));
    assert!(text.contains("取小（600万元，500万元）= 500万元"), "{text}");
    assert!(text.contains("按第十一条，同一企业同一年度享受本措施奖补资金总额不超过300万元：本年度此前各项已计0元，本项由500万元核减为300万元"), "{text}");
    // 3000万 × 8% = 240万; a project without its investment needs review; one under way waits.
    assert_eq!(
        outcomes("D1", 2025),
        [project(r, "QL-D1-5", Status::Award, Some("2400000.00")), project(r, "QL-D1-7", Status::NeedsReview, None),]
    );
    // 5000万 is in the 10% band: 500万, capped at 300万 for the year.
    assert_eq!(outcomes("D2", 2024), [project(r, "QL-D2-1", Status::Award, Some("3000000.00"))]);
    let text = explanation("D2", 2024, r, Some("QL-D2-1"));
    assert!(text.contains("“5,000万元（含）以上”档，按 10%"), "{text}");
}

/// 第五条: equipment renewal projects, equipment purchases ≥ 300万: 8%, at most 200万.
#[test]
fn article_5_equipment_renewal() {
    let r = "equipment_renewal";
    assert_eq!(outcomes("E1", 2023), [project(r, "QL-E1-1", Status::Award, Some("240000.00"))]); // 300万 × 8%
    assert_eq!(outcomes("E1", 2024), [project(r, "QL-E1-2", Status::Award, Some("2000000.00"))]); // 240万 → 200万
    // Unknown equipment purchases need review; a transformation project is not 第五条's.
    assert_eq!(outcomes("E1", 2025), [project(r, "QL-E1-4", Status::NeedsReview, None)]);
    let u = uscc("E1");
    let o = all(2025).iter().find(|o| o.uscc == u).unwrap();
    assert_eq!(o.missing, ["设备购置额"]);
}

/// 第六条: province 10万, national 50万, the difference after an upgrade.
#[test]
fn article_6_specialized_upgrade_pays_the_difference() {
    assert_eq!(outcomes("F1", 2023), [award("specialized_province", "100000.00")]);
    assert_eq!(outcomes("F1", 2025), [award("little_giant_national", "400000.00")]);
    assert!(
        explanation("F1", 2025, "little_giant_national", None)
            .contains("2023年已按“首次认定为省级专精特新中小企业奖励”奖励10万元（升级补差）")
    );
    assert_eq!(outcomes("F2", 2024), [award("little_giant_national", "500000.00")]);
}

/// 第七条: green factory province 20万, national 50万, each in full.
#[test]
fn article_7_green_factories() {
    assert_eq!(outcomes("G1", 2023), [award("green_factory_province", "200000.00")]);
    assert_eq!(outcomes("G1", 2024), [award("green_factory_national", "500000.00")]);
}

/// 第八条: each piece of equipment recognised 首台（套）: province 30万, national 50万.
#[test]
fn article_8_first_sets_per_recognition() {
    assert_eq!(outcomes("H1", 2023), [award("first_set_province", "300000.00")]);
    assert_eq!(outcomes("H1", 2024), [award("first_set_province", "300000.00")]);
    assert_eq!(outcomes("H1", 2025), [award("first_set_national", "500000.00")]);
}

/// 第九条: 5万 in each year evaluated A class.
#[test]
fn article_9_mu_a_each_year() {
    assert_eq!(outcomes("I1", 2023), [award("mu_a", "50000.00")]);
    assert_eq!(outcomes("I1", 2024), [award("mu_a", "50000.00")]);
    assert_eq!(outcomes("I1", 2025), []);
    assert!(explanation("I1", 2024, "mu_a", None).contains("2024年认定为“亩均效益评价A类”：是"));
}

/// 第十条: first above 5亿 / 10亿 / 20亿: 20万 / 50万 / 100万, 跨档 the difference.
#[test]
fn article_10_revenue_tiers_pay_the_difference() {
    assert_eq!(outcomes("J1", 2023), [award("revenue_500m", "200000.00")]);
    assert_eq!(outcomes("J1", 2024), [award("revenue_1b", "300000.00")]); // 50万 − 20万
    assert_eq!(outcomes("J1", 2025), [award("revenue_2b", "500000.00")]); // 100万 − 50万
    let text = explanation("J1", 2025, "revenue_2b", None);
    assert!(text.contains("2023年已按“年度营业收入首次突破5亿元奖励”奖励20万元（跨档补差）"), "{text}");
    assert!(text.contains("2024年已按“年度营业收入首次突破10亿元奖励”奖励30万元（跨档补差）"), "{text}");
    // 5亿 and 10亿 crossed in one year: the higher tier only; later 20亿 pays 100万 − 50万.
    assert_eq!(outcomes("J2", 2023), [award("revenue_1b", "500000.00")]);
    assert_eq!(outcomes("J2", 2025), [award("revenue_2b", "500000.00")]);
    let text = explanation("J2", 2025, "revenue_2b", None);
    assert!(!text.contains("首次突破5亿元奖励”奖励"), "5亿 was never paid: {text}");
    // Above 5亿 before the policy: nothing was paid for it, so 10亿 pays in full.
    assert_eq!(outcomes("J3", 2023), []);
    assert_eq!(outcomes("J3", 2024), [award("revenue_1b", "500000.00")]);
}

/// 第十一条: at most 300万 an enterprise a year, met in the order of the articles.
#[test]
fn article_11_yearly_cap_across_measures() {
    // 第四条 240万 + 第六条 50万 = 290万; 第七条 20万 → 10万; 第九条 5万: nothing left, no award.
    assert_eq!(
        outcomes("K1", 2024),
        [
            award("green_factory_province", "100000.00"),
            award("little_giant_national", "500000.00"),
            project("transformation_project", "QL-K1-1", Status::Award, Some("2400000.00")),
        ]
    );
    let text = explanation("K1", 2024, "green_factory_province", None);
    assert!(text.contains("本年度此前各项已计290万元，本项由20万元核减为10万元"), "{text}");
    // The enterprise's explanation says why 第九条 pays nothing this year.
    let facts = data().find(&uscc("K1")).unwrap();
    let reports = explain(policy(), facts, 2024, &NothingPaid);
    let mu_a = reports.iter().find(|r| r.rule == "mu_a").unwrap();
    assert_eq!(mu_a.finding, lianzhang_policy::Finding::Capped);
    assert!(mu_a.explanation.contains("本年度此前各项已计300万元，本项不再奖励"), "{}", mu_a.explanation);
    assert!(mu_a.explanation.ends_with("结论：符合条件，但本年度奖补已达上限，本项不再奖励"));
    let green = reports.iter().find(|r| r.rule == "green_factory_province").unwrap();
    assert_eq!(green.amount.map(|a| a.to_string()), Some("100000.00".into()));
    // The budget path agrees with the assessment, award by award.
    let tally = lianzhang_policy::tally(policy(), data(), 2024, &NothingPaid);
    let total: rust_decimal::Decimal = tally.iter().map(|t| t.amount).sum();
    let assessed: rust_decimal::Decimal = all(2024).iter().filter_map(|o| o.amount).sum();
    assert_eq!(total, assessed);
    let awards: u64 = tally.iter().map(|t| t.awards).sum();
    assert_eq!(awards as usize, all(2024).iter().filter(|o| o.status == Status::Award).count());
}

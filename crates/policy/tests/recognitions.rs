//! 三（三）and 三（六）: first recognitions, champion upgrade and little-giant levels.
mod common;
use common::*;
use lianzhang_policy::Status;

fn recs(recognitions: Vec<(&'static str, i32)>) -> Vec<Ent> {
    vec![Ent { recognitions, ..Ent::default() }]
}

#[test]
fn each_first_recognition_pays_its_amount() {
    let p = policy(&[]);
    for (kind, amount) in [
        ("champion_province", "200000.00"),
        ("champion_national", "500000.00"),
        ("specialized_city", "30000.00"),
        ("little_giant_province", "50000.00"),
        ("little_giant_national", "50000.00"),
        ("tech_center_province", "200000.00"),
        ("tech_center_national", "500000.00"),
    ] {
        assert_eq!(of(&p, recs(vec![(kind, 2023)]), 2023, kind), award(amount), "{kind}");
    }
}

#[test]
fn innovative_sme_pays_nothing() {
    assert_eq!(outcomes(&policy(&[]), recs(vec![("innovative_sme", 2023)]), 2023), vec![]);
}

#[test]
fn a_recognition_before_the_policy_makes_later_ones_not_first() {
    let p = policy(&[]);
    let e = recs(vec![("specialized_city", 2020), ("specialized_city", 2023)]);
    assert_eq!(of(&p, e, 2023, "specialized_city"), None);
}

#[test]
fn recognitions_are_assessed_without_an_annual_row() {
    let p = policy(&[]);
    assert_eq!(of(&p, recs(vec![("tech_center_province", 2024)]), 2024, "tech_center_province"), award("200000.00"));
}

#[test]
fn champion_upgrade_full_pays_the_whole_national_amount() {
    let p = policy(&[]);
    let e = recs(vec![("champion_province", 2022), ("champion_national", 2024)]);
    assert_eq!(of(&p, e, 2024, "champion_national"), award("500000.00"));
}

#[test]
fn champion_upgrade_difference_pays_national_minus_provincial() {
    let p = policy(&["champion.pay=difference"]);
    let e = recs(vec![("champion_province", 2022), ("champion_national", 2024)]);
    assert_eq!(of(&p, e, 2024, "champion_national"), award("300000.00"));
    // Provincial before the policy: nothing was paid under it, so the full amount.
    let e = recs(vec![("champion_province", 2019), ("champion_national", 2024)]);
    assert_eq!(of(&p, e, 2024, "champion_national"), award("500000.00"));
    // Both in one year: 200,000 + 300,000.
    let e = recs(vec![("champion_province", 2023), ("champion_national", 2023)]);
    let out = outcomes(&p, e, 2023);
    assert_eq!(
        out,
        vec![
            ("champion_national".into(), Status::Award, Some("300000.00".into())),
            ("champion_province".into(), Status::Award, Some("200000.00".into())),
        ]
    );
}

#[test]
fn little_giants_per_level_pay_each_level_once() {
    let p = policy(&[]);
    let e = || recs(vec![("little_giant_province", 2022), ("little_giant_national", 2024)]);
    assert_eq!(of(&p, e(), 2022, "little_giant_province"), award("50000.00"));
    assert_eq!(of(&p, e(), 2024, "little_giant_national"), award("50000.00"));
}

#[test]
fn little_giants_once_pays_only_the_first_level() {
    let p = policy(&["little_giant.pay=once"]);
    let e = || recs(vec![("little_giant_province", 2022), ("little_giant_national", 2024)]);
    assert_eq!(of(&p, e(), 2022, "little_giant_province"), award("50000.00"));
    assert_eq!(of(&p, e(), 2024, "little_giant_national"), None);
    // Both in one year: the national one.
    let both = recs(vec![("little_giant_province", 2023), ("little_giant_national", 2023)]);
    assert_eq!(
        outcomes(&p, both, 2023),
        vec![("little_giant_national".into(), Status::Award, Some("50000.00".into()))]
    );
    // A provincial one before the policy: the national one is not the first little giant.
    let early = recs(vec![("little_giant_province", 2020), ("little_giant_national", 2023)]);
    assert_eq!(of(&p, early, 2023, "little_giant_national"), None);
}

#[test]
fn another_county_can_add_a_recognition_kind_paying_its_own_amount() {
    let mut text = lianzhang_policy::file::BUNDLED_TEXT.to_string();
    text.push_str(
        "\n[[recognition_kinds]]\ncode = \"gazelle\"\nname = \"瞪羚企业\"\n\n[rules.gazelle]\nkind = \"first_recognition\"\nclause = \"三（九）\"\ntitle = \"首次认定瞪羚企业奖励\"\nrecognition = \"gazelle\"\namount = \"80000\"\n",
    );
    // TOML arrays of tables must be contiguous with their kind only by name; appending works.
    let p = lianzhang_policy::PolicyFile::parse("other.toml", text)
        .compile()
        .unwrap_or_else(|e| panic!("{}", e.to_plain()));
    assert_eq!(of(&p, recs(vec![("gazelle", 2023)]), 2023, "gazelle"), award("80000.00"));
}

/// The bundled policy with 市级专精特新 5万 → 省级小巨人 15万 → 国家级小巨人 50万 as one upgrade
/// group paying the difference (the shape issue 11 names).
fn three_levels() -> lianzhang_policy::Policy {
    let text = lianzhang_policy::file::BUNDLED_TEXT
        .replace("recognition = \"specialized_city\"\namount = \"30000\"", "recognition = \"specialized_city\"\namount = \"50000\"")
        .replace("recognition = \"little_giant_province\"\namount = \"50000\"", "recognition = \"little_giant_province\"\namount = \"150000\"")
        .replace("recognition = \"little_giant_national\"\namount = \"50000\"", "recognition = \"little_giant_national\"\namount = \"500000\"")
        .replace(
            "[groups.little_giant]\nkind = \"levels\"\ntitle = \"专精特新“小巨人”（省级、国家级）\"\nrules = [\"little_giant_province\", \"little_giant_national\"]\npay = \"per_level\"",
            "[groups.little_giant]\nkind = \"upgrade\"\ntitle = \"专精特新（市级→省级→国家级）\"\nrules = [\"specialized_city\", \"little_giant_province\", \"little_giant_national\"]\npay = \"difference\"",
        );
    lianzhang_policy::PolicyFile::parse("three.toml", text).compile().unwrap_or_else(|e| panic!("{}", e.to_plain()))
}

#[test]
fn an_upgrade_over_three_levels_pays_the_highest_amount_in_all_and_names_what_was_paid() {
    let p = three_levels();
    let e = || recs(vec![("specialized_city", 2022), ("little_giant_province", 2023), ("little_giant_national", 2024)]);
    assert_eq!(of(&p, e(), 2022, "specialized_city"), award("50000.00"));
    assert_eq!(of(&p, e(), 2023, "little_giant_province"), award("100000.00"));
    // 50万 − (5万 + 10万) = 35万: 5 + 10 + 35 = 50万 in all, not 45万.
    assert_eq!(of(&p, e(), 2024, "little_giant_national"), award("350000.00"));
    let ds = dataset(&p, e());
    let text = lianzhang_policy::explain(&p, ds.iter().next().unwrap(), 2024, &lianzhang_policy::NothingPaid)
        .into_iter()
        .find(|r| r.rule == "little_giant_national")
        .unwrap()
        .explanation;
    assert!(text.contains("2022年已按“首次认定为市级“专精特新”企业一次性奖励”奖励5万元"), "{text}");
    assert!(
        text.contains("已按“首次认定为省级专精特新“小巨人”企业一次性奖励”奖励10万元（升级补差）"),
        "the payment that happened: {text}"
    );
    assert!(!text.contains("奖励15万元"), "never a payment that did not happen: {text}");
    // A level skipped: city then national, 50 − 5.
    let e = recs(vec![("specialized_city", 2022), ("little_giant_national", 2024)]);
    assert_eq!(of(&p, e, 2024, "little_giant_national"), award("450000.00"));
}

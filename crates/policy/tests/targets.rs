//! Targets of POLICY.md measured on facts.
mod common;
use common::*;
use lianzhang_facts::Annual;

#[test]
fn targets_count_what_policy_md_says() {
    let p = policy(&[]);
    let a = |year, above: bool, master: bool| Annual {
        above_scale: Some(above),
        chain_master: Some(master),
        ..plain(year, 1)
    };
    let ents = vec![
        Ent {
            rows: vec![a(2021, false, false), a(2022, true, true)],
            recognitions: vec![("specialized_city", 2022)],
            ..Ent::default()
        },
        Ent {
            rows: vec![a(2021, true, false), a(2022, true, false), a(2025, true, false)],
            recognitions: vec![("little_giant_national", 2024)],
            ..Ent::default()
        },
        Ent { rows: vec![a(2022, true, true)], recognitions: vec![("innovative_sme", 2022)], ..Ent::default() },
    ];
    let ds = dataset(&p, ents);
    let progress = lianzhang_policy::targets::progress(&p, &ds);
    let get = |id: &str| progress.iter().find(|t| t.target == id).unwrap().parts[0].2;
    // Enterprise 3 has no 2021 row: not above scale in 2021, so it counts as new.
    assert_eq!(get("new_above_scale_2022"), 2);
    assert_eq!(get("specialized_2022"), 1);
    assert_eq!(get("chain_masters_2022"), 2);
    assert_eq!(get("above_scale_2025"), 1);
    assert_eq!(get("specialized_2025"), 2);
    let chains = &progress.iter().find(|t| t.target == "new_chain_members_2022").unwrap().parts;
    assert_eq!(chains.len(), 7);
    assert_eq!(chains[0], ("steel".to_string(), 5, 0));
}

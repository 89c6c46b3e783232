use lianzhang_policy::PolicyFile;

#[test]
fn bundled_policy_compiles() {
    let f = PolicyFile::bundled();
    let p = match f.compile() {
        Ok(p) => p,
        Err(e) => panic!("{}", e.to_plain()),
    };
    assert_eq!(p.meta.id, "zezhou-2022-84");
    assert_eq!(p.rules.len(), 16);
    assert_eq!(p.vocabulary.chains.len(), 7);
    let keys: Vec<String> = f.params().into_iter().map(|p| p.key).collect();
    for k in ["above_scale_entry.amount", "project_subsidy.cap", "local_sourcing_increase.baseline"] {
        assert!(keys.iter().any(|x| x == k), "{k} missing from {keys:?}");
    }
}

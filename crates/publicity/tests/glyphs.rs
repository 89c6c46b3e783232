//! Which characters the embedded fonts cannot draw.

mod common;

use lianzhang_publicity::{missing_glyphs, pdf, xlsx};

#[test]
fn ordinary_lists_miss_nothing() {
    assert_eq!(missing_glyphs(&common::list(200)), Vec::<char>::new());
}

#[test]
fn name_characters_outside_gb2312_but_in_the_general_list_are_covered() {
    let mut list = common::list(1);
    // 喆 堃 赟 珺 玥 䶮: not in GB 2312, in the 通用规范汉字表 (the subset holds both).
    list.lines[0].enterprise = "山西喆堃赟珺玥䶮科技有限公司".into();
    assert_eq!(missing_glyphs(&list), Vec::<char>::new());
}

#[test]
fn rare_characters_are_reported_once_and_sorted() {
    let mut list = common::list(3);
    list.lines[0].enterprise = "泽州县𠀀龘机械有限公司".into();
    list.lines[2].reason.push_str("（㐀、𠀀）");
    list.objection_to.push('龘');
    assert_eq!(missing_glyphs(&list), vec!['㐀', '龘', '𠀀']);
    // They still render (as empty boxes); the caller decides whether to warn.
    assert!(pdf(&list).is_ok());
    assert!(xlsx(&list).is_ok());
}

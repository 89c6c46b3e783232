//! Which characters of a list the embedded fonts cannot draw.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use crate::PublicList;
use crate::pdf::{BOLD, REGULAR};

/// The two embedded faces, parsed once. The fonts are compiled in and parsed by a test; a face
/// that failed to parse covers nothing, so every character would be reported rather than
/// silently printed as tofu.
static FACES: LazyLock<[Option<ttf_parser::Face<'static>>; 2]> =
    LazyLock::new(|| [ttf_parser::Face::parse(REGULAR, 0).ok(), ttf_parser::Face::parse(BOLD, 0).ok()]);

fn drawable(c: char) -> bool {
    FACES.iter().all(|face| face.as_ref().and_then(|f| f.glyph_index(c)).is_some_and(|g| g.0 != 0))
}

/// The characters of the list (any text field, either weight) the embedded fonts cannot draw,
/// such as rare name characters (生僻字) outside GB 2312 and the 通用规范汉字表; sorted, each
/// once. Whitespace and control characters are not reported. Empty when everything prints.
pub fn missing_glyphs(list: &PublicList) -> Vec<char> {
    let mut texts: Vec<&str> = vec![&list.title, &list.issuer, &list.document_no, &list.objection_to, &list.policy];
    for line in &list.lines {
        texts.extend([line.enterprise.as_str(), &line.uscc, &line.clause, &line.rule_title, &line.reason]);
        if let Some(chain) = &line.chain {
            texts.push(chain);
        }
    }
    let mut seen = BTreeSet::new();
    let mut missing = BTreeSet::new();
    for c in texts.iter().flat_map(|t| t.chars()) {
        if c.is_whitespace() || c.is_control() || !seen.insert(c) {
            continue;
        }
        if !drawable(c) {
            missing.insert(c);
        }
    }
    missing.into_iter().collect()
}

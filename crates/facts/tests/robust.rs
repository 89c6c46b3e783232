//! Whatever bytes a user hands in, reading returns (an error, mostly); it never panics.
mod common;

use common::*;
use lianzhang_facts::{HeaderLanguage, write_xlsx};
use proptest::prelude::*;

fn valid_xlsx() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    let csv = folder(&[
        ("enterprises.csv", format!("uscc,name,established\n{},甲,2020-01-01\n", u(1)).as_bytes()),
        ("annual.csv", format!("uscc,year,revenue\n{},2023,5\n", u(1)).as_bytes()),
    ]);
    let d = read(csv.path()).unwrap();
    write_xlsx(&d, &path, HeaderLanguage::English, None).unwrap();
    std::fs::read(&path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_as_csv_never_panic(
        enterprises in prop::collection::vec(any::<u8>(), 0..400),
        annual in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let dir = folder(&[("enterprises.csv", &enterprises), ("annual.csv", &annual)]);
        let _ = read(dir.path());
    }

    #[test]
    fn csv_like_text_never_panics(text in "(uscc|name|year|,|\"|\n|\r|91140525MA0L00001M|2023|-5|是|\u{feff}| |x){0,60}") {
        let dir = folder(&[("enterprises.csv", text.as_bytes()), ("annual.csv", text.as_bytes())]);
        let _ = read(dir.path());
    }

    #[test]
    fn arbitrary_bytes_as_xlsx_are_an_error(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let dir = folder(&[("d.xlsx", &bytes)]);
        prop_assert!(read(&dir.path().join("d.xlsx")).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn damaged_workbooks_never_panic(
        cut in 0usize..16000,
        flips in prop::collection::vec((0usize..16000, any::<u8>()), 0..8),
    ) {
        let mut bytes = valid_xlsx();
        for (at, b) in flips {
            let n = bytes.len();
            bytes[at % n] ^= b;
        }
        bytes.truncate(cut.max(1).min(bytes.len()));
        let dir = folder(&[("d.xlsx", &bytes)]);
        let _ = read(&dir.path().join("d.xlsx"));
    }
}

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
use super::*;

#[test]
fn all_is_in_discriminant_order() {
    for (i, c) in Column::ALL.iter().enumerate() {
        assert_eq!(c.index(), i);
        assert_eq!(Column::from_field(c.field()), Some(*c));
    }
    assert_eq!(Column::from_field("location"), None);
}

#[test]
fn every_name_classifies_to_its_column_and_no_name_is_shared() {
    let mut seen = std::collections::HashMap::new();
    for c in Column::ALL {
        for n in c.names_en().iter().chain(c.names_zh()).chain([&c.code()]) {
            assert_eq!(classify(n), Header::Field(c), "{n}");
            if let Some(other) = seen.insert(normalize(n), c) {
                assert_eq!(other, c, "{n} names two columns");
            }
        }
    }
    for n in IGNORED_EN.iter().chain(&IGNORED_ZH).chain(&["ID", "Created At", "updated_at", "序号"]) {
        assert_eq!(classify(n), Header::Ignored, "{n}");
    }
}

#[test]
fn normalisation() {
    assert_eq!(normalize("\u{FEFF} External_ID "), "externalid");
    assert_eq!(normalize("Opening-Hours"), "openinghours");
    assert_eq!(normalize("　经度　"), "经度");
    assert_eq!(classify(""), Header::Blank);
    assert_eq!(classify("  "), Header::Blank);
    assert_eq!(classify("colour"), Header::Unknown);
}

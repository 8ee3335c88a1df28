use super::*;

fn input(category: ReportCategory) -> ReportInput {
    ReportInput { station_id: Some(3), category, amenity: None, text: None, position: None }
}

#[test]
fn categories_and_statuses_read_codes_and_chinese_labels() {
    assert_eq!("amenity_missing".parse::<ReportCategory>().unwrap(), ReportCategory::AmenityMissing);
    assert_eq!(ReportCategory::parse("点赞感谢"), Some(ReportCategory::Thanks));
    assert!("flying".parse::<ReportCategory>().unwrap_err().to_string().contains("closed, not_found"));
    assert_eq!(serde_json::to_string(&ReportStatus::Acknowledged).unwrap(), "\"acknowledged\"");
    assert!(ReportStatus::New.is_open() && ReportStatus::Acknowledged.is_open());
    assert!(!ReportStatus::Resolved.is_open() && ReportStatus::Rejected.needs_note());
}

#[test]
fn a_report_names_its_amenity_exactly_when_it_is_about_one() {
    let mut r = input(ReportCategory::AmenityMissing);
    let e = r.normalize_and_validate().unwrap_err();
    assert_eq!(e.iter().map(|e| e.field).collect::<Vec<_>>(), ["amenity"]);
    r.amenity = Some(Amenity::HotWater);
    r.normalize_and_validate().unwrap();
    let mut r = input(ReportCategory::Crowded);
    r.amenity = Some(Amenity::Wifi);
    assert_eq!(r.normalize_and_validate().unwrap_err()[0].field, "amenity");
}

#[test]
fn text_place_and_station_are_checked() {
    let mut r = input(ReportCategory::Other);
    r.text = Some("   ".into());
    r.normalize_and_validate().unwrap();
    assert_eq!(r.text, None, "blank text is no text");
    r.text = Some(format!(" {} ", "热".repeat(MAX_REPORT_TEXT_CHARS)));
    r.normalize_and_validate().unwrap();
    assert_eq!(r.text.as_ref().unwrap().chars().count(), MAX_REPORT_TEXT_CHARS);
    r.text = Some("热".repeat(MAX_REPORT_TEXT_CHARS + 1));
    assert_eq!(r.normalize_and_validate().unwrap_err()[0].field, "text");
    r.text = Some("a\u{0}b".into());
    assert_eq!(r.normalize_and_validate().unwrap_err()[0].field, "text");

    let mut r =
        ReportInput { station_id: None, category: ReportCategory::Other, amenity: None, text: None, position: None };
    assert_eq!(r.normalize_and_validate().unwrap_err()[0].field, "station_id");
    r.position = Some(LonLat { lon: 116.8, lat: 95.0 });
    assert_eq!(r.normalize_and_validate().unwrap_err()[0].field, "position");
    r.position = Some(LonLat { lon: 116.8, lat: 35.5 });
    r.normalize_and_validate().unwrap();
    r.station_id = Some(0);
    assert_eq!(r.normalize_and_validate().unwrap_err()[0].field, "station_id");
}

#[test]
fn codes_are_crockford_base32_and_forgive_how_they_are_typed_back() {
    let mut rng = rand::rng();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1000 {
        let c = new_code(&mut rng);
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        assert!(c.chars().filter(|&ch| ch != '-').all(|ch| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(ch)), "{c}");
        assert_eq!(normalize_code(&c).as_deref(), Some(c.as_str()));
        seen.insert(c);
    }
    assert!(seen.len() > 990, "codes are random");
    assert_eq!(normalize_code(" k7q2 9xma ").as_deref(), Some("K7Q2-9XMA"));
    assert_eq!(normalize_code("o1il-0000").as_deref(), Some("0111-0000"));
    for bad in ["", "K7Q2-9XM", "K7Q2-9XMAA", "K7Q2-9XMU", "驿站驿站-驿站驿站"] {
        assert_eq!(normalize_code(bad), None, "{bad:?}");
    }
}

use super::*;

#[test]
fn every_amenity_round_trips_through_code_and_label() {
    assert!(Amenity::ALL.len() <= 32);
    for &a in Amenity::ALL {
        assert_eq!(Amenity::parse(a.code()), Some(a));
        assert_eq!(Amenity::parse(a.label_zh()), Some(a));
    }
}

#[test]
fn bits_are_distinct() {
    let all: AmenitySet = Amenity::ALL.iter().copied().collect();
    assert_eq!(all.bits().count_ones() as usize, Amenity::ALL.len());
}

#[test]
fn parse_list_accepts_chinese_separators() {
    let s = AmenitySet::parse_list("饮用水、wifi；热水").unwrap();
    assert!(s.contains(Amenity::DrinkingWater) && s.contains(Amenity::Wifi) && s.contains(Amenity::HotWater));
    assert_eq!(s.iter().count(), 3);
    assert_eq!(AmenitySet::parse_list("饮用水, sauna"), Err(UnknownAmenity("sauna".into())));
}

#[test]
fn serde_as_sorted_codes() {
    let s = AmenitySet::parse_list("wifi,heating").unwrap();
    assert_eq!(serde_json::to_string(&s).unwrap(), r#"["heating","wifi"]"#);
    let back: AmenitySet = serde_json::from_str(r#"["wifi","heating"]"#).unwrap();
    assert_eq!(back, s);
    assert!(serde_json::from_str::<AmenitySet>(r#"["spa"]"#).is_err());
}

#[test]
fn contains_all() {
    let have = AmenitySet::parse_list("wifi,heating,toilet").unwrap();
    assert!(have.contains_all(AmenitySet::parse_list("wifi,toilet").unwrap()));
    assert!(!have.contains_all(AmenitySet::parse_list("wifi,microwave").unwrap()));
    assert!(have.contains_all(AmenitySet::EMPTY));
}

#[test]
fn from_bits_inverts_bits_and_rejects_unknown_bits() {
    for &a in Amenity::ALL {
        let one: AmenitySet = [a].into_iter().collect();
        assert_eq!(AmenitySet::from_bits(one.bits()), Some(one));
    }
    let all: AmenitySet = Amenity::ALL.iter().copied().collect();
    assert_eq!(AmenitySet::from_bits(all.bits()), Some(all));
    assert_eq!(AmenitySet::from_bits(0), Some(AmenitySet::EMPTY));
    let first_unknown = 1u32 << Amenity::ALL.len();
    assert_eq!(AmenitySet::from_bits(first_unknown), None);
    assert_eq!(AmenitySet::from_bits(all.bits() | first_unknown), None);
    assert_eq!(AmenitySet::from_bits(u32::MAX), None);
}

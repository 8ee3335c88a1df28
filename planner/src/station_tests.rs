use super::*;

fn sample() -> StationData {
    StationData {
        kind: StationKind::RestStation,
        name: "  鼓楼街道户外劳动者驿站 ".into(),
        address: Some(" ".into()),
        district: Some("兖州区".into()),
        street: Some("鼓楼街道".into()),
        location: LonLat::new(116.8, 35.55).unwrap(),
        amenities: AmenitySet::parse_list("drinking_water,wifi").unwrap(),
        opening_hours: Some(OpeningHours::parse("24/7").unwrap()),
        capacity: Some(12),
        operator: None,
        phone: Some("0537-3412345".into()),
        offer: None,
        status: StationStatus::Active,
        source: None,
        external_id: None,
        verified_on: None,
    }
}

#[test]
fn kinds_parse_codes_labels_and_aliases() {
    assert_eq!(StationKind::parse("驿站"), Some(StationKind::RestStation));
    assert_eq!(StationKind::parse("爱心商户"), Some(StationKind::CaringMerchant));
    assert_eq!(StationKind::parse("换电柜"), Some(StationKind::ChargingCabinet));
    assert_eq!(StationKind::parse("Ride_Hailing_Bay"), Some(StationKind::RideHailingBay));
    assert!("spaceport".parse::<StationKind>().is_err());
    for k in StationKind::ALL {
        assert_eq!(StationKind::parse(k.label_zh()), Some(*k));
    }
}

#[test]
fn normalize_trims_and_drops_empty() {
    let mut s = sample();
    s.normalize_and_validate().unwrap();
    assert_eq!(s.name, "鼓楼街道户外劳动者驿站");
    assert_eq!(s.address, None);
}

#[test]
fn validation_reports_every_field() {
    let mut s = sample();
    s.name = " ".into();
    s.capacity = Some(MAX_CAPACITY + 1);
    s.phone = Some("call me".into());
    s.location.lon = f64::NAN;
    let errs = s.normalize_and_validate().unwrap_err();
    let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["name", "phone", "capacity", "location.lon"]);
}

#[test]
fn json_shape_is_flat_and_rejects_unknown_fields() {
    let mut s = sample();
    s.normalize_and_validate().unwrap();
    let st = Station { id: 7, data: s, created_at: Utc::now(), updated_at: Utc::now() };
    let v = serde_json::to_value(&st).unwrap();
    assert_eq!(v["id"], 7);
    assert_eq!(v["kind"], "rest_station");
    assert_eq!(v["location"]["lon"], 116.8);
    assert_eq!(v["amenities"], serde_json::json!(["drinking_water", "wifi"]));
    let bad = r#"{"kind":"rest_station","name":"x","location":{"lon":1,"lat":2},"colour":"red"}"#;
    assert!(serde_json::from_str::<StationData>(bad).is_err());
}

#[test]
fn verification_is_due_after_the_window_or_when_never_verified() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let today = d(2026, 12, 8);
    // 2026-09-09 is 90 days before 2026-12-08 (21 + 31 + 30 + 8 = 90).
    assert_eq!(Verification::of(Some(d(2026, 9, 9)), today, 90), Verification::Current);
    assert_eq!(Verification::of(Some(d(2026, 9, 8)), today, 90), Verification::Overdue);
    assert_eq!(Verification::of(Some(today), today, 90), Verification::Current);
    assert_eq!(Verification::of(Some(d(2027, 1, 1)), today, 90), Verification::Current);
    assert_eq!(Verification::of(None, today, 90), Verification::Never);
    assert!(Verification::Never.is_due() && Verification::Overdue.is_due() && !Verification::Current.is_due());
    assert_eq!(Verification::of(Some(d(2026, 12, 7)), today, 0), Verification::Overdue);
}

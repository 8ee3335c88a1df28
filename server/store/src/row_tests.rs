#![allow(clippy::unwrap_used)]

use super::*;
use crate::suite::{full_station, minimal_station};

/// The row a backend would read back for `data`, stored with `id` at `t`.
fn row_of(id: StationId, data: &StationData, t: DateTime<Utc>) -> StationRow {
    let p = StationParams::new(data);
    StationRow {
        id,
        kind: p.kind.to_owned(),
        name: p.name.to_owned(),
        address: p.address.map(str::to_owned),
        district: p.district.map(str::to_owned),
        street: p.street.map(str::to_owned),
        lon: p.lon,
        lat: p.lat,
        amenities: p.amenities,
        opening_hours: p.opening_hours.map(str::to_owned),
        capacity: p.capacity,
        operator: p.operator.map(str::to_owned),
        phone: p.phone.map(str::to_owned),
        offer: p.offer.map(str::to_owned),
        status: p.status.to_owned(),
        source: p.source.map(str::to_owned),
        external_id: p.external_id.map(str::to_owned),
        verified_on: p.verified_on,
        created_at: t,
        updated_at: t,
    }
}

fn stamp(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

#[test]
fn params_hold_codes_bits_and_text() {
    let data = full_station();
    let p = StationParams::new(&data);
    assert_eq!(p.kind, "rest_station");
    assert_eq!(p.status, "active");
    // drinking_water (bit 3), hot_water (4), microwave (5), accessible (17).
    assert_eq!(p.amenities, (1 << 3) | (1 << 4) | (1 << 5) | (1 << 17));
    assert_eq!(p.opening_hours, Some("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00; PH off"));
    assert_eq!(p.capacity, Some(24));
    assert_eq!(import_key(&data), Some(("兖州区总工会2024年名录", "YZ-驿站-0001")));
    assert_eq!(import_key(&minimal_station()), None);
    let mut half = minimal_station();
    half.source = Some("s".to_owned());
    assert_eq!(import_key(&half), None);
}

#[test]
fn row_round_trips_to_the_same_station() {
    let t = stamp("2025-03-01T08:15:30.123456Z");
    for data in [full_station(), minimal_station()] {
        let station = row_of(7, &data, t).into_station(&mut HoursCache::default()).unwrap();
        assert_eq!(station, Station { id: 7, data, created_at: t, updated_at: t });
    }
}

fn corrupt_reason(row: StationRow) -> String {
    match row.into_station(&mut HoursCache::default()) {
        Err(StoreError::Corrupt { id, reason }) => {
            assert_eq!(id, 42);
            reason
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn every_invalid_value_is_corrupt_naming_the_row() {
    type Spoil = Box<dyn Fn(&mut StationRow)>;
    let t = stamp("2025-03-01T08:15:30Z");
    let good = row_of(42, &full_station(), t);
    let cases: Vec<(&str, Spoil)> = vec![
        ("\"bogus\"", Box::new(|r| r.kind = "bogus".to_owned())),
        // Aliases and labels are input forms, not stored codes.
        ("\"驿站\"", Box::new(|r| r.kind = "驿站".to_owned())),
        ("\"Active\"", Box::new(|r| r.status = "Active".to_owned())),
        ("invalid opening_hours", Box::new(|r| r.opening_hours = Some("Mo-Fr 25:00-99:00".to_owned()))),
        ("invalid opening_hours", Box::new(|r| r.opening_hours = Some(String::new()))),
        ("amenities", Box::new(|r| r.amenities = 1 << 30)),
        ("amenities", Box::new(|r| r.amenities = -1)),
        ("amenities", Box::new(|r| r.amenities = 1 << 40)),
        ("capacity -1", Box::new(|r| r.capacity = Some(-1))),
        ("capacity 4294967296", Box::new(|r| r.capacity = Some(1 << 32))),
        ("longitude", Box::new(|r| r.lon = 180.5)),
        ("latitude", Box::new(|r| r.lat = f64::NAN)),
        ("name is empty", Box::new(|r| r.name = String::new())),
    ];
    for (expected, spoil) in cases {
        let mut row = good.clone();
        spoil(&mut row);
        let reason = corrupt_reason(row);
        assert!(reason.contains(expected), "reason {reason:?} does not mention {expected:?}");
    }
    assert!(good.into_station(&mut HoursCache::default()).is_ok());
}

#[test]
fn timestamps_are_fixed_width_microseconds_in_utc() {
    let t = stamp("2025-03-01T08:15:30.123456789+08:00");
    let text = format_timestamp(t);
    assert_eq!(text, "2025-03-01T00:15:30.123456Z");
    assert_eq!(format_timestamp(stamp("2025-03-01T00:00:00Z")), "2025-03-01T00:00:00.000000Z");
    assert_eq!(parse_timestamp(1, "created_at", &text).unwrap(), stamp("2025-03-01T00:15:30.123456Z"));
    // Text order is time order.
    let mut texts: Vec<String> = ["2025-03-01T00:00:00.5Z", "2024-12-31T23:59:59.999999Z", "2025-03-01T00:00:00Z"]
        .iter()
        .map(|s| format_timestamp(stamp(s)))
        .collect();
    texts.sort();
    assert_eq!(texts, ["2024-12-31T23:59:59.999999Z", "2025-03-01T00:00:00.000000Z", "2025-03-01T00:00:00.500000Z"]);
    let n = now();
    assert_eq!(n.nanosecond() % 1000, 0);
    assert_eq!(parse_timestamp(1, "created_at", &format_timestamp(n)).unwrap(), n);
    match parse_timestamp(9, "updated_at", "yesterday") {
        Err(StoreError::Corrupt { id: 9, reason }) => assert!(reason.contains("updated_at \"yesterday\""), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dates_round_trip_as_iso_text() {
    for (y, m, d, text) in [(2024, 2, 29, "2024-02-29"), (1, 1, 1, "0001-01-01"), (9999, 12, 31, "9999-12-31")] {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(format_date(date), text);
        assert_eq!(parse_date(1, "verified_on", text).unwrap(), date);
    }
    assert!(matches!(parse_date(3, "verified_on", "2024-02-30"), Err(StoreError::Corrupt { id: 3, .. })));
    assert!(matches!(parse_date(3, "verified_on", "2024/02/01"), Err(StoreError::Corrupt { id: 3, .. })));
}

#[test]
fn the_hours_cache_returns_what_parsing_returns() {
    let mut cache = HoursCache::default();
    let t = stamp("2025-03-01T08:15:30Z");
    let mut a = full_station();
    let mut b = full_station();
    b.opening_hours = Some(OpeningHours::parse("Mo-Su 07:00-21:00").unwrap());
    for _ in 0..3 {
        assert_eq!(row_of(1, &a, t).into_station(&mut cache).unwrap().data, a);
        assert_eq!(row_of(2, &b, t).into_station(&mut cache).unwrap().data, b);
    }
    assert_eq!(cache.0.len(), 2);
    // A cached expression evaluates like a freshly parsed one: open Monday 10:00, closed 22:00.
    let cached = row_of(2, &b, t).into_station(&mut cache).unwrap().data.opening_hours.unwrap();
    let monday = |h| chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap().and_hms_opt(h, 0, 0).unwrap();
    assert!(cached.is_open_local(monday(10)));
    assert!(!cached.is_open_local(monday(22)));
    // Bad text is refused every time, not remembered as good.
    a.opening_hours = None;
    let mut bad = row_of(3, &a, t);
    bad.opening_hours = Some("nonsense".to_owned());
    assert!(bad.clone().into_station(&mut cache).is_err());
    assert!(bad.into_station(&mut cache).is_err());
    assert_eq!(cache.0.len(), 2);
}

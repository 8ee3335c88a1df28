use super::*;
use chrono::{NaiveDate, TimeZone};

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

#[test]
fn parses_and_rejects() {
    assert!(OpeningHours::parse("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00").is_ok());
    assert!(OpeningHours::parse("24/7").unwrap().is_always_open());
    let err = OpeningHours::parse("every day 8 to 8").unwrap_err();
    assert_eq!(err.raw, "every day 8 to 8");
    assert!(OpeningHours::parse("   ").is_err());
}

#[test]
fn evaluates_weekdays_and_overnight() {
    // 2026-11-23 is a Monday.
    let oh = OpeningHours::parse("Mo-Fr 08:00-20:00").unwrap();
    assert!(oh.is_open_local(local(2026, 11, 23, 8, 0)));
    assert!(!oh.is_open_local(local(2026, 11, 23, 20, 0)));
    assert!(!oh.is_open_local(local(2026, 11, 22, 12, 0))); // Sunday
    let night = OpeningHours::parse("Mo-Su 22:00-06:00").unwrap();
    assert!(night.is_open_local(local(2026, 11, 24, 2, 30)));
    assert!(!night.is_open_local(local(2026, 11, 24, 12, 0)));
    assert_eq!(night.next_change_local(local(2026, 11, 24, 12, 0)), Some(local(2026, 11, 24, 22, 0)));
}

#[test]
fn evaluates_in_shanghai_time() {
    let oh = OpeningHours::parse("Mo-Su 08:00-09:00").unwrap();
    // 00:30 UTC is 08:30 in Shanghai (UTC+8).
    let at = Utc.with_ymd_and_hms(2026, 11, 24, 0, 30, 0).unwrap();
    assert!(oh.is_open_at(at, DEFAULT_TZ));
    assert!(!oh.is_open_at(at, chrono_tz::Europe::Helsinki));
    assert_eq!(OpenAt::new(at).local(), local(2026, 11, 24, 8, 30));
}

#[test]
fn serde_round_trip_keeps_text() {
    let oh: OpeningHours = serde_json::from_str(r#""Mo-Fr 08:00-18:00""#).unwrap();
    assert_eq!(serde_json::to_string(&oh).unwrap(), r#""Mo-Fr 08:00-18:00""#);
    assert!(serde_json::from_str::<OpeningHours>(r#""nonsense""#).is_err());
}

/// Expressions that never change are answered quickly (the search stops at the horizon) and give
/// no next change; a yearly change within the horizon is still found exactly.
#[test]
fn next_change_search_is_bounded() {
    let at = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap().and_hms_opt(8, 30, 0).unwrap();
    for text in ["Mo-Su", "Mo-Su 00:00-24:00", "off", "Mo-Su closed"] {
        let oh = OpeningHours::parse(text).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(oh.next_change_local(at), None, "{text}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{text}: {:?}", started.elapsed());
    }
    let oh = OpeningHours::parse("Dec 25").unwrap();
    let christmas = chrono::NaiveDate::from_ymd_opt(2025, 12, 25).unwrap().and_hms_opt(0, 0, 0).unwrap();
    assert_eq!(oh.next_change_local(at), Some(christmas));
}

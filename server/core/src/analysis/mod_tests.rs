#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn ids_are_unique_and_prefixed() {
    let ids: HashSet<String> = (0..10_000).map(|_| new_id("cov_")).collect();
    assert_eq!(ids.len(), 10_000);
    // 128 random bits: 32 lowercase hex digits after the prefix.
    assert!(ids.iter().all(|i| i.len() == 36
        && i.strip_prefix("cov_").is_some_and(|h| h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))));
    // Not a counter: no two consecutive ids share their first half.
    let a = new_id("x");
    let b = new_id("x");
    assert_ne!(a[..17], b[..17]);
}

#[test]
fn requests_refuse_unknown_fields_and_accept_one_or_many_minutes() {
    let e = serde_json::from_str::<CoverageRequest>(r#"{"district":"兖州区","minuts":[10]}"#).unwrap_err();
    assert!(e.to_string().contains("minuts"), "{e}");
    let r: PlanRequest = serde_json::from_str(r#"{"district":"兖州区","minutes":10,"sites":3}"#).unwrap();
    assert_eq!(r.coverage().minutes, Some(Minutes::One(10.0)));
    let r: CoverageRequest = serde_json::from_str(r#"{"district":"兖州区","minutes":[10,15]}"#).unwrap();
    assert_eq!(r.minutes.unwrap().to_vec(), vec![10.0, 15.0]);
}

#[test]
fn builtin_districts_hold_yanzhou() {
    let all = builtin_districts();
    assert_eq!(all.len(), 11);
    assert!(all.iter().any(|d| d.name == "兖州区" && d.city.as_deref() == Some("济宁市")));
}

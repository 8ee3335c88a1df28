#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn minutes_and_mode_are_validated() {
    assert_eq!(parse_isochrone_query(None).unwrap(), (10.0, TravelMode::Ebike));
    assert_eq!(parse_isochrone_query(Some("minutes=7.5&mode=walk")).unwrap(), (7.5, TravelMode::Walk));
    assert_eq!(parse_isochrone_query(Some("minutes=60&mode=%E9%A9%BE%E8%BD%A6")).unwrap(), (60.0, TravelMode::Car));
    for bad in ["minutes=0", "minutes=-3", "minutes=60.01", "minutes=inf", "minutes=x", "minutes="] {
        let e = parse_isochrone_query(Some(bad)).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(e.error.field.as_deref(), Some("minutes"), "{bad}");
    }
    let e = parse_isochrone_query(Some("mode=boat")).unwrap_err();
    assert_eq!(e.error.field.as_deref(), Some("mode"));
    let e = parse_isochrone_query(Some("minutes=5&minutes=6")).unwrap_err();
    assert_eq!(e.error.code, "duplicate_parameter");
    let e = parse_isochrone_query(Some("k=5")).unwrap_err();
    assert_eq!(e.error.code, "unknown_parameter");
}

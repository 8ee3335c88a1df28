#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::StationFeature;
use axum::http::{HeaderValue, StatusCode};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpeningHours;
use yizhan_planner::station::{Station, StationKind, StationStatus};

fn full_data() -> StationData {
    StationData {
        kind: StationKind::CaringMerchant,
        name: "鼓楼街道爱心商户·老王面馆".to_owned(),
        address: Some("兖州区建设东路 18 号".to_owned()),
        district: Some("兖州区".to_owned()),
        street: Some("鼓楼街道".to_owned()),
        location: LonLat { lon: 116.789_012, lat: 35.553_456 },
        amenities: [Amenity::HotWater, Amenity::Microwave, Amenity::Discount].into_iter().collect::<AmenitySet>(),
        opening_hours: Some(OpeningHours::parse("Mo-Su 07:00-21:00").unwrap()),
        capacity: Some(12),
        operator: Some("王记".to_owned()),
        phone: Some("0537-3412345".to_owned()),
        offer: Some("外卖骑手凭工牌九折，免费热水".to_owned()),
        status: StationStatus::Active,
        source: Some("兖州区总工会".to_owned()),
        external_id: Some("YZ-0001".to_owned()),
        verified_on: Some(NaiveDate::from_ymd_opt(2025, 2, 14).unwrap()),
    }
}

fn fail(body: &str, path_id: Option<i64>) -> (StatusCode, String, Option<String>) {
    let e = parse_station(body.as_bytes(), path_id).unwrap_err();
    (e.status, e.error.code, e.error.field)
}

fn invalid(field: &str) -> (StatusCode, String, Option<String>) {
    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body".to_owned(), Some(field.to_owned()))
}

#[test]
fn plain_station_object() {
    let data = full_data();
    let body = serde_json::to_vec(&data).unwrap();
    assert_eq!(parse_station(&body, None).unwrap(), data);
    // Minimal: defaults for the optional fields.
    let min =
        parse_station(br#"{"kind":"rest_station","name":"X","location":{"lon":116.8,"lat":35.5}}"#, None).unwrap();
    assert_eq!(min.status, StationStatus::Active);
    assert!(min.amenities.is_empty() && min.address.is_none());
}

#[test]
fn feature_round_trip_ignores_read_only_fields() {
    let station = Station {
        id: 9,
        data: full_data(),
        created_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        updated_at: Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap(),
    };
    let feature = serde_json::to_vec(&StationFeature::from(&station)).unwrap();
    assert_eq!(parse_station(&feature, Some(9)).unwrap(), station.data);
    assert_eq!(parse_station(&feature, None).unwrap(), station.data);
    // The same station object with read-only fields also parses.
    let plain = serde_json::to_vec(&station).unwrap();
    assert_eq!(parse_station(&plain, Some(9)).unwrap(), station.data);
}

#[test]
fn feature_geometry_is_the_location() {
    let body = json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [116.81, 35.57, 52.0]},
        "properties": {"kind": "ride_hailing_bay", "name": "网约车停靠点"},
    });
    let d = parse_station(body.to_string().as_bytes(), None).unwrap();
    assert_eq!(d.location, LonLat { lon: 116.81, lat: 35.57 });
    assert_eq!(d.kind, StationKind::RideHailingBay);
}

#[test]
fn malformed_json_is_400() {
    for body in ["", "{", "{\"kind\": }", "nul", "{\"a\":1} x"] {
        let e = parse_station(body.as_bytes(), None).unwrap_err();
        assert_eq!((e.status, e.error.code.as_str()), (StatusCode::BAD_REQUEST, "malformed_json"), "{body:?}");
        assert_eq!(e.error.field, None);
    }
}

#[test]
fn wrong_shapes_are_422_with_field() {
    let e = parse_station(b"[1,2]", None).unwrap_err();
    assert_eq!(
        (e.status, e.error.code.as_str(), e.error.field),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", None)
    );
    assert_eq!(fail(r#"{"type":"FeatureCollection","features":[]}"#, None), invalid("type"));
    let feature = |geometry: serde_json::Value, properties: serde_json::Value| {
        json!({"type": "Feature", "geometry": geometry, "properties": properties}).to_string()
    };
    let props = json!({"kind": "rest_station", "name": "X"});
    let point = json!({"type": "Point", "coordinates": [116.8, 35.5]});
    assert_eq!(
        fail(&feature(json!({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}), props.clone()), None),
        invalid("geometry")
    );
    assert_eq!(fail(&feature(json!(null), props.clone()), None), invalid("geometry"));
    assert_eq!(
        fail(&feature(json!({"type": "Point", "coordinates": ["a", 1]}), props.clone()), None),
        invalid("geometry.coordinates")
    );
    assert_eq!(
        fail(&feature(json!({"type": "Point", "coordinates": [1]}), props.clone()), None),
        invalid("geometry.coordinates")
    );
    assert_eq!(fail(&feature(point.clone(), json!(null)), None), invalid("properties"));
    assert_eq!(fail(&feature(point.clone(), json!([1])), None), invalid("properties"));
    assert_eq!(
        fail(
            &feature(point.clone(), json!({"kind": "rest_station", "name": "X", "location": {"lon": 1, "lat": 2}})),
            None
        ),
        invalid("properties.location")
    );
    assert_eq!(fail(&feature(point.clone(), json!({"kind": "rest_station"})), None), invalid("properties.name"));
    assert_eq!(fail(&feature(point.clone(), json!({"kind": "spa", "name": "X"})), None), invalid("properties.kind"));
    let extra = json!({"type": "Feature", "geometry": point, "properties": props, "crs": "x"}).to_string();
    assert_eq!(fail(&extra, None), invalid("crs"));
}

#[test]
fn field_errors_name_the_field() {
    let base = r#""kind":"rest_station","name":"X","location":{"lon":116.8,"lat":35.5}"#;
    assert_eq!(fail(r#"{"name":"X","location":{"lon":1,"lat":2}}"#, None), invalid("kind"));
    assert_eq!(fail(&format!(r#"{{{base},"capacity":"many"}}"#), None), invalid("capacity"));
    assert_eq!(fail(&format!(r#"{{{base},"capacity":-3}}"#), None), invalid("capacity"));
    assert_eq!(fail(&format!(r#"{{{base},"opening_hours":"whenever"}}"#), None), invalid("opening_hours"));
    assert_eq!(fail(&format!(r#"{{{base},"status":"gone"}}"#), None), invalid("status"));
    assert_eq!(fail(&format!(r#"{{{base},"verified_on":"yesterday"}}"#), None), invalid("verified_on"));
    assert_eq!(
        fail(r#"{"kind":"rest_station","name":"X","location":{"lon":"e","lat":35.5}}"#, None),
        invalid("location.lon")
    );
    let (status, code, field) = fail(&format!(r#"{{{base},"amenities":["toilet","sauna"]}}"#), None);
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
    assert!(field.as_deref().is_some_and(|f| f.starts_with("amenities")), "{field:?}");
    // A typo in a field name is refused, naming it.
    assert_eq!(fail(&format!(r#"{{{base},"adress":"x"}}"#), None), invalid("adress"));
    let e = parse_station(format!(r#"{{{base},"adress":"x"}}"#).as_bytes(), None).unwrap_err();
    assert!(e.error.message.contains("address"), "lists the accepted fields: {}", e.error.message);
}

#[test]
fn body_id_must_match_the_path() {
    let data = serde_json::to_value(full_data()).unwrap();
    let mut with_id = data.clone();
    with_id["id"] = json!(5);
    assert_eq!(fail(&with_id.to_string(), Some(6)), invalid("id"));
    assert!(parse_station(with_id.to_string().as_bytes(), Some(5)).is_ok());
    with_id["id"] = json!("five");
    assert_eq!(fail(&with_id.to_string(), Some(5)), invalid("id"));
    let feature = json!({
        "type": "Feature", "id": 3,
        "geometry": {"type": "Point", "coordinates": [116.8, 35.5]},
        "properties": {"kind": "rest_station", "name": "X", "id": 3},
    });
    assert_eq!(fail(&feature.to_string(), Some(4)), invalid("id"));
    assert!(parse_station(feature.to_string().as_bytes(), Some(3)).is_ok());
}

#[test]
fn content_types() {
    let mut h = HeaderMap::new();
    let e = require_json(&h).unwrap_err();
    assert_eq!((e.status, e.error.code.as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    for ok in ["application/json", "application/json; charset=utf-8", "Application/Geo+JSON", "application/vnd.x+json"]
    {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ok));
        assert!(require_json(&h).is_ok(), "{ok}");
    }
    for no in ["text/plain", "text/csv", "application/x-www-form-urlencoded", "json"] {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(no));
        assert_eq!(require_json(&h).unwrap_err().status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{no}");
    }
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=gbk"));
    assert_eq!(media_type(&h).unwrap().as_deref(), Some("text/csv"));
}

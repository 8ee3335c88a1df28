#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::json;

fn square() -> serde_json::Value {
    json!({"type": "Polygon", "coordinates": [[[116.7, 35.5], [116.8, 35.5], [116.8, 35.6], [116.7, 35.6], [116.7, 35.5]]]})
}

#[test]
fn polygon_feature_and_collection_read_the_same() {
    let (name, p) = parse_boundary(&square(), Crs::Wgs84).unwrap();
    assert_eq!(name, None);
    assert_eq!(p.0.len(), 1);
    assert_eq!(p.0[0].exterior().0.len(), 5);
    let feature = json!({"type": "Feature", "properties": {"name": "试验区"}, "geometry": square()});
    let (name, q) = parse_boundary(&feature, Crs::Wgs84).unwrap();
    assert_eq!(name.as_deref(), Some("试验区"));
    assert_eq!(p, q);
    let fc = json!({"type": "FeatureCollection", "features": [feature]});
    assert_eq!(parse_boundary(&fc, Crs::Wgs84).unwrap().1, p);
}

#[test]
fn gcj02_boundary_is_converted() {
    let (_, w) = parse_boundary(&square(), Crs::Wgs84).unwrap();
    let (_, g) = parse_boundary(&square(), Crs::Gcj02).unwrap();
    let (a, b) = (w.0[0].exterior().0[0], g.0[0].exterior().0[0]);
    // GCJ-02 is offset by a few hundred metres in China: the WGS-84 position differs.
    assert!((a.x - b.x).abs() > 1e-4 && (a.x - b.x).abs() < 0.02, "{a:?} {b:?}");
    let back = Crs::Gcj02.from_wgs84(LonLat::new(b.x, b.y).unwrap());
    assert!((back.lon - a.x).abs() < 1e-6 && (back.lat - a.y).abs() < 1e-6);
}

#[test]
fn bad_boundaries_say_what_is_wrong() {
    let cases = [
        (json!({"type": "Polygon", "coordinates": []}), "empty"),
        (json!({"type": "MultiPolygon", "coordinates": []}), "empty"),
        (json!({"type": "Point", "coordinates": [116.7, 35.5]}), "not a Polygon"),
        (json!({"type": "LineString", "coordinates": [[116.7, 35.5], [116.8, 35.5]]}), "not a Polygon"),
        // A bow tie: the ring crosses itself.
        (
            json!({"type": "Polygon", "coordinates": [[[116.7, 35.5], [116.8, 35.6], [116.8, 35.5], [116.7, 35.6], [116.7, 35.5]]]}),
            "self-intersection",
        ),
        (json!({"type": "Polygon", "coordinates": [[[116.7, 35.5], [116.8, 35.5], [116.7, 35.5]]]}), "at least 3"),
        (
            json!({"type": "Polygon", "coordinates": [[[216.7, 35.5], [116.8, 35.5], [116.8, 35.6], [216.7, 35.5]]]}),
            "216.7",
        ),
        (json!({"type": "Feature", "geometry": null}), "no geometry"),
        (json!([1, 2]), "expected a GeoJSON geometry"),
    ];
    for (value, want) in cases {
        let err = parse_boundary(&value, Crs::Wgs84).unwrap_err();
        assert!(err.contains(want), "{value}: {err:?} lacks {want:?}");
    }
}

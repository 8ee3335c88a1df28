//! End-to-end tests of the district boundaries API: `GET /api/v1/districts` and
//! `GET /api/v1/districts/{name}` against the shipped boundary file, read here independently.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, assert_error};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use yizhan_core::config::Config;

/// The shipped file, read as plain JSON: (name, city, province, polygons as MultiPolygon coordinates).
fn shipped() -> Vec<(String, Value, Value, Value)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/districts/jining.geojson")).unwrap();
    let fc: Value = serde_json::from_str(&text).unwrap();
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let g = &f["geometry"];
            let coords = match g["type"].as_str().unwrap() {
                "Polygon" => json!([g["coordinates"]]),
                "MultiPolygon" => g["coordinates"].clone(),
                other => panic!("unexpected geometry {other}"),
            };
            let p = &f["properties"];
            (p["name"].as_str().unwrap().to_owned(), p["city"].clone(), p["province"].clone(), coords)
        })
        .collect()
}

/// `[min_lon, min_lat, max_lon, max_lat]` over every position.
fn bbox(coords: &Value) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for polygon in coords.as_array().unwrap() {
        for ring in polygon.as_array().unwrap() {
            for p in ring.as_array().unwrap() {
                let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
                b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
        }
    }
    b
}

/// Every position of MultiPolygon coordinates, as numbers, keeping the nesting.
fn positions(coords: &Value) -> Vec<Vec<Vec<[f64; 2]>>> {
    let arr = |v: &Value| v.as_array().unwrap().clone();
    arr(coords)
        .iter()
        .map(|polygon| {
            arr(polygon)
                .iter()
                .map(|ring| arr(ring).iter().map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()]).collect())
                .collect()
        })
        .collect()
}

fn percent(s: &str) -> String {
    use std::fmt::Write as _;
    s.bytes().fold(String::new(), |mut out, b| {
        let _ = write!(out, "%{b:02X}");
        out
    })
}

#[tokio::test]
async fn every_district_as_geojson() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let (status, headers, body) = server.get("/api/v1/districts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/geo+json");
    assert_eq!(headers["cache-control"], "public, max-age=3600");
    assert_eq!(body["type"], "FeatureCollection");
    let features = body["features"].as_array().unwrap();
    let want = shipped();
    assert_eq!(want.len(), 11, "济宁市 has 11 districts and counties");
    assert_eq!(features.len(), want.len());
    for (f, (name, city, province, coords)) in features.iter().zip(&want) {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["id"], name.as_str());
        assert_eq!(f["properties"]["name"], name.as_str());
        assert_eq!(&f["properties"]["city"], city);
        assert_eq!(&f["properties"]["province"], province);
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        // Compared as numbers: the file writes some whole degrees without a decimal point.
        assert_eq!(positions(&f["geometry"]["coordinates"]), positions(coords), "{name}: the boundary as shipped");
        let b: Vec<f64> = f["properties"]["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!(b, bbox(coords), "{name}: bounding box");
    }
    let names: Vec<&str> = features.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(names.contains(&"兖州区") && names.contains(&"曲阜市"), "{names:?}");
}

#[tokio::test]
async fn one_district_by_name() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let (_, _, all) = server.get("/api/v1/districts").await;
    for f in all["features"].as_array().unwrap() {
        let name = f["id"].as_str().unwrap();
        let (status, headers, one) = server.get(&format!("/api/v1/districts/{}", percent(name))).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert_eq!(headers["content-type"], "application/geo+json");
        assert_eq!(&one, f, "{name}: the same feature as in the collection");
    }
    // 兖州区 holds its own centre.
    let (_, _, yanzhou) = server.get(&format!("/api/v1/districts/{}", percent("兖州区"))).await;
    let b = &yanzhou["properties"]["bbox"];
    assert!(b[0].as_f64().unwrap() < 116.786 && 116.786 < b[2].as_f64().unwrap());
    assert!(b[1].as_f64().unwrap() < 35.553 && 35.553 < b[3].as_f64().unwrap());
}

#[tokio::test]
async fn district_errors_are_json() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let msg = assert_error(
        &server.get(&format!("/api/v1/districts/{}", percent("朝阳区"))).await,
        404,
        "not_found",
        Some("name"),
    );
    assert!(msg.contains("朝阳区") && msg.contains("兖州区"), "names the unknown and the known: {msg}");
    assert_error(&server.get("/api/v1/districts/%FF").await, 400, "invalid_parameter", Some("name"));
    assert_error(&server.get("/api/v1/districts?name=x").await, 400, "unknown_parameter", Some("name"));
    let post = server.send(Method::POST, "/api/v1/districts", None, None, &[]).await;
    assert_error(&post, 405, "method_not_allowed", None);
}

#[tokio::test]
async fn districts_are_described_in_openapi() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let (_, _, doc) = server.get("/api/v1/openapi.json").await;
    for path in ["/api/v1/districts", "/api/v1/districts/{name}"] {
        let op = &doc["paths"][path]["get"];
        assert_eq!(op["tags"], json!(["map"]), "{path}");
        assert!(op["responses"]["200"]["content"]["application/geo+json"].is_object(), "{path}");
    }
    let schemas = &doc["components"]["schemas"];
    for s in ["DistrictCollection", "DistrictFeature", "DistrictProperties", "MultiPolygonGeometry"] {
        assert!(schemas[s].is_object(), "schema {s}");
    }
}

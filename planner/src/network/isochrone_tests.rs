#![allow(clippy::unwrap_used)]
use super::*;
use crate::eta::TravelMode;
use crate::network::dijkstra::Options;
use crate::network::grid::{GridSpec, grid};
use crate::network::snap::{SnapOptions, Snapper};

#[test]
fn covers_exactly_the_reachable_roads() {
    let spec = GridSpec { side: 21, ..Default::default() };
    let g = grid(&spec, TravelMode::Ebike).unwrap();
    let centre = g.coord(10 * 21 + 10);
    let station = Snapper::new(g.clone()).snap(centre, &SnapOptions::default()).unwrap();
    let limit_s = 150.0;
    let opts = IsochroneOptions { buffer_m: 30.0, simplify_m: 0.0, direction: Direction::Backward };
    let iso = isochrone(&g, &station, limit_s, &opts);
    assert!(iso.reached_nodes > 10 && iso.reached_nodes < 441);
    assert_eq!(iso.limit_s, 150.0);
    // Reference: full search towards the station.
    let seeds = station.seeds(&g, Direction::Backward, 0);
    let full = search(&g, Direction::Backward, &seeds, Options::default());
    let limit_ms = 150_000;
    let max_arc = g.iter_arcs().map(|a| a.2).max().unwrap();
    let (mut inside, mut outside) = (0, 0);
    for u in 0..g.node_count() as u32 {
        let t = full.time_ms(u).unwrap();
        if t <= limit_ms {
            assert!(iso.contains(g.coord(u)), "node {u} at {t} ms must be inside");
            inside += 1;
        } else if t >= limit_ms + max_arc / 2 {
            // Any road piece drawn towards it stops at least half a block (≥ 50 m) short.
            assert!(!iso.contains(g.coord(u)), "node {u} at {t} ms must be outside");
            outside += 1;
        }
    }
    assert_eq!(inside, iso.reached_nodes);
    assert!(outside > 100, "{outside}");
    // Area: a band of 2 × 30 m around the reached roads, roughly.
    assert!(iso.area_m2 > 0.0 && iso.area_m2 < 2.0 * 30.0 * 150.0 * 4.17 * 60.0 * 2.0);
}

#[test]
fn geojson_feature_and_simplification() {
    let spec = GridSpec { side: 11, ..Default::default() };
    let g = grid(&spec, TravelMode::Ebike).unwrap();
    let station = Snapper::new(g.clone()).snap(g.coord(60), &SnapOptions::default()).unwrap();
    let fine = isochrone(&g, &station, 100.0, &IsochroneOptions { simplify_m: 0.0, ..Default::default() });
    let coarse = isochrone(&g, &station, 100.0, &IsochroneOptions::default());
    let count = |m: &MultiPolygon<f64>| m.0.iter().map(|p| p.exterior().0.len()).sum::<usize>();
    assert!(count(&coarse.polygon) < count(&fine.polygon));
    assert!((coarse.area_m2 - fine.area_m2).abs() < 0.05 * fine.area_m2);
    let mut extra = serde_json::Map::new();
    extra.insert("station_id".into(), 7.into());
    extra.insert("mode".into(), "ebike".into());
    let f = coarse.to_feature(extra);
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["type"], "Feature");
    assert_eq!(json["geometry"]["type"], "MultiPolygon");
    assert_eq!(json["properties"]["station_id"], 7);
    assert_eq!(json["properties"]["limit_s"], 100.0);
    assert_eq!(json["properties"]["method"], "road_buffer_union");
    let ring = &json["geometry"]["coordinates"][0][0];
    assert!(ring.as_array().unwrap().len() >= 4);
    let lon = ring[0][0].as_f64().unwrap();
    assert!((116.79..116.82).contains(&lon), "WGS-84 degrees, got {lon}");
}

#[test]
fn zero_limit_is_a_dot_and_forward_differs_on_one_ways() {
    let spec = GridSpec { side: 5, ..Default::default() };
    let g = grid(&spec, TravelMode::Ebike).unwrap();
    let station = Snapper::new(g.clone()).snap(g.coord(12), &SnapOptions::default()).unwrap();
    let dot = isochrone(&g, &station, 0.0, &IsochroneOptions::default());
    assert!(dot.contains(station.on_road));
    assert!(!dot.contains(g.coord(13)));
    // On the grid each direction has its own random time, so the two isochrones differ.
    let back = isochrone(&g, &station, 60.0, &IsochroneOptions::default());
    let fwd = isochrone(&g, &station, 60.0, &IsochroneOptions { direction: Direction::Forward, ..Default::default() });
    assert_ne!(back.polygon, fwd.polygon);
}

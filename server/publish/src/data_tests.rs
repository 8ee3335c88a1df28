#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::json;

/// A saved-analysis body of `n` × `n` small squares (0.01° apart, 0.008° wide) from (116, 35).
fn grid_body(n: usize) -> Value {
    let mut features = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let (w, s) = (116.0 + i as f64 * 0.01, 35.0 + j as f64 * 0.01);
            let ring = vec![[w, s], [w + 0.008, s], [w + 0.008, s + 0.008], [w, s + 0.008], [w, s]];
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"h3": format!("{i:03}{j:03}"), "class": "within_10", "demand": 1.0},
            }));
        }
    }
    json!({"cells": {"type": "FeatureCollection", "features": features}, "minutes": [10, 15]})
}

/// The tree answers exactly the cells whose bounding box meets the query box: compared with a
/// scan of every cell for many boxes.
#[test]
fn cells_meeting_a_box_match_a_scan_of_every_cell() {
    let a = parse_analysis("cov_test", &grid_body(30)).unwrap();
    assert_eq!(a.cells.len(), 900);
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..200 {
        let (x, y) = (115.95 + next() * 0.4, 34.95 + next() * 0.4);
        let (w, h) = (next() * 0.1, next() * 0.1);
        let bbox = BBox { min_lon: x, min_lat: y, max_lon: x + w, max_lat: y + h };
        let scan: Vec<usize> = a
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let ring = &c.polygon.0[0].exterior().0;
                let (min_x, max_x) = ring.iter().fold((f64::MAX, f64::MIN), |m, p| (m.0.min(p.x), m.1.max(p.x)));
                let (min_y, max_y) = ring.iter().fold((f64::MAX, f64::MIN), |m, p| (m.0.min(p.y), m.1.max(p.y)));
                min_x <= bbox.max_lon && max_x >= bbox.min_lon && min_y <= bbox.max_lat && max_y >= bbox.min_lat
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(a.cells_meeting(&bbox), scan, "{bbox:?}");
    }
}

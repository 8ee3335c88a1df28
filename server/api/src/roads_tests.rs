#![allow(clippy::unwrap_used)]

use super::*;
use yizhan_planner::network::graph::ArcInput;

fn arc(from: u32, to: u32, len: f32, kmh: f64) -> ArcInput {
    ArcInput { from, to, time_ms: (f64::from(len) / (kmh / 3.6) * 1000.0).round() as u32, length_m: len }
}

#[test]
fn classes_follow_the_mode_speed_bands() {
    assert_eq!(RoadClass::of(TravelMode::Ebike, 18.0), RoadClass::Major);
    assert_eq!(RoadClass::of(TravelMode::Ebike, 15.0), RoadClass::Major);
    assert_eq!(RoadClass::of(TravelMode::Ebike, 12.0), RoadClass::Minor);
    assert_eq!(RoadClass::of(TravelMode::Ebike, 8.0), RoadClass::Path);
    assert_eq!(RoadClass::of(TravelMode::Car, 48.0), RoadClass::Major);
    assert_eq!(RoadClass::of(TravelMode::Car, 24.0), RoadClass::Path);
    assert_eq!(RoadClass::of(TravelMode::Walk, 4.32), RoadClass::Minor);
    assert_eq!(RoadClass::of(TravelMode::Walk, 2.16), RoadClass::Path);
}

#[test]
fn segments_merge_into_lines_at_plain_nodes_only() {
    // 0 — 1 — 2 — 3 along a parallel, two-way at 15 km/h; 1 is a plain node (merged away), 2 a
    // junction with a one-way branch 2 → 4; 3 — 5 is slower (a different class), so 3 ends a line.
    let p = |i: f64, j: f64| LonLat::new(24.94 + i * 0.001, 60.17 + j * 0.0005).unwrap();
    let coords = vec![p(0.0, 0.0), p(1.0, 0.0), p(2.0, 0.0), p(3.0, 0.0), p(2.0, 1.0), p(4.0, 0.0)];
    let arcs = vec![
        arc(0, 1, 55.0, 15.0),
        arc(1, 0, 55.0, 15.0),
        arc(1, 2, 55.0, 15.0),
        arc(2, 1, 55.0, 15.0),
        arc(2, 3, 55.0, 15.0),
        arc(3, 2, 55.0, 15.0),
        arc(2, 4, 55.0, 15.0),
        arc(3, 5, 55.0, 8.0),
        arc(5, 3, 55.0, 8.0),
    ];
    let g = Graph::new(TravelMode::Ebike, coords.clone(), Vec::new(), arcs).unwrap();
    let lines = build_lines(&g);
    let summary: Vec<(Vec<[f64; 2]>, RoadClass, bool)> = lines
        .iter()
        .map(|l| (l.feature.geometry.coordinates.clone(), l.feature.properties.class, l.feature.properties.oneway))
        .collect();
    let c = |i: usize| [round6(coords[i].lon), round6(coords[i].lat)];
    assert_eq!(
        summary,
        vec![
            (vec![c(0), c(2)], RoadClass::Major, false), // 0-1-2, the straight middle node simplified away
            (vec![c(2), c(3)], RoadClass::Major, false),
            (vec![c(2), c(4)], RoadClass::Major, true),
            (vec![c(3), c(5)], RoadClass::Path, false),
        ]
    );
    assert!(lines.iter().all(|l| l.feature.properties.speed_kmh <= 15.1));
    assert_eq!(lines[3].feature.properties.speed_kmh, 8.0);
}

#[test]
fn a_closed_ring_is_one_line_and_bends_survive_simplification() {
    // A square block 0-1-2-3-0, 100 m sides: every node is plain, so one closed line.
    let p = |i: f64, j: f64| LonLat::new(24.94 + i * 0.0018, 60.17 + j * 0.0009).unwrap();
    let coords = vec![p(0.0, 0.0), p(1.0, 0.0), p(1.0, 1.0), p(0.0, 1.0)];
    let mut arcs = Vec::new();
    for (a, b) in [(0, 1), (1, 2), (2, 3), (3, 0)] {
        arcs.push(arc(a, b, 100.0, 15.0));
        arcs.push(arc(b, a, 100.0, 15.0));
    }
    let g = Graph::new(TravelMode::Ebike, coords, Vec::new(), arcs).unwrap();
    let lines = build_lines(&g);
    assert_eq!(lines.len(), 1);
    let pts = &lines[0].feature.geometry.coordinates;
    assert_eq!(pts.len(), 5, "{pts:?}");
    assert_eq!(pts.first(), pts.last());
}

#[test]
fn simplify_drops_only_points_within_tolerance() {
    let base = LonLat::new(24.94, 60.17).unwrap();
    let (kx, ky) = (111_320.0 * base.lat.to_radians().cos(), 110_950.0);
    let at = |x: f64, y: f64| LonLat::new(base.lon + x / kx, base.lat + y / ky).unwrap();
    let line = [at(0.0, 0.0), at(50.0, 1.0), at(100.0, 0.0), at(150.0, 5.0), at(200.0, 0.0)];
    let s = simplify(&line, 2.0);
    assert_eq!(s, vec![line[0], line[2], line[3], line[4]]);
    assert_eq!(simplify(&line, 10.0), vec![line[0], line[4]]);
    assert_eq!(simplify(&line[..2], 10.0), line[..2].to_vec());
}

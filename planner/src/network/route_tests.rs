#![allow(clippy::unwrap_used)]
use super::*;
use crate::eta::TravelMode;
use crate::network::graph::ArcInput;
use crate::network::snap::{SnapOptions, Snapper};

/// A street 0–1–2–3 along 60.17° N, 0.001° (≈ 55.6 m) apart, two-way at 10 s per block except
/// 2→1 which is one-way 1→2 only; node 4 on an island far east (joined to 5).
fn street() -> Graph {
    let coords = (0..4)
        .map(|i| LonLat::new(24.90 + f64::from(i) * 0.001, 60.17).unwrap())
        .chain([LonLat::new(24.95, 60.17).unwrap(), LonLat::new(24.951, 60.17).unwrap()])
        .collect();
    let a = |from, to, ms| ArcInput { from, to, time_ms: ms, length_m: 55.6 };
    Graph::new(
        TravelMode::Car,
        coords,
        Vec::new(),
        vec![
            a(0, 1, 10_000),
            a(1, 0, 10_000),
            a(1, 2, 10_000),
            a(2, 3, 10_000),
            a(3, 2, 10_000),
            a(4, 5, 1),
            a(5, 4, 1),
        ],
    )
    .unwrap()
}

fn at(g: &Graph, lon: f64) -> Snap {
    Snapper::new(g.clone()).snap(LonLat::new(lon, 60.17).unwrap(), &SnapOptions::default()).unwrap()
}

#[test]
fn finds_k_nearest_by_time_with_routes() {
    let g = street();
    let origin = at(&g, 24.9005); // middle of block 0–1
    let targets = vec![
        Some(at(&g, 24.9025)), // middle of block 2–3: 5 s to 1, 10 s 1→2, 5 s = 20 s
        None,                  // not snapped
        Some(at(&g, 24.9003)), // same block, ahead of the origin? no: behind (west), 2 s back
        Some(at(&g, 24.951)),  // island
        Some(at(&g, 24.9015)), // middle of block 1–2: 5 s + 5 s = 10 s
    ];
    let hits = nearest_by_time(&g, &origin, &targets, 3, None);
    let got: Vec<(usize, f64)> = hits.iter().map(|h| (h.target, h.time_s)).collect();
    assert_eq!(got, vec![(2, 2.0), (4, 10.0), (0, 20.0)]);
    // Route geometry: origin point … nodes 1, 2 … station point.
    let r = &hits[2];
    assert_eq!(r.geometry.first(), Some(&origin.point));
    assert_eq!(r.geometry.last(), Some(&targets[0].unwrap().point));
    assert_eq!(&r.geometry[1..3], &[g.coord(1), g.coord(2)]);
    let block = crate::network::segment_length_m(g.coord(0), g.coord(1));
    assert!((r.distance_m - (0.5 * block + 55.6 + 0.5 * block)).abs() < 0.01, "{}", r.distance_m);
    // The direct same-block route has the two points only (and no node).
    assert_eq!(hits[0].geometry.len(), 2);
    assert!((hits[0].distance_m - 0.2 * block).abs() < 1e-6);
    // All of them, the island never.
    let all = nearest_by_time(&g, &origin, &targets, 10, None);
    assert_eq!(all.len(), 3);
    // A time limit.
    let near = nearest_by_time(&g, &origin, &targets, 10, Some(10.0));
    assert_eq!(near.iter().map(|h| h.target).collect::<Vec<_>>(), vec![2, 4]);
    assert!(nearest_by_time(&g, &origin, &targets, 0, None).is_empty());
}

#[test]
fn one_way_forces_a_detour_or_blocks() {
    let g = street();
    // From block 2–3 back west to block 0–1: 2→1 is closed, so it cannot be reached at all.
    let origin = at(&g, 24.9025);
    let targets = vec![Some(at(&g, 24.9005)), Some(at(&g, 24.9028))];
    let hits = nearest_by_time(&g, &origin, &targets, 2, None);
    assert_eq!(hits.iter().map(|h| (h.target, h.time_s)).collect::<Vec<_>>(), vec![(1, 3.0)]);
}

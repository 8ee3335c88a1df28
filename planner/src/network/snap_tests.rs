#![allow(clippy::unwrap_used)]
use super::*;
use crate::eta::TravelMode;
use crate::network::graph::ArcInput;

/// Nodes 0 (24.90, 60.17) and 1 (24.91, 60.17): a 555 m east–west segment; node 2 on a far
/// island 0.1° east joined to node 3; node 4 0.01° west of node 0, joined both ways.
fn graph(one_way: bool) -> Graph {
    let coords = vec![
        LonLat::new(24.90, 60.17).unwrap(),
        LonLat::new(24.91, 60.17).unwrap(),
        LonLat::new(25.00, 60.17).unwrap(),
        LonLat::new(25.001, 60.17).unwrap(),
        LonLat::new(24.89, 60.17).unwrap(),
    ];
    let mut arcs = vec![ArcInput { from: 0, to: 1, time_ms: 100_000, length_m: 555.0 }];
    if !one_way {
        arcs.push(ArcInput { from: 1, to: 0, time_ms: 200_000, length_m: 555.0 });
    }
    arcs.push(ArcInput { from: 0, to: 4, time_ms: 100_000, length_m: 555.0 });
    arcs.push(ArcInput { from: 4, to: 0, time_ms: 100_000, length_m: 555.0 });
    arcs.push(ArcInput { from: 2, to: 3, time_ms: 10_000, length_m: 55.0 });
    arcs.push(ArcInput { from: 3, to: 2, time_ms: 10_000, length_m: 55.0 });
    Graph::new(TravelMode::Car, coords, Vec::new(), arcs).unwrap()
}

#[test]
fn projects_onto_the_segment_with_offroad_walk() {
    let g = graph(false);
    let s = Snapper::new(g.clone());
    assert_eq!(s.segment_count(), 3);
    // A quarter of the way from node 0, 20 m north (1° of latitude ≈ 111 360 m at 60.17° N).
    let p = LonLat::new(24.9025, 60.17 + 20.0 / 111_360.0).unwrap();
    let snap = s.snap(p, &SnapOptions::default()).unwrap();
    assert_eq!((snap.u, snap.v, snap.component), (0, 1, 0));
    assert!((snap.t - 0.25).abs() < 1e-9, "t = {}", snap.t);
    assert!((snap.offroad_m - 20.0).abs() < 0.05, "offroad {}", snap.offroad_m);
    assert_eq!(snap.offroad_ms, secs_to_ms(snap.offroad_m / 1.2));
    assert!((snap.on_road.lon - 24.9025).abs() < 1e-9 && (snap.on_road.lat - 60.17).abs() < 1e-12);
    let off = snap.offroad_ms;
    // From the point: to node 0 against 1→0 (¼ of 200 s), to node 1 along 0→1 (¾ of 100 s).
    assert_eq!(snap.links(&g, Direction::Forward), vec![(0, off + 50_000), (1, off + 75_000)]);
    // To the point: from node 0 along 0→1 (¼ of 100 s), from node 1 along 1→0 (¾ of 200 s).
    assert_eq!(snap.links(&g, Direction::Backward), vec![(0, off + 25_000), (1, off + 150_000)]);
    let seeds = snap.seeds(&g, Direction::Backward, 7);
    assert_eq!(seeds[1], Seed { node: 1, time_ms: off + 150_000, source: 7 });
    assert!((snap.along_m(&g, 0) - 0.25 * segment_length_m(g.coord(0), g.coord(1))).abs() < 1e-9);
}

#[test]
fn one_way_segments_link_only_allowed_directions() {
    let g = graph(true);
    let s = Snapper::new(g.clone());
    let snap = s.snap(LonLat::new(24.905, 60.17).unwrap(), &SnapOptions::default()).unwrap();
    assert_eq!(snap.offroad_ms, 0);
    assert_eq!(snap.links(&g, Direction::Forward), vec![(1, 50_000)]);
    assert_eq!(snap.links(&g, Direction::Backward), vec![(0, 50_000)]);
    // Exactly on node 1: joined to it whatever the arcs say.
    let at_node = s.snap(LonLat::new(24.91, 60.17).unwrap(), &SnapOptions::default()).unwrap();
    assert_eq!(at_node.t, 1.0);
    assert_eq!(at_node.links(&g, Direction::Forward), vec![(1, 0)]);
    assert_eq!(at_node.links(&g, Direction::Backward), vec![(0, 100_000), (1, 0)]);
    // Beyond the end of the segment: clamped to the end node, the rest walked.
    let beyond = s.snap(LonLat::new(24.911, 60.17).unwrap(), &SnapOptions::default()).unwrap();
    assert_eq!((beyond.u, beyond.v, beyond.t), (0, 1, 1.0));
    assert!((beyond.offroad_m - 55.5).abs() < 0.2, "{}", beyond.offroad_m);
}

#[test]
fn respects_maximum_distance_and_island_size() {
    let g = graph(false);
    let s = Snapper::new(g.clone());
    let p = LonLat::new(24.905, 60.17 + 300.0 / 111_360.0).unwrap();
    assert!(s.snap(p, &SnapOptions::default()).is_none(), "300 m is beyond the 250 m default");
    let far = SnapOptions { max_distance_m: 400.0, ..Default::default() };
    assert!((s.snap(p, &far).unwrap().offroad_m - 300.0).abs() < 0.5);
    assert!(s.snap(p, &SnapOptions { max_distance_m: f64::NAN, ..Default::default() }).is_none());
    // Next to the 2-node island: snapped there unless small islands are excluded.
    let q = LonLat::new(25.0005, 60.1701).unwrap();
    assert_eq!(s.snap(q, &SnapOptions::default()).unwrap().component, 1);
    let big_only = SnapOptions { max_distance_m: 10_000.0, min_component_nodes: 3, ..Default::default() };
    let snapped = s.snap(q, &big_only).unwrap();
    assert_eq!((snapped.u, snapped.v, snapped.t), (0, 1, 1.0));
    // Slower off-road speed, longer off-road time.
    let slow = SnapOptions { offroad_speed_m_s: 0.6, ..Default::default() };
    let a = s.snap(q, &SnapOptions::default()).unwrap();
    let b = s.snap(q, &slow).unwrap();
    assert_eq!(b.offroad_ms, secs_to_ms(a.offroad_m / 0.6));
    assert_eq!(s.snap_all(&[q, p], &SnapOptions::default()).iter().filter(|x| x.is_some()).count(), 1);
}

#[test]
fn matches_brute_force_on_a_grid() {
    use rand::{Rng, SeedableRng};
    let spec = crate::network::grid::GridSpec { side: 6, ..Default::default() };
    let g = crate::network::grid::grid(&spec, TravelMode::Walk).unwrap();
    let s = Snapper::new(g.clone());
    assert_eq!(s.segment_count(), 2 * 6 * 5);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let opts = SnapOptions { max_distance_m: 500.0, ..Default::default() };
    for _ in 0..200 {
        let p = LonLat::new(
            spec.origin.lon + rng.random_range(-0.001..0.007),
            spec.origin.lat + rng.random_range(-0.001..0.006),
        )
        .unwrap();
        let got = s.snap(p, &opts).unwrap();
        assert!((got.offroad_m - segment_length_m(p, got.on_road)).abs() < 1e-9);
        // Brute force: sample every segment every 2 m.
        let mut best = f64::INFINITY;
        for (u, v, _, _) in g.iter_arcs() {
            let (a, b) = (g.coord(u), g.coord(v));
            for i in 0..=50 {
                let f = f64::from(i) / 50.0;
                let q = LonLat { lon: a.lon + f * (b.lon - a.lon), lat: a.lat + f * (b.lat - a.lat) };
                best = best.min(segment_length_m(p, q));
            }
        }
        assert!(got.offroad_m <= best + 1e-6, "{p:?}: snapped {} m, brute force {best} m", got.offroad_m);
        assert!(got.offroad_m >= best - 1.0, "{p:?}: snapped {} m, brute force {best} m", got.offroad_m);
    }
}

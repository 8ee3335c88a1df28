#![allow(clippy::unwrap_used)]
use super::*;
use crate::eta::TravelMode;
use crate::geodesy::LonLat;
use crate::network::graph::ArcInput;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A graph on `n` nodes spaced along a parallel, with arcs `(from, to, ms)`.
pub(crate) fn hand_graph(n: u32, arcs: &[(u32, u32, u32)]) -> Graph {
    let coords = (0..n).map(|i| LonLat::new(24.9 + f64::from(i) * 0.001, 60.17).unwrap()).collect();
    let arcs = arcs
        .iter()
        .map(|&(from, to, time_ms)| ArcInput { from, to, time_ms, length_m: time_ms as f32 / 1000.0 })
        .collect();
    Graph::new(TravelMode::Car, coords, Vec::new(), arcs).unwrap()
}

fn seed(node: u32, time_ms: u32, source: u32) -> Seed {
    Seed { node, time_ms, source }
}

/// Reference: Bellman–Ford over lexicographic (time, source) labels.
fn brute(g: &Graph, dir: Direction, seeds: &[Seed], limit: Option<u32>) -> Vec<Option<(u32, u32)>> {
    let n = g.node_count();
    let mut lab: Vec<Option<(u64, u32)>> = vec![None; n];
    for s in seeds {
        let l = (u64::from(s.time_ms), s.source);
        if lab[s.node as usize].is_none_or(|x| l < x) {
            lab[s.node as usize] = Some(l);
        }
    }
    loop {
        let mut changed = false;
        for u in 0..n as u32 {
            let Some((t, s)) = lab[u as usize] else { continue };
            for a in g.arcs(dir, u) {
                let l = (t + u64::from(a.time_ms), s);
                if lab[a.head as usize].is_none_or(|x| l < x) {
                    lab[a.head as usize] = Some(l);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let lim = u64::from(limit.unwrap_or(u32::MAX - 1));
    lab.into_iter().map(|l| l.filter(|&(t, _)| t <= lim).map(|(t, s)| (t as u32, s))).collect()
}

fn labels(t: &Tree) -> Vec<Option<(u32, u32)>> {
    (0..t.len() as u32).map(|u| t.time_ms(u).map(|x| (x, t.source(u).unwrap()))).collect()
}

#[test]
fn one_way_streets_give_direction_dependent_times() {
    // 0 → 1 → 2 one way (10 s each), 2 ↔ 0 two-way but slow (100 s).
    let g = hand_graph(3, &[(0, 1, 10_000), (1, 2, 10_000), (2, 0, 100_000), (0, 2, 100_000)]);
    let fwd = search(&g, Direction::Forward, &[seed(0, 0, 0)], Options::default());
    assert_eq!([fwd.time_ms(0), fwd.time_ms(1), fwd.time_ms(2)], [Some(0), Some(10_000), Some(20_000)]);
    // Towards node 0: from 1 you must go 1 → 2 → 0.
    let bwd = nearest_field(&g, &[seed(0, 0, 0)]);
    assert_eq!([bwd.time_ms(0), bwd.time_ms(1), bwd.time_ms(2)], [Some(0), Some(110_000), Some(100_000)]);
    assert_eq!(bwd.time_s(1), Some(110.0));
}

#[test]
fn islands_are_never_joined() {
    // Main network 0-1-2, island 3-4, lone node 5.
    let g = hand_graph(6, &[(0, 1, 5), (1, 0, 5), (1, 2, 7), (2, 1, 7), (3, 4, 3), (4, 3, 3)]);
    let c = g.components();
    assert_eq!(c.sizes, vec![3, 2, 1]);
    assert_eq!(c.label, vec![0, 0, 0, 1, 1, 2]);
    let t = nearest_field(&g, &[seed(3, 0, 0)]);
    assert_eq!(labels(&t), vec![None, None, None, Some((0, 0)), Some((3, 0)), None]);
    assert_eq!(t.reached_count(), 2);
    let t = nearest_field(&g, &[seed(0, 0, 0), seed(4, 1, 1)]);
    assert_eq!(labels(&t), vec![Some((0, 0)), Some((5, 0)), Some((12, 0)), Some((4, 1)), Some((1, 1)), None]);
}

#[test]
fn ties_go_to_the_smallest_source_index() {
    // A path 0-1-2-3-4 with sources at both ends; node 2 is equidistant.
    let arcs: Vec<(u32, u32, u32)> = (0..4).flat_map(|i| [(i, i + 1, 10), (i + 1, i, 10)]).collect();
    let g = hand_graph(5, &arcs);
    let t = nearest_field(&g, &[seed(4, 0, 3), seed(0, 0, 7)]);
    assert_eq!(labels(&t), vec![Some((0, 7)), Some((10, 7)), Some((20, 3)), Some((10, 3)), Some((0, 3))]);
    let t = nearest_field(&g, &[seed(4, 0, 7), seed(0, 0, 3)]);
    assert_eq!(t.source(2), Some(3));
    // Zero-time arcs: the tie must still resolve to the smaller source.
    let g = hand_graph(3, &[(0, 1, 0), (1, 0, 0), (1, 2, 0), (2, 1, 0)]);
    let t = nearest_field(&g, &[seed(2, 0, 9), seed(0, 0, 4)]);
    assert_eq!(labels(&t), vec![Some((0, 4)), Some((0, 4)), Some((0, 4))]);
}

#[test]
fn seeds_with_starting_times_and_limits() {
    let arcs: Vec<(u32, u32, u32)> = (0..4).flat_map(|i| [(i, i + 1, 100), (i + 1, i, 100)]).collect();
    let g = hand_graph(5, &arcs);
    // Source 0 starts 250 ms late at node 0; source 1 at node 4 on time.
    let t = nearest_field(&g, &[seed(0, 250, 0), seed(4, 0, 1)]);
    assert_eq!(labels(&t), vec![Some((250, 0)), Some((300, 1)), Some((200, 1)), Some((100, 1)), Some((0, 1))]);
    let t = search(&g, Direction::Forward, &[seed(2, 0, 0)], Options { max_time_ms: Some(100), predecessors: false });
    assert_eq!(labels(&t), vec![None, Some((100, 0)), Some((0, 0)), Some((100, 0)), None]);
    // A seed beyond the limit is no seed.
    let t = search(&g, Direction::Forward, &[seed(2, 101, 0)], Options { max_time_ms: Some(100), predecessors: false });
    assert_eq!(t.reached_count(), 0);
    // Out-of-range seeds are ignored.
    assert_eq!(nearest_field(&g, &[seed(99, 0, 0)]).reached_count(), 0);
}

#[test]
fn paths_follow_predecessors_in_travel_order() {
    let g = hand_graph(4, &[(0, 1, 10), (1, 2, 10), (2, 3, 10), (0, 3, 50), (3, 0, 1)]);
    let opts = Options { max_time_ms: None, predecessors: true };
    let f = search(&g, Direction::Forward, &[seed(0, 0, 0)], opts);
    assert_eq!(f.path(3), Some(vec![0, 1, 2, 3]));
    assert_eq!(f.predecessor(3), Some(2));
    assert_eq!(f.path(0), Some(vec![0]));
    let b = search(&g, Direction::Backward, &[seed(0, 0, 0)], opts);
    // From 2 to 0: 2 → 3 → 0.
    assert_eq!(b.path(2), Some(vec![2, 3, 0]));
    assert_eq!(b.time_ms(2), Some(11));
    assert_eq!(nearest_field(&g, &[seed(0, 0, 0)]).path(2), None, "no predecessors recorded");
}

#[test]
fn early_stop_reports_only_settled_nodes() {
    let arcs: Vec<(u32, u32, u32)> = (0..9).map(|i| (i, i + 1, 10)).collect();
    let g = hand_graph(10, &arcs);
    let mut seen = Vec::new();
    let t = search_with(&g, Direction::Forward, &[seed(0, 0, 0)], Options::default(), |u, ms, _| {
        seen.push((u, ms));
        if u == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    assert_eq!(seen, vec![(0, 0), (1, 10), (2, 20), (3, 30)]);
    assert_eq!(t.time_ms(3), Some(30));
    assert_eq!(t.time_ms(4), None, "node 4 had only a provisional label");
}

#[test]
fn random_graphs_match_bellman_ford() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for case in 0..200 {
        let n = rng.random_range(1..40u32);
        let m = rng.random_range(0..(n * 4));
        let zero_heavy = case % 3 == 0;
        let arcs: Vec<(u32, u32, u32)> = (0..m)
            .map(|_| {
                let w = if zero_heavy { rng.random_range(0..3) } else { rng.random_range(0..1000) };
                (rng.random_range(0..n), rng.random_range(0..n), w)
            })
            .collect();
        let g = hand_graph(n, &arcs);
        let k = rng.random_range(1..5);
        let seeds: Vec<Seed> =
            (0..k).map(|i| seed(rng.random_range(0..n), rng.random_range(0..50), (i * 7 + case) % 5)).collect();
        let limit = (case % 4 == 0).then(|| rng.random_range(0..2000));
        for dir in [Direction::Forward, Direction::Backward] {
            let expect = brute(&g, dir, &seeds, limit);
            for pred in [false, true] {
                let opts = Options { max_time_ms: limit, predecessors: pred };
                let t = search(&g, dir, &seeds, opts);
                assert_eq!(labels(&t), expect, "case {case} {dir:?}");
                assert_eq!(t.reached_count(), expect.iter().flatten().count());
                let t2 = search_with(&g, dir, &seeds, opts, |_, _, _| ControlFlow::Continue(()));
                assert_eq!(labels(&t2), expect, "unbatched case {case} {dir:?}");
                if pred {
                    // Every path's arc times add up to the node's time minus its seed's start.
                    for u in 0..n {
                        let Some(p) = t.path(u) else { continue };
                        let seed_node = if dir == Direction::Forward { p[0] } else { p[p.len() - 1] };
                        let start = seeds
                            .iter()
                            .filter(|s| s.node == seed_node && s.source == t.source(u).unwrap())
                            .map(|s| s.time_ms)
                            .min()
                            .unwrap();
                        let sum: u32 = p.windows(2).map(|w| g.arc(w[0], w[1]).unwrap().0).sum();
                        assert_eq!(start + sum, t.time_ms(u).unwrap(), "case {case} node {u}");
                    }
                }
            }
        }
    }
}

#[test]
fn field_on_a_grid_matches_bellman_ford() {
    let spec = crate::network::grid::GridSpec { side: 30, ..Default::default() };
    let g = crate::network::grid::grid(&spec, TravelMode::Ebike).unwrap();
    let seeds: Vec<Seed> = crate::network::grid::random_nodes(g.node_count(), 12, 5)
        .into_iter()
        .enumerate()
        .map(|(i, node)| seed(node, 0, i as u32))
        .collect();
    assert!(g.min_arc_time_ms() > 20_000, "large smallest arc: settled in batches");
    assert_eq!(labels(&nearest_field(&g, &seeds)), brute(&g, Direction::Backward, &seeds, None));
    // Staggered starts, several seeds per source, a limit, both directions.
    let seeds: Vec<Seed> =
        seeds.iter().enumerate().map(|(i, s)| seed(s.node, (i as u32 * 7919) % 50_000, s.source % 5)).collect();
    for dir in [Direction::Forward, Direction::Backward] {
        let opts = Options { max_time_ms: Some(150_000), predecessors: true };
        assert_eq!(labels(&search(&g, dir, &seeds, opts)), brute(&g, dir, &seeds, Some(150_000)));
    }
}

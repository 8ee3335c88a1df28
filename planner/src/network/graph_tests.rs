#![allow(clippy::unwrap_used)]
use super::*;
use crate::network::dijkstra::tests::hand_graph;

fn arc(from: u32, to: u32, time_ms: u32, length_m: f32) -> ArcInput {
    ArcInput { from, to, time_ms, length_m }
}

fn coords(n: usize) -> Vec<LonLat> {
    (0..n).map(|i| LonLat::new(116.8 + i as f64 * 1e-3, 35.55).unwrap()).collect()
}

#[test]
fn builds_csr_both_ways_merging_parallel_arcs() {
    let g = Graph::new(
        TravelMode::Walk,
        coords(4),
        vec![10, 20, 30, 40],
        vec![arc(2, 1, 5, 5.0), arc(0, 1, 9, 9.0), arc(0, 1, 7, 7.5), arc(0, 2, 3, 3.0), arc(3, 3, 1, 1.0)],
    )
    .unwrap();
    assert_eq!(g.node_count(), 4);
    assert_eq!(g.arc_count(), 3, "parallel 0→1 merged, self-loop 3→3 dropped");
    assert_eq!(g.out_arcs(0), &[Arc { head: 1, time_ms: 7 }, Arc { head: 2, time_ms: 3 }]);
    assert_eq!(g.arc(0, 1), Some((7, 7.5)));
    assert_eq!(g.arc(1, 0), None);
    assert_eq!(g.arc(9, 0), None);
    assert_eq!(g.in_arcs(1), &[Arc { head: 0, time_ms: 7 }, Arc { head: 2, time_ms: 5 }]);
    assert_eq!(g.arcs(Direction::Backward, 2), &[Arc { head: 0, time_ms: 3 }]);
    assert!(g.out_arcs(3).is_empty() && g.in_arcs(3).is_empty());
    assert_eq!(g.osm_id(2), Some(30));
    assert_eq!(g.min_arc_time_ms(), 3);
    assert_eq!(g.iter_arcs().collect::<Vec<_>>(), vec![(0, 1, 7, 7.5), (0, 2, 3, 3.0), (2, 1, 5, 5.0)]);
    assert_eq!(g.components().sizes, vec![3, 1]);
    assert!(g.heap_bytes() > 0);
}

#[test]
fn rejects_bad_input() {
    assert!(matches!(
        Graph::new(TravelMode::Car, coords(2), Vec::new(), vec![arc(0, 2, 1, 1.0)]),
        Err(NetworkError::Invalid(_))
    ));
    assert!(matches!(Graph::new(TravelMode::Car, coords(2), vec![1], Vec::new()), Err(NetworkError::Invalid(_))));
}

pub(crate) fn sample() -> Graph {
    Graph::new(
        TravelMode::Ebike,
        coords(5),
        vec![101, 102, 103, 104, 105],
        vec![arc(0, 1, 1000, 4.5), arc(1, 0, 1200, 4.5), arc(1, 2, 70, 0.3), arc(3, 4, 5, 0.01)],
    )
    .unwrap()
}

#[test]
fn binary_round_trip_is_exact() {
    let g = sample();
    let stamp = SourceStamp { size: 685_110, crc32: 0xDEAD_BEEF, mtime_s: 1_700_000_000 };
    let bytes = g.to_bytes(stamp);
    let (back, s) = Graph::read_from(&bytes).unwrap();
    assert_eq!(back, g);
    assert_eq!(s, stamp);
    assert_eq!(Graph::peek_stamp(&bytes), Some((TravelMode::Ebike, stamp)));
    // A synthetic graph (no OSM ids) too.
    let h = hand_graph(3, &[(0, 1, 4), (2, 0, 9)]);
    let bytes = h.to_bytes(SourceStamp::default());
    assert_eq!(Graph::read_from(&bytes).unwrap().0, h);
}

#[test]
fn damaged_or_foreign_bytes_are_rejected() {
    let g = sample();
    let bytes = g.to_bytes(SourceStamp::default());
    let mut flipped = bytes.clone();
    flipped[60] ^= 1;
    assert!(matches!(Graph::read_from(&flipped), Err(NetworkError::Format(m)) if m.contains("checksum")));
    assert!(Graph::read_from(&bytes[..bytes.len() - 9]).is_err());
    assert!(Graph::read_from(&[]).is_err());
    // Another format version with a valid checksum.
    let mut other = bytes[..bytes.len() - 4].to_vec();
    other[8] = 99;
    let crc = crc32fast::hash(&other);
    other.extend_from_slice(&crc.to_le_bytes());
    assert!(matches!(Graph::read_from(&other), Err(NetworkError::Format(m)) if m.contains("version")));
    assert_eq!(Graph::peek_stamp(&other), None);
}

#[test]
fn components_are_weak_and_ordered_by_size() {
    // One-way chain 0→1→2 is one island even though 2 cannot reach 0.
    let g = hand_graph(7, &[(0, 1, 1), (1, 2, 1), (5, 6, 1), (6, 5, 1), (3, 4, 1)]);
    let c = g.components();
    assert_eq!(c.sizes, vec![3, 2, 2]);
    assert_eq!(c.label, vec![0, 0, 0, 1, 1, 2, 2]);
}

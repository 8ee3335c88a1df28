#![allow(clippy::unwrap_used)]
use super::*;
use crate::network::segment_length_m;

#[test]
fn grid_family_shape() {
    let spec = GridSpec { side: 20, ..Default::default() };
    let g = grid(&spec, TravelMode::Ebike).unwrap();
    assert_eq!(g.node_count(), 400);
    assert_eq!(g.arc_count(), 4 * 20 * 19);
    assert_eq!(g.components().sizes, vec![400]);
    // Neighbours are 100 m apart on the ground.
    assert!((segment_length_m(g.coord(0), g.coord(1)) - 100.0).abs() < 0.01);
    assert!((segment_length_m(g.coord(0), g.coord(20)) - 100.0).abs() < 0.01);
    let mut lengths = Vec::new();
    for (u, v, t, l) in g.iter_arcs() {
        let (ru, cu, rv, cv) = (u / 20, u % 20, v / 20, v % 20);
        assert_eq!(ru.abs_diff(rv) + cu.abs_diff(cv), 1, "{u}→{v} is not a lattice step");
        assert!((100.0..150.0).contains(&l), "length {l}");
        assert!(t.abs_diff(crate::network::secs_to_ms(f64::from(l) / spec.speed_m_s)) <= 1, "{t} ms for {l} m");
        lengths.push(l);
    }
    // U(1, 1.5): mean 125 m; both directions drawn independently.
    let mean = lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / lengths.len() as f64;
    assert!((mean - 125.0).abs() < 2.0, "mean {mean}");
    assert_ne!(g.arc(0, 1).unwrap().0, g.arc(1, 0).unwrap().0);
    assert_eq!(grid(&spec, TravelMode::Ebike).unwrap(), g, "seeded");
    assert_ne!(grid(&GridSpec { seed: 2, ..spec }, TravelMode::Ebike).unwrap(), g);
    assert!(grid(&GridSpec { speed_m_s: 0.0, ..spec }, TravelMode::Ebike).is_err());
}

#[test]
fn random_nodes_are_distinct_and_seeded() {
    let a = random_nodes(1000, 100, 0);
    let mut s = a.clone();
    s.sort_unstable();
    s.dedup();
    assert_eq!(s.len(), 100);
    assert!(s.iter().all(|&x| x < 1000));
    assert_eq!(random_nodes(1000, 100, 0), a);
    assert_eq!(random_nodes(5, 10, 0).len(), 5);
}

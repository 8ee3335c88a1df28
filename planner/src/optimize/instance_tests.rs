#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn random_instances_are_seeded_and_in_range() {
    let a = PlanarInstance::random(1_000, 100, 20_000, 2_500.0, 20, 3);
    assert_eq!(a, PlanarInstance::random(1_000, 100, 20_000, 2_500.0, 20, 3));
    assert_ne!(a, PlanarInstance::random(1_000, 100, 20_000, 2_500.0, 20, 4));
    assert_eq!((a.demand.len(), a.weights.len(), a.candidates.len()), (1_000, 1_000, 100));
    for p in a.demand.iter().chain(&a.candidates) {
        assert!(p.iter().all(|&c| (0.0..=20_000.0).contains(&c) && c.fract() == 0.0));
    }
    assert!(a.weights.iter().all(|&w| (1.0..=100.0).contains(&w) && w.fract() == 0.0));
    // Mean 50.5: the sum of 1 000 weights is within 10 % of 50 500.
    let total: f64 = a.weights.iter().sum();
    assert!((total - 50_500.0).abs() < 5_050.0, "{total}");
    assert_eq!(PlanarInstance::scaled_box_m(5_000), 20_000);
    assert_eq!(PlanarInstance::scaled_box_m(1_000_000), 282_843);
}

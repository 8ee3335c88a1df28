#![allow(clippy::unwrap_used)]
use super::*;
use crate::geodesy::LonLat;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn segment_length_agrees_with_karney() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..2000 {
        let a = LonLat::new(rng.random_range(-179.0..179.0), rng.random_range(-80.0..80.0)).unwrap();
        let b = LonLat::new(a.lon + rng.random_range(-0.02..0.02), a.lat + rng.random_range(-0.02..0.02)).unwrap();
        let exact = a.geodesic_distance_m(b);
        let approx = segment_length_m(a, b);
        assert!((approx - exact).abs() <= 1e-5 * exact + 1e-6, "{a:?} {b:?}: {approx} vs {exact}");
    }
    // Across the antimeridian.
    let (a, b) = (LonLat::new(179.9999, 10.0).unwrap(), LonLat::new(-179.9999, 10.0).unwrap());
    assert!((segment_length_m(a, b) - a.geodesic_distance_m(b)).abs() < 1e-3);
}

#[test]
fn seconds_round_to_milliseconds() {
    assert_eq!(secs_to_ms(1.2344), 1234);
    assert_eq!(secs_to_ms(1.2346), 1235);
    assert_eq!(secs_to_ms(-3.0), 0);
    assert_eq!(secs_to_ms(f64::NAN), 0);
    assert_eq!(secs_to_ms(1e12), u32::MAX - 1);
}

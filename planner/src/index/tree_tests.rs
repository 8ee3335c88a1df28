use super::*;

#[test]
fn geodesic_over_great_circle_stays_within_the_search_bounds() {
    // Geodesic ÷ great-circle lies between M(equator)/R = 0.99442 and N(pole)/R = 1.00449; the
    // exact k-nearest search relies on [GEODESIC_OVER_SPHERE_MIN, GEODESIC_OVER_SPHERE_MAX] around
    // the great-circle distance it computes from chords of unit vectors.
    let pairs = [((116.8, 35.55), (116.9, 35.6)), ((24.94, 60.17), (24.95, 60.16)), ((0.0, 0.0), (0.0, 1.0))];
    for ((a, b), (c, d)) in pairs {
        let p = LonLat::new(a, b).unwrap();
        let q = LonLat::new(c, d).unwrap();
        let (u, v) = (p.to_unit_vector(), q.to_unit_vector());
        let d2: f64 = (0..3).map(|i| (u[i] - v[i]).powi(2)).sum();
        let ratio = p.geodesic_distance_m(q) / great_circle_from_chord2(d2);
        assert!((0.99441..=1.0045).contains(&ratio), "ratio {ratio}");
        assert!((GEODESIC_OVER_SPHERE_MIN..=GEODESIC_OVER_SPHERE_MAX).contains(&ratio), "ratio {ratio}");
    }
}

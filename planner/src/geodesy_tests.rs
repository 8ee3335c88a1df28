use super::*;

#[test]
fn rejects_out_of_range_and_nan() {
    assert_eq!(LonLat::new(181.0, 0.0), Err(CoordError::Longitude(181.0)));
    assert_eq!(LonLat::new(0.0, -90.5), Err(CoordError::Latitude(-90.5)));
    assert!(LonLat::new(f64::NAN, 0.0).is_err());
    assert!(LonLat::new(0.0, f64::INFINITY).is_err());
    assert!(LonLat::new(-180.0, 90.0).is_ok());
}

#[test]
fn geodesic_matches_published_reference() {
    // Karney's GeodTest-style reference: one degree of latitude at the equator on WGS-84 is
    // 110 574.389 m; one degree of longitude on the equator is 111 319.491 m.
    let a = LonLat::new(0.0, 0.0).unwrap();
    let north = LonLat::new(0.0, 1.0).unwrap();
    let east = LonLat::new(1.0, 0.0).unwrap();
    assert!((a.geodesic_distance_m(north) - 110_574.389).abs() < 0.01);
    assert!((a.geodesic_distance_m(east) - 111_319.491).abs() < 0.01);
}

#[test]
fn great_circle_is_within_the_radius_of_curvature_bounds() {
    // Geodesic ÷ great-circle lies between M(equator)/R = 0.99442 and N(pole)/R = 1.00449; the
    // index's exact k-nearest search relies on the lower bound.
    let pairs = [((116.8, 35.55), (116.9, 35.6)), ((24.94, 60.17), (24.95, 60.16)), ((0.0, 0.0), (0.0, 1.0))];
    for ((a, b), (c, d)) in pairs {
        let p = LonLat::new(a, b).unwrap();
        let q = LonLat::new(c, d).unwrap();
        let ratio = p.geodesic_distance_m(q) / p.great_circle_distance_m(q);
        assert!((0.99441..=1.0045).contains(&ratio), "ratio {ratio}");
    }
}

#[test]
fn bbox_validation() {
    assert_eq!(BBox::new(1.0, 0.0, 0.0, 1.0), Err(BBoxError::Inverted));
    let b = BBox::new(116.0, 35.0, 117.0, 36.0).unwrap();
    assert!(b.contains(LonLat::new(116.5, 35.5).unwrap()));
    assert!(!b.contains(LonLat::new(118.0, 35.5).unwrap()));
}

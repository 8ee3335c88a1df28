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
fn bbox_validation() {
    assert_eq!(BBox::new(1.0, 0.0, 0.0, 1.0), Err(BBoxError::Inverted));
    let b = BBox::new(116.0, 35.0, 117.0, 36.0).unwrap();
    assert!(b.contains(LonLat::new(116.5, 35.5).unwrap()));
    assert!(!b.contains(LonLat::new(118.0, 35.5).unwrap()));
}

#![allow(clippy::unwrap_used)]

use super::*;

/// The OpenStreetMap wiki's slippy-map formula (asinh form), as an independent reference.
fn osm_tile(lon: f64, lat: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let y = (1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    (x, y)
}

#[test]
fn projection_matches_the_osm_formula() {
    for &(lon, lat) in &[(116.786, 35.553), (0.0, 0.0), (-122.4, 37.8), (179.9, -60.0), (116.0, 85.0)] {
        for z in [0u8, 5, 10, 14, 22] {
            let (fx, fy) = osm_tile(lon, lat, z);
            let t = TileId::new(u32::from(z), fx.floor() as u32, fy.floor() as u32).unwrap();
            let (px, py) = t.project(lon, lat, 4096.0);
            assert!((px / 4096.0 - fx.fract()).abs() < 1e-6, "{lon},{lat} z{z}: {px}");
            assert!((py / 4096.0 - fy.fract()).abs() < 1e-6, "{lon},{lat} z{z}: {py}");
            assert!((0.0..4096.0).contains(&px) && (0.0..4096.0).contains(&py));
        }
    }
}

#[test]
fn known_tile_of_yanzhou() {
    // 兖州 at z12 lies in tile 3376/1614 (the OSM formula in Python gives x = 3376.77, y = 1614.71).
    let (x, y) = osm_tile(116.786, 35.553, 12);
    assert_eq!((x.floor(), y.floor()), (3376.0, 1614.0));
    let b = TileId::new(12, 3376, 1614).unwrap().bounds(0.0);
    assert!(b.min_lon <= 116.786 && 116.786 <= b.max_lon && b.min_lat <= 35.553 && 35.553 <= b.max_lat, "{b:?}");
    assert!((b.max_lon - b.min_lon - 360.0 / 4096.0).abs() < 1e-12);
}

#[test]
fn bounds_invert_the_projection() {
    let t = TileId::new(10, 844, 403).unwrap();
    let b = t.bounds(0.0);
    let (x0, y0) = t.project(b.min_lon, b.max_lat, 4096.0);
    let (x1, y1) = t.project(b.max_lon, b.min_lat, 4096.0);
    assert!(x0.abs() < 1e-6 && y0.abs() < 1e-6 && (x1 - 4096.0).abs() < 1e-6 && (y1 - 4096.0).abs() < 1e-6);
    let wide = t.bounds(64.0 / 4096.0);
    let (wx0, wy0) = t.project(wide.min_lon, wide.max_lat, 4096.0);
    assert!((wx0 + 64.0).abs() < 1e-6 && (wy0 + 64.0).abs() < 1e-6, "{wx0},{wy0}");
}

#[test]
fn world_tile_covers_everything() {
    let b = TileId::new(0, 0, 0).unwrap().bounds(0.1);
    assert_eq!((b.min_lon, b.min_lat, b.max_lon, b.max_lat), (-180.0, -90.0, 180.0, 90.0));
}

#[test]
fn bad_addresses_name_their_part() {
    assert_eq!(TileId::parse("23", "0", "0").unwrap_err().field(), "z");
    assert_eq!(TileId::parse("a", "0", "0").unwrap_err().field(), "z");
    assert_eq!(TileId::parse("3", "8", "0").unwrap_err().field(), "x");
    assert_eq!(TileId::parse("3", "7", "8").unwrap_err().field(), "y");
    assert_eq!(TileId::parse("3", "-1", "0").unwrap_err().field(), "x");
    assert_eq!(TileId::parse("3", "7", "7").unwrap(), TileId { z: 3, x: 7, y: 7 });
    assert_eq!(TileId::parse("22", "4194303", "0").unwrap().x, 4_194_303);
}

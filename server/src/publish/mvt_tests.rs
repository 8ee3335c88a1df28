#![allow(clippy::unwrap_used)]

use super::*;
use chrono::{TimeZone, Utc};
use geo::{Area, Geometry, polygon};
use geozero::GeozeroGeometry;
use geozero::geo_types::GeoWriter;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::station::{StationData, StationKind, StationStatus};

fn station(id: i64, lon: f64, lat: f64, name: &str) -> Arc<Station> {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Arc::new(Station {
        id,
        data: StationData {
            kind: StationKind::CaringMerchant,
            name: name.to_owned(),
            address: None,
            district: None,
            street: None,
            location: LonLat { lon, lat },
            amenities: [Amenity::DrinkingWater, Amenity::Wifi].into_iter().collect::<AmenitySet>(),
            opening_hours: None,
            capacity: None,
            operator: None,
            phone: None,
            offer: None,
            status: StationStatus::Planned,
            source: None,
            external_id: None,
            verified_on: None,
        },
        created_at: t,
        updated_at: t,
    })
}

fn decode_geometry(f: &tile::Feature) -> Geometry<f64> {
    let mut w = GeoWriter::new();
    f.process_geom(&mut w).unwrap();
    w.take_geometry().unwrap()
}

/// The value of property `key` of feature `f` in `layer`.
fn prop<'a>(layer: &'a tile::Layer, f: &tile::Feature, key: &str) -> &'a tile::Value {
    let k = layer.keys.iter().position(|k| k == key).unwrap() as u32;
    let pair = f.tags.chunks(2).find(|p| p[0] == k).unwrap();
    &layer.values[pair[1] as usize]
}

#[test]
fn station_points_land_on_their_projected_pixel_with_properties() {
    let t = TileId::new(14, 13507, 6458).unwrap();
    let b = t.bounds(0.0);
    let inside =
        station(7, b.min_lon + (b.max_lon - b.min_lon) * 0.25, b.min_lat + (b.max_lat - b.min_lat) * 0.75, "鼓楼驿站");
    let far = station(8, b.max_lon + 1.0, b.max_lat, "远处");
    let bytes = encode(vec![stations_layer(t, &[Arc::clone(&inside), far]).unwrap()]);
    let tile = Tile::decode(bytes.as_slice()).unwrap();
    assert_eq!(tile.layers.len(), 1);
    let layer = &tile.layers[0];
    assert_eq!((layer.name.as_str(), layer.extent, layer.version), ("stations", Some(4096), 2));
    assert_eq!(layer.features.len(), 1);
    let f = &layer.features[0];
    assert_eq!(f.id, Some(7));
    let Geometry::Point(p) = decode_geometry(f) else { panic!("not a point") };
    // A quarter across from the west, a quarter up from the south edge (y grows downwards).
    assert!((p.x() - 1024.0).abs() <= 1.0 && (p.y() - 1024.0).abs() <= 1.0, "{p:?}");
    assert_eq!(prop(layer, f, "name").string_value.as_deref(), Some("鼓楼驿站"));
    assert_eq!(prop(layer, f, "kind").string_value.as_deref(), Some("caring_merchant"));
    assert_eq!(prop(layer, f, "status").string_value.as_deref(), Some("planned"));
    assert_eq!(prop(layer, f, "amenities").string_value.as_deref(), Some("drinking_water,wifi"));
    assert_eq!(prop(layer, f, "id").int_value, Some(7));
}

#[test]
fn empty_tiles_are_empty() {
    let t = TileId::new(3, 1, 1).unwrap();
    assert!(encode(vec![stations_layer(t, &[]).unwrap()]).is_empty());
}

#[test]
fn polygons_are_clipped_to_the_buffered_tile_and_wound_for_mvt() {
    let t = TileId::new(10, 844, 403).unwrap();
    let b = t.bounds(0.0);
    let (w, h) = (b.max_lon - b.min_lon, b.max_lat - b.min_lat);
    // A square from the tile's centre out to twice its size north-east: clipped at the buffer.
    let (cx, cy) = (b.min_lon + w / 2.0, b.min_lat + h / 2.0);
    let big = MultiPolygon(vec![polygon![
        (x: cx, y: cy), (x: cx + 2.0 * w, y: cy), (x: cx + 2.0 * w, y: cy + 2.0 * h), (x: cx, y: cy + 2.0 * h), (x: cx, y: cy)
    ]]);
    let away = MultiPolygon(vec![polygon![
        (x: cx + 5.0 * w, y: cy), (x: cx + 6.0 * w, y: cy), (x: cx + 6.0 * w, y: cy + h), (x: cx + 5.0 * w, y: cy)
    ]]);
    let features = vec![
        PolygonFeature { id: None, boundary: &big, properties: vec![("name", TileValue::Str("兖州区".into()))] },
        PolygonFeature { id: None, boundary: &away, properties: vec![("name", TileValue::Str("far".into()))] },
    ];
    let layer = polygons_layer("districts", t, features).unwrap();
    assert_eq!(layer.features.len(), 1);
    let f = &layer.features[0];
    assert_eq!(f.r#type(), tile::GeomType::Polygon);
    // Exterior ring as encoded: positive area by the surveyor's formula in tile space.
    let g = decode_geometry(f);
    let poly = match g {
        Geometry::Polygon(p) => p,
        Geometry::MultiPolygon(mut mp) => mp.0.remove(0),
        other => panic!("{other:?}"),
    };
    assert!(poly.exterior().0.iter().all(|c| (-64.0..=4160.0).contains(&c.x) && (-64.0..=4160.0).contains(&c.y)));
    // From the centre (2048, 2048 give or take Mercator) to the east and north buffer edges.
    let area = poly.unsigned_area();
    let expected = (4160.0 - 2048.0) * (2048.0 + 64.0);
    assert!((area - expected).abs() / expected < 0.02, "{area} vs {expected}");
    let signed: f64 = {
        let r = &poly.exterior().0;
        (0..r.len() - 1).map(|i| r[i].x * r[i + 1].y - r[i + 1].x * r[i].y).sum::<f64>() / 2.0
    };
    assert!(signed > 0.0, "exterior ring must have positive area in tile space: {signed}");
}

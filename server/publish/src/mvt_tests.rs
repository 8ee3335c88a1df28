#![allow(clippy::unwrap_used)]

use super::*;
use chrono::{TimeZone, Utc};
use geo::{Area, Geometry, polygon};
use geozero::GeozeroGeometry;
use geozero::geo_types::GeoWriter;
use std::collections::{HashMap, HashSet};
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

/// `n` stations of every kind scattered (seeded) over `[lon0, lon0 + w] × [lat0, lat0 + h]`.
fn scattered(n: usize, lon0: f64, lat0: f64, w: f64, h: f64) -> Vec<Arc<Station>> {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let mut st = station(i as i64 + 1, lon0 + w * next(), lat0 + h * next(), &format!("站{i}"));
            Arc::make_mut(&mut st).data.kind = StationKind::ALL[(i * 7 / 3) % StationKind::ALL.len()];
            st
        })
        .collect()
}

/// A decoded station feature: (id, x, y, point_count, properties by key).
type Decoded = (u64, f64, f64, u64, HashMap<String, tile::Value>);

/// Features of a decoded stations layer.
fn features(layer: &tile::Layer) -> Vec<Decoded> {
    layer
        .features
        .iter()
        .map(|f| {
            let Geometry::Point(p) = decode_geometry(f) else { panic!("not a point") };
            let props: HashMap<String, tile::Value> = f
                .tags
                .chunks(2)
                .map(|kv| (layer.keys[kv[0] as usize].clone(), layer.values[kv[1] as usize].clone()))
                .collect();
            let count = props.get("point_count").and_then(|v| v.uint_value).unwrap_or(0);
            (f.id.unwrap(), p.x(), p.y(), count, props)
        })
        .collect()
}

#[test]
fn thinned_tiles_count_every_station_once_per_cell() {
    let t = TileId::new(9, 421, 203).unwrap();
    let b = t.bounds(0.0);
    let (w, h) = (b.max_lon - b.min_lon, b.max_lat - b.min_lat);
    // Stations over the tile and half a tile around it, so the buffer has some too.
    let stations = scattered(20_000, b.min_lon - w / 2.0, b.min_lat - h / 2.0, 2.0 * w, 2.0 * h);
    let layer = stations_thinned_layer(t, &stations, 64).unwrap();
    let got = features(&layer);
    // Brute force: each station's cell of the 64 × 64 grid (64 tile units a side), buffer included.
    let mut cells: HashMap<(i64, i64), Vec<&Arc<Station>>> = HashMap::new();
    for s in &stations {
        let (x, y) = t.project(s.data.location.lon, s.data.location.lat, 4096.0);
        let (x, y) = (x.floor(), y.floor());
        if (-64.0..4160.0).contains(&x) && (-64.0..4160.0).contains(&y) {
            cells.entry(((x / 64.0).floor() as i64, (y / 64.0).floor() as i64)).or_default().push(s);
        }
    }
    assert_eq!(got.len(), cells.len(), "one feature per occupied cell");
    assert!(got.len() <= 66 * 66);
    let ids: HashSet<u64> = got.iter().map(|f| f.0).collect();
    assert_eq!(ids.len(), got.len(), "representatives are distinct stations");
    for (id, x, y, count, props) in &got {
        let cell = ((x / 64.0).floor() as i64, (y / 64.0).floor() as i64);
        let members = &cells[&cell];
        assert_eq!(*count as usize, members.len(), "point_count of cell {cell:?}");
        // The representative is the member closest to the cell's mean position.
        let pos = |s: &Arc<Station>| {
            let (x, y) = t.project(s.data.location.lon, s.data.location.lat, 4096.0);
            (x.floor(), y.floor())
        };
        let n = members.len() as f64;
        let mx = members.iter().map(|s| pos(s).0).sum::<f64>() / n;
        let my = members.iter().map(|s| pos(s).1).sum::<f64>() / n;
        let best = members
            .iter()
            .min_by(|a, b| {
                let d = |s: &Arc<Station>| (pos(s).0 - mx).powi(2) + (pos(s).1 - my).powi(2);
                d(a).partial_cmp(&d(b)).unwrap().then(a.id.cmp(&b.id))
            })
            .unwrap();
        assert_eq!(*id as i64, best.id);
        assert_eq!((*x, *y), pos(best));
        // Counts per kind add up to point_count; the kind is the most frequent one.
        let mut per_kind = HashMap::new();
        for m in members {
            *per_kind.entry(m.data.kind.code()).or_insert(0u64) += 1;
        }
        if members.len() > 1 {
            for (k, c) in &per_kind {
                assert_eq!(props[&format!("count_{k}")].uint_value, Some(*c));
            }
            let top = *per_kind.values().max().unwrap();
            let kind = props["kind"].string_value.clone().unwrap();
            assert_eq!(per_kind[kind.as_str()], top);
            assert!(!props.contains_key("name"));
        } else {
            assert_eq!(props["name"].string_value.as_deref(), Some(best.data.name.as_str()));
        }
    }
    // Inside the tile proper, point_count adds up to the stations inside it.
    let inside = |x: f64, y: f64| (0.0..4096.0).contains(&x) && (0.0..4096.0).contains(&y);
    let counted: u64 = got.iter().filter(|f| inside(f.1, f.2)).map(|f| f.3).sum();
    let brute = stations
        .iter()
        .filter(|s| {
            let (x, y) = t.project(s.data.location.lon, s.data.location.lat, 4096.0);
            inside(x.floor(), y.floor())
        })
        .count();
    assert!(brute > 4000, "{brute}");
    assert_eq!(counted as usize, brute);
}

#[test]
fn neighbours_agree_on_the_cells_they_share() {
    let a = TileId::new(10, 843, 406).unwrap();
    let b = TileId::new(10, 844, 406).unwrap();
    let ba = a.bounds(0.0);
    let w = ba.max_lon - ba.min_lon;
    let stations = scattered(5000, ba.min_lon, ba.min_lat, 2.0 * w, ba.max_lat - ba.min_lat);
    let fa = features(&stations_thinned_layer(a, &stations, 64).unwrap());
    let fb = features(&stations_thinned_layer(b, &stations, 64).unwrap());
    // Tile b's westmost column of cells lies in a's east buffer: same representatives, counts.
    let shared_b: Vec<(u64, u64)> = fb.iter().filter(|f| f.1 < 64.0 && f.1 >= 0.0).map(|f| (f.0, f.3)).collect();
    let shared_a: HashSet<(u64, u64)> = fa.iter().filter(|f| f.1 >= 4096.0).map(|f| (f.0, f.3)).collect();
    assert!(shared_b.len() > 20);
    assert_eq!(shared_b.into_iter().collect::<HashSet<_>>(), shared_a);
}

#[test]
fn coarser_grids_bound_the_features_and_bad_grids_are_refused() {
    let t = TileId::new(8, 210, 101).unwrap();
    let b = t.bounds(0.0);
    let stations = scattered(3000, b.min_lon, b.min_lat, b.max_lon - b.min_lon, b.max_lat - b.min_lat);
    let layer = stations_thinned_layer(t, &stations, 8).unwrap();
    // 8 × 8 cells in the tile (no stations around it here).
    assert_eq!(layer.features.len(), 64);
    assert_eq!(features(&layer).iter().map(|f| f.3).sum::<u64>(), 3000);
    // The ring around it is whole cells of the neighbours: the same counts as in their own tiles.
    let east = TileId::new(8, 211, 101).unwrap();
    let mut east_stations = scattered(3000, b.max_lon, b.min_lat, b.max_lon - b.min_lon, b.max_lat - b.min_lat);
    for s in &mut east_stations {
        Arc::make_mut(s).id += 10_000;
    }
    let both = [stations.clone(), east_stations].concat();
    let here: HashSet<(u64, u64)> = features(&stations_thinned_layer(t, &both, 8).unwrap())
        .iter()
        .filter(|f| f.1 >= 4096.0)
        .map(|f| (f.0, f.3))
        .collect();
    let there: HashSet<(u64, u64)> = features(&stations_thinned_layer(east, &both, 8).unwrap())
        .iter()
        .filter(|f| (0.0..512.0).contains(&f.1))
        .map(|f| (f.0, f.3))
        .collect();
    assert_eq!(here.len(), 8);
    assert_eq!(here, there);
    assert!(matches!(stations_thinned_layer(t, &stations, 48), Err(MvtError::Grid(48))));
    assert!(matches!(stations_thinned_layer(t, &stations, 128), Err(MvtError::Grid(128))));
}

use super::*;
use crate::district::parse_districts;

fn yanzhou() -> District {
    let text = include_str!("../../data/districts/jining.geojson");
    parse_districts(text).unwrap().into_iter().find(|d| d.name == "兖州区").unwrap()
}

#[test]
fn same_seed_same_stations_and_all_valid_inside_the_district() {
    let d = yanzhou();
    let a = generate(&d, DEMO_SEED);
    assert_eq!(a, generate(&d, DEMO_SEED));
    assert_ne!(a, generate(&d, DEMO_SEED + 1));
    let total: usize = DEMO_COUNTS.iter().map(|c| c.1).sum();
    assert_eq!(a.len(), total);
    for (kind, n) in DEMO_COUNTS {
        assert_eq!(a.iter().filter(|s| s.kind == kind).count(), n);
    }
    for s in &a {
        let mut s2 = s.clone();
        s2.normalize_and_validate().unwrap();
        assert_eq!(&s2, s, "generator output is already normalised");
        assert!(d.contains(s.location.lon, s.location.lat), "{} outside 兖州区", s.name);
        assert!(s.opening_hours.is_some());
    }
    let ids: std::collections::HashSet<_> = a.iter().map(|s| s.external_id.clone()).collect();
    assert_eq!(ids.len(), a.len());
}

#[test]
fn jining_file_has_eleven_districts() {
    let ds = parse_districts(include_str!("../../data/districts/jining.geojson")).unwrap();
    assert_eq!(ds.len(), 11);
    let y = ds.iter().find(|d| d.name == "兖州区").unwrap();
    assert_eq!(y.city.as_deref(), Some("济宁市"));
    assert!(y.contains(116.786, 35.553));
    assert!(!y.contains(116.59, 35.41)); // Rencheng/Qufu side
}

/// Compares `text` with the committed file, or rewrites the file when `YIZHAN_UPDATE_DEMO=1`.
fn matches_committed(text: &str, path: &str) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    if std::env::var("YIZHAN_UPDATE_DEMO").as_deref() == Ok("1") {
        std::fs::write(&full, text).unwrap();
    }
    let committed = std::fs::read_to_string(&full).unwrap();
    assert!(
        committed == text,
        "{path} is stale: run `YIZHAN_UPDATE_DEMO=1 cargo test -p yizhan-planner demo` and commit it"
    );
}

#[test]
fn demand_layer_is_seeded_inside_the_district_and_committed() {
    let d = yanzhou();
    let a = demo_demand(&d, DEMO_SEED);
    assert_eq!(a, demo_demand(&d, DEMO_SEED));
    assert_ne!(a, demo_demand(&d, DEMO_SEED + 1));
    assert_eq!(a.len(), DEMO_DEMAND_POINTS);
    for p in &a {
        assert!(d.contains(p.pos.lon, p.pos.lat), "{p:?} outside 兖州区");
        assert!([1.0, 2.0, 3.0, 4.0].contains(&p.weight));
    }
    // Concentrated: more than a third of the weight within 3 km of the town centre.
    let centre = LonLat { lon: 116.786, lat: 35.553 };
    let total: f64 = a.iter().map(|p| p.weight).sum();
    let near: f64 = a.iter().filter(|p| p.pos.geodesic_distance_m(centre) < 3000.0).map(|p| p.weight).sum();
    assert!(near / total > 0.33, "{near} of {total}");
    let csv = demo_demand_csv(&a);
    matches_committed(&csv, "data/demo/yanzhou-demand.csv");
    // The committed file reads back through the demand importer to the same points.
    let back =
        crate::coverage::demand::parse_demand(csv.as_bytes(), crate::import::Format::Csv, crate::crs::Crs::Wgs84)
            .unwrap();
    assert_eq!(back, a);
}

#[test]
fn streets_partition_the_district_and_are_committed() {
    use crate::coverage::geodesic_area_m2;
    use geo::{Area, BooleanOps, Contains};
    let d = yanzhou();
    let streets = demo_streets(&d);
    assert_eq!(streets.len(), STREETS.len(), "every invented street centre lies inside the district");
    let district_m2 = geodesic_area_m2(&d.boundary);
    let sum_m2: f64 = streets.iter().map(|s| geodesic_area_m2(&s.polygon)).sum();
    assert!((sum_m2 / district_m2 - 1.0).abs() < 1e-4, "{sum_m2} vs {district_m2}");
    for (i, a) in streets.iter().enumerate() {
        // Each street holds its own centre, and overlaps no other street.
        let (_, lon, lat, _) = STREETS[i];
        assert_eq!(a.name, STREETS[i].0);
        assert!(a.polygon.contains(&geo::Point::new(lon, lat)), "{} does not hold its centre", a.name);
        for b in &streets[i + 1..] {
            assert!(a.polygon.intersection(&b.polygon).unsigned_area() < 1e-9, "{} overlaps {}", a.name, b.name);
        }
    }
    let text = demo_streets_geojson(&d, &streets);
    matches_committed(&text, "data/demo/yanzhou-streets.geojson");
    // Reads back as boundaries with the same names.
    let back = parse_districts(&text).unwrap();
    assert_eq!(back.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), STREETS.map(|s| s.0));
}

#[test]
fn station_generator_unchanged_by_the_demand_layer() {
    // The first station of the published seed, as committed in data/demo/yanzhou-stations.csv.
    let d = yanzhou();
    let first = &generate(&d, DEMO_SEED)[0];
    let committed = include_str!("../../data/demo/yanzhou-stations.csv");
    assert!(committed.contains(&first.name), "{}", first.name);
    assert!(committed.contains(&format!("{:.6}", first.location.lon)));
}

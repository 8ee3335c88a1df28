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

#[test]
fn helsinki_stations_are_seeded_valid_and_inside_the_box() {
    let a = generate_helsinki(DEMO_SEED);
    assert_eq!(a, generate_helsinki(DEMO_SEED));
    assert_ne!(a, generate_helsinki(DEMO_SEED + 1));
    assert_eq!(a.len(), HELSINKI_COUNTS.iter().map(|c| c.1).sum::<usize>());
    assert_eq!(a.len(), 60);
    for (kind, n) in HELSINKI_COUNTS {
        assert_eq!(a.iter().filter(|s| s.kind == kind).count(), n);
    }
    let [w, s, e, n] = HELSINKI_BOX;
    for st in &a {
        let mut s2 = st.clone();
        s2.normalize_and_validate().unwrap();
        assert_eq!(&s2, st, "generator output is already normalised");
        assert!((w..=e).contains(&st.location.lon) && (s..=n).contains(&st.location.lat), "{}", st.name);
        assert_eq!(st.source.as_deref(), Some(HELSINKI_DEMO_SOURCE));
        assert!(st.source.as_deref().unwrap().contains("合成"), "labelled synthetic");
    }
    let ids: std::collections::HashSet<_> = a.iter().map(|s| s.external_id.clone()).collect();
    assert_eq!(ids.len(), a.len());
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

// Properties of the committed demo files, read as plain CSV/GeoJSON here and checked against the
// numbers documented in README.md and data/README.md and against the shipped 兖州区 boundary by an
// even-odd point-in-polygon test written here: independent of the generators that wrote them.

fn committed(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data").join(path)).unwrap()
}

/// The rows of a committed CSV file as header → value maps (a leading BOM dropped).
fn csv_rows(path: &str) -> Vec<std::collections::HashMap<String, String>> {
    let text = committed(path);
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().map(str::to_owned).zip(rec.unwrap().iter().map(str::to_owned)).collect())
        .collect()
}

/// The rings of a GeoJSON Polygon or MultiPolygon, grouped by polygon.
fn polygons(geometry: &serde_json::Value) -> Vec<Vec<Vec<(f64, f64)>>> {
    let parts: Vec<&serde_json::Value> = match geometry["type"].as_str().unwrap() {
        "Polygon" => vec![&geometry["coordinates"]],
        "MultiPolygon" => geometry["coordinates"].as_array().unwrap().iter().collect(),
        other => panic!("{other}"),
    };
    parts
        .iter()
        .map(|p| {
            p.as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array().unwrap().iter().map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())).collect()
                })
                .collect()
        })
        .collect()
}

/// Even-odd ray casting over every ring of every polygon.
fn inside(polys: &[Vec<Vec<(f64, f64)>>], (x, y): (f64, f64)) -> bool {
    polys.iter().any(|rings| {
        let mut c = false;
        for ring in rings {
            for w in ring.windows(2) {
                let ((x1, y1), (x2, y2)) = (w[0], w[1]);
                if (y1 > y) != (y2 > y) && x < x1 + (y - y1) / (y2 - y1) * (x2 - x1) {
                    c = !c;
                }
            }
        }
        c
    })
}

fn yanzhou_polygons() -> Vec<Vec<Vec<(f64, f64)>>> {
    let doc: serde_json::Value = serde_json::from_str(&committed("districts/jining.geojson")).unwrap();
    let f = doc["features"].as_array().unwrap().iter().find(|f| f["properties"]["name"] == "兖州区").unwrap();
    polygons(&f["geometry"])
}

fn lon_lat(row: &std::collections::HashMap<String, String>) -> (f64, f64) {
    (row["经度"].parse().unwrap(), row["纬度"].parse().unwrap())
}

/// Counts of the rows by `类型`.
fn by_kind(rows: &[std::collections::HashMap<String, String>]) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for r in rows {
        *m.entry(r["类型"].clone()).or_insert(0) += 1;
    }
    m
}

fn assert_unique(rows: &[std::collections::HashMap<String, String>], column: &str) {
    let values: std::collections::HashSet<&str> = rows.iter().map(|r| r[column].as_str()).collect();
    assert_eq!(values.len(), rows.len(), "{column} is not unique");
    assert!(!values.contains(""), "an empty {column}");
}

#[test]
fn committed_yanzhou_stations_have_the_documented_counts_and_lie_inside_the_district() {
    let rows = csv_rows("demo/yanzhou-stations.csv");
    // README: "433 synthetic stations"; data/README.md: 160 驿站, 165 爱心商户, 72 充电换电柜, 36 停靠点.
    assert_eq!(rows.len(), 433);
    let want: std::collections::BTreeMap<String, usize> =
        [("驿站", 160), ("爱心商户", 165), ("充电换电柜", 72), ("网约车临时停靠点", 36)]
            .into_iter()
            .map(|(k, n)| (k.to_owned(), n))
            .collect();
    assert_eq!(by_kind(&rows), want);
    assert_unique(&rows, "系统编号");
    assert_unique(&rows, "外部编号");
    let boundary = yanzhou_polygons();
    for r in &rows {
        assert!(inside(&boundary, lon_lat(r)), "{} at {:?} is outside 兖州区", r["名称"], lon_lat(r));
        assert_eq!(r["区县"], "兖州区");
        assert!(r["来源"].contains("合成"), "{}: labelled synthetic", r["名称"]);
    }
    // Not a degenerate cluster: they spread over the district (a box of at least 0.15° × 0.15°).
    let (xs, ys): (Vec<f64>, Vec<f64>) = rows.iter().map(lon_lat).unzip();
    let spread = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max) - v.iter().copied().fold(f64::MAX, f64::min);
    assert!(spread(&xs) > 0.15 && spread(&ys) > 0.15, "{} × {}", spread(&xs), spread(&ys));
}

#[test]
fn committed_helsinki_stations_have_the_documented_counts_and_lie_inside_the_extract() {
    let rows = csv_rows("demo/helsinki-stations.csv");
    // README: "60 synthetic stations"; data/README.md: 24 / 20 / 10 / 6, uniform in
    // 24.9372–24.9510 E, 60.1655–60.1775 N.
    assert_eq!(rows.len(), 60);
    let want: std::collections::BTreeMap<String, usize> =
        [("驿站", 24), ("爱心商户", 20), ("充电换电柜", 10), ("网约车临时停靠点", 6)]
            .into_iter()
            .map(|(k, n)| (k.to_owned(), n))
            .collect();
    assert_eq!(by_kind(&rows), want);
    assert_unique(&rows, "系统编号");
    assert_unique(&rows, "外部编号");
    // The extract's extent: the bounding box of its nodes, read with osmpbf.
    let pbf = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/osm/helsinki-centre.osm.pbf");
    let mut ext = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    osmpbf::ElementReader::from_path(&pbf)
        .unwrap()
        .for_each(|el| {
            let (x, y) = match el {
                osmpbf::Element::Node(n) => (n.lon(), n.lat()),
                osmpbf::Element::DenseNode(n) => (n.lon(), n.lat()),
                _ => return,
            };
            ext = [ext[0].min(x), ext[1].min(y), ext[2].max(x), ext[3].max(y)];
        })
        .unwrap();
    for r in &rows {
        let (x, y) = lon_lat(r);
        assert!((24.9372..=24.9510).contains(&x) && (60.1655..=60.1775).contains(&y), "{}: {x},{y}", r["名称"]);
        assert!(x > ext[0] && x < ext[2] && y > ext[1] && y < ext[3], "{}: {x},{y} outside {ext:?}", r["名称"]);
        assert_eq!(r["区县"], "Helsinki");
        assert_eq!(r["来源"], "yizhan-demo-helsinki（合成数据）");
    }
}

#[test]
fn committed_demand_layer_has_4000_pings_inside_the_district() {
    let text = committed("demo/yanzhou-demand.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("lon,lat,weight"));
    let boundary = yanzhou_polygons();
    let mut n = 0;
    for line in lines {
        let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        assert_eq!(v.len(), 3, "{line}");
        assert!(inside(&boundary, (v[0], v[1])), "{line} is outside 兖州区");
        // data/README.md: "weight 1–4 pings a day".
        assert!([1.0, 2.0, 3.0, 4.0].contains(&v[2]), "{line}");
        n += 1;
    }
    assert_eq!(n, 4000, "data/README.md: 4,000 invented rider pings");
}

#[test]
fn committed_streets_partition_the_district() {
    let doc: serde_json::Value = serde_json::from_str(&committed("demo/yanzhou-streets.geojson")).unwrap();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 10, "data/README.md: ten invented street centres");
    let names: std::collections::HashSet<&str> =
        features.iter().map(|f| f["properties"]["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 10);
    for f in features {
        assert_eq!(f["properties"]["district"], "兖州区");
        assert_eq!(f["properties"]["synthetic"], true);
    }
    let streets: Vec<_> = features.iter().map(|f| polygons(&f["geometry"])).collect();
    // A grid of points over the district's box: each point inside the district lies in exactly
    // one street, each point outside in none.
    let boundary = yanzhou_polygons();
    let pts: Vec<(f64, f64)> = boundary.iter().flatten().flatten().copied().collect();
    let (w, e) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (s, n) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (mut inner, mut per_street) = (0, vec![0; streets.len()]);
    for i in 0..=120 {
        for j in 0..=120 {
            let p = (w + (e - w) * (f64::from(i) + 0.37) / 121.0, s + (n - s) * (f64::from(j) + 0.61) / 121.0);
            let holders: Vec<usize> = (0..streets.len()).filter(|&k| inside(&streets[k], p)).collect();
            if inside(&boundary, p) {
                assert_eq!(holders.len(), 1, "{p:?} lies in streets {holders:?}");
                per_street[holders[0]] += 1;
                inner += 1;
            } else {
                assert!(holders.is_empty(), "{p:?} is outside the district but in streets {holders:?}");
            }
        }
    }
    assert!(inner > 5000, "{inner} points inside");
    assert!(per_street.iter().all(|&c| c > 50), "every street has some area: {per_street:?}");
}

#![allow(clippy::unwrap_used)]
use super::*;
use crate::network::dijkstra;
use crate::network::graph::Direction;
use crate::network::snap::{SnapOptions, Snapper, station_seeds};
use std::collections::HashMap;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn helsinki_pbf() -> PathBuf {
    repo().join("data/osm/helsinki-centre.osm.pbf")
}

/// The graphs of the Helsinki extract for `modes`.
fn import(modes: &[TravelMode]) -> Vec<Graph> {
    import_bytes(&std::fs::read(helsinki_pbf()).unwrap(), modes).unwrap()
}

fn stations() -> Vec<LonLat> {
    let mut r = csv::Reader::from_path(repo().join("planner/testdata/network/helsinki_stations.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            LonLat::new(rec[1].parse().unwrap(), rec[2].parse().unwrap()).unwrap()
        })
        .collect()
}

/// Every way of the extract, (tags, node refs), with refs to nodes missing from the extract
/// (ways cut at its border) replaced by 0.
fn raw_ways() -> Vec<(HashMap<String, String>, Vec<i64>)> {
    let mut out = Vec::new();
    let mut present = std::collections::HashSet::new();
    ElementReader::from_path(helsinki_pbf())
        .unwrap()
        .for_each(|e| match e {
            Element::Way(w) => {
                let tags = w.tags().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                out.push((tags, w.refs().collect::<Vec<_>>()));
            }
            Element::DenseNode(n) => {
                present.insert(n.id());
            }
            Element::Node(n) => {
                present.insert(n.id());
            }
            Element::Relation(_) => {}
        })
        .unwrap();
    for (_, refs) in &mut out {
        for r in refs.iter_mut() {
            if !present.contains(r) {
                *r = 0;
            }
        }
    }
    out
}

fn by_osm_id(g: &Graph) -> HashMap<i64, u32> {
    (0..g.node_count() as u32).map(|u| (g.osm_id(u).unwrap(), u)).collect()
}

/// Whether the graph has the arc between two OSM nodes.
fn has(g: &Graph, ids: &HashMap<i64, u32>, a: i64, b: i64) -> bool {
    matches!((ids.get(&a), ids.get(&b)), (Some(&u), Some(&v)) if g.arc(u, v).is_some())
}

#[test]
fn helsinki_builds_three_plausible_profiles() {
    let gs = import(TravelMode::ALL);
    let [walk, ebike, car] = [&gs[0], &gs[1], &gs[2]];
    assert_eq!((walk.mode(), ebike.mode(), car.mode()), (TravelMode::Walk, TravelMode::Ebike, TravelMode::Car));
    // Central Helsinki, about 1 × 1.6 km: thousands of nodes, walking has the densest network.
    for (g, lo, hi) in [(walk, 4000, 8000), (ebike, 2000, 4000), (car, 1400, 3000)] {
        assert!((lo..hi).contains(&g.node_count()), "{}: {} nodes", g.mode(), g.node_count());
        assert!(g.arc_count() > g.node_count(), "{}: {} arcs", g.mode(), g.arc_count());
        // One main network holding almost every node; islands reported, not joined.
        let c = g.components();
        assert!(f64::from(c.sizes[0]) > 0.9 * g.node_count() as f64, "{}: {:?}", g.mode(), &c.sizes[..3]);
        assert!(c.sizes.len() > 1);
        for p in g.coords() {
            assert!((24.90..24.99).contains(&p.lon) && (60.15..60.19).contains(&p.lat), "{p:?}");
        }
        // Segment lengths and speeds are consistent: no arc faster than 130 km/h.
        for (u, v, t, l) in g.iter_arcs() {
            assert!((f64::from(l) - segment_length_m(g.coord(u), g.coord(v))).abs() < 0.01);
            assert!(f64::from(l) / (f64::from(t.max(1)) / 1000.0) < 130.0 / 3.6 + 0.5, "{u}→{v}");
        }
    }
    // Walking is symmetric (one-way tags ignored); driving is not.
    assert!(walk.iter_arcs().all(|(u, v, _, _)| walk.arc(v, u).is_some()));
    assert!(car.iter_arcs().filter(|&(u, v, _, _)| car.arc(v, u).is_none()).count() > 100);
    // Deterministic build.
    assert_eq!(import(&[TravelMode::Car])[0], *car);
}

#[test]
fn helsinki_tags_reach_the_right_graphs() {
    let gs = import(TravelMode::ALL);
    let (walk, ebike, car) = (&gs[0], &gs[1], &gs[2]);
    let (iw, ie, ic) = (by_osm_id(walk), by_osm_id(ebike), by_osm_id(car));
    let ways = raw_ways();
    let (mut cycleway_pairs, mut oneway_pairs, mut steps_pairs) = (0, 0, 0);
    for (t, refs) in &ways {
        let hw = tag(t, "highway");
        for w in refs.windows(2) {
            let (a, b) = (w[0], w[1]);
            if a == 0 || b == 0 {
                continue;
            }
            if hw == Some("cycleway") && tag(t, "access").is_none() && tag(t, "bicycle") != Some("no") {
                // Cycleways: in the e-bike graph (both ways unless one-way), never in the car graph.
                cycleway_pairs += 1;
                assert!(has(ebike, &ie, a, b) || has(ebike, &ie, b, a), "cycleway {a}-{b} missing for e-bike");
                assert!(
                    !has(car, &ic, a, b) && !has(car, &ic, b, a) || shared(&ways, a, b),
                    "cycleway {a}-{b} in car graph"
                );
            }
            if hw == Some("steps") && tag(t, "access").is_none() && tag(t, "foot").is_none() {
                steps_pairs += 1;
                assert!(has(walk, &iw, a, b) && has(walk, &iw, b, a), "steps {a}-{b} walkable");
                assert!(!has(ebike, &ie, a, b) || shared(&ways, a, b), "steps {a}-{b} ridden");
            }
            let car_road = matches!(hw, Some("primary" | "secondary" | "tertiary" | "residential" | "unclassified"));
            if car_road && tag(t, "oneway") == Some("yes") && tag(t, "access").is_none() && !shared(&ways, a, b) {
                oneway_pairs += 1;
                assert!(has(car, &ic, a, b) && !has(car, &ic, b, a), "one-way {a}→{b} for cars");
                assert!(has(walk, &iw, b, a), "walkers ignore one-way {a}→{b}");
                if tag(t, "oneway:bicycle") == Some("no") {
                    assert!(has(ebike, &ie, b, a), "contraflow {a}→{b} for bicycles");
                }
            }
            if hw == Some("motorway") {
                assert!(!has(ebike, &ie, a, b) && !has(walk, &iw, a, b), "motorway {a}-{b} not for riders");
            }
        }
    }
    assert!(
        cycleway_pairs > 100 && oneway_pairs > 100 && steps_pairs > 50,
        "{cycleway_pairs} {oneway_pairs} {steps_pairs}"
    );
}

fn tag<'a>(t: &'a HashMap<String, String>, k: &str) -> Option<&'a str> {
    t.get(k).map(String::as_str)
}

/// Whether a node pair is a segment of more than one way (then another way's tags may apply).
fn shared(ways: &[(HashMap<String, String>, Vec<i64>)], a: i64, b: i64) -> bool {
    ways.iter()
        .filter(|(t, r)| {
            t.contains_key("highway") && r.windows(2).any(|w| (w[0], w[1]) == (a, b) || (w[0], w[1]) == (b, a))
        })
        .count()
        > 1
}

#[test]
fn hilbert_order_is_a_bijection_with_locality() {
    let mut seen = std::collections::HashSet::new();
    for x in 0..16u32 {
        for y in 0..16u32 {
            seen.insert(hilbert_d(x << 12, y << 12) >> 24);
        }
    }
    assert_eq!(seen.len(), 256);
    // Consecutive curve cells are lattice neighbours.
    let mut cells: Vec<(u64, u32, u32)> =
        (0..16u32).flat_map(|x| (0..16u32).map(move |y| (hilbert_d(x << 12, y << 12), x, y))).collect();
    cells.sort_unstable();
    for w in cells.windows(2) {
        assert_eq!(w[0].1.abs_diff(w[1].1) + w[0].2.abs_diff(w[1].2), 1);
    }
}

/// The differential check against networkx (`scripts/network/check_networkx.sh`): same exported
/// Helsinki e-bike graph and 50 fixed stations, every node's time to the nearest station within
/// 1 s. Skipped only outside CI when Python cannot make a virtual environment.
#[test]
fn helsinki_field_matches_networkx() {
    let g = import(&[TravelMode::Ebike]).pop().unwrap();
    let st = stations();
    assert_eq!(st.len(), 50);
    let snaps = Snapper::new(g.clone()).snap_all(&st, &SnapOptions::default());
    assert_eq!(snaps.iter().filter(|s| s.is_some()).count(), 50, "every fixed station snaps");
    let seeds = station_seeds(&g, Direction::Backward, &snaps);
    let field = dijkstra::nearest_field(&g, &seeds);
    let dir = std::env::temp_dir().join(format!("yizhan-nx-{}", std::process::id()));
    crate::network::export::write_graph_csv(&g, &dir).unwrap();
    crate::network::export::write_seeds_csv(&seeds, &dir.join("seeds.csv")).unwrap();
    crate::network::export::write_tree_csv(&field, &dir.join("field.csv")).unwrap();
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    let out = std::process::Command::new("bash")
        .arg(repo().join("scripts/network/check_networkx.sh"))
        .arg(&dir)
        .output()
        .expect("bash runs");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
    match out.status.code() {
        Some(0) => assert!(log.contains("networkx check: OK"), "{log}"),
        Some(2) if !ci => eprintln!("SKIPPED (no Python venv with networkx outside CI):\n{log}"),
        _ => panic!("networkx differential check failed (CI={ci}):\n{log}"),
    }
}

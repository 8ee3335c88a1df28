//! `yizhan import-osm` run as a user would: builds the cached graphs, reuses them while the
//! extract is unchanged, and fails cleanly (no panic) on a missing or corrupt file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test/benchmark

#[path = "../../../tests/support/oracle.rs"]
mod oracle;

use std::path::Path;
use std::process::{Command, Output};

const EXTRACT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/osm/helsinki-centre.osm.pbf");

fn yizhan(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yizhan"))
        .args(args)
        .current_dir(cwd)
        .env("YIZHAN_LOG", "warn")
        .env_remove("YIZHAN_NETWORK_CACHE_DIR")
        .output()
        .expect("the yizhan binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn import_osm_builds_then_reuses_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(EXTRACT, dir.path().join("h.osm.pbf")).expect("copy");
    let out = yizhan(&["import-osm", "h.osm.pbf"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = text(&out.stdout);
    // Counts from an independent reading of the same extract: `osmpbf` directly, the documented
    // profile rules, union-find islands (`tests/support/oracle.rs`; no planner code).
    let extract = oracle::Extract::read(&dir.path().join("h.osm.pbf"));
    for mode in oracle::Mode::ALL {
        let g = extract.graph(mode);
        assert!(g.node_count() > 1000 && g.arc_count() > g.node_count(), "{mode:?}: {} nodes", g.node_count());
        let line = first.lines().find(|l| l.split_whitespace().next() == Some(mode.code())).expect("a line per mode");
        let words: Vec<&str> = line.split_whitespace().collect();
        let count = |unit: &str| words.iter().position(|w| *w == unit).map(|i| words[i - 1]);
        assert_eq!(count("nodes"), Some(g.node_count().to_string().as_str()), "{line}");
        assert_eq!(count("arcs"), Some(g.arc_count().to_string().as_str()), "{line}");
        let islands = g.island_sizes();
        assert_eq!(count("islands"), Some(islands.len().to_string().as_str()), "{line}");
        assert!(line.contains(&format!("(main network {} nodes)", islands[0])), "{line}");
        assert!(line.contains("built and cached"), "{line}");
    }
    assert!(first.contains("3 of 3 graphs rebuilt"), "{first}");
    let cache = dir.path().join("h.osm.pbf.ebike.yzg");
    let mtime = std::fs::metadata(&cache).and_then(|m| m.modified()).expect("cache written");

    let out = yizhan(&["import-osm", "h.osm.pbf", "--modes", "ebike,car"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let second = text(&out.stdout);
    assert!(second.contains("0 of 2 graphs rebuilt"), "{second}");
    assert_eq!(second.matches("cache up to date, reused").count(), 2, "{second}");
    assert_eq!(std::fs::metadata(&cache).and_then(|m| m.modified()).expect("cache"), mtime, "not rewritten");

    // A cache directory elsewhere.
    let out = yizhan(&["import-osm", "h.osm.pbf", "--modes", "walk", "--cache-dir", "graphs"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("graphs/h.osm.pbf.walk.yzg").is_file());
    assert!(text(&out.stdout).contains("1 of 1 graphs rebuilt"));
}

#[test]
fn import_osm_refuses_missing_and_corrupt_files_without_panicking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = yizhan(&["import-osm", "nowhere.osm.pbf"], dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("nowhere.osm.pbf") && err.contains("No such file"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    std::fs::write(dir.path().join("bad.osm.pbf"), "这不是 PBF 文件\n".repeat(100)).expect("write");
    let out = yizhan(&["import-osm", "bad.osm.pbf"], dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("bad.osm.pbf") && err.contains("not a readable OSM PBF file"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let out = yizhan(&["import-osm", "bad.osm.pbf", "--modes", "boat"], dir.path());
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("boat"));
}

#[test]
fn nearest_with_a_network_ranks_by_road_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(EXTRACT, dir.path().join("h.osm.pbf")).expect("copy");
    std::fs::write(dir.path().join("hel.csv"), yizhan_core::builtin::HELSINKI_STATIONS_CSV).expect("write");
    let out = yizhan(&["import", "hel.csv", "--data-dir", "d"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let args = ["nearest", "--lon", "24.945", "--lat", "60.170", "--k", "4", "--mode", "walk", "--data-dir", "d"];
    let out = yizhan(&[&args[..], &["--network", "h.osm.pbf", "--json"]].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["method"], "network");
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    let times: Vec<f64> = results.iter().map(|r| r["travel_time_s"].as_f64().expect("time")).collect();
    assert!(times.is_sorted(), "{times:?}");
    assert!(results.iter().all(|r| r["route"]["coordinates"].as_array().is_some_and(|c| c.len() >= 2)));
    // Without --network: the straight line, by distance.
    let out = yizhan(&[&args[..], &["--json"]].concat(), dir.path());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["results"][0]["method"], "straight_line");
    // The table names the method.
    let out = yizhan(&[&args[..], &["--network", "h.osm.pbf"]].concat(), dir.path());
    assert!(text(&out.stdout).contains("along the roads"), "{}", text(&out.stdout));
}

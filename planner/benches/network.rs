//! Criterion benchmarks of the road network: building graphs and the all-node nearest-station
//! field, on the Helsinki extract and on a 1000 × 1000 grid (1,000,000 nodes, 10,000 stations).
//!
//! `cargo bench -p yizhan-planner --bench network` (add a filter such as `grid` to run one
//! group). Peer tools on the same graphs: `scripts/network/peers.sh`.
#![allow(clippy::unwrap_used, missing_docs, clippy::expect_used)] // criterion_group! generates an undocumented fn

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::network::dijkstra::{self, Seed};
use yizhan_planner::network::snap::{SnapOptions, Snapper, station_seeds};
use yizhan_planner::network::{Direction, files, grid};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn helsinki_stations() -> Vec<LonLat> {
    let path = repo().join("planner/testdata/network/helsinki_stations.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            LonLat::new(rec[1].parse().unwrap(), rec[2].parse().unwrap()).unwrap()
        })
        .collect()
}

fn helsinki(c: &mut Criterion) {
    let pbf = repo().join("data/osm/helsinki-centre.osm.pbf");
    let mut g = c.benchmark_group("helsinki");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("build_ebike_graph", |b| b.iter(|| files::import_osm(&pbf, &[TravelMode::Ebike]).unwrap()));
    g.bench_function("build_all_profiles", |b| b.iter(|| files::import_osm(&pbf, TravelMode::ALL).unwrap()));
    let graph = files::import_osm(&pbf, &[TravelMode::Ebike]).unwrap().pop().unwrap();
    let stations = helsinki_stations();
    assert_eq!(stations.len(), 50);
    g.bench_function("snap_50_stations", |b| {
        b.iter(|| {
            let snapper = Snapper::new(graph.clone());
            snapper.snap_all(black_box(&stations), &SnapOptions::default())
        });
    });
    let snaps = Snapper::new(graph.clone()).snap_all(&stations, &SnapOptions::default());
    let seeds = station_seeds(&graph, Direction::Backward, &snaps);
    g.bench_function("field_50_stations", |b| b.iter(|| dijkstra::nearest_field(&graph, black_box(&seeds))));
    g.finish();
}

fn grid_1m(c: &mut Criterion) {
    let spec = grid::GridSpec { side: 1000, ..Default::default() };
    let mut g = c.benchmark_group("grid_1000x1000");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("build_graph", |b| b.iter(|| grid::grid(&spec, TravelMode::Ebike).unwrap()));
    let graph = grid::grid(&spec, TravelMode::Ebike).unwrap();
    let seeds: Vec<Seed> = grid::random_nodes(graph.node_count(), 10_000, 0)
        .into_iter()
        .enumerate()
        .map(|(i, node)| Seed { node, time_ms: 0, source: i as u32 })
        .collect();
    g.bench_function("field_10000_stations", |b| b.iter(|| dijkstra::nearest_field(&graph, black_box(&seeds))));
    g.finish();
}

criterion_group!(benches, helsinki, grid_1m);
criterion_main!(benches);

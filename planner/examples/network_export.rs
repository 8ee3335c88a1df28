//! Exports road graphs, station seeds and the all-node nearest-station field as CSV, and times
//! the build and the field, so that peer tools (networkx, pandana) run on exactly the same graph.
//!
//! ```text
//! network_export helsinki PBF STATIONS_CSV OUT_DIR [RUNS]   # e-bike graph of an OSM extract
//! network_export grid SIDE STATIONS OUT_DIR [RUNS]          # synthetic grid, stations at nodes
//! network_export stations PBF COUNT SEED                     # prints a station set (CSV) on the e-bike graph
//! network_export field-only SIDE STATIONS RUNS               # grid field RUNS times, no output files
//! ```
//! `field-only` builds the grid once and then only runs the field, so `perf stat` over two run
//! counts gives the field's CPU time alone.
//! Writes `nodes.csv`, `edges.csv`, `seeds.csv`, `field.csv` and `rust_times.json` into OUT_DIR
//! (formats in `yizhan_planner::network::export`). Times are medians over RUNS (default 5), seconds.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::network::dijkstra::{self, Seed};
use yizhan_planner::network::snap::{SnapOptions, Snapper, station_seeds};
use yizhan_planner::network::{Direction, Graph, export, files, grid};

type Res<T> = Result<T, Box<dyn Error>>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> Res<T>) -> Res<(f64, T)> {
    let mut ts = Vec::new();
    let mut out = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        out = Some(f()?);
        ts.push(t.elapsed().as_secs_f64());
    }
    Ok((median(ts), out.ok_or("no run")?))
}

fn read_stations(path: &Path) -> Res<Vec<LonLat>> {
    let mut out = Vec::new();
    let mut rdr = csv::Reader::from_path(path)?;
    for rec in rdr.records() {
        let rec = rec?;
        let lon: f64 = rec.get(1).ok_or("missing lon")?.parse()?;
        let lat: f64 = rec.get(2).ok_or("missing lat")?.parse()?;
        out.push(LonLat::new(lon, lat)?);
    }
    Ok(out)
}

fn write_all(g: &Graph, seeds: &[Seed], out: &Path, times: &[(&str, f64)]) -> Res<()> {
    export::write_graph_csv(g, out)?;
    export::write_seeds_csv(seeds, &out.join("seeds.csv"))?;
    let field = dijkstra::nearest_field(g, seeds);
    export::write_tree_csv(&field, &out.join("field.csv"))?;
    let mut json = serde_json::Map::new();
    json.insert("nodes".into(), g.node_count().into());
    json.insert("arcs".into(), g.arc_count().into());
    json.insert("reached".into(), field.reached_count().into());
    for (k, v) in times {
        json.insert((*k).into(), (*v).into());
    }
    std::fs::write(out.join("rust_times.json"), serde_json::to_string_pretty(&json)?)?;
    println!("{}", serde_json::Value::Object(json));
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or("missing argument (see the file's docs)");
    match arg(0)? {
        "helsinki" => {
            let pbf = PathBuf::from(arg(1)?);
            let stations = read_stations(Path::new(arg(2)?))?;
            let out = PathBuf::from(arg(3)?);
            let runs: usize = args.get(4).map_or(Ok(5), |s| s.parse())?;
            let (t_build3, _) = time(runs, || Ok(files::import_osm(&pbf, TravelMode::ALL)?))?;
            let (t_build, graphs) = time(runs, || Ok(files::import_osm(&pbf, &[TravelMode::Ebike])?))?;
            let g = graphs.into_iter().next().ok_or("no graph")?;
            let snapper = Snapper::new(g.clone());
            let snaps = snapper.snap_all(&stations, &SnapOptions::default());
            let seeds = station_seeds(&g, Direction::Backward, &snaps);
            let (t_field, _) = time(runs.max(20), || Ok(dijkstra::nearest_field(&g, &seeds)))?;
            write_all(
                &g,
                &seeds,
                &out,
                &[("build_all_profiles_s", t_build3), ("build_ebike_s", t_build), ("field_s", t_field)],
            )
        }
        "grid" => {
            let side: u32 = arg(1)?.parse()?;
            let k: usize = arg(2)?.parse()?;
            let out = PathBuf::from(arg(3)?);
            let runs: usize = args.get(4).map_or(Ok(5), |s| s.parse())?;
            let spec = grid::GridSpec { side, ..Default::default() };
            let (t_build, g) = time(runs, || Ok(grid::grid(&spec, TravelMode::Ebike)?))?;
            let seeds: Vec<Seed> = grid::random_nodes(g.node_count(), k, 0)
                .into_iter()
                .enumerate()
                .map(|(i, node)| Seed { node, time_ms: 0, source: i as u32 })
                .collect();
            let (t_field, _) = time(runs, || Ok(dijkstra::nearest_field(&g, &seeds)))?;
            write_all(&g, &seeds, &out, &[("build_s", t_build), ("field_s", t_field)])
        }
        "stations" => {
            let pbf = PathBuf::from(arg(1)?);
            let count: usize = arg(2)?.parse()?;
            let seed: u64 = arg(3)?.parse()?;
            let g = files::import_osm(&pbf, &[TravelMode::Ebike])?.into_iter().next().ok_or("no graph")?;
            let main_island: Vec<u32> =
                (0..g.node_count() as u32).filter(|&u| g.components().label[u as usize] == 0).collect();
            println!("id,lon,lat");
            // Stations a few metres off random main-network nodes, so snapping splits segments.
            for (i, k) in grid::random_nodes(main_island.len(), count, seed).into_iter().enumerate() {
                let p = g.coord(main_island[k as usize]);
                let (dx, dy) = (((i * 7) % 11) as f64 - 5.0, ((i * 5) % 13) as f64 - 6.0);
                println!("{},{:.7},{:.7}", i + 1, p.lon + dx * 1.8e-5, p.lat + dy * 9e-6);
            }
            Ok(())
        }
        "field-only" => {
            let side: u32 = arg(1)?.parse()?;
            let k: usize = arg(2)?.parse()?;
            let runs: usize = arg(3)?.parse()?;
            let g = grid::grid(&grid::GridSpec { side, ..Default::default() }, TravelMode::Ebike)?;
            let seeds: Vec<Seed> = grid::random_nodes(g.node_count(), k, 0)
                .into_iter()
                .enumerate()
                .map(|(i, node)| Seed { node, time_ms: 0, source: i as u32 })
                .collect();
            let mut walls = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                let f = dijkstra::nearest_field(&g, &seeds);
                walls.push(t.elapsed().as_secs_f64());
                std::hint::black_box(f);
            }
            println!("{{\"runs\":{runs},\"wall_s\":{walls:?}}}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}").into()),
    }
}

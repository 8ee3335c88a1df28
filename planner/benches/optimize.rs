//! Site optimisation benchmarks.
//!
//! 1. The shared maximal covering instance `data/bench/mclp/inst_5000x500` (5 000 demand
//!    points, 500 candidates, 2 500 m, p = 20): one end-to-end run (read CSV, build coverage,
//!    solve) printed beside spopt + CBC's saved solution, then a criterion measurement of
//!    coverage + solve. `MCLP_INSTANCE=dir` points elsewhere.
//! 2. A generated city: 1 000 000 demand points, 100 000 candidates, p = 50, same family
//!    (uniform integer coordinates at the shared instance's density, weights 1..=100, 2 500 m),
//!    timed once with peak memory (VmHWM). `OPTIMIZE_BENCH_CITY=0` skips it;
//!    `OPTIMIZE_BENCH_CITY=n,m,p` changes its size; `OPTIMIZE_BENCH_CITY_ALL=1` adds a geodesic
//!    coverage build, a minimum set (5 % of the weight) and a p-median (4.2 m/s, 600 s cutoff) on
//!    the same city.
//!
//! Run: `cargo bench -p yizhan-planner --bench optimize` (criterion filters after `--`).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::Criterion;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::optimize::instance::PlanarInstance;
use yizhan_planner::optimize::instance_files;
use yizhan_planner::optimize::{
    CostProblem, CoverProblem, CoverSolution, Coverage, SolveOptions, SparseCosts, no_progress, solve_max_cover,
    solve_min_sites, solve_p_median,
};

/// User + system CPU time of this process (all threads), from /proc/self/stat (Linux, 100 Hz).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(") ").next().unwrap_or("").split(' ').collect();
    let ticks = |k: usize| fields.get(k).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A line of /proc/self/status in MiB (e.g. `VmHWM`, the peak resident set).
fn status_mib(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn solve(inst: &PlanarInstance) -> CoverSolution {
    let coverage = inst.coverage().expect("coverage");
    let problem = CoverProblem::new(&inst.weights, &coverage).expect("problem");
    solve_max_cover(&problem, inst.p, &SolveOptions::default(), &mut no_progress).expect("solve")
}

fn shared_instance(c: &mut Criterion) {
    let dir = std::env::var_os("MCLP_INSTANCE").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/bench/mclp/inst_5000x500"),
        PathBuf::from,
    );
    let (wall, cpu) = (Instant::now(), cpu_time());
    let inst = instance_files::read_dir(&dir)
        .unwrap_or_else(|e| panic!("MCLP instance missing or unreadable at {}: {e}", dir.display()));
    let sol = solve(&inst);
    let (wall, cpu) = (wall.elapsed(), cpu_time().checked_sub(cpu).unwrap());
    let peer: serde_json::Value = std::fs::read_to_string(dir.join("solution_spopt_cbc_tl600.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let peer_obj = peer["objective_covered_weight"].as_f64().unwrap_or(f64::NAN);
    let peer_s = peer["median_total_s"].as_f64().unwrap_or(f64::NAN);
    let obj = sol.after.covered_weight;
    println!(
        "mclp {}: covered {obj:.0} of {:.0} ({:.2} %), upper bound {:.0} (gap <= {:.2} %), {:?}, {} rounds, \
         {} bound iterations; end to end {:.3} s wall, {:.2} s CPU",
        dir.display(),
        sol.after.total_weight,
        100.0 * sol.after.share,
        sol.upper_bound.unwrap_or(f64::NAN),
        100.0 * (sol.upper_bound.unwrap_or(f64::NAN) - obj) / obj,
        sol.termination,
        sol.rounds,
        sol.bound_iterations,
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
    );
    println!(
        "  spopt + CBC (saved, 600 s limit): covered {peer_obj:.0} in {peer_s:.0} s; ratio {:.5}, {:.0}x faster",
        obj / peer_obj,
        peer_s / wall.as_secs_f64()
    );
    let mut chosen: Vec<u32> = sol.sites.iter().map(|s| s.candidate).collect();
    chosen.sort_unstable();
    println!("  chosen {chosen:?}");
    c.bench_function("mclp_5000x500_p20/coverage+solve", |b| b.iter(|| black_box(solve(&inst))));
}

fn city() {
    let spec = std::env::var("OPTIMIZE_BENCH_CITY").unwrap_or_default();
    if spec == "0" {
        return;
    }
    let dims: Vec<usize> = spec.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    let (n, m, p) = match dims[..] {
        [n, m, p] => (n, m, p),
        _ => (1_000_000, 100_000, 50),
    };
    let side = PlanarInstance::scaled_box_m(n);
    let t = Instant::now();
    let inst = PlanarInstance::random(n, m, side, 2_500.0, p, 7);
    let generate = t.elapsed();
    let (wall, cpu) = (Instant::now(), cpu_time());
    let coverage = inst.coverage().expect("coverage");
    let build = wall.elapsed();
    let problem = CoverProblem::new(&inst.weights, &coverage).expect("problem");
    let sol = solve_max_cover(&problem, p, &SolveOptions::default(), &mut no_progress).expect("solve");
    let (wall, cpu) = (wall.elapsed(), cpu_time().checked_sub(cpu).unwrap());
    let obj = sol.after.covered_weight;
    println!(
        "city {n} x {m}, p = {p}, box {side} m: {} coverage pairs; generate {:.2} s, coverage {:.2} s, solve {:.2} s \
         ({} rounds, {} bound iterations, {:?}); coverage + solve {:.2} s wall, {:.2} s CPU; peak RSS (VmHWM) {:.0} MiB",
        coverage.nnz(),
        generate.as_secs_f64(),
        build.as_secs_f64(),
        sol.elapsed.as_secs_f64(),
        sol.rounds,
        sol.bound_iterations,
        sol.termination,
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        status_mib("VmHWM"),
    );
    println!(
        "  covered {obj:.0} of {:.0} ({:.2} %), upper bound {:.0} (gap <= {:.2} %)",
        sol.after.total_weight,
        100.0 * sol.after.share,
        sol.upper_bound.unwrap_or(f64::NAN),
        100.0 * (sol.upper_bound.unwrap_or(f64::NAN) - obj) / obj
    );
    if std::env::var("OPTIMIZE_BENCH_CITY_ALL").is_ok_and(|v| v == "1") {
        city_others(&inst, &problem);
    }
}

/// Minimum set (5 % of the weight), p-median (e-bike, 4.2 m/s, 600 s cutoff) and a geodesic
/// coverage build (the city laid on WGS-84 around Jining) on the city.
fn city_others(inst: &PlanarInstance, problem: &CoverProblem<'_>) {
    // Local equirectangular placement: 1 m east = 1 / (111 320 cos φ) degrees of longitude.
    let (lon0, lat0) = (116.0, 34.5);
    let to_lonlat = |p: &[f64; 2]| {
        let lat = lat0 + p[1] / 110_574.0;
        LonLat::new(lon0 + p[0] / (111_320.0 * lat.to_radians().cos()), lat).expect("in range")
    };
    let demand: Vec<LonLat> = inst.demand.iter().map(to_lonlat).collect();
    let candidates: Vec<LonLat> = inst.candidates.iter().map(to_lonlat).collect();
    let t = Instant::now();
    let geodesic = Coverage::geodesic_radius(&demand, &candidates, inst.radius_m).expect("geodesic coverage");
    println!(
        "  geodesic coverage (WGS-84, Karney on the boundary band): {} pairs (planar {}), {:.2} s",
        geodesic.nnz(),
        problem.coverage().nnz(),
        t.elapsed().as_secs_f64()
    );
    drop(geodesic);
    let t = Instant::now();
    let min = solve_min_sites(problem, 0.05, &SolveOptions::default(), &mut no_progress).expect("min set");
    println!(
        "  minimum set for 5 %: {} sites (lower bound {}), share {:.4}, {:?}, {:.2} s",
        min.sites.len(),
        min.lower_bound,
        min.after.share,
        min.termination,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let costs = SparseCosts::planar_travel_time(&inst.demand, &inst.candidates, 4.2, 600.0).expect("costs");
    let build = t.elapsed();
    let cost_problem = CostProblem::new(&inst.weights, &costs, 600.0).expect("cost problem");
    let median = solve_p_median(&cost_problem, inst.p, &SolveOptions::default(), &mut no_progress).expect("p-median");
    println!(
        "  p-median (4.2 m/s, 600 s cutoff, {} pairs): mean time {:.1} s -> {:.1} s, {} rounds, {:?}; \
         costs {:.2} s, solve {:.2} s; peak RSS (VmHWM) {:.0} MiB",
        costs.nnz(),
        median.before.mean_cost,
        median.after.mean_cost,
        median.rounds,
        median.termination,
        build.as_secs_f64(),
        median.elapsed.as_secs_f64(),
        status_mib("VmHWM"),
    );
}

fn main() {
    let mut c = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(10)).configure_from_args();
    shared_instance(&mut c);
    city();
    c.final_summary();
}

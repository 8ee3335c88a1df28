//! Criterion benchmarks of the coverage planner on the demo district 兖州区 (about 650 km²):
//! a straight-line coverage analysis at H3 resolutions 9 and 10 (every demo station of status
//! active, the seeded synthetic demand layer, the synthetic streets), and a maximal-covering plan
//! of 10 new sites within 10 minutes by e-bike with every res-9 cell centre as a candidate.
//!
//! Run as a test (`cargo test --benches`), each routine runs once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test/benchmark

use chrono::{TimeZone, Utc};
use criterion::Criterion;
use std::hint::black_box;
use std::time::Duration;
use yizhan_planner::coverage::{Area, CoverageParams, Resolution, analyse};
use yizhan_planner::demo::{DEMO_SEED, demo_demand, demo_streets, generate};
use yizhan_planner::district::parse_districts;
use yizhan_planner::eta::StraightLineModel;
use yizhan_planner::index::StationIndex;
use yizhan_planner::optimize::{SolveOptions, no_progress};
use yizhan_planner::plan::{Candidates, Objective, PlanParams, plan};
use yizhan_planner::station::Station;

fn main() {
    let Some(d) = parse_districts(include_str!("../../data/districts/jining.geojson"))
        .ok()
        .and_then(|ds| ds.into_iter().find(|d| d.name == "兖州区"))
    else {
        eprintln!("兖州区 boundary missing");
        return;
    };
    let epoch = Utc.timestamp_opt(0, 0).single().unwrap_or_default();
    let stations = StationIndex::build(generate(&d, DEMO_SEED).into_iter().enumerate().map(|(i, data)| Station {
        id: i as i64 + 1,
        data,
        created_at: epoch,
        updated_at: epoch,
    }));
    let demand = demo_demand(&d, DEMO_SEED);
    let streets = demo_streets(&d);
    let area = Area { name: Some(d.name.clone()), polygon: d.boundary.clone() };
    let eta = StraightLineModel::default();
    let mut c = Criterion::default().configure_from_args().sample_size(10).measurement_time(Duration::from_secs(10));
    let mut g = c.benchmark_group("coverage_yanzhou");
    for res in [9u8, 10] {
        let Ok(resolution) = Resolution::try_from(res) else { return };
        let params = CoverageParams { resolution, ..CoverageParams::default() };
        if let Ok(a) = analyse(&area, &streets, &stations, None, &eta, Some(&demand), &params) {
            eprintln!(
                "res {res}: {} cells, {} gaps, demand within 10/15 min: {:.3}/{:.3}",
                a.cells.len(),
                a.gaps.len(),
                a.summary.thresholds[0].demand_share,
                a.summary.thresholds[1].demand_share
            );
        }
        g.bench_function(format!("analyse_res{res}_straight_line"), |b| {
            b.iter(|| black_box(analyse(&area, &streets, &stations, None, &eta, Some(&demand), &params)));
        });
    }
    let Ok(analysis) = analyse(&area, &streets, &stations, None, &eta, Some(&demand), &CoverageParams::default())
    else {
        return;
    };
    let params = PlanParams {
        objective: Objective::MaxCover { sites: 10 },
        threshold_s: 600.0,
        candidates: Candidates::Cells,
        exclude: Vec::new(),
        fixed: Vec::new(),
        filter: CoverageParams::default().filter,
        solve: SolveOptions::default(),
    };
    if let Ok(r) = plan(&analysis, &stations, None, &eta, &params, &mut no_progress) {
        eprintln!(
            "plan p=10 over {} candidates: demand within 10 min {:.4} -> {:.4} (upper bound {:?}, {})",
            r.candidates,
            r.before.thresholds[0].demand_share,
            r.after.thresholds[0].demand_share,
            r.upper_bound,
            r.termination
        );
    }
    g.bench_function("plan_max_cover_p10_res9", |b| {
        b.iter(|| black_box(plan(&analysis, &stations, None, &eta, &params, &mut no_progress)));
    });
    g.finish();
    c.final_summary();
}

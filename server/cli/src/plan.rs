//! `yizhan plan`: proposed station sites (maximal covering, minimum set or p-median) with a
//! progress bar, written as GeoJSON points or CSV, with a summary on stdout (`--json`).

use super::StoreArgs;
use super::coverage::{AreaArgs, describe, is_csv, print_json};
use super::export::Lang;
use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;
use std::path::PathBuf;
use yizhan_core::analysis::jobs::{CheckedPlan, check_plan, run_plan};
use yizhan_core::analysis::output::{plan_summary_json, sites_csv, sites_geojson};
use yizhan_core::analysis::{CandidateInput, CandidatesInput, Minutes, PlanRequest};
use yizhan_planner::import::{Format, ImportOptions, parse_stations};
use yizhan_planner::station::StationKind;

/// Flags of `yizhan plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    area: AreaArgs,
    /// The service threshold, minutes.
    #[arg(long, default_value_t = 10.0)]
    pub minutes: f64,
    /// Number of new sites (maximal covering, or p-median with --p-median).
    #[arg(long, conflicts_with = "target_share", required_unless_present = "target_share")]
    pub sites: Option<i64>,
    /// Propose the fewest sites that bring this share of demand (0 < S ≤ 1) within the threshold.
    #[arg(long)]
    pub target_share: Option<f64>,
    /// Minimise demand-weighted travel time instead of maximising covered demand (with --sites).
    #[arg(long, requires = "sites")]
    pub p_median: bool,
    /// Candidate sites: a CSV or GeoJSON station file (name, lon/lat or 经度/纬度, optional
    /// external_id as the id). Default: every cell centre.
    #[arg(long)]
    pub candidates: Option<PathBuf>,
    /// Exclude a candidate: an H3 cell (hex) or a candidate id (repeat for several).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// A site placed by hand, `LON,LAT` (WGS-84): it counts as an existing station (repeatable).
    #[arg(long, value_parser = parse_lon_lat)]
    pub fixed: Vec<[f64; 2]>,
    /// Output file: .geojson/.json (points with rank, gain) or .csv.
    #[arg(long)]
    pub out: PathBuf,
    /// CSV header language.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    /// Print a summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

fn parse_lon_lat(s: &str) -> Result<[f64; 2], String> {
    let (lon, lat) = s.split_once(',').ok_or_else(|| format!("{s:?} is not LON,LAT"))?;
    let num = |v: &str| v.trim().parse::<f64>().map_err(|_| format!("{v:?} is not a number"));
    Ok([num(lon)?, num(lat)?])
}

fn read_candidates(path: &PathBuf, crs: yizhan_planner::crs::Crs) -> anyhow::Result<Vec<CandidateInput>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let Some(format) = Format::from_path(path) else {
        bail!("--candidates {}: use a .csv or .geojson file", path.display());
    };
    let opts = ImportOptions { format, crs, default_kind: Some(StationKind::RestStation), ..ImportOptions::default() };
    let rows = parse_stations(&bytes, &opts).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| CandidateInput {
            id: r.external_id.clone().unwrap_or_else(|| (i + 1).to_string()),
            name: Some(r.name),
            lon: r.location.lon,
            lat: r.location.lat,
        })
        .collect())
}

/// Runs the planner.
///
/// # Errors
/// Bad flags, storage failure, an unwritable output.
pub async fn run(a: PlanArgs) -> anyhow::Result<()> {
    let csv = is_csv(&a.out)?;
    let cov = a.area.request(Minutes::One(a.minutes))?;
    let candidates = match &a.candidates {
        Some(path) => Some(CandidatesInput::List(read_candidates(path, a.area.crs)?)),
        None => None,
    };
    let objective = match (a.target_share, a.p_median) {
        (Some(_), _) => "min_sites",
        (None, true) => "p_median",
        (None, false) => "max_cover",
    };
    let req = PlanRequest {
        district: cov.district.clone(),
        boundary: cov.boundary.clone(),
        crs: cov.crs.clone(),
        resolution: cov.resolution,
        minutes: cov.minutes.clone(),
        mode: cov.mode.clone(),
        kinds: cov.kinds.clone(),
        amenities: cov.amenities.clone(),
        open_at: cov.open_at.clone(),
        demand: cov.demand.clone(),
        include_planned: cov.include_planned,
        scenario: cov.scenario.clone(),
        objective: Some(objective.to_owned()),
        sites: a.sites,
        target_share: a.target_share,
        candidates,
        exclude: a.exclude.clone(),
        fixed: a.fixed.clone(),
    };
    let state = super::coverage::open_state(&a.store).await?;
    let mut checked: CheckedPlan = check_plan(&state, &req).await.map_err(describe)?;
    a.area.apply_demand_file(&mut checked.prepared)?;

    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{spinner} 选址 planning [{bar:40}] {percent}% {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let worker_bar = bar.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut progress = |phase: &str, fraction: f64| {
            worker_bar.set_message(phase.to_owned());
            worker_bar.set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
            ControlFlow::Continue(())
        };
        run_plan(&checked, &mut progress)
    })
    .await?
    .map_err(describe)?;
    bar.finish_and_clear();
    let bytes =
        if csv { sites_csv(&result.sites, a.lang.into()) } else { serde_json::to_vec(&sites_geojson(&result.sites))? };
    std::fs::write(&a.out, bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    let share =
        |s: &yizhan_planner::coverage::CoverageSummary| s.thresholds.first().map_or(0.0, |t| t.demand_share * 100.0);
    eprintln!(
        "{} sites proposed; demand within {} min: {:.1}% → {:.1}%; wrote {}",
        result.sites.len(),
        a.minutes,
        share(&result.before),
        share(&result.after),
        a.out.display()
    );
    if a.json {
        print_json(&plan_summary_json(&result))?;
    }
    Ok(())
}

//! The figures of a district report, computed with the functions the coverage and plan APIs use,
//! so every number printed can be compared with `POST /api/v1/coverage`, `POST /api/v1/plans` and
//! `GET /api/v1/stations` on the same data.
//!
//! Shares are 0 ..= 1; areas km²; demand in the demand layer's weight (uniform demand: km²);
//! positions WGS-84 degrees; thresholds minutes. The riders' feedback section ([`FeedbackSection`])
//! is [`yizhan_core::report_stats::report_stats`] over the district's stored reports, the figures
//! `GET /api/v1/reports/stats?district=…` answers for the same period.

use super::ReportError;
use crate::maps::{MapError, load_inputs};
use crate::render::{Lang, MapCell, MapCoverage};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use geo::{LineString, MultiPolygon, Polygon};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use yizhan_core::analysis::jobs::{check_plan_for, run_plan_within};
use yizhan_core::analysis::{AnalysisError, CoverageRequest, Minutes, PlanRequest, prepare_for};
use yizhan_core::config::TierBudget;
use yizhan_core::report_stats::{ReportStats, report_stats};
use yizhan_core::state::AppState;
use yizhan_core::work::WorkPool;
use yizhan_planner::budget::Budget;
use yizhan_planner::coverage::{
    CoverageAnalysis, CoverageError, CoverageSummary, StreetSummary, ThresholdShare, cell_ring, cells_of,
};
use yizhan_planner::district::District;
use yizhan_planner::eta::{EtaMethod, StraightLineModel, TravelMode};
use yizhan_planner::plan::ProposedSite;
use yizhan_planner::station::{Station, StationId, StationKind, StationStatus};
use yizhan_store::reports::{ReportQuery, ReportRecord};

/// The thresholds a report shows, minutes.
pub const THRESHOLDS_MIN: [f64; 2] = [10.0, 15.0];
/// The threshold the proposed sites aim at, minutes.
pub const PLAN_MINUTES: f64 = 15.0;
/// How many gaps the report lists.
pub const GAPS_SHOWN: usize = 10;
/// Proposed sites when the request does not say.
pub const DEFAULT_SITES: i64 = 5;
/// Days of riders' reports the feedback section covers, the report's date the last of them.
pub const FEEDBACK_DAYS: u64 = 90;
/// Most reports of the district the feedback section reads (the newest), as the statistics API.
pub const MAX_FEEDBACK_REPORTS: u32 = 100_000;

/// What to report on.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The district's name, e.g. `兖州区`.
    pub district: String,
    /// Language of the text.
    pub lang: Lang,
    /// H3 resolution, 7 ..= 11 (default 9).
    pub resolution: Option<i64>,
    /// Travel mode: `walk`, `ebike` (default) or `car`.
    pub mode: Option<String>,
    /// Number of sites to propose, ≥ 1 (default [`DEFAULT_SITES`]).
    pub sites: Option<i64>,
    /// The date printed on the report (local date of the server's time zone).
    pub date: NaiveDate,
}

impl ReportOptions {
    /// A report on `district` in `lang` dated `date`, every other option at its default.
    #[must_use]
    pub fn new(district: impl Into<String>, lang: Lang, date: NaiveDate) -> Self {
        Self { district: district.into(), lang, resolution: None, mode: None, sites: None, date }
    }
}

/// Stations of one kind inside the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindCount {
    /// The kind.
    pub kind: StationKind,
    /// Active stations.
    pub active: usize,
    /// Planned stations.
    pub planned: usize,
}

/// One coverage gap as the report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    /// 1-based rank by uncovered demand (the analysis' order).
    pub rank: usize,
    /// The street holding most of its cells, if any.
    pub street: Option<String>,
    /// Number of H3 cells.
    pub cells: usize,
    /// Area, km².
    pub area_km2: f64,
    /// Uncovered demand weight.
    pub demand: f64,
    /// `demand` ÷ the district's total demand, 0 ..= 1.
    pub demand_share: f64,
    /// Area-weighted centroid, `[lon, lat]` WGS-84 degrees.
    pub centroid: [f64; 2],
}

/// The proposed sites and what they gain at [`PLAN_MINUTES`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSection {
    /// The threshold aimed at, minutes.
    pub minutes: f64,
    /// Candidate sites considered.
    pub candidates: usize,
    /// The sites in rank order.
    pub sites: Vec<ProposedSite>,
    /// Coverage within the threshold with the existing stations.
    pub before: ThresholdShare,
    /// Coverage within the threshold with the proposed sites added.
    pub after: ThresholdShare,
    /// Why the solver stopped (`optimal`, `budget`…).
    pub termination: String,
}

/// How the figures were computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Methods {
    /// Road network or straight line (the `analysis::network_for` rule).
    pub method: EtaMethod,
    /// Travel mode.
    pub mode: TravelMode,
    /// The straight-line model (detour factor, speeds in metres per second).
    pub eta: StraightLineModel,
    /// H3 resolution.
    pub resolution: u8,
    /// Mean cell area, km².
    pub cell_area_km2: f64,
    /// Thresholds, minutes.
    pub thresholds_min: Vec<f64>,
    /// The demand used: `uniform`, `demo:兖州区` or a dataset's name.
    pub demand_label: String,
    /// Whether demand came from points (`false`: uniform by area).
    pub demand_from_points: bool,
    /// Whether the demand dataset is synthetic (the demo layer).
    pub demand_synthetic: bool,
}

/// Riders' reports on the district's stations over the [`FEEDBACK_DAYS`] days that end with the
/// report's date (local days of the server's time zone).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackSection {
    /// The first day of the period.
    pub first_day: NaiveDate,
    /// The last day of the period (the report's date).
    pub last_day: NaiveDate,
    /// The figures: per street (in the store's district/street order), the total, the stations
    /// reported at least [`yizhan_core::report_stats::REPEATED_AT`] times. `stats.since` is the
    /// start of `first_day`, `stats.until` the end of `last_day`.
    pub stats: ReportStats,
}

impl FeedbackSection {
    /// Number of days in the period.
    #[must_use]
    pub fn days(&self) -> u64 {
        u64::try_from((self.last_day - self.first_day).num_days() + 1).unwrap_or(0)
    }
}

/// The start of local day `day` in `tz`, UTC (the earliest instant when a clock change repeats
/// midnight; midnight read as UTC if the time zone skips it).
fn start_of<Tz: TimeZone>(day: NaiveDate, tz: &Tz) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The feedback section of a report dated `date` in time zone `tz`: [`report_stats`] over the
/// reports created from the start of the day `FEEDBACK_DAYS − 1` days before `date` to the
/// end of `date`; `name_of` gives a station's name now.
#[must_use]
pub fn feedback<Tz: TimeZone>(
    reports: &[ReportRecord],
    date: NaiveDate,
    tz: &Tz,
    name_of: &dyn Fn(StationId) -> Option<String>,
) -> FeedbackSection {
    let first_day = date.checked_sub_days(Days::new(FEEDBACK_DAYS - 1)).unwrap_or(NaiveDate::MIN);
    let since = start_of(first_day, tz);
    let until = date.checked_add_days(Days::new(1)).map_or(DateTime::<Utc>::MAX_UTC, |d| start_of(d, tz));
    FeedbackSection { first_day, last_day: date, stats: report_stats(reports, since, until, name_of) }
}

/// Every figure a district report prints.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// The district's name.
    pub district: String,
    /// Its city, when known.
    pub city: Option<String>,
    /// Its province, when known.
    pub province: Option<String>,
    /// The report's date.
    pub date: NaiveDate,
    /// Language of the text.
    pub lang: Lang,
    /// Stations inside the district (boundary containment, as on the map), for every kind in
    /// [`StationKind::ALL`] order; closed stations are not counted.
    pub stations: Vec<KindCount>,
    /// Coverage of the whole district at [`THRESHOLDS_MIN`] (active stations count).
    pub summary: CoverageSummary,
    /// Coverage per street, in the stored order.
    pub streets: Vec<StreetSummary>,
    /// The worst gaps, at most [`GAPS_SHOWN`].
    pub gaps: Vec<GapRow>,
    /// How many gaps the analysis found in all.
    pub gaps_total: usize,
    /// The proposed sites.
    pub plan: PlanSection,
    /// Riders' reports on the district's stations (骑手反馈).
    pub feedback: FeedbackSection,
    /// The method note.
    pub methods: Methods,
}

impl ReportData {
    /// Active stations of every kind.
    #[must_use]
    pub fn active_total(&self) -> usize {
        self.stations.iter().map(|k| k.active).sum()
    }

    /// Planned stations of every kind.
    #[must_use]
    pub fn planned_total(&self) -> usize {
        self.stations.iter().map(|k| k.planned).sum()
    }
}

/// What the report's map draws: the district, its streets, its stations, the analysed cells.
#[derive(Debug, Clone)]
pub struct ReportMap {
    /// The district.
    pub district: District,
    /// Its streets.
    pub streets: Vec<(String, MultiPolygon<f64>)>,
    /// Every station of the snapshot (the map keeps those inside, not closed).
    pub stations: Vec<Arc<Station>>,
    /// The cells coloured by class.
    pub coverage: MapCoverage,
}

/// A report: its figures and its map.
#[derive(Debug, Clone)]
pub struct Report {
    /// The figures.
    pub data: ReportData,
    /// The map.
    pub map: ReportMap,
}

/// Counts the stations inside `district` by kind and status (closed ones left out).
#[must_use]
pub fn count_stations<'a>(district: &District, stations: impl IntoIterator<Item = &'a Arc<Station>>) -> Vec<KindCount> {
    let mut counts: Vec<KindCount> =
        StationKind::ALL.iter().map(|&kind| KindCount { kind, active: 0, planned: 0 }).collect();
    for s in stations {
        if !district.contains(s.data.location.lon, s.data.location.lat) {
            continue;
        }
        let Some(c) = counts.iter_mut().find(|c| c.kind == s.data.kind) else { continue };
        match s.data.status {
            StationStatus::Active => c.active += 1,
            StationStatus::Planned => c.planned += 1,
            StationStatus::Closed => {}
        }
    }
    counts
}

/// The report's gap rows: the first [`GAPS_SHOWN`] gaps of `analysis`, each with the street that
/// holds most of its cells.
#[must_use]
pub fn gap_rows(analysis: &CoverageAnalysis) -> Vec<GapRow> {
    let street_of: HashMap<&str, &str> =
        analysis.cells.iter().filter_map(|c| c.street.as_deref().map(|s| (c.h3.as_str(), s))).collect();
    let total = analysis.summary.demand_total;
    analysis
        .gaps
        .iter()
        .take(GAPS_SHOWN)
        .map(|g| {
            let mut votes: Vec<(&str, usize)> = Vec::new();
            for h in &g.cells {
                if let Some(s) = street_of.get(h.as_str()) {
                    match votes.iter_mut().find(|(n, _)| n == s) {
                        Some(v) => v.1 += 1,
                        None => votes.push((s, 1)),
                    }
                }
            }
            // Most cells wins; ties go to the street met first.
            let street = votes.iter().fold(None::<(&str, usize)>, |best, &(n, k)| match best {
                Some((_, bk)) if bk >= k => best,
                _ => Some((n, k)),
            });
            GapRow {
                rank: g.rank,
                street: street.map(|(n, _)| n.to_owned()),
                cells: g.cells.len(),
                area_km2: g.area_km2,
                demand: g.demand,
                demand_share: if total > 0.0 { g.demand / total } else { 0.0 },
                centroid: g.centroid,
            }
        })
        .collect()
}

/// The analysed cells as map cells (hexagons coloured by class).
#[must_use]
pub fn map_coverage(analysis: &CoverageAnalysis) -> MapCoverage {
    let cells = analysis
        .cells
        .iter()
        .filter_map(|c| {
            let ring = cell_ring(&c.h3)?;
            let line: LineString<f64> = ring.into_iter().map(|[x, y]| (x, y)).collect();
            Some(MapCell { boundary: MultiPolygon(vec![Polygon::new(line, vec![])]), class: c.class.code() })
        })
        .collect();
    MapCoverage {
        id: String::new(),
        minutes: analysis.thresholds_s.iter().map(|s| (s / 60.0).round() as u32).collect(),
        cells,
        method: match analysis.method {
            EtaMethod::Network => "network",
            EtaMethod::StraightLine => "straight_line",
        }
        .to_owned(),
    }
}

/// Runs on a blocking thread, mapping a failed thread onto an internal error.
/// Something a report's heavy tasks hold until each of them ends (the HTTP route's concurrency
/// permit), so that a report whose client went away still counts until its work has stopped.
pub type Hold = Option<Arc<dyn std::any::Any + Send + Sync>>;

/// Runs `f` on the heavy-work pool within `tier`, holding `hold` until it ends.
async fn heavy<T: Send + 'static>(
    state: &AppState,
    class: &'static str,
    tier: &TierBudget,
    hold: &Hold,
    f: impl FnOnce(&Budget) -> Result<T, AnalysisError> + Send + 'static,
) -> Result<T, AnalysisError> {
    let hold = hold.clone();
    state
        .work
        .run(class, WorkPool::budget(tier.limits()), move |b| {
            let _hold = hold;
            f(b)
        })
        .await?
}

/// Computes the report of `opts`: the coverage analysis (10 and 15 minutes, active stations, the
/// district's demand layer if stored, else uniform), a plan of `sites` new sites maximising
/// demand within 15 minutes, the station counts and the map's inputs.
///
/// Order of checks: the district exists, the parameters are valid, its boundary can be analysed
/// (and is not too many cells at the resolution), at least one station lies inside it.
///
/// # Errors
/// [`ReportError`].
pub async fn build(state: &AppState, opts: &ReportOptions) -> Result<Report, ReportError> {
    build_for(state, opts, &TierBudget::UNLIMITED, &None).await
}

/// [`build`] for a caller with budget `tier`: each heavy step (grid check, analysis, plan) runs
/// on the heavy-work pool within it, holding `hold` until it ends.
///
/// # Errors
/// [`ReportError`].
pub async fn build_for(
    state: &AppState,
    opts: &ReportOptions,
    tier: &TierBudget,
    hold: &Hold,
) -> Result<Report, ReportError> {
    let name = opts.district.trim().to_owned();
    let inputs = load_inputs(&state.store, &name, None).await.map_err(|e| match e {
        MapError::UnknownDistrict { name, known } => ReportError::UnknownDistrict { name, known },
        MapError::Store(s) => ReportError::Analysis(AnalysisError::Store(s)),
        other => ReportError::Analysis(AnalysisError::Internal(other.to_string())),
    })?;
    let district_err = |e| ReportError::from_analysis(&name, e);
    let req = CoverageRequest {
        district: Some(name.clone()),
        resolution: opts.resolution,
        minutes: Some(Minutes::Many(THRESHOLDS_MIN.to_vec())),
        mode: opts.mode.clone(),
        ..CoverageRequest::default()
    };
    let prepared = prepare_for(state, &req, tier).await.map_err(district_err)?;
    // The boundary and the grid's size first, then the stations, then the analysis. Allowed no
    // cell, `cells_of` validates the boundary and estimates the cell count, then stops before
    // tiling (the slow part).
    let (area, res, max) = (prepared.area.clone(), prepared.params.resolution, prepared.params.max_cells);
    heavy(state, "report_grid", tier, hold, move |_| match cells_of(&area, res, 0) {
        Ok(_) => Ok(()),
        Err(CoverageError::TooManyCells { cells, .. }) if cells <= max => Ok(()),
        Err(CoverageError::TooManyCells { cells, .. }) => {
            Err(AnalysisError::from_coverage(CoverageError::TooManyCells { cells, max }))
        }
        Err(e) => Err(AnalysisError::from_coverage(e)),
    })
    .await
    .map_err(district_err)?;
    let snapshot = state.index();
    // Every station of the register against the boundary: heavy at a million stations.
    let (district, all) = (inputs.district.clone(), Arc::clone(&snapshot));
    let (stations, map_stations) = heavy(state, "report_stations", tier, hold, move |_| {
        Ok((count_stations(&district, all.iter()), all.iter().cloned().collect::<Vec<_>>()))
    })
    .await
    .map_err(district_err)?;
    if stations.iter().all(|k| k.active + k.planned == 0) {
        return Err(ReportError::NoStations { district: name });
    }
    let demand_label = prepared.demand_label.clone();
    let analysis =
        heavy(state, "report_coverage", tier, hold, move |b| prepared.analyse_within(b)).await.map_err(district_err)?;

    let plan_req = PlanRequest {
        district: Some(name.clone()),
        resolution: opts.resolution,
        minutes: Some(Minutes::One(PLAN_MINUTES)),
        mode: opts.mode.clone(),
        objective: Some("max_cover".to_owned()),
        sites: Some(opts.sites.unwrap_or(DEFAULT_SITES)),
        ..PlanRequest::default()
    };
    let checked = check_plan_for(state, &plan_req, tier).await.map_err(district_err)?;
    let result = heavy(state, "report_plan", tier, hold, move |b| {
        run_plan_within(&checked, &mut |_, _| ControlFlow::Continue(()), b)
    })
    .await
    .map_err(district_err)?;
    let first = |s: &CoverageSummary| {
        s.thresholds.first().cloned().unwrap_or(ThresholdShare {
            minutes: PLAN_MINUTES,
            cells: 0,
            area_share: 0.0,
            demand_share: 0.0,
        })
    };
    let plan = PlanSection {
        minutes: result.threshold_s / 60.0,
        candidates: result.candidates,
        before: first(&result.before),
        after: first(&result.after),
        sites: result.sites,
        termination: result.termination,
    };

    let demand_synthetic = if analysis.demand_from_points {
        state.store.demand(&demand_label).await.map_err(|e| district_err(e.into()))?.is_some_and(|d| d.synthetic)
    } else {
        false
    };
    // Riders' reports of the district, newest first; their figures over the period on the pool
    // (a district may hold many).
    let (_, reports) = state
        .store
        .reports(&ReportQuery {
            district: Some(inputs.district.name.clone()),
            limit: MAX_FEEDBACK_REPORTS,
            ..ReportQuery::default()
        })
        .await
        .map_err(|e| district_err(e.into()))?;
    let (date, tz, names) = (opts.date, state.config.timezone, Arc::clone(&snapshot));
    let feedback = heavy(state, "report_feedback", tier, hold, move |_| {
        Ok(feedback(&reports, date, &tz, &|id| names.get(id).map(|s| s.data.name.clone())))
    })
    .await
    .map_err(district_err)?;
    let methods = Methods {
        method: analysis.method,
        mode: analysis.mode,
        eta: state.config.eta,
        resolution: analysis.resolution,
        cell_area_km2: if analysis.summary.cells > 0 {
            analysis.summary.area_km2 / analysis.summary.cells as f64
        } else {
            0.0
        },
        thresholds_min: analysis.thresholds_s.iter().map(|s| s / 60.0).collect(),
        demand_label,
        demand_from_points: analysis.demand_from_points,
        demand_synthetic,
    };
    let data = ReportData {
        district: inputs.district.name.clone(),
        city: inputs.district.city.clone(),
        province: inputs.district.province.clone(),
        date: opts.date,
        lang: opts.lang,
        stations,
        summary: analysis.summary.clone(),
        streets: analysis.streets.clone(),
        gaps: gap_rows(&analysis),
        gaps_total: analysis.gaps.len(),
        plan,
        feedback,
        methods,
    };
    let map = ReportMap {
        district: inputs.district,
        streets: inputs.streets,
        stations: map_stations,
        coverage: map_coverage(&analysis),
    };
    Ok(Report { data, map })
}

#[cfg(test)]
#[path = "data_tests.rs"]
mod tests;

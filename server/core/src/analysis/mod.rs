//! The coverage planner as a service, shared by the HTTP API and the command line: turns a request
//! (district or boundary, thresholds, filters, demand, stations) into the inputs of
//! [`yizhan_planner::coverage::analyse`] and [`yizhan_planner::plan::plan`], runs them on a
//! blocking thread, and keeps the results.
//!
//! Data flow: [`CoverageRequest`] → [`prepare`] (area from the store or the request's boundary,
//! the district's streets, demand from a stored dataset or uniform, the current station snapshot
//! filtered by status and scenario, the road network of the mode if one is loaded) →
//! [`Prepared::analyse`] → [`CoverageOutcome`] (kept under a `cov_…` id). Plans run as jobs
//! ([`jobs::Jobs`]) over a prepared analysis.
//!
//! Units: WGS-84 degrees, seconds (minutes only in request fields named `minutes`), metres.

pub mod boundary;
pub mod jobs;
pub mod output;

use crate::builtin::builtin_districts;
use crate::config::TierBudget;
use crate::state::AppState;
use crate::work::{WorkError, WorkPool};
use chrono::{DateTime, Utc};
use rand::{RngCore as _, TryRngCore as _};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::budget::{Budget, BudgetExceeded};
use yizhan_planner::coverage::{
    Area, CoverageAnalysis, CoverageError, CoverageParams, DemandPoint, Resolution, Street, analyse_within,
};
use yizhan_planner::crs::Crs;
use yizhan_planner::eta::{StraightLineModel, TravelMode};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpenAt;
use yizhan_planner::index::{Filter, KindSet, StationIndex, StatusSet};
use yizhan_planner::network::RoadNetwork;
use yizhan_planner::plan::PlanError;
use yizhan_planner::station::{StationKind, StationStatus};
use yizhan_store::{AnalysisKind, Boundary, JsonText, SavedAnalysis, StoreError};

/// Why an analysis request failed. Each variant names the request field at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// Something named does not exist (district, dataset, scenario, analysis): answered 404.
    #[error("{message}")]
    NotFound {
        /// The request field naming it.
        field: &'static str,
        /// What is missing.
        message: String,
    },
    /// A field's value is not acceptable: answered 422.
    #[error("{message}")]
    Invalid {
        /// The request field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The request asks for more work than allowed (too many cells or candidates): answered 413.
    #[error("{message}")]
    TooLarge {
        /// The request field to change.
        field: &'static str,
        /// What is too large.
        message: String,
    },
    /// The name is already taken (scenario): answered 409.
    #[error("{message}")]
    Conflict {
        /// The request field at fault.
        field: &'static str,
        /// What conflicts.
        message: String,
    },
    /// Too many plan jobs are queued or running: answered 429.
    #[error("{0}")]
    Busy(String),
    /// The work ran past the caller's budget of CPU time or memory while running (the estimate
    /// let it start): answered 413 naming the field to change.
    #[error("{message}")]
    OverBudget {
        /// The request field that drives the cost most.
        field: &'static str,
        /// What ran out and what to change.
        message: String,
    },
    /// The work was cancelled: its client went away or the server is shutting down.
    #[error("the analysis was cancelled")]
    Cancelled,
    /// The heavy-work pool refused the work (busy, shutting down): answered 429 or 503.
    #[error(transparent)]
    Work(#[from] WorkError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An internal fault (a library error that no input explains, a failed thread).
    #[error("{0}")]
    Internal(String),
}

impl AnalysisError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }

    /// The request field at fault, if any.
    #[must_use]
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::NotFound { field, .. }
            | Self::Invalid { field, .. }
            | Self::TooLarge { field, .. }
            | Self::Conflict { field, .. }
            | Self::OverBudget { field, .. } => Some(field),
            Self::Busy(_) | Self::Store(_) | Self::Internal(_) | Self::Cancelled | Self::Work(_) => None,
        }
    }

    /// Maps a library error onto the request field it is about.
    #[must_use]
    pub fn from_coverage(e: CoverageError) -> Self {
        match e {
            CoverageError::Resolution(_) => Self::invalid("resolution", e.to_string()),
            CoverageError::EmptyArea | CoverageError::InvalidArea(_) => Self::invalid("boundary", e.to_string()),
            CoverageError::TooManyCells { cells, max } => Self::TooLarge {
                field: "resolution",
                message: format!(
                    "the area needs about {cells} cells at this resolution, more than the limit of {max}; \
                     choose a coarser resolution or a smaller area"
                ),
            },
            CoverageError::Thresholds(_) => Self::invalid("minutes", e.to_string()),
            CoverageError::BadDemand { .. } => Self::invalid("demand", e.to_string()),
            CoverageError::Budget(b) => Self::from_budget(b),
            other => Self::Internal(other.to_string()),
        }
    }

    /// Maps a spent or cancelled budget.
    #[must_use]
    pub fn from_budget(e: BudgetExceeded) -> Self {
        let hint = "choose a coarser resolution, a smaller area or fewer minutes, or sign in with a planner token";
        match e {
            BudgetExceeded::Cancelled => Self::Cancelled,
            BudgetExceeded::Time { limit_ms } => Self::OverBudget {
                field: "resolution",
                message: format!("the analysis needs more than its {limit_ms} ms of CPU time; {hint}"),
            },
            BudgetExceeded::Memory { limit_bytes } => Self::OverBudget {
                field: "resolution",
                message: format!(
                    "the analysis needs more than its {} MiB of memory; {hint}",
                    limit_bytes / (1024 * 1024)
                ),
            },
            other => Self::Internal(other.to_string()),
        }
    }

    /// Maps a planner error onto the request field it is about.
    #[must_use]
    pub fn from_plan(e: PlanError) -> Self {
        match e {
            PlanError::Sites(_) => Self::invalid("sites", e.to_string()),
            PlanError::TargetShare(_) => Self::invalid("target_share", e.to_string()),
            PlanError::Threshold(_) => Self::invalid("minutes", e.to_string()),
            PlanError::NoCandidates | PlanError::Candidate { .. } => Self::invalid("candidates", e.to_string()),
            PlanError::Coverage(c) => Self::from_coverage(c),
            PlanError::Budget(b) => Self::from_budget(b),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Thresholds in minutes: one number or a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Minutes {
    /// One threshold, minutes.
    One(f64),
    /// Several thresholds, minutes, ascending.
    Many(Vec<f64>),
}

impl Minutes {
    /// The thresholds as a list, minutes.
    #[must_use]
    pub fn to_vec(&self) -> Vec<f64> {
        match self {
            Self::One(m) => vec![*m],
            Self::Many(v) => v.clone(),
        }
    }
}

/// `POST /api/v1/coverage`: what to analyse. Every field but the area is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageRequest {
    /// A stored district's name, e.g. `兖州区` (or give `boundary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// A GeoJSON Polygon or MultiPolygon geometry, or a Feature holding one (WGS-84 unless `crs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
    /// Coordinate system of `boundary`: `wgs84` (default), `gcj02` or `bd09`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// H3 resolution, 7 ..= 11 (default 9, cells of about 0.1 km²).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<i64>,
    /// Thresholds in minutes, ascending (default `[10, 15]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Minutes>,
    /// Travel mode: `walk`, `ebike` (default) or `car`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Station kinds that count (default: every kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// Amenities a station must all have to count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amenities: Option<Vec<String>>,
    /// Count only stations open at this instant (RFC 3339, e.g. `2026-11-24T22:00:00+08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_at: Option<String>,
    /// `demo` (the district's demo layer), `uniform` (by area) or a stored dataset's name. Default:
    /// the district's demo layer if it has one, else uniform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<String>,
    /// Count every planned station as well as the active ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_planned: bool,
    /// Count this scenario's planned stations as well as the active ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

/// A candidate site given in a plan request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateInput {
    /// Unique id.
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Longitude, WGS-84 degrees.
    pub lon: f64,
    /// Latitude, WGS-84 degrees.
    pub lat: f64,
}

/// Candidate sites: `"cells"` (every analysed cell centre) or a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CandidatesInput {
    /// `"cells"`.
    Keyword(String),
    /// A list of sites.
    List(Vec<CandidateInput>),
}

/// `POST /api/v1/plans`: the coverage request plus the objective.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// See [`CoverageRequest::district`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// See [`CoverageRequest::boundary`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub boundary: Option<serde_json::Value>,
    /// See [`CoverageRequest::crs`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// See [`CoverageRequest::resolution`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<i64>,
    /// The one service threshold, minutes (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Minutes>,
    /// See [`CoverageRequest::mode`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// See [`CoverageRequest::kinds`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// See [`CoverageRequest::amenities`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amenities: Option<Vec<String>>,
    /// See [`CoverageRequest::open_at`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_at: Option<String>,
    /// See [`CoverageRequest::demand`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<String>,
    /// See [`CoverageRequest::include_planned`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_planned: bool,
    /// See [`CoverageRequest::scenario`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// `max_cover` (default), `min_sites` or `p_median`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    /// New sites to propose (`max_cover`, `p_median`; at most for `min_sites`), ≥ 1. Default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sites: Option<i64>,
    /// Target share of demand within the threshold (`min_sites`), in (0, 1]. Default 0.95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_share: Option<f64>,
    /// `"cells"` (default) or a list of `{id, name, lon, lat}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<CandidatesInput>,
    /// Excluded candidates: H3 cells (hex) or candidate ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Sites placed by hand, `[lon, lat]` WGS-84: they count as existing stations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<[f64; 2]>,
}

impl PlanRequest {
    /// The coverage part of the request (with the plan's single threshold).
    #[must_use]
    pub fn coverage(&self) -> CoverageRequest {
        CoverageRequest {
            district: self.district.clone(),
            boundary: self.boundary.clone(),
            crs: self.crs.clone(),
            resolution: self.resolution,
            minutes: Some(self.minutes.clone().unwrap_or(Minutes::One(10.0))),
            mode: self.mode.clone(),
            kinds: self.kinds.clone(),
            amenities: self.amenities.clone(),
            open_at: self.open_at.clone(),
            demand: self.demand.clone(),
            include_planned: self.include_planned,
            scenario: self.scenario.clone(),
        }
    }
}

/// Everything an analysis needs, resolved from a request and ready to run off the async runtime.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The area.
    pub area: Area,
    /// Its streets (stored streets of the district; none for a drawn boundary).
    pub streets: Vec<Street>,
    /// The stations that may count (a snapshot; planned ones only when asked).
    pub stations: Arc<StationIndex>,
    /// The road network of the mode, if one is loaded.
    pub network: Option<Arc<RoadNetwork>>,
    /// The straight-line model.
    pub eta: StraightLineModel,
    /// Demand points (`None`: uniform by area).
    pub demand: Option<Vec<DemandPoint>>,
    /// What the demand is: `uniform`, `demo:兖州区` or a dataset name.
    pub demand_label: String,
    /// Analysis parameters.
    pub params: CoverageParams,
    /// What the caller may spend.
    pub tier: TierBudget,
    /// Cells of the grid, estimated from the area (what the cells limit was checked against).
    pub cells_estimate: usize,
}

impl Prepared {
    /// Runs the analysis on this thread, unmetered (call it from a blocking thread).
    ///
    /// # Errors
    /// [`AnalysisError`] mapped from the library's error.
    pub fn analyse(&self) -> Result<CoverageAnalysis, AnalysisError> {
        self.analyse_within(&Budget::unlimited())
    }

    /// Runs the analysis on this thread within `budget`.
    ///
    /// # Errors
    /// [`AnalysisError`] mapped from the library's error; [`AnalysisError::OverBudget`].
    pub fn analyse_within(&self, budget: &Budget) -> Result<CoverageAnalysis, AnalysisError> {
        analyse_within(
            &self.area,
            &self.streets,
            &self.stations,
            self.network.as_deref(),
            &self.eta,
            self.demand.as_deref(),
            &self.params,
            budget,
        )
        .map_err(AnalysisError::from_coverage)
    }

    /// A fresh budget of the caller's CPU time and memory, for one task on the heavy-work pool.
    #[must_use]
    pub fn budget(&self) -> Budget {
        WorkPool::budget(self.tier.limits())
    }
}

/// Refuses a list longer than the caller's budget allows (413 naming `field`).
///
/// # Errors
/// [`AnalysisError::TooLarge`].
pub fn check_list(field: &'static str, len: usize, tier: &TierBudget) -> Result<(), AnalysisError> {
    if len > tier.max_list {
        return Err(AnalysisError::TooLarge {
            field,
            message: format!("{field} lists {len} entries, more than the {} allowed{}", tier.max_list, SIGN_IN_HINT),
        });
    }
    Ok(())
}

/// Appended to refusals that a planner token would lift.
pub const SIGN_IN_HINT: &str = " (a planner token has a larger budget; see docs/limits.md)";

/// Name of the demo demand dataset of a district.
#[must_use]
pub fn demo_dataset_name(district: &str) -> String {
    format!("demo:{district}")
}

/// Resolves a coverage request against the state with no budget beyond the server's own limits
/// (the command line): see [`prepare_for`].
///
/// # Errors
/// [`AnalysisError`] naming the first field at fault.
pub async fn prepare(state: &AppState, req: &CoverageRequest) -> Result<Prepared, AnalysisError> {
    prepare_for(state, req, &TierBudget::UNLIMITED).await
}

/// Resolves a coverage request against the state for a caller with budget `tier`: validates
/// every field, refuses what the budget cannot pay for (thresholds, lists, boundary vertices,
/// cells — estimated before any grid is built), and loads what it names. The boundary is
/// validated and a scenario's station index built on the heavy-work pool.
///
/// # Errors
/// [`AnalysisError`] naming the first field at fault.
pub async fn prepare_for(
    state: &AppState,
    req: &CoverageRequest,
    tier: &TierBudget,
) -> Result<Prepared, AnalysisError> {
    let resolution = match req.resolution {
        None => Resolution::default(),
        Some(r) => u8::try_from(r).ok().and_then(|r| Resolution::try_from(r).ok()).ok_or_else(|| {
            AnalysisError::invalid(
                "resolution",
                format!("resolution {r} is outside {}..={}", Resolution::MIN, Resolution::MAX),
            )
        })?,
    };
    let minutes = req.minutes.as_ref().map_or_else(|| vec![10.0, 15.0], Minutes::to_vec);
    if minutes.is_empty() {
        return Err(AnalysisError::invalid("minutes", "give at least one threshold in minutes"));
    }
    if minutes.len() > tier.max_thresholds {
        return Err(AnalysisError::TooLarge {
            field: "minutes",
            message: format!(
                "{} thresholds given, more than the {} allowed{SIGN_IN_HINT}",
                minutes.len(),
                tier.max_thresholds
            ),
        });
    }
    if let Some(m) = minutes.iter().find(|m| !m.is_finite() || **m <= 0.0 || **m > 180.0) {
        return Err(AnalysisError::invalid("minutes", format!("{m} is not a number of minutes in (0, 180]")));
    }
    if minutes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(AnalysisError::invalid("minutes", "thresholds must be strictly ascending, e.g. [10, 15]"));
    }
    let mode = match &req.mode {
        None => TravelMode::Ebike,
        Some(m) => m.parse::<TravelMode>().map_err(|e| AnalysisError::invalid("mode", e.to_string()))?,
    };
    let mut filter = Filter { statuses: StatusSet::ACTIVE, ..Filter::default() };
    if let Some(kinds) = &req.kinds {
        if kinds.is_empty() {
            return Err(AnalysisError::invalid("kinds", "give at least one kind, or leave the field out"));
        }
        check_list("kinds", kinds.len(), tier)?;
        filter.kinds = kinds
            .iter()
            .map(|k| k.parse::<StationKind>().map_err(|e| AnalysisError::invalid("kinds", e.to_string())))
            .collect::<Result<KindSet, _>>()?;
    }
    if let Some(amenities) = &req.amenities {
        check_list("amenities", amenities.len(), tier)?;
        let mut set = AmenitySet::EMPTY;
        for a in amenities {
            set.insert(
                Amenity::parse(a)
                    .ok_or_else(|| AnalysisError::invalid("amenities", format!("unknown amenity {a:?}")))?,
            );
        }
        filter.amenities = set;
    }
    if let Some(at) = &req.open_at {
        let at = DateTime::parse_from_rfc3339(at.trim()).map_err(|e| {
            AnalysisError::invalid("open_at", format!("{at:?} is not an RFC 3339 time with offset: {e}"))
        })?;
        filter.open_at = Some(OpenAt { at: at.with_timezone(&Utc), tz: state.config.timezone });
    }

    let (area, streets) = resolve_area(state, req, tier).await?;
    let stations = resolve_stations(state, req, &mut filter, tier).await?;
    let (demand, demand_label) = resolve_demand(state, req, &area).await?;
    let max_cells = state.config.limits.max_cells.min(tier.max_cells);
    let params = CoverageParams {
        resolution,
        thresholds_s: minutes.iter().map(|m| m * 60.0).collect(),
        mode,
        filter,
        max_cells,
    };
    // Refuse a grid over the limit now, from the area's estimate, before any work is queued.
    let estimate = estimate_cells(&area, resolution);
    let cells_estimate = if estimate >= usize::MAX as f64 { usize::MAX } else { estimate.ceil() as usize };
    if estimate > max_cells as f64 {
        return Err(AnalysisError::from_coverage(CoverageError::TooManyCells {
            cells: cells_estimate,
            max: max_cells,
        }));
    }
    let network = network_for(state, mode, &area);
    Ok(Prepared {
        area,
        streets,
        stations,
        network,
        eta: state.config.eta,
        demand,
        demand_label,
        params,
        tier: *tier,
        cells_estimate,
    })
}

/// Cells of `area` at `res`, estimated from its geodesic area and the resolution's average cell
/// area (what [`yizhan_planner::coverage::cells_of`] checks before tiling).
fn estimate_cells(area: &Area, res: Resolution) -> f64 {
    yizhan_planner::coverage::geodesic_area_m2(&area.polygon) / res.to_h3().area_m2()
}

/// The road network of `mode` when one is loaded and `area` overlaps where points can snap to it;
/// otherwise `None`, and the analysis is straight line (a network of another city would leave
/// every cell unreachable). Cells of an overlapping area that do not snap are unreachable.
fn network_for(state: &AppState, mode: TravelMode, area: &Area) -> Option<Arc<RoadNetwork>> {
    use geo::BoundingRect;
    let net = state.network(mode)?;
    let extent = crate::network::reach_bound(&net).extent?;
    let rect = area.polygon.bounding_rect()?;
    let overlaps = rect.min().x <= extent.max_lon
        && rect.max().x >= extent.min_lon
        && rect.min().y <= extent.max_lat
        && rect.max().y >= extent.min_lat;
    overlaps.then_some(net)
}

/// A stored district, falling back to the boundaries built into the binary.
///
/// # Errors
/// [`AnalysisError::Store`].
pub async fn find_district(state: &AppState, name: &str) -> Result<Option<Boundary>, AnalysisError> {
    if let Some(d) = state.store.district(name).await? {
        return Ok(Some(d));
    }
    Ok(builtin_districts().into_iter().find(|d| d.name == name))
}

/// Every district: the stored ones, or the boundaries built into the binary when none is stored.
///
/// # Errors
/// [`AnalysisError::Store`].
pub async fn all_districts(state: &AppState) -> Result<Vec<Boundary>, AnalysisError> {
    let stored = state.store.districts().await?;
    Ok(if stored.is_empty() { builtin_districts() } else { stored })
}

async fn resolve_area(
    state: &AppState,
    req: &CoverageRequest,
    tier: &TierBudget,
) -> Result<(Area, Vec<Street>), AnalysisError> {
    match (&req.district, &req.boundary) {
        (Some(_), Some(_)) => Err(AnalysisError::invalid("boundary", "give either district or boundary, not both")),
        (None, None) => Err(AnalysisError::invalid("district", "give a district name or a boundary polygon")),
        (Some(name), None) => {
            let name = name.trim();
            let Some(d) = find_district(state, name).await? else {
                let known: Vec<String> = all_districts(state).await?.into_iter().map(|d| d.name).collect();
                return Err(AnalysisError::NotFound {
                    field: "district",
                    message: format!("no district is named {name:?}; known districts: {}", known.join(", ")),
                });
            };
            let streets = state
                .store
                .streets(name)
                .await?
                .into_iter()
                .map(|s| Street { name: s.name, polygon: s.polygon })
                .collect();
            Ok((Area { name: Some(d.name), polygon: d.polygon }, streets))
        }
        (None, Some(geometry)) => {
            let crs = match &req.crs {
                None => Crs::Wgs84,
                Some(c) => c.parse::<Crs>().map_err(|e| AnalysisError::invalid("crs", e.to_string()))?,
            };
            let vertices = boundary::count_positions(geometry);
            if vertices > tier.max_boundary_vertices {
                return Err(AnalysisError::TooLarge {
                    field: "boundary",
                    message: format!(
                        "the boundary has {vertices} positions, more than the {} allowed{SIGN_IN_HINT}",
                        tier.max_boundary_vertices
                    ),
                });
            }
            let geometry = geometry.clone();
            let parsed = state
                .work
                .run("boundary", WorkPool::budget(tier.limits()), move |b| {
                    boundary::parse_boundary_within(&geometry, crs, b)
                })
                .await?
                .map_err(|e| match AnalysisError::from_budget(e) {
                    AnalysisError::OverBudget { message, .. } => {
                        AnalysisError::OverBudget { field: "boundary", message }
                    }
                    other => other,
                })?;
            let (name, polygon) = parsed.map_err(|e| AnalysisError::invalid("boundary", e))?;
            Ok((Area { name, polygon }, Vec::new()))
        }
    }
}

/// The stations that may count: the current snapshot, with planned stations only when asked for
/// (all of them with `include_planned`, one scenario's with `scenario`).
async fn resolve_stations(
    state: &AppState,
    req: &CoverageRequest,
    filter: &mut Filter,
    tier: &TierBudget,
) -> Result<Arc<StationIndex>, AnalysisError> {
    let snapshot = state.index();
    if req.include_planned {
        filter.statuses = [StationStatus::Active, StationStatus::Planned].into_iter().collect();
        return Ok(snapshot);
    }
    let Some(name) = &req.scenario else { return Ok(snapshot) };
    let scenario = state.store.scenario(name).await?.ok_or_else(|| AnalysisError::NotFound {
        field: "scenario",
        message: format!("no scenario is named {name:?}"),
    })?;
    filter.statuses = [StationStatus::Active, StationStatus::Planned].into_iter().collect();
    let keep: HashSet<i64> = scenario.station_ids.into_iter().collect();
    // Rebuilding an index of the whole register is O(n log n): heavy work.
    let index = state
        .work
        .run("scenario_index", WorkPool::budget(tier.limits()), move |_| {
            let stations = snapshot
                .iter()
                .filter(|s| s.data.status != StationStatus::Planned || keep.contains(&s.id))
                .map(|s| (**s).clone());
            StationIndex::build(stations)
        })
        .await?;
    Ok(Arc::new(index))
}

async fn resolve_demand(
    state: &AppState,
    req: &CoverageRequest,
    area: &Area,
) -> Result<(Option<Vec<DemandPoint>>, String), AnalysisError> {
    let demo = area.name.as_deref().map(demo_dataset_name);
    let name = match req.demand.as_deref().map(str::trim) {
        Some("uniform") => return Ok((None, "uniform".to_owned())),
        Some("demo") => demo.ok_or_else(|| {
            AnalysisError::invalid("demand", "a drawn boundary has no demo demand layer; use uniform or a dataset")
        })?,
        Some("") => return Err(AnalysisError::invalid("demand", "the demand name is empty")),
        Some(other) => other.to_owned(),
        None => match demo {
            Some(d) if state.store.demand(&d).await?.is_some() => d,
            _ => return Ok((None, "uniform".to_owned())),
        },
    };
    let dataset = state.store.demand(&name).await?.ok_or_else(|| AnalysisError::NotFound {
        field: "demand",
        message: format!("no demand dataset is named {name:?} (use \"uniform\", \"demo\" or an imported dataset)"),
    })?;
    let points = dataset
        .points
        .iter()
        .filter_map(|[lon, lat, weight]| LonLat::new(*lon, *lat).ok().map(|pos| DemandPoint { pos, weight: *weight }))
        .collect();
    Ok((Some(points), name))
}

/// A new unguessable id: `prefix` + 32 hexadecimal digits, 128 bits from the operating
/// system's cryptographic random generator (an anonymous analysis or job is reached only by its
/// id, so the id is its capability).
#[must_use]
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).unwrap_or_else(|_| rand::rng().fill_bytes(&mut bytes));
    let n = u128::from_be_bytes(bytes);
    format!("{prefix}{n:032x}")
}

/// A finished coverage analysis and its id.
#[derive(Debug, Clone)]
pub struct CoverageOutcome {
    /// `cov_…`.
    pub id: String,
    /// What the demand was.
    pub demand_label: String,
    /// The analysis.
    pub analysis: CoverageAnalysis,
}

/// Resolves, runs and keeps a coverage analysis with no budget beyond the server's limits, made
/// by `cli` (the command line): see [`run_coverage_for`].
///
/// # Errors
/// [`AnalysisError`].
pub async fn run_coverage(
    state: &AppState,
    req: &CoverageRequest,
) -> Result<(CoverageOutcome, JsonText), AnalysisError> {
    run_coverage_for(state, req, &TierBudget::UNLIMITED, "cli").await
}

/// Resolves, runs (on the heavy-work pool, within `tier`) and keeps a coverage analysis made by
/// `owner`. Returns the outcome and its response body (what `GET /api/v1/coverage/{id}`
/// answers later). Dropping the future cancels the analysis.
///
/// # Errors
/// [`AnalysisError`].
pub async fn run_coverage_for(
    state: &AppState,
    req: &CoverageRequest,
    tier: &TierBudget,
    owner: &str,
) -> Result<(CoverageOutcome, JsonText), AnalysisError> {
    let prepared = prepare_for(state, req, tier).await?;
    let demand_label = prepared.demand_label.clone();
    let budget = prepared.budget();
    // The answer (one GeoJSON feature per cell) is built on the pool too.
    let id = new_id("cov_");
    let (outcome, body) = state
        .work
        .run("coverage", budget, move |b| {
            let analysis = prepared.analyse_within(b)?;
            let outcome = CoverageOutcome { id, demand_label, analysis };
            let body = JsonText::new(output::coverage_response_text(&outcome));
            Ok::<_, AnalysisError>((outcome, body))
        })
        .await??;
    state
        .store
        .put_analysis(&SavedAnalysis {
            id: outcome.id.clone(),
            kind: AnalysisKind::Coverage,
            request: serde_json::to_value(req).unwrap_or_default(),
            result: body.clone(),
            created_at: Utc::now(),
            created_by: owner.to_owned(),
        })
        .await?;
    state
        .store
        .prune_analyses(
            AnalysisKind::Coverage,
            state.config.limits.coverage_analyses_kept,
            std::time::Duration::from_secs(state.config.limits.analyses_max_age_s),
        )
        .await?;
    Ok((outcome, body))
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

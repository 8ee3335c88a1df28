//! Site proposals on top of a coverage analysis: where the next stations should go.
//!
//! Demand items are the analysed cells (with their demand weights); candidates are every cell
//! centre or a supplied list, minus exclusions. Existing stations matching the analysis filter,
//! plus hand-placed `fixed` sites, are held as existing. Coverage within `threshold_s` seconds is
//! sparse ([`optimize::Coverage`]): geodesic radius `eta.reach_m(threshold_s, mode)` in straight
//! line, or a bounded search per candidate over the road network. Units: seconds, WGS-84 degrees.

use crate::coverage::{CoverageAnalysis, CoverageError, CoverageSummary};
use crate::eta::StraightLineModel;
use crate::geodesy::LonLat;
use crate::index::{Filter, StationIndex};
use crate::network::RoadNetwork;
use crate::optimize::{self, OptimizeError};
use serde::Serialize;
use std::ops::ControlFlow;
use utoipa::ToSchema;

/// What the plan optimises.
#[derive(Debug, Clone, PartialEq)]
pub enum Objective {
    /// Choose `sites` new sites that add the most demand within the threshold.
    MaxCover {
        /// Number of new sites, ≥ 1.
        sites: usize,
    },
    /// The fewest new sites (at most `max_sites`) that bring the share of demand within the
    /// threshold to `target_share`.
    MinSites {
        /// Target share of demand, in (0, 1].
        target_share: f64,
        /// Most sites to propose, ≥ 1.
        max_sites: usize,
    },
    /// Choose `sites` new sites that minimise demand-weighted travel time (seconds).
    PMedian {
        /// Number of new sites, ≥ 1.
        sites: usize,
    },
}

impl Objective {
    /// `max_cover`, `min_sites` or `p_median`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::MaxCover { .. } => "max_cover",
            Self::MinSites { .. } => "min_sites",
            Self::PMedian { .. } => "p_median",
        }
    }
}

/// Where new sites may go.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidates {
    /// Every analysed cell centre.
    Cells,
    /// A supplied list (community service centres, merchants willing to host…).
    List(Vec<Candidate>),
}

/// A supplied candidate site.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its id, unique in the list.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its position, WGS-84 degrees.
    pub pos: LonLat,
}

/// What to plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanParams {
    /// The objective.
    pub objective: Objective,
    /// The service threshold, seconds (> 0).
    pub threshold_s: f64,
    /// Candidate sites.
    pub candidates: Candidates,
    /// Excluded candidates: H3 cells (hex text; a list candidate inside an excluded cell is
    /// excluded too) or candidate ids.
    pub exclude: Vec<String>,
    /// Sites added by hand (WGS-84): they count as existing stations.
    pub fixed: Vec<LonLat>,
    /// Which existing stations count (normally the analysis filter).
    pub filter: Filter,
    /// Solver settings.
    pub solve: optimize::SolveOptions,
}

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The number of sites is below 1.
    #[error("the number of sites must be at least 1, got {0}")]
    Sites(usize),
    /// The target share is not in (0, 1].
    #[error("target share {0} is not a number in (0, 1]")]
    TargetShare(f64),
    /// The threshold is not a positive finite number of seconds.
    #[error("threshold {0} s is not a positive finite number")]
    Threshold(f64),
    /// No candidate is left after exclusions.
    #[error("no candidate site is left after exclusions")]
    NoCandidates,
    /// A candidate is invalid (duplicate id…).
    #[error("candidate {id}: {message}")]
    Candidate {
        /// The candidate's id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// The analysis (or a recomputation) failed.
    #[error(transparent)]
    Coverage(#[from] CoverageError),
    /// The solver refused the instance or reported no answer.
    #[error(transparent)]
    Optimize(#[from] OptimizeError),
}

/// A proposed site.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProposedSite {
    /// 1-based rank.
    pub rank: usize,
    /// Longitude, WGS-84 degrees.
    pub lon: f64,
    /// Latitude, WGS-84 degrees.
    pub lat: f64,
    /// The cell it stands for (candidates from cells), H3 hex text.
    pub h3: Option<String>,
    /// The supplied candidate's id.
    pub candidate_id: Option<String>,
    /// The supplied candidate's name.
    pub name: Option<String>,
    /// Demand newly within the threshold that this site adds, given the sites ranked before it.
    pub gain: f64,
    /// `gain` ÷ total demand, 0 ..= 1.
    pub gain_share: f64,
    /// Share of demand within the threshold with this site and those ranked before it, 0 ..= 1.
    pub cumulative_share: f64,
}

/// A plan.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanResult {
    /// The proposed sites in rank order.
    pub sites: Vec<ProposedSite>,
    /// Coverage at `threshold_s` with the existing stations (and fixed sites).
    pub before: CoverageSummary,
    /// Coverage at `threshold_s` with the proposed sites added.
    pub after: CoverageSummary,
    /// `max_cover`, `min_sites` or `p_median`.
    pub objective: String,
    /// The threshold, seconds.
    pub threshold_s: f64,
    /// Upper bound on the demand coverable with this many sites (covering objectives), if computed.
    pub upper_bound: Option<f64>,
    /// Why the solver stopped: `optimal`, `budget`, `time_limit`, `cancelled`.
    pub termination: String,
    /// Number of candidates considered (after exclusions).
    pub candidates: usize,
    /// p-median only: demand-weighted mean travel time before and after, seconds.
    pub mean_travel_time_s: Option<[f64; 2]>,
}

/// Proposes sites for `params.objective` on the cells of `analysis`.
///
/// # Errors
/// [`PlanError`] for bad parameters or when the solver refuses the instance.
pub fn plan(
    analysis: &CoverageAnalysis,
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    params: &PlanParams,
    progress: &mut dyn FnMut(&optimize::Progress) -> ControlFlow<()>,
) -> Result<PlanResult, PlanError> {
    let _ = (analysis, stations, network, eta, params, progress);
    Err(PlanError::Coverage(CoverageError::NotImplemented))
}

//! Site proposals on top of a coverage analysis: where the next stations should go.
//!
//! Demand items are the analysed cells (with their demand weights); candidates are every cell
//! centre or a supplied list, minus exclusions. Existing stations matching the analysis filter,
//! plus hand-placed `fixed` sites, are held as existing. Coverage within `threshold_s` seconds is
//! sparse ([`optimize::Coverage`]): geodesic radius `eta.reach_m(threshold_s, mode)` in straight
//! line, or a bounded search per candidate over the road network. Units: seconds, WGS-84 degrees.

use crate::budget::{Budget, BudgetExceeded};
use crate::coverage::{
    CellCoverage, CellIndex, CoverageAnalysis, CoverageError, CoverageSummary, nearest_times, par_map, summarise,
};
use crate::eta::{StraightLineModel, TravelMode};
use crate::geodesy::LonLat;
use crate::index::{Filter, StationIndex};
use crate::network::{Direction, RoadNetwork, dijkstra};
use crate::optimize::{
    self, CostProblem, CoverProblem, OptimizeError, SparseCosts, Termination, solve_max_cover, solve_min_sites,
    solve_p_median,
};
use h3o::LatLng;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

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

impl PlanParams {
    /// Parameters for `objective` within `threshold_s` seconds: every cell centre a candidate, no
    /// exclusions or fixed sites, existing stations of status `active` (any kind), default solver
    /// settings.
    #[must_use]
    pub fn new(objective: Objective, threshold_s: f64) -> Self {
        Self {
            objective,
            threshold_s,
            candidates: Candidates::Cells,
            exclude: Vec::new(),
            fixed: Vec::new(),
            filter: Filter { statuses: crate::index::StatusSet::ACTIVE, ..Filter::default() },
            solve: optimize::SolveOptions::default(),
        }
    }
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
    /// The fewest sites that reach the target share are more than allowed.
    #[error("reaching the target share needs {needed} sites, more than the maximum of {max}")]
    TooManySites {
        /// Sites needed.
        needed: usize,
        /// The maximum given.
        max: usize,
    },
    /// The analysis (or a recomputation) failed.
    #[error(transparent)]
    Coverage(#[from] CoverageError),
    /// The solver refused the instance or reported no answer.
    #[error(transparent)]
    Optimize(#[from] OptimizeError),
    /// The plan ran out of its [`Budget`] or was cancelled.
    #[error(transparent)]
    Budget(#[from] BudgetExceeded),
}

/// Memory one candidate × demand pair holds while a plan runs, bytes (an upper estimate: the
/// travel-time row entry, the sparse coverage index and, for p-median, the cost entry).
pub const BYTES_PER_PAIR: u64 = 32;

/// An upper estimate of the candidate × demand pairs a plan stores: each of `candidates` sites
/// pairs with the demand cells within `reach_m` of it — about the cells of a disc of that radius
/// at H3 `resolution` (average cell area, plus a margin for cells' spread in size), and never
/// more than `cells`.
#[must_use]
pub fn estimate_pairs(cells: usize, candidates: usize, reach_m: f64, resolution: h3o::Resolution) -> u64 {
    let cell_m2 = resolution.area_m2();
    let disc = if reach_m.is_finite() && reach_m > 0.0 {
        // 1.3: cells are up to ~2× the average size apart from the centre; the disc's edge cells.
        (std::f64::consts::PI * (reach_m + 2.0 * cell_m2.sqrt()).powi(2) / cell_m2 * 1.3).ceil()
    } else if reach_m.is_finite() {
        1.0
    } else {
        f64::INFINITY
    };
    let per_candidate = disc.min(cells as f64).max(1.0);
    let total = per_candidate * candidates as f64;
    if total >= u64::MAX as f64 { u64::MAX } else { total as u64 }
}

/// A proposed site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A candidate after exclusions: where it is and what it stands for.
#[derive(Debug, Clone)]
struct Site {
    pos: LonLat,
    h3: Option<String>,
    id: Option<String>,
    name: Option<String>,
}

/// Exclusions: H3 cells (any resolution) and candidate ids.
struct Exclusions {
    cells: Vec<CellIndex>,
    ids: HashSet<String>,
}

impl Exclusions {
    fn new(list: &[String]) -> Self {
        let mut cells = Vec::new();
        let mut ids = HashSet::new();
        for e in list {
            match e.trim().parse::<CellIndex>() {
                Ok(c) => cells.push(c),
                Err(_) => {
                    ids.insert(e.trim().to_owned());
                }
            }
        }
        Self { cells, ids }
    }

    fn excludes(&self, pos: LonLat, id: Option<&str>) -> bool {
        if id.is_some_and(|id| self.ids.contains(id)) {
            return true;
        }
        let Ok(ll) = LatLng::new(pos.lat, pos.lon) else { return false };
        self.cells.iter().any(|&c| ll.to_cell(c.resolution()) == c)
    }
}

fn check_params(params: &PlanParams) -> Result<(), PlanError> {
    match params.objective {
        Objective::MaxCover { sites } | Objective::PMedian { sites } if sites < 1 => {
            return Err(PlanError::Sites(sites));
        }
        Objective::MinSites { target_share, .. } if !(target_share > 0.0 && target_share <= 1.0) => {
            return Err(PlanError::TargetShare(target_share));
        }
        Objective::MinSites { max_sites, .. } if max_sites < 1 => return Err(PlanError::Sites(max_sites)),
        _ => {}
    }
    if !(params.threshold_s.is_finite() && params.threshold_s > 0.0) {
        return Err(PlanError::Threshold(params.threshold_s));
    }
    Ok(())
}

/// The candidate sites after exclusions, in a fixed order (cells: by index; list: as given).
fn candidate_sites(analysis: &CoverageAnalysis, params: &PlanParams) -> Result<Vec<Site>, PlanError> {
    let ex = Exclusions::new(&params.exclude);
    let mut out = Vec::new();
    match &params.candidates {
        Candidates::Cells => {
            for c in &analysis.cells {
                let pos = LonLat { lon: c.centre[0], lat: c.centre[1] };
                if !ex.excludes(pos, None) {
                    out.push(Site { pos, h3: Some(c.h3.clone()), id: None, name: None });
                }
            }
        }
        Candidates::List(list) => {
            let mut seen = HashSet::new();
            for c in list {
                if !seen.insert(c.id.as_str()) {
                    return Err(PlanError::Candidate { id: c.id.clone(), message: "id used twice".to_owned() });
                }
                if LonLat::new(c.pos.lon, c.pos.lat).is_err() {
                    return Err(PlanError::Candidate {
                        id: c.id.clone(),
                        message: "position is not a WGS-84 longitude, latitude".to_owned(),
                    });
                }
                if !ex.excludes(c.pos, Some(&c.id)) {
                    out.push(Site { pos: c.pos, h3: None, id: Some(c.id.clone()), name: c.name.clone() });
                }
            }
        }
    }
    if out.is_empty() {
        return Err(PlanError::NoCandidates);
    }
    Ok(out)
}

/// Travel times from demand points to sites within `cutoff_s`, per site: `(demand index, seconds)`.
///
/// Straight line: geodesic distance × detour ÷ speed for pairs within `eta.reach_m(cutoff_s)`
/// (found with [`optimize::Coverage::geodesic_radius`]). Network: one backward search per site
/// bounded by the cutoff; a demand point's time is the best over its snapped end nodes, as in
/// [`RoadNetwork::field_at`].
/// Each row's entries are charged to `budget` as they are made; once it is spent the remaining
/// rows are left empty and the error is returned.
fn site_times(
    demand: &[LonLat],
    sites: &[LonLat],
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    mode: TravelMode,
    cutoff_s: f64,
    budget: &Budget,
) -> Result<Vec<Vec<(u32, f64)>>, PlanError> {
    let charge = |row: &Vec<(u32, f64)>| budget.charge_bytes(row.len() as u64 * BYTES_PER_PAIR).is_ok();
    let rows = match network {
        None => {
            let within = optimize::Coverage::geodesic_radius(demand, sites, eta.reach_m(cutoff_s, mode))?;
            budget.charge_bytes(within.nnz() as u64 * 4)?;
            par_map(sites.len(), |j| {
                if budget.check().is_err() {
                    return Vec::new();
                }
                let row = within
                    .covered_by(j)
                    .iter()
                    .map(|&i| (i, eta.eta_s(sites[j].geodesic_distance_m(demand[i as usize]), mode)))
                    .filter(|&(_, t)| t <= cutoff_s)
                    .collect();
                if charge(&row) { row } else { Vec::new() }
            })
        }
        Some(net) => {
            let graph = net.graph();
            // Demand points joined to nodes: node → (demand index, ms from the point to the node).
            let links: Vec<Vec<(u32, u32)>> = net
                .snap_all(demand)
                .into_iter()
                .map(|s| s.map(|s| s.links(graph, Direction::Forward)).unwrap_or_default())
                .collect();
            let mut offsets = vec![0usize; graph.node_count() + 1];
            for l in &links {
                for &(node, _) in l {
                    offsets[node as usize + 1] += 1;
                }
            }
            for k in 0..graph.node_count() {
                offsets[k + 1] += offsets[k];
            }
            let mut fill = offsets.clone();
            let mut at = vec![(0u32, 0u32); offsets[graph.node_count()]];
            for (i, l) in links.iter().enumerate() {
                for &(node, ms) in l {
                    at[fill[node as usize]] = (i as u32, ms);
                    fill[node as usize] += 1;
                }
            }
            let cutoff_ms = (cutoff_s * 1000.0).floor().min(f64::from(u32::MAX - 1)) as u32;
            let snaps = net.snap_all(sites);
            par_map(sites.len(), |j| {
                if budget.check().is_err() {
                    return Vec::new();
                }
                let Some(snap) = snaps[j] else { return Vec::new() };
                let seeds = snap.seeds(graph, Direction::Backward, 0);
                let mut best: HashMap<u32, u64> = HashMap::new();
                let opts = dijkstra::Options { max_time_ms: Some(cutoff_ms), predecessors: false };
                let mut settled = 0u32;
                let _ = dijkstra::search_with(graph, Direction::Backward, &seeds, opts, |node, t, _| {
                    settled = settled.wrapping_add(1);
                    if settled.is_multiple_of(4096) && budget.check().is_err() {
                        return ControlFlow::Break(());
                    }
                    for &(i, ms) in &at[offsets[node as usize]..offsets[node as usize + 1]] {
                        let total = u64::from(t) + u64::from(ms);
                        if total <= u64::from(cutoff_ms) {
                            let e = best.entry(i).or_insert(u64::MAX);
                            *e = (*e).min(total);
                        }
                    }
                    ControlFlow::Continue(())
                });
                let mut row: Vec<(u32, f64)> = best.into_iter().map(|(i, ms)| (i, ms as f64 / 1000.0)).collect();
                row.sort_unstable_by_key(|e| e.0);
                if charge(&row) { row } else { Vec::new() }
            })
        }
    };
    budget.check()?;
    Ok(rows)
}

/// Travel time from each demand point to the nearest existing station (matching `filter`) or
/// fixed site, seconds; `None` when none is reachable.
fn existing_times(
    demand: &[LonLat],
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    mode: TravelMode,
    params: &PlanParams,
    budget: &Budget,
) -> Vec<Option<f64>> {
    let mut best: Vec<Option<f64>> = nearest_times(demand, stations, network, eta, mode, &params.filter, budget)
        .into_iter()
        .map(|t| t.map(|t| t.0))
        .collect();
    if params.fixed.is_empty() {
        return best;
    }
    let fixed: Vec<Option<f64>> = match network {
        None => par_map(demand.len(), |i| {
            params.fixed.iter().map(|f| eta.eta_s(f.geodesic_distance_m(demand[i]), mode)).min_by(f64::total_cmp)
        }),
        Some(net) => {
            let field = net.nearest_station_field(&net.snap_all(&params.fixed));
            par_map(demand.len(), |i| net.field_at(&field, demand[i]).map(|t| t.0))
        }
    };
    for (b, f) in best.iter_mut().zip(fixed) {
        *b = match (*b, f) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
    }
    best
}

/// Summary of the analysis cells at one threshold, given which cells are covered.
fn summary_at(analysis: &CoverageAnalysis, covered: &[bool], threshold_s: f64) -> CoverageSummary {
    let cells: Vec<CellCoverage> = analysis
        .cells
        .iter()
        .zip(covered)
        .map(|(c, &cov)| CellCoverage { travel_time_s: cov.then_some(0.0), ..c.clone() })
        .collect();
    summarise(&cells, &[threshold_s])
}

/// Proposes sites for `params.objective` on the cells of `analysis` (demand items: the cells with
/// their demand; mode: the analysis's).
///
/// Existing stations matching `params.filter` and the `fixed` sites count as existing. Straight
/// line: a site covers a cell when the geodesic distance between the site and the cell centre is
/// within `eta.reach_m(threshold_s, mode)`; network: when the travel time from the cell centre to
/// the site over `network` (bounded backward search from each site) is within `threshold_s`.
/// p-median uses travel times up to twice the threshold; farther cells cost twice the
/// threshold. Sites are ranked by greedy resequencing; `gain` is the demand newly within
/// `threshold_s`. Deterministic for a given input (the solver's work budget is not a clock).
///
/// # Errors
/// [`PlanError`] for bad parameters, no candidates, or when the solver refuses the instance
/// (e.g. an unreachable target share).
pub fn plan(
    analysis: &CoverageAnalysis,
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    params: &PlanParams,
    progress: &mut dyn FnMut(&optimize::Progress) -> ControlFlow<()>,
) -> Result<PlanResult, PlanError> {
    plan_within(analysis, stations, network, eta, params, progress, &Budget::unlimited())
}

/// [`plan`] within `budget`: checked between phases, inside the travel-time searches and at
/// every progress report of the solver, with the candidate × demand tables charged to its
/// memory allowance ([`BYTES_PER_PAIR`] a pair).
///
/// # Errors
/// As [`plan`], and [`PlanError::Budget`] once the budget is spent or cancelled.
pub fn plan_within(
    analysis: &CoverageAnalysis,
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    params: &PlanParams,
    progress: &mut dyn FnMut(&optimize::Progress) -> ControlFlow<()>,
    budget: &Budget,
) -> Result<PlanResult, PlanError> {
    budget.check()?;
    check_params(params)?;
    eta.validate().map_err(CoverageError::from)?;
    let mode = analysis.mode;
    let th = params.threshold_s;
    let sites = candidate_sites(analysis, params)?;
    let demand: Vec<LonLat> = analysis.cells.iter().map(|c| LonLat { lon: c.centre[0], lat: c.centre[1] }).collect();
    let weights: Vec<f64> = analysis.cells.iter().map(|c| c.demand).collect();
    let total: f64 = weights.iter().sum();
    let existing = existing_times(&demand, stations, network, eta, mode, params, budget);
    budget.check()?;
    let existing_mask: Vec<bool> = existing.iter().map(|t| t.is_some_and(|t| t <= th)).collect();
    let positions: Vec<LonLat> = sites.iter().map(|s| s.pos).collect();
    let cutoff = match params.objective {
        Objective::PMedian { .. } => 2.0 * th,
        _ => th,
    };
    // Travel times are needed for p-median and the network; straight-line covering only needs
    // the radius.
    let radius_only = network.is_none() && !matches!(params.objective, Objective::PMedian { .. });
    let times =
        if radius_only { Vec::new() } else { site_times(&demand, &positions, network, eta, mode, cutoff, budget)? };
    let coverage = if radius_only {
        let c = optimize::Coverage::geodesic_radius(&demand, &positions, eta.reach_m(th, mode))?;
        budget.charge_bytes(c.nnz() as u64 * 4)?;
        c
    } else {
        optimize::Coverage::from_sets(
            demand.len(),
            times.iter().map(|row| row.iter().filter(|e| e.1 <= th).map(|e| e.0).collect::<Vec<u32>>()),
        )?
    };
    budget.check()?;
    let mut hook = |p: &optimize::Progress| {
        if budget.check().is_err() { ControlFlow::Break(()) } else { progress(p) }
    };
    let progress = &mut hook;
    let problem = CoverProblem::new(&weights, &coverage)?.with_existing(&existing_mask)?;
    let (chosen, upper_bound, termination, mean): (Vec<u32>, Option<f64>, Termination, Option<[f64; 2]>) =
        match params.objective {
            Objective::MaxCover { sites: p } => {
                let s = solve_max_cover(&problem, p, &params.solve, &mut *progress)?;
                (s.sites.iter().map(|r| r.candidate).collect(), s.upper_bound, s.termination, None)
            }
            Objective::MinSites { target_share, max_sites } => {
                let s = solve_min_sites(&problem, target_share, &params.solve, &mut *progress)?;
                if s.sites.len() > max_sites {
                    return Err(PlanError::TooManySites { needed: s.sites.len(), max: max_sites });
                }
                (s.sites.iter().map(|r| r.candidate).collect(), None, s.termination, None)
            }
            Objective::PMedian { sites: p } => {
                let costs = SparseCosts::from_pairs(demand.len(), times.iter().map(|r| r.iter().copied()))?;
                let base: Vec<f64> = existing.iter().map(|t| t.unwrap_or(cutoff).min(cutoff)).collect();
                let cp = CostProblem::new(&weights, &costs, cutoff)?.with_existing(&base)?;
                let s = solve_p_median(&cp, p, &params.solve, &mut *progress)?;
                let mean = Some([s.before.mean_cost, s.after.mean_cost]);
                (s.sites.iter().map(|r| r.candidate).collect(), None, s.termination, mean)
            }
        };
    budget.check()?;
    // Rank by greedy resequencing of the demand newly within the threshold (ties: lower index).
    let mut covered = existing_mask.clone();
    let mut left = chosen;
    let mut ranked: Vec<(u32, f64)> = Vec::new();
    while !left.is_empty() {
        let gain_of = |j: u32| -> f64 {
            coverage
                .covered_by(j as usize)
                .iter()
                .filter(|&&i| !covered[i as usize])
                .map(|&i| weights[i as usize])
                .sum()
        };
        let (k, gain) =
            left.iter().enumerate().map(|(k, &j)| (k, gain_of(j))).fold((0, f64::NEG_INFINITY), |best, x| {
                if x.1 > best.1 || (x.1 == best.1 && left[x.0] < left[best.0]) { x } else { best }
            });
        let j = left.remove(k);
        for &i in coverage.covered_by(j as usize) {
            covered[i as usize] = true;
        }
        ranked.push((j, gain));
    }
    let before = summary_at(analysis, &existing_mask, th);
    let after = summary_at(analysis, &covered, th);
    let share = |x: f64| if total > 0.0 { (x / total).clamp(0.0, 1.0) } else { 0.0 };
    let before_weight: f64 = weights.iter().zip(&existing_mask).filter(|(_, c)| **c).map(|(w, _)| w).sum();
    let mut cumulative = before_weight;
    let proposed = ranked
        .iter()
        .enumerate()
        .map(|(k, &(j, gain))| {
            cumulative += gain;
            let s = &sites[j as usize];
            ProposedSite {
                rank: k + 1,
                lon: s.pos.lon,
                lat: s.pos.lat,
                h3: s.h3.clone(),
                candidate_id: s.id.clone(),
                name: s.name.clone(),
                gain,
                gain_share: share(gain),
                cumulative_share: share(cumulative),
            }
        })
        .collect();
    Ok(PlanResult {
        sites: proposed,
        before,
        after,
        objective: params.objective.code().to_owned(),
        threshold_s: th,
        upper_bound,
        termination: termination_code(termination).to_owned(),
        candidates: sites.len(),
        mean_travel_time_s: mean,
    })
}

fn termination_code(t: Termination) -> &'static str {
    match t {
        Termination::Optimal => "optimal",
        Termination::Budget => "budget",
        Termination::TimeLimit => "time_limit",
        Termination::Cancelled => "cancelled",
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

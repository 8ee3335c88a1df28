//! Site optimisation: where to put new stations.
//!
//! Three problems over demand items (H3 cells, grid squares, blocks — anything with a weight ≥ 0,
//! such as riders' rest stops per day) and candidate sites (every cell centre, or a supplied list,
//! minus exclusions), with what existing stations already cover held fixed:
//!
//! * **Maximal covering** ([`solve_max_cover`]): choose `p` new sites that add the most demand
//!   weight within the service threshold.
//! * **Minimum set** ([`solve_min_sites`]): the fewest new sites that bring the covered share of
//!   demand weight up to a target (e.g. 95 % within 10 minutes).
//! * **p-median** ([`solve_p_median`]): choose `p` new sites that minimise demand-weighted travel
//!   time (seconds), from sparse (candidate, demand, time) pairs within a cutoff.
//!
//! Coverage is sparse ([`Coverage`]: one set of demand indices per candidate), never a dense
//! demand × candidate matrix; radius coverage is built with an R*-tree. Solvers are deterministic
//! for a given input: the search uses a seeded generator, breaks ties by index and is bounded by a
//! deterministic work budget ([`SolveOptions::effort`]), not by the clock — only the optional
//! [`SolveOptions::time_limit`] and cancellation through the progress hook depend on timing, and the
//! result says when either cut the search short.
//!
//! Method: one engine serves all three problems. Greedy start with exactly maintained gains (lazy
//! priority queue); best-improvement swap descent, where every swap is priced exactly from
//! per-demand state (coverage count and sole coverer for covering; nearest and second-nearest
//! station for p-median) and each chosen site's list of partners is recomputed only when its
//! demand changed; then iterated local search (random kicks of 1–20 sites, threshold acceptance
//! within 1 % of the best). For covering, a Lagrangian relaxation of the demand coverage
//! constraints gives an upper bound on the optimum, reported with every solution, and proves
//! optimality when it meets the solution.
//!
//! Scale (one core of a 2-core machine, CPU time): the shared 5 000 × 500 instance (p = 20) in
//! about 0.5 s, matching the best known 225 625 that spopt + CBC reached in 600 s; a 1 000 000 ×
//! 100 000 city (p = 50) in about 4 s including the coverage build, in about 420 MiB.
//!
//! # Example
//! ```
//! use yizhan_planner::optimize::{CoverProblem, Coverage, SolveOptions, no_progress, solve_max_cover};
//! // Demand cells (projected metres) with their weights; every cell centre is a candidate.
//! let cells = [[0.0, 0.0], [1_000.0, 0.0], [5_000.0, 0.0], [5_500.0, 0.0]];
//! let weights = [3.0, 1.0, 2.0, 2.0];
//! let coverage = Coverage::planar_radius(&cells, &cells, 600.0)?;
//! // An existing station at the first cell covers it already.
//! let existing = Coverage::planar_radius(&cells, &[[0.0, 0.0]], 600.0)?.union_mask();
//! let problem = CoverProblem::new(&weights, &coverage)?.with_existing(&existing)?;
//! let plan = solve_max_cover(&problem, 1, &SolveOptions::default(), &mut no_progress)?;
//! // Candidates 2 and 3 both cover cells 2 and 3; ties go to the lower index.
//! assert_eq!(plan.sites[0].candidate, 2);
//! assert_eq!(plan.sites[0].marginal_weight, 4.0);
//! assert_eq!((plan.before.covered_weight, plan.after.covered_weight), (3.0, 7.0));
//! # Ok::<(), yizhan_planner::optimize::OptimizeError>(())
//! ```

mod bound;
mod coverage;
pub mod instance;
pub mod instance_files;
mod mclp;
mod min_set;
mod pmedian;
mod problem;
mod search;

pub use coverage::{Coverage, MAX_ITEMS};
pub use mclp::{CoverSolution, solve_max_cover};
pub use min_set::{MinSitesSolution, solve_min_sites};
pub use pmedian::{CostProblem, MedianSite, MedianSolution, MedianSummary, SparseCosts, solve_p_median};
pub use problem::{CoverProblem, CoverSummary, RankedSite};

use std::ops::ControlFlow;
use std::time::Duration;

/// Why an optimisation input is invalid or a problem has no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimizeError {
    /// A demand weight is NaN, infinite or negative.
    #[error("demand weight {value} at index {index} is not a finite number >= 0")]
    BadWeight {
        /// Index of the demand item.
        index: usize,
        /// The weight given.
        value: f64,
    },
    /// A per-item array has the wrong length.
    #[error("{what} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which array.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length it must have.
        expected: usize,
    },
    /// A coverage set or cost pair refers to a demand item that does not exist.
    #[error("candidate {candidate} refers to demand index {index}, but there are only {n_demand} demand items")]
    DemandOutOfRange {
        /// Index of the candidate whose set holds the index.
        candidate: usize,
        /// The offending demand index.
        index: u32,
        /// Number of demand items.
        n_demand: usize,
    },
    /// A candidate index (in an exclusion list) does not exist.
    #[error("candidate index {index} is out of range ({n_candidates} candidates)")]
    CandidateOutOfRange {
        /// The offending index.
        index: usize,
        /// Number of candidates.
        n_candidates: usize,
    },
    /// CSR offsets are not a valid partition of the index array.
    #[error("CSR offsets must start at 0, never decrease and end at the number of indices")]
    BadOffsets,
    /// The service radius is NaN, infinite or negative.
    #[error("radius {0} m is not a finite number >= 0")]
    BadRadius(f64),
    /// A point has a non-finite coordinate.
    #[error("{what} {index} has a coordinate that is not a finite number")]
    BadCoordinate {
        /// `"demand item"` or `"candidate"`.
        what: &'static str,
        /// Its index.
        index: usize,
    },
    /// A travel time or cost is NaN or negative.
    #[error("{what} {value} at index {index} is not a number >= 0")]
    BadCost {
        /// Which cost (`"cost pair"`, `"existing cost"`, `"unserved cost"`).
        what: &'static str,
        /// Index of the entry.
        index: usize,
        /// The value given.
        value: f64,
    },
    /// More items than `u32` indices allow ([`MAX_ITEMS`]).
    #[error("too many {what}: {count} (at most {max})", max = MAX_ITEMS)]
    TooLarge {
        /// What was counted.
        what: &'static str,
        /// How many were given.
        count: usize,
    },
    /// The target share is not a number in 0 ..= 1.
    #[error("target share {0} is not a number between 0 and 1")]
    BadTarget(f64),
    /// Even every allowed candidate together does not reach the target share.
    #[error(
        "target share {target} is unreachable: existing stations and every allowed candidate together cover {max_share}"
    )]
    TargetUnreachable {
        /// The target share asked for (0 ..= 1).
        target: f64,
        /// The largest share reachable (0 ..= 1).
        max_share: f64,
    },
    /// The progress hook asked to stop before any solution existed.
    #[error("cancelled before a solution was found")]
    Cancelled,
}

/// The stage a solver is in, as reported to the progress hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Phase {
    /// Building the start solution greedily.
    Greedy,
    /// Computing the Lagrangian upper bound.
    Bound,
    /// Improving the solution by local search.
    Search,
}

/// A progress report passed to the caller's hook.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Progress {
    /// Share of the work budget spent, 0 ..= 1 (may jump to 1 when the search ends early).
    pub fraction: f64,
    /// Current stage.
    pub phase: Phase,
    /// Objective of the best solution so far: weight added by new sites (covering problems) or
    /// demand-weighted travel time in weight × seconds (p-median); NaN before the first solution.
    pub best_objective: f64,
}

/// The progress and cancellation hook: called every ~0.5 % of the work budget and at each phase
/// change; returning [`ControlFlow::Break`] stops the solver, which then returns the best
/// solution found so far marked [`Termination::Cancelled`].
pub type ProgressHook<'a> = &'a mut dyn FnMut(&Progress) -> ControlFlow<()>;

/// A progress hook that ignores reports and never stops the solver.
pub fn no_progress(_: &Progress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Termination {
    /// The solution is proven optimal (it meets the upper bound, or covers every coverable item).
    Optimal,
    /// The work budget ([`SolveOptions::effort`]) was spent.
    Budget,
    /// [`SolveOptions::time_limit`] cut the search short; the result may then vary between runs.
    TimeLimit,
    /// The progress hook asked to stop.
    Cancelled,
}

/// Solver settings. [`SolveOptions::default`] suits everything from a district to a whole city.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Seed of the search's random generator (ChaCha8).
    pub seed: u64,
    /// Work budget of the search, in elementary steps (one visit of a (candidate, demand) pair
    /// while pricing moves, opening or closing sites, or updating the bound). Deterministic and
    /// roughly proportional to time: about 2 ns per step on the shared instance, more on
    /// instances too large for the caches. The default, 3 × 10⁸, is about half a second there.
    pub effort: u64,
    /// Subgradient iterations of the Lagrangian upper bound (0: no bound), covering problems only.
    /// Each costs at most one pass over the coverage pairs; they are charged to the work budget
    /// and stop at half of what is left of it.
    pub bound_iterations: u32,
    /// Optional wall-clock cap on the whole solve. Reaching it stops the search with the best
    /// solution so far ([`Termination::TimeLimit`]), which makes the result timing-dependent.
    pub time_limit: Option<Duration>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self { seed: 0x5EED_1234, effort: 300_000_000, bound_iterations: 500, time_limit: None }
    }
}

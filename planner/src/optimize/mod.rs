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
//! Method (maximal covering): greedy start with exactly maintained gains (lazy priority queue),
//! then iterated local search over swap moves with per-demand coverage counts, so a full swap
//! neighbourhood costs O(Σ over chosen sites of the demand they alone cover × candidates per demand)
//! rather than O(p × candidates × set size); a Lagrangian relaxation (subgradient on the demand
//! coverage constraints) gives an upper bound on the optimum, reported with every solution.

mod bound;
mod coverage;
pub mod instance;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Work budget of the search, in elementary steps (one visit of a (candidate, demand) pair in
    /// a neighbourhood scan, a bound iteration or a move). Deterministic and roughly proportional
    /// to time: about 10⁹ steps per 1–2 s on one core.
    pub effort: u64,
    /// Subgradient iterations of the Lagrangian upper bound (0: no bound). Each costs one pass
    /// over the coverage pairs; they are charged to the work budget.
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

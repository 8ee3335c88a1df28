//! Maximal covering: choose `p` new sites that add the most uncovered demand weight.

use super::bound::lagrangian;
use super::problem::{CoverModel, CoverProblem, CoverSummary, RankedSite, Reduced, ranked_sites};
use super::search::{Control, Search, iterated_local_search};
use super::{OptimizeError, Phase, ProgressHook, SolveOptions, Termination};
use std::time::Duration;

/// A maximal covering plan.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverSolution {
    /// The proposed sites, ranked (see [`RankedSite`]). Fewer than `p` when fewer sites already
    /// cover every coverable demand item: a site that adds nothing is never proposed.
    pub sites: Vec<RankedSite>,
    /// What existing stations cover.
    pub before: CoverSummary,
    /// What existing stations and the proposed sites cover.
    pub after: CoverSummary,
    /// No choice of `p` allowed sites brings the covered weight above this (Lagrangian bound plus
    /// what existing stations cover); `None` when the bound was not computed. `after.covered_weight`
    /// is within `upper_bound − after.covered_weight` of the optimum.
    pub upper_bound: Option<f64>,
    /// Why the search stopped.
    pub termination: Termination,
    /// Iterated local search rounds (perturbation + descent) run.
    pub rounds: u64,
    /// Subgradient iterations of the bound.
    pub bound_iterations: u32,
    /// Work spent, in the elementary steps of [`SolveOptions::effort`].
    pub work: u64,
    /// Wall-clock time of the solve (the only field that varies between identical runs).
    pub elapsed: Duration,
}

/// Chooses up to `p` new sites among the allowed candidates of `problem` that maximise the demand
/// weight covered on top of what existing stations cover.
///
/// Greedy start, then best-improvement swap descent, the Lagrangian bound (if
/// [`SolveOptions::bound_iterations`] > 0) and iterated local search until the work budget is
/// spent, the bound is met, or the hook or time limit stops it. Deterministic for a given input
/// and options unless the time limit or the hook intervenes.
///
/// # Errors
/// [`OptimizeError::Cancelled`] if the hook stops the solver before its greedy start.
pub fn solve_max_cover(
    problem: &CoverProblem<'_>,
    p: usize,
    options: &SolveOptions,
    mut progress: ProgressHook<'_>,
) -> Result<CoverSolution, OptimizeError> {
    let mut control = Control::new(&mut progress, options);
    if !control.tick(0, Phase::Greedy, f64::NAN) && control.stop == Some(Termination::Cancelled) {
        return Err(OptimizeError::Cancelled);
    }
    let r = Reduced::new(problem);
    let (model, work) = CoverModel::new(&r);
    let mut search = Search::new(model, work);
    search.greedy(p, None);
    let eps = r.eps();
    let mut upper = r.coverable;
    let mut bound_iterations = 0;
    let mut rounds = 0;
    if search.value() < r.coverable - eps && control.tick(search.work, Phase::Search, search.value()) {
        search.local_search(p, &mut control, 0.0);
        if options.bound_iterations > 0 && control.stop.is_none() {
            let bound = lagrangian(&r, p, search.value(), options.bound_iterations, &mut search.work, &mut control);
            bound_iterations = bound.iterations;
            upper = upper.min(bound.upper);
            if bound.primal.1 > search.value() + eps {
                search.set_solution(&bound.primal.0);
                search.local_search(p, &mut control, 0.0);
            }
        }
        if control.stop.is_none() {
            rounds = iterated_local_search(&mut search, p, options.seed, upper, None, &mut control);
        }
    }
    let termination =
        if search.value() >= upper - eps { Termination::Optimal } else { control.stop.unwrap_or(Termination::Budget) };
    // Sites adding nothing (possible once everything coverable is covered) are not proposed.
    search.drop_redundant(search.value());
    let sites = ranked_sites(&r, &search.rank());
    let chosen: Vec<u32> = sites.iter().map(|s| s.candidate).collect();
    let before = problem.summary(&[]);
    let after = problem.summary(&chosen);
    control.finish(after.covered_weight - before.covered_weight);
    let has_bound = bound_iterations > 0 || termination == Termination::Optimal;
    Ok(CoverSolution {
        sites,
        before,
        after,
        upper_bound: has_bound.then(|| (before.covered_weight + upper).max(after.covered_weight)),
        termination,
        rounds,
        bound_iterations,
        work: search.work,
        elapsed: control.elapsed(),
    })
}

#[cfg(test)]
#[path = "mclp_tests.rs"]
pub(crate) mod tests;

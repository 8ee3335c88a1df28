//! Minimum set: the fewest new sites that bring the covered share of demand weight up to a target.

use super::bound::lagrangian;
use super::problem::{CoverModel, CoverProblem, CoverSummary, RankedSite, Reduced, ranked_sites};
use super::search::{Control, Model, Search, iterated_local_search};
use super::{OptimizeError, Phase, ProgressHook, SolveOptions, Termination};
use std::time::Duration;

/// A minimum set plan.
#[derive(Debug, Clone, PartialEq)]
pub struct MinSitesSolution {
    /// The proposed sites, ranked (see [`RankedSite`]).
    pub sites: Vec<RankedSite>,
    /// What existing stations cover.
    pub before: CoverSummary,
    /// What existing stations and the proposed sites cover; `after.share ≥ target_share`.
    pub after: CoverSummary,
    /// The target share asked for, 0 ..= 1.
    pub target_share: f64,
    /// No plan with fewer new sites reaches the target: either the Lagrangian bound shows that
    /// `sites.len() − 1` sites cannot, or — weaker — the largest single-site additions do not sum
    /// to what is missing.
    pub lower_bound: usize,
    /// [`Termination::Optimal`] when `sites.len() == lower_bound`.
    pub termination: Termination,
    /// Work spent, in the elementary steps of [`SolveOptions::effort`].
    pub work: u64,
    /// Wall-clock time of the solve.
    pub elapsed: Duration,
}

/// Chooses the fewest allowed candidates such that existing stations plus the new sites cover at
/// least `target_share` (0 ..= 1) of the total demand weight.
///
/// Greedy until the target is reached, then redundant sites are dropped; then, while the budget
/// lasts, iterated local search tries to reach the target with one site fewer. When it fails, the
/// Lagrangian bound for one site fewer is computed: if it is below the target, the plan is proven
/// minimal ([`Termination::Optimal`]).
///
/// # Errors
/// [`OptimizeError::BadTarget`] for a share outside 0 ..= 1; [`OptimizeError::TargetUnreachable`]
/// when even all allowed candidates fall short; [`OptimizeError::Cancelled`] if the hook stops
/// the solver before the greedy plan exists.
pub fn solve_min_sites(
    problem: &CoverProblem<'_>,
    target_share: f64,
    options: &SolveOptions,
    mut progress: ProgressHook<'_>,
) -> Result<MinSitesSolution, OptimizeError> {
    if !(0.0..=1.0).contains(&target_share) {
        return Err(OptimizeError::BadTarget(target_share));
    }
    let mut control = Control::new(&mut progress, options);
    if !control.tick(0, Phase::Greedy, f64::NAN) && control.stop == Some(Termination::Cancelled) {
        return Err(OptimizeError::Cancelled);
    }
    let before = problem.summary(&[]);
    let r = Reduced::new(problem);
    let eps = r.eps();
    let need = target_share * before.total_weight - before.covered_weight;
    if need > r.coverable + 1e-9 * before.total_weight {
        let max_share = (before.covered_weight + r.coverable) / before.total_weight;
        return Err(OptimizeError::TargetUnreachable { target: target_share, max_share });
    }
    let need = need.min(r.coverable);
    let (model, work) = CoverModel::new(&r);
    let mut search = Search::new(model, work);
    let mut lower_bound = 0;
    let mut proven = false;
    if need > eps {
        // Weak bound: the fewest sites whose standalone additions could sum to `need`.
        let mut standalone = search.model.gains().to_vec();
        standalone.sort_unstable_by(|a, b| b.total_cmp(a));
        search.greedy(usize::MAX, Some(need));
        search.drop_redundant(need);
        let mut sum = 0.0;
        for g in standalone {
            if sum >= need - eps {
                break;
            }
            sum += g;
            lower_bound += 1;
        }
        let mut plan = search.sel.clone();
        let mut short_by_one = None;
        while plan.len() > lower_bound && control.stop.is_none() && search.work < control.effort {
            // Drop the site that loses least and search for a plan with one site fewer that still
            // reaches `need`, with up to 3/4 of the remaining budget (the rest is for the bound).
            let fewer = plan.len() - 1;
            control.work_end = search.work + (control.effort - search.work) / 4 * 3;
            let model = &search.model;
            let weakest = plan.iter().copied().min_by(|&a, &b| model.loss(a).total_cmp(&model.loss(b)).then(a.cmp(&b)));
            if let Some(s) = weakest {
                search.remove(s);
            }
            if search.value() < need - eps && search.local_search(fewer, &mut control, 0.0) {
                iterated_local_search(&mut search, fewer, options.seed, r.coverable, Some(need), &mut control);
            }
            if search.value() >= need - eps {
                search.drop_redundant(need);
                plan.clone_from(&search.sel);
            } else {
                short_by_one = Some(search.value());
                search.set_solution(&plan);
                break;
            }
        }
        control.work_end = control.effort;
        // Certificate: if no plan with one site fewer can reach `need`, the plan is minimal.
        if plan.len() > lower_bound && options.bound_iterations > 0 && control.stop.is_none() {
            let best_fewer = short_by_one.unwrap_or(0.0);
            let bound =
                lagrangian(&r, plan.len() - 1, best_fewer, options.bound_iterations, &mut search.work, &mut control);
            if bound.upper < need - eps && control.stop.is_none() {
                lower_bound = plan.len();
                proven = true;
            }
        }
    }
    let termination = if proven || search.sel.len() <= lower_bound {
        Termination::Optimal
    } else {
        control.stop.unwrap_or(Termination::Budget)
    };
    let sites = ranked_sites(&r, &search.rank());
    let chosen: Vec<u32> = sites.iter().map(|s| s.candidate).collect();
    let after = problem.summary(&chosen);
    control.finish(after.covered_weight - before.covered_weight);
    Ok(MinSitesSolution {
        lower_bound: lower_bound.min(sites.len()),
        sites,
        before,
        after,
        target_share,
        termination,
        work: search.work,
        elapsed: control.elapsed(),
    })
}

#[cfg(test)]
#[path = "min_set_tests.rs"]
mod tests;

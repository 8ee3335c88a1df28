#![allow(clippy::unwrap_used)]

use super::*;
use crate::optimize::instance_files::read_dir;
use crate::optimize::mclp::tests::{Tiny, check_plan, shared_dir, tiny};
use crate::optimize::{Coverage, no_progress};
use proptest::prelude::*;

fn test_options() -> SolveOptions {
    SolveOptions { effort: 2_000_000, ..SolveOptions::default() }
}

/// The fewest allowed candidates reaching `target` of the total weight, by exhaustive search.
fn exhaustive_min(t: &Tiny, target: f64) -> Option<usize> {
    let total: f64 = t.weights.iter().sum();
    let need = target * total;
    t.subsets(t.sets.len()).filter(|&s| t.covered(s) >= need - 1e-9).map(|s| s.count_ones() as usize).min()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn matches_exhaustive_search(t in tiny(20, 10), target in prop::sample::select(vec![0.0, 0.3, 0.6, 0.8, 0.95, 1.0])) {
        let coverage = t.coverage();
        let problem = t.problem(&coverage);
        let result = solve_min_sites(&problem, target, &test_options(), &mut no_progress);
        match exhaustive_min(&t, target) {
            None => {
                let total: f64 = t.weights.iter().sum();
                let all: u32 = t.subsets(t.sets.len()).max_by_key(|s| s.count_ones()).unwrap();
                let max_share = t.covered(all) / total;
                prop_assert_eq!(result, Err(OptimizeError::TargetUnreachable { target, max_share }));
            }
            Some(k) => {
                let sol = result.unwrap();
                prop_assert_eq!(sol.sites.len(), k);
                prop_assert!(sol.after.share >= target - 1e-12);
                prop_assert!(sol.lower_bound <= k);
                if sol.termination == Termination::Optimal {
                    prop_assert_eq!(sol.lower_bound, k);
                }
                check_plan(&t, &sol.sites, &sol.before, &sol.after);
            }
        }
    }
}

#[test]
fn shared_instance_ninety_percent() {
    let dir = shared_dir();
    let inst =
        read_dir(&dir).unwrap_or_else(|e| panic!("MCLP benchmark instance unreadable at {}: {e}", dir.display()));
    let coverage = inst.coverage().unwrap();
    let problem = CoverProblem::new(&inst.weights, &coverage).unwrap();
    let options = SolveOptions { effort: 60_000_000, ..SolveOptions::default() };
    let sol = solve_min_sites(&problem, 0.9, &options, &mut no_progress).unwrap();
    println!(
        "shared instance, 90 %: {} sites (lower bound {}), share {:.4}, {:?}",
        sol.sites.len(),
        sol.lower_bound,
        sol.after.share,
        sol.termination
    );
    assert!(sol.after.share >= 0.9);
    // spopt + CBC's 20 sites cover 90.30 %, so at most 20 are needed.
    assert!(sol.sites.len() <= 20, "{} sites", sol.sites.len());
    assert!(sol.lower_bound >= 10 && sol.lower_bound <= sol.sites.len());
}

#[test]
fn existing_coverage_counts_towards_the_target() {
    let weights = [50.0, 30.0, 10.0, 10.0];
    let coverage = Coverage::from_sets(4, [vec![0], vec![1], vec![2], vec![3], vec![2, 3]]).unwrap();
    let existing = [true, false, false, false];
    let problem = CoverProblem::new(&weights, &coverage).unwrap().with_existing(&existing).unwrap();
    // Existing stations already cover 50 %.
    let none = solve_min_sites(&problem, 0.5, &test_options(), &mut no_progress).unwrap();
    assert!(none.sites.is_empty());
    assert_eq!(none.termination, Termination::Optimal);
    // 70 %: one site; candidates 1 (30 %) and 4 (20 %) both reach it, the larger is preferred.
    let one = solve_min_sites(&problem, 0.7, &test_options(), &mut no_progress).unwrap();
    assert_eq!(one.sites.iter().map(|s| s.candidate).collect::<Vec<_>>(), vec![1]);
    // 100 %: candidates 1 and 4.
    let all = solve_min_sites(&problem, 1.0, &test_options(), &mut no_progress).unwrap();
    let mut chosen: Vec<u32> = all.sites.iter().map(|s| s.candidate).collect();
    chosen.sort_unstable();
    assert_eq!(chosen, vec![1, 4]);
    assert_eq!(all.after.share, 1.0);
    assert_eq!(all.termination, Termination::Optimal);
    // Excluding candidate 4 makes it three sites.
    let problem = problem.with_excluded([4]).unwrap();
    let three = solve_min_sites(&problem, 1.0, &test_options(), &mut no_progress).unwrap();
    assert_eq!(three.sites.len(), 3);
}

#[test]
fn bad_targets_are_rejected() {
    let weights = [1.0, 3.0];
    let coverage = Coverage::from_sets(2, [vec![0]]).unwrap();
    let problem = CoverProblem::new(&weights, &coverage).unwrap();
    assert_eq!(solve_min_sites(&problem, 1.5, &test_options(), &mut no_progress), Err(OptimizeError::BadTarget(1.5)));
    assert!(matches!(
        solve_min_sites(&problem, f64::NAN, &test_options(), &mut no_progress),
        Err(OptimizeError::BadTarget(_))
    ));
    assert_eq!(
        solve_min_sites(&problem, 0.5, &test_options(), &mut no_progress),
        Err(OptimizeError::TargetUnreachable { target: 0.5, max_share: 0.25 })
    );
}

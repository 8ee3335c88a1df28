#![allow(clippy::unwrap_used)]

use super::*;
use crate::optimize::no_progress;
use proptest::prelude::*;

/// A small p-median instance.
#[derive(Debug, Clone)]
struct Tiny {
    weights: Vec<f64>,
    rows: Vec<Vec<(u32, f64)>>,
    existing: Vec<f64>,
    excluded: Vec<bool>,
    unserved: f64,
}

fn tiny() -> impl Strategy<Value = Tiny> {
    (1usize..=20, 1usize..=10).prop_flat_map(|(n, m)| {
        (
            prop::collection::vec(prop_oneof![1 => Just(0.0), 5 => (1u32..20).prop_map(f64::from)], n),
            prop::collection::vec(prop::collection::vec(prop::option::weighted(0.4, 0u32..100), n), m),
            prop::collection::vec(prop_oneof![2 => Just(f64::INFINITY), 1 => (0u32..150).prop_map(f64::from)], n),
            prop::collection::vec(prop::bool::weighted(0.15), m),
            (50u32..150).prop_map(f64::from),
        )
            .prop_map(|(weights, costs, existing, excluded, unserved)| Tiny {
                weights,
                rows: costs
                    .iter()
                    .map(|row| {
                        row.iter().enumerate().filter_map(|(i, c)| c.map(|c| (i as u32, f64::from(c)))).collect()
                    })
                    .collect(),
                existing,
                excluded,
                unserved,
            })
    })
}

impl Tiny {
    /// Weighted cost with the candidates in bit mask `mask` open.
    fn cost(&self, mask: u32) -> f64 {
        let mut cost: Vec<f64> = self.existing.iter().map(|e| e.min(self.unserved)).collect();
        for (j, row) in self.rows.iter().enumerate() {
            if mask & (1 << j) != 0 {
                for &(i, c) in row {
                    cost[i as usize] = cost[i as usize].min(c);
                }
            }
        }
        self.weights.iter().zip(&cost).map(|(w, c)| w * c).sum()
    }

    fn exhaustive(&self, p: usize) -> f64 {
        let forbidden: u32 = (0..self.rows.len()).filter(|&j| self.excluded[j]).map(|j| 1 << j).sum();
        (0..1u32 << self.rows.len())
            .filter(|s| s & forbidden == 0 && s.count_ones() as usize <= p)
            .map(|s| self.cost(s))
            .fold(f64::INFINITY, f64::min)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn matches_exhaustive_search(t in tiny(), p in 0usize..=3) {
        let costs = SparseCosts::from_pairs(t.weights.len(), t.rows.iter().map(|r| r.iter().copied())).unwrap();
        let excluded: Vec<usize> = (0..t.rows.len()).filter(|&j| t.excluded[j]).collect();
        let problem = CostProblem::new(&t.weights, &costs, t.unserved).unwrap()
            .with_existing(&t.existing).unwrap()
            .with_excluded(excluded).unwrap();
        let options = SolveOptions { effort: 2_000_000, ..SolveOptions::default() };
        let sol = solve_p_median(&problem, p, &options, &mut no_progress).unwrap();
        prop_assert_eq!(sol.after.weighted_cost, t.exhaustive(p));
        prop_assert_eq!(sol.before.weighted_cost, t.cost(0));
        prop_assert!(sol.sites.len() <= p);
        let mut mask = 0u32;
        for (k, s) in sol.sites.iter().enumerate() {
            prop_assert!(!t.excluded[s.candidate as usize]);
            prop_assert_eq!(s.marginal_saving, t.cost(mask) - t.cost(mask | 1 << s.candidate));
            prop_assert!(s.marginal_saving > 0.0);
            if k > 0 {
                prop_assert!(s.marginal_saving <= sol.sites[k - 1].marginal_saving);
            }
            mask |= 1 << s.candidate;
        }
        for s in &sol.sites {
            prop_assert_eq!(s.unique_saving, t.cost(mask & !(1 << s.candidate)) - t.cost(mask));
        }
    }

    /// After any sequence of openings and closings the model's value, gains and losses match a
    /// recomputation, and the best swap is the best over all swaps evaluated from scratch.
    #[test]
    fn best_swap_matches_recomputation(t in tiny(), ops in prop::collection::vec(0usize..10, 1..25)) {
        let costs = SparseCosts::from_pairs(t.weights.len(), t.rows.iter().map(|r| r.iter().copied())).unwrap();
        let problem = CostProblem::new(&t.weights, &costs, t.unserved).unwrap().with_existing(&t.existing).unwrap();
        let r = MedianReduced::new(&problem);
        prop_assume!(r.cand.len() >= 2);
        let (model, work) = MedianModel::new(&r);
        let mut search = Search::new(model, work);
        let saving = |set: &[u32]| -> f64 {
            let mask: u32 = set.iter().map(|&j| 1 << r.cand[j as usize]).sum();
            t.cost(0) - t.cost(mask)
        };
        let m = r.cand.len() as u32;
        for op in ops {
            let j = op as u32 % m;
            if search.is_chosen(j) { search.remove(j) } else { search.add(j) }
            let sel = search.sel.clone();
            prop_assert!((search.value() - saving(&sel)).abs() < 1e-6);
            for c in (0..m).filter(|&c| !search.is_chosen(c)) {
                let mut with = sel.clone();
                with.push(c);
                prop_assert!((search.model.gains()[c as usize] - (saving(&with) - saving(&sel))).abs() < 1e-6);
            }
            let mut best: Option<f64> = None;
            for &s in &sel {
                let without: Vec<u32> = sel.iter().copied().filter(|&x| x != s).collect();
                prop_assert!((search.model.loss(s) - (saving(&sel) - saving(&without))).abs() < 1e-6);
                for c in (0..m).filter(|&c| !search.is_chosen(c)) {
                    let mut next = without.clone();
                    next.push(c);
                    let delta = saving(&next) - saving(&sel);
                    best = Some(best.map_or(delta, |b: f64| b.max(delta)));
                }
            }
            match (search.best_swap().map(|s| s.delta), best) {
                (Some(f), Some(b)) => prop_assert!((f - b).abs() < 1e-6, "best swap {} vs {}", f, b),
                (None, None) => {}
                other => prop_assert!(false, "best swap mismatch {:?}", other),
            }
        }
    }

    #[test]
    fn planar_travel_times_match_brute_force(
        demand in prop::collection::vec((0u32..2_000, 0u32..2_000), 0..60),
        candidates in prop::collection::vec((0u32..2_000, 0u32..2_000), 0..15),
        cutoff in 10.0f64..200.0,
    ) {
        let pt = |&(x, y): &(u32, u32)| [f64::from(x), f64::from(y)];
        let demand: Vec<[f64; 2]> = demand.iter().map(pt).collect();
        let candidates: Vec<[f64; 2]> = candidates.iter().map(pt).collect();
        let costs = SparseCosts::planar_travel_time(&demand, &candidates, 4.0, cutoff).unwrap();
        for (j, c) in candidates.iter().enumerate() {
            let expected: Vec<(u32, f64)> = demand
                .iter()
                .enumerate()
                .map(|(i, d)| (i as u32, (d[0] - c[0]).hypot(d[1] - c[1]) / 4.0))
                .filter(|(i, t)| {
                    let d = demand[*i as usize];
                    let _ = t;
                    (d[0] - c[0]).powi(2) + (d[1] - c[1]).powi(2) <= (4.0 * cutoff).powi(2)
                })
                .collect();
            prop_assert_eq!(costs.pairs_of(j).collect::<Vec<_>>(), expected);
        }
    }
}

#[test]
fn existing_stations_and_unserved_cost() {
    // Demand on a line at 0, 100, 200, 300 m; candidates at the same places; 1 m/s; cutoff 150 s.
    let demand = [[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [300.0, 0.0]];
    let weights = [1.0, 1.0, 1.0, 10.0];
    let costs = SparseCosts::planar_travel_time(&demand, &demand, 1.0, 150.0).unwrap();
    assert_eq!(costs.nnz(), 4 + 3 * 2);
    // Unserved demand costs 500 s; an existing station serves item 0 in 0 s and item 1 in 100 s.
    let problem =
        CostProblem::new(&weights, &costs, 500.0).unwrap().with_existing(&[0.0, 100.0, f64::INFINITY, 900.0]).unwrap();
    let options = SolveOptions { effort: 1_000_000, ..SolveOptions::default() };
    let before = problem.summary(&[]);
    assert_eq!(before.weighted_cost, 0.0 + 100.0 + 500.0 + 5_000.0);
    assert_eq!(before.served_weight, 2.0);
    let one = solve_p_median(&problem, 1, &options, &mut no_progress).unwrap();
    // Opening at 300 m saves 5 000 (item 3) + 400 (item 2 at 100 s instead of 500 s).
    assert_eq!(one.sites.iter().map(|s| s.candidate).collect::<Vec<_>>(), vec![3]);
    assert_eq!(one.after.weighted_cost, 0.0 + 100.0 + 100.0 + 0.0);
    assert_eq!(one.sites[0].marginal_saving, 5_400.0);
    assert_eq!(one.after.served_weight, 13.0);
    assert!((one.after.mean_cost - 200.0 / 13.0).abs() < 1e-12);
    let two = solve_p_median(&problem, 2, &options, &mut no_progress).unwrap();
    // Items 1..=3 cannot all be at 0 s with two sites: 3 and one of 1, 2.
    assert_eq!(two.after.weighted_cost, 100.0);
    assert_eq!(two.sites.len(), 2);
    assert_eq!(two.sites[0].candidate, 3);
    // With candidate 3 excluded, 2 serves items 2 and 3 (100 s each).
    let problem = problem.with_excluded([3]).unwrap();
    let ex = solve_p_median(&problem, 1, &options, &mut no_progress).unwrap();
    assert_eq!(ex.sites.iter().map(|s| s.candidate).collect::<Vec<_>>(), vec![2]);
    assert_eq!(ex.after.weighted_cost, 0.0 + 100.0 + 0.0 + 1_000.0);
}

#[test]
fn pairs_are_validated_and_merged() {
    let costs = SparseCosts::from_pairs(3, [vec![(2, 5.0), (0, 1.0), (2, 3.0)], vec![]]).unwrap();
    assert_eq!(costs.pairs_of(0).collect::<Vec<_>>(), vec![(0, 1.0), (2, 3.0)]);
    assert_eq!(costs.n_candidates(), 2);
    assert_eq!(
        SparseCosts::from_pairs(3, [vec![(3, 1.0)]]),
        Err(OptimizeError::DemandOutOfRange { candidate: 0, index: 3, n_demand: 3 })
    );
    assert_eq!(
        SparseCosts::from_pairs(3, [vec![(0, 1.0)], vec![(1, -1.0)]]),
        Err(OptimizeError::BadCost { what: "cost pair", index: 1, value: -1.0 })
    );
    assert!(matches!(
        SparseCosts::planar_travel_time(&[], &[], 0.0, 10.0),
        Err(OptimizeError::BadCost { what: "speed", .. })
    ));
    let w = [1.0, 1.0, 1.0];
    assert!(matches!(
        CostProblem::new(&w, &costs, f64::NAN),
        Err(OptimizeError::BadCost { what: "unserved cost", .. })
    ));
    assert!(matches!(
        CostProblem::new(&w, &costs, 10.0).unwrap().with_existing(&[0.0, f64::NAN, 1.0]),
        Err(OptimizeError::BadCost { what: "existing cost", index: 1, .. })
    ));
    assert_eq!(
        CostProblem::new(&w[..2], &costs, 10.0).err(),
        Some(OptimizeError::LengthMismatch { what: "weights", got: 2, expected: 3 })
    );
}

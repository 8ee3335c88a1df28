#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

/// Brute-force planar coverage: every pair checked, inclusive.
fn brute_planar(demand: &[[f64; 2]], candidates: &[[f64; 2]], r: f64) -> Vec<Vec<u32>> {
    candidates
        .iter()
        .map(|c| {
            (0..demand.len() as u32)
                .filter(|&i| {
                    let d = demand[i as usize];
                    (d[0] - c[0]).powi(2) + (d[1] - c[1]).powi(2) <= r * r
                })
                .collect()
        })
        .collect()
}

fn sets(cov: &Coverage) -> Vec<Vec<u32>> {
    (0..cov.n_candidates()).map(|j| cov.covered_by(j).to_vec()).collect()
}

fn int_points(max: i32, len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<[f64; 2]>> {
    prop::collection::vec((0..=max, 0..=max).prop_map(|(x, y)| [f64::from(x), f64::from(y)]), len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn planar_radius_matches_brute_force(
        demand in int_points(200, 0..120),
        candidates in int_points(200, 0..40),
        r in 0u32..80,
    ) {
        let r = f64::from(r);
        let cov = Coverage::planar_radius(&demand, &candidates, r).unwrap();
        prop_assert_eq!(cov.n_demand(), demand.len());
        prop_assert_eq!(sets(&cov), brute_planar(&demand, &candidates, r));
    }

    #[test]
    fn geodesic_radius_matches_karney_brute_force(
        demand in prop::collection::vec((116.70f64..116.90, 35.45f64..35.65), 0..80),
        candidates in prop::collection::vec((116.70f64..116.90, 35.45f64..35.65), 0..20),
        r in 100.0f64..8_000.0,
    ) {
        let demand: Vec<LonLat> = demand.iter().map(|&(x, y)| LonLat::new(x, y).unwrap()).collect();
        let candidates: Vec<LonLat> = candidates.iter().map(|&(x, y)| LonLat::new(x, y).unwrap()).collect();
        let cov = Coverage::geodesic_radius(&demand, &candidates, r).unwrap();
        let expected: Vec<Vec<u32>> = candidates
            .iter()
            .map(|c| (0..demand.len() as u32).filter(|&i| c.geodesic_distance_m(demand[i as usize]) <= r).collect())
            .collect();
        prop_assert_eq!(sets(&cov), expected);
    }

    #[test]
    fn transpose_inverts_rows(rows in prop::collection::vec(prop::collection::btree_set(0u32..30, 0..10), 0..20)) {
        let cov = Coverage::from_sets(30, rows.iter().map(|r| r.iter().copied())).unwrap();
        let values: Vec<u64> = (0..cov.nnz() as u64).collect();
        let (t, moved) = cov.csr().transpose_with(30, &values);
        prop_assert_eq!(t.rows(), 30);
        let mut pairs = Vec::new();
        for i in 0..30 {
            let row = t.row(i);
            prop_assert!(row.windows(2).all(|w| w[0] < w[1]));
            for (k, &j) in row.iter().enumerate() {
                let value = moved[t.offsets[i] + k];
                // The carried value is the position of (j, i) in the original index array.
                prop_assert_eq!(cov.csr().indices[value as usize], i as u32);
                prop_assert!(cov.csr().offsets[j as usize] <= value as usize && (value as usize) < cov.csr().offsets[j as usize + 1]);
                pairs.push((j, i as u32));
            }
        }
        pairs.sort_unstable();
        let mut expected: Vec<(u32, u32)> = rows.iter().enumerate().flat_map(|(j, r)| r.iter().map(move |&i| (j as u32, i))).collect();
        expected.sort_unstable();
        prop_assert_eq!(pairs, expected);
    }
}

#[test]
fn planar_radius_is_inclusive_and_parallel_build_is_ordered() {
    // 3-4-5 triangles: distance exactly 5 is covered, 5.0000001 is not.
    let demand = [[3.0, 4.0], [0.0, 5.0], [5.0, 0.000_001], [6.0, 0.0]];
    let cov = Coverage::planar_radius(&demand, &[[0.0, 0.0]], 5.0).unwrap();
    assert_eq!(cov.covered_by(0), &[0, 1]);

    // More candidates than one thread's chunk: rows must come back in candidate order.
    let demand: Vec<[f64; 2]> = (0..50).map(|i| [f64::from(i) * 10.0, 0.0]).collect();
    let candidates: Vec<[f64; 2]> = (0..5_000).map(|j| [f64::from(j % 50) * 10.0, 0.0]).collect();
    let cov = Coverage::planar_radius(&demand, &candidates, 10.0).unwrap();
    assert_eq!(cov.n_candidates(), 5_000);
    assert_eq!(sets(&cov), brute_planar(&demand, &candidates, 10.0));
    assert_eq!(cov.covered_by(4_999), &[48, 49]);
}

#[test]
fn from_sets_sorts_and_merges_repeats() {
    let cov = Coverage::from_sets(5, [vec![4, 1, 4, 0], vec![], vec![2]]).unwrap();
    assert_eq!(sets(&cov), vec![vec![0, 1, 4], vec![], vec![2]]);
    assert_eq!(cov.nnz(), 4);
    assert_eq!(cov.union_mask(), vec![true, true, true, false, true]);
    assert_eq!(cov.covered_mask([1, 2, 99]), vec![false, false, true, false, false]);
    let csr = Coverage::from_csr(5, &[0, 2, 2, 3], &[1, 0, 2]).unwrap();
    assert_eq!(sets(&csr), vec![vec![0, 1], vec![], vec![2]]);
}

#[test]
fn bad_inputs_are_rejected_with_the_reason() {
    assert_eq!(
        Coverage::from_sets(3, [vec![0], vec![3]]),
        Err(OptimizeError::DemandOutOfRange { candidate: 1, index: 3, n_demand: 3 })
    );
    assert_eq!(Coverage::from_csr(3, &[0, 2, 1], &[0]), Err(OptimizeError::BadOffsets));
    assert_eq!(Coverage::from_csr(3, &[1, 1], &[0]), Err(OptimizeError::BadOffsets));
    assert_eq!(Coverage::from_csr(3, &[0, 1], &[0, 1]), Err(OptimizeError::BadOffsets));
    assert_eq!(Coverage::planar_radius(&[], &[], -1.0), Err(OptimizeError::BadRadius(-1.0)));
    assert!(matches!(Coverage::planar_radius(&[], &[], f64::NAN), Err(OptimizeError::BadRadius(_))));
    assert_eq!(
        Coverage::planar_radius(&[[0.0, 0.0]], &[[1.0, f64::INFINITY]], 5.0),
        Err(OptimizeError::BadCoordinate { what: "candidate", index: 0 })
    );
    assert_eq!(
        Coverage::planar_radius(&[[0.0, 0.0], [f64::NAN, 0.0]], &[], 5.0),
        Err(OptimizeError::BadCoordinate { what: "demand item", index: 1 })
    );
}

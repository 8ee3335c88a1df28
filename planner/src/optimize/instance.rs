//! Planar covering instances: the benchmark family of `bench/peers/mclp_instance.py`
//! (integer coordinates in metres, uniform in a square; integer weights 1 ..= 100; Euclidean
//! service radius) — generated with a seeded generator here, read from its CSV files by
//! [`super::instance_files`].

use super::{Coverage, OptimizeError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A planar maximal covering instance in projected metres.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanarInstance {
    /// Demand points `[x, y]`, metres.
    pub demand: Vec<[f64; 2]>,
    /// Demand weights, one per point (≥ 0).
    pub weights: Vec<f64>,
    /// Candidate sites `[x, y]`, metres.
    pub candidates: Vec<[f64; 2]>,
    /// Service radius, metres (inclusive).
    pub radius_m: f64,
    /// Number of sites to choose.
    pub p: usize,
}

impl PlanarInstance {
    /// A random instance of the benchmark family: `n_demand` points and `n_candidates` sites with
    /// integer coordinates uniform in `0 ..= box_m` metres, integer weights uniform in 1 ..= 100,
    /// drawn from ChaCha8 seeded with `seed` (same distribution as `mclp_instance.py`, not the same
    /// numbers).
    #[must_use]
    pub fn random(n_demand: usize, n_candidates: usize, box_m: u32, radius_m: f64, p: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let point =
            |rng: &mut ChaCha8Rng| [f64::from(rng.random_range(0..=box_m)), f64::from(rng.random_range(0..=box_m))];
        let mut demand = Vec::with_capacity(n_demand);
        let mut weights = Vec::with_capacity(n_demand);
        for _ in 0..n_demand {
            demand.push(point(&mut rng));
            weights.push(f64::from(rng.random_range(1..=100u32)));
        }
        let candidates = (0..n_candidates).map(|_| point(&mut rng)).collect();
        Self { demand, weights, candidates, radius_m, p }
    }

    /// Box side in metres that keeps the density of the 5 000-point, 20 km reference instance for
    /// `n_demand` points: 20 000 × √(n_demand / 5 000) (a 1 000 000-point city: 282 843 m).
    #[must_use]
    pub fn scaled_box_m(n_demand: usize) -> u32 {
        (20_000.0 * (n_demand as f64 / 5_000.0).sqrt()).round() as u32
    }

    /// The coverage sets of this instance (Euclidean, inclusive radius).
    ///
    /// # Errors
    /// As [`Coverage::planar_radius`].
    pub fn coverage(&self) -> Result<Coverage, OptimizeError> {
        Coverage::planar_radius(&self.demand, &self.candidates, self.radius_m)
    }
}

#[cfg(test)]
#[path = "instance_tests.rs"]
mod tests;

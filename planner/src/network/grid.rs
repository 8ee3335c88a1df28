//! A synthetic city grid for benchmarks: the same family as the peer scripts use.
//!
//! `side × side` nodes on a square lattice with [`GridSpec::spacing_m`] spacing (100 m by
//! default), placed in WGS-84 around [`GridSpec::origin`]; every pair of horizontal and vertical
//! neighbours is joined in both directions, each direction independently `spacing × U(1, 1.5)`
//! metres long (a seeded ChaCha8 stream), travelled at [`GridSpec::speed_m_s`]. Node `r·side + c`
//! is row `r`, column `c`. A side of 1000 gives 1,000,000 nodes and 3,996,000 arcs.

use super::graph::{ArcInput, Graph};
use super::{NetworkError, metres_per_degree, secs_to_ms};
use crate::eta::TravelMode;
use crate::geodesy::LonLat;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The grid's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// Nodes per side.
    pub side: u32,
    /// Distance between neighbours, metres.
    pub spacing_m: f64,
    /// Travel speed, metres per second (default 15 km/h, an e-bike).
    pub speed_m_s: f64,
    /// Random seed of the arc lengths.
    pub seed: u64,
    /// Position of node 0 (south-west corner), WGS-84 degrees.
    pub origin: LonLat,
}

impl Default for GridSpec {
    fn default() -> Self {
        Self { side: 1000, spacing_m: 100.0, speed_m_s: 15.0 / 3.6, seed: 1, origin: LonLat { lon: 116.8, lat: 35.55 } }
    }
}

/// Builds the grid graph (arcs are generated already in CSR order, so no sorting is needed).
///
/// # Errors
/// [`NetworkError::Invalid`] when the spacing or speed is not positive or the grid has 2³² nodes
/// or more.
pub fn grid(spec: &GridSpec, mode: TravelMode) -> Result<Graph, NetworkError> {
    if !(spec.spacing_m > 0.0 && spec.speed_m_s > 0.0) {
        return Err(NetworkError::Invalid("grid spacing and speed must be positive".into()));
    }
    let side = spec.side as usize;
    let n = side.checked_mul(side).filter(|&n| n < u32::MAX as usize / 4);
    let n = n.ok_or_else(|| NetworkError::Invalid(format!("grid side {side} is too large")))?;
    let (kx, ky) = metres_per_degree(spec.origin.lat);
    let mut coords = Vec::with_capacity(n);
    for r in 0..side {
        for c in 0..side {
            let lon = spec.origin.lon + c as f64 * spec.spacing_m / kx;
            let lat = spec.origin.lat + r as f64 * spec.spacing_m / ky;
            coords.push(LonLat::new(lon, lat).map_err(|e| NetworkError::Invalid(e.to_string()))?);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut arcs = Vec::with_capacity(4 * n);
    let mut push = |from: usize, to: usize, rng: &mut ChaCha8Rng| {
        let len = spec.spacing_m * rng.random_range(1.0..1.5);
        arcs.push(ArcInput {
            from: from as u32,
            to: to as u32,
            time_ms: secs_to_ms(len / spec.speed_m_s),
            length_m: len as f32,
        });
    };
    for r in 0..side {
        for c in 0..side {
            let u = r * side + c;
            // Heads in increasing order: down a row, left, right, up a row.
            if r > 0 {
                push(u, u - side, &mut rng);
            }
            if c > 0 {
                push(u, u - 1, &mut rng);
            }
            if c + 1 < side {
                push(u, u + 1, &mut rng);
            }
            if r + 1 < side {
                push(u, u + side, &mut rng);
            }
        }
    }
    Graph::new(mode, coords, Vec::new(), arcs)
}

/// `k` distinct nodes out of `n`, chosen uniformly with a seeded ChaCha8 stream, in the order
/// drawn (e.g. benchmark stations). `k` is capped at `n`.
#[must_use]
pub fn random_nodes(n: usize, k: usize, seed: u64) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rand::seq::index::sample(&mut rng, n, k.min(n)).into_iter().map(|i| i as u32).collect()
}

#[cfg(test)]
#[path = "grid_tests.rs"]
mod tests;

//! Sparse coverage sets: which demand items each candidate site covers.
//!
//! Coverage is stored as compressed sparse rows (one row per candidate, `u32` demand indices,
//! ascending) and never as a dense demand × candidate matrix. Radius coverage is built with an
//! R*-tree over the demand points and one radius query per candidate, split over the available
//! cores; coverage from elsewhere (network travel times within a threshold) comes in through
//! [`Coverage::from_sets`] or [`Coverage::from_csr`].

use super::OptimizeError;
use crate::geodesy::{LonLat, MEAN_EARTH_RADIUS_M};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use std::f64::consts::PI;

/// Largest number of demand items or candidates: indices are `u32` and `u32::MAX` is reserved.
pub const MAX_ITEMS: usize = u32::MAX as usize - 1;

/// Lower and upper bounds of geodesic ÷ great-circle distance on WGS-84 (the extreme radii of
/// curvature, 6 335 439 m and 6 399 594 m, over the mean radius 6 371 008.8 m: 0.99442 and
/// 1.00449), widened slightly for rounding.
const GEODESIC_OVER_SPHERE: (f64, f64) = (0.994, 1.005);

/// Compressed sparse rows of `u32` column indices, each row ascending without duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Csr {
    /// Row `r` is `indices[offsets[r]..offsets[r + 1]]`; `offsets.len()` is rows + 1.
    pub(crate) offsets: Vec<usize>,
    /// Column indices of every row, concatenated.
    pub(crate) indices: Vec<u32>,
}

impl Csr {
    /// A CSR with no rows.
    pub(crate) fn empty() -> Self {
        Self { offsets: vec![0], indices: Vec::new() }
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The columns of row `r`.
    #[inline]
    pub(crate) fn row(&self, r: usize) -> &[u32] {
        &self.indices[self.offsets[r]..self.offsets[r + 1]]
    }

    /// Appends a row.
    pub(crate) fn push_row(&mut self, cols: impl IntoIterator<Item = u32>) {
        self.indices.extend(cols);
        self.offsets.push(self.indices.len());
    }

    /// The transpose, with `n_cols` rows; its rows come out ascending because rows are visited in
    /// order.
    pub(crate) fn transpose(&self, n_cols: usize) -> Csr {
        self.transpose_with(n_cols, &vec![(); self.indices.len()]).0
    }

    /// The transpose, carrying one value per entry (`values` is aligned with `indices`).
    pub(crate) fn transpose_with<T: Copy + Default>(&self, n_cols: usize, values: &[T]) -> (Csr, Vec<T>) {
        let mut offsets = vec![0usize; n_cols + 1];
        for &c in &self.indices {
            offsets[c as usize + 1] += 1;
        }
        for k in 0..n_cols {
            offsets[k + 1] += offsets[k];
        }
        let mut fill = offsets[..n_cols].to_vec();
        let mut indices = vec![0u32; self.indices.len()];
        let mut moved = vec![T::default(); values.len()];
        for r in 0..self.rows() {
            let range = self.offsets[r]..self.offsets[r + 1];
            for (&c, &value) in self.indices[range.clone()].iter().zip(&values[range]) {
                let slot = &mut fill[c as usize];
                indices[*slot] = index_u32(r);
                moved[*slot] = value;
                *slot += 1;
            }
        }
        (Csr { offsets, indices }, moved)
    }

    /// Builds `n_rows` rows with `fill(row, out)` (which appends the row's columns, in any order,
    /// possibly repeated), in parallel over contiguous chunks of rows; the result does not depend
    /// on the number of threads.
    fn build_parallel<F>(n_rows: usize, fill: F) -> Csr
    where
        F: Fn(usize, &mut Vec<u32>) + Sync,
    {
        let threads = crate::budget::threads();
        let chunk = n_rows.div_ceil(threads).max(1024);
        let build_chunk = |start: usize, end: usize| {
            let mut part = Csr { offsets: Vec::with_capacity(end - start + 1), indices: Vec::new() };
            part.offsets.push(0);
            let mut row = Vec::new();
            for r in start..end {
                row.clear();
                fill(r, &mut row);
                row.sort_unstable();
                row.dedup();
                part.push_row(row.iter().copied());
            }
            part
        };
        let parts: Vec<Csr> = if n_rows <= chunk {
            vec![build_chunk(0, n_rows)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..n_rows)
                    .step_by(chunk)
                    .map(|start| {
                        let build_chunk = &build_chunk;
                        scope.spawn(move || build_chunk(start, (start + chunk).min(n_rows)))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
            })
        };
        let mut out = Csr::empty();
        out.indices.reserve(parts.iter().map(|p| p.indices.len()).sum());
        for part in parts {
            let base = out.indices.len();
            out.offsets.extend(part.offsets[1..].iter().map(|o| o + base));
            out.indices.extend_from_slice(&part.indices);
        }
        out
    }
}

/// Sentinel for "no index" in `u32` index columns (never a valid index: see [`MAX_ITEMS`]).
pub(crate) const NONE: u32 = u32::MAX;

/// A `usize` index known to be at most [`MAX_ITEMS`], as `u32`.
#[inline]
pub(crate) fn index_u32(i: usize) -> u32 {
    debug_assert!(i <= MAX_ITEMS);
    i as u32
}

/// Which demand items each candidate site covers: one ascending set of demand indices
/// (0-based, `u32`) per candidate, stored as compressed sparse rows.
///
/// A demand item is anything with a weight to cover (an H3 cell, a grid square, a block); a
/// candidate is a possible new station site. Coverage means "within the service threshold" —
/// a radius in metres for the builders here, a travel time for sets supplied from a road network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    n_demand: usize,
    sets: Csr,
}

fn check_count(what: &'static str, n: usize) -> Result<(), OptimizeError> {
    if n > MAX_ITEMS { Err(OptimizeError::TooLarge { what, count: n }) } else { Ok(()) }
}

fn check_radius(radius_m: f64) -> Result<(), OptimizeError> {
    if radius_m.is_finite() && radius_m >= 0.0 { Ok(()) } else { Err(OptimizeError::BadRadius(radius_m)) }
}

impl Coverage {
    /// Coverage from explicit sets: `sets` yields, for each candidate in order, the demand indices
    /// it covers (any order; repeats are merged).
    ///
    /// # Errors
    /// [`OptimizeError::DemandOutOfRange`] if an index is ≥ `n_demand`;
    /// [`OptimizeError::TooLarge`] beyond [`MAX_ITEMS`] demand items or candidates.
    pub fn from_sets<I, S>(n_demand: usize, sets: I) -> Result<Self, OptimizeError>
    where
        I: IntoIterator<Item = S>,
        S: IntoIterator<Item = u32>,
    {
        check_count("demand items", n_demand)?;
        let mut csr = Csr::empty();
        let mut row = Vec::new();
        for (candidate, set) in sets.into_iter().enumerate() {
            check_count("candidates", candidate + 1)?;
            row.clear();
            row.extend(set);
            row.sort_unstable();
            row.dedup();
            if let Some(&last) = row.last()
                && last as usize >= n_demand
            {
                return Err(OptimizeError::DemandOutOfRange { candidate, index: last, n_demand });
            }
            csr.push_row(row.iter().copied());
        }
        Ok(Self { n_demand, sets: csr })
    }

    /// Coverage from compressed sparse rows: candidate `j` covers
    /// `indices[offsets[j]..offsets[j + 1]]` (any order; repeats are merged).
    ///
    /// # Errors
    /// [`OptimizeError::BadOffsets`] unless `offsets` starts at 0, never decreases and ends at
    /// `indices.len()`; [`OptimizeError::DemandOutOfRange`] for an index ≥ `n_demand`;
    /// [`OptimizeError::TooLarge`] beyond [`MAX_ITEMS`].
    pub fn from_csr(n_demand: usize, offsets: &[usize], indices: &[u32]) -> Result<Self, OptimizeError> {
        let valid = offsets.first() == Some(&0)
            && offsets.last() == Some(&indices.len())
            && offsets.windows(2).all(|w| w[0] <= w[1]);
        if !valid {
            return Err(OptimizeError::BadOffsets);
        }
        Self::from_sets(n_demand, offsets.windows(2).map(|w| indices[w[0]..w[1]].iter().copied()))
    }

    /// Planar coverage: candidate `j` covers demand `i` when the Euclidean distance between them is
    /// at most `radius_m` (inclusive). Coordinates are projected metres `[x, y]` (e.g. a local
    /// transverse Mercator or Gauss–Krüger grid); the comparison `dx² + dy² ≤ r²` is exact for
    /// integer coordinates below 2²⁶ m.
    ///
    /// Cost: an R*-tree bulk load over the demand points (O(n log n)) and one radius query per
    /// candidate, run on all available cores.
    ///
    /// # Errors
    /// [`OptimizeError::BadRadius`], [`OptimizeError::BadCoordinate`] for a non-finite coordinate,
    /// [`OptimizeError::TooLarge`] beyond [`MAX_ITEMS`].
    pub fn planar_radius(demand: &[[f64; 2]], candidates: &[[f64; 2]], radius_m: f64) -> Result<Self, OptimizeError> {
        check_radius(radius_m)?;
        check_count("demand items", demand.len())?;
        check_count("candidates", candidates.len())?;
        for (what, points) in [("demand item", demand), ("candidate", candidates)] {
            if let Some(index) = points.iter().position(|p| !(p[0].is_finite() && p[1].is_finite())) {
                return Err(OptimizeError::BadCoordinate { what, index });
            }
        }
        let tree = RTree::bulk_load(
            demand.iter().enumerate().map(|(i, p)| GeomWithData::new(*p, index_u32(i))).collect::<Vec<_>>(),
        );
        let r2 = radius_m * radius_m;
        let query_r2 = r2 * (1.0 + 1e-9) + 1e-9;
        let sets = Csr::build_parallel(candidates.len(), |j, out| {
            let c = candidates[j];
            out.extend(tree.locate_within_distance(c, query_r2).filter_map(|e| {
                let (dx, dy) = (e.geom()[0] - c[0], e.geom()[1] - c[1]);
                (dx * dx + dy * dy <= r2).then_some(e.data)
            }));
        });
        Ok(Self { n_demand: demand.len(), sets })
    }

    /// Geodesic coverage: candidate `j` covers demand `i` when their geodesic distance on the
    /// WGS-84 ellipsoid is at most `radius_m` metres (inclusive). Positions are WGS-84 degrees.
    ///
    /// The R*-tree holds unit vectors; a chord-length query returns every point within
    /// `radius_m ÷ 0.994` great-circle metres. Pairs whose great-circle distance × 1.005 is within
    /// the radius are covered without further work (geodesic ÷ great-circle distance lies in
    /// [0.99442, 1.00449] on WGS-84); only the pairs in between are settled with Karney's geodesic
    /// distance ([`LonLat::geodesic_distance_m`]), so the result is exact in geodesic metres.
    ///
    /// # Errors
    /// [`OptimizeError::BadRadius`], [`OptimizeError::TooLarge`] beyond [`MAX_ITEMS`].
    pub fn geodesic_radius(demand: &[LonLat], candidates: &[LonLat], radius_m: f64) -> Result<Self, OptimizeError> {
        check_radius(radius_m)?;
        check_count("demand items", demand.len())?;
        check_count("candidates", candidates.len())?;
        let tree = RTree::bulk_load(
            demand
                .iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new(p.to_unit_vector(), index_u32(i)))
                .collect::<Vec<_>>(),
        );
        let chord2 = |great_circle_m: f64| {
            let c = 2.0 * (0.5 * (great_circle_m / MEAN_EARTH_RADIUS_M).min(PI)).sin();
            c * c
        };
        let query_c2 = chord2(radius_m / GEODESIC_OVER_SPHERE.0) * (1.0 + 1e-12);
        let sure_c2 = chord2(radius_m / GEODESIC_OVER_SPHERE.1) * (1.0 - 1e-12);
        let sets = Csr::build_parallel(candidates.len(), |j, out| {
            let c = candidates[j];
            let u = c.to_unit_vector();
            out.extend(tree.locate_within_distance(u, query_c2).filter_map(|e| {
                let g = e.geom();
                let d2 = (g[0] - u[0]).powi(2) + (g[1] - u[1]).powi(2) + (g[2] - u[2]).powi(2);
                let covered = d2 <= sure_c2 || c.geodesic_distance_m(demand[e.data as usize]) <= radius_m;
                covered.then_some(e.data)
            }));
        });
        Ok(Self { n_demand: demand.len(), sets })
    }

    /// Number of demand items the indices refer to.
    #[must_use]
    pub fn n_demand(&self) -> usize {
        self.n_demand
    }

    /// Number of candidates (sets).
    #[must_use]
    pub fn n_candidates(&self) -> usize {
        self.sets.rows()
    }

    /// Total number of (candidate, demand) pairs stored.
    #[must_use]
    pub fn nnz(&self) -> usize {
        self.sets.indices.len()
    }

    /// The demand indices candidate `candidate` covers, ascending.
    ///
    /// # Panics
    /// If `candidate >= self.n_candidates()`.
    #[must_use]
    pub fn covered_by(&self, candidate: usize) -> &[u32] {
        self.sets.row(candidate)
    }

    /// For each demand item, whether at least one of `candidates` covers it — e.g. the coverage of
    /// the existing stations, built with the same rule and passed to
    /// [`CoverProblem::with_existing`](super::CoverProblem::with_existing). Indices out of range
    /// are ignored.
    #[must_use]
    pub fn covered_mask(&self, candidates: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut mask = vec![false; self.n_demand];
        for j in candidates.into_iter().filter(|&j| j < self.n_candidates()) {
            for &i in self.sets.row(j) {
                mask[i as usize] = true;
            }
        }
        mask
    }

    /// For each demand item, whether any candidate covers it.
    #[must_use]
    pub fn union_mask(&self) -> Vec<bool> {
        self.covered_mask(0..self.n_candidates())
    }

    pub(crate) fn csr(&self) -> &Csr {
        &self.sets
    }
}

#[cfg(test)]
#[path = "coverage_tests.rs"]
mod tests;

//! Planar covering instances: the benchmark family of `bench/peers/mclp_instance.py`
//! (integer coordinates in metres, uniform in a square; integer weights 1 ..= 100; Euclidean
//! service radius) — read from its CSV files or generated with a seeded generator.

use super::{Coverage, OptimizeError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

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

/// Why an instance directory could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstanceError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV row is malformed.
    #[error("{path} line {line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// `params.json` is not valid JSON or lacks a field.
    #[error("{path}: {message}")]
    Params {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Reads a CSV file with a header and numeric columns, `width` per row.
fn read_rows(path: &Path, width: usize) -> Result<Vec<Vec<f64>>, InstanceError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| InstanceError::Csv {
        path: path.into(),
        line: 1,
        message: e.to_string(),
    })?;
    let mut rows = Vec::new();
    for (k, record) in reader.records().enumerate() {
        let line = k as u64 + 2;
        let bad = |message: String| InstanceError::Csv { path: path.into(), line, message };
        let record = record.map_err(|e| bad(e.to_string()))?;
        if record.len() != width {
            return Err(bad(format!("expected {width} columns, found {}", record.len())));
        }
        let row = record
            .iter()
            .map(|f| f.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<Vec<f64>>>()
            .ok_or_else(|| bad(format!("not a number in {:?}", record.iter().collect::<Vec<_>>())))?;
        rows.push(row);
    }
    Ok(rows)
}

impl PlanarInstance {
    /// Reads an instance directory: `demand.csv` (`x,y,weight`), `candidates.csv` (`x,y`) and
    /// `params.json` (`service_radius_m`, `p_facilities`).
    ///
    /// # Errors
    /// [`InstanceError`] naming the file (and line) that is missing or malformed.
    pub fn read_dir(dir: &Path) -> Result<Self, InstanceError> {
        let demand_rows = read_rows(&dir.join("demand.csv"), 3)?;
        let candidate_rows = read_rows(&dir.join("candidates.csv"), 2)?;
        let params_path = dir.join("params.json");
        let text = std::fs::read_to_string(&params_path)
            .map_err(|source| InstanceError::Io { path: params_path.clone(), source })?;
        let bad = |message: String| InstanceError::Params { path: params_path.clone(), message };
        let params: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let radius_m = params["service_radius_m"].as_f64().ok_or_else(|| bad("no number service_radius_m".into()))?;
        let p = params["p_facilities"].as_u64().ok_or_else(|| bad("no integer p_facilities".into()))?;
        Ok(Self {
            demand: demand_rows.iter().map(|r| [r[0], r[1]]).collect(),
            weights: demand_rows.iter().map(|r| r[2]).collect(),
            candidates: candidate_rows.iter().map(|r| [r[0], r[1]]).collect(),
            radius_m,
            p: usize::try_from(p).map_err(|e| bad(e.to_string()))?,
        })
    }

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

//! Planar covering instances on disk: the directory layout of `bench/peers/mclp_instance.py`
//! (`demand.csv`, `candidates.csv`, `params.json`) read into a [`PlanarInstance`].

use super::instance::PlanarInstance;
use std::path::{Path, PathBuf};

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

/// Reads an instance directory: `demand.csv` (`x,y,weight`), `candidates.csv` (`x,y`) and
/// `params.json` (`service_radius_m`, `p_facilities`).
///
/// # Errors
/// [`InstanceError`] naming the file (and line) that is missing or malformed.
pub fn read_dir(dir: &Path) -> Result<PlanarInstance, InstanceError> {
    let demand_rows = read_rows(&dir.join("demand.csv"), 3)?;
    let candidate_rows = read_rows(&dir.join("candidates.csv"), 2)?;
    let params_path = dir.join("params.json");
    let text = std::fs::read_to_string(&params_path)
        .map_err(|source| InstanceError::Io { path: params_path.clone(), source })?;
    let bad = |message: String| InstanceError::Params { path: params_path.clone(), message };
    let params: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let radius_m = params["service_radius_m"].as_f64().ok_or_else(|| bad("no number service_radius_m".into()))?;
    let p = params["p_facilities"].as_u64().ok_or_else(|| bad("no integer p_facilities".into()))?;
    Ok(PlanarInstance {
        demand: demand_rows.iter().map(|r| [r[0], r[1]]).collect(),
        weights: demand_rows.iter().map(|r| r[2]).collect(),
        candidates: candidate_rows.iter().map(|r| [r[0], r[1]]).collect(),
        radius_m,
        p: usize::try_from(p).map_err(|e| bad(e.to_string()))?,
    })
}

#[cfg(test)]
#[path = "instance_files_tests.rs"]
mod tests;

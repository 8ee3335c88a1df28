//! The demo data sets, embedded in the binary and loaded into an empty store: 兖州区 (433
//! synthetic stations, straight-line travel times: no road data ships for it; the Jining district
//! boundaries, and the synthetic 兖州区 streets and demand layer of the coverage planner) and
//! central Helsinki (60 synthetic stations over the shipped OpenStreetMap extract, so the demo
//! shows travel times along roads).
//!
//! `data/demo/yanzhou-stations.csv` and `data/demo/helsinki-stations.csv` are the output of the
//! seeded generators in [`yizhan_planner::demo`]; tests regenerate them and compare bytes, so the
//! files and the generators cannot drift apart.

use crate::builtin::{DEMO_STATIONS_CSV, HELSINKI_STATIONS_CSV, JINING_DISTRICTS};
use crate::state::{AppState, WriteError};
use chrono::{TimeZone, Utc};
use yizhan_planner::demo::{DEMO_SEED, demo_demand, demo_streets, generate, generate_helsinki};
use yizhan_planner::district::{District, parse_districts};
use yizhan_planner::export::{HeaderLang, to_csv};
use yizhan_planner::import::{Format, ImportOptions, parse_stations};
use yizhan_planner::station::Station;
use yizhan_store::{Boundary, DemandDataset, StoreError};

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The embedded file does not parse (a build defect).
    #[error("embedded demo data is invalid: {0}")]
    Invalid(String),
    /// Storing it failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Storing the planner's data failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The 兖州区 boundary from the embedded Jining file.
///
/// # Errors
/// [`DemoError::Invalid`] if the embedded file lacks it (a build defect).
pub fn yanzhou() -> Result<District, DemoError> {
    parse_districts(JINING_DISTRICTS)
        .map_err(|e| DemoError::Invalid(e.to_string()))?
        .into_iter()
        .find(|d| d.name == "兖州区")
        .ok_or_else(|| DemoError::Invalid("兖州区 missing from jining.geojson".into()))
}

/// The demo CSV for `seed` (what `data/demo/yanzhou-stations.csv` holds for the default seed):
/// ids are row numbers and timestamps fixed, so the output depends on the seed alone.
#[must_use]
pub fn generate_csv(seed: u64) -> Vec<u8> {
    let Ok(district) = yanzhou() else { return Vec::new() };
    let epoch = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let stations: Vec<Station> = generate(&district, seed)
        .into_iter()
        .zip(1..)
        .map(|(data, id)| Station { id, data, created_at: epoch, updated_at: epoch })
        .collect();
    to_csv(&stations, HeaderLang::Zh)
}

/// The Helsinki demo CSV for `seed` (what `data/demo/helsinki-stations.csv` holds for the default
/// seed): ids are row numbers and timestamps fixed.
#[must_use]
pub fn generate_helsinki_csv(seed: u64) -> Vec<u8> {
    let epoch = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let stations: Vec<Station> = generate_helsinki(seed)
        .into_iter()
        .zip(1..)
        .map(|(data, id)| Station { id, data, created_at: epoch, updated_at: epoch })
        .collect();
    to_csv(&stations, HeaderLang::Zh)
}

/// Imports the embedded demo stations (兖州区, then Helsinki) through the regular import path, in
/// one write. Returns how many.
///
/// # Errors
/// [`DemoError`].
pub async fn load(state: &AppState) -> Result<usize, DemoError> {
    let opts = ImportOptions { format: Format::Csv, ..ImportOptions::default() };
    let mut rows = parse_stations(DEMO_STATIONS_CSV, &opts).map_err(|e| DemoError::Invalid(e.to_string()))?;
    rows.extend(parse_stations(HELSINKI_STATIONS_CSV, &opts).map_err(|e| DemoError::Invalid(e.to_string()))?);
    let outcome = state.import_stations(rows, &|_| {}).await?;
    load_planner(state).await?;
    Ok(outcome.created.len() + outcome.updated.len())
}

/// Stores the planner's demo data: the Jining district boundaries, the synthetic 兖州区 streets and
/// the synthetic 兖州区 demand layer (dataset `demo:兖州区`). Idempotent: stored items of the same
/// names are replaced.
///
/// # Errors
/// [`DemoError`].
pub async fn load_planner(state: &AppState) -> Result<(), DemoError> {
    let districts = parse_districts(JINING_DISTRICTS).map_err(|e| DemoError::Invalid(e.to_string()))?;
    let boundaries: Vec<Boundary> = districts
        .iter()
        .map(|d| Boundary {
            name: d.name.clone(),
            parent: None,
            city: d.city.clone(),
            province: d.province.clone(),
            polygon: d.boundary.clone(),
        })
        .collect();
    state.store.put_districts(&boundaries).await?;
    let yanzhou = yanzhou()?;
    let streets: Vec<Boundary> = demo_streets(&yanzhou)
        .into_iter()
        .map(|s| Boundary {
            name: s.name,
            parent: Some(yanzhou.name.clone()),
            city: None,
            province: None,
            polygon: s.polygon,
        })
        .collect();
    state.store.put_streets(&streets).await?;
    let points = demo_demand(&yanzhou, DEMO_SEED).iter().map(|p| [p.pos.lon, p.pos.lat, p.weight]).collect();
    state
        .store
        .put_demand(&DemandDataset {
            name: crate::analysis::demo_dataset_name(&yanzhou.name),
            district: Some(yanzhou.name.clone()),
            synthetic: true,
            points,
        })
        .await?;
    Ok(())
}

#[cfg(test)]
#[path = "demo_tests.rs"]
mod tests;

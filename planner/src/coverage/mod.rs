//! Coverage of an area by stations: which H3 cells lie within 10 or 15 minutes of the nearest
//! matching station, weighted by where demand is, and where the gaps are.
//!
//! Units: positions in WGS-84 degrees (longitude first), areas in square metres (`_m2`) or square
//! kilometres (`_km2`), times in seconds (`_s`), thresholds as given in seconds and named in whole
//! or decimal minutes in class names. See `README.md` beside this file for the rules (boundary,
//! demand, gaps) and methods.

pub mod demand;

use crate::eta::{EtaMethod, ModelError, StraightLineModel, TravelMode};
use crate::geodesy::LonLat;
use crate::index::{Filter, StationIndex, StatusSet};
use crate::network::RoadNetwork;
use geo::MultiPolygon;
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

pub use h3o::CellIndex;

/// Default [`CoverageParams::max_cells`]: grids larger than this are refused.
pub const DEFAULT_MAX_CELLS: usize = 500_000;

/// An H3 resolution allowed for coverage: 7 ..= 11 (cell areas from about 5.2 km² down to
/// about 2 150 m²). The default is 9 (about 0.105 km² per cell, edge ≈ 200 m).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub struct Resolution(u8);

impl Resolution {
    /// Coarsest resolution allowed.
    pub const MIN: u8 = 7;
    /// Finest resolution allowed.
    pub const MAX: u8 = 11;

    /// The resolution number.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }

    /// The resolution as h3o's type.
    #[must_use]
    pub fn to_h3(self) -> h3o::Resolution {
        match self.0 {
            7 => h3o::Resolution::Seven,
            8 => h3o::Resolution::Eight,
            9 => h3o::Resolution::Nine,
            10 => h3o::Resolution::Ten,
            _ => h3o::Resolution::Eleven,
        }
    }
}

impl Default for Resolution {
    fn default() -> Self {
        Self(9)
    }
}

impl TryFrom<u8> for Resolution {
    type Error = CoverageError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        if (Self::MIN..=Self::MAX).contains(&value) { Ok(Self(value)) } else { Err(CoverageError::Resolution(value)) }
    }
}

impl From<Resolution> for u8 {
    fn from(r: Resolution) -> Self {
        r.0
    }
}

/// What a coverage analysis measures.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageParams {
    /// H3 resolution of the grid.
    pub resolution: Resolution,
    /// Travel-time thresholds in seconds, ascending, each > 0; default `[600.0, 900.0]`.
    pub thresholds_s: Vec<f64>,
    /// How riders travel; default [`TravelMode::Ebike`].
    pub mode: TravelMode,
    /// Which stations count. The default matches every kind of station with status `active`
    /// (planned and closed stations are excluded unless asked for).
    pub filter: Filter,
    /// Grids with more cells than this are refused with [`CoverageError::TooManyCells`], checked
    /// from an estimate before the grid is built.
    pub max_cells: usize,
}

impl Default for CoverageParams {
    fn default() -> Self {
        Self {
            resolution: Resolution::default(),
            thresholds_s: vec![600.0, 900.0],
            mode: TravelMode::Ebike,
            filter: Filter { statuses: StatusSet::ACTIVE, ..Filter::default() },
            max_cells: DEFAULT_MAX_CELLS,
        }
    }
}

/// The area analysed: a (multi)polygon in WGS-84 degrees, holes allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Its name (e.g. `兖州区`), if it has one.
    pub name: Option<String>,
    /// Its boundary, WGS-84 degrees.
    pub polygon: MultiPolygon<f64>,
}

/// A street (街道/镇) inside the area, for per-street summaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Street {
    /// Its name, e.g. `鼓楼街道`.
    pub name: String,
    /// Its boundary, WGS-84 degrees.
    pub polygon: MultiPolygon<f64>,
}

/// A demand point: where riders are (pick-ups, GPS pings, residents), with a weight ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct DemandPoint {
    /// Position, WGS-84 degrees.
    pub pos: LonLat,
    /// Weight, finite and ≥ 0 (e.g. pings per day).
    pub weight: f64,
}

/// Why a coverage analysis could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoverageError {
    /// The H3 resolution is outside 7 ..= 11.
    #[error("resolution {0} is outside 7..=11")]
    Resolution(u8),
    /// The area has no polygon or no surface.
    #[error("the area is empty")]
    EmptyArea,
    /// The area's geometry is not usable (bad coordinates, open rings…).
    #[error("invalid area geometry: {0}")]
    InvalidArea(String),
    /// The grid would have more cells than allowed.
    #[error("the area needs about {cells} cells at this resolution, more than the limit of {max}")]
    TooManyCells {
        /// Cells estimated (or counted).
        cells: usize,
        /// The limit ([`CoverageParams::max_cells`]).
        max: usize,
    },
    /// The thresholds are empty, not ascending, or not positive finite seconds.
    #[error("thresholds: {0}")]
    Thresholds(String),
    /// A demand point has a weight that is NaN, infinite or negative.
    #[error("demand point {index} has weight {value}, which is not a finite number >= 0")]
    BadDemand {
        /// 0-based index of the point.
        index: usize,
        /// The weight given.
        value: f64,
    },
    /// The straight-line model's parameters are not usable.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Not available yet.
    #[error("not implemented")]
    NotImplemented,
}

/// A cell's class against the thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CoverageClass {
    /// Within this threshold (seconds) and beyond every smaller one. Serialised `within_<minutes>`,
    /// e.g. `within_10` for 600 s, `within_7.5` for 450 s.
    Within {
        /// The threshold, seconds.
        threshold_s: f64,
    },
    /// A station is reachable, but beyond the largest threshold. Serialised `beyond`.
    Beyond,
    /// No matching station is reachable (no station at all, or the cell is off the road network).
    /// Serialised `unreachable`.
    Unreachable,
}

impl CoverageClass {
    /// The class code: `within_10`, `beyond`, `unreachable`.
    #[must_use]
    pub fn code(&self) -> String {
        match self {
            Self::Within { threshold_s } => format!("within_{}", minutes_label(*threshold_s)),
            Self::Beyond => "beyond".to_owned(),
            Self::Unreachable => "unreachable".to_owned(),
        }
    }
}

/// Minutes of `seconds` as short text: `10`, `7.5`.
#[must_use]
pub fn minutes_label(seconds: f64) -> String {
    let m = seconds / 60.0;
    if (m - m.round()).abs() < 1e-9 { format!("{}", m.round() as i64) } else { format!("{}", (m * 1e6).round() / 1e6) }
}

impl Serialize for CoverageClass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

/// One analysed H3 cell.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CellCoverage {
    /// The H3 cell index as hexadecimal text, e.g. `8930e1d8a2bffff`.
    pub h3: String,
    /// The cell centre, `[lon, lat]` in WGS-84 degrees.
    pub centre: [f64; 2],
    /// The cell's area, square metres.
    pub area_m2: f64,
    /// Demand weight in the cell (uniform demand: its area in km²).
    pub demand: f64,
    /// Travel time from the cell centre to the nearest matching station, seconds; `None`: none reachable.
    pub travel_time_s: Option<f64>,
    /// Id of that station.
    pub station_id: Option<i64>,
    /// Class against the thresholds.
    #[schema(value_type = String, example = "within_10")]
    pub class: CoverageClass,
    /// The street whose boundary contains the cell centre, if any.
    pub street: Option<String>,
}

/// The cumulative share within one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ThresholdShare {
    /// The threshold, minutes.
    pub minutes: f64,
    /// Cells within it (travel time ≤ threshold).
    pub cells: usize,
    /// Share of the area within it, 0 ..= 1.
    pub area_share: f64,
    /// Share of the demand within it, 0 ..= 1 (0 when there is no demand).
    pub demand_share: f64,
}

/// Totals and shares for a set of cells.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoverageSummary {
    /// Number of cells.
    pub cells: usize,
    /// Their total area, km².
    pub area_km2: f64,
    /// Their total demand weight.
    pub demand_total: f64,
    /// Cumulative shares per threshold, ascending.
    pub thresholds: Vec<ThresholdShare>,
}

/// A street's summary.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StreetSummary {
    /// The street's name.
    pub name: String,
    /// Its cells' summary.
    pub summary: CoverageSummary,
}

/// A gap: a connected cluster (H3 neighbours) of cells beyond the largest threshold or unreachable.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Gap {
    /// 1-based rank, by demand descending (then area descending, then first cell).
    pub rank: usize,
    /// The cells, H3 hex text, ascending.
    pub cells: Vec<String>,
    /// Their demand weight.
    pub demand: f64,
    /// Their area, km².
    pub area_km2: f64,
    /// Area-weighted centroid of the cell centres, `[lon, lat]` WGS-84 degrees.
    pub centroid: [f64; 2],
}

/// The result of [`analyse`].
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoverageAnalysis {
    /// The area's name, if it has one.
    pub area_name: Option<String>,
    /// How travel times were computed.
    pub method: EtaMethod,
    /// H3 resolution.
    pub resolution: u8,
    /// Travel mode.
    pub mode: TravelMode,
    /// Thresholds, seconds, ascending.
    pub thresholds_s: Vec<f64>,
    /// Every cell, sorted by H3 index.
    pub cells: Vec<CellCoverage>,
    /// Summary of the whole area.
    pub summary: CoverageSummary,
    /// Summary per street, in the order the streets were given.
    pub streets: Vec<StreetSummary>,
    /// Gaps, by demand descending.
    pub gaps: Vec<Gap>,
    /// Whether demand came from points (`false`: uniform by cell area, in km²).
    pub demand_from_points: bool,
    /// Demand points outside the area (ignored).
    pub demand_points_outside: usize,
    /// Their total weight.
    pub demand_weight_outside: f64,
}

/// The cells of `area` at `res`: every cell whose centre lies inside the area (holes excluded,
/// boundary points count as inside), sorted by index.
///
/// # Errors
/// [`CoverageError::EmptyArea`], [`CoverageError::InvalidArea`], and
/// [`CoverageError::TooManyCells`] when the estimate (or the count) exceeds `max_cells`.
pub fn cells_of(area: &Area, res: Resolution, max_cells: usize) -> Result<Vec<CellIndex>, CoverageError> {
    let _ = (area, res, max_cells);
    Err(CoverageError::NotImplemented)
}

/// Analyses the coverage of `area` by the stations of `stations` matching `params.filter`.
///
/// Travel times over `network` when given (one multi-source search from every matching station;
/// cells that do not snap to a road are unreachable), else geodesic distance × detour ÷ speed
/// with `eta`. Demand from `demand` points, aggregated to cells (points outside the area are
/// ignored and counted), or uniform by cell area when `None`.
///
/// # Errors
/// [`CoverageError`] for bad parameters, areas or demand weights.
pub fn analyse(
    area: &Area,
    streets: &[Street],
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    demand: Option<&[DemandPoint]>,
    params: &CoverageParams,
) -> Result<CoverageAnalysis, CoverageError> {
    let _ = (area, streets, stations, network, eta, demand, params);
    Err(CoverageError::NotImplemented)
}

/// The cells as a GeoJSON FeatureCollection of H3 hexagons (WGS-84) with properties `h3`,
/// `travel_time_s`, `class`, `demand`, `street`, `station_id`, `area_m2`.
#[must_use]
pub fn cells_geojson(cells: &[CellCoverage]) -> geojson::FeatureCollection {
    let _ = cells;
    geojson::FeatureCollection { bbox: None, features: Vec::new(), foreign_members: None }
}

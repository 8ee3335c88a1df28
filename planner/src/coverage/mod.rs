//! Coverage of an area by stations: which H3 cells lie within 10 or 15 minutes of the nearest
//! matching station, weighted by where demand is, and where the gaps are.
//!
//! Units: positions in WGS-84 degrees (longitude first), areas in square metres (`_m2`) or square
//! kilometres (`_km2`), times in seconds (`_s`), thresholds as given in seconds and named in whole
//! or decimal minutes in class names. See `README.md` beside this file for the rules (boundary,
//! demand, gaps) and methods.

pub mod demand;

use crate::budget::{Budget, BudgetExceeded};
use crate::eta::{EtaMethod, ModelError, StraightLineModel, TravelMode};
use crate::geodesy::LonLat;
use crate::index::{Filter, StationIndex, StatusSet};
use crate::network::RoadNetwork;
use geo::line_intersection::LineIntersection;
use geo::orient::{Direction, Orient};
use geo::{CoordsIter, GeodesicArea, Intersections, MultiPolygon, RemoveRepeatedPoints};
use h3o::LatLng;
use h3o::geom::{ContainmentMode, TilerBuilder};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use h3o::CellIndex;

/// Default [`CoverageParams::max_cells`]: grids larger than this are refused.
pub const DEFAULT_MAX_CELLS: usize = 500_000;

/// An H3 resolution allowed for coverage: 7 ..= 11 (cell areas from about 5.2 km² down to
/// about 2 150 m²). The default is 9 (about 0.105 km² per cell, edge ≈ 200 m).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
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

/// Memory one analysed cell holds while an analysis runs and in its result, bytes (an upper
/// estimate: the cell record with its texts, centre, time, keys and the street index).
pub const BYTES_PER_CELL: u64 = 400;

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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The analysis ran out of its [`Budget`] or was cancelled.
    #[error(transparent)]
    Budget(#[from] BudgetExceeded),
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

/// The text is not a coverage class code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown coverage class {0:?} (expected within_<minutes>, beyond or unreachable)")]
pub struct UnknownClass(pub String);

impl std::str::FromStr for CoverageClass {
    type Err = UnknownClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "beyond" => Ok(Self::Beyond),
            "unreachable" => Ok(Self::Unreachable),
            _ => s
                .strip_prefix("within_")
                .and_then(|m| m.parse::<f64>().ok())
                .filter(|m| m.is_finite() && *m > 0.0)
                .map(|m| Self::Within { threshold_s: m * 60.0 })
                .ok_or_else(|| UnknownClass(s.to_owned())),
        }
    }
}

impl<'de> Deserialize<'de> for CoverageClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for CoverageClass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

/// One analysed H3 cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "within_10"))]
    pub class: CoverageClass,
    /// The street whose boundary contains the cell centre, if any.
    pub street: Option<String>,
}

/// The cumulative share within one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreetSummary {
    /// The street's name.
    pub name: String,
    /// Its cells' summary.
    pub summary: CoverageSummary,
}

/// A gap: a connected cluster (H3 neighbours) of cells beyond the largest threshold or unreachable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Geodesic area of `polygon` on the WGS-84 ellipsoid, m², whatever the winding of its rings
/// (outer rings are oriented counter-clockwise and holes clockwise first).
#[must_use]
pub fn geodesic_area_m2(polygon: &MultiPolygon<f64>) -> f64 {
    polygon.orient(Direction::Default).geodesic_area_unsigned()
}

/// The first proper crossing between two segments of any rings of `polygon` (a sweep over every
/// segment, Bentley–Ottmann style). Touching at a vertex and collinear overlaps (spikes, which
/// real boundary files have) are allowed.
fn first_crossing(polygon: &MultiPolygon<f64>) -> Option<geo::Coord<f64>> {
    let lines = polygon
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(geo::LineString::lines);
    lines.collect::<Intersections<_>>().find_map(|(_, _, x)| match x {
        LineIntersection::SinglePoint { intersection, is_proper: true } => Some(intersection),
        _ => None,
    })
}

/// Checks that the area is a usable WGS-84 (multi)polygon: coordinates in range, at least one
/// ring once repeated consecutive points are removed, no ring crossing itself or another, and
/// a surface. Returns the cleaned polygon and its geodesic area, m².
fn check_area(polygon: &MultiPolygon<f64>) -> Result<(MultiPolygon<f64>, f64), CoverageError> {
    if polygon.0.is_empty() {
        return Err(CoverageError::EmptyArea);
    }
    for c in polygon.coords_iter() {
        if LonLat::new(c.x, c.y).is_err() {
            return Err(CoverageError::InvalidArea(format!(
                "coordinate ({}, {}) is not a WGS-84 longitude, latitude in degrees",
                c.x, c.y
            )));
        }
    }
    let cleaned = polygon.remove_repeated_points();
    if cleaned.0.iter().all(|p| p.exterior().0.len() < 4) {
        return Err(CoverageError::EmptyArea);
    }
    if let Some(at) = first_crossing(&cleaned) {
        return Err(CoverageError::InvalidArea(format!(
            "the boundary crosses itself at ({:.6}, {:.6}) (lon, lat)",
            at.x, at.y
        )));
    }
    let area_m2 = geodesic_area_m2(&cleaned);
    if area_m2.is_nan() || area_m2 <= 0.0 {
        return Err(CoverageError::EmptyArea);
    }
    Ok((cleaned, area_m2))
}

/// Tiles `polygon` with h3o's tiler (cell centres inside), stopping once more than `max_cells`
/// distinct cells are found. Returns the cells sorted by index value, without duplicates.
fn tile(polygon: &MultiPolygon<f64>, res: Resolution, max_cells: usize) -> Result<Vec<CellIndex>, CoverageError> {
    let mut tiler = TilerBuilder::new(res.to_h3()).containment_mode(ContainmentMode::ContainsCentroid).build();
    tiler.add_batch(polygon.0.iter().cloned()).map_err(|e| CoverageError::InvalidArea(e.to_string()))?;
    let mut cells = Vec::new();
    for cell in tiler.into_coverage() {
        cells.push(cell);
        if cells.len() > max_cells {
            sort_cells(&mut cells);
            if cells.len() > max_cells {
                return Err(CoverageError::TooManyCells { cells: cells.len(), max: max_cells });
            }
        }
    }
    sort_cells(&mut cells);
    Ok(cells)
}

/// Sorts by the 64-bit index value and removes duplicates.
fn sort_cells(cells: &mut Vec<CellIndex>) {
    cells.sort_unstable_by_key(|&c| u64::from(c));
    cells.dedup();
}

/// The cells of `area` at `res`, sorted by index value.
///
/// **Boundary rule**: a cell belongs to the area when its centre lies inside the area —
/// inside an outer ring of one of its polygons and not inside a hole of that polygon, tested in
/// longitude/latitude (h3o's `ContainmentMode::ContainsCentroid`). A centre exactly on a ring is
/// moved north by one unit in the last place and tested again, so two areas that share an edge
/// never share a cell. Cells of several parts of a multi-part area are merged.
///
/// The number of cells is estimated first (geodesic area ÷ the resolution's mean cell area), and
/// an estimate above `max_cells` is refused before any grid is built; the exact count is checked
/// too while tiling.
///
/// # Errors
/// [`CoverageError::EmptyArea`] (no polygon, or zero area), [`CoverageError::InvalidArea`]
/// (coordinates out of range, open or self-intersecting rings) and
/// [`CoverageError::TooManyCells`].
pub fn cells_of(area: &Area, res: Resolution, max_cells: usize) -> Result<Vec<CellIndex>, CoverageError> {
    let (polygon, area_m2) = check_area(&area.polygon)?;
    let estimate = area_m2 / res.to_h3().area_m2();
    if estimate > max_cells as f64 {
        let cells = if estimate >= usize::MAX as f64 { usize::MAX } else { estimate.ceil() as usize };
        return Err(CoverageError::TooManyCells { cells, max: max_cells });
    }
    tile(&polygon, res, max_cells)
}

/// The cell centre in WGS-84 degrees.
#[must_use]
pub fn cell_centre(cell: CellIndex) -> LonLat {
    let ll = LatLng::from(cell);
    LonLat { lon: ll.lng(), lat: ll.lat() }
}

fn check_thresholds(thresholds_s: &[f64]) -> Result<(), CoverageError> {
    if thresholds_s.is_empty() {
        return Err(CoverageError::Thresholds("at least one threshold is needed".to_owned()));
    }
    if let Some(t) = thresholds_s.iter().find(|t| !(t.is_finite() && **t > 0.0)) {
        return Err(CoverageError::Thresholds(format!("{t} s is not a positive finite number of seconds")));
    }
    if thresholds_s.windows(2).any(|w| w[0] >= w[1]) {
        return Err(CoverageError::Thresholds("thresholds must be strictly ascending".to_owned()));
    }
    Ok(())
}

/// Checks that every demand weight is finite and ≥ 0.
fn check_demand(points: &[DemandPoint]) -> Result<(), CoverageError> {
    match points.iter().enumerate().find(|(_, p)| !(p.weight.is_finite() && p.weight >= 0.0)) {
        Some((index, p)) => Err(CoverageError::BadDemand { index, value: p.weight }),
        None => Ok(()),
    }
}

/// Runs `f` over `0..n` on up to 8 threads in contiguous chunks; the result is in index order
/// and does not depend on the number of threads (at most [`crate::budget::threads`]).
pub(crate) fn par_map<T: Send, F: Fn(usize) -> T + Sync>(n: usize, f: F) -> Vec<T> {
    let threads = crate::budget::threads();
    let chunk = n.div_ceil(threads).max(256);
    if n <= chunk {
        return (0..n).map(f).collect();
    }
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| scope.spawn(move || (start..(start + chunk).min(n)).map(f).collect::<Vec<T>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Travel time (seconds) and station id from each point to the nearest station matching
/// `filter`: over `network` when given, else straight line. Stops early (answering `None` for the
/// points left) once `budget` is spent; the caller checks it afterwards.
pub(crate) fn nearest_times(
    points: &[LonLat],
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    mode: TravelMode,
    filter: &Filter,
    budget: &Budget,
) -> Vec<Option<(f64, i64)>> {
    match network {
        None => par_map(points.len(), |i| {
            if i % 256 == 0 && budget.check().is_err() {
                return None;
            }
            stations.nearest(points[i], 1, filter, None).first().map(|h| (eta.eta_s(h.distance_m, mode), h.station.id))
        }),
        Some(net) => {
            let matching: Vec<(i64, LonLat)> =
                stations.iter().filter(|s| filter.matches(s)).map(|s| (s.id, s.data.location)).collect();
            let positions: Vec<LonLat> = matching.iter().map(|m| m.1).collect();
            let snaps = net.snap_all(&positions);
            let field = net.nearest_station_field(&snaps);
            par_map(points.len(), |i| {
                if i % 256 == 0 && budget.check().is_err() {
                    return None;
                }
                net.field_at(&field, points[i]).and_then(|(t, src)| matching.get(src as usize).map(|m| (t, m.0)))
            })
        }
    }
}

/// The class of a travel time against ascending thresholds.
fn classify(time_s: Option<f64>, thresholds_s: &[f64]) -> CoverageClass {
    match time_s {
        None => CoverageClass::Unreachable,
        Some(t) => thresholds_s
            .iter()
            .find(|&&th| t <= th)
            .map_or(CoverageClass::Beyond, |&threshold_s| CoverageClass::Within { threshold_s }),
    }
}

/// Summary of `cells` against `thresholds_s` (cumulative: travel time ≤ threshold).
#[must_use]
pub fn summarise<'a>(cells: impl IntoIterator<Item = &'a CellCoverage>, thresholds_s: &[f64]) -> CoverageSummary {
    let mut n = 0usize;
    let (mut area, mut demand) = (0.0, 0.0);
    let mut within = vec![(0usize, 0.0, 0.0); thresholds_s.len()];
    for c in cells {
        n += 1;
        area += c.area_m2;
        demand += c.demand;
        if let Some(t) = c.travel_time_s {
            for (k, &th) in thresholds_s.iter().enumerate() {
                if t <= th {
                    within[k].0 += 1;
                    within[k].1 += c.area_m2;
                    within[k].2 += c.demand;
                }
            }
        }
    }
    let share = |x: f64, total: f64| if total > 0.0 { (x / total).clamp(0.0, 1.0) } else { 0.0 };
    CoverageSummary {
        cells: n,
        area_km2: area / 1e6,
        demand_total: demand,
        thresholds: thresholds_s
            .iter()
            .zip(within)
            .map(|(&th, (cells, a, d))| ThresholdShare {
                minutes: th / 60.0,
                cells,
                area_share: share(a, area),
                demand_share: share(d, demand),
            })
            .collect(),
    }
}

/// Demand per cell from points: each point adds its weight to the cell (at `res`) that contains
/// it; points whose cell is not in `cells` are ignored. Returns per-cell demand, the number of
/// points ignored and their weight.
fn aggregate_demand(cells: &[CellIndex], res: Resolution, points: &[DemandPoint]) -> (Vec<f64>, usize, f64) {
    let keys: Vec<u64> = cells.iter().map(|&c| u64::from(c)).collect();
    let mut demand = vec![0.0; cells.len()];
    let (mut outside, mut outside_weight) = (0usize, 0.0);
    for p in points {
        let found = LatLng::new(p.pos.lat, p.pos.lon)
            .ok()
            .and_then(|ll| keys.binary_search(&u64::from(ll.to_cell(res.to_h3()))).ok());
        if let Some(i) = found {
            demand[i] += p.weight;
        } else {
            outside += 1;
            outside_weight += p.weight;
        }
    }
    (demand, outside, outside_weight)
}

/// Connected clusters (H3 neighbours) of the cells at positions `members` of `cells` (sorted by
/// index value), ranked by demand descending, then area descending, then first cell.
pub(crate) fn clusters(cells: &[CellCoverage], keys: &[u64], members: &[bool]) -> Vec<Gap> {
    let mut seen = vec![false; cells.len()];
    let mut gaps = Vec::new();
    let mut stack = Vec::new();
    for start in 0..cells.len() {
        if !members[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut part = Vec::new();
        while let Some(i) = stack.pop() {
            part.push(i);
            let Ok(cell) = CellIndex::try_from(keys[i]) else { continue };
            for n in cell.grid_disk::<Vec<CellIndex>>(1) {
                if let Ok(j) = keys.binary_search(&u64::from(n))
                    && members[j]
                    && !seen[j]
                {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        part.sort_unstable();
        let (mut demand, mut area, mut lon, mut lat) = (0.0, 0.0, 0.0, 0.0);
        for &i in &part {
            let c = &cells[i];
            demand += c.demand;
            area += c.area_m2;
            lon += c.centre[0] * c.area_m2;
            lat += c.centre[1] * c.area_m2;
        }
        gaps.push(Gap {
            rank: 0,
            cells: part.iter().map(|&i| cells[i].h3.clone()).collect(),
            demand,
            area_km2: area / 1e6,
            centroid: if area > 0.0 { [lon / area, lat / area] } else { cells[part[0]].centre },
        });
    }
    gaps.sort_by(|a, b| {
        b.demand.total_cmp(&a.demand).then(b.area_km2.total_cmp(&a.area_km2)).then_with(|| a.cells[0].cmp(&b.cells[0]))
    });
    for (k, g) in gaps.iter_mut().enumerate() {
        g.rank = k + 1;
    }
    gaps
}

/// Analyses the coverage of `area` by the stations of `stations` matching `params.filter`.
///
/// * Cells: [`cells_of`] (centre inside the area).
/// * Travel time per cell, from its centre to the nearest matching station: over `network` when
///   given (one multi-source search from every matching station; a cell whose centre does not
///   snap to a road, or reaches no station, is unreachable), else geodesic distance × detour ÷
///   speed with `eta` (exact geodesic nearest station).
/// * Demand: each point adds its weight to the cell containing it; points in no analysed cell
///   are ignored and counted ([`CoverageAnalysis::demand_points_outside`]). Without points,
///   demand is uniform: each cell's area in km².
/// * Streets: a cell belongs to the first street whose boundary contains its centre (same rule
///   as the area).
/// * Gaps: connected clusters (H3 neighbours) of cells beyond the largest threshold or
///   unreachable, by demand descending.
///
/// # Errors
/// [`CoverageError`] for bad thresholds, model, area or demand weights, or too many cells.
pub fn analyse(
    area: &Area,
    streets: &[Street],
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    demand: Option<&[DemandPoint]>,
    params: &CoverageParams,
) -> Result<CoverageAnalysis, CoverageError> {
    analyse_within(area, streets, stations, network, eta, demand, params, &Budget::unlimited())
}

/// [`analyse`] within `budget`: checked between its phases and inside the per-cell loops, with
/// the grid's per-cell tables (about [`BYTES_PER_CELL`] bytes a cell) charged to its memory
/// allowance.
///
/// # Errors
/// As [`analyse`], and [`CoverageError::Budget`] once the budget is spent or cancelled.
#[allow(clippy::too_many_arguments)]
pub fn analyse_within(
    area: &Area,
    streets: &[Street],
    stations: &StationIndex,
    network: Option<&RoadNetwork>,
    eta: &StraightLineModel,
    demand: Option<&[DemandPoint]>,
    params: &CoverageParams,
    budget: &Budget,
) -> Result<CoverageAnalysis, CoverageError> {
    budget.check()?;
    check_thresholds(&params.thresholds_s)?;
    eta.validate()?;
    if let Some(points) = demand {
        check_demand(points)?;
    }
    let res = params.resolution;
    let cells = cells_of(area, res, params.max_cells)?;
    budget.charge_bytes(BYTES_PER_CELL.saturating_mul(cells.len() as u64))?;
    let keys: Vec<u64> = cells.iter().map(|&c| u64::from(c)).collect();
    let centres: Vec<LonLat> = cells.iter().map(|&c| cell_centre(c)).collect();
    let times = nearest_times(&centres, stations, network, eta, params.mode, &params.filter, budget);
    budget.check()?;
    let areas: Vec<f64> = cells.iter().map(|c| c.area_m2()).collect();
    let (weights, outside, outside_weight) = match demand {
        Some(points) => aggregate_demand(&cells, res, points),
        None => (areas.iter().map(|a| a / 1e6).collect(), 0, 0.0),
    };
    let mut street_of: Vec<Option<usize>> = vec![None; cells.len()];
    for (s, street) in streets.iter().enumerate() {
        if street.polygon.0.is_empty() {
            continue;
        }
        let limit = params.max_cells.saturating_mul(4);
        for c in tile(&street.polygon, res, limit)? {
            if let Ok(i) = keys.binary_search(&u64::from(c))
                && street_of[i].is_none()
            {
                street_of[i] = Some(s);
            }
        }
    }
    let out: Vec<CellCoverage> = (0..cells.len())
        .map(|i| CellCoverage {
            h3: cells[i].to_string(),
            centre: [centres[i].lon, centres[i].lat],
            area_m2: areas[i],
            demand: weights[i],
            travel_time_s: times[i].map(|t| t.0),
            station_id: times[i].map(|t| t.1),
            class: classify(times[i].map(|t| t.0), &params.thresholds_s),
            street: street_of[i].map(|s| streets[s].name.clone()),
        })
        .collect();
    budget.check()?;
    let summary = summarise(&out, &params.thresholds_s);
    let street_summaries = streets
        .iter()
        .enumerate()
        .map(|(s, street)| StreetSummary {
            name: street.name.clone(),
            summary: summarise(
                out.iter().zip(&street_of).filter(|(_, of)| **of == Some(s)).map(|(c, _)| c),
                &params.thresholds_s,
            ),
        })
        .collect();
    let members: Vec<bool> =
        out.iter().map(|c| matches!(c.class, CoverageClass::Beyond | CoverageClass::Unreachable)).collect();
    let gaps = clusters(&out, &keys, &members);
    Ok(CoverageAnalysis {
        area_name: area.name.clone(),
        method: if network.is_some() { EtaMethod::Network } else { EtaMethod::StraightLine },
        resolution: res.get(),
        mode: params.mode,
        thresholds_s: params.thresholds_s.clone(),
        cells: out,
        summary,
        streets: street_summaries,
        gaps,
        demand_from_points: demand.is_some(),
        demand_points_outside: outside,
        demand_weight_outside: outside_weight,
    })
}

/// The boundary of cell `h3` (hex text) as a closed ring of `[lon, lat]` WGS-84 degrees; `None`
/// when the text is not a cell index.
#[must_use]
pub fn cell_ring(h3: &str) -> Option<Vec<[f64; 2]>> {
    let cell: CellIndex = h3.parse().ok()?;
    let mut ring: Vec<[f64; 2]> = cell.boundary().iter().map(|ll| [ll.lng(), ll.lat()]).collect();
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    Some(ring)
}

/// The cells as a GeoJSON FeatureCollection of H3 hexagons (WGS-84) with properties `h3`,
/// `travel_time_s`, `class`, `demand`, `street`, `station_id`, `area_m2`.
#[must_use]
pub fn cells_geojson(cells: &[CellCoverage]) -> geojson::FeatureCollection {
    geojson::FeatureCollection { bbox: None, features: cells.iter().map(cell_feature).collect(), foreign_members: None }
}

/// One cell as a GeoJSON Feature: its hexagon (WGS-84 degrees) with `h3`, `travel_time_s`,
/// `class`, `demand`, `street`, `station_id` and `area_m2`.
#[must_use]
pub fn cell_feature(c: &CellCoverage) -> geojson::Feature {
    let ring: Vec<Vec<f64>> = cell_ring(&c.h3).unwrap_or_default().into_iter().map(|p| vec![p[0], p[1]]).collect();
    let mut props = serde_json::Map::new();
    props.insert("h3".into(), c.h3.clone().into());
    props.insert("travel_time_s".into(), c.travel_time_s.into());
    props.insert("class".into(), c.class.code().into());
    props.insert("demand".into(), c.demand.into());
    props.insert("street".into(), c.street.clone().into());
    props.insert("station_id".into(), c.station_id.into());
    props.insert("area_m2".into(), c.area_m2.into());
    geojson::Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(geojson::Value::Polygon(vec![ring]))),
        id: None,
        properties: Some(props),
        foreign_members: None,
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
pub(crate) mod tests;

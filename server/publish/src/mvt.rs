//! Mapbox Vector Tile (MVT 2.1) encoding of the published layers, with geozero doing the
//! protobuf and geometry-command encoding.
//!
//! Geometries are projected into the tile's coordinate space ([`EXTENT`] units per side), clipped
//! to the tile plus a [`BUFFER`] on each side (so symbols and strokes at an edge draw whole),
//! simplified (Ramer–Douglas–Peucker with a tolerance of [`SIMPLIFY_UNITS`] tile units — the same
//! on screen at every zoom, so coarser in metres at low zoom) and snapped to whole units.

use super::tile::TileId;
use geo::orient::{Direction, Orient};
use geo::{BooleanOps, BoundingRect, Coord, LineString, MapCoords, MultiPolygon, Polygon, Rect, Simplify};
use geozero::ToMvt;
use geozero::mvt::tile;
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue};
use std::cmp::Ordering;
use std::sync::Arc;
use yizhan_planner::station::{Station, StationKind};

/// Tile coordinate units per side.
pub const EXTENT: u32 = 4096;
/// Extra tile units kept around each side of a tile.
pub const BUFFER: u32 = 64;
/// Simplification tolerance, tile units (1/32 of a pixel of a 256-pixel tile per 0.5 unit).
pub const SIMPLIFY_UNITS: f64 = 1.0;

/// The tile's edges plus the buffer, as a fraction of its width (for bounding-box queries).
#[must_use]
pub fn buffer_fraction() -> f64 {
    f64::from(BUFFER) / f64::from(EXTENT)
}

/// Why a tile could not be encoded (a defect: the inputs are validated data).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MvtError {
    /// geozero refused a geometry.
    #[error("vector tile geometry: {0}")]
    Geometry(String),
    /// A thinning grid that is not one of [`THIN_GRIDS`].
    #[error("thinning grid {0} is not one of 1, 2, 4, 8, 16, 32, 64 cells per tile side")]
    Grid(u32),
}

/// A polygon feature of a layer: its id, boundary (WGS-84 degrees) and properties.
#[derive(Debug, Clone)]
pub struct PolygonFeature<'a> {
    /// Feature id, when numeric ids exist.
    pub id: Option<u64>,
    /// Boundary in WGS-84 degrees.
    pub boundary: &'a MultiPolygon<f64>,
    /// Properties as `(key, value)`.
    pub properties: Vec<(&'static str, TileValue)>,
}

/// A layer being built: features plus the shared key and value tables.
struct LayerBuilder {
    name: &'static str,
    tags: TagsBuilder,
    features: Vec<tile::Feature>,
}

impl LayerBuilder {
    fn new(name: &'static str) -> Self {
        Self { name, tags: TagsBuilder::new(), features: Vec::new() }
    }

    fn push(&mut self, mut feature: tile::Feature, id: Option<u64>, props: Vec<(&'static str, TileValue)>) {
        feature.id = id;
        for (k, v) in props {
            let (ki, vi) = self.tags.insert_ref(k, v);
            feature.tags.push(ki);
            feature.tags.push(vi);
        }
        self.features.push(feature);
    }

    fn finish(self) -> tile::Layer {
        let (keys, values) = self.tags.into_tags();
        tile::Layer {
            version: 2,
            name: self.name.to_owned(),
            features: self.features,
            keys,
            values: values.into_iter().map(Into::into).collect(),
            extent: Some(EXTENT),
        }
    }
}

/// The `stations` layer of `tile`: one point per station (those outside the buffered tile are
/// skipped), with properties `id`, `name`, `kind`, `status` and `amenities` (comma-separated
/// codes); the feature id is the station id.
///
/// # Errors
/// [`MvtError`] (a defect).
pub fn stations_layer(tile_id: TileId, stations: &[Arc<Station>]) -> Result<tile::Layer, MvtError> {
    let mut layer = LayerBuilder::new("stations");
    let max = f64::from(EXTENT + BUFFER);
    let min = -f64::from(BUFFER);
    for s in stations {
        let (x, y) = tile_id.project(s.data.location.lon, s.data.location.lat, f64::from(EXTENT));
        let (x, y) = (x.floor(), y.floor());
        if !(min..max).contains(&x) || !(min..max).contains(&y) {
            continue;
        }
        let feature = geo::Geometry::Point(geo::Point::new(x, y))
            .to_mvt_unscaled()
            .map_err(|e| MvtError::Geometry(e.to_string()))?;
        layer.push(feature, u64::try_from(s.id).ok(), station_properties(s));
    }
    Ok(layer.finish())
}

/// Cells per tile side of the default thinning grid ([`stations_thinned_layer`]): 64 cells of 64
/// tile units, 4 pixels of a 256-pixel tile.
pub const DEFAULT_THIN_GRID: u32 = 64;

/// The grid sizes [`stations_thinned_layer`] accepts (cells per tile side): powers of two that
/// divide [`EXTENT`] into cells no narrower than the [`BUFFER`].
pub const THIN_GRIDS: [u32; 7] = [1, 2, 4, 8, 16, 32, 64];

/// How far around a tile, as a fraction of its width, [`stations_thinned_layer`] needs the
/// stations: one cell of `grid`.
#[must_use]
pub fn thin_margin_fraction(grid: u32) -> f64 {
    1.0 / f64::from(grid.max(1))
}

/// The count attribute of a thinned feature per station kind (in [`StationKind::ALL`] order).
fn kind_count_key(kind: StationKind) -> &'static str {
    match kind {
        StationKind::RestStation => "count_rest_station",
        StationKind::CaringMerchant => "count_caring_merchant",
        StationKind::ChargingCabinet => "count_charging_cabinet",
        StationKind::RideHailingBay => "count_ride_hailing_bay",
    }
}

/// What a grid cell gathers while thinning.
#[derive(Default, Clone)]
struct GridCell {
    /// Indices into the station slice, with their tile-unit positions.
    members: Vec<(usize, f64, f64)>,
    sum_x: f64,
    sum_y: f64,
}

/// The `stations` layer of `tile`, thinned for low zooms: the tile is divided into `grid` ×
/// `grid` cells aligned with the world's tile grid, plus one ring of whole cells of the
/// neighbouring tiles around it (which covers the [`BUFFER`]; a cell in the ring of one tile is
/// the same cell, with the same representative and count, in its neighbour), and each cell holding
/// stations gives one point feature, placed at its representative: the station closest to the
/// mean position of the cell's stations (ties: the lowest id). Every feature carries
/// `point_count` (stations in the cell). A cell with a single station carries that station's
/// properties as [`stations_layer`] does; a cell with several carries `id` (the representative's,
/// also the feature id), `kind` (the most frequent kind, ties in [`StationKind::ALL`] order) and
/// `count_<kind>` per kind present. A tile thus holds at most (`grid` + 2)² features, and the
/// `point_count`s of the features inside the tile proper add up to the stations in it.
/// `stations` must hold every station within [`thin_margin_fraction`] of the tile.
///
/// # Errors
/// [`MvtError::Grid`] when `grid` is not one of [`THIN_GRIDS`]; otherwise a defect.
pub fn stations_thinned_layer(tile_id: TileId, stations: &[Arc<Station>], grid: u32) -> Result<tile::Layer, MvtError> {
    if !THIN_GRIDS.contains(&grid) {
        return Err(MvtError::Grid(grid));
    }
    let cell_units = f64::from(EXTENT / grid);
    // One ring of whole cells around the tile (at least the buffer: cells are no narrower).
    let ring = 1i64;
    let side = i64::from(grid) + 2 * ring;
    let (min, max) = (-cell_units, f64::from(EXTENT) + cell_units);
    let mut cells: Vec<GridCell> = vec![GridCell::default(); usize::try_from(side * side).unwrap_or(0)];
    for (i, s) in stations.iter().enumerate() {
        let (x, y) = tile_id.project(s.data.location.lon, s.data.location.lat, f64::from(EXTENT));
        let (x, y) = (x.floor(), y.floor());
        if !(min..max).contains(&x) || !(min..max).contains(&y) {
            continue;
        }
        let cx = (x / cell_units).floor() as i64 + ring;
        let cy = (y / cell_units).floor() as i64 + ring;
        if !(0..side).contains(&cx) || !(0..side).contains(&cy) {
            continue;
        }
        let Some(cell) = usize::try_from(cy * side + cx).ok().and_then(|k| cells.get_mut(k)) else { continue };
        cell.members.push((i, x, y));
        cell.sum_x += x;
        cell.sum_y += y;
    }
    let mut layer = LayerBuilder::new("stations");
    for cell in cells.iter().filter(|c| !c.members.is_empty()) {
        let n = cell.members.len() as f64;
        let (mx, my) = (cell.sum_x / n, cell.sum_y / n);
        let key = |&(i, x, y): &(usize, f64, f64)| {
            let d = (x - mx).powi(2) + (y - my).powi(2);
            (d, stations.get(i).map_or(i64::MAX, |s| s.id))
        };
        let Some(&(rep, x, y)) =
            cell.members.iter().min_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(Ordering::Equal))
        else {
            continue;
        };
        let Some(s) = stations.get(rep) else { continue };
        let feature = geo::Geometry::Point(geo::Point::new(x, y))
            .to_mvt_unscaled()
            .map_err(|e| MvtError::Geometry(e.to_string()))?;
        let count = cell.members.len();
        let mut props = if count == 1 {
            station_properties(s)
        } else {
            let mut per_kind = [0usize; 4];
            for &(i, _, _) in &cell.members {
                if let Some(k) = stations.get(i).and_then(|m| StationKind::ALL.iter().position(|k| *k == m.data.kind)) {
                    per_kind[k.min(3)] += 1;
                }
            }
            let top = (0..4).max_by_key(|&k| (per_kind[k], std::cmp::Reverse(k))).unwrap_or(0);
            let mut p = vec![("id", TileValue::Int(s.id))];
            if let Some(kind) = StationKind::ALL.get(top) {
                p.push(("kind", TileValue::Str(kind.code().to_owned())));
            }
            for (kind, &c) in StationKind::ALL.iter().zip(&per_kind) {
                if c > 0 {
                    p.push((kind_count_key(*kind), TileValue::Uint(c as u64)));
                }
            }
            p
        };
        props.push(("point_count", TileValue::Uint(count as u64)));
        layer.push(feature, u64::try_from(s.id).ok(), props);
    }
    Ok(layer.finish())
}

/// A station's properties: `id`, `name`, `kind`, `status`, `amenities` (comma-separated codes).
fn station_properties(s: &Station) -> Vec<(&'static str, TileValue)> {
    let d = &s.data;
    vec![
        ("id", TileValue::Int(s.id)),
        ("name", TileValue::Str(d.name.clone())),
        ("kind", TileValue::Str(d.kind.code().to_owned())),
        ("status", TileValue::Str(d.status.code().to_owned())),
        (
            "amenities",
            TileValue::Str(
                d.amenities.iter().map(yizhan_planner::amenity::Amenity::code).collect::<Vec<_>>().join(","),
            ),
        ),
    ]
}

/// A layer of polygons (district or street boundaries, coverage cells) clipped and simplified for
/// `tile`; features that do not reach the buffered tile, or shrink to nothing, are left out.
///
/// # Errors
/// [`MvtError`] (a defect).
pub fn polygons_layer(
    name: &'static str,
    tile_id: TileId,
    features: Vec<PolygonFeature<'_>>,
) -> Result<tile::Layer, MvtError> {
    let mut layer = LayerBuilder::new(name);
    let lo = -f64::from(BUFFER);
    let hi = f64::from(EXTENT + BUFFER);
    let clip = Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi });
    let extent = f64::from(EXTENT);
    for f in features {
        let projected: MultiPolygon<f64> = f.boundary.map_coords(|c| {
            let (x, y) = tile_id.project(c.x, c.y, extent);
            Coord { x, y }
        });
        let Some(bounds) = projected.bounding_rect() else { continue };
        if bounds.max().x < lo || bounds.min().x > hi || bounds.max().y < lo || bounds.min().y > hi {
            continue;
        }
        let inside = bounds.min().x >= lo && bounds.max().x <= hi && bounds.min().y >= lo && bounds.max().y <= hi;
        let clipped = if inside { projected } else { projected.intersection(&clip.to_polygon()) };
        let Some(snapped) = snap(&clipped.simplify(SIMPLIFY_UNITS)) else { continue };
        // In tile space y points down: geo's counter-clockwise exterior (positive area by the
        // surveyor's formula) is exactly what MVT 2.1 requires of exterior rings.
        let oriented = snapped.orient(Direction::Default);
        let feature =
            geo::Geometry::MultiPolygon(oriented).to_mvt_unscaled().map_err(|e| MvtError::Geometry(e.to_string()))?;
        layer.push(feature, f.id, f.properties);
    }
    Ok(layer.finish())
}

/// Rounds every coordinate to whole tile units, drops repeated points and rings that collapse
/// (fewer than three distinct points or no area); `None` when nothing is left.
fn snap(mp: &MultiPolygon<f64>) -> Option<MultiPolygon<f64>> {
    let ring = |ls: &LineString<f64>| -> Option<LineString<f64>> {
        let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ls.0.len());
        for c in &ls.0 {
            let c = Coord { x: c.x.round(), y: c.y.round() };
            if pts.last() != Some(&c) {
                pts.push(c);
            }
        }
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.len() < 3 {
            return None;
        }
        let area2: f64 = (0..pts.len())
            .map(|i| {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                a.x * b.y - b.x * a.y
            })
            .sum();
        if area2 == 0.0 {
            return None;
        }
        let mut ls = LineString::from(pts);
        ls.close();
        Some(ls)
    };
    let polygons: Vec<Polygon<f64>> =
        mp.0.iter()
            .filter_map(|p| {
                let exterior = ring(p.exterior())?;
                let holes = p.interiors().iter().filter_map(ring).collect();
                Some(Polygon::new(exterior, holes))
            })
            .collect();
    (!polygons.is_empty()).then_some(MultiPolygon(polygons))
}

/// Encodes layers as one tile; layers without features are left out, so a tile with nothing in
/// it is zero bytes long (a valid, empty vector tile).
#[must_use]
pub fn encode(layers: Vec<tile::Layer>) -> Vec<u8> {
    let layers: Vec<tile::Layer> = layers.into_iter().filter(|l| !l.features.is_empty()).collect();
    Tile { layers }.encode_to_vec()
}

#[cfg(test)]
#[path = "mvt_tests.rs"]
mod tests;

//! A boundary given in a request or a file: a GeoJSON `Polygon` or `MultiPolygon` geometry, or a
//! `Feature` (or a one-feature `FeatureCollection`) holding one, checked (closed rings of at least
//! three distinct points, no ring crossing itself or another — found by testing the segments
//! whose bounding boxes overlap, found with an R-tree (rstar), within a [`Budget`] — and a surface) and converted to WGS-84. Rings that only touch at a vertex or run back
//! along themselves (the spikes real boundary files have) are accepted, as the analysis accepts them.

use geo::line_intersection::line_intersection;
use geo::{Area as _, Coord, Line, LineIntersection, MapCoords, MultiPolygon, RemoveRepeatedPoints};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use yizhan_planner::budget::{Budget, BudgetExceeded};
use yizhan_planner::crs::Crs;
use yizhan_planner::geodesy::LonLat;

/// Reads and validates a boundary. Returns its name (a Feature's `name` property) and polygon
/// in WGS-84 degrees.
///
/// # Errors
/// A message saying precisely what is wrong (not a polygon, empty, coordinates out of range,
/// self-intersecting ring…).
pub fn parse_boundary(value: &serde_json::Value, crs: Crs) -> Result<(Option<String>, MultiPolygon<f64>), String> {
    match parse_boundary_within(value, crs, &Budget::unlimited()) {
        Ok(parsed) => parsed,
        Err(e) => Err(e.to_string()),
    }
}

/// [`parse_boundary`] within `budget` (the crossing check is metered).
///
/// # Errors
/// [`BudgetExceeded`] outside; inside, what is wrong with the boundary.
pub fn parse_boundary_within(
    value: &serde_json::Value,
    crs: Crs,
    budget: &Budget,
) -> Result<Result<Parsed, String>, BudgetExceeded> {
    let polygon = match read_polygon(value, crs) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    budget.check()?;
    Ok(validate_within(&polygon.1, budget)?.map(|()| polygon))
}

/// A parsed boundary: its name (a Feature's `name` property) and polygon, WGS-84 degrees.
pub type Parsed = (Option<String>, MultiPolygon<f64>);

fn read_polygon(value: &serde_json::Value, crs: Crs) -> Result<Parsed, String> {
    let (name, geometry) = match value.get("type").and_then(serde_json::Value::as_str) {
        Some("Feature") => {
            let name = value.pointer("/properties/name").and_then(serde_json::Value::as_str).map(str::to_owned);
            let g = value.get("geometry").filter(|g| !g.is_null()).ok_or("the Feature has no geometry")?;
            (name, g)
        }
        Some("FeatureCollection") => {
            let features = value.get("features").and_then(serde_json::Value::as_array).ok_or("no features")?;
            let [only] = features.as_slice() else {
                return Err(format!(
                    "a FeatureCollection must hold exactly one feature here, not {}; send its geometry",
                    features.len()
                ));
            };
            return read_polygon(only, crs);
        }
        Some(_) => (None, value),
        None => return Err("expected a GeoJSON geometry (Polygon or MultiPolygon) or a Feature".to_owned()),
    };
    let geometry: geojson::Geometry =
        serde_json::from_value(geometry.clone()).map_err(|e| format!("not a GeoJSON geometry: {e}"))?;
    let polygon = match geometry.value {
        geojson::Value::Polygon(rings) => {
            if rings.is_empty() || rings.iter().all(Vec::is_empty) {
                return Err("the polygon is empty (no coordinates)".to_owned());
            }
            let p = geo::Polygon::try_from(geojson::Value::Polygon(rings)).map_err(|e| e.to_string())?;
            MultiPolygon(vec![p])
        }
        geojson::Value::MultiPolygon(parts) => {
            if parts.is_empty() {
                return Err("the multipolygon is empty (no polygons)".to_owned());
            }
            MultiPolygon::try_from(geojson::Value::MultiPolygon(parts)).map_err(|e| e.to_string())?
        }
        other => {
            return Err(format!("geometry type {} is not a Polygon or MultiPolygon", other.type_name()));
        }
    };
    let polygon = to_wgs84(&polygon, crs)?;
    Ok((name, polygon))
}

/// Checks a boundary: at least one ring of three distinct positions, no proper crossing of ring
/// segments, a surface.
///
/// # Errors
/// What is wrong, naming the polygon or the crossing's position.
pub fn validate(polygon: &MultiPolygon<f64>) -> Result<(), String> {
    validate_within(polygon, &Budget::unlimited()).unwrap_or_else(|e| Err(e.to_string()))
}

/// [`validate`] within `budget`.
///
/// # Errors
/// [`BudgetExceeded`] outside; inside, what is wrong.
pub fn validate_within(polygon: &MultiPolygon<f64>, budget: &Budget) -> Result<Result<(), String>, BudgetExceeded> {
    if polygon.0.is_empty() {
        return Ok(Err("the boundary is empty (no polygons)".to_owned()));
    }
    if let Some(e) = first_crossing_within(polygon, budget)? {
        return Ok(Err(e));
    }
    Ok(validate_shape(polygon))
}

/// Checks a boundary's shape only: at least one ring of three distinct positions, a surface.
///
/// # Errors
/// What is wrong, naming the polygon.
pub fn validate_shape(polygon: &MultiPolygon<f64>) -> Result<(), String> {
    if polygon.0.is_empty() {
        return Err("the boundary is empty (no polygons)".to_owned());
    }
    let cleaned = polygon.remove_repeated_points();
    for (i, p) in cleaned.0.iter().enumerate() {
        if p.exterior().0.len() < 4 {
            return Err(format!("polygon {i}: the outer ring needs at least 3 distinct positions and must be closed"));
        }
    }
    if cleaned.unsigned_area() <= 0.0 {
        return Err("the boundary has no area".to_owned());
    }
    Ok(())
}

/// The first proper crossing between two segments of the polygon's rings (a ring crossing
/// itself or another ring), as a message; `None` when no segments cross. Touching at a vertex and
/// collinear overlaps are not crossings.
#[must_use]
pub fn first_crossing(polygon: &MultiPolygon<f64>) -> Option<String> {
    first_crossing_within(polygon, &Budget::unlimited()).unwrap_or_default()
}

/// [`first_crossing`] within `budget`, checked every few thousand segment pairs: segments are
/// put in an R-tree of their bounding boxes and only pairs whose boxes overlap are tested, so a
/// ring of n segments usually costs O(n log n); a shape whose boxes overlap massively is stopped
/// by the budget instead of running quadratic.
///
/// # Errors
/// [`BudgetExceeded`] once the budget is spent or cancelled.
pub fn first_crossing_within(polygon: &MultiPolygon<f64>, budget: &Budget) -> Result<Option<String>, BudgetExceeded> {
    let cleaned = polygon.remove_repeated_points();
    let lines: Vec<Line<f64>> = cleaned
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(geo::LineString::lines)
        .collect();
    budget.charge_bytes(lines.len() as u64 * 96)?;
    let tree = RTree::bulk_load(
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| GeomWithData::new(Rectangle::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]), i))
            .collect(),
    );
    let mut tested = 0u64;
    let mut best: Option<(usize, usize, Coord<f64>)> = None;
    for (i, a) in lines.iter().enumerate() {
        let envelope = AABB::from_corners([a.start.x, a.start.y], [a.end.x, a.end.y]);
        for other in tree.locate_in_envelope_intersecting(&envelope) {
            let j = other.data;
            if j <= i {
                continue;
            }
            tested += 1;
            if tested.is_multiple_of(4096) {
                budget.check()?;
            }
            if let Some(LineIntersection::SinglePoint { intersection, is_proper: true }) =
                line_intersection(*a, lines[j])
                && best.is_none_or(|(bi, bj, _)| (i, j) < (bi, bj))
            {
                best = Some((i, j, intersection));
            }
        }
        if best.is_some() {
            break;
        }
    }
    Ok(best.map(|(_, _, at)| {
        format!("self-intersection: the boundary crosses itself at ({:.6}, {:.6}) (lon, lat)", at.x, at.y)
    }))
}

/// Positions (vertices) in a GeoJSON geometry or feature value: every array of numbers counted
/// once, without parsing it. Used to refuse a boundary too large for the caller's budget before
/// any geometry work.
#[must_use]
pub fn count_positions(value: &serde_json::Value) -> usize {
    fn walk(v: &serde_json::Value, depth: usize) -> usize {
        if depth > 8 {
            return 0;
        }
        match v {
            serde_json::Value::Array(items) if items.first().is_some_and(serde_json::Value::is_number) => 1,
            serde_json::Value::Array(items) => items.iter().map(|i| walk(i, depth + 1)).sum(),
            serde_json::Value::Object(map) => ["coordinates", "geometry", "features"]
                .iter()
                .filter_map(|k| map.get(*k))
                .map(|i| walk(i, depth + 1))
                .sum(),
            _ => 0,
        }
    }
    walk(value, 0)
}

/// Converts a boundary from `crs` to WGS-84, checking every position.
///
/// # Errors
/// The first position that is not a longitude, latitude in degrees.
pub fn to_wgs84(polygon: &MultiPolygon<f64>, crs: Crs) -> Result<MultiPolygon<f64>, String> {
    polygon.try_map_coords(|c: Coord<f64>| match LonLat::new(c.x, c.y) {
        Ok(p) => {
            let w = crs.to_wgs84(p);
            Ok(Coord { x: w.lon, y: w.lat })
        }
        Err(e) => Err(format!("position [{}, {}]: {e}", c.x, c.y)),
    })
}

#[cfg(test)]
#[path = "boundary_tests.rs"]
mod tests;

//! A boundary given in a request or a file: a GeoJSON `Polygon` or `MultiPolygon` geometry, or a
//! `Feature` (or a one-feature `FeatureCollection`) holding one, checked (closed rings of at least
//! three distinct points, no ring crossing itself or another — found with `geo`'s sweep over every
//! segment — and a surface) and converted to WGS-84. Rings that only touch at a vertex or run back
//! along themselves (the spikes real boundary files have) are accepted, as the analysis accepts them.

use geo::{Area as _, Coord, Intersections, LineIntersection, MapCoords, MultiPolygon, RemoveRepeatedPoints};
use yizhan_planner::crs::Crs;
use yizhan_planner::geodesy::LonLat;

/// Reads and validates a boundary. Returns its name (a Feature's `name` property) and polygon
/// in WGS-84 degrees.
///
/// # Errors
/// A message saying precisely what is wrong (not a polygon, empty, coordinates out of range,
/// self-intersecting ring…).
pub fn parse_boundary(value: &serde_json::Value, crs: Crs) -> Result<(Option<String>, MultiPolygon<f64>), String> {
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
            return parse_boundary(only, crs);
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
    validate(&polygon)?;
    Ok((name, polygon))
}

/// Checks a boundary: at least one ring of three distinct positions, no proper crossing of ring
/// segments, a surface.
///
/// # Errors
/// What is wrong, naming the polygon or the crossing's position.
pub fn validate(polygon: &MultiPolygon<f64>) -> Result<(), String> {
    if polygon.0.is_empty() {
        return Err("the boundary is empty (no polygons)".to_owned());
    }
    if let Some(e) = first_crossing(polygon) {
        return Err(e);
    }
    validate_shape(polygon)
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

/// The first proper crossing of two ring segments (a sweep over every segment), as a message;
/// touching at a vertex and running back along a ring are not crossings.
#[must_use]
pub fn first_crossing(polygon: &MultiPolygon<f64>) -> Option<String> {
    let cleaned = polygon.remove_repeated_points();
    let lines = cleaned.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).flat_map(|r| r.lines());
    Intersections::from_iter(lines)
        .find_map(|(_, _, x)| match x {
            LineIntersection::SinglePoint { intersection, is_proper: true } => Some(intersection),
            _ => None,
        })
        .map(|at| format!("self-intersection: the boundary crosses itself at ({:.6}, {:.6}) (lon, lat)", at.x, at.y))
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

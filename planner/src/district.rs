//! District (区/县) and street (街道/镇) boundaries, read from GeoJSON.

use geo::{Contains, MultiPolygon, Point};
use geojson::GeoJson;

/// A named administrative area with its boundary in WGS-84 degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// Name, e.g. `兖州区`.
    pub name: String,
    /// City it belongs to, e.g. `济宁市`, when the source says.
    pub city: Option<String>,
    /// Province, e.g. `山东省`, when the source says.
    pub province: Option<String>,
    /// Boundary (WGS-84 degrees).
    pub boundary: MultiPolygon<f64>,
}

/// Why a boundary file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DistrictError {
    /// Not valid GeoJSON.
    #[error("not valid GeoJSON: {0}")]
    GeoJson(String),
    /// Not a FeatureCollection.
    #[error("expected a GeoJSON FeatureCollection")]
    NotACollection,
    /// A feature has no `name` property.
    #[error("feature {index}: missing string property \"name\"")]
    MissingName {
        /// 0-based feature index.
        index: usize,
    },
    /// A feature's geometry is not a (Multi)Polygon.
    #[error("feature {index} ({name}): geometry must be a Polygon or MultiPolygon")]
    NotAPolygon {
        /// 0-based feature index.
        index: usize,
        /// The feature's name.
        name: String,
    },
}

impl District {
    /// Whether the point (WGS-84 degrees) lies inside the boundary.
    #[must_use]
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.boundary.contains(&Point::new(lon, lat))
    }
}

/// Reads every feature of a FeatureCollection as a district (`name`, optional `city`,
/// `province` properties; Polygon or MultiPolygon geometry).
///
/// # Errors
/// [`DistrictError`] naming the first bad feature.
pub fn parse_districts(text: &str) -> Result<Vec<District>, DistrictError> {
    let parsed = text.parse::<GeoJson>().map_err(|e| DistrictError::GeoJson(e.to_string()))?;
    let GeoJson::FeatureCollection(fc) = parsed else {
        return Err(DistrictError::NotACollection);
    };
    fc.features
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let prop = |k: &str| f.property(k).and_then(|v| v.as_str()).map(str::to_owned);
            let name = prop("name").ok_or(DistrictError::MissingName { index })?;
            let not_polygon = || DistrictError::NotAPolygon { index, name: name.clone() };
            let value = &f.geometry.as_ref().ok_or_else(not_polygon)?.value;
            let boundary = match value {
                geojson::Value::Polygon(_) => {
                    MultiPolygon(vec![geo::Polygon::try_from(value).map_err(|_| not_polygon())?])
                }
                geojson::Value::MultiPolygon(_) => MultiPolygon::try_from(value).map_err(|_| not_polygon())?,
                _ => return Err(not_polygon()),
            };
            Ok(District { name: name.clone(), city: prop("city"), province: prop("province"), boundary })
        })
        .collect()
}

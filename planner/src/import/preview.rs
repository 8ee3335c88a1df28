//! What an import would store: [`ImportPreview`], its rows, and [`ImportPreview::into_stations`],
//! the all-or-nothing step of [`super::parse_stations`].

use super::{Format, ImportError, MAX_LISTED_ERRORS, RowError};
use crate::amenity::AmenitySet;
use crate::geodesy::LonLat;
use crate::hours::OpeningHours;
use crate::station::{StationData, StationKind, StationStatus};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Everything a file holds, read and checked, before anything is stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    /// The format read.
    pub format: Format,
    /// Workbooks only: the name of the worksheet read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Every good row with coordinates, in file order.
    pub rows: Vec<PreviewRow>,
    /// Every good row with an address but no coordinates, in file order.
    pub unplaced: Vec<UnplacedRow>,
    /// Every problem of every bad row, in file order, at most [`MAX_LISTED_ERRORS`].
    pub errors: Vec<RowError>,
    /// How many more problems there are beyond `errors`.
    pub omitted_errors: usize,
    /// The columns (GeoJSON: properties) that name no station field and were not read, in file
    /// order.
    pub ignored_columns: Vec<IgnoredColumn>,
    /// The column an unplaced row's refusal names: header and 1-based number (CSV, sheets) or
    /// property path (GeoJSON).
    #[serde(skip)]
    pub(super) placement: Option<(String, Option<usize>)>,
}

/// A good row with coordinates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewRow {
    /// Where the row starts: the 1-based line (CSV, GeoJSON) or the sheet's row number.
    pub line: u64,
    /// GeoJSON only: the feature's 0-based index in `features`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<usize>,
    /// The record as it would be stored (WGS-84, with its `source` and `external_id`).
    pub data: StationData,
    /// The opening-hours cell as written, when it was converted from hours written in Chinese
    /// (`全天` → `24/7`); `None` when it was OSM syntax already or empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_written: Option<String>,
}

/// A good row with an address but no coordinates: it is stored once it is placed on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnplacedRow {
    /// Where the row starts: the 1-based line (CSV, GeoJSON) or the sheet's row number.
    pub line: u64,
    /// GeoJSON only: the feature's 0-based index in `features`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<usize>,
    /// Every field of the record but its position.
    pub draft: StationDraft,
    /// The opening-hours cell as written, when it was converted (see [`PreviewRow`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_written: Option<String>,
}

/// A column (GeoJSON: a property) that names no station field; its values were not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IgnoredColumn {
    /// The header (property name) as written.
    pub name: String,
    /// CSV and sheets: the column's 1-based number (in a sheet, A = 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_number: Option<usize>,
}

/// A station record without its position: every field of [`StationData`] but `location`,
/// checked like it. It serializes to the property names a GeoJSON feature has
/// ([`crate::export`]), so a draft with a position is a feature the importer reads
/// ([`StationDraft::to_feature`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StationDraft {
    /// What kind of place this is.
    pub kind: StationKind,
    /// Display name, 1–200 characters.
    pub name: String,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// District or county (区/县).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Sub-district (街道) or town (镇).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// What the station offers, as amenity codes.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::amenity::Amenity>))]
    pub amenities: AmenitySet,
    /// Opening hours in OpenStreetMap `opening_hours` syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Mo-Su 07:00-21:00"))]
    pub opening_hours: Option<OpeningHours>,
    /// Seats, ports or bays, a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Who runs the station.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Contact telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What a caring merchant offers riders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<String>,
    /// Whether the station is in service.
    #[serde(default)]
    pub status: StationStatus,
    /// Where the record comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The record's id in its source, if the file gave one (else it is derived when the placed
    /// record is imported, [`super::derived_external_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// When the record was last checked on site (local date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub verified_on: Option<NaiveDate>,
}

impl From<StationData> for StationDraft {
    /// The record without its position.
    fn from(d: StationData) -> Self {
        Self {
            kind: d.kind,
            name: d.name,
            address: d.address,
            district: d.district,
            street: d.street,
            amenities: d.amenities,
            opening_hours: d.opening_hours,
            capacity: d.capacity,
            operator: d.operator,
            phone: d.phone,
            offer: d.offer,
            status: d.status,
            source: d.source,
            external_id: d.external_id,
            verified_on: d.verified_on,
        }
    }
}

impl StationDraft {
    /// The draft placed at `at` (WGS-84 degrees) as a GeoJSON `Feature` with a `Point` geometry
    /// and the draft's fields as properties, which [`super::parse_stations`] reads with
    /// [`Format::GeoJson`] and [`crate::crs::Crs::Wgs84`].
    #[must_use]
    pub fn to_feature(&self, at: LonLat) -> Value {
        let properties = match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [at.lon, at.lat]},
            "properties": properties,
        })
    }
}

impl ImportPreview {
    /// Every record, if the file has no bad row and no unplaced row; that is the all-or-nothing
    /// import.
    ///
    /// # Errors
    /// [`ImportError::Rows`] listing, in file order, every problem of every bad row and every
    /// unplaced row (which has no coordinates: fill them, or place it on the map in the console),
    /// at most [`MAX_LISTED_ERRORS`] with a count of the rest.
    pub fn into_stations(self) -> Result<Vec<StationData>, ImportError> {
        if self.errors.is_empty() && self.omitted_errors == 0 && self.unplaced.is_empty() {
            return Ok(self.rows.into_iter().map(|r| r.data).collect());
        }
        let total = self.errors.len() + self.omitted_errors + self.unplaced.len();
        let mut errors = self.errors;
        // The errors beyond the listed ones come after the last listed one in the file, and so
        // do the unplaced rows after it: they are all counted, not listed.
        let last = (self.omitted_errors > 0).then(|| errors.last().map(|e| (e.line, e.feature_index))).flatten();
        let (column, column_number) = match self.placement {
            Some((c, n)) => (Some(c), n),
            None => (None, None),
        };
        let fix = if self.format == Format::GeoJson {
            "give the feature a Point geometry"
        } else {
            "fill 经度 and 纬度 (or 经纬度)"
        };
        for u in &self.unplaced {
            if last.is_some_and(|l| (u.line, u.feature_index) > l) {
                continue;
            }
            let address = u.draft.address.as_deref().unwrap_or_default();
            errors.push(RowError {
                line: u.line,
                feature_index: u.feature_index,
                column: column.clone(),
                column_number,
                field: Some("location"),
                message: format!(
                    "has an address ({address:?}) but no coordinates: {fix}, or place it on the map in the console"
                ),
            });
        }
        // Stable: the problems of one row stay in column order.
        errors.sort_by_key(|e| (e.line, e.feature_index));
        errors.truncate(MAX_LISTED_ERRORS);
        let omitted = total - errors.len();
        Err(ImportError::Rows { errors, omitted })
    }
}

#[cfg(test)]
#[path = "preview_tests.rs"]
mod tests;

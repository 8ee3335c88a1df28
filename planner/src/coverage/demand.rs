//! Demand layers from CSV or GeoJSON, read with the station importer's machinery (encoding
//! detection, coordinate systems, every bad row with line and column, all-or-nothing).
//!
//! # Rules
//!
//! * **CSV** (UTF-8 with or without BOM, GBK or GB18030, detected as for stations): a header row,
//!   then one row per demand item. Position either as `lon` and `lat` (also `lng`, `longitude`,
//!   `latitude`, `经度`, `纬度`) in the chosen coordinate system, or as an `h3` column (also
//!   `h3_index`, `cell`, `H3索引`) holding an H3 cell index in hex, whose centre is used (H3 is
//!   always WGS-84). Weight in `weight` (also `count`, `demand`, `权重`, `需求`, `需求量`,
//!   `数量`); an empty cell or a file without the column means 1. Other columns (times, rider
//!   ids…) are ignored. Full-width digits are accepted, as for stations.
//! * **GeoJSON**: a `FeatureCollection` of `Point` features, or features with a `null`
//!   geometry and an `h3` property; the weight in a `weight` (or alias) property, a number or a
//!   numeric string. Other properties are ignored.
//! * **Weights** must be finite and ≥ 0: negative, NaN or infinite weights are errors.
//! * **All-or-nothing**: every bad row is listed with its line (and column), up to
//!   [`crate::import::MAX_LISTED_ERRORS`]; no point is returned unless every row is good.

use super::{CellIndex, DemandPoint, cell_centre};
use crate::crs::Crs;
use crate::geodesy::{CoordError, LonLat};
use crate::import::geojson_import::{feature_offsets, json_type, lines_of, point};
use crate::import::{EncodingChoice, ImportError, MAX_LISTED_ERRORS, RowError, ascii_number, decode};
use serde_json::Value;

/// The file formats demand is read from (the station importer's).
pub use crate::import::Format as DataFormat;

/// Why a demand file was not read (the station importer's error: nothing is returned, every bad
/// row is listed with its line and column).
pub type DemandError = ImportError;

/// Most demand rows (or features) in one file.
pub const MAX_DEMAND_ROWS: usize = 2_000_000;

/// What a header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Lon,
    Lat,
    Weight,
    H3,
}

impl Col {
    fn field(self) -> &'static str {
        match self {
            Col::Lon => "lon",
            Col::Lat => "lat",
            Col::Weight => "weight",
            Col::H3 => "h3",
        }
    }
}

/// The column a header stands for (case, spaces, `_` and `-` ignored); `None`: ignored.
fn classify(header: &str) -> Option<Col> {
    let h: String = header
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    match h.as_str() {
        "lon" | "lng" | "long" | "longitude" | "x" | "经度" => Some(Col::Lon),
        "lat" | "latitude" | "y" | "纬度" => Some(Col::Lat),
        "weight" | "w" | "count" | "demand" | "权重" | "需求" | "需求量" | "数量" => Some(Col::Weight),
        "h3" | "h3index" | "cell" | "h3索引" => Some(Col::H3),
        _ => None,
    }
}

/// A weight from text: empty is 1.
fn weight_text(t: &str) -> Result<f64, String> {
    let t = ascii_number(t);
    if t.is_empty() {
        return Ok(1.0);
    }
    match t.parse::<f64>() {
        Ok(w) => check_weight(w),
        Err(_) => Err(format!("{t:?} is not a number")),
    }
}

fn check_weight(w: f64) -> Result<f64, String> {
    if w.is_finite() && w >= 0.0 { Ok(w) } else { Err(format!("weight {w} is not a finite number >= 0")) }
}

fn degrees(t: &str, col: Col) -> Result<f64, String> {
    let t = ascii_number(t);
    if t.is_empty() {
        return Err("is required but empty".to_owned());
    }
    let x = match t.parse::<f64>() {
        Ok(x) if x.is_finite() => x,
        _ => return Err(format!("{t:?} is not a number")),
    };
    match col {
        Col::Lon if !(-180.0..=180.0).contains(&x) => Err(CoordError::Longitude(x).to_string()),
        Col::Lat if !(-90.0..=90.0).contains(&x) => Err(CoordError::Latitude(x).to_string()),
        _ => Ok(x),
    }
}

fn cell_text(t: &str) -> Result<LonLat, String> {
    let t = t.trim();
    if t.is_empty() {
        return Err("is required but empty".to_owned());
    }
    t.parse::<CellIndex>().map(cell_centre).map_err(|_| format!("{t:?} is not an H3 cell index (hex)"))
}

/// Collects row errors up to [`MAX_LISTED_ERRORS`].
#[derive(Default)]
struct Errors {
    list: Vec<RowError>,
    omitted: usize,
}

impl Errors {
    fn push(&mut self, e: RowError) {
        if self.list.len() < MAX_LISTED_ERRORS {
            self.list.push(e);
        } else {
            self.omitted += 1;
        }
    }

    fn finish(self, points: Vec<DemandPoint>) -> Result<Vec<DemandPoint>, DemandError> {
        if self.list.is_empty() {
            if points.is_empty() { Err(ImportError::NoRows) } else { Ok(points) }
        } else {
            Err(ImportError::Rows { errors: self.list, omitted: self.omitted })
        }
    }
}

/// Parses a demand file (see the [module documentation](self) for the rules); coordinates in
/// `crs` are converted to WGS-84.
///
/// # Errors
/// [`DemandError`] listing every bad row; negative or NaN weights are errors.
pub fn parse_demand(bytes: &[u8], format: DataFormat, crs: Crs) -> Result<Vec<DemandPoint>, DemandError> {
    match format {
        DataFormat::Csv => parse_csv(&decode(bytes, EncodingChoice::Auto)?, crs),
        DataFormat::GeoJson => parse_geojson(&decode(bytes, EncodingChoice::Utf8)?, crs),
        DataFormat::Xlsx | DataFormat::Xls => Err(ImportError::Malformed {
            line: None,
            message: format!("demand is read from CSV or GeoJSON, not from .{format} workbooks; save the sheet as CSV"),
        }),
    }
}

fn csv_error(e: &csv::Error) -> ImportError {
    ImportError::Malformed { line: e.position().map(csv::Position::line), message: format!("CSV syntax: {e}") }
}

fn parse_csv(text: &str, crs: Crs) -> Result<Vec<DemandPoint>, DemandError> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::None).from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    loop {
        if !rdr.read_record(&mut rec).map_err(|e| csv_error(&e))? {
            return Err(ImportError::Empty);
        }
        if !rec.iter().all(|f| f.trim().is_empty()) {
            break;
        }
    }
    let header_line = rec.position().map_or(1, csv::Position::line);
    let headers: Vec<String> =
        rec.iter().map(|h| h.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}').to_owned()).collect();
    let mut at: [Option<usize>; 4] = [None; 4];
    let mut errors = Errors::default();
    let header_error = |i: usize, message: String| RowError {
        line: header_line,
        feature_index: None,
        column: Some(headers[i].clone()),
        column_number: Some(i + 1),
        field: None,
        message,
    };
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = classify(h) {
            let slot = &mut at[c as usize];
            if let Some(first) = *slot {
                errors.push(header_error(
                    i,
                    format!("second column for {} (column {} is one already)", c.field(), first + 1),
                ));
            } else {
                *slot = Some(i);
            }
        }
    }
    let (lon, lat, weight, h3) =
        (at[Col::Lon as usize], at[Col::Lat as usize], at[Col::Weight as usize], at[Col::H3 as usize]);
    let by_cell = match (lon, lat, h3) {
        (Some(_), Some(_), None) => false,
        (None, None, Some(_)) => true,
        _ => {
            errors.push(RowError {
                line: header_line,
                feature_index: None,
                column: None,
                column_number: None,
                field: None,
                message: "the header needs lon and lat (经度, 纬度) columns, or an h3 column, not both".to_owned(),
            });
            return errors.finish(Vec::new());
        }
    };
    if !errors.list.is_empty() {
        return errors.finish(Vec::new());
    }
    let mut out = Vec::new();
    let mut rows = 0usize;
    loop {
        let line = rdr.position().line();
        if !rdr.read_record(&mut rec).map_err(|e| csv_error(&e))? {
            break;
        }
        let line = rec.position().map_or(line, csv::Position::line);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows += 1;
        if rows > MAX_DEMAND_ROWS {
            return Err(ImportError::TooManyRows { max: MAX_DEMAND_ROWS });
        }
        if rec.len() != headers.len() {
            errors.push(RowError {
                line,
                feature_index: None,
                column: None,
                column_number: None,
                field: None,
                message: format!("has {} cells, the header has {}", rec.len(), headers.len()),
            });
            continue;
        }
        let mut bad = false;
        let mut cell = |i: usize, c: Col, r: Result<f64, String>| -> f64 {
            r.unwrap_or_else(|message| {
                errors.push(RowError {
                    line,
                    feature_index: None,
                    column: Some(headers[i].clone()),
                    column_number: Some(i + 1),
                    field: Some(c.field()),
                    message,
                });
                bad = true;
                f64::NAN
            })
        };
        let pos = match (by_cell, lon, lat, h3) {
            (false, Some(i), Some(j), _) => {
                let x = cell(i, Col::Lon, degrees(&rec[i], Col::Lon));
                let y = cell(j, Col::Lat, degrees(&rec[j], Col::Lat));
                Some(crs.to_wgs84(LonLat { lon: x, lat: y }))
            }
            (true, _, _, Some(i)) => {
                let p = cell_text(&rec[i]);
                let lon = cell(i, Col::H3, p.clone().map(|p| p.lon));
                Some(LonLat { lon, lat: p.map_or(f64::NAN, |p| p.lat) })
            }
            _ => None,
        };
        let w = match weight {
            Some(i) => cell(i, Col::Weight, weight_text(&rec[i])),
            None => 1.0,
        };
        if let (false, Some(pos)) = (bad, pos) {
            out.push(DemandPoint { pos, weight: w });
        }
    }
    errors.finish(out)
}

/// The weight property of a feature (first alias present), 1 when absent or null.
fn feature_weight(props: &serde_json::Map<String, Value>) -> Result<f64, (String, String)> {
    for (k, v) in props {
        if classify(k) == Some(Col::Weight) {
            let col = format!("properties.{k}");
            return match v {
                Value::Null => Ok(1.0),
                Value::Number(n) => n
                    .as_f64()
                    .ok_or((col.clone(), "is not a number".to_owned()))
                    .and_then(|w| check_weight(w).map_err(|m| (col, m))),
                Value::String(s) => weight_text(s).map_err(|m| (col, m)),
                v => Err((col, format!("must be a number, not {}", json_type(v)))),
            };
        }
    }
    Ok(1.0)
}

fn parse_geojson(text: &str, crs: Crs) -> Result<Vec<DemandPoint>, DemandError> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| ImportError::Malformed { line: Some(e.line() as u64), message: format!("JSON syntax: {e}") })?;
    let malformed = |message: String| ImportError::Malformed { line: None, message };
    let features = match &root {
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("FeatureCollection") => {
            match o.get("features") {
                Some(Value::Array(f)) => f,
                _ => return Err(malformed("the FeatureCollection has no \"features\" array".to_owned())),
            }
        }
        _ => return Err(malformed("GeoJSON demand must be a FeatureCollection".to_owned())),
    };
    if features.len() > MAX_DEMAND_ROWS {
        return Err(ImportError::TooManyRows { max: MAX_DEMAND_ROWS });
    }
    let offsets = feature_offsets(text);
    let lines = if offsets.len() == features.len() { lines_of(text, &offsets) } else { vec![1; features.len()] };
    let mut errors = Errors::default();
    let mut out = Vec::with_capacity(features.len());
    let empty = serde_json::Map::new();
    for (index, (feature, &line)) in features.iter().zip(&lines).enumerate() {
        let mut err = |column: Option<String>, message: String| {
            errors.push(RowError {
                line,
                feature_index: Some(index),
                column,
                column_number: None,
                field: None,
                message,
            });
        };
        let Value::Object(feature) = feature else {
            err(None, format!("must be a Feature object, not {}", json_type(feature)));
            continue;
        };
        let props = feature.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let h3 = props.iter().find(|(k, _)| classify(k) == Some(Col::H3));
        let pos = match (feature.get("geometry"), h3) {
            (None | Some(Value::Null), Some((k, v))) => match v.as_str().map(cell_text) {
                Some(Ok(p)) => Ok(p),
                Some(Err(m)) => Err((format!("properties.{k}"), m)),
                None => Err((format!("properties.{k}"), "must be a string (hex H3 index)".to_owned())),
            },
            _ => point(feature).and_then(|(x, y)| match LonLat::new(x, y) {
                Ok(p) => Ok(crs.to_wgs84(p)),
                Err(e) => Err(("geometry.coordinates".to_owned(), e.to_string())),
            }),
        };
        let w = feature_weight(props);
        match (pos, w) {
            (Ok(pos), Ok(weight)) => out.push(DemandPoint { pos, weight }),
            (p, w) => {
                for (col, m) in [p.err(), w.err()].into_iter().flatten() {
                    err(Some(col), m);
                }
            }
        }
    }
    errors.finish(out)
}

#[cfg(test)]
#[path = "demand_tests.rs"]
mod tests;

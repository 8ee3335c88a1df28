//! The GeoJSON reader: a `FeatureCollection` of `Point` features whose properties are named like
//! the CSV columns ([`super::columns`]). Coordinates come from the geometry (`[lon, lat]`, an
//! optional altitude is ignored); a feature without a geometry but with an address is unplaced.

use super::columns::{self, COLUMN_COUNT, Column, Header};
use super::{
    Builder, CoordIn, Coords, Format, IgnoredColumn, ImportError, ImportOptions, ImportPreview, Problem, RowError,
};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Byte offsets where the elements of the top-level `features` array start. `text` must be valid
/// JSON (it has been parsed already).
pub(crate) fn feature_offsets(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut last_string_at_depth1: (usize, usize) = (0, 0);
    let mut in_features = false;
    let mut expect_element = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                if expect_element {
                    out.push(i);
                    expect_element = false;
                }
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 {
                    last_string_at_depth1 = (start, i.min(b.len()));
                }
            }
            c @ (b'{' | b'[') => {
                if expect_element {
                    out.push(i);
                    expect_element = false;
                }
                depth += 1;
                if c == b'['
                    && depth == 2
                    && !in_features
                    && &b[last_string_at_depth1.0..last_string_at_depth1.1] == b"features"
                {
                    in_features = true;
                    expect_element = true;
                }
            }
            b'}' | b']' => {
                if in_features && depth == 2 {
                    in_features = false;
                }
                expect_element = false;
                depth = depth.saturating_sub(1);
            }
            b',' => {
                if in_features && depth == 2 {
                    expect_element = true;
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' | b':' => {}
            _ => {
                if expect_element {
                    out.push(i);
                    expect_element = false;
                }
            }
        }
        i += 1;
    }
    out
}

/// 1-based line of each offset (offsets ascending).
pub(crate) fn lines_of(text: &str, offsets: &[usize]) -> Vec<u64> {
    let b = text.as_bytes();
    let mut lines = Vec::with_capacity(offsets.len());
    let (mut pos, mut line) = (0usize, 1u64);
    for &o in offsets {
        line += b[pos..o.min(b.len())].iter().filter(|&&c| c == b'\n').count() as u64;
        pos = o.min(b.len());
        lines.push(line);
    }
    lines
}

/// Reads `[lon, lat(, alt)]` from a feature's geometry.
pub(crate) fn point(feature: &serde_json::Map<String, Value>) -> Result<(f64, f64), (String, String)> {
    let geometry = match feature.get("geometry") {
        None | Some(Value::Null) => {
            return Err(("geometry".to_owned(), "has no geometry; a Point is required".to_owned()));
        }
        Some(Value::Object(g)) => g,
        Some(v) => return Err(("geometry".to_owned(), format!("must be an object, not {}", json_type(v)))),
    };
    match geometry.get("type").and_then(Value::as_str) {
        Some("Point") => {}
        Some(t) => return Err(("geometry.type".to_owned(), format!("is {t:?}; only Point geometries are accepted"))),
        None => return Err(("geometry.type".to_owned(), "is missing; expected \"Point\"".to_owned())),
    }
    let col = "geometry.coordinates".to_owned();
    match geometry.get("coordinates") {
        Some(Value::Array(a)) if (2..=3).contains(&a.len()) => match (a[0].as_f64(), a[1].as_f64()) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err((
                col,
                format!("must be [longitude, latitude] numbers, got [{}, {}]", json_type(&a[0]), json_type(&a[1])),
            )),
        },
        Some(Value::Array(a)) => {
            Err((col, format!("must be [longitude, latitude] (2 or 3 numbers), got {} values", a.len())))
        }
        Some(v) => Err((col, format!("must be an array [longitude, latitude], not {}", json_type(v)))),
        None => Err((col, "is missing".to_owned())),
    }
}

/// The text of property `c`, checking its JSON type.
fn property_text(c: Column, v: &Value) -> Result<Option<Cow<'_, str>>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(Cow::Borrowed(s.as_str()))),
        Value::Number(n) if matches!(c, Column::Capacity | Column::ExternalId) => Ok(Some(Cow::Owned(n.to_string()))),
        Value::Array(items) if c == Column::Amenities => {
            let mut codes = Vec::with_capacity(items.len());
            for (k, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => codes.push(s.as_str()),
                    other => {
                        return Err(format!("must be an array of strings; item {k} is {}", json_type(other)));
                    }
                }
            }
            Ok(Some(Cow::Owned(codes.join(";"))))
        }
        other => {
            let expected = match c {
                Column::Capacity => "a whole number",
                Column::ExternalId => "a string or a number",
                Column::Amenities => "an array of strings (or one string separated by ;)",
                _ => "a string",
            };
            Err(format!("must be {expected}, not {}", json_type(other)))
        }
    }
}

pub(super) fn preview(text: &str, opts: &ImportOptions) -> Result<ImportPreview, ImportError> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| ImportError::Malformed { line: Some(e.line() as u64), message: format!("JSON syntax: {e}") })?;
    let malformed = |message: String| ImportError::Malformed { line: None, message };
    let Value::Object(root) = root else {
        return Err(malformed(format!("GeoJSON must be an object (a FeatureCollection), not {}", json_type(&root))));
    };
    match root.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        Some("Feature") => {
            return Err(malformed("GeoJSON is a single Feature; wrap it in a FeatureCollection".to_owned()));
        }
        Some(t) => return Err(malformed(format!("GeoJSON type is {t:?}; expected \"FeatureCollection\""))),
        None => return Err(malformed("GeoJSON has no \"type\"; expected \"FeatureCollection\"".to_owned())),
    }
    let features = match root.get("features") {
        Some(Value::Array(f)) => f,
        Some(v) => return Err(malformed(format!("\"features\" must be an array, not {}", json_type(v)))),
        None => return Err(malformed("the FeatureCollection has no \"features\"".to_owned())),
    };
    if features.is_empty() {
        return Err(ImportError::NoRows);
    }
    if features.len() > opts.max_rows {
        return Err(ImportError::TooManyRows { max: opts.max_rows });
    }
    let offsets = feature_offsets(text);
    let lines = if offsets.len() == features.len() { lines_of(text, &offsets) } else { vec![1; features.len()] };

    let mut builder = Builder::new(opts);
    // Properties that name no field, each listed once, in the order first seen.
    let mut ignored: Vec<IgnoredColumn> = Vec::new();
    let mut ignored_seen: HashSet<&str> = HashSet::new();
    let empty = serde_json::Map::new();
    for (index, (feature, &line)) in features.iter().zip(&lines).enumerate() {
        let row_error = |column: Option<String>, field: Option<&'static str>, message: String| RowError {
            line,
            feature_index: Some(index),
            column,
            column_number: None,
            field,
            message,
        };
        let Value::Object(feature) = feature else {
            builder.push(row_error(None, None, format!("must be a Feature object, not {}", json_type(feature))));
            continue;
        };
        match feature.get("type").and_then(Value::as_str) {
            Some("Feature") => {}
            Some(t) => {
                builder.push(row_error(Some("type".to_owned()), None, format!("is {t:?}; expected \"Feature\"")));
                continue;
            }
            None => {
                builder.push(row_error(Some("type".to_owned()), None, "is missing; expected \"Feature\"".to_owned()));
                continue;
            }
        }
        let mut errors = Vec::new();
        let no_geometry = matches!(feature.get("geometry"), None | Some(Value::Null));
        // Reported once the properties are read: without a geometry, an address makes the feature
        // unplaced instead.
        let mut geometry_error = None;
        let coords = match point(feature) {
            Ok(c) => Some(c),
            Err((column, message)) => {
                geometry_error = Some(row_error(Some(column), Some("location"), message));
                None
            }
        };
        let props = match feature.get("properties") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(p)) => p,
            Some(v) => {
                errors.push(row_error(
                    Some("properties".to_owned()),
                    None,
                    format!("must be an object, not {}", json_type(v)),
                ));
                &empty
            }
        };
        let mut texts: [Option<Cow<'_, str>>; COLUMN_COUNT] = Default::default();
        let mut key_of: [Option<&str>; COLUMN_COUNT] = [None; COLUMN_COUNT];
        for (key, value) in props {
            let path = || format!("properties.{key}");
            match columns::classify(key) {
                Header::Field(c @ (Column::Lon | Column::Lat)) => {
                    // Redundant copies of the geometry's coordinates are fine if they agree.
                    let (want, name) = match (c, coords) {
                        (Column::Lon, Some((x, _))) => (Some(x), "longitude"),
                        (_, Some((_, y))) => (Some(y), "latitude"),
                        (_, None) => (None, ""),
                    };
                    let got = value.as_f64().or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
                    if let (Some(want), Some(got)) = (want, got) {
                        if (want - got).abs() > 1e-6 {
                            errors.push(row_error(
                                Some(path()),
                                Some(c.field()),
                                format!("{got} disagrees with the geometry's {name} {want}; coordinates come from the geometry"),
                            ));
                        }
                    } else if want.is_some() && !value.is_null() {
                        errors.push(row_error(
                            Some(path()),
                            Some(c.field()),
                            format!("must be a number, not {}; coordinates come from the geometry", json_type(value)),
                        ));
                    }
                }
                Header::Field(c) => {
                    if let Some(first) = key_of[c.index()] {
                        errors.push(row_error(
                            Some(path()),
                            Some(c.field()),
                            format!("second property for {} (\"{first}\" is one already)", c.field()),
                        ));
                        continue;
                    }
                    key_of[c.index()] = Some(key);
                    match property_text(c, value) {
                        Ok(t) => texts[c.index()] = t,
                        Err(message) => errors.push(row_error(Some(path()), Some(c.field()), message)),
                    }
                }
                Header::Ignored => {}
                Header::Unknown | Header::Blank | Header::LonLat => {
                    if ignored_seen.insert(key.as_str()) {
                        ignored.push(IgnoredColumn { name: key.clone(), column_number: None });
                    }
                }
            }
        }
        let has_address = texts[Column::Address.index()].as_deref().is_some_and(|t| !t.trim().is_empty());
        let coords = match coords {
            Some((x, y)) => Coords::Cells(Some(CoordIn::Number(x)), Some(CoordIn::Number(y))),
            None if no_geometry && has_address => Coords::Unplaced,
            None => {
                // The geometry's error goes first, as the geometry comes before the properties.
                if let Some(e) = geometry_error.take() {
                    errors.insert(0, e);
                }
                Coords::Cells(None, None)
            }
        };
        let result = builder.build(line, |c| texts[c.index()].as_deref(), coords);
        match result {
            Ok((built, hours_written)) if errors.is_empty() => {
                builder.accept(line, Some(index), built, hours_written);
            }
            Ok(_) => {}
            Err(problems) => {
                // A type error already names the property; skip the builder's echo of it.
                let reported: Vec<Option<&'static str>> = errors.iter().map(|e| e.field).collect();
                errors.extend(
                    problems.into_iter().filter(|p| p.column.is_none_or(|c| !reported.contains(&Some(c.field())))).map(
                        |Problem { column, field, message }| {
                            let column = column.map(|c| match c {
                                Column::Lon | Column::Lat => "geometry.coordinates".to_owned(),
                                c => key_of[c.index()]
                                    .map_or_else(|| format!("properties.{}", c.code()), |k| format!("properties.{k}")),
                            });
                            row_error(column, field, message)
                        },
                    ),
                );
            }
        }
        for e in errors {
            builder.push(e);
        }
    }
    Ok(builder.finish(Format::GeoJson, None, ignored, Some(("geometry".to_owned(), None))))
}

#[cfg(test)]
#[path = "geojson_import_tests.rs"]
mod tests;

#[cfg(test)]
mod scan_tests {
    use super::feature_offsets;

    #[test]
    fn offsets_skip_strings_and_nested_arrays() {
        let t = "{\"a\":[\"features\",[1]],\"features\" : [ {\"x\":\"],{\"}, 7 ,[1,2],\n\"s\"],\"z\":[3]}";
        let o = feature_offsets(t);
        let starts: Vec<char> = o.iter().map(|&i| t.as_bytes()[i] as char).collect();
        assert_eq!(starts, ['{', '7', '[', '"']);
    }
}

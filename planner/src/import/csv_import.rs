//! The CSV reader: header resolution, then one record per row, streaming over the decoded text.

use super::columns::{self, COLUMN_COUNT, Column, Header};
use super::{Builder, CoordIn, ImportError, ImportOptions, Problem, RowError, ascii_number};
use crate::spreadsheet::spreadsheet_unquote;
use crate::station::StationData;

/// One column of the file as its header resolved.
struct FileColumn {
    header: String,
    kind: Header,
}

fn csv_error(e: &csv::Error) -> ImportError {
    ImportError::Malformed { line: e.position().map(csv::Position::line), message: format!("CSV syntax: {e}") }
}

pub(super) fn parse(text: &str, opts: &ImportOptions) -> Result<Vec<StationData>, ImportError> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::None).from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();

    // The header: the first row that is not blank.
    loop {
        if !rdr.read_record(&mut rec).map_err(|e| csv_error(&e))? {
            return Err(ImportError::Empty);
        }
        if !rec.iter().all(|f| f.trim().is_empty()) {
            break;
        }
    }
    let header_line = rec.position().map_or(1, csv::Position::line);
    let file_columns: Vec<FileColumn> = rec
        .iter()
        .map(|h| FileColumn {
            header: h.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}').to_owned(),
            kind: columns::classify(h),
        })
        .collect();
    let mut at: [Option<usize>; COLUMN_COUNT] = [None; COLUMN_COUNT];
    let mut header_errors = Vec::new();
    // The column holding longitude and latitude together, if the file has one.
    let mut combined: Option<usize> = None;
    for (i, fc) in file_columns.iter().enumerate() {
        let err = |message: String, field: Option<&'static str>| RowError {
            line: header_line,
            feature_index: None,
            column: Some(fc.header.clone()),
            column_number: Some(i + 1),
            field,
            message,
        };
        match fc.kind {
            Header::Field(c) => {
                if let Some(first) = at[c.index()] {
                    header_errors.push(err(
                        format!(
                            "second column for {} (column {} {:?} is one already)",
                            c.field(),
                            first + 1,
                            file_columns[first].header
                        ),
                        Some(c.field()),
                    ));
                } else {
                    at[c.index()] = Some(i);
                }
            }
            Header::Unknown => {
                let hint = if fc.header.contains('\t') {
                    "; the file seems tab-separated: save it as comma-separated CSV"
                } else if fc.header.contains(';') {
                    "; the file seems semicolon-separated: save it as comma-separated CSV"
                } else {
                    ""
                };
                header_errors.push(err(
                    format!("unknown column {:?}{hint} (accepted: {})", fc.header, columns::accepted_list()),
                    None,
                ));
            }
            Header::LonLat => {
                if let Some(first) = at[Column::Lon.index()].or(at[Column::Lat.index()]) {
                    header_errors.push(err(
                        format!(
                            "second column for the location (column {} {:?} is one already)",
                            first + 1,
                            file_columns[first].header
                        ),
                        Some("location"),
                    ));
                } else {
                    at[Column::Lon.index()] = Some(i);
                    at[Column::Lat.index()] = Some(i);
                    combined = Some(i);
                }
            }
            Header::Ignored | Header::Blank => {}
        }
    }
    let mut required = vec![Column::Name, Column::Lon, Column::Lat];
    if opts.default_kind.is_none() {
        required.insert(0, Column::Kind);
    }
    for c in required {
        if at[c.index()].is_none() {
            let or = if c == Column::Kind { ", or give a default kind" } else { "" };
            header_errors.push(RowError {
                line: header_line,
                feature_index: None,
                column: None,
                column_number: None,
                field: Some(c.field()),
                message: format!("missing required column {} (accepted headers: {}){or}", c.code(), c.accepted()),
            });
        }
    }
    if at[Column::Source.index()].is_none() && opts.source.is_none() {
        header_errors.push(RowError {
            line: header_line,
            feature_index: None,
            column: None,
            column_number: None,
            field: Some("source"),
            message: format!(
                "no source: add a source column (accepted headers: {}) or give a source for the import",
                Column::Source.accepted()
            ),
        });
    }
    if !header_errors.is_empty() {
        return Err(ImportError::Rows { errors: header_errors, omitted: 0 });
    }
    let blank_columns: Vec<usize> =
        file_columns.iter().enumerate().filter(|(_, c)| c.kind == Header::Blank).map(|(i, _)| i).collect();
    let width = file_columns.len();

    let mut builder = Builder::new(opts);
    let mut out = Vec::new();
    let mut rows = 0usize;
    while rdr.read_record(&mut rec).map_err(|e| csv_error(&e))? {
        let line = rec.position().map_or(0, csv::Position::line);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows += 1;
        if rows > opts.max_rows {
            return Err(ImportError::TooManyRows { max: opts.max_rows });
        }
        let row_error = |column_number: Option<usize>, field: Option<&'static str>, message: String| RowError {
            line,
            feature_index: None,
            column: column_number.map(|n| file_columns[n - 1].header.clone()).filter(|h| !h.is_empty()),
            column_number,
            field,
            message,
        };
        if rec.len() != width {
            let hint = if rec.iter().any(|f| f.contains('\n')) {
                "; a quoted value may be missing its closing quote"
            } else {
                ""
            };
            builder.push(row_error(None, None, format!("has {} fields but the header has {width}{hint}", rec.len())));
            continue;
        }
        let mut errors = Vec::new();
        for &i in &blank_columns {
            if rec.get(i).is_some_and(|v| !v.trim().is_empty()) {
                errors.push(row_error(Some(i + 1), None, "value in a column without a header".to_owned()));
            }
        }
        // A leading `'` before a formula character is the export's spreadsheet quoting: drop it.
        let cell = |c: Column| at[c.index()].and_then(|i| rec.get(i)).map(spreadsheet_unquote);
        // A combined cell that does not split is reported once, here; the row's other cells are
        // still checked, without the missing longitude and latitude it leaves.
        let mut location_reported = false;
        let (lon, lat) = match combined.and_then(|i| rec.get(i)) {
            Some(text) => match split_lon_lat(text) {
                Ok((lon, lat)) => (Some(CoordIn::Number(lon)), Some(CoordIn::Number(lat))),
                Err(message) => {
                    errors.push(row_error(combined.map(|i| i + 1), Some("location"), message));
                    location_reported = true;
                    (None, None)
                }
            },
            None => (cell(Column::Lon).map(CoordIn::Text), cell(Column::Lat).map(CoordIn::Text)),
        };
        match builder.build(line, cell, lon, lat) {
            Ok(data) if errors.is_empty() => {
                if !builder.failed() {
                    out.push(data);
                }
            }
            Ok(_) => {}
            Err(problems) => {
                let problems = problems
                    .into_iter()
                    .filter(|p| !(location_reported && matches!(p.column, Some(Column::Lon | Column::Lat))));
                errors.extend(problems.map(|Problem { column, field, message }| {
                    row_error(column.and_then(|c| at[c.index()]).map(|i| i + 1), field, message)
                }));
            }
        }
        errors.sort_by_key(|e| e.column_number);
        for e in errors {
            builder.push(e);
        }
    }
    if let Some(e) = builder.into_error() {
        return Err(e);
    }
    if rows == 0 {
        return Err(ImportError::NoRows);
    }
    Ok(out)
}

/// Longitudes and latitudes within China: the two ranges do not overlap, so a combined cell may
/// give them in either order.
const CHINA_LON: std::ops::RangeInclusive<f64> = 73.0..=136.0;
const CHINA_LAT: std::ops::RangeInclusive<f64> = 3.0..=54.0;

/// The (longitude, latitude) of a combined cell: two numbers (decimal degrees or
/// degrees-minutes-seconds) separated by a comma, `;`, `/` or white space. Inside China either
/// order is read by range; elsewhere longitude comes first.
fn split_lon_lat(text: &str) -> Result<(f64, f64), String> {
    let t = ascii_number(text);
    let t = t.trim();
    if t.is_empty() {
        return Err("is required but empty (longitude and latitude, e.g. \"116.78,35.55\")".to_owned());
    }
    let parts: Vec<&str> = if t.contains([',', ';', '/']) {
        t.split([',', ';', '/']).map(str::trim).filter(|p| !p.is_empty()).collect()
    } else {
        t.split_whitespace().collect()
    };
    let [a, b] = parts.as_slice() else {
        return Err(format!("{text:?} is not two numbers (longitude and latitude, e.g. \"116.78,35.55\")"));
    };
    let (a, b) = (
        degrees(a).ok_or_else(|| format!("{a:?} is not a coordinate"))?,
        degrees(b).ok_or_else(|| format!("{b:?} is not a coordinate"))?,
    );
    Ok(if CHINA_LAT.contains(&a) && CHINA_LON.contains(&b) { (b, a) } else { (a, b) })
}

/// Decimal degrees, or degrees-minutes-seconds (`116°46'48"`, `116°46′48″E`, `116度46分48秒`); a
/// trailing `W` or `S` makes it negative.
fn degrees(t: &str) -> Option<f64> {
    let t = t.trim();
    let (t, negative) = match t.chars().last() {
        Some('W' | 'w' | 'S' | 's') => (&t[..t.len() - 1], true),
        Some('E' | 'e' | 'N' | 'n') => (&t[..t.len() - 1], false),
        _ => (t, false),
    };
    let t = t.trim();
    let value = if t.contains(['°', '度', '\'', '′', '"', '″', '分', '秒']) {
        let mut total = 0.0;
        let mut number = String::new();
        let mut seen = 0;
        for c in t.chars() {
            let scale = match c {
                '°' | '度' => Some(1.0),
                '\'' | '′' | '分' => Some(60.0),
                '"' | '″' | '秒' => Some(3600.0),
                c if c.is_ascii_digit() || c == '.' => {
                    number.push(c);
                    None
                }
                c if c.is_whitespace() => None,
                _ => return None,
            };
            if let Some(scale) = scale {
                let n: f64 = number.parse().ok()?;
                if (scale > 1.0 && n >= 60.0) || seen >= 3 {
                    return None;
                }
                total += n / scale;
                number.clear();
                seen += 1;
            }
        }
        if !number.is_empty() {
            return None;
        }
        total
    } else {
        t.parse::<f64>().ok().filter(|x| x.is_finite())?
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
#[path = "csv_import_tests.rs"]
mod tests;

//! What CSV files and worksheets share: finding the header row (below a title), the columns it
//! names, and one record per row. Rows come in as sparse cells, `(0-based column, text)` in
//! ascending column order; a reader gives every cell (CSV) or only the non-empty ones (sheets).

use super::columns::{self, COLUMN_COUNT, Column, Header};
use super::{
    Builder, CoordIn, Coords, Format, IgnoredColumn, ImportError, ImportOptions, ImportPreview, Problem, RowError,
    ascii_number,
};
use crate::spreadsheet::spreadsheet_unquote;

/// The header row is looked for among this many first non-empty rows (see the [module
/// documentation](super)).
pub const HEADER_SEARCH_ROWS: usize = 10;

/// A row's cells: `(0-based column, text)`, ascending by column.
pub(super) type Cells<'a> = [(usize, &'a str)];

/// A cell that holds no value, as read: `(0-based column, why)` (a spreadsheet error such as
/// `#N/A`). It is a row error if its column is read.
pub(super) type BadCell = (usize, String);

fn is_blank(t: &str) -> bool {
    t.trim().is_empty()
}

/// Whether a row names at least two known columns (fields or a combined coordinate column), so
/// that it is taken as the header rather than a title above it.
fn names_columns(cells: &Cells<'_>) -> bool {
    cells.iter().filter(|(_, t)| matches!(columns::classify(t), Header::Field(_) | Header::LonLat)).count() >= 2
}

/// One column of the file as its header resolved.
struct FileColumn {
    header: String,
    kind: Header,
}

/// The columns of a file, from its header row.
struct Layout {
    columns: Vec<FileColumn>,
    /// File column of each [`Column`].
    at: [Option<usize>; COLUMN_COUNT],
    /// The column holding longitude and latitude together, if the file has one.
    combined: Option<usize>,
    ignored: Vec<IgnoredColumn>,
}

impl Layout {
    /// Resolves a header row at `line`.
    ///
    /// # Errors
    /// [`ImportError::Rows`] naming every problem of the header: two columns for one field, a
    /// required column missing.
    fn new(header: &Cells<'_>, line: u64, opts: &ImportOptions) -> Result<Self, ImportError> {
        let width = header.last().map_or(0, |&(i, _)| i + 1);
        let mut columns: Vec<FileColumn> =
            (0..width).map(|_| FileColumn { header: String::new(), kind: Header::Blank }).collect();
        for &(i, h) in header {
            columns[i] = FileColumn {
                header: h.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}').to_owned(),
                kind: columns::classify(h),
            };
        }
        let mut at: [Option<usize>; COLUMN_COUNT] = [None; COLUMN_COUNT];
        let mut errors = Vec::new();
        let mut combined: Option<usize> = None;
        let mut ignored = Vec::new();
        for (i, fc) in columns.iter().enumerate() {
            let err = |message: String, field: Option<&'static str>| RowError {
                line,
                feature_index: None,
                column: Some(fc.header.clone()),
                column_number: Some(i + 1),
                field,
                message,
            };
            match fc.kind {
                Header::Field(c) => {
                    if let Some(first) = at[c.index()] {
                        errors.push(err(
                            format!(
                                "second column for {} (column {} {:?} is one already)",
                                c.field(),
                                first + 1,
                                columns[first].header
                            ),
                            Some(c.field()),
                        ));
                    } else {
                        at[c.index()] = Some(i);
                    }
                }
                Header::LonLat => {
                    if let Some(first) = at[Column::Lon.index()].or(at[Column::Lat.index()]) {
                        errors.push(err(
                            format!(
                                "second column for the location (column {} {:?} is one already)",
                                first + 1,
                                columns[first].header
                            ),
                            Some("location"),
                        ));
                    } else {
                        at[Column::Lon.index()] = Some(i);
                        at[Column::Lat.index()] = Some(i);
                        combined = Some(i);
                    }
                }
                Header::Unknown => ignored.push(IgnoredColumn { name: fc.header.clone(), column_number: Some(i + 1) }),
                Header::Ignored | Header::Blank => {}
            }
        }
        // A file that is not comma-separated has one long header; say so where it matters.
        let hint = if columns.iter().any(|c| c.kind == Header::Unknown && c.header.contains('\t')) {
            "; the file seems tab-separated: save it as comma-separated CSV"
        } else if columns.iter().any(|c| c.kind == Header::Unknown && c.header.contains(';')) {
            "; the file seems semicolon-separated: save it as comma-separated CSV"
        } else {
            ""
        };
        let missing = |c: Column, or: &str| RowError {
            line,
            feature_index: None,
            column: None,
            column_number: None,
            field: Some(c.field()),
            message: format!("missing required column {} (accepted headers: {}){or}{hint}", c.code(), c.accepted()),
        };
        if opts.default_kind.is_none() && at[Column::Kind.index()].is_none() {
            errors.push(missing(Column::Kind, ", or give a default kind"));
        }
        if at[Column::Name.index()].is_none() {
            errors.push(missing(Column::Name, ""));
        }
        match (at[Column::Lon.index()], at[Column::Lat.index()], at[Column::Address.index()]) {
            (Some(_), Some(_), _) | (None, None, Some(_)) => {}
            (None, None, None) => {
                let or = ", or an address column (地址) to place the stations on the map";
                errors.push(missing(Column::Lon, or));
                errors.push(missing(Column::Lat, or));
            }
            (None, Some(_), _) => errors.push(missing(Column::Lon, "")),
            (Some(_), None, _) => errors.push(missing(Column::Lat, "")),
        }
        if at[Column::Source.index()].is_none() && opts.source.is_none() {
            errors.push(RowError {
                line,
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
        if !errors.is_empty() {
            return Err(ImportError::Rows { errors, omitted: 0 });
        }
        Ok(Self { columns, at, combined, ignored })
    }

    /// The column an unplaced row's refusal names: the combined or the longitude column.
    fn placement(&self) -> Option<(String, Option<usize>)> {
        self.combined.or(self.at[Column::Lon.index()]).map(|i| (self.columns[i].header.clone(), Some(i + 1)))
    }

    /// Reads one data row at `line` into `b`: a record, an unplaced record or its errors.
    fn row(&self, b: &mut Builder<'_>, line: u64, cells: &Cells<'_>, bad: &[BadCell]) {
        let row_error = |i: Option<usize>, field: Option<&'static str>, message: String| RowError {
            line,
            feature_index: None,
            column: i.and_then(|i| self.columns.get(i)).map(|c| c.header.clone()).filter(|h| !h.is_empty()),
            column_number: i.map(|i| i + 1),
            field,
            message,
        };
        let mut errors = Vec::new();
        // Columns whose problem is reported already: the builder's echo of it is dropped.
        let mut reported: Vec<usize> = Vec::new();
        for (i, message) in bad {
            match self.columns.get(*i).map(|c| c.kind) {
                Some(Header::Field(c)) => errors.push(row_error(Some(*i), Some(c.field()), message.clone())),
                Some(Header::LonLat) => errors.push(row_error(Some(*i), Some("location"), message.clone())),
                Some(Header::Ignored | Header::Unknown) => continue,
                Some(Header::Blank) | None => {
                    errors.push(row_error(Some(*i), None, "value in a column without a header".to_owned()));
                }
            }
            reported.push(*i);
        }
        for &(i, t) in cells {
            if !is_blank(t) && self.columns.get(i).is_none_or(|c| c.kind == Header::Blank) {
                errors.push(row_error(Some(i), None, "value in a column without a header".to_owned()));
            }
        }
        let get = |i: usize| cells.binary_search_by_key(&i, |&(c, _)| c).map_or("", |k| cells[k].1);
        // A leading `'` before a formula character is the export's spreadsheet quoting: drop it.
        let cell = |c: Column| self.at[c.index()].map(|i| spreadsheet_unquote(get(i)));
        let has_address = cell(Column::Address).is_some_and(|t| !is_blank(t));
        let (lon_at, lat_at) = (self.at[Column::Lon.index()], self.at[Column::Lat.index()]);
        let coords = if let Some(i) = self.combined {
            let t = get(i);
            if reported.contains(&i) {
                Coords::Cells(None, None)
            } else if is_blank(t) && has_address {
                Coords::Unplaced
            } else {
                match split_lon_lat(t) {
                    Ok((lon, lat)) => Coords::Cells(Some(CoordIn::Number(lon)), Some(CoordIn::Number(lat))),
                    // Reported once, here; the row's other cells are still checked.
                    Err(message) => {
                        errors.push(row_error(Some(i), Some("location"), message));
                        reported.push(i);
                        Coords::Cells(None, None)
                    }
                }
            }
        } else if lon_at.is_none() && lat_at.is_none() {
            // The file has no coordinate columns, so it has an address column.
            if has_address {
                Coords::Unplaced
            } else {
                errors.push(row_error(
                    self.at[Column::Address.index()],
                    Some("address"),
                    "is empty, and the file has no coordinate columns: fill the address (to place the station \
                     on the map) or add 经度 and 纬度 columns"
                        .to_owned(),
                ));
                Coords::Cells(None, None)
            }
        } else {
            let (lon, lat) = (cell(Column::Lon), cell(Column::Lat));
            if lon.is_none_or(is_blank) && lat.is_none_or(is_blank) && has_address {
                Coords::Unplaced
            } else {
                Coords::Cells(lon.map(CoordIn::Text), lat.map(CoordIn::Text))
            }
        };
        match b.build(line, cell, coords) {
            Ok((built, hours_written)) if errors.is_empty() => b.accept(line, None, built, hours_written),
            Ok(_) => {}
            Err(problems) => {
                for Problem { column, field, message } in problems {
                    let i = column.and_then(|c| self.at[c.index()]);
                    if !i.is_some_and(|i| reported.contains(&i)) {
                        errors.push(row_error(i, field, message));
                    }
                }
            }
        }
        errors.sort_by_key(|e| e.column_number);
        for e in errors {
            b.push(e);
        }
    }
}

/// A row read before the header was found, kept until it is known whether it is data.
struct PendingRow {
    line: u64,
    cells: Vec<(usize, String)>,
    bad: Vec<BadCell>,
    fields: usize,
}

impl PendingRow {
    fn cells(&self) -> Vec<(usize, &str)> {
        self.cells.iter().map(|(i, t)| (*i, t.as_str())).collect()
    }
}

/// Reads the rows of a CSV file or a sheet, in order: finds the header among the first rows,
/// then reads every data row.
pub(super) struct Tabulator<'o> {
    opts: &'o ImportOptions,
    builder: Builder<'o>,
    /// Non-empty rows before the header was found.
    pending: Vec<PendingRow>,
    /// The header's layout and field count, once found.
    layout: Option<(Layout, usize)>,
    /// Whether a data row must have as many fields as the header (CSV).
    same_width: bool,
    data_rows: usize,
}

impl<'o> Tabulator<'o> {
    /// `same_width`: a data row with more or fewer fields than the header is an error (CSV).
    pub fn new(opts: &'o ImportOptions, same_width: bool) -> Self {
        Self { opts, builder: Builder::new(opts), pending: Vec::new(), layout: None, same_width, data_rows: 0 }
    }

    /// Whether any non-empty row was read.
    pub fn saw_rows(&self) -> bool {
        self.layout.is_some() || !self.pending.is_empty()
    }

    /// Reads the next row of the file: `fields` is its number of fields (CSV), `cells` its cells.
    /// Rows whose every cell is empty are skipped.
    ///
    /// # Errors
    /// The header's problems, or [`ImportError::TooManyRows`].
    pub fn push(&mut self, line: u64, fields: usize, cells: &Cells<'_>, bad: &[BadCell]) -> Result<(), ImportError> {
        if bad.is_empty() && cells.iter().all(|(_, t)| is_blank(t)) {
            return Ok(());
        }
        if self.layout.is_some() {
            return self.data_row(line, fields, cells, bad);
        }
        let header = names_columns(cells);
        self.pending.push(PendingRow {
            line,
            cells: cells.iter().map(|&(i, t)| (i, t.to_owned())).collect(),
            bad: bad.to_vec(),
            fields,
        });
        if header || self.pending.len() == HEADER_SEARCH_ROWS {
            self.settle_header(if header { self.pending.len() - 1 } else { 0 })?;
        }
        Ok(())
    }

    /// Takes pending row `at` as the header and reads the pending rows after it as data.
    fn settle_header(&mut self, at: usize) -> Result<(), ImportError> {
        let mut pending = std::mem::take(&mut self.pending).into_iter().skip(at);
        let Some(header) = pending.next() else {
            return Ok(());
        };
        self.layout = Some((Layout::new(&header.cells(), header.line, self.opts)?, header.fields));
        for row in pending {
            self.data_row(row.line, row.fields, &row.cells(), &row.bad)?;
        }
        Ok(())
    }

    fn data_row(&mut self, line: u64, fields: usize, cells: &Cells<'_>, bad: &[BadCell]) -> Result<(), ImportError> {
        let Some((layout, width)) = &self.layout else {
            return Ok(());
        };
        self.data_rows += 1;
        if self.data_rows > self.opts.max_rows {
            return Err(ImportError::TooManyRows { max: self.opts.max_rows });
        }
        if self.same_width && fields != *width {
            let hint = if cells.iter().any(|(_, t)| t.contains('\n')) {
                "; a quoted value may be missing its closing quote"
            } else {
                ""
            };
            self.builder.push(RowError {
                line,
                feature_index: None,
                column: None,
                column_number: None,
                field: None,
                message: format!("has {fields} fields but the header has {width}{hint}"),
            });
            return Ok(());
        }
        layout.row(&mut self.builder, line, cells, bad);
        Ok(())
    }

    /// What was read.
    ///
    /// # Errors
    /// The header's problems (when the file has fewer than [`HEADER_SEARCH_ROWS`] non-empty
    /// rows, it is settled here), [`ImportError::Empty`] for no non-empty row,
    /// [`ImportError::NoRows`] for a header without data rows.
    pub fn finish(mut self, format: Format, sheet: Option<String>) -> Result<ImportPreview, ImportError> {
        if self.layout.is_none() {
            if self.pending.is_empty() {
                return Err(ImportError::Empty);
            }
            // No pending row names two columns (it would have been taken already): the first is
            // the header.
            self.settle_header(0)?;
        }
        if self.data_rows == 0 {
            return Err(ImportError::NoRows);
        }
        let (ignored, placement) = match self.layout {
            Some((layout, _)) => {
                let placement = layout.placement();
                (layout.ignored, placement)
            }
            None => (Vec::new(), None),
        };
        Ok(self.builder.finish(format, sheet, ignored, placement))
    }
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

//! Import of station files: CSV (English or Chinese headers; UTF-8 with or without BOM, GBK,
//! GB18030), Excel workbooks (`.xlsx`, `.xls`) and GeoJSON, in WGS-84, GCJ-02 or BD-09.
//!
//! [`preview_stations`] reads a whole file into an [`ImportPreview`]: every good row, every row
//! that has an address but no coordinates yet ([`UnplacedRow`], for the console to place on the
//! map), every bad row by line and column, and the columns that were ignored. [`parse_stations`]
//! is the all-or-nothing import: [`ImportPreview::into_stations`] returns every record, or, if any
//! row is bad or unplaced, an error listing every such row.
//!
//! # Rules
//!
//! * **Encoding** ([`EncodingChoice::Auto`], CSV only): a UTF-8 byte-order mark means UTF-8 (and
//!   the rest must be valid UTF-8); otherwise a file that is valid UTF-8 is UTF-8, and anything else
//!   is decoded as GB18030, the superset of GBK and GB2312 that Chinese spreadsheets save. An
//!   explicit encoding overrides detection; bytes invalid in it are an [`ImportError::Encoding`],
//!   never replaced. UTF-16 files are refused with a hint to save as UTF-8. Workbooks carry their
//!   own encoding and GeoJSON is always UTF-8, so the option does not apply to them.
//! * **Columns** (CSV and sheet headers, GeoJSON property names): the English field codes of
//!   [`StationData`] or their Chinese names, see [`columns`]. Case, spaces, `_` and `-` in English
//!   headers do not matter (`External ID` = `external_id`). Required: name; longitude and
//!   latitude (two columns or one combined `经纬度` column) unless the file has an address column;
//!   kind unless [`ImportOptions::default_kind`] is given. A column of any other name (`备注`,
//!   `负责人`…) is ignored and listed in [`ImportPreview::ignored_columns`] with its header as
//!   written and its 1-based column number, so the keeper sees what was left out; `id`,
//!   `created_at` and `updated_at` (assigned by storage, written by [`crate::export`]) and 序号 (the
//!   row counter) are ignored without being listed. A column with an empty header is allowed only
//!   if it is empty in every row. Two columns for the same field are an error.
//! * **Header row** (CSV and sheets): a title row above the header is common in Chinese ledgers
//!   (台账), so the header is the first of the first [`HEADER_SEARCH_ROWS`] non-empty rows in which
//!   at least two cells name known columns (fields or `经纬度`); the rows above it are skipped. A
//!   file in which no such row exists takes its first non-empty row as the header (and then lacks
//!   required columns).
//! * **Values** of kind, status and amenities may be English codes or Chinese labels
//!   ([`StationKind::parse`], [`StationStatus::parse`], [`crate::amenity::Amenity::parse`]);
//!   amenities are separated by `;`, `,`, `|`, `、`, `，` or `；`. Coordinates are decimal degrees
//!   (full-width digits allowed) in [`ImportOptions::crs`] and are converted to WGS-84. Dates are
//!   `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日` or `YYYYMMDD`. Opening hours are OSM
//!   syntax or written as people write them (`全天`, `周一至周五 8:00-18:00`, see
//!   [`crate::hours::written`]), kept converted to OSM syntax ([`PreviewRow::hours_written`] holds
//!   the text as written). Everything else is checked by [`StationData::normalize_and_validate`],
//!   so the rules live in one place.
//! * **Rows without coordinates**: a row whose coordinate cells are all empty (or a file without
//!   coordinate columns) but which has an address is *unplaced*: every other cell is read and
//!   checked as usual, and it is listed in [`ImportPreview::unplaced`] for the keeper to place on
//!   the map. A row with neither coordinates nor an address is an error. An import that stores
//!   ([`ImportPreview::into_stations`]) refuses unplaced rows like bad ones.
//! * **Identity**: storage upserts by (`source`, `external_id`), so every record gets a `source` (its
//!   own, else [`ImportOptions::source`], else an error) and an `external_id` (its own, else
//!   [`derived_external_id`], stable across re-imports of the same data; an unplaced row keeps its
//!   own or none, its id is derived once it is placed). A key used twice in one file is an error.
//! * **CSV rows**: blank lines and rows whose every cell is empty are skipped; a row with more or
//!   fewer cells than the header is an error (a decimal comma or a stray quote would otherwise
//!   shift values into the wrong columns). Line numbers are 1-based physical lines of the file:
//!   a quoted value spanning lines moves the lines after it, as a text editor shows them.
//! * **Workbooks** ([`Format::Xlsx`], [`Format::Xls`]): the first worksheet, or the one named by
//!   [`ImportOptions::sheet`]. Cells become the text a CSV would hold: text as is, whole numbers
//!   without a decimal point (a telephone number stored as a number, 13800138000, stays
//!   `13800138000`), other numbers in the shortest form that reads back to the same value
//!   (`116.78`), booleans as `TRUE`/`FALSE`, dates as `YYYY-MM-DD`, times of day as `HH:MM`. A cell
//!   holding a spreadsheet error (`#N/A`, `#REF!`…) in a column that is read is a row error at
//!   that cell. Line numbers are the sheet's row numbers and column numbers its columns (A = 1), as
//!   the spreadsheet shows them; empty rows are skipped. Bytes are read from memory. What a
//!   workbook may cost is bounded before it is read: an `.xlsx` may unpack to at most
//!   [`MAX_WORKBOOK_UNPACKED_BYTES`], and the used range of every sheet of an `.xls` may hold at
//!   most [`MAX_XLS_CELLS`] cells; a file over either is refused.
//! * **GeoJSON**: always UTF-8 (RFC 7946). The top level must be a `FeatureCollection`; each
//!   feature must be a `Feature` with a `Point` geometry (an altitude is ignored), or
//!   `"geometry": null` and an address (an unplaced row); properties are named like CSV columns,
//!   text must be JSON strings (`capacity` and `external_id` may also be numbers, `amenities` an
//!   array of strings). `lon`/`lat` properties are allowed if they agree with the geometry.
//!   Errors name the feature (`features[i]`), the line it starts on and the property path; an
//!   unknown property is listed once in [`ImportPreview::ignored_columns`].
//! * **Limits**: more data rows than [`ImportOptions::max_rows`] fail the whole file
//!   ([`ImportError::TooManyRows`]); row errors are listed up to [`MAX_LISTED_ERRORS`], with a
//!   count of the rest. Problems with the file as a whole (its encoding, no header, a required
//!   column missing, not a workbook) are an [`ImportError`] from [`preview_stations`] itself.

pub mod columns;
mod csv_import;
pub(crate) mod geojson_import;
mod preview;
mod table;
mod workbook;
mod xls_guard;

pub use preview::{IgnoredColumn, ImportPreview, PreviewRow, StationDraft, UnplacedRow};
pub use table::HEADER_SEARCH_ROWS;
pub use workbook::MAX_WORKBOOK_UNPACKED_BYTES;
pub use xls_guard::MAX_XLS_CELLS;

use crate::amenity::AmenitySet;
use crate::crs::Crs;
use crate::geodesy::{CoordError, LonLat};
use crate::hours::OpeningHours;
use crate::station::{StationData, StationKind, StationStatus};
use chrono::NaiveDate;
use columns::Column;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// At most this many row errors are listed in [`ImportError::Rows`] and
/// [`ImportPreview::errors`]; the rest are counted.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// Default for [`ImportOptions::max_rows`].
pub const DEFAULT_MAX_ROWS: usize = 1_000_000;

/// A file format the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values with a header row.
    #[default]
    Csv,
    /// A GeoJSON `FeatureCollection` of `Point` features (RFC 7946).
    GeoJson,
    /// An Excel workbook, Office Open XML (`.xlsx`, also `.xlsm`).
    Xlsx,
    /// An Excel 97–2003 workbook (BIFF8, `.xls`).
    Xls,
}

impl Format {
    /// The format a file name's extension suggests: `.csv`/`.txt` → CSV, `.geojson`/`.json` →
    /// GeoJSON, `.xlsx`/`.xlsm` → Xlsx, `.xls` → Xls (case-insensitive).
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Self::Csv),
            "geojson" | "json" => Some(Self::GeoJson),
            "xlsx" | "xlsm" => Some(Self::Xlsx),
            "xls" => Some(Self::Xls),
            _ => None,
        }
    }

    /// `csv`, `geojson`, `xlsx` or `xls`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::GeoJson => "geojson",
            Self::Xlsx => "xlsx",
            Self::Xls => "xls",
        }
    }

    /// Whether the format is a spreadsheet workbook (`xlsx`, `xls`), which has sheets.
    #[must_use]
    pub const fn is_workbook(self) -> bool {
        matches!(self, Self::Xlsx | Self::Xls)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not a known import format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?} (expected csv, geojson, xlsx or xls)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Self::Csv),
            "geojson" | "json" => Ok(Self::GeoJson),
            "xlsx" | "xlsm" => Ok(Self::Xlsx),
            "xls" => Ok(Self::Xls),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// How the bytes of a file are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum EncodingChoice {
    /// UTF-8 if the file is valid UTF-8 (or starts with a UTF-8 BOM), otherwise GB18030.
    #[default]
    Auto,
    /// UTF-8, with or without BOM.
    Utf8,
    /// GBK (Windows code page 936). Decoded with the GB18030 decoder, as the WHATWG Encoding
    /// Standard specifies, so GB2312 files read too.
    Gbk,
    /// GB18030, the superset of GBK.
    Gb18030,
}

impl EncodingChoice {
    /// The label: `auto`, `utf-8`, `gbk` or `gb18030`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Utf8 => "utf-8",
            Self::Gbk => "gbk",
            Self::Gb18030 => "gb18030",
        }
    }
}

impl fmt::Display for EncodingChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The text was not a known encoding label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown encoding {0:?} (expected auto, utf-8, gbk or gb18030)")]
pub struct UnknownEncoding(pub String);

impl FromStr for EncodingChoice {
    type Err = UnknownEncoding;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Ok(Self::Auto),
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "gbk" | "cp936" | "gb2312" => Ok(Self::Gbk),
            "gb18030" | "gb-18030" => Ok(Self::Gb18030),
            _ => Err(UnknownEncoding(s.to_owned())),
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The file format.
    pub format: Format,
    /// The coordinate system of the file's coordinates; they are converted to WGS-84.
    pub crs: Crs,
    /// How the bytes are decoded (CSV only; GeoJSON is always UTF-8, RFC 7946 §11, and workbooks
    /// carry their own encoding).
    pub encoding: EncodingChoice,
    /// The kind of records whose kind column is absent or empty; without it, kind is required.
    pub default_kind: Option<StationKind>,
    /// The source of records that do not name their own.
    pub source: Option<String>,
    /// More data rows (or features) than this fail the import with [`ImportError::TooManyRows`].
    pub max_rows: usize,
    /// Workbooks only: the name of the worksheet to read (as its tab shows it); `None` reads the
    /// first. Giving one for a CSV or GeoJSON file is an [`ImportError::Malformed`].
    pub sheet: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            format: Format::Csv,
            crs: Crs::Wgs84,
            encoding: EncodingChoice::Auto,
            default_kind: None,
            source: None,
            max_rows: DEFAULT_MAX_ROWS,
            sheet: None,
        }
    }
}

/// One problem with one row (CSV, sheet) or feature (GeoJSON), or with the header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// 1-based physical line of the file where the row or feature starts (CSV, GeoJSON), or the
    /// sheet's 1-based row number (workbooks).
    pub line: u64,
    /// GeoJSON only: the feature's 0-based index in `features`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<usize>,
    /// The column's header as written in the file (CSV, sheet), or the property path (GeoJSON,
    /// e.g. `properties.capacity`, `geometry.coordinates`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// CSV and sheets: the column's 1-based number (in a sheet, A = 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_number: Option<usize>,
    /// The [`StationData`] field concerned, as named in the API (`name`, `location.lon`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(i) = self.feature_index {
            write!(f, ", features[{i}]")?;
        }
        match (&self.column, self.column_number) {
            (Some(c), Some(n)) => write!(f, ", column {n} ({c})")?,
            (Some(c), None) => write!(f, " ({c})")?,
            (None, Some(n)) => write!(f, ", column {n}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a file was not imported. Nothing of it was; fix every listed problem and retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ImportError {
    /// The bytes are not text in the chosen (or detected) encoding.
    #[error("line {line}: {message}")]
    Encoding {
        /// The encoding tried: `utf-8` or `gb18030`.
        encoding: &'static str,
        /// 1-based line of the first undecodable byte.
        line: u64,
        /// 0-based byte offset of the first undecodable byte.
        byte_offset: usize,
        /// What is wrong, with a hint.
        message: String,
    },
    /// The file holds no bytes, or only white space.
    #[error("the file is empty")]
    Empty,
    /// The file has a header (or a `FeatureCollection`) but no data.
    #[error("the file has no data rows")]
    NoRows,
    /// The file has more data rows than allowed.
    #[error("the file has more than {max} data rows; split it")]
    TooManyRows {
        /// The limit ([`ImportOptions::max_rows`]).
        max: usize,
    },
    /// The file is not CSV / GeoJSON / a workbook of the expected shape at all (or names a sheet
    /// the workbook does not have).
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Malformed {
        /// 1-based line of the problem, if known.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// Rows (or the header row) are invalid.
    #[error("{} problem(s) in the file:\n{}{}", errors.len() + omitted, errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"), if *omitted > 0 { format!("\n… and {omitted} more") } else { String::new() })]
    Rows {
        /// The problems, in file order, at most [`MAX_LISTED_ERRORS`].
        errors: Vec<RowError>,
        /// How many more problems there are beyond `errors`.
        omitted: usize,
    },
}

impl ImportError {
    /// The listed row errors (empty for other variants).
    #[must_use]
    pub fn row_errors(&self) -> &[RowError] {
        match self {
            Self::Rows { errors, .. } => errors,
            _ => &[],
        }
    }
}

/// Parses a whole file into validated station records, WGS-84, each with a `source` and an
/// `external_id`: [`preview_stations`] then [`ImportPreview::into_stations`]. See the
/// [module documentation](self) for the rules.
///
/// # Errors
/// [`ImportError`] when anything in the file is wrong, every bad or unplaced row listed; then no
/// record is returned.
pub fn parse_stations(bytes: &[u8], opts: &ImportOptions) -> Result<Vec<StationData>, ImportError> {
    preview_stations(bytes, opts)?.into_stations()
}

/// Reads a whole file into what an import would store: the good rows, the rows with an address
/// but no coordinates, every bad row and the ignored columns. See the [module
/// documentation](self) for the rules.
///
/// # Errors
/// [`ImportError`] for problems with the file as a whole: its encoding, no data, no header or a
/// required column missing ([`ImportError::Rows`] at the header row), too many rows, not a
/// workbook, an unknown sheet. Bad rows are not an error here; they are listed in
/// [`ImportPreview::errors`].
pub fn preview_stations(bytes: &[u8], opts: &ImportOptions) -> Result<ImportPreview, ImportError> {
    if opts.sheet.is_some() && !opts.format.is_workbook() {
        return Err(ImportError::Malformed {
            line: None,
            message: format!("a sheet can only be chosen in a workbook (xlsx or xls), not in a {} file", opts.format),
        });
    }
    match opts.format {
        Format::Csv => {
            let text = decode(bytes, opts.encoding)?;
            csv_import::preview(&text, opts)
        }
        Format::GeoJson => {
            let text = decode(bytes, EncodingChoice::Utf8)?;
            geojson_import::preview(&text, opts)
        }
        Format::Xlsx | Format::Xls => workbook::preview(bytes, opts),
    }
}

/// The `external_id` given to a record that has none: `auto:` followed by the 16 lower-case hex
/// digits of the 64-bit FNV-1a hash of the UTF-8 text `kind|name|lon|lat`, where `kind` is the
/// kind's code, `name` the trimmed name, and `lon`, `lat` the WGS-84 position (after conversion)
/// printed with 6 decimals (≈ 0.1 m). Re-importing the same data therefore updates the same
/// stations instead of duplicating them; changing the name or moving the point makes a new one.
#[must_use]
pub fn derived_external_id(kind: StationKind, name: &str, location: LonLat) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let key = format!("{}|{}|{:.6}|{:.6}", kind.code(), name.trim(), location.lon, location.lat);
    let mut h = OFFSET;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    format!("auto:{h:016x}")
}

// ---------------------------------------------------------------------------------------------
// Decoding

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() as u64
}

/// Decodes `bytes` as the [module documentation](self) says, dropping a leading BOM. UTF-8 input
/// is borrowed, not copied.
///
/// # Errors
/// [`ImportError::Encoding`] at the first undecodable byte; [`ImportError::Empty`] for no bytes.
pub fn decode(bytes: &[u8], choice: EncodingChoice) -> Result<Cow<'_, str>, ImportError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::Encoding {
            encoding: "utf-16",
            line: 1,
            byte_offset: 0,
            message: "the file is UTF-16 (\"Unicode text\"); save it as CSV UTF-8 or GBK".to_owned(),
        });
    }
    let text: Cow<'_, str> = match choice {
        EncodingChoice::Utf8 => match bytes.strip_prefix(UTF8_BOM) {
            Some(rest) => Cow::Borrowed(utf8_from(bytes, rest.len())?),
            None => Cow::Borrowed(utf8_from(bytes, bytes.len())?),
        },
        EncodingChoice::Auto => match bytes.strip_prefix(UTF8_BOM) {
            Some(rest) => Cow::Borrowed(utf8_from(bytes, rest.len())?),
            None => match std::str::from_utf8(bytes) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => Cow::Owned(gb18030(bytes)?),
            },
        },
        EncodingChoice::Gbk | EncodingChoice::Gb18030 => Cow::Owned(gb18030(bytes)?),
    };
    let text = match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.strip_prefix('\u{FEFF}').unwrap_or(t)),
        Cow::Owned(t) => match t.strip_prefix('\u{FEFF}') {
            Some(rest) => Cow::Owned(rest.to_owned()),
            None => Cow::Owned(t),
        },
    };
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text)
}

/// The last `len` bytes of `bytes` as UTF-8; offsets in errors count from the start of `bytes`
/// (so they include a BOM that was stripped).
fn utf8_from(bytes: &[u8], len: usize) -> Result<&str, ImportError> {
    let skipped = bytes.len() - len;
    std::str::from_utf8(&bytes[skipped..]).map_err(|e| {
        let at = e.valid_up_to() + skipped;
        ImportError::Encoding {
            encoding: "utf-8",
            line: line_of(bytes, at),
            byte_offset: at,
            message: format!(
                "byte 0x{:02X} at offset {at} is not valid UTF-8{}",
                bytes[at],
                if skipped > 0 {
                    ""
                } else {
                    "; if the file is GBK or GB18030, say so (or let the encoding be detected)"
                }
            ),
        }
    })
}

fn gb18030(bytes: &[u8]) -> Result<String, ImportError> {
    use encoding_rs::{DecoderResult, GB18030};
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let cap = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3);
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(out),
        DecoderResult::Malformed(bad, _) => {
            // `read` is just past the malformed sequence, which is `bad` bytes long.
            let at = read.saturating_sub(usize::from(bad));
            Err(ImportError::Encoding {
                encoding: "gb18030",
                line: line_of(bytes, at),
                byte_offset: at,
                message: format!(
                    "bytes at offset {at} ({}) are neither valid UTF-8 nor valid GBK/GB18030",
                    bytes[at..(at + usize::from(bad).max(1)).min(bytes.len())]
                        .iter()
                        .map(|b| format!("0x{b:02X}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            })
        }
        // The buffer was sized for the worst case, so this cannot happen; report it rather than
        // panic.
        DecoderResult::OutputFull => {
            Err(ImportError::Malformed { line: None, message: "internal error: decoder output buffer full".to_owned() })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Building one record from cells, shared by the CSV and GeoJSON readers

/// One problem found while building a record, before it is placed in the file.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// The column (property) it concerns, if any.
    pub column: Option<Column>,
    /// The API field, if any.
    pub field: Option<&'static str>,
    pub message: String,
}

impl Problem {
    fn at(column: Column, message: impl Into<String>) -> Self {
        Self { column: Some(column), field: Some(column.field()), message: message.into() }
    }
}

/// A coordinate as read: text (CSV) or a number (GeoJSON).
#[derive(Debug, Clone, Copy)]
pub(crate) enum CoordIn<'a> {
    Text(&'a str),
    Number(f64),
}

/// Where a row is, as its reader found it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Coords<'a> {
    /// The longitude and latitude as read (`None`: none to read, the reader has reported why).
    Cells(Option<CoordIn<'a>>, Option<CoordIn<'a>>),
    /// No coordinates, but an address: the row is checked without a position and kept unplaced.
    Unplaced,
}

/// A row that passed every check.
#[derive(Debug, Clone)]
pub(crate) enum Built {
    /// With its position.
    Placed(StationData),
    /// Without a position (it has an address).
    Unplaced(StationDraft),
}

/// Shared state of one import: options, caches, the duplicate-key index and what was read.
pub(crate) struct Builder<'o> {
    opts: &'o ImportOptions,
    hours_cache: HashMap<String, OpeningHours>,
    /// source → external_id → line first seen.
    keys: HashMap<String, HashMap<String, u64>>,
    errors: Vec<RowError>,
    omitted: usize,
    rows: Vec<PreviewRow>,
    unplaced: Vec<UnplacedRow>,
}

/// Replaces full-width ASCII (U+FF01–U+FF5E, as typed with a Chinese input method) by ASCII and
/// drops a trailing degree sign.
pub(crate) fn ascii_number(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    let s = s.strip_suffix('°').unwrap_or(s).trim_end();
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(crate::text::halfwidth).collect::<String>().trim().to_owned())
}

fn parse_degrees(column: Column, v: CoordIn<'_>) -> Result<f64, Problem> {
    let x = match v {
        CoordIn::Number(x) => x,
        CoordIn::Text(t) => {
            let t = ascii_number(t);
            if t.is_empty() {
                return Err(Problem::at(column, "is required but empty"));
            }
            // Rust also parses "NaN", "inf" and "infinity"; they are not coordinates.
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => x,
                Ok(_) => return Err(Problem::at(column, format!("{t:?} is not a finite number"))),
                Err(_) => return Err(Problem::at(column, format!("{t:?} is not a number"))),
            }
        }
    };
    let err = match column {
        Column::Lon if !(-180.0..=180.0).contains(&x) => CoordError::Longitude(x),
        Column::Lat if !(-90.0..=90.0).contains(&x) => CoordError::Latitude(x),
        _ => return Ok(x),
    };
    Err(Problem::at(column, err.to_string()))
}

/// Accepted date forms, tried in order.
const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"];

fn parse_date(t: &str) -> Option<NaiveDate> {
    // Fast path for the ISO form, which exports write.
    let b = t.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| t.get(r).and_then(|s| s.parse::<u32>().ok());
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
        }
    }
    let t = ascii_number(t);
    DATE_FORMATS.iter().find_map(|f| NaiveDate::parse_from_str(&t, f).ok())
}

impl<'o> Builder<'o> {
    pub fn new(opts: &'o ImportOptions) -> Self {
        Self {
            opts,
            hours_cache: HashMap::new(),
            keys: HashMap::new(),
            errors: Vec::new(),
            omitted: 0,
            rows: Vec::new(),
            unplaced: Vec::new(),
        }
    }

    /// Records an error, keeping at most [`MAX_LISTED_ERRORS`].
    pub fn push(&mut self, e: RowError) {
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(e);
        } else {
            self.omitted += 1;
        }
    }

    /// Keeps a row that passed every check.
    pub fn accept(&mut self, line: u64, feature_index: Option<usize>, built: Built, hours_written: Option<String>) {
        match built {
            Built::Placed(data) => self.rows.push(PreviewRow { line, feature_index, data, hours_written }),
            Built::Unplaced(draft) => self.unplaced.push(UnplacedRow { line, feature_index, draft, hours_written }),
        }
    }

    /// What was read. `placement` is the column an unplaced row's refusal names (header and
    /// number, or a GeoJSON path).
    pub fn finish(
        self,
        format: Format,
        sheet: Option<String>,
        ignored_columns: Vec<IgnoredColumn>,
        placement: Option<(String, Option<usize>)>,
    ) -> ImportPreview {
        ImportPreview {
            format,
            sheet,
            rows: self.rows,
            unplaced: self.unplaced,
            errors: self.errors,
            omitted_errors: self.omitted,
            ignored_columns,
            placement,
        }
    }

    /// The opening hours of a cell (OSM syntax or as written), and the text as written when it
    /// was converted.
    fn hours(&mut self, t: &str) -> Result<(OpeningHours, Option<String>), Problem> {
        let h = match self.hours_cache.get(t) {
            Some(h) => h.clone(),
            None => {
                let h = OpeningHours::parse_written(t).map_err(|e| Problem::at(Column::OpeningHours, e.to_string()))?;
                if self.hours_cache.len() < 10_000 {
                    self.hours_cache.insert(t.to_owned(), h.clone());
                }
                h
            }
        };
        let written = (h.as_str() != t.trim()).then(|| t.trim().to_owned());
        Ok((h, written))
    }

    /// Builds and validates one record from its cells. `text(c)` is the cell of column `c`, `None`
    /// when the file has no such column; `coords` is where the row is. `line` is the row's line,
    /// for the duplicate-key message. On success, also returns the opening hours as written when
    /// they were converted. Problems are returned in column order.
    pub fn build<'a>(
        &mut self,
        line: u64,
        text: impl Fn(Column) -> Option<&'a str>,
        coords: Coords<'a>,
    ) -> Result<(Built, Option<String>), Vec<Problem>> {
        let mut problems = Vec::new();
        let opt_text = |c: Column| text(c).map(str::trim).filter(|s| !s.is_empty());

        let kind = if let Some(t) = opt_text(Column::Kind) {
            match t.parse::<StationKind>() {
                Ok(k) => Some(k),
                Err(e) => {
                    problems.push(Problem::at(Column::Kind, e.to_string()));
                    None
                }
            }
        } else {
            if self.opts.default_kind.is_none() {
                problems.push(Problem::at(Column::Kind, "is required but empty (or give a default kind)"));
            }
            self.opts.default_kind
        };
        // `Some(None)`: unplaced, no position wanted.
        let location: Option<Option<LonLat>> = match coords {
            Coords::Unplaced => Some(None),
            Coords::Cells(lon, lat) => {
                let lon = lon.map(|v| parse_degrees(Column::Lon, v));
                let lat = lat.map(|v| parse_degrees(Column::Lat, v));
                match (lon, lat) {
                    (Some(Ok(x)), Some(Ok(y))) => Some(Some(self.opts.crs.to_wgs84(LonLat { lon: x, lat: y }))),
                    (lon, lat) => {
                        for r in [lon, lat].into_iter().flatten() {
                            if let Err(p) = r {
                                problems.push(p);
                            }
                        }
                        None
                    }
                }
            }
        };
        let amenities = match opt_text(Column::Amenities) {
            Some(t) => AmenitySet::parse_list(t).unwrap_or_else(|e| {
                problems.push(Problem::at(Column::Amenities, e.to_string()));
                AmenitySet::EMPTY
            }),
            None => AmenitySet::EMPTY,
        };
        let (opening_hours, hours_written) = match opt_text(Column::OpeningHours) {
            Some(t) => match self.hours(t) {
                Ok((h, written)) => (Some(h), written),
                Err(p) => {
                    problems.push(p);
                    (None, None)
                }
            },
            None => (None, None),
        };
        let capacity = match opt_text(Column::Capacity) {
            Some(t) => {
                let t = ascii_number(t);
                if let Ok(c) = t.parse::<u32>() {
                    Some(c)
                } else {
                    let why = if t.parse::<f64>().is_ok() { "is not a whole number ≥ 0" } else { "is not a number" };
                    problems.push(Problem::at(Column::Capacity, format!("{t:?} {why}")));
                    None
                }
            }
            None => None,
        };
        let status = match opt_text(Column::Status) {
            Some(t) => t.parse::<StationStatus>().unwrap_or_else(|e| {
                problems.push(Problem::at(Column::Status, e.to_string()));
                StationStatus::default()
            }),
            None => StationStatus::default(),
        };
        let verified_on = match opt_text(Column::VerifiedOn) {
            Some(t) => parse_date(t).or_else(|| {
                problems.push(Problem::at(
                    Column::VerifiedOn,
                    format!("{t:?} is not a date (expected YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYY年M月D日)"),
                ));
                None
            }),
            None => None,
        };
        let source = opt_text(Column::Source).map(str::to_owned).or_else(|| self.opts.source.clone());
        if source.is_none() {
            problems
                .push(Problem::at(Column::Source, "no source: fill the source column or give a source for the import"));
        }

        // Validate the rest even when the kind or position is bad, so that every problem of the row
        // is reported at once; placeholders stand in for what could not be read (and for the
        // position of an unplaced row, which is checked when it is placed).
        let own = |c: Column| text(c).map(str::to_owned);
        let mut data = StationData {
            kind: kind.unwrap_or(StationKind::RestStation),
            name: text(Column::Name).unwrap_or_default().to_owned(),
            address: own(Column::Address),
            district: own(Column::District),
            street: own(Column::Street),
            location: location.flatten().unwrap_or(LonLat { lon: 0.0, lat: 0.0 }),
            amenities,
            opening_hours,
            capacity,
            operator: own(Column::Operator),
            phone: own(Column::Phone),
            offer: own(Column::Offer),
            status,
            source,
            external_id: own(Column::ExternalId),
            verified_on,
        };
        if let Err(errs) = data.normalize_and_validate() {
            problems.extend(errs.into_iter().map(|e| Problem {
                column: Column::from_field(e.field),
                field: Some(e.field),
                message: e.message,
            }));
        }
        let (Some(_), Some(location), true) = (kind, location, problems.is_empty()) else {
            problems.sort_by_key(|p| p.column);
            return Err(problems);
        };
        if let Some(at) = location
            && data.external_id.is_none()
        {
            data.external_id = Some(derived_external_id(data.kind, &data.name, at));
        }
        // The key is (source, external_id); an unplaced row without its own id has none yet.
        if let Some(ext) = data.external_id.as_deref() {
            let src = data.source.as_deref().unwrap_or_default();
            let per_source = match self.keys.get_mut(src) {
                Some(m) => m,
                None => self.keys.entry(src.to_owned()).or_default(),
            };
            if let Some(first) = per_source.get(ext) {
                let message =
                    if ext.starts_with("auto:") && text(Column::ExternalId).is_none_or(|t| t.trim().is_empty()) {
                        format!(
                            "duplicate of line {first}: same kind, name and position (derived external_id {ext}); \
                         remove the copy or give each an external_id"
                        )
                    } else {
                        format!("external_id {ext:?} (source {src:?}) is already used on line {first}")
                    };
                return Err(vec![Problem { column: Some(Column::ExternalId), field: Some("external_id"), message }]);
            }
            per_source.insert(ext.to_owned(), line);
        }
        let built = match location {
            Some(_) => Built::Placed(data),
            None => Built::Unplaced(StationDraft::from(data)),
        };
        Ok((built, hours_written))
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

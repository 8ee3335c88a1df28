//! `POST /api/v1/import`: a whole CSV, GeoJSON or Excel file in the body, imported all or nothing;
//! with `dry_run=true`, the preview of what it would store (and nothing stored).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::state::AppState;
use yizhan_http::auth::EditorAccess;
use yizhan_http::body::{is_json, media_type};
use yizhan_http::error::{ApiError, ErrorBody, ErrorDetail};
use yizhan_http::model::ImportResponse;
use yizhan_http::query::{QueryParams, parse_bool, parse_crs};
use yizhan_planner::import::{
    EncodingChoice, Format, ImportError, ImportOptions, ImportPreview, RowError, StationDraft, preview_stations,
};
use yizhan_planner::station::{StationId, StationKind};

/// Parameters of `POST /api/v1/import`.
const IMPORT_PARAMS: &[&str] = &["format", "crs", "encoding", "kind", "source", "sheet", "dry_run"];

/// Media type of `.xlsx` workbooks.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Media type of `.xls` workbooks.
const XLS: &str = "application/vnd.ms-excel";

/// The importer's options from the query string and `Content-Type`: the format from `format=` or
/// else the media type; the encoding from `encoding=` or else the media type's `charset`
/// parameter, else detected.
pub(crate) fn import_options(
    raw: Option<&str>,
    headers: &HeaderMap,
    max_rows: usize,
) -> Result<ImportOptions, ApiError> {
    let q = QueryParams::parse(raw, IMPORT_PARAMS)?;
    let format = match q.single("format")? {
        Some(s) => s.parse::<Format>().map_err(|e| ApiError::invalid_parameter("format", e.to_string()))?,
        None => match media_type(headers)? {
            Some(m) if m == "text/csv" => Format::Csv,
            Some(m) if is_json(&m) => Format::GeoJson,
            Some(m) if m == XLSX => Format::Xlsx,
            Some(m) if m == XLS => Format::Xls,
            Some(m) => {
                return Err(ApiError::unsupported_media_type(format!(
                    "Content-Type {m:?} does not name a station file format; send text/csv, \
                     application/geo+json or an Excel workbook type, or give format=csv|geojson|xlsx|xls"
                )));
            }
            None => {
                return Err(ApiError::unsupported_media_type(
                    "the file format is unknown: give format=csv|geojson|xlsx|xls or a Content-Type of text/csv, \
                     application/geo+json or an Excel workbook type",
                ));
            }
        },
    };
    let crs = parse_crs(&q)?;
    let encoding = match (q.single("encoding")?, charset(headers)) {
        (Some(s), _) => {
            s.parse::<EncodingChoice>().map_err(|e| ApiError::invalid_parameter("encoding", e.to_string()))?
        }
        (None, Some(c)) => c.parse::<EncodingChoice>().map_err(|_| {
            ApiError::unsupported_media_type(format!(
                "charset {c:?} is not supported (expected utf-8, gbk or gb18030); save the file as UTF-8"
            ))
        })?,
        (None, None) => EncodingChoice::Auto,
    };
    let default_kind = q
        .single("kind")?
        .map(|s| s.parse::<StationKind>().map_err(|e| ApiError::invalid_parameter("kind", e.to_string())))
        .transpose()?;
    let source = q.single("source")?.map(str::to_owned);
    let sheet = q.single("sheet")?.map(str::to_owned);
    if sheet.is_some() && !matches!(format, Format::Xlsx | Format::Xls) {
        return Err(ApiError::invalid_parameter(
            "sheet",
            "sheet= names a worksheet of an Excel workbook (format xlsx or xls)",
        ));
    }
    Ok(ImportOptions { format, crs, encoding, default_kind, source, max_rows, sheet })
}

/// The `charset` parameter of the `Content-Type` header, if any.
fn charset(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(axum::http::header::CONTENT_TYPE)?.to_str().ok()?;
    v.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// One bad row as an error detail.
fn row_detail(r: &RowError) -> ErrorDetail {
    ErrorDetail {
        line: Some(r.line),
        feature_index: r.feature_index,
        column: r.column.clone(),
        column_number: r.column_number,
        field: r.field.map(str::to_owned),
        message: r.message.clone(),
    }
}

/// Maps an importer error: 413 when the file has too many rows, else 422 `invalid_file` with
/// every listed bad row in `details`.
pub(crate) fn import_error(e: &ImportError) -> ApiError {
    if matches!(e, ImportError::TooManyRows { .. }) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_rows",
            format!("the file was not imported: {e}"),
        );
    }
    let rows = e.row_errors();
    let message = if rows.is_empty() {
        format!("the file was not imported: {e}")
    } else {
        let first = rows.first().map(ToString::to_string).unwrap_or_default();
        let total = match e {
            ImportError::Rows { errors, omitted } => errors.len() + omitted,
            _ => rows.len(),
        };
        format!("the file was not imported: {total} problem(s), {} listed in details; the first: {first}", rows.len())
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", message)
        .with_details(rows.iter().map(row_detail).collect())
}

/// Imports a station file. Rows whose `source` + `external_id` match a stored station update it;
/// the others create stations. One bad row refuses the whole file (nothing is stored) and the
/// answer lists every bad row by line and column. With `dry_run=true` nothing is stored and the
/// answer is the preview ([`ImportPreviewResponse`]).
#[utoipa::path(
    post,
    path = "/api/v1/import",
    tag = "import",
    params(
        ("format" = Option<String>, Query, description = "`csv`, `geojson`, `xlsx` or `xls`; default from Content-Type (`text/csv`, `application/geo+json`, `application/json`, the Excel types)."),
        ("crs" = Option<String>, Query, description = "Coordinate system of the file: `wgs84` (default), `gcj02` or `bd09`."),
        ("encoding" = Option<String>, Query, description = "CSV text encoding: `auto` (default: UTF-8 if valid, else GB18030), `utf-8`, `gbk` or `gb18030`."),
        ("kind" = Option<String>, Query, description = "Kind of rows that have no kind column or value."),
        ("source" = Option<String>, Query, description = "Source of rows that name none (the key re-imports update by, with external_id)."),
        ("sheet" = Option<String>, Query, description = "Workbooks: the worksheet to read (default the first)."),
        ("dry_run" = Option<bool>, Query, description = "`true`: store nothing and answer the preview (rows with what each would do, bad rows, unplaced rows, ignored columns)."),
    ),
    request_body(description = "The file, raw.", content(
        ("text/csv"),
        ("application/geo+json"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("application/vnd.ms-excel"),
    )),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Imported (`ImportResponse`), or with dry_run the preview (`ImportPreviewResponse`).", body = ImportResponse),
        (status = 400, description = "Invalid or unknown query parameter.", body = ErrorBody),
        (status = 401, description = "Missing or wrong credentials.", body = ErrorBody),
        (status = 403, description = "Not an editor, writes are disabled, or the CSRF token is missing.", body = ErrorBody),
        (status = 409, description = "A row conflicts with a stored station.", body = ErrorBody),
        (status = 413, description = "The file is too large.", body = ErrorBody),
        (status = 415, description = "The file format is unknown.", body = ErrorBody),
        (status = 422, description = "The file is invalid; `details` lists every bad row (line, column, field, message).", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn import_stations(
    EditorAccess(access): EditorAccess,
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let limits = state.config.limits;
    let dry_run = match QueryParams::parse(raw.as_deref(), IMPORT_PARAMS)?.single("dry_run")? {
        None => false,
        Some(s) => parse_bool("dry_run", s)?,
    };
    let opts = import_options(raw.as_deref(), &headers, limits.max_import_rows)?;
    let body = body.map_err(|e| ApiError::from_body_rejection(&e, limits.max_body_bytes))?;
    let preview = tokio::task::spawn_blocking(move || preview_stations(&body, &opts))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| import_error(&e))?;
    if dry_run {
        return Ok(Json(preview_response(&state, preview)).into_response());
    }
    let ignored_columns = preview.ignored_columns.iter().map(|c| c.name.clone()).collect();
    let rows = preview.into_stations().map_err(|e| import_error(&e))?;
    let outcome = state.import_stations_as(&access.audit(), rows, &|_| {}).await?;
    Ok(Json(ImportResponse {
        created: outcome.created.len(),
        updated: outcome.updated.len(),
        total: state.index().len(),
        ignored_columns,
    })
    .into_response())
}

/// What a good row would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RowAction {
    /// A new station.
    Create,
    /// Replaces the stored station with the same `source` and `external_id`.
    Update,
}

/// A good row of the preview.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PreviewRowOut {
    /// Where the row starts (1-based line, or the sheet's row number).
    pub line: u64,
    /// GeoJSON only: the feature's index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<usize>,
    /// What importing it would do.
    pub action: RowAction,
    /// The stored station it would update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station_id: Option<StationId>,
    /// The opening-hours cell as written, when converted from Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_written: Option<String>,
    /// The record as it would be stored: a GeoJSON Feature (WGS-84) the importer reads back.
    #[schema(value_type = Object)]
    pub feature: Value,
}

/// A row with an address but no coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnplacedRowOut {
    /// Where the row starts (1-based line, or the sheet's row number).
    pub line: u64,
    /// GeoJSON only: the feature's index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<usize>,
    /// The opening-hours cell as written, when converted from Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_written: Option<String>,
    /// The record as a GeoJSON Feature with `geometry: null`: give it a Point to import it.
    #[schema(value_type = Object)]
    pub feature: Value,
}

/// A column that names no station field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IgnoredColumnOut {
    /// The header (property name) as written.
    pub name: String,
    /// CSV and sheets: the column's 1-based number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_number: Option<usize>,
}

/// The answer of `POST /api/v1/import?dry_run=true`: what the file would store; nothing was.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportPreviewResponse {
    /// Always `true`.
    pub dry_run: bool,
    /// Whether importing the file as it is would succeed: no bad row, no unplaced row.
    pub ok: bool,
    /// The format read.
    pub format: Format,
    /// Workbooks: the worksheet read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Rows that would create a station.
    pub created: usize,
    /// Rows that would update a stored station.
    pub updated: usize,
    /// Every good row, in file order.
    pub rows: Vec<PreviewRowOut>,
    /// Every row with an address but no coordinates, in file order.
    pub unplaced: Vec<UnplacedRowOut>,
    /// Every problem of every bad row, in file order (at most 1000 listed).
    pub errors: Vec<ErrorDetail>,
    /// Problems beyond those listed.
    pub omitted_errors: usize,
    /// Columns not read.
    pub ignored_columns: Vec<IgnoredColumnOut>,
}

/// The preview answer: each good row classified against the register as it is now.
fn preview_response(state: &AppState, p: ImportPreview) -> ImportPreviewResponse {
    let index = state.index();
    let keys: HashMap<(&str, &str), StationId> = index
        .iter()
        .filter_map(|s| Some(((s.data.source.as_deref()?, s.data.external_id.as_deref()?), s.id)))
        .collect();
    let rows: Vec<PreviewRowOut> = p
        .rows
        .into_iter()
        .map(|r| {
            let existing = match (r.data.source.as_deref(), r.data.external_id.as_deref()) {
                (Some(s), Some(e)) => keys.get(&(s, e)).copied(),
                _ => None,
            };
            let location = r.data.location;
            PreviewRowOut {
                line: r.line,
                feature_index: r.feature_index,
                action: if existing.is_some() { RowAction::Update } else { RowAction::Create },
                station_id: existing,
                hours_written: r.hours_written,
                feature: StationDraft::from(r.data).to_feature(location),
            }
        })
        .collect();
    let unplaced: Vec<UnplacedRowOut> = p
        .unplaced
        .into_iter()
        .map(|u| UnplacedRowOut {
            line: u.line,
            feature_index: u.feature_index,
            hours_written: u.hours_written,
            feature: json!({"type": "Feature", "geometry": null, "properties": u.draft}),
        })
        .collect();
    let updated = rows.iter().filter(|r| r.action == RowAction::Update).count();
    let ok = p.errors.is_empty() && p.omitted_errors == 0 && unplaced.is_empty();
    ImportPreviewResponse {
        dry_run: true,
        ok,
        format: p.format,
        sheet: p.sheet,
        created: rows.len() - updated,
        updated,
        rows,
        unplaced,
        errors: p.errors.iter().map(row_detail).collect(),
        omitted_errors: p.omitted_errors,
        ignored_columns: p
            .ignored_columns
            .into_iter()
            .map(|c| IgnoredColumnOut { name: c.name, column_number: c.column_number })
            .collect(),
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;

//! `POST /api/v1/import`: a whole CSV or GeoJSON file in the body, imported all or nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use std::sync::Arc;
use yizhan_core::state::AppState;
use yizhan_http::auth::EditorAccess;
use yizhan_http::body::{is_json, media_type};
use yizhan_http::error::{ApiError, ErrorBody, ErrorDetail};
use yizhan_http::model::ImportResponse;
use yizhan_http::query::{QueryParams, parse_crs};
use yizhan_planner::import::{EncodingChoice, Format, ImportError, ImportOptions, RowError, parse_stations};
use yizhan_planner::station::StationKind;

/// Parameters of `POST /api/v1/import`.
const IMPORT_PARAMS: &[&str] = &["format", "crs", "encoding", "kind", "source"];

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
            Some(m) => {
                return Err(ApiError::unsupported_media_type(format!(
                    "Content-Type {m:?} does not name a station file format; send text/csv or \
                     application/geo+json, or give format=csv|geojson"
                )));
            }
            None => {
                return Err(ApiError::unsupported_media_type(
                    "the file format is unknown: give format=csv|geojson or a Content-Type of text/csv or \
                     application/geo+json",
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
    Ok(ImportOptions { format, crs, encoding, default_kind, source, max_rows })
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
/// answer lists every bad row by line and column.
#[utoipa::path(
    post,
    path = "/api/v1/import",
    tag = "import",
    params(
        ("format" = Option<String>, Query, description = "`csv` or `geojson`; default from Content-Type (`text/csv`, `application/geo+json`, `application/json`)."),
        ("crs" = Option<String>, Query, description = "Coordinate system of the file: `wgs84` (default), `gcj02` or `bd09`."),
        ("encoding" = Option<String>, Query, description = "CSV text encoding: `auto` (default: UTF-8 if valid, else GB18030), `utf-8`, `gbk` or `gb18030`."),
        ("kind" = Option<String>, Query, description = "Kind of rows that have no kind column or value."),
        ("source" = Option<String>, Query, description = "Source of rows that name none (the key re-imports update by, with external_id)."),
    ),
    request_body(description = "The file, raw.", content(
        ("text/csv"),
        ("application/geo+json"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Imported.", body = ImportResponse),
        (status = 400, description = "Invalid or unknown query parameter.", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token.", body = ErrorBody),
        (status = 403, description = "Writes are disabled (no API token configured).", body = ErrorBody),
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
) -> Result<Json<ImportResponse>, ApiError> {
    let limits = state.config.limits;
    let opts = import_options(raw.as_deref(), &headers, limits.max_import_rows)?;
    let body = body.map_err(|e| ApiError::from_body_rejection(&e, limits.max_body_bytes))?;
    let rows = tokio::task::spawn_blocking(move || parse_stations(&body, &opts))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| import_error(&e))?;
    let outcome = state.import_stations_as(&access.audit(), rows, &|_| {}).await?;
    Ok(Json(ImportResponse {
        created: outcome.created.len(),
        updated: outcome.updated.len(),
        total: state.index().len(),
    }))
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;

//! `POST /api/v1/demand?name=…`: import a demand dataset (CSV or GeoJSON points with weights, any
//! coordinate system the station importer knows), all or nothing; `GET /api/v1/demand` lists them.

use super::import::import_error;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::state::AppState;
use yizhan_http::auth::WriteAccess;
use yizhan_http::body::{is_json, media_type};
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::{QueryParams, parse_crs};
use yizhan_planner::coverage::demand::{DataFormat, parse_demand};
use yizhan_store::{DemandDataset, DemandInfo};

/// Every stored demand dataset.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemandList {
    /// By name.
    pub datasets: Vec<DemandInfo>,
}

/// Imports (or replaces) a demand dataset.
#[utoipa::path(
    post,
    path = "/api/v1/demand",
    tag = "planner",
    params(
        ("name" = String, Query, description = "The dataset's name (replaces a dataset of the same name)."),
        ("format" = Option<String>, Query, description = "`csv` or `geojson`; default from Content-Type."),
        ("crs" = Option<String>, Query, description = "Coordinate system of the file: `wgs84` (default), `gcj02` or `bd09`."),
        ("district" = Option<String>, Query, description = "The district the data is about, if any."),
    ),
    request_body(description = "The file, raw: CSV with lon/lat (经度/纬度) and weight (权重) columns, or GeoJSON Point features with a `weight` property.", content(("text/csv"), ("application/geo+json"))),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Stored.", body = DemandInfo),
        (status = 400, description = "Missing or invalid query parameter.", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token.", body = ErrorBody),
        (status = 403, description = "Writes are disabled (no API token configured).", body = ErrorBody),
        (status = 413, description = "The file is too large.", body = ErrorBody),
        (status = 415, description = "The file format is unknown.", body = ErrorBody),
        (status = 422, description = "The file is invalid; `details` lists every bad row (line, column, message).", body = ErrorBody),
    )
)]
pub(crate) async fn import_demand(
    access: WriteAccess,
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let q = QueryParams::parse(raw.as_deref(), &["name", "format", "crs", "district"])?;
    let name = q.single("name")?.map(str::trim).ok_or_else(|| ApiError::missing_parameter("name"))?.to_owned();
    if matches!(name.as_str(), "demo" | "uniform") || name.starts_with("demo:") {
        return Err(ApiError::invalid_parameter("name", "\"demo\", \"uniform\" and \"demo:…\" are reserved names"));
    }
    let format = match q.single("format")? {
        Some(s) => s.parse::<DataFormat>().map_err(|e| ApiError::invalid_parameter("format", e.to_string()))?,
        None => match media_type(&headers)? {
            Some(m) if m == "text/csv" => DataFormat::Csv,
            Some(m) if is_json(&m) => DataFormat::GeoJson,
            _ => {
                return Err(ApiError::unsupported_media_type(
                    "the file format is unknown: give format=csv|geojson or a Content-Type of text/csv or \
                     application/geo+json",
                ));
            }
        },
    };
    let crs = parse_crs(&q)?;
    let district = q.single("district")?.map(str::to_owned);
    let body = body.map_err(|e| ApiError::from_body_rejection(&e, state.config.limits.max_body_bytes))?;
    let points = tokio::task::spawn_blocking(move || parse_demand(&body, format, crs))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| import_error(&e))?;
    let dataset = DemandDataset {
        name,
        district,
        synthetic: false,
        points: points.iter().map(|p| [p.pos.lon, p.pos.lat, p.weight]).collect(),
    };
    let info = state.store.put_demand_audited(&dataset, &access.audit()).await?;
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

/// Every stored demand dataset (without points).
#[utoipa::path(
    get,
    path = "/api/v1/demand",
    tag = "planner",
    responses((status = 200, description = "The datasets, by name.", body = DemandList)),
)]
pub(crate) async fn list_demand(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<DemandList>, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    Ok(Json(DemandList { datasets: state.store.demand_list().await? }))
}

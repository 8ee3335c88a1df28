//! `POST /api/v1/coverage` and `GET /api/v1/coverage/{id}`: the coverage of a district (or a drawn
//! boundary) by stations within 10/15 minutes, per H3 cell, weighted by demand. Also the planner's
//! shared pieces: the router of every planner route, JSON body parsing and the mapping of
//! [`AnalysisError`] onto the error body.

use super::auth::Caller;
use super::body::require_json;
use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use super::{demand, plans, scenarios};
use crate::analysis::{AnalysisError, CoverageRequest, run_coverage_for};
use crate::state::AppState;
use crate::store::{AnalysisKind, JsonText};
use crate::work::WorkPool;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The planner's routes (coverage, plans, scenarios, demand); the plan job registry is an
/// `Extension<Arc<Jobs>>` the caller layers over them.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/coverage", post(create_coverage))
        .route("/api/v1/coverage/{id}", get(get_coverage))
        .route("/api/v1/plans", post(plans::create_plan))
        .route("/api/v1/plans/{id}", get(plans::get_plan).delete(plans::cancel_plan))
        .route("/api/v1/scenarios", post(scenarios::create_scenario).get(scenarios::list_scenarios))
        .route("/api/v1/scenarios/compare", get(scenarios::compare_scenarios))
        .route("/api/v1/demand", post(demand::import_demand).get(demand::list_demand))
}

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::NotFound { field, message } => Self::not_found(message).with_field(field),
            AnalysisError::Invalid { field, message } => Self::invalid_body(Some(field), message),
            AnalysisError::TooLarge { field, message } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message).with_field(field)
            }
            AnalysisError::Conflict { field, message } => {
                Self::new(StatusCode::CONFLICT, "conflict", message).with_field(field)
            }
            AnalysisError::Busy(message) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_jobs", message).retry_after(5)
            }
            AnalysisError::OverBudget { field, message } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "over_budget", message).with_field(field)
            }
            AnalysisError::Cancelled => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "cancelled",
                "the analysis was cancelled (the server is shutting down)",
            ),
            AnalysisError::Work(w) => w.into(),
            AnalysisError::Store(s) => s.into(),
            other => Self::internal(&other),
        }
    }
}

/// Parses a JSON request body into `T`, naming the field at fault (400 for text that is not JSON,
/// 422 for JSON of the wrong shape).
pub(crate) fn parse_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T, ApiError> {
    require_json(headers)?;
    let body = body.map_err(|r| ApiError::from_body_rejection(&r, limit))?;
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| ApiError::malformed_json(&e))?;
    if !value.is_object() {
        return Err(ApiError::invalid_body(None, "expected a JSON object"));
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let inner = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." { backticked(&inner) } else { Some(path) };
        let message = match &field {
            Some(f) => format!("{f}: {inner}"),
            None => inner,
        };
        ApiError::invalid_body(field.as_deref(), message)
    })
}

/// Bodies larger than this are parsed on the heavy-work pool, not on the riders' threads.
const POOL_PARSE_BYTES: usize = 64 * 1024;

/// [`parse_json`] for bodies that may be large (a drawn boundary, long lists): a body over
/// 64 KiB is parsed on the heavy-work pool within the anonymous budget.
pub(crate) async fn parse_json_pooled<T: DeserializeOwned + Send + 'static>(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let limit = state.config.limits.max_body_bytes;
    require_json(headers)?;
    let body = body.map_err(|r| ApiError::from_body_rejection(&r, limit))?;
    if body.len() <= POOL_PARSE_BYTES {
        return parse_json(headers, Ok(body), limit);
    }
    let headers = headers.clone();
    let budget = WorkPool::budget(state.config.limits.anonymous.limits());
    state.work.run("parse_body", budget, move |_| parse_json(&headers, Ok(body), limit)).await?
}

/// The first `` `name` `` quoted in a serde message ("unknown field `minuts`").
fn backticked(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(msg[start..start + len].to_owned())
}

/// A path's id, text.
pub(crate) fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::invalid_parameter("id", e.body_text()))?;
    Ok(id)
}

/// Analyses the coverage of an area by stations.
#[utoipa::path(
    post,
    path = "/api/v1/coverage",
    tag = "planner",
    request_body(content = CoverageRequest, description = "The area (district or boundary), thresholds, filters and demand.", content_type = "application/json"),
    responses(
        (status = 200, description = "The analysis: `id`, `area`, `method`, `resolution`, `mode`, `minutes`, `demand`, `summary`, `streets`, `gaps` and `cells` (a GeoJSON FeatureCollection of H3 hexagons with `h3`, `travel_time_s`, `class`, `demand`, `street`, `station_id`).", body = Object),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 404, description = "Unknown `district`, `demand` dataset or `scenario`.", body = ErrorBody),
        (status = 413, description = "Over the caller's budget: too many cells at this `resolution`, `minutes` thresholds, list entries or `boundary` positions (estimated before any work), or more CPU time or memory than the budget while running (`over_budget`); or the body is too large. `field` names what to change.", body = ErrorBody),
        (status = 429, description = "The heavy-work queue is full (`Retry-After`).", body = ErrorBody),
        (status = 503, description = "No heavy-work worker became free in time (`Retry-After`).", body = ErrorBody),
        (status = 415, description = "The body is not declared as JSON.", body = ErrorBody),
        (status = 422, description = "A field is invalid (`boundary` empty, not a polygon or self-intersecting; `resolution` outside 7..=11; `minutes`, `mode`, `kinds`, `amenities`, `open_at`); `field` names it.", body = ErrorBody),
    )
)]
pub(crate) async fn create_coverage(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let req: CoverageRequest = parse_json_pooled(&state, &headers, body).await?;
    let tier = caller.budget(&state.config.limits);
    let (_, body) = run_coverage_for(&state, &req, &tier, &caller.owner()).await?;
    json_text_answer(&state, &headers, body).await
}

/// Bodies larger than this are gzipped on the heavy-work pool, not by the compression layer on
/// the riders' threads.
const POOL_GZIP_BYTES: usize = 256 * 1024;

/// A JSON answer from stored text: gzipped on the heavy-work pool when it is large and the
/// client accepts gzip (the compression layer leaves an encoded body alone).
pub(crate) async fn json_text_answer(
    state: &AppState,
    headers: &HeaderMap,
    body: JsonText,
) -> Result<Response, ApiError> {
    let accepts_gzip = headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|e| e.trim().split(';').next().is_some_and(|c| c.trim().eq_ignore_ascii_case("gzip")))
    });
    let json = HeaderValue::from_static("application/json");
    if !accepts_gzip || body.as_str().len() < POOL_GZIP_BYTES {
        return Ok(([(header::CONTENT_TYPE, json)], body.to_bytes()).into_response());
    }
    let gz = state
        .work
        .run("gzip", WorkPool::budget(state.config.limits.planner.limits()), move |_| {
            use std::io::Write as _;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(body.as_str().as_bytes()).and_then(|()| enc.finish())
        })
        .await?
        .map_err(|e| ApiError::internal(&e))?;
    Ok((
        [(header::CONTENT_TYPE, json), (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
        [(header::VARY, HeaderValue::from_static("accept-encoding"))],
        gz,
    )
        .into_response())
}

/// A kept coverage analysis, by id.
#[utoipa::path(
    get,
    path = "/api/v1/coverage/{id}",
    tag = "planner",
    params(("id" = String, Path, description = "The analysis id, `cov_…`.")),
    responses(
        (status = 200, description = "The analysis, as `POST /api/v1/coverage` answered it.", body = Object),
        (status = 404, description = "No analysis has this id.", body = ErrorBody),
    )
)]
pub(crate) async fn get_coverage(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = path_id(path)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    match state.store.analysis(&id).await? {
        Some(a) if a.kind == AnalysisKind::Coverage && caller.may_access(&a.created_by) => {
            json_text_answer(&state, &headers, a.result).await
        }
        _ => Err(ApiError::not_found(format!("no coverage analysis has id {id:?}")).with_field("id")),
    }
}

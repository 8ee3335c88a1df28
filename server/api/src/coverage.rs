//! `POST /api/v1/coverage` and `GET /api/v1/coverage/{id}`: the coverage of a district (or a drawn
//! boundary) by stations within 10/15 minutes, per H3 cell, weighted by demand. Also the planner's
//! shared piece: the router of every planner route.

use crate::{demand, plans, scenarios};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use std::sync::Arc;
use yizhan_core::analysis::{CoverageRequest, run_coverage_for};
use yizhan_core::state::AppState;
use yizhan_http::auth::Caller;
use yizhan_http::body::{json_text_answer, parse_json_pooled, path_id};
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::QueryParams;
use yizhan_store::AnalysisKind;

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

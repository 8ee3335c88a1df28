//! `GET /healthz`: whether the server and its storage answer, and how far behind the change log
//! it is; `GET /metrics`: what Prometheus scrapes; the request-counting middleware.

use axum::extract::{MatchedPath, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::sync::Arc;
use std::time::Instant;
use yizhan_core::analysis::jobs::Jobs;
use yizhan_core::state::AppState;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::model::{FollowerHealth, HealthResponse, StorageHealth};
use yizhan_http::query::QueryParams;

/// Health of the server: 200 when storage answers, 503 when it does not.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "Healthy.", body = HealthResponse),
        (status = 400, description = "Unknown query parameter.", body = ErrorBody),
        (status = 503, description = "Storage does not answer.", body = HealthResponse),
    )
)]
pub(crate) async fn healthz(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<(StatusCode, Json<HealthResponse>), ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let stations = state.index().len();
    let backend = state.store.backend().to_owned();
    let follower = FollowerHealth { lag_changes: state.follower_lag().await, following: state.is_following() };
    Ok(match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(HealthResponse {
                status: "ok".to_owned(),
                stations,
                storage: StorageHealth { backend, ok: true, error: None },
                follower,
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: storage does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(HealthResponse {
                    status: "unavailable".to_owned(),
                    stations,
                    storage: StorageHealth { backend, ok: false, error: Some(e.to_string()) },
                    follower,
                }),
            )
        }
    })
}

/// Prometheus metrics in the text exposition format (see [`yizhan_core::metrics`]).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format: `yizhan_http_requests_total` and `yizhan_http_request_duration_seconds` per route template, `yizhan_refused_total` per limit, `yizhan_heavy_queue_depth`, `yizhan_heavy_running`, `yizhan_heavy_task_*_seconds`, `yizhan_argon2_in_flight`, `yizhan_index_stations`, `yizhan_follower_lag_changes`.", content_type = "text/plain"),
        (status = 400, description = "Unknown query parameter.", body = ErrorBody),
    )
)]
pub(crate) async fn metrics(
    State(state): State<Arc<AppState>>,
    Extension(jobs): Extension<Arc<Jobs>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let body = yizhan_core::metrics::render(&state.gauges(jobs.active()).await);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response())
}

/// Counts every request by route template and status, and times it (middleware).
pub(crate) async fn track_requests(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "fallback".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    yizhan_core::metrics::request(&method, &route, response.status().as_u16(), started.elapsed());
    response
}

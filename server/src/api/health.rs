//! `GET /healthz`: whether the server and its storage answer.

use super::error::{ApiError, ErrorBody};
use super::model::{HealthResponse, StorageHealth};
use super::query::QueryParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use std::sync::Arc;

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
    Ok(match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(HealthResponse {
                status: "ok".to_owned(),
                stations,
                storage: StorageHealth { backend, ok: true, error: None },
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
                }),
            )
        }
    })
}

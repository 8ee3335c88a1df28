//! `POST /api/v1/plans`, `GET /api/v1/plans/{id}`, `DELETE /api/v1/plans/{id}`: site proposals run
//! as jobs with progress (see [`yizhan_core::analysis::jobs`]).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::analysis::PlanRequest;
use yizhan_core::analysis::jobs::{JobProgress, JobStatus, JobView, Jobs};
use yizhan_core::state::AppState;
use yizhan_http::auth::Caller;
use yizhan_http::body::{parse_json_pooled, path_id};
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::QueryParams;
use yizhan_store::AnalysisKind;

/// The answer to `POST /api/v1/plans`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanAccepted {
    /// The job id, `plan_…`.
    pub id: String,
    /// `queued`.
    pub status: JobStatus,
    /// `self`: where to follow the job.
    #[schema(value_type = Object)]
    pub links: serde_json::Value,
}

/// Starts a site-planning job.
#[utoipa::path(
    post,
    path = "/api/v1/plans",
    tag = "planner",
    request_body(content = PlanRequest, description = "The coverage request plus `objective`, `sites`, `target_share`, one threshold in `minutes`, `candidates`, `exclude`, `fixed`.", content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted: follow `links.self` (also the `Location` header).", body = PlanAccepted),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 404, description = "Unknown `district`, `demand` dataset or `scenario`.", body = ErrorBody),
        (status = 413, description = "Too many cells (`resolution`), candidates or sites.", body = ErrorBody),
        (status = 415, description = "The body is not declared as JSON.", body = ErrorBody),
        (status = 422, description = "A field is invalid: `sites` < 1, `target_share` outside (0, 1], `objective`, `candidates`, `minutes`, `boundary`, `resolution`…", body = ErrorBody),
        (status = 429, description = "As many plan jobs as the server runs at once are already queued or running.", body = ErrorBody),
    )
)]
pub(crate) async fn create_plan(
    State(state): State<Arc<AppState>>,
    Extension(jobs): Extension<Arc<Jobs>>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let req: PlanRequest = parse_json_pooled(&state, &headers, body).await?;
    let tier = caller.budget(&state.config.limits);
    let job = jobs.submit(Arc::clone(&state), req, &tier, &caller.owner()).await?;
    let link = format!("/api/v1/plans/{}", job.id());
    let accepted = PlanAccepted { id: job.id().to_owned(), status: JobStatus::Queued, links: json!({ "self": link }) };
    let mut resp = (StatusCode::ACCEPTED, Json(accepted)).into_response();
    if let Ok(v) = HeaderValue::from_str(&link) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// A plan job's status, progress and (when done) result.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}",
    tag = "planner",
    params(("id" = String, Path, description = "The job id, `plan_…`.")),
    responses(
        (status = 200, description = "The job: `status` (queued, running, done, failed, cancelled), `progress` {phase, fraction}, `result` (the plan: ranked `sites` with `gain`, `before`/`after` summaries), `error`, `request`.", body = JobView),
        (status = 404, description = "No job has this id, or it belongs to another signed-in caller (only its owner or an admin sees it; finished jobs are kept for a while, their results stay stored).", body = ErrorBody),
    )
)]
pub(crate) async fn get_plan(
    State(state): State<Arc<AppState>>,
    Extension(jobs): Extension<Arc<Jobs>>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_id(path)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    if let Some(job) = jobs.get(&id) {
        if !caller.may_access(job.owner()) {
            return Err(not_found(&id));
        }
        return serde_json::to_value(job.view()).map(Json).map_err(|e| ApiError::internal(&e));
    }
    match state.store.analysis(&id).await? {
        Some(a) if a.kind == AnalysisKind::Plan && caller.may_access(&a.created_by) => Ok(Json(json!({
            "id": a.id,
            "status": JobStatus::Done,
            "progress": JobProgress { phase: "done".to_owned(), fraction: 1.0 },
            "result": a.result.to_value().map_err(|e| ApiError::internal(&e))?,
            "error": null,
            "request": a.request,
            "created_at": a.created_at,
            "created_by": a.created_by,
        }))),
        _ => Err(not_found(&id)),
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no plan job has id {id:?}")).with_field("id")
}

/// Cancels a queued or running plan job (it stops at its next progress report).
#[utoipa::path(
    delete,
    path = "/api/v1/plans/{id}",
    tag = "planner",
    params(("id" = String, Path, description = "The job id, `plan_…`.")),
    responses(
        (status = 202, description = "Cancellation requested; the job's status becomes `cancelled`.", body = JobView),
        (status = 404, description = "No job has this id.", body = ErrorBody),
        (status = 409, description = "The job has already finished.", body = ErrorBody),
    )
)]
pub(crate) async fn cancel_plan(
    Extension(jobs): Extension<Arc<Jobs>>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = path_id(path)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let job = jobs.get(&id).filter(|j| caller.may_access(j.owner())).ok_or_else(|| not_found(&id))?;
    if !job.cancel() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("plan job {id:?} has already finished ({:?})", job.view().status),
        )
        .with_field("id"));
    }
    Ok((StatusCode::ACCEPTED, Json(job.view())).into_response())
}

//! Admin-only routes: the audit log.

use super::auth::AdminAccess;
use super::error::{ApiError, ErrorBody};
use super::query::{QueryParams, parse_count};
use crate::access::audit::AuditEntry;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// Parameters of `GET /api/v1/audit`.
pub(crate) const AUDIT_PARAMS: &[&str] = &["since", "limit"];

/// Default number of audit entries answered.
pub(crate) const DEFAULT_AUDIT_LIMIT: usize = 100;

/// Most audit entries one request may ask for.
pub(crate) const MAX_AUDIT_LIMIT: usize = 1000;

/// A page of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditLog {
    /// Entries, oldest first.
    pub entries: Vec<AuditEntry>,
}

/// `since` and `limit` of an audit query.
pub(crate) fn parse_audit_query(raw: Option<&str>) -> Result<(Option<DateTime<Utc>>, usize), ApiError> {
    let q = QueryParams::parse(raw, AUDIT_PARAMS)?;
    let since = q
        .single("since")?
        .map(|s| {
            DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| {
                ApiError::invalid_parameter("since", format!("{s:?} is not an RFC 3339 time (2025-03-01T08:00:00Z)"))
            })
        })
        .transpose()?;
    let limit = q.single("limit")?.map(|s| parse_count("limit", s, 1, MAX_AUDIT_LIMIT)).transpose()?;
    Ok((since, limit.unwrap_or(DEFAULT_AUDIT_LIMIT)))
}

/// The audit log: every write (who, when, route, before and after), oldest first, from `since`.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "operations",
    params(
        ("since" = Option<String>, Query, description = "Only entries written at or after this RFC 3339 time."),
        ("limit" = Option<usize>, Query, description = "Most entries answered (1–1000, default 100)."),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Audit entries, oldest first.", body = AuditLog),
        (status = 400, description = "Invalid or unknown query parameter.", body = ErrorBody),
        (status = 401, description = "Missing, wrong or revoked bearer token.", body = ErrorBody),
        (status = 403, description = "The token is not an admin's, or writes are disabled.", body = ErrorBody),
        (status = 429, description = "Too many requests from this client; see Retry-After.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn audit_log(
    AdminAccess(admin): AdminAccess,
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditLog>, ApiError> {
    let (since, limit) = parse_audit_query(raw.as_deref())?;
    tracing::debug!(token = %admin.principal.id, "audit log read");
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    Ok(Json(AuditLog { entries: state.store.audit_log(since, limit).await? }))
}

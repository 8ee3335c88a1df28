//! Admin-only routes: the audit log and API tokens (list, create, revoke; the same store
//! functions as `yizhan token`, every change audited as the admin's write).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::access::audit::{AuditEntry, AuditQuery};
use yizhan_core::access::{self, AccessError, Role, TokenRecord};
use yizhan_core::state::AppState;
use yizhan_http::auth::AdminAccess;
use yizhan_http::body::{is_json, media_type};
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::{QueryParams, parse_count, parse_instant};

/// Parameters of `GET /api/v1/audit`.
/// Parameters of `GET /api/v1/audit`.
pub(crate) const AUDIT_PARAMS: &[&str] =
    &["since", "until", "station", "actor", "operation", "before", "after", "order", "limit"];

/// Entries answered when `limit` is not given.
pub(crate) const DEFAULT_AUDIT_LIMIT: usize = 100;

/// Most entries one request answers.
pub(crate) const MAX_AUDIT_LIMIT: usize = 1000;

/// The audit log, in the order asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditLog {
    /// The entries.
    pub entries: Vec<AuditEntry>,
}

fn parse_seq(field: &str, s: &str) -> Result<i64, ApiError> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::invalid_parameter(field, format!("{s:?} is not a log position (an integer ≥ 0)")))
}

/// The audit query of a query string.
pub(crate) fn parse_audit_query(raw: Option<&str>) -> Result<AuditQuery, ApiError> {
    let q = QueryParams::parse(raw, AUDIT_PARAMS)?;
    let text = |name: &str| -> Result<Option<String>, ApiError> { Ok(q.single(name)?.map(|s| s.trim().to_owned())) };
    let station = match q.single("station")? {
        None => None,
        Some(s) => Some(
            s.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid_parameter("station", format!("{s:?} is not a station id")))?
                .to_string(),
        ),
    };
    let newest_first = match q.single("order")? {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(ApiError::invalid_parameter("order", format!("{o:?}: use asc (oldest first) or desc"))),
    };
    let limit = q.single("limit")?.map(|s| parse_count("limit", s, 1, MAX_AUDIT_LIMIT)).transpose()?;
    Ok(AuditQuery {
        since: q.single("since")?.map(|s| parse_instant("since", s)).transpose()?,
        until: q.single("until")?.map(|s| parse_instant("until", s)).transpose()?,
        actor: text("actor")?,
        operation: text("operation")?,
        target: station,
        before_seq: q.single("before")?.map(|s| parse_seq("before", s)).transpose()?,
        after_seq: q.single("after")?.map(|s| parse_seq("after", s)).transpose()?,
        newest_first,
        limit: u32::try_from(limit.unwrap_or(DEFAULT_AUDIT_LIMIT)).unwrap_or(u32::MAX),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "operations",
    params(
        ("since" = Option<String>, Query, description = "Only entries written at or after this RFC 3339 time."),
        ("until" = Option<String>, Query, description = "Only entries written before this RFC 3339 time."),
        ("station" = Option<i64>, Query, description = "Only entries whose target is this station id: its creation, edits, verification and deletion (an import names its file as target and lists the ids it wrote in `after`)."),
        ("actor" = Option<String>, Query, description = "Only entries of this token id (or `config`, `cli`, `system`)."),
        ("operation" = Option<String>, Query, description = "Only this operation (`station.create`, `station.update`, `station.verify`, `station.delete`, `station.import`, `token.create`, `token.revoke`…)."),
        ("before" = Option<i64>, Query, description = "Only entries before this `seq` (the next page, newest first)."),
        ("after" = Option<i64>, Query, description = "Only entries after this `seq` (the next page, oldest first)."),
        ("order" = Option<String>, Query, description = "`asc` (default, oldest first) or `desc`."),
        ("limit" = Option<usize>, Query, description = "Most entries answered (1–1000, default 100)."),
    ),
    security(("bearer" = []), ("session" = [])),
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
    let query = parse_audit_query(raw.as_deref())?;
    tracing::debug!(token = %admin.principal.id, "audit log read");
    Ok(Json(AuditLog { entries: state.store.audit_entries(&query).await? }))
}

/// Every API token, oldest first, without secrets or hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenList {
    /// Revoked ones included (`revoked_at` set).
    pub tokens: Vec<TokenRecord>,
}

/// Body of `POST /api/v1/admin/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Whose or what the token is (1–100 characters; shown in the audit log).
    pub name: String,
    /// `editor` (default) or `admin`.
    pub role: Option<Role>,
}

/// A created token: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    /// The whole token, `yz_<id>_<secret>`: send it as `Authorization: Bearer <token>`. It cannot
    /// be shown again (only its argon2id hash is stored).
    pub token: String,
    /// What is stored of it.
    pub record: TokenRecord,
}

/// Checks that the token request is declared as `application/json`.
fn require_json_body(headers: &HeaderMap) -> Result<(), ApiError> {
    match media_type(headers)? {
        Some(m) if is_json(&m) => Ok(()),
        Some(m) => Err(ApiError::unsupported_media_type(format!(
            "Content-Type {m:?} is not accepted; send the token request as application/json"
        ))),
        None => Err(ApiError::unsupported_media_type(
            "the Content-Type header is missing; send the token request as application/json",
        )),
    }
}

/// The name and role of a token request; every problem names its field.
pub(crate) fn parse_token_request(body: &[u8]) -> Result<(String, Role), ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::malformed_json(&e)
        } else {
            ApiError::invalid_body(None, e.to_string())
        }
    })?;
    let Value::Object(obj) = value else {
        return Err(ApiError::invalid_body(None, "expected a JSON object {\"name\": …, \"role\": …}"));
    };
    if let Some(unknown) = obj.keys().find(|k| !matches!(k.as_str(), "name" | "role")) {
        return Err(ApiError::invalid_body(
            Some(unknown),
            format!("unknown field {unknown:?}; a token request has \"name\" and \"role\""),
        ));
    }
    let name = match obj.get("name") {
        Some(Value::String(n)) => n.trim().to_owned(),
        Some(_) => return Err(ApiError::invalid_body(Some("name"), "\"name\" must be a string")),
        None => return Err(ApiError::invalid_body(Some("name"), "\"name\" is required: whose or what the token is")),
    };
    if name.is_empty() || name.chars().count() > access::MAX_NAME_CHARS {
        return Err(ApiError::invalid_body(Some("name"), AccessError::InvalidName.to_string()));
    }
    let role = match obj.get("role") {
        None | Some(Value::Null) => Role::Editor,
        Some(Value::String(r)) => r
            .parse::<Role>()
            .map_err(|e: yizhan_core::access::UnknownRole| ApiError::invalid_body(Some("role"), e.to_string()))?,
        Some(_) => return Err(ApiError::invalid_body(Some("role"), "\"role\" must be \"editor\" or \"admin\"")),
    };
    Ok((name, role))
}

/// Every API token (revoked ones included), oldest first; never a secret or its hash.
#[utoipa::path(
    get,
    path = "/api/v1/admin/tokens",
    tag = "operations",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The tokens, oldest first.", body = TokenList),
        (status = 400, description = "Unknown query parameter.", body = ErrorBody),
        (status = 401, description = "Missing, wrong or revoked bearer token.", body = ErrorBody),
        (status = 403, description = "The token is not an admin's, or writes are disabled.", body = ErrorBody),
        (status = 429, description = "Too many requests from this client; see Retry-After.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn list_tokens(
    AdminAccess(_admin): AdminAccess,
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<TokenList>, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    Ok(Json(TokenList { tokens: state.store.tokens().await? }))
}

/// Creates an API token and answers it once, whole; only its argon2id hash is stored. Audited
/// (`token.create`) as the admin's write.
#[utoipa::path(
    post,
    path = "/api/v1/admin/tokens",
    tag = "operations",
    request_body(content = TokenRequest, content_type = "application/json"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Created; `token` is shown only this once.", body = CreatedToken),
        (status = 400, description = "The body is not JSON, or a query parameter was given.", body = ErrorBody),
        (status = 401, description = "Missing, wrong or revoked bearer token.", body = ErrorBody),
        (status = 403, description = "The token is not an admin's, or writes are disabled.", body = ErrorBody),
        (status = 413, description = "The body is too large.", body = ErrorBody),
        (status = 415, description = "The body is not declared as application/json.", body = ErrorBody),
        (status = 422, description = "A bad `name` or `role` (the error's `field` says which).", body = ErrorBody),
        (status = 429, description = "Too many requests from this client; see Retry-After.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn create_token(
    AdminAccess(admin): AdminAccess,
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let body = body.map_err(|e| ApiError::from_body_rejection(&e, state.config.limits.max_body_bytes))?;
    require_json_body(&headers)?;
    let (name, role) = parse_token_request(&body)?;
    let issued = tokio::task::spawn_blocking(move || access::issue(&name, role))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| match e {
            AccessError::InvalidName => ApiError::invalid_body(Some("name"), e.to_string()),
            other => ApiError::internal(&other),
        })?;
    state.store.add_token(&issued.stored, &admin.audit()).await?;
    tracing::info!(by = %admin.principal.id, token = %issued.stored.record.id, role = %role, "token created");
    Ok((StatusCode::CREATED, Json(CreatedToken { token: issued.token, record: issued.stored.record })))
}

/// Revokes an API token at once (for every server sharing the store). Audited (`token.revoke`,
/// before and after) as the admin's write.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/tokens/{id}",
    tag = "operations",
    params(("id" = String, Path, description = "The token id: the 12 hex digits after `yz_`.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Revoked; the token as stored now.", body = TokenRecord),
        (status = 400, description = "The id is not 12 lowercase hex digits, or a query parameter was given.", body = ErrorBody),
        (status = 401, description = "Missing, wrong or revoked bearer token.", body = ErrorBody),
        (status = 403, description = "The token is not an admin's, or writes are disabled.", body = ErrorBody),
        (status = 404, description = "No token has this id.", body = ErrorBody),
        (status = 409, description = "The token was already revoked.", body = ErrorBody),
        (status = 429, description = "Too many requests from this client; see Retry-After.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn revoke_token(
    AdminAccess(admin): AdminAccess,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<TokenRecord>, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    if !access::is_token_id(&id) {
        return Err(ApiError::invalid_parameter("id", format!("{id:?} is not a token id (12 lowercase hex digits)")));
    }
    let revoked = access::revoke(&state.store, state.token_cache(), &id, &admin.audit()).await?;
    match state.store.token(&id).await? {
        None => Err(ApiError::not_found(format!("no token has id {id:?}")).with_field("id")),
        Some(_) if !revoked => {
            Err(ApiError::new(StatusCode::CONFLICT, "conflict", format!("token {id} was already revoked"))
                .with_field("id"))
        }
        Some(t) => Ok(Json(t.record)),
    }
}

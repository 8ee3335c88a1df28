//! `/api/v1/session`: the web console's sign-in. An API token is exchanged once for a session
//! cookie (HttpOnly, SameSite=Strict, Secure when the server is reached over TLS, expiring with
//! the session); the page keeps only the CSRF token, in memory. See
//! [`yizhan_core::access::session`] for what makes a session live.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::access::{Role, session};
use yizhan_core::state::AppState;
use yizhan_http::auth::{csrf_failed, csrf_ok, live_session, session_cookie, token_principal};
use yizhan_http::body::parse_json;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::QueryParams;

/// A sign-in: the API token to exchange for a session.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The API token (`yz_<id>_<secret>`, or the configured token).
    pub token: String,
}

/// Who a session signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionUser {
    /// The token id (`config` for the configured token).
    pub id: String,
    /// The token's name.
    pub name: String,
    /// What the session may do.
    pub role: Role,
}

/// The state of the caller's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    /// Whether the request carried a live session.
    pub signed_in: bool,
    /// Who is signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<SessionUser>,
    /// When the session ends (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Send this in `X-CSRF-Token` with every write made with the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

impl SessionInfo {
    const SIGNED_OUT: Self = Self { signed_in: false, principal: None, expires_at: None, csrf_token: None };

    fn live(secret: &str, principal: yizhan_core::access::Principal, expires_at: DateTime<Utc>) -> Self {
        Self {
            signed_in: true,
            principal: Some(SessionUser { id: principal.id, name: principal.name, role: principal.role }),
            expires_at: Some(expires_at),
            csrf_token: Some(session::csrf_token(secret)),
        }
    }
}

/// Whether the client reaches this server over TLS: the configured public URL is `https://`, or a
/// proxy in front says so in `X-Forwarded-Proto`.
fn over_tls(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value giving the session `value` for `max_age_s` seconds (0 clears it).
fn set_cookie(value: &str, max_age_s: i64, secure: bool) -> Result<HeaderValue, ApiError> {
    let c = cookie::Cookie::build((session::COOKIE, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_s))
        .build();
    HeaderValue::from_str(&c.to_string()).map_err(|e| ApiError::internal(&e))
}

/// A JSON answer that no cache keeps.
fn no_store(status: StatusCode, body: SessionInfo, cookie: Option<HeaderValue>) -> Response {
    let mut res = (status, Json(body)).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(c) = cookie {
        h.insert(header::SET_COOKIE, c);
    }
    res
}

/// Signs in: exchanges an API token for a session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "operations",
    request_body(content = SignIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in; `Set-Cookie` carries the session.", body = SessionInfo),
        (status = 401, description = "The token is not valid (`field`: `token`).", body = ErrorBody),
        (status = 403, description = "Writes are disabled (no token configured or stored).", body = ErrorBody),
        (status = 415, description = "The body is not JSON.", body = ErrorBody),
        (status = 422, description = "The body is not a sign-in.", body = ErrorBody),
        (status = 503, description = "Storage or token verification is busy.", body = ErrorBody),
    )
)]
pub(crate) async fn sign_in(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let SignIn { token } = parse_json(&headers, body, state.config.limits.max_body_bytes)?;
    let principal = token_principal(&state, &token).await?;
    let now = yizhan_store::now_micros();
    let opened = session::open(&state.store, principal, state.config.session_ttl_s, now).await?;
    tracing::info!(token = %opened.principal.id, role = %opened.principal.role, "console sign-in");
    let max_age = (opened.expires_at - now).num_seconds();
    let cookie = set_cookie(&opened.secret, max_age, over_tls(&state, &headers))?;
    let info = SessionInfo::live(&opened.secret, opened.principal, opened.expires_at);
    Ok(no_store(StatusCode::OK, info, Some(cookie)))
}

/// The caller's session: who is signed in and the CSRF token, or `signed_in: false`.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "operations",
    responses(
        (status = 200, description = "The session, or `signed_in: false`.", body = SessionInfo),
        (status = 400, description = "Unknown query parameter.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn current(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let Some(secret) = session_cookie(&headers) else {
        return Ok(no_store(StatusCode::OK, SessionInfo::SIGNED_OUT, None));
    };
    Ok(match live_session(&state, &secret).await? {
        Some(live) => no_store(StatusCode::OK, SessionInfo::live(&secret, live.principal, live.expires_at), None),
        // A cookie of an ended session is of no use: clear it.
        None => no_store(StatusCode::OK, SessionInfo::SIGNED_OUT, Some(set_cookie("", 0, over_tls(&state, &headers))?)),
    })
}

/// Signs out: ends the session at once and clears the cookie. Needs the CSRF token.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "operations",
    responses(
        (status = 204, description = "Signed out (or there was no session)."),
        (status = 403, description = "The X-CSRF-Token header is missing or wrong.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn sign_out(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let clear = set_cookie("", 0, over_tls(&state, &headers))?;
    if let Some(secret) = session_cookie(&headers) {
        if !csrf_ok(&headers, &secret) {
            return Err(csrf_failed());
        }
        session::close(&state.store, &secret, yizhan_store::now_micros()).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
    )
        .into_response())
}

//! Write access: `Authorization: Bearer <token>` with either a stored token (`yz_<id>_<secret>`,
//! argon2-verified, see [`yizhan_core::access`]) or the configured API token (compared in constant time;
//! an admin bootstrap token); or, from the web console, the session cookie a token was exchanged
//! for ([`yizhan_core::access::session`]). A request with an `Authorization` header is judged by
//! it alone. A request authenticated by the cookie that writes (any method but GET, HEAD and
//! OPTIONS) must also carry the session's CSRF token in `X-CSRF-Token`, else 403 `csrf_failed`.
//!
//! Without a configured token and without any stored (unrevoked) token, writes over HTTP are off
//! (403 `writes_disabled`). A missing, malformed, unknown, wrong or revoked token is 401; a valid
//! token whose role is too low for the route is 403 `forbidden`.

use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use yizhan_core::access::audit::AuditContext;
use yizhan_core::access::{self, Principal, Role, session};
use yizhan_core::config::{Limits, TierBudget};
use yizhan_core::state::AppState;

/// Proof that a request may write, and who it is (for the audit log). Extract it before the body
/// so that an unauthorised request is refused without reading its body.
#[derive(Debug, Clone)]
pub struct WriteAccess {
    /// Who writes.
    pub principal: Principal,
    /// `METHOD /path` of the request.
    pub route: String,
}

impl WriteAccess {
    /// The audit context of writes made with this access.
    pub fn audit(&self) -> AuditContext {
        AuditContext::new(self.principal.clone(), Some(self.route.clone()))
    }
}

/// Proof that a request comes from an admin.
#[derive(Debug, Clone)]
pub struct AdminAccess(pub WriteAccess);

/// Proof that a request comes from an editor (or admin): station writes and imports.
#[derive(Debug, Clone)]
pub struct EditorAccess(pub WriteAccess);

/// Proof that a request comes from a planner (or admin): saving scenarios.
#[derive(Debug, Clone)]
pub struct PlannerAccess(pub WriteAccess);

/// Who calls a route that anyone may call but that spends more for signed-in planners (coverage,
/// plans, reports): no `Authorization` header is an anonymous caller; a header must hold a valid
/// token (401 otherwise, never a silent downgrade).
#[derive(Debug, Clone)]
pub struct Caller {
    /// The signed-in principal, if any.
    pub principal: Option<Principal>,
}

impl Caller {
    /// An anonymous caller.
    pub const ANONYMOUS: Self = Self { principal: None };

    /// What this caller's requests may spend: the planner's budget for planners and admins, the
    /// anonymous one for everyone else.
    pub fn budget(&self, limits: &Limits) -> TierBudget {
        if self.principal.as_ref().is_some_and(|p| p.role.includes(Role::Planner)) {
            limits.planner
        } else {
            limits.anonymous
        }
    }

    /// The owner id recorded on what this caller makes: the token id, or `anonymous`.
    pub fn owner(&self) -> String {
        self.principal.as_ref().map_or_else(|| ANONYMOUS_OWNER.to_owned(), |p| p.id.clone())
    }

    /// Whether this caller may see or cancel what `owner` made: anything anonymous (its id is
    /// the capability), its own, and everything for an admin.
    pub fn may_access(&self, owner: &str) -> bool {
        owner == ANONYMOUS_OWNER
            || self.principal.as_ref().is_some_and(|p| p.id == owner || p.role.includes(Role::Admin))
    }
}

/// Owner of what anonymous callers make.
pub const ANONYMOUS_OWNER: &str = "anonymous";

impl From<access::AuthenticateError> for ApiError {
    fn from(e: access::AuthenticateError) -> Self {
        match e {
            access::AuthenticateError::Busy => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "verification_busy", e.to_string()).retry_after(1)
            }
            access::AuthenticateError::Store(s) => s.into(),
            other => ApiError::internal(&other),
        }
    }
}

fn require(access: WriteAccess, role: Role) -> Result<WriteAccess, ApiError> {
    if access.principal.role.includes(role) {
        return Ok(access);
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        format!(
            "this request needs the {role} role; token {:?} ({}) has the role {}",
            access.principal.name, access.principal.id, access.principal.role
        ),
    ))
}

/// Challenge sent when no credentials were given.
const CHALLENGE: &str = "Bearer realm=\"yizhan\"";
/// Challenge sent when the token is wrong.
const CHALLENGE_INVALID: &str = "Bearer realm=\"yizhan\", error=\"invalid_token\"";

/// Proof that a request presented the configured token.
#[derive(Debug, Clone, Copy)]
pub struct ConfiguredToken;

/// Checks an `Authorization` header value against the configured token.
pub fn check(configured: Option<&str>, authorization: Option<&[u8]>) -> Result<ConfiguredToken, ApiError> {
    let Some(token) = configured.filter(|t| !t.is_empty()) else { return Err(ApiError::writes_disabled()) };
    let Some(value) = authorization else { return Err(missing_credentials()) };
    let given = bearer_token(value).ok_or_else(not_bearer)?;
    if bool::from(given.ct_eq(token.as_bytes())) {
        Ok(ConfiguredToken)
    } else {
        Err(ApiError::unauthorized("the bearer token is not valid", CHALLENGE_INVALID))
    }
}

fn missing_credentials() -> ApiError {
    ApiError::unauthorized("this request writes and needs the header `Authorization: Bearer <token>`", CHALLENGE)
}

fn not_bearer() -> ApiError {
    ApiError::unauthorized("the Authorization header must use the Bearer scheme: `Bearer <token>`", CHALLENGE)
}

/// The token of a `Bearer <token>` header value (scheme case-insensitive).
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let token = rest.trim_ascii();
    (rest.first().is_some_and(u8::is_ascii_whitespace) && !token.is_empty()).then_some(token)
}

/// The value of the session cookie among the request's `Cookie` headers, if any.
#[must_use]
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        cookie::Cookie::split_parse(v)
            .filter_map(Result::ok)
            .find(|c| c.name() == session::COOKIE)
            .map(|c| c.value().to_owned())
    })
}

/// Whether `method` only reads (needs no CSRF token).
fn is_safe(method: &axum::http::Method) -> bool {
    matches!(*method, axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS)
}

/// Whether the request carries the CSRF token of the session with `secret`.
#[must_use]
pub fn csrf_ok(headers: &axum::http::HeaderMap, secret: &str) -> bool {
    let expected = session::csrf_token(secret);
    headers.get(session::CSRF_HEADER).is_some_and(|v| bool::from(v.as_bytes().ct_eq(expected.as_bytes())))
}

/// The live session the request's cookie names, if any, at the current time.
///
/// # Errors
/// [`ApiError`] when storage fails.
pub async fn live_session(state: &AppState, secret: &str) -> Result<Option<session::ActiveSession>, ApiError> {
    let configured = state.config.api_token.as_deref().is_some_and(|t| !t.is_empty());
    Ok(session::resolve(&state.store, secret, configured, yizhan_store::now_micros()).await?)
}

/// Who the session cookie `secret` signs in, for a request of `parts`.
async fn session_principal(parts: &Parts, state: &AppState, secret: &str) -> Result<Principal, ApiError> {
    let Some(live) = live_session(state, secret).await? else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "session_ended",
            "the console session has ended (signed out, expired, or its token was revoked); sign in again",
        ));
    };
    if !is_safe(&parts.method) && !csrf_ok(&parts.headers, secret) {
        return Err(csrf_failed());
    }
    Ok(live.principal)
}

/// 403 for a cookie-authenticated write without the session's CSRF token.
#[must_use]
pub fn csrf_failed() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        "a write made with the session cookie must carry the session's CSRF token in the X-CSRF-Token header \
         (GET /api/v1/session gives it)",
    )
}

/// Who presents the request's credentials: its `Authorization` header, or else its session cookie.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Principal, ApiError> {
    if !parts.headers.contains_key(header::AUTHORIZATION)
        && let Some(secret) = session_cookie(&parts.headers)
    {
        return session_principal(parts, state, &secret).await;
    }
    bearer_principal(parts, state).await
}

/// Who `token` (a stored token or the configured one, as typed into the console's sign-in form)
/// belongs to. A wrong token is 401 naming the field `token`.
///
/// # Errors
/// [`ApiError`]: 401 for a token that is not valid, 403 when writes are off, 503 when storage or
/// verification is busy.
pub async fn token_principal(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    let token = token.trim();
    let configured = state.config.api_token.as_deref().filter(|t| !t.is_empty());
    if access::parse_token(token).is_some()
        && let Some(principal) = access::authenticate(&state.store, state.token_cache(), token).await?
    {
        return Ok(principal);
    }
    if let Some(c) = configured {
        if bool::from(token.as_bytes().ct_eq(c.as_bytes())) {
            return Ok(Principal::bootstrap());
        }
    } else if !state.store.has_active_tokens().await? {
        return Err(ApiError::writes_disabled());
    }
    Err(ApiError::unauthorized("the token is not valid (unknown, wrong or revoked)", CHALLENGE_INVALID)
        .with_field("token"))
}

/// Who presents the request's `Authorization` header.
async fn bearer_principal(parts: &Parts, state: &AppState) -> Result<Principal, ApiError> {
    let configured = state.config.api_token.as_deref().filter(|t| !t.is_empty());
    let authorization = parts.headers.get(header::AUTHORIZATION).map(axum::http::HeaderValue::as_bytes);
    if let Some(given) = authorization.and_then(bearer_token)
        && let Ok(text) = std::str::from_utf8(given)
        && access::parse_token(text).is_some()
    {
        if let Some(principal) = access::authenticate(&state.store, state.token_cache(), text).await? {
            return Ok(principal);
        }
        // Not a valid stored token; it may still be a configured token of the same shape.
        if configured.is_none() {
            return Err(ApiError::unauthorized(
                "the bearer token is not valid (unknown, wrong or revoked)",
                CHALLENGE_INVALID,
            ));
        }
    }
    if configured.is_some() {
        check(configured, authorization)?;
        return Ok(Principal::bootstrap());
    }
    if state.store.has_active_tokens().await? {
        // Stored tokens only: anything but a valid stored token is refused.
        return Err(match authorization {
            None => missing_credentials(),
            Some(value) if bearer_token(value).is_none() => not_bearer(),
            Some(_) => ApiError::unauthorized("the bearer token is not valid", CHALLENGE_INVALID),
        });
    }
    Err(ApiError::writes_disabled())
}

impl FromRequestParts<Arc<AppState>> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let principal = authenticate(parts, state).await?;
        Ok(Self { principal, route: format!("{} {}", parts.method, parts.uri.path()) })
    }
}

impl FromRequestParts<Arc<AppState>> for AdminAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let access = WriteAccess::from_request_parts(parts, state).await?;
        require(access, Role::Admin).map(Self)
    }
}

impl FromRequestParts<Arc<AppState>> for EditorAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let access = WriteAccess::from_request_parts(parts, state).await?;
        require(access, Role::Editor).map(Self)
    }
}

impl FromRequestParts<Arc<AppState>> for PlannerAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let access = WriteAccess::from_request_parts(parts, state).await?;
        require(access, Role::Planner).map(Self)
    }
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(Self { principal: Some(bearer_principal(parts, state).await?) });
        }
        // A console session raises the budget; an ended session or a write without the CSRF token
        // is simply anonymous here (what anyone may do, anyone may do).
        let Some(secret) = session_cookie(&parts.headers) else { return Ok(Self::ANONYMOUS) };
        if !is_safe(&parts.method) && !csrf_ok(&parts.headers, &secret) {
            return Ok(Self::ANONYMOUS);
        }
        Ok(Self { principal: live_session(state, &secret).await?.map(|s| s.principal) })
    }
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;

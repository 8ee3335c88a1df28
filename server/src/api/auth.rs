//! Write access: `Authorization: Bearer <token>` with either a stored token (`yz_<id>_<secret>`,
//! argon2-verified, see [`crate::access`]) or the configured API token (compared in constant time;
//! an admin bootstrap token).
//!
//! Without a configured token and without any stored (unrevoked) token, writes over HTTP are off
//! (403 `writes_disabled`). A missing, malformed, unknown, wrong or revoked token is 401; a valid
//! token whose role is too low for the route is 403 `forbidden`.

use super::error::ApiError;
use crate::access::audit::AuditContext;
use crate::access::{self, Principal, Role};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Proof that a request may write, and who it is (for the audit log). Extract it before the body
/// so that an unauthorised request is refused without reading its body.
#[derive(Debug, Clone)]
pub(crate) struct WriteAccess {
    /// Who writes.
    pub(crate) principal: Principal,
    /// `METHOD /path` of the request.
    pub(crate) route: String,
}

impl WriteAccess {
    /// The audit context of writes made with this access.
    pub(crate) fn audit(&self) -> AuditContext {
        AuditContext::new(self.principal.clone(), Some(self.route.clone()))
    }
}

/// Proof that a request comes from an admin.
#[derive(Debug, Clone)]
pub(crate) struct AdminAccess(pub(crate) WriteAccess);

/// Challenge sent when no credentials were given.
const CHALLENGE: &str = "Bearer realm=\"yizhan\"";
/// Challenge sent when the token is wrong.
const CHALLENGE_INVALID: &str = "Bearer realm=\"yizhan\", error=\"invalid_token\"";

/// Proof that a request presented the configured token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConfiguredToken;

/// Checks an `Authorization` header value against the configured token.
pub(crate) fn check(configured: Option<&str>, authorization: Option<&[u8]>) -> Result<ConfiguredToken, ApiError> {
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

/// Who presents the request's `Authorization` header.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Principal, ApiError> {
    let configured = state.config.api_token.as_deref().filter(|t| !t.is_empty());
    let authorization = parts.headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
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
        if !access.principal.role.includes(Role::Admin) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "this request needs the admin role; token {:?} ({}) has the role {}",
                    access.principal.name, access.principal.id, access.principal.role
                ),
            ));
        }
        Ok(Self(access))
    }
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;

//! Write access: `Authorization: Bearer <token>` checked against the configured API token in
//! constant time.

use super::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Proof that a request may write. Extract it before the body so that an unauthorised request is
/// refused without reading its body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteAccess;

/// Challenge sent when no credentials were given.
const CHALLENGE: &str = "Bearer realm=\"yizhan\"";
/// Challenge sent when the token is wrong.
const CHALLENGE_INVALID: &str = "Bearer realm=\"yizhan\", error=\"invalid_token\"";

/// Checks an `Authorization` header value against the configured token.
pub(crate) fn check(configured: Option<&str>, authorization: Option<&[u8]>) -> Result<WriteAccess, ApiError> {
    let Some(token) = configured.filter(|t| !t.is_empty()) else { return Err(ApiError::writes_disabled()) };
    let Some(value) = authorization else {
        return Err(ApiError::unauthorized(
            "this request writes and needs the header `Authorization: Bearer <token>`",
            CHALLENGE,
        ));
    };
    let given = bearer_token(value).ok_or_else(|| {
        ApiError::unauthorized("the Authorization header must use the Bearer scheme: `Bearer <token>`", CHALLENGE)
    })?;
    if bool::from(given.ct_eq(token.as_bytes())) {
        Ok(WriteAccess)
    } else {
        Err(ApiError::unauthorized("the bearer token is not valid", CHALLENGE_INVALID))
    }
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

impl FromRequestParts<Arc<AppState>> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        check(state.config.api_token.as_deref(), parts.headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()))
    }
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;

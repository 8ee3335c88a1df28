//! Console sessions: an API token is exchanged once for a session whose random secret lives in an
//! HttpOnly cookie; the browser never keeps the token.
//!
//! * The secret is 64 hex digits (256 bits from the thread's CSPRNG); the store keeps only its
//!   SHA-256 ([`session_hash`]), so a copy of the database opens no session.
//! * The CSRF token of a session is derived from its secret ([`csrf_token`]): the page reads it
//!   from `GET /api/v1/session` and sends it in `X-CSRF-Token` with every write; a cross-site page
//!   can neither read it nor (SameSite=Strict) send the cookie.
//! * A session is valid while it is not signed out, not expired and its token is not revoked: the
//!   store checks all three on every request ([`resolve`]), so revocation takes effect at once, on
//!   every server sharing the database.

use super::{Principal, random_hex};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use yizhan_store::access::{BOOTSTRAP_TOKEN_ID, SessionRecord};
use yizhan_store::{Store, StoreError};

/// Name of the session cookie.
pub const COOKIE: &str = "yizhan_session";

/// Request header that carries the CSRF token on writes made with the cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Hex digits of a session secret (256 bits).
const SECRET_HEX: usize = 64;

/// A session just opened: the secret for the cookie (shown once, never stored) and what it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedSession {
    /// The cookie's value.
    pub secret: String,
    /// Who is signed in.
    pub principal: Principal,
    /// When the session ends (UTC).
    pub expires_at: DateTime<Utc>,
}

/// A session presented by a request and found live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSession {
    /// Who is signed in.
    pub principal: Principal,
    /// When the session ends (UTC).
    pub expires_at: DateTime<Utc>,
}

/// Lower-case hex SHA-256 of `secret`: the session's key in the store.
#[must_use]
pub fn session_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// The CSRF token of the session with `secret`: 32 hex digits of SHA-256 over a fixed label and
/// the secret (not the store key, so the database does not give it away either).
#[must_use]
pub fn csrf_token(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"yizhan csrf\0");
    h.update(secret.as_bytes());
    let mut out = hex(&h.finalize());
    out.truncate(32);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Whether `value` has the shape of a session secret (so that junk never reaches the store).
#[must_use]
pub fn is_secret(value: &str) -> bool {
    value.len() == SECRET_HEX && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Opens a session for `principal` (already authenticated with its token) lasting `ttl_s`
/// seconds from `now`.
///
/// # Errors
/// [`StoreError`].
pub async fn open(
    store: &Store,
    principal: Principal,
    ttl_s: u32,
    now: DateTime<Utc>,
) -> Result<OpenedSession, StoreError> {
    let secret = random_hex(&mut rand::rng(), SECRET_HEX);
    let expires_at = now + chrono::Duration::seconds(i64::from(ttl_s));
    let record =
        SessionRecord { id_hash: session_hash(&secret), token_id: principal.id.clone(), created_at: now, expires_at };
    store.create_session(&record).await?;
    Ok(OpenedSession { secret, principal, expires_at })
}

/// The live session with `secret` at `now`, if any. A session of the configured bootstrap token
/// is live only while a token is configured (`bootstrap_configured`).
///
/// # Errors
/// [`StoreError`].
pub async fn resolve(
    store: &Store,
    secret: &str,
    bootstrap_configured: bool,
    now: DateTime<Utc>,
) -> Result<Option<ActiveSession>, StoreError> {
    if !is_secret(secret) {
        return Ok(None);
    }
    let Some(live) = store.live_session(&session_hash(secret), now).await? else { return Ok(None) };
    let principal = match live.token {
        Some(t) => Principal { id: t.id, name: t.name, role: t.role },
        None if live.session.token_id == BOOTSTRAP_TOKEN_ID && bootstrap_configured => Principal::bootstrap(),
        None => return Ok(None),
    };
    Ok(Some(ActiveSession { principal, expires_at: live.session.expires_at }))
}

/// Ends the session with `secret`. Returns whether a live session was ended.
///
/// # Errors
/// [`StoreError`].
pub async fn close(store: &Store, secret: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    if !is_secret(secret) {
        return Ok(false);
    }
    store.revoke_session(&session_hash(secret), now).await
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;

//! The records of access control as stored: roles, the principal a write acts as, and API tokens
//! (the secret only as an argon2id PHC string). Issuing and verifying tokens is the service's
//! (`yizhan_core::access`). Reading a stored token back is written here once for both backends.

use crate::StoreError;
use crate::columns::{Columns, Offset};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a principal may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May create, replace and delete stations and import files.
    Editor,
    /// May run coverage analyses and plans with the planner's budget (above the anonymous one),
    /// own plan jobs and save scenarios and demand datasets; may not edit stations.
    Planner,
    /// Everything an editor and a planner may, and read the audit log and manage tokens.
    Admin,
}

impl Role {
    /// The stored code: `editor`, `planner` or `admin`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Planner => "planner",
            Role::Admin => "admin",
        }
    }

    /// The role with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Role::Editor, Role::Planner, Role::Admin].into_iter().find(|r| r.code() == code)
    }

    /// Whether this role includes `required`: each role itself, and admin every role (an editor
    /// is no planner, nor a planner an editor).
    #[must_use]
    pub fn includes(self, required: Role) -> bool {
        self == required || self == Role::Admin
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A role code that is not `editor`, `planner` or `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected editor, planner or admin")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::from_code(s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Who performs a write: a stored token, the configured bootstrap token, the command line or the
/// server itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// Token id, or `config`, `cli`, `system`.
    pub id: String,
    /// Human-readable name (the token's name).
    pub name: String,
    /// What it may do.
    pub role: Role,
}

impl Principal {
    /// The token configured with `--api-token` / `YIZHAN_API_TOKEN`: an admin.
    #[must_use]
    pub fn bootstrap() -> Self {
        Self { id: "config".to_owned(), name: "configured API token".to_owned(), role: Role::Admin }
    }

    /// A command run with `yizhan` on the server's machine: an admin (it has the database).
    #[must_use]
    pub fn cli() -> Self {
        let user = std::env::var("USER").unwrap_or_default();
        let name = if user.is_empty() { "command line".to_owned() } else { format!("command line ({user})") };
        Self { id: "cli".to_owned(), name, role: Role::Admin }
    }

    /// The server itself (e.g. loading the demo data into an empty store).
    #[must_use]
    pub fn system() -> Self {
        Self { id: "system".to_owned(), name: "server".to_owned(), role: Role::Admin }
    }
}

/// A token as listed: everything but its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenRecord {
    /// The token id (12 hex digits; the `<id>` of `yz_<id>_<secret>`).
    pub id: String,
    /// Name given at creation.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// When it was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When a request last presented it (UTC; updated at most once per cache lifetime).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked (UTC), if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token as stored: its record and the argon2id PHC string of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// Everything but the secret.
    pub record: TokenRecord,
    /// argon2id PHC string of the secret.
    pub secret_hash: String,
}

/// Columns of a token read, in [`decode_token`] order.
pub(crate) const TOKEN_COLUMNS: &str = "id, name, role, secret_hash, created_at, last_used_at, revoked_at";

/// Reads one token selected with [`TOKEN_COLUMNS`].
///
/// # Errors
/// [`StoreError::CorruptRecord`] for an unknown role or a time that does not read back.
pub(crate) fn decode_token(r: &impl Columns) -> Result<StoredToken, StoreError> {
    const TABLE: &str = "api_tokens";
    let id = r.string(0)?;
    let role = r.text(2)?;
    let role =
        Role::from_code(role).ok_or_else(|| StoreError::corrupt_record(TABLE, format!("token {id}: role {role:?}")))?;
    Ok(StoredToken {
        record: TokenRecord {
            name: r.string(1)?,
            role,
            created_at: r.timestamp(4, &StoreError::bad_record_time(TABLE, "created_at"))?,
            last_used_at: r.opt_timestamp(5, &StoreError::bad_record_time(TABLE, "last_used_at"))?,
            revoked_at: r.opt_timestamp(6, &StoreError::bad_record_time(TABLE, "revoked_at"))?,
            id,
        },
        secret_hash: r.string(3)?,
    })
}

/// Token id of sessions opened with the configured bootstrap token (see [`Principal::bootstrap`]).
pub const BOOTSTRAP_TOKEN_ID: &str = "config";

/// A console session as stored: the SHA-256 of its secret, the token it was opened with, and its
/// lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Lower-case hex SHA-256 of the session secret (the cookie's value is never stored).
    pub id_hash: String,
    /// The API token the session was opened with (`api_tokens.id`, or [`BOOTSTRAP_TOKEN_ID`]).
    pub token_id: String,
    /// When it was opened (UTC).
    pub created_at: DateTime<Utc>,
    /// When it stops being valid (UTC).
    pub expires_at: DateTime<Utc>,
}

/// A live session found by its secret's hash: its record and, for a stored token, that token (not
/// revoked; a session whose token is revoked is not found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    /// The session.
    pub session: SessionRecord,
    /// The stored token it was opened with; `None` for [`BOOTSTRAP_TOKEN_ID`].
    pub token: Option<TokenRecord>,
}

/// Columns of a live-session read (`sessions s LEFT JOIN api_tokens t`), in [`decode_live_session`]
/// order.
pub(crate) const LIVE_SESSION_COLUMNS: &str = "s.id_hash, s.token_id, s.created_at, s.expires_at, \
     t.id, t.name, t.role, t.secret_hash, t.created_at, t.last_used_at, t.revoked_at";

/// Reads one session selected with [`LIVE_SESSION_COLUMNS`].
///
/// # Errors
/// [`StoreError::CorruptRecord`] for a time that does not read back or a token row that does not.
pub(crate) fn decode_live_session(r: &impl Columns) -> Result<LiveSession, StoreError> {
    const TABLE: &str = "sessions";
    let session = SessionRecord {
        id_hash: r.string(0)?,
        token_id: r.string(1)?,
        created_at: r.timestamp(2, &StoreError::bad_record_time(TABLE, "created_at"))?,
        expires_at: r.timestamp(3, &StoreError::bad_record_time(TABLE, "expires_at"))?,
    };
    let token = if r.opt_string(4)?.is_some() { Some(decode_token(&Offset(r, 4))?.record) } else { None };
    Ok(LiveSession { session, token })
}

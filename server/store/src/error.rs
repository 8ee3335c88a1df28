//! Storage errors, and the one place that tells "the database cannot be used now" from a fault.
//!
//! Driver errors reach callers only as [`DbError`]: its message and chain of causes, not the
//! driver's types. Every conversion of a driver error (`?` on a `sqlx::Error`) goes through
//! [`StoreError::from`], which classifies it once for both backends, so [`StoreError::Unavailable`]
//! means the same on SQLite and PostgreSQL and [`StoreError::is_unavailable`] needs no driver.

use std::fmt;
use yizhan_planner::station::StationId;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No station has this id.
    #[error("station {0} not found")]
    NotFound(StationId),
    /// Another station already has this `source` + `external_id`.
    #[error("another station (id {existing}) already has source {source_name:?} and external id {external_id:?}")]
    Conflict {
        /// The station holding the key.
        existing: StationId,
        /// The source.
        source_name: String,
        /// The external id.
        external_id: String,
    },
    /// The database cannot be reached or used now: the connection failed or was lost, the pool
    /// timed out or is closed, the server is shutting down or out of resources, the SQLite file is
    /// locked, read-only, full or cannot be opened. Worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] DbError),
    /// The database answered with an error (a constraint refused a value, a statement failed).
    #[error("database error: {0}")]
    Database(#[source] DbError),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[source] DbError),
    /// A stored row could not be read back into a station.
    #[error("stored station {id} is corrupt: {reason}")]
    Corrupt {
        /// The row's id.
        id: StationId,
        /// What was wrong.
        reason: String,
    },
    /// A stored row other than a station (a token, an audit entry) could not be read back.
    #[error("stored {table} row is corrupt: {reason}")]
    CorruptRecord {
        /// The table.
        table: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The data directory could not be created or read.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The path.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database URL names a backend this build does not have.
    #[error("unsupported database URL {0:?} (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
}

/// Stored JSON that does not read back.
pub(crate) fn corrupt_json(what: &str, e: &serde_json::Error) -> StoreError {
    StoreError::Corrupt { id: 0, reason: format!("{what}: {e}") }
}

impl StoreError {
    /// Whether this means "cannot reach or use the database now" (the service answers 503)
    /// rather than a fault (500).
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::DataDir { .. })
    }

    /// [`StoreError::Unavailable`] whatever `e` is (a failed open or ping).
    pub(crate) fn unavailable(e: sqlx::Error) -> Self {
        StoreError::Unavailable(DbError::new(e))
    }

    /// [`StoreError::CorruptRecord`] of `table`.
    pub(crate) fn corrupt_record(table: &'static str, reason: String) -> Self {
        StoreError::CorruptRecord { table, reason }
    }

    /// The [`StoreError::CorruptRecord`] of a `table` row whose `column` holds text that is no
    /// RFC 3339 timestamp.
    pub(crate) fn bad_record_time(
        table: &'static str,
        column: &'static str,
    ) -> impl Fn(&str, chrono::ParseError) -> StoreError {
        move |text, e| StoreError::corrupt_record(table, format!("{column} {text:?}: {e}"))
    }

    /// [`StoreError::Conflict`]: station `existing` already holds `source` + `external_id`.
    pub(crate) fn conflict(existing: StationId, source: &str, external_id: &str) -> Self {
        StoreError::Conflict { existing, source_name: source.to_owned(), external_id: external_id.to_owned() }
    }
}

/// A driver's error, opaque: it shows its message and its chain of causes
/// ([`std::error::Error::source`]) but not the driver's types.
#[derive(Debug)]
pub struct DbError(Box<dyn std::error::Error + Send + Sync>);

impl DbError {
    /// Wraps an error (or a message), e.g. to build a [`StoreError`] in a test.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DbError {
    /// The wrapped error's cause (the wrapped error's own message is this one's).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Classifies a driver error of either backend: [`StoreError::Unavailable`] when the database
/// cannot be reached or used now (SQLite result codes 5, 6, 8, 10, 13, 14; SQLSTATE classes 08
/// and 53, 57P01–57P03; I/O and pool failures), else [`StoreError::Database`].
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            StoreError::Unavailable(DbError::new(e))
        } else {
            StoreError::Database(DbError::new(e))
        }
    }
}

/// A failed migration is [`StoreError::Migrate`], whatever made it fail.
impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(DbError::new(e))
    }
}

/// SQLite primary result codes that mean the database cannot be used right now: `SQLITE_BUSY` (5),
/// `SQLITE_LOCKED` (6), `SQLITE_READONLY` (8), `SQLITE_IOERR` (10), `SQLITE_FULL` (13),
/// `SQLITE_CANTOPEN` (14). Extended codes carry the primary code in their low byte.
const SQLITE_UNAVAILABLE: &[i64] = &[5, 6, 8, 10, 13, 14];

/// PostgreSQL SQLSTATE codes (besides the classes 08, connection exception, and 53, insufficient
/// resources) that mean the server cannot be used now: `admin_shutdown`, `crash_shutdown`,
/// `cannot_connect_now`.
const PG_UNAVAILABLE: &[&str] = &["57P01", "57P02", "57P03"];

/// Whether `e` means the database cannot be reached or used now: failures to connect or talk to
/// it, pool timeouts and a closed pool on either backend; a database error is judged by its
/// backend's codes, told apart by its type (an SQLite result code in [`SQLITE_UNAVAILABLE`], a
/// PostgreSQL SQLSTATE of class 08 or 53 or in [`PG_UNAVAILABLE`]).
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                let code = pg.code();
                code.starts_with("08") || code.starts_with("53") || PG_UNAVAILABLE.contains(&code)
            } else if let Some(lite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                // `code` is the extended result code, as decimal text.
                sqlx::error::DatabaseError::code(lite)
                    .and_then(|c| c.parse::<i64>().ok())
                    .is_some_and(|c| SQLITE_UNAVAILABLE.contains(&(c & 0xff)))
            } else {
                false
            }
        }
        _ => false,
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;

//! Storage errors.

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
    /// The database could not be reached.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The database answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
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

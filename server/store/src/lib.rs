//! Yizhan storage: stations, planning data, tokens and the audit log behind one interface, [`Store`], with the embedded SQLite backend
//! ([`sqlite`]) as the default and PostgreSQL + PostGIS ([`postgres`]) for several servers sharing
//! one database. Every write is one transaction.
//!
//! Every write also appends to a change log in the same transaction (one [`Change`] per station
//! created, updated or deleted, numbered by an ever-growing sequence), so that a second process
//! sharing the database can catch up with [`Store::changes_since`].
//!
//! The backends hold only what is theirs: their SQL, connections and transactions. What both do
//! alike is written once: the mapping of stations to columns and parameter binding (`row`), reading
//! either backend's rows (`columns`), the bookkeeping of an import (`upsert`), the planner's
//! records (`planning`), tokens (`access`), the audit log (`audit`) and the classification of
//! driver errors (`error`). [`Store`] hands every call to its backend with one macro, `dispatch!`.

/// Calls the same method on whichever backend a [`Store`] holds: `dispatch!(self, s => s.get(id).await)`.
macro_rules! dispatch {
    ($store:expr, $s:ident => $call:expr) => {
        match $store {
            Store::Sqlite($s) => $call,
            Store::Postgres($s) => $call,
        }
    };
}

pub mod access;
pub mod audit;
mod columns;
mod error;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
mod planning;
pub mod postgres;
mod postgres_planning;
pub mod reports;
mod row;
pub mod sqlite;
mod sqlite_planning;
mod upsert;

pub use error::{DbError, StoreError};
pub use planning::{
    AnalysisKind, Boundary, CreatedScenario, DemandDataset, DemandInfo, JsonText, SavedAnalysis, Scenario,
};

use crate::access::{LiveSession, SessionRecord, StoredToken, TokenRecord};
use crate::audit::{AuditContext, AuditEntry, AuditQuery};
use crate::reports::{NewReport, Photo, ReportAnswer, ReportQuery, ReportRecord};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use yizhan_planner::station::{Station, StationData, StationId};

/// Where stations are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// The embedded SQLite store: `DIR/yizhan.sqlite3` under the data directory.
    Embedded {
        /// The data directory (created if missing).
        data_dir: PathBuf,
    },
    /// A database URL: `sqlite://PATH` or `postgres://…` (PostgreSQL 15 + PostGIS 3).
    Url(String),
}

/// Wakes when the change log grows (see [`Store::change_listener`]).
#[derive(Debug)]
pub struct ChangeListener(sqlx::postgres::PgListener);

impl ChangeListener {
    /// Waits for the next change notification.
    ///
    /// # Errors
    /// The connection was lost: open a new listener.
    pub async fn recv(&mut self) -> Result<(), StoreError> {
        self.0.recv().await?;
        Ok(())
    }
}

/// Position in the change log: the sequence number of a [`Change`]. Starts at 1 and only grows;
/// 0 means "before every change".
pub type ChangeSeq = i64;

/// What a write did to a station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeOp {
    /// The station was created (also by an import).
    Create,
    /// The station's data was replaced (also by an import).
    Update,
    /// The station was deleted.
    Delete,
}

impl ChangeOp {
    /// The stored code: `create`, `update` or `delete`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ChangeOp::Create => "create",
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
        }
    }

    /// The operation with this stored code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [ChangeOp::Create, ChangeOp::Update, ChangeOp::Delete].into_iter().find(|op| op.code() == code)
    }
}

/// One entry of the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Sequence number, increasing in commit order.
    pub seq: ChangeSeq,
    /// The station written.
    pub station_id: StationId,
    /// What was done to it.
    pub op: ChangeOp,
    /// When the write happened (UTC): for `Create` and `Update` the station's `updated_at`.
    pub at: DateTime<Utc>,
}

/// What an import changed.
#[derive(Debug, Clone, Default)]
pub struct ImportOutcome {
    /// Stations created by the import.
    pub created: Vec<Station>,
    /// Stations that existed (same `source` and `external_id`) and were updated.
    pub updated: Vec<Station>,
    /// The change log around the write: its last entry before the write and the last entry the
    /// write appended (both 0 when nothing was written). Every entry in between is this write's,
    /// so an index holding every change up to the first holds every change up to the second once
    /// it holds [`ImportOutcome::created`] and [`ImportOutcome::updated`].
    pub log: (ChangeSeq, ChangeSeq),
}

/// A station store. Cheap to clone (a connection pool inside).
#[derive(Debug, Clone)]
pub enum Store {
    /// The embedded SQLite file store.
    Sqlite(sqlite::SqliteStore),
    /// PostgreSQL + PostGIS.
    Postgres(postgres::PgStore),
}

impl Store {
    /// A listener woken when another process appends to the change log (PostgreSQL `LISTEN`),
    /// or `None` when the backend has no notifications (SQLite: poll instead).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the server cannot be reached.
    pub async fn change_listener(&self) -> Result<Option<ChangeListener>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(None),
            Store::Postgres(pg) => Ok(Some(ChangeListener(pg.listen().await?))),
        }
    }

    /// Opens (creating if needed) the store and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be opened or migrated.
    pub async fn open(config: &StorageConfig) -> Result<Self, StoreError> {
        match config {
            StorageConfig::Url(url) if postgres::PgStore::accepts(url) => {
                Ok(Store::Postgres(postgres::PgStore::open(url).await?))
            }
            _ => Ok(Store::Sqlite(sqlite::SqliteStore::open(config).await?)),
        }
    }

    /// Every station, ordered by id.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn load_all(&self) -> Result<Vec<Station>, StoreError> {
        dispatch!(self, s => s.load_all().await)
    }

    /// One station.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn get(&self, id: StationId) -> Result<Option<Station>, StoreError> {
        dispatch!(self, s => s.get(id).await)
    }

    /// Number of stations.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn count(&self) -> Result<u64, StoreError> {
        dispatch!(self, s => s.count().await)
    }

    /// Stores a new station (already validated) and returns it with id and timestamps.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when its `source` + `external_id` already exist; database failure.
    pub async fn create(&self, data: StationData) -> Result<Station, StoreError> {
        dispatch!(self, s => s.create_audited(data, None).await)
    }

    /// Replaces a station's data (already validated); keeps its id and `created_at`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Conflict`]; database failure.
    pub async fn update(&self, id: StationId, data: StationData) -> Result<Station, StoreError> {
        dispatch!(self, s => s.update_audited(id, data, None).await)
    }

    /// Deletes a station and returns what it was.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; database failure.
    pub async fn delete(&self, id: StationId) -> Result<Station, StoreError> {
        dispatch!(self, s => s.delete_audited(id, None).await)
    }

    /// Imports validated rows in one transaction: a row whose `source` + `external_id` matches a
    /// stored station updates it (keeping its id and `created_at`), any other row creates a
    /// station. `progress` is called with the number of rows written so far, about every 1000
    /// rows, and last with `rows.len()`.
    ///
    /// Rows sharing a `source` + `external_id` within one import are applied in order, so the
    /// later row wins: the station appears once in the outcome, with the last row's data (as
    /// created if the key was new, as updated otherwise). [`ImportOutcome`]'s lists follow the
    /// order in which each key (or keyless row) first appears.
    ///
    /// # Errors
    /// [`StoreError`]; on any error nothing is written.
    pub async fn import(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportOutcome, StoreError> {
        self.import_with(rows, progress, None).await
    }

    /// Up to `limit` change-log entries with a sequence number above `after`, oldest first.
    ///
    /// A replica catches up by remembering [`Store::last_change_seq`] *before* loading every
    /// station, then repeatedly asking for the changes after the last one it has seen and
    /// re-reading each named station with [`Store::get`] (`None` means deleted). Re-reading is
    /// idempotent, so seeing a change whose effect the snapshot already held is harmless.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn changes_since(&self, after: ChangeSeq, limit: u32) -> Result<Vec<Change>, StoreError> {
        dispatch!(self, s => s.changes_since(after, limit).await)
    }

    /// The sequence number of the last committed change, or 0 when nothing was ever written.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn last_change_seq(&self) -> Result<ChangeSeq, StoreError> {
        dispatch!(self, s => s.last_change_seq().await)
    }

    /// Checks the database answers.
    ///
    /// # Errors
    /// [`StoreError`] when it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, s => s.ping().await)
    }

    /// [`Store::create`] recording `audit` in the audit log in the same transaction.
    ///
    /// # Errors
    /// As [`Store::create`].
    pub async fn create_audited(&self, data: StationData, audit: &AuditContext) -> Result<Station, StoreError> {
        dispatch!(self, s => s.create_audited(data, Some(audit)).await)
    }

    /// [`Store::update`] recording `audit` (with the station before and after) in the audit log in
    /// the same transaction.
    ///
    /// # Errors
    /// As [`Store::update`].
    pub async fn update_audited(
        &self,
        id: StationId,
        data: StationData,
        audit: &AuditContext,
    ) -> Result<Station, StoreError> {
        dispatch!(self, s => s.update_audited(id, data, Some((audit, "station.update"))).await)
    }

    /// [`Self::update_audited`] recorded under another operation code (`station.verify`…).
    ///
    /// # Errors
    /// As [`Self::update`].
    pub async fn update_audited_as(
        &self,
        id: StationId,
        data: StationData,
        audit: &AuditContext,
        operation: &str,
    ) -> Result<Station, StoreError> {
        dispatch!(self, s => s.update_audited(id, data, Some((audit, operation))).await)
    }

    /// [`Store::delete`] recording `audit` (with the deleted station) in the audit log in the same
    /// transaction.
    ///
    /// # Errors
    /// As [`Store::delete`].
    pub async fn delete_audited(&self, id: StationId, audit: &AuditContext) -> Result<Station, StoreError> {
        dispatch!(self, s => s.delete_audited(id, Some(audit)).await)
    }

    /// [`Store::import`] recording `audit` (row, created and updated counts, the first ids) in the
    /// audit log in the same transaction.
    ///
    /// # Errors
    /// As [`Store::import`].
    pub async fn import_audited(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
        audit: &AuditContext,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_with(rows, progress, Some(audit)).await
    }

    /// Stores a new API token (its creation recorded in the audit log, same transaction).
    ///
    /// # Errors
    /// [`StoreError`] on database failure (also when the id exists).
    pub async fn add_token(&self, token: &StoredToken, audit: &AuditContext) -> Result<(), StoreError> {
        dispatch!(self, s => s.add_token(token, audit).await)
    }

    /// The token with this id (revoked ones included).
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        dispatch!(self, s => s.token(id).await)
    }

    /// Every token (revoked ones included), oldest first, without secrets.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        dispatch!(self, s => s.tokens().await)
    }

    /// Whether any token is not revoked.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn has_active_tokens(&self) -> Result<bool, StoreError> {
        dispatch!(self, s => s.has_active_tokens().await)
    }

    /// Revokes token `id` now (recorded in the audit log, same transaction). Returns `false` when
    /// no unrevoked token has this id.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn revoke_token(&self, id: &str, audit: &AuditContext) -> Result<bool, StoreError> {
        dispatch!(self, s => s.revoke_token(id, audit).await)
    }

    /// Records that token `id` was used at `at` (UTC).
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        dispatch!(self, s => s.touch_token(id, at).await)
    }

    /// Up to `limit` audit-log entries written at or after `since` (all when `None`), oldest
    /// first.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn audit_log(&self, since: Option<DateTime<Utc>>, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_entries(&AuditQuery { since, ..AuditQuery::all(limit) }).await
    }

    /// Audit entries matching `q`, in its order.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        dispatch!(self, s => s.audit_entries(q).await)
    }

    /// Stores a rider's report.
    ///
    /// # Errors
    /// [`StoreError`] (a code already used is a conflict the caller retries with a new code).
    pub async fn create_report(&self, report: &NewReport) -> Result<ReportRecord, StoreError> {
        dispatch!(self, s => s.create_report(report).await)
    }

    /// The report with the rider's `code`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn report_by_code(&self, code: &str) -> Result<Option<ReportRecord>, StoreError> {
        dispatch!(self, s => s.report_by_code(code).await)
    }

    /// The report with storage id `id`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn report(&self, id: i64) -> Result<Option<ReportRecord>, StoreError> {
        dispatch!(self, s => s.report(id).await)
    }

    /// Reports matching `q`, newest first, and how many match in all.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn reports(&self, q: &ReportQuery) -> Result<(u64, Vec<ReportRecord>), StoreError> {
        dispatch!(self, s => s.reports(q).await)
    }

    /// The photo of report `id`, if it has one.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn report_photo(&self, id: i64) -> Result<Option<Photo>, StoreError> {
        dispatch!(self, s => s.report_photo(id).await)
    }

    /// Answers report `id` (status and note) on behalf of `ctx` and, when `answer.station` is
    /// given and the report is about a station, replaces that station's data — both audited, in
    /// one transaction. `None` when no report has this id.
    ///
    /// # Errors
    /// [`StoreError`]: the station's update refused (conflict, not found) leaves the report as it was.
    pub async fn answer_report(
        &self,
        id: i64,
        answer: &ReportAnswer,
        ctx: &AuditContext,
    ) -> Result<Option<(ReportRecord, Option<Station>)>, StoreError> {
        dispatch!(self, s => s.answer_report(id, answer, ctx).await)
    }

    /// Stores a new console session (and forgets sessions that ended more than a day ago).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn create_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        dispatch!(self, s => s.create_session(session).await)
    }

    /// The session whose secret hashes to `id_hash`, if it is live at `now`: not revoked, not
    /// expired, and opened with the bootstrap token or with a stored token that is not revoked.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn live_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<LiveSession>, StoreError> {
        dispatch!(self, s => s.live_session(id_hash, now).await)
    }

    /// Ends the session whose secret hashes to `id_hash`. Returns whether a live one was ended.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn revoke_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        dispatch!(self, s => s.revoke_session(id_hash, now).await)
    }

    /// [`Store::import`], with `audit` recorded when given: an empty import writes nothing (and
    /// reports 0), any other is the backend's one transaction, reported in full once committed.
    async fn import_with(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
        audit: Option<&AuditContext>,
    ) -> Result<ImportOutcome, StoreError> {
        if rows.is_empty() {
            progress(0);
            return Ok(ImportOutcome::default());
        }
        let total = rows.len();
        let outcome = dispatch!(self, s => s.import_audited(rows, progress, audit).await)?;
        progress(total);
        Ok(outcome)
    }

    /// A short name of the backend: `sqlite` or `postgres`.
    #[must_use]
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }
}

/// The current time (UTC) at the microsecond precision both backends store.
#[must_use]
pub fn now_micros() -> DateTime<Utc> {
    row::now()
}

#[cfg(test)]
#[path = "suite_tests.rs"]
pub(crate) mod suite;

#[cfg(test)]
#[path = "access_suite_tests.rs"]
pub(crate) mod access_suite;

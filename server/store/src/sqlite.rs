//! The embedded SQLite backend: one file under the data directory, WAL mode, migrations in
//! `server/store/migrations/sqlite/`.
//!
//! Connections run with `journal_mode = WAL` (readers never block the writer),
//! `synchronous = NORMAL` (a commit survives a crash of the process; the last commits before a
//! power loss may be lost), foreign keys on and a busy timeout, so that a second process writing
//! the same file waits instead of failing. Every write runs in one `BEGIN IMMEDIATE` transaction,
//! which takes the write lock up front, and appends to the change log inside it.
//!
//! Column formats are described in the first migration; the mapping to [`Station`] lives in the
//! backend-neutral `row` module.

use super::row::{self, DATA_COLUMNS, HoursCache, Pages, StationParams, StationRow};
use super::upsert::{self, Written};
use super::{Change, ChangeOp, ChangeSeq, ImportOutcome, StoreError};
use crate::StorageConfig;
use crate::audit::{AuditContext, AuditRecord};
use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, Transaction};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;
use yizhan_planner::station::{Station, StationData, StationId};

/// Name of the database file inside the data directory.
pub const DB_FILE_NAME: &str = "yizhan.sqlite3";

/// How long a write waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page cache of each connection, KiB: room for the working set of a large import.
const CACHE_KIB: u32 = 64 * 1024;

/// Most connections a file-backed store opens (readers run in parallel under WAL).
const MAX_CONNECTIONS: u32 = 4;

/// Rows per multi-row statement of an import: 20 parameters each, well under SQLite's limit of
/// 32 766 parameters per statement.
const IMPORT_CHUNK: usize = 500;

/// Keys per look-up statement of an import (3 parameters each).
const LOOKUP_CHUNK: usize = 1000;

/// Station ids per change-log statement of an import (as one JSON array).
const LOG_CHUNK: usize = 50_000;

/// Rows per query of [`SqliteStore::load_all`] (small in tests, so they cross page boundaries).
const LOAD_PAGE: i64 = if cfg!(test) { 1000 } else { 10_000 };

/// How often an import reports progress, rows.
const PROGRESS_EVERY: usize = 1000;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// The embedded store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

impl SqliteStore {
    /// Opens the store and migrates it.
    ///
    /// [`StorageConfig::Embedded`] opens (creating both if needed) `DATA_DIR/yizhan.sqlite3`;
    /// [`StorageConfig::Url`] accepts `sqlite://PATH` (`sqlite:PATH` too, query parameters as in
    /// SQLite URIs, e.g. `?mode=ro`) and `sqlite::memory:` for a store that lives as long as the
    /// process.
    ///
    /// # Errors
    /// [`StoreError::DataDir`] when the data directory cannot be created;
    /// [`StoreError::UnsupportedUrl`] for a URL that is not an SQLite one;
    /// [`StoreError::Unavailable`] when the database file cannot be opened;
    /// [`StoreError::Migrate`] when the schema cannot be brought up to date.
    pub async fn open(config: &StorageConfig) -> Result<Self, StoreError> {
        let (options, in_memory) = match config {
            StorageConfig::Embedded { data_dir } => {
                tokio::fs::create_dir_all(data_dir)
                    .await
                    .map_err(|source| StoreError::DataDir { path: data_dir.clone(), source })?;
                (SqliteConnectOptions::new().filename(data_dir.join(DB_FILE_NAME)), false)
            }
            StorageConfig::Url(url) => parse_url(url)?,
        };
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("cache_size", format!("-{CACHE_KIB}"));
        let pool_options = if in_memory {
            // An in-memory database lives as long as one connection to it: keep exactly one.
            SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS)
        };
        let path = options.get_filename().to_owned();
        let pool = pool_options.connect_with(options).await.map_err(|e| unavailable(&path, &e))?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// The connection pool.
    pub(super) fn pool(&self) -> &sqlx::SqlitePool {
        &self.pool
    }

    /// Reads every station in pages of [`LOAD_PAGE`] rows, all inside one read transaction so the
    /// pages show one state of the database even while another connection writes.
    pub(super) async fn load_all(&self) -> Result<Vec<Station>, StoreError> {
        let sql = format!("SELECT {PACKED_COLUMNS} FROM stations WHERE id > ?1 ORDER BY id LIMIT ?2");
        let mut tx = self.pool.begin().await?;
        let mut pages = Pages::new(LOAD_PAGE);
        while let Some(after) = pages.after() {
            let rows = sqlx::query(&sql).bind(after).bind(LOAD_PAGE).fetch_all(&mut *tx).await?;
            pages.add(rows.iter().map(decode_row))?;
        }
        tx.commit().await?;
        Ok(pages.into_stations())
    }

    pub(super) async fn get(&self, id: StationId) -> Result<Option<Station>, StoreError> {
        let sql = format!("SELECT {PACKED_COLUMNS} FROM stations WHERE id = ?1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| decode_row(&r)?.into_station(&mut HoursCache::default())).transpose()
    }

    pub(super) async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stations").fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Stores a new station, appending `audit`'s entry (if any) to the audit log in the same
    /// transaction.
    pub(super) async fn create_audited(
        &self,
        data: StationData,
        audit: Option<&AuditContext>,
    ) -> Result<Station, StoreError> {
        let now = row::now();
        let stamp = row::format_timestamp(now);
        let mut tx = self.begin_write().await?;
        if let Some((source, external_id)) = row::import_key(&data)
            && let Some(existing) = find_by_key(&mut tx, source, external_id).await?
        {
            return Err(StoreError::conflict(existing, source, external_id));
        }
        let id: StationId = row::bind_station(sqlx::query(insert_sql()), StationParams::new(&data), row::format_date)
            .bind(&stamp)
            .bind(&stamp)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        log_change(&mut tx, id, ChangeOp::Create, &stamp).await?;
        let station = Station { id, data, created_at: now, updated_at: now };
        if let Some(ctx) = audit {
            let rec = AuditRecord::station("station.create", id, None, Some(&station));
            access::append_audit(&mut tx, ctx, &rec, &stamp).await?;
        }
        tx.commit().await?;
        Ok(station)
    }

    /// Replaces a station's data, appending `audit`'s entry (if any, with the station before and
    /// after) to the audit log in the same transaction.
    pub(super) async fn update_audited(
        &self,
        id: StationId,
        data: StationData,
        audit: Option<(&AuditContext, &str)>,
    ) -> Result<Station, StoreError> {
        let mut tx = self.begin_write().await?;
        let station = update_in(&mut tx, id, data, audit).await?;
        tx.commit().await?;
        Ok(station)
    }

    /// Deletes a station, appending `audit`'s entry (if any, with the deleted station) to the
    /// audit log in the same transaction. A corrupt row is not deleted: the error is returned and
    /// nothing changes.
    pub(super) async fn delete_audited(
        &self,
        id: StationId,
        audit: Option<&AuditContext>,
    ) -> Result<Station, StoreError> {
        let mut tx = self.begin_write().await?;
        let sql = format!("DELETE FROM stations WHERE id = ?1 RETURNING {PACKED_COLUMNS}");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await?;
        let station = match row {
            Some(r) => decode_row(&r)?.into_station(&mut HoursCache::default())?,
            None => return Err(StoreError::NotFound(id)),
        };
        let stamp = row::format_timestamp(row::now());
        log_change(&mut tx, id, ChangeOp::Delete, &stamp).await?;
        if let Some(ctx) = audit {
            access::append_audit(
                &mut tx,
                ctx,
                &AuditRecord::station("station.delete", id, Some(&station), None),
                &stamp,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(station)
    }

    /// Imports `rows` (not empty) in one `BEGIN IMMEDIATE` transaction ([`import_in`]), appending
    /// `audit`'s entry (if any: counts and ids) to the audit log in it, and commits. Any error
    /// drops the transaction, which rolls it back. `progress` is called about every
    /// [`PROGRESS_EVERY`] rows written (the caller reports the total).
    pub(super) async fn import_audited(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
        audit: Option<&AuditContext>,
    ) -> Result<ImportOutcome, StoreError> {
        let total = rows.len();
        let now = row::now();
        let stamp = row::format_timestamp(now);
        let mut tx = self.begin_write().await?;
        let written = import_in(&mut tx, &rows, progress, &stamp).await?;
        if let Some(ctx) = audit {
            access::append_audit(&mut tx, ctx, &written.audit_record(total), &stamp).await?;
        }
        tx.commit().await?;
        Ok(written.into_outcome(rows, now))
    }

    pub(super) async fn changes_since(&self, after: ChangeSeq, limit: u32) -> Result<Vec<Change>, StoreError> {
        let rows =
            sqlx::query("SELECT seq, station_id, op, at FROM station_changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(row::decode_change).collect()
    }

    pub(super) async fn last_change_seq(&self) -> Result<ChangeSeq, StoreError> {
        Ok(sqlx::query_scalar(LAST_CHANGE_SEQ_SQL).fetch_one(&self.pool).await?)
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(StoreError::unavailable)?;
        Ok(())
    }

    /// Starts a write transaction holding the database's write lock from the start, so that its
    /// reads and writes see one state even when another process shares the file.
    pub(super) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// The change log's last sequence number (0 when empty), also counting entries deleted since.
const LAST_CHANGE_SEQ_SQL: &str = "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'station_changes'), 0), \
                                   COALESCE((SELECT MAX(seq) FROM station_changes), 0))";

/// The writing part of an import, inside the caller's `BEGIN IMMEDIATE` transaction `tx` (which
/// the caller commits): collapse rows sharing a key (the later wins), look the keys up in chunks
/// of [`LOOKUP_CHUNK`], give new stations ids after the highest ever handed out, write everything
/// with multi-row upserts by id in chunks of [`IMPORT_CHUNK`], append the change log. `rows` is
/// not empty; `progress` is called about every [`PROGRESS_EVERY`] rows written (the caller reports
/// the total once committed); `stamp` is the write's time as stored.
pub(super) async fn import_in(
    tx: &mut SqliteConnection,
    rows: &[StationData],
    progress: &(dyn Fn(usize) + Sync),
    stamp: &str,
) -> Result<Written, StoreError> {
    let (slots, slot_of_key) = upsert::slots(rows);
    let log_before: ChangeSeq = sqlx::query_scalar(LAST_CHANGE_SEQ_SQL).fetch_one(&mut *tx).await?;

    // Which keys already exist: their id and creation time, by slot. Keys are looked up in
    // index order, so the look-ups walk the index instead of jumping around in it.
    let mut existing: Vec<Option<(StationId, DateTime<Utc>)>> = vec![None; slots.len()];
    let any_stored: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM stations)").fetch_one(&mut *tx).await?;
    if any_stored && !slot_of_key.is_empty() {
        let mut keyed: Vec<((&str, &str), usize)> = slot_of_key.iter().map(|(k, s)| (*k, *s)).collect();
        keyed.sort_unstable();
        let full_sql = lookup_sql(LOOKUP_CHUNK);
        let tail_sql = lookup_sql(keyed.len() % LOOKUP_CHUNK);
        for chunk in keyed.chunks(LOOKUP_CHUNK) {
            let full = chunk.len() == LOOKUP_CHUNK;
            let mut q = sqlx::query(if full { &full_sql } else { &tail_sql }).persistent(full);
            for &((source, external_id), slot) in chunk {
                q = q.bind(i64::try_from(slot).unwrap_or(i64::MAX)).bind(source).bind(external_id);
            }
            let found: String = q.fetch_one(&mut *tx).await?.try_get(0)?;
            let found: Vec<(usize, StationId, String)> =
                serde_json::from_str(&found).map_err(|e| StoreError::from(sqlx::Error::Decode(Box::new(e))))?;
            for (slot, id, created) in found {
                if let Some(entry) = existing.get_mut(slot) {
                    *entry = Some((id, row::parse_timestamp(id, "created_at", &created)?));
                }
            }
        }
    }
    // New stations take ids after every id ever handed out.
    let last_id: i64 = sqlx::query_scalar(
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'stations'), 0), \
         COALESCE((SELECT MAX(id) FROM stations), 0))",
    )
    .fetch_one(&mut *tx)
    .await?;
    let (written, next_id) = upsert::assign_ids(&existing, last_id);

    // Each chunk is bound while the previous one executes on the connection's thread.
    let tail_sql = upsert_sql(slots.len() % IMPORT_CHUNK);
    let bind_chunk = |chunk_no: usize| {
        let first = chunk_no * IMPORT_CHUNK;
        let chunk = &slots[first..slots.len().min(first + IMPORT_CHUNK)];
        let full = chunk.len() == IMPORT_CHUNK;
        // Only the last chunk is shorter: not worth a place in the statement cache.
        let mut q = sqlx::query(if full { full_upsert_sql() } else { &tail_sql }).persistent(full);
        for (slot, &row_index) in (first..).zip(chunk) {
            let params = StationParams::new(&rows[row_index]);
            q = row::bind_station(q.bind(written[slot].0), params, row::format_date).bind(stamp).bind(stamp);
        }
        (q, chunk.len())
    };
    let chunks = slots.len().div_ceil(IMPORT_CHUNK);
    let mut next = Some(bind_chunk(0));
    let mut done = 0;
    let mut reported = 0;
    for chunk_no in 0..chunks {
        let Some((q, len)) = next.take() else { break };
        let (result, following) =
            tokio::join!(q.execute(&mut *tx), async { (chunk_no + 1 < chunks).then(|| bind_chunk(chunk_no + 1)) });
        result?;
        next = following;
        done += len;
        if done - reported >= PROGRESS_EVERY {
            progress(done);
            reported = done;
        }
    }
    // The change log: the updated stations, then the created ones (whose ids follow `last_id`).
    let updated_ids: Vec<StationId> =
        written.iter().filter(|(_, created)| created.is_some()).map(|(id, _)| *id).collect();
    for ids in updated_ids.chunks(LOG_CHUNK) {
        let ids = serde_json::to_string(ids).map_err(|e| StoreError::from(sqlx::Error::Encode(Box::new(e))))?;
        sqlx::query(
            "INSERT INTO station_changes (station_id, op, at) \
             SELECT value, 'update', ?1 FROM json_each(?2) ORDER BY value",
        )
        .bind(stamp)
        .bind(ids)
        .execute(&mut *tx)
        .await?;
    }
    if next_id > last_id {
        sqlx::query(
            "INSERT INTO station_changes (station_id, op, at) \
             SELECT id, 'create', ?1 FROM stations WHERE id > ?2 AND id <= ?3 ORDER BY id",
        )
        .bind(stamp)
        .bind(last_id)
        .bind(next_id)
        .execute(&mut *tx)
        .await?;
    }
    let log_last: ChangeSeq = sqlx::query_scalar(LAST_CHANGE_SEQ_SQL).fetch_one(&mut *tx).await?;
    Ok(Written { slots, stations: written, assigned: HashMap::new(), log: (log_before, log_last) })
}

/// Options and whether the database is in memory, from a `sqlite:` URL.
fn parse_url(url: &str) -> Result<(SqliteConnectOptions, bool), StoreError> {
    let unsupported = || StoreError::UnsupportedUrl(url.to_owned());
    let rest = url.strip_prefix("sqlite:").ok_or_else(unsupported)?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path == ":memory:" || query.split('&').any(|p| p == "mode=memory");
    if path.is_empty() && !in_memory {
        return Err(unsupported());
    }
    let options = SqliteConnectOptions::from_str(url).map_err(|_| unsupported())?;
    Ok((options, in_memory))
}

/// An open failure, naming the file: [`StoreError::Unavailable`], whatever the cause.
fn unavailable(path: &Path, e: &sqlx::Error) -> StoreError {
    StoreError::unavailable(sqlx::Error::Io(std::io::Error::other(format!(
        "cannot open SQLite database {}: {e}",
        path.display()
    ))))
}

/// The id of the station with this key, if any.
async fn find_by_key(
    conn: &mut SqliteConnection,
    source: &str,
    external_id: &str,
) -> Result<Option<StationId>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM stations WHERE source = ?1 AND external_id = ?2")
        .bind(source)
        .bind(external_id)
        .fetch_optional(conn)
        .await?)
}

/// The columns every read selects: `id`, `lon`, `lat`, then the other columns packed into one
/// JSON array in [`Packed`] order. sqlx copies each column value of each row into its own
/// allocation, so reading 4 values per row instead of 20 makes reading many stations several times
/// faster. The coordinates stay separate REAL values, exact to the last bit.
const PACKED_COLUMNS: &str = "id, lon, lat, json_array(kind, name, address, district, street, amenities, \
                              opening_hours, capacity, operator, phone, offer, status, source, external_id, \
                              verified_on, created_at, updated_at)";

/// The JSON array of [`PACKED_COLUMNS`].
#[derive(Debug, serde::Deserialize)]
struct Packed {
    kind: String,
    name: String,
    address: Option<String>,
    district: Option<String>,
    street: Option<String>,
    amenities: i64,
    opening_hours: Option<String>,
    capacity: Option<i64>,
    operator: Option<String>,
    phone: Option<String>,
    offer: Option<String>,
    status: String,
    source: Option<String>,
    external_id: Option<String>,
    verified_on: Option<String>,
    created_at: String,
    updated_at: String,
}

/// Reads one row selected with [`PACKED_COLUMNS`].
fn decode_row(r: &SqliteRow) -> Result<StationRow, StoreError> {
    let id: StationId = r.try_get(0)?;
    let bad = |reason: String| StoreError::Corrupt { id, reason };
    let lon: f64 = r.try_get(1).map_err(|e| bad(format!("lon: {e}")))?;
    let lat: f64 = r.try_get(2).map_err(|e| bad(format!("lat: {e}")))?;
    let packed: &str = r.try_get(3).map_err(|e| bad(e.to_string()))?;
    let p: Packed = serde_json::from_str(packed).map_err(|e| bad(format!("{e} in {packed}")))?;
    Ok(StationRow {
        id,
        kind: p.kind,
        name: p.name,
        address: p.address,
        district: p.district,
        street: p.street,
        lon,
        lat,
        amenities: p.amenities,
        opening_hours: p.opening_hours,
        capacity: p.capacity,
        operator: p.operator,
        phone: p.phone,
        offer: p.offer,
        status: p.status,
        source: p.source,
        external_id: p.external_id,
        verified_on: p.verified_on.map(|d| row::parse_date(id, "verified_on", &d)).transpose()?,
        created_at: row::parse_timestamp(id, "created_at", &p.created_at)?,
        updated_at: row::parse_timestamp(id, "updated_at", &p.updated_at)?,
    })
}

/// [`row::insert_sql`], built once.
fn insert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| row::insert_sql('?'))
}

/// [`row::update_sql`], built once.
fn update_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| row::update_sql('?'))
}

/// Multi-row upsert by id of `rows` stations, each bound as its id, the data columns, then the
/// write's timestamp twice (`created_at`, `updated_at`); an existing station is updated as
/// [`row::upsert_assignments`] says. Parameters are anonymous `?`: sqlx looks each numbered one
/// up by name, which SQLite answers by a linear search, quadratic over thousands of parameters.
fn upsert_sql(rows: usize) -> String {
    let one = format!("({})", vec!["?"; DATA_COLUMNS.len() + 3].join(","));
    let mut sql = format!("INSERT INTO stations (id, {}, created_at, updated_at) VALUES ", DATA_COLUMNS.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&one);
    }
    sql.push_str(" ON CONFLICT (id) DO UPDATE SET ");
    sql.push_str(&row::upsert_assignments());
    sql
}

/// [`upsert_sql`] for a full chunk of [`IMPORT_CHUNK`] rows, built once.
fn full_upsert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| upsert_sql(IMPORT_CHUNK))
}

/// Look-up of `keys` import keys, each bound as slot, source, external id. Answers one row: a JSON
/// array of `[slot, id, created_at]` for the keys that are stored (sqlx hands rows from its
/// connection thread over one at a time, which costs more than the look-up itself).
fn lookup_sql(keys: usize) -> String {
    let mut sql = String::from("SELECT json_group_array(json_array(v.column1, s.id, s.created_at)) FROM (VALUES ");
    for i in 0..keys {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?)");
    }
    sql.push_str(") AS v JOIN stations AS s ON s.source = v.column2 AND s.external_id = v.column3");
    sql
}

#[path = "sqlite_access.rs"]
pub(crate) mod access;

#[path = "sqlite_reports.rs"]
pub(crate) mod reports;

/// Appends one entry to the change log.
async fn log_change(conn: &mut SqliteConnection, id: StationId, op: ChangeOp, at: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO station_changes (station_id, op, at) VALUES (?1, ?2, ?3)")
        .bind(id)
        .bind(op.code())
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// [`SqliteStore::update_audited`] inside the caller's writing transaction `tx` (which the caller
/// commits), so that another write (a report's resolution) commits with it or not at all.
pub(crate) async fn update_in(
    tx: &mut SqliteConnection,
    id: StationId,
    data: StationData,
    audit: Option<(&AuditContext, &str)>,
) -> Result<Station, StoreError> {
    let now = row::now();
    let stamp = row::format_timestamp(now);
    let created: Option<String> =
        sqlx::query_scalar("SELECT created_at FROM stations WHERE id = ?1").bind(id).fetch_optional(&mut *tx).await?;
    let created_at = match created {
        Some(text) => row::parse_timestamp(id, "created_at", &text)?,
        None => return Err(StoreError::NotFound(id)),
    };
    if let Some((source, external_id)) = row::import_key(&data)
        && let Some(existing) = find_by_key(&mut *tx, source, external_id).await?
        && existing != id
    {
        return Err(StoreError::conflict(existing, source, external_id));
    }
    let before = match audit {
        Some(_) => {
            let sql = format!("SELECT {PACKED_COLUMNS} FROM stations WHERE id = ?1");
            let r = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
            Some(decode_row(&r)?.into_station(&mut HoursCache::default())?)
        }
        None => None,
    };
    row::bind_station(sqlx::query(update_sql()), StationParams::new(&data), row::format_date)
        .bind(&stamp)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    log_change(&mut *tx, id, ChangeOp::Update, &stamp).await?;
    let station = Station { id, data, created_at, updated_at: now };
    if let Some((ctx, operation)) = audit {
        let rec = AuditRecord::station(operation, id, before.as_ref(), Some(&station));
        access::append_audit(&mut *tx, ctx, &rec, &stamp).await?;
    }
    Ok(station)
}

#[cfg(test)]
#[path = "sqlite_tests.rs"]
mod tests;

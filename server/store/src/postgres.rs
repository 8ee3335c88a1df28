//! The PostgreSQL 15 + PostGIS 3 backend, for several servers sharing one database. Migrations in
//! `server/store/migrations/postgres/`.
//!
//! Stations keep their exact WGS-84 degrees in `lon` / `lat`, from which the database derives a
//! `geometry(Point, 4326)` with a GiST index. Every write runs in one transaction that first takes
//! a transaction-scoped advisory lock ([`WRITE_LOCK`]), so writes from every server are serialised
//! and the change log's sequence follows commit order. Statement triggers fill the change log and
//! send a notification on [`CHANGES_CHANNEL`] to wake the servers following it.
//!
//! Imports stream their rows with `COPY` (straight into `stations` when every row is new, else into
//! a temporary table written with one `INSERT … SELECT … ON CONFLICT`) inside one transaction: all or nothing, also when the
//! importing process is killed (the server rolls the transaction back when the connection drops).
//! A station imported without a district (street) gets the one whose boundary polygon contains it
//! (`ST_Contains` on the `districts` / `streets` tables).
//!
//! Failures to reach the server (refused or dropped connections, pool timeouts, shutdown in
//! progress) are reported as [`StoreError::Unavailable`].

use super::row::{self, DATA_COLUMNS, HoursCache, Pages, StationParams, StationRow};
use super::upsert::{self, Written};
use super::{Change, ChangeSeq, ImportOutcome, StoreError};
use crate::audit::{AuditContext, AuditRecord};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Postgres, Row, Transaction};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;
use yizhan_planner::station::{Station, StationData, StationId};

/// Key of the transaction-scoped advisory lock every write takes first (also taken by the change
/// log trigger).
pub const WRITE_LOCK: i64 = 8_297_301;

/// Channel the change-log trigger notifies after each writing statement.
pub const CHANGES_CHANNEL: &str = "yizhan_station_changes";

/// Most connections one server opens.
const MAX_CONNECTIONS: u32 = 8;

/// How long a query waits for a connection before the database counts as unavailable, seconds.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Rows per query of [`PgStore::load_all`].
const LOAD_PAGE: i64 = if cfg!(test) { 1000 } else { 50_000 };

/// How often an import reports progress, rows.
const PROGRESS_EVERY: usize = 1000;

/// Bytes of `COPY` data sent per message.
const COPY_BUFFER: usize = 1 << 20;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Every column a read selects, in [`decode_row`] order.
const SELECT_COLUMNS: &str = "id, kind, name, address, district, street, lon, lat, amenities, opening_hours, \
                              capacity, operator, phone, offer, status, source, external_id, verified_on, \
                              created_at, updated_at";

/// The PostGIS store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: sqlx::PgPool,
}

impl PgStore {
    /// Connects to `postgres://…` (or `postgresql://…`) and migrates the database.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedUrl`] for a URL that cannot be parsed;
    /// [`StoreError::Unavailable`] when the server cannot be reached;
    /// [`StoreError::Migrate`] when the schema cannot be brought up to date (e.g. PostGIS missing).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|_| StoreError::UnsupportedUrl(url.to_owned()))?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Whether `url` names this backend.
    #[must_use]
    pub fn accepts(url: &str) -> bool {
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    /// The connection pool (for queries this interface does not cover, such as PostGIS ones).
    #[must_use]
    pub fn pool(&self) -> &sqlx::PgPool {
        &self.pool
    }

    /// Starts listening for change notifications: each writing statement's commit sends one.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the server cannot be reached.
    pub async fn listen(&self) -> Result<PgListener, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(listener)
    }

    /// Reads every station in pages, inside one repeatable-read transaction (one snapshot).
    pub(super) async fn load_all(&self) -> Result<Vec<Station>, StoreError> {
        let sql = format!("SELECT {SELECT_COLUMNS} FROM stations WHERE id > $1 ORDER BY id LIMIT $2");
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        let mut pages = Pages::new(LOAD_PAGE);
        while let Some(after) = pages.after() {
            let rows = sqlx::query(&sql).bind(after).bind(LOAD_PAGE).fetch_all(&mut *tx).await?;
            pages.add(rows.iter().map(decode_row))?;
        }
        tx.commit().await?;
        Ok(pages.into_stations())
    }

    pub(super) async fn get(&self, id: StationId) -> Result<Option<Station>, StoreError> {
        let sql = format!("SELECT {SELECT_COLUMNS} FROM stations WHERE id = $1");
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
        let mut tx = self.begin_write().await?;
        if let Some((source, external_id)) = row::import_key(&data)
            && let Some(existing) = find_by_key(&mut tx, source, external_id).await?
        {
            return Err(StoreError::conflict(existing, source, external_id));
        }
        let sql = row::insert_sql('$');
        let id: StationId = row::bind_station(sqlx::query_scalar(&sql), StationParams::new(&data), date)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let station = Station { id, data, created_at: now, updated_at: now };
        if let Some(ctx) = audit {
            let rec = AuditRecord::station("station.create", id, None, Some(&station));
            access::append_audit(&mut tx, ctx, &rec, now).await?;
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
        let sql = format!("DELETE FROM stations WHERE id = $1 RETURNING {SELECT_COLUMNS}");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await?;
        let station = match row {
            Some(r) => decode_row(&r)?.into_station(&mut HoursCache::default())?,
            None => return Err(StoreError::NotFound(id)),
        };
        if let Some(ctx) = audit {
            let rec = AuditRecord::station("station.delete", id, Some(&station), None);
            access::append_audit(&mut tx, ctx, &rec, row::now()).await?;
        }
        tx.commit().await?;
        Ok(station)
    }

    /// Imports `rows` (not empty) in one transaction holding [`WRITE_LOCK`] ([`import_in`]),
    /// appending `audit`'s entry (if any: counts and ids) to the audit log in it, and commits.
    /// `progress` is called about every [`PROGRESS_EVERY`] rows written (the caller reports the
    /// total).
    pub(super) async fn import_audited(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
        audit: Option<&AuditContext>,
    ) -> Result<ImportOutcome, StoreError> {
        let total = rows.len();
        let started = std::time::Instant::now();
        let now = row::now();
        let mut tx = self.begin_write().await?;
        let written = import_in(&mut tx, &rows, progress, now).await?;
        if let Some(ctx) = audit {
            access::append_audit(&mut tx, ctx, &written.audit_record(total), now).await?;
        }
        tx.commit().await?;
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            rows = total,
            seconds,
            rows_per_s = total as f64 / seconds.max(1e-9),
            "PostGIS import committed"
        );
        Ok(written.into_outcome(rows, now))
    }

    pub(super) async fn changes_since(&self, after: ChangeSeq, limit: u32) -> Result<Vec<Change>, StoreError> {
        let rows =
            sqlx::query("SELECT seq, station_id, op, at FROM station_changes WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(row::decode_change).collect()
    }

    pub(super) async fn last_change_seq(&self) -> Result<ChangeSeq, StoreError> {
        let seq: i64 = sqlx::query_scalar(LAST_CHANGE_SEQ_SQL).fetch_one(&self.pool).await?;
        Ok(seq)
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(StoreError::unavailable)?;
        Ok(())
    }

    /// Starts a write transaction holding [`WRITE_LOCK`].
    pub(super) async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(&mut *tx).await?;
        Ok(tx)
    }
}

/// The writing part of an import, inside the caller's transaction `conn` (holding [`WRITE_LOCK`];
/// the caller commits): collapse rows sharing a key (the later wins), look the keys up, take ids
/// from the sequence, stream the rows with `COPY`, fill in districts and streets from the stored
/// boundaries. `rows` is not empty; `progress` is called about every [`PROGRESS_EVERY`] rows (the
/// caller reports the total once committed); `now` is the write's time.
pub(super) async fn import_in(
    conn: &mut PgConnection,
    rows: &[StationData],
    progress: &(dyn Fn(usize) + Sync),
    now: DateTime<Utc>,
) -> Result<Written, StoreError> {
    let stamp = row::format_timestamp(now);
    let (slots, slot_of_key) = upsert::slots(rows);
    let log_before = last_seq(conn).await?;

    // Which keys already exist: their id and creation time, by slot.
    let mut existing: Vec<Option<(StationId, DateTime<Utc>)>> = vec![None; slots.len()];
    let any_stored: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM stations)").fetch_one(&mut *conn).await?;
    if any_stored && !slot_of_key.is_empty() {
        sqlx::query(
            "CREATE TEMPORARY TABLE import_keys (slot bigint NOT NULL, source text NOT NULL, \
             external_id text NOT NULL) ON COMMIT DROP",
        )
        .execute(&mut *conn)
        .await?;
        let mut copy = conn.copy_in_raw("COPY import_keys FROM STDIN").await?;
        let mut buf = String::with_capacity(COPY_BUFFER + 4096);
        for (&(source, external_id), &slot) in &slot_of_key {
            let _ = write!(buf, "{slot}\t");
            push_text(&mut buf, source);
            buf.push('\t');
            push_text(&mut buf, external_id);
            buf.push('\n');
            if buf.len() >= COPY_BUFFER {
                copy.send(buf.as_bytes()).await?;
                buf.clear();
            }
        }
        if !buf.is_empty() {
            copy.send(buf.as_bytes()).await?;
        }
        copy.finish().await?;
        let found = sqlx::query(
            "SELECT k.slot, s.id, s.created_at FROM import_keys k \
             JOIN stations s ON s.source = k.source AND s.external_id = k.external_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in &found {
            let slot: i64 = r.try_get(0)?;
            let entry = usize::try_from(slot).ok().and_then(|s| existing.get_mut(s));
            if let Some(entry) = entry {
                *entry = Some((r.try_get(1)?, r.try_get(2)?));
            }
        }
    }

    // New stations take the next ids of the sequence, in slot order. The sequence is moved on
    // past them at once; under the write lock no other write takes ids meanwhile.
    let new_count = existing.iter().filter(|e| e.is_none()).count();
    let mut next_id: StationId = 0;
    if new_count > 0 {
        let n = i64::try_from(new_count).unwrap_or(i64::MAX);
        let last: i64 = sqlx::query_scalar(
            "SELECT setval('stations_id_seq', \
             (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM stations_id_seq) + $1)",
        )
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
        next_id = last - n;
    }
    let (written, _) = upsert::assign_ids(&existing, next_id);

    // Only new stations and no boundaries to consult: stream the rows straight into the table.
    // Otherwise into a temporary table, then write them all with one statement.
    let boundaries: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM districts) OR EXISTS (SELECT 1 FROM streets)")
            .fetch_one(&mut *conn)
            .await?;
    let direct = !boundaries && existing.iter().all(Option::is_none);
    if !direct {
        sqlx::query(
            "CREATE TEMPORARY TABLE import_rows (LIKE stations INCLUDING DEFAULTS EXCLUDING GENERATED) \
             ON COMMIT DROP",
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query("ALTER TABLE import_rows DROP COLUMN geom").execute(&mut *conn).await?;
    }
    let columns = format!("id, {}, created_at, updated_at", DATA_COLUMNS.join(", "));
    let target = if direct { "stations" } else { "import_rows" };
    let mut copy = conn.copy_in_raw(&format!("COPY {target} ({columns}) FROM STDIN")).await?;
    let mut buf = String::with_capacity(COPY_BUFFER + 4096);
    let mut reported = 0;
    for (done, (&row_index, &(id, created))) in slots.iter().zip(&written).enumerate() {
        let created = created.map_or_else(|| stamp.clone(), row::format_timestamp);
        push_copy_row(&mut buf, id, &StationParams::new(&rows[row_index]), &created, &stamp);
        if buf.len() >= COPY_BUFFER {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
        if done + 1 - reported >= PROGRESS_EVERY {
            progress(done + 1);
            reported = done + 1;
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;

    let select: Vec<String> = DATA_COLUMNS
        .iter()
        .map(|c| match *c {
            "district" if boundaries => "COALESCE(i.district, (SELECT d.name FROM districts d \
                WHERE ST_Contains(d.geom, ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326)) ORDER BY d.id LIMIT 1))"
                .to_owned(),
            "street" if boundaries => "COALESCE(i.street, (SELECT s.name FROM streets s \
                WHERE ST_Contains(s.geom, ST_SetSRID(ST_MakePoint(i.lon, i.lat), 4326)) ORDER BY s.id LIMIT 1))"
                .to_owned(),
            c => format!("i.{c}"),
        })
        .collect();
    let sql = format!(
        "INSERT INTO stations ({columns}) SELECT i.id, {}, i.created_at, i.updated_at FROM import_rows i \
         ORDER BY i.id ON CONFLICT (id) DO UPDATE SET {}",
        select.join(", "),
        row::upsert_assignments()
    );
    if !direct {
        sqlx::query(&sql).execute(&mut *conn).await?;
    }

    // What the boundaries filled in.
    let mut assigned: HashMap<StationId, (Option<String>, Option<String>)> = HashMap::new();
    if boundaries {
        let rows = sqlx::query(
            "SELECT s.id, s.district, s.street FROM import_rows i JOIN stations s ON s.id = i.id \
             WHERE i.district IS DISTINCT FROM s.district OR i.street IS DISTINCT FROM s.street",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            assigned.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
        }
    }
    let log_last = last_seq(conn).await?;
    Ok(Written { slots, stations: written, assigned, log: (log_before, log_last) })
}

/// The change log's last sequence number (0 when empty).
const LAST_CHANGE_SEQ_SQL: &str = "SELECT COALESCE(MAX(seq), 0) FROM station_changes";

/// [`LAST_CHANGE_SEQ_SQL`] inside a transaction.
async fn last_seq(conn: &mut PgConnection) -> Result<ChangeSeq, StoreError> {
    Ok(sqlx::query_scalar(LAST_CHANGE_SEQ_SQL).fetch_one(conn).await?)
}

#[path = "postgres_access.rs"]
pub(crate) mod access;

#[path = "postgres_reports.rs"]
pub(crate) mod reports;

/// `verified_on` as bound: a `date`.
fn date(d: NaiveDate) -> NaiveDate {
    d
}

/// The id of the station with this key, if any.
async fn find_by_key(
    conn: &mut PgConnection,
    source: &str,
    external_id: &str,
) -> Result<Option<StationId>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM stations WHERE source = $1 AND external_id = $2")
        .bind(source)
        .bind(external_id)
        .fetch_optional(conn)
        .await?)
}

/// Appends `text` escaped for `COPY … FROM STDIN` text format.
fn push_text(buf: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

fn push_opt(buf: &mut String, text: Option<&str>) {
    match text {
        Some(t) => push_text(buf, t),
        None => buf.push_str("\\N"),
    }
}

/// Appends one `import_rows` line: id, the data columns, `created_at`, `updated_at`.
fn push_copy_row(buf: &mut String, id: StationId, p: &StationParams<'_>, created: &str, updated: &str) {
    // f64's `Display` writes the shortest text that reads back as the same number.
    let _ = write!(buf, "{id}\t{}\t", p.kind);
    push_text(buf, p.name);
    for t in [p.address, p.district, p.street] {
        buf.push('\t');
        push_opt(buf, t);
    }
    let _ = write!(buf, "\t{}\t{}\t{}\t", p.lon, p.lat, p.amenities);
    push_opt(buf, p.opening_hours);
    buf.push('\t');
    match p.capacity {
        Some(c) => {
            let _ = write!(buf, "{c}");
        }
        None => buf.push_str("\\N"),
    }
    for t in [p.operator, p.phone, p.offer] {
        buf.push('\t');
        push_opt(buf, t);
    }
    let _ = write!(buf, "\t{}\t", p.status);
    push_opt(buf, p.source);
    buf.push('\t');
    push_opt(buf, p.external_id);
    buf.push('\t');
    match p.verified_on {
        Some(d) => buf.push_str(&row::format_date(d)),
        None => buf.push_str("\\N"),
    }
    let _ = writeln!(buf, "\t{created}\t{updated}");
}

/// Reads one row selected with [`SELECT_COLUMNS`].
fn decode_row(r: &PgRow) -> Result<StationRow, StoreError> {
    let id: StationId = r.try_get(0)?;
    let bad = |e: sqlx::Error| StoreError::Corrupt { id, reason: e.to_string() };
    Ok(StationRow {
        id,
        kind: r.try_get(1).map_err(bad)?,
        name: r.try_get(2).map_err(bad)?,
        address: r.try_get(3).map_err(bad)?,
        district: r.try_get(4).map_err(bad)?,
        street: r.try_get(5).map_err(bad)?,
        lon: r.try_get(6).map_err(bad)?,
        lat: r.try_get(7).map_err(bad)?,
        amenities: r.try_get(8).map_err(bad)?,
        opening_hours: r.try_get(9).map_err(bad)?,
        capacity: r.try_get(10).map_err(bad)?,
        operator: r.try_get(11).map_err(bad)?,
        phone: r.try_get(12).map_err(bad)?,
        offer: r.try_get(13).map_err(bad)?,
        status: r.try_get(14).map_err(bad)?,
        source: r.try_get(15).map_err(bad)?,
        external_id: r.try_get(16).map_err(bad)?,
        verified_on: r.try_get::<Option<NaiveDate>, _>(17).map_err(bad)?,
        created_at: r.try_get(18).map_err(bad)?,
        updated_at: r.try_get(19).map_err(bad)?,
    })
}

/// [`PgStore::update_audited`] inside the caller's writing transaction `tx` (which the caller
/// commits), so that another write (a report's resolution) commits with it or not at all.
pub(crate) async fn update_in(
    tx: &mut PgConnection,
    id: StationId,
    data: StationData,
    audit: Option<(&AuditContext, &str)>,
) -> Result<Station, StoreError> {
    let now = row::now();
    let created: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT created_at FROM stations WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let Some(created_at) = created else { return Err(StoreError::NotFound(id)) };
    if let Some((source, external_id)) = row::import_key(&data)
        && let Some(existing) = find_by_key(&mut *tx, source, external_id).await?
        && existing != id
    {
        return Err(StoreError::conflict(existing, source, external_id));
    }
    let before = match audit {
        Some(_) => {
            let sql = format!("SELECT {SELECT_COLUMNS} FROM stations WHERE id = $1");
            let r = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
            Some(decode_row(&r)?.into_station(&mut HoursCache::default())?)
        }
        None => None,
    };
    let sql = row::update_sql('$');
    row::bind_station(sqlx::query(&sql), StationParams::new(&data), date).bind(now).bind(id).execute(&mut *tx).await?;
    let station = Station { id, data, created_at, updated_at: now };
    if let Some((ctx, operation)) = audit {
        let rec = AuditRecord::station(operation, id, before.as_ref(), Some(&station));
        access::append_audit(&mut *tx, ctx, &rec, now).await?;
    }
    Ok(station)
}

#[cfg(test)]
#[path = "postgres_tests.rs"]
mod tests;

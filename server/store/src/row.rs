//! Backend-neutral mapping between [`Station`] and the columns of the `stations` table.
//!
//! Writing: [`StationParams`] holds a station's data as column values (codes for enums, the amenity
//! bit mask, the opening-hours text, WGS-84 degrees). Reading: a backend decodes its own column
//! types into a [`StationRow`] and [`StationRow::into_station`] checks every value, turning anything
//! invalid into [`StoreError::Corrupt`] naming the row.
//!
//! Timestamps are kept to whole microseconds ([`now`]), the precision both the embedded store's
//! text form ([`format_timestamp`]) and a PostgreSQL `timestamptz` hold exactly, so a station
//! returned by a write equals the station read back later.
//!
//! Also here, written once for both backends: binding a station's parameters ([`bind_station`]),
//! the statements that differ between the backends only in their parameter marks
//! ([`insert_sql`], [`update_sql`], [`upsert_assignments`]), reading every station in pages
//! ([`Pages`]) and reading a change-log row ([`decode_change`]).

use super::{Change, ChangeOp, StoreError};
use crate::columns::{Bind, Columns};
use chrono::{DateTime, NaiveDate, SecondsFormat, Timelike, Utc};
use sqlx::{Database, Encode, Type};
use std::collections::HashMap;
use std::fmt::Write as _;
use yizhan_planner::amenity::AmenitySet;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpeningHours;
use yizhan_planner::station::{Station, StationData, StationId, StationKind, StationStatus};

/// The columns of `stations` that hold [`StationData`] — all but `id`, `created_at` and
/// `updated_at` — in the order both backends bind and copy them ([`StationParams`] field order).
pub(crate) const DATA_COLUMNS: [&str; 17] = [
    "kind",
    "name",
    "address",
    "district",
    "street",
    "lon",
    "lat",
    "amenities",
    "opening_hours",
    "capacity",
    "operator",
    "phone",
    "offer",
    "status",
    "source",
    "external_id",
    "verified_on",
];

/// A station's data as column values, borrowed from a [`StationData`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct StationParams<'a> {
    /// `kind`: the kind's code.
    pub kind: &'static str,
    /// `name`.
    pub name: &'a str,
    /// `address`.
    pub address: Option<&'a str>,
    /// `district`.
    pub district: Option<&'a str>,
    /// `street`.
    pub street: Option<&'a str>,
    /// `lon`, WGS-84 degrees.
    pub lon: f64,
    /// `lat`, WGS-84 degrees.
    pub lat: f64,
    /// `amenities`: the bit mask.
    pub amenities: i64,
    /// `opening_hours`: the expression text.
    pub opening_hours: Option<&'a str>,
    /// `capacity`.
    pub capacity: Option<i64>,
    /// `operator`.
    pub operator: Option<&'a str>,
    /// `phone`.
    pub phone: Option<&'a str>,
    /// `offer`.
    pub offer: Option<&'a str>,
    /// `status`: the status's code.
    pub status: &'static str,
    /// `source`.
    pub source: Option<&'a str>,
    /// `external_id`.
    pub external_id: Option<&'a str>,
    /// `verified_on`.
    pub verified_on: Option<NaiveDate>,
}

impl<'a> StationParams<'a> {
    /// The column values of `data`.
    pub(crate) fn new(data: &'a StationData) -> Self {
        Self {
            kind: data.kind.code(),
            name: &data.name,
            address: data.address.as_deref(),
            district: data.district.as_deref(),
            street: data.street.as_deref(),
            lon: data.location.lon,
            lat: data.location.lat,
            amenities: i64::from(data.amenities.bits()),
            opening_hours: data.opening_hours.as_ref().map(OpeningHours::as_str),
            capacity: data.capacity.map(i64::from),
            operator: data.operator.as_deref(),
            phone: data.phone.as_deref(),
            offer: data.offer.as_deref(),
            status: data.status.code(),
            source: data.source.as_deref(),
            external_id: data.external_id.as_deref(),
            verified_on: data.verified_on,
        }
    }
}

/// Binds the 17 data columns of `p` in [`DATA_COLUMNS`] order; `date` turns `verified_on` into
/// the value the backend stores (`YYYY-MM-DD` text in the embedded store, a `date` in PostgreSQL).
pub(crate) fn bind_station<'q, DB, Q, D>(q: Q, p: StationParams<'q>, date: fn(NaiveDate) -> D) -> Q
where
    DB: Database,
    Q: Bind<'q, DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    f64: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<D>: 'q + Encode<'q, DB> + Type<DB>,
{
    q.value(p.kind)
        .value(p.name)
        .value(p.address)
        .value(p.district)
        .value(p.street)
        .value(p.lon)
        .value(p.lat)
        .value(p.amenities)
        .value(p.opening_hours)
        .value(p.capacity)
        .value(p.operator)
        .value(p.phone)
        .value(p.offer)
        .value(p.status)
        .value(p.source)
        .value(p.external_id)
        .value(p.verified_on.map(date))
}

/// `INSERT` of one station answering its id, with parameters numbered from 1 after `mark` (`?` in
/// the embedded store, `$` in PostgreSQL): the data columns, then `created_at`, `updated_at`.
pub(crate) fn insert_sql(mark: char) -> String {
    let placeholders: Vec<String> = (1..=DATA_COLUMNS.len() + 2).map(|i| format!("{mark}{i}")).collect();
    format!(
        "INSERT INTO stations ({}, created_at, updated_at) VALUES ({}) RETURNING id",
        DATA_COLUMNS.join(", "),
        placeholders.join(", ")
    )
}

/// `UPDATE` of one station, with parameters numbered from 1 after `mark`: the data columns, then
/// `updated_at`, then the id.
pub(crate) fn update_sql(mark: char) -> String {
    let sets: Vec<String> = DATA_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = {mark}{}", i + 1)).collect();
    let n = DATA_COLUMNS.len();
    format!("UPDATE stations SET {}, updated_at = {mark}{} WHERE id = {mark}{}", sets.join(", "), n + 1, n + 2)
}

/// What an import's `INSERT … ON CONFLICT (id) DO UPDATE SET` sets: every data column from the
/// new row (`excluded`), and `updated_at`. An existing station keeps its `created_at`. Rows are
/// matched to stored stations by source and external id, so those never change here; leaving
/// them out spares rewriting their index entry.
pub(crate) fn upsert_assignments() -> String {
    let mut sql = String::new();
    for c in DATA_COLUMNS.iter().filter(|c| !matches!(**c, "source" | "external_id")) {
        let _ = write!(sql, "{c} = excluded.{c}, ");
    }
    sql.push_str("updated_at = excluded.updated_at");
    sql
}

/// Reads one change-log row: `seq`, `station_id`, `op`, `at`.
///
/// # Errors
/// [`StoreError::Corrupt`] naming the station for an unknown operation or a time that does not
/// read back; [`StoreError::Database`] for a column of the wrong type.
pub(crate) fn decode_change(r: &impl Columns) -> Result<Change, StoreError> {
    let seq = r.int(0)?;
    let station_id: StationId = r.int(1)?;
    let op = r.text(2)?;
    let op = ChangeOp::from_code(op).ok_or_else(|| StoreError::Corrupt {
        id: station_id,
        reason: format!("change {seq} has unknown operation {op:?}"),
    })?;
    let at = r.timestamp(3, &bad_timestamp(station_id, "change log time"))?;
    Ok(Change { seq, station_id, op, at })
}

/// The import key of a station: `source` and `external_id` when both are present. Stations without
/// a key are never merged with another.
pub(crate) fn import_key(data: &StationData) -> Option<(&str, &str)> {
    Some((data.source.as_deref()?, data.external_id.as_deref()?))
}

/// One stored row, decoded into plain values but not yet checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StationRow {
    /// `id`.
    pub id: StationId,
    /// `kind`: a kind code.
    pub kind: String,
    /// `name`.
    pub name: String,
    /// `address`.
    pub address: Option<String>,
    /// `district`.
    pub district: Option<String>,
    /// `street`.
    pub street: Option<String>,
    /// `lon`, WGS-84 degrees.
    pub lon: f64,
    /// `lat`, WGS-84 degrees.
    pub lat: f64,
    /// `amenities`: the bit mask.
    pub amenities: i64,
    /// `opening_hours`: the expression text.
    pub opening_hours: Option<String>,
    /// `capacity`.
    pub capacity: Option<i64>,
    /// `operator`.
    pub operator: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `offer`.
    pub offer: Option<String>,
    /// `status`: a status code.
    pub status: String,
    /// `source`.
    pub source: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `verified_on`.
    pub verified_on: Option<NaiveDate>,
    /// `created_at` (UTC).
    pub created_at: DateTime<Utc>,
    /// `updated_at` (UTC).
    pub updated_at: DateTime<Utc>,
}

/// Most distinct expressions a [`HoursCache`] keeps.
const HOURS_CACHE_ENTRIES: usize = 10_000;

/// Opening-hours expressions already parsed while reading many rows. Stations share a handful of
/// expressions, and parsing one costs far more than cloning it (the parsed form is shared).
#[derive(Debug, Default)]
pub(crate) struct HoursCache(HashMap<String, OpeningHours>);

impl HoursCache {
    /// Parses `text`, or clones the result of parsing it before.
    fn parse(&mut self, text: String) -> Result<OpeningHours, yizhan_planner::hours::HoursError> {
        if let Some(hours) = self.0.get(&text) {
            return Ok(hours.clone());
        }
        let hours = OpeningHours::parse(&text)?;
        if self.0.len() < HOURS_CACHE_ENTRIES {
            self.0.insert(text, hours.clone());
        }
        Ok(hours)
    }
}

impl StationRow {
    /// Checks every value and builds the station, parsing opening hours through `hours`.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] naming the row's id and the first bad column.
    pub(crate) fn into_station(self, hours: &mut HoursCache) -> Result<Station, StoreError> {
        let id = self.id;
        let corrupt = |reason: String| StoreError::Corrupt { id, reason };
        let kind = StationKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == self.kind)
            .ok_or_else(|| corrupt(format!("kind {:?} is not a station kind code", self.kind)))?;
        let status = StationStatus::ALL
            .iter()
            .copied()
            .find(|s| s.code() == self.status)
            .ok_or_else(|| corrupt(format!("status {:?} is not a station status code", self.status)))?;
        let location = LonLat::new(self.lon, self.lat).map_err(|e| corrupt(format!("location: {e}")))?;
        let amenities = u32::try_from(self.amenities)
            .ok()
            .and_then(AmenitySet::from_bits)
            .ok_or_else(|| corrupt(format!("amenities {:#x} holds bits that name no amenity", self.amenities)))?;
        let opening_hours = match self.opening_hours {
            Some(text) => Some(hours.parse(text).map_err(|e| corrupt(e.to_string()))?),
            None => None,
        };
        let capacity = match self.capacity {
            Some(c) => Some(u32::try_from(c).map_err(|_| corrupt(format!("capacity {c} is out of range")))?),
            None => None,
        };
        if self.name.is_empty() {
            return Err(corrupt("name is empty".to_owned()));
        }
        Ok(Station {
            id,
            data: StationData {
                kind,
                name: self.name,
                address: self.address,
                district: self.district,
                street: self.street,
                location,
                amenities,
                opening_hours,
                capacity,
                operator: self.operator,
                phone: self.phone,
                offer: self.offer,
                status,
                source: self.source,
                external_id: self.external_id,
                verified_on: self.verified_on,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Every station read in pages of equal length by ascending id (each page the rows with an id
/// above [`Pages::after`], `ORDER BY id LIMIT` the page length), as both backends' `load_all` do.
#[derive(Debug)]
pub(crate) struct Pages {
    /// Rows per page.
    page: usize,
    /// The id the next page starts after; `None` once a short page showed the end.
    after: Option<StationId>,
    stations: Vec<Station>,
    hours: HoursCache,
}

impl Pages {
    /// Reading pages of `page` rows, from the lowest id.
    pub(crate) fn new(page: i64) -> Self {
        let page = usize::try_from(page).unwrap_or(usize::MAX);
        Self { page, after: Some(StationId::MIN), stations: Vec::new(), hours: HoursCache::default() }
    }

    /// The id the next page starts after, or `None` when every station has been read.
    pub(crate) fn after(&self) -> Option<StationId> {
        self.after
    }

    /// Adds the page read after [`Pages::after`], checking every row.
    ///
    /// # Errors
    /// The first row's error, or [`StoreError::Corrupt`] for a row that is no station.
    pub(crate) fn add(
        &mut self,
        rows: impl ExactSizeIterator<Item = Result<StationRow, StoreError>>,
    ) -> Result<(), StoreError> {
        let len = rows.len();
        for r in rows {
            self.stations.push(r?.into_station(&mut self.hours)?);
        }
        self.after = match self.stations.last() {
            Some(last) if len == self.page => Some(last.id),
            _ => None,
        };
        Ok(())
    }

    /// The stations read, by ascending id.
    pub(crate) fn into_stations(self) -> Vec<Station> {
        self.stations
    }
}

/// The current time truncated to whole microseconds (UTC).
pub(crate) fn now() -> DateTime<Utc> {
    let t = Utc::now();
    let micros = t.nanosecond() / 1000 * 1000;
    t.with_nanosecond(micros).unwrap_or(t)
}

/// A timestamp as stored in text: RFC 3339 in UTC with six fractional digits
/// (`2025-03-01T08:15:30.123456Z`), fixed width so text order is time order.
pub(crate) fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads an RFC 3339 timestamp of row `id`'s column `column`.
///
/// # Errors
/// [`StoreError::Corrupt`] when the text is not an RFC 3339 timestamp.
pub(crate) fn parse_timestamp(id: StationId, column: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|e| bad_timestamp(id, column)(text, e))
}

/// The [`StoreError::Corrupt`] of row `id` whose column `column` holds text that is no RFC 3339
/// timestamp.
pub(crate) fn bad_timestamp(id: StationId, column: &str) -> impl Fn(&str, chrono::ParseError) -> StoreError + '_ {
    move |text, e| StoreError::Corrupt { id, reason: format!("{column} {text:?} is not an RFC 3339 timestamp: {e}") }
}

/// A date as stored in text: `YYYY-MM-DD`.
pub(crate) fn format_date(d: NaiveDate) -> String {
    // `Display` writes ISO 8601 `YYYY-MM-DD`, faster than interpreting a format string per row.
    d.to_string()
}

/// Reads a `YYYY-MM-DD` date of row `id`'s column `column`.
///
/// # Errors
/// [`StoreError::Corrupt`] when the text is not such a date.
pub(crate) fn parse_date(id: StationId, column: &str, text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt { id, reason: format!("{column} {text:?} is not a YYYY-MM-DD date: {e}") })
}

#[cfg(test)]
#[path = "row_tests.rs"]
mod tests;

//! Rider reports as stored (migration 0008): the records, the queue query, and reading a row back,
//! written once for both backends. The SQL is in `sqlite_reports.rs` and `postgres_reports.rs`.

use crate::StoreError;
use crate::columns::Columns;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yizhan_planner::amenity::Amenity;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::report::{ReportCategory, ReportStatus};
use yizhan_planner::station::{StationData, StationId};

/// A photo as stored: re-encoded by the server, without metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The image file.
    pub bytes: Vec<u8>,
    /// Its media type (`image/jpeg`).
    pub media_type: String,
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
}

/// A report to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    /// The rider's code (unique).
    pub code: String,
    /// The station reported on, if any.
    pub station_id: Option<StationId>,
    /// What is reported.
    pub category: ReportCategory,
    /// The amenity concerned.
    pub amenity: Option<Amenity>,
    /// What the rider wrote.
    pub text: Option<String>,
    /// Where the rider was (WGS-84).
    pub position: Option<LonLat>,
    /// The district of the station or place, if known.
    pub district: Option<String>,
    /// The street of the station or place, if known.
    pub street: Option<String>,
    /// The photo, re-encoded.
    pub photo: Option<Photo>,
    /// When it was sent (UTC).
    pub created_at: DateTime<Utc>,
}

/// A stored report (without its photo's bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportRecord {
    /// Storage id.
    pub id: i64,
    /// The rider's code.
    pub code: String,
    /// The station reported on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_id: Option<StationId>,
    /// What is reported.
    pub category: ReportCategory,
    /// The amenity concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub amenity: Option<Amenity>,
    /// What the rider wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Where the rider was (WGS-84).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<LonLat>,
    /// District of the station or place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Street of the station or place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Where it stands.
    pub status: ReportStatus,
    /// When it was sent (UTC).
    pub created_at: DateTime<Utc>,
    /// When it last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// When it was resolved or rejected (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// The editor's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The token id of the editor who last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
    /// Whether a photo came with it.
    pub has_photo: bool,
}

/// Which reports to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportQuery {
    /// Only these statuses (empty: every status).
    pub statuses: Vec<ReportStatus>,
    /// Only this district.
    pub district: Option<String>,
    /// Only this street.
    pub street: Option<String>,
    /// Only about this station.
    pub station: Option<StationId>,
    /// Page size.
    pub limit: u32,
    /// Reports to skip.
    pub offset: u64,
}

impl ReportQuery {
    /// The statuses as codes, for a text-array or `IN` parameter.
    pub(crate) fn status_codes(&self) -> Vec<&'static str> {
        let all = if self.statuses.is_empty() { ReportStatus::ALL } else { &self.statuses };
        all.iter().map(|s| s.code()).collect()
    }
}

/// An editor's answer to a report, with the change it makes to the report's station, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportAnswer {
    /// The new status.
    pub status: ReportStatus,
    /// The note to the rider.
    pub note: Option<String>,
    /// The station's new data (only when resolving a report about a station), written in the
    /// same transaction as the answer.
    pub station: Option<StationData>,
}

/// Columns of a report read, in [`decode_report`] order.
pub(crate) const REPORT_COLUMNS: &str = "id, code, station_id, category, amenity, message, lon, lat, district, street, \
     status, created_at, updated_at, resolved_at, note, handled_by, photo IS NOT NULL";

/// Reads one report selected with [`REPORT_COLUMNS`].
///
/// # Errors
/// [`StoreError::CorruptRecord`] for a category, amenity, status or time that does not read back.
pub(crate) fn decode_report(r: &impl Columns) -> Result<ReportRecord, StoreError> {
    const TABLE: &str = "reports";
    let id = r.int(0)?;
    let bad = |what: &str, v: &str| StoreError::corrupt_record(TABLE, format!("report {id}: {what} {v:?}"));
    let category = r.text(3)?;
    let category = ReportCategory::parse(category).ok_or_else(|| bad("category", category))?;
    let amenity = match r.opt_text(4)? {
        Some(a) => Some(Amenity::parse(a).ok_or_else(|| bad("amenity", a))?),
        None => None,
    };
    let position = match (r.opt_float(6)?, r.opt_float(7)?) {
        (Some(lon), Some(lat)) => Some(LonLat::new(lon, lat).map_err(|e| bad("position", &e.to_string()))?),
        _ => None,
    };
    let status = r.text(10)?;
    let status = ReportStatus::parse(status).ok_or_else(|| bad("status", status))?;
    Ok(ReportRecord {
        id,
        code: r.string(1)?,
        station_id: r.opt_int(2)?,
        category,
        amenity,
        text: r.opt_string(5)?,
        position,
        district: r.opt_string(8)?,
        street: r.opt_string(9)?,
        status,
        created_at: r.timestamp(11, &StoreError::bad_record_time(TABLE, "created_at"))?,
        updated_at: r.timestamp(12, &StoreError::bad_record_time(TABLE, "updated_at"))?,
        resolved_at: r.opt_timestamp(13, &StoreError::bad_record_time(TABLE, "resolved_at"))?,
        note: r.opt_string(14)?,
        handled_by: r.opt_string(15)?,
        has_photo: r.flag(16)?,
    })
}

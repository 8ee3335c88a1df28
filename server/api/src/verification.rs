//! Verification of the register: `POST /api/v1/stations/{id}/verify` marks a station checked on
//! site today (audited as `station.verify`); `GET /api/v1/verification` counts, per street, the
//! stations verified within the window (`config.verify_after_days`), overdue and never verified.
//! The due list itself is `GET /api/v1/stations?verification=due&sort=verified_on`.

use super::stations::{GeoJson, parse_id};
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::state::AppState;
use yizhan_http::auth::EditorAccess;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::model::StationFeature;
use yizhan_http::query::QueryParams;
use yizhan_planner::station::{StationStatus, Verification};

/// Verification counts of a set of stations.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct VerificationCounts {
    /// Stations counted.
    pub stations: usize,
    /// Verified within the window.
    pub current: usize,
    /// Verified, longer ago than the window.
    pub overdue: usize,
    /// Never verified.
    pub never: usize,
    /// Due for verification (`overdue + never`).
    pub due: usize,
    /// `current / stations` (0 for no stations), 0..=1.
    pub share: f64,
}

impl VerificationCounts {
    fn add(&mut self, v: Verification) {
        self.stations += 1;
        match v {
            Verification::Current => self.current += 1,
            Verification::Overdue => self.overdue += 1,
            Verification::Never => self.never += 1,
        }
    }

    fn finish(mut self) -> Self {
        self.due = self.overdue + self.never;
        #[expect(clippy::cast_precision_loss, reason = "station counts are far below 2^52")]
        let share = if self.stations == 0 { 0.0 } else { self.current as f64 / self.stations as f64 };
        self.share = share;
        self
    }
}

/// One street's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StreetVerification {
    /// District (区/县), if recorded.
    pub district: Option<String>,
    /// Street (街道/镇), if recorded.
    pub street: Option<String>,
    /// The counts.
    #[serde(flatten)]
    pub counts: VerificationCounts,
}

/// Verification of the register per street.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VerificationSummary {
    /// A station verified longer ago than this many days is due again.
    pub due_after_days: u32,
    /// The day the states refer to (server time zone).
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// One row per (district, street), ordered by district then street (unrecorded last).
    pub streets: Vec<StreetVerification>,
    /// The whole register (closed stations excluded, as in the streets).
    pub total: VerificationCounts,
}

/// The register's verification per street: closed stations are not counted (nobody checks a
/// station that is gone).
#[utoipa::path(
    get,
    path = "/api/v1/verification",
    tag = "stations",
    params(("district" = Option<String>, Query, description = "Only this district (区/县).")),
    responses(
        (status = 200, description = "Counts per street.", body = VerificationSummary),
        (status = 400, description = "Unknown query parameter.", body = ErrorBody),
    )
)]
pub(crate) async fn summary(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<VerificationSummary>, ApiError> {
    let q = QueryParams::parse(raw.as_deref(), &["district"])?;
    let district = q.single("district")?;
    let config = &state.config;
    let today = config.today();
    let window = config.verify_after_days;
    let mut per: BTreeMap<(Option<String>, Option<String>), VerificationCounts> = BTreeMap::new();
    let mut total = VerificationCounts::default();
    for s in state.index().iter() {
        let d = &s.data;
        if d.status == StationStatus::Closed || district.is_some_and(|x| d.district.as_deref() != Some(x)) {
            continue;
        }
        let v = Verification::of(d.verified_on, today, window);
        total.add(v);
        per.entry((d.district.clone(), d.street.clone())).or_default().add(v);
    }
    let mut streets: Vec<StreetVerification> = per
        .into_iter()
        .map(|((district, street), c)| StreetVerification { district, street, counts: c.finish() })
        .collect();
    // Recorded names first, unrecorded ones last.
    streets.sort_by(|a, b| {
        (a.district.is_none(), &a.district, a.street.is_none(), &a.street).cmp(&(
            b.district.is_none(),
            &b.district,
            b.street.is_none(),
            &b.street,
        ))
    });
    Ok(Json(VerificationSummary { due_after_days: window, as_of: today, streets, total: total.finish() }))
}

/// Marks a station verified on site today (server time zone), every other field unchanged.
#[utoipa::path(
    post,
    path = "/api/v1/stations/{id}/verify",
    tag = "stations",
    params(("id" = i64, Path, description = "Station id.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The station, `verified_on` today.", body = StationFeature, content_type = "application/geo+json"),
        (status = 400, description = "The id is not an integer, or a query parameter was given.", body = ErrorBody),
        (status = 401, description = "Missing or wrong credentials.", body = ErrorBody),
        (status = 403, description = "Not an editor, writes are disabled, or the CSRF token is missing.", body = ErrorBody),
        (status = 404, description = "No station has this id.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn verify(
    EditorAccess(access): EditorAccess,
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<GeoJson<StationFeature>, ApiError> {
    let id = parse_id(path)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let today = state.config.today();
    let station = state.verify_station_as(&access.audit(), id, today).await?;
    Ok(GeoJson(StationFeature::from(&station)))
}

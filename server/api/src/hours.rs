//! `GET /api/v1/hours`: what an opening-hours text means — its OSM form (converted when written in
//! Chinese), whether it is open now and when that next changes — for the console's live preview.

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::state::AppState;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::{QueryParams, parse_instant};
use yizhan_planner::hours::OpeningHours;

/// Longest opening-hours text read, in characters (a week of intervals fits many times over).
const MAX_HOURS_CHARS: usize = 500;

/// What an opening-hours text means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HoursCheck {
    /// The text as given.
    pub input: String,
    /// The OpenStreetMap `opening_hours` form that is stored.
    pub opening_hours: String,
    /// Whether the text was written in Chinese and converted.
    pub converted: bool,
    /// Open at the time of the request (server time zone).
    pub open_now: bool,
    /// The next opening or closing within a year (RFC 3339 with the server's offset), if any.
    pub next_change: Option<DateTime<chrono::FixedOffset>>,
    /// Always open (`24/7`).
    pub always_open: bool,
}

/// Reads an opening-hours text as the importer and the console do.
#[utoipa::path(
    get,
    path = "/api/v1/hours",
    tag = "stations",
    params(
        ("opening_hours" = String, Query, description = "OSM syntax (`Mo-Fr 08:00-18:00`) or hours written in Chinese (`全天`, `周一至周五 8:00-12:00，14:00-18:00`)."),
        ("at" = Option<String>, Query, description = "Evaluate at this RFC 3339 instant instead of now."),
    ),
    responses(
        (status = 200, description = "What the text means.", body = HoursCheck),
        (status = 400, description = "Missing or unknown query parameter.", body = ErrorBody),
        (status = 422, description = "The text is not understood (`field`: `opening_hours`).", body = ErrorBody),
    )
)]
pub(crate) async fn check(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<HoursCheck>, ApiError> {
    let q = QueryParams::parse(raw.as_deref(), &["opening_hours", "at"])?;
    let text = q.single("opening_hours")?.ok_or_else(|| ApiError::missing_parameter("opening_hours"))?;
    if text.chars().count() > MAX_HOURS_CHARS {
        return Err(ApiError::invalid_parameter("opening_hours", format!("longer than {MAX_HOURS_CHARS} characters")));
    }
    let at = q.single("at")?.map(|s| parse_instant("at", s)).transpose()?.unwrap_or_else(Utc::now);
    let hours = OpeningHours::parse_written(text).map_err(|e| {
        ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid_hours", format!("{e}"))
            .with_field("opening_hours")
    })?;
    let tz = state.config.timezone;
    let local = at.with_timezone(&tz).naive_local();
    let next_change =
        hours.next_change_local(local).and_then(|t| t.and_local_timezone(tz).earliest()).map(|t| t.fixed_offset());
    Ok(Json(HoursCheck {
        input: text.to_owned(),
        opening_hours: hours.as_str().to_owned(),
        converted: hours.as_str() != text.trim(),
        open_now: hours.is_open_at(at, tz),
        next_change,
        always_open: hours.is_always_open(),
    }))
}

//! `GET /api/v1/districts/{name}/report.pdf`: the district report over HTTP.

use super::data::Hold;
use super::{ReportError, ReportOptions, generate_for};
use crate::maps::parse_lang;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;
use yizhan_core::state::AppState;
use yizhan_http::auth::Caller;
use yizhan_http::cache::header_value;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::QueryParams;

/// Reports made at once; more are refused with 429 (each runs an analysis and a plan).
pub const MAX_CONCURRENT_REPORTS: usize = 2;
/// Most sites a report proposes.
pub const MAX_REPORT_SITES: i64 = 50;

static RUNNING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(MAX_CONCURRENT_REPORTS)));

/// The HTTP answer for a report failure.
pub(crate) fn report_error(e: ReportError) -> ApiError {
    let field = e.field();
    match e {
        ReportError::UnknownDistrict { .. } => ApiError::not_found(e.to_string()).with_field("district"),
        ReportError::InvalidBoundary { .. } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_boundary", e.to_string()).with_field("district")
        }
        ReportError::NoStations { .. } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_stations", e.to_string()).with_field("district")
        }
        ReportError::Invalid { field, message } => ApiError::invalid_parameter(field, message),
        ReportError::TooLarge { field, message } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message).with_field(field)
        }
        ReportError::Analysis(a) => {
            let mut err: ApiError = a.into();
            if let Some(f) = field {
                err = err.with_field(f);
            }
            err
        }
        ReportError::Render(r) => {
            tracing::error!(error = %r, "cannot render a report");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "render_failed", r.to_string())
        }
        ReportError::Pdf(m) => {
            tracing::error!(error = %m, "cannot write a report");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "render_failed", m)
        }
    }
}

/// `s` percent-encoded for a `filename*` parameter (RFC 5987: every byte outside the unreserved
/// set escaped).
#[must_use]
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn integer(q: &QueryParams, field: &str) -> Result<Option<i64>, ApiError> {
    q.single(field)?
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid_parameter(field, format!("{v:?} is not a whole number")))
        })
        .transpose()
}

/// The printable coverage report of a district (PDF).
#[utoipa::path(
    get,
    path = "/api/v1/districts/{name}/report.pdf",
    tag = "planner",
    params(
        ("name" = String, Path, description = "District name, e.g. `兖州区` (percent-encoded)."),
        ("lang" = Option<String>, Query, description = "`zh` (default, 简体中文) or `en`."),
        ("resolution" = Option<i64>, Query, description = "H3 resolution, 7 ..= 11 (default 9)."),
        ("mode" = Option<String>, Query, description = "Travel mode: `walk`, `ebike` (default) or `car`."),
        ("sites" = Option<i64>, Query, description = "Number of new sites to propose for the 15-minute target, 1 ..= 50 (default 5)."),
    ),
    responses(
        (status = 200, description = "The report as an A4 PDF: title, date, stations by kind, shares of area and demand within 10 and 15 minutes, the coverage map, a table per street, the largest gaps, proposed sites with their gains, riders' feedback over the 90 days ending with the report's date (reports per street: open, resolved, rejected, median hours to resolve; stations reported 3 times or more), and a methods note.", content_type = "application/pdf"),
        (status = 400, description = "A bad or unknown query parameter (`lang`, `resolution`, `mode`, `sites`); `field` names it.", body = ErrorBody),
        (status = 404, description = "No district has this name (`field`: `district`).", body = ErrorBody),
        (status = 413, description = "Too many cells at this `resolution`.", body = ErrorBody),
        (status = 422, description = "The district cannot be reported on: its stored boundary crosses itself (`invalid_boundary`) or no station lies inside it (`no_stations`); `field`: `district`.", body = ErrorBody),
        (status = 429, description = "Too many reports are being made at once; retry shortly.", body = ErrorBody),
        (status = 500, description = "The report font is not installed (see the message).", body = ErrorBody),
    )
)]
pub(crate) async fn district_report(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(name) = path.map_err(|e| ApiError::invalid_parameter("district", e.body_text()))?;
    let q = QueryParams::parse(raw.as_deref(), &["lang", "resolution", "mode", "sites"])?;
    let lang = parse_lang(q.single("lang")?)?;
    let resolution = integer(&q, "resolution")?;
    let sites = integer(&q, "sites")?;
    if let Some(s) = sites
        && !(1..=MAX_REPORT_SITES).contains(&s)
    {
        return Err(ApiError::invalid_parameter("sites", format!("{s} is not in 1..={MAX_REPORT_SITES}")));
    }
    let mode = q.single("mode")?.map(str::to_owned);
    let date = state.config.today();
    let opts = ReportOptions { district: name.clone(), lang, resolution, mode, sites, date };
    // The permit is held by every heavy step of the report until that step ends, so a report
    // whose client went away counts until its work has stopped (dropping this future cancels it).
    let permit = Arc::clone(&RUNNING).try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_reports",
            format!("{MAX_CONCURRENT_REPORTS} reports are being made already; retry in a few seconds"),
        )
        .retry_after(5)
    })?;
    let hold: Hold = Some(Arc::new(permit));
    let tier = caller.budget(&state.config.limits);
    let bytes = generate_for(&state, &opts, &tier, &hold).await.map_err(report_error)?;
    let file = format!("{}-report-{}.pdf", name.trim(), date.format("%Y%m%d"));
    let disposition = format!("attachment; filename=\"report.pdf\"; filename*=UTF-8''{}", percent_encode(&file));
    Ok((
        [
            (header::CONTENT_TYPE, header_value("application/pdf")),
            (header::CONTENT_DISPOSITION, header_value(&disposition)),
            (header::CACHE_CONTROL, header_value("no-cache")),
        ],
        bytes,
    )
        .into_response())
}

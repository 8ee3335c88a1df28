//! Rider reports (发现—上报—解决—反馈): riders send them without an account
//! (`POST /api/v1/reports`, JSON or multipart with a photo; a client may send 5 at once, then one
//! every 2 minutes, counted once a report reads as one) and follow
//! them by code; a station's open reports are public without their text; editors work the queue,
//! see photos and answer, fixing the station in the same transaction.

use super::security::Limiter;
use super::stations::parse_id;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{ConnectInfo, FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use governor::Quota;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;
use yizhan_core::photo::{self, MAX_PHOTO_BYTES, PhotoError};
use yizhan_core::state::AppState;
use yizhan_http::auth::EditorAccess;
use yizhan_http::body::{media_type, parse_json, parse_json_bytes, parse_station};
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::model::StationInput;
use yizhan_http::query::{QueryParams, parse_count, parse_instant};
use yizhan_planner::amenity::Amenity;
use yizhan_planner::budget::Budget;
use yizhan_planner::report::{ReportCategory, ReportInput, ReportStatus, new_code, normalize_code};
use yizhan_store::StoreError;
use yizhan_store::reports::{NewReport, Photo, ReportAnswer, ReportQuery, ReportRecord};

/// Reports one client may send in a burst.
const REPORT_BURST: u32 = 5;
/// One more report per client every this many seconds after the burst (5 per 10 minutes).
const REPORT_REFILL_S: u64 = 120;
/// Open reports a station's sheet lists.
const STATION_REPORTS_LISTED: u32 = 10;

/// The per-client limit on sending reports (by peer address): [`REPORT_BURST`] at once, then one
/// every [`REPORT_REFILL_S`] seconds.
pub(crate) type ReportLimiter = Limiter;

/// A new [`ReportLimiter`].
pub(crate) fn report_limiter() -> ReportLimiter {
    let burst = NonZeroU32::new(REPORT_BURST).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(Duration::from_secs(REPORT_REFILL_S))
        .map_or_else(|| Quota::per_minute(NonZeroU32::MIN), |q| q.allow_burst(burst));
    Limiter::with_quota(quota)
}

/// What a rider sees of their report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublicReport {
    /// The report's code.
    pub code: String,
    /// Where it stands.
    pub status: ReportStatus,
    /// What was reported.
    pub category: ReportCategory,
    /// The amenity concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub amenity: Option<Amenity>,
    /// The station reported on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_id: Option<i64>,
    /// Its name now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_name: Option<String>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was resolved or rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// The editors' answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whether a photo came with it.
    pub has_photo: bool,
}

/// A report in the editors' queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueuedReport {
    /// The stored report.
    #[serde(flatten)]
    pub report: ReportRecord,
    /// The station's name now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_name: Option<String>,
}

/// A page of the editors' queue, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportPage {
    /// Reports matching the filters in all.
    #[serde(rename = "numberMatched")]
    pub number_matched: u64,
    /// This page.
    pub reports: Vec<QueuedReport>,
}

/// A station's open reports as riders see them: no text, no position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StationReports {
    /// Open (new or acknowledged) reports of the station.
    pub open: u64,
    /// The newest of them.
    pub reports: Vec<OpenReport>,
}

/// One open report of a station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OpenReport {
    /// What was reported.
    pub category: ReportCategory,
    /// The amenity concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub amenity: Option<Amenity>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// An editor's answer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The new status.
    pub status: ReportStatus,
    /// The note to the rider (required to resolve or reject).
    #[serde(default)]
    pub note: Option<String>,
    /// Resolving only: the report's station as it should be (a full station body, as for `PUT
    /// /api/v1/stations/{id}`), written in the same transaction.
    #[serde(default)]
    #[schema(value_type = Option<StationInput>)]
    pub station: Option<serde_json::Value>,
}

/// Longest editor's note, characters.
const MAX_NOTE_CHARS: usize = 1000;

fn public(r: ReportRecord, station_name: Option<String>) -> PublicReport {
    PublicReport {
        code: r.code,
        status: r.status,
        category: r.category,
        amenity: r.amenity,
        station_id: r.station_id,
        station_name,
        created_at: r.created_at,
        updated_at: r.updated_at,
        resolved_at: r.resolved_at,
        note: r.note,
        has_photo: r.has_photo,
    }
}

fn station_name(state: &AppState, id: Option<i64>) -> Option<String> {
    id.and_then(|id| state.index().get(id).map(|s| s.data.name.clone()))
}

fn photo_error(e: &PhotoError) -> ApiError {
    match e {
        PhotoError::TooLarge => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large", e.to_string()).with_field("photo")
        }
        PhotoError::Encode(_) => ApiError::internal(e),
        _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_photo", e.to_string()).with_field("photo"),
    }
}

/// The report and its photo from a JSON or multipart body.
async fn read_body(state: &AppState, req: Request) -> Result<(ReportInput, Option<Bytes>), ApiError> {
    let limit = state.config.limits.max_body_bytes;
    let multipart = media_type(req.headers())?.is_some_and(|m| m == "multipart/form-data");
    if !multipart {
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await;
        return Ok((parse_json(&headers, body, limit)?, None));
    }
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|e| ApiError::invalid_body(None, format!("the multipart body cannot be read: {e}")))?;
    let (mut report, mut photo) = (None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::invalid_body(None, format!("the multipart body cannot be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| ApiError::invalid_body(Some(&name), e.to_string()))?;
        match name.as_str() {
            "report" if report.is_none() => report = Some(parse_json_bytes::<ReportInput>(&bytes)?),
            "photo" if photo.is_none() => {
                if bytes.len() > MAX_PHOTO_BYTES {
                    return Err(photo_error(&PhotoError::TooLarge));
                }
                photo = Some(bytes);
            }
            other => {
                return Err(ApiError::invalid_body(
                    Some(other),
                    format!(
                        "unexpected part {other:?}: a report is a part \"report\" (JSON) and at most one \"photo\""
                    ),
                ));
            }
        }
    }
    let report =
        report.ok_or_else(|| ApiError::invalid_body(Some("report"), "the part \"report\" (JSON) is missing"))?;
    Ok((report, photo))
}

/// Sends a report. No account; a client may send a few in a burst, then one every two minutes.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "reports",
    request_body(description = "The report (`ReportInput`) as JSON, or multipart/form-data with a part `report` (that JSON) and an optional part `photo` (JPEG, PNG or WebP, ≤ 5 MB; re-encoded, metadata stripped).", content(
        (ReportInput = "application/json"),
        ("multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Stored; keep the code to follow it.", body = PublicReport),
        (status = 400, description = "Malformed JSON or multipart body.", body = ErrorBody),
        (status = 404, description = "No station has `station_id`.", body = ErrorBody),
        (status = 413, description = "The photo or body is too large.", body = ErrorBody),
        (status = 415, description = "The body is neither JSON nor multipart.", body = ErrorBody),
        (status = 422, description = "A field is invalid (`field`), or the photo is not a readable image.", body = ErrorBody),
        (status = 429, description = "Too many reports from this client; see Retry-After.", body = ErrorBody),
    )
)]
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(limiter): Extension<Arc<ReportLimiter>>,
    RawQuery(raw): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let (input, photo_bytes) = read_body(&state, req).await?;
    let stored = store_report(&state, input, photo_bytes, peer, &limiter).await?;
    let name = station_name(&state, stored.station_id);
    Ok((StatusCode::CREATED, Json(public(stored, name))).into_response())
}

/// Checks, counts against `peer`'s limit, re-encodes the photo of and stores one report (from the
/// JSON API or Open311).
///
/// # Errors
/// [`ApiError`]: an invalid field, an unknown station, the client's limit, a bad photo, storage.
pub(crate) async fn store_report(
    state: &AppState,
    mut input: ReportInput,
    photo_bytes: Option<Bytes>,
    peer: Option<IpAddr>,
    limiter: &ReportLimiter,
) -> Result<ReportRecord, ApiError> {
    input.normalize_and_validate().map_err(|errors| ApiError::validation(&errors))?;
    let (district, street) = match input.station_id {
        Some(id) => {
            let index = state.index();
            let s = index
                .get(id)
                .ok_or_else(|| ApiError::not_found(format!("no station has id {id}")).with_field("station_id"))?;
            (s.data.district.clone(), s.data.street.clone())
        }
        None => (None, None),
    };
    // Counted once the report reads as one (about a station that exists): before its photo is
    // decoded or anything is stored.
    if let Some(ip) = peer
        && let Err(wait_s) = limiter.check(ip)
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many reports from this client; send the next one in {wait_s} s"),
        )
        .retry_after(wait_s));
    }
    let photo: Option<Photo> = match photo_bytes {
        Some(bytes) => Some(
            state
                .work
                .run("report_photo", Budget::unlimited(), move |_| photo::reencode(&bytes))
                .await?
                .map_err(|e| photo_error(&e))?,
        ),
        None => None,
    };
    let mut report = NewReport {
        code: new_code(&mut rand::rng()),
        station_id: input.station_id,
        category: input.category,
        amenity: input.amenity,
        text: input.text,
        position: input.position,
        district,
        street,
        photo,
        created_at: yizhan_store::now_micros(),
    };
    // 40 random bits: a second collision in a row would mean a broken generator.
    let stored = match state.store.create_report(&report).await {
        Err(StoreError::Database(_)) => {
            report.code = new_code(&mut rand::rng());
            state.store.create_report(&report).await?
        }
        other => other?,
    };
    Ok(stored)
}

/// A report by the code its rider keeps.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{code}",
    tag = "reports",
    params(("code" = String, Path, description = "The report's code, e.g. `K7Q2-9XMA` (case and dash forgiven).")),
    responses(
        (status = 200, description = "The report as its rider sees it.", body = PublicReport),
        (status = 404, description = "No report has this code.", body = ErrorBody),
    )
)]
pub(crate) async fn by_code(
    State(state): State<Arc<AppState>>,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PublicReport>, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let not_found = || ApiError::not_found(format!("no report has the code {code:?}")).with_field("code");
    let normal = normalize_code(&code).ok_or_else(not_found)?;
    let r = state.store.report_by_code(&normal).await?.ok_or_else(not_found)?;
    let name = station_name(&state, r.station_id);
    Ok(Json(public(r, name)))
}

/// A station's open reports, without their text or position.
#[utoipa::path(
    get,
    path = "/api/v1/stations/{id}/reports",
    tag = "reports",
    params(("id" = i64, Path, description = "Station id.")),
    responses(
        (status = 200, description = "The station's open reports, newest first (at most 10 listed).", body = StationReports),
        (status = 400, description = "The id is not an integer.", body = ErrorBody),
    )
)]
pub(crate) async fn of_station(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<StationReports>, ApiError> {
    let id = parse_id(path)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let q = ReportQuery {
        statuses: vec![ReportStatus::New, ReportStatus::Acknowledged],
        station: Some(id),
        limit: STATION_REPORTS_LISTED,
        ..ReportQuery::default()
    };
    let (open, reports) = state.store.reports(&q).await?;
    Ok(Json(StationReports {
        open,
        reports: reports
            .into_iter()
            .map(|r| OpenReport { category: r.category, amenity: r.amenity, created_at: r.created_at })
            .collect(),
    }))
}

/// The editors' queue, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/reports",
    tag = "reports",
    params(
        ("status" = Option<Vec<String>>, Query, description = "Statuses (`new`, `acknowledged`, `resolved`, `rejected`); comma-separated or repeated. Default: all."),
        ("district" = Option<String>, Query, description = "Only this district."),
        ("street" = Option<String>, Query, description = "Only this street."),
        ("station" = Option<i64>, Query, description = "Only about this station."),
        ("limit" = Option<u32>, Query, description = "Page size, 1–500 (default 50)."),
        ("offset" = Option<u64>, Query, description = "Reports to skip."),
    ),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of reports.", body = ReportPage),
        (status = 400, description = "Invalid or unknown query parameter.", body = ErrorBody),
        (status = 401, description = "Missing or wrong credentials.", body = ErrorBody),
        (status = 403, description = "Not an editor.", body = ErrorBody),
    )
)]
pub(crate) async fn queue(
    EditorAccess(_editor): EditorAccess,
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ReportPage>, ApiError> {
    let q = QueryParams::parse(raw.as_deref(), &["status", "district", "street", "station", "limit", "offset"])?;
    let statuses = match q.list("status")? {
        None => Vec::new(),
        Some(list) => list
            .iter()
            .map(|s| s.parse::<ReportStatus>().map_err(|e| ApiError::invalid_parameter("status", e.to_string())))
            .collect::<Result<_, _>>()?,
    };
    let station = q
        .single("station")?
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid_parameter("station", format!("{s:?} is not a station id")))
        })
        .transpose()?;
    let limit = q.single("limit")?.map(|s| parse_count("limit", s, 1, 500)).transpose()?.unwrap_or(50);
    let offset = q.single("offset")?.map(|s| parse_count("offset", s, 0, usize::MAX)).transpose()?.unwrap_or(0);
    let query = ReportQuery {
        statuses,
        district: q.single("district")?.map(str::to_owned),
        street: q.single("street")?.map(str::to_owned),
        station,
        limit: u32::try_from(limit).unwrap_or(500),
        offset: u64::try_from(offset).unwrap_or(u64::MAX),
    };
    let (number_matched, reports) = state.store.reports(&query).await?;
    let reports = reports
        .into_iter()
        .map(|r| {
            let station_name = station_name(&state, r.station_id);
            QueuedReport { report: r, station_name }
        })
        .collect();
    Ok(Json(ReportPage { number_matched, reports }))
}

/// A report's photo, as the server re-encoded it (no metadata).
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}/photo",
    tag = "reports",
    params(("id" = i64, Path, description = "Report id (the queue's `id`).")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The photo.", content_type = "image/jpeg"),
        (status = 401, description = "Missing or wrong credentials.", body = ErrorBody),
        (status = 403, description = "Not an editor.", body = ErrorBody),
        (status = 404, description = "No such report, or it has no photo.", body = ErrorBody),
    )
)]
pub(crate) async fn photo(
    EditorAccess(_editor): EditorAccess,
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = parse_id(path)?;
    let p =
        state.store.report_photo(id).await?.ok_or_else(|| ApiError::not_found(format!("report {id} has no photo")))?;
    let ct = HeaderValue::from_str(&p.media_type).unwrap_or(HeaderValue::from_static("image/jpeg"));
    Ok((
        [(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"))],
        p.bytes,
    )
        .into_response())
}

/// Answers a report: acknowledge, resolve or reject it (a note is required to resolve or reject),
/// or reopen it; resolving may fix the report's station in the same transaction.
#[utoipa::path(
    post,
    path = "/api/v1/reports/{id}/status",
    tag = "reports",
    params(("id" = i64, Path, description = "Report id.")),
    request_body(content = AnswerRequest, content_type = "application/json"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The report as answered.", body = QueuedReport),
        (status = 401, description = "Missing or wrong credentials.", body = ErrorBody),
        (status = 403, description = "Not an editor, or the CSRF token is missing.", body = ErrorBody),
        (status = 404, description = "No such report.", body = ErrorBody),
        (status = 409, description = "The station fix conflicts with another station.", body = ErrorBody),
        (status = 422, description = "A missing note, a fix for a report not about a station, or an invalid station (`field`).", body = ErrorBody),
    )
)]
pub(crate) async fn answer(
    EditorAccess(access): EditorAccess,
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<QueuedReport>, ApiError> {
    let id = parse_id(path)?;
    let req: AnswerRequest = parse_json(&headers, body, state.config.limits.max_body_bytes)?;
    let note = req.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if req.status.needs_note() && note.is_none() {
        return Err(ApiError::invalid_body(
            Some("note"),
            format!("a {} report tells the rider why: give a note", req.status.code()),
        ));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(ApiError::invalid_body(Some("note"), format!("longer than {MAX_NOTE_CHARS} characters")));
    }
    let current = state.store.report(id).await?.ok_or_else(|| ApiError::not_found(format!("no report has id {id}")))?;
    let station = match req.station {
        None => None,
        Some(_) if req.status != ReportStatus::Resolved => {
            return Err(ApiError::invalid_body(Some("station"), "a station fix comes only with resolving"));
        }
        Some(_) if current.station_id.is_none() => {
            return Err(ApiError::invalid_body(Some("station"), "this report is about a place, not a station"));
        }
        Some(body) => {
            Some(parse_station(&serde_json::to_vec(&body).map_err(|e| ApiError::internal(&e))?, current.station_id)?)
        }
    };
    let answered = state
        .answer_report_as(&access.audit(), id, ReportAnswer { status: req.status, note, station })
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no report has id {id}")))?;
    let station_name = station_name(&state, answered.station_id);
    Ok(Json(QueuedReport { report: answered, station_name }))
}

/// Most reports one statistics answer reads.
const MAX_STATS_REPORTS: u32 = 100_000;

/// Riders' reports for officials: per street (count, open, resolved, rejected, median hours to
/// resolve), stations reported again and again. No text or position of any rider.
#[utoipa::path(
    get,
    path = "/api/v1/reports/stats",
    tag = "reports",
    params(
        ("district" = Option<String>, Query, description = "Only this district."),
        ("since" = Option<String>, Query, description = "Start (RFC 3339, inclusive); default 90 days before `until`."),
        ("until" = Option<String>, Query, description = "End (RFC 3339, exclusive); default now."),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv` (the per-street table, UTF-8 with BOM for Excel)."),
    ),
    responses(
        (status = 200, description = "The figures.", body = yizhan_core::report_stats::ReportStats),
        (status = 400, description = "Invalid or unknown query parameter.", body = ErrorBody),
    )
)]
pub(crate) async fn stats(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = QueryParams::parse(raw.as_deref(), &["district", "since", "until", "format"])?;
    let time = |k: &str| q.single(k)?.map(|s| parse_instant(k, s)).transpose();
    let until = time("until")?.unwrap_or_else(Utc::now);
    let since = time("since")?.unwrap_or(until - chrono::Duration::days(90));
    let csv = match q.single("format")? {
        None | Some("json") => false,
        Some("csv") => true,
        Some(f) => return Err(ApiError::invalid_parameter("format", format!("{f:?}: use json or csv"))),
    };
    let query = ReportQuery {
        district: q.single("district")?.map(str::to_owned),
        limit: MAX_STATS_REPORTS,
        ..ReportQuery::default()
    };
    let (_, reports) = state.store.reports(&query).await?;
    let index = state.index();
    let figures = yizhan_core::report_stats::report_stats(&reports, since, until, &|id| {
        index.get(id).map(|s| s.data.name.clone())
    });
    if csv {
        let body = yizhan_core::report_stats::streets_csv(&figures);
        return Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"reports-by-street.csv\""),
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(figures).into_response())
}

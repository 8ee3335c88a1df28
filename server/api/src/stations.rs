//! `/api/v1/stations`: list (GeoJSON, filtered and paged), read, create, replace and delete.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use std::sync::Arc;
use yizhan_core::state::AppState;
use yizhan_http::auth::EditorAccess;
use yizhan_http::body::{parse_station, require_json};
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::model::{FeatureCollectionType, Link, StationCollection, StationFeature, StationInput};
use yizhan_http::query::{ListQuery, ListSort, QueryParams, contains_lowercase};
use yizhan_planner::station::{Station, StationId, StationStatus, Verification};

/// The GeoJSON media type.
pub(crate) const GEOJSON: &str = "application/geo+json";

/// A body serialised as JSON and sent as `application/geo+json`.
#[derive(Debug, Clone)]
pub(crate) struct GeoJson<T>(pub(crate) T);

impl<T: Serialize> IntoResponse for GeoJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => ([(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))], bytes).into_response(),
            Err(e) => ApiError::internal(&e).into_response(),
        }
    }
}

/// Stations as a GeoJSON FeatureCollection, filtered, ordered by id and paged.
#[utoipa::path(
    get,
    path = "/api/v1/stations",
    tag = "stations",
    params(
        ("kind" = Option<Vec<String>>, Query, description = "Station kinds (codes or Chinese labels); repeat and/or separate with commas.", explode = true),
        ("amenity" = Option<Vec<String>>, Query, description = "Amenities a station must ALL have; repeat and/or separate with commas.", explode = true),
        ("status" = Option<Vec<String>>, Query, description = "Statuses allowed (`active`, `planned`, `closed` or `all`). Default: every status.", explode = true),
        ("min_capacity" = Option<u32>, Query, description = "Minimum capacity."),
        ("open_now" = Option<bool>, Query, description = "Only stations open now (server time zone)."),
        ("at" = Option<String>, Query, description = "Only stations open at this RFC 3339 instant.", format = DateTime),
        ("bbox" = Option<String>, Query, description = "`minlon,minlat,maxlon,maxlat`, WGS-84 degrees, edges inclusive."),
        ("district" = Option<String>, Query, description = "Exact district (区/县)."),
        ("street" = Option<String>, Query, description = "Exact sub-district or town (街道/镇)."),
        ("q" = Option<String>, Query, description = "Text contained in the name or address (case-insensitive)."),
        ("verification" = Option<String>, Query, description = "`current` (verified within the server's window, default 90 days), `due` (older or never verified) or `never`; closed stations match none."),
        ("sort" = Option<String>, Query, description = "`id` (default), `name`, `verified_on` (never verified first), `updated_at`, `kind`, `status`, `district` or `street` (unrecorded after recorded ones); prefix `-` reverses. Ties by id, ascending."),
        ("limit" = Option<usize>, Query, description = "Page size, 0 ..= the server's max_page_size (default 1000)."),
        ("offset" = Option<usize>, Query, description = "Matching stations to skip (default 0)."),
    ),
    responses(
        (status = 200, description = "A page of stations.", body = StationCollection, content_type = "application/geo+json"),
        (status = 400, description = "Invalid or unknown query parameter.", body = ErrorBody),
    )
)]
pub(crate) async fn list_stations(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<GeoJson<StationCollection>, ApiError> {
    let config = &state.config;
    let q = ListQuery::parse(raw.as_deref(), &config.limits, config.timezone, Utc::now())?;
    let index = state.index();
    let today = config.today();
    let window = config.verify_after_days;
    let extra = |s: &Station| {
        let d = &s.data;
        q.verification.is_none_or(|v| {
            d.status != StationStatus::Closed && v.matches(Verification::of(d.verified_on, today, window))
        }) && q.district.as_ref().is_none_or(|x| d.district.as_ref() == Some(x))
            && q.street.as_ref().is_none_or(|x| d.street.as_ref() == Some(x))
            && q.text.as_ref().is_none_or(|t| {
                contains_lowercase(&d.name, t) || d.address.as_ref().is_some_and(|a| contains_lowercase(a, t))
            })
    };
    let end = q.offset.saturating_add(q.limit);
    let mut matched = 0usize;
    let mut features = Vec::new();
    let mut take = |s: &Station| {
        if extra(s) {
            if (q.offset..end).contains(&matched) {
                features.push(StationFeature::from(s));
            }
            matched += 1;
        }
    };
    if q.sort == ListSort::default() {
        match &q.bbox {
            Some(bbox) => index.in_bbox(bbox, &q.filter).iter().for_each(|s| take(s)),
            None => index.iter().filter(|s| q.filter.matches(s)).for_each(|s| take(s)),
        }
    } else {
        // Every match, ordered, then the page: at most one pointer per station.
        let mut all: Vec<Arc<Station>> = match &q.bbox {
            Some(bbox) => index.in_bbox(bbox, &q.filter).into_iter().filter(|s| extra(s)).collect(),
            None => index.iter().filter(|s| q.filter.matches(s) && extra(s)).cloned().collect(),
        };
        all.sort_unstable_by(|a, b| q.sort.compare(a, b));
        matched = all.len();
        features.extend(all.iter().skip(q.offset).take(q.limit).map(|s| StationFeature::from(s.as_ref())));
    }
    let returned = features.len();
    let mut links = vec![page_link(&q.params, q.limit, q.offset, "self")];
    if q.offset.saturating_add(returned) < matched && q.limit > 0 {
        links.push(page_link(&q.params, q.limit, end, "next"));
    }
    if q.offset > 0 {
        links.push(page_link(&q.params, q.limit, q.offset.saturating_sub(q.limit), "prev"));
    }
    Ok(GeoJson(StationCollection {
        kind: FeatureCollectionType::FeatureCollection,
        number_matched: matched,
        number_returned: returned,
        links,
        features,
    }))
}

/// A link to the page at `offset` with the same filters.
fn page_link(params: &QueryParams, limit: usize, offset: usize, rel: &str) -> Link {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.pairs() {
        if k != "limit" && k != "offset" {
            ser.append_pair(k, v);
        }
    }
    ser.append_pair("limit", &limit.to_string());
    ser.append_pair("offset", &offset.to_string());
    Link { href: format!("/api/v1/stations?{}", ser.finish()), rel: rel.to_owned(), media_type: GEOJSON.to_owned() }
}

/// Parses the `{id}` path segment.
pub(crate) fn parse_id(path: Result<Path<String>, PathRejection>) -> Result<StationId, ApiError> {
    let Path(raw) = path.map_err(|e| ApiError::invalid_id(&e.body_text()))?;
    raw.trim().parse::<StationId>().map_err(|_| ApiError::invalid_id(&raw))
}

/// Refuses any query parameter (these endpoints take none).
fn no_query(raw: Option<&str>) -> Result<(), ApiError> {
    QueryParams::parse(raw, &[]).map(|_| ())
}

/// One station as a GeoJSON Feature.
#[utoipa::path(
    get,
    path = "/api/v1/stations/{id}",
    tag = "stations",
    params(("id" = i64, Path, description = "Station id.")),
    responses(
        (status = 200, description = "The station.", body = StationFeature, content_type = "application/geo+json"),
        (status = 400, description = "The id is not an integer.", body = ErrorBody),
        (status = 404, description = "No station has this id.", body = ErrorBody),
    )
)]
pub(crate) async fn get_station(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<GeoJson<StationFeature>, ApiError> {
    let id = parse_id(path)?;
    no_query(raw.as_deref())?;
    let index = state.index();
    let station =
        index.get(id).ok_or_else(|| ApiError::not_found(format!("no station has id {id}")).with_field("id"))?;
    Ok(GeoJson(StationFeature::from(station.as_ref())))
}

/// Creates a station. The body is a station object (`StationData`, position in `location`) or a
/// GeoJSON Feature with Point geometry and the station fields as properties (WGS-84 either way).
#[utoipa::path(
    post,
    path = "/api/v1/stations",
    tag = "stations",
    request_body(content(
        (StationInput = "application/json"),
        (StationInput = "application/geo+json"),
    )),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Created; `Location` names the new station.", body = StationFeature, content_type = "application/geo+json",
            headers(("Location" = String, description = "Path of the new station."))),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token.", body = ErrorBody),
        (status = 403, description = "Writes are disabled (no API token configured).", body = ErrorBody),
        (status = 409, description = "Another station has the same source and external_id.", body = ErrorBody),
        (status = 413, description = "The body is too large.", body = ErrorBody),
        (status = 415, description = "The body is not declared as JSON.", body = ErrorBody),
        (status = 422, description = "The station is invalid; `field` and `details` name the fields.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn create_station(
    EditorAccess(access): EditorAccess,
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    no_query(raw.as_deref())?;
    require_json(&headers)?;
    let body = body.map_err(|e| ApiError::from_body_rejection(&e, state.config.limits.max_body_bytes))?;
    let data = parse_station(&body, None)?;
    let station = state.create_station_as(&access.audit(), data).await?;
    let location = format!("/api/v1/stations/{}", station.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], GeoJson(StationFeature::from(&station))).into_response())
}

/// Replaces a station's data (every field; omitted optional fields become empty).
#[utoipa::path(
    put,
    path = "/api/v1/stations/{id}",
    tag = "stations",
    params(("id" = i64, Path, description = "Station id.")),
    request_body(content(
        (StationInput = "application/json"),
        (StationInput = "application/geo+json"),
    )),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The updated station.", body = StationFeature, content_type = "application/geo+json"),
        (status = 400, description = "The id is not an integer or the body is not JSON.", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token.", body = ErrorBody),
        (status = 403, description = "Writes are disabled (no API token configured).", body = ErrorBody),
        (status = 404, description = "No station has this id.", body = ErrorBody),
        (status = 409, description = "Another station has the same source and external_id.", body = ErrorBody),
        (status = 413, description = "The body is too large.", body = ErrorBody),
        (status = 415, description = "The body is not declared as JSON.", body = ErrorBody),
        (status = 422, description = "The station is invalid.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn update_station(
    EditorAccess(access): EditorAccess,
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<GeoJson<StationFeature>, ApiError> {
    let id = parse_id(path)?;
    no_query(raw.as_deref())?;
    require_json(&headers)?;
    let body = body.map_err(|e| ApiError::from_body_rejection(&e, state.config.limits.max_body_bytes))?;
    let data = parse_station(&body, Some(id))?;
    let station = state.update_station_as(&access.audit(), id, data).await?;
    Ok(GeoJson(StationFeature::from(&station)))
}

/// Deletes a station and answers with what was deleted.
#[utoipa::path(
    delete,
    path = "/api/v1/stations/{id}",
    tag = "stations",
    params(("id" = i64, Path, description = "Station id.")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The deleted station.", body = StationFeature, content_type = "application/geo+json"),
        (status = 400, description = "The id is not an integer.", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token.", body = ErrorBody),
        (status = 403, description = "Writes are disabled (no API token configured).", body = ErrorBody),
        (status = 404, description = "No station has this id.", body = ErrorBody),
        (status = 503, description = "Storage is unavailable.", body = ErrorBody),
    )
)]
pub(crate) async fn delete_station(
    EditorAccess(access): EditorAccess,
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<GeoJson<StationFeature>, ApiError> {
    let id = parse_id(path)?;
    no_query(raw.as_deref())?;
    let station = state.delete_station_as(&access.audit(), id).await?;
    Ok(GeoJson(StationFeature::from(&station)))
}

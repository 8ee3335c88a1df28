//! Open311 GeoReport v2 (JSON) over the riders' reports, so that the issue-reporting tools a city
//! already runs (FixMyStreet and others) can file and read them: `GET /open311/v2/services.json`,
//! `GET /open311/v2/services/{code}.json`, `POST /open311/v2/requests.json` (form-encoded, no API
//! key: reports need no account), `GET /open311/v2/requests.json` and
//! `GET /open311/v2/requests/{id}.json`. A service is a report category; a service request id
//! is the report's code. Errors are GeoReport's `[{"code", "description"}]`.
//!
//! What is public here is what a station's sheet shows: a request's position is its station's,
//! or for a report about a place the rider's position rounded to 0.001° (about 100 m).
//! `media_url` is not fetched (the server never requests URLs it is given).

use super::reports::ReportLimiter;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use yizhan_core::state::AppState;
use yizhan_http::error::ApiError;
use yizhan_planner::amenity::Amenity;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::report::{ReportCategory, ReportInput, ReportStatus, normalize_code};
use yizhan_store::reports::{ReportQuery, ReportRecord};

/// Requests one listing answers at most.
const MAX_LISTED: u32 = 1000;
/// Ids one lookup may name.
const MAX_IDS: usize = 100;
/// Days a listing covers when no date is given.
const DEFAULT_DAYS: i64 = 90;

/// A GeoReport error answer.
fn error(status: StatusCode, description: impl Into<String>) -> Response {
    (status, Json(json!([{"code": status.as_u16(), "description": description.into()}]))).into_response()
}

fn from_api(e: &ApiError) -> Response {
    let what = e.error.field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default();
    error(e.status, format!("{what}{}", e.error.message))
}

/// The parameters of a form or query string; repeated names keep the last value.
fn params(raw: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(raw).into_owned().collect()
}

fn service(c: ReportCategory) -> Value {
    json!({
        "service_code": c.code(),
        "service_name": c.label_zh(),
        "description": format!("{} ({})", c.label_zh(), c.label_en()),
        "metadata": true,
        "type": "realtime",
        "keywords": c.label_en().to_lowercase(),
        "group": "驿站 stations",
    })
}

/// The list of services: one per report category.
pub(crate) async fn services() -> Response {
    Json(ReportCategory::ALL.iter().map(|c| service(*c)).collect::<Vec<_>>()).into_response()
}

/// One service's attributes: the station (optional) and, for amenity reports, the amenity.
pub(crate) async fn service_definition(Path(file): Path<String>) -> Response {
    let Some(code) = file.strip_suffix(".json") else { return error(StatusCode::NOT_FOUND, "only .json is served") };
    let Some(c) = ReportCategory::parse(code) else {
        return error(StatusCode::NOT_FOUND, format!("no service has the code {code:?}"));
    };
    let mut attributes = vec![json!({
        "variable": true, "code": "station_id", "datatype": "number", "required": false, "order": 1,
        "datatype_description": "a station id of /api/v1/stations", "description": "站点编号 (station id)",
    })];
    if c.needs_amenity() {
        let values: Vec<Value> = Amenity::ALL.iter().map(|a| json!({"key": a.code(), "name": a.label_zh()})).collect();
        attributes.push(json!({
            "variable": true, "code": "amenity", "datatype": "singlevaluelist", "required": true, "order": 2,
            "datatype_description": "an amenity code", "description": "设施 (amenity)", "values": values,
        }));
    }
    Json(json!({"service_code": c.code(), "attributes": attributes})).into_response()
}

/// Files a request: a rider's report from another system.
pub(crate) async fn post_request(
    State(state): State<Arc<AppState>>,
    Extension(limiter): Extension<Arc<ReportLimiter>>,
    req: Request,
) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let headers = req.headers().clone();
    let Ok(body) = Bytes::from_request(req, &state).await else {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large");
    };
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the request as application/x-www-form-urlencoded");
    }
    let p = params(&body);
    let Some(category) = p.get("service_code").map(String::as_str) else {
        return error(StatusCode::BAD_REQUEST, "service_code is required");
    };
    let Some(category) = ReportCategory::parse(category) else {
        return error(StatusCode::BAD_REQUEST, format!("service_code {category:?} is not a service of this server"));
    };
    let number = |k: &str| -> Result<Option<f64>, String> {
        p.get(k)
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse::<f64>().map_err(|_| format!("{k} is not a number")))
            .transpose()
    };
    let (lat, long) = match (number("lat"), number("long")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return error(StatusCode::BAD_REQUEST, e),
    };
    let position = match (long, lat) {
        (Some(lon), Some(lat)) => Some(LonLat { lon, lat }),
        (None, None) => None,
        _ => return error(StatusCode::BAD_REQUEST, "lat and long come together"),
    };
    let station_id = match p.get("attribute[station_id]").filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return error(StatusCode::BAD_REQUEST, "attribute[station_id] is not a station id"),
        },
    };
    let amenity = match p.get("attribute[amenity]").filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(v) => match Amenity::parse(v) {
            Some(a) => Some(a),
            None => return error(StatusCode::BAD_REQUEST, format!("attribute[amenity] {v:?} is not an amenity code")),
        },
    };
    let input = ReportInput { station_id, category, amenity, text: p.get("description").cloned(), position };
    match super::reports::store_report(&state, input, None, peer, &limiter).await {
        Ok(r) => (
            StatusCode::CREATED,
            Json(json!([{
                "service_request_id": r.code,
                "service_notice": "已收到，感谢反馈 (received, thank you)",
                "account_id": Value::Null,
            }])),
        )
            .into_response(),
        Err(e) => from_api(&e),
    }
}

/// A request as GeoReport lists it.
#[derive(Debug, Serialize)]
struct GeoRequest {
    service_request_id: String,
    status: &'static str,
    status_notes: Option<String>,
    service_name: &'static str,
    service_code: &'static str,
    description: Option<String>,
    agency_responsible: &'static str,
    service_notice: Option<String>,
    requested_datetime: DateTime<Utc>,
    updated_datetime: DateTime<Utc>,
    expected_datetime: Option<DateTime<Utc>>,
    address: Option<String>,
    address_id: Option<String>,
    zipcode: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: Option<String>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn geo_request(state: &AppState, r: ReportRecord) -> GeoRequest {
    let index = state.index();
    let station = r.station_id.and_then(|id| index.get(id));
    let (lat, long, address) = match &station {
        Some(s) => (
            Some(s.data.location.lat),
            Some(s.data.location.lon),
            Some(s.data.address.clone().map_or_else(|| s.data.name.clone(), |a| format!("{} · {a}", s.data.name))),
        ),
        None => (r.position.map(|p| round3(p.lat)), r.position.map(|p| round3(p.lon)), None),
    };
    GeoRequest {
        service_request_id: r.code,
        status: if r.status.is_open() { "open" } else { "closed" },
        status_notes: r.note,
        service_name: r.category.label_zh(),
        service_code: r.category.code(),
        description: r.text,
        agency_responsible: "驿站管理 station keepers",
        service_notice: None,
        requested_datetime: r.created_at,
        updated_datetime: r.updated_at,
        expected_datetime: None,
        address,
        address_id: r.station_id.map(|id| id.to_string()),
        zipcode: None,
        lat,
        long,
        media_url: None,
    }
}

fn parse_time(p: &BTreeMap<String, String>, k: &str) -> Result<Option<DateTime<Utc>>, String> {
    p.get(k)
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            DateTime::parse_from_rfc3339(v.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| format!("{k} is not a w3c date-time (2026-01-01T00:00:00Z)"))
        })
        .transpose()
}

/// Lists requests: by ids (comma-separated), else by service, status and dates (the last 90 days
/// by default), newest first, at most 1000.
pub(crate) async fn get_requests(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw.unwrap_or_default().as_bytes());
    if let Some(ids) = p.get("service_request_id").filter(|v| !v.trim().is_empty()) {
        let ids: Vec<&str> = ids.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        if ids.len() > MAX_IDS {
            return error(StatusCode::BAD_REQUEST, format!("at most {MAX_IDS} service_request_id at once"));
        }
        let mut out = Vec::new();
        for id in ids {
            let Some(code) = normalize_code(id) else { continue };
            match state.store.report_by_code(&code).await {
                Ok(Some(r)) => out.push(geo_request(&state, r)),
                Ok(None) => {}
                Err(e) => return from_api(&e.into()),
            }
        }
        return Json(out).into_response();
    }
    let codes: Option<Vec<ReportCategory>> = match p.get("service_code").filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(v) => {
            let mut out = Vec::new();
            for c in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match ReportCategory::parse(c) {
                    Some(c) => out.push(c),
                    None => return error(StatusCode::BAD_REQUEST, format!("service_code {c:?} is not a service")),
                }
            }
            Some(out)
        }
    };
    let statuses = match p.get("status").map(String::as_str).unwrap_or_default() {
        "" | "open,closed" | "closed,open" => Vec::new(),
        "open" => vec![ReportStatus::New, ReportStatus::Acknowledged],
        "closed" => vec![ReportStatus::Resolved, ReportStatus::Rejected],
        other => return error(StatusCode::BAD_REQUEST, format!("status {other:?}: use open or closed")),
    };
    let (start, end) = match (parse_time(&p, "start_date"), parse_time(&p, "end_date")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return error(StatusCode::BAD_REQUEST, e),
    };
    let end_at = end.unwrap_or_else(Utc::now);
    let start_at = start.unwrap_or(end_at - Duration::days(DEFAULT_DAYS));
    let q = ReportQuery { statuses, limit: MAX_LISTED, ..ReportQuery::default() };
    let reports = match state.store.reports(&q).await {
        Ok((_, r)) => r,
        Err(e) => return from_api(&e.into()),
    };
    let out: Vec<GeoRequest> = reports
        .into_iter()
        .filter(|r| r.created_at >= start_at && r.created_at <= end_at)
        .filter(|r| codes.as_ref().is_none_or(|c| c.contains(&r.category)))
        .map(|r| geo_request(&state, r))
        .collect();
    Json(out).into_response()
}

/// One request by id (the report's code), as a one-element list.
pub(crate) async fn get_request(State(state): State<Arc<AppState>>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".json") else { return error(StatusCode::NOT_FOUND, "only .json is served") };
    let missing = || error(StatusCode::NOT_FOUND, format!("no service request has the id {id:?}"));
    let Some(code) = normalize_code(id) else { return missing() };
    match state.store.report_by_code(&code).await {
        Ok(Some(r)) => Json(vec![geo_request(&state, r)]).into_response(),
        Ok(None) => missing(),
        Err(e) => from_api(&e.into()),
    }
}

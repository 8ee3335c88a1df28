//! Request and response bodies: content-type checks, JSON bodies parsed into typed requests (large
//! ones on the heavy-work pool), the station body (a station object or a GeoJSON Feature), with
//! errors that name the field at fault; JSON answers from stored text (large ones gzipped on the
//! pool).

use crate::cache::{accepts_gzip, gzip};
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use yizhan_core::state::AppState;
use yizhan_core::work::WorkPool;
use yizhan_planner::station::{StationData, StationId};
use yizhan_store::JsonText;

/// Fields of a stored station that a client may send back but cannot set.
const READ_ONLY: &[&str] = &["id", "created_at", "updated_at"];

/// The body's media type, lower-cased, without parameters; `None` when there is no
/// `Content-Type` header.
pub fn media_type(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(header::CONTENT_TYPE) else { return Ok(None) };
    let s = v.to_str().map_err(|_| ApiError::unsupported_media_type("the Content-Type header is not ASCII text"))?;
    let essence = s.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    Ok(Some(essence))
}

/// Whether a media type is JSON (`application/json`, `application/geo+json`, any `…+json`).
pub fn is_json(media: &str) -> bool {
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// Checks that a station body is declared as JSON.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    match media_type(headers)? {
        Some(m) if is_json(&m) => Ok(()),
        Some(m) => Err(ApiError::unsupported_media_type(format!(
            "Content-Type {m:?} is not accepted; send the station as application/json or application/geo+json"
        ))),
        None => Err(ApiError::unsupported_media_type(
            "the Content-Type header is missing; send the station as application/json or application/geo+json",
        )),
    }
}

/// Parses a station body: either `StationData` JSON or a GeoJSON Feature with Point geometry
/// (WGS-84) and `StationData` properties without `location`. Read-only fields (`id`,
/// `created_at`, `updated_at`) are ignored; when `path_id` is given, an `id` that differs from it
/// is refused.
pub fn parse_station(body: &[u8], path_id: Option<StationId>) -> Result<StationData, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::malformed_json(&e)
        } else {
            ApiError::invalid_body(None, e.to_string())
        }
    })?;
    let Value::Object(mut obj) = value else {
        return Err(ApiError::invalid_body(None, "expected a JSON object (a station or a GeoJSON Feature)"));
    };
    match obj.get("type") {
        None => {
            strip_read_only(&mut obj, path_id, "")?;
            deserialize_data(Value::Object(obj), "")
        }
        Some(Value::String(t)) if t == "Feature" => parse_feature(obj, path_id),
        Some(other) => Err(ApiError::invalid_body(
            Some("type"),
            format!(
                "type {other} is not accepted: send one station as a JSON object or a GeoJSON Feature \
                 (files and FeatureCollections go to POST /api/v1/import)"
            ),
        )),
    }
}

fn parse_feature(mut obj: Map<String, Value>, path_id: Option<StationId>) -> Result<StationData, ApiError> {
    for key in obj.keys() {
        if !matches!(key.as_str(), "type" | "id" | "geometry" | "properties" | "bbox") {
            return Err(ApiError::invalid_body(
                Some(key),
                format!("unknown Feature member {key:?} (expected type, id, geometry, properties)"),
            ));
        }
    }
    if let Some(id) = obj.get("id") {
        check_id(id, path_id, "id")?;
    }
    let location = parse_point(obj.get("geometry"))?;
    let mut props = match obj.remove("properties") {
        Some(Value::Object(p)) => p,
        Some(Value::Null) | None => {
            return Err(ApiError::invalid_body(
                Some("properties"),
                "a Feature needs properties with the station fields",
            ));
        }
        Some(_) => return Err(ApiError::invalid_body(Some("properties"), "properties must be a JSON object")),
    };
    if props.contains_key("location") {
        return Err(ApiError::invalid_body(
            Some("properties.location"),
            "give the position as the Feature's geometry, not as properties.location",
        ));
    }
    strip_read_only(&mut props, path_id, "properties.")?;
    props.insert("location".to_owned(), serde_json::json!({ "lon": location[0], "lat": location[1] }));
    deserialize_data(Value::Object(props), "properties.")
}

fn parse_point(geometry: Option<&Value>) -> Result<[f64; 2], ApiError> {
    let bad = |msg: &str| ApiError::invalid_body(Some("geometry"), msg.to_owned());
    let Some(Value::Object(g)) = geometry else {
        return Err(bad("a Feature needs a Point geometry {\"type\":\"Point\",\"coordinates\":[lon,lat]}"));
    };
    match g.get("type") {
        Some(Value::String(t)) if t == "Point" => {}
        Some(other) => return Err(bad(&format!("geometry type {other} is not supported; a station is a Point"))),
        None => return Err(bad("the geometry has no type; a station is a Point")),
    }
    let Some(Value::Array(c)) = g.get("coordinates") else {
        return Err(ApiError::invalid_body(Some("geometry.coordinates"), "a Point needs coordinates [lon, lat]"));
    };
    let nums: Vec<f64> = c.iter().filter_map(Value::as_f64).collect();
    if nums.len() != c.len() || !(2..=3).contains(&nums.len()) {
        return Err(ApiError::invalid_body(
            Some("geometry.coordinates"),
            "coordinates must be two numbers [lon, lat] (WGS-84 degrees), optionally with an altitude",
        ));
    }
    Ok([nums[0], nums[1]])
}

fn check_id(id: &Value, path_id: Option<StationId>, field: &str) -> Result<(), ApiError> {
    match (id.as_i64(), path_id) {
        (Some(given), Some(expected)) if given != expected => Err(ApiError::invalid_body(
            Some(field),
            format!("the body's id {given} differs from the id {expected} in the path"),
        )),
        (None, Some(_)) if !id.is_null() => Err(ApiError::invalid_body(Some(field), "id must be an integer")),
        _ => Ok(()),
    }
}

fn strip_read_only(obj: &mut Map<String, Value>, path_id: Option<StationId>, prefix: &str) -> Result<(), ApiError> {
    if let Some(id) = obj.get("id") {
        check_id(id, path_id, &format!("{prefix}id"))?;
    }
    for key in READ_ONLY {
        obj.remove(*key);
    }
    Ok(())
}

fn deserialize_data(value: Value, prefix: &str) -> Result<StationData, ApiError> {
    serde_path_to_error::deserialize::<_, StationData>(value).map_err(|e| {
        let inner = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." { backticked(&inner) } else { Some(path) };
        let field = field.map(|f| format!("{prefix}{f}"));
        let message = match &field {
            Some(f) => format!("{f}: {inner}"),
            None => inner,
        };
        ApiError::invalid_body(field.as_deref(), message)
    })
}

/// The first `` `name` `` quoted in a serde message ("missing field `name`").
fn backticked(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(msg[start..start + len].to_owned())
}

/// Parses a JSON request body into `T`, naming the field at fault (400 for text that is not JSON,
/// 422 for JSON of the wrong shape).
pub fn parse_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T, ApiError> {
    require_json(headers)?;
    let body = body.map_err(|r| ApiError::from_body_rejection(&r, limit))?;
    parse_json_bytes(&body)
}

/// A JSON object in `body` into `T`, naming the field of the first problem (as [`parse_json`],
/// without the header checks: for a JSON part of a multipart body).
///
/// # Errors
/// 400 for malformed JSON, 422 naming the field.
pub fn parse_json_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| ApiError::malformed_json(&e))?;
    if !value.is_object() {
        return Err(ApiError::invalid_body(None, "expected a JSON object"));
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let inner = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." { backticked(&inner) } else { Some(path) };
        let message = match &field {
            Some(f) => format!("{f}: {inner}"),
            None => inner,
        };
        ApiError::invalid_body(field.as_deref(), message)
    })
}

/// Bodies larger than this are parsed on the heavy-work pool, not on the riders' threads.
const POOL_PARSE_BYTES: usize = 64 * 1024;

/// [`parse_json`] for bodies that may be large (a drawn boundary, long lists): a body over
/// 64 KiB is parsed on the heavy-work pool within the anonymous budget.
pub async fn parse_json_pooled<T: DeserializeOwned + Send + 'static>(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let limit = state.config.limits.max_body_bytes;
    require_json(headers)?;
    let body = body.map_err(|r| ApiError::from_body_rejection(&r, limit))?;
    if body.len() <= POOL_PARSE_BYTES {
        return parse_json(headers, Ok(body), limit);
    }
    let headers = headers.clone();
    let budget = WorkPool::budget(state.config.limits.anonymous.limits());
    state.work.run("parse_body", budget, move |_| parse_json(&headers, Ok(body), limit)).await?
}

/// A path's id, text.
pub fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::invalid_parameter("id", e.body_text()))?;
    Ok(id)
}

/// Bodies larger than this are gzipped on the heavy-work pool, not by the compression layer on
/// the riders' threads.
const POOL_GZIP_BYTES: usize = 256 * 1024;

/// A JSON answer from stored text: gzipped on the heavy-work pool when it is large and the
/// client accepts gzip (the compression layer leaves an encoded body alone).
pub async fn json_text_answer(state: &AppState, headers: &HeaderMap, body: JsonText) -> Result<Response, ApiError> {
    let json = HeaderValue::from_static("application/json");
    if !accepts_gzip(headers) || body.as_str().len() < POOL_GZIP_BYTES {
        return Ok(([(header::CONTENT_TYPE, json)], body.to_bytes()).into_response());
    }
    let gz = state
        .work
        .run("gzip", WorkPool::budget(state.config.limits.planner.limits()), move |_| gzip(body.as_str().as_bytes()))
        .await?;
    Ok((
        [(header::CONTENT_TYPE, json), (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
        [(header::VARY, HeaderValue::from_static("accept-encoding"))],
        gz,
    )
        .into_response())
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;

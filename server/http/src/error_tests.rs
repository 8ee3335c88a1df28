#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::{Value, json};
use yizhan_planner::station::StationId;

async fn render(e: ApiError) -> (StatusCode, axum::http::HeaderMap, Value) {
    let resp = e.into_response();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, headers, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn body_shape_without_details() {
    let (status, headers, body) = render(ApiError::invalid_parameter("lon", "is not a number")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        body,
        json!({"error": {"code": "invalid_parameter", "message": "lon: is not a number", "field": "lon"}})
    );
    let (_, _, body) = render(ApiError::not_found("gone")).await;
    assert_eq!(body, json!({"error": {"code": "not_found", "message": "gone", "field": null}}));
}

#[tokio::test]
async fn validation_lists_every_field() {
    let errors = vec![FieldError::new("name", "must not be empty"), FieldError::new("capacity", "too big")];
    let (status, _, body) = render(WriteError::Invalid(errors).into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"error": {
            "code": "validation_failed",
            "message": "invalid station: name: must not be empty; capacity: too big",
            "field": "name",
            "details": [
                {"field": "name", "message": "must not be empty"},
                {"field": "capacity", "message": "too big"},
            ],
        }})
    );
}

#[tokio::test]
async fn unauthorized_carries_a_challenge() {
    let (status, headers, body) = render(ApiError::unauthorized("no token", "Bearer realm=\"yizhan\"")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer realm=\"yizhan\"");
    assert_eq!(body["error"]["code"], "unauthorized");
    let (_, headers, _) = render(ApiError::writes_disabled()).await;
    assert!(headers.get(header::WWW_AUTHENTICATE).is_none());
}

fn mapped(e: StoreError) -> (StatusCode, String, Option<String>) {
    let a = ApiError::from(e);
    (a.status, a.error.code, a.error.field)
}

#[test]
fn store_errors_map_to_statuses() {
    let id: StationId = 42;
    assert_eq!(mapped(StoreError::NotFound(id)), (StatusCode::NOT_FOUND, "not_found".into(), Some("id".into())));
    let conflict =
        StoreError::Conflict { existing: 7, source_name: "济宁市总工会".into(), external_id: "A-1".into() };
    let a = ApiError::from(conflict);
    assert_eq!(
        (a.status, a.error.code.as_str(), a.error.field.as_deref()),
        (StatusCode::CONFLICT, "conflict", Some("external_id"))
    );
    assert!(a.error.message.contains("id 7") && a.error.message.contains("济宁市总工会"), "{}", a.error.message);
    // Which driver errors mean "unavailable" is the store's to say (`StoreError::is_unavailable`,
    // tested there); every such error is a 503 here, as an unusable data directory is.
    assert_eq!(
        mapped(StoreError::DataDir { path: "/nope".into(), source: std::io::Error::other("denied") }).0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        mapped(StoreError::Corrupt { id, reason: "bad kind".into() }),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal_error".into(), None)
    );
    assert_eq!(mapped(StoreError::UnsupportedUrl("mysql://x".into())).0, StatusCode::INTERNAL_SERVER_ERROR);
    // A store conflict reached through the write path maps the same way.
    let w = WriteError::Store(StoreError::NotFound(id));
    assert_eq!(ApiError::from(w).status, StatusCode::NOT_FOUND);
}

#[test]
fn internal_errors_hide_their_cause() {
    let a = ApiError::internal(&"secret path /var/db");
    assert!(!a.error.message.contains("secret"));
}

#[test]
fn typo_suggestions() {
    let accepted = ["lon", "lat", "k", "kind", "amenity", "radius_m", "min_capacity"];
    assert_eq!(closest("kinds", &accepted), Some("kind"));
    assert_eq!(closest("Kind", &accepted), Some("kind"));
    assert_eq!(closest("amenities", &accepted), Some("amenity"));
    assert_eq!(closest("radius", &accepted), Some("radius_m"));
    assert_eq!(closest("mincapacity", &accepted), Some("min_capacity"));
    assert_eq!(closest("zzzzzz", &accepted), None);
    // A one-letter name is not "close" to another one-letter name.
    assert_eq!(closest("q", &accepted), None);
    let e = ApiError::unknown_parameter("zzz", &[]);
    assert!(e.error.message.ends_with("accepts: none"), "{}", e.error.message);
}

#[test]
fn edit_distance() {
    assert_eq!(levenshtein("", ""), 0);
    assert_eq!(levenshtein("kitten", "sitting"), 3);
    assert_eq!(levenshtein("类型", "类别"), 1);
    assert_eq!(levenshtein("abc", ""), 3);
}

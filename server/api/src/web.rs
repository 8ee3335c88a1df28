//! Everything outside the API routes: the web UI, its settings at `/config.json`, and JSON errors
//! for unknown paths and methods.
//!
//! The UI's files (`web/` in the source tree) are built into the binary, so `yizhan serve` serves
//! them from any working directory with no network access; `config.web_dir` (`--web-dir`) serves a
//! directory from disk instead, for development. Built-in files are answered with their content
//! type, a strong `ETag` (SHA-256 of the bytes) and `Cache-Control: no-cache` — browsers keep them
//! and revalidate cheaply (`If-None-Match` → 304), so a new build is picked up at once. Paths are
//! looked up, never joined onto a directory: `..`, `.`, empty segments and backslashes are refused.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use yizhan_core::state::AppState;
use yizhan_http::error::ApiError;

/// The web UI's files, from `web/` at build time.
#[derive(rust_embed::Embed)]
#[folder = "../../web/"]
struct Assets;

/// The UI's settings, served at `/config.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct UiConfig<'a> {
    /// MapLibre style URL of an online base map, or `null` for the offline base map.
    map_style_url: Option<&'a str>,
}

/// Answers requests no route matched: the UI's settings and files for GET and HEAD, JSON errors
/// otherwise.
pub(crate) async fn fallback(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let path = req.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/") || path == "/healthz";
    if is_api {
        return ApiError::not_found(format!("no such path: {path}")).into_response();
    }
    if path == "/config.json" {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return ApiError::method_not_allowed().into_response();
        }
        let body = UiConfig { map_style_url: state.config.map_style_url.as_deref() };
        return ([(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))], Json(body)).into_response();
    }
    if let Some(dir) = &state.config.web_dir {
        return match ServeDir::new(dir).oneshot(req).await {
            Ok(resp) => resp.into_response(),
            Err(never) => match never {},
        };
    }
    let Some(name) = asset_name(path) else {
        return ApiError::not_found(format!("no such path: {path}")).into_response();
    };
    let Some(file) = Assets::get(&name) else {
        return ApiError::not_found(format!("no such path: {path}")).into_response();
    };
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return ApiError::method_not_allowed().into_response();
    }
    let etag = etag(&file.metadata.sha256_hash());
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if if_none_match(req.headers(), &etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&name)));
    (headers, file.data.into_owned()).into_response()
}

/// The built-in file a URL path names: `index.html` for `/` and for any path ending in `/`;
/// `None` for a path that could name something outside `web/` or is not canonical (`..` or `.`
/// segments, empty segments, backslashes, NUL).
pub(crate) fn asset_name(path: &str) -> Option<String> {
    let rel = path.strip_prefix('/')?;
    let mut name = rel.to_owned();
    if name.is_empty() || name.ends_with('/') {
        name.push_str("index.html");
    }
    let canonical = name.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && !name.contains(['\\', '\0'])
        && !name.starts_with('/');
    canonical.then_some(name)
}

/// The `Content-Type` of a built-in file, by its extension.
pub(crate) fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "geojson" => "application/geo+json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pbf" => "application/x-protobuf",
        _ => "application/octet-stream",
    }
}

/// A strong entity tag from a content hash: the first 16 bytes in hex, quoted.
fn etag(hash: &[u8; 32]) -> String {
    let mut s = String::with_capacity(34);
    s.push('"');
    for b in &hash[..16] {
        let _ = write!(s, "{b:02x}");
    }
    s.push('"');
    s
}

/// Whether the request's `If-None-Match` lists `etag` (or `*`); weak tags compare by their opaque
/// part, as RFC 9110 asks for this header.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |tag| {
            let tag = tag.trim();
            tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
        },
    )
}

/// Answers a known path asked with a method it does not take (axum adds the `Allow` header).
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

#[cfg(test)]
#[path = "web_tests.rs"]
mod tests;

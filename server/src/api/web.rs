//! Everything outside the API routes: the web UI's static files when `config.web_dir` is set, a
//! placeholder page at `/` otherwise, and JSON errors for unknown paths and methods.

use super::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The page served at `/` when no web UI directory is configured.
const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>驿站 Yizhan</title></head>
<body>
<h1>驿站 Yizhan</h1>
<p>找到最近的户外劳动者驿站 — find the nearest rest station.</p>
<ul>
<li><a href="/api/v1/openapi.json">OpenAPI document of the HTTP API</a></li>
<li><a href="/api/v1/stations?limit=10">Stations (GeoJSON)</a></li>
<li><a href="/healthz">Health</a></li>
</ul>
</body>
</html>
"#;

/// Answers requests no route matched.
pub(crate) async fn fallback(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let path = req.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/") || path == "/healthz";
    if !is_api {
        if let Some(dir) = &state.config.web_dir {
            return match ServeDir::new(dir).oneshot(req).await {
                Ok(resp) => resp.into_response(),
                Err(never) => match never {},
            };
        }
        if path == "/" || path == "/index.html" {
            return Html(PLACEHOLDER).into_response();
        }
    }
    ApiError::not_found(format!("no such path: {path}")).into_response()
}

/// Answers a known path asked with a method it does not take (axum adds the `Allow` header).
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

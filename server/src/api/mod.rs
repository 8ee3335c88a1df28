//! The HTTP API (axum): routes under `/api/v1`, `/healthz`, the OpenAPI document and the web UI.

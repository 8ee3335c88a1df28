//! The one error shape of the API and the mapping of every failure onto it.
//!
//! Every error answers with a JSON body
//! `{ "error": { "code", "message", "field", "details"? } }`: `code` is a stable machine-readable
//! string, `message` explains it in English, `field` names the query parameter or body field at
//! fault (`null` when the error is not about one field) and `details` lists further items (every
//! invalid field of a station, every bad row of an import file).

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yizhan_core::analysis::AnalysisError;
use yizhan_core::state::WriteError;
use yizhan_planner::station::FieldError;
use yizhan_store::StoreError;

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorObject,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorObject {
    /// Stable machine-readable code, e.g. `invalid_parameter`, `not_found`, `validation_failed`.
    pub code: String,
    /// Human-readable explanation (English).
    pub message: String,
    /// The query parameter or body field at fault (`lon`, `kind`, `location.lat`…), or `null`.
    pub field: Option<String>,
    /// Further items: every invalid field of a station or every bad row of an import file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// One item of an error's `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// 1-based physical line of an import file (the header is line 1), when about a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 0-based index of the feature in a GeoJSON import file's `features`, when about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<usize>,
    /// Column header as written in an import file, when about one column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// 1-based column number in an import file, when about one column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_number: Option<usize>,
    /// Station field name (`name`, `location.lon`…), when about one field.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// An error response: an HTTP status and the [`ErrorBody`] sent with it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status (4xx for bad input, 503 when storage is unavailable, 500 for internal faults).
    pub status: StatusCode,
    /// The body's `error` object.
    pub error: ErrorObject,
    /// `WWW-Authenticate` challenge sent with 401 answers.
    pub www_authenticate: Option<Box<&'static str>>,
    /// `Retry-After` header (seconds) for refusals a retry may pass (429, 503).
    pub retry_after_s: Option<u32>,
}

impl ApiError {
    /// A new error without field or details.
    #[must_use]
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            error: ErrorObject { code: code.to_owned(), message: message.into(), field: None, details: Vec::new() },
            www_authenticate: None,
            retry_after_s: None,
        }
    }

    /// Adds a `Retry-After` of `seconds`.
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_s = Some(u32::try_from(seconds).unwrap_or(u32::MAX));
        self
    }

    /// Names the field at fault.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.error.field = Some(field.into());
        self
    }

    /// Attaches details.
    #[must_use]
    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> Self {
        self.error.details = details;
        self
    }

    /// 400 `invalid_parameter`: a query parameter's value is not acceptable.
    #[must_use]
    pub fn invalid_parameter(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", format!("{field}: {}", message.into()))
            .with_field(field)
    }

    /// 400 `missing_parameter`: a required query parameter is absent.
    #[must_use]
    pub fn missing_parameter(field: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "missing_parameter", format!("query parameter {field:?} is required"))
            .with_field(field)
    }

    /// 400 `unknown_parameter`: the query names a parameter the endpoint does not take.
    #[must_use]
    pub fn unknown_parameter(name: &str, accepted: &[&str]) -> Self {
        let hint = closest(name, accepted).map(|c| format!(" (did you mean {c:?}?)")).unwrap_or_default();
        let list = if accepted.is_empty() { "none".to_owned() } else { accepted.join(", ") };
        Self::new(
            StatusCode::BAD_REQUEST,
            "unknown_parameter",
            format!("unknown query parameter {name:?}{hint}; this endpoint accepts: {list}"),
        )
        .with_field(name)
    }

    /// 400 `duplicate_parameter`: a single-valued parameter is given more than once.
    #[must_use]
    pub fn duplicate_parameter(field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "duplicate_parameter",
            format!("query parameter {field:?} is given more than once; it takes one value"),
        )
        .with_field(field)
    }

    /// 400 `invalid_id`: a path's station id is not an integer.
    #[must_use]
    pub fn invalid_id(raw: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_id", format!("station id {raw:?} is not an integer"))
            .with_field("id")
    }

    /// 400 `malformed_json`: the body is not JSON.
    #[must_use]
    pub fn malformed_json(message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_json", format!("the request body is not valid JSON: {message}"))
    }

    /// 422 `invalid_body`: the body is JSON but not the expected shape.
    #[must_use]
    pub fn invalid_body(field: Option<&str>, message: impl Into<String>) -> Self {
        let e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", message);
        match field {
            Some(f) => e.with_field(f),
            None => e,
        }
    }

    /// 415 `unsupported_media_type`.
    #[must_use]
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message)
    }

    /// 413 `payload_too_large`: the body exceeds `limit` bytes.
    #[must_use]
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body exceeds the limit of {limit} bytes"),
        )
    }

    /// 422 `validation_failed`: a submitted station has invalid fields. `field` is the first one;
    /// `details` lists them all.
    #[must_use]
    pub fn validation(errors: &[FieldError]) -> Self {
        let message = if errors.is_empty() {
            "invalid station".to_owned()
        } else {
            format!("invalid station: {}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        };
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", message).with_details(
            errors
                .iter()
                .map(|f| ErrorDetail {
                    line: None,
                    feature_index: None,
                    column: None,
                    column_number: None,
                    field: Some(f.field.to_owned()),
                    message: f.message.clone(),
                })
                .collect(),
        );
        if let Some(first) = errors.first() {
            e = e.with_field(first.field);
        }
        e
    }

    /// 404 `not_found`.
    #[must_use]
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 405 `method_not_allowed`.
    #[must_use]
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this method is not allowed on this path")
    }

    /// 401 `unauthorized` with a `WWW-Authenticate: Bearer` challenge.
    #[must_use]
    pub fn unauthorized(message: impl Into<String>, challenge: &'static str) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
        e.www_authenticate = Some(Box::new(challenge));
        e
    }

    /// 403 `writes_disabled`: no API token is configured, so writes over HTTP are off.
    #[must_use]
    pub fn writes_disabled() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "writes_disabled",
            "writes over HTTP are disabled because no API token is configured; set the YIZHAN_API_TOKEN \
             environment variable (or the --api-token flag) when starting the server and send it as \
             `Authorization: Bearer <token>`",
        )
    }

    /// 503 `service_unavailable`.
    #[must_use]
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", message)
    }

    /// 500 `internal_error`. The cause is logged, not sent.
    #[must_use]
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal server error; see the server log")
    }

    /// Maps a failure to read the request body (too large, connection dropped).
    #[must_use]
    pub fn from_body_rejection(rejection: &BytesRejection, limit: usize) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::payload_too_large(limit)
        } else {
            Self::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                format!("could not read the request body: {}", rejection.body_text()),
            )
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::NotFound(id) => Self::not_found(format!("no station has id {id}")).with_field("id"),
            StoreError::Conflict { .. } => {
                Self::new(StatusCode::CONFLICT, "conflict", e.to_string()).with_field("external_id")
            }
            _ if e.is_unavailable() => Self::unavailable(e.to_string()),
            _ => Self::internal(&e),
        }
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Invalid(errors) => Self::validation(&errors),
            WriteError::Store(s) => s.into(),
            other => Self::internal(&other),
        }
    }
}

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::NotFound { field, message } => Self::not_found(message).with_field(field),
            AnalysisError::Invalid { field, message } => Self::invalid_body(Some(field), message),
            AnalysisError::TooLarge { field, message } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message).with_field(field)
            }
            AnalysisError::Conflict { field, message } => {
                Self::new(StatusCode::CONFLICT, "conflict", message).with_field(field)
            }
            AnalysisError::Busy(message) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_jobs", message).retry_after(5)
            }
            AnalysisError::OverBudget { field, message } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "over_budget", message).with_field(field)
            }
            AnalysisError::Cancelled => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "cancelled",
                "the analysis was cancelled (the server is shutting down)",
            ),
            AnalysisError::Work(w) => w.into(),
            AnalysisError::Store(s) => s.into(),
            other => Self::internal(&other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if matches!(self.status.as_u16(), 413 | 429 | 503) {
            yizhan_core::metrics::refused(&self.error.code);
        }
        let mut response = (self.status, Json(ErrorBody { error: self.error })).into_response();
        if let Some(challenge) = self.www_authenticate {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(*challenge));
        }
        if let Some(s) = self.retry_after_s {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

impl From<yizhan_core::work::WorkError> for ApiError {
    fn from(e: yizhan_core::work::WorkError) -> Self {
        use yizhan_core::work::WorkError;
        let (status, code) = match &e {
            WorkError::QueueFull { .. } => (StatusCode::TOO_MANY_REQUESTS, "heavy_queue_full"),
            WorkError::Timeout { .. } => (StatusCode::SERVICE_UNAVAILABLE, "heavy_queue_timeout"),
            WorkError::ShuttingDown => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
            _ => return Self::internal(&e),
        };
        let err = Self::new(status, code, e.to_string());
        match e.retry_after_s() {
            Some(s) => err.retry_after(s),
            None => err,
        }
    }
}

/// The accepted name closest to `name` by edit distance, if it is close enough to be a typo.
fn closest<'a>(name: &str, accepted: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    accepted
        .iter()
        .map(|a| (levenshtein(&lower, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len().div_ceil(3)) && *d < a.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// Edit distance between two strings, counted in characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;

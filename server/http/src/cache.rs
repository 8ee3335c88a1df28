//! Conditional and compressed answers: ETag / `If-None-Match`, gzip negotiation and encoding.

use axum::http::{HeaderMap, HeaderValue, header};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

/// Whether the client accepts a gzip-encoded answer (`Accept-Encoding: gzip` or `*`, with a
/// quality above zero).
#[must_use]
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f64>().ok())
                .unwrap_or(1.0);
            (coding == "gzip" || coding == "x-gzip" || coding == "*") && q > 0.0
        },
    )
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak and strong forms compare equal, as RFC
/// 9110 prescribes for `If-None-Match`.
#[must_use]
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == ours)
}

/// gzip at the fast level (tiles are compressed once per data version and cached; large JSON
/// answers once each, on the heavy-work pool).
#[must_use]
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 2 + 64), Compression::fast());
    // Writing into a Vec cannot fail.
    if enc.write_all(bytes).is_err() {
        return Vec::new();
    }
    enc.finish().unwrap_or_default()
}

/// A header value from text made of visible ASCII (our ETags and cache policies).
#[must_use]
pub fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;

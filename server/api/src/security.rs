//! Protective middleware: the per-client rate limit, CORS and the security headers of every
//! response.
//!
//! * Rate limit: a token bucket per peer IP address (governor; [`Config::rate_limit`]); over it,
//!   429 `rate_limited` with `Retry-After` (whole seconds) and the JSON error body. Behind a
//!   reverse proxy every client shares the proxy's address: limit there instead.
//! * CORS: only the origins in [`Config::cors_origins`] get `Access-Control-Allow-Origin`; with
//!   none configured, browsers keep the API to pages of the same origin.
//! * Headers: `Content-Security-Policy` (scripts, style sheets, workers only from the server
//!   itself; no inline scripts or `<style>`; inline style *attributes* allowed, as the map library
//!   sets them; no framing), `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//!   `X-Frame-Options: DENY`, `Cross-Origin-Opener-Policy: same-origin`. With an online base-map
//!   style configured ([`Config::map_style_url`]), map data (`connect-src`: the style, its
//!   sprites, glyphs and tiles, which the map library fetches; `img-src`) may also come from that
//!   style's origin (`scheme://host[:port]`, [`style_origin`]) and from no other: a style whose
//!   sources live on other origins needs them served from its own.
//!
//! [`Config::rate_limit`]: yizhan_core::config::Config::rate_limit
//! [`Config::cors_origins`]: yizhan_core::config::Config::cors_origins
//! [`Config::map_style_url`]: yizhan_core::config::Config::map_style_url

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::cors::{AllowOrigin, CorsLayer};
use yizhan_core::config::{Config, RateLimit};
use yizhan_http::error::ApiError;

/// The per-client limiter shared by every request.
#[derive(Debug)]
pub(crate) struct Limiter {
    keyed: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    seen: AtomicU64,
}

/// Requests between two sweeps of idle clients out of the limiter's table.
const SWEEP_EVERY: u64 = 4096;

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self::with_quota(Quota::per_second(limit.per_second).allow_burst(limit.burst))
    }

    /// A limiter of `quota` per client address (the riders' reports have their own).
    pub(crate) fn with_quota(quota: Quota) -> Self {
        Self { keyed: RateLimiter::keyed(quota), clock: DefaultClock::default(), seen: AtomicU64::new(0) }
    }

    /// `Ok` when `ip` may make a request now, else the seconds to wait (at least 1).
    pub(crate) fn check(&self, ip: IpAddr) -> Result<(), u64> {
        if self.seen.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.keyed.retain_recent();
        }
        self.keyed.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// Refuses a request over its client's rate (429); requests without a peer address (served
/// without connection info, as in unit tests) pass.
pub(crate) async fn rate_limit(State(limiter): State<Arc<Limiter>>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(ip) = peer
        && let Err(wait_s) = limiter.check(ip)
    {
        let wait_s = wait_s.max(1);
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests from {ip}; retry in {wait_s} s"),
        )
        .into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait_s));
        return response;
    }
    next.run(req).await
}

/// The CORS layer for `origins` (none: no cross-origin access).
pub(crate) fn cors(origins: &[String]) -> CorsLayer {
    let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::LOCATION, header::RETRY_AFTER])
        .max_age(std::time::Duration::from_mins(10))
}

/// The origin of an http(s) URL as a CSP source: `scheme://host[:port]`, lower case, the port only
/// when not the scheme's default. `None` when the URL is not http(s), has no host, or its host
/// holds anything but letters, digits, `-` and `.` (or is not a bracketed IPv6 address), so that
/// nothing from the URL can add a source or a directive to the policy.
pub(crate) fn style_origin(url: &str) -> Option<String> {
    let uri: axum::http::Uri = url.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let host = uri.host()?.to_ascii_lowercase();
    let valid = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'),
        None => !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
    };
    if !valid {
        return None;
    }
    Some(match uri.port_u16() {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// The `Content-Security-Policy` for `config`: the server itself only, plus the online base-map
/// style's origin for map data when one is configured.
pub(crate) fn content_security_policy(config: &Config) -> String {
    let remote = match config.map_style_url.as_deref().map(style_origin) {
        Some(Some(origin)) => format!(" {origin}"),
        Some(None) => {
            tracing::warn!("the map style URL has no origin a Content-Security-Policy can name; it will not load");
            String::new()
        }
        None => String::new(),
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; worker-src 'self' blob:; child-src 'self' blob:; \
         img-src 'self' data: blob:{remote}; connect-src 'self'{remote}; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The security headers added to every response (values precomputed once).
#[derive(Debug, Clone)]
pub(crate) struct SecurityHeaders(Arc<Vec<(HeaderName, HeaderValue)>>);

impl SecurityHeaders {
    pub(crate) fn new(config: &Config) -> Self {
        let mut headers = vec![
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
        ];
        if let Ok(csp) = HeaderValue::from_str(&content_security_policy(config)) {
            headers.push((header::CONTENT_SECURITY_POLICY, csp));
        }
        Self(Arc::new(headers))
    }
}

/// Adds the security headers to the response (keeping any a handler set itself).
pub(crate) async fn security_headers(State(headers): State<SecurityHeaders>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let map = response.headers_mut();
    for (name, value) in headers.0.iter() {
        if !map.contains_key(name) {
            map.insert(name.clone(), value.clone());
        }
    }
    response
}

#[cfg(test)]
#[path = "security_tests.rs"]
mod tests;

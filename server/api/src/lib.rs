//! The HTTP API (axum): routes under `/api/v1`, `/healthz`, the OpenAPI document and the web UI.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /api/v1/nearest` | the nearest stations to a point, with travel times and map-app links |
//! | `GET /api/v1/stations` | stations as a paged GeoJSON FeatureCollection |
//! | `GET /api/v1/stations/{id}` | one station as a GeoJSON Feature |
//! | `POST /api/v1/stations` | create a station (bearer token) |
//! | `PUT /api/v1/stations/{id}` | replace a station (bearer token) |
//! | `DELETE /api/v1/stations/{id}` | delete a station (bearer token) |
//! | `POST /api/v1/stations/{id}/verify` | mark a station verified on site today (editor) |
//! | `POST /api/v1/reports` / `GET` | a rider's report, no account (JSON, or multipart with a photo re-encoded without metadata; rate-limited per client) / the editors' queue |
//! | `GET /api/v1/reports/{code}` | a report by its rider's code |
//! | `GET /api/v1/reports/stats` | reports per street, median time to resolve, stations reported again and again (JSON or CSV) |
//! | `GET /api/v1/reports/{id}/photo`, `POST …/{id}/status` | a report's photo / an editor's answer, fixing the station in the same transaction |
//! | `GET /api/v1/stations/{id}/reports` | a station's open reports, without text or position |
//! | `/open311/v2/…` | Open311 GeoReport v2 (JSON) over the reports: services, a service's attributes, file and read requests |
//! | `GET /api/v1/verification` | verified, overdue and never-verified stations per street |
//! | `GET /api/v1/hours` | an opening-hours text in OSM form, open now, next change (the console's preview) |
//! | `GET /api/v1/convert` | a position in WGS-84, GCJ-02 and BD-09 |
//! | `POST /api/v1/import` | import a CSV or GeoJSON file, all or nothing (bearer token) |
//! | `POST /api/v1/session` / `GET` / `DELETE` | sign in to the console (a token for a session cookie) / the session and its CSRF token / sign out |
//! | `GET /api/v1/audit` | the audit log of every write (admin token) |
//! | `GET /api/v1/admin/tokens` / `POST` | list API tokens (never secrets) / create one, its secret answered once (admin token) |
//! | `DELETE /api/v1/admin/tokens/{id}` | revoke an API token at once (admin token) |
//! | `GET /api/v1/districts` | the shipped district boundaries as GeoJSON (the map's offline base layer) |
//! | `GET /api/v1/districts/{name}` | one district boundary |
//! | `GET /api/v1/stations/{id}/isochrone` | the area from which a station is reached within N minutes along the roads |
//! | `GET /api/v1/network/roads` | the loaded road network as GeoJSON lines (the map's road layer) |
//! | `GET /api/v1/districts/{name}/streets` | the district's stored street (街道/镇) boundaries |
//! | `GET /api/v1/districts/{name}/report.pdf` | the printable coverage report of a district (`yizhan_publish::report`) |
//! | `POST /api/v1/coverage` | coverage of a district or drawn area by stations, per H3 cell |
//! | `GET /api/v1/coverage/{id}` | a kept coverage analysis |
//! | `POST /api/v1/plans` | start a site-planning job (202) |
//! | `GET /api/v1/plans/{id}` / `DELETE` | a plan job's progress and result / cancel it |
//! | `POST /api/v1/scenarios` / `GET` | save a plan's sites as planned stations (bearer token) / list |
//! | `GET /api/v1/scenarios/compare` | coverage with and without scenarios |
//! | `POST /api/v1/demand` / `GET` | import a demand dataset (bearer token) / list them |
//! | `GET /healthz` | server and storage health, follower lag |
//! | `GET /metrics` | Prometheus metrics: requests, latency, refusals per limit, heavy-work pool, follower lag |
//! | `GET /api/v1/openapi.json` | the OpenAPI 3 document |
//! | `GET /` | the web UI (built into the binary, or from `config.web_dir`); `/config.json` its settings |
//!
//! Coordinates are WGS-84 degrees unless a `crs` parameter says otherwise (converted at this
//! edge); distances are metres, times seconds. Every error is JSON
//! `{"error": {"code", "message", "field", "details"?}}` with a 4xx status for bad input (see
//! [`yizhan_http::error`]). Query strings are parsed strictly: an unknown parameter, a single-valued parameter
//! given twice or an empty value is an error naming the parameter; list parameters (`kind`,
//! `amenity`, `status`) may repeat and/or hold comma-separated values. Station bodies are either
//! `StationData` JSON or a GeoJSON Feature (see [`yizhan_http::model::StationInput`]). Responses are
//! gzip-compressed when the client accepts it; bodies are limited to
//! `config.limits.max_body_bytes` (413 beyond). Every response carries security headers; a
//! per-client rate limit and a CORS allow-list apply when configured (`security`).

mod admin;
mod convert;
mod coverage;
mod demand;
mod districts;
mod health;
mod hours;
mod import;
mod isochrone;
mod nearest;
mod open311;
mod openapi;
mod plans;
mod reports;
mod roads;
mod scenarios;
mod security;
mod session;
mod stations;
mod verification;
mod web;

pub use openapi::ApiDoc;

/// Entry points of the query-string parsers for fuzzing and hostile-input tests (not an API).
#[doc(hidden)]
pub mod fuzzing {
    use chrono::{DateTime, Utc};
    use yizhan_core::config::Limits;

    /// Parses `raw` as the query of `GET /api/v1/nearest`, `GET /api/v1/stations` and
    /// `GET /api/v1/audit`; returns the HTTP status of each answer (200 when accepted).
    #[must_use]
    pub fn parse_queries(raw: &str, now: DateTime<Utc>) -> [u16; 3] {
        let limits = Limits::default();
        let tz = yizhan_planner::hours::DEFAULT_TZ;
        let status = |r: Result<(), yizhan_http::error::ApiError>| r.map_or_else(|e| e.status.as_u16(), |()| 200);
        [
            status(yizhan_http::query::NearestQuery::parse(Some(raw), &limits, tz, now).map(|_| ())),
            status(yizhan_http::query::ListQuery::parse(Some(raw), &limits, tz, now).map(|_| ())),
            status(crate::admin::parse_audit_query(Some(raw)).map(|_| ())),
        ]
    }
}

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::{Extension, Router};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use yizhan_core::analysis::jobs::Jobs;
use yizhan_core::state::AppState;

/// The application's routes and middleware (body limit, gzip compression, security headers, CORS,
/// per-client rate limit, request tracing) over `state`. The rate limit needs the peer address:
/// serve with `into_make_service_with_connect_info::<SocketAddr>()` as [`serve_with_shutdown`]
/// does.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.config.limits.max_body_bytes;
    let headers = security::SecurityHeaders::new(&state.config);
    let cors = security::cors(&state.config.cors_origins);
    let limiter = state.config.rate_limit.map(|l| Arc::new(security::Limiter::new(l)));
    let jobs = Arc::new(Jobs::new(state.config.limits));
    let routes = Router::new()
        .route("/api/v1/nearest", get(nearest::nearest))
        .route("/api/v1/stations", get(stations::list_stations).post(stations::create_station))
        .route(
            "/api/v1/stations/{id}",
            get(stations::get_station).put(stations::update_station).delete(stations::delete_station),
        )
        .route("/api/v1/stations/{id}/verify", post(verification::verify))
        .route("/api/v1/stations/{id}/reports", get(reports::of_station))
        .route("/api/v1/reports", get(reports::queue).post(reports::submit))
        .route("/api/v1/reports/stats", get(reports::stats))
        .route("/api/v1/reports/{code}", get(reports::by_code))
        .route("/api/v1/reports/{id}/photo", get(reports::photo))
        .route("/api/v1/reports/{id}/status", post(reports::answer))
        // Open311 GeoReport v2 over the same reports.
        .route("/open311/v2/services.json", get(open311::services))
        .route("/open311/v2/services/{file}", get(open311::service_definition))
        .route("/open311/v2/requests.json", get(open311::get_requests).post(open311::post_request))
        .route("/open311/v2/requests/{file}", get(open311::get_request))
        .route("/api/v1/verification", get(verification::summary))
        .route("/api/v1/hours", get(hours::check))
        .route("/api/v1/convert", get(convert::convert))
        .route("/api/v1/import", post(import::import_stations))
        .route("/api/v1/session", get(session::current).post(session::sign_in).delete(session::sign_out))
        .route("/api/v1/audit", get(admin::audit_log))
        .route("/api/v1/admin/tokens", get(admin::list_tokens).post(admin::create_token))
        .route("/api/v1/admin/tokens/{id}", delete(admin::revoke_token))
        .route("/api/v1/districts", get(districts::list_districts))
        .route("/api/v1/districts/{name}", get(districts::get_district))
        // Road network: isochrones and the map's road layer.
        .route("/api/v1/stations/{id}/isochrone", get(isochrone::station_isochrone))
        .route("/api/v1/network/roads", get(roads::network_roads))
        // The coverage planner: coverage, plans (jobs), scenarios, demand, district streets.
        .route("/api/v1/districts/{name}/streets", get(districts::get_streets))
        .merge(coverage::routes())
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        // Publishing: vector tiles, OGC API – Features, static maps (yizhan_publish).
        .merge(yizhan_publish::routes())
        .fallback(web::fallback)
        .method_not_allowed_fallback(web::method_not_allowed)
        .layer(axum::middleware::from_fn(health::track_requests))
        .layer(Extension(Arc::clone(&jobs)))
        .layer(Extension(Arc::new(reports::report_limiter())))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(headers, security::security_headers))
        .layer(cors);
    let routes = match limiter {
        Some(limiter) => routes.layer(axum::middleware::from_fn_with_state(limiter, security::rate_limit)),
        None => routes,
    };
    routes.layer(TraceLayer::new_for_http()).with_state(state)
}

/// Serves the API on `listener` until the process ends.
///
/// # Errors
/// The listener's I/O error.
pub async fn serve(listener: TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    serve_with_shutdown(listener, state, std::future::pending()).await
}

/// Serves the API on `listener` until `shutdown` completes, then finishes the requests in flight
/// (graceful shutdown; the binary passes a future that waits for ctrl-c or SIGTERM).
///
/// # Errors
/// The listener's I/O error.
pub async fn serve_with_shutdown<F>(listener: TcpListener, state: Arc<AppState>, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

//! The OpenAPI 3 document of the whole API, served at `GET /api/v1/openapi.json`.

use super::admin::{self, AuditLog, CreatedToken, TokenList, TokenRequest};
use super::convert::{self, Converted};
use super::demand::{self, DemandList};
use super::districts::{self, DistrictCollection, DistrictFeature, DistrictProperties, MultiPolygonGeometry};
use super::hours::{self, HoursCheck};
use super::import::{IgnoredColumnOut, ImportPreviewResponse, PreviewRowOut, RowAction, UnplacedRowOut};
use super::isochrone::{self, IsochroneFeature, IsochroneProperties};
use super::plans::{self, PlanAccepted};
use super::reports::{self, AnswerRequest, OpenReport, PublicReport, QueuedReport, ReportPage, StationReports};
use super::roads::{self, RoadClass, RoadCollection, RoadFeature, RoadProperties};
use super::scenarios::{self, NamedSummary, ScenarioList, ScenarioRequest, ScenarioResponse};
use super::session::{self, SessionInfo, SessionUser, SignIn};
use super::verification::{self, StreetVerification, VerificationCounts, VerificationSummary};
use super::{coverage, health, import, nearest, stations};
use axum::Json;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use yizhan_core::access::audit::AuditEntry;
use yizhan_core::access::{Role, TokenRecord};
use yizhan_core::analysis::jobs::{JobFailure, JobProgress, JobStatus, JobView};
use yizhan_core::analysis::{CandidateInput, CandidatesInput, CoverageRequest, Minutes, PlanRequest};
use yizhan_http::error::{ErrorBody, ErrorDetail, ErrorObject};
use yizhan_http::model::{
    EtaModelInfo, FollowerHealth, HealthResponse, ImportResponse, Link, Navigation, NearestResponse, NearestResult,
    PointGeometry, StationCollection, StationFeature, StationFeatureInput, StationInput, StationProperties,
    StorageHealth,
};
use yizhan_http::model::{LineStringGeometry, LineStringType};
use yizhan_planner::amenity::Amenity;
use yizhan_planner::crs::Crs;
use yizhan_planner::eta::{EtaMethod, TravelMode};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::import::Format;
use yizhan_planner::report::{ReportCategory, ReportInput, ReportStatus};
use yizhan_planner::station::{Station, StationData, StationKind, StationStatus};
use yizhan_store::DemandInfo;
use yizhan_store::reports::ReportRecord;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Yizhan (驿站) API",
        description = "Find the nearest rest station for delivery riders, couriers and ride-hailing drivers, \
            and manage the station register. Coordinates are WGS-84 degrees (longitude first) unless a `crs` \
            parameter says otherwise; distances are geodesic metres; times are seconds. Every error answers \
            with `{\"error\": {\"code\", \"message\", \"field\", \"details\"?}}`. Writes need \
            `Authorization: Bearer <token>`, or the web console's session cookie (from `POST /api/v1/session`) \
            with the session's CSRF token in `X-CSRF-Token`.",
    ),
    paths(
        nearest::nearest,
        stations::list_stations,
        stations::get_station,
        stations::create_station,
        stations::update_station,
        stations::delete_station,
        verification::verify,
        verification::summary,
        hours::check,
        convert::convert,
        import::import_stations,
        reports::submit,
        reports::by_code,
        reports::of_station,
        reports::queue,
        reports::photo,
        reports::answer,
        reports::stats,
        session::sign_in,
        session::current,
        session::sign_out,
        admin::audit_log,
        admin::list_tokens,
        admin::create_token,
        admin::revoke_token,
        districts::list_districts,
        districts::get_district,
        isochrone::station_isochrone,
        roads::network_roads,
        districts::get_streets,
        coverage::create_coverage,
        coverage::get_coverage,
        plans::create_plan,
        plans::get_plan,
        plans::cancel_plan,
        scenarios::create_scenario,
        scenarios::list_scenarios,
        scenarios::compare_scenarios,
        demand::import_demand,
        demand::list_demand,
        health::healthz,
        health::metrics,
        openapi_json,
    ),
    components(schemas(
        NearestResponse, NearestResult, EtaModelInfo, Navigation, StationCollection, StationFeature,
        StationProperties, PointGeometry, Link, StationInput, StationFeatureInput, ImportResponse,
        HealthResponse, StorageHealth, FollowerHealth, ErrorBody, ErrorObject, ErrorDetail, Station, StationData,
        StationKind, StationStatus, Amenity, LonLat, TravelMode, EtaMethod, Crs, DistrictCollection,
        DistrictFeature, DistrictProperties, MultiPolygonGeometry, LineStringGeometry, LineStringType,
        IsochroneFeature, IsochroneProperties, RoadCollection, RoadFeature, RoadProperties, RoadClass,
        CoverageRequest, PlanRequest, Minutes,
        CandidateInput, CandidatesInput, PlanAccepted, JobView, JobStatus, JobProgress, JobFailure, ScenarioRequest,
        ScenarioResponse, ScenarioList, NamedSummary, DemandInfo, DemandList,
        AuditLog, AuditEntry, Role, TokenList, TokenRequest, CreatedToken, TokenRecord,
        SignIn, SessionUser, SessionInfo, VerificationCounts, StreetVerification, VerificationSummary, HoursCheck,
        Converted, ImportPreviewResponse, PreviewRowOut, UnplacedRowOut, IgnoredColumnOut, RowAction, Format,
        PublicReport, QueuedReport, ReportPage, StationReports, OpenReport, AnswerRequest, ReportInput, ReportRecord,
        ReportCategory, ReportStatus, yizhan_core::report_stats::ReportStats,
        yizhan_core::report_stats::StreetReports, yizhan_core::report_stats::RepeatedStation,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "riders", description = "Nearest-station search."),
        (name = "stations", description = "The station register."),
        (name = "import", description = "Bulk import of station files."),
        (name = "map", description = "Base-map layers: district and street boundaries, roads of the loaded network."),
        (name = "planner", description = "Coverage of districts by stations (H3 cells, 10/15-minute thresholds, demand), site proposals as jobs, scenarios, demand datasets."),
        (name = "reports", description = "Riders' reports about stations and places, and the editors' answers."),
        (name = "operations", description = "Health, API description, audit log and API tokens (admins)."),
    )
)]
pub struct ApiDoc;

/// Adds the `bearer` security scheme the write operations name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`yz_<id>_<secret>`, created with `yizhan token create`; role editor or \
                         admin) or the server's configured bootstrap token (YIZHAN_API_TOKEN, admin).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                yizhan_core::access::session::COOKIE,
                "The web console's session (HttpOnly cookie from `POST /api/v1/session`). Writes made with it \
                 must also send the session's CSRF token in `X-CSRF-Token`.",
            ))),
        );
    }
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> =
    LazyLock::new(|| ApiDoc::openapi().merge_from(yizhan_publish::PublishDoc::openapi()));

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3 document.", content_type = "application/json")),
)]
pub(crate) async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(&DOCUMENT)
}

#[cfg(test)]
#[path = "openapi_tests.rs"]
mod tests;

//! Scenarios: a finished plan's proposed sites saved as `planned` stations
//! (`POST /api/v1/scenarios`, `GET /api/v1/scenarios`), and coverage with or without them
//! compared (`GET /api/v1/scenarios/compare`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::analysis::jobs::{JobStatus, Jobs};
use yizhan_core::analysis::{AnalysisError, CoverageRequest, Minutes, prepare_for};
use yizhan_core::config::TierBudget;
use yizhan_core::state::AppState;
use yizhan_http::auth::{Caller, PlannerAccess};
use yizhan_http::body::parse_json;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::QueryParams;
use yizhan_planner::amenity::AmenitySet;
use yizhan_planner::coverage::CoverageSummary;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::station::{StationData, StationKind, StationStatus};
use yizhan_store::{AnalysisKind, Scenario};

/// `POST /api/v1/scenarios`: save a plan as a scenario.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    /// Unique name, e.g. `方案A`.
    pub name: String,
    /// The finished plan, `plan_…`.
    pub plan: String,
}

/// A saved scenario.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioResponse {
    /// The scenario's id (its name).
    pub id: String,
    /// Name.
    pub name: String,
    /// The plan it came from.
    pub plan_id: String,
    /// The planned stations created, in rank order.
    pub station_ids: Vec<i64>,
    /// When it was saved (UTC).
    pub created_at: chrono::DateTime<Utc>,
}

impl From<Scenario> for ScenarioResponse {
    fn from(s: Scenario) -> Self {
        Self {
            id: s.name.clone(),
            name: s.name,
            plan_id: s.plan_id,
            station_ids: s.station_ids,
            created_at: s.created_at,
        }
    }
}

/// Every saved scenario.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioList {
    /// By creation time.
    pub scenarios: Vec<ScenarioResponse>,
}

/// The result of a finished plan: from the job registry or from storage.
async fn plan_result(state: &AppState, jobs: &Jobs, id: &str, caller: &Caller) -> Result<Value, ApiError> {
    let unknown = || ApiError::not_found(format!("no finished plan has id {id:?}")).with_field("plan");
    if let Some(job) = jobs.get(id) {
        if !caller.may_access(job.owner()) {
            return Err(unknown());
        }
        let view = job.view();
        return match (view.status, view.result) {
            (JobStatus::Done, Some(r)) => serde_json::to_value(r).map_err(|e| ApiError::internal(&e)),
            (status, _) => Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("plan {id:?} is {status:?}, not done; save it once it is done"),
            )
            .with_field("plan")),
        };
    }
    match state.store.analysis(id).await? {
        Some(a) if a.kind == AnalysisKind::Plan && caller.may_access(&a.created_by) => {
            a.result.to_value().map_err(|e| ApiError::internal(&e))
        }
        _ => Err(unknown()),
    }
}

/// Saves a finished plan's sites as planned stations (kind `rest_station`, status `planned`,
/// source `scenario:NAME`).
#[utoipa::path(
    post,
    path = "/api/v1/scenarios",
    tag = "planner",
    request_body(content = ScenarioRequest, content_type = "application/json"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Saved.", body = ScenarioResponse),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token.", body = ErrorBody),
        (status = 403, description = "Writes are disabled (no API token configured), or the token is not a planner's or an admin's.", body = ErrorBody),
        (status = 404, description = "No finished plan has this id, or it belongs to another signed-in caller (`plan`).", body = ErrorBody),
        (status = 409, description = "The name is taken (`name`), or the plan has not finished (`plan`).", body = ErrorBody),
        (status = 422, description = "A field is invalid.", body = ErrorBody),
    )
)]
pub(crate) async fn create_scenario(
    PlannerAccess(write): PlannerAccess,
    State(state): State<Arc<AppState>>,
    Extension(jobs): Extension<Arc<Jobs>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let req: ScenarioRequest = parse_json(&headers, body, state.config.limits.max_body_bytes)?;
    let name = req.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid_body(Some("name"), "the name must hold 1 to 100 characters"));
    }
    if state.store.scenario(&name).await?.is_some() {
        return Err(taken(&name));
    }
    let plan_id = req.plan.trim();
    let result = plan_result(&state, &jobs, plan_id, &Caller { principal: Some(write.principal.clone()) }).await?;
    let sites = result["sites"].as_array().cloned().unwrap_or_default();
    let mut rows = Vec::with_capacity(sites.len());
    for s in &sites {
        let (Some(lon), Some(lat), Some(rank)) = (s["lon"].as_f64(), s["lat"].as_f64(), s["rank"].as_u64()) else {
            return Err(ApiError::internal(&format!("stored plan {plan_id} has a malformed site {s}")));
        };
        let location = LonLat::new(lon, lat).map_err(|e| ApiError::internal(&e))?;
        let label = s["name"].as_str().map(|n| format!(" {n}")).unwrap_or_default();
        rows.push((
            rank,
            StationData {
                kind: StationKind::RestStation,
                name: format!("{name} 规划驿站 #{rank}{label}"),
                address: None,
                district: None,
                street: None,
                location,
                amenities: AmenitySet::EMPTY,
                opening_hours: None,
                capacity: None,
                operator: None,
                phone: None,
                offer: None,
                status: StationStatus::Planned,
                source: Some(format!("scenario:{name}")),
                external_id: Some(format!("{plan_id}#{rank}")),
                verified_on: None,
            },
        ));
    }
    // The scenario lists its stations in the plan's rank order.
    rows.sort_by_key(|(rank, _)| *rank);
    let rows = rows.into_iter().map(|(_, row)| row).collect();
    // Stations, scenario and audit entries: one transaction, so a taken name leaves nothing behind.
    match state.create_scenario_as(&write.audit(), &name, plan_id, rows).await? {
        Some(created) => Ok((StatusCode::CREATED, Json(ScenarioResponse::from(created.scenario))).into_response()),
        None => Err(taken(&name)),
    }
}

fn taken(name: &str) -> ApiError {
    ApiError::from(AnalysisError::Conflict { field: "name", message: format!("a scenario is already named {name:?}") })
}

/// Every saved scenario.
#[utoipa::path(
    get,
    path = "/api/v1/scenarios",
    tag = "planner",
    responses((status = 200, description = "The scenarios, by creation time.", body = ScenarioList)),
)]
pub(crate) async fn list_scenarios(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ScenarioList>, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let scenarios = state.store.scenarios().await?.into_iter().map(ScenarioResponse::from).collect();
    Ok(Json(ScenarioList { scenarios }))
}

/// A named coverage summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedSummary {
    /// The scenario's name.
    pub name: String,
    /// Coverage with the scenario's planned stations added to the active ones.
    #[schema(value_type = Object)]
    pub summary: CoverageSummary,
}

/// Compares coverage of a district with the active stations only (`baseline`) and with one or two
/// scenarios' planned stations added.
#[utoipa::path(
    get,
    path = "/api/v1/scenarios/compare",
    tag = "planner",
    params(
        ("district" = String, Query, description = "The district, e.g. `兖州区`."),
        ("a" = Option<String>, Query, description = "A scenario's name."),
        ("b" = Option<String>, Query, description = "Another scenario's name."),
        ("minutes" = Option<String>, Query, description = "Thresholds in minutes, comma-separated (default `10,15`)."),
        ("mode" = Option<String>, Query, description = "`walk`, `ebike` (default) or `car`."),
        ("resolution" = Option<u8>, Query, description = "H3 resolution 7..=11 (default 9)."),
        ("demand" = Option<String>, Query, description = "`demo`, `uniform` or a dataset name (default: the district's demo layer, else uniform)."),
    ),
    responses(
        (status = 200, description = "`baseline`, and `a` / `b` as `{name, summary}` when asked for.", body = Object),
        (status = 400, description = "A query parameter is missing, unknown or malformed.", body = ErrorBody),
        (status = 404, description = "Unknown district or scenario.", body = ErrorBody),
        (status = 422, description = "A value is invalid.", body = ErrorBody),
    )
)]
pub(crate) async fn compare_scenarios(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let tier = caller.budget(&state.config.limits);
    let q = QueryParams::parse(raw.as_deref(), &["a", "b", "district", "minutes", "mode", "resolution", "demand"])?;
    let district = q.single("district")?.ok_or_else(|| ApiError::missing_parameter("district"))?;
    let minutes = match q.list("minutes")? {
        None => None,
        Some(list) => Some(Minutes::Many(
            list.iter()
                .map(|m| {
                    m.trim()
                        .parse::<f64>()
                        .map_err(|_| ApiError::invalid_parameter("minutes", format!("{m:?} is not a number")))
                })
                .collect::<Result<_, _>>()?,
        )),
    };
    let resolution = q
        .single("resolution")?
        .map(|r| {
            r.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid_parameter("resolution", format!("{r:?} is not an integer")))
        })
        .transpose()?;
    let base = CoverageRequest {
        district: Some(district.to_owned()),
        minutes,
        mode: q.single("mode")?.map(str::to_owned),
        resolution,
        demand: q.single("demand")?.map(str::to_owned),
        ..CoverageRequest::default()
    };
    // Unknown scenarios are refused before any analysis runs.
    for key in ["a", "b"] {
        if let Some(name) = q.single(key)?
            && state.store.scenario(name).await?.is_none()
        {
            return Err(ApiError::not_found(format!("no scenario is named {name:?}")).with_field(key));
        }
    }
    let mut out = json!({ "district": district, "baseline": summary(&state, base.clone(), &tier).await? });
    for key in ["a", "b"] {
        if let Some(name) = q.single(key)? {
            let req = CoverageRequest { scenario: Some(name.to_owned()), ..base.clone() };
            let s = summary(&state, req, &tier).await.map_err(|e| match e.error.field.as_deref() {
                Some("scenario") => e.with_field(key),
                _ => e,
            })?;
            out[key] = json!(NamedSummary { name: name.to_owned(), summary: s });
        }
    }
    Ok(Json(out))
}

/// The summary of one analysis, run on the heavy-work pool within the caller's budget.
async fn summary(state: &AppState, req: CoverageRequest, tier: &TierBudget) -> Result<CoverageSummary, ApiError> {
    let prepared = prepare_for(state, &req, tier).await?;
    let budget = prepared.budget();
    let analysis = state.work.run("scenario_compare", budget, move |b| prepared.analyse_within(b)).await??;
    Ok(analysis.summary)
}

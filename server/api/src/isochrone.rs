//! `GET /api/v1/stations/{id}/isochrone`: the area from which a station is reached within a
//! number of minutes along the roads, as a GeoJSON Feature.
//!
//! It needs a road network for the travel mode: without one the answer is 409
//! `network_unavailable` naming `mode` (never a straight-line circle passed off as an
//! isochrone), and a station farther than the maximum snap distance (250 m) from the network's
//! roads gets 409 `station_off_network`.

use super::districts::MultiPolygonGeometry;
use super::stations::GeoJson;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::state::AppState;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::model::FeatureType;
use yizhan_http::query::{QueryParams, parse_number};
use yizhan_planner::eta::{EtaMethod, TravelMode};
use yizhan_planner::network::isochrone::IsochroneOptions;
use yizhan_planner::station::StationId;

/// Parameters of the isochrone endpoint.
pub(crate) const ISOCHRONE_PARAMS: &[&str] = &["minutes", "mode"];

/// Default time limit, minutes.
pub(crate) const DEFAULT_MINUTES: f64 = 10.0;

/// Largest time limit, minutes.
pub(crate) const MAX_MINUTES: f64 = 60.0;

/// An isochrone as a GeoJSON Feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IsochroneFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// The area, WGS-84 degrees (exterior rings counter-clockwise; it may have holes and several
    /// parts).
    pub geometry: MultiPolygonGeometry,
    /// What the area is.
    pub properties: IsochroneProperties,
}

/// Properties of an isochrone feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IsochroneProperties {
    /// The station.
    pub station_id: StationId,
    /// The time limit, minutes.
    pub minutes: f64,
    /// The travel mode.
    pub mode: TravelMode,
    /// Always `network`: travel times along the loaded road network.
    pub method: EtaMethod,
    /// The time limit, seconds (rounded to the millisecond).
    pub limit_s: f64,
    /// Road-network nodes from which the station is reached within the limit.
    pub reached_nodes: usize,
    /// Area of the polygon, square metres.
    pub area_m2: f64,
    /// How the outline is drawn: `road_buffer_union` (the reachable road pieces, each widened
    /// by 40 m, merged, simplified at 5 m).
    pub outline: String,
}

/// The area from which the station is reached within `minutes` along the roads.
#[utoipa::path(
    get,
    path = "/api/v1/stations/{id}/isochrone",
    tag = "riders",
    params(
        ("id" = i64, Path, description = "Station id."),
        ("minutes" = Option<f64>, Query, description = "Time limit, minutes: above 0, at most 60 (default 10)."),
        ("mode" = Option<String>, Query, description = "Travel mode: `walk`, `ebike` (default) or `car`; a road network must be loaded for it."),
    ),
    responses(
        (status = 200, description = "The isochrone: the places from which the station is reached within the limit (off-road walk to the road included).", body = IsochroneFeature, content_type = "application/geo+json"),
        (status = 400, description = "Invalid station id or query parameter (`minutes` out of range, unknown `mode`).", body = ErrorBody),
        (status = 404, description = "No station has this id.", body = ErrorBody),
        (status = 409, description = "No road network is loaded for `mode` (`network_unavailable`, field `mode`), or the station is more than 250 m from its roads (`station_off_network`).", body = ErrorBody),
    )
)]
pub(crate) async fn station_isochrone(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<GeoJson<IsochroneFeature>, ApiError> {
    let Path(raw_id) = path.map_err(|e| ApiError::invalid_id(&e.body_text()))?;
    let id: StationId = raw_id.trim().parse().map_err(|_| ApiError::invalid_id(&raw_id))?;
    let (minutes, mode) = parse_isochrone_query(raw.as_deref())?;
    let station = state
        .index()
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no station has id {id}")).with_field("id"))?;
    let net = state.network(mode).ok_or_else(|| network_unavailable(&state, mode))?;
    let location = station.data.location;
    // A search over the whole reach of `minutes` and a polygon of what it reached: heavy work.
    let budget = yizhan_core::work::WorkPool::budget(state.config.limits.anonymous.limits());
    let iso = state
        .work
        .run("isochrone", budget, move |_| net.isochrone(location, minutes, &IsochroneOptions::default()))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "station_off_network",
                format!("station {id} is more than 250 m from the roads of the loaded {mode} network"),
            )
        })?;
    let geometry = iso.to_feature(serde_json::Map::new()).geometry.ok_or_else(|| ApiError::internal(&"no geometry"))?;
    let geometry: MultiPolygonGeometry =
        serde_json::to_value(geometry).and_then(serde_json::from_value).map_err(|e| ApiError::internal(&e))?;
    Ok(GeoJson(IsochroneFeature {
        kind: FeatureType::Feature,
        geometry,
        properties: IsochroneProperties {
            station_id: id,
            minutes,
            mode,
            method: EtaMethod::Network,
            limit_s: iso.limit_s,
            reached_nodes: iso.reached_nodes,
            area_m2: iso.area_m2.round(),
            outline: "road_buffer_union".to_owned(),
        },
    }))
}

/// `minutes` (0 < m ≤ 60, default 10) and `mode` (default e-bike).
pub(crate) fn parse_isochrone_query(raw: Option<&str>) -> Result<(f64, TravelMode), ApiError> {
    let q = QueryParams::parse(raw, ISOCHRONE_PARAMS)?;
    let minutes = match q.single("minutes")? {
        None => DEFAULT_MINUTES,
        Some(s) => {
            let m = parse_number("minutes", s)?;
            if !(m > 0.0 && m <= MAX_MINUTES) {
                return Err(ApiError::invalid_parameter(
                    "minutes",
                    format!("{m} is out of range; must be above 0 and at most {MAX_MINUTES}"),
                ));
            }
            m
        }
    };
    Ok((minutes, parse_mode(&q)?))
}

/// `mode`: a travel mode, default e-bike.
pub(crate) fn parse_mode(q: &QueryParams) -> Result<TravelMode, ApiError> {
    match q.single("mode")? {
        None => Ok(TravelMode::Ebike),
        Some(s) => {
            s.parse().map_err(|e: yizhan_planner::eta::UnknownMode| ApiError::invalid_parameter("mode", e.to_string()))
        }
    }
}

/// 409 `network_unavailable` for `mode`, naming the modes that are loaded.
pub(crate) fn network_unavailable(state: &AppState, mode: TravelMode) -> ApiError {
    let loaded: Vec<String> = state.networks().iter().map(|n| n.mode().to_string()).collect();
    let have = if loaded.is_empty() { "none".to_owned() } else { loaded.join(", ") };
    ApiError::new(
        StatusCode::CONFLICT,
        "network_unavailable",
        format!(
            "mode: no road network is loaded for {mode} (loaded: {have}); start the server with --network FILE.osm.pbf"
        ),
    )
    .with_field("mode")
}

#[cfg(test)]
#[path = "isochrone_tests.rs"]
mod tests;

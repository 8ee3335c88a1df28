//! `GET /api/v1/districts`, `GET /api/v1/districts/{name}` and
//! `GET /api/v1/districts/{name}/streets`: the stored district (区/县) boundaries — or, while none
//! is stored, the ones the server ships (the 11 districts and counties of 济宁市) — and their
//! street (街道/镇) boundaries, as GeoJSON, so that a map can draw its base layer with no network
//! access.
//!
//! Geometries are always `MultiPolygon`s in WGS-84 degrees (a one-part boundary is a one-element
//! MultiPolygon); each feature's `id` is the district's name.

use super::stations::GeoJson;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use yizhan_core::analysis::all_districts;
use yizhan_core::state::AppState;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::QueryParams;
use yizhan_planner::district::District;
use yizhan_store::Boundary;

/// Clients may keep an answer this long, seconds: boundaries change only with a new server build.
const MAX_AGE_S: u32 = 3600;

/// GeoJSON object type `Feature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum DistrictFeatureType {
    /// `"Feature"`.
    Feature,
}

/// GeoJSON object type `FeatureCollection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum DistrictCollectionType {
    /// `"FeatureCollection"`.
    FeatureCollection,
}

/// GeoJSON geometry type `MultiPolygon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum MultiPolygonType {
    /// `"MultiPolygon"`.
    MultiPolygon,
}

/// A GeoJSON MultiPolygon in WGS-84 degrees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MultiPolygonGeometry {
    /// Always `MultiPolygon`.
    #[serde(rename = "type")]
    pub kind: MultiPolygonType,
    /// Polygons, each a list of closed rings (the exterior first, then holes), each ring a list of
    /// `[longitude, latitude]` positions in WGS-84 degrees.
    #[schema(value_type = Vec<Vec<Vec<Vec<f64>>>>)]
    pub coordinates: Vec<Vec<Vec<[f64; 2]>>>,
}

/// What a district feature says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DistrictProperties {
    /// Name, e.g. `兖州区`.
    pub name: String,
    /// City it belongs to, e.g. `济宁市`.
    pub city: Option<String>,
    /// Province, e.g. `山东省`.
    pub province: Option<String>,
    /// For a street: the district it belongs to (absent for districts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Bounding box of the boundary, `[min_lon, min_lat, max_lon, max_lat]` in WGS-84 degrees.
    #[schema(value_type = Vec<f64>, min_items = 4, max_items = 4)]
    pub bbox: [f64; 4],
}

/// One district as a GeoJSON Feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DistrictFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: DistrictFeatureType,
    /// The district's name.
    pub id: String,
    /// The boundary (WGS-84).
    pub geometry: MultiPolygonGeometry,
    /// Name, city, province and bounding box.
    pub properties: DistrictProperties,
}

/// Every district as a GeoJSON FeatureCollection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DistrictCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: DistrictCollectionType,
    /// The districts, in the order of the source file.
    pub features: Vec<DistrictFeature>,
}

impl From<&District> for DistrictFeature {
    fn from(d: &District) -> Self {
        let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        let coordinates = d
            .boundary
            .0
            .iter()
            .map(|polygon| {
                std::iter::once(polygon.exterior())
                    .chain(polygon.interiors())
                    .map(|ring| {
                        ring.coords()
                            .map(|c| {
                                bbox = [bbox[0].min(c.x), bbox[1].min(c.y), bbox[2].max(c.x), bbox[3].max(c.y)];
                                [c.x, c.y]
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self {
            kind: DistrictFeatureType::Feature,
            id: d.name.clone(),
            geometry: MultiPolygonGeometry { kind: MultiPolygonType::MultiPolygon, coordinates },
            properties: DistrictProperties {
                name: d.name.clone(),
                city: d.city.clone(),
                province: d.province.clone(),
                district: None,
                bbox,
            },
        }
    }
}

impl From<&Boundary> for DistrictFeature {
    fn from(b: &Boundary) -> Self {
        let d = District {
            name: b.name.clone(),
            city: b.city.clone(),
            province: b.province.clone(),
            boundary: b.polygon.clone(),
        };
        let mut f = DistrictFeature::from(&d);
        if let Some(parent) = &b.parent {
            f.properties.district = Some(parent.clone());
        }
        f
    }
}

/// Every district as a collection.
async fn districts(state: &AppState) -> Result<DistrictCollection, ApiError> {
    let all = all_districts(state).await?;
    Ok(DistrictCollection {
        kind: DistrictCollectionType::FeatureCollection,
        features: all.iter().map(DistrictFeature::from).collect(),
    })
}

/// A GeoJSON answer clients may cache for [`MAX_AGE_S`].
fn cached<T: Serialize>(body: T) -> Response {
    let mut resp = GeoJson(body).into_response();
    if resp.status().is_success()
        && let Ok(v) = HeaderValue::from_str(&format!("public, max-age={MAX_AGE_S}"))
    {
        resp.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    resp
}

/// Every district boundary: the stored ones, else those the server ships.
#[utoipa::path(
    get,
    path = "/api/v1/districts",
    tag = "map",
    responses(
        (status = 200, description = "The districts (WGS-84 MultiPolygons).", body = DistrictCollection, content_type = "application/geo+json"),
        (status = 400, description = "The endpoint takes no query parameter.", body = ErrorBody),
    )
)]
pub(crate) async fn list_districts(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    Ok(cached(districts(&state).await?))
}

/// One district boundary, by name.
#[utoipa::path(
    get,
    path = "/api/v1/districts/{name}",
    tag = "map",
    params(("name" = String, Path, description = "The district's name, e.g. `兖州区` (percent-encoded in the URL).")),
    responses(
        (status = 200, description = "The district.", body = DistrictFeature, content_type = "application/geo+json"),
        (status = 400, description = "The name is not valid UTF-8, or a query parameter was given.", body = ErrorBody),
        (status = 404, description = "No district has this name.", body = ErrorBody),
    )
)]
pub(crate) async fn get_district(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(name) = path.map_err(|e| ApiError::invalid_parameter("name", e.body_text()))?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let all = districts(&state).await?;
    let name = name.trim();
    let feature = all.features.iter().find(|f| f.id == name).ok_or_else(|| {
        let known: Vec<&str> = all.features.iter().map(|f| f.id.as_str()).collect();
        ApiError::not_found(format!("no district is named {name:?}; known districts: {}", known.join(", ")))
            .with_field("name")
    })?;
    Ok(cached(feature))
}

/// The stored street (街道/镇) boundaries of a district.
#[utoipa::path(
    get,
    path = "/api/v1/districts/{name}/streets",
    tag = "map",
    params(("name" = String, Path, description = "The district's name, e.g. `兖州区` (percent-encoded in the URL).")),
    responses(
        (status = 200, description = "The streets (WGS-84 MultiPolygons; `properties.district` names the district); empty when none is stored.", body = DistrictCollection, content_type = "application/geo+json"),
        (status = 400, description = "The name is not valid UTF-8, or a query parameter was given.", body = ErrorBody),
        (status = 404, description = "No district has this name.", body = ErrorBody),
    )
)]
pub(crate) async fn get_streets(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(name) = path.map_err(|e| ApiError::invalid_parameter("name", e.body_text()))?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let name = name.trim();
    if yizhan_core::analysis::find_district(&state, name).await?.is_none() {
        return Err(ApiError::not_found(format!("no district is named {name:?}")).with_field("name"));
    }
    let streets = state.store.streets(name).await?;
    let mut resp = GeoJson(DistrictCollection {
        kind: DistrictCollectionType::FeatureCollection,
        features: streets.iter().map(DistrictFeature::from).collect(),
    })
    .into_response();
    if resp.status().is_success() {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    Ok(resp)
}

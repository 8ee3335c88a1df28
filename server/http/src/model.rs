//! Request and response bodies of the API (JSON and GeoJSON), with their OpenAPI schemas.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yizhan_planner::amenity::AmenitySet;
use yizhan_planner::eta::{EtaMethod, TravelMode};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpeningHours;
use yizhan_planner::station::{Station, StationId, StationKind, StationStatus};

/// Answer of `GET /api/v1/nearest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NearestResponse {
    /// The query point, converted to WGS-84 degrees.
    pub origin: LonLat,
    /// The travel mode the times are for.
    pub mode: TravelMode,
    /// How travel times were computed: `network` (along the loaded road network of `mode`; the
    /// query point snapped onto it) or `straight_line` (no network for `mode`, or the point is
    /// farther than the maximum snap distance from its roads).
    pub method: EtaMethod,
    /// The straight-line model's parameters (used when `method` is `straight_line`).
    pub model: EtaModelInfo,
    /// Stations, nearest first (ties broken by id).
    pub results: Vec<NearestResult>,
}

/// The straight-line model's parameters used for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EtaModelInfo {
    /// Road distance ÷ straight-line distance, dimensionless.
    pub detour_factor: f64,
    /// Speed of the travel mode, metres per second.
    pub speed_m_s: f64,
}

/// One station of a nearest answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NearestResult {
    /// Distance, metres: along the route for `method` `network`, else geodesic from the query
    /// point (WGS-84 ellipsoid).
    pub distance_m: f64,
    /// Estimated travel time, seconds: the network travel time (`travel_time_s`) for `method`
    /// `network`, else `distance_m × detour_factor ÷ speed_m_s`.
    pub eta_s: f64,
    /// How `eta_s` was computed: `network` or `straight_line`.
    pub method: EtaMethod,
    /// Travel time along the road network, seconds, off-road walks at both ends included
    /// (`method` `network` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_time_s: Option<f64>,
    /// Geodesic distance from the query point, metres (WGS-84 ellipsoid), whatever the method.
    pub geodesic_distance_m: f64,
    /// The route from the query point to the station, WGS-84 (`method` `network` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<LineStringGeometry>,
    /// Whether the station is open at the query's instant (`at` if given, else now), by its
    /// opening hours read in the server's time zone; `null` when it publishes no hours.
    #[schema(example = true)]
    pub open_now: Option<bool>,
    /// When the station next opens or closes after the query's instant: wall-clock time in the
    /// server's time zone with its UTC offset (RFC 3339, e.g. `2026-01-05T22:00:00+08:00`); `null`
    /// when it is always open (`24/7`), publishes no hours, or never changes within the search
    /// horizon of the opening-hours evaluator.
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-01-05T22:00:00+08:00")]
    pub next_change: Option<DateTime<FixedOffset>>,
    /// The station (position in WGS-84).
    pub station: Station,
    /// Where to point Chinese map apps.
    pub navigation: Navigation,
}

/// The station's position in the systems Chinese map apps use, and links that open navigation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Navigation {
    /// Position in GCJ-02 degrees (Amap/高德, Tencent).
    pub gcj02: LonLat,
    /// Position in BD-09 degrees (Baidu).
    pub bd09: LonLat,
    /// Amap URI opening navigation to the station (GCJ-02 coordinates).
    pub amap_url: String,
    /// Baidu URI opening directions from the query point to the station (BD-09 coordinates).
    pub baidu_url: String,
}

/// GeoJSON object type `Feature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FeatureType {
    /// `"Feature"`.
    Feature,
}

/// GeoJSON object type `FeatureCollection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FeatureCollectionType {
    /// `"FeatureCollection"`.
    FeatureCollection,
}

/// GeoJSON geometry type `Point`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum PointType {
    /// `"Point"`.
    Point,
}

/// A GeoJSON Point in WGS-84 degrees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    pub kind: PointType,
    /// `[longitude, latitude]`, WGS-84 degrees.
    #[schema(min_items = 2, max_items = 2)]
    pub coordinates: Vec<f64>,
}

/// GeoJSON geometry type `LineString`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum LineStringType {
    /// `"LineString"`.
    LineString,
}

/// A GeoJSON LineString in WGS-84 degrees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LineStringGeometry {
    /// Always `LineString`.
    #[serde(rename = "type")]
    pub kind: LineStringType,
    /// `[longitude, latitude]` positions, WGS-84 degrees, in order.
    #[schema(value_type = Vec<Vec<f64>>)]
    pub coordinates: Vec<[f64; 2]>,
}

impl LineStringGeometry {
    /// The line through `points`.
    #[must_use]
    pub fn new(points: &[LonLat]) -> Self {
        Self { kind: LineStringType::LineString, coordinates: points.iter().map(|p| [p.lon, p.lat]).collect() }
    }
}

/// A station's fields as GeoJSON properties: every field of [`Station`] except `location`, which
/// is the Feature's geometry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StationProperties {
    /// Identifier assigned by storage.
    pub id: StationId,
    /// What kind of place this is.
    pub kind: StationKind,
    /// Display name.
    pub name: String,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// District or county (区/县).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Sub-district (街道) or town (镇).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// What the station offers (amenity codes).
    #[schema(value_type = Vec<yizhan_planner::amenity::Amenity>)]
    pub amenities: AmenitySet,
    /// Opening hours in OpenStreetMap `opening_hours` syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "Mo-Su 07:00-21:00")]
    pub opening_hours: Option<OpeningHours>,
    /// Seats, ports or bays, a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Who runs the station.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Contact telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What a caring merchant offers riders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<String>,
    /// Whether the station is in service.
    pub status: StationStatus,
    /// Where the record comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The record's id in its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// When the record was last checked on site (local date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub verified_on: Option<NaiveDate>,
    /// When the station was first stored (UTC).
    pub created_at: DateTime<Utc>,
    /// When the station was last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<&Station> for StationProperties {
    fn from(s: &Station) -> Self {
        let d = &s.data;
        Self {
            id: s.id,
            kind: d.kind,
            name: d.name.clone(),
            address: d.address.clone(),
            district: d.district.clone(),
            street: d.street.clone(),
            amenities: d.amenities,
            opening_hours: d.opening_hours.clone(),
            capacity: d.capacity,
            operator: d.operator.clone(),
            phone: d.phone.clone(),
            offer: d.offer.clone(),
            status: d.status,
            source: d.source.clone(),
            external_id: d.external_id.clone(),
            verified_on: d.verified_on,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// One station as a GeoJSON Feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StationFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// The station id.
    pub id: StationId,
    /// The station's position (WGS-84).
    pub geometry: PointGeometry,
    /// The station's other fields.
    pub properties: StationProperties,
}

impl From<&Station> for StationFeature {
    fn from(s: &Station) -> Self {
        Self {
            kind: FeatureType::Feature,
            id: s.id,
            geometry: PointGeometry {
                kind: PointType::Point,
                coordinates: vec![s.data.location.lon, s.data.location.lat],
            },
            properties: s.into(),
        }
    }
}

/// A page of stations as a GeoJSON FeatureCollection, with OGC API – Features paging members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StationCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: FeatureCollectionType,
    /// How many stations match the filters in all.
    #[serde(rename = "numberMatched")]
    pub number_matched: usize,
    /// How many stations this page holds.
    #[serde(rename = "numberReturned")]
    pub number_returned: usize,
    /// `self`, and `next` / `prev` when there are more pages.
    pub links: Vec<Link>,
    /// The stations of this page, ordered by id.
    pub features: Vec<StationFeature>,
}

/// A hypermedia link (OGC API style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Link {
    /// Target, an absolute path with query.
    pub href: String,
    /// Relation: `self`, `next` or `prev`.
    pub rel: String,
    /// Media type of the target.
    #[serde(rename = "type")]
    pub media_type: String,
}

/// A GeoJSON Feature submitted to create or replace a station: Point geometry in WGS-84 and
/// [`StationData`](yizhan_planner::station::StationData) fields (without `location`) as
/// properties. `id`, `created_at` and `updated_at` properties are read-only and ignored
/// (an `id` that differs from the path's is refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StationFeatureInput {
    /// Must be `Feature`.
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// The position (WGS-84).
    pub geometry: PointGeometry,
    /// The station fields, as in `StationData` without `location`.
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// Body of `POST /api/v1/stations` and `PUT /api/v1/stations/{id}`: a station object or a GeoJSON
/// Feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum StationInput {
    /// Plain station fields (position in `location`, WGS-84).
    Data(Box<yizhan_planner::station::StationData>),
    /// A GeoJSON Feature.
    Feature(StationFeatureInput),
}

/// Answer of `POST /api/v1/import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportResponse {
    /// Stations the file created.
    pub created: usize,
    /// Stored stations the file updated (same `source` and `external_id`).
    pub updated: usize,
    /// Stations stored after the import, in all.
    pub total: usize,
    /// Headers (GeoJSON: property names) of the file's columns that name no station field and
    /// were not read.
    #[serde(default)]
    pub ignored_columns: Vec<String>,
}

/// Answer of `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`, or `unavailable` when storage does not answer.
    pub status: String,
    /// Stations in the in-memory index.
    pub stations: usize,
    /// Storage state.
    pub storage: StorageHealth,
    /// How far this server's index is behind the shared change log.
    pub follower: FollowerHealth,
}

/// Follower part of the health answer: how far this server's index is behind the change log
/// that every replica on the same database writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FollowerHealth {
    /// Change-log entries committed but not yet applied to this server's index (`null` when
    /// storage does not answer).
    pub lag_changes: Option<i64>,
    /// Whether the follower's last attempt reached storage.
    pub following: bool,
}

/// Storage part of the health answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StorageHealth {
    /// Backend name: `sqlite`.
    pub backend: String,
    /// Whether the database answered.
    pub ok: bool,
    /// Why it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

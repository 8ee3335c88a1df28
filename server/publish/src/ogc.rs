//! OGC API – Features, Part 1 (Core + GeoJSON) under `/ogc`, so GIS clients (QGIS's "WFS / OGC
//! API – Features" source, OWSLib, GDAL's `OAPIF` driver) add the data as layers.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /ogc` | landing page: links to the API description, conformance and collections |
//! | `GET /ogc/conformance` | the conformance classes implemented |
//! | `GET /ogc/collections` | every collection with its spatial extent |
//! | `GET /ogc/collections/{id}` | one collection |
//! | `GET /ogc/collections/{id}/items` | features: `bbox`, `limit`, `offset`, `datetime`; `next`/`prev` links |
//! | `GET /ogc/collections/{id}/items/{fid}` | one feature |
//!
//! Collections: `stations` (feature id = station id, properties as in `/api/v1/stations`),
//! `districts` and `streets` (feature id = the name; stored boundaries, else the built-in
//! districts), and every saved coverage analysis under its id `cov_…` (feature id = the H3
//! cell, properties as saved: `class`, `travel_time_s`, `demand`, `street`, `station_id`…),
//! listed newest first after the other three with a Chinese title naming the area, the H3
//! resolution and the thresholds (the store keeps a bounded number of analyses, so the list is
//! bounded too). Coordinates are CRS84 (WGS-84 longitude, latitude). Only JSON is offered: `f=json` (or none) is accepted, any other `f` is a 400. Every
//! link starts with the configured public URL ([`Config::public_url`]), or is path-absolute
//! (`/ogc/…`) without one; the request's `Host` and `X-Forwarded-*` headers are never read.
//!
//! [`Config::public_url`]: yizhan_core::config::Config::public_url

use super::data::{Analysis, AnalysisSummary, Boundaries};
use super::{Publisher, link_base};
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use geo::{BoundingRect, MultiPolygon};
use serde_json::{Value, json};
use std::sync::Arc;
use yizhan_core::state::AppState;
use yizhan_http::cache::header_value;
use yizhan_http::error::ApiError;
use yizhan_http::model::StationFeature;
use yizhan_http::query::{QueryParams, parse_bbox, parse_count};
use yizhan_planner::geodesy::BBox;
use yizhan_planner::index::{Filter, StationIndex};
use yizhan_store::Boundary;

/// The coordinate reference system of every geometry (WGS-84 longitude, latitude).
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Conformance classes implemented.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

/// Default page size of `items` (as OGC API – Features suggests).
pub const DEFAULT_LIMIT: usize = 10;

const JSON: &str = "application/json";
const GEOJSON: &str = "application/geo+json";

/// A collection served, with its data.
enum Collection {
    Stations(Arc<StationIndex>),
    Districts(Arc<Boundaries>),
    Streets(Arc<Boundaries>),
    Coverage(Arc<Analysis>),
}

/// The collections listed in `/ogc/collections`.
const LISTED: [&str; 3] = ["stations", "districts", "streets"];

impl Collection {
    async fn resolve(state: &AppState, publisher: &Publisher, id: &str) -> Result<Self, ApiError> {
        Ok(match id {
            "stations" => Self::Stations(state.index()),
            "districts" => Self::Districts(publisher.data.boundaries(state).await?),
            "streets" => Self::Streets(publisher.data.boundaries(state).await?),
            _ => match publisher.data.analysis(state, id).await? {
                Some(a) if id.starts_with("cov_") => Self::Coverage(a),
                _ => {
                    return Err(ApiError::not_found(format!(
                        "no collection is named {id:?}; collections: {}, or a coverage analysis id (cov_…)",
                        LISTED.join(", ")
                    ))
                    .with_field("collectionId"));
                }
            },
        })
    }

    fn id(&self) -> String {
        match self {
            Self::Stations(_) => "stations".into(),
            Self::Districts(_) => "districts".into(),
            Self::Streets(_) => "streets".into(),
            Self::Coverage(a) => a.id.clone(),
        }
    }

    /// The polygon features (every collection but `stations`) meeting `bbox`, in collection
    /// order: how many match, and the features of the page `offset .. offset + limit` (only
    /// those are built; a saved analysis' cells are found in its R-tree).
    fn polygon_page(&self, bbox: Option<&BBox>, offset: usize, limit: usize) -> (usize, Vec<Value>) {
        match self {
            Self::Stations(_) => (0, Vec::new()),
            Self::Districts(b) | Self::Streets(b) => {
                let list = if matches!(self, Self::Districts(_)) { &b.districts } else { &b.streets };
                let hits: Vec<&Boundary> =
                    list.iter().filter(|d| bbox.is_none_or(|bb| meets(d.polygon.bounding_rect(), bb))).collect();
                let page = hits.iter().skip(offset).take(limit).map(|d| boundary_feature(d)).collect();
                (hits.len(), page)
            }
            Self::Coverage(a) => {
                let hits: Vec<usize> = match bbox {
                    Some(bb) => a
                        .cells_meeting(bb)
                        .into_iter()
                        .filter(|&i| meets(a.cells[i].polygon.bounding_rect(), bb))
                        .collect(),
                    None => (0..a.cells.len()).collect(),
                };
                let page = hits.iter().skip(offset).take(limit).map(|&i| cell_feature(&a.cells[i])).collect();
                (hits.len(), page)
            }
        }
    }

    /// The polygon feature with id `fid` (a boundary's name, a cell's H3 index).
    fn polygon_feature(&self, fid: &str) -> Option<Value> {
        match self {
            Self::Stations(_) => None,
            Self::Districts(b) => b.districts.iter().find(|d| d.name == fid).map(boundary_feature),
            Self::Streets(b) => b.streets.iter().find(|d| d.name == fid).map(boundary_feature),
            Self::Coverage(a) => a.cells.iter().find(|c| c.h3 == fid).map(cell_feature),
        }
    }
}

/// A district or street boundary as a GeoJSON feature.
fn boundary_feature(b: &Boundary) -> Value {
    let props = json!({ "name": b.name, "district": b.parent, "city": b.city, "province": b.province });
    polygon_feature(&b.name, &b.polygon, props)
}

/// A saved analysis' cell as a GeoJSON feature.
fn cell_feature(c: &crate::data::Cell) -> Value {
    polygon_feature(&c.h3, &c.polygon, c.properties.clone())
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": media_type, "title": title })
}

/// A JSON answer with the given media type.
fn answer(body: &Value, media_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, header_value(media_type))], body.to_string()).into_response()
}

/// Checks the query: only `accepted` names, and `f` (if given) is `json`.
fn parse_query(raw: Option<&str>, accepted: &[&str]) -> Result<QueryParams, ApiError> {
    let q = QueryParams::parse(raw, accepted)?;
    if let Some(f) = q.single("f")?
        && !matches!(f.to_ascii_lowercase().as_str(), "json" | "geojson")
    {
        return Err(ApiError::invalid_parameter("f", format!("{f:?} is not offered; the only format is json")));
    }
    Ok(q)
}

/// The landing page.
#[utoipa::path(get, path = "/ogc", tag = "publishing",
    params(("f" = Option<String>, Query, description = "Format: `json` (the only one).")),
    responses(
        (status = 200, description = "Landing page with links.", content_type = "application/json"),
        (status = 400, description = "Unknown parameter or format.", body = yizhan_http::error::ErrorBody),
    ))]
pub(crate) async fn landing(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    parse_query(raw.as_deref(), &["f"])?;
    let base = link_base(&state.config);
    Ok(answer(
        &json!({
            "title": "Yizhan (驿站) stations and districts",
            "description": "Rest stations for delivery riders, couriers and drivers, and district boundaries, as OGC API – Features.",
            "links": [
                link(format!("{base}/ogc"), "self", JSON, "This document"),
                link(format!("{base}/api/v1/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition"),
                link(format!("{base}/ogc/conformance"), "conformance", JSON, "Conformance classes"),
                link(format!("{base}/ogc/collections"), "data", JSON, "Collections"),
            ],
        }),
        JSON,
    ))
}

/// The conformance declaration.
#[utoipa::path(get, path = "/ogc/conformance", tag = "publishing",
    params(("f" = Option<String>, Query, description = "Format: `json`.")),
    responses(
        (status = 200, description = "`conformsTo`: the classes implemented.", content_type = "application/json"),
        (status = 400, description = "Unknown parameter or format.", body = yizhan_http::error::ErrorBody),
    ))]
pub(crate) async fn conformance(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    parse_query(raw.as_deref(), &["f"])?;
    Ok(answer(&json!({ "conformsTo": CONFORMANCE }), JSON))
}

/// `[west, south, east, north]` of a collection's data, degrees.
fn extent(c: &Collection) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    let mut add = |w: f64, s: f64, e: f64, n: f64| b = [b[0].min(w), b[1].min(s), b[2].max(e), b[3].max(n)];
    match c {
        Collection::Stations(index) => index.iter().for_each(|s| {
            let p = s.data.location;
            add(p.lon, p.lat, p.lon, p.lat);
        }),
        Collection::Districts(bs) | Collection::Streets(bs) => {
            let list = if matches!(c, Collection::Districts(_)) { &bs.districts } else { &bs.streets };
            list.iter().filter_map(|d| d.polygon.bounding_rect()).for_each(|r| {
                add(r.min().x, r.min().y, r.max().x, r.max().y);
            });
        }
        Collection::Coverage(a) => add(a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]),
    }
    if b[0].is_finite() { b } else { [-180.0, -90.0, 180.0, 90.0] }
}

/// The collection document of a saved coverage analysis.
fn coverage_doc(base: &str, a: &AnalysisSummary) -> Value {
    let title = a.title_zh();
    let method = if a.method == "network" { "road network" } else { "straight line" };
    let description = format!(
        "H3 cells of coverage analysis {} ({}, {} cells, {method}): class, travel_time_s, demand, street, station_id.",
        a.id,
        a.area.as_deref().unwrap_or("custom area"),
        a.cells,
    );
    let id = &a.id;
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": { "spatial": { "bbox": [a.bbox], "crs": CRS84 } },
        "links": [
            link(format!("{base}/ogc/collections/{id}"), "self", JSON, &title),
            link(format!("{base}/ogc/collections/{id}/items"), "items", GEOJSON, "Features (GeoJSON)"),
        ],
    })
}

fn collection_doc(base: &str, c: &Collection) -> Value {
    if let Collection::Coverage(a) = c {
        return coverage_doc(base, &a.summary());
    }
    let (title, description) = match c {
        Collection::Stations(_) => (
            "Stations 站点".to_owned(),
            "Rest stations (驿站), caring merchants (爱心商户), charging cabinets (充电换电柜) and ride-hailing bays (网约车临时停靠点).".to_owned(),
        ),
        Collection::Districts(_) => ("Districts 区县".to_owned(), "District and county boundaries (区县边界).".to_owned()),
        Collection::Streets(_) => ("Streets 街道".to_owned(), "Street and town boundaries (街道/镇边界), as imported.".to_owned()),
        Collection::Coverage(a) => (a.id.clone(), String::new()),
    };
    let id = c.id();
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": { "spatial": { "bbox": [extent(c)], "crs": CRS84 } },
        "links": [
            link(format!("{base}/ogc/collections/{id}"), "self", JSON, &title),
            link(format!("{base}/ogc/collections/{id}/items"), "items", GEOJSON, "Features (GeoJSON)"),
        ],
    })
}

/// Every collection.
#[utoipa::path(get, path = "/ogc/collections", tag = "publishing",
    params(("f" = Option<String>, Query, description = "Format: `json`.")),
    responses(
        (status = 200, description = "The collections with their extents and links: `stations`, `districts`, `streets`, then every saved coverage analysis (`cov_…`, newest first).", content_type = "application/json"),
        (status = 400, description = "Unknown parameter or format.", body = yizhan_http::error::ErrorBody),
    ))]
pub(crate) async fn collections(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    parse_query(raw.as_deref(), &["f"])?;
    let base = link_base(&state.config);
    let mut list = Vec::new();
    for id in LISTED {
        list.push(collection_doc(base, &Collection::resolve(&state, &publisher, id).await?));
    }
    for a in publisher.data.coverage_summaries(&state).await? {
        list.push(coverage_doc(base, &a));
    }
    Ok(answer(
        &json!({
            "links": [link(format!("{base}/ogc/collections"), "self", JSON, "Collections")],
            "collections": list,
        }),
        JSON,
    ))
}

/// One collection.
#[utoipa::path(get, path = "/ogc/collections/{collectionId}", tag = "publishing",
    params(
        ("collectionId" = String, Path, description = "`stations`, `districts`, `streets` or a saved coverage analysis (`cov_…`)."),
        ("f" = Option<String>, Query, description = "Format: `json`."),
    ),
    responses(
        (status = 200, description = "The collection.", content_type = "application/json"),
        (status = 400, description = "Unknown parameter or format.", body = yizhan_http::error::ErrorBody),
        (status = 404, description = "No such collection.", body = yizhan_http::error::ErrorBody),
    ))]
pub(crate) async fn collection(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::invalid_parameter("collectionId", e.body_text()))?;
    parse_query(raw.as_deref(), &["f"])?;
    let c = Collection::resolve(&state, &publisher, &id).await?;
    Ok(answer(&collection_doc(link_base(&state.config), &c), JSON))
}

/// A polygon feature: MultiPolygon geometry (WGS-84), the given id and properties.
fn polygon_feature(id: &str, mp: &MultiPolygon<f64>, properties: Value) -> Value {
    let coordinates: Vec<Vec<Vec<[f64; 2]>>> =
        mp.0.iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| r.coords().map(|c| [c.x, c.y]).collect())
                    .collect()
            })
            .collect();
    json!({
        "type": "Feature",
        "id": id,
        "geometry": { "type": "MultiPolygon", "coordinates": coordinates },
        "properties": properties,
    })
}

/// Whether a bounding rectangle meets `bbox`.
fn meets(r: Option<geo::Rect<f64>>, bbox: &BBox) -> bool {
    r.is_some_and(|r| {
        r.min().x <= bbox.max_lon && r.max().x >= bbox.min_lon && r.min().y <= bbox.max_lat && r.max().y >= bbox.min_lat
    })
}

/// The `items` URL for another page with the same query.
fn page_href(base: &str, id: &str, q: &QueryParams, limit: usize, offset: usize) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in q.pairs() {
        if k != "limit" && k != "offset" {
            ser.append_pair(k, v);
        }
    }
    ser.append_pair("limit", &limit.to_string());
    ser.append_pair("offset", &offset.to_string());
    format!("{base}/ogc/collections/{id}/items?{}", ser.finish())
}

/// Features of a collection, ordered by id, paged.
#[utoipa::path(get, path = "/ogc/collections/{collectionId}/items", tag = "publishing",
    params(
        ("collectionId" = String, Path, description = "`stations`, `districts`, `streets` or a saved coverage analysis (`cov_…`)."),
        ("bbox" = Option<String>, Query, description = "`minlon,minlat,maxlon,maxlat` (CRS84 degrees): features meeting the box."),
        ("limit" = Option<usize>, Query, description = "Page size, 1 ..= the server's max_page_size (default 10)."),
        ("offset" = Option<usize>, Query, description = "Features to skip (default 0); `next`/`prev` links carry it."),
        ("datetime" = Option<String>, Query, description = "Accepted for conformance; the collections have no time dimension, so it selects everything."),
        ("f" = Option<String>, Query, description = "Format: `json`."),
    ),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection with `numberMatched`, `numberReturned`, `timeStamp` and links.", content_type = "application/geo+json"),
        (status = 400, description = "Invalid parameter; `field` names it.", body = yizhan_http::error::ErrorBody),
        (status = 404, description = "No such collection.", body = yizhan_http::error::ErrorBody),
    ))]
pub(crate) async fn items(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::invalid_parameter("collectionId", e.body_text()))?;
    let q = parse_query(raw.as_deref(), &["bbox", "limit", "offset", "datetime", "f"])?;
    let c = Collection::resolve(&state, &publisher, &id).await?;
    let max = state.config.limits.max_page_size.max(1);
    let limit =
        q.single("limit")?.map(|s| parse_count("limit", s, 1, max)).transpose()?.unwrap_or(DEFAULT_LIMIT.min(max));
    let offset = q.single("offset")?.map(|s| parse_count("offset", s, 0, usize::MAX)).transpose()?.unwrap_or(0);
    let bbox = q.single("bbox")?.map(parse_bbox).transpose()?;
    q.single("datetime")?;
    let end = offset.saturating_add(limit);
    let (matched, features): (usize, Vec<Value>) = match &c {
        Collection::Stations(index) => {
            // Without a bbox, page through the register without copying it.
            let (matched, page): (usize, Vec<_>) = match &bbox {
                Some(b) => {
                    let all = index.in_bbox(b, &Filter::default());
                    (all.len(), all.get(offset.min(all.len())..end.min(all.len())).unwrap_or_default().to_vec())
                }
                None => (index.len(), index.iter().skip(offset).take(limit).cloned().collect()),
            };
            let features = page
                .iter()
                .map(|s| serde_json::to_value(StationFeature::from(s.as_ref())))
                .collect::<Result<_, _>>()
                .map_err(|e| ApiError::internal(&e))?;
            (matched, features)
        }
        other => other.polygon_page(bbox.as_ref(), offset, limit),
    };
    let base = link_base(&state.config);
    let returned = features.len();
    let mut links = vec![
        link(page_href(base, &c.id(), &q, limit, offset), "self", GEOJSON, "This page"),
        link(format!("{base}/ogc/collections/{}", c.id()), "collection", JSON, "The collection"),
    ];
    if offset.saturating_add(returned) < matched {
        links.push(link(page_href(base, &c.id(), &q, limit, end), "next", GEOJSON, "Next page"));
    }
    if offset > 0 {
        links.push(link(
            page_href(base, &c.id(), &q, limit, offset.saturating_sub(limit)),
            "prev",
            GEOJSON,
            "Previous page",
        ));
    }
    Ok(answer(
        &json!({
            "type": "FeatureCollection",
            "timeStamp": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "numberMatched": matched,
            "numberReturned": returned,
            "links": links,
            "features": features,
        }),
        GEOJSON,
    ))
}

/// One feature.
#[utoipa::path(get, path = "/ogc/collections/{collectionId}/items/{featureId}", tag = "publishing",
    params(
        ("collectionId" = String, Path, description = "`stations`, `districts`, `streets` or a saved coverage analysis (`cov_…`)."),
        ("featureId" = String, Path, description = "Station id, district or street name, or H3 cell (hex)."),
        ("f" = Option<String>, Query, description = "Format: `json`."),
    ),
    responses(
        (status = 200, description = "The feature, with `self` and `collection` links.", content_type = "application/geo+json"),
        (status = 400, description = "Invalid parameter.", body = yizhan_http::error::ErrorBody),
        (status = 404, description = "No such collection or feature.", body = yizhan_http::error::ErrorBody),
    ))]
pub(crate) async fn item(
    State(state): State<Arc<AppState>>,
    Extension(publisher): Extension<Arc<Publisher>>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path((id, fid)) = path.map_err(|e| ApiError::invalid_parameter("featureId", e.body_text()))?;
    parse_query(raw.as_deref(), &["f"])?;
    let c = Collection::resolve(&state, &publisher, &id).await?;
    let missing = || ApiError::not_found(format!("collection {id} has no feature {fid:?}")).with_field("featureId");
    let mut feature = match c {
        Collection::Stations(index) => {
            let sid: i64 = fid.trim().parse().map_err(|_| missing())?;
            let s = index.get(sid).ok_or_else(missing)?;
            serde_json::to_value(StationFeature::from(s.as_ref())).map_err(|e| ApiError::internal(&e))?
        }
        other => other.polygon_feature(fid.trim()).ok_or_else(missing)?,
    };
    let base = link_base(&state.config);
    let encoded: String = form_urlencoded::byte_serialize(fid.trim().as_bytes()).collect();
    feature["links"] = json!([
        link(format!("{base}/ogc/collections/{id}/items/{encoded}"), "self", GEOJSON, "This feature"),
        link(format!("{base}/ogc/collections/{id}"), "collection", JSON, "The collection"),
    ]);
    Ok(answer(&feature, GEOJSON))
}

#[cfg(test)]
#[path = "ogc_tests.rs"]
mod tests;

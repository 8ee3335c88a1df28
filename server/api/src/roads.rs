//! `GET /api/v1/network/roads`: the loaded road network as GeoJSON lines, for the web map's
//! offline base layer.
//!
//! The graph keeps no OpenStreetMap tags, so each line's `class` is its speed band for the mode
//! (see [`RoadClass`]). Segments are merged into lines through nodes where exactly two segments of
//! the same class and one-way state meet, simplified (Douglas–Peucker, 2 m) and rounded to 10⁻⁶°
//! (about 0.1 m); lines of the faster classes come first, so a `limit` drops footpaths before
//! main roads. Lines are prepared once per graph and kept while the graph is loaded.

use super::isochrone::network_unavailable;
use super::stations::GeoJson;
use axum::extract::{RawQuery, State};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use utoipa::ToSchema;
use yizhan_core::state::AppState;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::model::{FeatureCollectionType, FeatureType, LineStringGeometry, LineStringType};
use yizhan_http::query::{QueryParams, parse_bbox, parse_count};
use yizhan_planner::eta::TravelMode;
use yizhan_planner::geodesy::{BBox, LonLat};
use yizhan_planner::network::{Graph, RoadNetwork};

/// Parameters of the roads endpoint.
pub(crate) const ROADS_PARAMS: &[&str] = &["bbox", "mode", "limit"];

/// Default and largest number of lines per answer.
pub(crate) const DEFAULT_ROAD_LIMIT: usize = 5000;
/// Largest `limit`.
pub(crate) const MAX_ROAD_LIMIT: usize = 20_000;

/// Douglas–Peucker tolerance of the lines, metres.
const SIMPLIFY_M: f64 = 2.0;

/// A road's speed band for the travel mode, from the faster direction of travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    /// Main roads: car ≥ 45 km/h; e-bike ≥ 15 km/h (cycleways and ordinary streets); none on foot.
    Major,
    /// Car ≥ 25 km/h; e-bike ≥ 11 km/h (service roads); walkable at full walking speed.
    Minor,
    /// Anything slower: living streets, tracks, paths, footways, steps, pushing the bike.
    Path,
}

impl RoadClass {
    /// The class of a road travelled at `kmh` kilometres per hour in `mode`.
    #[must_use]
    pub fn of(mode: TravelMode, kmh: f64) -> Self {
        let (major, minor) = match mode {
            TravelMode::Car => (45.0, 25.0),
            TravelMode::Ebike => (15.0, 11.0),
            TravelMode::Walk => (f64::INFINITY, 4.0),
        };
        // A little slack for the millisecond rounding of arc times.
        if kmh >= major * 0.99 {
            Self::Major
        } else if kmh >= minor * 0.99 {
            Self::Minor
        } else {
            Self::Path
        }
    }
}

/// One road line of the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoadFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// The line, WGS-84 degrees.
    pub geometry: LineStringGeometry,
    /// What the line is.
    pub properties: RoadProperties,
}

/// Properties of a road line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoadProperties {
    /// Speed band.
    pub class: RoadClass,
    /// Travel speed for the mode, km/h (the faster direction, rounded to 0.1).
    pub speed_kmh: f64,
    /// Whether the mode may use it in one direction only.
    pub oneway: bool,
}

/// Answer of `GET /api/v1/network/roads`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoadCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: FeatureCollectionType,
    /// The travel mode whose graph is drawn; `null` (and no lines) when no road network is loaded
    /// and the query names no mode.
    pub mode: Option<TravelMode>,
    /// Lines in this answer.
    #[serde(rename = "numberReturned")]
    pub number_returned: usize,
    /// Whether more lines cross the box than `limit` allowed (the slowest classes were left out).
    pub truncated: bool,
    /// The lines, fastest class first.
    pub features: Vec<RoadFeature>,
}

/// A prepared line: its box for the query and its feature.
#[derive(Debug, Clone)]
struct Line {
    bbox: [f64; 4],
    feature: RoadFeature,
}

/// Lines prepared for a graph, kept while the graph lives.
type PreparedLines = (Weak<Graph>, Arc<Vec<Line>>);

/// Lines prepared per graph.
static LINES: Mutex<Vec<PreparedLines>> = Mutex::new(Vec::new());

fn lines_of(net: &RoadNetwork) -> Arc<Vec<Line>> {
    let graph = net.graph();
    let mut cache = LINES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    cache.retain(|(w, _)| w.strong_count() > 0);
    if let Some((_, l)) = cache.iter().find(|(w, _)| w.as_ptr() == Arc::as_ptr(graph)) {
        return Arc::clone(l);
    }
    let lines = Arc::new(build_lines(graph));
    cache.push((Arc::downgrade(graph), Arc::clone(&lines)));
    lines
}

/// Undirected segment `{a, b}` (`a < b`): speed of the faster direction (km/h) and whether only one
/// direction exists.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Seg {
    kmh: f64,
    oneway: bool,
    class: RoadClass,
}

/// Merges the graph's segments into simplified lines, fastest class first.
fn build_lines(g: &Graph) -> Vec<Line> {
    let mode = g.mode();
    let mut segs: HashMap<(u32, u32), Seg> = HashMap::new();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); g.node_count()];
    for (u, v, ms, len) in g.iter_arcs() {
        let key = (u.min(v), u.max(v));
        let kmh = if ms == 0 { 0.0 } else { f64::from(len) / (f64::from(ms) / 1000.0) * 3.6 };
        if let Some(s) = segs.get_mut(&key) {
            s.oneway = false;
            s.kmh = s.kmh.max(kmh);
            s.class = RoadClass::of(mode, s.kmh);
        } else {
            segs.insert(key, Seg { kmh, oneway: true, class: RoadClass::of(mode, kmh) });
            adj[key.0 as usize].push(key.1);
            adj[key.1 as usize].push(key.0);
        }
    }
    let key = |a: u32, b: u32| (a.min(b), a.max(b));
    let same = |a: &Seg, b: &Seg| a.class == b.class && a.oneway == b.oneway;
    // A node continues a line when exactly two segments of the same kind meet there.
    let passes = |n: u32| -> bool {
        let nb = &adj[n as usize];
        nb.len() == 2
            && match (segs.get(&key(n, nb[0])), segs.get(&key(n, nb[1]))) {
                (Some(a), Some(b)) => same(a, b),
                _ => false,
            }
    };
    let mut ordered: Vec<(u32, u32)> = segs.keys().copied().collect();
    ordered.sort_unstable();
    let mut used: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for &(a, b) in &ordered {
        if used.contains(&(a, b)) {
            continue;
        }
        let Some(seg) = segs.get(&(a, b)).copied() else { continue };
        used.insert((a, b));
        // Extend from b forwards and from a backwards while nodes pass through.
        let mut fwd = vec![a, b];
        extend(&mut fwd, &adj, &passes, &mut used, key);
        let mut back = vec![b, a];
        extend(&mut back, &adj, &passes, &mut used, key);
        back.reverse();
        back.truncate(back.len() - 2);
        back.extend(fwd);
        let points: Vec<LonLat> = back.iter().map(|&n| g.coord(n)).collect();
        let points = simplify(&points, SIMPLIFY_M);
        let coords: Vec<[f64; 2]> = points.iter().map(|p| [round6(p.lon), round6(p.lat)]).collect();
        let bbox = coords.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, c| {
            [b[0].min(c[0]), b[1].min(c[1]), b[2].max(c[0]), b[3].max(c[1])]
        });
        out.push(Line {
            bbox,
            feature: RoadFeature {
                kind: FeatureType::Feature,
                geometry: LineStringGeometry { kind: LineStringType::LineString, coordinates: coords },
                properties: RoadProperties {
                    class: seg.class,
                    speed_kmh: (seg.kmh * 10.0).round() / 10.0,
                    oneway: seg.oneway,
                },
            },
        });
    }
    out.sort_by_key(|l| l.feature.properties.class);
    out
}

/// Walks on from the last node of `line` through pass-through nodes, marking segments used.
fn extend(
    line: &mut Vec<u32>,
    adj: &[Vec<u32>],
    passes: &dyn Fn(u32) -> bool,
    used: &mut std::collections::HashSet<(u32, u32)>,
    key: impl Fn(u32, u32) -> (u32, u32),
) {
    loop {
        let (prev, last) = (line[line.len() - 2], line[line.len() - 1]);
        if !passes(last) {
            return;
        }
        let Some(&next) = adj[last as usize].iter().find(|&&n| n != prev) else { return };
        if !used.insert(key(last, next)) {
            return; // a closed ring
        }
        line.push(next);
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Douglas–Peucker simplification in a local plane (metres), keeping both ends.
fn simplify(points: &[LonLat], tol_m: f64) -> Vec<LonLat> {
    if points.len() <= 2 {
        return points.to_vec();
    }
    let lat0 = points[0].lat.to_radians();
    let (kx, ky) = (111_320.0 * lat0.cos(), 110_950.0);
    let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.lon * kx, p.lat * ky)).collect();
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((i, j)) = stack.pop() {
        let (a, b) = (xy[i], xy[j]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let mut best = (0.0, i);
        for (k, p) in xy.iter().enumerate().take(j).skip(i + 1) {
            let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
            let d = (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy);
            if d > best.0 {
                best = (d, k);
            }
        }
        if best.0 > tol_m {
            keep[best.1] = true;
            stack.push((i, best.1));
            stack.push((best.1, j));
        }
    }
    points.iter().zip(keep).filter_map(|(p, k)| k.then_some(*p)).collect()
}

/// The mode drawn when the query names none: e-bike, else car, else walk (the first loaded).
fn default_network(state: &AppState) -> Option<Arc<RoadNetwork>> {
    [TravelMode::Ebike, TravelMode::Car, TravelMode::Walk].into_iter().find_map(|m| state.network(m))
}

/// The loaded road network's lines crossing a box, for drawing under the stations.
#[utoipa::path(
    get,
    path = "/api/v1/network/roads",
    tag = "map",
    params(
        ("bbox" = Option<String>, Query, description = "Only lines whose box meets `minlon,minlat,maxlon,maxlat` (WGS-84 degrees); default the whole network."),
        ("mode" = Option<String>, Query, description = "Whose graph to draw: `walk`, `ebike` or `car`. Default: e-bike if loaded, else car, else walk; with no network loaded at all, an empty collection with `mode: null`."),
        ("limit" = Option<usize>, Query, description = "Most lines to return, 1 ..= 20000 (default 5000); the slowest classes are left out first."),
    ),
    responses(
        (status = 200, description = "Road lines, fastest class first.", body = RoadCollection, content_type = "application/geo+json"),
        (status = 400, description = "Invalid or unknown query parameter.", body = ErrorBody),
        (status = 409, description = "The query names a `mode` with no road network loaded: `network_unavailable`, field `mode`.", body = ErrorBody),
    )
)]
pub(crate) async fn network_roads(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<GeoJson<RoadCollection>, ApiError> {
    let q = QueryParams::parse(raw.as_deref(), ROADS_PARAMS)?;
    let bbox: Option<BBox> = q.single("bbox")?.map(parse_bbox).transpose()?;
    let limit = match q.single("limit")? {
        None => DEFAULT_ROAD_LIMIT,
        Some(s) => parse_count("limit", s, 1, MAX_ROAD_LIMIT)?,
    };
    let net = if q.single("mode")?.is_none() {
        match default_network(&state) {
            Some(net) => net,
            // The map asks without a mode on every server: no network, nothing to draw.
            None => {
                return Ok(GeoJson(RoadCollection {
                    kind: FeatureCollectionType::FeatureCollection,
                    mode: None,
                    number_returned: 0,
                    truncated: false,
                    features: Vec::new(),
                }));
            }
        }
    } else {
        let mode = super::isochrone::parse_mode(&q)?;
        state.network(mode).ok_or_else(|| network_unavailable(&state, mode))?
    };
    let mode = net.mode();
    let lines = tokio::task::spawn_blocking(move || lines_of(&net)).await.map_err(|e| ApiError::internal(&e))?;
    let meets = |l: &Line| {
        bbox.as_ref().is_none_or(|b| {
            l.bbox[0] <= b.max_lon && l.bbox[2] >= b.min_lon && l.bbox[1] <= b.max_lat && l.bbox[3] >= b.min_lat
        })
    };
    let mut features = Vec::new();
    let mut truncated = false;
    for l in lines.iter().filter(|l| meets(l)) {
        if features.len() == limit {
            truncated = true;
            break;
        }
        features.push(l.feature.clone());
    }
    Ok(GeoJson(RoadCollection {
        kind: FeatureCollectionType::FeatureCollection,
        mode: Some(mode),
        number_returned: features.len(),
        truncated,
        features,
    }))
}

#[cfg(test)]
#[path = "roads_tests.rs"]
mod tests;

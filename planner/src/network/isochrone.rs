//! Isochrones: the area within a travel-time limit of a station, as a polygon.
//!
//! Method — a union of road buffers: a search limited to the time budget finds every node in
//! reach; every arc leaving a reached node contributes the part of its segment that can be
//! covered with the time left (the whole segment, or the first `(limit − t) / time` of it); the
//! station's own partial segments are added. These pieces are projected to a local tangent plane
//! in metres centred on the station, buffered by [`IsochroneOptions::buffer_m`] (round caps and
//! joins; the union is computed by `geo`'s `Buffer`), simplified with Douglas–Peucker at
//! [`IsochroneOptions::simplify_m`], and projected back to WGS-84 degrees. Unlike a concave
//! hull, this never covers a river or a railway yard that the roads go around, and it can have
//! holes and several parts.

use super::dijkstra::{Options, search};
use super::graph::{Direction, Graph};
use super::snap::Snap;
use super::{metres_per_degree, secs_to_ms};
use crate::geodesy::LonLat;
use geo::{Area, Buffer, Contains, Coord, LineString, MapCoords, MultiLineString, MultiPolygon, Point, Simplify};
use std::collections::HashSet;

/// How to draw an isochrone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsochroneOptions {
    /// Half-width of the band drawn around each reachable road piece, metres. Default 40 m.
    pub buffer_m: f64,
    /// Douglas–Peucker tolerance of the outline, metres; 0 keeps every vertex. Default 5 m.
    pub simplify_m: f64,
    /// [`Direction::Backward`] (default): places *from* which the station is reached within the
    /// limit — what "within 10 minutes of a station" means for a rider. [`Direction::Forward`]:
    /// places reached *from* the station.
    pub direction: Direction,
}

impl Default for IsochroneOptions {
    fn default() -> Self {
        Self { buffer_m: 40.0, simplify_m: 5.0, direction: Direction::Backward }
    }
}

/// The area within a time limit of a station.
#[derive(Debug, Clone, PartialEq)]
pub struct Isochrone {
    /// The area, WGS-84 degrees (exterior rings counter-clockwise as GeoJSON recommends).
    pub polygon: MultiPolygon<f64>,
    /// The time limit, seconds.
    pub limit_s: f64,
    /// Graph nodes within the limit.
    pub reached_nodes: usize,
    /// Road pieces drawn.
    pub pieces: usize,
    /// Area, square metres (in the local plane).
    pub area_m2: f64,
}

impl Isochrone {
    /// Whether `p` lies inside the polygon.
    #[must_use]
    pub fn contains(&self, p: LonLat) -> bool {
        self.polygon.contains(&Point::new(p.lon, p.lat))
    }

    /// The isochrone as a GeoJSON feature with `limit_s`, `reached_nodes` and `area_m2` properties
    /// plus `extra` ones (e.g. the station id and travel mode).
    #[must_use]
    pub fn to_feature(&self, extra: serde_json::Map<String, serde_json::Value>) -> geojson::Feature {
        let mut props = serde_json::Map::new();
        props.insert("limit_s".into(), self.limit_s.into());
        props.insert("reached_nodes".into(), self.reached_nodes.into());
        props.insert("area_m2".into(), self.area_m2.round().into());
        props.insert("method".into(), "road_buffer_union".into());
        props.extend(extra);
        geojson::Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::new(geojson::Value::from(&self.polygon))),
            id: None,
            properties: Some(props),
            foreign_members: None,
        }
    }
}

/// The isochrone of a station snapped at `station` for `limit_s` seconds.
#[must_use]
pub fn isochrone(graph: &Graph, station: &Snap, limit_s: f64, opts: &IsochroneOptions) -> Isochrone {
    let limit_ms = secs_to_ms(limit_s);
    let seeds = station.seeds(graph, opts.direction, 0);
    let tree = search(graph, opts.direction, &seeds, Options { max_time_ms: Some(limit_ms), predecessors: false });
    let origin = station.on_road;
    let (kx, ky) = metres_per_degree(origin.lat);
    let to_xy = |p: LonLat| Coord { x: (p.lon - origin.lon) * kx, y: (p.lat - origin.lat) * ky };
    let lerp =
        |a: LonLat, b: LonLat, f: f64| LonLat { lon: a.lon + f * (b.lon - a.lon), lat: a.lat + f * (b.lat - a.lat) };
    let mut lines: Vec<LineString<f64>> = Vec::new();
    let mut full: HashSet<(u32, u32)> = HashSet::new();
    // The station's own segment pieces, from its foot towards each linked end node.
    let mut station_piece = vec![to_xy(origin), to_xy(origin)];
    for s in &seeds {
        if s.time_ms <= limit_ms {
            lines.push(LineString::new(vec![to_xy(origin), to_xy(graph.coord(s.node))]));
        }
    }
    if lines.is_empty() {
        // Reached nothing but the point itself: a dot of the buffer width.
        station_piece[1].x += 1e-6;
        lines.push(LineString::new(station_piece));
    }
    for u in 0..graph.node_count() as u32 {
        let Some(tu) = tree.time_ms(u) else { continue };
        let left = limit_ms - tu;
        for a in graph.arcs(opts.direction, u) {
            let (pu, pv) = (graph.coord(u), graph.coord(a.head));
            if a.time_ms <= left {
                let key = if u < a.head { (u, a.head) } else { (a.head, u) };
                if full.insert(key) {
                    lines.push(LineString::new(vec![to_xy(pu), to_xy(pv)]));
                }
            } else if left > 0 {
                let f = f64::from(left) / f64::from(a.time_ms);
                lines.push(LineString::new(vec![to_xy(pu), to_xy(lerp(pu, pv, f))]));
            }
        }
    }
    let pieces = lines.len();
    let mut poly = MultiLineString::new(lines).buffer(opts.buffer_m.max(0.01));
    if opts.simplify_m > 0.0 {
        poly = poly.simplify(opts.simplify_m);
    }
    let area_m2 = poly.unsigned_area();
    let polygon = poly.map_coords(|c| Coord { x: origin.lon + c.x / kx, y: origin.lat + c.y / ky });
    Isochrone { polygon, limit_s: f64::from(limit_ms) / 1000.0, reached_nodes: tree.reached_count(), pieces, area_m2 }
}

#[cfg(test)]
#[path = "isochrone_tests.rs"]
mod tests;

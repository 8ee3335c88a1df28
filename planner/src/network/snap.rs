//! Snapping points (stations, demand, a rider's position) onto the nearest road segment.
//!
//! A point is projected onto the nearest segment between two graph nodes `u < v` within a maximum
//! distance. The off-road part (point → foot of the perpendicular) is walked at
//! [`SnapOptions::offroad_speed_m_s`]; on the road, the point splits the segment at fraction `t`
//! (0 at `u`, 1 at `v`) and joins both end nodes with partial times: `t` of the `u`–`v` arc's
//! time towards/from `u` and `1 − t` towards/from `v`, for each direction the graph allows.
//!
//! Distances are measured in a local tangent plane at the point's latitude on the WGS-84
//! ellipsoid (metres per degree from the radii of curvature), which is exact to about 10⁻⁵ over
//! snapping distances. The segment index is an R*-tree over the segments in degrees, queried with
//! the box of the maximum snap distance.

use super::dijkstra::Seed;
use super::graph::{Direction, Graph, NONE};
use super::profile::WALK_M_S;
use super::{metres_per_degree, secs_to_ms, segment_length_m};
use crate::geodesy::LonLat;
use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree};
use std::sync::Arc;

/// How to snap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnapOptions {
    /// Farthest a point may be from the road, metres. Default 250 m.
    pub max_distance_m: f64,
    /// Speed of the off-road part, metres per second. Default [`WALK_M_S`] (1.2 m/s).
    pub offroad_speed_m_s: f64,
    /// Ignore segments on islands with fewer nodes than this. Default 1 (any island): a point
    /// snapped onto a small island reaches only that island.
    pub min_component_nodes: u32,
}

impl Default for SnapOptions {
    fn default() -> Self {
        Self { max_distance_m: 250.0, offroad_speed_m_s: WALK_M_S, min_component_nodes: 1 }
    }
}

/// A point placed on the road network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The point given, WGS-84 degrees.
    pub point: LonLat,
    /// The nearest point on the road, WGS-84 degrees.
    pub on_road: LonLat,
    /// Off-road distance from `point` to `on_road`, metres.
    pub offroad_m: f64,
    /// Off-road walking time, milliseconds.
    pub offroad_ms: u32,
    /// The segment's first node (the smaller number).
    pub u: u32,
    /// The segment's second node.
    pub v: u32,
    /// Position along the segment: 0 at `u`, 1 at `v`.
    pub t: f64,
    /// The island (component label) of the segment.
    pub component: u32,
}

impl Snap {
    /// The end nodes the point is joined to, with the time between point and node in
    /// milliseconds (off-road walk included): for [`Direction::Forward`] from the point to the
    /// node, for [`Direction::Backward`] from the node to the point. A direction the graph does
    /// not allow (one-way segment) gives no link, except that a point exactly on a node is
    /// always joined to it.
    #[must_use]
    pub fn links(&self, graph: &Graph, dir: Direction) -> Vec<(u32, u32)> {
        let part = |frac: f64, ms: u32| secs_to_ms(frac * f64::from(ms) / 1000.0);
        let uv = graph.arc(self.u, self.v).map(|a| a.0);
        let vu = graph.arc(self.v, self.u).map(|a| a.0);
        // Forward: point→u runs along v→u for the fraction t, point→v along u→v for 1 − t.
        // Backward: u→point runs along u→v for t, v→point along v→u for 1 − t.
        let (to_u_arc, to_v_arc) = match dir {
            Direction::Forward => (vu, uv),
            Direction::Backward => (uv, vu),
        };
        let mut out = Vec::with_capacity(2);
        let to_u = if self.t <= 0.0 { Some(0) } else { to_u_arc.map(|ms| part(self.t, ms)) };
        let to_v = if self.t >= 1.0 { Some(0) } else { to_v_arc.map(|ms| part(1.0 - self.t, ms)) };
        if let Some(ms) = to_u {
            out.push((self.u, self.offroad_ms.saturating_add(ms)));
        }
        if let Some(ms) = to_v {
            out.push((self.v, self.offroad_ms.saturating_add(ms)));
        }
        out
    }

    /// [`Self::links`] as search seeds for source index `source`.
    #[must_use]
    pub fn seeds(&self, graph: &Graph, dir: Direction, source: u32) -> Vec<Seed> {
        self.links(graph, dir).into_iter().map(|(node, time_ms)| Seed { node, time_ms, source }).collect()
    }

    /// Length along the road from the foot of the snap to node `node` (one of `u`, `v`), metres.
    #[must_use]
    pub fn along_m(&self, graph: &Graph, node: u32) -> f64 {
        let d = segment_length_m(graph.coord(self.u), graph.coord(self.v));
        if node == self.u { self.t * d } else { (1.0 - self.t) * d }
    }
}

/// Seeds for sources snapped onto the graph: source `i` is `snaps[i]`; unsnapped sources
/// (`None`) get no seed. For [`Direction::Backward`] each seed's time is from the node to the
/// point (travel towards the source), for [`Direction::Forward`] from the point to the node.
/// Both include the off-road walk.
#[must_use]
pub fn station_seeds(graph: &Graph, dir: Direction, snaps: &[Option<Snap>]) -> Vec<Seed> {
    let mut out = Vec::with_capacity(snaps.len() * 2);
    for (i, s) in snaps.iter().enumerate() {
        if let Some(s) = s {
            let source = u32::try_from(i).unwrap_or(NONE - 1);
            out.extend(s.seeds(graph, dir, source));
        }
    }
    out
}

type Segment = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// An R*-tree over every road segment of a graph, for snapping. It shares ownership of the
/// graph, so a service can keep one `Snapper` (and reach the graph through [`Snapper::graph`]).
#[derive(Debug, Clone)]
pub struct Snapper {
    graph: Arc<Graph>,
    tree: RTree<Segment>,
}

impl Snapper {
    /// Indexes every segment `{u, v}` that has an arc in at least one direction (a graph or an
    /// `Arc` of one).
    #[must_use]
    pub fn new(graph: impl Into<Arc<Graph>>) -> Self {
        let graph: Arc<Graph> = graph.into();
        let mut segs = Vec::with_capacity(graph.arc_count() / 2 + 1);
        for u in 0..graph.node_count() as u32 {
            for a in graph.out_arcs(u) {
                let v = a.head;
                if u < v || graph.arc(v, u).is_none() {
                    let (a, b) = if u < v { (u, v) } else { (v, u) };
                    let (pa, pb) = (graph.coord(a), graph.coord(b));
                    segs.push(Segment::new(Line::new([pa.lon, pa.lat], [pb.lon, pb.lat]), (a, b)));
                }
            }
        }
        Self { graph, tree: RTree::bulk_load(segs) }
    }

    /// The graph indexed.
    #[must_use]
    pub fn graph(&self) -> &Arc<Graph> {
        &self.graph
    }

    /// Number of segments indexed.
    #[must_use]
    pub fn segment_count(&self) -> usize {
        self.tree.size()
    }

    /// Snaps `p` to the nearest segment within `opts.max_distance_m` metres (ties: lowest node
    /// pair); `None` when no segment is that close.
    #[must_use]
    pub fn snap(&self, p: LonLat, opts: &SnapOptions) -> Option<Snap> {
        let max = opts.max_distance_m;
        if !(max.is_finite() && max >= 0.0) {
            return None;
        }
        let (kx, ky) = metres_per_degree(p.lat);
        let (dlon, dlat) = (max / kx.max(1e-9) * 1.001 + 1e-9, max / ky * 1.001 + 1e-9);
        let bbox = AABB::from_corners([p.lon - dlon, p.lat - dlat], [p.lon + dlon, p.lat + dlat]);
        let comps = self.graph.components();
        let mut best: Option<(f64, (u32, u32), f64)> = None;
        for seg in self.tree.locate_in_envelope_intersecting(&bbox) {
            let (u, v) = seg.data;
            if comps.sizes[comps.label[u as usize] as usize] < opts.min_component_nodes {
                continue;
            }
            let (a, b) = (seg.geom().from, seg.geom().to);
            let ax = (a[0] - p.lon) * kx;
            let ay = (a[1] - p.lat) * ky;
            let (dx, dy) = ((b[0] - a[0]) * kx, (b[1] - a[1]) * ky);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 { (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
            let d = (ax + t * dx).hypot(ay + t * dy);
            if d <= max && best.is_none_or(|(bd, bp, _)| (d, (u, v)) < (bd, bp)) {
                best = Some((d, (u, v), t));
            }
        }
        let (_, (u, v), t) = best?;
        let (pu, pv) = (self.graph.coord(u), self.graph.coord(v));
        let on_road = LonLat { lon: pu.lon + t * (pv.lon - pu.lon), lat: pu.lat + t * (pv.lat - pu.lat) };
        let offroad_m = segment_length_m(p, on_road);
        let speed = if opts.offroad_speed_m_s > 0.0 { opts.offroad_speed_m_s } else { WALK_M_S };
        Some(Snap {
            point: p,
            on_road,
            offroad_m,
            offroad_ms: secs_to_ms(offroad_m / speed),
            u,
            v,
            t,
            component: comps.label[u as usize],
        })
    }

    /// [`Self::snap`] for each point, in order.
    #[must_use]
    pub fn snap_all(&self, points: &[LonLat], opts: &SnapOptions) -> Vec<Option<Snap>> {
        points.iter().map(|&p| self.snap(p, opts)).collect()
    }
}

#[cfg(test)]
#[path = "snap_tests.rs"]
mod tests;

//! The stations nearest a point by travel time along the network, each with its route.
//!
//! One forward search from the snapped origin, stopped as soon as no unfound station can beat the
//! `k`-th best found. A station is reached through either end of its snapped segment (partial
//! times), or directly along the segment when origin and station share it and its direction
//! allows.

use super::dijkstra::{Options, search_with};
use super::graph::{Direction, Graph};
use super::secs_to_ms;
use super::snap::Snap;
use crate::geodesy::LonLat;
use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;

/// One station found, with its route from the origin.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteHit {
    /// Index of the station in the `targets` slice given.
    pub target: usize,
    /// Travel time from the origin point to the station point, seconds (off-road walks included).
    pub time_s: f64,
    /// Route length, metres (off-road parts included).
    pub distance_m: f64,
    /// The route as a line, WGS-84 degrees: origin point, its foot on the road, the graph nodes
    /// passed, the station's foot on the road, the station point.
    pub geometry: Vec<LonLat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Node(u32),
    Direct,
}

/// The `k` targets nearest `origin` by travel time (fastest first, ties by target index), at
/// most `max_time_s` seconds away when given. Unsnapped targets (`None`) are skipped; targets
/// on another island are never found.
#[must_use]
pub fn nearest_by_time(
    graph: &Graph,
    origin: &Snap,
    targets: &[Option<Snap>],
    k: usize,
    max_time_s: Option<f64>,
) -> Vec<RouteHit> {
    if k == 0 {
        return Vec::new();
    }
    let limit_ms = max_time_s.map_or(u32::MAX - 1, secs_to_ms);
    let mut arrivals: HashMap<u32, Vec<(usize, u32)>> = HashMap::new();
    let mut best: Vec<Option<(u32, Via)>> = vec![None; targets.len()];
    let mut ranked: BTreeSet<(u32, usize)> = BTreeSet::new();
    let offer = |best: &mut Vec<Option<(u32, Via)>>, ranked: &mut BTreeSet<(u32, usize)>, t: usize, ms, via| {
        if ms > limit_ms || best[t].is_some_and(|(b, _)| b <= ms) {
            return;
        }
        if let Some((old, _)) = best[t] {
            ranked.remove(&(old, t));
        }
        best[t] = Some((ms, via));
        ranked.insert((ms, t));
    };
    for (i, s) in targets.iter().enumerate() {
        let Some(s) = s else { continue };
        for (node, ms) in s.links(graph, Direction::Backward) {
            arrivals.entry(node).or_default().push((i, ms));
        }
        if (s.u, s.v) == (origin.u, origin.v) {
            let along = if s.t >= origin.t { graph.arc(s.u, s.v) } else { graph.arc(s.v, s.u) };
            if let Some((arc_ms, _)) = along {
                let part = secs_to_ms((s.t - origin.t).abs() * f64::from(arc_ms) / 1000.0);
                let total = origin.offroad_ms.saturating_add(part).saturating_add(s.offroad_ms);
                offer(&mut best, &mut ranked, i, total, Via::Direct);
            }
        }
    }
    let seeds = origin.seeds(graph, Direction::Forward, 0);
    let opts = Options { max_time_ms: Some(limit_ms), predecessors: true };
    let tree = search_with(graph, Direction::Forward, &seeds, opts, |node, t, _| {
        if ranked.len() >= k && ranked.iter().nth(k - 1).is_some_and(|&(kth, _)| t > kth) {
            return ControlFlow::Break(());
        }
        if let Some(list) = arrivals.get(&node) {
            for &(target, a) in list {
                offer(&mut best, &mut ranked, target, t.saturating_add(a), Via::Node(node));
            }
        }
        ControlFlow::Continue(())
    });
    ranked
        .iter()
        .take(k)
        .filter_map(|&(ms, target)| {
            let s = targets[target].as_ref()?;
            let (_, via) = best[target]?;
            let mut geometry = vec![origin.point, origin.on_road];
            let mut dist = origin.offroad_m;
            match via {
                Via::Direct => {
                    dist += (s.t - origin.t).abs() * super::segment_length_m(graph.coord(s.u), graph.coord(s.v));
                }
                Via::Node(node) => {
                    let path = tree.path(node)?;
                    dist += origin.along_m(graph, path[0]);
                    for w in path.windows(2) {
                        dist += f64::from(graph.arc(w[0], w[1]).map_or(0.0, |a| a.1));
                    }
                    dist += s.along_m(graph, node);
                    geometry.extend(path.iter().map(|&p| graph.coord(p)));
                }
            }
            dist += s.offroad_m;
            geometry.push(s.on_road);
            geometry.push(s.point);
            geometry.dedup();
            Some(RouteHit { target, time_s: f64::from(ms) / 1000.0, distance_m: dist, geometry })
        })
        .collect()
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;

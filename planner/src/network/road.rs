//! [`RoadNetwork`]: one travel mode's graph with its snapping index, and the questions a service
//! asks of it in one call each (positions in, seconds and WGS-84 geometry out).

use super::dijkstra::{self, Tree};
use super::graph::{Direction, Graph};
use super::isochrone::{self, Isochrone, IsochroneOptions};
use super::route::{self, RouteHit};
use super::snap::{self, Snap, SnapOptions, Snapper};
use crate::eta::TravelMode;
use crate::geodesy::LonLat;
use std::sync::Arc;

/// A routable graph plus its segment index; cheap to share (`Arc` inside), immutable.
#[derive(Debug, Clone)]
pub struct RoadNetwork {
    snapper: Snapper,
    snap: SnapOptions,
}

impl RoadNetwork {
    /// Indexes `graph` for snapping with `snap` options (maximum snap distance, off-road speed).
    #[must_use]
    pub fn new(graph: impl Into<Arc<Graph>>, snap: SnapOptions) -> Self {
        Self { snapper: Snapper::new(graph), snap }
    }

    /// The graph.
    #[must_use]
    pub fn graph(&self) -> &Arc<Graph> {
        self.snapper.graph()
    }

    /// The travel mode of the graph.
    #[must_use]
    pub fn mode(&self) -> TravelMode {
        self.snapper.graph().mode()
    }

    /// The snapping options in use.
    #[must_use]
    pub fn snap_options(&self) -> &SnapOptions {
        &self.snap
    }

    /// Snaps `p` onto the nearest road (`None` beyond the maximum snap distance).
    #[must_use]
    pub fn snap(&self, p: LonLat) -> Option<Snap> {
        self.snapper.snap(p, &self.snap)
    }

    /// Snaps every point, in order.
    #[must_use]
    pub fn snap_all(&self, points: &[LonLat]) -> Vec<Option<Snap>> {
        self.snapper.snap_all(points, &self.snap)
    }

    /// The `k` stations (already snapped, e.g. with [`Self::snap_all`]) nearest `origin` by travel
    /// time, at most `max_time_s` seconds away, with routes. `None` when `origin` is off the
    /// network; an empty list when no station is reachable.
    #[must_use]
    pub fn nearest(
        &self,
        origin: LonLat,
        stations: &[Option<Snap>],
        k: usize,
        max_time_s: Option<f64>,
    ) -> Option<Vec<RouteHit>> {
        let o = self.snap(origin)?;
        Some(route::nearest_by_time(self.graph(), &o, stations, k, max_time_s))
    }

    /// For every node, the travel time to the nearest of `stations` (snapped) and its index.
    #[must_use]
    pub fn nearest_station_field(&self, stations: &[Option<Snap>]) -> Tree {
        let seeds = snap::station_seeds(self.graph(), Direction::Backward, stations);
        dijkstra::nearest_field(self.graph(), &seeds)
    }

    /// Travel time from `p` to the nearest station of a field made by
    /// [`Self::nearest_station_field`] (off-road walk and partial segment included), seconds, and
    /// that station's index; `None` when `p` is off the network or no station is reachable.
    #[must_use]
    pub fn field_at(&self, field: &Tree, p: LonLat) -> Option<(f64, u32)> {
        let s = self.snap(p)?;
        s.links(self.graph(), Direction::Forward)
            .into_iter()
            .filter_map(|(node, ms)| {
                let t = field.time_ms(node)?;
                Some((u64::from(ms) + u64::from(t), field.source(node)?))
            })
            .min()
            .map(|(ms, src)| (ms as f64 / 1000.0, src))
    }

    /// The area within `minutes` of a station at `station` (see [`isochrone::isochrone`]);
    /// `None` when the station is off the network.
    #[must_use]
    pub fn isochrone(&self, station: LonLat, minutes: f64, opts: &IsochroneOptions) -> Option<Isochrone> {
        let s = self.snap(station)?;
        Some(isochrone::isochrone(self.graph(), &s, minutes * 60.0, opts))
    }
}

#[cfg(test)]
#[path = "road_tests.rs"]
mod tests;

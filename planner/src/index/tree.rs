//! The R*-tree snapshot and its queries.

use super::filter::Filter;
use crate::geodesy::{BBox, LonLat};
use crate::station::{Station, StationId};
use std::sync::Arc;

/// One query result: a station and its geodesic distance from the query point.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The station.
    pub station: Arc<Station>,
    /// Geodesic distance from the query point, metres (WGS-84 ellipsoid).
    pub distance_m: f64,
}

/// An immutable snapshot of every station with an R*-tree over their positions.
#[derive(Debug, Clone, Default)]
pub struct StationIndex {
    stations: Vec<Arc<Station>>,
}

impl StationIndex {
    /// Builds a snapshot from stations (bulk-loaded R*-tree, O(n log n)).
    #[must_use]
    pub fn build(stations: impl IntoIterator<Item = Station>) -> Self {
        let _ = stations;
        todo!()
    }

    /// A new snapshot with `upserts` inserted or replaced (by id) and `deletes` removed.
    #[must_use]
    pub fn with_changes(&self, upserts: Vec<Station>, deletes: &[StationId]) -> Self {
        let _ = (upserts, deletes);
        todo!()
    }

    /// Number of stations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.stations.len()
    }

    /// Whether the snapshot holds no station.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.stations.is_empty()
    }

    /// The station with this id.
    #[must_use]
    pub fn get(&self, id: StationId) -> Option<&Arc<Station>> {
        let _ = id;
        todo!()
    }

    /// Every station, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Station>> {
        self.stations.iter()
    }

    /// The `k` stations nearest to `origin` that pass `filter`, nearest first, optionally only
    /// those within `max_distance_m` metres. Distances are geodesic; ties are broken by id.
    #[must_use]
    pub fn nearest(&self, origin: LonLat, k: usize, filter: &Filter, max_distance_m: Option<f64>) -> Vec<Hit> {
        let _ = (origin, k, filter, max_distance_m);
        todo!()
    }

    /// Every station within `radius_m` metres (geodesic, inclusive) of `origin` that passes
    /// `filter`, nearest first.
    #[must_use]
    pub fn within_radius(&self, origin: LonLat, radius_m: f64, filter: &Filter) -> Vec<Hit> {
        let _ = (origin, radius_m, filter);
        todo!()
    }

    /// Every station inside `bbox` (edges inclusive) that passes `filter`, ordered by id.
    #[must_use]
    pub fn in_bbox(&self, bbox: &BBox, filter: &Filter) -> Vec<Arc<Station>> {
        let _ = (bbox, filter);
        todo!()
    }

    /// Bytes held by the index structure itself (tree nodes, filter columns, id map), excluding
    /// the station records it points to.
    #[must_use]
    pub fn index_bytes(&self) -> usize {
        todo!()
    }
}

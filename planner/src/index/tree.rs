//! The R*-tree snapshot and its queries.

use super::filter::{Filter, KindSet, StatusSet};
use crate::amenity::AmenitySet;
use crate::geodesy::{BBox, LonLat, MEAN_EARTH_RADIUS_M};
use crate::station::{Station, StationId};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree, RTreeNode};
use std::collections::BTreeMap;
use std::f64::consts::{FRAC_PI_2, PI};
use std::sync::Arc;

/// Lower bound of geodesic ÷ great-circle distance: the smallest WGS-84 radius of curvature
/// (meridional, at the equator: 6 335 439 m) over the mean radius 6 371 008.8 m is 0.99442;
/// 0.994 leaves a margin for rounding.
const GEODESIC_OVER_SPHERE_MIN: f64 = 0.994;

/// A tree entry: a unit vector and the slot of its station.
type Entry = GeomWithData<[f64; 3], u32>;

/// What the filters need of a station, packed beside the tree for cache-friendly filtering.
#[derive(Debug, Clone, Copy)]
struct Meta {
    kind: KindSet,
    status: StatusSet,
    amenities: AmenitySet,
    capacity: Option<u32>,
}

impl Meta {
    fn of(s: &Station) -> Self {
        let d = &s.data;
        Self {
            kind: std::iter::once(d.kind).collect(),
            status: std::iter::once(d.status).collect(),
            amenities: d.amenities,
            capacity: d.capacity,
        }
    }
}

/// One query result: a station and its geodesic distance from the query point.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The station.
    pub station: Arc<Station>,
    /// Geodesic distance from the query point, metres (WGS-84 ellipsoid).
    pub distance_m: f64,
}

/// An immutable snapshot of every station with an R*-tree over their positions.
///
/// Stations live in slots; a slot's number is the tree entry's payload. Deleting a station leaves
/// its slot empty until the snapshot is next rebuilt, so that [`StationIndex::with_changes`] never
/// renumbers the slots of other stations.
#[derive(Debug, Clone, Default)]
pub struct StationIndex {
    tree: RTree<Entry>,
    slots: Vec<Option<Arc<Station>>>,
    meta: Vec<Meta>,
    by_id: BTreeMap<StationId, u32>,
}

fn great_circle_from_chord2(d2: f64) -> f64 {
    2.0 * MEAN_EARTH_RADIUS_M * (d2.sqrt() / 2.0).min(1.0).asin()
}

fn chord_for_great_circle(metres: f64) -> f64 {
    let angle = (metres / MEAN_EARTH_RADIUS_M).min(PI);
    2.0 * (angle / 2.0).sin()
}

fn slot_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl StationIndex {
    /// Builds a snapshot from stations (bulk-loaded R*-tree, O(n log n)). A later station with the
    /// same id as an earlier one replaces it.
    ///
    /// # Panics
    /// Never for fewer than 2³² − 1 stations; beyond that the slot numbers would overflow.
    #[must_use]
    pub fn build(stations: impl IntoIterator<Item = Station>) -> Self {
        Self::build_arcs(stations.into_iter().map(Arc::new))
    }

    fn build_arcs(stations: impl IntoIterator<Item = Arc<Station>>) -> Self {
        let mut by_id: BTreeMap<StationId, Arc<Station>> = BTreeMap::new();
        for s in stations {
            by_id.insert(s.id, s);
        }
        let n = by_id.len();
        assert!(n < u32::MAX as usize, "too many stations for one index");
        let mut slots = Vec::with_capacity(n);
        let mut meta = Vec::with_capacity(n);
        let mut entries = Vec::with_capacity(n);
        let mut ids = BTreeMap::new();
        for (i, (id, s)) in by_id.into_iter().enumerate() {
            let slot = slot_u32(i);
            entries.push(Entry::new(s.data.location.to_unit_vector(), slot));
            meta.push(Meta::of(&s));
            slots.push(Some(s));
            ids.insert(id, slot);
        }
        Self { tree: RTree::bulk_load(entries), slots, meta, by_id: ids }
    }

    /// A new snapshot with `upserts` inserted or replaced (by id) and `deletes` removed; `self` is
    /// unchanged. Small changes are applied to a copy of the tree; changes touching more than a
    /// quarter of the stations, or leaving too many empty slots, rebuild it in bulk.
    #[must_use]
    pub fn with_changes(&self, upserts: Vec<Station>, deletes: &[StationId]) -> Self {
        let empty = self.slots.len() - self.by_id.len();
        if (upserts.len() + deletes.len()) * 4 > self.len().max(16) || empty > self.slots.len() / 2 {
            let mut merged: BTreeMap<StationId, Arc<Station>> =
                self.by_id.iter().filter_map(|(id, &slot)| Some((*id, self.slots[slot as usize].clone()?))).collect();
            for id in deletes {
                merged.remove(id);
            }
            for s in upserts {
                merged.insert(s.id, Arc::new(s));
            }
            return Self::build_arcs(merged.into_values());
        }
        let mut next = self.clone();
        for id in deletes {
            next.remove(*id);
        }
        for s in upserts {
            next.remove(s.id);
            let slot = slot_u32(next.slots.len());
            next.tree.insert(Entry::new(s.data.location.to_unit_vector(), slot));
            next.meta.push(Meta::of(&s));
            next.by_id.insert(s.id, slot);
            next.slots.push(Some(Arc::new(s)));
        }
        next
    }

    fn remove(&mut self, id: StationId) {
        if let Some(slot) = self.by_id.remove(&id)
            && let Some(s) = self.slots[slot as usize].take()
        {
            self.tree.remove(&Entry::new(s.data.location.to_unit_vector(), slot));
        }
    }

    /// Number of stations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the snapshot holds no station.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The station with this id.
    #[must_use]
    pub fn get(&self, id: StationId) -> Option<&Arc<Station>> {
        self.by_id.get(&id).and_then(|&slot| self.slots[slot as usize].as_ref())
    }

    /// Every station, ordered by id.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Arc<Station>> {
        self.by_id.values().filter_map(|&slot| self.slots[slot as usize].as_ref())
    }

    /// The station in `slot` if it passes `filter` (attribute columns first, opening hours last).
    fn pass(&self, slot: u32, filter: &Filter) -> Option<&Arc<Station>> {
        let m = &self.meta[slot as usize];
        let attrs_ok = filter.kinds.contains_any(m.kind)
            && filter.statuses.contains_any(m.status)
            && m.amenities.contains_all(filter.amenities)
            && filter.min_capacity.is_none_or(|min| min == 0 || m.capacity.is_some_and(|c| c >= min));
        if !attrs_ok {
            return None;
        }
        let s = self.slots[slot as usize].as_ref()?;
        match filter.open_at {
            None => Some(s),
            Some(t) => s.data.opening_hours.as_ref().filter(|h| h.is_open_local(t.local())).map(|_| s),
        }
    }

    /// The `k` stations nearest to `origin` that pass `filter`, nearest first, optionally only
    /// those within `max_distance_m` metres. Distances are geodesic; ties are broken by id.
    #[must_use]
    pub fn nearest(&self, origin: LonLat, k: usize, filter: &Filter, max_distance_m: Option<f64>) -> Vec<Hit> {
        let mut best: Vec<Hit> = Vec::with_capacity(k + 1);
        if k == 0 {
            return best;
        }
        let max = max_distance_m.unwrap_or(f64::INFINITY);
        let open_local = filter.open_at.map(|t| t.local());
        let filter = Filter { open_at: None, ..*filter };
        let q = origin.to_unit_vector();
        for (entry, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            let lower_bound = great_circle_from_chord2(d2) * GEODESIC_OVER_SPHERE_MIN;
            if lower_bound > max || (best.len() == k && lower_bound > best[k - 1].distance_m) {
                break;
            }
            let Some(s) = self.pass(entry.data, &filter) else { continue };
            if let Some(local) = open_local
                && !s.data.opening_hours.as_ref().is_some_and(|h| h.is_open_local(local))
            {
                continue;
            }
            let d = origin.geodesic_distance_m(s.data.location);
            if d > max {
                continue;
            }
            let pos = best.partition_point(|h| (h.distance_m, h.station.id) < (d, s.id));
            if pos < k {
                best.insert(pos, Hit { station: Arc::clone(s), distance_m: d });
                best.truncate(k);
            }
        }
        best
    }

    /// Every station within `radius_m` metres (geodesic, inclusive) of `origin` that passes
    /// `filter`, nearest first (ties by id).
    #[must_use]
    pub fn within_radius(&self, origin: LonLat, radius_m: f64, filter: &Filter) -> Vec<Hit> {
        if radius_m.is_nan() || radius_m < 0.0 {
            return Vec::new();
        }
        let chord = chord_for_great_circle(radius_m / GEODESIC_OVER_SPHERE_MIN);
        let q = origin.to_unit_vector();
        let mut hits: Vec<Hit> = self
            .tree
            .locate_within_distance(q, chord * chord * (1.0 + 1e-12))
            .filter_map(|e| self.pass(e.data, filter))
            .filter_map(|s| {
                let d = origin.geodesic_distance_m(s.data.location);
                (d <= radius_m).then(|| Hit { station: Arc::clone(s), distance_m: d })
            })
            .collect();
        hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then(a.station.id.cmp(&b.station.id)));
        hits
    }

    /// Every station inside `bbox` (edges inclusive) that passes `filter`, ordered by id.
    #[must_use]
    pub fn in_bbox(&self, bbox: &BBox, filter: &Filter) -> Vec<Arc<Station>> {
        let mut out: Vec<Arc<Station>> = self
            .tree
            .locate_in_envelope_intersecting(&unit_sphere_envelope(bbox))
            .filter_map(|e| self.pass(e.data, filter))
            .filter(|s| bbox.contains(s.data.location))
            .cloned()
            .collect();
        out.sort_by_key(|s| s.id);
        out
    }

    /// Bytes held by the index structure itself (tree nodes, slot table, filter columns, id map),
    /// excluding the station records it points to. B-tree nodes are estimated at their entry size
    /// times 1.5 for fill slack.
    #[must_use]
    pub fn index_bytes(&self) -> usize {
        fn node_bytes(children: &[RTreeNode<Entry>]) -> usize {
            let mut n = std::mem::size_of_val(children);
            for c in children {
                if let RTreeNode::Parent(p) = c {
                    n += node_bytes(p.children());
                }
            }
            n
        }
        let tree = std::mem::size_of::<RTree<Entry>>() + node_bytes(self.tree.root().children());
        let slots = self.slots.capacity() * std::mem::size_of::<Option<Arc<Station>>>();
        let meta = self.meta.capacity() * std::mem::size_of::<Meta>();
        let ids = self.by_id.len() * (std::mem::size_of::<StationId>() + std::mem::size_of::<u32>()) * 3 / 2;
        tree + slots + meta + ids
    }
}

/// An axis-aligned box in unit-sphere coordinates enclosing every point of the lon/lat box
/// (interval arithmetic over x = cos φ cos λ, y = cos φ sin λ, z = sin φ), padded by 1e-12.
fn unit_sphere_envelope(b: &BBox) -> AABB<[f64; 3]> {
    fn cos_range(a: f64, b: f64) -> (f64, f64) {
        let (ca, cb) = (a.cos(), b.cos());
        let mut lo = ca.min(cb);
        let mut hi = ca.max(cb);
        if a <= 0.0 && 0.0 <= b {
            hi = 1.0;
        }
        if a <= -PI || b >= PI {
            lo = -1.0;
        }
        (lo, hi)
    }
    fn sin_range(a: f64, b: f64) -> (f64, f64) {
        let (sa, sb) = (a.sin(), b.sin());
        let mut lo = sa.min(sb);
        let mut hi = sa.max(sb);
        if a <= FRAC_PI_2 && FRAC_PI_2 <= b {
            hi = 1.0;
        }
        if a <= -FRAC_PI_2 && -FRAC_PI_2 <= b {
            lo = -1.0;
        }
        (lo, hi)
    }
    fn mul((a, b): (f64, f64), (c, d): (f64, f64)) -> (f64, f64) {
        let p = [a * c, a * d, b * c, b * d];
        (p.iter().copied().fold(f64::INFINITY, f64::min), p.iter().copied().fold(f64::NEG_INFINITY, f64::max))
    }
    let (lat0, lat1) = (b.min_lat.to_radians(), b.max_lat.to_radians());
    let (lon0, lon1) = (b.min_lon.to_radians(), b.max_lon.to_radians());
    let cos_lat = cos_range(lat0, lat1);
    let x = mul(cos_lat, cos_range(lon0, lon1));
    let y = mul(cos_lat, sin_range(lon0, lon1));
    let z = sin_range(lat0, lat1);
    const PAD: f64 = 1e-12;
    AABB::from_corners([x.0 - PAD, y.0 - PAD, z.0 - PAD], [x.1 + PAD, y.1 + PAD, z.1 + PAD])
}

//! One layer of a snapshot: an R*-tree over stations in slots, and its queries. A
//! [`StationIndex`](super::StationIndex) is a shared base layer plus a small delta layer (see
//! `overlay`); queries on the base skip the slots in a [`DeadSlots`] set during the search.

use super::filter::{Filter, KindSet, StatusSet};
use crate::amenity::AmenitySet;
use crate::geodesy::{BBox, LonLat, MEAN_EARTH_RADIUS_M};
use crate::hours::OpeningHours;
use crate::station::{Station, StationId};
use chrono::NaiveDateTime;
use rstar::primitives::GeomWithData;
use rstar::{AABB, PointDistance, RTree, RTreeNode};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::f64::consts::{FRAC_PI_2, PI};
use std::sync::Arc;

/// Lower bound of geodesic ÷ great-circle distance: the smallest WGS-84 radius of curvature
/// (meridional, at the equator: 6 335 439 m) over the mean radius 6 371 008.8 m is 0.99442;
/// 0.994 leaves a margin for rounding.
const GEODESIC_OVER_SPHERE_MIN: f64 = 0.994;

/// Upper bound of geodesic ÷ great-circle distance: the largest radius of curvature (6 399 594 m,
/// at the poles) over the mean radius is 1.00449; 1.005 leaves a margin.
const GEODESIC_OVER_SPHERE_MAX: f64 = 1.005;

/// `Payload::hours` of a station without opening hours.
const NO_HOURS: u32 = u32::MAX;
/// `Payload::hours` of a station open 24/7.
const ALWAYS_OPEN: u32 = u32::MAX - 1;

/// What the filters need of a station, stored in the tree entry itself so that rejecting a
/// candidate touches no other memory (the entry fits in rstar's node size anyway).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Payload {
    slot: u32,
    /// Index into the interned opening-hours table, or [`NO_HOURS`] / [`ALWAYS_OPEN`].
    hours: u32,
    amenities: AmenitySet,
    capacity: Option<u32>,
    kind: KindSet,
    status: StatusSet,
    /// WGS-84 degrees, for the geodesic distance without loading the station record.
    lon: f64,
    lat: f64,
}

/// A tree entry: a unit vector and its station's filter columns.
type Entry = GeomWithData<[f64; 3], Payload>;

/// Distinct opening-hours expressions, shared by every station that has the same text.
#[derive(Debug, Clone, Default)]
struct HoursTable {
    exprs: Vec<OpeningHours>,
    ids: HashMap<String, u32>,
}

impl HoursTable {
    fn intern(&mut self, h: Option<&OpeningHours>) -> u32 {
        match h {
            None => NO_HOURS,
            Some(h) if h.is_always_open() => ALWAYS_OPEN,
            Some(h) => {
                if let Some(&id) = self.ids.get(h.as_str()) {
                    return id;
                }
                let id = u32::try_from(self.exprs.len()).unwrap_or(NO_HOURS - 2).min(NO_HOURS - 2);
                self.exprs.push(h.clone());
                self.ids.insert(h.as_str().to_owned(), id);
                id
            }
        }
    }
}

/// Per-query memo of "is expression h open at the query's local time".
struct OpenMemo<'a> {
    table: &'a HoursTable,
    local: NaiveDateTime,
    seen: Vec<(u32, bool)>,
}

impl OpenMemo<'_> {
    fn is_open(&mut self, h: u32) -> bool {
        match h {
            NO_HOURS => false,
            ALWAYS_OPEN => true,
            h => {
                if let Some(&(_, v)) = self.seen.iter().find(|x| x.0 == h) {
                    return v;
                }
                let v = self.table.exprs.get(h as usize).is_some_and(|e| e.is_open_local(self.local));
                if self.seen.len() < 16 {
                    self.seen.push((h, v));
                }
                v
            }
        }
    }
}

/// A node of the best-first search, ordered so that the nearest pops first.
struct Pending<'a>(f64, &'a [RTreeNode<Entry>]);

impl PartialEq for Pending<'_> {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl Eq for Pending<'_> {}
impl PartialOrd for Pending<'_> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending<'_> {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0)
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

/// Stations in slots with an R*-tree over their positions; one layer of a
/// [`StationIndex`](super::StationIndex).
///
/// A slot's number is the tree entry's payload. Removing a station leaves its slot empty, so that
/// edits never renumber the slots of other stations. A layer made by [`Layer::build_arcs`] has no
/// empty slot and numbers its slots in id order.
#[derive(Debug, Clone, Default)]
pub(super) struct Layer {
    tree: RTree<Entry>,
    slots: Vec<Option<Arc<Station>>>,
    hours: HoursTable,
    by_id: BTreeMap<StationId, u32>,
}

/// Bits per chunk of [`DeadSlots`].
const DEAD_CHUNK_BITS: usize = 4096;

/// A persistent set of slot numbers: a table of shared 4096-bit chunks, so that a copy costs one
/// pointer per 4096 slots and adding a slot copies at most one 512-byte chunk.
#[derive(Debug, Clone, Default)]
pub(super) struct DeadSlots {
    chunks: Vec<Option<Arc<[u64; DEAD_CHUNK_BITS / 64]>>>,
    count: usize,
}

impl DeadSlots {
    /// Number of slots in the set.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Whether `slot` is in the set.
    #[inline]
    pub(super) fn contains(&self, slot: u32) -> bool {
        let i = slot as usize;
        self.count != 0
            && self
                .chunks
                .get(i / DEAD_CHUNK_BITS)
                .and_then(Option::as_ref)
                .is_some_and(|c| (c[(i % DEAD_CHUNK_BITS) / 64] >> (i % 64)) & 1 == 1)
    }

    /// Adds `slot`; returns whether it was new.
    pub(super) fn insert(&mut self, slot: u32) -> bool {
        let i = slot as usize;
        let c = i / DEAD_CHUNK_BITS;
        if self.chunks.len() <= c {
            self.chunks.resize(c + 1, None);
        }
        let chunk = Arc::make_mut(self.chunks[c].get_or_insert_with(|| Arc::new([0; DEAD_CHUNK_BITS / 64])));
        let word = &mut chunk[(i % DEAD_CHUNK_BITS) / 64];
        let bit = 1u64 << (i % 64);
        let new = *word & bit == 0;
        *word |= bit;
        self.count += usize::from(new);
        new
    }

    /// Bytes held: the chunk table and the chunks (shared chunks counted in full).
    pub(super) fn bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Option<Arc<[u64; DEAD_CHUNK_BITS / 64]>>>()
            + self.chunks.iter().flatten().count() * (DEAD_CHUNK_BITS / 8 + 16)
    }
}

fn great_circle_from_chord2(d2: f64) -> f64 {
    2.0 * MEAN_EARTH_RADIUS_M * (d2.sqrt() / 2.0).min(1.0).asin()
}

fn chord2_for_great_circle(metres: f64) -> f64 {
    let c = chord_for_great_circle(metres);
    c * c
}

fn chord_for_great_circle(metres: f64) -> f64 {
    let angle = (metres / MEAN_EARTH_RADIUS_M).min(PI);
    2.0 * (angle / 2.0).sin()
}

fn slot_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Layer {
    /// Builds a layer (bulk-loaded R*-tree, O(n log n)); slots are numbered in id order. A later
    /// station with the same id as an earlier one replaces it.
    ///
    /// # Panics
    /// Never for fewer than 2³² − 1 stations; beyond that the slot numbers would overflow.
    pub(super) fn build_arcs(stations: impl IntoIterator<Item = Arc<Station>>) -> Self {
        let mut by_id: BTreeMap<StationId, Arc<Station>> = BTreeMap::new();
        for s in stations {
            by_id.insert(s.id, s);
        }
        let n = by_id.len();
        assert!(n < u32::MAX as usize, "too many stations for one index");
        let mut slots = Vec::with_capacity(n);
        let mut hours = HoursTable::default();
        let mut entries = Vec::with_capacity(n);
        let mut ids = BTreeMap::new();
        for (i, (id, s)) in by_id.into_iter().enumerate() {
            let slot = slot_u32(i);
            entries.push(Self::entry(&mut hours, &s, slot));
            slots.push(Some(s));
            ids.insert(id, slot);
        }
        Self { tree: RTree::bulk_load(entries), slots, hours, by_id: ids }
    }

    fn entry(hours: &mut HoursTable, s: &Station, slot: u32) -> Entry {
        let d = &s.data;
        Entry::new(
            d.location.to_unit_vector(),
            Payload {
                slot,
                hours: hours.intern(d.opening_hours.as_ref()),
                amenities: d.amenities,
                capacity: d.capacity,
                kind: std::iter::once(d.kind).collect(),
                status: std::iter::once(d.status).collect(),
                lon: d.location.lon,
                lat: d.location.lat,
            },
        )
    }

    /// Inserts `s`, replacing the station with the same id (O(log n) tree insert).
    pub(super) fn insert(&mut self, s: Arc<Station>) {
        self.remove(s.id);
        let slot = slot_u32(self.slots.len());
        let entry = Self::entry(&mut self.hours, &s, slot);
        self.tree.insert(entry);
        self.by_id.insert(s.id, slot);
        self.slots.push(Some(s));
    }

    /// Removes the station with this id, leaving its slot empty; returns whether there was one.
    pub(super) fn remove(&mut self, id: StationId) -> bool {
        if let Some(slot) = self.by_id.remove(&id)
            && let Some(s) = self.slots[slot as usize].take()
        {
            // Interning is stable (the table only grows), so this rebuilds the stored entry exactly.
            let entry = Self::entry(&mut self.hours, &s, slot);
            self.tree.remove(&entry);
            return true;
        }
        false
    }

    /// Number of slots, empty ones included.
    pub(super) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The slot of the station with this id.
    pub(super) fn slot_of(&self, id: StationId) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// Every station with its slot, ordered by id.
    pub(super) fn iter_slots(&self) -> impl DoubleEndedIterator<Item = (u32, &Arc<Station>)> {
        self.by_id.values().filter_map(|&slot| Some((slot, self.slots[slot as usize].as_ref()?)))
    }

    /// Number of stations.
    pub(super) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the layer holds no station.
    pub(super) fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The station with this id.
    pub(super) fn get(&self, id: StationId) -> Option<&Arc<Station>> {
        self.by_id.get(&id).and_then(|&slot| self.slots[slot as usize].as_ref())
    }

    /// Whether an entry passes the attribute filters and, with a memo, the opening hours.
    fn pass(m: &Payload, filter: &Filter, open: Option<&mut OpenMemo<'_>>) -> bool {
        filter.kinds.contains_any(m.kind)
            && filter.statuses.contains_any(m.status)
            && m.amenities.contains_all(filter.amenities)
            && filter.min_capacity.is_none_or(|min| min == 0 || m.capacity.is_some_and(|c| c >= min))
            && open.is_none_or(|memo| memo.is_open(m.hours))
    }

    fn memo(&self, filter: &Filter) -> Option<OpenMemo<'_>> {
        filter.open_at.map(|t| OpenMemo { table: &self.hours, local: t.local(), seen: Vec::new() })
    }

    fn station(&self, m: &Payload) -> Option<&Arc<Station>> {
        self.slots.get(m.slot as usize).and_then(Option::as_ref)
    }

    /// The `k` stations nearest to `origin` that pass `filter`, nearest first, optionally only
    /// those within `max_distance_m` metres. Distances are geodesic; ties are broken by id.
    ///
    /// Method: a best-first search over the R*-tree's nodes by chord distance on the unit sphere,
    /// keeping the k nearest passing entries in great-circle order. Once k are held, the search
    /// bound is the k-th great-circle distance × 1.005 ÷ 0.994, which contains every station of the
    /// exact geodesic top k (geodesic ÷ great-circle lies in [0.994, 1.005]); geodesic distances
    /// are then computed for the survivors only.
    /// Entries whose slot is in `dead` are skipped during the search, so they never take a place
    /// in the top k.
    pub(super) fn nearest(
        &self,
        origin: LonLat,
        k: usize,
        filter: &Filter,
        max_distance_m: Option<f64>,
        dead: &DeadSlots,
    ) -> Vec<Hit> {
        if k == 0 || self.is_empty() {
            return Vec::new();
        }
        let max = max_distance_m.unwrap_or(f64::INFINITY);
        let max_chord2 =
            if max.is_finite() { chord2_for_great_circle(max / GEODESIC_OVER_SPHERE_MIN) } else { f64::INFINITY };
        let mut memo = self.memo(filter);
        let q = origin.to_unit_vector();
        let mut pending: BinaryHeap<Pending<'_>> = BinaryHeap::with_capacity(32);
        let mut candidates: Vec<(f64, &Payload)> = Vec::with_capacity(2 * k + 8);
        let mut best: Vec<f64> = Vec::with_capacity(k + 1);
        let mut bound = max_chord2;
        pending.push(Pending(0.0, self.tree.root().children()));
        while let Some(Pending(d2, children)) = pending.pop() {
            if d2 > bound {
                break;
            }
            for child in children {
                match child {
                    RTreeNode::Leaf(e) => {
                        let d2 = e.geom().distance_2(&q);
                        if d2 > bound || dead.contains(e.data.slot) || !Self::pass(&e.data, filter, memo.as_mut()) {
                            continue;
                        }
                        candidates.push((d2, &e.data));
                        if best.len() < k || d2 < best[k - 1] {
                            let pos = best.partition_point(|&x| x < d2);
                            best.insert(pos, d2);
                            best.truncate(k);
                            if best.len() == k {
                                let widened = great_circle_from_chord2(best[k - 1])
                                    * (GEODESIC_OVER_SPHERE_MAX / GEODESIC_OVER_SPHERE_MIN);
                                bound = max_chord2.min(chord2_for_great_circle(widened));
                            }
                        }
                    }
                    RTreeNode::Parent(p) => {
                        let d2 = p.envelope().distance_2(&q);
                        if d2 <= bound {
                            pending.push(Pending(d2, p.children()));
                        }
                    }
                }
            }
        }
        let mut hits: Vec<Hit> = candidates
            .into_iter()
            .filter(|c| c.0 <= bound)
            .filter_map(|(_, m)| {
                let d = origin.geodesic_distance_m(LonLat { lon: m.lon, lat: m.lat });
                let s = self.station(m)?;
                (d <= max).then(|| Hit { station: Arc::clone(s), distance_m: d })
            })
            .collect();
        hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then(a.station.id.cmp(&b.station.id)));
        hits.truncate(k);
        hits
    }

    /// Every station within `radius_m` metres (geodesic, inclusive) of `origin` that passes
    /// `filter`, nearest first (ties by id).
    /// Entries whose slot is in `dead` are skipped.
    pub(super) fn within_radius(&self, origin: LonLat, radius_m: f64, filter: &Filter, dead: &DeadSlots) -> Vec<Hit> {
        if radius_m.is_nan() || radius_m < 0.0 {
            return Vec::new();
        }
        let chord = chord_for_great_circle(radius_m / GEODESIC_OVER_SPHERE_MIN);
        let q = origin.to_unit_vector();
        let mut memo = self.memo(filter);
        let mut hits: Vec<Hit> = self
            .tree
            .locate_within_distance(q, chord * chord * (1.0 + 1e-12))
            .filter(|e| !dead.contains(e.data.slot))
            .filter(|e| Self::pass(&e.data, filter, memo.as_mut()))
            .filter_map(|e| {
                let d = origin.geodesic_distance_m(LonLat { lon: e.data.lon, lat: e.data.lat });
                let s = self.station(&e.data)?;
                (d <= radius_m).then(|| Hit { station: Arc::clone(s), distance_m: d })
            })
            .collect();
        hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then(a.station.id.cmp(&b.station.id)));
        hits
    }

    /// Every station inside `bbox` (edges inclusive) that passes `filter`, ordered by id.
    /// Entries whose slot is in `dead` are skipped.
    pub(super) fn in_bbox(&self, bbox: &BBox, filter: &Filter, dead: &DeadSlots) -> Vec<Arc<Station>> {
        let mut memo = self.memo(filter);
        let mut out: Vec<Arc<Station>> = self
            .tree
            .locate_in_envelope_intersecting(&unit_sphere_envelope(bbox))
            .filter(|e| !dead.contains(e.data.slot) && bbox.contains(LonLat { lon: e.data.lon, lat: e.data.lat }))
            .filter(|e| Self::pass(&e.data, filter, memo.as_mut()))
            .filter_map(|e| self.station(&e.data).cloned())
            .collect();
        out.sort_by_key(|s| s.id);
        out
    }

    /// Bytes held by the index structure itself (tree nodes with their filter columns, slot table,
    /// id map, interned opening hours), excluding the station records it points to. B-tree and
    /// hash-map entries are estimated at their size times 1.5 for fill slack.
    pub(super) fn index_bytes(&self) -> usize {
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
        let ids = self.by_id.len() * (std::mem::size_of::<StationId>() + std::mem::size_of::<u32>()) * 3 / 2;
        let hours = self.hours.exprs.iter().map(|h| 2 * h.as_str().len() + 64).sum::<usize>() * 3 / 2;
        tree + slots + ids + hours
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
    const PAD: f64 = 1e-12;
    let (lat0, lat1) = (b.min_lat.to_radians(), b.max_lat.to_radians());
    let (lon0, lon1) = (b.min_lon.to_radians(), b.max_lon.to_radians());
    let cos_lat = cos_range(lat0, lat1);
    let x = mul(cos_lat, cos_range(lon0, lon1));
    let y = mul(cos_lat, sin_range(lon0, lon1));
    let z = sin_range(lat0, lat1);
    AABB::from_corners([x.0 - PAD, y.0 - PAD, z.0 - PAD], [x.1 + PAD, y.1 + PAD, z.1 + PAD])
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;

//! The snapshot: a shared base layer, a small delta layer and the base slots the delta hides.
//!
//! Invariants of a [`StationIndex`]:
//! * `base` is only ever made by a bulk build, so it has no empty slot; it is shared (`Arc`) by
//!   every snapshot derived from it and never modified.
//! * `dead` holds base slots whose station was deleted or replaced since the base was built. A
//!   station id is live in at most one layer: every base slot whose id is in `delta` is in `dead`.
//! * `delta` holds the stations upserted since the base was built (minus those deleted again);
//!   each write clones it, so it is kept small by compaction.
//! * `len = base.len() − dead.len() + delta.len()`.
//!
//! A write costs O(size of delta + change): a copy of the delta layer, of the dead-slot chunk
//! table (one pointer per 4096 base slots) and of the 512-byte chunks it touches, plus R*-tree
//! inserts and removals in the delta. When the delta's slots plus the dead slots would exceed
//! max(4096, n/64) — or one change touches more than a quarter of the stations — the write
//! rebuilds a fresh base in bulk instead (O(n log n), about a bulk build: amortised over at least
//! n/64 changed stations, so O(64 log n) per change).
//!
//! Queries run on both layers and merge by (distance, id); the base search skips dead slots while
//! it searches (rather than filtering afterwards), so its top k is never short.

use super::filter::Filter;
use super::tree::{DeadSlots, Hit, Layer};
use crate::geodesy::{BBox, LonLat};
use crate::station::{Station, StationId};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Smallest compaction threshold (delta slots + dead slots), stations.
const COMPACT_FLOOR: usize = 4096;

/// An immutable snapshot of every station with an R*-tree over their positions.
///
/// Writers build a new one with [`StationIndex::with_changes`]; the new snapshot shares the bulk
/// of its memory (the base layer) with the old one, so a small write costs time and memory in
/// proportion to the change and the recent writes, not to the number of stations.
#[derive(Debug, Clone)]
pub struct StationIndex {
    base: Arc<Layer>,
    delta: Layer,
    dead: DeadSlots,
    /// The least compaction threshold; [`COMPACT_FLOOR`] except in tests.
    compact_floor: usize,
}

impl Default for StationIndex {
    fn default() -> Self {
        Self::from_base(Layer::default(), COMPACT_FLOOR)
    }
}

impl StationIndex {
    /// Builds a snapshot from stations (bulk-loaded R*-tree, O(n log n)). A later station with the
    /// same id as an earlier one replaces it.
    ///
    /// # Panics
    /// Never for fewer than 2³² − 1 stations; beyond that the slot numbers would overflow.
    #[must_use]
    pub fn build(stations: impl IntoIterator<Item = Station>) -> Self {
        Self::from_base(Layer::build_arcs(stations.into_iter().map(Arc::new)), COMPACT_FLOOR)
    }

    fn from_base(base: Layer, compact_floor: usize) -> Self {
        Self { base: Arc::new(base), delta: Layer::default(), dead: DeadSlots::default(), compact_floor }
    }

    /// The same snapshot with another least compaction threshold (tests force compaction with a
    /// small one).
    #[cfg(test)]
    pub(super) fn with_compact_floor(mut self, floor: usize) -> Self {
        self.compact_floor = floor;
        self
    }

    /// Base stations, delta slots (empty ones included) and dead base slots, for tests.
    #[cfg(test)]
    pub(super) fn layer_sizes(&self) -> (usize, usize, usize) {
        (self.base.len(), self.delta.slot_count(), self.dead.len())
    }

    /// A new snapshot with `upserts` inserted or replaced (by id) and `deletes` removed; `self` is
    /// unchanged.
    ///
    /// Cost: a small change goes into the snapshot's delta layer, O(delta + change) time and
    /// memory, sharing the base layer with `self`. Once the delta and the base stations it hides
    /// would exceed max(4096, n/64), or when the change touches more than a quarter of the
    /// stations, the snapshot is rebuilt in bulk (O(n log n), like [`StationIndex::build`]).
    #[must_use]
    pub fn with_changes(&self, upserts: Vec<Station>, deletes: &[StationId]) -> Self {
        let change = upserts.len() + deletes.len();
        // An upsert may take a delta slot and a dead base slot, a delete one dead base slot.
        let growth = 2 * upserts.len() + deletes.len();
        let threshold = self.compact_floor.max(self.len() / 64);
        if change * 4 > self.len().max(16) || self.delta.slot_count() + self.dead.len() + growth > threshold {
            return self.rebuilt(upserts, deletes);
        }
        let mut next = self.clone();
        for &id in deletes {
            next.hide(id);
        }
        for s in upserts {
            next.hide(s.id);
            next.delta.insert(Arc::new(s));
        }
        next
    }

    /// Removes `id` from the live set: from the delta, or by marking its base slot dead.
    fn hide(&mut self, id: StationId) {
        if !self.delta.remove(id)
            && let Some(slot) = self.base.slot_of(id)
        {
            self.dead.insert(slot);
        }
    }

    /// A fresh snapshot (new base, empty delta) of `self` with the changes applied.
    fn rebuilt(&self, upserts: Vec<Station>, deletes: &[StationId]) -> Self {
        let mut merged: BTreeMap<StationId, Arc<Station>> = self.iter().map(|s| (s.id, Arc::clone(s))).collect();
        for id in deletes {
            merged.remove(id);
        }
        for s in upserts {
            merged.insert(s.id, Arc::new(s));
        }
        Self::from_base(Layer::build_arcs(merged.into_values()), self.compact_floor)
    }

    /// Number of stations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.base.len() - self.dead.len() + self.delta.len()
    }

    /// Whether the snapshot holds no station.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The station with this id.
    #[must_use]
    pub fn get(&self, id: StationId) -> Option<&Arc<Station>> {
        self.delta.get(id).or_else(|| {
            let slot = self.base.slot_of(id)?;
            if self.dead.contains(slot) { None } else { self.base.get(id) }
        })
    }

    /// Every station, ordered by id.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Arc<Station>> {
        let dead = &self.dead;
        let base = self.base.iter_slots().filter(move |(slot, _)| !dead.contains(*slot)).map(|(_, s)| s);
        Merge {
            a: base,
            b: self.delta.iter_slots().map(|(_, s)| s),
            a_front: None,
            a_back: None,
            b_front: None,
            b_back: None,
            remaining: self.len(),
        }
    }

    /// The `k` stations nearest to `origin` that pass `filter`, nearest first, optionally only
    /// those within `max_distance_m` metres. Distances are geodesic; ties are broken by id.
    ///
    /// Method: a best-first search over the R*-tree's nodes by chord distance on the unit sphere,
    /// keeping the k nearest passing entries in great-circle order. Once k are held, the search
    /// bound is the k-th great-circle distance × 1.005 ÷ 0.994, which contains every station of the
    /// exact geodesic top k (geodesic ÷ great-circle lies in [0.994, 1.005]); geodesic distances
    /// are then computed for the survivors only. The base layer is searched first (skipping
    /// replaced and deleted stations), then the delta layer within the base's k-th distance, and
    /// the two are merged.
    #[must_use]
    pub fn nearest(&self, origin: LonLat, k: usize, filter: &Filter, max_distance_m: Option<f64>) -> Vec<Hit> {
        if k == 0 || self.is_empty() {
            return Vec::new();
        }
        let mut hits = self.base.nearest(origin, k, filter, max_distance_m, &self.dead);
        if !self.delta.is_empty() {
            // Only delta stations at most as far as the base's k-th (ties included) can enter the
            // top k, so that distance bounds the delta's search from the start.
            let bound = match hits.get(k - 1) {
                Some(h) => Some(max_distance_m.map_or(h.distance_m, |m| m.min(h.distance_m))),
                None => max_distance_m,
            };
            hits.extend(self.delta.nearest(origin, k, filter, bound, &DeadSlots::default()));
            sort_hits(&mut hits);
            hits.truncate(k);
        }
        hits
    }

    /// Every station within `radius_m` metres (geodesic, inclusive) of `origin` that passes
    /// `filter`, nearest first (ties by id).
    #[must_use]
    pub fn within_radius(&self, origin: LonLat, radius_m: f64, filter: &Filter) -> Vec<Hit> {
        let mut hits = self.base.within_radius(origin, radius_m, filter, &self.dead);
        if !self.delta.is_empty() {
            hits.extend(self.delta.within_radius(origin, radius_m, filter, &DeadSlots::default()));
            sort_hits(&mut hits);
        }
        hits
    }

    /// Every station inside `bbox` (edges inclusive) that passes `filter`, ordered by id.
    #[must_use]
    pub fn in_bbox(&self, bbox: &BBox, filter: &Filter) -> Vec<Arc<Station>> {
        let mut out = self.base.in_bbox(bbox, filter, &self.dead);
        if !self.delta.is_empty() {
            out.extend(self.delta.in_bbox(bbox, filter, &DeadSlots::default()));
            out.sort_by_key(|s| s.id);
        }
        out
    }

    /// Bytes held by the index structure itself (tree nodes with their filter columns, slot table,
    /// id map, interned opening hours; of the base and the delta layer, plus the dead-slot set),
    /// excluding the station records it points to. B-tree and hash-map entries are estimated at
    /// their size times 1.5 for fill slack. The base layer is shared with other snapshots.
    #[must_use]
    pub fn index_bytes(&self) -> usize {
        self.base.index_bytes() + self.delta.index_bytes() + self.dead.bytes()
    }
}

fn sort_hits(hits: &mut [Hit]) {
    hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then(a.station.id.cmp(&b.station.id)));
}

/// Merge of two id-ordered, disjoint streams of stations, from either end. Each element is held
/// in exactly one place: inside its stream, or in one of the four look-ahead cells.
struct Merge<'a, A, B> {
    a: A,
    b: B,
    a_front: Option<&'a Arc<Station>>,
    a_back: Option<&'a Arc<Station>>,
    b_front: Option<&'a Arc<Station>>,
    b_back: Option<&'a Arc<Station>>,
    remaining: usize,
}

impl<'a, A, B> Iterator for Merge<'a, A, B>
where
    A: DoubleEndedIterator<Item = &'a Arc<Station>>,
    B: DoubleEndedIterator<Item = &'a Arc<Station>>,
{
    type Item = &'a Arc<Station>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        if self.a_front.is_none() {
            self.a_front = self.a.next().or_else(|| self.a_back.take());
        }
        if self.b_front.is_none() {
            self.b_front = self.b.next().or_else(|| self.b_back.take());
        }
        let take_a = match (self.a_front, self.b_front) {
            (Some(x), Some(y)) => x.id < y.id,
            (a, _) => a.is_some(),
        };
        let out = if take_a { self.a_front.take() } else { self.b_front.take() };
        self.remaining -= usize::from(out.is_some());
        out
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a, A, B> DoubleEndedIterator for Merge<'a, A, B>
where
    A: DoubleEndedIterator<Item = &'a Arc<Station>>,
    B: DoubleEndedIterator<Item = &'a Arc<Station>>,
{
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        if self.a_back.is_none() {
            self.a_back = self.a.next_back().or_else(|| self.a_front.take());
        }
        if self.b_back.is_none() {
            self.b_back = self.b.next_back().or_else(|| self.b_front.take());
        }
        let take_a = match (self.a_back, self.b_back) {
            (Some(x), Some(y)) => x.id > y.id,
            (a, _) => a.is_some(),
        };
        let out = if take_a { self.a_back.take() } else { self.b_back.take() };
        self.remaining -= usize::from(out.is_some());
        out
    }
}

#[cfg(test)]
#[path = "overlay_tests.rs"]
mod tests;

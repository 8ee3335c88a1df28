//! Shortest-path trees: multi-source Dijkstra with nearest-source labels, time limits and
//! predecessors.
//!
//! Each node's label is the pair (travel time in ms, source index), compared lexicographically:
//! a node gets the smallest time over all seeds, and among seeds tied at that time the smallest
//! source index. Adding an arc's time preserves that order, so Dijkstra computes the minimum pair
//! exactly and ties are deterministic. The pair is packed into one `u64` (`time << 32 | source`)
//! and kept in a monotone radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990), which beats a binary
//! heap on integer keys.
//!
//! Seeds carry a starting time, so a station snapped onto the middle of a road starts both of the
//! road's end nodes at their partial times (see [`crate::network::snap`]).

use super::graph::{Direction, Graph, NONE};
use std::ops::ControlFlow;

/// A starting point of a search: a node, the time already spent reaching it (ms), and the index
/// of the source (station) it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seed {
    /// Graph node.
    pub node: u32,
    /// Time at the node before any arc is followed, milliseconds.
    pub time_ms: u32,
    /// Index of the source this seed belongs to (several seeds may share one).
    pub source: u32,
}

/// Search settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Nodes later than this (ms) are left unreached; `None` searches the whole graph.
    pub max_time_ms: Option<u32>,
    /// Record each node's predecessor for [`Tree::path`].
    pub predecessors: bool,
}

/// The result of a search: per node, the time (ms) from/to the nearest seed, which source that
/// seed belongs to, and optionally the predecessor on the shortest path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    dir: Direction,
    time: Vec<u32>,
    source: Vec<u32>,
    pred: Vec<u32>,
    reached: usize,
}

/// Time label of an unreached node.
const UNREACHED: u32 = u32::MAX;

impl Tree {
    /// The direction searched: [`Direction::Forward`] gives times *from* the seeds,
    /// [`Direction::Backward`] times *to* the seeds.
    #[must_use]
    pub fn direction(&self) -> Direction {
        self.dir
    }

    /// Number of nodes in the graph searched.
    #[must_use]
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether the graph searched had no node.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Number of nodes reached (within the time limit).
    #[must_use]
    pub fn reached_count(&self) -> usize {
        self.reached
    }

    /// Travel time of node `u`, milliseconds; `None` when unreachable (another island, a one-way
    /// trap, or beyond the time limit) or `u` is not a node.
    #[must_use]
    pub fn time_ms(&self, u: u32) -> Option<u32> {
        self.time.get(u as usize).copied().filter(|&t| t != UNREACHED)
    }

    /// Travel time of node `u`, seconds; `None` when unreachable.
    #[must_use]
    pub fn time_s(&self, u: u32) -> Option<f64> {
        self.time_ms(u).map(|ms| f64::from(ms) / 1000.0)
    }

    /// Index of the source nearest `u` in time (smallest index among ties); `None` when
    /// unreachable.
    #[must_use]
    pub fn source(&self, u: u32) -> Option<u32> {
        self.time_ms(u)?;
        self.source.get(u as usize).copied()
    }

    /// The node before `u` on its shortest path in travel order for [`Direction::Forward`] (after
    /// it for [`Direction::Backward`]); `None` for seeds, unreached nodes, or when predecessors
    /// were not recorded.
    #[must_use]
    pub fn predecessor(&self, u: u32) -> Option<u32> {
        self.pred.get(u as usize).copied().filter(|&p| p != NONE)
    }

    /// Nodes of the shortest path between `u` and its seed, in travel order: seed … `u` for a
    /// forward search, `u` … seed for a backward one. `None` when `u` is unreached or
    /// predecessors were not recorded.
    #[must_use]
    pub fn path(&self, u: u32) -> Option<Vec<u32>> {
        self.time_ms(u)?;
        if self.pred.is_empty() {
            return None;
        }
        let mut out = vec![u];
        let mut x = u;
        while let Some(p) = self.predecessor(x) {
            out.push(p);
            x = p;
            if out.len() > self.time.len() {
                return None; // unreachable for a tree built here; guards a corrupted array
            }
        }
        if self.dir == Direction::Forward {
            out.reverse();
        }
        Some(out)
    }
}

/// Monotone radix heap over `u64` keys with a `u32` payload.
struct RadixHeap {
    last: u64,
    buckets: [Vec<(u64, u32)>; 65],
}

impl RadixHeap {
    fn new() -> Self {
        Self { last: 0, buckets: std::array::from_fn(|_| Vec::new()) }
    }

    #[inline]
    fn bucket(k: u64, last: u64) -> usize {
        (64 - (k ^ last).leading_zeros()) as usize
    }

    #[inline]
    fn push(&mut self, k: u64, v: u32) {
        debug_assert!(k >= self.last, "radix heap keys must not decrease");
        self.buckets[Self::bucket(k, self.last)].push((k, v));
    }

    #[inline]
    fn pop(&mut self) -> Option<(u64, u32)> {
        self.pop_below(u64::MAX)
    }

    /// Pops the smallest entry if its key is below `bound`; otherwise leaves the heap unchanged
    /// (so later pushes only need to be ≥ the last key popped, not ≥ `bound`).
    #[inline]
    fn pop_below(&mut self, bound: u64) -> Option<(u64, u32)> {
        if self.buckets[0].is_empty() {
            let i = (1..65).find(|&i| !self.buckets[i].is_empty())?;
            let min = self.buckets[i].iter().map(|e| e.0).min()?;
            if min >= bound {
                return None;
            }
            let mut b = std::mem::take(&mut self.buckets[i]);
            self.last = min;
            for &(k, v) in &b {
                self.buckets[Self::bucket(k, min)].push((k, v));
            }
            b.clear();
            self.buckets[i] = b;
        } else if self.last >= bound {
            return None;
        }
        self.buckets[0].pop()
    }
}

/// Runs a search from `seeds` over `graph` in direction `dir`.
///
/// Seeds naming nodes out of range are ignored.
#[must_use]
pub fn search(graph: &Graph, dir: Direction, seeds: &[Seed], opts: Options) -> Tree {
    search_batched(graph, dir, seeds, opts)
}

/// Like [`search`], calling `on_settle(node, time_ms, source)` as each node's label becomes final
/// (in non-decreasing time order); returning `ControlFlow::Break` stops the search, leaving later
/// nodes unreached or with provisional (upper-bound) labels.
pub fn search_with(
    graph: &Graph,
    dir: Direction,
    seeds: &[Seed],
    opts: Options,
    on_settle: impl FnMut(u32, u32, u32) -> ControlFlow<()>,
) -> Tree {
    if opts.predecessors {
        run::<true, false>(graph, dir, seeds, opts.max_time_ms, on_settle)
    } else {
        run::<false, false>(graph, dir, seeds, opts.max_time_ms, on_settle)
    }
}

/// [`search`] without a settle callback, so nodes may be settled in batches (see [`run`]).
fn search_batched(graph: &Graph, dir: Direction, seeds: &[Seed], opts: Options) -> Tree {
    let go = |_, _, _| ControlFlow::Continue(());
    if opts.predecessors {
        run::<true, true>(graph, dir, seeds, opts.max_time_ms, go)
    } else {
        run::<false, true>(graph, dir, seeds, opts.max_time_ms, go)
    }
}

/// Relaxes the arcs of `u`, settled at time `t` for source `src`.
#[inline(always)] // the innermost loop of every search
#[allow(clippy::too_many_arguments, clippy::inline_always)]
fn relax<const PRED: bool>(
    u: u32,
    t: u64,
    src: u32,
    limit: u64,
    (offsets, arcs): (&[u32], &[super::graph::Arc]),
    time: &mut [u32],
    source: &mut [u32],
    pred: &mut [u32],
    heap: &mut RadixHeap,
) {
    let ui = u as usize;
    let (lo, hi) = (offsets[ui] as usize, offsets[ui + 1] as usize);
    for a in &arcs[lo..hi] {
        let nt = t + u64::from(a.time_ms);
        if nt > limit {
            continue;
        }
        let nt = nt as u32;
        let h = a.head as usize;
        let cur = time[h];
        if nt < cur || (nt == cur && src < source[h]) {
            time[h] = nt;
            source[h] = src;
            if PRED {
                pred[h] = u;
            }
            heap.push((u64::from(nt) << 32) | u64::from(src), a.head);
        }
    }
}

fn run<const PRED: bool, const BATCH: bool>(
    graph: &Graph,
    dir: Direction,
    seeds: &[Seed],
    max_time_ms: Option<u32>,
    mut on_settle: impl FnMut(u32, u32, u32) -> ControlFlow<()>,
) -> Tree {
    let n = graph.node_count();
    let (offsets, arcs) = graph.csr(dir);
    // Labels are split into a time column (read on every relaxation) and a source column (read
    // only on ties and written on updates), halving the memory touched per arc.
    let mut time = vec![UNREACHED; n];
    let mut source = vec![NONE; n];
    let mut pred = if PRED { vec![NONE; n] } else { Vec::new() };
    let limit = u64::from(max_time_ms.unwrap_or(u32::MAX - 1).min(u32::MAX - 1));
    let pack = |t: u64, s: u32| (t << 32) | u64::from(s);
    let mut heap = RadixHeap::new();
    let mut sorted: Vec<Seed> = seeds.iter().copied().filter(|s| (s.node as usize) < n).collect();
    sorted.sort_unstable_by_key(|s| (s.time_ms, s.source));
    for s in sorted {
        let i = s.node as usize;
        if u64::from(s.time_ms) <= limit && (s.time_ms, s.source) < (time[i], source[i]) {
            time[i] = s.time_ms;
            source[i] = s.source;
            heap.push(pack(u64::from(s.time_ms), s.source), s.node);
        }
    }
    let mut reached = 0usize;
    let w_min = u64::from(graph.min_arc_time_ms());
    let csr = (offsets, arcs);
    if BATCH && w_min > 0 {
        // Every label below (smallest label in the heap) + (smallest arc time) is final: no
        // relaxation can produce a label that low. Such a batch is settled in node order, which
        // walks the arrays nearly sequentially instead of jumping around the graph.
        // Popped entries are not checked against the labels as they come out of the heap (that
        // would be a cache miss per entry in time order); the batch is sorted by node first and
        // checked in node order: a node whose label is below the batch's first time was settled
        // in an earlier batch (the entry is stale), duplicates are stale entries of one node.
        let mut batch: Vec<u32> = Vec::new();
        while let Some((k, u)) = heap.pop() {
            let t0 = k >> 32;
            let bound = t0 + w_min;
            batch.clear();
            batch.push(u);
            while let Some((_, u2)) = heap.pop_below(bound << 32) {
                batch.push(u2);
            }
            batch.sort_unstable();
            batch.dedup();
            for &v in &batch {
                let vi = v as usize;
                if u64::from(time[vi]) < t0 {
                    continue;
                }
                reached += 1;
                relax::<PRED>(
                    v,
                    u64::from(time[vi]),
                    source[vi],
                    limit,
                    csr,
                    &mut time,
                    &mut source,
                    &mut pred,
                    &mut heap,
                );
            }
        }
    }
    while let Some((k, u)) = heap.pop() {
        let ui = u as usize;
        if k != pack(u64::from(time[ui]), source[ui]) {
            continue;
        }
        reached += 1;
        let src = k as u32;
        if on_settle(u, (k >> 32) as u32, src).is_break() {
            break;
        }
        relax::<PRED>(u, k >> 32, src, limit, csr, &mut time, &mut source, &mut pred, &mut heap);
    }
    // Stopped early: a reached node whose current label still sits in the heap was never
    // settled; its label is only an upper bound, so report it as unreached.
    for b in &heap.buckets {
        for &(k, v) in b {
            let vi = v as usize;
            if time[vi] != UNREACHED && pack(u64::from(time[vi]), source[vi]) == k {
                time[vi] = UNREACHED;
                source[vi] = NONE;
                if PRED {
                    pred[vi] = NONE;
                }
            }
        }
    }
    Tree { dir, time, source, pred, reached }
}

/// For every node, the travel time **to** the nearest source and which source it is: a
/// backward multi-source search over the whole graph, without predecessors.
#[must_use]
pub fn nearest_field(graph: &Graph, seeds: &[Seed]) -> Tree {
    search_batched(graph, Direction::Backward, seeds, Options::default())
}

#[cfg(test)]
#[path = "dijkstra_tests.rs"]
pub(crate) mod tests;

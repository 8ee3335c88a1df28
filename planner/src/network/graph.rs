//! The routable graph in compressed sparse rows (CSR), its reverse, its connected components, and
//! its compact binary form.
//!
//! Nodes are numbered `0..n` and carry a WGS-84 position (degrees). Arcs are directed; each has a
//! travel time in whole **milliseconds** (`u32`, so path sums are exact integers and ties are
//! exact) and a length in metres (`f32`). Parallel arcs are merged keeping the fastest; self-loops
//! are dropped.
//!
//! # Binary form (version [`FORMAT_VERSION`], all little-endian)
//!
//! | field | type |
//! |---|---|
//! | magic `YZGRAPH\0` | 8 bytes |
//! | format version, [`PROFILE_VERSION`] | u32, u32 |
//! | travel mode (0 walk, 1 e-bike, 2 car) | u8 |
//! | source stamp: byte size, CRC-32 of the bytes, mtime (s since 1970) | u64, u32, i64 |
//! | node count n, arc count m | u64, u64 |
//! | has OSM ids | u8 |
//! | lon, lat per node | n × (f64, f64) |
//! | OSM id per node (if flagged) | n × i64 |
//! | row offsets | (n + 1) × u32 |
//! | head, time (ms), length (m) per arc | m × (u32, u32, f32) |
//! | CRC-32 of everything above | u32 |
//!
//! The reverse graph and the components are rebuilt on load (linear time). Files holding this form
//! (the graph cache) are written and read by [`super::files`].

use super::NetworkError;
use super::profile::PROFILE_VERSION;
use crate::eta::TravelMode;
use crate::geodesy::LonLat;

/// Version of the binary form written by [`Graph::to_bytes`].
pub const FORMAT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"YZGRAPH\0";

/// "No node" / "no source" marker in `u32` node and source columns.
pub const NONE: u32 = u32::MAX;

/// One directed arc as stored in a CSR row: where it goes and how long it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arc {
    /// The node at the other end (the head in the forward graph, the tail in the reverse graph).
    pub head: u32,
    /// Travel time along the arc, milliseconds.
    pub time_ms: u32,
}

/// An arc given to [`Graph::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArcInput {
    /// Tail node.
    pub from: u32,
    /// Head node.
    pub to: u32,
    /// Travel time, milliseconds.
    pub time_ms: u32,
    /// Length, metres.
    pub length_m: f32,
}

/// One direction of adjacency in CSR form.
#[derive(Debug, Clone, Default, PartialEq)]
struct Csr {
    offsets: Vec<u32>,
    arcs: Vec<Arc>,
    length_m: Vec<f32>,
}

impl Csr {
    fn row(&self, u: u32) -> std::ops::Range<usize> {
        self.offsets[u as usize] as usize..self.offsets[u as usize + 1] as usize
    }

    /// Transpose by counting sort; rows of the result are sorted by head because tails are
    /// visited in increasing order.
    fn transpose(&self, n: usize) -> Csr {
        let mut counts = vec![0u32; n + 1];
        for a in &self.arcs {
            counts[a.head as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let offsets = counts.clone();
        let mut next = counts;
        let mut arcs = vec![Arc { head: 0, time_ms: 0 }; self.arcs.len()];
        let mut length_m = vec![0f32; self.arcs.len()];
        for u in 0..n {
            for i in self.row(u as u32) {
                let a = self.arcs[i];
                let slot = &mut next[a.head as usize];
                arcs[*slot as usize] = Arc { head: u as u32, time_ms: a.time_ms };
                length_m[*slot as usize] = self.length_m[i];
                *slot += 1;
            }
        }
        Csr { offsets, arcs, length_m }
    }
}

/// Which way a search follows the arcs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Along the arcs: travel *from* the seeds (e.g. from a rider to stations).
    Forward,
    /// Against the arcs: travel *towards* the seeds (e.g. from every node to its nearest station).
    Backward,
}

/// Weakly connected components ("islands"): nodes joined by arcs in either direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Components {
    /// Component of each node; components are numbered by size, largest first (0 = main network).
    pub label: Vec<u32>,
    /// Node count of each component, in label order (non-increasing).
    pub sizes: Vec<u32>,
}

impl Components {
    fn compute(n: usize, fwd: &Csr) -> Self {
        fn find(p: &mut [u32], mut x: u32) -> u32 {
            while p[x as usize] != x {
                let g = p[p[x as usize] as usize];
                p[x as usize] = g;
                x = g;
            }
            x
        }
        let mut parent: Vec<u32> = (0..n as u32).collect();
        for u in 0..n as u32 {
            for a in &fwd.arcs[fwd.row(u)] {
                let (ru, rv) = (find(&mut parent, u), find(&mut parent, a.head));
                if ru != rv {
                    let (lo, hi) = if ru < rv { (ru, rv) } else { (rv, ru) };
                    parent[hi as usize] = lo;
                }
            }
        }
        let mut root_size = vec![0u32; n];
        let roots: Vec<u32> = (0..n as u32).map(|u| find(&mut parent, u)).collect();
        for &r in &roots {
            root_size[r as usize] += 1;
        }
        // Order components by size descending, then by smallest node for determinism.
        let mut comps: Vec<u32> = (0..n as u32).filter(|&r| roots[r as usize] == r).collect();
        comps.sort_by_key(|&r| (std::cmp::Reverse(root_size[r as usize]), r));
        let mut id_of_root = vec![NONE; n];
        for (i, &r) in comps.iter().enumerate() {
            id_of_root[r as usize] = i as u32;
        }
        let label = roots.iter().map(|&r| id_of_root[r as usize]).collect();
        let sizes = comps.iter().map(|&r| root_size[r as usize]).collect();
        Self { label, sizes }
    }
}

/// What a cached graph was built from: the source file's size, checksum and modification time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceStamp {
    /// Size of the source file, bytes.
    pub size: u64,
    /// CRC-32 (IEEE) of the source file's bytes.
    pub crc32: u32,
    /// Modification time, whole seconds since 1970-01-01 UTC (informational; not used to decide).
    pub mtime_s: i64,
}

impl SourceStamp {
    /// Whether a graph stamped `self` was built from the same bytes as `other` (size and CRC).
    #[must_use]
    pub fn same_source(&self, other: &Self) -> bool {
        self.size == other.size && self.crc32 == other.crc32
    }
}

/// A routable graph for one travel mode: node positions, forward and reverse CSR adjacency, and
/// connected components. Immutable once built; share it behind an `Arc`.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    mode: TravelMode,
    coords: Vec<LonLat>,
    osm_ids: Vec<i64>,
    fwd: Csr,
    bwd: Csr,
    components: Components,
    min_arc_ms: u32,
}

fn mode_byte(m: TravelMode) -> u8 {
    match m {
        TravelMode::Walk => 0,
        TravelMode::Ebike => 1,
        TravelMode::Car => 2,
    }
}

impl Graph {
    /// Builds a graph from node positions (WGS-84 degrees) and arcs. `osm_ids` is either empty
    /// (synthetic graph) or gives each node's OpenStreetMap id. Self-loops are dropped; of
    /// parallel arcs the fastest (then shortest) is kept. Already sorted input (by tail, then
    /// head) is not re-sorted.
    ///
    /// # Errors
    /// [`NetworkError::Invalid`] when an arc names a node out of range, `osm_ids` has the wrong
    /// length, or there are 2³² − 1 nodes or arcs or more.
    pub fn new(
        mode: TravelMode,
        coords: Vec<LonLat>,
        osm_ids: Vec<i64>,
        mut arcs: Vec<ArcInput>,
    ) -> Result<Self, NetworkError> {
        let n = coords.len();
        if n >= NONE as usize || arcs.len() >= NONE as usize {
            return Err(NetworkError::Invalid(format!("{n} nodes / {} arcs is too many", arcs.len())));
        }
        if !osm_ids.is_empty() && osm_ids.len() != n {
            return Err(NetworkError::Invalid(format!("{} OSM ids for {n} nodes", osm_ids.len())));
        }
        if let Some(a) = arcs.iter().find(|a| a.from as usize >= n || a.to as usize >= n) {
            return Err(NetworkError::Invalid(format!("arc {}→{} names a node beyond {n}", a.from, a.to)));
        }
        let key = |a: &ArcInput| (a.from, a.to, a.time_ms, a.length_m.to_bits());
        if !arcs.is_sorted_by_key(key) {
            arcs.sort_unstable_by(|a, b| {
                (a.from, a.to, a.time_ms).cmp(&(b.from, b.to, b.time_ms)).then(a.length_m.total_cmp(&b.length_m))
            });
        }
        arcs.dedup_by(|b, a| a.from == b.from && a.to == b.to);
        arcs.retain(|a| a.from != a.to);
        let mut offsets = vec![0u32; n + 1];
        for a in &arcs {
            offsets[a.from as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let fwd = Csr {
            offsets,
            arcs: arcs.iter().map(|a| Arc { head: a.to, time_ms: a.time_ms }).collect(),
            length_m: arcs.iter().map(|a| a.length_m).collect(),
        };
        Ok(Self::from_csr(mode, coords, osm_ids, fwd))
    }

    fn from_csr(mode: TravelMode, coords: Vec<LonLat>, osm_ids: Vec<i64>, fwd: Csr) -> Self {
        let n = coords.len();
        let bwd = fwd.transpose(n);
        let components = Components::compute(n, &fwd);
        let min_arc_ms = fwd.arcs.iter().map(|a| a.time_ms).min().unwrap_or(u32::MAX);
        Self { mode, coords, osm_ids, fwd, bwd, components, min_arc_ms }
    }

    /// The travel mode the arcs' times are for.
    #[must_use]
    pub fn mode(&self) -> TravelMode {
        self.mode
    }

    /// Number of nodes.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.coords.len()
    }

    /// Number of directed arcs.
    #[must_use]
    pub fn arc_count(&self) -> usize {
        self.fwd.arcs.len()
    }

    /// Position of node `u`, WGS-84 degrees.
    ///
    /// # Panics
    /// When `u` is not a node.
    #[must_use]
    pub fn coord(&self, u: u32) -> LonLat {
        self.coords[u as usize]
    }

    /// Every node's position, WGS-84 degrees, indexed by node.
    #[must_use]
    pub fn coords(&self) -> &[LonLat] {
        &self.coords
    }

    /// OpenStreetMap id of node `u`, if the graph came from OSM.
    #[must_use]
    pub fn osm_id(&self, u: u32) -> Option<i64> {
        self.osm_ids.get(u as usize).copied()
    }

    /// Arcs leaving `u` (sorted by head).
    #[must_use]
    pub fn out_arcs(&self, u: u32) -> &[Arc] {
        &self.fwd.arcs[self.fwd.row(u)]
    }

    /// Arcs entering `u`, as `Arc { head: tail, time_ms }` (sorted by tail).
    #[must_use]
    pub fn in_arcs(&self, u: u32) -> &[Arc] {
        &self.bwd.arcs[self.bwd.row(u)]
    }

    /// Arcs of `u` in the given direction: [`Self::out_arcs`] for forward, [`Self::in_arcs`]
    /// for backward.
    #[must_use]
    pub fn arcs(&self, dir: Direction, u: u32) -> &[Arc] {
        match dir {
            Direction::Forward => self.out_arcs(u),
            Direction::Backward => self.in_arcs(u),
        }
    }

    /// The CSR row arrays of one direction: `(offsets, arcs)`, `offsets.len() == n + 1`.
    #[must_use]
    pub fn csr(&self, dir: Direction) -> (&[u32], &[Arc]) {
        let c = match dir {
            Direction::Forward => &self.fwd,
            Direction::Backward => &self.bwd,
        };
        (&c.offsets, &c.arcs)
    }

    /// The arc `u → v`: its travel time (ms) and length (m).
    #[must_use]
    pub fn arc(&self, u: u32, v: u32) -> Option<(u32, f32)> {
        if u as usize >= self.node_count() {
            return None;
        }
        let row = self.fwd.row(u);
        let arcs = &self.fwd.arcs[row.clone()];
        let i = arcs.binary_search_by_key(&v, |a| a.head).ok()?;
        Some((arcs[i].time_ms, self.fwd.length_m[row.start + i]))
    }

    /// Every arc as `(from, to, time_ms, length_m)`, ordered by tail then head.
    pub fn iter_arcs(&self) -> impl Iterator<Item = (u32, u32, u32, f32)> + '_ {
        (0..self.node_count() as u32).flat_map(move |u| {
            let row = self.fwd.row(u);
            self.fwd.arcs[row.clone()].iter().zip(&self.fwd.length_m[row]).map(move |(a, &l)| (u, a.head, a.time_ms, l))
        })
    }

    /// The smallest arc travel time, milliseconds (`u32::MAX` for a graph without arcs).
    #[must_use]
    pub fn min_arc_time_ms(&self) -> u32 {
        self.min_arc_ms
    }

    /// Connected components ("islands") of the graph.
    #[must_use]
    pub fn components(&self) -> &Components {
        &self.components
    }

    /// Bytes held by the graph's arrays (positions, ids, both CSR directions, components).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        let csr = |c: &Csr| c.offsets.len() * 4 + c.arcs.len() * 8 + c.length_m.len() * 4;
        self.coords.len() * 16
            + self.osm_ids.len() * 8
            + csr(&self.fwd)
            + csr(&self.bwd)
            + self.components.label.len() * 4
            + self.components.sizes.len() * 4
    }

    /// The binary form (see the module docs) stamped with `source`.
    #[must_use]
    pub fn to_bytes(&self, source: SourceStamp) -> Vec<u8> {
        let n = self.node_count();
        let m = self.arc_count();
        let mut buf: Vec<u8> = Vec::with_capacity(64 + n * 28 + m * 12);
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        buf.extend_from_slice(&PROFILE_VERSION.to_le_bytes());
        buf.push(mode_byte(self.mode));
        buf.extend_from_slice(&source.size.to_le_bytes());
        buf.extend_from_slice(&source.crc32.to_le_bytes());
        buf.extend_from_slice(&source.mtime_s.to_le_bytes());
        buf.extend_from_slice(&(n as u64).to_le_bytes());
        buf.extend_from_slice(&(m as u64).to_le_bytes());
        buf.push(u8::from(!self.osm_ids.is_empty()));
        for c in &self.coords {
            buf.extend_from_slice(&c.lon.to_le_bytes());
            buf.extend_from_slice(&c.lat.to_le_bytes());
        }
        for id in &self.osm_ids {
            buf.extend_from_slice(&id.to_le_bytes());
        }
        for o in &self.fwd.offsets {
            buf.extend_from_slice(&o.to_le_bytes());
        }
        for (a, l) in self.fwd.arcs.iter().zip(&self.fwd.length_m) {
            buf.extend_from_slice(&a.head.to_le_bytes());
            buf.extend_from_slice(&a.time_ms.to_le_bytes());
            buf.extend_from_slice(&l.to_le_bytes());
        }
        let crc = crc32fast::hash(&buf);
        buf.extend_from_slice(&crc.to_le_bytes());
        buf
    }

    /// Reads the stamp of a binary graph without decoding the rest; `None` if the header is not
    /// one this version writes (wrong magic, format or profile version).
    #[must_use]
    pub fn peek_stamp(bytes: &[u8]) -> Option<(TravelMode, SourceStamp)> {
        let mut r = Reader { b: bytes, pos: 0 };
        if r.take(8)? != MAGIC || r.u32()? != FORMAT_VERSION || r.u32()? != PROFILE_VERSION {
            return None;
        }
        let mode = match r.take(1)?[0] {
            0 => TravelMode::Walk,
            1 => TravelMode::Ebike,
            2 => TravelMode::Car,
            _ => return None,
        };
        let size = r.u64()?;
        let crc32 = r.u32()?;
        let mtime_s = r.u64()? as i64;
        Some((mode, SourceStamp { size, crc32, mtime_s }))
    }

    /// Decodes the binary form.
    ///
    /// # Errors
    /// [`NetworkError::Format`] when the bytes are truncated, fail the checksum, come from another
    /// format or profile version, or describe an inconsistent graph.
    pub fn read_from(bytes: &[u8]) -> Result<(Self, SourceStamp), NetworkError> {
        let bad = |what: &str| NetworkError::Format(what.to_owned());
        if bytes.len() < 4 {
            return Err(bad("file too short"));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 4);
        let stored = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
        if crc32fast::hash(body) != stored {
            return Err(bad("checksum mismatch (file damaged or truncated)"));
        }
        let (mode, stamp) = Self::peek_stamp(body).ok_or_else(|| bad("not a graph of this format/profile version"))?;
        let mut r = Reader { b: body, pos: 8 + 4 + 4 + 1 + 8 + 4 + 8 };
        let short = || bad("truncated");
        let n = usize::try_from(r.u64().ok_or_else(short)?).map_err(|_| short())?;
        let m = usize::try_from(r.u64().ok_or_else(short)?).map_err(|_| short())?;
        let has_ids = r.take(1).ok_or_else(short)?[0] != 0;
        let need = n
            .checked_mul(16 + if has_ids { 8 } else { 0 } + 4)
            .and_then(|x| x.checked_add(4))
            .and_then(|x| x.checked_add(m.checked_mul(12)?));
        if need != Some(body.len() - r.pos) {
            return Err(bad("section sizes do not match the header"));
        }
        let mut coords = Vec::with_capacity(n);
        for _ in 0..n {
            let (lon, lat) = (r.f64().ok_or_else(short)?, r.f64().ok_or_else(short)?);
            coords.push(LonLat::new(lon, lat).map_err(|e| NetworkError::Format(e.to_string()))?);
        }
        let osm_ids = if has_ids {
            (0..n).map(|_| r.u64().map(|x| x as i64)).collect::<Option<Vec<_>>>().ok_or_else(short)?
        } else {
            Vec::new()
        };
        let offsets = (0..=n).map(|_| r.u32()).collect::<Option<Vec<_>>>().ok_or_else(short)?;
        if offsets[0] != 0 || offsets[n] as usize != m || !offsets.is_sorted() {
            return Err(bad("row offsets are not a valid CSR index"));
        }
        let mut arcs = Vec::with_capacity(m);
        let mut length_m = Vec::with_capacity(m);
        for _ in 0..m {
            let head = r.u32().ok_or_else(short)?;
            if head as usize >= n {
                return Err(bad("arc head out of range"));
            }
            arcs.push(Arc { head, time_ms: r.u32().ok_or_else(short)? });
            length_m.push(f32::from_bits(r.u32().ok_or_else(short)?));
        }
        let fwd = Csr { offsets, arcs, length_m };
        Ok((Self::from_csr(mode, coords, osm_ids, fwd), stamp))
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, k: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.pos..self.pos.checked_add(k)?)?;
        self.pos += k;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).and_then(|s| s.try_into().ok()).map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes)
    }
    fn f64(&mut self) -> Option<f64> {
        self.u64().map(f64::from_bits)
    }
}

#[cfg(test)]
#[path = "graph_tests.rs"]
pub(crate) mod tests;

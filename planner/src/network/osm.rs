//! Reading an OpenStreetMap `.osm.pbf` extract (bytes or a reader) into routable graphs. Opening
//! extracts on disk and caching their graphs is [`super::files`]' job.
//!
//! Two passes over the file (both parallel over PBF blocks): the first keeps the ways some
//! profile can use, with their node references and per-mode [`Traversal`]; the second reads the
//! positions of just the nodes those ways reference. Memory is therefore proportional to the
//! road network, not to the whole extract.
//!
//! Every OSM node on a usable way becomes a graph node and every pair of consecutive way nodes a
//! straight segment, so route geometry and snapping follow the mapped road shape exactly. Nodes
//! are numbered along a Hilbert curve over their positions so that nearby nodes sit nearby in
//! memory. Segment lengths are ellipsoidal metres ([`segment_length_m`]); arc
//! times are length ÷ the profile speed, rounded to the millisecond. Way segments touching a node
//! missing from the extract (ways cut at its border) are dropped.

use super::graph::{ArcInput, Graph};
use super::profile::{Traversal, WayTags, traversal};
use super::{NetworkError, secs_to_ms, segment_length_m};
use crate::eta::TravelMode;
use crate::geodesy::LonLat;
use osmpbf::{Element, ElementReader};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// A usable way: its node references and how each mode (walk, e-bike, car) may travel it.
#[derive(Debug, Clone)]
struct WayRec {
    refs: Vec<i64>,
    modes: [Option<Traversal>; 3],
}

fn mode_index(m: TravelMode) -> usize {
    match m {
        TravelMode::Walk => 0,
        TravelMode::Ebike => 1,
        TravelMode::Car => 2,
    }
}

fn pbf_error(path: &Path, e: &osmpbf::Error) -> NetworkError {
    NetworkError::Pbf { path: path.to_owned(), message: e.to_string() }
}

/// Reads a PBF extract held in memory and builds one graph per mode in `modes` (in that order);
/// errors name the path `<memory>`.
///
/// # Errors
/// [`NetworkError::Pbf`] when the bytes cannot be decoded.
pub fn import_bytes(bytes: &[u8], modes: &[TravelMode]) -> Result<Vec<Graph>, NetworkError> {
    import_reader(std::io::Cursor::new(bytes), Path::new("<memory>"), modes)
}

/// Reads a PBF extract from `reader` (twice: one pass for ways, one for nodes, rewinding to where
/// the reader stood in between) and builds one graph per mode in `modes` (in that order). `source`
/// names the extract in errors.
///
/// # Errors
/// [`NetworkError::Pbf`] when the extract cannot be read or decoded.
pub fn import_reader<R: Read + Seek + Send>(
    mut reader: R,
    source: &Path,
    modes: &[TravelMode],
) -> Result<Vec<Graph>, NetworkError> {
    let io = |e: std::io::Error| pbf_error(source, &osmpbf::Error::from(e));
    let start = reader.stream_position().map_err(io)?;
    // Pass 1: usable ways.
    let ways: Vec<WayRec> = ElementReader::new(&mut reader)
        .par_map_reduce(
            |el| match el {
                Element::Way(w) => {
                    let tags = WayTags::from_pairs(w.tags());
                    tags.highway?;
                    let m = [TravelMode::Walk, TravelMode::Ebike, TravelMode::Car].map(|m| traversal(m, &tags));
                    if m.iter().all(Option::is_none) {
                        return None;
                    }
                    Some(vec![WayRec { refs: w.refs().collect(), modes: m }])
                }
                _ => None,
            },
            || None,
            |a: Option<Vec<WayRec>>, b| match (a, b) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                (a, b) => a.or(b),
            },
        )
        .map_err(|e| pbf_error(source, &e))?
        .unwrap_or_default();
    let mut ways = ways;
    // Blocks are reduced in a nondeterministic order; sort for a reproducible graph.
    ways.sort_by(|a, b| a.refs.cmp(&b.refs));
    let mut needed: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    needed.sort_unstable();
    needed.dedup();

    // Pass 2: positions of referenced nodes.
    reader.seek(SeekFrom::Start(start)).map_err(io)?;
    let found: Vec<(i64, f64, f64)> = ElementReader::new(&mut reader)
        .par_map_reduce(
            |el| {
                let (id, lon, lat) = match el {
                    Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                    Element::Node(n) => (n.id(), n.lon(), n.lat()),
                    _ => return Vec::new(),
                };
                if needed.binary_search(&id).is_ok() { vec![(id, lon, lat)] } else { Vec::new() }
            },
            Vec::new,
            |mut a, b| {
                a.extend(b);
                a
            },
        )
        .map_err(|e| pbf_error(source, &e))?;
    let mut pos: Vec<Option<LonLat>> = vec![None; needed.len()];
    for (id, lon, lat) in found {
        if let (Ok(i), Ok(p)) = (needed.binary_search(&id), LonLat::new(lon, lat)) {
            pos[i] = Some(p);
        }
    }

    // Way node references as indices into `needed`.
    let way_idx: Vec<Vec<usize>> =
        ways.iter().map(|w| w.refs.iter().filter_map(|r| needed.binary_search(r).ok()).collect()).collect();
    modes.iter().map(|&m| build_mode(m, &ways, &way_idx, &needed, &pos)).collect()
}

fn build_mode(
    mode: TravelMode,
    ways: &[WayRec],
    way_idx: &[Vec<usize>],
    needed: &[i64],
    pos: &[Option<LonLat>],
) -> Result<Graph, NetworkError> {
    let mi = mode_index(mode);
    let mut used = vec![false; needed.len()];
    for (w, idx) in ways.iter().zip(way_idx) {
        if w.modes[mi].is_none() {
            continue;
        }
        for pair in idx.windows(2) {
            if pos[pair[0]].is_some() && pos[pair[1]].is_some() && pair[0] != pair[1] {
                used[pair[0]] = true;
                used[pair[1]] = true;
            }
        }
    }
    let mut nodes: Vec<usize> = (0..needed.len()).filter(|&i| used[i]).collect();
    let coords_of = |i: usize| pos[i].unwrap_or(LonLat { lon: 0.0, lat: 0.0 });
    hilbert_sort(&mut nodes, coords_of);
    let mut graph_id = vec![u32::MAX; needed.len()];
    for (k, &i) in nodes.iter().enumerate() {
        graph_id[i] = k as u32;
    }
    let mut arcs = Vec::new();
    for (w, idx) in ways.iter().zip(way_idx) {
        let Some(tr) = w.modes[mi] else { continue };
        for pair in idx.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (Some(pa), Some(pb)) = (pos[a], pos[b]) else { continue };
            if a == b {
                continue;
            }
            let len = segment_length_m(pa, pb);
            let (ga, gb) = (graph_id[a], graph_id[b]);
            if let Some(v) = tr.forward_m_s {
                arcs.push(ArcInput { from: ga, to: gb, time_ms: secs_to_ms(len / v), length_m: len as f32 });
            }
            if let Some(v) = tr.backward_m_s {
                arcs.push(ArcInput { from: gb, to: ga, time_ms: secs_to_ms(len / v), length_m: len as f32 });
            }
        }
    }
    let coords = nodes.iter().map(|&i| coords_of(i)).collect();
    let ids = nodes.iter().map(|&i| needed[i]).collect();
    Graph::new(mode, coords, ids, arcs)
}

/// Sorts `items` along a Hilbert curve over their positions (16 bits per axis over the bounding
/// box), for memory locality of nearby nodes.
fn hilbert_sort<T: Copy>(items: &mut [T], pos: impl Fn(T) -> LonLat) {
    if items.is_empty() {
        return;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &it in items.iter() {
        let p = pos(it);
        (x0, y0, x1, y1) = (x0.min(p.lon), y0.min(p.lat), x1.max(p.lon), y1.max(p.lat));
    }
    let (sx, sy) = (65535.0 / (x1 - x0).max(1e-12), 65535.0 / (y1 - y0).max(1e-12));
    items.sort_by_cached_key(|&it| {
        let p = pos(it);
        hilbert_d(((p.lon - x0) * sx) as u32, ((p.lat - y0) * sy) as u32)
    });
}

/// Index along the order-16 Hilbert curve of cell `(x, y)`, `x, y < 2¹⁶`.
fn hilbert_d(mut x: u32, mut y: u32) -> u64 {
    let n: u32 = 1 << 16;
    let mut d: u64 = 0;
    let mut s = n / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

#[cfg(test)]
#[path = "osm_tests.rs"]
mod tests;

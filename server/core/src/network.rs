//! Road networks in the server: loading the graphs of an OpenStreetMap extract (cached between
//! runs) and ranking stations by travel time along the roads.
//!
//! Units: positions WGS-84 degrees (longitude first), lengths metres, times seconds.

use crate::config::Config;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::geodesy::{BBox, LonLat};
use yizhan_planner::index::{Filter, StationIndex};
use yizhan_planner::network::files::{self, CacheState, CachedGraph};
use yizhan_planner::network::snap::SnapOptions;
use yizhan_planner::network::{Graph, NetworkError, RoadNetwork};
use yizhan_planner::station::Station;

/// The extract the demo loads when no `--network` is given: central Helsinki (relative to the
/// working directory, like the default data directory).
pub const DEMO_NETWORK: &str = "data/osm/helsinki-centre.osm.pbf";

/// Where the cached graph of `mode` for extract `pbf` lives: `<cache_dir>/<extract name>.<mode>.yzg`,
/// or next to the extract without a cache directory.
#[must_use]
pub fn cache_file(pbf: &Path, mode: TravelMode, cache_dir: Option<&Path>) -> PathBuf {
    let beside = files::cache_path(pbf, mode);
    match (cache_dir, beside.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => beside,
    }
}

/// The graphs of `modes` for extract `pbf`: read from their cache files (in `cache_dir`, or next to
/// the extract) when these were built from the same bytes of the extract (size and CRC-32 in the
/// cache's stamp) with the current format and profile versions; otherwise built from the extract
/// (one read for every stale mode) and saved atomically (temporary file, then rename), so
/// processes sharing a cache never see a half-written file.
///
/// # Errors
/// [`NetworkError::Io`] when the extract cannot be read (missing, unreadable), [`NetworkError::Pbf`]
/// when it is not an OSM PBF file. A damaged or stale cache file is not an error: it is rebuilt;
/// a cache that cannot be written is reported as [`CacheState::BuiltNotSaved`].
pub fn load_graphs(
    pbf: &Path,
    modes: &[TravelMode],
    cache_dir: Option<&Path>,
) -> Result<Vec<CachedGraph>, NetworkError> {
    let stamp = files::source_stamp(pbf)?;
    let mut out: Vec<Option<CachedGraph>> = Vec::with_capacity(modes.len());
    let mut stale: Vec<TravelMode> = Vec::new();
    for &m in modes {
        let file = cache_file(pbf, m, cache_dir);
        let cached = std::fs::read(&file).ok().and_then(|bytes| {
            let (mode, s) = Graph::peek_stamp(&bytes)?;
            if mode != m || !s.same_source(&stamp) {
                return None;
            }
            Graph::read_from(&bytes).ok().map(|(g, _)| g)
        });
        if let Some(graph) = cached {
            out.push(Some(CachedGraph { graph, state: CacheState::Loaded, cache_file: file }));
        } else {
            if !stale.contains(&m) {
                stale.push(m);
            }
            out.push(None);
        }
    }
    if !stale.is_empty() {
        if let Some(dir) = cache_dir {
            std::fs::create_dir_all(dir).map_err(|source| NetworkError::Io { path: dir.to_owned(), source })?;
        }
        let built = files::import_osm(pbf, &stale)?;
        let fresh: Vec<CachedGraph> = stale
            .iter()
            .zip(built)
            .map(|(&m, graph)| {
                let file = cache_file(pbf, m, cache_dir);
                let state = match files::save_graph(&graph, &file, stamp) {
                    Ok(()) => CacheState::Built,
                    Err(e) => CacheState::BuiltNotSaved(e.to_string()),
                };
                CachedGraph { graph, state, cache_file: file }
            })
            .collect();
        for (slot, m) in out.iter_mut().zip(modes) {
            if slot.is_none() {
                *slot = fresh.iter().find(|g| g.graph.mode() == *m).cloned();
            }
        }
    }
    out.into_iter().map(|g| g.ok_or_else(|| NetworkError::Invalid("graph missing after import".to_owned()))).collect()
}

/// Number of islands (weakly connected components) of `graph`, the main network included.
#[must_use]
pub fn island_count(graph: &Graph) -> usize {
    graph.components().sizes.len()
}

/// Loads the road networks `config` names ([`Config::network`], its modes and cache directory),
/// logging sizes, islands, cache use and time. `Ok(empty)` without a configured extract.
///
/// # Errors
/// [`NetworkError`] when the extract cannot be read or decoded.
pub fn load_configured(config: &Config) -> Result<Vec<RoadNetwork>, NetworkError> {
    let Some(pbf) = config.network.as_deref() else { return Ok(Vec::new()) };
    let started = Instant::now();
    let graphs = load_graphs(pbf, &config.network_modes, config.network_cache_dir.as_deref())?;
    let mut networks = Vec::with_capacity(graphs.len());
    for g in graphs {
        match &g.state {
            CacheState::BuiltNotSaved(why) => tracing::warn!(
                cache = %g.cache_file.display(),
                "road graph built but not cached ({why}); give a writable --cache-dir to keep it"
            ),
            CacheState::Built | CacheState::Loaded => {}
        }
        tracing::info!(
            mode = %g.graph.mode(),
            nodes = g.graph.node_count(),
            arcs = g.graph.arc_count(),
            islands = island_count(&g.graph),
            mib = format!("{:.1}", g.graph.heap_bytes() as f64 / 1_048_576.0),
            cache = if g.state == CacheState::Loaded { "loaded" } else { "built" },
            "road network ready"
        );
        networks.push(RoadNetwork::new(g.graph, SnapOptions::default()));
    }
    tracing::info!(
        extract = %pbf.display(),
        modes = networks.len(),
        seconds = format!("{:.3}", started.elapsed().as_secs_f64()),
        "road networks loaded; travel times follow the roads where a query snaps to them"
    );
    Ok(networks)
}

/// What bounds how far (in a straight line) a route of a given travel time can reach on a graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReachBound {
    /// The largest `length ÷ time` of any arc with a non-zero time, and the off-road walking
    /// speed if larger, metres per second.
    pub speed_m_s: f64,
    /// Total length of the arcs whose time rounds to 0 ms, metres (they add length, no time).
    pub zero_time_m: f64,
    /// Where a point can snap: the box of the graph's nodes widened by the maximum snap
    /// distance, WGS-84 degrees; `None` for a graph without nodes.
    pub extent: Option<BBox>,
}

impl ReachBound {
    /// Computes the bound of `graph` with off-road walking at `offroad_m_s` metres per second.
    #[must_use]
    pub fn of(graph: &Graph, snap: &SnapOptions) -> Self {
        let mut speed = snap.offroad_speed_m_s.max(0.0);
        let mut zero = 0.0;
        for (_, _, ms, len) in graph.iter_arcs() {
            if ms == 0 {
                zero += f64::from(len);
            } else {
                speed = speed.max(f64::from(len) * 1000.0 / f64::from(ms));
            }
        }
        let (mut w, mut so, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in graph.coords() {
            (w, so, e, n) = (w.min(p.lon), so.min(p.lat), e.max(p.lon), n.max(p.lat));
        }
        // Degrees for the snap distance: at least 110 574 m per degree of latitude, and a degree
        // of longitude shrinks with the cosine of the highest latitude in the box.
        let dlat = (snap.max_distance_m.max(0.0) * 1.01 + 1.0) / 110_574.0;
        let coslat = so.abs().max(n.abs()).min(89.0).to_radians().cos();
        let dlon = dlat / coslat;
        let extent =
            BBox::new((w - dlon).max(-180.0), (so - dlat).max(-90.0), (e + dlon).min(180.0), (n + dlat).min(90.0))
                .ok()
                .filter(|_| graph.node_count() > 0);
        Self { speed_m_s: speed, zero_time_m: zero, extent }
    }

    /// The farthest straight-line (geodesic) distance, metres, at which a station reached in
    /// `time_s` seconds can lie from the origin.
    ///
    /// Why: a route's time in whole milliseconds is the sum of its arcs' times, each at least
    /// `length × 1000 ÷ speed_m_s` (or 0 for the zero-time arcs, whose total length is
    /// `zero_time_m`), plus the off-road walks and partial segments at both ends, rounded to the
    /// millisecond: four roundings of at most 0.5 ms each. So the route's length is at most
    /// `(time_ms + 2) × speed_m_s ÷ 1000 + zero_time_m`. Route lengths are measured in a local
    /// tangent plane (relative error below 10⁻⁵) and a route is never shorter than the geodesic
    /// between its ends, hence the factor 1 + 10⁻⁴ and 1 cm added.
    #[must_use]
    pub fn reach_m(&self, time_s: f64) -> f64 {
        ((time_s * 1000.0 + 2.0) * self.speed_m_s / 1000.0 + self.zero_time_m) * (1.0 + 1e-4) + 0.01
    }
}

/// Reach bounds computed so far, per graph (a graph is immutable, so its bound never changes).
static BOUNDS: Mutex<Vec<(Weak<Graph>, ReachBound)>> = Mutex::new(Vec::new());

/// The [`ReachBound`] of `net`, computed once per graph.
#[must_use]
pub fn reach_bound(net: &RoadNetwork) -> ReachBound {
    let graph = net.graph();
    let mut cache = BOUNDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    cache.retain(|(w, _)| w.strong_count() > 0);
    if let Some((_, b)) = cache.iter().find(|(w, _)| w.as_ptr() == Arc::as_ptr(graph)) {
        return *b;
    }
    let b = ReachBound::of(graph, net.snap_options());
    cache.push((Arc::downgrade(graph), b));
    b
}

/// One station ranked by network travel time.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkHit {
    /// The station.
    pub station: Arc<Station>,
    /// Travel time from the origin to the station along the network, seconds (off-road walks at
    /// both ends included).
    pub time_s: f64,
    /// Length of the route, metres.
    pub route_m: f64,
    /// Geodesic (straight-line) distance from the origin, metres.
    pub geodesic_m: f64,
    /// The route, WGS-84 degrees: the origin, its foot on the road, the road nodes passed, the
    /// station's foot on the road, the station.
    pub route: Vec<LonLat>,
}

/// The `k` stations passing `filter` (and within `radius_m` metres in a straight line, when
/// given) nearest `origin` by travel time over `net`, fastest first, ties by station id; `None`
/// when `origin` does not snap onto the network (the caller falls back to the straight line).
/// Stations off the network, or on islands the origin cannot reach, are left out.
///
/// Exact, without routing to every station: candidates come from the spatial index in
/// straight-line order. First the `max(4k, 32)` nearest are routed. If `k` are reached and the
/// `k`-th takes `T` seconds, no station farther in a straight line than
/// [`ReachBound::reach_m`]`(T)` (≈ fastest speed on the graph × `T`) can be reached in `T` or
/// less, so when every station within that distance was a candidate the answer is final;
/// otherwise the stations within that distance are routed (a second, final round). If fewer
/// than `k` were reached, every station passing the filter inside the network's extent (its
/// nodes' box widened by the maximum snap distance: no other station can snap) is a candidate in
/// the second round.
#[must_use]
pub fn nearest_by_network(
    net: &RoadNetwork,
    index: &StationIndex,
    origin: LonLat,
    k: usize,
    filter: &Filter,
    radius_m: Option<f64>,
) -> Option<Vec<NetworkHit>> {
    nearest_by_network_within(net, index, origin, k, filter, radius_m, usize::MAX).unwrap_or_default()
}

/// The second round of [`nearest_by_network_within`] would route more candidates than allowed:
/// run [`nearest_by_network`] off the request path instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deferred {
    /// Candidates the second round would route.
    pub candidates: usize,
}

/// [`nearest_by_network`], answering [`Deferred`] instead of running a second round of more than
/// `max_second_round` candidates (the rare case of an origin whose nearest stations are far
/// away or unreachable along the roads), so that a rider's request on the async runtime stays
/// cheap; the first round routes at most `max(4k, 32)` candidates.
///
/// # Errors
/// [`Deferred`].
pub fn nearest_by_network_within(
    net: &RoadNetwork,
    index: &StationIndex,
    origin: LonLat,
    k: usize,
    filter: &Filter,
    radius_m: Option<f64>,
    max_second_round: usize,
) -> Result<Option<Vec<NetworkHit>>, Deferred> {
    let Some(o) = net.snap(origin) else { return Ok(None) };
    if k == 0 {
        return Ok(Some(Vec::new()));
    }
    let first = (4 * k).max(32);
    let candidates = index.nearest(origin, first, filter, radius_m);
    let hits = route_to(net, &o, candidates.iter().map(|h| (Arc::clone(&h.station), h.distance_m)).collect(), k);
    let complete = candidates.len() < first;
    let farthest = candidates.last().map_or(0.0, |h| h.distance_m);
    let needed = (hits.len() == k).then(|| reach_bound(net).reach_m(hits[k - 1].time_s));
    let too_many = |n: usize| if n > max_second_round { Err(Deferred { candidates: n }) } else { Ok(()) };
    match needed {
        _ if complete => Ok(Some(hits)),
        Some(r) if r < farthest => Ok(Some(hits)),
        Some(r) => {
            let r = radius_m.map_or(r, |m| m.min(r));
            let more = index.within_radius(origin, r, filter);
            too_many(more.len())?;
            Ok(Some(route_to(net, &o, more.into_iter().map(|h| (h.station, h.distance_m)).collect(), k)))
        }
        None => {
            // Fewer than k reached: every station that can snap onto the network is a candidate.
            let Some(extent) = reach_bound(net).extent else { return Ok(Some(hits)) };
            let in_extent = index.in_bbox(&extent, filter);
            too_many(in_extent.len())?;
            let all: Vec<(Arc<Station>, f64)> = in_extent
                .into_iter()
                .map(|s| {
                    let d = origin.geodesic_distance_m(s.data.location);
                    (s, d)
                })
                .filter(|(_, d)| radius_m.is_none_or(|r| *d <= r))
                .collect();
            Ok(Some(route_to(net, &o, all, k)))
        }
    }
}

/// Routes from the snapped origin to `candidates` (station, geodesic metres); the `k` fastest,
/// ties by station id (candidates are routed in id order, and the router breaks ties by order).
fn route_to(
    net: &RoadNetwork,
    origin: &yizhan_planner::network::snap::Snap,
    mut candidates: Vec<(Arc<Station>, f64)>,
    k: usize,
) -> Vec<NetworkHit> {
    candidates.sort_by_key(|c| c.0.id);
    let points: Vec<LonLat> = candidates.iter().map(|c| c.0.data.location).collect();
    let snaps = net.snap_all(&points);
    yizhan_planner::network::route::nearest_by_time(net.graph(), origin, &snaps, k, None)
        .into_iter()
        .filter_map(|h| {
            let (station, geodesic_m) = candidates.get(h.target)?;
            Some(NetworkHit {
                station: Arc::clone(station),
                time_s: h.time_s,
                route_m: h.distance_m,
                geodesic_m: *geodesic_m,
                route: h.geometry,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "network_tests.rs"]
mod tests;

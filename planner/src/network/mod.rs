//! Road-network travel times: "within 10 minutes" measured along real roads by e-bike, on foot or
//! by car, not as a circle on a map.
//!
//! Units everywhere: positions in WGS-84 degrees (longitude first), lengths in metres, times in
//! seconds at the API and whole milliseconds inside the graph.
//!
//! * [`profile`] — which OSM ways each [`TravelMode`](crate::eta::TravelMode) may use, one-way
//!   rules and the speed table.
//! * [`osm`] — reads an OpenStreetMap `.osm.pbf` extract (bytes or a reader) into one [`Graph`]
//!   per mode.
//! * [`graph`] — the compressed-sparse-row graph, its reverse, its islands, its binary form.
//! * [`files`] — the files: extracts read from disk ([`files::import_osm`]) and the graph cache
//!   ([`files::save_graph`], [`files::load_graph`], [`files::cache_path`]).
//! * [`snap`] — puts a point (station, rider, demand) on the nearest road segment, with the
//!   off-road part walked.
//! * [`dijkstra`] — multi-source and single-source shortest-path trees with time limits,
//!   nearest-source labels and predecessors.
//! * [`route`] — the `k` stations nearest a point by travel time, with each route's geometry.
//! * [`isochrone`] — the area reachable within a time limit, as a GeoJSON polygon.
//! * [`road`] — [`RoadNetwork`]: a graph with its snapping index, answering each question above
//!   in one call (the entry point for services).
//! * [`grid`] — the synthetic city grid used by the benchmarks; [`export`] — CSV edge and node
//!   lists so other tools run on exactly the same graph.
//!
//! Islands are never joined: a search seeded on an island reaches only that island, and every
//! other node reports "unreachable" ([`dijkstra::Tree::time_s`] is `None`).
//!
//! A typical use:
//! ```no_run
//! use yizhan_planner::eta::TravelMode;
//! use yizhan_planner::geodesy::LonLat;
//! use yizhan_planner::network::{dijkstra, files, snap::{self, SnapOptions, Snapper}};
//! # fn main() -> Result<(), yizhan_planner::network::NetworkError> {
//! let graphs = files::import_osm("data/osm/helsinki-centre.osm.pbf".as_ref(), &[TravelMode::Ebike])?;
//! let g = &graphs[0];
//! let snapper = Snapper::new(g.clone()); // or an Arc<Graph> shared with the service state
//! let stations = [LonLat::new(24.9384, 60.1699).unwrap(), LonLat::new(24.9525, 60.1675).unwrap()];
//! let snaps: Vec<_> = stations.iter().map(|&p| snapper.snap(p, &SnapOptions::default())).collect();
//! let seeds = snap::station_seeds(g, yizhan_planner::network::Direction::Backward, &snaps);
//! let field = dijkstra::nearest_field(g, &seeds);
//! println!("node 0: {:?} s to station {:?}", field.time_s(0), field.source(0));
//! # Ok(()) }
//! ```

pub mod dijkstra;
pub mod export;
pub mod files;
pub mod graph;
pub mod grid;
pub mod isochrone;
pub mod osm;
pub mod profile;
pub mod road;
pub mod route;
pub mod snap;

pub use graph::{Direction, Graph};
pub use road::RoadNetwork;

use std::path::{Path, PathBuf};

/// Why a road-network operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The OpenStreetMap PBF file could not be decoded.
    #[error("{path}: not a readable OSM PBF file: {message}")]
    Pbf {
        /// The file.
        path: PathBuf,
        /// The decoder's message.
        message: String,
    },
    /// A cached binary graph is damaged or of another version.
    #[error("binary graph: {0}")]
    Format(String),
    /// Input that cannot make a valid graph or query.
    #[error("{0}")]
    Invalid(String),
}

impl NetworkError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_owned(), source }
    }
}

/// Milliseconds for `seconds`, rounded to nearest and saturated to `0..=u32::MAX - 1`.
#[must_use]
pub(crate) fn secs_to_ms(seconds: f64) -> u32 {
    if seconds.is_nan() || seconds <= 0.0 { 0 } else { (seconds * 1000.0).round().min(f64::from(u32::MAX - 1)) as u32 }
}

/// WGS-84 semi-major axis, metres.
const WGS84_A: f64 = 6_378_137.0;
/// WGS-84 first eccentricity squared.
const WGS84_E2: f64 = 6.694_379_990_141_316e-3;

/// Metres per degree of longitude and of latitude at latitude `lat_deg` on the WGS-84 ellipsoid
/// (prime-vertical and meridional radii of curvature). Good to about 10⁻⁶ relative over a few
/// kilometres around `lat_deg`.
#[must_use]
pub(crate) fn metres_per_degree(lat_deg: f64) -> (f64, f64) {
    let phi = lat_deg.to_radians();
    let s2 = phi.sin().powi(2);
    let w = (1.0 - WGS84_E2 * s2).sqrt();
    let n = WGS84_A / w;
    let m = WGS84_A * (1.0 - WGS84_E2) / (w * w * w);
    (n * phi.cos() * std::f64::consts::PI / 180.0, m * std::f64::consts::PI / 180.0)
}

/// Length of the short segment `a`–`b` in metres on the WGS-84 ellipsoid, by the local
/// tangent-plane approximation at the segment's mid-latitude (relative error below 10⁻⁵ for
/// segments under 10 km; the graph's segments are road pieces between OSM nodes).
#[must_use]
pub fn segment_length_m(a: crate::geodesy::LonLat, b: crate::geodesy::LonLat) -> f64 {
    let (kx, ky) = metres_per_degree(f64::midpoint(a.lat, b.lat));
    let mut dlon = b.lon - a.lon;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    (dlon * kx).hypot((b.lat - a.lat) * ky)
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

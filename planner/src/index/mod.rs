//! The spatial index: one R*-tree over every station, and the filtered queries riders and the
//! planner run against it.
//!
//! A [`StationIndex`] is an immutable snapshot. Writers build a new one with
//! [`StationIndex::with_changes`] (or [`StationIndex::build`] after a bulk import) and swap it in
//! atomically, so a reader never sees half a write.
//!
//! A snapshot is layered like a log-structured merge tree: an immutable base layer shared by all
//! snapshots derived from it, a small delta layer with the stations written since, and the set of
//! base slots the delta replaced or deleted. A small write copies only the delta; once the delta
//! grows past max(4096, n/64) stations the next write rebuilds one base in bulk. Invariants and
//! costs are in `overlay`.
//!
//! Geometry: stations are kept as unit vectors on the sphere (see
//! [`LonLat::to_unit_vector`](crate::geodesy::LonLat::to_unit_vector)). Chord length is monotonic
//! in great-circle distance, so the R*-tree's Euclidean order is the spherical order everywhere on
//! Earth (no antimeridian or polar special cases). Reported distances are ellipsoidal geodesic
//! metres; since geodesic ÷ great-circle distance lies within [1 − ε, 1 + ε] with ε = 0.0056
//! (the WGS-84 radius of curvature spans 6 335 km – 6 400 km against the 6 371 km mean), the
//! k-nearest search keeps pulling spherical candidates until none can beat the k-th geodesic
//! distance, which makes results exact in geodesic metres.

mod filter;
mod overlay;
mod tree;

pub use filter::{Filter, KindSet, StatusSet};
pub use overlay::StationIndex;
pub use tree::Hit;

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;

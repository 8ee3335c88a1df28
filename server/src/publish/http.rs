//! HTTP helpers of the publishing routes: conditional requests (ETag / `If-None-Match`), gzip
//! negotiation, the data version that every ETag derives from, and a small tile cache.

use axum::http::{HeaderMap, HeaderValue, header};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};
use yizhan_planner::index::StationIndex;

/// Whether the client accepts a gzip-encoded answer (`Accept-Encoding: gzip` or `*`, with a
/// quality above zero).
#[must_use]
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .filter_map(|q| q.trim().parse::<f64>().ok())
                .next()
                .unwrap_or(1.0);
            (coding == "gzip" || coding == "x-gzip" || coding == "*") && q > 0.0
        },
    )
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak and strong forms compare equal, as RFC
/// 9110 prescribes for `If-None-Match`.
#[must_use]
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == ours)
}

/// gzip at the fast level (tiles are compressed once per data version, then cached).
#[must_use]
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 2 + 64), Compression::fast());
    // Writing into a Vec cannot fail.
    if enc.write_all(bytes).is_err() {
        return Vec::new();
    }
    enc.finish().unwrap_or_default()
}

/// A header value from text made of visible ASCII (our ETags and cache policies).
#[must_use]
pub fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// Numbers the station index snapshots a server publishes: every write swaps in a new snapshot,
/// and a new snapshot gets a new number. Paired with a per-process nonce, so numbers from before a
/// restart never match.
#[derive(Debug)]
pub struct DataVersion {
    nonce: u64,
    /// The last snapshot seen (held weakly: its allocation is not reused while this lives, so
    /// pointer equality is identity) and its number.
    last: Mutex<(Weak<StationIndex>, u64)>,
}

impl Default for DataVersion {
    fn default() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Self {
            nonce: (nanos as u64) ^ u64::from(std::process::id()).rotate_left(40),
            last: Mutex::new((Weak::new(), 0)),
        }
    }
}

impl DataVersion {
    /// The version tag of `snapshot`: the same for the same snapshot, different after any write.
    #[must_use]
    pub fn tag(&self, snapshot: &Arc<StationIndex>) -> String {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !Weak::ptr_eq(&last.0, &Arc::downgrade(snapshot)) {
            *last = (Arc::downgrade(snapshot), last.1 + 1);
        }
        format!("{:x}-{}", self.nonce, last.1)
    }
}

/// An encoded tile: its ETag (without the encoding suffix), the raw bytes and their gzip form.
#[derive(Debug, Clone)]
pub struct CachedTile {
    /// The version tag it was encoded for.
    pub version: String,
    /// The MVT bytes.
    pub raw: Arc<Vec<u8>>,
    /// The same, gzip-compressed (empty when `raw` is empty).
    pub gz: Arc<Vec<u8>>,
}

/// Recently encoded tiles by `(layer, z, x, y)`; entries of an older data version are replaced
/// on their next request. Bounded: when full it is emptied (tiles re-encode in milliseconds).
#[derive(Debug, Default)]
pub struct TileCache {
    map: Mutex<HashMap<(String, u8, u32, u32), CachedTile>>,
}

/// Tiles kept at most.
const CACHE_ENTRIES: usize = 4096;

impl TileCache {
    /// The cached tile for `key` if it was encoded for `version`.
    #[must_use]
    pub fn get(&self, key: &(String, u8, u32, u32), version: &str) -> Option<CachedTile> {
        let map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(key).filter(|t| t.version == version).cloned()
    }

    /// Stores a freshly encoded tile.
    pub fn put(&self, key: (String, u8, u32, u32), tile: CachedTile) {
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= CACHE_ENTRIES {
            map.clear();
        }
        map.insert(key, tile);
    }
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;

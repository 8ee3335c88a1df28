//! The data version every ETag of the publishing routes derives from, and a small cache of
//! encoded tiles.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};
use yizhan_planner::index::StationIndex;

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
#[path = "cache_tests.rs"]
mod tests;

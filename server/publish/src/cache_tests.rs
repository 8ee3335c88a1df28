#![allow(clippy::unwrap_used)]

use super::*;
use yizhan_http::cache::gzip;

#[test]
fn every_new_snapshot_gets_a_new_version() {
    let v = DataVersion::default();
    let a = Arc::new(StationIndex::build(Vec::new()));
    let t1 = v.tag(&a);
    assert_eq!(v.tag(&a), t1);
    let b = Arc::new(a.with_changes(Vec::new(), &[]));
    let t2 = v.tag(&b);
    assert_ne!(t1, t2);
    assert_eq!(v.tag(&b), t2);
    drop(a);
    // A new snapshot allocated after the old one was freed is still a new version.
    let c = Arc::new(StationIndex::build(Vec::new()));
    assert_ne!(v.tag(&c), t2);
}

#[test]
fn cache_keeps_only_the_current_version() {
    let cache = TileCache::default();
    let key = ("stations".to_owned(), 3, 1, 2);
    let tile = CachedTile { version: "a".into(), raw: Arc::new(vec![1]), gz: Arc::new(gzip(&[1])) };
    cache.put(key.clone(), tile);
    assert!(cache.get(&key, "a").is_some());
    assert!(cache.get(&key, "b").is_none());
}

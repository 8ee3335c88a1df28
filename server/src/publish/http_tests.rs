#![allow(clippy::unwrap_used)]

use super::*;
use flate2::read::GzDecoder;
use std::io::Read;

fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(k.clone(), HeaderValue::from_str(v).unwrap());
    }
    h
}

#[test]
fn gzip_negotiation() {
    assert!(accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, "gzip, deflate, br")])));
    assert!(accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, "br;q=1.0, gzip;q=0.5")])));
    assert!(accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, "*")])));
    assert!(!accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, "gzip;q=0")])));
    assert!(!accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, "identity")])));
    assert!(!accepts_gzip(&HeaderMap::new()));
}

#[test]
fn if_none_match_lists_and_weak_forms() {
    let etag = "\"stations.1-2.3.4.5\"";
    assert!(not_modified(&headers(&[(header::IF_NONE_MATCH, "\"x\", \"stations.1-2.3.4.5\"")]), etag));
    assert!(not_modified(&headers(&[(header::IF_NONE_MATCH, "W/\"stations.1-2.3.4.5\"")]), etag));
    assert!(not_modified(&headers(&[(header::IF_NONE_MATCH, "*")]), etag));
    assert!(!not_modified(&headers(&[(header::IF_NONE_MATCH, "\"stations.1-3.3.4.5\"")]), etag));
    assert!(!not_modified(&HeaderMap::new(), etag));
}

#[test]
fn gzip_round_trips() {
    let data: Vec<u8> = (0..10_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
    let gz = gzip(&data);
    assert!(gz.len() < data.len() / 4);
    let mut out = Vec::new();
    GzDecoder::new(gz.as_slice()).read_to_end(&mut out).unwrap();
    assert_eq!(out, data);
}

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

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

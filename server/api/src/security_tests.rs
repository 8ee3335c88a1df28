#![allow(clippy::unwrap_used)]

use super::*;
use std::net::Ipv4Addr;
use std::num::NonZeroU32;

#[test]
fn limiter_allows_the_burst_then_refuses_with_a_wait() {
    let limit = RateLimit { per_second: NonZeroU32::new(1).unwrap(), burst: NonZeroU32::new(3).unwrap() };
    let limiter = Limiter::new(limit);
    let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
    for _ in 0..3 {
        assert_eq!(limiter.check(a), Ok(()));
    }
    // One request per second refills: the next one is about 1 s away.
    assert_eq!(limiter.check(a), Err(1));
    // Another client has its own bucket.
    assert_eq!(limiter.check(b), Ok(()));
}

#[test]
fn csp_allows_only_the_server_unless_an_online_style_is_set() {
    let offline = content_security_policy(&Config::default());
    for part in [
        "default-src 'self'",
        "script-src 'self';",
        "frame-ancestors 'none'",
        "connect-src 'self';",
        "object-src 'none'",
    ] {
        assert!(offline.contains(part), "{part} in {offline}");
    }
    assert!(!offline.contains("unsafe-eval") && !offline.contains("https:"));
    // Only style attributes (set by the map library) may be inline; never scripts or <style>.
    assert_eq!(offline.matches("'unsafe-inline'").count(), 1, "{offline}");
    assert!(offline.contains("style-src-attr 'unsafe-inline'"), "{offline}");
    let online = content_security_policy(&Config {
        map_style_url: Some("https://tiles.example.org/style.json".to_owned()),
        ..Config::default()
    });
    assert!(online.contains("connect-src 'self' https://tiles.example.org;"), "{online}");
    assert!(online.contains("script-src 'self';"), "scripts stay local: {online}");
}

/// Every source of every directive of a policy.
fn sources(csp: &str) -> Vec<(String, String)> {
    csp.split(';')
        .filter_map(|d| {
            let mut parts = d.split_whitespace();
            let name = parts.next()?.to_owned();
            Some(parts.map(|p| (name.clone(), p.to_owned())).collect::<Vec<_>>())
        })
        .flatten()
        .collect()
}

#[test]
fn an_online_style_allows_its_own_origin_and_nothing_broader() {
    let csp = |url: &str| content_security_policy(&Config { map_style_url: Some(url.to_owned()), ..Config::default() });
    let online = csp("https://Tiles.Example.org:8443/styles/liberty/style.json?key=abc#x");
    assert!(online.contains("connect-src 'self' https://tiles.example.org:8443;"), "{online}");
    assert!(online.contains("img-src 'self' data: blob: https://tiles.example.org:8443;"), "{online}");
    assert!(online.contains("font-src 'self';"), "the map library fetches glyphs, not web fonts: {online}");
    for (directive, source) in sources(&online) {
        assert!(!matches!(source.as_str(), "https:" | "http:"), "no bare scheme source: {directive} in {online}");
        assert!(!source.contains('*'), "no wildcard: {online}");
        if source.contains("://") {
            assert_eq!(source, "https://tiles.example.org:8443", "{directive}: only the style's origin: {online}");
            assert!(matches!(directive.as_str(), "connect-src" | "img-src"), "{directive} in {online}");
        }
    }
    assert_eq!(online.matches("https://tiles.example.org:8443").count(), 2, "{online}");
    assert!(online.contains("script-src 'self';") && online.contains("default-src 'self';"), "{online}");

    // The default port is left out; http styles give an http origin; IPv6 hosts keep brackets.
    assert_eq!(style_origin("https://tiles.example.org:443/style.json").as_deref(), Some("https://tiles.example.org"));
    assert_eq!(style_origin("http://localhost:8081/s.json").as_deref(), Some("http://localhost:8081"));
    assert_eq!(style_origin("https://[2001:db8::1]/s.json").as_deref(), Some("https://[2001:db8::1]"));
    assert_eq!(style_origin("https://user:pw@tiles.example.org/s.json").as_deref(), Some("https://tiles.example.org"));
    // Nothing that could add a source or a directive, and nothing but http(s).
    for bad in [
        "https://a.example;script-src*/s.json",
        "https://a.example,b/s.json",
        "ftp://a.example/s.json",
        "/style.json",
        "https:///style.json",
        "https://a.example'unsafe-eval'/s.json",
    ] {
        assert_eq!(style_origin(bad), None, "{bad}");
        let policy = csp(bad);
        assert!(
            policy.contains("connect-src 'self';") && !policy.contains("a.example") && !policy.contains("unsafe-eval"),
            "{bad}: {policy}"
        );
    }
}

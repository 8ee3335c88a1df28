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
    assert!(online.contains("connect-src 'self' https:;"), "{online}");
    assert!(online.contains("script-src 'self';"), "scripts stay local: {online}");
}

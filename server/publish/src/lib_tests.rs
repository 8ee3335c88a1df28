#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn tile_options_parse_and_refuse_bad_values() {
    assert_eq!(TileOptions::parse(None, None).unwrap(), TileOptions { thin_below_zoom: 12, thin_grid: 64 });
    let o = TileOptions::parse(Some(" 10 "), Some("32")).unwrap();
    assert_eq!(o, TileOptions { thin_below_zoom: 10, thin_grid: 32 });
    assert!(o.thins(9) && !o.thins(10));
    assert!(!TileOptions::parse(Some("0"), None).unwrap().thins(0), "0 turns thinning off");
    assert_eq!(TileOptions::parse(Some("24"), None), Err(TileOptionsError::Zoom("24".into())));
    assert_eq!(TileOptions::parse(Some("x"), None), Err(TileOptionsError::Zoom("x".into())));
    assert_eq!(TileOptions::parse(None, Some("100")), Err(TileOptionsError::Grid("100".into())));
}

#[test]
fn links_come_from_the_configured_public_url_or_the_listen_address() {
    use std::net::SocketAddr;
    let mut c = Config::default();
    assert_eq!(link_base(&c), "", "OGC links are paths without a public URL");
    assert_eq!(absolute_base(&c), "http://127.0.0.1:8080");
    c.listen = "0.0.0.0:9000".parse::<SocketAddr>().unwrap();
    assert_eq!(absolute_base(&c), "http://127.0.0.1:9000", "an unspecified address is reached on loopback");
    c.listen = "[::]:9000".parse::<SocketAddr>().unwrap();
    assert_eq!(absolute_base(&c), "http://[::1]:9000");
    c.listen = "[2001:db8::1]:443".parse::<SocketAddr>().unwrap();
    assert_eq!(absolute_base(&c), "http://[2001:db8::1]:443");
    c.public_url = Some("https://map.example.org/".to_owned());
    assert_eq!(link_base(&c), "https://map.example.org");
    assert_eq!(absolute_base(&c), "https://map.example.org");
}

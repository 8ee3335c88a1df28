use super::*;

#[test]
fn paths_map_to_files_inside_web_only() {
    assert_eq!(asset_name("/").as_deref(), Some("index.html"));
    assert_eq!(asset_name("/index.html").as_deref(), Some("index.html"));
    assert_eq!(asset_name("/js/app.js").as_deref(), Some("js/app.js"));
    assert_eq!(asset_name("/vendor/").as_deref(), Some("vendor/index.html"));
    for bad in [
        "",
        "js/app.js",
        "/../Cargo.toml",
        "/js/../../x",
        "/./index.html",
        "//etc/passwd",
        "/js//app.js",
        "/a\\b",
        "/a\0",
    ] {
        assert_eq!(asset_name(bad), None, "{bad:?}");
    }
    // Percent-encoded dots are not decoded, so they name no file rather than a parent directory.
    assert_eq!(asset_name("/%2e%2e/Cargo.toml").as_deref(), Some("%2e%2e/Cargo.toml"));
    assert!(Assets::get("%2e%2e/Cargo.toml").is_none());
}

#[test]
fn content_types() {
    assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    assert_eq!(content_type("js/app.js"), "text/javascript; charset=utf-8");
    assert_eq!(content_type("vendor/maplibre-gl/maplibre-gl.mjs"), "text/javascript; charset=utf-8");
    assert_eq!(content_type("vendor/maplibre-gl/maplibre-gl.css"), "text/css; charset=utf-8");
    assert_eq!(content_type("icons/app.SVG"), "image/svg+xml");
    assert_eq!(content_type("vendor/maplibre-gl/LICENSE.txt"), "text/plain; charset=utf-8");
    assert_eq!(content_type("vendor/maplibre-gl/VERSION"), "application/octet-stream");
}

#[test]
fn etags_and_revalidation() {
    let mut hash = [0u8; 32];
    hash[0] = 0xab;
    hash[15] = 0x01;
    hash[16] = 0xff;
    let tag = etag(&hash);
    assert_eq!(tag, "\"ab000000000000000000000000000001\"");
    let with = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")));
        h
    };
    assert!(if_none_match(&with(&tag), &tag));
    assert!(if_none_match(&with(&format!("\"x\", W/{tag}")), &tag));
    assert!(if_none_match(&with("*"), &tag));
    assert!(!if_none_match(&with("\"ab000000000000000000000000000002\""), &tag));
    assert!(!if_none_match(&HeaderMap::new(), &tag));
}

#[test]
fn the_ui_is_built_in() {
    for name in ["index.html", "js/app.js", "vendor/maplibre-gl/maplibre-gl.mjs", "vendor/maplibre-gl/LICENSE.txt"] {
        assert!(Assets::get(name).is_some_and(|f| !f.data.is_empty()), "{name} is built in");
    }
}

#![allow(clippy::unwrap_used)]

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

/// Encoded, doubly encoded, backslash and overlong-UTF-8 traversal attempts, served both from the
/// built-in files and from a web directory on disk beside a secret file: none reaches the secret.
#[tokio::test]
async fn encoded_traversal_cannot_escape() {
    use axum::body::Body;
    use axum::http::Request as HttpRequest;
    use yizhan_core::config::{Config, StorageConfig};
    use yizhan_store::Store;

    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("js")).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>ok</title>").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOP-SECRET-机密").unwrap();
    let targets = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/js/..%2f..%2fsecret.txt",
        "/js/%2e%2e/%2e%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%5csecret.txt",
        "/..%5c..%5csecret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%e0%80%ae%e0%80%ae/secret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/js/%00/../../secret.txt",
        "/%2fsecret.txt",
        "//secret.txt",
        "/./../secret.txt",
    ];
    for web_dir in [None, Some(web.clone())] {
        let storage = StorageConfig::Url("sqlite::memory:".to_owned());
        let store = Store::open(&storage).await.unwrap();
        let config = Config { storage, load_demo: false, web_dir: web_dir.clone(), ..Config::default() };
        let state = Arc::new(AppState::load(store, config).await.unwrap());
        let app = super::super::router(state);
        for target in targets {
            let Ok(req) = HttpRequest::get(target).body(Body::empty()) else { continue };
            let resp = app.clone().oneshot(req).await.unwrap();
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("TOP-SECRET"), "{target} (web_dir {web_dir:?}) escaped: {status}");
            assert_ne!(status, StatusCode::OK, "{target} (web_dir {web_dir:?}) answered 200: {text:.80}");
        }
        // The directory itself is still served.
        let resp = app.clone().oneshot(HttpRequest::get("/").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
}

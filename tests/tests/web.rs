//! End-to-end tests of the web UI's serving: the files built into the binary (content types, entity
//! tags and revalidation, no escape from `web/`), the UI's settings, and the opening-hours fields
//! of nearest results that the UI shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{TestServer, assert_error, dataset};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yizhan_core::config::Config;
use yizhan_planner::hours::{DEFAULT_TZ, OpeningHours};

fn web_file(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../web/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Sends one raw HTTP/1.1 request line (no client-side path normalisation); the status code.
async fn raw_status(server: &TestServer, target: &str) -> u16 {
    let addr = server.base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_built_in_ui_is_served() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let cases = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/index.html", "index.html", "text/html; charset=utf-8"),
        ("/js/app.js", "js/app.js", "text/javascript; charset=utf-8"),
        ("/css/app.css", "css/app.css", "text/css; charset=utf-8"),
        ("/icons/yizhan.svg", "icons/yizhan.svg", "image/svg+xml"),
        ("/vendor/maplibre-gl/maplibre-gl.mjs", "vendor/maplibre-gl/maplibre-gl.mjs", "text/javascript; charset=utf-8"),
        (
            "/vendor/maplibre-gl/maplibre-gl-worker.mjs",
            "vendor/maplibre-gl/maplibre-gl-worker.mjs",
            "text/javascript; charset=utf-8",
        ),
        ("/vendor/maplibre-gl/maplibre-gl.css", "vendor/maplibre-gl/maplibre-gl.css", "text/css; charset=utf-8"),
        ("/vendor/maplibre-gl/LICENSE.txt", "vendor/maplibre-gl/LICENSE.txt", "text/plain; charset=utf-8"),
    ];
    for (path, file, content_type) in cases {
        let resp = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let h = resp.headers().clone();
        assert_eq!(h["content-type"], content_type, "{path}");
        assert_eq!(h["cache-control"], "no-cache", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let etag = h["etag"].to_str().unwrap().to_owned();
        assert!(etag.len() == 34 && etag.starts_with('"') && etag.ends_with('"'), "{path}: {etag}");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), web_file(file).as_slice(), "{path}: the file's bytes");
        // Revalidation: the same tag answers 304 with no body; another tag, the file.
        let again = server.client.get(server.url(path)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.bytes().await.unwrap().is_empty());
        let other = server.client.get(server.url(path)).header("if-none-match", "\"0\"").send().await.unwrap();
        assert_eq!(other.status(), StatusCode::OK, "{path}");
    }
    // The home page is the app, and links the API description.
    let home = server.client.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(r#"<script type="module" src="js/app.js">"#) && home.contains("/api/v1/openapi.json"));
    // HEAD: headers without a body.
    let head = server.client.head(server.url("/js/app.js")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(head.bytes().await.unwrap().is_empty());
    // Text files are compressed for clients that accept it.
    let gz =
        server.client.get(server.url("/vendor/maplibre-gl/maplibre-gl.mjs")).header("accept-encoding", "gzip").send();
    assert_eq!(gz.await.unwrap().headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn nothing_outside_web_is_served() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    for target in [
        "/../Cargo.toml",
        "/js/../../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/js/%2E%2E/%2E%2E/server/Cargo.toml",
        "/..%2fCargo.toml",
        "/js//app.js",
        "/./index.html",
        "/js\\..\\..\\Cargo.toml",
        "/nope.html",
        "/js/",
    ] {
        assert_eq!(raw_status(&server, target).await, 404, "{target}");
    }
    assert_eq!(raw_status(&server, "/js/app.js").await, 200);
    // Unknown paths answer JSON errors; API paths never fall through to the UI.
    assert_error(&server.get("/nope.html").await, 404, "not_found", None);
    assert_error(&server.get("/api/v1/index.html").await, 404, "not_found", None);
    let post = server.send(Method::POST, "/index.html", Some(("text/plain", b"x".to_vec())), None, &[]).await;
    assert_error(&post, 405, "method_not_allowed", None);
}

#[tokio::test]
async fn ui_settings() {
    let server = TestServer::start(Config::default(), Vec::new()).await;
    let (status, headers, body) = server.get("/config.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(body, json!({ "map_style_url": null }));
    let style = "https://tiles.example.org/styles/城市.json";
    let online =
        TestServer::start(Config { map_style_url: Some(style.to_owned()), ..Config::default() }, Vec::new()).await;
    assert_eq!(online.get("/config.json").await.2, json!({ "map_style_url": style }));
}

#[tokio::test]
async fn web_dir_overrides_the_built_in_ui() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>开发</title>").unwrap();
    let server =
        TestServer::start(Config { web_dir: Some(web.path().to_owned()), ..Config::default() }, Vec::new()).await;
    let home = server.client.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert_eq!(home, "<!doctype html><title>开发</title>");
    // The settings are the server's either way.
    assert_eq!(server.get("/config.json").await.2, json!({ "map_style_url": null }));
}

#[tokio::test]
async fn nearest_results_say_when_stations_open_and_close() {
    let server = TestServer::start(Config::default(), dataset(300, 17)).await;
    // 2026-01-10 is a Saturday.
    for at in ["2026-01-10T10:00:00+08:00", "2026-01-05T23:30:00+08:00", "2026-01-05T12:00:00+08:00"] {
        let instant: DateTime<Utc> = DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc);
        let q = format!("/api/v1/nearest?lon=116.79&lat=35.55&k=100&status=all&at={}", at.replace('+', "%2B"));
        let (status, _, body) = server.get(&q).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let results = body["results"].as_array().unwrap();
        assert!(results.len() > 20, "the filter keeps open stations only: {}", results.len());
        for r in results {
            let station = &r["station"];
            let hours = OpeningHours::parse(station["opening_hours"].as_str().unwrap()).unwrap();
            // `at` filters to stations open then, so each says it is open.
            assert_eq!(r["open_now"], true, "{station}");
            assert!(hours.is_open_at(instant, DEFAULT_TZ));
            let local = instant.with_timezone(&DEFAULT_TZ).naive_local();
            let want = hours
                .next_change_local(local)
                .map(|n| DEFAULT_TZ.from_local_datetime(&n).unwrap().fixed_offset().to_rfc3339());
            assert_eq!(r["next_change"].as_str().map(str::to_owned), want, "{station}");
        }
    }
    // Known values: on Saturday at 10:00 a weekday-only station is not listed, and one open
    // Mo-Su 07:00-21:00 closes at 21:00 the same day; 24/7 never changes.
    let (_, _, body) = server.get("/api/v1/nearest?lon=116.79&lat=35.55&k=100&at=2026-01-10T10:00:00%2B08:00").await;
    let mut seen = 0;
    for r in body["results"].as_array().unwrap() {
        match r["station"]["opening_hours"].as_str().unwrap() {
            "Mo-Su 07:00-21:00" => assert_eq!(r["next_change"], "2026-01-10T21:00:00+08:00"),
            "Sa,Su 10:00-16:00" => assert_eq!(r["next_change"], "2026-01-10T16:00:00+08:00"),
            "24/7" => assert!(r["next_change"].is_null()),
            other => panic!("a station open {other:?} is not open on Saturday at 10:00"),
        }
        seen += 1;
    }
    assert!(seen > 10);
    // Without a time filter every station is listed; one without hours has neither field set.
    let (_, _, all) = server.get("/api/v1/nearest?lon=116.79&lat=35.55&k=100").await;
    let unknown = all["results"].as_array().unwrap().iter().filter(|r| r["station"].get("opening_hours").is_none());
    let mut n = 0;
    for r in unknown {
        assert!(r["open_now"].is_null() && r["next_change"].is_null(), "{r}");
        n += 1;
    }
    assert!(n > 0, "the data set has stations without published hours");
}

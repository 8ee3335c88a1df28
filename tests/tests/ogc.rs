//! End-to-end tests of OGC API – Features: the landing page, conformance and collections; walking
//! `next` links over every station gives exactly the JSON API's station list; `prev` links;
//! bbox; single features; parameter errors; and OWSLib, an independent client
//! (`scripts/ogc/check.sh`); links never come from the request's `Host` or `X-Forwarded-*`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TOKEN, TestServer, assert_error, dataset};
use serde_json::Value;
use std::collections::BTreeMap;
use yizhan_core::config::Config;

/// The path and query of a link: without a configured public URL every link is path-absolute.
fn local(href: &str) -> String {
    assert!(href.starts_with('/') && !href.starts_with("//"), "{href} is not a path on this server");
    href.to_owned()
}

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a str> {
    doc["links"].as_array().unwrap().iter().find(|l| l["rel"] == rel).map(|l| l["href"].as_str().unwrap())
}

#[tokio::test]
async fn landing_conformance_and_collections() {
    let s = TestServer::with_token(dataset(50, 1)).await;
    for path in ["/ogc", "/ogc/", "/ogc?f=json"] {
        let (status, _, landing) = s.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(link(&landing, "conformance").unwrap(), "/ogc/conformance");
        assert_eq!(link(&landing, "data").unwrap(), "/ogc/collections");
        assert_eq!(link(&landing, "service-desc").unwrap(), "/api/v1/openapi.json");
    }
    let (_, _, conf) = s.get("/ogc/conformance").await;
    let classes: Vec<&str> = conf["conformsTo"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));

    let (_, _, cols) = s.get("/ogc/collections").await;
    let ids: Vec<&str> = cols["collections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["stations", "districts", "streets"]);
    // The stations' extent is the bounding box of the stations.
    let (_, _, all) = s.get("/api/v1/stations?limit=5000").await;
    let lons: Vec<f64> =
        all["features"].as_array().unwrap().iter().map(|f| f["geometry"]["coordinates"][0].as_f64().unwrap()).collect();
    let (_, _, st) = s.get("/ogc/collections/stations").await;
    let bbox = &st["extent"]["spatial"]["bbox"][0];
    assert_eq!(bbox[0].as_f64().unwrap(), lons.iter().copied().fold(f64::INFINITY, f64::min));
    assert_eq!(bbox[2].as_f64().unwrap(), lons.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    assert_eq!(st["crs"][0], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    assert_eq!(link(&st, "items").unwrap(), "/ogc/collections/stations/items");
}

#[tokio::test]
async fn walking_next_links_gives_every_station_once_in_order() {
    let s = TestServer::with_token(dataset(230, 9)).await;
    let (_, _, all) = s.get("/api/v1/stations?limit=5000").await;
    let expected: BTreeMap<u64, Value> =
        all["features"].as_array().unwrap().iter().map(|f| (f["id"].as_u64().unwrap(), f.clone())).collect();
    let mut path = "/ogc/collections/stations/items?limit=37".to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (status, headers, page) = s.get(&path).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(headers["content-type"], "application/geo+json");
        assert_eq!(page["type"], "FeatureCollection");
        assert_eq!(page["numberMatched"], 230);
        let features = page["features"].as_array().unwrap();
        assert_eq!(page["numberReturned"].as_u64().unwrap() as usize, features.len());
        assert!(page["timeStamp"].is_string());
        for f in features {
            let id = f["id"].as_u64().unwrap();
            assert_eq!(f, &expected[&id], "station {id} equals the JSON API's feature");
            seen.push(id);
        }
        if pages > 0 {
            let prev = local(link(&page, "prev").unwrap());
            let (_, _, p) = s.get(&prev).await;
            assert_eq!(p["features"].as_array().unwrap().len(), 37, "{prev}");
        } else {
            assert!(link(&page, "prev").is_none());
        }
        pages += 1;
        match link(&page, "next") {
            Some(next) => path = local(next),
            None => break,
        }
    }
    assert_eq!(pages, 230usize.div_ceil(37));
    assert_eq!(seen, expected.keys().copied().collect::<Vec<_>>(), "every station once, ordered by id");
}

#[tokio::test]
async fn bbox_single_features_and_districts() {
    let s = TestServer::with_token(dataset(300, 4)).await;
    let bbox = "116.75,35.52,116.82,35.58";
    let (_, _, ogc) = s.get(&format!("/ogc/collections/stations/items?bbox={bbox}&limit=5000")).await;
    let (_, _, api) = s.get(&format!("/api/v1/stations?bbox={bbox}&limit=5000")).await;
    assert_eq!(ogc["features"], api["features"]);
    assert!(ogc["numberMatched"].as_u64().unwrap() > 10);

    let (_, _, one) = s.get("/api/v1/stations/17").await;
    let (status, headers, item) = s.get("/ogc/collections/stations/items/17").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/geo+json");
    assert_eq!(item["properties"], one["properties"]);
    assert_eq!(item["geometry"], one["geometry"]);
    assert_eq!(link(&item, "self").unwrap(), "/ogc/collections/stations/items/17");

    let (status, _, d) = s.get("/ogc/collections/districts/items/%E5%85%96%E5%B7%9E%E5%8C%BA").await;
    assert_eq!(status, 200);
    let (_, _, reference) = s.get("/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA").await;
    assert_eq!(d["id"], "兖州区");
    assert_eq!(d["geometry"], reference["geometry"]);
    let (_, _, near) = s.get(&format!("/ogc/collections/districts/items?bbox={bbox}")).await;
    let names: Vec<&str> = near["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(names.contains(&"兖州区"), "{names:?}");
    let (_, _, all) = s.get("/ogc/collections/districts/items?limit=100").await;
    assert_eq!(all["numberMatched"], 11);
}

#[tokio::test]
async fn bad_parameters_are_400_and_unknown_things_404() {
    let s = TestServer::with_token(dataset(5, 1)).await;
    let items = "/ogc/collections/stations/items";
    assert_error(&s.get(&format!("{items}?limit=0")).await, 400, "invalid_parameter", Some("limit"));
    assert_error(&s.get(&format!("{items}?limit=abc")).await, 400, "invalid_parameter", Some("limit"));
    assert_error(&s.get(&format!("{items}?limit=5001")).await, 400, "invalid_parameter", Some("limit"));
    assert_error(&s.get(&format!("{items}?offset=-1")).await, 400, "invalid_parameter", Some("offset"));
    assert_error(&s.get(&format!("{items}?bbox=1,2,3")).await, 400, "invalid_parameter", Some("bbox"));
    assert_error(&s.get(&format!("{items}?f=html")).await, 400, "invalid_parameter", Some("f"));
    assert_error(&s.get(&format!("{items}?sortby=name")).await, 400, "unknown_parameter", Some("sortby"));
    assert_error(&s.get("/ogc/collections/roads").await, 404, "not_found", Some("collectionId"));
    assert_error(&s.get("/ogc/collections/roads/items").await, 404, "not_found", Some("collectionId"));
    assert_error(&s.get(&format!("{items}/999999")).await, 404, "not_found", Some("featureId"));
    assert_error(&s.get(&format!("{items}/abc")).await, 404, "not_found", Some("featureId"));
    assert_error(&s.get("/ogc/collections/districts/items/nowhere").await, 404, "not_found", Some("featureId"));
    let (status, _, _) = s.get(&format!("{items}?datetime=2026-01-01T00:00:00Z")).await;
    assert_eq!(status, 200);
}

/// OWSLib (from PyPI, in a venv `scripts/ogc/check.sh` creates) reads every collection and
/// compares it with the JSON API. Skips, saying why, only where no venv can be created.
#[tokio::test]
async fn owslib_reads_the_collections() {
    let s = TestServer::with_token(dataset(120, 5)).await;
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
    let body = serde_json::json!({"district": "兖州区", "resolution": 8}).to_string().into_bytes();
    let (status, _, cov) =
        s.send(reqwest::Method::POST, "/api/v1/coverage", Some(("application/json", body)), None, &[]).await;
    assert_eq!(status, 200, "{cov}");
    let cells = cov["cells"]["features"].as_array().unwrap().len();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/ogc/check.sh");
    let out = tokio::process::Command::new("bash").arg(script).arg(&s.base).output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        eprintln!("SKIPPED owslib_reads_the_collections: {stderr}");
        return;
    }
    assert!(out.status.success(), "OWSLib check failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("OWSLib: all checks passed"), "{stdout}");
    assert!(stdout.contains("120 stations by paging equal the JSON API's 120"), "{stdout}");
    let id = cov["id"].as_str().unwrap();
    assert!(stdout.contains(&format!("{id}: {cells} cells by paging equal /api/v1/coverage/{id}")), "{stdout}");
}

#[tokio::test]
async fn streets_and_coverage_analyses_are_collections() {
    let s = TestServer::with_token(dataset(100, 2)).await;
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
    let (_, _, cols) = s.get("/ogc/collections").await;
    let ids: Vec<&str> = cols["collections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["stations", "districts", "streets"], "no analysis saved yet");
    let (_, _, streets) = s.get("/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA/streets").await;
    let (_, _, items) = s.get("/ogc/collections/streets/items?limit=1000").await;
    assert_eq!(items["numberMatched"].as_u64().unwrap() as usize, streets["features"].as_array().unwrap().len());

    let body = serde_json::json!({"district": "兖州区", "resolution": 8}).to_string().into_bytes();
    let (status, _, cov) =
        s.send(reqwest::Method::POST, "/api/v1/coverage", Some(("application/json", body)), None, &[]).await;
    assert_eq!(status, 200, "{cov}");
    let id = cov["id"].as_str().unwrap();
    let cells = cov["cells"]["features"].as_array().unwrap();
    let (status, _, c) = s.get(&format!("/ogc/collections/{id}")).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["id"], id);
    let minutes: Vec<String> =
        cov["minutes"].as_array().unwrap().iter().map(|m| (m.as_f64().unwrap().round() as u32).to_string()).collect();
    assert_eq!(c["title"], format!("兖州区覆盖分析（H3 分辨率 8，{} 分钟）", minutes.join("/")));
    // Its extent is the bounding box of its cells' vertices.
    let mut want = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for cell in cells {
        for p in cell["geometry"]["coordinates"][0].as_array().unwrap() {
            let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            want = [want[0].min(x), want[1].min(y), want[2].max(x), want[3].max(y)];
        }
    }
    let got: Vec<f64> =
        c["extent"]["spatial"]["bbox"][0].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(got, want);
    assert_eq!(link(&c, "items").unwrap(), format!("/ogc/collections/{id}/items"));

    // A second analysis: both listed after the fixed collections, newest first, as in /{id}.
    let body = serde_json::json!({"district": "兖州区", "resolution": 7, "minutes": [5, 20]}).to_string().into_bytes();
    let (status, _, cov2) =
        s.send(reqwest::Method::POST, "/api/v1/coverage", Some(("application/json", body)), None, &[]).await;
    assert_eq!(status, 200, "{cov2}");
    let id2 = cov2["id"].as_str().unwrap();
    let (_, _, cols) = s.get("/ogc/collections").await;
    let listed = cols["collections"].as_array().unwrap();
    let ids: Vec<&str> = listed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["stations", "districts", "streets", id2, id]);
    assert_eq!(listed[4], c, "the listing shows each analysis as its own document does");
    assert_eq!(listed[3]["title"], "兖州区覆盖分析（H3 分辨率 7，5/20 分钟）");

    // bbox: exactly the cells whose extent meets the box, paged by next links.
    let bbox = [116.70, 35.50, 116.78, 35.56];
    let meets = |cell: &Value| {
        let ring = cell["geometry"]["coordinates"][0].as_array().unwrap();
        let xs: Vec<f64> = ring.iter().map(|p| p[0].as_f64().unwrap()).collect();
        let ys: Vec<f64> = ring.iter().map(|p| p[1].as_f64().unwrap()).collect();
        xs.iter().copied().fold(f64::INFINITY, f64::min) <= bbox[2]
            && xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) >= bbox[0]
            && ys.iter().copied().fold(f64::INFINITY, f64::min) <= bbox[3]
            && ys.iter().copied().fold(f64::NEG_INFINITY, f64::max) >= bbox[1]
    };
    let want: Vec<&str> = cells.iter().filter(|c| meets(c)).map(|c| c["properties"]["h3"].as_str().unwrap()).collect();
    assert!(want.len() > 10 && want.len() < cells.len(), "{} of {}", want.len(), cells.len());
    let mut path = format!("/ogc/collections/{id}/items?bbox={},{},{},{}&limit=7", bbox[0], bbox[1], bbox[2], bbox[3]);
    let mut got = Vec::new();
    loop {
        let (_, _, page) = s.get(&path).await;
        assert_eq!(page["numberMatched"].as_u64().unwrap() as usize, want.len());
        for f in page["features"].as_array().unwrap() {
            assert_eq!(f["geometry"]["type"], "MultiPolygon");
            got.push(f["id"].as_str().unwrap().to_owned());
        }
        match link(&page, "next") {
            Some(next) => {
                assert!(next.contains("bbox=116.7%2C35.5%2C116.78%2C35.56"), "{next}");
                path = local(next);
            }
            None => break,
        }
    }
    assert_eq!(got, want);
    // Walk the cells by next links: every cell once, properties as the analysis gave them.
    let mut path = format!("/ogc/collections/{id}/items?limit=100");
    let mut seen = BTreeMap::new();
    loop {
        let (_, _, page) = s.get(&path).await;
        assert_eq!(page["numberMatched"].as_u64().unwrap() as usize, cells.len());
        for f in page["features"].as_array().unwrap() {
            seen.insert(f["id"].as_str().unwrap().to_owned(), f["properties"].clone());
        }
        match link(&page, "next") {
            Some(next) => path = local(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), cells.len());
    for cell in cells {
        assert_eq!(seen[cell["properties"]["h3"].as_str().unwrap()], cell["properties"]);
    }
    let h3 = cells[0]["properties"]["h3"].as_str().unwrap();
    let (status, _, one) = s.get(&format!("/ogc/collections/{id}/items/{h3}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["properties"], cells[0]["properties"]);
    assert_error(&s.get("/ogc/collections/cov_0000/items").await, 404, "not_found", Some("collectionId"));
}

/// Headers a client (or a misconfigured proxy) could send to make the server link elsewhere.
const HOSTILE: &[(&str, &str)] = &[
    ("host", "evil.example"),
    ("x-forwarded-host", "evil.example"),
    ("x-forwarded-proto", "https"),
    ("forwarded", "host=evil.example;proto=https"),
];

/// Every `href` in a document, at any depth.
fn hrefs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(h)) = m.get("href") {
                out.push(h.clone());
            }
            m.values().for_each(|x| hrefs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| hrefs(x, out)),
        _ => {}
    }
}

/// The OGC documents with links (landing page, collections, a collection, a middle page of items,
/// a feature), each fetched with [`HOSTILE`] headers: every link in them.
async fn links_with_hostile_headers(s: &TestServer) -> Vec<String> {
    let mut all = Vec::new();
    for path in [
        "/ogc",
        "/ogc/collections",
        "/ogc/collections/stations",
        "/ogc/collections/stations/items?limit=5&offset=5",
        "/ogc/collections/stations/items/3",
        "/ogc/collections/districts/items/%E5%85%96%E5%B7%9E%E5%8C%BA",
    ] {
        let (status, _, doc) = s.send(reqwest::Method::GET, path, None, None, HOSTILE).await;
        assert_eq!(status, 200, "{path}: {doc}");
        assert!(!doc.to_string().contains("evil.example"), "{path}: {doc}");
        let before = all.len();
        hrefs(&doc, &mut all);
        assert!(all.len() > before, "{path} has links");
    }
    // prev and next on the middle page, self and collection on the feature.
    assert!(all.iter().any(|h| h.contains("offset=0")) && all.iter().any(|h| h.contains("offset=10")), "{all:?}");
    all
}

#[tokio::test]
async fn links_ignore_the_host_header_and_are_paths_without_a_public_url() {
    let s = TestServer::with_token(dataset(20, 3)).await;
    for href in links_with_hostile_headers(&s).await {
        local(&href);
        // And each one leads somewhere on this server.
        let (status, _, _) = s.get(&href).await;
        assert_eq!(status, 200, "{href}");
    }
}

#[tokio::test]
async fn links_start_with_the_configured_public_url() {
    let config = Config {
        api_token: Some(TOKEN.to_owned()),
        public_url: Some("https://map.example.org".into()),
        ..Config::default()
    };
    let s = TestServer::start(config, dataset(20, 3)).await;
    for href in links_with_hostile_headers(&s).await {
        let path = href.strip_prefix("https://map.example.org/").unwrap_or_else(|| panic!("{href}"));
        let (status, _, _) = s.get(&format!("/{path}")).await;
        assert_eq!(status, 200, "{href}");
    }
}

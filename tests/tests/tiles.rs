//! End-to-end tests of the vector tiles: tiles decoded with geozero (the MVT crate's decoding
//! side) and compared with `/api/v1/stations?bbox=`; gzip; ETag / 304 and invalidation by a
//! write; TileJSON (tile URLs from the configured public URL or the listen address, never from
//! `Host`); errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CENTRE, TOKEN, TestServer, assert_error, dataset};
use flate2::read::GzDecoder;
use geozero::GeozeroGeometry;
use geozero::geo_types::GeoWriter;
use geozero::mvt::{Message, Tile, tile};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read;
use yizhan_core::config::Config;

/// Tile column/row of a position (the OSM wiki's asinh formula), fractional.
fn tile_xy(lon: f64, lat: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    ((lon + 180.0) / 360.0 * n, (1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n)
}

/// Inverse of [`tile_xy`].
fn lon_lat(x: f64, y: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    (x / n * 360.0 - 180.0, (std::f64::consts::PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees())
}

/// GET raw bytes with extra headers: (status, headers, body).
async fn get_bytes(
    s: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = s.client.get(s.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.headers().clone(), resp.bytes().await.unwrap().to_vec())
}

/// Station features of a decoded tile: id → (x, y, properties).
fn station_features(bytes: &[u8]) -> BTreeMap<u64, (f64, f64, BTreeMap<String, String>)> {
    let tile = Tile::decode(bytes).unwrap();
    let mut out = BTreeMap::new();
    for layer in &tile.layers {
        assert_eq!(layer.name, "stations");
        assert_eq!(layer.extent, Some(4096));
        for f in &layer.features {
            assert_eq!(f.r#type(), tile::GeomType::Point);
            let mut w = GeoWriter::new();
            f.process_geom(&mut w).unwrap();
            let geo::Geometry::Point(p) = w.take_geometry().unwrap() else { panic!("not a point") };
            let props = f
                .tags
                .chunks(2)
                .map(|kv| {
                    let v = &layer.values[kv[1] as usize];
                    let text = v
                        .string_value
                        .clone()
                        .or_else(|| v.int_value.map(|i| i.to_string()))
                        .or_else(|| v.uint_value.map(|i| i.to_string()))
                        .unwrap();
                    (layer.keys[kv[0] as usize].clone(), text)
                })
                .collect();
            out.insert(f.id.unwrap(), (p.x(), p.y(), props));
        }
    }
    out
}

#[tokio::test]
async fn station_tiles_hold_exactly_the_api_stations_of_their_area() {
    let s = TestServer::with_token(dataset(600, 7)).await;
    let mut compared = 0;
    // From zoom 12 on (below it tiles are thinned) every station is in its tiles.
    for (z, dx, dy) in [(12u8, 0i64, 0i64), (12, -1, 0), (13, 1, 0), (13, 1, 1), (14, 2, 3), (14, -1, 2)] {
        let (cx, cy) = tile_xy(CENTRE.lon, CENTRE.lat, z);
        let (x, y) = ((cx.floor() as i64 + dx) as u32, (cy.floor() as i64 + dy) as u32);
        let (status, headers, body) = get_bytes(&s, &format!("/tiles/stations/{z}/{x}/{y}.mvt"), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "application/vnd.mapbox-vector-tile");
        assert!(headers.get("content-encoding").is_none());
        let features = station_features(&body);
        // The API's stations in the tile widened by the 64/4096 buffer.
        let b = 64.0 / 4096.0;
        let (w, n) = lon_lat(f64::from(x) - b, f64::from(y) - b, z);
        let (e, so) = lon_lat(f64::from(x) + 1.0 + b, f64::from(y) + 1.0 + b, z);
        let (_, _, api) = s.get(&format!("/api/v1/stations?bbox={w},{so},{e},{n}&limit=5000")).await;
        let api: BTreeMap<u64, &Value> =
            api["features"].as_array().unwrap().iter().map(|f| (f["id"].as_u64().unwrap(), f)).collect();
        assert_eq!(features.keys().collect::<Vec<_>>(), api.keys().collect::<Vec<_>>(), "z{z}/{x}/{y}");
        for (id, (px, py, props)) in &features {
            let f = api[id];
            let (lon, lat) =
                (f["geometry"]["coordinates"][0].as_f64().unwrap(), f["geometry"]["coordinates"][1].as_f64().unwrap());
            let (tx, ty) = tile_xy(lon, lat, z);
            assert!((px - ((tx - f64::from(x)) * 4096.0).floor()).abs() <= 1.0, "{id}: x {px} vs {tx}");
            assert!((py - ((ty - f64::from(y)) * 4096.0).floor()).abs() <= 1.0, "{id}: y {py} vs {ty}");
            let p = &f["properties"];
            assert_eq!(props["id"], id.to_string());
            assert_eq!(props["name"], p["name"].as_str().unwrap());
            assert_eq!(props["kind"], p["kind"].as_str().unwrap());
            assert_eq!(props["status"], p["status"].as_str().unwrap());
            let amenities: Vec<&str> = p["amenities"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            assert_eq!(props["amenities"], amenities.join(","));
            assert!(!props.contains_key("point_count"), "not thinned at z{z}");
        }
        compared += features.len();
    }
    assert!(compared > 100, "the tiles hold a real sample: {compared}");
}

/// Below zoom 12 a tile holds one point per grid cell; the `point_count`s of the points inside
/// the tile add up to the API's stations in the tile's bounds, and every point is one of them.
#[tokio::test]
async fn low_zoom_tiles_are_thinned_and_count_every_station() {
    let s = TestServer::with_token(dataset(3000, 11)).await;
    let (_, _, tj) = s.get("/tiles/stations.json").await;
    assert_eq!(tj["thin_below_zoom"], 12);
    assert_eq!(tj["thin_grid"], 64);
    assert!(tj["vector_layers"][0]["fields"]["point_count"].is_string());
    let mut thinned_tiles = 0;
    for z in [7u8, 9, 10, 11] {
        let (x0, y0) = tile_xy(CENTRE.lon - 0.12, CENTRE.lat + 0.08, z);
        let (x1, y1) = tile_xy(CENTRE.lon + 0.12, CENTRE.lat - 0.08, z);
        let mut total = 0;
        for x in x0 as u32..=x1 as u32 {
            for y in y0 as u32..=y1 as u32 {
                let (status, _, body) = get_bytes(&s, &format!("/tiles/stations/{z}/{x}/{y}.mvt"), &[]).await;
                assert_eq!(status, 200);
                let features = station_features(&body);
                let (w, n) = lon_lat(f64::from(x), f64::from(y), z);
                let (e, so) = lon_lat(f64::from(x) + 1.0, f64::from(y) + 1.0, z);
                let (_, _, api) = s.get(&format!("/api/v1/stations?bbox={w},{so},{e},{n}&limit=5000")).await;
                let api: BTreeMap<u64, &Value> =
                    api["features"].as_array().unwrap().iter().map(|f| (f["id"].as_u64().unwrap(), f)).collect();
                let inside = |px: f64, py: f64| (0.0..4096.0).contains(&px) && (0.0..4096.0).contains(&py);
                let counted: u64 = features
                    .values()
                    .filter(|(px, py, _)| inside(*px, *py))
                    .map(|(_, _, p)| p["point_count"].parse::<u64>().unwrap())
                    .sum();
                assert_eq!(counted as usize, api.len(), "z{z}/{x}/{y}: point_count sum vs the API's stations");
                for (id, (px, py, p)) in &features {
                    if !inside(*px, *py) {
                        continue;
                    }
                    let f = api.get(id).unwrap_or_else(|| panic!("z{z}/{x}/{y}: representative {id} is a station"));
                    let kinds: u64 = ["rest_station", "caring_merchant", "charging_cabinet", "ride_hailing_bay"]
                        .iter()
                        .filter_map(|k| p.get(&format!("count_{k}")))
                        .map(|c| c.parse::<u64>().unwrap())
                        .sum();
                    if p["point_count"] == "1" {
                        assert_eq!(p["name"], f["properties"]["name"].as_str().unwrap());
                        assert_eq!(kinds, 0);
                    } else {
                        assert_eq!(kinds.to_string(), p["point_count"], "counts per kind add up");
                    }
                }
                // Bounded: at most one point per cell of the 64 × 64 grid and its buffer ring.
                assert!(features.len() <= 66 * 66);
                total += api.len();
                if features.len() < api.len() {
                    thinned_tiles += 1;
                }
            }
        }
        assert_eq!(total, 3000, "z{z}: the tiles over the data hold all of it");
    }
    assert!(thinned_tiles >= 4, "clusters formed: {thinned_tiles}");
}

#[tokio::test]
async fn gzip_etag_304_and_invalidation_by_a_write() {
    let s = TestServer::with_token(dataset(200, 3)).await;
    let (cx, cy) = tile_xy(CENTRE.lon, CENTRE.lat, 13);
    let path = format!("/tiles/stations/13/{}/{}.mvt", cx as u32, cy as u32);
    let (_, plain_h, plain) = get_bytes(&s, &path, &[]).await;
    let (status, gz_h, gz) = get_bytes(&s, &path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, 200);
    assert_eq!(gz_h["content-encoding"], "gzip");
    assert_eq!(gz_h["vary"], "Accept-Encoding");
    let mut unzipped = Vec::new();
    GzDecoder::new(gz.as_slice()).read_to_end(&mut unzipped).unwrap();
    assert_eq!(unzipped, plain);
    assert!(gz.len() < plain.len());
    let etag = gz_h["etag"].to_str().unwrap().to_owned();
    assert_ne!(etag, plain_h["etag"].to_str().unwrap(), "each encoding has its own ETag");
    assert_eq!(gz_h["cache-control"], "no-cache");

    let (status, h304, body) = get_bytes(&s, &path, &[("accept-encoding", "gzip"), ("if-none-match", &etag)]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(h304["etag"].to_str().unwrap(), etag);

    // A write elsewhere still changes the version: the old ETag no longer matches.
    let before = station_features(&plain);
    let (lon, lat) = lon_lat(cx.floor() + 0.5, cy.floor() + 0.5, 13);
    let (status, _, created) = s
        .write_json(
            Method::POST,
            "/api/v1/stations",
            &json!({"kind": "rest_station", "name": "瓦片测试驿站", "location": {"lon": lon, "lat": lat}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, h, gz) = get_bytes(&s, &path, &[("accept-encoding", "gzip"), ("if-none-match", &etag)]).await;
    assert_eq!(status, 200);
    assert_ne!(h["etag"].to_str().unwrap(), etag);
    let mut unzipped = Vec::new();
    GzDecoder::new(gz.as_slice()).read_to_end(&mut unzipped).unwrap();
    let after = station_features(&unzipped);
    let id = created["id"].as_u64().unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let (x, y, props) = &after[&id];
    assert_eq!(props["name"], "瓦片测试驿站");
    assert!((x - 2048.0).abs() <= 1.0 && (y - 2048.0).abs() <= 1.0, "{x},{y}");
}

#[tokio::test]
async fn district_tiles_and_tilejson() {
    let s = TestServer::with_token(Vec::new()).await;
    let (cx, cy) = tile_xy(116.786, 35.553, 9);
    let (status, h, body) = get_bytes(&s, &format!("/tiles/districts/9/{}/{}.mvt", cx as u32, cy as u32), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(h["cache-control"], "no-cache");
    let tile = Tile::decode(body.as_slice()).unwrap();
    let layer = &tile.layers[0];
    assert_eq!(layer.name, "districts");
    let names: Vec<String> = layer
        .features
        .iter()
        .map(|f| {
            assert_eq!(f.r#type(), tile::GeomType::Polygon);
            let k = layer.keys.iter().position(|k| k == "name").unwrap() as u32;
            let pair = f.tags.chunks(2).find(|p| p[0] == k).unwrap();
            layer.values[pair[1] as usize].string_value.clone().unwrap()
        })
        .collect();
    assert!(names.iter().any(|n| n == "兖州区"), "{names:?}");
    // Far from Jining: an empty tile.
    let (status, _, body) = get_bytes(&s, "/tiles/districts/9/0/0.mvt", &[]).await;
    assert_eq!(status, 200);
    assert!(body.is_empty());

    let (status, _, tj) = s.get("/tiles/stations.json").await;
    assert_eq!(status, 200);
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["tiles"][0], format!("{}/tiles/stations/{{z}}/{{x}}/{{y}}.mvt", s.base));
    assert_eq!(tj["vector_layers"][0]["id"], "stations");
    assert!(tj["vector_layers"][0]["fields"]["amenities"].is_string());
    let (_, _, tj) = s.get("/tiles/districts.json").await;
    let b = tj["bounds"].as_array().unwrap();
    assert!(b[0].as_f64().unwrap() < 116.5 && b[2].as_f64().unwrap() > 117.0, "{b:?}");
}

#[tokio::test]
async fn bad_tile_addresses_are_400_naming_the_part_and_unknown_layers_404() {
    let s = TestServer::with_token(Vec::new()).await;
    assert_error(&s.get("/tiles/stations/23/0/0.mvt").await, 400, "invalid_parameter", Some("z"));
    assert_error(&s.get("/tiles/stations/x/0/0.mvt").await, 400, "invalid_parameter", Some("z"));
    assert_error(&s.get("/tiles/stations/3/8/0.mvt").await, 400, "invalid_parameter", Some("x"));
    assert_error(&s.get("/tiles/stations/3/0/8.mvt").await, 400, "invalid_parameter", Some("y"));
    assert_error(&s.get("/tiles/stations/3/0/1.png").await, 400, "invalid_parameter", Some("y"));
    assert_error(&s.get("/tiles/stations/3/0/1.mvt?x=1").await, 400, "unknown_parameter", Some("x"));
    assert_error(&s.get("/tiles/roads/3/0/1.mvt").await, 404, "not_found", Some("layer"));
    assert_error(&s.get("/tiles/roads.json").await, 404, "not_found", Some("layer"));
}

/// Every H3 cell of a saved analysis appears in the coverage tiles over its extent, with its class.
#[tokio::test]
async fn coverage_and_street_tiles() {
    let s = TestServer::with_token(dataset(300, 5)).await;
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
    let (status, _, cov) = s
        .send(
            Method::POST,
            "/api/v1/coverage",
            Some(("application/json", json!({"district": "兖州区", "resolution": 8}).to_string().into_bytes())),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{cov}");
    let id = cov["id"].as_str().unwrap();
    let cells: BTreeMap<u64, String> = cov["cells"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (u64::from_str_radix(p["h3"].as_str().unwrap(), 16).unwrap(), p["class"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(cells.len() > 50, "{} cells", cells.len());

    let (_, _, tj) = s.get(&format!("/tiles/coverage/{id}.json")).await;
    assert_eq!(tj["tiles"][0], format!("{}/tiles/coverage/{id}/{{z}}/{{x}}/{{y}}.mvt", s.base));
    let b: Vec<f64> = tj["bounds"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let z = 11;
    let (x0, y0) = tile_xy(b[0], b[3], z);
    let (x1, y1) = tile_xy(b[2], b[1], z);
    let mut seen: BTreeMap<u64, String> = BTreeMap::new();
    for x in x0 as u32..=x1 as u32 {
        for y in y0 as u32..=y1 as u32 {
            let (status, h, body) = get_bytes(&s, &format!("/tiles/coverage/{id}/{z}/{x}/{y}.mvt"), &[]).await;
            assert_eq!(status, 200);
            assert_eq!(h["cache-control"], "public, max-age=86400, immutable");
            for layer in Tile::decode(body.as_slice()).unwrap().layers {
                assert_eq!(layer.name, "coverage");
                let class_key = layer.keys.iter().position(|k| k == "class").unwrap() as u32;
                for f in &layer.features {
                    assert_eq!(f.r#type(), tile::GeomType::Polygon);
                    let pair = f.tags.chunks(2).find(|p| p[0] == class_key).unwrap();
                    seen.insert(f.id.unwrap(), layer.values[pair[1] as usize].string_value.clone().unwrap());
                }
            }
        }
    }
    assert_eq!(seen, cells, "every cell once with its class");
    assert_error(&s.get("/tiles/coverage/cov_nope/1/0/0.mvt").await, 404, "not_found", Some("analysis_id"));
    assert_error(&s.get("/tiles/coverage/cov_nope.json").await, 404, "not_found", Some("analysis_id"));

    // Streets of 兖州区 (stored by the demo planner data) in the streets layer.
    let (_, _, streets) = s.get("/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA/streets").await;
    let mut want: Vec<String> = streets["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    assert!(!want.is_empty());
    let (cx, cy) = tile_xy(116.786, 35.553, 8);
    let (_, _, body) = get_bytes(&s, &format!("/tiles/streets/8/{}/{}.mvt", cx as u32, cy as u32), &[]).await;
    let tile = Tile::decode(body.as_slice()).unwrap();
    let layer = &tile.layers[0];
    let name_key = layer.keys.iter().position(|k| k == "name").unwrap() as u32;
    let mut got: Vec<String> = layer
        .features
        .iter()
        .map(|f| {
            layer.values[f.tags.chunks(2).find(|p| p[0] == name_key).unwrap()[1] as usize].string_value.clone().unwrap()
        })
        .collect();
    got.sort();
    assert_eq!(got, want);
}

/// Headers a client (or a misconfigured proxy) could send to make the server link elsewhere.
const HOSTILE: &[(&str, &str)] = &[
    ("host", "evil.example"),
    ("x-forwarded-host", "evil.example"),
    ("x-forwarded-proto", "https"),
    ("forwarded", "host=evil.example;proto=https"),
];

/// The TileJSON at `path` fetched with [`HOSTILE`] headers: its one tile URL template (checked to
/// name no `evil.example` anywhere in the document).
async fn tile_template(s: &TestServer, path: &str) -> String {
    let (status, _, tj) = s.send(Method::GET, path, None, None, HOSTILE).await;
    assert_eq!(status, 200, "{path}: {tj}");
    assert!(!tj.to_string().contains("evil.example"), "{path}: {tj}");
    let tiles = tj["tiles"].as_array().unwrap();
    assert_eq!(tiles.len(), 1, "{tj}");
    tiles[0].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn tilejson_ignores_the_host_header_and_uses_the_listen_address_without_a_public_url() {
    let s = TestServer::with_token(dataset(20, 3)).await;
    for layer in ["stations", "districts", "streets"] {
        let t = tile_template(&s, &format!("/tiles/{layer}.json")).await;
        assert_eq!(t, format!("{}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt", s.base));
    }
}

#[tokio::test]
async fn tilejson_tile_urls_start_with_the_configured_public_url() {
    let config = Config {
        api_token: Some(TOKEN.to_owned()),
        public_url: Some("https://map.example.org".into()),
        ..Config::default()
    };
    let s = TestServer::start(config, dataset(20, 3)).await;
    for layer in ["stations", "districts", "streets"] {
        let t = tile_template(&s, &format!("/tiles/{layer}.json")).await;
        assert_eq!(t, format!("https://map.example.org/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"));
    }
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
    let body = json!({"district": "兖州区", "resolution": 7}).to_string().into_bytes();
    let (status, _, cov) = s.send(Method::POST, "/api/v1/coverage", Some(("application/json", body)), None, &[]).await;
    assert_eq!(status, 200, "{cov}");
    let id = cov["id"].as_str().unwrap();
    let t = tile_template(&s, &format!("/tiles/coverage/{id}.json")).await;
    assert_eq!(t, format!("https://map.example.org/tiles/coverage/{id}/{{z}}/{{x}}/{{y}}.mvt"));
}

//! End-to-end tests of the road network in the API: a real server on loopback with the Helsinki
//! extract's graphs loaded (cached as `.yzg` next to the extract, written atomically, so test
//! processes running in parallel share it safely) and the synthetic Helsinki demo stations.
//! Nearest answers are compared with an independent computation on the planner's primitives: one
//! full forward Dijkstra from the snapped origin and every station's own snap, over all stations.
//! Isochrones are compared with an oracle that shares no code with the planner: the extract read
//! directly with `osmpbf` into graphs built from the documented profile rules, a brute-force snap
//! and a plain Dijkstra (`tests/support/oracle.rs`).
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../support/oracle.rs"]
mod oracle;

use common::{TestServer, assert_error, dataset};
use oracle::{Extract, Mode, OsmGraph, geojson_contains};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use yizhan_core::config::Config;
use yizhan_planner::eta::{StraightLineModel, TravelMode};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::network::dijkstra::{self, Options};
use yizhan_planner::network::snap::SnapOptions;
use yizhan_planner::network::{Direction, RoadNetwork};
use yizhan_planner::station::{Station, StationKind, StationStatus};

fn extract() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/osm/helsinki-centre.osm.pbf")
}

fn networks() -> Vec<RoadNetwork> {
    yizhan_core::network::load_graphs(&extract(), TravelMode::ALL, None)
        .unwrap()
        .into_iter()
        .map(|g| RoadNetwork::new(g.graph, SnapOptions::default()))
        .collect()
}

/// A server with the Helsinki demo stations and 30 stations around 兖州区; networks loaded.
async fn helsinki_server() -> TestServer {
    let mut seed = yizhan_planner::demo::generate_helsinki(yizhan_planner::demo::DEMO_SEED);
    seed.extend(dataset(30, 7));
    let server = TestServer::start(Config::default(), seed).await;
    server.state.set_networks(networks());
    server
}

/// Travel time (ms) from `origin` to every station over `net`, computed independently of the
/// server's ranking: a full forward search from the origin's snap, then each station through the
/// ends of its own segment, or directly along a segment both share. `None`: unreachable or off
/// the network.
fn brute_times(net: &RoadNetwork, origin: LonLat, stations: &[Arc<Station>]) -> Vec<Option<u64>> {
    let g = net.graph();
    let o = net.snap(origin).unwrap();
    let seeds = o.seeds(g, Direction::Forward, 0);
    let tree = dijkstra::search(g, Direction::Forward, &seeds, Options::default());
    stations
        .iter()
        .map(|s| {
            let sn = net.snap(s.data.location)?;
            let mut best = sn
                .links(g, Direction::Backward)
                .into_iter()
                .filter_map(|(node, ms)| Some(u64::from(tree.time_ms(node)?) + u64::from(ms)))
                .min();
            if (sn.u, sn.v) == (o.u, o.v) {
                let along = if sn.t >= o.t { g.arc(sn.u, sn.v) } else { g.arc(sn.v, sn.u) };
                if let Some((arc_ms, _)) = along {
                    let part = ((sn.t - o.t).abs() * f64::from(arc_ms)).round() as u64;
                    let direct = u64::from(o.offroad_ms) + part + u64::from(sn.offroad_ms);
                    best = Some(best.map_or(direct, |b| b.min(direct)));
                }
            }
            best
        })
        .collect()
}

fn path_length_m(coords: &[Value]) -> f64 {
    let pts: Vec<LonLat> =
        coords.iter().map(|c| LonLat::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()).unwrap()).collect();
    pts.windows(2).map(|w| w[0].geodesic_distance_m(w[1])).sum()
}

#[tokio::test]
async fn nearest_by_ebike_equals_an_independent_search_over_every_station() {
    let server = helsinki_server().await;
    let net = server.state.network(TravelMode::Ebike).unwrap();
    let all: Vec<Arc<Station>> = server.state.index().iter().cloned().collect();
    let origins = [(24.945, 60.170), (24.9385, 60.1668), (24.9502, 60.1761), (24.9431, 60.1733)];
    let queries: [(usize, Option<StationKind>); 4] =
        [(5, None), (60, None), (3, Some(StationKind::CaringMerchant)), (100, Some(StationKind::RestStation))];
    for (lon, lat) in origins {
        let origin = LonLat::new(lon, lat).unwrap();
        let times = brute_times(&net, origin, &all);
        for (k, kind) in queries {
            let mut want: Vec<(u64, i64)> = all
                .iter()
                .zip(&times)
                .filter(|(s, _)| s.data.status == StationStatus::Active && kind.is_none_or(|kd| s.data.kind == kd))
                .filter_map(|(s, t)| Some(((*t)?, s.id)))
                .collect();
            want.sort_unstable();
            want.truncate(k);
            assert!(!want.is_empty());
            let kind_q = kind.map(|k| format!("&kind={}", k.code())).unwrap_or_default();
            let (status, _, body) =
                server.get(&format!("/api/v1/nearest?lon={lon}&lat={lat}&k={k}&mode=ebike{kind_q}")).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["method"], "network");
            let results = body["results"].as_array().unwrap();
            let got: Vec<(u64, i64)> = results
                .iter()
                .map(|r| {
                    (
                        (r["travel_time_s"].as_f64().unwrap() * 1000.0).round() as u64,
                        r["station"]["id"].as_i64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(got, want, "origin {lon},{lat} k={k} kind={kind:?}");
            for r in results {
                assert_eq!(r["method"], "network");
                assert_eq!(r["eta_s"], r["travel_time_s"]);
                let loc = LonLat::new(
                    r["station"]["location"]["lon"].as_f64().unwrap(),
                    r["station"]["location"]["lat"].as_f64().unwrap(),
                )
                .unwrap();
                assert!((r["geodesic_distance_m"].as_f64().unwrap() - origin.geodesic_distance_m(loc)).abs() < 1e-6);
                let coords = r["route"]["coordinates"].as_array().unwrap();
                assert_eq!(r["route"]["type"], "LineString");
                let first = LonLat::new(coords[0][0].as_f64().unwrap(), coords[0][1].as_f64().unwrap()).unwrap();
                let last = coords.last().unwrap();
                let last = LonLat::new(last[0].as_f64().unwrap(), last[1].as_f64().unwrap()).unwrap();
                assert!(first.geodesic_distance_m(origin) < 0.01, "route starts at the origin");
                assert!(last.geodesic_distance_m(loc) < 0.01, "route ends at the station");
                // The route's drawn length is its stated distance (planar vs geodesic pieces).
                let d = r["distance_m"].as_f64().unwrap();
                assert!((path_length_m(coords) - d).abs() <= 0.002 * d + 0.5, "{d} vs {}", path_length_m(coords));
                assert!(
                    d + 0.5 >= r["geodesic_distance_m"].as_f64().unwrap(),
                    "a route is never shorter than the straight line"
                );
            }
        }
    }
}

#[tokio::test]
async fn off_network_queries_fall_back_to_the_straight_line() {
    let server = helsinki_server().await;
    let model = StraightLineModel::default();
    // 兖州区 (no road data) and the sea south of the Helsinki extract (no road within 250 m).
    for (lon, lat) in [(116.79, 35.55), (24.96, 60.150)] {
        let (status, _, body) = server.get(&format!("/api/v1/nearest?lon={lon}&lat={lat}&k=5&mode=ebike")).await;
        assert_eq!(status, 200);
        assert_eq!(body["method"], "straight_line", "{lon},{lat}");
        let mut previous = 0.0;
        for r in body["results"].as_array().unwrap() {
            assert_eq!(r["method"], "straight_line");
            assert!(r.get("route").is_none() && r.get("travel_time_s").is_none());
            let d = r["distance_m"].as_f64().unwrap();
            assert_eq!(r["geodesic_distance_m"].as_f64().unwrap(), d);
            assert!((r["eta_s"].as_f64().unwrap() - model.eta_s(d, TravelMode::Ebike)).abs() < 1e-9);
            assert!(d >= previous);
            previous = d;
        }
    }
    // A mode without a loaded network: straight line too.
    server.state.set_networks(networks().into_iter().filter(|n| n.mode() != TravelMode::Car).collect());
    let (_, _, body) = server.get("/api/v1/nearest?lon=24.945&lat=60.170&mode=car").await;
    assert_eq!(body["method"], "straight_line");
    let (_, _, body) = server.get("/api/v1/nearest?lon=24.945&lat=60.170&mode=walk").await;
    assert_eq!(body["method"], "network");
}

/// Checks an isochrone (`geometry`, `reached_nodes` as the API gave them) of a station at `p`
/// with limit `limit_s` against the independent oracle's graph `g` (see `tests/support/oracle.rs`).
/// The station may snap to any segment within 2 m of the nearest (distances are measured a little
/// differently here), so each node's time is bounded by the lowest and highest over those
/// candidates. Then: every node reached within 90 % of the limit (at the highest) lies inside, as
/// does some candidate's foot on the road and the station itself when it is within 35 m of the
/// road; every node reached only after 110 % of the limit (at the lowest, or never) and more than
/// the 40 m band plus 15 m (the 5 m simplification and margin) from every candidate segment and
/// every segment touching a node reached within 110 % lies outside; `reached_nodes` is between
/// the counts at 98 % and 102 % of the limit (haversine vs ellipsoidal lengths, millisecond
/// rounding). Returns (nodes checked inside, nodes checked outside, of which reached within
/// twice the limit).
fn check_isochrone(
    g: &OsmGraph,
    p: (f64, f64),
    limit_s: f64,
    geometry: &Value,
    reached_nodes: u64,
    what: &str,
) -> (usize, usize, usize) {
    let snaps = g.snaps(p, 2.0);
    let (mut lo, mut hi) = (vec![f64::INFINITY; g.node_count()], vec![0.0f64; g.node_count()]);
    for s in &snaps {
        for (u, t) in g.times_to(s).into_iter().enumerate() {
            (lo[u], hi[u]) = (lo[u].min(t), hi[u].max(t));
        }
    }
    let inner: Vec<usize> = (0..g.node_count()).filter(|&u| hi[u] <= 0.9 * limit_s).collect();
    for &u in &inner {
        assert!(
            geojson_contains(geometry, g.coords[u]),
            "{what}: node {} is reached in {:.1} s of {limit_s} s but lies outside the isochrone",
            g.osm_ids[u],
            hi[u]
        );
    }
    assert!(
        snaps.iter().any(|s| geojson_contains(geometry, s.foot)),
        "{what}: the station's foot on the road is outside"
    );
    if snaps[0].offroad_m < 35.0 {
        assert!(
            geojson_contains(geometry, p),
            "{what}: the station ({:.1} m off the road) is outside",
            snaps[0].offroad_m
        );
    }
    let count = |times: &[f64], f: f64| times.iter().filter(|t| **t <= f * limit_s).count() as u64;
    let (fewest, most) = (count(&hi, 0.98), count(&lo, 1.02));
    assert!(
        (fewest..=most).contains(&reached_nodes),
        "{what}: {reached_nodes} nodes reached; independently {fewest} at 98 % and {most} at 102 % of the limit"
    );
    let near: Vec<(usize, usize)> = g
        .segments()
        .into_iter()
        .filter(|&(a, b)| lo[a] <= 1.1 * limit_s || lo[b] <= 1.1 * limit_s)
        .chain(snaps.iter().map(|s| (s.a, s.b)))
        .collect();
    let (mut outer, mut close) = (0, 0);
    for (u, &t) in lo.iter().enumerate() {
        if t <= 1.1 * limit_s || near.iter().any(|&(a, b)| g.segment_distance(g.coords[u], a, b).0 <= 55.0) {
            continue;
        }
        assert!(
            !geojson_contains(geometry, g.coords[u]),
            "{what}: node {} is reached only in {t:.1} s (limit {limit_s} s), far from every reached road, but lies inside",
            g.osm_ids[u],
        );
        outer += 1;
        if t <= 2.0 * limit_s {
            close += 1;
        }
    }
    (inner.len(), outer, close)
}

/// The isochrone endpoint against an independent oracle: the Helsinki extract read directly with
/// `osmpbf` into graphs built from the documented profile rules, a brute-force snap and a plain
/// Dijkstra (`tests/support/oracle.rs`), and a point-in-polygon test of the returned GeoJSON.
#[tokio::test]
async fn isochrone_contains_the_station_and_matches_the_planner() {
    let server = helsinki_server().await;
    let extract = Extract::read(&extract());
    let (walk, ebike) = (extract.graph(Mode::Walk), extract.graph(Mode::Ebike));
    let station =
        server.state.index().iter().find(|s| s.data.external_id.as_deref() == Some("HEL-RS-001")).cloned().unwrap();
    let at = (station.data.location.lon, station.data.location.lat);
    for (mode, graph, minutes) in [(TravelMode::Ebike, &ebike, 3.0), (TravelMode::Walk, &walk, 1.5)] {
        let (status, headers, body) =
            server.get(&format!("/api/v1/stations/{}/isochrone?minutes={minutes}&mode={mode}", station.id)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], "application/geo+json");
        assert_eq!(body["type"], "Feature");
        let p = &body["properties"];
        assert_eq!(p["station_id"], station.id);
        assert_eq!(p["minutes"], minutes);
        assert_eq!(p["mode"], mode.code());
        assert_eq!(p["method"], "network");
        assert_eq!(p["limit_s"], minutes * 60.0);
        let what = format!("HEL-RS-001 {mode} {minutes} min");
        let (inside, outside, close) =
            check_isochrone(graph, at, minutes * 60.0, &body["geometry"], p["reached_nodes"].as_u64().unwrap(), &what);
        assert!(inside >= 10 && outside >= 100 && close >= 10, "{what}: {inside} inside, {outside} ({close}) outside");
    }
    // Stations within 30 m of the e-bike roads (by the oracle's snap), 1 minute by e-bike (the
    // default mode): each lies inside its own isochrone, which agrees with the oracle.
    let near_road: Vec<Arc<Station>> = server
        .state
        .index()
        .iter()
        .filter(|s| s.data.district.as_deref() == Some("Helsinki"))
        .filter(|s| ebike.snap((s.data.location.lon, s.data.location.lat)).offroad_m < 30.0)
        .take(3)
        .cloned()
        .collect();
    assert_eq!(near_road.len(), 3);
    for s in near_road {
        let (status, _, body) = server.get(&format!("/api/v1/stations/{}/isochrone?minutes=1", s.id)).await;
        assert_eq!(status, 200);
        assert_eq!(body["properties"]["mode"], "ebike");
        let at = (s.data.location.lon, s.data.location.lat);
        assert!(geojson_contains(&body["geometry"], at), "{}", s.data.name);
        let reached = body["properties"]["reached_nodes"].as_u64().unwrap();
        check_isochrone(&ebike, at, 60.0, &body["geometry"], reached, &s.data.name);
    }
    // Longer limits reach more.
    let area = |b: &Value| b["properties"]["area_m2"].as_f64().unwrap();
    let (_, _, small) = server.get(&format!("/api/v1/stations/{}/isochrone?minutes=1", station.id)).await;
    let (_, _, large) = server.get(&format!("/api/v1/stations/{}/isochrone?minutes=2", station.id)).await;
    assert!(area(&large) > area(&small));
}

#[tokio::test]
async fn isochrone_and_roads_errors() {
    let server = helsinki_server().await;
    let hel = server.state.index().iter().find(|s| s.data.district.as_deref() == Some("Helsinki")).unwrap().id;
    let yz = server.state.index().iter().find(|s| s.data.district.as_deref() != Some("Helsinki")).unwrap().id;
    let iso = |q: String| format!("/api/v1/stations/{hel}/isochrone?{q}");
    for bad in ["0", "-1", "60.5", "61", "abc", "NaN"] {
        assert_error(&server.get(&iso(format!("minutes={bad}"))).await, 400, "invalid_parameter", Some("minutes"));
    }
    assert_error(&server.get(&iso("mode=boat".into())).await, 400, "invalid_parameter", Some("mode"));
    assert_error(&server.get(&iso("minute=5".into())).await, 400, "unknown_parameter", Some("minute"));
    assert_error(&server.get("/api/v1/stations/999999/isochrone").await, 404, "not_found", Some("id"));
    assert_error(&server.get("/api/v1/stations/abc/isochrone").await, 400, "invalid_id", Some("id"));
    assert_error(&server.get(&format!("/api/v1/stations/{yz}/isochrone")).await, 409, "station_off_network", None);
    let (status, _, _) = server.get(&iso("minutes=60&mode=car".into())).await;
    assert_eq!(status, 200);
    assert_error(&server.get("/api/v1/network/roads?mode=bike!").await, 400, "invalid_parameter", Some("mode"));
    assert_error(&server.get("/api/v1/network/roads?bbox=1,2,3").await, 400, "invalid_parameter", Some("bbox"));
    assert_error(&server.get("/api/v1/network/roads?limit=0").await, 400, "invalid_parameter", Some("limit"));

    // Without networks: 409 naming the mode, for both endpoints.
    server.state.set_networks(Vec::new());
    let msg = assert_error(&server.get(&iso("mode=ebike".into())).await, 409, "network_unavailable", Some("mode"));
    assert!(msg.contains("ebike"), "{msg}");
    assert_error(&server.get("/api/v1/network/roads?mode=walk").await, 409, "network_unavailable", Some("mode"));
    // Without a mode (what the map asks on any server): an empty layer, not an error.
    let (status, _, body) = server.get("/api/v1/network/roads").await;
    assert_eq!(status, 200);
    assert_eq!(body["mode"], Value::Null);
    assert_eq!(body["features"], serde_json::json!([]));
    // The nearest answer still works, by straight line.
    let (_, _, body) = server.get("/api/v1/nearest?lon=24.945&lat=60.170").await;
    assert_eq!(body["method"], "straight_line");
}

#[tokio::test]
async fn roads_layer_covers_the_box_by_class() {
    let server = helsinki_server().await;
    let (status, headers, all) = server.get("/api/v1/network/roads?limit=20000").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/geo+json");
    assert_eq!(all["mode"], "ebike");
    assert_eq!(all["truncated"], false);
    let features = all["features"].as_array().unwrap();
    assert_eq!(all["numberReturned"], features.len());
    assert!(features.len() > 100);
    let rank = |c: &str| ["major", "minor", "path"].iter().position(|x| *x == c).unwrap();
    let ranks: Vec<usize> = features.iter().map(|f| rank(f["properties"]["class"].as_str().unwrap())).collect();
    assert!(ranks.is_sorted(), "fastest class first");
    assert!(ranks.contains(&0) && ranks.contains(&2));
    // Every graph node lies on some drawn line's vertices or between them: the vertex count is
    // at most the node count, and every line has at least two vertices.
    let g = server.state.network(TravelMode::Ebike).unwrap().graph().clone();
    let vertices: usize = features.iter().map(|f| f["geometry"]["coordinates"].as_array().unwrap().len()).sum();
    assert!(features.iter().all(|f| f["geometry"]["coordinates"].as_array().unwrap().len() >= 2));
    assert!(vertices <= 2 * g.node_count());

    // A box: exactly the lines whose own box meets it.
    let b = [24.940, 60.166, 24.944, 60.169];
    let (_, _, part) = server.get(&format!("/api/v1/network/roads?bbox={},{},{},{}", b[0], b[1], b[2], b[3])).await;
    let meets = |f: &Value| {
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let xs: Vec<f64> = c.iter().map(|p| p[0].as_f64().unwrap()).collect();
        let ys: Vec<f64> = c.iter().map(|p| p[1].as_f64().unwrap()).collect();
        let (x0, x1) = (xs.iter().copied().fold(f64::MAX, f64::min), xs.iter().copied().fold(f64::MIN, f64::max));
        let (y0, y1) = (ys.iter().copied().fold(f64::MAX, f64::min), ys.iter().copied().fold(f64::MIN, f64::max));
        x0 <= b[2] && x1 >= b[0] && y0 <= b[3] && y1 >= b[1]
    };
    let want: Vec<&Value> = features.iter().filter(|f| meets(f)).collect();
    let got: Vec<&Value> = part["features"].as_array().unwrap().iter().collect();
    assert!(!got.is_empty() && got.len() < features.len());
    assert_eq!(got, want);

    // A limit keeps the fastest lines and says so.
    let (_, _, few) = server.get("/api/v1/network/roads?limit=10").await;
    assert_eq!(few["truncated"], true);
    assert_eq!(few["features"].as_array().unwrap(), &features[..10].to_vec());
    let (_, _, walk) = server.get("/api/v1/network/roads?mode=walk&limit=20000").await;
    assert_eq!(walk["mode"], "walk");
    assert!(walk["features"].as_array().unwrap().len() > features.len(), "walkers have more ways");
}

#[tokio::test]
async fn openapi_documents_the_network_routes() {
    let server = helsinki_server().await;
    let (_, _, doc) = server.get("/api/v1/openapi.json").await;
    let iso = &doc["paths"]["/api/v1/stations/{id}/isochrone"]["get"];
    for code in ["200", "400", "404", "409"] {
        assert!(iso["responses"].get(code).is_some(), "isochrone {code}");
    }
    let roads = &doc["paths"]["/api/v1/network/roads"]["get"];
    for code in ["200", "400", "409"] {
        assert!(roads["responses"].get(code).is_some(), "roads {code}");
    }
    let nearest_mode = doc["paths"]["/api/v1/nearest"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "mode")
        .unwrap()
        .clone();
    assert!(nearest_mode["description"].as_str().unwrap().contains("network"));
    assert!(doc["components"]["schemas"]["NearestResult"]["properties"].get("route").is_some());
}

/// A coverage analysis uses the road network only where the area overlaps it: 兖州区 with the
/// Helsinki graphs loaded is straight line (not "every cell unreachable"), central Helsinki is
/// along the roads, and each cell's time there equals the planner's own network field.
#[tokio::test]
async fn coverage_uses_the_network_only_where_the_area_overlaps_it() {
    let server = helsinki_server().await;
    let coverage = |body: Value| {
        let server = &server;
        async move {
            let bytes = body.to_string().into_bytes();
            server.send(reqwest::Method::POST, "/api/v1/coverage", Some(("application/json", bytes)), None, &[]).await
        }
    };
    let (status, _, yz) = coverage(serde_json::json!({"district": "兖州区", "resolution": 7, "mode": "ebike"})).await;
    assert_eq!(status, 200, "{yz}");
    assert_eq!(yz["method"], "straight_line");
    let cells = yz["cells"]["features"].as_array().unwrap();
    assert!(cells.iter().any(|c| c["properties"]["travel_time_s"].is_number()), "stations around 兖州区 are reached");

    let [w, s, e, n] = [24.938, 60.166, 24.950, 60.176];
    let ring = serde_json::json!([[[w, s], [e, s], [e, n], [w, n], [w, s]]]);
    let body =
        serde_json::json!({"boundary": {"type": "Polygon", "coordinates": ring}, "resolution": 10, "mode": "walk"});
    let (status, _, hk) = coverage(body).await;
    assert_eq!(status, 200, "{hk}");
    assert_eq!(hk["method"], "network");
    let walk = networks().into_iter().find(|n| n.mode() == TravelMode::Walk).unwrap();
    let stations: Vec<Arc<Station>> = server.state.index().iter().cloned().collect();
    let active: Vec<_> = stations.iter().filter(|s| s.data.status == StationStatus::Active).collect();
    let snaps = walk.snap_all(&active.iter().map(|s| s.data.location).collect::<Vec<_>>());
    let field = walk.nearest_station_field(&snaps);
    let features = hk["cells"]["features"].as_array().unwrap();
    assert!(features.len() > 20, "{} cells", features.len());
    let mut reached = 0;
    for f in features {
        let h3: h3o::CellIndex = f["properties"]["h3"].as_str().unwrap().parse().unwrap();
        let c = h3o::LatLng::from(h3);
        let want = walk.field_at(&field, LonLat::new(c.lng(), c.lat()).unwrap()).map(|(t, _)| t);
        let got = f["properties"]["travel_time_s"].as_f64();
        match (want, got) {
            (Some(w), Some(g)) => {
                assert!((w - g).abs() < 1e-6, "{h3}: {g} s, independently {w} s");
                reached += 1;
            }
            (None, None) => {}
            other => panic!("{h3}: {other:?}"),
        }
    }
    assert!(reached > 20, "{reached} cells reached along the roads");
}

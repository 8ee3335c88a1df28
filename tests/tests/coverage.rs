//! End-to-end tests of the coverage planner over HTTP: `POST /api/v1/coverage` against a brute
//! force computed here from `GET /api/v1/stations` (geodesic distance × detour ÷ speed from every
//! H3 cell centre), plan jobs with progress, scenarios, and every class of bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TOKEN, TestServer, assert_error, dataset};
use geo::{Contains, MultiPolygon, Point, Polygon};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use yizhan_core::config::{Config, Limits};
use yizhan_planner::geodesy::LonLat;

/// A server over 40 synthetic stations around 兖州区 with the planner's demo data stored
/// (districts, the synthetic streets and demand layer).
async fn server(limits: Limits) -> TestServer {
    let config = Config { api_token: Some(TOKEN.to_owned()), limits, ..Config::default() };
    let s = TestServer::start(config, dataset(40, 7)).await;
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
    s
}

async fn post(s: &TestServer, path: &str, body: &Value) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    s.send(Method::POST, path, Some(("application/json", body.to_string().into_bytes())), None, &[]).await
}

/// Active stations from the API: (id, position).
async fn active_stations(s: &TestServer) -> Vec<(i64, LonLat)> {
    stations_where(s, "status=active").await
}

/// Stations matching a `GET /api/v1/stations` query: (id, position).
async fn stations_where(s: &TestServer, query: &str) -> Vec<(i64, LonLat)> {
    let (status, _, body) = s.get(&format!("/api/v1/stations?{query}&limit=5000")).await;
    assert_eq!(status, StatusCode::OK);
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (f["id"].as_i64().unwrap(), LonLat::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()).unwrap())
        })
        .collect()
}

fn multipolygon(coords: &Value) -> MultiPolygon<f64> {
    let ring = |r: &Value| -> geo::LineString<f64> {
        r.as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect()
    };
    MultiPolygon(
        coords
            .as_array()
            .unwrap()
            .iter()
            .map(|poly| {
                let rings = poly.as_array().unwrap();
                Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
            })
            .collect(),
    )
}

fn centre(h3: &str) -> (f64, f64) {
    let cell: h3o::CellIndex = h3.parse().unwrap();
    let ll = h3o::LatLng::from(cell);
    (ll.lng(), ll.lat())
}

#[tokio::test]
async fn coverage_of_yanzhou_matches_brute_force_for_every_cell() {
    let s = server(Limits::default()).await;
    let (status, _, body) = post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "resolution": 8})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["area"]["name"], "兖州区");
    assert_eq!(body["method"], "straight_line");
    assert_eq!(body["minutes"], json!([10.0, 15.0]));
    assert_eq!(body["demand"]["source"], "demo:兖州区");

    let stations = active_stations(&s).await;
    assert!(stations.len() > 20, "{}", stations.len());
    let eta = Config::default().eta;
    let speed = eta.ebike_m_s;
    let (_, _, district) = s.get("/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA").await;
    let area = multipolygon(&district["geometry"]["coordinates"]);

    let features = body["cells"]["features"].as_array().unwrap();
    assert!(features.len() > 500, "{}", features.len());
    let cells: HashSet<&str> = features.iter().map(|f| f["properties"]["h3"].as_str().unwrap()).collect();
    assert_eq!(cells.len(), features.len(), "no duplicate cell");
    let mut within = [(0.0, 0.0); 2];
    let (mut area_total, mut demand_total) = (0.0, 0.0);
    for f in features {
        let p = &f["properties"];
        let h3 = p["h3"].as_str().unwrap();
        let (lon, lat) = centre(h3);
        // The boundary rule: a cell belongs to the area when its centre does; every neighbour whose
        // centre is inside is there too.
        assert!(area.contains(&Point::new(lon, lat)), "{h3} centre outside");
        let cell: h3o::CellIndex = h3.parse().unwrap();
        for n in cell.grid_disk::<Vec<_>>(1) {
            let ll = h3o::LatLng::from(n);
            if area.contains(&Point::new(ll.lng(), ll.lat())) {
                assert!(cells.contains(n.to_string().as_str()), "neighbour {n} of {h3} is inside but missing");
            }
        }
        // Brute force: the nearest active station by geodesic distance.
        let origin = LonLat::new(lon, lat).unwrap();
        let (best_id, best_m) = stations
            .iter()
            .map(|(id, pos)| (*id, origin.geodesic_distance_m(*pos)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .unwrap();
        let want_s = best_m * eta.detour_factor / speed;
        let got_s = p["travel_time_s"].as_f64().unwrap();
        assert!((got_s - want_s).abs() < 1e-6 * want_s.max(1.0), "{h3}: {got_s} s, brute force {want_s} s");
        assert_eq!(p["station_id"].as_i64().unwrap(), best_id, "{h3}");
        let want_class = if want_s <= 600.0 {
            "within_10"
        } else if want_s <= 900.0 {
            "within_15"
        } else {
            "beyond"
        };
        assert_eq!(p["class"], want_class, "{h3} at {want_s} s");
        let (a, d) = (p["area_m2"].as_f64().unwrap(), p["demand"].as_f64().unwrap());
        area_total += a;
        demand_total += d;
        for (i, limit) in [600.0, 900.0].into_iter().enumerate() {
            if want_s <= limit {
                within[i].0 += a;
                within[i].1 += d;
            }
        }
    }
    // The summary's shares, recomputed from the cells.
    let summary = &body["summary"];
    assert_eq!(summary["cells"].as_u64().unwrap() as usize, features.len());
    assert!((summary["area_km2"].as_f64().unwrap() - area_total / 1e6).abs() < 1e-6);
    assert!((summary["demand_total"].as_f64().unwrap() - demand_total).abs() < 1e-6);
    for (i, t) in summary["thresholds"].as_array().unwrap().iter().enumerate() {
        assert!((t["area_share"].as_f64().unwrap() - within[i].0 / area_total).abs() < 1e-9, "{t}");
        assert!((t["demand_share"].as_f64().unwrap() - within[i].1 / demand_total).abs() < 1e-9, "{t}");
    }
    // Demand: the demo layer's weight inside the area, all of it in cells.
    let outside = body["demand"]["weight_outside"].as_f64().unwrap();
    let stored = s.state.store.demand("demo:兖州区").await.unwrap().unwrap();
    let stored_total: f64 = stored.points.iter().map(|p| p[2]).sum();
    assert!((demand_total + outside - stored_total).abs() < 1e-6, "{demand_total} + {outside} vs {stored_total}");
    // Streets: the stored synthetic streets, each with its own summary.
    let streets = body["streets"].as_array().unwrap();
    assert_eq!(streets.len(), s.state.store.streets("兖州区").await.unwrap().len());
    let street_cells: u64 = streets.iter().map(|st| st["summary"]["cells"].as_u64().unwrap()).sum();
    assert!(street_cells <= features.len() as u64);

    // Kept: GET answers the same document.
    let id = body["id"].as_str().unwrap();
    assert!(id.starts_with("cov_"));
    let (status, _, again) = s.get(&format!("/api/v1/coverage/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, body);
    s.stop().await.unwrap();
}

/// Every cell's nearest station and travel time equal a brute force over `stations`.
fn assert_brute_force(body: &Value, stations: &[(i64, LonLat)]) {
    let eta = Config::default().eta;
    let features = body["cells"]["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        let p = &f["properties"];
        let (lon, lat) = centre(p["h3"].as_str().unwrap());
        let origin = LonLat::new(lon, lat).unwrap();
        let (id, m) = stations
            .iter()
            .map(|(id, pos)| (*id, origin.geodesic_distance_m(*pos)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .unwrap();
        let want_s = m * eta.detour_factor / eta.speed_m_s(yizhan_planner::eta::TravelMode::Walk);
        assert_eq!(p["station_id"].as_i64().unwrap(), id, "{p}");
        assert!((p["travel_time_s"].as_f64().unwrap() - want_s).abs() < 1e-6 * want_s.max(1.0), "{p} vs {want_s}");
    }
}

#[tokio::test]
async fn filters_and_planned_stations_count_as_asked() {
    let s = server(Limits::default()).await;
    // Kinds and amenities: only matching active stations count (walking).
    let request = json!({"district": "兖州区", "resolution": 7, "mode": "walk", "kinds": ["rest_station", "caring_merchant"], "amenities": ["wifi"]});
    let (status, _, body) = post(&s, "/api/v1/coverage", &request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let matching = stations_where(&s, "status=active&kind=rest_station,caring_merchant&amenity=wifi").await;
    assert!(matching.len() >= 2 && matching.len() < active_stations(&s).await.len(), "{}", matching.len());
    assert_brute_force(&body, &matching);
    // Planned stations count with include_planned.
    let request = json!({"district": "兖州区", "resolution": 7, "mode": "walk", "include_planned": true});
    let (_, _, body) = post(&s, "/api/v1/coverage", &request).await;
    let with_planned = stations_where(&s, "status=active,planned").await;
    assert!(with_planned.len() > active_stations(&s).await.len());
    assert_brute_force(&body, &with_planned);
    s.stop().await.unwrap();
}

/// Polls a plan job until it ends; returns every snapshot seen.
async fn follow(s: &TestServer, id: &str) -> Vec<Value> {
    let start = Instant::now();
    let mut seen = Vec::new();
    loop {
        let (status, _, job) = s.get(&format!("/api/v1/plans/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        let finished = matches!(job["status"].as_str().unwrap(), "done" | "failed" | "cancelled");
        seen.push(job);
        if finished {
            return seen;
        }
        assert!(start.elapsed() < Duration::from_secs(600), "the job did not end");
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

#[tokio::test]
async fn plan_runs_to_done_then_saves_as_a_scenario_that_compare_counts() {
    // A small search budget: the debug build's optimiser is slow, and 3 of ~130 cells is easy.
    let s = server(Limits { max_plan_effort: 3_000_000, ..Limits::default() }).await;
    let request = json!({"district": "兖州区", "resolution": 7, "minutes": 10, "sites": 3});
    let (status, headers, accepted) = post(&s, "/api/v1/plans", &request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let id = accepted["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("plan_"));
    assert_eq!(accepted["status"], "queued");
    assert_eq!(accepted["links"]["self"], format!("/api/v1/plans/{id}"));
    assert_eq!(headers["location"], format!("/api/v1/plans/{id}"));

    let seen = follow(&s, &id).await;
    let last = seen.last().unwrap();
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["progress"]["fraction"], 1.0);
    assert_eq!(last["request"]["sites"], 3);
    // Progress was observed before the end, each fraction within 0..=1.
    let running: Vec<&Value> = seen.iter().filter(|j| j["status"] != "done").collect();
    assert!(!running.is_empty(), "no progress snapshot before done");
    for j in &running {
        let f = j["progress"]["fraction"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&f), "{j}");
        let phase = j["progress"]["phase"].as_str().unwrap();
        assert!(["queued", "coverage", "greedy", "bound", "improve"].contains(&phase), "{phase}");
    }

    // Sites ranked 1..=3 with gains summing to the demand newly covered.
    let result = &last["result"];
    let sites = result["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3);
    let ranks: Vec<u64> = sites.iter().map(|x| x["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, vec![1, 2, 3]);
    let covered = |summary: &Value| {
        summary["demand_total"].as_f64().unwrap() * summary["thresholds"][0]["demand_share"].as_f64().unwrap()
    };
    let gains: f64 = sites.iter().map(|x| x["gain"].as_f64().unwrap()).sum();
    let (before, after) = (covered(&result["before"]), covered(&result["after"]));
    assert!(gains > 0.0);
    assert!(
        (gains - (after - before)).abs() < 1e-6 * after.max(1.0),
        "gains {gains}, after − before {}",
        after - before
    );
    for w in sites.windows(2) {
        assert!(w[0]["gain"].as_f64().unwrap() >= w[1]["gain"].as_f64().unwrap() - 1e-9, "greedy order: {w:?}");
    }

    // Saved as a scenario (a write: the token is needed).
    let body = json!({"name": "方案A", "plan": id}).to_string().into_bytes();
    let denied = s.send(Method::POST, "/api/v1/scenarios", Some(("application/json", body.clone())), None, &[]).await;
    assert_error(&denied, 401, "unauthorized", None);
    let (status, _, saved) =
        s.send(Method::POST, "/api/v1/scenarios", Some(("application/json", body.clone())), Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["name"], "方案A");
    let ids: Vec<i64> = saved["station_ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    for (i, sid) in ids.iter().enumerate() {
        let (_, _, st) = s.get(&format!("/api/v1/stations/{sid}")).await;
        assert_eq!(st["properties"]["status"], "planned", "{st}");
        assert_eq!(st["properties"]["source"], "scenario:方案A");
        let c = &st["geometry"]["coordinates"];
        assert!((c[0].as_f64().unwrap() - sites[i]["lon"].as_f64().unwrap()).abs() < 1e-9);
    }
    // The scenario's stations are one audited write by the token holder, through this route.
    let (status, _, log) = s.send(Method::GET, "/api/v1/audit", None, Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let last = log["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["route"], "POST /api/v1/scenarios", "{last}");
    assert_ne!(last["actor_id"], "system", "{last}");
    let again = s.send(Method::POST, "/api/v1/scenarios", Some(("application/json", body)), Some(TOKEN), &[]).await;
    assert_error(&again, 409, "conflict", Some("name"));
    let (_, _, list) = s.get("/api/v1/scenarios").await;
    assert_eq!(list["scenarios"][0]["name"], "方案A");
    assert_eq!(list["scenarios"][0]["plan_id"], id.as_str());

    // Compare: the baseline is the plan's before, the scenario its after.
    let (status, _, cmp) = s
        .get("/api/v1/scenarios/compare?a=%E6%96%B9%E6%A1%88A&district=%E5%85%96%E5%B7%9E%E5%8C%BA&minutes=10&resolution=7")
        .await;
    assert_eq!(status, StatusCode::OK, "{cmp}");
    assert_eq!(cmp["a"]["name"], "方案A");
    assert!((covered(&cmp["baseline"]) - before).abs() < 1e-6, "{cmp}");
    assert!((covered(&cmp["a"]["summary"]) - after).abs() < 1e-6, "{cmp} vs after {after}");
    assert!(cmp.get("b").is_none());
    let missing = s.get("/api/v1/scenarios/compare?a=nope&district=%E5%85%96%E5%B7%9E%E5%8C%BA&resolution=7").await;
    assert_error(&missing, 404, "not_found", Some("a"));
    // Coverage with the scenario counts its planned stations; without, not.
    let (_, _, with) = post(
        &s,
        "/api/v1/coverage",
        &json!({"district": "兖州区", "resolution": 7, "minutes": [10], "scenario": "方案A"}),
    )
    .await;
    assert!((covered(&with["summary"]) - after).abs() < 1e-6);
    s.stop().await.unwrap();
}

/// Two clients save different plans under one name at the same time: one scenario (201), one 409
/// naming `name`, and only the winner's planned stations are stored — no orphans of the loser —
/// with the scenario in the audit log next to its stations.
#[tokio::test]
async fn concurrent_scenarios_with_one_name_store_one_and_leave_no_orphans() {
    let s = server(Limits { max_plan_effort: 3_000_000, ..Limits::default() }).await;
    let mut plans = Vec::new();
    for sites in [3, 2] {
        let request = json!({"district": "兖州区", "resolution": 7, "minutes": 10, "sites": sites});
        let (status, _, accepted) = post(&s, "/api/v1/plans", &request).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        let id = accepted["id"].as_str().unwrap().to_owned();
        let last = follow(&s, &id).await.pop().unwrap();
        assert_eq!(last["status"], "done", "{last}");
        let n = last["result"]["sites"].as_array().unwrap().len();
        assert!(n > 0);
        plans.push((id, n));
    }
    assert_ne!(plans[0].0, plans[1].0);
    let stations_before = s.state.store.count().await.unwrap();
    let planned_before = stations_where(&s, "status=planned").await.len();
    let audit_before = s.state.store.audit_log(None, 1000).await.unwrap().len();

    let server = &s;
    let save = |plan: String| async move {
        server.write_json(Method::POST, "/api/v1/scenarios", &json!({"name": "同名方案", "plan": plan})).await
    };
    let (first, second) = tokio::join!(save(plans[0].0.clone()), save(plans[1].0.clone()));
    let (won, (winner, sites), lost) = match (first.0, second.0) {
        (StatusCode::CREATED, _) => (first, &plans[0], second),
        (_, StatusCode::CREATED) => (second, &plans[1], first),
        _ => panic!("no scenario saved: {} / {}", first.2, second.2),
    };
    assert_error(&lost, 409, "conflict", Some("name"));
    let saved = &won.2;
    assert_eq!((saved["name"].as_str(), saved["plan_id"].as_str()), (Some("同名方案"), Some(winner.as_str())));
    let ids: Vec<i64> = saved["station_ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(ids.len(), *sites);

    // Exactly the winner's sites were added, in the store and in the index.
    let stored = s.state.store.load_all().await.unwrap();
    assert_eq!(u64::try_from(stored.len()).unwrap(), stations_before + u64::try_from(*sites).unwrap());
    let planned: Vec<_> = stored.iter().filter(|st| st.data.source.as_deref() == Some("scenario:同名方案")).collect();
    assert_eq!(planned.iter().map(|st| st.id).collect::<HashSet<_>>(), ids.iter().copied().collect());
    for st in &planned {
        assert!(st.data.external_id.as_deref().unwrap().starts_with(&format!("{winner}#")), "{:?}", st.data);
    }
    assert_eq!(stations_where(&s, "status=planned").await.len(), planned_before + *sites, "the index mirrors it");
    let (_, _, list) = s.get("/api/v1/scenarios").await;
    assert_eq!(list["scenarios"].as_array().unwrap().len(), 1, "{list}");

    // The audit log: the stations and the scenario, by the token holder, through this route.
    let (status, _, log) = s.send(Method::GET, "/api/v1/audit?limit=1000", None, Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries = &log["entries"].as_array().unwrap()[audit_before..];
    let ops: Vec<&str> = entries.iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["station.import", "scenario.create"], "{entries:?}");
    let scenario = &entries[1];
    assert_eq!(scenario["route"], "POST /api/v1/scenarios", "{scenario}");
    assert_ne!(scenario["actor_id"], "system", "{scenario}");
    assert_eq!(scenario["target"], "同名方案");
    assert_eq!(scenario["before"], Value::Null);
    assert_eq!(scenario["after"]["plan_id"], winner.as_str());
    assert_eq!(scenario["after"]["station_ids"], json!(ids));
    assert_eq!(entries[0]["after"]["created"], *sites);
    s.stop().await.unwrap();
}

#[tokio::test]
async fn every_bad_input_gets_a_precise_4xx() {
    let s = server(Limits { max_cells: 3000, ..Limits::default() }).await;
    let square = json!({"type": "Polygon", "coordinates": [[[116.78, 35.54], [116.8, 35.54], [116.8, 35.56], [116.78, 35.56], [116.78, 35.54]]]});
    let bow_tie = json!({"type": "Polygon", "coordinates": [[[116.78, 35.54], [116.8, 35.56], [116.8, 35.54], [116.78, 35.56], [116.78, 35.54]]]});
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (json!({"district": "不存在区"}), 404, "not_found", "district"),
        (json!({}), 422, "invalid_body", "district"),
        (json!({"district": "兖州区", "boundary": square}), 422, "invalid_body", "boundary"),
        (json!({"boundary": {"type": "Polygon", "coordinates": []}}), 422, "invalid_body", "boundary"),
        (json!({"boundary": {"type": "MultiPolygon", "coordinates": []}}), 422, "invalid_body", "boundary"),
        (json!({"boundary": {"type": "Point", "coordinates": [116.78, 35.54]}}), 422, "invalid_body", "boundary"),
        (json!({"boundary": bow_tie}), 422, "invalid_body", "boundary"),
        (json!({"district": "兖州区", "resolution": 6}), 422, "invalid_body", "resolution"),
        (json!({"district": "兖州区", "resolution": 12}), 422, "invalid_body", "resolution"),
        (json!({"district": "兖州区", "resolution": 10}), 413, "too_large", "resolution"),
        (json!({"district": "兖州区", "resolution": "nine"}), 422, "invalid_body", "resolution"),
        (json!({"district": "兖州区", "minutes": [15, 10]}), 422, "invalid_body", "minutes"),
        (json!({"district": "兖州区", "minutes": [0]}), 422, "invalid_body", "minutes"),
        (json!({"district": "兖州区", "mode": "plane"}), 422, "invalid_body", "mode"),
        (json!({"district": "兖州区", "kinds": ["castle"]}), 422, "invalid_body", "kinds"),
        (json!({"district": "兖州区", "amenities": ["sauna"]}), 422, "invalid_body", "amenities"),
        (json!({"district": "兖州区", "open_at": "tomorrow"}), 422, "invalid_body", "open_at"),
        (json!({"district": "兖州区", "demand": "no-such-dataset"}), 404, "not_found", "demand"),
        (json!({"district": "兖州区", "scenario": "no-such-scenario"}), 404, "not_found", "scenario"),
        (json!({"district": "兖州区", "crs": "wgs84", "minuts": [10]}), 422, "invalid_body", "minuts"),
        (json!({"boundary": square, "crs": "mercator"}), 422, "invalid_body", "crs"),
    ];
    for (body, status, code, field) in &cases {
        let answer = post(&s, "/api/v1/coverage", body).await;
        assert_error(&answer, *status, code, Some(field));
    }
    let not_json = s.send(Method::POST, "/api/v1/coverage", Some(("application/json", b"{".to_vec())), None, &[]).await;
    assert_error(&not_json, 400, "malformed_json", None);
    let (status, _, _) = s.get("/api/v1/coverage/cov_0000000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let plans: Vec<(Value, u16, &str, &str)> = vec![
        (json!({"district": "兖州区", "sites": 0}), 422, "invalid_body", "sites"),
        (json!({"district": "兖州区", "sites": -2}), 422, "invalid_body", "sites"),
        (
            json!({"district": "兖州区", "objective": "min_sites", "target_share": 1.5}),
            422,
            "invalid_body",
            "target_share",
        ),
        (
            json!({"district": "兖州区", "objective": "min_sites", "target_share": 0}),
            422,
            "invalid_body",
            "target_share",
        ),
        (json!({"district": "兖州区", "objective": "best"}), 422, "invalid_body", "objective"),
        (json!({"district": "兖州区", "minutes": [10, 15]}), 422, "invalid_body", "minutes"),
        (json!({"district": "兖州区", "candidates": "everywhere"}), 422, "invalid_body", "candidates"),
        (
            json!({"district": "兖州区", "candidates": [{"id": "a", "lon": 500, "lat": 35.5}]}),
            422,
            "invalid_body",
            "candidates",
        ),
        (json!({"district": "不存在区", "sites": 2}), 404, "not_found", "district"),
        (json!({"district": "兖州区", "resolution": 10}), 413, "too_large", "resolution"),
        (json!({"boundary": bow_tie, "sites": 2}), 422, "invalid_body", "boundary"),
    ];
    for (body, status, code, field) in &plans {
        let answer = post(&s, "/api/v1/plans", body).await;
        assert_error(&answer, *status, code, Some(field));
    }
    let (status, _, _) = s.get("/api/v1/plans/plan_0000000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let unknown_plan = s
        .send(
            Method::POST,
            "/api/v1/scenarios",
            Some(("application/json", json!({"name": "X", "plan": "plan_0"}).to_string().into_bytes())),
            Some(TOKEN),
            &[],
        )
        .await;
    assert_error(&unknown_plan, 404, "not_found", Some("plan"));
    s.stop().await.unwrap();
}

#[tokio::test]
async fn a_second_plan_beyond_the_limit_is_refused_with_429_and_cancel_stops_the_first() {
    let s = server(Limits { max_concurrent_plans: 1, ..Limits::default() }).await;
    let small = json!({"type": "Polygon", "coordinates": [[[116.76, 35.53], [116.82, 35.53], [116.82, 35.58], [116.76, 35.58], [116.76, 35.53]]]});
    let request = json!({"boundary": small, "resolution": 9, "minutes": 5, "sites": 10});
    let (status, _, first) = post(&s, "/api/v1/plans", &request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let second = post(&s, "/api/v1/plans", &request).await;
    assert_error(&second, 429, "too_many_jobs", None);
    let id = first["id"].as_str().unwrap();
    let (status, _, cancelled) = s.send(Method::DELETE, &format!("/api/v1/plans/{id}"), None, None, &[]).await;
    assert!(status == StatusCode::ACCEPTED || status == StatusCode::CONFLICT, "{status} {cancelled}");
    let last = follow(&s, id).await.pop().unwrap();
    if status == StatusCode::ACCEPTED {
        assert_eq!(last["status"], "cancelled", "{last}");
    }
    // Once the first has ended, a new plan is accepted.
    let (status, _, third) = post(&s, "/api/v1/plans", &json!({"boundary": small, "resolution": 8, "sites": 1})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{third}");
    let done = follow(&s, third["id"].as_str().unwrap()).await.pop().unwrap();
    assert_eq!(done["status"], "done", "{done}");
    s.stop().await.unwrap();
}

#[tokio::test]
async fn demand_import_is_all_or_nothing_and_used_by_name() {
    let s = server(Limits::default()).await;
    let good = "lon,lat,weight\n116.79,35.55,5\n116.80,35.56,2.5\n";
    let csv = |body: &str, query: &str, auth: Option<&'static str>| {
        let path = format!("/api/v1/demand?{query}");
        let body = body.as_bytes().to_vec();
        let s = &s;
        async move { s.send(Method::POST, &path, Some(("text/csv", body)), auth, &[]).await }
    };
    assert_error(&csv(good, "name=orders", None).await, 401, "unauthorized", None);
    assert_error(&csv(good, "", Some(TOKEN)).await, 400, "missing_parameter", Some("name"));
    let bad = "lon,lat,weight\n116.79,35.55,5\n116.80,north,2\n116.81,35.57,-1\n";
    let (status, _, err) = csv(bad, "name=orders", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let lines: Vec<u64> =
        err["error"]["details"].as_array().unwrap().iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![3, 4], "{err}");
    assert!(s.state.store.demand("orders").await.unwrap().is_none(), "nothing stored");
    let (status, _, info) = csv(good, "name=orders&district=%E5%85%96%E5%B7%9E%E5%8C%BA", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::CREATED, "{info}");
    assert_eq!(info["count"], 2);
    assert_eq!(info["total"], 7.5);
    let (_, _, list) = s.get("/api/v1/demand").await;
    let names: Vec<&str> = list["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["demo:兖州区", "orders"]);
    let (status, _, cov) =
        post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "resolution": 7, "demand": "orders"})).await;
    assert_eq!(status, StatusCode::OK, "{cov}");
    assert_eq!(cov["demand"]["source"], "orders");
    assert!((cov["summary"]["demand_total"].as_f64().unwrap() - 7.5).abs() < 1e-9, "{}", cov["summary"]);
    s.stop().await.unwrap();
}

#[tokio::test]
async fn district_streets_are_served() {
    let s = server(Limits::default()).await;
    let (status, _, streets) = s.get("/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA/streets").await;
    assert_eq!(status, StatusCode::OK);
    let stored = s.state.store.streets("兖州区").await.unwrap();
    let features = streets["features"].as_array().unwrap();
    assert_eq!(features.len(), stored.len());
    assert!(!features.is_empty());
    for (f, st) in features.iter().zip(&stored) {
        assert_eq!(f["properties"]["name"].as_str().unwrap(), st.name);
        assert_eq!(f["properties"]["district"], "兖州区");
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
    }
    let missing = s.get("/api/v1/districts/%E4%B8%8D%E5%AD%98%E5%9C%A8/streets").await;
    assert_error(&missing, 404, "not_found", Some("name"));
    // The district list still answers the 11 Jining districts, now from storage.
    let (_, _, all) = s.get("/api/v1/districts").await;
    assert_eq!(all["features"].as_array().unwrap().len(), 11);
    s.stop().await.unwrap();
}

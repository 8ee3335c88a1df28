//! Every expensive class of request, tried as an attacker would, is refused before the work
//! starts or stopped by its budget, with the field named; planners get larger budgets; plan jobs
//! belong to whoever started them; `/metrics` and `/healthz` show it.
//!
//! The expected figures come from the request itself (counts of positions, thresholds, list
//! entries) and from the documented budgets (`docs/limits.md`), never from the code under test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TOKEN, TestServer, assert_error, dataset};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use yizhan_core::access::audit::AuditContext;
use yizhan_core::access::{self, Role};
use yizhan_core::config::{Config, Limits, TierBudget};

async fn server() -> TestServer {
    let config = Config { api_token: Some(TOKEN.to_owned()), ..Config::default() };
    let s = TestServer::start(config, dataset(40, 7)).await;
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
    s
}

async fn token(server: &TestServer, name: &str, role: Role) -> String {
    let issued = access::issue(name, role).unwrap();
    server.state.store.add_token(&issued.stored, &AuditContext::cli()).await.unwrap();
    issued.token
}

async fn post(
    s: &TestServer,
    path: &str,
    body: &Value,
    auth: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    s.send(Method::POST, path, Some(("application/json", body.to_string().into_bytes())), auth, &[]).await
}

/// A closed box polygon, `[w, s, e, n]` WGS-84 degrees.
fn square(w: f64, s: f64, e: f64, n: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})
}

/// A valid comb-shaped ("zig-zag") polygon with `teeth` teeth: 4 × teeth + 3 positions, no
/// crossing. The teeth are 0.0005° wide and 0.05° tall along 116.70 … east.
fn zigzag(teeth: usize) -> Value {
    let (x0, y0, w, h) = (116.70, 35.50, 0.0005, 0.05);
    let mut ring = vec![[x0, y0]];
    for i in 0..teeth {
        let x = x0 + w * i as f64;
        ring.push([x, y0 + h]);
        ring.push([x + w * 0.5, y0 + h]);
        ring.push([x + w * 0.5, y0 + 0.001]);
        ring.push([x + w, y0 + 0.001]);
    }
    let east = x0 + w * teeth as f64;
    ring.push([east, y0]);
    ring.push([x0, y0]);
    json!({"type": "Polygon", "coordinates": [ring]})
}

#[tokio::test]
async fn a_huge_car_plan_is_refused_before_any_work_and_names_the_field() {
    let s = server().await;
    // The attack from the issue: a 0.3° × 0.3° box at resolution 10, by car, 180 minutes.
    let body = json!({"boundary": square(116.6, 35.4, 116.9, 35.7), "resolution": 10, "mode": "car", "minutes": 180});
    let answer = post(&s, "/api/v1/plans", &body, None).await;
    assert_eq!(answer.0, StatusCode::PAYLOAD_TOO_LARGE, "{}", answer.2);
    let field = answer.2["error"]["field"].as_str().unwrap().to_owned();
    assert!(field == "resolution" || field == "minutes", "{field}");
    // At resolution 9 the grid fits the anonymous budget (about 8,700 cells of 0.105 km² in 913 km²),
    // but by car in 180 minutes every candidate reaches every cell: ~7.6 × 10⁷ pairs > 4 × 10⁶.
    let body = json!({"boundary": square(116.6, 35.4, 116.9, 35.7), "resolution": 9, "mode": "car", "minutes": 180});
    let answer = post(&s, "/api/v1/plans", &body, None).await;
    let msg = assert_error(&answer, 413, "too_large", Some("minutes"));
    assert!(msg.contains("pairs"), "{msg}");
    assert_eq!(s.state.work.running(), 0, "nothing was queued");
}

#[tokio::test]
async fn a_planner_token_lifts_the_anonymous_budget_and_owns_its_job() {
    let s = server().await;
    let planner = token(&s, "规划科", Role::Planner).await;
    let other = token(&s, "另一位规划师", Role::Planner).await;
    let editor = token(&s, "编辑", Role::Editor).await;
    // 8,700 cells × about 1,300 cells within 15 car minutes ≈ 1.1 × 10⁷ pairs: over the anonymous
    // 4 × 10⁶, under the planner's 3 × 10⁷.
    let body = json!({"boundary": square(116.6, 35.4, 116.9, 35.7), "resolution": 9, "mode": "car", "minutes": 15});
    assert_error(&post(&s, "/api/v1/plans", &body, None).await, 413, "too_large", Some("minutes"));
    assert_error(&post(&s, "/api/v1/plans", &body, Some(&editor)).await, 413, "too_large", Some("minutes"));
    let (status, _, accepted) = post(&s, "/api/v1/plans", &body, Some(&planner)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let id = accepted["id"].as_str().unwrap().to_owned();
    let hex = id.strip_prefix("plan_").unwrap();
    assert_eq!(hex.len(), 32, "128-bit ids: {id}");
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    let path = format!("/api/v1/plans/{id}");
    // Only its owner and admins see or cancel it; to everyone else it does not exist.
    for auth in [None, Some(other.as_str()), Some(editor.as_str())] {
        let answer = s.send(Method::GET, &path, None, auth, &[]).await;
        assert_error(&answer, 404, "not_found", Some("id"));
        let answer = s.send(Method::DELETE, &path, None, auth, &[]).await;
        assert_error(&answer, 404, "not_found", Some("id"));
    }
    let (status, _, view) = s.send(Method::GET, &path, None, Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK, "an admin sees it: {view}");
    let planner_id = access::parse_token(&planner).unwrap().0;
    assert_eq!(view["created_by"], planner_id);
    let (status, _, view) = s.send(Method::DELETE, &path, None, Some(&planner), &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{view}");
    // A wrong token is refused, never silently treated as anonymous.
    let answer =
        post(&s, "/api/v1/plans", &body, Some("yz_0123456789ab_0123456789abcdef0123456789abcdef01234567")).await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{}", answer.2);
}

#[tokio::test]
async fn anonymous_jobs_are_reached_by_their_unguessable_id() {
    let s = server().await;
    let body = json!({"district": "兖州区", "resolution": 8, "minutes": 10, "sites": 2});
    let (status, _, a) = post(&s, "/api/v1/plans", &body, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{a}");
    let (status, _, b) = post(&s, "/api/v1/plans", &body, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{b}");
    assert_ne!(a["id"], b["id"]);
    let (status, _, view) = s.get(&format!("/api/v1/plans/{}", a["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["created_by"], "anonymous");
}

#[tokio::test]
async fn a_boundary_with_too_many_positions_is_refused_unparsed_and_a_large_one_is_validated_fast() {
    let s = server().await;
    // 60,000 edges, as in the attack: 4 × 15,000 teeth + 3 positions.
    let big = zigzag(15_000);
    let positions = big["coordinates"][0].as_array().unwrap().len();
    assert!(positions > TierBudget::ANONYMOUS.max_boundary_vertices);
    let answer = post(&s, "/api/v1/coverage", &json!({"boundary": big, "resolution": 9}), None).await;
    let msg = assert_error(&answer, 413, "too_large", Some("boundary"));
    assert!(msg.contains(&positions.to_string()), "{msg}");
    // Under the limit, the comb is checked for crossings (R-tree, not all pairs) and analysed.
    let ok = zigzag(4_000);
    let (status, _, body) = post(&s, "/api/v1/coverage", &json!({"boundary": ok, "resolution": 9}), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A crossing still is an error at the field.
    let bow = json!({"type": "Polygon", "coordinates": [[[116.7, 35.5], [116.8, 35.6], [116.8, 35.5], [116.7, 35.6], [116.7, 35.5]]]});
    let answer = post(&s, "/api/v1/coverage", &json!({"boundary": bow}), None).await;
    let msg = assert_error(&answer, 422, "invalid_body", Some("boundary"));
    assert!(msg.contains("(116.750000, 35.550000)"), "{msg}");
}

#[tokio::test]
async fn thresholds_and_lists_are_bounded() {
    let s = server().await;
    let many: Vec<f64> = (1..=18_000).map(|i| f64::from(i) / 100.0).collect();
    let answer = post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "minutes": many}), None).await;
    assert_error(&answer, 413, "too_large", Some("minutes"));
    let nine: Vec<f64> = (1..=9).map(f64::from).collect();
    let answer = post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "minutes": nine}), None).await;
    assert_error(&answer, 413, "too_large", Some("minutes"));
    let exclude: Vec<String> = (0..5_000).map(|i| format!("site-{i}")).collect();
    let answer = post(&s, "/api/v1/plans", &json!({"district": "兖州区", "exclude": exclude}), None).await;
    assert_error(&answer, 413, "too_large", Some("exclude"));
    let fixed: Vec<[f64; 2]> = (0..5_000).map(|i| [116.7 + f64::from(i) * 1e-5, 35.55]).collect();
    let answer = post(&s, "/api/v1/plans", &json!({"district": "兖州区", "fixed": fixed}), None).await;
    assert_error(&answer, 413, "too_large", Some("fixed"));
    let kinds: Vec<&str> = std::iter::repeat_n("rest_station", 1_001).collect();
    let answer = post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "kinds": kinds}), None).await;
    assert_error(&answer, 413, "too_large", Some("kinds"));
}

#[tokio::test]
async fn grids_over_the_anonymous_cells_are_refused_and_planners_may_go_further() {
    // A server whose anonymous budget allows 3,000 cells: 兖州区 (about 650 km²) at resolution 9
    // (0.105 km² a cell) needs about 6,200.
    let limits = Limits { anonymous: TierBudget { max_cells: 3_000, ..TierBudget::ANONYMOUS }, ..Limits::default() };
    let config = Config { api_token: Some(TOKEN.to_owned()), limits, ..Config::default() };
    let s = TestServer::start(config, dataset(40, 7)).await;
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
    let planner = token(&s, "规划", Role::Planner).await;
    let body = json!({"district": "兖州区", "resolution": 9, "minutes": 10});
    assert_error(&post(&s, "/api/v1/coverage", &body, None).await, 413, "too_large", Some("resolution"));
    let (status, _, answer) = post(&s, "/api/v1/coverage", &body, Some(&planner)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let saved = s.state.store.analysis(answer["id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(saved.created_by, access::parse_token(&planner).unwrap().0);
    // A planner's analysis is not open to anonymous callers.
    let path = format!("/api/v1/coverage/{}", answer["id"].as_str().unwrap());
    assert_error(&s.get(&path).await, 404, "not_found", Some("id"));
    assert_eq!(s.send(Method::GET, &path, None, Some(&planner), &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_and_refusals_and_health_reports_the_follower() {
    let s = server().await;
    let _ = s.get("/api/v1/nearest?lon=116.79&lat=35.55&k=3").await;
    let many: Vec<f64> = (1..=100).map(f64::from).collect();
    let _ = post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "minutes": many}), None).await;
    let text = s.client.get(s.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let has = |needle: &str| text.lines().any(|l| l.starts_with(needle));
    assert!(has("yizhan_http_requests_total{method=\"GET\",route=\"/api/v1/nearest\",status=\"200\"}"), "{text}");
    assert!(has("yizhan_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/nearest\"} 1"), "{text}");
    assert!(
        has("yizhan_http_request_duration_seconds_bucket{le=\"+Inf\",method=\"GET\",route=\"/api/v1/nearest\"} 1"),
        "{text}"
    );
    assert!(has("yizhan_refused_total{limit=\"too_large\"}"), "{text}");
    for gauge in [
        "yizhan_heavy_queue_depth ",
        "yizhan_heavy_running ",
        "yizhan_follower_lag_changes 0",
        "yizhan_index_stations 40",
    ] {
        assert!(has(gauge), "{gauge} in {text}");
    }
    assert!(has("yizhan_argon2_in_flight "), "{text}");
    let (status, _, health) = s.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["follower"]["lag_changes"], 0);
    assert_eq!(health["follower"]["following"], true);
}

//! End-to-end tests of what the web console stands on, over HTTP against a real server: sessions
//! (cookie, CSRF, sign-out, revocation), verification, the audit filters, the opening-hours and
//! coordinate helpers, sorted listing, and the import dry run. Expected values are computed here
//! from the seed data (brute force) or written out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::{TOKEN, TestServer, assert_error, dataset};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use yizhan_planner::station::{StationData, StationStatus};

/// Today in Asia/Shanghai (UTC+8 all year, no daylight saving), the server's default zone.
fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// Makes a token of `role` with the bootstrap token; answers its secret.
async fn make_token(server: &TestServer, name: &str, role: &str) -> (String, String) {
    let (status, _, body) =
        server.write_json(Method::POST, "/api/v1/admin/tokens", &json!({"name": name, "role": role})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (body["token"].as_str().unwrap().to_owned(), body["record"]["id"].as_str().unwrap().to_owned())
}

/// Signs in with `token`: (the cookie pair `yizhan_session=…`, the `Set-Cookie` text, the body).
async fn sign_in(server: &TestServer, token: &str, extra: &[(&str, &str)]) -> (String, String, Value) {
    let body = json!({"token": token}).to_string().into_bytes();
    let (status, headers, value) =
        server.send(Method::POST, "/api/v1/session", Some(("application/json", body)), None, extra).await;
    assert_eq!(status, StatusCode::OK, "{value}");
    let set = set_cookie(&headers);
    let pair = set.split(';').next().unwrap().trim().to_owned();
    (pair, set, value)
}

fn set_cookie(headers: &HeaderMap) -> String {
    headers.get("set-cookie").expect("Set-Cookie").to_str().unwrap().to_owned()
}

/// A request with the session cookie (and the CSRF token, when given).
async fn with_cookie(
    server: &TestServer,
    method: Method,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, HeaderMap, Value) {
    let mut extra = vec![("cookie", cookie)];
    if let Some(c) = csrf {
        extra.push(("x-csrf-token", c));
    }
    let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
    server.send(method, path, body, None, &extra).await
}

fn new_station(name: &str) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.80, 35.56]},
           "properties": {"kind": "rest_station", "name": name, "status": "active"}})
}

#[tokio::test]
async fn a_session_is_a_cookie_with_csrf_that_ends_at_sign_out_or_revocation() {
    let server = TestServer::with_token(dataset(5, 1)).await;
    let (editor, editor_id) = make_token(&server, "街道办 编辑", "editor").await;

    // Signing in sets an HttpOnly, SameSite=Strict cookie for the whole site, lasting 12 hours.
    let (cookie, set, info) = sign_in(&server, &editor, &[]).await;
    let attrs: Vec<String> = set.split(';').map(|a| a.trim().to_ascii_lowercase()).collect();
    assert!(cookie.starts_with("yizhan_session=") && cookie.len() == "yizhan_session=".len() + 64, "{set}");
    for a in ["httponly", "samesite=strict", "path=/", "max-age=43200"] {
        assert!(attrs.iter().any(|x| x == a), "{a} in {set}");
    }
    assert!(!attrs.iter().any(|x| x == "secure"), "no Secure over plain HTTP: {set}");
    assert_eq!(info["signed_in"], true);
    assert_eq!(info["principal"], json!({"id": editor_id, "name": "街道办 编辑", "role": "editor"}));
    let csrf = info["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 32);
    assert!(!cookie.contains(&csrf), "the CSRF token is not the cookie");
    let expires = chrono::DateTime::parse_from_rfc3339(info["expires_at"].as_str().unwrap()).unwrap();
    let left = expires.with_timezone(&Utc) - Utc::now();
    assert!(left > Duration::hours(12) - Duration::minutes(1) && left <= Duration::hours(12), "{left}");
    // The secret is not stored: the token itself is not in the cookie either.
    assert!(!cookie.contains(&editor));

    // Behind a TLS proxy the cookie is Secure.
    let (_, set_tls, _) = sign_in(&server, &editor, &[("x-forwarded-proto", "https")]).await;
    assert!(set_tls.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure")), "{set_tls}");

    // The session reads back with the same CSRF token; no cookie reads as signed out.
    let (status, headers, now) = with_cookie(&server, Method::GET, "/api/v1/session", &cookie, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(now["csrf_token"], csrf.as_str());
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(server.get("/api/v1/session").await.2, json!({"signed_in": false}));

    // Writes with the cookie need the CSRF token.
    let body = new_station("会话新建驿站");
    let refused = with_cookie(&server, Method::POST, "/api/v1/stations", &cookie, None, Some(&body)).await;
    assert_error(&refused, 403, "csrf_failed", None);
    let wrong = "0".repeat(32);
    let refused = with_cookie(&server, Method::POST, "/api/v1/stations", &cookie, Some(&wrong), Some(&body)).await;
    assert_error(&refused, 403, "csrf_failed", None);
    assert_eq!(server.state.store.count().await.unwrap(), 5, "refused writes stored nothing");
    let (status, _, created) =
        with_cookie(&server, Method::POST, "/api/v1/stations", &cookie, Some(&csrf), Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let log = server.state.store.audit_log(None, 100).await.unwrap();
    let last = log.last().unwrap();
    assert_eq!((last.operation.as_str(), last.actor_id.as_str()), ("station.create", editor_id.as_str()));

    // Reads need no CSRF token, and the role still holds: an editor's session reads no audit log.
    let refused = with_cookie(&server, Method::GET, "/api/v1/audit", &cookie, None, None).await;
    assert_error(&refused, 403, "forbidden", None);
    // An Authorization header is judged alone, whatever the cookie.
    let extra = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
    let refused = server.send(Method::GET, "/api/v1/audit", None, Some("yz_000000000000_bad"), &extra).await;
    assert_eq!(refused.0, StatusCode::UNAUTHORIZED);

    // A wrong token signs nobody in, naming the field.
    let body = json!({"token": "yz_0123456789ab_0000000000000000000000000000000000000000"}).to_string().into_bytes();
    let refused = server.send(Method::POST, "/api/v1/session", Some(("application/json", body)), None, &[]).await;
    assert_error(&refused, 401, "unauthorized", Some("token"));
    assert!(refused.1.get("set-cookie").is_none());
    let body = br#"{"token": "x", "remember": true}"#.to_vec();
    let refused = server.send(Method::POST, "/api/v1/session", Some(("application/json", body)), None, &[]).await;
    assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.2);

    // Sign-out needs the CSRF token, ends the session at once and clears the cookie.
    let (second, _, second_info) = sign_in(&server, &editor, &[]).await;
    let second_csrf = second_info["csrf_token"].as_str().unwrap().to_owned();
    assert_ne!(second, cookie, "every sign-in is a new session");
    let refused = with_cookie(&server, Method::DELETE, "/api/v1/session", &second, None, None).await;
    assert_error(&refused, 403, "csrf_failed", None);
    let (status, headers, _) =
        with_cookie(&server, Method::DELETE, "/api/v1/session", &second, Some(&second_csrf), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(set_cookie(&headers).to_ascii_lowercase().contains("max-age=0"), "{headers:?}");
    let ended =
        with_cookie(&server, Method::POST, "/api/v1/stations", &second, Some(&second_csrf), Some(&body_of("签出后")))
            .await;
    assert_error(&ended, 401, "session_ended", None);
    // The first session is untouched by the second's sign-out …
    let (status, _, _) =
        with_cookie(&server, Method::POST, "/api/v1/stations", &cookie, Some(&csrf), Some(&body_of("仍在线"))).await;
    assert_eq!(status, StatusCode::CREATED);

    // … and ends at its next request when its token is revoked.
    let (status, _, _) =
        server.send(Method::DELETE, &format!("/api/v1/admin/tokens/{editor_id}"), None, Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let ended =
        with_cookie(&server, Method::POST, "/api/v1/stations", &cookie, Some(&csrf), Some(&body_of("吊销后"))).await;
    assert_error(&ended, 401, "session_ended", None);
    let (status, headers, value) = with_cookie(&server, Method::GET, "/api/v1/session", &cookie, None, None).await;
    assert_eq!((status, value), (StatusCode::OK, json!({"signed_in": false})));
    assert!(set_cookie(&headers).to_ascii_lowercase().contains("max-age=0"), "an ended session's cookie is cleared");
    assert_eq!(server.state.store.count().await.unwrap(), 7, "two writes of the live session, none after");

    // The bootstrap token signs in as admin and reads the audit log through its session.
    let (admin, _, admin_info) = sign_in(&server, TOKEN, &[]).await;
    assert_eq!(admin_info["principal"]["role"], "admin");
    let (status, _, log) =
        with_cookie(&server, Method::GET, "/api/v1/audit?order=desc&limit=1", &admin, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log["entries"][0]["operation"], "token.revoke");
}

fn body_of(name: &str) -> Value {
    new_station(name)
}

/// The seed of the verification tests: stations verified long ago, recently, never, and one
/// closed; dates relative to today, far from the window's edge.
fn verification_seed() -> Vec<StationData> {
    let mut seed = dataset(40, 7);
    let t = today();
    for (i, s) in seed.iter_mut().enumerate() {
        s.verified_on = match i % 4 {
            0 => None,
            1 => Some(t - Duration::days(10 + i as i64)),
            2 => Some(t - Duration::days(200 + i as i64)),
            _ => Some(t - Duration::days(i as i64 % 3)),
        };
    }
    seed
}

/// Every page of `/api/v1/stations?{query}` (page size 7), concatenated: the ids.
async fn all_pages(server: &TestServer, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let (status, _, page) = server.get(&format!("/api/v1/stations?{query}&limit=7&offset={offset}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let got: Vec<i64> = page["features"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
        if got.is_empty() {
            assert_eq!(page["numberMatched"].as_u64().unwrap() as usize, ids.len());
            return ids;
        }
        offset += got.len();
        ids.extend(got);
    }
}

#[tokio::test]
async fn verification_due_lists_sorting_and_per_street_shares_match_a_brute_force() {
    let server = TestServer::with_token(verification_seed()).await;
    let stations = server.state.store.load_all().await.unwrap();
    let t = today();
    let due = |d: &StationData| d.verified_on.is_none_or(|v| (t - v).num_days() > 90);
    // The lists leave closed stations out, like the shares.
    let open_stations: Vec<_> = stations.iter().filter(|s| s.data.status != StationStatus::Closed).collect();

    // The due list, oldest first (never verified first of all), ties by id.
    let mut want: Vec<_> = open_stations.iter().filter(|s| due(&s.data)).collect();
    want.sort_by(|a, b| a.data.verified_on.cmp(&b.data.verified_on).then(a.id.cmp(&b.id)));
    let want: Vec<i64> = want.iter().map(|s| s.id).collect();
    let closed_due = stations.iter().filter(|s| s.data.status == StationStatus::Closed && due(&s.data)).count();
    assert!(closed_due > 0, "the seed has closed stations that would be due");
    assert_eq!(want.len(), 20 - closed_due);
    assert_eq!(all_pages(&server, "verification=due&sort=verified_on").await, want);
    let never: Vec<i64> = open_stations.iter().filter(|s| s.data.verified_on.is_none()).map(|s| s.id).collect();
    assert_eq!(all_pages(&server, "verification=never").await, never);
    let current: Vec<i64> = open_stations.iter().filter(|s| !due(&s.data)).map(|s| s.id).collect();
    assert_eq!(all_pages(&server, "verification=current").await, current);

    // Names descending, filtered by district, paged.
    let mut by_name: Vec<_> = stations.iter().filter(|s| s.data.district.as_deref() == Some("兖州区")).collect();
    by_name.sort_by(|a, b| b.data.name.cmp(&a.data.name).then(a.id.cmp(&b.id)));
    let by_name: Vec<i64> = by_name.iter().map(|s| s.id).collect();
    assert_eq!(all_pages(&server, "district=%E5%85%96%E5%B7%9E%E5%8C%BA&sort=-name").await, by_name);
    assert_error(&server.get("/api/v1/stations?sort=size").await, 400, "invalid_parameter", Some("sort"));
    // Streets descending (the seed records every street: plain text order reversed, ties by id)
    // and kinds by code.
    let mut by_street: Vec<_> = stations.iter().collect();
    by_street.sort_by(|a, b| b.data.street.cmp(&a.data.street).then(a.id.cmp(&b.id)));
    let by_street: Vec<i64> = by_street.iter().map(|s| s.id).collect();
    assert_eq!(all_pages(&server, "sort=-street").await, by_street);
    let mut by_kind: Vec<_> = stations.iter().collect();
    by_kind.sort_by(|a, b| a.data.kind.code().cmp(b.data.kind.code()).then(a.id.cmp(&b.id)));
    assert_eq!(all_pages(&server, "sort=kind").await, by_kind.iter().map(|s| s.id).collect::<Vec<_>>());
    assert_error(
        &server.get("/api/v1/stations?verification=old").await,
        400,
        "invalid_parameter",
        Some("verification"),
    );

    // Shares per street, closed stations not counted.
    let mut per: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    for s in stations.iter().filter(|s| s.data.status != StationStatus::Closed) {
        let e = per.entry((s.data.district.clone().unwrap(), s.data.street.clone().unwrap())).or_default();
        e.0 += 1;
        if !due(&s.data) {
            e.1 += 1;
        } else if s.data.verified_on.is_none() {
            e.2 += 1;
        }
    }
    let (status, _, summary) = server.get("/api/v1/verification").await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["due_after_days"], 90);
    assert_eq!(summary["as_of"], t.to_string());
    let got: BTreeMap<(String, String), (usize, usize, usize)> = summary["streets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap() as usize;
            assert_eq!(n("due"), n("overdue") + n("never"));
            assert_eq!(n("stations"), n("current") + n("due"));
            let share = r["share"].as_f64().unwrap();
            assert!((share - n("current") as f64 / n("stations") as f64).abs() < 1e-12);
            (
                (r["district"].as_str().unwrap().to_owned(), r["street"].as_str().unwrap().to_owned()),
                (n("stations"), n("current"), n("never")),
            )
        })
        .collect();
    assert_eq!(got, per);
    let total: usize = per.values().map(|v| v.0).sum();
    assert_eq!(summary["total"]["stations"].as_u64().unwrap() as usize, total);

    // Marking verified: today, every other field unchanged, audited as station.verify.
    let target = stations.iter().find(|s| s.data.verified_on.is_none()).unwrap();
    let path = format!("/api/v1/stations/{}/verify", target.id);
    let refused = server.send(Method::POST, &path, None, None, &[]).await;
    assert_eq!(refused.0, StatusCode::UNAUTHORIZED);
    let (status, _, feature) = server.send(Method::POST, &path, None, Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK, "{feature}");
    assert_eq!(feature["properties"]["verified_on"], t.to_string());
    let stored = server.state.store.get(target.id).await.unwrap().unwrap();
    let mut expected = target.data.clone();
    expected.verified_on = Some(t);
    assert_eq!(stored.data, expected);
    assert!(!all_pages(&server, "verification=due").await.contains(&target.id));
    let (_, _, log) =
        server.send(Method::GET, &format!("/api/v1/audit?station={}", target.id), None, Some(TOKEN), &[]).await;
    let ops: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["station.verify"]);
    assert_eq!(log["entries"][0]["before"]["verified_on"], Value::Null);
    assert_eq!(log["entries"][0]["after"]["verified_on"], t.to_string());
    let missing = server.send(Method::POST, "/api/v1/stations/999999/verify", None, Some(TOKEN), &[]).await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_log_filters_by_station_actor_operation_and_pages_newest_first() {
    let server = TestServer::with_token(Vec::new()).await;
    let (editor, editor_id) = make_token(&server, "编辑乙", "editor").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let auth = if i % 2 == 0 { TOKEN } else { editor.as_str() };
        let body = new_station(&format!("审计驿站{i}")).to_string().into_bytes();
        let (status, _, f) =
            server.send(Method::POST, "/api/v1/stations", Some(("application/json", body)), Some(auth), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{f}");
        ids.push(f["id"].as_i64().unwrap());
    }
    let mut changed = new_station("审计驿站1（改）");
    changed["properties"]["capacity"] = json!(6);
    let path = format!("/api/v1/stations/{}", ids[1]);
    let body = changed.to_string().into_bytes();
    let (status, _, _) = server.send(Method::PUT, &path, Some(("application/json", body)), Some(&editor), &[]).await;
    assert_eq!(status, StatusCode::OK);

    let read = |q: String| {
        let server = &server;
        async move {
            let (status, _, body) =
                server.send(Method::GET, &format!("/api/v1/audit?{q}"), None, Some(TOKEN), &[]).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["entries"].as_array().unwrap().clone()
        }
    };
    let all = read("limit=1000".into()).await;
    assert_eq!(all.len(), 7, "a token created, five stations, one edit");
    let by_station = read(format!("station={}", ids[1])).await;
    let ops: Vec<&str> = by_station.iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["station.create", "station.update"]);
    assert_eq!(by_station[1]["before"]["name"], "审计驿站1");
    assert_eq!(by_station[1]["after"]["name"], "审计驿站1（改）");
    assert_eq!(by_station[1]["after"]["capacity"], 6);
    let by_actor = read(format!("actor={editor_id}")).await;
    assert_eq!(by_actor.len(), 3);
    assert!(by_actor.iter().all(|e| e["actor_id"] == editor_id.as_str()));
    let creates = read("operation=station.create&order=desc&limit=2".into()).await;
    let names: Vec<&str> = creates.iter().map(|e| e["after"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["审计驿站4", "审计驿站3"]);
    let before = creates[1]["seq"].as_i64().unwrap();
    let next = read(format!("operation=station.create&order=desc&limit=2&before={before}")).await;
    let names: Vec<&str> = next.iter().map(|e| e["after"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["审计驿站2", "审计驿站1"]);
    let edit_at = by_station[1]["at"].as_str().unwrap().replace('+', "%2B");
    assert_eq!(read(format!("until={edit_at}&operation=station.update")).await.len(), 0, "until is exclusive");
    assert_eq!(read(format!("since={edit_at}")).await.len(), 1);

    for (q, field) in
        [("before=-1", "before"), ("order=up", "order"), ("station=abc", "station"), ("until=yesterday", "until")]
    {
        let answer = server.send(Method::GET, &format!("/api/v1/audit?{q}"), None, Some(TOKEN), &[]).await;
        assert_error(&answer, 400, "invalid_parameter", Some(field));
    }
}

#[tokio::test]
async fn hours_and_coordinates_are_read_for_the_editor_preview() {
    let server = TestServer::start(yizhan_core::config::Config::default(), Vec::new()).await;
    // 2026-12-07 is a Monday.
    let (status, _, h) =
        server.get("/api/v1/hours?opening_hours=%E5%91%A8%E4%B8%80%E8%87%B3%E5%91%A8%E4%BA%94%208%3A00-18%3A00&at=2026-12-07T10%3A00%3A00%2B08%3A00").await;
    assert_eq!(status, StatusCode::OK, "{h}");
    assert_eq!(h["input"], "周一至周五 8:00-18:00");
    assert_eq!(h["opening_hours"], "Mo-Fr 08:00-18:00");
    assert_eq!(h["converted"], true);
    assert_eq!(h["open_now"], true);
    assert_eq!(h["next_change"], "2026-12-07T18:00:00+08:00");
    // Saturday evening: closed until Monday 08:00.
    let (_, _, h) = server.get("/api/v1/hours?opening_hours=Mo-Fr%2008:00-18:00&at=2026-12-12T20:00:00Z").await;
    assert_eq!((h["converted"].clone(), h["open_now"].clone()), (json!(false), json!(false)));
    assert_eq!(h["next_change"], "2026-12-14T08:00:00+08:00");
    let (_, _, h) = server.get("/api/v1/hours?opening_hours=%E5%85%A8%E5%A4%A9").await;
    assert_eq!(
        (h["opening_hours"].clone(), h["always_open"].clone(), h["next_change"].clone()),
        (json!("24/7"), json!(true), Value::Null)
    );
    let bad = server.get("/api/v1/hours?opening_hours=%E7%9C%8B%E6%83%85%E5%86%B5").await;
    let message = assert_error(&bad, 422, "invalid_hours", Some("opening_hours"));
    assert!(message.contains("看情况"), "{message}");
    assert_error(&server.get("/api/v1/hours").await, 400, "missing_parameter", Some("opening_hours"));

    // A point round-trips through GCJ-02 and BD-09, and the offsets are the hundreds of metres
    // these systems are known for around 兖州.
    let (status, _, c) = server.get("/api/v1/convert?lon=116.8&lat=35.55").await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["wgs84"], json!({"lon": 116.8, "lat": 35.55}));
    let pt = |v: &Value| yizhan_planner::geodesy::LonLat {
        lon: v["lon"].as_f64().unwrap(),
        lat: v["lat"].as_f64().unwrap(),
    };
    let wgs = pt(&c["wgs84"]);
    let gcj_off = wgs.geodesic_distance_m(pt(&c["gcj02"]));
    let bd_off = wgs.geodesic_distance_m(pt(&c["bd09"]));
    assert!((200.0..900.0).contains(&gcj_off), "GCJ-02 offset {gcj_off} m");
    assert!((500.0..1500.0).contains(&bd_off), "BD-09 offset {bd_off} m");
    for crs in ["gcj02", "bd09"] {
        let p = pt(&c[crs]);
        let (_, _, back) = server.get(&format!("/api/v1/convert?lon={}&lat={}&crs={crs}", p.lon, p.lat)).await;
        let d = wgs.geodesic_distance_m(pt(&back["wgs84"]));
        assert!(d < 0.5, "{crs} round trip off by {d} m");
    }
    assert_error(&server.get("/api/v1/convert?lon=200&lat=35").await, 400, "invalid_parameter", Some("lon"));
    assert_error(&server.get("/api/v1/convert?lon=116&lat=35&crs=utm50n").await, 400, "invalid_parameter", Some("crs"));
}

/// A spreadsheet as a keeper writes it: Chinese headers, extra columns, written hours, a row
/// with an address but no coordinates, and (when `bad`) a row with an unknown kind.
fn keeper_csv(bad: bool) -> String {
    let mut s = String::from("名称,类型,地址,经度,纬度,开放时间,备注,负责人\n");
    s.push_str("龙桥街道驿站,驿站,龙桥路1号,116.8101,35.5502,全天,新建,王五\n");
    s.push_str("鼓楼爱心商户,爱心商户,鼓楼大街8号,116.7950,35.5611,周一至周五 8:00-18:00,,李四\n");
    s.push_str("待定位驿站,驿站,兖州区建设路12号,,,,地址待核,赵六\n");
    if bad {
        s.push_str("坏行,飞船,,116.8,35.5,,,\n");
    }
    s
}

#[tokio::test]
async fn an_import_dry_run_previews_everything_and_stores_nothing_then_commits_what_was_placed() {
    let server = TestServer::with_token(dataset(3, 3)).await;
    let count = || async { server.state.store.count().await.unwrap() };
    let csv = |bad: bool| Some(("text/csv", keeper_csv(bad).into_bytes()));
    let q = "/api/v1/import?dry_run=true&source=%E8%A1%97%E9%81%93%E5%8F%B0%E8%B4%A6";

    // Anonymous dry runs are refused like imports.
    assert_eq!(server.send(Method::POST, q, csv(true), None, &[]).await.0, StatusCode::UNAUTHORIZED);

    let (status, _, p) = server.send(Method::POST, q, csv(true), Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(count().await, 3, "a dry run stores nothing");
    assert_eq!((p["dry_run"].clone(), p["ok"].clone(), p["format"].clone()), (json!(true), json!(false), json!("csv")));
    assert_eq!((p["created"].clone(), p["updated"].clone()), (json!(2), json!(0)));
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["action"], "create");
    assert_eq!(rows[0]["hours_written"], "全天");
    assert_eq!(rows[0]["feature"]["properties"]["opening_hours"], "24/7");
    assert_eq!(rows[0]["feature"]["geometry"]["coordinates"], json!([116.8101, 35.5502]));
    assert_eq!(rows[1]["feature"]["properties"]["opening_hours"], "Mo-Fr 08:00-18:00");
    assert_eq!(rows[1]["feature"]["properties"]["kind"], "caring_merchant");
    let unplaced = p["unplaced"].as_array().unwrap();
    assert_eq!(unplaced.len(), 1);
    assert_eq!(unplaced[0]["line"], 4);
    assert_eq!(unplaced[0]["feature"]["geometry"], Value::Null);
    assert_eq!(unplaced[0]["feature"]["properties"]["address"], "兖州区建设路12号");
    let errors = p["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0]["line"].clone(), errors[0]["column"].clone()), (json!(5), json!("类型")));
    assert!(errors[0]["message"].as_str().unwrap().contains("飞船"), "{}", errors[0]);
    let ignored: Vec<(&str, u64)> = p["ignored_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["column_number"].as_u64().unwrap()))
        .collect();
    assert_eq!(ignored, [("备注", 7), ("负责人", 8)]);

    // The real import of the same file refuses it, listing the bad row and the unplaced one.
    let refused = server.send(Method::POST, "/api/v1/import?source=x", csv(true), Some(TOKEN), &[]).await;
    assert_error(&refused, 422, "invalid_file", None);
    let lines: Vec<u64> =
        refused.2["error"]["details"].as_array().unwrap().iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [4, 5]);
    assert_eq!(count().await, 3);

    // The keeper places the unplaced row on the map; the preview's features are committed as
    // GeoJSON, so what is stored is what was previewed.
    let (_, _, p) = server.send(Method::POST, q, csv(false), Some(TOKEN), &[]).await;
    assert_eq!(p["errors"], json!([]));
    let mut features: Vec<Value> = p["rows"].as_array().unwrap().iter().map(|r| r["feature"].clone()).collect();
    let mut placed = p["unplaced"][0]["feature"].clone();
    placed["geometry"] = json!({"type": "Point", "coordinates": [116.8222, 35.5433]});
    features.push(placed);
    let body = json!({"type": "FeatureCollection", "features": features}).to_string().into_bytes();
    let (status, _, done) = server
        .send(Method::POST, "/api/v1/import", Some(("application/geo+json", body.clone())), Some(TOKEN), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["created"].clone(), done["updated"].clone(), done["total"].clone()),
        (json!(3), json!(0), json!(6))
    );
    let stored = server.state.store.load_all().await.unwrap();
    let find = |name: &str| stored.iter().find(|s| s.data.name == name).unwrap_or_else(|| panic!("{name} stored"));
    let a = find("龙桥街道驿站");
    assert_eq!(a.data.source.as_deref(), Some("街道台账"));
    assert_eq!(a.data.opening_hours.as_ref().map(|h| h.as_str().to_owned()).as_deref(), Some("24/7"));
    assert_eq!(a.data.address.as_deref(), Some("龙桥路1号"));
    let placed = find("待定位驿站");
    assert_eq!((placed.data.location.lon, placed.data.location.lat), (116.8222, 35.5433));
    assert_eq!(placed.data.address.as_deref(), Some("兖州区建设路12号"));

    // Dry-running the committed file again: every row would update the station it made.
    let (_, _, again) = server
        .send(Method::POST, "/api/v1/import?dry_run=true", Some(("application/geo+json", body)), Some(TOKEN), &[])
        .await;
    assert_eq!(
        (again["ok"].clone(), again["created"].clone(), again["updated"].clone()),
        (json!(true), json!(0), json!(3))
    );
    let mut ids: Vec<i64> =
        again["rows"].as_array().unwrap().iter().map(|r| r["station_id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    let mut want: Vec<i64> =
        stored.iter().filter(|s| s.data.source.as_deref() == Some("街道台账")).map(|s| s.id).collect();
    want.sort_unstable();
    assert_eq!(ids, want);

    // A file with an ignored column imports directly and says what it ignored.
    let plain = "名称,类型,经度,纬度,备注\n南关驿站,驿站,116.79,35.55,门口有台阶\n";
    let (status, _, done) = server
        .send(Method::POST, "/api/v1/import?source=s2", Some(("text/csv", plain.as_bytes().to_vec())), Some(TOKEN), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["ignored_columns"], json!(["备注"]));
    assert_error(
        &server.send(Method::POST, "/api/v1/import?dry_run=maybe", csv(false), Some(TOKEN), &[]).await,
        400,
        "invalid_parameter",
        Some("dry_run"),
    );
    assert_error(
        &server.send(Method::POST, "/api/v1/import?sheet=Sheet1", csv(false), Some(TOKEN), &[]).await,
        400,
        "invalid_parameter",
        Some("sheet"),
    );
}

/// The workbook fixture as a station keeper uploads it from the console.
fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/fixtures/import").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test]
async fn excel_workbooks_preview_and_import_over_http() {
    let server = TestServer::with_token(Vec::new()).await;
    let send = |q: &'static str, ct: &'static str, file: &'static str| {
        let server = &server;
        async move { server.send(Method::POST, q, Some((ct, fixture(file))), Some(TOKEN), &[]).await }
    };
    // The ledger: a title row, a blank row, the header in row 3; row 12 has no coordinates.
    let (status, _, p) = send("/api/v1/import?dry_run=true&source=ledger", XLSX, "yanzhou-ledger.xlsx").await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!((p["format"].clone(), p["sheet"].clone()), (json!("xlsx"), json!("驿站台账")));
    assert_eq!((p["created"].clone(), p["ok"].clone()), (json!(17), json!(false)));
    assert_eq!(p["errors"], json!([]));
    let lines: Vec<u64> = p["rows"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    assert_eq!(p["unplaced"].as_array().unwrap().iter().map(|u| u["line"].clone()).collect::<Vec<_>>(), [json!(12)]);
    assert_eq!(
        p["ignored_columns"],
        json!([{"name": "负责人", "column_number": 10}, {"name": "备注", "column_number": 11}])
    );
    let first = &p["rows"][0]["feature"];
    assert_eq!(first["properties"]["name"], "鼓楼街道户外劳动者驿站");
    assert_eq!(first["properties"]["phone"], "13800138000");
    assert_eq!(first["properties"]["verified_on"], "2025-03-01");
    assert_eq!(first["properties"]["opening_hours"], "24/7");
    assert_eq!(p["rows"][0]["hours_written"], "全天");
    assert_eq!(first["geometry"]["coordinates"], json!([116.7936, 35.5561]));
    assert_eq!(server.state.store.count().await.unwrap(), 0);

    // As it is, the ledger is refused (its unplaced row); the second sheet imports.
    let refused = send("/api/v1/import?source=ledger", XLSX, "yanzhou-ledger.xlsx").await;
    assert_error(&refused, 422, "invalid_file", None);
    let details = refused.2["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{details:?}");
    assert_eq!(details[0]["line"], 12);
    let (status, _, done) =
        send("/api/v1/import?source=ledger&sheet=%E5%85%85%E7%94%B5%E6%9F%9C", XLSX, "yanzhou-ledger.xlsx").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!((done["created"].clone(), done["total"].clone()), (json!(4), json!(4)));
    let missing = send("/api/v1/import?dry_run=true&sheet=Sheet9", XLSX, "yanzhou-ledger.xlsx").await;
    let message = assert_error(&missing, 422, "invalid_file", None);
    assert!(message.contains("驿站台账") && message.contains("充电柜"), "names the sheets there are: {message}");

    // The bad ledger: every bad row listed with its sheet row, nothing stored.
    let (status, _, bad) = send("/api/v1/import?dry_run=true&source=bad", XLSX, "yanzhou-ledger-bad.xlsx").await;
    assert_eq!(status, StatusCode::OK, "{bad}");
    let mut lines: Vec<u64> = bad["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    lines.dedup();
    assert_eq!(lines, [5, 6, 7, 8, 9, 10, 11, 14]);
    let texts = bad["errors"].to_string();
    for quoted in ["驿站点", "看情况", "95.54", "2025-13-40", "桑拿"] {
        assert!(texts.contains(quoted), "{quoted} quoted in {texts}");
    }
    // Excel 97–2003 too.
    let (status, _, xls) =
        send("/api/v1/import?dry_run=true&source=xls", "application/vnd.ms-excel", "yanzhou-ledger.xls").await;
    assert_eq!(status, StatusCode::OK, "{xls}");
    assert_eq!(
        (xls["format"].clone(), xls["sheet"].clone(), xls["created"].clone()),
        (json!("xls"), json!("驿站"), json!(2))
    );
    assert_eq!(xls["unplaced"][0]["line"], 5);
    assert_eq!(server.state.store.count().await.unwrap(), 4);
}

/// A small JPEG with an APP1 Exif segment holding bytes that stand for a GPS position.
fn jpeg_with_exif() -> Vec<u8> {
    // A 16 × 8 red image encoded with the image crate, then an Exif segment spliced in after SOI
    // (a TIFF header, an empty IFD, and the bytes of a position).
    let img = image::RgbImage::from_pixel(16, 8, image::Rgb([200, 30, 30]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&img).unwrap();
    let payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0GPS 35.550123N 116.800456E".to_vec();
    let len = u16::try_from(payload.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn multipart(report: &Value, photo: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "yizhanBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"report\"\r\nContent-Type: application/json\r\n\r\n{report}\r\n").as_bytes());
    if let Some(p) = photo {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
        body.extend_from_slice(p);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn riders_report_editors_answer_and_the_station_is_fixed_in_the_same_write() {
    let server = TestServer::with_token(dataset(6, 11)).await;
    let stations = server.state.store.load_all().await.unwrap();
    let target = stations.iter().find(|s| s.data.status == StationStatus::Active).unwrap();
    let (editor, editor_id) = make_token(&server, "街道办 审核", "editor").await;

    // A rider reports a missing amenity with a photo carrying EXIF GPS bytes; no account.
    let report = json!({"station_id": target.id, "category": "amenity_missing", "amenity": "hot_water",
                        "text": "  没有热水了  ", "position": {"lon": 116.79, "lat": 35.55}});
    let src = jpeg_with_exif();
    let (ct, body) = multipart(&report, Some(&src));
    let (status, _, sent) = server.send(Method::POST, "/api/v1/reports", Some((ct.as_str(), body)), None, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let code = sent["code"].as_str().unwrap().to_owned();
    assert_eq!((sent["status"].clone(), sent["has_photo"].clone()), (json!("new"), json!(true)));
    assert_eq!(sent["station_name"], target.data.name.as_str());
    assert!(sent.get("text").is_none() && sent.get("position").is_none(), "a rider's view is not the queue's");

    // Anyone with the code follows it; the station shows one open report, without text.
    let (status, _, followed) = server.get(&format!("/api/v1/reports/{}", code.to_lowercase().replace('-', ""))).await;
    assert_eq!(status, StatusCode::OK, "{followed}");
    assert_eq!(followed["code"], code.as_str());
    let (_, _, open) = server.get(&format!("/api/v1/stations/{}/reports", target.id)).await;
    assert_eq!(
        open,
        json!({"open": 1, "reports": [{"category": "amenity_missing", "amenity": "hot_water", "created_at": sent["created_at"]}]})
    );
    assert_eq!(server.get("/api/v1/reports/ZZZZ-ZZZZ").await.0, StatusCode::NOT_FOUND);

    // The queue and the photo are editors' only.
    assert_eq!(server.get("/api/v1/reports").await.0, StatusCode::UNAUTHORIZED);
    let (status, _, page) = server.send(Method::GET, "/api/v1/reports?status=new", None, Some(&editor), &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["numberMatched"], 1);
    let queued = &page["reports"][0];
    assert_eq!(
        (queued["text"].clone(), queued["position"].clone()),
        (json!("没有热水了"), json!({"lon": 116.79, "lat": 35.55}))
    );
    assert_eq!(queued["street"], target.data.street.as_deref().unwrap());
    let id = queued["id"].as_i64().unwrap();
    let resp = server
        .client
        .get(server.url(&format!("/api/v1/reports/{id}/photo")))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let photo = resp.bytes().await.unwrap();
    assert!(photo.starts_with(&[0xFF, 0xD8]), "a JPEG");
    let has = |needle: &[u8]| photo.windows(needle.len()).any(|w| w == needle);
    assert!(!has(b"Exif") && !has(b"35.550123") && !has(&[0xFF, 0xE1]), "no EXIF, no GPS, no APP1 served back");
    let shown = image::load_from_memory(&photo).unwrap();
    assert_eq!((shown.width(), shown.height()), (16, 8));

    // Resolving needs a note; with one, it closes the station in the same write, both audited.
    let path = format!("/api/v1/reports/{id}/status");
    let refused = server
        .send(Method::POST, &path, Some(("application/json", br#"{"status":"resolved"}"#.to_vec())), Some(&editor), &[])
        .await;
    assert_error(&refused, 422, "invalid_body", Some("note"));
    let mut fixed = json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [target.data.location.lon, target.data.location.lat]},
                           "properties": serde_json::to_value(&target.data).unwrap()});
    fixed["properties"].as_object_mut().unwrap().remove("location");
    fixed["properties"]["status"] = json!("closed");
    let body =
        json!({"status": "resolved", "note": "该驿站已停用，已从地图下线", "station": fixed}).to_string().into_bytes();
    let (status, _, answered) =
        server.send(Method::POST, &path, Some(("application/json", body)), Some(&editor), &[]).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!((answered["status"].clone(), answered["handled_by"].clone()), (json!("resolved"), json!(editor_id)));
    let stored = server.state.store.get(target.id).await.unwrap().unwrap();
    assert_eq!(stored.data.status, StationStatus::Closed);
    let mut expected = target.data.clone();
    expected.status = StationStatus::Closed;
    assert_eq!(stored.data, expected, "only the status changed");
    let (_, _, nearest) = server.get("/api/v1/nearest?lon=116.79&lat=35.55&k=50").await;
    assert!(
        nearest["results"].as_array().unwrap().iter().all(|r| r["station"]["id"] != target.id),
        "closed: not offered"
    );
    let (_, _, followed) = server.get(&format!("/api/v1/reports/{code}")).await;
    assert_eq!(
        (followed["status"].clone(), followed["note"].clone()),
        (json!("resolved"), json!("该驿站已停用，已从地图下线"))
    );
    assert_eq!(server.get(&format!("/api/v1/stations/{}/reports", target.id)).await.2["open"], 0);
    let log = server.state.store.audit_log(None, 100).await.unwrap();
    let ops: Vec<&str> = log.iter().rev().take(2).map(|e| e.operation.as_str()).collect();
    assert_eq!(ops, ["report.resolved", "station.update"]);

    // Bad reports are refused naming the field; a flood is refused with Retry-After.
    for (body, field) in [
        (json!({"category": "crowded"}), "station_id"),
        (json!({"station_id": target.id, "category": "amenity_broken"}), "amenity"),
        (json!({"station_id": 999_999, "category": "closed"}), "station_id"),
        (json!({"station_id": target.id, "category": "party"}), "category"),
    ] {
        let answer = server
            .send(Method::POST, "/api/v1/reports", Some(("application/json", body.to_string().into_bytes())), None, &[])
            .await;
        assert!(answer.0.is_client_error() && answer.2["error"]["field"] == field, "{field}: {}", answer.2);
    }
    let (ct, body) = multipart(&json!({"station_id": target.id, "category": "other"}), Some(b"GIF89a not a photo"));
    let bad_photo = server.send(Method::POST, "/api/v1/reports", Some((ct.as_str(), body)), None, &[]).await;
    assert_error(&bad_photo, 422, "invalid_photo", Some("photo"));
    let mut last = StatusCode::CREATED;
    let mut retry = None;
    for _ in 0..6 {
        let body = json!({"station_id": target.id, "category": "thanks"}).to_string().into_bytes();
        let (s, h, _) = server.send(Method::POST, "/api/v1/reports", Some(("application/json", body)), None, &[]).await;
        last = s;
        retry = h.get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        if s == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);

    // For officials: one report resolved, three thank-yous (the burst of five: the first report,
    // the refused photo, three thanks), none open; no rider's text anywhere.
    let (status, _, stats) = server.get("/api/v1/reports/stats").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let t = &stats["total"];
    assert_eq!(
        (t["reports"].clone(), t["resolved"].clone(), t["open"].clone(), t["thanks"].clone()),
        (json!(1), json!(1), json!(0), json!(3))
    );
    let hours = t["median_hours_to_resolve"].as_f64().unwrap();
    assert!((0.0..0.1).contains(&hours), "resolved within the test: {hours} h");
    assert_eq!(stats["streets"][0]["street"], target.data.street.as_deref().unwrap());
    assert!(!stats.to_string().contains("没有热水了"));
    let csv = server.client.get(server.url("/api/v1/reports/stats?format=csv")).send().await.unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}') && text.contains("区县,街道,反馈数"), "{text}");
    assert!(text.contains(&format!(",{},1,0,1,0,", target.data.street.as_deref().unwrap())), "{text}");
    assert_error(&server.get("/api/v1/reports/stats?format=xlsx").await, 400, "invalid_parameter", Some("format"));
}

/// Open311 GeoReport v2, read with the `georeport` client from PyPI and filed form-encoded (in a
/// venv `scripts/open311/check.sh` creates); then the request is answered here and reads closed.
/// Skips, saying why, only where no venv can be created.
#[tokio::test]
async fn open311_clients_file_and_read_reports() {
    let server = TestServer::with_token(dataset(4, 2)).await;
    let station = server.state.store.load_all().await.unwrap()[0].clone();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/open311/check.sh");
    let out = tokio::process::Command::new("bash")
        .arg(script)
        .arg(&server.base)
        .arg(station.id.to_string())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        eprintln!("SKIPPED open311_clients_file_and_read_reports: {stderr}");
        return;
    }
    assert!(out.status.success(), "Open311 check failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("Open311: all checks passed"), "{stdout}");
    let code = stdout.lines().last().unwrap().trim().to_owned();

    // What the client filed is what is stored.
    let (_, page) = server
        .state
        .store
        .reports(&yizhan_store::reports::ReportQuery { limit: 10, ..Default::default() })
        .await
        .unwrap();
    let r = page.iter().find(|r| r.code == code).expect("the filed report is stored");
    assert_eq!(r.station_id, Some(station.id));
    assert_eq!(r.text.as_deref(), Some("Open311 客户端：没有热水"));
    assert_eq!(r.amenity, Some(yizhan_planner::amenity::Amenity::HotWater));
    assert_eq!(r.position, Some(yizhan_planner::geodesy::LonLat { lon: 116.7934, lat: 35.5512 }));

    let body = json!({"status": "resolved", "note": "已修复"}).to_string().into_bytes();
    let (status, _, _) = server
        .send(
            Method::POST,
            &format!("/api/v1/reports/{}/status", r.id),
            Some(("application/json", body)),
            Some(TOKEN),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, one) = server.get(&format!("/open311/v2/requests/{code}.json")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!((one[0]["status"].clone(), one[0]["status_notes"].clone()), (json!("closed"), json!("已修复")));
    assert_eq!(
        (one[0]["lat"].clone(), one[0]["long"].clone()),
        (json!(station.data.location.lat), json!(station.data.location.lon)),
        "a station's position, never the rider's"
    );
}

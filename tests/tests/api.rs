//! End-to-end tests of the HTTP API: a real server on 127.0.0.1 over a real SQLite file, driven
//! with reqwest. Answers are checked against independent references: brute-force rankings over
//! every stored station, the CRS and ETA formulas, and the store's own contents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{CENTRE, Lcg, TOKEN, TestServer, assert_error, dataset};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use yizhan_core::config::{Config, Limits};
use yizhan_planner::amenity::Amenity;
use yizhan_planner::crs::Crs;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::station::{Station, StationKind, StationStatus};

/// What a query asks for, evaluated independently of the server and of the index.
#[derive(Debug, Clone, Default)]
struct Want {
    kinds: Option<Vec<StationKind>>,
    statuses: Option<Vec<StationStatus>>,
    amenities: Vec<Amenity>,
    min_capacity: Option<u32>,
    open_at: Option<DateTime<Utc>>,
}

impl Want {
    fn passes(&self, s: &Station, default_statuses: &[StationStatus]) -> bool {
        let d = &s.data;
        let statuses = self.statuses.as_deref().unwrap_or(default_statuses);
        self.kinds.as_ref().is_none_or(|k| k.contains(&d.kind))
            && statuses.contains(&d.status)
            && self.amenities.iter().all(|a| d.amenities.contains(*a))
            && self.min_capacity.is_none_or(|m| d.capacity.is_some_and(|c| c >= m))
            && self.open_at.is_none_or(|t| {
                d.opening_hours.as_ref().is_some_and(|h| h.is_open_at(t, yizhan_planner::hours::DEFAULT_TZ))
            })
    }
}

const ACTIVE: &[StationStatus] = &[StationStatus::Active];
const ALL_STATUSES: &[StationStatus] = &[StationStatus::Active, StationStatus::Planned, StationStatus::Closed];

/// The brute-force nearest ranking: every stored station passing `want`, by (geodesic distance, id).
async fn brute_nearest(
    server: &TestServer,
    origin: LonLat,
    k: usize,
    radius_m: Option<f64>,
    want: &Want,
) -> Vec<(Station, f64)> {
    let all = server.state.store.load_all().await.unwrap();
    let mut ranked: Vec<(Station, f64)> = all
        .into_iter()
        .filter(|s| want.passes(s, ACTIVE))
        .map(|s| {
            let d = origin.geodesic_distance_m(s.data.location);
            (s, d)
        })
        .filter(|(_, d)| radius_m.is_none_or(|r| *d <= r))
        .collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
    ranked.truncate(k);
    ranked
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn lonlat(v: &Value) -> LonLat {
    LonLat { lon: f(&v["lon"]), lat: f(&v["lat"]) }
}

/// Checks one nearest answer against the brute-force ranking and the ETA and CRS formulas.
async fn check_nearest(
    server: &TestServer,
    query: &str,
    origin: LonLat,
    k: usize,
    radius: Option<f64>,
    mode: TravelMode,
    want: &Want,
) {
    let (status, _, body) = server.get(&format!("/api/v1/nearest?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let expected = brute_nearest(server, origin, k, radius, want).await;
    let results = body["results"].as_array().unwrap();
    let got_ids: Vec<i64> = results.iter().map(|r| r["station"]["id"].as_i64().unwrap()).collect();
    let want_ids: Vec<i64> = expected.iter().map(|(s, _)| s.id).collect();
    assert_eq!(got_ids, want_ids, "{query}");
    let model = server.state.config.eta;
    assert_eq!(body["mode"], mode.code());
    assert_eq!(body["method"], "straight_line");
    assert_eq!(f(&body["model"]["detour_factor"]), model.detour_factor);
    assert_eq!(f(&body["model"]["speed_m_s"]), model.speed_m_s(mode));
    let echoed = lonlat(&body["origin"]);
    assert!((echoed.lon - origin.lon).abs() < 1e-12 && (echoed.lat - origin.lat).abs() < 1e-12, "{query}");
    for (r, (station, dist)) in results.iter().zip(&expected) {
        let d = f(&r["distance_m"]);
        assert!((d - dist).abs() <= 1e-6, "{query}: distance {d} vs {dist}");
        let eta = f(&r["eta_s"]);
        let want_eta = d * model.detour_factor / model.speed_m_s(mode);
        assert!((eta - want_eta).abs() <= 1e-9 * want_eta.max(1.0), "{query}: eta {eta} vs {want_eta}");
        assert_eq!(r["method"], "straight_line");
        let got: Station = serde_json::from_value(r["station"].clone()).unwrap();
        assert_eq!(&got, station, "the station as stored");
        let nav = &r["navigation"];
        let loc = station.data.location;
        assert_eq!(lonlat(&nav["gcj02"]), Crs::Gcj02.from_wgs84(loc));
        assert_eq!(lonlat(&nav["bd09"]), Crs::Bd09.from_wgs84(loc));
        let g = Crs::Gcj02.from_wgs84(loc);
        let amap = nav["amap_url"].as_str().unwrap();
        assert!(amap.starts_with(&format!("https://uri.amap.com/navigation?to={:.6},{:.6},", g.lon, g.lat)), "{amap}");
        let b = Crs::Bd09.from_wgs84(loc);
        let baidu = nav["baidu_url"].as_str().unwrap();
        assert!(baidu.contains(&format!("destination=latlng:{:.6},{:.6}|name:", b.lat, b.lon)), "{baidu}");
        assert!(baidu.contains("coord_type=bd09ll"), "{baidu}");
    }
}

#[tokio::test]
async fn nearest_matches_brute_force() {
    let server = TestServer::start(Config::default(), dataset(1500, 7)).await;
    let mut rng = Lcg::new(99);
    let mut origins: Vec<LonLat> = (0..6)
        .map(|_| LonLat { lon: CENTRE.lon + (rng.unit() - 0.5) * 0.3, lat: CENTRE.lat + (rng.unit() - 0.5) * 0.2 })
        .collect();
    // Exactly on a station shared by several (ties broken by id), and far outside the area.
    let shared = dataset(1500, 7)[97 + 5].location;
    origins.push(shared);
    origins.push(LonLat { lon: 117.9, lat: 36.6 });
    let at = Utc.with_ymd_and_hms(2025, 3, 1, 4, 0, 0).unwrap(); // Saturday 12:00 in Shanghai
    for (i, o) in origins.iter().enumerate() {
        let base = format!("lon={}&lat={}", o.lon, o.lat);
        check_nearest(&server, &base, *o, 5, None, TravelMode::Ebike, &Want::default()).await;
        check_nearest(&server, &format!("{base}&k=1&mode=walk"), *o, 1, None, TravelMode::Walk, &Want::default()).await;
        check_nearest(
            &server,
            &format!("{base}&k=20&kind=rest_station&kind=caring_merchant&mode=car"),
            *o,
            20,
            None,
            TravelMode::Car,
            &Want { kinds: Some(vec![StationKind::RestStation, StationKind::CaringMerchant]), ..Want::default() },
        )
        .await;
        check_nearest(
            &server,
            &format!("{base}&k=100&amenity=toilet,drinking_water&status=all&min_capacity=10"),
            *o,
            100,
            None,
            TravelMode::Ebike,
            &Want {
                amenities: vec![Amenity::Toilet, Amenity::DrinkingWater],
                statuses: Some(ALL_STATUSES.to_vec()),
                min_capacity: Some(10),
                ..Want::default()
            },
        )
        .await;
        check_nearest(
            &server,
            &format!("{base}&k=50&radius_m=3000&status=planned,closed"),
            *o,
            50,
            Some(3000.0),
            TravelMode::Ebike,
            &Want { statuses: Some(vec![StationStatus::Planned, StationStatus::Closed]), ..Want::default() },
        )
        .await;
        check_nearest(
            &server,
            &format!("{base}&k=30&at=2025-03-01T04:00:00Z&kind=%E9%A9%BF%E7%AB%99"),
            *o,
            30,
            None,
            TravelMode::Ebike,
            &Want { open_at: Some(at), kinds: Some(vec![StationKind::RestStation]), ..Want::default() },
        )
        .await;
        if i == 0 {
            // The filters really filter: the "open at" answer differs from the unfiltered one.
            let (_, _, open) = server.get(&format!("/api/v1/nearest?{base}&k=30&at=2025-03-03T15:30:00Z")).await;
            let (_, _, any) = server.get(&format!("/api/v1/nearest?{base}&k=30")).await;
            assert_ne!(open["results"], any["results"]);
            for r in open["results"].as_array().unwrap() {
                assert_eq!(r["station"]["opening_hours"], "24/7", "only 24/7 stations are open at 23:30 on a Monday");
            }
        }
    }
    // The shared position: distance 0 for the whole group, in id order.
    let (_, _, body) =
        server.get(&format!("/api/v1/nearest?lon={}&lat={}&k=3&status=all", shared.lon, shared.lat)).await;
    assert_eq!(f(&body["results"][0]["distance_m"]), 0.0);
    assert_eq!(f(&body["results"][1]["distance_m"]), 0.0);
    assert!(body["results"][0]["station"]["id"].as_i64() < body["results"][1]["station"]["id"].as_i64());
}

#[tokio::test]
async fn open_now_uses_the_current_time() {
    let server = TestServer::start(Config::default(), dataset(400, 3)).await;
    let o = CENTRE;
    let before = Utc::now();
    let (status, _, body) =
        server.get(&format!("/api/v1/nearest?lon={}&lat={}&k=40&open_now=true", o.lon, o.lat)).await;
    let after = Utc::now();
    assert_eq!(status, StatusCode::OK);
    let got: Vec<i64> =
        body["results"].as_array().unwrap().iter().map(|r| r["station"]["id"].as_i64().unwrap()).collect();
    let ids = |v: Vec<(Station, f64)>| v.into_iter().map(|(s, _)| s.id).collect::<Vec<_>>();
    let at_before = ids(brute_nearest(&server, o, 40, None, &Want { open_at: Some(before), ..Want::default() }).await);
    let at_after = ids(brute_nearest(&server, o, 40, None, &Want { open_at: Some(after), ..Want::default() }).await);
    assert!(got == at_before || got == at_after, "open_now answer matches the brute force at the request time");
    assert!(!got.is_empty(), "24/7 stations are always open");
}

#[tokio::test]
async fn gcj02_and_bd09_input_match_converted_wgs84() {
    let server = TestServer::start(Config::default(), dataset(800, 11)).await;
    for p in [LonLat { lon: 116.801_2, lat: 35.561_9 }, LonLat { lon: 116.72, lat: 35.49 }] {
        for crs in [Crs::Gcj02, Crs::Bd09] {
            let given = crs.from_wgs84(p);
            let wgs = crs.to_wgs84(given);
            assert!(p.geodesic_distance_m(given) > 100.0, "the systems differ by hundreds of metres here");
            let (s1, _, a) = server
                .get(&format!("/api/v1/nearest?lon={}&lat={}&crs={}&k=10", given.lon, given.lat, crs.code()))
                .await;
            let (s2, _, b) = server.get(&format!("/api/v1/nearest?lon={}&lat={}&k=10", wgs.lon, wgs.lat)).await;
            assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
            assert_eq!(a, b, "{crs} input answers exactly as its WGS-84 conversion");
            assert!(p.geodesic_distance_m(lonlat(&a["origin"])) < 0.05, "the origin is converted back to WGS-84");
            check_nearest(
                &server,
                &format!("lon={}&lat={}&k=10", wgs.lon, wgs.lat),
                wgs,
                10,
                None,
                TravelMode::Ebike,
                &Want::default(),
            )
            .await;
        }
    }
}

/// Every id of `GET /api/v1/stations?{query}` by following `next` links.
async fn walk_pages(server: &TestServer, query: &str) -> (Vec<i64>, usize, usize) {
    let mut url = format!("/api/v1/stations?{query}");
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut matched = None;
    loop {
        let (status, headers, body) = server.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        assert_eq!(headers["content-type"], "application/geo+json");
        assert_eq!(body["type"], "FeatureCollection");
        let features = body["features"].as_array().unwrap();
        assert_eq!(body["numberReturned"].as_u64().unwrap() as usize, features.len());
        let m = body["numberMatched"].as_u64().unwrap() as usize;
        assert_eq!(*matched.get_or_insert(m), m, "numberMatched is the same on every page");
        for feat in features {
            assert_eq!(feat["type"], "Feature");
            assert_eq!(feat["id"], feat["properties"]["id"]);
            assert_eq!(feat["geometry"]["type"], "Point");
            assert!(feat["properties"].get("location").is_none());
            ids.push(feat["id"].as_i64().unwrap());
        }
        pages += 1;
        let links = body["links"].as_array().unwrap();
        assert!(links.iter().any(|l| l["rel"] == "self"));
        match links.iter().find(|l| l["rel"] == "next") {
            Some(next) => next["href"].as_str().unwrap().clone_into(&mut url),
            None => break,
        }
        assert!(pages < 1000);
    }
    (ids, matched.unwrap_or(0), pages)
}

#[tokio::test]
async fn stations_list_filters_and_pages() {
    type Pred = Box<dyn Fn(&Station) -> bool>;
    let server = TestServer::start(Config::default(), dataset(1200, 5)).await;
    let all = server.state.store.load_all().await.unwrap();
    let at = Utc.with_ymd_and_hms(2025, 3, 3, 2, 0, 0).unwrap(); // Monday 10:00 in Shanghai
    let bbox = (116.75, 35.52, 116.83, 35.58);
    let cases: Vec<(String, Pred)> = vec![
        (String::new(), Box::new(|_| true)),
        (
            "kind=charging_cabinet,ride_hailing_bay".into(),
            Box::new(|s| matches!(s.data.kind, StationKind::ChargingCabinet | StationKind::RideHailingBay)),
        ),
        (
            "status=active&amenity=wifi&amenity=toilet".into(),
            Box::new(|s| {
                s.data.status == StationStatus::Active
                    && s.data.amenities.contains(Amenity::Wifi)
                    && s.data.amenities.contains(Amenity::Toilet)
            }),
        ),
        ("min_capacity=30".into(), Box::new(|s| s.data.capacity.is_some_and(|c| c >= 30))),
        (
            format!("bbox={},{},{},{}", bbox.0, bbox.1, bbox.2, bbox.3),
            Box::new(move |s| {
                let l = s.data.location;
                (bbox.0..=bbox.2).contains(&l.lon) && (bbox.1..=bbox.3).contains(&l.lat)
            }),
        ),
        (
            "district=%E5%85%96%E5%B7%9E%E5%8C%BA&street=%E9%BE%99%E6%A1%A5%E8%A1%97%E9%81%93".into(),
            Box::new(|s| s.data.district.as_deref() == Some("兖州区") && s.data.street.as_deref() == Some("龙桥街道")),
        ),
        ("q=%E6%B5%8B%E8%AF%95%E9%A9%BF%E7%AB%990012".into(), Box::new(|s| s.data.name.contains("测试驿站0012"))),
        (
            "q=%E5%BB%BA%E8%AE%BE%E8%B7%AF+17+%E5%8F%B7".into(),
            Box::new(|s| s.data.address.as_deref().is_some_and(|a| a.contains("建设路 17 号"))),
        ),
        (
            "at=2025-03-03T02:00:00Z&kind=rest_station".into(),
            Box::new(move |s| {
                s.data.kind == StationKind::RestStation
                    && s.data
                        .opening_hours
                        .as_ref()
                        .is_some_and(|h| h.is_open_at(at, yizhan_planner::hours::DEFAULT_TZ))
            }),
        ),
    ];
    for (query, pred) in &cases {
        let want: Vec<i64> = all.iter().filter(|s| pred(s)).map(|s| s.id).collect();
        assert!(!want.is_empty(), "{query}: the case selects something");
        let (ids, matched, pages) = walk_pages(&server, &format!("{query}&limit=97")).await;
        assert_eq!(ids, want, "{query}");
        assert_eq!(matched, want.len(), "{query}");
        assert_eq!(pages, want.len().div_ceil(97).max(1), "{query}");
    }
    // Every property round-trips: a page's features equal the stored stations.
    let (_, _, page) = server.get("/api/v1/stations?limit=5&offset=10").await;
    for (feat, s) in page["features"].as_array().unwrap().iter().zip(&all[10..15]) {
        let mut props = feat["properties"].clone();
        props["location"] =
            json!({"lon": feat["geometry"]["coordinates"][0], "lat": feat["geometry"]["coordinates"][1]});
        let got: Station = serde_json::from_value(props).unwrap();
        assert_eq!(&got, s);
    }
    // Paging links.
    let (_, _, first) = server.get("/api/v1/stations?limit=100&kind=rest_station").await;
    let links = first["links"].as_array().unwrap();
    assert!(links.iter().all(|l| l["rel"] != "prev"));
    let next = links.iter().find(|l| l["rel"] == "next").unwrap();
    assert_eq!(next["href"], "/api/v1/stations?kind=rest_station&limit=100&offset=100");
    assert_eq!(next["type"], "application/geo+json");
    let (_, _, second) = server.get("/api/v1/stations?limit=100&offset=100&kind=rest_station").await;
    let prev = second["links"].as_array().unwrap().iter().find(|l| l["rel"] == "prev").unwrap().clone();
    assert_eq!(prev["href"], "/api/v1/stations?kind=rest_station&limit=100&offset=0");
    // Default page size and limit=0 (a count).
    let (_, _, default_page) = server.get("/api/v1/stations").await;
    assert_eq!(default_page["numberReturned"], 1000);
    assert_eq!(default_page["numberMatched"], 1200);
    let (_, _, count) = server.get("/api/v1/stations?limit=0&status=active").await;
    assert_eq!(count["numberReturned"], 0);
    assert_eq!(
        count["numberMatched"].as_u64().unwrap() as usize,
        all.iter().filter(|s| s.data.status == StationStatus::Active).count()
    );
    let (_, _, beyond) = server.get("/api/v1/stations?offset=5000").await;
    assert_eq!((beyond["numberReturned"].as_u64(), beyond["numberMatched"].as_u64()), (Some(0), Some(1200)));
}

#[tokio::test]
async fn station_by_id() {
    let server = TestServer::start(Config::default(), dataset(50, 1)).await;
    let s = &server.state.store.load_all().await.unwrap()[7];
    let (status, headers, feat) = server.get(&format!("/api/v1/stations/{}", s.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/geo+json");
    assert_eq!(feat["id"], s.id);
    assert_eq!(feat["geometry"]["coordinates"], json!([s.data.location.lon, s.data.location.lat]));
    assert_eq!(feat["properties"]["name"], s.data.name.as_str());
    assert_eq!(feat["properties"]["created_at"], json!(s.created_at));
    assert_error(&server.get("/api/v1/stations/999999").await, 404, "not_found", Some("id"));
    assert_error(&server.get("/api/v1/stations/abc").await, 400, "invalid_id", Some("id"));
    assert_error(&server.get("/api/v1/stations/1.5").await, 400, "invalid_id", Some("id"));
    assert_error(&server.get("/api/v1/stations/99999999999999999999").await, 400, "invalid_id", Some("id"));
    assert_error(
        &server.get(&format!("/api/v1/stations/{}?pretty=1", s.id)).await,
        400,
        "unknown_parameter",
        Some("pretty"),
    );
}

fn new_station(name: &str, at: LonLat) -> Value {
    json!({
        "kind": "rest_station",
        "name": name,
        "address": "兖州区中御桥北路 1 号",
        "location": {"lon": at.lon, "lat": at.lat},
        "amenities": ["drinking_water", "toilet"],
        "opening_hours": "Mo-Su 07:00-21:00",
        "capacity": 8,
        "status": "active",
        "source": "e2e-writes",
        "external_id": name,
    })
}

#[tokio::test]
async fn writes_show_up_in_the_next_query() {
    let server = TestServer::with_token(dataset(300, 2)).await;
    let here = LonLat { lon: 116.812_345, lat: 35.567_891 };
    let nearest = |k: usize| format!("/api/v1/nearest?lon={}&lat={}&k={k}", here.lon, here.lat);

    // Create (plain station JSON).
    let (status, headers, created) =
        server.write_json(Method::POST, "/api/v1/stations", &new_station("新建驿站", here)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(headers["location"], format!("/api/v1/stations/{id}"));
    assert_eq!(headers["content-type"], "application/geo+json");
    let stored = server.state.store.get(id).await.unwrap().unwrap();
    assert_eq!(stored.data.name, "新建驿站");
    assert_eq!(stored.data.location, here);
    let (_, _, fetched) = server.get(headers["location"].to_str().unwrap()).await;
    assert_eq!(fetched, created);
    let (_, _, body) = server.get(&nearest(1)).await;
    assert_eq!(body["results"][0]["station"]["id"], id);
    assert_eq!(f(&body["results"][0]["distance_m"]), 0.0);

    // Replace it with a GeoJSON Feature that moves it 2 km east and renames it.
    let moved = LonLat { lon: here.lon + 0.022, lat: here.lat };
    let mut feature = fetched.clone();
    feature["geometry"]["coordinates"] = json!([moved.lon, moved.lat]);
    feature["properties"]["name"] = json!("搬迁后的驿站");
    let (status, _, updated) = server
        .send(
            Method::PUT,
            &format!("/api/v1/stations/{id}"),
            Some(("application/geo+json", feature.to_string().into_bytes())),
            Some(TOKEN),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["properties"]["name"], "搬迁后的驿站");
    assert_eq!(updated["properties"]["created_at"], created["properties"]["created_at"]);
    let (_, _, body) = server.get(&nearest(100)).await;
    let hit = body["results"].as_array().unwrap().iter().find(|r| r["station"]["id"] == id).unwrap();
    assert!((f(&hit["distance_m"]) - here.geodesic_distance_m(moved)).abs() < 1e-6);
    assert_eq!(hit["station"]["name"], "搬迁后的驿站");
    check_nearest(
        &server,
        &format!("lon={}&lat={}&k=5", here.lon, here.lat),
        here,
        5,
        None,
        TravelMode::Ebike,
        &Want::default(),
    )
    .await;

    // Closing it takes it out of the default (active-only) nearest answer.
    let mut closed = new_station("搬迁后的驿站", moved);
    closed["status"] = json!("closed");
    let (status, _, _) = server.write_json(Method::PUT, &format!("/api/v1/stations/{id}"), &closed).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, body) = server.get(&nearest(100)).await;
    assert!(body["results"].as_array().unwrap().iter().all(|r| r["station"]["id"] != id));

    // Delete.
    let before = server.state.index().len();
    let (status, _, deleted) =
        server.send(Method::DELETE, &format!("/api/v1/stations/{id}"), None, Some(TOKEN), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deleted["id"], id);
    assert_eq!(deleted["properties"]["status"], "closed");
    assert_eq!(server.state.index().len(), before - 1);
    assert!(server.state.store.get(id).await.unwrap().is_none());
    assert_error(&server.get(&format!("/api/v1/stations/{id}")).await, 404, "not_found", Some("id"));
    assert_error(
        &server.send(Method::DELETE, &format!("/api/v1/stations/{id}"), None, Some(TOKEN), &[]).await,
        404,
        "not_found",
        Some("id"),
    );
    let (_, _, body) = server.get(&nearest(100)).await;
    assert!(body["results"].as_array().unwrap().iter().all(|r| r["station"]["id"] != id));
    let (_, _, health) = server.get("/healthz").await;
    assert_eq!(health["stations"].as_u64().unwrap() as usize, before - 1);
}

/// A write request: method, path, body with its content type.
type Write = (Method, String, Option<(&'static str, Vec<u8>)>);

#[tokio::test]
async fn auth_guards_every_write() {
    let server = TestServer::with_token(dataset(20, 4)).await;
    let id = server.state.store.load_all().await.unwrap()[0].id;
    let body = new_station("鉴权测试", CENTRE).to_string().into_bytes();
    let writes: Vec<Write> = vec![
        (Method::POST, "/api/v1/stations".into(), Some(("application/json", body.clone()))),
        (Method::PUT, format!("/api/v1/stations/{id}"), Some(("application/json", body.clone()))),
        (Method::DELETE, format!("/api/v1/stations/{id}"), None),
        (Method::POST, "/api/v1/import?format=csv".into(), Some(("text/csv", b"kind,name,lon,lat\n".to_vec()))),
    ];
    for (method, path, body) in &writes {
        for auth in [None, Some("wrong-token"), Some("")] {
            let answer = server.send(method.clone(), path, body.clone(), auth, &[]).await;
            assert_error(&answer, 401, "unauthorized", None);
            let challenge = answer.1["www-authenticate"].to_str().unwrap();
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
        let basic =
            server.send(method.clone(), path, body.clone(), None, &[("authorization", "Basic ZTJlOmUyZQ==")]).await;
        assert_error(&basic, 401, "unauthorized", None);
    }
    // Refused writes changed nothing.
    assert_eq!(server.state.store.count().await.unwrap(), 20);
    assert!(server.state.store.get(id).await.unwrap().is_some());
    // The right token works (case-insensitive scheme).
    let ok = server
        .send(
            Method::POST,
            "/api/v1/stations",
            Some(("application/json", body.clone())),
            None,
            &[("authorization", &format!("bearer {TOKEN}"))],
        )
        .await;
    assert_eq!(ok.0, StatusCode::CREATED);

    // Without a configured token, writes are off: 403 saying how to turn them on.
    let readonly = TestServer::start(Config::default(), dataset(5, 4)).await;
    for (method, path, body) in &writes {
        let path = path.replace(&id.to_string(), "1");
        for auth in [None, Some(TOKEN)] {
            let msg = assert_error(
                &readonly.send(method.clone(), &path, body.clone(), auth, &[]).await,
                403,
                "writes_disabled",
                None,
            );
            assert!(msg.contains("YIZHAN_API_TOKEN"), "{msg}");
        }
    }
    assert_eq!(readonly.state.store.count().await.unwrap(), 5);
    // Reads need no token.
    assert_eq!(readonly.get("/api/v1/stations").await.0, StatusCode::OK);
}

#[tokio::test]
async fn every_error_class_answers_json() {
    let config = Config {
        api_token: Some(TOKEN.to_owned()),
        limits: Limits { max_body_bytes: 64 * 1024, ..Limits::default() },
        ..Config::default()
    };
    let server = TestServer::start(config, dataset(30, 8)).await;
    let n = |q: &str| format!("/api/v1/nearest?{q}");
    let cases: &[(&str, u16, &str, Option<&str>)] = &[
        ("lat=35", 400, "missing_parameter", Some("lon")),
        ("lon=116", 400, "missing_parameter", Some("lat")),
        ("lon=190&lat=35", 400, "invalid_parameter", Some("lon")),
        ("lon=116&lat=-91", 400, "invalid_parameter", Some("lat")),
        ("lon=NaN&lat=35", 400, "invalid_parameter", Some("lon")),
        ("lon=116&lat=nan", 400, "invalid_parameter", Some("lat")),
        ("lon=116&lat=north", 400, "invalid_parameter", Some("lat")),
        ("lon=116&lat=35&kind=hotel", 400, "invalid_parameter", Some("kind")),
        ("lon=116&lat=35&amenity=sauna", 400, "invalid_parameter", Some("amenity")),
        ("lon=116&lat=35&status=deleted", 400, "invalid_parameter", Some("status")),
        ("lon=116&lat=35&mode=boat", 400, "invalid_parameter", Some("mode")),
        ("lon=116&lat=35&crs=epsg3857", 400, "invalid_parameter", Some("crs")),
        ("lon=116&lat=35&k=0", 400, "invalid_parameter", Some("k")),
        ("lon=116&lat=35&k=101", 400, "invalid_parameter", Some("k")),
        ("lon=116&lat=35&radius_m=0", 400, "invalid_parameter", Some("radius_m")),
        ("lon=116&lat=35&radius_m=200001", 400, "invalid_parameter", Some("radius_m")),
        ("lon=116&lat=35&at=tomorrow", 400, "invalid_parameter", Some("at")),
        ("lon=116&lat=35&open_now=perhaps", 400, "invalid_parameter", Some("open_now")),
        ("lon=116&lat=35&min_capacity=lots", 400, "invalid_parameter", Some("min_capacity")),
        ("lon=116&lat=35&lon=117", 400, "duplicate_parameter", Some("lon")),
        ("lon=116&lat=35&radius=500", 400, "unknown_parameter", Some("radius")),
    ];
    for (q, status, code, field) in cases {
        assert_error(&server.get(&n(q)).await, *status, code, *field);
    }
    let msg =
        assert_error(&server.get(&n("lon=116&lat=35&radius=500")).await, 400, "unknown_parameter", Some("radius"));
    assert!(msg.contains("\"radius\"") && msg.contains("radius_m"), "names the typo and suggests: {msg}");
    for (q, field) in [
        ("bbox=1,2,3", "bbox"),
        ("bbox=3,2,1,4", "bbox"),
        ("bbox=1,2,3,95", "bbox"),
        ("limit=5001", "limit"),
        ("offset=x", "offset"),
    ] {
        assert_error(&server.get(&format!("/api/v1/stations?{q}")).await, 400, "invalid_parameter", Some(field));
    }
    assert_error(&server.get("/api/v1/stations?limt=5").await, 400, "unknown_parameter", Some("limt"));
    assert_error(&server.get("/healthz?verbose=1").await, 400, "unknown_parameter", Some("verbose"));

    // Bodies.
    let post = |ct: &'static str, body: Vec<u8>| (ct, body);
    let send =
        |body: Option<(&'static str, Vec<u8>)>| server.send(Method::POST, "/api/v1/stations", body, Some(TOKEN), &[]);
    assert_error(&send(Some(post("application/json", b"{\"kind\": ".to_vec()))).await, 400, "malformed_json", None);
    assert_error(&send(Some(post("application/json", Vec::new()))).await, 400, "malformed_json", None);
    assert_error(&send(Some(post("text/plain", b"{}".to_vec()))).await, 415, "unsupported_media_type", None);
    assert_error(&send(None).await, 415, "unsupported_media_type", None);
    let huge = format!("{{\"kind\":\"rest_station\",\"name\":\"{}\"}}", "长".repeat(40_000));
    assert_error(&send(Some(post("application/json", huge.into_bytes()))).await, 413, "payload_too_large", None);
    assert_error(
        &send(Some(post("application/json", b"{\"kind\":\"rest_station\"}".to_vec()))).await,
        422,
        "invalid_body",
        Some("name"),
    );
    assert_error(
        &send(Some(post(
            "application/json",
            br#"{"kind":"rest_station","name":"x","location":{"lon":1,"lat":2},"colour":"red"}"#.to_vec(),
        )))
        .await,
        422,
        "invalid_body",
        Some("colour"),
    );
    // Validation by the write path (WriteError::Invalid): 422 naming the field.
    let mut bad = new_station("  ", CENTRE);
    let answer = server.write_json(Method::POST, "/api/v1/stations", &bad).await;
    assert_error(&answer, 422, "validation_failed", Some("name"));
    bad = new_station("电话不对", CENTRE);
    bad["phone"] = json!("call me");
    assert_error(
        &server.write_json(Method::POST, "/api/v1/stations", &bad).await,
        422,
        "validation_failed",
        Some("phone"),
    );
    bad = new_station("经度不对", LonLat { lon: 200.0, lat: 35.0 });
    let answer = server.write_json(Method::POST, "/api/v1/stations", &bad).await;
    assert_error(&answer, 422, "validation_failed", Some("location.lon"));
    assert_eq!(answer.2["error"]["details"][0]["field"], "location.lon");
    // Conflict: the same source + external id twice.
    let first = server.write_json(Method::POST, "/api/v1/stations", &new_station("重复", CENTRE)).await;
    assert_eq!(first.0, StatusCode::CREATED);
    assert_error(
        &server.write_json(Method::POST, "/api/v1/stations", &new_station("重复", CENTRE)).await,
        409,
        "conflict",
        Some("external_id"),
    );
    // Not found.
    assert_error(
        &server.write_json(Method::PUT, "/api/v1/stations/424242", &new_station("无此站", CENTRE)).await,
        404,
        "not_found",
        Some("id"),
    );
    assert_error(
        &server.write_json(Method::PUT, "/api/v1/stations/x", &new_station("无此站", CENTRE)).await,
        400,
        "invalid_id",
        Some("id"),
    );
    // Unknown paths and methods.
    assert_error(&server.get("/api/v1/nope").await, 404, "not_found", None);
    let answer = server.send(Method::PATCH, "/api/v1/stations/1", None, Some(TOKEN), &[]).await;
    assert_error(&answer, 405, "method_not_allowed", None);
    let allow = answer.1["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("PUT") && allow.contains("DELETE"), "{allow}");
    assert_eq!(server.state.store.count().await.unwrap(), 31, "only the one valid create was stored");
}

#[tokio::test]
async fn health_openapi_compression_and_home_page() {
    let server = TestServer::start(Config::default(), dataset(42, 6)).await;
    let (status, _, health) = server.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        health,
        json!({
            "status": "ok",
            "stations": 42,
            "storage": {"backend": "sqlite", "ok": true},
            "follower": {"lag_changes": 0, "following": true},
        })
    );

    let (status, _, doc) = server.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let routes: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(p, item)| item.as_object().unwrap().keys().map(move |m| (p.clone(), m.clone())))
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("/api/v1/nearest", "get"),
        ("/api/v1/stations", "get"),
        ("/api/v1/stations", "post"),
        ("/api/v1/stations/{id}", "get"),
        ("/api/v1/stations/{id}", "put"),
        ("/api/v1/stations/{id}", "delete"),
        ("/api/v1/stations/{id}/verify", "post"),
        ("/api/v1/verification", "get"),
        ("/api/v1/hours", "get"),
        ("/api/v1/reports", "post"),
        ("/api/v1/reports", "get"),
        ("/api/v1/reports/{code}", "get"),
        ("/api/v1/reports/stats", "get"),
        ("/api/v1/reports/{id}/photo", "get"),
        ("/api/v1/reports/{id}/status", "post"),
        ("/api/v1/stations/{id}/reports", "get"),
        ("/api/v1/convert", "get"),
        ("/api/v1/import", "post"),
        ("/api/v1/session", "post"),
        ("/api/v1/session", "get"),
        ("/api/v1/session", "delete"),
        ("/api/v1/audit", "get"),
        ("/api/v1/admin/tokens", "get"),
        ("/api/v1/admin/tokens", "post"),
        ("/api/v1/admin/tokens/{id}", "delete"),
        ("/api/v1/districts", "get"),
        ("/api/v1/districts/{name}", "get"),
        ("/api/v1/stations/{id}/isochrone", "get"),
        ("/api/v1/network/roads", "get"),
        ("/api/v1/districts/{name}/streets", "get"),
        ("/api/v1/districts/{name}/report.pdf", "get"),
        ("/api/v1/coverage", "post"),
        ("/api/v1/coverage/{id}", "get"),
        ("/api/v1/plans", "post"),
        ("/api/v1/plans/{id}", "get"),
        ("/api/v1/plans/{id}", "delete"),
        ("/api/v1/scenarios", "post"),
        ("/api/v1/scenarios", "get"),
        ("/api/v1/scenarios/compare", "get"),
        ("/api/v1/demand", "post"),
        ("/api/v1/demand", "get"),
        ("/healthz", "get"),
        ("/metrics", "get"),
        ("/api/v1/openapi.json", "get"),
        // Publishing (server/src/publish).
        ("/tiles/{layer}/{z}/{x}/{y}.mvt", "get"),
        ("/tiles/{layer}.json", "get"),
        ("/tiles/coverage/{analysis_id}/{z}/{x}/{y}.mvt", "get"),
        ("/tiles/coverage/{analysis_id}.json", "get"),
        ("/ogc", "get"),
        ("/ogc/conformance", "get"),
        ("/ogc/collections", "get"),
        ("/ogc/collections/{collectionId}", "get"),
        ("/ogc/collections/{collectionId}/items", "get"),
        ("/ogc/collections/{collectionId}/items/{featureId}", "get"),
        ("/api/v1/maps/district/{file}", "get"),
    ]
    .iter()
    .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
    .collect();
    assert_eq!(routes, want);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in [
        "NearestResponse",
        "StationCollection",
        "StationFeature",
        "StationData",
        "Station",
        "ErrorBody",
        "ImportResponse",
        "ImportPreviewResponse",
        "SessionInfo",
        "VerificationSummary",
        "HealthResponse",
        "StationInput",
    ] {
        assert!(schemas.contains_key(s), "schema {s}");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(paths["/api/v1/stations"]["post"]["security"], json!([{"bearer": []}, {"session": []}]));
    assert_eq!(
        doc["components"]["securitySchemes"]["session"],
        json!({"type": "apiKey", "in": "cookie", "name": "yizhan_session", "description": doc["components"]["securitySchemes"]["session"]["description"]})
    );
    let nearest_params: BTreeSet<&str> = paths["/api/v1/nearest"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(nearest_params.len(), 12);

    // gzip when asked for.
    let resp =
        server.client.get(server.url("/api/v1/stations")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    let plain = server.client.get(server.url("/api/v1/stations")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());

    // The home page (the web UI) links the API description.
    let home = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(home.text().await.unwrap().contains("/api/v1/openapi.json"));
    assert_eq!(server.client.get(server.url("/nope.html")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // Graceful shutdown completes.
    server.stop().await.unwrap();
}

#[tokio::test]
async fn web_dir_is_served() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>驿站地图</title>").unwrap();
    std::fs::write(web.path().join("app.js"), "console.log('驿站');").unwrap();
    let server =
        TestServer::start(Config { web_dir: Some(web.path().to_owned()), ..Config::default() }, Vec::new()).await;
    let home = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert_eq!(home.text().await.unwrap(), "<!doctype html><title>驿站地图</title>");
    let js = server.client.get(server.url("/app.js")).send().await.unwrap();
    assert_eq!(js.text().await.unwrap(), "console.log('驿站');");
    // API paths stay JSON.
    assert_error(&server.get("/api/v1/missing").await, 404, "not_found", None);
    let (_, _, health) = server.get("/healthz").await;
    assert_eq!(health["stations"], 0);
}

#[tokio::test]
async fn locked_database_answers_503() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let server = TestServer::with_token(dataset(10, 12)).await;
    let storage = server.state.config.storage.clone();
    // Another writer on the same file (a second process or replica) holds the write lock for
    // longer than the store's busy timeout (10 s).
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let other = yizhan_store::Store::open(&storage).await.unwrap();
            let mut rows = dataset(3000, 13);
            for r in &mut rows {
                r.source = Some("other-writer".to_owned());
            }
            let signalled = AtomicBool::new(false);
            let progress = |n: usize| {
                if n >= 1000 && !signalled.swap(true, Ordering::SeqCst) {
                    locked_tx.send(()).unwrap();
                    std::thread::sleep(std::time::Duration::from_secs(15));
                }
            };
            other.import(rows, &progress).await.unwrap().created.len()
        })
    });
    tokio::task::spawn_blocking(move || locked_rx.recv().unwrap()).await.unwrap();
    let answer = server.write_json(Method::POST, "/api/v1/stations", &new_station("锁住时写入", CENTRE)).await;
    let msg = assert_error(&answer, 503, "service_unavailable", None);
    assert!(msg.contains("database"), "{msg}");
    assert_eq!(holder.join().unwrap(), 3000);
    // The refused write stored nothing; the other writer's rows are all there.
    let all = server.state.store.load_all().await.unwrap();
    assert_eq!(all.len(), 3010);
    assert!(all.iter().all(|s| s.data.name != "锁住时写入"));
    // Once the lock is released, writes succeed again.
    let answer = server.write_json(Method::POST, "/api/v1/stations", &new_station("解锁后写入", CENTRE)).await;
    assert_eq!(answer.0, StatusCode::CREATED, "{}", answer.2);
}

/// A two-line CSV file in GBK, as government spreadsheets save it (bytes from Python's
/// `str.encode("gbk")`): header 类型,名称,经度,纬度,设施,来源,外部编号 and one 驿站 row.
const GBK_CSV: &[u8] = b"\xc0\xe0\xd0\xcd\x2c\xc3\xfb\xb3\xc6\x2c\xbe\xad\xb6\xc8\x2c\xce\xb3\xb6\xc8\x2c\xc9\xe8\xca\xa9\x2c\xc0\xb4\xd4\xb4\x2c\xcd\xe2\xb2\xbf\xb1\xe0\xba\xc5\x0d\x0a\xe6\xe4\xd5\xbe\x2c\xc1\xfa\xc7\xc5\xbd\xd6\xb5\xc0\xbb\xa7\xcd\xe2\xc0\xcd\xb6\xaf\xd5\xdf\xe6\xe4\xd5\xbe\x2c\x31\x31\x36\x2e\x37\x37\x31\x32\x2c\x33\x35\x2e\x35\x34\x31\x32\x2c\xd2\xfb\xd3\xc3\xcb\xae\xa1\xa2\xc8\xc8\xcb\xae\x2c\xd9\xf0\xd6\xdd\xc7\xf8\xd7\xdc\xb9\xa4\xbb\xe1\x2c\x47\x42\x4b\x2d\x31\x0d\x0a";

async fn import(
    server: &TestServer,
    query: &str,
    content_type: &str,
    body: &[u8],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    server
        .send(Method::POST, &format!("/api/v1/import{query}"), Some((content_type, body.to_vec())), Some(TOKEN), &[])
        .await
}

/// A spreadsheet as station keepers write it — coordinates in one 经纬度 cell (either order),
/// hours in Chinese — imported over HTTP: stored with WGS-84 coordinates and OSM hours, answered
/// by the next nearest query; a cell not understood refuses the file naming line and column.
#[tokio::test]
async fn import_over_http_reads_spreadsheets_as_people_write_them() {
    let server = TestServer::with_token(Vec::new()).await;
    let csv = "名称,类型,经纬度,开放时间,来源,外部编号\n\
               鼓楼驿站,驿站,\"116.801,35.561\",全天,手填表,S1\n\
               龙桥驿站,驿站,\"35.562，116.802\",\"周一至周五 8:00-12:00，14:00-18:00\",手填表,S2\n";
    let (status, _, body) = import(&server, "", "text/csv", csv.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"created": 2, "updated": 0, "total": 2, "ignored_columns": []}));
    let mut all = server.state.store.load_all().await.unwrap();
    all.sort_by(|a, b| a.data.external_id.cmp(&b.data.external_id));
    assert_eq!(all[0].data.location, LonLat { lon: 116.801, lat: 35.561 });
    assert_eq!(all[1].data.location, LonLat { lon: 116.802, lat: 35.562 });
    let hours: Vec<&str> = all.iter().map(|s| s.data.opening_hours.as_ref().unwrap().as_str()).collect();
    assert_eq!(hours, ["24/7", "Mo-Fr 08:00-12:00,14:00-18:00"]);
    let (_, _, near) = server.get("/api/v1/nearest?lon=116.802&lat=35.562&k=1").await;
    assert_eq!(near["results"][0]["station"]["id"], all[1].id);

    let bad = "名称,类型,经纬度,开放时间,来源,外部编号\n甲,驿站,116.801,看情况,手填表,S3\n";
    let (status, _, body) = import(&server, "", "text/csv", bad.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let rows: Vec<(u64, u64)> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column_number"].as_u64().unwrap()))
        .collect();
    assert_eq!(rows, [(2, 3), (2, 4)], "{body}");
    assert_eq!(server.state.store.count().await.unwrap(), 2, "a refused file stores nothing");
}

#[tokio::test]
async fn import_over_http_is_all_or_nothing() {
    let server = TestServer::with_token(dataset(100, 21)).await;
    let csv = "kind,name,lon,lat,address,amenities,opening_hours,capacity,source,external_id\n\
               驿站,鼓楼驿站,116.801,35.561,兖州区鼓楼街道,饮用水;toilet,Mo-Su 07:00-21:00,10,导入测试,A1\n\
               caring_merchant,老王面馆,116.802,35.562,,hot_water,,4,导入测试,A2\n\
               cabinet,充电柜,116.803,35.563,,,24/7,,导入测试,A3\n";
    let (status, _, body) = import(&server, "", "text/csv", csv.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"created": 3, "updated": 0, "total": 103, "ignored_columns": []}));
    let imported = |all: Vec<Station>| {
        let mut v: Vec<Station> = all.into_iter().filter(|s| s.data.source.as_deref() == Some("导入测试")).collect();
        v.sort_by(|a, b| a.data.external_id.cmp(&b.data.external_id));
        v
    };
    let first = imported(server.state.store.load_all().await.unwrap());
    assert_eq!(first.iter().map(|s| s.data.name.as_str()).collect::<Vec<_>>(), ["鼓楼驿站", "老王面馆", "充电柜"]);
    assert_eq!(first[0].data.kind, StationKind::RestStation);
    assert!(
        first[0].data.amenities.contains(Amenity::DrinkingWater) && first[0].data.amenities.contains(Amenity::Toilet)
    );
    assert_eq!(first[0].data.location, LonLat { lon: 116.801, lat: 35.561 });
    // The imported stations are in the very next query.
    let (_, _, near) = server.get("/api/v1/nearest?lon=116.801&lat=35.561&k=1").await;
    assert_eq!(near["results"][0]["station"]["id"], first[0].id);
    assert_eq!(f(&near["results"][0]["distance_m"]), 0.0);

    // Re-importing updates by (source, external_id): no duplicates, ids kept.
    let renamed = csv.replace("老王面馆", "老王面馆（新店）");
    let (status, _, body) = import(&server, "?format=csv", "application/octet-stream", renamed.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"created": 0, "updated": 3, "total": 103, "ignored_columns": []}));
    let second = imported(server.state.store.load_all().await.unwrap());
    assert_eq!(second.iter().map(|s| s.id).collect::<Vec<_>>(), first.iter().map(|s| s.id).collect::<Vec<_>>());
    assert_eq!(second[1].data.name, "老王面馆（新店）");

    // One bad row refuses the whole file; the answer lists every bad row; nothing changes.
    let bad = "kind,name,lon,lat,source,external_id\n\
               rest_station,好站一,116.81,35.57,坏文件,B1\n\
               rest_station,坏经度,abc,35.57,坏文件,B2\n\
               hotel,坏类型,116.82,35.58,坏文件,B3\n\
               rest_station,好站二,116.83,35.59,坏文件,B4\n";
    let answer = import(&server, "", "text/csv; charset=utf-8", bad.as_bytes()).await;
    let msg = assert_error(&answer, 422, "invalid_file", None);
    assert!(msg.contains("2 problem(s)"), "{msg}");
    let details = answer.2["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 2, "{details:?}");
    assert_eq!(
        (details[0]["line"].as_u64(), details[0]["column"].as_str(), details[0]["column_number"].as_u64()),
        (Some(3), Some("lon"), Some(3))
    );
    assert_eq!(details[0]["field"], "location.lon");
    assert_eq!(
        (details[1]["line"].as_u64(), details[1]["column"].as_str(), details[1]["column_number"].as_u64()),
        (Some(4), Some("kind"), Some(1))
    );
    assert_eq!(details[1]["field"], "kind");
    assert!(details.iter().all(|d| !d["message"].as_str().unwrap().is_empty()));
    assert_eq!(server.state.store.count().await.unwrap(), 103);
    let (_, _, health) = server.get("/healthz").await;
    assert_eq!(health["stations"], 103);

    // GCJ-02 coordinates are converted to WGS-84 on the way in.
    let given = LonLat { lon: 116.790_5, lat: 35.550_5 };
    let gcj = format!(
        "kind,name,lon,lat,source,external_id\nride_hailing_bay,高德坐标停靠点,{},{},坐标测试,G1\n",
        given.lon, given.lat
    );
    let (status, _, body) = import(&server, "?crs=gcj02", "text/csv", gcj.as_bytes()).await;
    assert_eq!((status, body["created"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    let stored =
        server.state.store.load_all().await.unwrap().into_iter().find(|s| s.data.name == "高德坐标停靠点").unwrap();
    let want = Crs::Gcj02.to_wgs84(given);
    assert!(stored.data.location.geodesic_distance_m(want) < 1e-3, "{:?} vs {want:?}", stored.data.location);
    assert!(stored.data.location.geodesic_distance_m(given) > 100.0, "the shift was applied");

    // A GBK file with Chinese headers, detected, and declared by charset.
    let (status, _, body) = import(&server, "", "text/csv", GBK_CSV).await;
    assert_eq!((status, body["created"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    let (status, _, body) = import(&server, "", "text/csv; charset=gbk", GBK_CSV).await;
    assert_eq!((status, body["updated"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    let gbk = server
        .state
        .store
        .load_all()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.data.external_id.as_deref() == Some("GBK-1"))
        .unwrap();
    assert_eq!(gbk.data.name, "龙桥街道户外劳动者驿站");
    assert_eq!(gbk.data.source.as_deref(), Some("兖州区总工会"));
    assert!(gbk.data.amenities.contains(Amenity::DrinkingWater) && gbk.data.amenities.contains(Amenity::HotWater));

    // GeoJSON, with the default kind and source from the query.
    let geojson = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.77, 35.53]}, "properties": {"name": "新驿站甲", "external_id": "J1"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.78, 35.54]}, "properties": {"name": "新驿站乙", "external_id": "J2"}},
    ]});
    let (status, _, body) = import(
        &server,
        "?kind=rest_station&source=geojson%E6%B5%8B%E8%AF%95",
        "application/geo+json",
        geojson.to_string().as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"created": 2, "updated": 0, "total": 107, "ignored_columns": []}));
    let (_, _, page) = server.get("/api/v1/stations?q=%E6%96%B0%E9%A9%BF%E7%AB%99").await;
    assert_eq!(page["numberMatched"], 2);
    assert_eq!(page["features"][0]["properties"]["source"], "geojson测试");

    // Request errors.
    assert_error(&import(&server, "", "text/plain", csv.as_bytes()).await, 415, "unsupported_media_type", None);
    assert_error(
        &import(&server, "?format=docx", "text/csv", csv.as_bytes()).await,
        400,
        "invalid_parameter",
        Some("format"),
    );
    // A CSV sent as a workbook is refused for what it is.
    let msg =
        assert_error(&import(&server, "?format=xlsx", "text/csv", csv.as_bytes()).await, 422, "invalid_file", None);
    assert!(msg.contains("not an Excel workbook"), "{msg}");
    assert_error(
        &import(&server, "?encoding=latin1", "text/csv", csv.as_bytes()).await,
        400,
        "invalid_parameter",
        Some("encoding"),
    );
    assert_error(&import(&server, "?crs=utm", "text/csv", csv.as_bytes()).await, 400, "invalid_parameter", Some("crs"));
    assert_error(
        &import(&server, "?commit=1", "text/csv", csv.as_bytes()).await,
        400,
        "unknown_parameter",
        Some("commit"),
    );
    assert_error(&import(&server, "", "text/csv", b"").await, 422, "invalid_file", None);
    assert_error(
        &import(&server, "", "application/geo+json", b"{\"type\": \"Feature\"").await,
        422,
        "invalid_file",
        None,
    );
    assert_eq!(server.state.store.count().await.unwrap(), 107);
}

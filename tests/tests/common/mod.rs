//! Shared helpers of the end-to-end tests: a real server on loopback over a real SQLite file, and
//! a deterministic synthetic station set around 兖州区.
#![allow(dead_code, clippy::unwrap_used)]

use reqwest::{Client, Method, StatusCode, header::HeaderMap};
use serde_json::Value;
use std::sync::Arc;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use yizhan_core::config::{Config, StorageConfig};
use yizhan_core::state::AppState;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpeningHours;
use yizhan_planner::station::{StationData, StationKind, StationStatus};
use yizhan_store::Store;

/// The write token of test servers that accept writes.
pub const TOKEN: &str = "e2e-令牌-0123456789";

/// A running server: its base URL, a client, and its state (to read the store directly).
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// An HTTP client.
    pub client: Client,
    /// The server's state.
    pub state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _dir: TempDir,
}

impl TestServer {
    /// Starts a server with `config` (its storage replaced by a fresh SQLite file in a temp dir,
    /// demo data off, `listen` the loopback address it is bound to) seeded with `seed` through the
    /// state's import path.
    pub async fn start(config: Config, seed: Vec<StationData>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let storage = StorageConfig::Embedded { data_dir: dir.path().join("data") };
        let config = Config { storage: storage.clone(), load_demo: false, listen: addr, ..config };
        let store = Store::open(&storage).await.unwrap();
        let state = Arc::new(AppState::load(store, config).await.unwrap());
        if !seed.is_empty() {
            state.import_stations(seed, &|_| {}).await.unwrap();
        }
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(yizhan_api::serve_with_shutdown(listener, Arc::clone(&state), async {
            let _ = rx.await;
        }));
        Self {
            base: format!("http://{addr}"),
            client: Client::new(),
            state,
            shutdown: Some(tx),
            task: Some(task),
            _dir: dir,
        }
    }

    /// A server that accepts writes with [`TOKEN`].
    pub async fn with_token(seed: Vec<StationData>) -> Self {
        Self::start(Config { api_token: Some(TOKEN.to_owned()), ..Config::default() }, seed).await
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET, answering (status, headers, JSON body).
    pub async fn get(&self, path: &str) -> (StatusCode, HeaderMap, Value) {
        self.send(Method::GET, path, None, None, &[]).await
    }

    /// Any request; `body` with `content_type`; `auth` as the bearer token.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        auth: Option<&str>,
        extra_headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some((content_type, bytes)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        if let Some(token) = auth {
            req = req.bearer_auth(token);
        }
        for (k, v) in extra_headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{path}: body is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        (status, headers, value)
    }

    /// POST/PUT JSON with the token.
    pub async fn write_json(&self, method: Method, path: &str, body: &Value) -> (StatusCode, HeaderMap, Value) {
        self.send(method, path, Some(("application/json", body.to_string().into_bytes())), Some(TOKEN), &[]).await
    }

    /// Stops the server and waits for it to finish (graceful shutdown).
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap(),
            None => Ok(()),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Asserts an error answer: status, `error.code`, `error.field`; returns the message.
pub fn assert_error(answer: &(StatusCode, HeaderMap, Value), status: u16, code: &str, field: Option<&str>) -> String {
    let (s, headers, body) = answer;
    assert_eq!(s.as_u16(), status, "status of {body}");
    assert!(
        headers.get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("application/json")),
        "error content type: {headers:?}"
    );
    let err = &body["error"];
    assert_eq!(err["code"], code, "code of {body}");
    assert_eq!(err["field"].as_str(), field, "field of {body}");
    assert!(err.get("field").is_some(), "field is always present (null when not about one): {body}");
    err["message"].as_str().unwrap().to_owned()
}

/// A tiny deterministic generator (64-bit LCG, Knuth's constants).
pub struct Lcg(u64);

impl Lcg {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// Next value in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Next value in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
}

/// Centre of the synthetic data set (兖州区), WGS-84.
pub const CENTRE: LonLat = LonLat { lon: 116.79, lat: 35.55 };

/// Opening hours used by the data set.
pub const HOURS: &[Option<&str>] =
    &[Some("24/7"), Some("Mo-Su 07:00-21:00"), Some("Mo-Fr 08:00-18:00"), Some("Sa,Su 10:00-16:00"), None];

/// Districts and streets used by the data set.
pub const DISTRICTS: &[&str] = &["兖州区", "任城区"];
/// Streets used by the data set.
pub const STREETS: &[&str] = &["鼓楼街道", "龙桥街道", "酒仙桥街道", "新兖镇"];

/// `n` stations scattered over about 20 km × 16 km around [`CENTRE`], every attribute varied,
/// plus groups of stations sharing one position (to exercise tie-breaking by id).
pub fn dataset(n: usize, seed: u64) -> Vec<StationData> {
    let mut rng = Lcg::new(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let location = if i % 97 == 5 && i > 0 {
            out.last().map_or(CENTRE, |d: &StationData| d.location)
        } else {
            LonLat { lon: CENTRE.lon + (rng.unit() - 0.5) * 0.22, lat: CENTRE.lat + (rng.unit() - 0.5) * 0.15 }
        };
        let kind = StationKind::ALL[rng.below(StationKind::ALL.len())];
        let status = match rng.below(10) {
            0 => StationStatus::Planned,
            1 => StationStatus::Closed,
            _ => StationStatus::Active,
        };
        let amenities: AmenitySet = Amenity::ALL.iter().copied().filter(|_| rng.unit() < 0.3).collect();
        let capacity = if rng.below(7) == 0 { None } else { Some(1 + rng.below(40) as u32) };
        let hours = HOURS[rng.below(HOURS.len())].map(|h| OpeningHours::parse(h).unwrap());
        let district = DISTRICTS[rng.below(DISTRICTS.len())];
        let street = STREETS[rng.below(STREETS.len())];
        out.push(StationData {
            kind,
            name: format!("{street}测试驿站{i:04}"),
            address: Some(format!("{district}{street}建设路 {} 号", 1 + i % 300)),
            district: Some(district.to_owned()),
            street: Some(street.to_owned()),
            location,
            amenities,
            opening_hours: hours,
            capacity,
            operator: None,
            phone: None,
            offer: None,
            status,
            source: Some("e2e".to_owned()),
            external_id: Some(format!("S{i:05}")),
            verified_on: None,
        });
    }
    out
}

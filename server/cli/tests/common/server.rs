//! A real `yizhan serve` process on a free loopback port, killed when dropped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The write token of the servers started here.
pub const TOKEN: &str = "replica-令牌-42";

/// A running server process.
pub struct ServerProcess {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// An HTTP client.
    pub client: reqwest::Client,
    child: Child,
}

impl ServerProcess {
    /// Starts `yizhan serve --db URL` and waits until `/healthz` answers 200.
    pub async fn start(db_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_yizhan"))
            .args(["serve", "--no-demo", "--listen", &format!("127.0.0.1:{port}"), "--db", db_url])
            .env("YIZHAN_API_TOKEN", TOKEN)
            .env("YIZHAN_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("yizhan serve starts");
        let server = Self { base: format!("http://127.0.0.1:{port}"), client: reqwest::Client::new(), child };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = server.client.get(format!("{}/healthz", server.base)).send().await
                && r.status() == 200
            {
                return server;
            }
            assert!(Instant::now() < deadline, "yizhan serve did not become healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GET `path`: status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.expect("server answers");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// GET `path` with the write token: status and JSON body.
    pub async fn get_with_token(&self, path: &str) -> (u16, Value) {
        let r =
            self.client.get(format!("{}{path}", self.base)).bearer_auth(TOKEN).send().await.expect("server answers");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Sends JSON with the write token.
    pub async fn write(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .expect("server answers");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// The stations nearest to a point: `(id, name)` pairs, nearest first.
    pub async fn nearest(&self, lon: f64, lat: f64, k: usize) -> Vec<(i64, String)> {
        let (status, body) = self.get(&format!("/api/v1/nearest?lon={lon}&lat={lat}&k={k}")).await;
        assert_eq!(status, 200, "{body}");
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["station"]["id"].as_i64().unwrap(), r["station"]["name"].as_str().unwrap().to_owned()))
            .collect()
    }

    /// Polls `nearest` until `pred` holds; returns how long that took.
    ///
    /// # Panics
    /// After `limit` without it holding.
    pub async fn wait_nearest(
        &self,
        (lon, lat): (f64, f64),
        limit: Duration,
        pred: impl Fn(&[(i64, String)]) -> bool,
    ) -> Duration {
        let start = Instant::now();
        loop {
            let hits = self.nearest(lon, lat, 3).await;
            if pred(&hits) {
                return start.elapsed();
            }
            assert!(start.elapsed() < limit, "not seen within {limit:?}: {hits:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A station as plain JSON, keyed by `source` `replica-test` and `name`.
pub fn station_json(name: &str, lon: f64, lat: f64, status: &str) -> Value {
    json!({
        "kind": "rest_station",
        "name": name,
        "location": {"lon": lon, "lat": lat},
        "amenities": ["drinking_water"],
        "status": status,
        "source": "replica-test",
        "external_id": name,
    })
}

/// `n` stations in a grid around 兖州区 as a CSV file body (`name,kind,lon,lat,external_id`).
pub fn grid_csv(n: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::from("name,kind,lon,lat,external_id\n");
    for i in 0..n {
        let lon = 116.5 + (i % 1000) as f64 * 1e-4;
        let lat = 35.4 + (i / 1000) as f64 * 1e-4;
        let _ = writeln!(s, "网格驿站{i},rest_station,{lon:.6},{lat:.6},G{i}");
    }
    s
}

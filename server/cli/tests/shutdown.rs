//! The real `yizhan serve` process: SIGTERM stops it within 5 s even while a heavy plan runs,
//! and `kill -9` at any moment loses no write it acknowledged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "shutdown-令牌-7";

struct Server {
    base: String,
    client: reqwest::Client,
    child: Child,
}

impl Server {
    async fn start(data_dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_yizhan"))
            .args(["serve", "--no-demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
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

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.expect("server answers");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill").args([sig, &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill {sig}");
    }

    /// Waits for the process to exit; its exit status and how long that took.
    fn wait_exit(&mut self, limit: Duration) -> (Option<std::process::ExitStatus>, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (Some(status), start.elapsed());
            }
            if start.elapsed() > limit {
                return (None, start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn sigterm_cancels_a_running_plan_and_exits_within_five_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path()).await;
    // The configured token is an admin: the planner's budget (120 s of CPU, 3 × 10⁷ pairs). 兖州区
    // at resolution 10 on foot within 15 minutes: ~43,000 candidates × ~300 cells each, seconds
    // of work.
    let body = json!({"district": "兖州区", "resolution": 10, "mode": "walk", "minutes": 15, "sites": 20});
    let (status, job) = s.send(reqwest::Method::POST, "/api/v1/plans", Some(&body)).await;
    assert_eq!(status, 202, "{job}");
    let path = format!("/api/v1/plans/{}", job["id"].as_str().unwrap());
    let started = Instant::now();
    loop {
        let (_, view) = s.send(reqwest::Method::GET, &path, None).await;
        assert_ne!(view["status"], "done", "the plan must still be running when the signal comes: {view}");
        if view["status"] == "running" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{view}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.signal("-TERM");
    let (status, took) = s.wait_exit(Duration::from_secs(10));
    let status = status.expect("the server exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(5), "SIGTERM took {took:?}");
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path()).await;
    // Writes acknowledged one after another, then one import in flight when the kill comes.
    let mut acknowledged = Vec::new();
    for i in 0..40 {
        let body = json!({
            "kind": "rest_station",
            "name": format!("驿站 {i}"),
            "location": {"lon": 116.70 + f64::from(i) * 0.001, "lat": 35.55},
            "external_id": format!("k9-{i}"),
            "source": "kill9",
        });
        let (status, created) = s.send(reqwest::Method::POST, "/api/v1/stations", Some(&body)).await;
        assert_eq!(status, 201, "{created}");
        acknowledged.push(created["id"].as_i64().or_else(|| created["properties"]["id"].as_i64()).unwrap());
    }
    let base = s.base.clone();
    let client = s.client.clone();
    let in_flight = tokio::spawn(async move {
        let csv: String = std::iter::once("name,kind,lon,lat,external_id,source\n".to_owned())
            .chain(
                (0..20_000)
                    .map(|i| format!("批量 {i},rest_station,116.8,{},b-{i},kill9\n", 35.5 + f64::from(i) * 1e-5)),
            )
            .collect();
        client
            .post(format!("{base}/api/v1/import"))
            .bearer_auth(TOKEN)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let mut s = s;
    s.signal("-KILL");
    let (status, _) = s.wait_exit(Duration::from_secs(10));
    assert!(status.is_some(), "killed");
    let import_answer = in_flight.await.unwrap();
    drop(s);

    let s = Server::start(dir.path()).await;
    for id in &acknowledged {
        let (status, body) = s.send(reqwest::Method::GET, &format!("/api/v1/stations/{id}"), None).await;
        assert_eq!(status, 200, "acknowledged station {id} survived: {body}");
    }
    // The import is all or nothing: every row, or none; all of them if it was acknowledged.
    let (_, health) = s.send(reqwest::Method::GET, "/healthz", None).await;
    let total = health["stations"].as_u64().unwrap();
    assert!(total == 40 || total == 20_040, "all or nothing: {total} stations");
    if matches!(import_answer, Ok(200 | 201)) {
        assert_eq!(total, 20_040, "an acknowledged import survived");
    }
}

//! Two `yizhan serve` processes on one PostGIS database: a station created, edited or closed
//! through either one shows in the other's nearest results within one second.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/pg.rs"]
mod pg;
#[path = "common/server.rs"]
mod server;

use reqwest::Method;
use server::{ServerProcess, station_json};
use std::time::Duration;
use yizhan_core::config::StorageConfig;
use yizhan_store::Store;

const LIMIT: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_through_either_replica_reach_the_other_within_a_second() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    let url = cluster.create_db().await;
    let store = Store::open(&StorageConfig::Url(url.clone())).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("grid.csv");
    std::fs::write(&csv, server::grid_csv(5000)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yizhan"))
        .args(["import", csv.to_str().unwrap(), "--db", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(store.count().await.unwrap(), 5000);

    let a = ServerProcess::start(&url).await;
    let b = ServerProcess::start(&url).await;
    // A spot between grid points, nearer to where the new station goes than to any grid station.
    let spot = (116.512_345, 35.401_234);
    let before = b.nearest(spot.0, spot.1, 1).await;
    assert!(before[0].1.starts_with("网格驿站"));

    // Created through A, seen by B.
    let (status, created) =
        a.write(Method::POST, "/api/v1/stations", &station_json("新驿站", spot.0, spot.1, "active")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let t_create = b.wait_nearest(spot, LIMIT, |h| h.first().is_some_and(|(i, _)| *i == id)).await;

    // Edited through B (renamed, moved 2 m), seen by A.
    let moved = (spot.0 + 0.00002, spot.1);
    let (status, body) = b
        .write(Method::PUT, &format!("/api/v1/stations/{id}"), &station_json("改名驿站", moved.0, moved.1, "active"))
        .await;
    assert_eq!(status, 200, "{body}");
    let t_edit = a.wait_nearest(moved, LIMIT, |h| h.first().is_some_and(|(i, n)| *i == id && n == "改名驿站")).await;

    // Closed through A, gone from B's rider results (closed stations are not offered).
    let (status, body) = a
        .write(Method::PUT, &format!("/api/v1/stations/{id}"), &station_json("改名驿站", moved.0, moved.1, "closed"))
        .await;
    assert_eq!(status, 200, "{body}");
    let t_close = b.wait_nearest(moved, LIMIT, |h| h.iter().all(|(i, _)| *i != id)).await;
    assert_eq!(b.nearest(spot.0, spot.1, 1).await, before);

    // Deleted through B, gone from A (asked for every status).
    let (status, _) = b.write(Method::DELETE, &format!("/api/v1/stations/{id}"), &serde_json::Value::Null).await;
    assert_eq!(status, 200);
    let start = std::time::Instant::now();
    loop {
        let (s, body) = a.get(&format!("/api/v1/stations/{id}")).await;
        if s == 404 {
            break;
        }
        assert!(start.elapsed() < LIMIT, "deleted station still served by A: {body}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let t_delete = start.elapsed();
    assert_eq!(store.count().await.unwrap(), 5000);
    eprintln!("replica propagation: create {t_create:?}, edit {t_edit:?}, close {t_close:?}, delete {t_delete:?}");
}

/// A rider's report sent to A is in B's queue at once (reports are read from the database); B's
/// answer closing the station reaches A's rider results within a second, and A's rider sees
/// the answer by the report's code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_their_fixes_reach_every_replica() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    let url = cluster.create_db().await;
    let a = ServerProcess::start(&url).await;
    let b = ServerProcess::start(&url).await;
    let spot = (116.61, 35.47);
    let (status, created) =
        a.write(Method::POST, "/api/v1/stations", &station_json("反馈驿站", spot.0, spot.1, "active")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    b.wait_nearest(spot, LIMIT, |h| h.first().is_some_and(|(i, _)| *i == id)).await;

    // Sent to A, anonymous.
    let report = serde_json::json!({"station_id": id, "category": "closed", "text": "门锁着"});
    let r = a.client.post(format!("{}/api/v1/reports", a.base)).json(&report).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let sent: serde_json::Value = r.json().await.unwrap();
    let code = sent["code"].as_str().unwrap().to_owned();

    // In B's queue and B's public view at once.
    let (status, page) = b.get_with_token("/api/v1/reports?status=new").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["numberMatched"], 1);
    assert_eq!(page["reports"][0]["code"], code.as_str());
    assert_eq!(b.get(&format!("/api/v1/stations/{id}/reports")).await.1["open"], 1);
    let report_id = page["reports"][0]["id"].as_i64().unwrap();

    // Resolved through B with the station closed in the same write: A stops offering it.
    let fixed = station_json("反馈驿站", spot.0, spot.1, "closed");
    let answer = serde_json::json!({"status": "resolved", "note": "已停用", "station": fixed});
    let (status, body) = b.write(Method::POST, &format!("/api/v1/reports/{report_id}/status"), &answer).await;
    assert_eq!(status, 200, "{body}");
    let t = a.wait_nearest(spot, LIMIT, |h| h.iter().all(|(i, _)| *i != id)).await;
    let (status, seen) = a.get(&format!("/api/v1/reports/{code}")).await;
    assert_eq!(
        (status, seen["status"].clone(), seen["note"].clone()),
        (200, serde_json::json!("resolved"), serde_json::json!("已停用"))
    );
    eprintln!("report fix propagation: {t:?}");
}

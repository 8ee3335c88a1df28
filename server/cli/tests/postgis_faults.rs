//! Database faults with real processes and a real cluster: PostGIS stopping under running servers,
//! and an import killed with SIGKILL half-way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/pg.rs"]
mod pg;
#[path = "common/server.rs"]
mod server;

use reqwest::Method;
use server::{ServerProcess, station_json};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use yizhan_core::config::StorageConfig;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::station::{StationData, StationKind, StationStatus};
use yizhan_store::Store;

fn import_csv(url: &str, csv: &std::path::Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_yizhan"))
        .args(["import", csv.to_str().unwrap(), "--db", url])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn station(name: &str, lon: f64, lat: f64) -> StationData {
    StationData {
        kind: StationKind::RestStation,
        name: name.to_owned(),
        address: None,
        district: None,
        street: None,
        location: LonLat { lon, lat },
        amenities: yizhan_planner::amenity::AmenitySet::EMPTY,
        opening_hours: None,
        capacity: None,
        operator: None,
        phone: None,
        offer: None,
        status: StationStatus::Active,
        source: Some("fault-test".to_owned()),
        external_id: Some(name.to_owned()),
        verified_on: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_ride_out_a_database_outage_and_catch_up() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    if !cluster.is_local() {
        eprintln!("skipping: an external database cannot be stopped by the test");
        return;
    }
    let url = cluster.create_db().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("grid.csv");
    std::fs::write(&csv, server::grid_csv(3000)).unwrap();
    import_csv(&url, &csv);
    let a = ServerProcess::start(&url).await;
    let b = ServerProcess::start(&url).await;
    let spot = (116.512_345, 35.401_234);
    let before_a = a.nearest(spot.0, spot.1, 3).await;
    assert_eq!(b.nearest(spot.0, spot.1, 3).await, before_a);

    cluster.stop();

    // Reads keep answering from the in-memory index.
    for s in [&a, &b] {
        assert_eq!(s.nearest(spot.0, spot.1, 3).await, before_a);
        let (status, page) = s.get("/api/v1/stations?limit=5").await;
        assert_eq!(status, 200, "{page}");
    }
    // Health says the database is down.
    for s in [&a, &b] {
        let (status, health) = s.get("/healthz").await;
        assert_eq!(status, 503, "{health}");
        assert_eq!(health["status"], "unavailable");
        assert_eq!(health["storage"]["backend"], "postgres");
        assert_eq!(health["storage"]["ok"], false);
        assert_eq!(health["stations"], 3000);
    }
    // Writes answer 503 with a JSON error.
    let started = Instant::now();
    let (status, body) =
        a.write(Method::POST, "/api/v1/stations", &station_json("停库时新建", 116.6, 35.45, "active")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "service_unavailable", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("database unavailable"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10), "the refusal took {:?}", started.elapsed());
    let id = before_a[0].0;
    let (status, body) = b
        .write(Method::PUT, &format!("/api/v1/stations/{id}"), &station_json("停库时改名", 116.6, 35.45, "active"))
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "service_unavailable");
    // Nothing changed in memory either.
    assert_eq!(a.nearest(spot.0, spot.1, 3).await, before_a);
    assert_eq!(b.nearest(116.6, 35.45, 1).await, a.nearest(116.6, 35.45, 1).await);

    cluster.start_server();

    // A write the servers did not see (another writer, while they were reconnecting).
    let store = Store::open(&StorageConfig::Url(url.clone())).await.unwrap();
    let missed = store.create(station("恢复后驿站", spot.0, spot.1)).await.unwrap();
    let outage_limit = Duration::from_secs(15);
    let t_a = a.wait_nearest(spot, outage_limit, |h| h.first().is_some_and(|(i, _)| *i == missed.id)).await;
    let t_b = b.wait_nearest(spot, outage_limit, |h| h.first().is_some_and(|(i, _)| *i == missed.id)).await;
    eprintln!("caught up after the restart: A in {t_a:?}, B in {t_b:?}");
    for s in [&a, &b] {
        let (status, health) = s.get("/healthz").await;
        assert_eq!(status, 200, "{health}");
        assert_eq!(health["stations"], 3001);
    }
    // Nothing of the refused writes was stored.
    assert_eq!(store.count().await.unwrap(), 3001);
    assert_eq!(store.get(id).await.unwrap().unwrap().data.name, before_a[0].1);

    // Writes work again, and reach the other server.
    let (status, created) =
        b.write(Method::POST, "/api/v1/stations", &station_json("恢复后新建", 116.7, 35.5, "active")).await;
    assert_eq!(status, 201, "{created}");
    let new_id = created["id"].as_i64().unwrap();
    a.wait_nearest((116.7, 35.5), Duration::from_secs(1), |h| h.first().is_some_and(|(i, _)| *i == new_id)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_half_way_leaves_the_database_as_before() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    let url = cluster.create_db().await;
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.csv");
    std::fs::write(&small, server::grid_csv(1000)).unwrap();
    import_csv(&url, &small);
    let store = Store::open(&StorageConfig::Url(url.clone())).await.unwrap();
    let before = store.load_all().await.unwrap();
    let seq = store.last_change_seq().await.unwrap();
    assert_eq!(before.len(), 1000);

    // 300 000 rows: the first 1000 update stored stations, the rest are new.
    let big = dir.path().join("big.csv");
    std::fs::write(&big, server::grid_csv(300_000).replace("网格驿站", "覆盖驿站")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yizhan"))
        .args(["import", big.to_str().unwrap(), "--db", &url, "--source", "small.csv"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it while its transaction is writing (streaming rows or inserting them).
    let pool = match &store {
        Store::Postgres(pg) => pg.pool().clone(),
        Store::Sqlite(_) => unreachable!("a postgres URL"),
    };
    let writing = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' \
                   AND (query LIKE 'COPY %' OR query LIKE 'INSERT INTO stations (id,%')";
    let deadline = Instant::now() + Duration::from_secs(120);
    let importer: i32 = loop {
        let pid: Option<i32> = sqlx::query_scalar(writing).fetch_optional(&pool).await.unwrap();
        if let Some(pid) = pid {
            break pid;
        }
        assert!(child.try_wait().unwrap().is_none(), "the import ended before it could be killed");
        assert!(Instant::now() < deadline, "the import never started writing");
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The server notices the dropped connection and rolls the transaction back.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1")
            .bind(importer)
            .fetch_one(&pool)
            .await
            .unwrap();
        if n == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the killed import's session lingers");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(store.load_all().await.unwrap(), before);
    assert_eq!(store.last_change_seq().await.unwrap(), seq);
    assert!(store.changes_since(seq, 10).await.unwrap().is_empty());

    // The writers' lock was released with it: the next import goes through.
    import_csv(&url, &small);
    assert_eq!(store.count().await.unwrap(), 1000);
    assert!(store.last_change_seq().await.unwrap() > seq);
}

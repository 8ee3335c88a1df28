//! The shared storage suite and PostGIS-specific checks against a real PostgreSQL + PostGIS
//! cluster (a throw-away one unless `YIZHAN_TEST_DATABASE_URL` is set; see `tests/common/pg.rs`).
#![allow(clippy::unwrap_used)]

use crate::store::suite::{self, minimal_station};
use crate::store::{Store, StoreError};

#[path = "../../tests/common/pg.rs"]
mod pg;

async fn open(url: &str) -> Store {
    Store::open(&crate::config::StorageConfig::Url(url.to_owned())).await.unwrap()
}

/// Every suite function on its own fresh database of one cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_suite_on_postgis() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    let store = open(&cluster.create_db().await).await;
    assert_eq!(store.backend(), "postgres");
    suite::crud_round_trip(&store).await;
    suite::ids_never_reused(&open(&cluster.create_db().await).await).await;
    suite::conflicts(&open(&cluster.create_db().await).await).await;
    suite::not_found(&open(&cluster.create_db().await).await).await;
    suite::import_creates_then_updates(&open(&cluster.create_db().await).await).await;
    suite::import_duplicate_keys_later_wins(&open(&cluster.create_db().await).await).await;
    suite::failed_import_leaves_store_unchanged(&open(&cluster.create_db().await).await).await;
    suite::change_log_records_each_write_in_order(&open(&cluster.create_db().await).await).await;
    let url = cluster.create_db().await;
    let writer = open(&url).await;
    writer.create(minimal_station()).await.unwrap();
    suite::second_handle_catches_up(&writer, &open(&url).await).await;
}

#[tokio::test]
async fn unreachable_server_is_unavailable() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://yizhan@127.0.0.1:{port}/yizhan");
    match Store::open(&crate::config::StorageConfig::Url(url)).await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("expected Unavailable, got {other:?}"),
    }
    match Store::open(&crate::config::StorageConfig::Url("postgres://[::1".to_owned())).await {
        Err(StoreError::UnsupportedUrl(u)) => assert_eq!(u, "postgres://[::1"),
        other => panic!("expected UnsupportedUrl, got {other:?}"),
    }
}

//! The shared storage suite and PostGIS-specific checks against a real PostgreSQL + PostGIS
//! cluster (a throw-away one unless `YIZHAN_TEST_DATABASE_URL` is set; see `tests/support/pg.rs`).
#![allow(clippy::unwrap_used)]

use super::PgStore;
use crate::suite::{self, generated, minimal_station};
use crate::{Store, StoreError};

#[path = "../../../tests/support/pg.rs"]
mod pg;

async fn open(url: &str) -> Store {
    Store::open(&crate::StorageConfig::Url(url.to_owned())).await.unwrap()
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
    suite::scenario_with_stations_is_one_audited_write(&open(&cluster.create_db().await).await).await;
    suite::analyses_keep_their_maker_and_are_pruned(&open(&cluster.create_db().await).await).await;
    let url = cluster.create_db().await;
    let writer = open(&url).await;
    writer.create(minimal_station()).await.unwrap();
    suite::second_handle_catches_up(&writer, &open(&url).await).await;
}

/// Tokens and the audit log on PostGIS (migration 0004).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_audit_log_on_postgis() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    crate::access_suite::tokens_round_trip(&open(&cluster.create_db().await).await).await;
    crate::access_suite::audited_writes(&open(&cluster.create_db().await).await).await;
    crate::access_suite::planning_writes_audited(&open(&cluster.create_db().await).await).await;
    crate::access_suite::sessions_live_and_end(&open(&cluster.create_db().await).await).await;
    crate::access_suite::audit_filters(&open(&cluster.create_db().await).await).await;
    crate::access_suite::reports_round_trip(&open(&cluster.create_db().await).await).await;
}

#[tokio::test]
async fn unreachable_server_is_unavailable() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://yizhan@127.0.0.1:{port}/yizhan");
    match Store::open(&crate::StorageConfig::Url(url)).await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("expected Unavailable, got {other:?}"),
    }
    match Store::open(&crate::StorageConfig::Url("postgres://[::1".to_owned())).await {
        Err(StoreError::UnsupportedUrl(u)) => assert_eq!(u, "postgres://[::1"),
        other => panic!("expected UnsupportedUrl, got {other:?}"),
    }
}

/// Database errors are judged by their SQLSTATE: classes 08 and 53 and 57P01..57P03 mean the
/// server cannot be used now, anything else is a fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlstates_decide_availability() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    let store = open(&cluster.create_db().await).await;
    for (code, unavailable) in
        [("08006", true), ("53300", true), ("57P03", true), ("57014", false), ("23505", false), ("P0001", false)]
    {
        let sql = format!("DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '{code}'; END $$");
        let e = StoreError::from(sqlx::query(&sql).execute(pg(&store).pool()).await.unwrap_err());
        assert_eq!(e.is_unavailable(), unavailable, "{code}: {e:?}");
        assert_eq!(matches!(e, StoreError::Unavailable(_)), unavailable, "{code}: {e:?}");
    }
}

fn pg(store: &Store) -> &PgStore {
    match store {
        Store::Postgres(p) => p,
        Store::Sqlite(_) => panic!("not a PostGIS store"),
    }
}

/// Districts and streets by `ST_Contains` on import, against brute force over the same stations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boundaries_assign_districts_and_streets_on_import() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    let store = open(&cluster.create_db().await).await;
    // Two districts side by side split at lon 116.55, a street inside the western one.
    sqlx::query(
        "INSERT INTO districts (name, geom) VALUES \
         ('兖州区', ST_Multi(ST_MakeEnvelope(116.45, 35.35, 116.55, 35.45, 4326))), \
         ('任城区', ST_Multi(ST_MakeEnvelope(116.55, 35.35, 116.65, 35.45, 4326)))",
    )
    .execute(pg(&store).pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO streets (district, name, geom) VALUES \
         ('兖州区', '鼓楼街道', ST_Multi(ST_MakeEnvelope(116.5, 35.4, 116.52, 35.41, 4326)))",
    )
    .execute(pg(&store).pool())
    .await
    .unwrap();
    let rows: Vec<_> = (0..3000)
        .map(|i| {
            let mut d = generated("边界", i);
            // Off the 1e-4 grid: never on a boundary.
            d.location.lon += 0.000_05;
            d.location.lat += 0.000_05;
            if i % 10 != 0 {
                d.district = None;
                d.street = None;
            }
            d
        })
        .collect();
    let outcome = store.import(rows.clone(), &|_| {}).await.unwrap();
    let stored = store.load_all().await.unwrap();
    assert_eq!(stored.len(), 3000);
    assert_eq!(outcome.created, stored, "the outcome shows the assigned districts");
    let mut assigned = 0;
    for (s, row) in stored.iter().zip(&rows) {
        let (lon, lat) = (s.data.location.lon, s.data.location.lat);
        let district = if row.district.is_some() {
            row.district.clone()
        } else if (116.45..116.55).contains(&lon) && (35.35..35.45).contains(&lat) {
            Some("兖州区".to_owned())
        } else if (116.55..116.65).contains(&lon) && (35.35..35.45).contains(&lat) {
            Some("任城区".to_owned())
        } else {
            None
        };
        let street = if row.district.is_some() {
            row.street.clone()
        } else if (116.5..116.52).contains(&lon) && (35.4..35.41).contains(&lat) {
            Some("鼓楼街道".to_owned())
        } else {
            None
        };
        assert_eq!((&s.data.district, &s.data.street), (&district, &street), "station {lon},{lat}");
        assigned += usize::from(row.district.is_none() && district.is_some());
    }
    assert!(assigned > 1000, "only {assigned} assigned");
    assert!(stored.iter().any(|s| s.data.district.as_deref() == Some("任城区")));
}

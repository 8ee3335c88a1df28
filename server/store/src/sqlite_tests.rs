#![allow(clippy::unwrap_used)]

use super::*;
use crate::Store;
use crate::suite::{self, full_station, generated, minimal_station};
use tempfile::TempDir;

/// A new empty store in a fresh data directory (which does not exist yet).
async fn fresh() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StorageConfig::Embedded { data_dir: dir.path().join("data") }).await.unwrap();
    (dir, store)
}

fn pool(store: &Store) -> &sqlx::SqlitePool {
    match store {
        Store::Sqlite(s) => &s.pool,
        Store::Postgres(_) => panic!("not an SQLite store"),
    }
}

#[tokio::test]
async fn suite_tokens_and_audit_log() {
    let (_dir, store) = fresh().await;
    crate::access_suite::tokens_round_trip(&store).await;
    let (_dir, store) = fresh().await;
    crate::access_suite::audited_writes(&store).await;
    let (_dir, store) = fresh().await;
    crate::access_suite::planning_writes_audited(&store).await;
    let (_dir, store) = fresh().await;
    crate::access_suite::sessions_live_and_end(&store).await;
    let (_dir, store) = fresh().await;
    crate::access_suite::audit_filters(&store).await;
    let (_dir, store) = fresh().await;
    crate::access_suite::reports_round_trip(&store).await;
}

#[tokio::test]
async fn suite_crud_round_trip() {
    let (_dir, store) = fresh().await;
    suite::crud_round_trip(&store).await;
}

#[tokio::test]
async fn suite_ids_never_reused() {
    let (_dir, store) = fresh().await;
    suite::ids_never_reused(&store).await;
}

#[tokio::test]
async fn suite_conflicts() {
    let (_dir, store) = fresh().await;
    suite::conflicts(&store).await;
}

#[tokio::test]
async fn suite_not_found() {
    let (_dir, store) = fresh().await;
    suite::not_found(&store).await;
}

#[tokio::test]
async fn suite_import_creates_then_updates() {
    let (_dir, store) = fresh().await;
    suite::import_creates_then_updates(&store).await;
}

#[tokio::test]
async fn suite_import_duplicate_keys_later_wins() {
    let (_dir, store) = fresh().await;
    suite::import_duplicate_keys_later_wins(&store).await;
}

#[tokio::test]
async fn suite_failed_import_leaves_store_unchanged() {
    let (_dir, store) = fresh().await;
    suite::failed_import_leaves_store_unchanged(&store).await;
}

#[tokio::test]
async fn suite_change_log_records_each_write_in_order() {
    let (_dir, store) = fresh().await;
    suite::change_log_records_each_write_in_order(&store).await;
}

#[tokio::test]
async fn suite_scenario_with_stations_is_one_audited_write() {
    let (_dir, store) = fresh().await;
    suite::scenario_with_stations_is_one_audited_write(&store).await;
}

#[tokio::test]
async fn suite_analyses_keep_their_maker_and_are_pruned() {
    let (_dir, store) = fresh().await;
    suite::analyses_keep_their_maker_and_are_pruned(&store).await;
}

#[tokio::test]
async fn suite_second_handle_catches_up() {
    let (dir, writer) = fresh().await;
    writer.create(minimal_station()).await.unwrap();
    let reader = Store::open(&StorageConfig::Embedded { data_dir: dir.path().join("data") }).await.unwrap();
    suite::second_handle_catches_up(&writer, &reader).await;
}

#[tokio::test]
async fn embedded_store_is_one_wal_file_under_the_data_dir() {
    let (dir, store) = fresh().await;
    assert_eq!(store.backend(), "sqlite");
    let file = dir.path().join("data").join("yizhan.sqlite3");
    assert!(file.is_file(), "{} missing", file.display());
    let pool = pool(&store);
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
    assert_eq!(fk, 1);
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(pool).await.unwrap();
    assert_eq!(busy, 10_000);
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(pool).await.unwrap();
    assert_eq!(sync, 1, "synchronous = NORMAL");
}

#[tokio::test]
async fn reopening_the_file_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::Embedded { data_dir: dir.path().to_owned() };
    let (stations, seq, deleted) = {
        let store = Store::open(&config).await.unwrap();
        store.create(full_station()).await.unwrap();
        let gone = store.create(minimal_station()).await.unwrap();
        store.import((0..1500).map(|i| generated("持久", i)).collect(), &|_| {}).await.unwrap();
        store.delete(gone.id).await.unwrap();
        let stations = store.load_all().await.unwrap();
        let seq = store.last_change_seq().await.unwrap();
        pool(&store).close().await;
        (stations, seq, gone.id)
    };
    assert_eq!(stations.len(), 1501);
    let store = Store::open(&config).await.unwrap();
    assert_eq!(store.load_all().await.unwrap(), stations);
    assert_eq!(store.last_change_seq().await.unwrap(), seq);
    assert_eq!(store.changes_since(0, 10_000).await.unwrap().len(), 1503);
    let next = store.create(minimal_station()).await.unwrap();
    assert!(next.id > stations.iter().map(|s| s.id).max().unwrap());
    assert!(next.id > deleted);
    // The migration ran once.
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(pool(&store)).await.unwrap();
    assert_eq!(applied, i64::try_from(MIGRATOR.iter().count()).unwrap());
}

#[tokio::test]
async fn sqlite_urls_open_files_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("其他.sqlite3");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&StorageConfig::Url(url.clone())).await.unwrap();
    let s = store.create(full_station()).await.unwrap();
    assert!(path.is_file());
    drop(store);
    let again = Store::open(&StorageConfig::Url(format!("sqlite:{}", path.display()))).await.unwrap();
    assert_eq!(again.get(s.id).await.unwrap(), Some(s));

    let memory = Store::open(&StorageConfig::Url("sqlite::memory:".to_owned())).await.unwrap();
    let m = memory.create(full_station()).await.unwrap();
    memory.import((0..10).map(|i| generated("m", i)).collect(), &|_| {}).await.unwrap();
    assert_eq!(memory.get(m.id).await.unwrap(), Some(m));
    assert_eq!(memory.count().await.unwrap(), 11);
    // Two in-memory stores are two databases.
    let other = Store::open(&StorageConfig::Url("sqlite::memory:".to_owned())).await.unwrap();
    assert_eq!(other.count().await.unwrap(), 0);
}

#[tokio::test]
async fn other_urls_are_unsupported() {
    for url in ["mysql://x", "", "sqlite://", "sqlite:", "sqlite://a.db?colour=blue", "yizhan.sqlite3"] {
        match Store::open(&StorageConfig::Url(url.to_owned())).await {
            Err(StoreError::UnsupportedUrl(u)) => assert_eq!(u, url),
            other => panic!("{url:?}: expected UnsupportedUrl, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn unopenable_databases_are_reported_with_their_path() {
    let dir = tempfile::tempdir().unwrap();

    // The data directory is a file.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "not a directory").unwrap();
    match Store::open(&StorageConfig::Embedded { data_dir: blocker.join("data") }).await {
        Err(e @ StoreError::DataDir { .. }) => assert!(e.to_string().contains("blocker"), "{e}"),
        other => panic!("expected DataDir, got {other:?}"),
    }

    // The database file's directory does not exist.
    let missing = dir.path().join("no-such-dir").join("x.sqlite3");
    match Store::open(&StorageConfig::Url(format!("sqlite://{}", missing.display()))).await {
        Err(e @ StoreError::Unavailable(_)) => {
            let message = e.to_string();
            assert!(message.contains(&missing.display().to_string()), "{message}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }

    // The database file is a directory.
    let data_dir = dir.path().join("d");
    std::fs::create_dir_all(data_dir.join(DB_FILE_NAME)).unwrap();
    match Store::open(&StorageConfig::Embedded { data_dir: data_dir.clone() }).await {
        Err(e @ StoreError::Unavailable(_)) => assert!(e.to_string().contains(DB_FILE_NAME), "{e}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }

    // The file is not a database.
    let junk_dir = dir.path().join("junk");
    std::fs::create_dir_all(&junk_dir).unwrap();
    std::fs::write(junk_dir.join(DB_FILE_NAME), vec![0x5a_u8; 8192]).unwrap();
    match Store::open(&StorageConfig::Embedded { data_dir: junk_dir }).await {
        Err(e @ StoreError::Unavailable(_)) => assert!(e.to_string().contains("not a database"), "{e}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// Writes a raw value into one column of one row, as a damaged or hand-edited file would hold.
async fn spoil(store: &Store, id: StationId, column: &str, value: &str) {
    let sql = format!("UPDATE stations SET {column} = ?1 WHERE id = ?2");
    let done = sqlx::query(&sql).bind(value).bind(id).execute(pool(store)).await.unwrap();
    assert_eq!(done.rows_affected(), 1);
}

#[tokio::test]
async fn corrupt_rows_are_errors_naming_the_row() {
    let (_dir, store) = fresh().await;
    let good = store.create(full_station()).await.unwrap();
    for (column, value, expected) in [
        ("kind", "teahouse", "\"teahouse\""),
        ("status", "demolished", "\"demolished\""),
        ("opening_hours", "whenever we feel like it", "opening_hours"),
        ("created_at", "last Tuesday", "created_at"),
        ("updated_at", "2025-13-45T99:00:00Z", "updated_at"),
        ("verified_on", "2024-02-30", "verified_on"),
    ] {
        let victim = store.create(minimal_station()).await.unwrap();
        spoil(&store, victim.id, column, value).await;
        let check = |result: Result<_, StoreError>| match result {
            Err(StoreError::Corrupt { id, reason }) => {
                assert_eq!(id, victim.id, "{column}");
                assert!(reason.contains(expected), "{column}: {reason}");
            }
            other => panic!("{column}: expected Corrupt, got {other:?}"),
        };
        check(store.get(victim.id).await.map(|_| ()));
        check(store.load_all().await.map(|_| ()));
        // A corrupt row is not deleted blindly: the error comes back and the row stays.
        check(store.delete(victim.id).await.map(|_| ()));
        // Other rows still read fine, and the damaged row can be repaired by an update.
        assert_eq!(store.get(good.id).await.unwrap(), Some(good.clone()));
        if column == "created_at" {
            // An update keeps created_at, so it has to read it.
            check(store.update(victim.id, minimal_station()).await.map(|_| ()));
            sqlx::query("DELETE FROM stations WHERE id = ?1").bind(victim.id).execute(pool(&store)).await.unwrap();
            continue;
        }
        let repaired = store.update(victim.id, minimal_station()).await.unwrap();
        assert_eq!(store.get(victim.id).await.unwrap(), Some(repaired));
        store.delete(victim.id).await.unwrap();
    }
    // Out-of-range numbers written behind the store's back.
    let victim = store.create(minimal_station()).await.unwrap();
    sqlx::query("UPDATE stations SET amenities = ?1 WHERE id = ?2")
        .bind(1_i64 << 31)
        .bind(victim.id)
        .execute(pool(&store))
        .await
        .unwrap();
    assert!(matches!(store.get(victim.id).await, Err(StoreError::Corrupt { id, .. }) if id == victim.id));
}

#[tokio::test]
async fn the_schema_refuses_values_no_station_has() {
    let (_dir, store) = fresh().await;
    let mut bad = minimal_station();
    bad.location.lat = 91.0;
    assert!(matches!(store.create(bad).await, Err(StoreError::Database(_))));
    let mut bad = minimal_station();
    bad.name = String::new();
    assert!(matches!(store.create(bad).await, Err(StoreError::Database(_))));
    let mut bad = minimal_station();
    bad.location.lon = f64::NAN;
    assert!(matches!(store.create(bad).await, Err(StoreError::Database(_))));
    assert_eq!(store.count().await.unwrap(), 0);
    // STRICT: a text in a number column is refused, not stored.
    let s = store.create(minimal_station()).await.unwrap();
    let refused = sqlx::query("UPDATE stations SET lon = 'east' WHERE id = ?1").bind(s.id).execute(pool(&store)).await;
    assert!(refused.is_err());
    assert_eq!(store.get(s.id).await.unwrap(), Some(s));
}

#[tokio::test]
async fn import_key_look_up_uses_the_unique_index() {
    let (_dir, store) = fresh().await;
    let sql = format!("EXPLAIN QUERY PLAN {}", lookup_sql(3));
    let mut q = sqlx::query(&sql);
    for i in 0..3_i64 {
        q = q.bind(i).bind("s").bind(format!("E{i}"));
    }
    let plan: Vec<String> =
        q.fetch_all(pool(&store)).await.unwrap().iter().map(|r| r.try_get::<String, _>(3).unwrap()).collect();
    assert!(
        plan.iter().any(|step| step.contains("SEARCH s USING INDEX sqlite_autoindex_stations_1")),
        "plan: {plan:?}"
    );
}

#[tokio::test]
async fn any_text_survives_storage_exactly() {
    let (_dir, store) = fresh().await;
    let mut data = full_station();
    data.name = "引号\"反斜杠\\ 控制\u{1}\u{1f} 零\0字节 \u{2028}\u{feff} 𠀀🚲".to_owned();
    data.offer = Some("{\"json\": [1, 2]}\r\n\t</script>".to_owned());
    data.phone = Some(String::new());
    let s = store.create(data.clone()).await.unwrap();
    assert_eq!(store.get(s.id).await.unwrap().unwrap().data, data);
    assert_eq!(store.load_all().await.unwrap()[0].data, data);
    assert_eq!(store.delete(s.id).await.unwrap().data, data);
}

#[tokio::test]
async fn load_all_reads_across_pages_in_id_order() {
    let (_dir, store) = fresh().await;
    assert_eq!(LOAD_PAGE, 1000);
    // Exactly two pages, then one more row, with gaps in the ids.
    let first = store.import((0..2000).map(|i| generated("页", i)).collect(), &|_| {}).await.unwrap();
    let mut expected = first.created;
    assert_eq!(store.load_all().await.unwrap(), expected);
    for s in expected.iter().filter(|s| s.id % 7 == 0) {
        store.delete(s.id).await.unwrap();
    }
    expected.retain(|s| s.id % 7 != 0);
    expected.push(store.create(minimal_station()).await.unwrap());
    let loaded = store.load_all().await.unwrap();
    assert_eq!(loaded.len(), 2000 - 2000 / 7 + 1);
    assert_eq!(loaded, expected);
}

#[tokio::test]
async fn load_all_sees_one_state_while_imports_run() {
    let (_dir, store) = fresh().await;
    let round = |k: usize| -> Vec<StationData> {
        (0..3000)
            .map(|i| {
                let mut d = generated("快照", i);
                d.name = format!("第{k}轮");
                d
            })
            .collect()
    };
    store.import(round(0), &|_| {}).await.unwrap();
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for k in 1..=4 {
                store.import(round(k), &|_| {}).await.unwrap();
            }
        })
    };
    let mut rounds_seen = std::collections::BTreeSet::new();
    while !writer.is_finished() {
        let all = store.load_all().await.unwrap();
        assert_eq!(all.len(), 3000);
        let names: std::collections::BTreeSet<_> = all.iter().map(|s| s.data.name.as_str()).collect();
        assert_eq!(names.len(), 1, "one load saw several imports: {names:?}");
        rounds_seen.extend(names.into_iter().map(str::to_owned));
    }
    writer.await.unwrap();
    assert!(!rounds_seen.is_empty());
}

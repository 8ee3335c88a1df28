#![allow(clippy::unwrap_used)]

use super::*;
use crate::config::StorageConfig;
use yizhan_planner::station::StationStatus;
use yizhan_store::fixtures::{full_station, generated};

async fn state(dir: &std::path::Path) -> AppState {
    let storage = StorageConfig::Embedded { data_dir: dir.to_owned() };
    let store = Store::open(&storage).await.unwrap();
    AppState::load(store, Config { storage, load_demo: false, ..Config::default() }).await.unwrap()
}

/// Every station of the index, in id order.
fn contents(s: &AppState) -> Vec<Station> {
    s.index().iter().map(|s| (**s).clone()).collect()
}

/// Two servers on one store: what one writes, the other applies from the change log.
#[tokio::test]
async fn a_second_state_catches_up_from_the_change_log() {
    let dir = tempfile::tempdir().unwrap();
    let a = state(dir.path()).await;
    let b = state(dir.path()).await;
    assert_eq!(b.catch_up().await.unwrap(), 0);

    let s1 = a.create_station(full_station()).await.unwrap();
    let s2 = a.create_station(generated("副本", 1)).await.unwrap();
    assert_eq!(b.index().len(), 0);
    assert_eq!(b.catch_up().await.unwrap(), 2);
    assert_eq!(contents(&b), vec![s1.clone(), s2.clone()]);

    let mut closed = generated("副本", 1);
    closed.status = StationStatus::Closed;
    let s2b = a.update_station(s2.id, closed).await.unwrap();
    a.delete_station(s1.id).await.unwrap();
    assert_eq!(b.catch_up().await.unwrap(), 2);
    assert_eq!(contents(&b), vec![s2b.clone()]);
    assert_eq!(b.applied_change_seq(), a.store.last_change_seq().await.unwrap());
    // Applying its own writes again changes nothing.
    assert_eq!(a.catch_up().await.unwrap(), 4);
    assert_eq!(contents(&a), contents(&b));
    assert_eq!(b.catch_up().await.unwrap(), 0);

    // Far behind: a reload.
    let rows: Vec<_> = (0..usize::try_from(RELOAD_AFTER_CHANGES).unwrap() + 10).map(|i| generated("大批", i)).collect();
    a.store.import(rows, &|_| {}).await.unwrap();
    b.catch_up().await.unwrap();
    assert_eq!(contents(&b), a.store.load_all().await.unwrap());
    assert_eq!(b.applied_change_seq(), a.store.last_change_seq().await.unwrap());
}

/// The follower task applies another server's writes without being asked.
#[tokio::test]
async fn the_follower_applies_changes_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let a = state(dir.path()).await;
    let b = Arc::new(state(dir.path()).await);
    let task = b.spawn_follower();
    let s = a.create_station(full_station()).await.unwrap();
    let start = std::time::Instant::now();
    while b.index().get(s.id).is_none() {
        assert!(start.elapsed() < Duration::from_secs(5), "not applied");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(b.is_following());
    assert_eq!(**b.index().get(s.id).unwrap(), s);
    drop(b);
    // The task ends once the state is gone.
    tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}

/// Renames the stations table of the embedded store in `dir` with a connection of its own.
async fn rename_stations(dir: &std::path::Path, from: &str, to: &str) {
    use sqlx::Connection as _;
    let url = format!("sqlite://{}", dir.join(yizhan_store::sqlite::DB_FILE_NAME).display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query(&format!("ALTER TABLE {from} RENAME TO {to}")).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// Once an import has committed, its answer is success with the committed outcome, even when the
/// store cannot be read any more: the new snapshot comes from what the transaction wrote. The
/// index then holds exactly what is stored, with nothing left to replay from the change log, and
/// another server converges on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_answers_success_once_committed_even_if_the_store_cannot_be_read_after() {
    let dir = tempfile::tempdir().unwrap();
    let a = state(dir.path()).await;
    let b = state(dir.path()).await;
    a.import_stations(vec![full_station()], &|_| {}).await.unwrap();
    assert_eq!(a.applied_change_seq(), a.store.last_change_seq().await.unwrap(), "the import's entry is applied");
    // A large import (a bulk rebuild of the index). 2999 rows: the only progress call with the
    // total is the one after the commit (the others come every 1000 rows).
    let rows: Vec<_> = (0..2999).map(|i| generated("大批", i)).collect();
    let total = rows.len();
    let hidden = std::sync::atomic::AtomicBool::new(false);
    let hide = |n: usize| {
        if n == total {
            // The stations table disappears right after the commit: any read of the store fails.
            let path = dir.path().to_owned();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(rename_stations(&path, "stations", "stations_hidden"));
            })
            .join()
            .unwrap();
            hidden.store(true, Ordering::Relaxed);
        }
    };
    let outcome = a.import_stations(rows.clone(), &hide).await.unwrap();
    assert!(hidden.load(Ordering::Relaxed), "the store was not made unreadable");
    assert!(a.store.load_all().await.is_err(), "the store could be read");
    assert_eq!(outcome.created.iter().map(|s| s.data.clone()).collect::<Vec<_>>(), rows);
    assert_eq!(a.index().len(), 1 + total, "the index holds the import");

    rename_stations(dir.path(), "stations_hidden", "stations").await;
    let stored = a.store.load_all().await.unwrap();
    assert_eq!(contents(&a), stored);
    assert_eq!(a.applied_change_seq(), a.store.last_change_seq().await.unwrap());
    assert_eq!(a.catch_up().await.unwrap(), 0, "nothing to replay");
    // A small import after it: published incrementally, the log position follows.
    let more = a.import_stations(vec![generated("小批", 1)], &|_| {}).await.unwrap();
    assert_eq!(more.created.len(), 1);
    assert_eq!(a.applied_change_seq(), a.store.last_change_seq().await.unwrap());
    assert_eq!(contents(&a), a.store.load_all().await.unwrap());
    // Another server converges from the change log.
    b.catch_up().await.unwrap();
    assert_eq!(contents(&b), contents(&a));
}

/// A write by another server between this one's index and its import: the import is published,
/// the other write is left to the change log, and both end up in the index.
#[tokio::test]
async fn an_import_after_a_foreign_write_leaves_that_write_to_the_follower() {
    let dir = tempfile::tempdir().unwrap();
    let a = state(dir.path()).await;
    let b = state(dir.path()).await;
    let foreign = b.create_station(full_station()).await.unwrap();
    let seq = a.applied_change_seq();
    let outcome = a.import_stations((0..10).map(|i| generated("本机", i)).collect(), &|_| {}).await.unwrap();
    assert_eq!(a.applied_change_seq(), seq, "the foreign write is not in the index yet");
    assert!(a.index().get(foreign.id).is_none());
    assert!(outcome.created.iter().all(|s| a.index().get(s.id).is_some()));
    a.catch_up().await.unwrap();
    assert_eq!(contents(&a), a.store.load_all().await.unwrap());
    assert_eq!(a.applied_change_seq(), a.store.last_change_seq().await.unwrap());
}

#![allow(clippy::unwrap_used)]

use super::*;
use crate::config::StorageConfig;
use crate::store::suite::{full_station, generated};
use yizhan_planner::station::StationStatus;

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

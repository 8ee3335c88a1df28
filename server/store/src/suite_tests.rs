//! The storage test suite, written against [`Store`] only so that every backend runs the same
//! checks: each function takes a store that is open and empty (unless said otherwise) and panics on
//! the first difference from the expected contents.
//!
//! Backends must reject a station whose longitude lies outside −180 ..= 180 (the embedded schema
//! has a CHECK constraint); [`failed_import_leaves_store_unchanged`] relies on it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{AnalysisKind, ChangeOp, ImportOutcome, SavedAnalysis, Store, StoreError};
use crate::access::{Principal, Role};
use crate::audit::AuditContext;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use std::collections::BTreeMap;
use std::sync::Mutex;
use yizhan_planner::amenity::Amenity;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpeningHours;
use yizhan_planner::station::{Station, StationData, StationKind, StationStatus};

pub(crate) use crate::fixtures::{full_station, generated, minimal_station};

/// Asserts `t` lies within `[before, after]` and holds whole microseconds.
fn assert_stamp_between(t: DateTime<Utc>, before: DateTime<Utc>, after: DateTime<Utc>) {
    let floor = before.with_nanosecond(before.nanosecond() / 1000 * 1000).unwrap();
    assert!(floor <= t && t <= after, "{t} not within {before} ..= {after}");
    assert_eq!(t.nanosecond() % 1000, 0, "{t} has sub-microsecond digits");
}

async fn import(store: &Store, rows: Vec<StationData>) -> Result<(ImportOutcome, Vec<usize>), StoreError> {
    let calls = Mutex::new(Vec::new());
    let outcome = store.import(rows, &|n| calls.lock().unwrap().push(n)).await?;
    Ok((outcome, calls.into_inner().unwrap()))
}

/// Create, read, update, delete, keeping every field exactly.
pub(crate) async fn crud_round_trip(store: &Store) {
    assert_eq!(store.count().await.unwrap(), 0);
    assert!(store.load_all().await.unwrap().is_empty());
    store.ping().await.unwrap();

    let before = Utc::now();
    let full = store.create(full_station()).await.unwrap();
    let after = Utc::now();
    assert!(full.id > 0);
    assert_eq!(full.data, full_station());
    assert_eq!(full.created_at, full.updated_at);
    assert_stamp_between(full.created_at, before, after);

    let minimal = store.create(minimal_station()).await.unwrap();
    assert!(minimal.id > full.id);
    assert_eq!(minimal.data, minimal_station());

    let got = store.get(full.id).await.unwrap().unwrap();
    assert_eq!(got, full);
    // Field by field against the independent literal, so a lossy mapping cannot hide behind
    // a lossy comparison.
    assert_eq!(got.data.name, "鼓楼街道户外劳动者驿站");
    assert_eq!(got.data.location.lon.to_bits(), 116.783_419_872_134_56_f64.to_bits());
    assert_eq!(got.data.location.lat.to_bits(), 35.553_912_345_678_91_f64.to_bits());
    assert_eq!(got.data.opening_hours.as_ref().unwrap().as_str(), "Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00; PH off");
    assert_eq!(
        got.data.amenities.iter().collect::<Vec<_>>(),
        vec![Amenity::DrinkingWater, Amenity::HotWater, Amenity::Microwave, Amenity::Accessible]
    );
    assert_eq!(got.data.verified_on, NaiveDate::from_ymd_opt(2024, 2, 29));
    assert_eq!(store.get(minimal.id).await.unwrap().unwrap(), minimal);
    assert_eq!(store.load_all().await.unwrap(), vec![full.clone(), minimal.clone()]);
    assert_eq!(store.count().await.unwrap(), 2);

    // Update: every field changes, id and created_at stay.
    let mut changed = minimal_station();
    changed.name = "兴隆庄镇爱心商户（修订）".to_owned();
    changed.kind = StationKind::CaringMerchant;
    changed.status = StationStatus::Closed;
    changed.location = LonLat { lon: 180.0, lat: -90.0 };
    changed.amenities = Amenity::ALL.iter().copied().collect();
    changed.opening_hours = Some(OpeningHours::parse("24/7").unwrap());
    changed.capacity = Some(100_000);
    changed.address = Some("兴隆庄镇".to_owned());
    changed.source = Some("市场监管局".to_owned());
    changed.external_id = Some("SC-9".to_owned());
    changed.verified_on = NaiveDate::from_ymd_opt(1999, 12, 31);
    let before = Utc::now();
    let updated = store.update(full.id, changed.clone()).await.unwrap();
    let after = Utc::now();
    assert_eq!(updated.id, full.id);
    assert_eq!(updated.data, changed);
    assert_eq!(updated.created_at, full.created_at);
    assert!(updated.updated_at > full.updated_at);
    assert_stamp_between(updated.updated_at, before, after);
    assert_eq!(store.get(full.id).await.unwrap().unwrap(), updated);
    assert_eq!(store.get(minimal.id).await.unwrap().unwrap(), minimal, "another station changed");

    // Updating a station to its own key is no conflict.
    let again = store.update(full.id, changed.clone()).await.unwrap();
    assert_eq!(again.data, changed);

    let deleted = store.delete(full.id).await.unwrap();
    assert_eq!(deleted, again);
    assert_eq!(store.get(full.id).await.unwrap(), None);
    assert_eq!(store.load_all().await.unwrap(), vec![minimal.clone()]);
    assert_eq!(store.count().await.unwrap(), 1);
}

/// Ids only grow, even after the newest stations are deleted.
pub(crate) async fn ids_never_reused(store: &Store) {
    let a = store.create(generated("s", 1)).await.unwrap();
    let b = store.create(generated("s", 2)).await.unwrap();
    store.delete(b.id).await.unwrap();
    let c = store.create(generated("s", 3)).await.unwrap();
    assert!(c.id > b.id, "id {} handed out again", c.id);
    store.delete(a.id).await.unwrap();
    store.delete(c.id).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 0);
    let d = store.create(generated("s", 4)).await.unwrap();
    assert!(d.id > c.id);
    store.delete(d.id).await.unwrap();
    let (outcome, _) = import(store, vec![generated("s", 5), generated("s", 6)]).await.unwrap();
    let ids: Vec<_> = outcome.created.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] > d.id && ids[1] > ids[0], "import ids {ids:?} after {}", d.id);
    let e = store.create(generated("s", 7)).await.unwrap();
    assert!(e.id > ids[1]);
}

/// `source` + `external_id` is unique; stations without both are never in conflict.
pub(crate) async fn conflicts(store: &Store) {
    let a = store.create(generated("园区", 1)).await.unwrap();
    let err = store.create(generated("园区", 1)).await.unwrap_err();
    match err {
        StoreError::Conflict { existing, source_name, external_id } => {
            assert_eq!((existing, source_name.as_str(), external_id.as_str()), (a.id, "园区", "E1"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.count().await.unwrap(), 1);

    let b = store.create(generated("园区", 2)).await.unwrap();
    let err = store.update(b.id, generated("园区", 1)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { existing, .. } if existing == a.id), "{err:?}");
    assert_eq!(store.get(b.id).await.unwrap().unwrap(), b, "a refused update changed the station");

    // Same external id from another source, and stations lacking half of the key, are distinct.
    store.create(generated("另一来源", 1)).await.unwrap();
    let mut no_ext = generated("园区", 3);
    no_ext.external_id = None;
    store.create(no_ext.clone()).await.unwrap();
    store.create(no_ext).await.unwrap();
    let mut no_source = generated("园区", 4);
    no_source.source = None;
    store.create(no_source.clone()).await.unwrap();
    store.create(no_source).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 7);
}

/// Unknown ids.
pub(crate) async fn not_found(store: &Store) {
    assert_eq!(store.get(424_242).await.unwrap(), None);
    assert!(matches!(store.update(424_242, minimal_station()).await, Err(StoreError::NotFound(424_242))));
    assert!(matches!(store.delete(424_242).await, Err(StoreError::NotFound(424_242))));
    let s = store.create(minimal_station()).await.unwrap();
    store.delete(s.id).await.unwrap();
    assert!(matches!(store.update(s.id, minimal_station()).await, Err(StoreError::NotFound(id)) if id == s.id));
    assert!(matches!(store.delete(s.id).await, Err(StoreError::NotFound(id)) if id == s.id));
    // NotFound wins over a key conflict.
    let keyed = store.create(generated("k", 1)).await.unwrap();
    assert!(matches!(store.update(s.id, generated("k", 1)).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.load_all().await.unwrap(), vec![keyed]);
}

/// An import creates; a second import with the same keys updates in place.
pub(crate) async fn import_creates_then_updates(store: &Store) {
    const N: usize = 2500;
    let manual = store.create(minimal_station()).await.unwrap();
    let mut rows: Vec<StationData> = (0..N).map(|i| generated("普查", i)).collect();
    let mut keyless = minimal_station();
    keyless.name = "无编号驿站".to_owned();
    rows.push(keyless.clone());

    let before = Utc::now();
    let (first, calls) = import(store, rows.clone()).await.unwrap();
    let after = Utc::now();
    assert!(first.updated.is_empty());
    assert_eq!(first.created.len(), N + 1);
    for (station, data) in first.created.iter().zip(&rows) {
        assert_eq!(&station.data, data);
        assert_eq!(station.created_at, station.updated_at);
        assert_stamp_between(station.created_at, before, after);
    }
    let ids: Vec<_> = first.created.iter().map(|s| s.id).collect();
    assert!(ids[0] > manual.id && ids.windows(2).all(|w| w[0] < w[1]), "ids not increasing in row order");
    assert_eq!(*calls.last().unwrap(), N + 1);
    assert!(calls.windows(2).all(|w| w[0] <= w[1]), "progress went backwards: {calls:?}");
    assert!(calls.len() >= 3 && calls.len() <= 5, "progress calls {calls:?}");
    assert!(calls[0] >= 1000 && calls[0] < 2000, "first progress call {calls:?}");

    let mut expected: BTreeMap<i64, Station> = first.created.iter().map(|s| (s.id, s.clone())).collect();
    expected.insert(manual.id, manual.clone());
    assert_eq!(store.load_all().await.unwrap(), expected.values().cloned().collect::<Vec<_>>());

    // Re-import: every keyed row changed, 100 new keys, and the keyless row again (a new station).
    let mut second_rows: Vec<StationData> = (0..N + 100).map(|i| generated("普查", i)).collect();
    for row in &mut second_rows {
        row.name.push_str("（复核）");
        row.status = StationStatus::Closed;
    }
    second_rows.push(keyless.clone());
    let before = Utc::now();
    let (second, _) = import(store, second_rows.clone()).await.unwrap();
    let after = Utc::now();
    assert_eq!(second.updated.len(), N);
    assert_eq!(second.created.len(), 101);
    for (station, data) in second.updated.iter().zip(&second_rows) {
        let old = &expected[&station.id];
        assert_eq!(old.data.external_id, data.external_id, "updated the wrong station");
        assert_eq!(&station.data, data);
        assert_eq!(station.created_at, old.created_at);
        assert!(station.updated_at > old.updated_at);
        assert_stamp_between(station.updated_at, before, after);
    }
    for (station, data) in second.created.iter().zip(&second_rows[N..]) {
        assert!(!expected.contains_key(&station.id));
        assert_eq!(&station.data, data);
    }
    for s in second.updated.iter().chain(&second.created) {
        expected.insert(s.id, s.clone());
    }
    let stored = store.load_all().await.unwrap();
    assert_eq!(stored.len(), 1 + N + 1 + 100 + 1);
    assert_eq!(stored, expected.values().cloned().collect::<Vec<_>>());
    assert_eq!(store.count().await.unwrap(), u64::try_from(stored.len()).unwrap());
    let mut keys: Vec<_> = stored.iter().filter_map(|s| s.data.external_id.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), N + 100, "duplicate keys stored");

    // An empty import changes nothing.
    let (empty, _) = import(store, Vec::new()).await.unwrap();
    assert!(empty.created.is_empty() && empty.updated.is_empty());
    assert_eq!(store.load_all().await.unwrap(), stored);
}

/// Rows sharing a key within one import: the later row wins, the station appears once.
pub(crate) async fn import_duplicate_keys_later_wins(store: &Store) {
    let existing = store.create(generated("dup", 1)).await.unwrap();
    let mut first_new = generated("dup", 2);
    first_new.name = "先".to_owned();
    let mut last_new = generated("dup", 2);
    last_new.name = "后".to_owned();
    let mut first_old = generated("dup", 1);
    first_old.name = "旧一".to_owned();
    let mut last_old = generated("dup", 1);
    last_old.name = "旧二".to_owned();
    let (outcome, calls) = import(
        store,
        vec![first_new, first_old, generated("dup", 3), last_new.clone(), last_old.clone(), minimal_station()],
    )
    .await
    .unwrap();
    assert_eq!(calls.last(), Some(&6));
    assert_eq!(outcome.updated.len(), 1);
    assert_eq!(outcome.updated[0].id, existing.id);
    assert_eq!(outcome.updated[0].data, last_old);
    let created: Vec<_> = outcome.created.iter().map(|s| s.data.clone()).collect();
    assert_eq!(created, vec![last_new, generated("dup", 3), minimal_station()]);
    let mut expected = vec![outcome.updated[0].clone()];
    expected.extend(outcome.created.iter().cloned());
    assert_eq!(store.load_all().await.unwrap(), expected);
}

/// An import that fails at a late row writes nothing at all.
pub(crate) async fn failed_import_leaves_store_unchanged(store: &Store) {
    let (seeded, _) = import(store, (0..1200).map(|i| generated("源", i)).collect()).await.unwrap();
    assert_eq!(seeded.created.len(), 1200);
    let before = store.load_all().await.unwrap();
    let seq = store.last_change_seq().await.unwrap();

    // Updates of every stored station, then new rows, then one the schema refuses.
    let mut rows: Vec<StationData> = (0..2000)
        .map(|i| {
            let mut d = generated("源", i);
            d.name = "不应写入".to_owned();
            d
        })
        .collect();
    rows[1900].location.lon = 200.0;
    let calls = Mutex::new(Vec::new());
    let result = store.import(rows, &|n| calls.lock().unwrap().push(n)).await;
    assert!(result.is_err(), "an invalid row was stored");
    assert_eq!(store.load_all().await.unwrap(), before);
    assert_eq!(store.last_change_seq().await.unwrap(), seq);
    assert!(store.changes_since(seq, 10).await.unwrap().is_empty());

    // The store still works, and reuses no id the failed import may have touched.
    let next = store.create(minimal_station()).await.unwrap();
    assert!(next.id > before.iter().map(|s| s.id).max().unwrap());
}

/// The change log holds one entry per station written, in commit order.
pub(crate) async fn change_log_records_each_write_in_order(store: &Store) {
    let start = store.last_change_seq().await.unwrap();
    assert!(store.changes_since(start, 100).await.unwrap().is_empty());
    let t0 = Utc::now();
    let a = store.create(generated("log", 1)).await.unwrap();
    let b = store.create(generated("log", 2)).await.unwrap();
    let a2 = store.update(a.id, generated("log", 1)).await.unwrap();
    store.delete(b.id).await.unwrap();
    // Refused writes leave no trace.
    assert!(store.create(generated("log", 1)).await.is_err());
    assert!(store.delete(b.id).await.is_err());
    let (outcome, _) = import(store, vec![generated("log", 1), generated("log", 3)]).await.unwrap();
    let c = &outcome.created[0];
    let t1 = Utc::now();

    let changes = store.changes_since(start, 100).await.unwrap();
    let got: Vec<_> = changes.iter().map(|c| (c.station_id, c.op)).collect();
    assert_eq!(
        &got[..4],
        &[(a.id, ChangeOp::Create), (b.id, ChangeOp::Create), (a.id, ChangeOp::Update), (b.id, ChangeOp::Delete)]
    );
    let mut import_changes = got[4..].to_vec();
    import_changes.sort_by_key(|(id, _)| *id);
    assert_eq!(import_changes, vec![(a.id, ChangeOp::Update), (c.id, ChangeOp::Create)]);
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(changes[0].seq > start);
    for change in &changes {
        assert_stamp_between(change.at, t0, t1);
    }
    assert!(changes.windows(2).all(|w| w[0].at <= w[1].at));
    // Creates and updates carry the station's updated_at.
    assert_eq!(changes[0].at, a.updated_at);
    assert_eq!(changes[1].at, b.updated_at);
    assert_eq!(changes[2].at, a2.updated_at);
    for change in &changes[4..] {
        assert_eq!(change.at, c.updated_at, "the import's entries carry its time");
    }
    assert_eq!(store.last_change_seq().await.unwrap(), changes[5].seq);

    // Paging.
    let page = store.changes_since(start, 2).await.unwrap();
    assert_eq!(page, changes[..2].to_vec());
    let rest = store.changes_since(page[1].seq, 100).await.unwrap();
    assert_eq!(rest, changes[2..].to_vec());
    assert!(store.changes_since(changes[5].seq, 100).await.unwrap().is_empty());
}

/// Two handles on one database (two replicas): what one writes, the other sees, and it can follow
/// the change log to catch up.
pub(crate) async fn second_handle_catches_up(writer: &Store, reader: &Store) {
    let seen = reader.last_change_seq().await.unwrap();
    let snapshot = reader.load_all().await.unwrap();
    assert_eq!(snapshot, writer.load_all().await.unwrap());

    let a = writer.create(full_station()).await.unwrap();
    let b = writer.create(generated("副本", 1)).await.unwrap();
    let a2 = writer.update(a.id, generated("副本", 2)).await.unwrap();
    writer.delete(b.id).await.unwrap();

    // Replay on the reader's side: re-read every station named in the log.
    let mut state: BTreeMap<i64, Station> = snapshot.into_iter().map(|s| (s.id, s)).collect();
    let mut after = seen;
    loop {
        let page = reader.changes_since(after, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        for change in &page {
            match reader.get(change.station_id).await.unwrap() {
                Some(s) => state.insert(s.id, s),
                None => state.remove(&change.station_id),
            };
        }
    }
    assert_eq!(after, writer.last_change_seq().await.unwrap());
    assert_eq!(state.values().cloned().collect::<Vec<_>>(), reader.load_all().await.unwrap());
    assert_eq!(state.get(&a.id), Some(&a2));
    assert!(!state.contains_key(&b.id));
}

/// A planned station of scenario `scenario`, site `rank` of plan `plan`.
fn site(scenario: &str, plan: &str, rank: usize) -> StationData {
    let mut d = minimal_station();
    d.kind = StationKind::RestStation;
    d.name = format!("{scenario} 规划驿站 #{rank}");
    d.location = LonLat { lon: 116.8 + rank as f64 * 1e-3, lat: 35.55 };
    d.source = Some(format!("scenario:{scenario}"));
    d.external_id = Some(format!("{plan}#{rank}"));
    d
}

fn planner_ctx() -> AuditContext {
    AuditContext::new(
        Principal { id: "fedcba987654".to_owned(), name: "规划员".to_owned(), role: Role::Editor },
        Some("POST /api/v1/scenarios".to_owned()),
    )
}

/// A scenario and its planned stations are one audited transaction: the stations upserted as an
/// import does (the later row wins, each in the change log), the scenario with their ids, a
/// `station.import` and a `scenario.create` entry. A taken name writes nothing at all: no station,
/// no change-log entry, no audit entry.
pub(crate) async fn scenario_with_stations_is_one_audited_write(store: &Store) {
    let ctx = planner_ctx();
    // Site 2 is stored already (from an earlier attempt): the scenario updates it.
    let existing = store.create(site("方案A", "plan_1", 2)).await.unwrap();
    let seq = store.last_change_seq().await.unwrap();
    let audited = store.audit_log(None, 1000).await.unwrap().len();
    let mut first_two = site("方案A", "plan_1", 2);
    first_two.name = "先".to_owned();
    let mut last_two = site("方案A", "plan_1", 2);
    last_two.name = "后".to_owned();
    let rows = vec![site("方案A", "plan_1", 1), first_two, site("方案A", "plan_1", 3), last_two.clone()];
    let before = Utc::now();
    let created = store.create_scenario_audited("方案A", "plan_1", rows, &ctx).await.unwrap().unwrap();
    let after = Utc::now();
    let (scenario, outcome) = (&created.scenario, &created.stations);
    assert_eq!((scenario.name.as_str(), scenario.plan_id.as_str()), ("方案A", "plan_1"));
    assert_stamp_between(scenario.created_at, before, after);
    assert_eq!(outcome.updated.len(), 1);
    assert_eq!(outcome.updated[0].id, existing.id);
    assert_eq!(outcome.updated[0].data, last_two, "the later row wins");
    let created_data: Vec<_> = outcome.created.iter().map(|s| s.data.clone()).collect();
    assert_eq!(created_data, vec![site("方案A", "plan_1", 1), site("方案A", "plan_1", 3)]);
    assert_eq!(scenario.station_ids, vec![outcome.created[0].id, existing.id, outcome.created[1].id]);
    assert_eq!(store.scenario("方案A").await.unwrap().as_ref(), Some(scenario));

    // Stored exactly as answered.
    let mut expected: Vec<Station> = outcome.created.iter().chain(&outcome.updated).cloned().collect();
    expected.sort_by_key(|s| s.id);
    assert_eq!(store.load_all().await.unwrap(), expected);

    // The change log: one entry per station, and the outcome names its range.
    let changes = store.changes_since(seq, 100).await.unwrap();
    let mut got: Vec<_> = changes.iter().map(|c| (c.station_id, c.op)).collect();
    got.sort_by_key(|(id, _)| *id);
    assert_eq!(
        got,
        vec![
            (existing.id, ChangeOp::Update),
            (outcome.created[0].id, ChangeOp::Create),
            (outcome.created[1].id, ChangeOp::Create)
        ]
    );
    assert_eq!(outcome.log, (seq, store.last_change_seq().await.unwrap()));

    // The audit log: the stations, then the scenario, by the caller, at the write's time.
    let log = store.audit_log(None, 1000).await.unwrap();
    assert_eq!(log.len(), audited + 2);
    let (import, saved) = (&log[audited], &log[audited + 1]);
    assert_eq!((import.operation.as_str(), saved.operation.as_str()), ("station.import", "scenario.create"));
    for e in [import, saved] {
        assert_eq!((e.actor_id.as_str(), e.actor_name.as_str()), ("fedcba987654", "规划员"));
        assert_eq!(e.route.as_deref(), Some("POST /api/v1/scenarios"));
        assert_eq!(e.at, scenario.created_at);
    }
    let summary = import.after.as_ref().unwrap();
    assert_eq!(
        (summary["rows"].as_u64(), summary["created"].as_u64(), summary["updated"].as_u64()),
        (Some(4), Some(2), Some(1))
    );
    assert_eq!(saved.target.as_deref(), Some("方案A"));
    assert_eq!(saved.before, None);
    assert_eq!(saved.after, Some(serde_json::to_value(scenario).unwrap()));

    // The name again, from another plan: nothing is written, nor logged, nor audited.
    let stations = store.load_all().await.unwrap();
    let seq = store.last_change_seq().await.unwrap();
    let rows: Vec<_> = (1..=3).map(|r| site("方案A", "plan_2", r)).collect();
    assert!(store.create_scenario_audited("方案A", "plan_2", rows, &ctx).await.unwrap().is_none());
    assert_eq!(store.load_all().await.unwrap(), stations, "no orphan station");
    assert_eq!(store.last_change_seq().await.unwrap(), seq);
    assert!(store.changes_since(seq, 10).await.unwrap().is_empty());
    assert_eq!(store.audit_log(None, 1000).await.unwrap(), log);
    assert_eq!(store.scenario("方案A").await.unwrap().as_ref(), Some(scenario));

    // A plan without sites: a scenario without stations, one audit entry.
    let empty = store.create_scenario_audited("空方案", "plan_3", Vec::new(), &ctx).await.unwrap().unwrap();
    assert!(empty.scenario.station_ids.is_empty());
    let log = store.audit_log(None, 1000).await.unwrap();
    assert_eq!(log.len(), audited + 3);
    assert_eq!(log[audited + 2].operation, "scenario.create");
    assert_eq!(store.scenarios().await.unwrap(), vec![scenario.clone(), empty.scenario]);
    // The next station still takes a fresh id.
    let next = store.create(minimal_station()).await.unwrap();
    assert!(next.id > stations.iter().map(|s| s.id).max().unwrap());
}

/// Saved analyses keep who made them; pruning keeps the newest `keep` of one kind, removes those
/// older than the maximum age, and leaves the other kind alone.
pub(crate) async fn analyses_keep_their_maker_and_are_pruned(store: &Store) {
    const DAY_S: i64 = 86_400;
    let now = super::now_micros();
    let analysis = |id: &str, kind: AnalysisKind, age_s: i64, by: &str| SavedAnalysis {
        id: id.to_owned(),
        kind,
        request: serde_json::json!({"district": "兖州区", "id": id}),
        result: crate::JsonText::of(&serde_json::json!({"summary": {"cells": 3}})),
        created_at: now - chrono::Duration::seconds(age_s),
        created_by: by.to_owned(),
    };
    // Who made it: read back as stored, also when replaced.
    for (i, by) in ["0123456789ab", "anonymous", "cli", "system"].into_iter().enumerate() {
        let a = analysis(&format!("cov_{i}"), AnalysisKind::Coverage, 10 * i64::try_from(i).unwrap(), by);
        store.put_analysis(&a).await.unwrap();
        assert_eq!(store.analysis(&a.id).await.unwrap(), Some(a));
    }
    let replaced = analysis("cov_3", AnalysisKind::Coverage, 30, "fedcba987654");
    store.put_analysis(&replaced).await.unwrap();
    assert_eq!(store.analysis("cov_3").await.unwrap().unwrap().created_by, "fedcba987654");

    // By count: the newest 2 coverage analyses stay; plans, even old ones, are another kind.
    let month = std::time::Duration::from_hours(30 * 24);
    store.put_analysis(&analysis("plan_old", AnalysisKind::Plan, 100 * DAY_S, "cli")).await.unwrap();
    store.put_analysis(&analysis("plan_new", AnalysisKind::Plan, 5, "cli")).await.unwrap();
    assert_eq!(store.prune_analyses(AnalysisKind::Coverage, 2, month).await.unwrap(), 2);
    assert_eq!(store.analysis_ids(AnalysisKind::Coverage).await.unwrap(), ["cov_0", "cov_1"]);
    assert_eq!(store.analysis_ids(AnalysisKind::Plan).await.unwrap(), ["plan_new", "plan_old"]);
    // Within both limits: nothing to do; an unbounded age deletes nothing by age.
    assert_eq!(store.prune_analyses(AnalysisKind::Coverage, 2, month).await.unwrap(), 0);
    assert_eq!(store.prune_analyses(AnalysisKind::Plan, 10, std::time::Duration::MAX).await.unwrap(), 0);

    // By age: rows older than the maximum go, however few there are.
    assert_eq!(store.prune_analyses(AnalysisKind::Plan, 10, month).await.unwrap(), 1);
    assert_eq!(store.analysis_ids(AnalysisKind::Plan).await.unwrap(), ["plan_new"]);
    store.put_analysis(&analysis("cov_old", AnalysisKind::Coverage, 31 * DAY_S, "anonymous")).await.unwrap();
    store.put_analysis(&analysis("cov_recent", AnalysisKind::Coverage, 29 * DAY_S, "anonymous")).await.unwrap();
    assert_eq!(store.prune_analyses(AnalysisKind::Coverage, 10, month).await.unwrap(), 1);
    assert_eq!(store.analysis_ids(AnalysisKind::Coverage).await.unwrap(), ["cov_0", "cov_1", "cov_recent"]);
    assert_eq!(store.analysis("cov_old").await.unwrap(), None);
    // Both at once: the count keeps cov_0 and cov_1, the age only cov_0 (cov_1 is 10 s old).
    assert_eq!(store.prune_analyses(AnalysisKind::Coverage, 2, std::time::Duration::from_secs(5)).await.unwrap(), 2);
    assert_eq!(store.analysis_ids(AnalysisKind::Coverage).await.unwrap(), ["cov_0"]);
    assert_eq!(store.analysis_ids(AnalysisKind::Plan).await.unwrap(), ["plan_new"]);
}

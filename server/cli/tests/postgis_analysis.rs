//! The planner's storage on PostGIS, against a throw-away cluster: district and street boundaries
//! (PostGIS geometry, read back exactly), demand datasets, saved analyses and scenarios — the same
//! answers as the embedded store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/pg.rs"]
mod pg;

use chrono::{SubsecRound, Utc};
use geo::{MultiPolygon, polygon};
use serde_json::json;
use std::time::Duration;
use yizhan_core::config::StorageConfig;
use yizhan_store::{AnalysisKind, Boundary, DemandDataset, SavedAnalysis, Scenario, Store};

fn square(x: f64, y: f64, d: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![(x: x, y: y), (x: x + d, y: y), (x: x + d, y: y + d), (x: x, y: y + d), (x: x, y: y)]])
}

/// Every planner store function, on `store`.
async fn exercise(store: &Store) {
    // Districts: stored in order, replaced by name, coordinates exact.
    let yanzhou = yizhan_core::builtin::builtin_districts().into_iter().find(|d| d.name == "兖州区").unwrap();
    let other = Boundary {
        name: "试验区".into(),
        parent: None,
        city: Some("济宁市".into()),
        province: None,
        polygon: square(116.1, 35.1, 0.1),
    };
    assert_eq!(store.put_districts(&[yanzhou.clone(), other.clone()]).await.unwrap(), 2);
    let all = store.districts().await.unwrap();
    assert_eq!(all, vec![yanzhou.clone(), other.clone()]);
    let moved = Boundary { polygon: square(116.2, 35.2, 0.05), ..other.clone() };
    store.put_districts(std::slice::from_ref(&moved)).await.unwrap();
    assert_eq!(store.district("试验区").await.unwrap(), Some(moved));
    assert_eq!(store.districts().await.unwrap().len(), 2);
    assert_eq!(store.district("无此区").await.unwrap(), None);

    // Streets of a district.
    let streets: Vec<Boundary> = (0..3)
        .map(|i| Boundary {
            name: format!("第{i}街道"),
            parent: Some("兖州区".into()),
            city: None,
            province: None,
            polygon: square(116.7 + f64::from(i) * 0.01, 35.5, 0.01),
        })
        .collect();
    assert_eq!(store.put_streets(&streets).await.unwrap(), 3);
    assert_eq!(store.streets("兖州区").await.unwrap(), streets);
    assert!(store.streets("试验区").await.unwrap().is_empty());

    // Demand datasets: points exact, totals, replaced by name.
    let points = vec![[116.79, 35.55, 2.5], [116.8, 35.56, 1.0], [116.81, 35.57, 0.0]];
    let ds = DemandDataset { name: "订单".into(), district: Some("兖州区".into()), synthetic: false, points };
    let info = store.put_demand(&ds).await.unwrap();
    assert_eq!((info.count, info.total), (3, 3.5));
    assert_eq!(store.demand("订单").await.unwrap(), Some(ds.clone()));
    let smaller = DemandDataset { points: vec![[116.7, 35.5, 4.0]], synthetic: true, ..ds };
    store.put_demand(&smaller).await.unwrap();
    assert_eq!(store.demand("订单").await.unwrap(), Some(smaller));
    let list = store.demand_list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].count, list[0].total, list[0].synthetic), (1, 4.0, true));
    assert_eq!(store.demand("无").await.unwrap(), None);

    // Analyses: JSON kept as given.
    let a = SavedAnalysis {
        id: "cov_1".into(),
        kind: AnalysisKind::Coverage,
        request: json!({"district": "兖州区", "minutes": [10, 15]}),
        result: yizhan_store::JsonText::of(&json!({"summary": {"cells": 3, "shares": [0.5, 0.75]}, "名称": "兖州区"})),
        created_at: Utc::now().trunc_subsecs(6),
        created_by: "0123456789ab".into(),
    };
    store.put_analysis(&a).await.unwrap();
    assert_eq!(store.analysis("cov_1").await.unwrap(), Some(a.clone()));
    assert_eq!(store.analysis("cov_2").await.unwrap(), None);
    // Pruning keeps the newest of one kind and leaves the other kind alone.
    let later = |id: &str, kind, s: i64| SavedAnalysis {
        id: id.into(),
        kind,
        created_at: a.created_at + chrono::Duration::seconds(s),
        ..a.clone()
    };
    for (id, kind, s) in
        [("cov_2", AnalysisKind::Coverage, 1), ("cov_3", AnalysisKind::Coverage, 2), ("plan_1", AnalysisKind::Plan, -5)]
    {
        store.put_analysis(&later(id, kind, s)).await.unwrap();
    }
    assert_eq!(store.prune_analyses(AnalysisKind::Coverage, 2, Duration::from_secs(86_400)).await.unwrap(), 1);
    assert_eq!(store.analysis("cov_1").await.unwrap(), None);
    assert!(store.analysis("cov_2").await.unwrap().is_some() && store.analysis("cov_3").await.unwrap().is_some());
    assert!(store.analysis("plan_1").await.unwrap().is_some());

    // Scenarios: a name is taken once.
    let s = Scenario {
        name: "方案A".into(),
        plan_id: "plan_1".into(),
        station_ids: vec![7, 3, 11],
        created_at: Utc::now().trunc_subsecs(6),
    };
    assert!(store.put_scenario(&s).await.unwrap());
    assert!(!store.put_scenario(&Scenario { plan_id: "plan_2".into(), ..s.clone() }).await.unwrap());
    assert_eq!(store.scenario("方案A").await.unwrap(), Some(s.clone()));
    assert_eq!(store.scenarios().await.unwrap(), vec![s]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planner_storage_on_postgis() {
    let Some(cluster) = pg::PgCluster::start() else { return };
    let url = cluster.create_db().await;
    let store = Store::open(&StorageConfig::Url(url)).await.unwrap();
    exercise(&store).await;
    // The boundaries are PostGIS geometry: ST_Contains answers from them.
    let Store::Postgres(pg) = &store else { panic!("expected PostGIS") };
    let inside: Option<String> = sqlx::query_scalar(
        "SELECT name FROM districts WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(116.22, 35.22), 4326))",
    )
    .fetch_optional(pg.pool())
    .await
    .unwrap();
    assert_eq!(inside.as_deref(), Some("试验区"));
}

#[tokio::test]
async fn planner_storage_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StorageConfig::Embedded { data_dir: dir.path().to_owned() }).await.unwrap();
    exercise(&store).await;
}

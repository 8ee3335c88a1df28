#![allow(clippy::unwrap_used)]

use super::*;
use geo::Contains;
use std::collections::BTreeMap;
use yizhan_core::analysis::jobs::{check_plan, run_plan};
use yizhan_core::analysis::run_coverage;
use yizhan_core::config::{Config, StorageConfig};
use yizhan_planner::report::{ReportCategory, ReportStatus};
use yizhan_store::Store;
use yizhan_store::reports::NewReport;

/// A stored report as the store reads it back: about `station` in 兖州区's `street`, created
/// at `created`, resolved `resolved_after_h` hours later when given.
fn record(
    id: i64,
    station: i64,
    street: &str,
    category: ReportCategory,
    created: DateTime<Utc>,
    resolved_after_h: Option<i64>,
) -> ReportRecord {
    let resolved_at = resolved_after_h.map(|h| created + chrono::Duration::hours(h));
    ReportRecord {
        id,
        code: format!("TEST-{id:04}"),
        station_id: Some(station),
        category,
        amenity: None,
        text: Some("骑手写的话".into()),
        position: None,
        district: Some("兖州区".into()),
        street: Some(street.into()),
        status: if resolved_at.is_some() { ReportStatus::Resolved } else { ReportStatus::New },
        created_at: created,
        updated_at: resolved_at.unwrap_or(created),
        resolved_at,
        note: None,
        handled_by: None,
        has_photo: false,
    }
}

#[test]
fn feedback_covers_the_90_local_days_that_end_with_the_report_s_date() {
    use chrono::TimeZone as _;
    let date = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    // Asia/Shanghai is UTC+8: the period is 2026-08-27 00:00 to 2026-11-25 00:00 local.
    let since = Utc.with_ymd_and_hms(2026, 8, 26, 16, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).unwrap();
    let us = chrono::Duration::microseconds(1);
    let reports = vec![
        record(1, 7, "鼓楼街道", ReportCategory::Closed, since - us, None),
        record(2, 7, "鼓楼街道", ReportCategory::Closed, since, None),
        record(3, 7, "鼓楼街道", ReportCategory::Crowded, until - us, None),
        record(4, 7, "鼓楼街道", ReportCategory::Crowded, until, None),
        record(5, 7, "鼓楼街道", ReportCategory::Crowded, since + chrono::Duration::days(3), Some(5)),
        record(6, 8, "龙桥街道", ReportCategory::Other, since + chrono::Duration::days(4), Some(3)),
        record(7, 8, "龙桥街道", ReportCategory::Thanks, since + chrono::Duration::days(5), None),
    ];
    let f =
        feedback(&reports, date, &yizhan_planner::hours::DEFAULT_TZ, &|id| (id == 7).then(|| "测试驿站".to_owned()));
    assert_eq!(f.first_day, NaiveDate::from_ymd_opt(2026, 8, 27).unwrap());
    assert_eq!(f.last_day, date);
    assert_eq!(f.days(), 90);
    assert_eq!((f.stats.since, f.stats.until), (since, until));
    // Reports 2, 3, 5 (station 7), 6 and the thank-you 7 (station 8) fall inside.
    let t = &f.stats.total;
    assert_eq!((t.reports, t.open, t.resolved, t.rejected, t.thanks), (4, 2, 2, 0, 1));
    assert_eq!(t.median_hours_to_resolve, Some(4.0));
    let streets: Vec<_> = f
        .stats
        .streets
        .iter()
        .map(|s| (s.street.as_deref().unwrap(), s.reports, s.open, s.median_hours_to_resolve))
        .collect();
    assert_eq!(streets, vec![("鼓楼街道", 3, 2, Some(5.0)), ("龙桥街道", 1, 0, Some(3.0))]);
    assert_eq!(f.stats.repeated.len(), 1);
    let r = &f.stats.repeated[0];
    assert_eq!((r.station_id, r.name.as_deref(), r.reports, r.open), (7, Some("测试驿站"), 3, 2));
    assert_eq!(r.top_category, ReportCategory::Crowded);
}

/// A state over a fresh SQLite file with the demo data (兖州区 stations, streets and demand).
async fn demo_state(dir: &tempfile::TempDir) -> AppState {
    let storage = StorageConfig::Embedded { data_dir: dir.path().join("data") };
    let store = Store::open(&storage).await.unwrap();
    let state = AppState::load(store, Config { storage, load_demo: false, ..Config::default() }).await.unwrap();
    yizhan_core::demo::load(&state).await.unwrap();
    state
}

fn options(district: &str) -> ReportOptions {
    ReportOptions {
        resolution: Some(7),
        sites: Some(2),
        ..ReportOptions::new(district, Lang::Zh, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap())
    }
}

#[tokio::test]
async fn figures_equal_the_coverage_and_plan_apis_and_a_brute_force_count() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo_state(&dir).await;
    // Riders' reports: three on one station of 兖州区 within the period, one before it, one of
    // another district.
    let station = state.index().iter().next().unwrap().id;
    let at = |y, m, d| {
        use chrono::TimeZone as _;
        Utc.with_ymd_and_hms(y, m, d, 4, 0, 0).unwrap()
    };
    for (i, (district, category, created)) in [
        ("兖州区", ReportCategory::Closed, at(2026, 11, 20)),
        ("兖州区", ReportCategory::Closed, at(2026, 10, 1)),
        ("兖州区", ReportCategory::HoursWrong, at(2026, 9, 1)),
        ("兖州区", ReportCategory::Closed, at(2026, 8, 1)),
        ("任城区", ReportCategory::Closed, at(2026, 11, 20)),
    ]
    .into_iter()
    .enumerate()
    {
        let new = NewReport {
            code: format!("DATA-{i:04}"),
            station_id: Some(station),
            category,
            amenity: None,
            text: None,
            position: None,
            district: Some(district.into()),
            street: Some("鼓楼街道".into()),
            photo: None,
            created_at: created,
        };
        state.store.create_report(&new).await.unwrap();
    }
    let report = build(&state, &options("兖州区")).await.unwrap();
    let d = &report.data;
    assert_eq!(d.district, "兖州区");
    let f = &d.feedback.stats;
    assert_eq!((f.total.reports, f.total.open, f.streets.len()), (3, 3, 1));
    assert_eq!(f.repeated.len(), 1);
    assert_eq!((f.repeated[0].station_id, f.repeated[0].reports), (station, 3));
    assert_eq!(f.repeated[0].top_category, ReportCategory::Closed);
    let name = state.index().get(station).unwrap().data.name.clone();
    assert_eq!(f.repeated[0].name.as_deref(), Some(name.as_str()));
    assert_eq!(d.city.as_deref(), Some("济宁市"));

    // The coverage API on the same request: identical summary, streets and gaps.
    let req = CoverageRequest {
        district: Some("兖州区".into()),
        resolution: Some(7),
        minutes: Some(Minutes::Many(vec![10.0, 15.0])),
        ..CoverageRequest::default()
    };
    let (outcome, _) = run_coverage(&state, &req).await.unwrap();
    let a = &outcome.analysis;
    assert_eq!(d.summary, a.summary);
    assert_eq!(d.streets, a.streets);
    assert!(d.streets.len() >= 5, "{} streets", d.streets.len());
    assert_eq!(d.gaps_total, a.gaps.len());
    assert_eq!(d.methods.demand_label, "demo:兖州区");
    assert!(d.methods.demand_from_points && d.methods.demand_synthetic);
    assert_eq!(d.methods.method, EtaMethod::StraightLine, "no road network of Jining is loaded");
    assert!((d.methods.cell_area_km2 * a.summary.cells as f64 - a.summary.area_km2).abs() < 1e-9);

    // Gap rows: the analysis' gaps with the street most of their cells lie in (recounted here).
    assert_eq!(d.gaps.len(), a.gaps.len().min(GAPS_SHOWN));
    let street_of: BTreeMap<&str, Option<&str>> =
        a.cells.iter().map(|c| (c.h3.as_str(), c.street.as_deref())).collect();
    for (row, gap) in d.gaps.iter().zip(&a.gaps) {
        assert_eq!(
            (row.rank, row.cells, row.demand, row.area_km2),
            (gap.rank, gap.cells.len(), gap.demand, gap.area_km2)
        );
        assert!((row.demand_share - gap.demand / a.summary.demand_total).abs() < 1e-12);
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for h in &gap.cells {
            if let Some(s) = street_of[h.as_str()] {
                *votes.entry(s).or_default() += 1;
            }
        }
        let best = votes.values().max().copied();
        match &row.street {
            Some(s) => assert_eq!(votes.get(s.as_str()).copied(), best, "gap {} street {s}: {votes:?}", gap.rank),
            None => assert!(votes.is_empty()),
        }
    }

    // The plan API's functions on the same request: the same sites and before/after.
    let plan_req = PlanRequest {
        district: Some("兖州区".into()),
        resolution: Some(7),
        minutes: Some(Minutes::One(15.0)),
        sites: Some(2),
        ..PlanRequest::default()
    };
    let checked = check_plan(&state, &plan_req).await.unwrap();
    let plan = run_plan(&checked, &mut |_, _| ControlFlow::Continue(())).unwrap();
    assert_eq!(d.plan.sites, plan.sites);
    assert_eq!(d.plan.sites.len(), 2);
    assert_eq!(d.plan.before, plan.before.thresholds[0]);
    assert_eq!(d.plan.after, plan.after.thresholds[0]);
    // Before the sites, the plan's 15-minute share is the analysis' 15-minute share.
    assert_eq!(d.plan.before.demand_share, a.summary.thresholds[1].demand_share);
    assert!(d.plan.after.demand_share >= d.plan.before.demand_share);

    // Stations by kind: a brute-force count over everything stored, inside the stored boundary.
    let boundary = state.store.district("兖州区").await.unwrap().unwrap().polygon;
    let all = state.store.load_all().await.unwrap();
    for k in &d.stations {
        let count = |status: StationStatus| {
            all.iter()
                .filter(|s| s.data.kind == k.kind && s.data.status == status)
                .filter(|s| boundary.contains(&geo::Point::new(s.data.location.lon, s.data.location.lat)))
                .count()
        };
        assert_eq!(
            (k.active, k.planned),
            (count(StationStatus::Active), count(StationStatus::Planned)),
            "{:?}",
            k.kind
        );
    }
    assert_eq!(d.stations.len(), StationKind::ALL.len());
    assert!(d.active_total() > 300, "{} active", d.active_total());

    // The map: one hexagon per analysed cell, classes as analysed.
    assert_eq!(report.map.coverage.cells.len(), a.cells.len());
    assert_eq!(report.map.coverage.minutes, vec![10, 15]);
    assert!(report.map.coverage.cells.iter().zip(&a.cells).all(|(m, c)| m.class == c.class.code()));
}

#[tokio::test]
async fn districts_that_cannot_be_reported_on_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo_state(&dir).await;
    match build(&state, &options("北京")).await {
        Err(ReportError::UnknownDistrict { name, known }) => {
            assert_eq!(name, "北京");
            assert!(known.contains("兖州区"), "{known}");
        }
        other => panic!("{other:?}"),
    }
    // 鱼台县's shipped boundary crosses itself.
    let e = build(&state, &options("鱼台县")).await.unwrap_err();
    assert!(matches!(e, ReportError::InvalidBoundary { .. }), "{e:?}");
    assert_eq!(e.field(), Some("district"));
    assert!(e.to_string().contains("鱼台县") && e.to_string().contains("crosses itself"), "{e}");
    // 任城区 has a valid boundary but no station.
    let e = build(&state, &options("任城区")).await.unwrap_err();
    assert!(matches!(e, ReportError::NoStations { ref district } if district == "任城区"), "{e:?}");
    // Bad parameters name themselves.
    let e = build(&state, &ReportOptions { resolution: Some(12), ..options("兖州区") }).await.unwrap_err();
    assert_eq!(e.field(), Some("resolution"), "{e:?}");
    let e = build(&state, &ReportOptions { mode: Some("horse".into()), ..options("兖州区") }).await.unwrap_err();
    assert_eq!(e.field(), Some("mode"), "{e:?}");
    let e = build(&state, &ReportOptions { sites: Some(0), ..options("兖州区") }).await.unwrap_err();
    assert_eq!(e.field(), Some("sites"), "{e:?}");
}

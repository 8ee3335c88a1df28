//! The preview's all-or-nothing step, its JSON, and drafts placed on the map.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::amenity::Amenity;
use crate::export;
use crate::geodesy::LonLat;
use crate::import::{Format, ImportError, ImportOptions, MAX_LISTED_ERRORS, parse_stations, preview_stations};
use crate::station::{Station, StationData, StationKind, StationStatus};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

fn opts() -> ImportOptions {
    ImportOptions { source: Some("test".into()), ..ImportOptions::default() }
}

#[test]
fn a_clean_file_stores_exactly_its_preview_rows() {
    let csv = "名称,类型,经度,纬度,开放时间\n甲,驿站,116.8,35.55,全天\n乙,驿站,116.81,35.56,24/7\n";
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    assert_eq!(
        p.rows.iter().map(|r| (r.line, r.hours_written.as_deref())).collect::<Vec<_>>(),
        [(2, Some("全天")), (3, None)]
    );
    let rows: Vec<StationData> = p.rows.iter().map(|r| r.data.clone()).collect();
    assert_eq!(p.into_stations().unwrap(), rows);
    assert_eq!(parse_stations(csv.as_bytes(), &opts()).unwrap(), rows);
}

#[test]
fn one_bad_or_unplaced_row_refuses_the_whole_file_in_file_order() {
    let csv =
        "名称,类型,地址,经度,纬度\n甲,驿站,某路1号,,\n乙,驿站,,116.8,x\n丙,驿站,,116.8,35.55\n丁,驿站,某路4号,,\n";
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    assert_eq!((p.rows.len(), p.unplaced.len(), p.errors.len()), (1, 2, 1));
    let e = p.into_stations().unwrap_err();
    let ImportError::Rows { errors, omitted: 0 } = &e else { panic!("{e:?}") };
    assert_eq!(
        errors.iter().map(|e| (e.line, e.field)).collect::<Vec<_>>(),
        [(2, Some("location")), (3, Some("location.lat")), (5, Some("location"))]
    );
    assert_eq!(parse_stations(csv.as_bytes(), &opts()), Err(e));
}

#[test]
fn unplaced_rows_beyond_the_listed_errors_are_counted() {
    let mut csv = String::from("名称,类型,地址,经度,纬度\n甲,驿站,某路,,\n");
    let bad = MAX_LISTED_ERRORS + 5;
    for _ in 0..bad {
        csv.push_str("乙,驿站,,116.8,x\n");
    }
    csv.push_str("丙,驿站,某路,,\n");
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    assert_eq!((p.errors.len(), p.omitted_errors, p.unplaced.len()), (MAX_LISTED_ERRORS, 5, 2));
    let ImportError::Rows { errors, omitted } = p.into_stations().unwrap_err() else { panic!() };
    assert_eq!(errors.len(), MAX_LISTED_ERRORS);
    assert_eq!(errors[0].line, 2, "the first unplaced row comes first");
    assert_eq!(errors.last().map(|e| e.line), Some(MAX_LISTED_ERRORS as u64 + 1));
    assert_eq!(omitted, bad + 2 - MAX_LISTED_ERRORS, "every problem is listed or counted");
}

#[test]
fn the_preview_as_json() {
    let csv = "名称,类型,地址,经度,纬度,备注,开放时间\n甲,驿站,某路1号,116.8,35.55,二楼,全天\n乙,驿站,某路2号,,,,\n丙,城堡,,116.8,35.5,,\n";
    let v = serde_json::to_value(preview_stations(csv.as_bytes(), &opts()).unwrap()).unwrap();
    let id = v["rows"][0]["data"]["external_id"].clone();
    assert_eq!(
        v,
        json!({
            "format": "csv",
            "rows": [{
                "line": 2,
                "data": {
                    "kind": "rest_station", "name": "甲", "address": "某路1号",
                    "location": {"lon": 116.8, "lat": 35.55}, "amenities": [], "opening_hours": "24/7",
                    "status": "active", "source": "test", "external_id": id
                },
                "hours_written": "全天"
            }],
            "unplaced": [{
                "line": 3,
                "draft": {"kind": "rest_station", "name": "乙", "address": "某路2号", "amenities": [], "status": "active", "source": "test"}
            }],
            "errors": [{
                "line": 4, "column": "类型", "column_number": 2, "field": "kind",
                "message": "unknown station kind \"城堡\" (expected one of: rest_station, caring_merchant, charging_cabinet, ride_hailing_bay)"
            }],
            "omitted_errors": 0,
            "ignored_columns": [{"name": "备注", "column_number": 6}]
        })
    );
    assert!(id.as_str().is_some_and(|s| s.starts_with("auto:")));
}

/// A draft placed on the map is a GeoJSON feature the importer reads back to the same record,
/// with the property names an exported station has.
#[test]
fn a_placed_draft_imports_as_a_feature() {
    let csv = "名称,类型,地址,区县,街道,经度,纬度,服务设施,开放时间,容量,运营单位,联系电话,优惠,状态,来源,外部编号,核验日期\n\
               甲,爱心商户,某路1号,兖州区,鼓楼街道,,,饮水、卫生间,每天 8:00-18:00,12,某公司,13800138000,九折,规划中,区总工会,M-1,2025-03-01\n";
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    let draft = &p.unplaced[0].draft;
    let at = LonLat { lon: 116.8021, lat: 35.5677 };
    let feature = draft.to_feature(at);
    let fc = json!({"type": "FeatureCollection", "features": [feature]});
    let o = ImportOptions { format: Format::GeoJson, ..ImportOptions::default() };
    let got = parse_stations(fc.to_string().as_bytes(), &o).unwrap();
    let want = StationData {
        kind: StationKind::CaringMerchant,
        name: "甲".into(),
        address: Some("某路1号".into()),
        district: Some("兖州区".into()),
        street: Some("鼓楼街道".into()),
        location: at,
        amenities: [Amenity::DrinkingWater, Amenity::Toilet].into_iter().collect(),
        opening_hours: Some(crate::hours::OpeningHours::parse("Mo-Su 08:00-18:00").unwrap()),
        capacity: Some(12),
        operator: Some("某公司".into()),
        phone: Some("13800138000".into()),
        offer: Some("九折".into()),
        status: StationStatus::Planned,
        source: Some("区总工会".into()),
        external_id: Some("M-1".into()),
        verified_on: NaiveDate::from_ymd_opt(2025, 3, 1),
    };
    assert_eq!(got, std::slice::from_ref(&want));
    // The same property names as an exported station's, less the storage columns.
    let t = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
    let exported = export::feature(&Station { id: 7, data: want, created_at: t, updated_at: t });
    let keys = |v: &Value| {
        let mut k: Vec<String> = v["properties"].as_object().unwrap().keys().cloned().collect();
        k.retain(|k| !["id", "created_at", "updated_at"].contains(&k.as_str()));
        k.sort();
        k
    };
    assert_eq!(keys(&draft.to_feature(at)), keys(&exported));
    assert_eq!(draft.to_feature(at)["geometry"], json!({"type": "Point", "coordinates": [116.8021, 35.5677]}));
    // A draft without its own id gets the derived one once placed.
    let p = preview_stations("名称,类型,地址,经度,纬度\n乙,驿站,某路2号,,\n".as_bytes(), &opts()).unwrap();
    let fc = json!({"type": "FeatureCollection", "features": [p.unplaced[0].draft.to_feature(at)]});
    let got = parse_stations(fc.to_string().as_bytes(), &o).unwrap();
    assert_eq!(got[0].external_id, Some(crate::import::derived_external_id(StationKind::RestStation, "乙", at)));
}

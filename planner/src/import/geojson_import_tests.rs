//! GeoJSON import: happy paths and every class of bad input, with exact feature, line and message.
#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)] // tests fail loudly on purpose; helpers take values

use crate::amenity::{Amenity, AmenitySet};
use crate::crs::Crs;
use crate::geodesy::LonLat;
use crate::import::{Format, ImportError, ImportOptions, RowError, parse_stations, preview_stations};
use crate::station::{StationData, StationKind, StationStatus};
use chrono::NaiveDate;
use serde_json::{Value, json};

fn opts() -> ImportOptions {
    ImportOptions { format: Format::GeoJson, source: Some("test".into()), ..ImportOptions::default() }
}

fn parse(v: &Value) -> Result<Vec<StationData>, ImportError> {
    parse_stations(serde_json::to_string_pretty(v).unwrap().as_bytes(), &opts())
}

fn point(lon: f64, lat: f64, properties: Value) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties})
}

fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

fn errs_of(text: &str) -> Vec<String> {
    match parse_stations(text.as_bytes(), &opts()).expect_err("must be rejected") {
        ImportError::Rows { errors, omitted: 0 } => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

/// Errors of a collection written one feature per line (feature i on line i + 2).
fn errs(features: Vec<Value>) -> Vec<String> {
    let lines: Vec<String> = features.iter().map(Value::to_string).collect();
    errs_of(&format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}", lines.join(",\n")))
}

fn good() -> Value {
    json!({"kind": "rest_station", "name": "A"})
}

#[test]
fn happy_path_with_all_property_kinds() {
    let fc = collection(vec![
        json!({
            "type": "Feature",
            "id": 17,
            "geometry": {"type": "Point", "coordinates": [116.8, 35.55, 52.0]},
            "properties": {
                "id": 17, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
                "kind": "caring_merchant", "name": " 爱心面馆 ", "amenities": ["drinking_water", "卫生间"],
                "opening_hours": "Mo-Su 10:00-22:00", "capacity": 20, "status": "closed",
                "external_id": 12345, "verified_on": "2024-06-15", "phone": null, "operator": "张三",
                "lon": 116.8, "lat": 35.55
            }
        }),
        point(116.9, 35.6, json!({"类型": "驿站", "名称": "B", "设施": "wifi;热水", "来源": "dept", "编号": "B-1"})),
    ]);
    let got = parse(&fc).unwrap();
    assert_eq!(got.len(), 2);
    let a = &got[0];
    assert_eq!(a.kind, StationKind::CaringMerchant);
    assert_eq!(a.name, "爱心面馆");
    assert_eq!(a.location, LonLat { lon: 116.8, lat: 35.55 });
    assert_eq!(a.amenities, [Amenity::DrinkingWater, Amenity::Toilet].into_iter().collect::<AmenitySet>());
    assert_eq!(a.capacity, Some(20));
    assert_eq!(a.status, StationStatus::Closed);
    assert_eq!(a.external_id.as_deref(), Some("12345"));
    assert_eq!(a.verified_on, NaiveDate::from_ymd_opt(2024, 6, 15));
    assert_eq!(a.phone, None);
    assert_eq!(a.source.as_deref(), Some("test"));
    let b = &got[1];
    assert_eq!((b.kind, b.name.as_str()), (StationKind::RestStation, "B"));
    assert_eq!(b.amenities, [Amenity::Wifi, Amenity::HotWater].into_iter().collect::<AmenitySet>());
    assert_eq!((b.source.as_deref(), b.external_id.as_deref()), (Some("dept"), Some("B-1")));
}

#[test]
fn gcj02_input_is_converted() {
    let wgs = LonLat { lon: 116.7852, lat: 35.553 };
    let g = Crs::Gcj02.from_wgs84(wgs);
    let fc = collection(vec![point(g.lon, g.lat, good())]);
    let o = ImportOptions { crs: Crs::Gcj02, ..opts() };
    let got = parse_stations(fc.to_string().as_bytes(), &o).unwrap()[0].location;
    assert!((got.lon - wgs.lon).abs() < 1e-8 && (got.lat - wgs.lat).abs() < 1e-8, "{got:?}");
}

#[test]
fn not_json() {
    assert_eq!(
        parse_stations(b"{\n\"type\": \"FeatureCollection\",\n\"features\": [,]\n}", &opts()),
        Err(ImportError::Malformed {
            line: Some(3),
            message: "JSON syntax: expected value at line 3 column 14".into()
        })
    );
}

#[test]
fn not_a_feature_collection() {
    let cases = [
        (json!([1, 2]), "GeoJSON must be an object (a FeatureCollection), not an array"),
        (point(1.0, 2.0, good()), "GeoJSON is a single Feature; wrap it in a FeatureCollection"),
        (json!({"type": "Point", "coordinates": [1, 2]}), "GeoJSON type is \"Point\"; expected \"FeatureCollection\""),
        (json!({"features": []}), "GeoJSON has no \"type\"; expected \"FeatureCollection\""),
        (json!({"type": "FeatureCollection"}), "the FeatureCollection has no \"features\""),
        (json!({"type": "FeatureCollection", "features": {}}), "\"features\" must be an array, not an object"),
    ];
    for (v, want) in cases {
        assert_eq!(parse(&v), Err(ImportError::Malformed { line: None, message: want.into() }), "{v}");
    }
}

#[test]
fn empty_collection_and_empty_file() {
    assert_eq!(parse(&collection(vec![])), Err(ImportError::NoRows));
    assert_eq!(parse_stations(b"  \n", &opts()), Err(ImportError::Empty));
}

#[test]
fn geojson_must_be_utf8() {
    let gbk = encoding_rs::GBK
        .encode(&collection(vec![point(1.0, 2.0, json!({"kind": "驿站", "name": "名"}))]).to_string())
        .0
        .into_owned();
    assert!(matches!(parse_stations(&gbk, &opts()), Err(ImportError::Encoding { encoding: "utf-8", .. })));
}

#[test]
fn features_that_are_not_points_say_which_and_why() {
    let e = errs(vec![
        point(1.0, 2.0, good()),
        json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, "properties": good()}),
        json!({"type": "Feature", "geometry": null, "properties": good()}),
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": ["116.8", 35]}, "properties": good()}),
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1]}, "properties": good()}),
        json!({"type": "Feature", "geometry": {"type": "Point"}, "properties": good()}),
        json!({"type": "Feature", "geometry": {"coordinates": [1, 2]}, "properties": good()}),
        json!({"type": "Polygon"}),
        json!({"geometry": null}),
        json!(42),
        point(200.0, 2.0, good()),
    ]);
    assert_eq!(
        e,
        [
            "line 3, features[1] (geometry.type): is \"LineString\"; only Point geometries are accepted",
            "line 4, features[2] (geometry): has no geometry; a Point is required",
            "line 5, features[3] (geometry.coordinates): must be [longitude, latitude] numbers, got [a string, a number]",
            "line 6, features[4] (geometry.coordinates): must be [longitude, latitude] (2 or 3 numbers), got 1 values",
            "line 7, features[5] (geometry.coordinates): is missing",
            "line 8, features[6] (geometry.type): is missing; expected \"Point\"",
            "line 9, features[7] (type): is \"Polygon\"; expected \"Feature\"",
            "line 10, features[8] (type): is missing; expected \"Feature\"",
            "line 11, features[9]: must be a Feature object, not a number",
            "line 12, features[10] (geometry.coordinates): longitude 200 is not a number between -180 and 180",
        ]
    );
}

#[test]
fn property_type_errors() {
    let e = errs(vec![
        point(1.0, 2.0, json!({"kind": "station", "name": 5})),
        point(1.0, 2.0, json!({"kind": "station", "name": "A", "capacity": "many"})),
        point(1.0, 2.0, json!({"kind": "station", "name": "B", "capacity": true})),
        point(1.0, 2.0, json!({"kind": "station", "name": "C", "amenities": ["wifi", 3]})),
        point(1.0, 2.0, json!({"kind": 1, "name": "D"})),
        point(1.0, 2.0, json!({"kind": "station", "name": "E", "verified_on": 20240101})),
        point(1.0, 2.0, json!({"kind": "station", "name": "F", "capacity": 2.5})),
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": [1]}),
        point(1.0, 2.0, json!({"kind": "station", "name": "G", "lon": 1.5})),
    ]);
    assert_eq!(
        e,
        [
            "line 2, features[0] (properties.name): must be a string, not a number",
            "line 3, features[1] (properties.capacity): \"many\" is not a number",
            "line 4, features[2] (properties.capacity): must be a whole number, not a boolean",
            "line 5, features[3] (properties.amenities): must be an array of strings; item 1 is a number",
            "line 6, features[4] (properties.kind): must be a string, not a number",
            "line 7, features[5] (properties.verified_on): must be a string, not a number",
            "line 8, features[6] (properties.capacity): \"2.5\" is not a whole number ≥ 0",
            "line 9, features[7] (properties): must be an object, not an array",
            "line 9, features[7] (properties.kind): is required but empty (or give a default kind)",
            "line 9, features[7] (properties.name): must not be empty",
            "line 10, features[8] (properties.lon): 1.5 disagrees with the geometry's longitude 1; coordinates come \
             from the geometry",
        ]
    );
}

#[test]
fn field_errors_and_duplicates_name_the_property() {
    let e = errs(vec![
        point(1.0, 2.0, json!({"kind": "station", "name": "A", "external_id": "x"})),
        point(1.0, 2.0, json!({"kind": "castle", "名称": " ", "status": "gone", "opening_hours": "whenever"})),
        point(1.0, 2.0, json!({"kind": "station", "name": "B", "external_id": "x"})),
        point(1.0, 2.0, json!({"kind": "station", "name": "C", "名称": "C"})),
    ]);
    assert_eq!(e.len(), 6, "{e:#?}");
    assert_eq!(
        e[0],
        "line 3, features[1] (properties.kind): unknown station kind \"castle\" (expected one of: rest_station, \
         caring_merchant, charging_cabinet, ride_hailing_bay)"
    );
    assert_eq!(e[1], "line 3, features[1] (properties.名称): must not be empty");
    assert!(e[2].starts_with("line 3, features[1] (properties.opening_hours): invalid opening_hours \"whenever\""));
    assert!(e[3].starts_with("line 3, features[1] (properties.status): unknown station status \"gone\""));
    assert_eq!(
        e[4],
        "line 4, features[2] (properties.external_id): external_id \"x\" (source \"test\") is already used on line 2"
    );
    assert_eq!(e[5], "line 5, features[3] (properties.名称): second property for name (\"name\" is one already)");
}

#[test]
fn unknown_properties_are_ignored_and_listed_once() {
    let text = collection(vec![
        point(116.8, 35.5, json!({"kind": "station", "name": "A", "colour": "red"})),
        point(116.8, 35.6, json!({"kind": "station", "name": "B", "colour": "blue", "fid": 2, "经纬度": "x"})),
        point(116.8, 35.7, json!({"kind": "station", "name": "C", "colour": "green"})),
    ])
    .to_string();
    let p = preview_stations(text.as_bytes(), &opts()).unwrap();
    assert_eq!(p.errors, []);
    let names: Vec<(&str, Option<usize>)> =
        p.ignored_columns.iter().map(|c| (c.name.as_str(), c.column_number)).collect();
    // serde_json keeps properties in key order.
    assert_eq!(names, [("colour", None), ("fid", None), ("经纬度", None)]);
    assert_eq!(
        p.rows.iter().map(|r| (r.feature_index, r.data.name.as_str())).collect::<Vec<_>>(),
        [(Some(0), "A"), (Some(1), "B"), (Some(2), "C")]
    );
    assert_eq!(parse_stations(text.as_bytes(), &opts()).unwrap().len(), 3);
}

/// A feature without a geometry but with an address is unplaced; without an address it is an
/// error as before.
#[test]
fn features_without_a_geometry() {
    let e = errs(vec![
        json!({"type": "Feature", "geometry": null, "properties": {"kind": "驿站", "name": "甲", "地址": "兖州区建设东路12号", "opening_hours": "全天", "external_id": "E-1"}}),
        json!({"type": "Feature", "properties": {"kind": "驿站", "name": "乙", "address": "兖州区龙桥路88号"}}),
        json!({"type": "Feature", "geometry": null, "properties": {"kind": "驿站", "name": "丙", "address": " "}}),
        json!({"type": "Feature", "geometry": null, "properties": {"kind": "castle", "name": "丁", "address": "某路1号"}}),
        json!({"type": "Feature", "geometry": {"type": "Point"}, "properties": {"kind": "驿站", "name": "戊", "address": "某路2号"}}),
    ]);
    assert_eq!(
        e,
        [
            "line 2, features[0] (geometry): has an address (\"兖州区建设东路12号\") but no coordinates: give the feature a \
             Point geometry, or place it on the map in the console",
            "line 3, features[1] (geometry): has an address (\"兖州区龙桥路88号\") but no coordinates: give the feature a Point \
             geometry, or place it on the map in the console",
            "line 4, features[2] (geometry): has no geometry; a Point is required",
            "line 5, features[3] (properties.kind): unknown station kind \"castle\" (expected one of: rest_station, \
             caring_merchant, charging_cabinet, ride_hailing_bay)",
            "line 6, features[4] (geometry.coordinates): is missing",
        ],
        "an unplaced feature's own bad properties are errors; a broken geometry is not a missing one"
    );
    let text = collection(vec![
        json!({"type": "Feature", "geometry": null, "properties": {"kind": "驿站", "name": "甲", "地址": "兖州区建设东路12号", "opening_hours": "全天", "external_id": "E-1"}}),
        point(116.8, 35.55, good()),
    ])
    .to_string();
    let p = preview_stations(text.as_bytes(), &opts()).unwrap();
    assert_eq!(p.rows.len(), 1);
    let u = &p.unplaced[0];
    assert_eq!((u.line, u.feature_index, u.draft.name.as_str()), (1, Some(0), "甲"));
    assert_eq!((u.draft.external_id.as_deref(), u.hours_written.as_deref()), (Some("E-1"), Some("全天")));
    assert_eq!(u.draft.address.as_deref(), Some("兖州区建设东路12号"));
}

#[test]
fn missing_source_per_feature() {
    let o = ImportOptions { source: None, ..opts() };
    let fc = collection(vec![
        point(1.0, 2.0, json!({"kind": "station", "name": "A", "source": "s"})),
        point(1.0, 2.0, json!({"kind": "station", "name": "B"})),
    ]);
    let e = parse_stations(fc.to_string().as_bytes(), &o).unwrap_err();
    assert_eq!(
        e.row_errors(),
        [RowError {
            line: 1,
            feature_index: Some(1),
            column: Some("properties.source".into()),
            column_number: None,
            field: Some("source"),
            message: "no source: fill the source column or give a source for the import".into(),
        }]
    );
}

#[test]
fn too_many_features() {
    let fc = collection(vec![point(1.0, 2.0, good()), point(1.0, 3.0, good())]);
    let o = ImportOptions { max_rows: 1, ..opts() };
    assert_eq!(parse_stations(fc.to_string().as_bytes(), &o), Err(ImportError::TooManyRows { max: 1 }));
}

#[test]
fn lines_of_pretty_printed_features() {
    let fc = collection(vec![point(1.0, 2.0, good()), point(1.0, 2.5, json!({"kind": "station", "name": ""}))]);
    let text = serde_json::to_string_pretty(&fc).unwrap();
    let want_line = text.lines().enumerate().filter(|(_, l)| l.trim() == "{").nth(2).map(|(i, _)| i as u64 + 1);
    let e = parse_stations(text.as_bytes(), &opts()).unwrap_err();
    assert_eq!(Some(e.row_errors()[0].line), want_line, "{text}");
}

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)] // helpers take values as the tests write them
use super::*;

fn csv(text: &str) -> Result<Vec<DemandPoint>, DemandError> {
    parse_demand(text.as_bytes(), DataFormat::Csv, Crs::Wgs84)
}

fn errors(e: DemandError) -> Vec<(u64, Option<String>, Option<usize>, String)> {
    e.row_errors().iter().map(|r| (r.line, r.column.clone(), r.column_number, r.message.clone())).collect()
}

#[test]
fn csv_points_with_english_or_chinese_headers_and_default_weight() {
    let a = csv("lon,lat,weight\n116.78,35.55,2\n116.79,35.56,\n").unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!((a[0].pos.lon, a[0].pos.lat, a[0].weight), (116.78, 35.55, 2.0));
    assert_eq!(a[1].weight, 1.0);
    // Chinese headers, BOM, full-width digits, extra columns ignored, no weight column.
    let b = csv("\u{FEFF}序号,经度,纬度,时间\n1,１１６.７８,35.55,08:00\n2,116.79,35.56,09:00\n").unwrap();
    assert_eq!(b.iter().map(|p| (p.pos.lon, p.weight)).collect::<Vec<_>>(), [(116.78, 1.0), (116.79, 1.0)]);
    let c = csv("经度,纬度,需求\n116.78,35.55,3.5\n").unwrap();
    assert_eq!(c[0].weight, 3.5);
    let d = csv("Longitude, Latitude ,权重\r\n116.78,35.55,0\r\n").unwrap();
    assert_eq!(d[0].weight, 0.0);
}

#[test]
fn gbk_and_other_coordinate_systems() {
    let (bytes, _, _) = encoding_rs::GBK.encode("经度,纬度,权重\n116.78,35.55,2\n");
    let a = parse_demand(&bytes, DataFormat::Csv, Crs::Wgs84).unwrap();
    assert_eq!(a[0].weight, 2.0);
    // GCJ-02 input is converted to WGS-84, as the station importer does.
    let gcj = Crs::Gcj02.from_wgs84(LonLat { lon: 116.78, lat: 35.55 });
    let text = format!("lon,lat\n{},{}\n", gcj.lon, gcj.lat);
    let b = parse_demand(text.as_bytes(), DataFormat::Csv, Crs::Gcj02).unwrap();
    assert!((b[0].pos.lon - 116.78).abs() < 1e-5 && (b[0].pos.lat - 35.55).abs() < 1e-5, "{:?}", b[0].pos);
}

#[test]
fn h3_cells_with_weights_use_the_cell_centre() {
    let cell = h3o::LatLng::new(35.55, 116.78).unwrap().to_cell(h3o::Resolution::Nine);
    let a = csv(&format!("h3,weight\n{cell},7\n")).unwrap();
    let centre = cell_centre(cell);
    assert_eq!((a[0].pos, a[0].weight), (centre, 7.0));
    let e = csv("h3,weight\nnot-a-cell,1\n").unwrap_err();
    assert_eq!(errors(e)[0].0, 2);
    // Either position form, not both.
    assert!(matches!(csv("lon,lat,h3\n1,2,3\n"), Err(ImportError::Rows { .. })));
    assert!(matches!(csv("lon,weight\n1,2\n"), Err(ImportError::Rows { .. })));
}

#[test]
fn every_bad_row_is_reported_and_nothing_is_returned() {
    let e = csv("lon,lat,weight\n116.78,35.55,-1\n116.78,35.55,1\n200,35.55,NaN\n116.78,abc,1\n116.78,35.55\n")
        .unwrap_err();
    let list = errors(e);
    assert_eq!(list.len(), 5, "{list:?}");
    assert_eq!((list[0].0, list[0].1.as_deref(), list[0].2), (2, Some("weight"), Some(3)));
    assert!(list[0].3.contains("-1"), "{}", list[0].3);
    assert_eq!((list[1].0, list[1].1.as_deref()), (4, Some("lon")));
    assert_eq!((list[2].0, list[2].1.as_deref()), (4, Some("weight")));
    assert_eq!((list[3].0, list[3].1.as_deref()), (5, Some("lat")));
    assert_eq!((list[4].0, list[4].1.as_deref()), (6, None));
    assert_eq!(csv("lon,lat\n"), Err(ImportError::NoRows));
    assert_eq!(csv(""), Err(ImportError::Empty));
    assert!(matches!(csv("lon,lat,lng\n1,2,3\n"), Err(ImportError::Rows { .. })));
}

#[test]
fn geojson_points_and_cells() {
    let cell = h3o::LatLng::new(35.55, 116.78).unwrap().to_cell(h3o::Resolution::Ten);
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[
{{"type":"Feature","geometry":{{"type":"Point","coordinates":[116.78,35.55]}},"properties":{{"weight":2,"rider":"x"}}}},
{{"type":"Feature","geometry":{{"type":"Point","coordinates":[116.79,35.56]}},"properties":{{"权重":"3"}}}},
{{"type":"Feature","geometry":{{"type":"Point","coordinates":[116.80,35.57]}},"properties":null}},
{{"type":"Feature","geometry":null,"properties":{{"h3":"{cell}","weight":4}}}}
]}}"#
    );
    let a = parse_demand(text.as_bytes(), DataFormat::GeoJson, Crs::Wgs84).unwrap();
    assert_eq!(a.iter().map(|p| p.weight).collect::<Vec<_>>(), [2.0, 3.0, 1.0, 4.0]);
    assert_eq!(a[3].pos, cell_centre(cell));
    let bad = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[116.78,35.55]},"properties":{"weight":-2}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[116.78,95]},"properties":{"weight":true}}
]}"#;
    let e = parse_demand(bad.as_bytes(), DataFormat::GeoJson, Crs::Wgs84).unwrap_err();
    let rows = e.row_errors();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(
        (rows[0].line, rows[0].feature_index, rows[0].column.as_deref()),
        (2, Some(0), Some("properties.weight"))
    );
    assert_eq!((rows[1].line, rows[1].column.as_deref()), (3, Some("geometry.type")));
    assert_eq!((rows[2].line, rows[2].column.as_deref()), (4, Some("geometry.coordinates")));
    assert_eq!((rows[3].line, rows[3].column.as_deref()), (4, Some("properties.weight")));
    assert!(matches!(parse_demand(b"[]", DataFormat::GeoJson, Crs::Wgs84), Err(ImportError::Malformed { .. })));
}

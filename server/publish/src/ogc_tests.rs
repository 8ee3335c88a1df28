#![allow(clippy::unwrap_used)]

use super::*;
use crate::tiles::DISTRICTS;

#[test]
fn page_links_keep_the_query_and_replace_paging() {
    let q = QueryParams::parse(Some("bbox=116,35,117,36&offset=20&limit=5&f=json"), &["bbox", "limit", "offset", "f"])
        .unwrap();
    let href = page_href("http://h:1", "stations", &q, 5, 25);
    assert_eq!(href, "http://h:1/ogc/collections/stations/items?bbox=116%2C35%2C117%2C36&f=json&limit=5&offset=25");
}

#[test]
fn boxes_meet_by_extent() {
    let yanzhou = DISTRICTS.iter().find(|d| d.name == "兖州区").unwrap();
    let r = yanzhou.boundary.bounding_rect();
    assert!(meets(r, &BBox::new(116.7, 35.5, 116.8, 35.6).unwrap()));
    assert!(!meets(r, &BBox::new(100.0, 20.0, 101.0, 21.0).unwrap()));
    assert!(!meets(None, &BBox::new(100.0, 20.0, 101.0, 21.0).unwrap()));
    assert_eq!(DISTRICTS.len(), 11, "the 11 districts and counties of 济宁市");
}

#[test]
fn only_json_is_offered() {
    assert!(parse_query(Some("f=json"), &["f"]).is_ok());
    assert_eq!(parse_query(Some("f=html"), &["f"]).unwrap_err().error.field.as_deref(), Some("f"));
    assert_eq!(parse_query(Some("g=1"), &["f"]).unwrap_err().error.field.as_deref(), Some("g"));
}

#[test]
fn polygon_features_are_multipolygons_named_by_id() {
    let d = DISTRICTS.iter().find(|d| d.name == "兖州区").unwrap();
    let f = polygon_feature(&d.name, &d.boundary, json!({"name": d.name}));
    assert_eq!(f["id"], "兖州区");
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    let ring = f["geometry"]["coordinates"][0][0].as_array().unwrap();
    assert!(ring.len() > 10 && ring.first() == ring.last());
}

#[test]
fn coverage_collections_are_titled_in_chinese() {
    use crate::data::AnalysisSummary;
    let mut a = AnalysisSummary {
        id: "cov_1".into(),
        area: Some("兖州区".into()),
        method: "network".into(),
        minutes: vec![10, 15],
        resolution: Some(9),
        cells: 42,
        bbox: [116.6, 35.4, 116.9, 35.7],
    };
    assert_eq!(a.title_zh(), "兖州区覆盖分析（H3 分辨率 9，10/15 分钟）");
    let doc = coverage_doc("http://h:1", &a);
    assert_eq!(doc["id"], "cov_1");
    assert_eq!(doc["extent"]["spatial"]["bbox"][0], json!([116.6, 35.4, 116.9, 35.7]));
    assert_eq!(doc["links"][1]["href"], "http://h:1/ogc/collections/cov_1/items");
    assert!(doc["description"].as_str().unwrap().contains("42 cells, road network"));
    (a.area, a.resolution, a.minutes) = (None, None, Vec::new());
    assert_eq!(a.title_zh(), "自定义区域覆盖分析");
}

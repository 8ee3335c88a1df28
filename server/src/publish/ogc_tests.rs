#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn page_links_keep_the_query_and_replace_paging() {
    let q = QueryParams::parse(Some("bbox=116,35,117,36&offset=20&limit=5&f=json"), &["bbox", "limit", "offset", "f"])
        .unwrap();
    let href = page_href("http://h:1", "stations", &q, 5, 25);
    assert_eq!(href, "http://h:1/ogc/collections/stations/items?bbox=116%2C35%2C117%2C36&f=json&limit=5&offset=25");
}

#[test]
fn districts_meet_boxes_by_their_extent() {
    let yanzhou = DISTRICTS.iter().find(|d| d.name == "兖州区").unwrap();
    assert!(district_meets(yanzhou, &BBox::new(116.7, 35.5, 116.8, 35.6).unwrap()));
    assert!(!district_meets(yanzhou, &BBox::new(100.0, 20.0, 101.0, 21.0).unwrap()));
    assert_eq!(DISTRICTS.len(), 11, "the 11 districts and counties of 济宁市");
}

#[test]
fn only_json_is_offered() {
    assert!(parse_query(Some("f=json"), &["f"]).is_ok());
    assert_eq!(parse_query(Some("f=html"), &["f"]).unwrap_err().error.field.as_deref(), Some("f"));
    assert_eq!(parse_query(Some("g=1"), &["f"]).unwrap_err().error.field.as_deref(), Some("g"));
}

#[test]
fn district_features_are_multipolygons_named_by_id() {
    let f = district_feature(DISTRICTS.iter().find(|d| d.name == "兖州区").unwrap());
    assert_eq!(f["id"], "兖州区");
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    let ring = f["geometry"]["coordinates"][0][0].as_array().unwrap();
    assert!(ring.len() > 10 && ring.first() == ring.last());
}

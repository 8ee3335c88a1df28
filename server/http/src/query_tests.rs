#![allow(clippy::unwrap_used)]

use super::*;
use axum::http::StatusCode;
use chrono::TimeZone;
use yizhan_planner::amenity::Amenity;

const TZ: Tz = chrono_tz::Asia::Shanghai;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 4, 0, 0).unwrap()
}

fn nearest(raw: &str) -> Result<NearestQuery, ApiError> {
    NearestQuery::parse(Some(raw), &Limits::default(), TZ, now())
}

fn list(raw: &str) -> Result<ListQuery, ApiError> {
    ListQuery::parse(Some(raw), &Limits::default(), TZ, now())
}

/// (status, code, field) of an error.
fn fail<T: std::fmt::Debug>(r: Result<T, ApiError>) -> (StatusCode, String, Option<String>) {
    let e = r.unwrap_err();
    (e.status, e.error.code, e.error.field)
}

fn bad(code: &str, field: &str) -> (StatusCode, String, Option<String>) {
    (StatusCode::BAD_REQUEST, code.to_owned(), Some(field.to_owned()))
}

#[test]
fn nearest_defaults() {
    let q = nearest("lon=116.78&lat=35.55").unwrap();
    assert_eq!(q.origin, LonLat { lon: 116.78, lat: 35.55 });
    assert_eq!(q.k, DEFAULT_K);
    assert_eq!(q.mode, TravelMode::Ebike);
    assert_eq!(q.radius_m, None);
    assert_eq!(
        q.filter,
        Filter {
            kinds: KindSet::ALL,
            statuses: StatusSet::ACTIVE,
            amenities: AmenitySet::EMPTY,
            min_capacity: None,
            open_at: None
        }
    );
}

#[test]
fn nearest_every_parameter() {
    let q = nearest(
        "lon=116.78&lat=35.55&k=12&kind=rest_station,%E7%88%B1%E5%BF%83%E5%95%86%E6%88%B7&amenity=toilet\
         &amenity=%E9%A5%AE%E7%94%A8%E6%B0%B4,wifi&open_now=true&radius_m=2500.5&mode=walk&crs=wgs84\
         &min_capacity=4&status=active,planned",
    )
    .unwrap();
    assert_eq!(q.k, 12);
    assert_eq!(q.mode, TravelMode::Walk);
    assert_eq!(q.radius_m, Some(2500.5));
    assert_eq!(q.filter.kinds, [StationKind::RestStation, StationKind::CaringMerchant].into_iter().collect());
    assert_eq!(
        q.filter.amenities,
        [Amenity::Toilet, Amenity::DrinkingWater, Amenity::Wifi].into_iter().collect::<AmenitySet>()
    );
    assert_eq!(q.filter.statuses, [StationStatus::Active, StationStatus::Planned].into_iter().collect());
    assert_eq!(q.filter.min_capacity, Some(4));
    assert_eq!(q.filter.open_at, Some(OpenAt { at: now(), tz: TZ }));
}

#[test]
fn crs_converts_origin_to_wgs84() {
    let given = LonLat { lon: 116.790_123, lat: 35.553_21 };
    let q = nearest("lon=116.790123&lat=35.55321&crs=gcj02").unwrap();
    assert_eq!(q.origin, Crs::Gcj02.to_wgs84(given));
    assert!((q.origin.lon - given.lon).abs() > 1e-4, "GCJ-02 input must be shifted");
    let q = nearest("lon=116.790123&lat=35.55321&crs=bd09").unwrap();
    assert_eq!(q.origin, Crs::Bd09.to_wgs84(given));
    assert_eq!(fail(nearest("lon=1&lat=2&crs=utm")), bad("invalid_parameter", "crs"));
}

#[test]
fn coordinates_are_checked() {
    assert_eq!(fail(nearest("lat=35")), bad("missing_parameter", "lon"));
    assert_eq!(fail(nearest("lon=116")), bad("missing_parameter", "lat"));
    assert_eq!(fail(nearest("")), bad("missing_parameter", "lon"));
    assert_eq!(fail(nearest("lon=181&lat=35")), bad("invalid_parameter", "lon"));
    assert_eq!(fail(nearest("lon=-180.5&lat=35")), bad("invalid_parameter", "lon"));
    assert_eq!(fail(nearest("lon=116&lat=90.01")), bad("invalid_parameter", "lat"));
    assert_eq!(fail(nearest("lon=116&lat=NaN")), bad("invalid_parameter", "lat"));
    assert_eq!(fail(nearest("lon=inf&lat=35")), bad("invalid_parameter", "lon"));
    assert_eq!(fail(nearest("lon=116&lat=abc")), bad("invalid_parameter", "lat"));
    assert_eq!(fail(nearest("lon=116,1&lat=35")), bad("invalid_parameter", "lon"));
    assert_eq!(fail(nearest("lon=&lat=35")), bad("invalid_parameter", "lon"));
    // Edges are valid.
    assert_eq!(nearest("lon=-180&lat=-90").unwrap().origin, LonLat { lon: -180.0, lat: -90.0 });
}

#[test]
fn k_and_radius_bounds() {
    let limits = Limits::default();
    assert_eq!(nearest("lon=1&lat=2&k=1").unwrap().k, 1);
    assert_eq!(nearest(&format!("lon=1&lat=2&k={}", limits.max_k)).unwrap().k, limits.max_k);
    for k in ["0", "101", "-1", "1.5", "five", "99999999999999999999999"] {
        assert_eq!(fail(nearest(&format!("lon=1&lat=2&k={k}"))), bad("invalid_parameter", "k"), "k={k}");
    }
    assert_eq!(nearest("lon=1&lat=2&radius_m=1").unwrap().radius_m, Some(1.0));
    assert_eq!(nearest("lon=1&lat=2&radius_m=200000").unwrap().radius_m, Some(200_000.0));
    for r in ["0", "0.5", "200000.1", "-5", "NaN", "far"] {
        assert_eq!(fail(nearest(&format!("lon=1&lat=2&radius_m={r}"))), bad("invalid_parameter", "radius_m"), "{r}");
    }
    let small = Limits { max_k: 3, max_radius_m: 1000, ..Limits::default() };
    assert_eq!(fail(NearestQuery::parse(Some("lon=1&lat=2&k=4"), &small, TZ, now())), bad("invalid_parameter", "k"));
    // The default k never exceeds max_k.
    assert_eq!(NearestQuery::parse(Some("lon=1&lat=2"), &small, TZ, now()).unwrap().k, 3);
}

#[test]
fn unknown_values_name_their_parameter() {
    assert_eq!(fail(nearest("lon=1&lat=2&mode=boat")), bad("invalid_parameter", "mode"));
    assert_eq!(fail(nearest("lon=1&lat=2&kind=hotel")), bad("invalid_parameter", "kind"));
    assert_eq!(fail(nearest("lon=1&lat=2&kind=rest_station,hotel")), bad("invalid_parameter", "kind"));
    assert_eq!(fail(nearest("lon=1&lat=2&amenity=toilet&amenity=sauna")), bad("invalid_parameter", "amenity"));
    assert_eq!(fail(nearest("lon=1&lat=2&status=open")), bad("invalid_parameter", "status"));
    assert_eq!(fail(nearest("lon=1&lat=2&min_capacity=-1")), bad("invalid_parameter", "min_capacity"));
    assert_eq!(fail(nearest("lon=1&lat=2&open_now=maybe")), bad("invalid_parameter", "open_now"));
    let e = nearest("lon=1&lat=2&amenity=sauna").unwrap_err();
    assert!(e.error.message.contains("\"sauna\""), "{}", e.error.message);
    assert!(e.error.message.contains("drinking_water"), "lists the accepted codes: {}", e.error.message);
}

#[test]
fn unknown_and_repeated_parameters() {
    let e = nearest("lon=1&lat=2&kinds=rest_station").unwrap_err();
    assert_eq!(
        (e.status, e.error.code.as_str(), e.error.field.as_deref()),
        (StatusCode::BAD_REQUEST, "unknown_parameter", Some("kinds"))
    );
    assert!(e.error.message.contains("did you mean \"kind\""), "{}", e.error.message);
    // `bbox` belongs to the list endpoint, not to nearest.
    assert_eq!(fail(nearest("lon=1&lat=2&bbox=1,2,3,4")), bad("unknown_parameter", "bbox"));
    // Names are case-sensitive.
    assert_eq!(fail(nearest("LON=1&lat=2")), bad("unknown_parameter", "LON"));
    assert_eq!(fail(nearest("lon=1&lat=2&lon=3")), bad("duplicate_parameter", "lon"));
    assert_eq!(fail(nearest("lon=1&lat=2&k=3&k=3")), bad("duplicate_parameter", "k"));
    // Repeated list parameters are fine.
    let q = nearest("lon=1&lat=2&kind=rest_station&kind=bay").unwrap();
    assert_eq!(q.filter.kinds, [StationKind::RestStation, StationKind::RideHailingBay].into_iter().collect());
}

#[test]
fn empty_values_are_errors() {
    assert_eq!(fail(nearest("lon=1&lat=2&k=")), bad("invalid_parameter", "k"));
    assert_eq!(fail(nearest("lon=1&lat=2&kind=")), bad("invalid_parameter", "kind"));
    assert_eq!(fail(nearest("lon=1&lat=2&amenity=,")), bad("invalid_parameter", "amenity"));
    assert_eq!(fail(nearest("lon=1&lat=2&mode")), bad("invalid_parameter", "mode"));
}

#[test]
fn status_all_and_labels() {
    assert_eq!(nearest("lon=1&lat=2&status=all").unwrap().filter.statuses, StatusSet::ALL);
    assert_eq!(
        nearest("lon=1&lat=2&status=%E8%A7%84%E5%88%92%E4%B8%AD").unwrap().filter.statuses,
        [StationStatus::Planned].into_iter().collect()
    );
}

#[test]
fn open_at_forms() {
    let q = nearest("lon=1&lat=2&at=2025-01-31T08:30:00%2B08:00").unwrap();
    assert_eq!(q.filter.open_at, Some(OpenAt { at: Utc.with_ymd_and_hms(2025, 1, 31, 0, 30, 0).unwrap(), tz: TZ }));
    let q = nearest("lon=1&lat=2&open_now=1&at=2025-01-31T00:30:00Z").unwrap();
    assert_eq!(q.filter.open_at.unwrap().at, Utc.with_ymd_and_hms(2025, 1, 31, 0, 30, 0).unwrap());
    assert_eq!(nearest("lon=1&lat=2&open_now=false").unwrap().filter.open_at, None);
    assert_eq!(
        fail(nearest("lon=1&lat=2&open_now=false&at=2025-01-31T00:30:00Z")),
        bad("invalid_parameter", "open_now")
    );
    for at in ["yesterday", "2025-01-31", "2025-01-31T08:30:00", "2025-13-01T00:00:00Z"] {
        assert_eq!(fail(nearest(&format!("lon=1&lat=2&at={at}"))), bad("invalid_parameter", "at"), "{at}");
    }
    // A `+` not percent-encoded decodes as a space, which is not RFC 3339: an error, not a guess.
    assert_eq!(fail(nearest("lon=1&lat=2&at=2025-01-31T08:30:00+08:00")), bad("invalid_parameter", "at"));
}

#[test]
fn list_defaults_and_paging() {
    let q = list("").unwrap();
    assert_eq!((q.limit, q.offset), (DEFAULT_PAGE_SIZE, 0));
    assert_eq!(q.filter, Filter::default());
    assert_eq!((q.bbox, q.district, q.street, q.text), (None, None, None, None));
    let q = list("limit=0&offset=12").unwrap();
    assert_eq!((q.limit, q.offset), (0, 12));
    assert_eq!(list("limit=5000").unwrap().limit, 5000);
    assert_eq!(fail(list("limit=5001")), bad("invalid_parameter", "limit"));
    assert_eq!(fail(list("offset=-1")), bad("invalid_parameter", "offset"));
    let small = Limits { max_page_size: 10, ..Limits::default() };
    assert_eq!(ListQuery::parse(None, &small, TZ, now()).unwrap().limit, 10);
    assert_eq!(fail(list("lon=1")), bad("unknown_parameter", "lon"));
}

#[test]
fn list_text_filters() {
    let q = list("district=%E5%85%96%E5%B7%9E%E5%8C%BA&street=%E9%BC%93%E6%A5%BC%E8%A1%97%E9%81%93&q=%E9%BC%93%E6%A5%BC+%E8%A1%97")
        .unwrap();
    assert_eq!(q.district.as_deref(), Some("兖州区"));
    assert_eq!(q.street.as_deref(), Some("鼓楼街道"));
    assert_eq!(q.text.as_deref(), Some("鼓楼 街"));
    assert_eq!(list("q=Yanzhou").unwrap().text.as_deref(), Some("yanzhou"));
}

#[test]
fn bbox_forms() {
    let q = list("bbox=116.7,35.5,116.9,35.6").unwrap();
    assert_eq!(q.bbox, Some(BBox { min_lon: 116.7, min_lat: 35.5, max_lon: 116.9, max_lat: 35.6 }));
    for b in [
        "116.7,35.5,116.9",
        "116.7,35.5,116.9,35.6,1",
        "a,35.5,116.9,35.6",
        "116.9,35.5,116.7,35.6",
        "116,-91,117,0",
        "NaN,1,2,3",
    ] {
        assert_eq!(fail(list(&format!("bbox={b}"))), bad("invalid_parameter", "bbox"), "{b}");
    }
}

#[test]
fn pairs_keep_order_and_decode() {
    let q = QueryParams::parse(Some("b=2&a=%E4%B8%80+1&b=3"), &["a", "b"]).unwrap();
    assert_eq!(
        q.pairs(),
        &[("b".to_owned(), "2".to_owned()), ("a".to_owned(), "一 1".to_owned()), ("b".to_owned(), "3".to_owned())]
    );
    assert_eq!(q.list("b").unwrap(), Some(vec!["2", "3"]));
    assert_eq!(q.single("a").unwrap(), Some("一 1"));
    assert_eq!(q.single("c").unwrap(), None);
    assert_eq!(QueryParams::parse(None, &[]).unwrap(), QueryParams::default());
    assert_eq!(fail(QueryParams::parse(Some("x=1"), &[])), bad("unknown_parameter", "x"));
}

#[test]
fn lowercase_containment_equals_lowercasing_both() {
    let hays = [
        "鼓楼街道户外劳动者驿站",
        "Gulou Street Station 12",
        "ÉCOLE Station",
        "İstanbul",
        "Straße",
        "",
        "新驿镇 Xinyi TOWN",
        "ΑΘΗΝΑ",
        "Gulou 鼓楼 STATION（一号）",
        "ＡＢＣ驿站１号",
    ];
    let needles = [
        "驿站",
        "station",
        "gulou",
        "école",
        "i̇st",
        "strasse",
        "straße",
        "",
        "town",
        "xinyi t",
        "αθη",
        "zz",
        "鼓楼 s",
        "（一号）",
        "１号",
        "ａｂｃ",
        "12",
        "\u{307}",
    ];
    for h in hays {
        for n in needles {
            let n = n.to_lowercase();
            assert_eq!(contains_lowercase(h, &n), h.to_lowercase().contains(&n), "{h:?} ∋ {n:?}");
        }
    }
}

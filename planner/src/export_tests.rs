#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
use super::*;
use crate::amenity::{Amenity, AmenitySet};
use crate::geodesy::LonLat;
use crate::hours::OpeningHours;
use crate::import::{Format, ImportOptions, parse_stations};
use crate::station::{StationKind, StationStatus};
use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

fn full(id: i64) -> Station {
    Station {
        id,
        data: StationData {
            kind: StationKind::CaringMerchant,
            name: "爱心面馆, \"老王\"".into(),
            address: Some("兖州区建设路1号\n（北门）".into()),
            district: Some("兖州区".into()),
            street: Some("鼓楼街道".into()),
            location: LonLat { lon: 116.785_212_345_678_9, lat: 35.553_012_345_678_9 },
            amenities: [Amenity::DrinkingWater, Amenity::Microwave, Amenity::Discount].into_iter().collect(),
            opening_hours: Some(OpeningHours::parse("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00").unwrap()),
            capacity: Some(20),
            operator: Some("王某".into()),
            phone: Some("+86 537-3412345".into()),
            offer: Some("骑手凭工牌九折；免费热水".into()),
            status: StationStatus::Closed,
            source: Some("兖州区总工会".into()),
            external_id: Some("M-0001".into()),
            verified_on: NaiveDate::from_ymd_opt(2024, 6, 15),
        },
        created_at: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
        updated_at: Utc.with_ymd_and_hms(2024, 7, 8, 9, 10, 11).unwrap(),
    }
}

fn minimal(id: i64, kind: StationKind) -> Station {
    Station {
        id,
        data: StationData {
            kind,
            name: format!("站{id}"),
            address: None,
            district: None,
            street: None,
            location: LonLat { lon: -0.5, lat: 51.25 },
            amenities: AmenitySet::EMPTY,
            opening_hours: None,
            capacity: None,
            operator: None,
            phone: None,
            offer: None,
            status: StationStatus::Active,
            source: Some("s".into()),
            external_id: Some(format!("e{id}")),
            verified_on: None,
        },
        created_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
        updated_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn stations() -> Vec<Station> {
    let mut v = vec![full(1)];
    v.extend(StationKind::ALL.iter().enumerate().map(|(i, &k)| minimal(i as i64 + 2, k)));
    v
}

fn reimport(bytes: &[u8], format: Format) -> Vec<StationData> {
    parse_stations(bytes, &ImportOptions { format, ..ImportOptions::default() }).unwrap()
}

#[test]
fn geojson_shape() {
    let v = to_geojson(stations());
    assert_eq!(v["type"], "FeatureCollection");
    let f = &v["features"][0];
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["id"], 1);
    assert_eq!(f["geometry"], json!({"type": "Point", "coordinates": [116.785_212_345_678_9, 35.553_012_345_678_9]}));
    let p = &f["properties"];
    assert_eq!(p["id"], 1);
    assert_eq!(p["kind"], "caring_merchant");
    assert_eq!(p["amenities"], json!(["drinking_water", "microwave", "discount"]));
    assert_eq!(p["opening_hours"], "Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00");
    assert_eq!(p["verified_on"], "2024-06-15");
    assert_eq!(p["status"], "closed");
    assert_eq!(p["created_at"], "2024-01-02T03:04:05Z");
    assert_eq!(p["updated_at"], "2024-07-08T09:10:11Z");
    assert!(p.get("location").is_none());
    let minimal = &v["features"][1]["properties"];
    assert!(minimal.get("address").is_none(), "absent fields are omitted");
    assert_eq!(minimal["amenities"], json!([]));
    assert_eq!(to_geojson_string(stations()), v.to_string());
    // Works from references and from Arcs alike.
    let arcs: Vec<std::sync::Arc<Station>> = stations().into_iter().map(std::sync::Arc::new).collect();
    assert_eq!(to_geojson(arcs), v);
    assert_eq!(to_geojson(Vec::<Station>::new()), json!({"type": "FeatureCollection", "features": []}));
}

#[test]
fn csv_is_excel_friendly() {
    let bytes = to_csv(stations(), HeaderLang::default());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let first = text.split("\r\n").next().unwrap();
    assert_eq!(
        first,
        "系统编号,类型,名称,地址,区县,街道,经度,纬度,设施,开放时间,容量,运营单位,电话,优惠,状态,来源,外部编号,核验日期,创建时间,更新时间"
    );
    // Every record ends in CRLF; the only bare LF is inside the quoted address.
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count() + 1);
    assert!(text.contains("\"兖州区建设路1号\n（北门）\""));
    assert!(text.contains(",爱心商户,\"爱心面馆, \"\"老王\"\"\","));
    assert!(text.contains(",饮用水;微波炉热饭;优惠折扣,"));
    assert!(text.contains(",已关闭,"));
    assert!(text.contains(",2024-06-15,2024-01-02T03:04:05+00:00,2024-07-08T09:10:11+00:00\r\n"));

    let en = to_csv(stations(), HeaderLang::En);
    let text = std::str::from_utf8(&en[3..]).unwrap();
    assert!(text.starts_with(
        "id,kind,name,address,district,street,lon,lat,amenities,opening_hours,capacity,operator,phone,offer,status,\
         source,external_id,verified_on,created_at,updated_at\r\n1,caring_merchant,"
    ));
    assert!(text.contains(",drinking_water;microwave;discount,"));
    assert!(text.contains(",116.7852123456789,35.5530123456789,"));
}

#[test]
fn header_lang_parses() {
    assert_eq!("ZH".parse::<HeaderLang>(), Ok(HeaderLang::Zh));
    assert_eq!("en".parse::<HeaderLang>(), Ok(HeaderLang::En));
    assert!("fr".parse::<HeaderLang>().is_err());
    assert_eq!(HeaderLang::default(), HeaderLang::Zh);
}

#[test]
fn csv_and_geojson_round_trip() {
    let want: Vec<StationData> = stations().into_iter().map(|s| s.data).collect();
    assert_eq!(reimport(&to_csv(stations(), HeaderLang::Zh), Format::Csv), want, "CSV, Chinese headers");
    assert_eq!(reimport(&to_csv(stations(), HeaderLang::En), Format::Csv), want, "CSV, English headers");
    assert_eq!(reimport(to_geojson_string(stations()).as_bytes(), Format::GeoJson), want, "GeoJSON");
}

#[test]
fn stations_without_external_ids_round_trip_to_stable_derived_ids() {
    let mut s = minimal(9, StationKind::RestStation);
    s.data.external_id = None;
    let once = reimport(&to_csv([&s], HeaderLang::Zh), Format::Csv);
    let derived = once[0].external_id.clone();
    assert!(derived.as_deref().is_some_and(|id| id.starts_with("auto:")));
    // Exporting what was imported and importing it again keeps the id.
    let again = Station { data: once[0].clone(), ..s };
    assert_eq!(reimport(&to_csv([&again], HeaderLang::En), Format::Csv)[0].external_id, derived);
    assert_eq!(reimport(to_geojson_string([&again]).as_bytes(), Format::GeoJson)[0].external_id, derived);
}

fn text() -> impl Strategy<Value = String> {
    // Printable text with the characters CSV must quote, Chinese, and surrounding spaces (which
    // import trims, so they are trimmed before comparing).
    "[ a-zA-Z0-9,\"';\n\\t鼓楼驿站（）、，]{1,30}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_text_and_positions_round_trip(
        name in text(),
        address in proptest::option::of(text()),
        offer in proptest::option::of(text()),
        lon in -180.0f64..=180.0,
        lat in -90.0f64..=90.0,
        amenities in 0u32..(1 << Amenity::ALL.len()),
        capacity in proptest::option::of(0u32..=100_000),
    ) {
        let mut s = minimal(1, StationKind::RideHailingBay);
        s.data.name = name;
        s.data.address = address;
        s.data.offer = offer;
        s.data.location = LonLat { lon, lat };
        s.data.amenities = Amenity::ALL.iter().enumerate().filter(|(i, _)| amenities & (1 << i) != 0).map(|(_, a)| *a).collect();
        s.data.capacity = capacity;
        let mut want = s.data.clone();
        prop_assume!(want.normalize_and_validate().is_ok());
        s.data = want.clone();
        for lang in [HeaderLang::Zh, HeaderLang::En] {
            prop_assert_eq!(&reimport(&to_csv([&s], lang), Format::Csv)[0], &want);
        }
        prop_assert_eq!(&reimport(to_geojson_string([&s]).as_bytes(), Format::GeoJson)[0], &want);
    }
}

#[test]
fn csv_quotes_formula_text_and_round_trips_it() {
    let mut s = minimal(7, StationKind::CaringMerchant);
    s.data.name = "=HYPERLINK(\"http://x\",\"点我\")".to_owned();
    s.data.phone = Some("+86 537 3412345".to_owned());
    s.data.offer = Some("@SUM(A1:A9)".to_owned());
    s.data.operator = Some("-1+2".to_owned());
    s.data.address = Some("'已有引号".to_owned());
    let bytes = to_csv([&s], HeaderLang::En);
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let row = text.split("\r\n").nth(1).unwrap();
    assert!(row.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\","), "{row}");
    assert!(row.contains(",'+86 537 3412345,"), "{row}");
    assert!(row.contains(",'@SUM(A1:A9),"), "{row}");
    assert!(row.contains(",'-1+2,"), "{row}");
    // A leading quote before ordinary text is data, kept as it is.
    assert!(row.contains(",'已有引号,"), "{row}");
    assert_eq!(reimport(&bytes, Format::Csv), vec![s.data], "the quoting is removed on import");
}

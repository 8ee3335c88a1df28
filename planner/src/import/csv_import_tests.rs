//! CSV import: happy paths and one test per class of bad input, each asserting the exact line,
//! column and message.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use crate::amenity::{Amenity, AmenitySet};
use crate::crs::Crs;
use crate::geodesy::LonLat;
use crate::hours::OpeningHours;
use crate::import::{
    EncodingChoice, IgnoredColumn, ImportError, ImportOptions, MAX_LISTED_ERRORS, RowError, derived_external_id,
    parse_stations, preview_stations,
};
use crate::station::{StationData, StationKind, StationStatus};
use chrono::NaiveDate;
use std::fmt::Write as _;

fn opts() -> ImportOptions {
    ImportOptions { source: Some("test".into()), ..ImportOptions::default() }
}

fn parse(csv: &str) -> Result<Vec<StationData>, ImportError> {
    parse_stations(csv.as_bytes(), &opts())
}

fn rows(err: ImportError) -> Vec<RowError> {
    match err {
        ImportError::Rows { errors, omitted: 0 } => errors,
        other => panic!("expected row errors, got {other:?}"),
    }
}

/// The errors of a file that must fail, as their display strings.
fn errs_with(csv: &str, o: &ImportOptions) -> Vec<String> {
    let e = parse_stations(csv.as_bytes(), o).expect_err("the file must be rejected");
    rows(e).iter().map(ToString::to_string).collect()
}

fn errs(csv: &str) -> Vec<String> {
    errs_with(csv, &opts())
}

/// A one-row file with the usual header and `row` as its data.
fn one(row: &str) -> String {
    format!("kind,name,lon,lat,amenities,opening_hours,capacity,status,verified_on,phone,external_id\n{row}\n")
}

#[test]
fn english_headers_all_fields() {
    let csv = "kind,name,address,district,street,lon,lat,amenities,opening_hours,capacity,operator,phone,offer,status,source,external_id,verified_on\n\
        rest_station, 鼓楼驿站 ,建设东路12号,兖州区,鼓楼街道,116.8,35.55,drinking_water;wifi,Mo-Su 07:00-21:00,12,总工会,0537-3412345,九折,planned,yz-gov,A-1,2024-05-01\n";
    let got = parse(csv).unwrap();
    assert_eq!(got.len(), 1);
    let s = &got[0];
    assert_eq!(s.kind, StationKind::RestStation);
    assert_eq!(s.name, "鼓楼驿站", "trimmed");
    assert_eq!(s.address.as_deref(), Some("建设东路12号"));
    assert_eq!(s.district.as_deref(), Some("兖州区"));
    assert_eq!(s.street.as_deref(), Some("鼓楼街道"));
    assert_eq!(s.location, LonLat { lon: 116.8, lat: 35.55 });
    assert_eq!(s.amenities, [Amenity::DrinkingWater, Amenity::Wifi].into_iter().collect::<AmenitySet>());
    assert_eq!(s.opening_hours.as_ref().map(crate::hours::OpeningHours::as_str), Some("Mo-Su 07:00-21:00"));
    assert_eq!(s.capacity, Some(12));
    assert_eq!(s.operator.as_deref(), Some("总工会"));
    assert_eq!(s.phone.as_deref(), Some("0537-3412345"));
    assert_eq!(s.offer.as_deref(), Some("九折"));
    assert_eq!(s.status, StationStatus::Planned);
    assert_eq!(s.source.as_deref(), Some("yz-gov"), "the row's source beats the option");
    assert_eq!(s.external_id.as_deref(), Some("A-1"));
    assert_eq!(s.verified_on, NaiveDate::from_ymd_opt(2024, 5, 1));
}

#[test]
fn chinese_headers_and_labels() {
    let csv = "站点名称,类别,经度,纬度,所属区县,乡镇街道,配套设施,营业时间,座位数,运营方,联系电话,优惠内容,状态,来源,外部编号,核实日期\n\
        爱心面馆,爱心商户,116.8,35.55,兖州区,酒仙桥街道,饮水、卫生间、优惠折扣,Mo-Su 10:00-22:00,20,张三,0537-3419876,骑手九折,已关闭,区总工会,M-7,2024年6月15日\n";
    let s = &parse(csv).unwrap()[0];
    assert_eq!(s.kind, StationKind::CaringMerchant);
    assert_eq!(s.name, "爱心面馆");
    assert_eq!(s.district.as_deref(), Some("兖州区"));
    assert_eq!(s.street.as_deref(), Some("酒仙桥街道"));
    assert_eq!(
        s.amenities,
        [Amenity::DrinkingWater, Amenity::Toilet, Amenity::Discount].into_iter().collect::<AmenitySet>()
    );
    assert_eq!(s.capacity, Some(20));
    assert_eq!(s.operator.as_deref(), Some("张三"));
    assert_eq!(s.offer.as_deref(), Some("骑手九折"));
    assert_eq!(s.status, StationStatus::Closed);
    assert_eq!(s.source.as_deref(), Some("区总工会"));
    assert_eq!(s.external_id.as_deref(), Some("M-7"));
    assert_eq!(s.verified_on, NaiveDate::from_ymd_opt(2024, 6, 15));
}

#[test]
fn header_aliases_ignore_case_spaces_and_separators() {
    let csv = "Kind,NAME,Longitude,LATITUDE,External ID,Opening-Hours,verified on\n\
        bay,停靠点,116.8,35.55,x1,24/7,2024.7.3\n";
    let s = &parse(csv).unwrap()[0];
    assert_eq!(s.kind, StationKind::RideHailingBay);
    assert_eq!(s.external_id.as_deref(), Some("x1"));
    assert!(s.opening_hours.as_ref().is_some_and(crate::hours::OpeningHours::is_always_open));
    assert_eq!(s.verified_on, NaiveDate::from_ymd_opt(2024, 7, 3));
    for (lon, lat) in [("lng", "lat"), ("x", "y"), ("经度", "纬度")] {
        let csv = format!("kind,name,{lon},{lat}\nrest_station,A,116.8,35.55\n");
        assert_eq!(parse(&csv).unwrap()[0].location, LonLat { lon: 116.8, lat: 35.55 }, "{lon}/{lat}");
    }
}

#[test]
fn accepted_date_forms() {
    for d in ["2024-05-01", "2024/5/1", "2024.05.01", "2024年5月1日", "20240501", "２０２４-０５-０１"] {
        let s = &parse(&one(&format!("station,A,116.8,35.55,,,,,{d},,"))).unwrap()[0];
        assert_eq!(s.verified_on, NaiveDate::from_ymd_opt(2024, 5, 1), "{d}");
    }
}

#[test]
fn full_width_digits_and_degree_signs_in_coordinates() {
    let s = &parse("kind,name,lon,lat\nstation,A,１１６．８,35.55°\n").unwrap()[0];
    assert_eq!(s.location, LonLat { lon: 116.8, lat: 35.55 });
}

#[test]
fn utf8_bom_is_dropped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice("名称,类型,经度,纬度\r\n驿站一,驿站,116.8,35.55\r\n".as_bytes());
    let got = parse_stations(&bytes, &opts()).unwrap();
    assert_eq!(got[0].name, "驿站一");
    // The same with the encoding given explicitly.
    let o = ImportOptions { encoding: EncodingChoice::Utf8, ..opts() };
    assert_eq!(parse_stations(&bytes, &o).unwrap(), got);
}

#[test]
fn real_gbk_fixture_file() {
    let bytes: &[u8] = include_bytes!("../../testdata/stations_gbk.csv");
    assert!(std::str::from_utf8(std::hint::black_box(bytes)).is_err(), "the fixture really is GBK");
    for encoding in [EncodingChoice::Auto, EncodingChoice::Gbk, EncodingChoice::Gb18030] {
        let got = parse_stations(bytes, &ImportOptions { encoding, source: None, ..opts() }).unwrap();
        assert_eq!(got.len(), 3, "{encoding}");
        assert_eq!(got[0].name, "鼓楼街道户外劳动者驿站");
        assert_eq!(got[0].source.as_deref(), Some("兖州区总工会"));
        assert_eq!(got[0].external_id.as_deref(), Some("YZ-001"));
        assert_eq!(got[0].verified_on, NaiveDate::from_ymd_opt(2024, 5, 1));
        assert_eq!(got[1].name, "酒仙桥街道爱心商户（示例面馆）");
        assert_eq!(got[1].kind, StationKind::CaringMerchant);
        assert_eq!(got[1].status, StationStatus::Active);
        assert_eq!(got[2].kind, StationKind::ChargingCabinet);
        assert_eq!(got[2].status, StationStatus::Planned);
        assert!(got[2].amenities.contains(Amenity::BatterySwap));
        assert_eq!(got[2].address, None);
    }
    // Forcing UTF-8 on a GBK file is an error at the first byte, never a silent replacement.
    let e = parse_stations(bytes, &ImportOptions { encoding: EncodingChoice::Utf8, ..opts() }).unwrap_err();
    assert_eq!(
        e,
        ImportError::Encoding {
            encoding: "utf-8",
            line: 1,
            byte_offset: 0,
            message: "byte 0xC3 at offset 0 is not valid UTF-8; if the file is GBK or GB18030, say so (or let the \
                      encoding be detected)"
                .into()
        }
    );
}

#[test]
fn gbk_encoded_in_the_test() {
    let text = "名称,类型,经度,纬度,地址\r\n爱心驿站,驿站,116.8,35.55,兖州区龙桥路\r\n";
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
    assert!(!had_errors);
    assert!(std::str::from_utf8(&bytes).is_err());
    for encoding in [EncodingChoice::Auto, EncodingChoice::Gbk] {
        let got = parse_stations(&bytes, &ImportOptions { encoding, ..opts() }).unwrap();
        assert_eq!(got[0].name, "爱心驿站");
        assert_eq!(got[0].address.as_deref(), Some("兖州区龙桥路"));
    }
}

#[test]
fn gb18030_four_byte_characters() {
    // 𠮷 (U+20BB7) and 䶮 (U+4DAE) are not in GBK; GB18030 encodes them in four bytes.
    let text = "名称,类型,经度,纬度\n𠮷野家䶮店,爱心商户,116.8,35.55\n";
    let (bytes, _, had_errors) = encoding_rs::GB18030.encode(text);
    assert!(!had_errors);
    for encoding in [EncodingChoice::Auto, EncodingChoice::Gb18030, EncodingChoice::Gbk] {
        let got = parse_stations(&bytes, &ImportOptions { encoding, ..opts() }).unwrap();
        assert_eq!(got[0].name, "𠮷野家䶮店", "{encoding}");
    }
}

#[test]
fn undecodable_bytes_are_an_error_with_their_line() {
    let mut bytes = encoding_rs::GBK.encode("名称,类型,经度,纬度\n驿站,驿站,116.8,35.55\n").0.into_owned();
    let bad_at = bytes.len() + 2;
    bytes.extend_from_slice(b"A,\xFF\xFE\xFF,1,2\n");
    let want = ImportError::Encoding {
        encoding: "gb18030",
        line: 3,
        byte_offset: bad_at,
        message: format!("bytes at offset {bad_at} (0xFF) are neither valid UTF-8 nor valid GBK/GB18030"),
    };
    for encoding in [EncodingChoice::Auto, EncodingChoice::Gbk, EncodingChoice::Gb18030] {
        assert_eq!(parse_stations(&bytes, &ImportOptions { encoding, ..opts() }).unwrap_err(), want);
    }
}

#[test]
fn invalid_utf8_after_a_bom_is_not_guessed_as_gbk() {
    let mut bytes = b"\xEF\xBB\xBFname,kind,lon,lat\n".to_vec();
    bytes.extend_from_slice(b"caf\xE9,station,1,2\n");
    let e = parse_stations(&bytes, &opts()).unwrap_err();
    assert_eq!(
        e,
        ImportError::Encoding {
            encoding: "utf-8",
            line: 2,
            byte_offset: 24,
            message: "byte 0xE9 at offset 24 is not valid UTF-8".into()
        }
    );
}

#[test]
fn utf16_is_refused_with_a_hint() {
    let e = parse_stations(b"\xFF\xFEn\0a\0", &opts()).unwrap_err();
    assert!(matches!(&e, ImportError::Encoding { encoding: "utf-16", line: 1, .. }), "{e:?}");
    assert!(e.to_string().contains("save it as CSV UTF-8"), "{e}");
}

#[test]
fn empty_file_and_no_rows() {
    assert_eq!(parse(""), Err(ImportError::Empty));
    assert_eq!(parse(" \r\n\r\n"), Err(ImportError::Empty));
    assert_eq!(parse_stations(b"\xEF\xBB\xBF", &opts()), Err(ImportError::Empty));
    assert_eq!(parse("kind,name,lon,lat\n"), Err(ImportError::NoRows));
    assert_eq!(parse("kind,name,lon,lat\r\n\r\n,,,\r\n , ,,\r\n"), Err(ImportError::NoRows));
    assert_eq!(ImportError::NoRows.to_string(), "the file has no data rows");
}

#[test]
fn missing_required_columns() {
    assert_eq!(
        errs("name,lon\nA,1\n"),
        [
            "line 1: missing required column kind (accepted headers: kind/类型/类别), or give a default kind",
            "line 1: missing required column lat (accepted headers: lat/latitude/y/纬度)",
        ]
    );
    assert_eq!(
        errs("kind,lat,lon\nstation,1,2\n"),
        ["line 1: missing required column name (accepted headers: name/名称/站点名称)"]
    );
    let e = rows(parse("kind,name,lat\nstation,A,1\n").unwrap_err());
    assert_eq!(e[0].field, Some("location.lon"));
    assert_eq!((e[0].line, e[0].column.as_deref(), e[0].column_number), (1, None, None));
}

#[test]
fn missing_source() {
    let no_source = ImportOptions { source: None, ..opts() };
    assert_eq!(
        errs_with("kind,name,lon,lat\nstation,A,1,2\n", &no_source),
        ["line 1: no source: add a source column (accepted headers: source/来源) or give a source for the import"]
    );
    assert_eq!(
        errs_with("kind,name,lon,lat,source\nstation,A,1,2,s\nstation,B,1,2, \n", &no_source),
        ["line 3, column 5 (source): no source: fill the source column or give a source for the import"]
    );
    // With the option, the empty cell takes it.
    let got = parse("kind,name,lon,lat,source\nstation,A,1,2,s\nstation,B,1,2,\n").unwrap();
    assert_eq!(got[0].source.as_deref(), Some("s"));
    assert_eq!(got[1].source.as_deref(), Some("test"));
}

#[test]
fn default_kind() {
    let o = ImportOptions { default_kind: Some(StationKind::CaringMerchant), ..opts() };
    let got = parse_stations(b"name,lon,lat\nA,1,2\n", &o).unwrap();
    assert_eq!(got[0].kind, StationKind::CaringMerchant);
    let got = parse_stations(b"name,kind,lon,lat\nA,,1,2\nB,bay,1,2\n", &o).unwrap();
    assert_eq!([got[0].kind, got[1].kind], [StationKind::CaringMerchant, StationKind::RideHailingBay]);
    // Without it an empty kind is an error.
    assert_eq!(
        errs("name,kind,lon,lat\nA,,1,2\n"),
        ["line 2, column 2 (kind): is required but empty (or give a default kind)"]
    );
}

/// Columns that name no field (备注, 负责人…) are not read, and the preview lists them.
#[test]
fn unknown_columns_are_ignored_and_listed() {
    let csv = "序号,名称,类型,负责人,经度,纬度,备注\n1,甲,驿站,张三,116.8,35.55,二楼\n";
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    assert_eq!(p.errors, []);
    assert_eq!(
        p.ignored_columns,
        [
            IgnoredColumn { name: "负责人".into(), column_number: Some(4) },
            IgnoredColumn { name: "备注".into(), column_number: Some(7) },
        ],
        "序号 is known to hold no station data and is not listed"
    );
    let s = &p.rows[0].data;
    assert_eq!((s.name.as_str(), s.operator.as_deref(), s.offer.as_deref()), ("甲", None, None));
    assert_eq!(parse(csv).unwrap(), std::slice::from_ref(s), "the import stores the same record");
    // A file that is not comma-separated has one long unknown header: its missing columns say why.
    let e = errs("kind\tname\tlon\tlat\nstation\tA\t1\t2\n");
    assert!(e.iter().all(|m| m.contains("the file seems tab-separated: save it as comma-separated CSV")), "{e:?}");
    let e = errs("kind;name;lon;lat\nstation;A;1;2\n");
    assert!(e[0].contains("the file seems semicolon-separated"), "{e:?}");
}

/// A title row (and blank rows) above the header are skipped; line numbers stay the file's.
#[test]
fn a_title_row_above_the_header() {
    let csv = "兖州区户外劳动者驿站台账（2025年）,,,\n,,,\n填报单位：鼓楼街道,,,\n名称,类型,经度,纬度\n甲,驿站,116.8,35.55\n乙,驿站,x,35.55\n";
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    assert_eq!(p.rows.iter().map(|r| (r.line, r.data.name.as_str())).collect::<Vec<_>>(), [(5, "甲")]);
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 6, column 3 (经度): \"x\" is not a number"]
    );
    assert_eq!(p.ignored_columns, [], "the title is not a column");
    // The header is looked for among the first ten non-empty rows only; a file without one takes
    // its first row as the header, and misses the required columns.
    let mut csv = String::new();
    for i in 0..10 {
        writeln!(csv, "说明第{i}行,,,").unwrap();
    }
    csv.push_str("名称,类型,经度,纬度\n甲,驿站,116.8,35.55\n");
    let e = errs(&csv);
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(e[0].starts_with("line 1: missing required column kind"), "{}", e[0]);
    // One known column is not a header: name and a coordinate are the least a station file has.
    let p = preview_stations("名称,说明\n名称,类型,经度,纬度\n甲,驿站,116.8,35.55\n".as_bytes(), &opts()).unwrap();
    assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3]);
}

/// A row with an address but no coordinates is unplaced: checked as usual, kept for the map, and
/// refused by the import.
#[test]
fn rows_with_an_address_but_no_coordinates() {
    let csv = "名称,类型,地址,经度,纬度,开放时间,联系电话\n\
               甲,驿站,兖州区建设东路12号,,,全天,13800138000\n\
               乙,驿站,兖州区龙桥路88号,116.8,35.55,,\n\
               丙,驿站,,,,,\n\
               丁,驿站,兖州区九州中路56号,,,看情况,\n\
               戊,驿站,兖州区大安镇,116.8,,,\n";
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3]);
    assert_eq!(p.unplaced.len(), 1);
    let u = &p.unplaced[0];
    assert_eq!((u.line, u.draft.name.as_str(), u.draft.address.as_deref()), (2, "甲", Some("兖州区建设东路12号")));
    assert_eq!(u.draft.opening_hours.as_ref().map(OpeningHours::as_str), Some("24/7"));
    assert_eq!((u.hours_written.as_deref(), u.draft.phone.as_deref()), (Some("全天"), Some("13800138000")));
    assert_eq!((u.draft.source.as_deref(), u.draft.external_id.as_deref()), (Some("test"), None));
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "line 4, column 4 (经度): is required but empty",
            "line 4, column 5 (纬度): is required but empty",
            "line 5, column 6 (开放时间): invalid opening_hours \"看情况\": neither opening_hours syntax nor hours \
             written as 全天, 每天 8:00-18:00, 周一至周五 8:00-12:00，14:00-18:00",
            "line 6, column 5 (纬度): is required but empty",
        ],
        "no address, a bad cell in an unplaced row, half the coordinates: errors"
    );
    assert_eq!(
        errs(csv),
        [
            "line 2, column 4 (经度): has an address (\"兖州区建设东路12号\") but no coordinates: fill 经度 and 纬度 (or 经纬度), \
             or place it on the map in the console",
            "line 4, column 4 (经度): is required but empty",
            "line 4, column 5 (纬度): is required but empty",
            "line 5, column 6 (开放时间): invalid opening_hours \"看情况\": neither opening_hours syntax nor hours \
             written as 全天, 每天 8:00-18:00, 周一至周五 8:00-12:00，14:00-18:00",
            "line 6, column 5 (纬度): is required but empty",
        ]
    );
    // With a combined column.
    let p = preview_stations("名称,类型,地址,经纬度\n甲,驿站,某路1号, \n乙,驿站,,\n".as_bytes(), &opts()).unwrap();
    assert_eq!(p.unplaced.iter().map(|u| u.line).collect::<Vec<_>>(), [2]);
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 3, column 4 (经纬度): is required but empty (longitude and latitude, e.g. \"116.78,35.55\")"]
    );
    // Without coordinate columns at all: every row is unplaced, or an error at its address.
    let p = preview_stations("名称,类型,地址\n甲,驿站,某路1号\n乙,驿站,\n".as_bytes(), &opts()).unwrap();
    assert_eq!(p.unplaced.iter().map(|u| u.line).collect::<Vec<_>>(), [2]);
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 3, column 3 (地址): is empty, and the file has no coordinate columns: fill the address (to place the \
          station on the map) or add 经度 and 纬度 columns"]
    );
    assert_eq!(
        errs("名称,类型,地址\n甲,驿站,某路1号\n"),
        [
            "line 2: has an address (\"某路1号\") but no coordinates: fill 经度 and 纬度 (or 经纬度), or place it on the map \
          in the console"
        ]
    );
    // Neither coordinates nor an address column: the header misses them.
    assert_eq!(
        errs("名称,类型\n甲,驿站\n"),
        [
            "line 1: missing required column lon (accepted headers: lon/lng/longitude/x/经度), or an address column (地址) \
             to place the stations on the map",
            "line 1: missing required column lat (accepted headers: lat/latitude/y/纬度), or an address column (地址) to \
             place the stations on the map",
        ]
    );
}

/// An unplaced row with its own external_id keeps it, and takes part in the duplicate check.
#[test]
fn unplaced_rows_keep_their_own_ids() {
    let csv = "名称,类型,地址,经度,纬度,编号\n甲,驿站,某路1号,,,A-1\n乙,驿站,某路2号,116.8,35.55,A-1\n";
    let p = preview_stations(csv.as_bytes(), &opts()).unwrap();
    assert_eq!(p.unplaced[0].draft.external_id.as_deref(), Some("A-1"));
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 3, column 6 (编号): external_id \"A-1\" (source \"test\") is already used on line 2"]
    );
}

#[test]
fn duplicate_columns() {
    assert_eq!(
        errs("kind,name,lon,lat,经度\nstation,A,1,2,1\n"),
        ["line 1, column 5 (经度): second column for location.lon (column 3 \"lon\" is one already)"]
    );
}

#[test]
fn storage_columns_are_ignored_and_blank_headers_must_be_empty() {
    let got =
        parse("id,kind,name,lon,lat,created_at,,updated_at,序号\n9,station,A,1,2,2024-01-01T00:00:00Z,,x,1\n").unwrap();
    assert_eq!(got[0].name, "A");
    assert_eq!(
        errs("kind,name,lon,lat,\nstation,A,1,2,\nstation,B,1,2,oops\n"),
        ["line 3, column 5: value in a column without a header"]
    );
}

#[test]
fn empty_name() {
    assert_eq!(errs(&one("station, ,116.8,35.55,,,,,,,")), ["line 2, column 2 (name): must not be empty"]);
}

#[test]
fn bad_coordinates() {
    let cases = [
        ("abc", "35.55", "line 2, column 3 (lon): \"abc\" is not a number"),
        ("116,8", "35.55", "line 2, column 3 (lon): has 12 fields but the header has 11"),
        ("NaN", "35.55", "line 2, column 3 (lon): \"NaN\" is not a finite number"),
        ("inf", "35.55", "line 2, column 3 (lon): \"inf\" is not a finite number"),
        ("200", "35.55", "line 2, column 3 (lon): longitude 200 is not a number between -180 and 180"),
        ("116.8", "-90.5", "line 2, column 4 (lat): latitude -90.5 is not a number between -90 and 90"),
        ("", "35.55", "line 2, column 3 (lon): is required but empty"),
        ("116.8", " ", "line 2, column 4 (lat): is required but empty"),
    ];
    for (lon, lat, want) in cases {
        let csv = one(&format!("station,A,{lon},{lat},,,,,,,"));
        let got = errs(&csv);
        let want = want.replace("line 2, column 3 (lon): has", "line 2: has");
        assert_eq!(got, [want], "{lon},{lat}");
    }
    // Both bad: both reported, in column order.
    assert_eq!(
        errs(&one("station,A,x,y,,,,,,,")),
        ["line 2, column 3 (lon): \"x\" is not a number", "line 2, column 4 (lat): \"y\" is not a number"]
    );
}

#[test]
fn unknown_kind() {
    assert_eq!(
        errs(&one("spaceport,A,116.8,35.55,,,,,,,")),
        ["line 2, column 1 (kind): unknown station kind \"spaceport\" (expected one of: rest_station, \
             caring_merchant, charging_cabinet, ride_hailing_bay)"]
    );
}

#[test]
fn unknown_amenity() {
    let e = errs(&one("station,A,116.8,35.55,wifi;sauna,,,,,,"));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("line 2, column 5 (amenities): unknown amenity \"sauna\" (expected one of: rest_seating, "),
        "{}",
        e[0]
    );
}

#[test]
fn invalid_opening_hours() {
    let e = errs(&one("station,A,116.8,35.55,,Mo-Xx 25:00,,,,,"));
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("line 2, column 6 (opening_hours): invalid opening_hours \"Mo-Xx 25:00\": "), "{}", e[0]);
}

/// Hours written in Chinese, as station keepers do, are stored in OSM syntax; what is not
/// understood is an error at its cell quoting the text.
#[test]
fn opening_hours_as_people_write_them() {
    let csv = "名称,类型,经度,纬度,开放时间\n\
               甲,驿站,116.8,35.55,全天\n\
               乙,驿站,116.8,35.55,\"周一至周五 8:00-12:00，14:00-18:00\"\n\
               丙,驿站,116.8,35.55,工作日 9点-17点；周末休息\n";
    let got: Vec<String> =
        parse(csv).unwrap().iter().map(|r| r.opening_hours.as_ref().unwrap().as_str().to_owned()).collect();
    assert_eq!(got, ["24/7", "Mo-Fr 08:00-12:00,14:00-18:00", "Mo-Fr 09:00-17:00; Sa,Su off"]);
    let e = errs("名称,类型,经度,纬度,开放时间\n丁,驿站,116.8,35.55,看情况\n");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("line 2, column 5 (开放时间): invalid opening_hours \"看情况\": "), "{}", e[0]);
}

/// Longitude and latitude in one column, as spreadsheets often hold them: either order inside
/// China, decimal or degrees-minutes-seconds; a bad cell is named with its line and column.
#[test]
fn combined_coordinate_column() {
    let csv = "名称,类型,经纬度\n\
               甲,驿站,\"116.78,35.55\"\n\
               乙,驿站,\"35.55，116.78\"\n\
               丙,驿站,116.78 35.55\n\
               丁,驿站,\"116°46'48\"\"E, 35°33'N\"\n\
               戊,驿站,116度46分48秒/35度33分\n";
    let got: Vec<(f64, f64)> = parse(csv).unwrap().iter().map(|r| (r.location.lon, r.location.lat)).collect();
    let dms = (116.0 + 46.0 / 60.0 + 48.0 / 3600.0, 35.0 + 33.0 / 60.0);
    for (i, want) in [(116.78, 35.55), (116.78, 35.55), (116.78, 35.55), dms, dms].into_iter().enumerate() {
        assert!(
            (got[i].0 - want.0).abs() < 1e-9 && (got[i].1 - want.1).abs() < 1e-9,
            "row {i}: {:?} vs {want:?}",
            got[i]
        );
    }
    let e = errs("名称,类型,坐标\n甲,驿站,116.78\n乙,驿站,\"116.78,abc\"\n丙,驿站,\"200,35\"\n");
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(e[0].starts_with("line 2, column 3 (坐标): \"116.78\" is not two numbers"), "{}", e[0]);
    assert!(e[1].starts_with("line 3, column 3 (坐标): \"abc\" is not a coordinate"), "{}", e[1]);
    assert!(e[2].starts_with("line 4, column 3 (坐标): "), "{}", e[2]);
    // One location only: a combined column beside a longitude column is refused at the header.
    let e = errs("名称,类型,经度,经纬度\n甲,驿站,116.78,\"116.78,35.55\"\n");
    assert!(e.iter().any(|m| m.contains("second column for the location")), "{e:?}");
}

#[test]
fn bad_capacity() {
    let cases = [
        ("-3", "line 2, column 7 (capacity): \"-3\" is not a whole number ≥ 0"),
        ("12.5", "line 2, column 7 (capacity): \"12.5\" is not a whole number ≥ 0"),
        ("twelve", "line 2, column 7 (capacity): \"twelve\" is not a number"),
        ("100001", "line 2, column 7 (capacity): 100001 exceeds the maximum of 100000"),
    ];
    for (cap, want) in cases {
        assert_eq!(errs(&one(&format!("station,A,116.8,35.55,,,{cap},,,,"))), [want], "{cap}");
    }
}

#[test]
fn bad_status() {
    assert_eq!(
        errs(&one("station,A,116.8,35.55,,,,demolished,,,")),
        ["line 2, column 8 (status): unknown station status \"demolished\" (expected one of: active, planned, closed)"]
    );
}

#[test]
fn bad_date() {
    for d in ["2024-13-01", "2024-02-30", "yesterday", "01/05/2024"] {
        assert_eq!(
            errs(&one(&format!("station,A,116.8,35.55,,,,,{d},,"))),
            [format!(
                "line 2, column 9 (verified_on): {d:?} is not a date (expected YYYY-MM-DD, YYYY/M/D, YYYY.M.D or \
                 YYYY年M月D日)"
            )],
            "{d}"
        );
    }
}

#[test]
fn bad_phone_is_reported_by_the_shared_validation() {
    assert_eq!(
        errs(&one("station,A,116.8,35.55,,,,,,call me,")),
        ["line 2, column 10 (phone): \"call me\" is not a telephone number"]
    );
}

#[test]
fn wrong_field_count() {
    let csv = "kind,name,lon,lat,capacity\n\
        station,A,1,2,3\n\
        station,B,1,2\n\
        station,C,1,2,3,4\n\
        station,D,1,2,3,,\n";
    assert_eq!(
        errs(csv),
        [
            "line 3: has 4 fields but the header has 5",
            "line 4: has 6 fields but the header has 5",
            "line 5: has 7 fields but the header has 5",
        ],
        "even extra empty cells: they are usually a sign of shifted values"
    );
    let e = errs("kind,name,lon,lat\nstation,\"A,1,2\nstation,B,1,2\n");
    assert_eq!(e, ["line 2: has 2 fields but the header has 4; a quoted value may be missing its closing quote"]);
}

#[test]
fn duplicate_external_ids() {
    let csv = "kind,name,lon,lat,source,external_id\n\
        station,A,1,2,s1,E1\n\
        station,B,1,2,s2,E1\n\
        station,C,3,4,s1,E1\n";
    assert_eq!(
        errs(csv),
        ["line 4, column 6 (external_id): external_id \"E1\" (source \"s1\") is already used on line 2"],
        "the same id in another source is fine"
    );
    // Two identical rows without ids derive the same id.
    let csv = "kind,name,lon,lat\nstation,A,1,2\nstation,B,1,2\nstation, A ,1.0000001,2\n";
    let id = derived_external_id(StationKind::RestStation, "A", LonLat { lon: 1.0, lat: 2.0 });
    assert_eq!(
        rows(parse(csv).unwrap_err())[0],
        RowError {
            line: 4,
            feature_index: None,
            column: None,
            column_number: None,
            field: Some("external_id"),
            message: format!(
                "duplicate of line 2: same kind, name and position (derived external_id {id}); remove the copy or \
                 give each an external_id"
            ),
        }
    );
}

#[test]
fn every_bad_row_is_listed_in_order() {
    let csv = "kind,name,lon,lat,capacity\n\
        station,Good,1,2,3\n\
        castle,,1,2,x\n\
        station,Good2,1,2,4\n\
        station,Bad,999,2,5\n";
    assert_eq!(
        errs(csv),
        [
            "line 3, column 1 (kind): unknown station kind \"castle\" (expected one of: rest_station, \
             caring_merchant, charging_cabinet, ride_hailing_bay)",
            "line 3, column 2 (name): must not be empty",
            "line 3, column 5 (capacity): \"x\" is not a number",
            "line 5, column 3 (lon): longitude 999 is not a number between -180 and 180",
        ]
    );
}

#[test]
fn errors_after_a_quoted_multi_line_value_count_physical_lines() {
    let csv = "kind,name,address,lon,lat\nstation,A,\"line one\nline two\",1,2\nstation,B,,x,2\n";
    assert_eq!(errs(csv), ["line 4, column 4 (lon): \"x\" is not a number"]);
    assert_eq!(parse(&csv.replace(",x,", ",1,")).unwrap()[0].address.as_deref(), Some("line one\nline two"));
}

#[test]
fn errors_are_capped_with_a_count_of_the_rest() {
    let mut csv = String::from("kind,name,lon,lat\n");
    for _ in 0..MAX_LISTED_ERRORS + 234 {
        csv.push_str("station,A,1,x\n");
    }
    match parse(&csv).unwrap_err() {
        ImportError::Rows { errors, omitted } => {
            assert_eq!(errors.len(), MAX_LISTED_ERRORS);
            assert_eq!(omitted, 234);
            assert_eq!(errors.last().map(|e| e.line), Some(MAX_LISTED_ERRORS as u64 + 1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_many_rows() {
    let o = ImportOptions { max_rows: 2, ..opts() };
    let csv = "kind,name,lon,lat\nstation,A,1,2\nstation,B,1,2\n";
    assert_eq!(parse_stations(csv.as_bytes(), &o).unwrap().len(), 2);
    let csv = format!("{csv}station,C,1,2\n");
    assert_eq!(parse_stations(csv.as_bytes(), &o), Err(ImportError::TooManyRows { max: 2 }));
}

#[test]
fn gcj02_and_bd09_input_is_converted_to_wgs84() {
    let wgs = LonLat { lon: 116.7852, lat: 35.553 };
    for crs in [Crs::Gcj02, Crs::Bd09] {
        let shown = crs.from_wgs84(wgs);
        let csv = format!("kind,name,lon,lat\nstation,A,{},{}\n", shown.lon, shown.lat);
        let got = parse_stations(csv.as_bytes(), &ImportOptions { crs, ..opts() }).unwrap()[0].location;
        assert!((got.lon - wgs.lon).abs() < 1e-8 && (got.lat - wgs.lat).abs() < 1e-8, "{crs}: {got:?}");
        assert!((shown.lon - wgs.lon).abs() > 1e-3, "{crs} really shifts");
        // The derived id is computed after conversion, so it does not depend on the input system.
        assert_eq!(
            parse_stations(csv.as_bytes(), &ImportOptions { crs, ..opts() }).unwrap()[0].external_id,
            Some(derived_external_id(StationKind::RestStation, "A", got))
        );
    }
}

#[test]
fn derived_external_ids_are_stable() {
    let csv = "kind,name,lon,lat\n驿站,鼓楼街道户外劳动者驿站,116.8,35.55\n";
    let a = parse(csv).unwrap();
    let b = parse(&csv.replace('\n', "\r\n")).unwrap();
    assert_eq!(a, b);
    // FNV-1a 64 of "rest_station|鼓楼街道户外劳动者驿站|116.800000|35.550000", computed independently.
    assert_eq!(a[0].external_id.as_deref(), Some("auto:91344740d1e2b13c"));
    // Same kind, name and position to 6 decimals → same id; a different name → another.
    let near = derived_external_id(
        StationKind::RestStation,
        " 鼓楼街道户外劳动者驿站 ",
        LonLat { lon: 116.800_000_4, lat: 35.55 },
    );
    assert_eq!(near, "auto:91344740d1e2b13c");
    assert_ne!(derived_external_id(StationKind::RestStation, "别的驿站", LonLat { lon: 116.8, lat: 35.55 }), near);
    // A row's own id is kept.
    assert_eq!(parse(&one("station,A,1,2,,,,,,,own-7")).unwrap()[0].external_id.as_deref(), Some("own-7"));
}

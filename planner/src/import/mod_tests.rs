#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
use super::*;
use serde_json::json;

#[test]
fn format_from_path_and_str() {
    assert_eq!(Format::from_path(Path::new("a/b/站点.CSV")), Some(Format::Csv));
    assert_eq!(Format::from_path(Path::new("x.geojson")), Some(Format::GeoJson));
    assert_eq!(Format::from_path(Path::new("x.json")), Some(Format::GeoJson));
    assert_eq!(Format::from_path(Path::new("台账/兖州驿站台账.XLSX")), Some(Format::Xlsx));
    assert_eq!(Format::from_path(Path::new("x.xlsm")), Some(Format::Xlsx));
    assert_eq!(Format::from_path(Path::new("old.xls")), Some(Format::Xls));
    assert_eq!(Format::from_path(Path::new("x.ods")), None);
    assert_eq!(Format::from_path(Path::new("noext")), None);
    assert_eq!("GeoJSON".parse::<Format>(), Ok(Format::GeoJson));
    assert_eq!(" csv ".parse::<Format>(), Ok(Format::Csv));
    assert_eq!("XLSX".parse::<Format>(), Ok(Format::Xlsx));
    assert_eq!("xls".parse::<Format>(), Ok(Format::Xls));
    assert_eq!(
        "ods".parse::<Format>().unwrap_err().to_string(),
        "unknown format \"ods\" (expected csv, geojson, xlsx or xls)"
    );
    for f in [Format::Csv, Format::GeoJson, Format::Xlsx, Format::Xls] {
        assert_eq!(f.code().parse::<Format>(), Ok(f));
        assert_eq!(serde_json::to_value(f).unwrap(), json!(f.code()));
    }
    assert!(Format::Xls.is_workbook() && Format::Xlsx.is_workbook() && !Format::Csv.is_workbook());
}

#[test]
fn encoding_labels() {
    for (s, e) in [
        ("auto", EncodingChoice::Auto),
        ("UTF-8", EncodingChoice::Utf8),
        ("utf8", EncodingChoice::Utf8),
        ("gbk", EncodingChoice::Gbk),
        ("GB2312", EncodingChoice::Gbk),
        ("cp936", EncodingChoice::Gbk),
        ("gb18030", EncodingChoice::Gb18030),
    ] {
        assert_eq!(s.parse::<EncodingChoice>(), Ok(e), "{s}");
    }
    for e in [EncodingChoice::Auto, EncodingChoice::Utf8, EncodingChoice::Gbk, EncodingChoice::Gb18030] {
        assert_eq!(e.label().parse::<EncodingChoice>(), Ok(e));
    }
    assert_eq!(
        "latin1".parse::<EncodingChoice>().unwrap_err().to_string(),
        "unknown encoding \"latin1\" (expected auto, utf-8, gbk or gb18030)"
    );
}

#[test]
fn default_options() {
    let o = ImportOptions::default();
    assert_eq!((o.format, o.crs, o.encoding, o.max_rows), (Format::Csv, Crs::Wgs84, EncodingChoice::Auto, 1_000_000));
    assert_eq!((o.default_kind, o.source, o.sheet), (None, None, None));
}

#[test]
fn auto_detection_prefers_utf8() {
    assert_eq!(decode("名称".as_bytes(), EncodingChoice::Auto).unwrap(), "名称");
    let gbk = encoding_rs::GBK.encode("名称").0;
    assert_eq!(decode(&gbk, EncodingChoice::Auto).unwrap(), "名称");
    // An explicit label overrides detection: these UTF-8 bytes read as GBK are other characters.
    assert_ne!(decode("名称".as_bytes(), EncodingChoice::Gbk).unwrap(), "名称");
    // A GB18030 byte-order mark is dropped like a UTF-8 one.
    assert_eq!(decode(b"\x84\x31\x95\x33abc", EncodingChoice::Gb18030).unwrap(), "abc");
}

#[test]
fn fnv1a_reference_vectors() {
    // The published FNV-1a 64 test vectors for "" and "a" (Fowler/Noll/Vo reference code), checked
    // through the same hash the derived ids use.
    fn fnv(s: &str) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in s.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
    assert_eq!(fnv(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv("a"), 0xaf63_dc4c_8601_ec8c);
    let id = derived_external_id(StationKind::ChargingCabinet, "柜", LonLat { lon: -1.5, lat: 0.25 });
    assert_eq!(id, format!("auto:{:016x}", fnv("charging_cabinet|柜|-1.500000|0.250000")));
    assert_eq!(id.len(), 5 + 16);
}

#[test]
fn row_error_display() {
    let mut e = RowError {
        line: 7,
        feature_index: None,
        column: Some("经度".into()),
        column_number: Some(3),
        field: Some("location.lon"),
        message: "\"abc\" is not a number".into(),
    };
    assert_eq!(e.to_string(), "line 7, column 3 (经度): \"abc\" is not a number");
    e.column_number = None;
    e.feature_index = Some(4);
    e.column = Some("properties.capacity".into());
    assert_eq!(e.to_string(), "line 7, features[4] (properties.capacity): \"abc\" is not a number");
    e.column = None;
    e.feature_index = None;
    assert_eq!(e.to_string(), "line 7: \"abc\" is not a number");
}

#[test]
fn errors_serialize_to_json_parts() {
    let e = ImportError::Rows {
        errors: vec![RowError {
            line: 2,
            feature_index: None,
            column: Some("名称".into()),
            column_number: Some(1),
            field: Some("name"),
            message: "must not be empty".into(),
        }],
        omitted: 0,
    };
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({
            "error": "rows",
            "errors": [{"line": 2, "column": "名称", "column_number": 1, "field": "name", "message": "must not be empty"}],
            "omitted": 0
        })
    );
    assert_eq!(e.to_string(), "1 problem(s) in the file:\nline 2, column 1 (名称): must not be empty");
    assert_eq!(e.row_errors().len(), 1);
    assert_eq!(serde_json::to_value(ImportError::Empty).unwrap(), json!({"error": "empty"}));
    assert_eq!(
        serde_json::to_value(ImportError::TooManyRows { max: 5 }).unwrap(),
        json!({"error": "too_many_rows", "max": 5})
    );
    let enc = ImportError::Encoding { encoding: "gb18030", line: 3, byte_offset: 40, message: "bad".into() };
    assert_eq!(
        serde_json::to_value(&enc).unwrap(),
        json!({"error": "encoding", "encoding": "gb18030", "line": 3, "byte_offset": 40, "message": "bad"})
    );
    assert_eq!(enc.to_string(), "line 3: bad");
    assert!(enc.row_errors().is_empty());
}

#[test]
fn rows_error_display_counts_omitted() {
    let e = ImportError::Rows { errors: vec![], omitted: 3 };
    assert_eq!(e.to_string(), "3 problem(s) in the file:\n\n… and 3 more");
}

use super::*;
use axum::http::{HeaderValue, header};
use yizhan_planner::crs::Crs;

fn headers(content_type: Option<&'static str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Some(ct) = content_type {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    h
}

fn opts(raw: &str, content_type: Option<&'static str>) -> Result<ImportOptions, ApiError> {
    import_options(Some(raw), &headers(content_type), 777)
}

fn fail(r: Result<ImportOptions, ApiError>) -> (u16, String, Option<String>) {
    let e = r.unwrap_err();
    (e.status.as_u16(), e.error.code, e.error.field)
}

#[test]
fn format_from_parameter_or_media_type() {
    assert_eq!(opts("", Some("text/csv")).unwrap().format, Format::Csv);
    assert_eq!(opts("", Some("text/csv; charset=utf-8")).unwrap().format, Format::Csv);
    assert_eq!(opts("", Some("application/geo+json")).unwrap().format, Format::GeoJson);
    assert_eq!(opts("", Some("application/json")).unwrap().format, Format::GeoJson);
    assert_eq!(opts("format=csv", Some("application/octet-stream")).unwrap().format, Format::Csv);
    assert_eq!(opts("format=geojson", None).unwrap().format, Format::GeoJson);
    assert_eq!(fail(opts("", Some("text/plain"))), (415, "unsupported_media_type".into(), None));
    assert_eq!(fail(opts("", None)), (415, "unsupported_media_type".into(), None));
    assert_eq!(opts("format=xlsx", Some("text/csv")).unwrap().format, Format::Xlsx);
    assert_eq!(opts("", Some("application/vnd.ms-excel")).unwrap().format, Format::Xls);
    assert_eq!(
        opts("sheet=%E5%8F%B0%E8%B4%A6", Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
            .unwrap()
            .sheet
            .as_deref(),
        Some("台账")
    );
    assert_eq!(fail(opts("sheet=a", Some("text/csv"))), (400, "invalid_parameter".into(), Some("sheet".into())));
    assert_eq!(fail(opts("format=docx", Some("text/csv"))), (400, "invalid_parameter".into(), Some("format".into())));
}

#[test]
fn every_option() {
    let o = opts(
        "format=csv&crs=gcj02&encoding=gbk&kind=%E9%A9%BF%E7%AB%99&source=%E5%85%96%E5%B7%9E%E5%8C%BA%E6%80%BB%E5%B7%A5%E4%BC%9A",
        None,
    )
    .unwrap();
    assert_eq!(
        o,
        ImportOptions {
            format: Format::Csv,
            crs: Crs::Gcj02,
            encoding: EncodingChoice::Gbk,
            default_kind: Some(StationKind::RestStation),
            source: Some("兖州区总工会".to_owned()),
            max_rows: 777,
            sheet: None,
        }
    );
    let d = opts("", Some("text/csv")).unwrap();
    assert_eq!((d.crs, d.encoding, d.default_kind, d.source), (Crs::Wgs84, EncodingChoice::Auto, None, None));
}

#[test]
fn encoding_from_charset() {
    assert_eq!(opts("", Some("text/csv; charset=GBK")).unwrap().encoding, EncodingChoice::Gbk);
    assert_eq!(opts("", Some("text/csv;charset=\"gb18030\"")).unwrap().encoding, EncodingChoice::Gb18030);
    // The parameter overrides the header.
    assert_eq!(opts("encoding=utf-8", Some("text/csv; charset=gbk")).unwrap().encoding, EncodingChoice::Utf8);
    assert_eq!(fail(opts("", Some("text/csv; charset=utf-16"))), (415, "unsupported_media_type".into(), None));
}

#[test]
fn bad_options_name_their_parameter() {
    let p = |f: &str| (400, "invalid_parameter".to_owned(), Some(f.to_owned()));
    assert_eq!(fail(opts("encoding=latin1", Some("text/csv"))), p("encoding"));
    assert_eq!(fail(opts("crs=osgb", Some("text/csv"))), p("crs"));
    assert_eq!(fail(opts("kind=hotel", Some("text/csv"))), p("kind"));
    assert_eq!(fail(opts("source=", Some("text/csv"))), p("source"));
    assert_eq!(fail(opts("fmt=csv", Some("text/csv"))), (400, "unknown_parameter".into(), Some("fmt".into())));
}

#[test]
fn importer_errors_map_to_422_with_every_row() {
    let rows = vec![
        RowError {
            line: 3,
            feature_index: None,
            column: Some("经度".to_owned()),
            column_number: Some(4),
            field: Some("location.lon"),
            message: "\"abc\" is not a number".to_owned(),
        },
        RowError {
            line: 9,
            feature_index: None,
            column: Some("类型".to_owned()),
            column_number: Some(1),
            field: Some("kind"),
            message: "unknown station kind \"hotel\"".to_owned(),
        },
    ];
    let e = import_error(&ImportError::Rows { errors: rows, omitted: 5 });
    assert_eq!(
        (e.status, e.error.code.as_str(), e.error.field.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", None)
    );
    assert!(e.error.message.contains("7 problem(s), 2 listed"), "{}", e.error.message);
    assert!(e.error.message.contains("line 3"), "{}", e.error.message);
    assert_eq!(
        e.error.details,
        vec![
            ErrorDetail {
                line: Some(3),
                feature_index: None,
                column: Some("经度".to_owned()),
                column_number: Some(4),
                field: Some("location.lon".to_owned()),
                message: "\"abc\" is not a number".to_owned(),
            },
            ErrorDetail {
                line: Some(9),
                feature_index: None,
                column: Some("类型".to_owned()),
                column_number: Some(1),
                field: Some("kind".to_owned()),
                message: "unknown station kind \"hotel\"".to_owned(),
            },
        ]
    );
    let e = import_error(&ImportError::Empty);
    assert_eq!((e.status, e.error.details.len()), (StatusCode::UNPROCESSABLE_ENTITY, 0));
    let e = import_error(&ImportError::TooManyRows { max: 10 });
    assert_eq!((e.status, e.error.code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "too_many_rows"));
}

//! Workbook import: the synthetic ledgers in `data/fixtures/import/` (written by
//! `scripts/fixtures/messy-workbook.py`; every expected value below is copied by hand from that
//! script's tables), cells as text, and workbooks built here byte by byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{column_letters, date_time_text, number_text};
use crate::amenity::{Amenity, AmenitySet};
use crate::geodesy::LonLat;
use crate::hours::OpeningHours;
use crate::import::{
    Format, IgnoredColumn, ImportError, ImportOptions, ImportPreview, MAX_WORKBOOK_UNPACKED_BYTES, PreviewRow,
    parse_stations, preview_stations,
};
use crate::station::{StationKind, StationStatus};
use calamine::{ExcelDateTime, ExcelDateTimeType};
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::io::Write;

pub(in crate::import) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../data/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn opts(format: Format, sheet: Option<&str>) -> ImportOptions {
    ImportOptions {
        format,
        source: Some("兖州区总工会".into()),
        sheet: sheet.map(str::to_owned),
        ..ImportOptions::default()
    }
}

fn preview(name: &str, format: Format, sheet: Option<&str>) -> ImportPreview {
    preview_stations(&fixture(name), &opts(format, sheet)).unwrap()
}

fn malformed(r: Result<ImportPreview, ImportError>) -> String {
    match r {
        Err(ImportError::Malformed { line: None, message }) => message,
        other => panic!("expected a malformed-file error, got {other:?}"),
    }
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn amenities(list: &[Amenity]) -> AmenitySet {
    list.iter().copied().collect()
}

fn close(a: LonLat, lon: f64, lat: f64) -> bool {
    (a.lon - lon).abs() < 1e-9 && (a.lat - lat).abs() < 1e-9
}

fn row(p: &ImportPreview, line: u64) -> &PreviewRow {
    p.rows.iter().find(|r| r.line == line).unwrap_or_else(|| panic!("no good row at line {line}"))
}

#[test]
fn the_ledger_reads_below_its_title_with_every_cell_as_written() {
    let p = preview("yanzhou-ledger.xlsx", Format::Xlsx, None);
    assert_eq!((p.format, p.sheet.as_deref()), (Format::Xlsx, Some("驿站台账")), "the first sheet");
    assert_eq!(p.errors, [], "{:#?}", p.errors);
    assert_eq!(p.omitted_errors, 0);
    // Title in row 1, blank row 2, header row 3: the stations are sheet rows 4–21, 12 unplaced;
    // the formatted empty row 22 and columns M, N are nothing.
    let lines: Vec<u64> = p.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    assert_eq!(
        p.ignored_columns,
        [
            IgnoredColumn { name: "负责人".into(), column_number: Some(10) },
            IgnoredColumn { name: "备注".into(), column_number: Some(11) },
        ],
        "序号 is not listed, the extra columns are"
    );

    let r = row(&p, 4);
    let s = &r.data;
    assert_eq!((s.kind, s.name.as_str()), (StationKind::RestStation, "鼓楼街道户外劳动者驿站"));
    assert_eq!(s.address.as_deref(), Some("兖州区建设东路12号"));
    assert_eq!(s.street.as_deref(), Some("鼓楼街道"));
    assert_eq!(s.location, LonLat { lon: 116.7936, lat: 35.5561 });
    assert_eq!(s.opening_hours.as_ref().map(OpeningHours::as_str), Some("24/7"));
    assert_eq!(r.hours_written.as_deref(), Some("全天"));
    assert_eq!(
        s.amenities,
        amenities(&[Amenity::DrinkingWater, Amenity::Toilet, Amenity::PhoneCharging, Amenity::RestSeating])
    );
    assert_eq!(s.phone.as_deref(), Some("13800138000"), "a number cell, not 1.38e10");
    assert_eq!(s.verified_on, date(2025, 3, 1), "an Excel date");
    assert_eq!(s.source.as_deref(), Some("兖州区总工会"));
    assert!(s.external_id.as_deref().is_some_and(|id| id.starts_with("auto:")));
    assert_eq!((s.operator.as_deref(), s.offer.as_deref()), (None, None), "负责人 and 备注 are not read");

    let r = row(&p, 5);
    assert_eq!(r.data.location, LonLat { lon: 116.8013, lat: 35.5512 }, "latitude first, full-width comma");
    assert_eq!(r.data.opening_hours.as_ref().map(OpeningHours::as_str), Some("Mo-Fr 08:00-12:00,14:00-18:00"));
    assert_eq!(r.hours_written.as_deref(), Some("周一至周五 8:00-12:00，14:00-18:00"));
    assert_eq!(r.data.verified_on, date(2025, 2, 18));

    let r = row(&p, 6);
    assert_eq!(r.data.kind, StationKind::CaringMerchant);
    assert_eq!(r.data.location, LonLat { lon: 116.8123, lat: 35.5490 }, "separated by a space");
    assert_eq!(r.data.opening_hours.as_ref().map(OpeningHours::as_str), Some("Mo-Su 07:00-21:00"));
    assert_eq!(r.data.amenities, amenities(&[Amenity::DrinkingWater, Amenity::Discount]));

    let r = row(&p, 7);
    assert!(close(r.data.location, 116.81, 35.54), "116°48'36\"E,35°32'24\"N: {:?}", r.data.location);
    assert_eq!(r.data.phone.as_deref(), Some("0537-3412345"), "a text cell");
    assert_eq!(r.hours_written.as_deref(), Some("24小时"));

    assert_eq!(row(&p, 9).data.location, LonLat { lon: 116.7852, lat: 35.5330 }, "full-width digits");
    assert_eq!(
        row(&p, 10).data.opening_hours.as_ref().map(OpeningHours::as_str),
        Some("Mo-Fr 09:00-17:00; Sa,Su off"),
        "工作日 9点-17点；周末休息"
    );
    let r = row(&p, 14);
    assert_eq!((r.data.kind, r.data.phone.as_deref()), (StationKind::RideHailingBay, Some("12345")));
    let r = row(&p, 15);
    assert_eq!(r.data.kind, StationKind::RestStation, "爱心驿站");
    assert_eq!(r.data.opening_hours.as_ref().map(OpeningHours::as_str), Some("Mo-Su 08:00-20:00"));
    assert_eq!(r.hours_written, None, "already OSM syntax");
    let r = row(&p, 16);
    assert_eq!((r.data.kind, r.data.phone.as_deref()), (StationKind::ChargingCabinet, Some("4008001234")));
    assert_eq!(r.data.amenities, amenities(&[Amenity::BatterySwap, Amenity::EbikeCharging]));
    assert_eq!(row(&p, 17).data.verified_on, None);
    let r = row(&p, 18);
    assert_eq!(r.data.verified_on, date(2025, 3, 15), "shown as 2025年3月15日");
    assert_eq!(r.data.location, LonLat { lon: 116.7918, lat: 35.5466 });
    assert_eq!(
        row(&p, 19).data.opening_hours.as_ref().map(OpeningHours::as_str),
        Some("Mo-Su 10:00-14:00,17:00-21:00")
    );
    let r = row(&p, 20);
    assert_eq!(
        (r.data.kind, r.data.opening_hours.as_ref(), r.data.phone.as_deref()),
        (StationKind::RideHailingBay, None, None)
    );
    assert_eq!(r.hours_written, None);
    assert_eq!(
        row(&p, 21).data.opening_hours.as_ref().map(OpeningHours::as_str),
        Some("Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00")
    );
    for r in &p.rows {
        let LonLat { lon, lat } = r.data.location;
        assert!((116.78..=116.86).contains(&lon) && (35.52..=35.58).contains(&lat), "line {}: {lon},{lat}", r.line);
    }

    // Row 12 has an address but no coordinates.
    assert_eq!(p.unplaced.len(), 1);
    let u = &p.unplaced[0];
    assert_eq!((u.line, u.feature_index), (12, None));
    assert_eq!((u.draft.kind, u.draft.name.as_str()), (StationKind::RestStation, "漕河镇驿站"));
    assert_eq!(u.draft.address.as_deref(), Some("兖州区漕河镇中心街2号"));
    assert_eq!(u.draft.phone.as_deref(), Some("13688889999"));
    assert_eq!(u.draft.verified_on, date(2025, 3, 12));
    assert_eq!(u.draft.amenities, amenities(&[Amenity::DrinkingWater, Amenity::Toilet]));
    assert_eq!(u.draft.opening_hours.as_ref().map(OpeningHours::as_str), Some("24/7"));
    assert_eq!(u.hours_written.as_deref(), Some("全天"));
    assert_eq!(u.draft.external_id, None, "derived once it is placed");
    assert_eq!(u.draft.source.as_deref(), Some("兖州区总工会"));
}

#[test]
fn the_whole_ledger_is_refused_while_a_row_is_unplaced() {
    let e = parse_stations(&fixture("yanzhou-ledger.xlsx"), &opts(Format::Xlsx, None)).unwrap_err();
    assert_eq!(
        e.row_errors().iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "line 12, column 6 (经纬度): has an address (\"兖州区漕河镇中心街2号\") but no coordinates: fill 经度 and 纬度 (or \
          经纬度), or place it on the map in the console"
        ]
    );
}

#[test]
fn a_named_sheet() {
    let p = preview("yanzhou-ledger.xlsx", Format::Xlsx, Some("充电柜"));
    assert_eq!(p.sheet.as_deref(), Some("充电柜"));
    assert_eq!((p.errors.len(), p.unplaced.len(), p.ignored_columns.len()), (0, 0, 0));
    #[allow(clippy::type_complexity)] // one tuple per row reads best
    let got: Vec<(u64, &str, StationKind, LonLat, Option<u32>, StationStatus)> = p
        .rows
        .iter()
        .map(|r| (r.line, r.data.name.as_str(), r.data.kind, r.data.location, r.data.capacity, r.data.status))
        .collect();
    let cabinet = StationKind::ChargingCabinet;
    let (active, planned) = (StationStatus::Active, StationStatus::Planned);
    assert_eq!(
        got,
        [
            (2, "鼓楼换电柜一号", cabinet, LonLat { lon: 116.78, lat: 35.55 }, Some(8), active),
            (3, "酒仙桥充电柜", cabinet, LonLat { lon: 116.8107, lat: 35.5502 }, Some(12), active),
            (4, "龙桥充换电柜", cabinet, LonLat { lon: 116.8011, lat: 35.5623 }, Some(6), planned),
            (5, "兴隆庄换电柜", cabinet, LonLat { lon: 116.7803, lat: 35.5811 }, Some(10), active),
        ],
        "numeric coordinates read back exactly; the capacity 10.0 is 10"
    );
    assert_eq!(p.rows[0].data.operator.as_deref(), Some("某换电公司"));
    assert_eq!(p.rows[3].data.address, None);
    // The sheet's name is matched as written, surrounding spaces aside.
    assert_eq!(preview("yanzhou-ledger.xlsx", Format::Xlsx, Some(" 充电柜 ")).rows.len(), 4);
}

#[test]
fn an_unknown_sheet_names_the_sheets() {
    let r = preview_stations(&fixture("yanzhou-ledger.xlsx"), &opts(Format::Xlsx, Some("充电桩")));
    assert_eq!(malformed(r), "the workbook has no sheet named \"充电桩\"; its sheets are: \"驿站台账\", \"充电柜\"");
    let r = preview_stations(&fixture("yanzhou-ledger.xls"), &opts(Format::Xls, Some("Sheet1")));
    assert_eq!(malformed(r), "the workbook has no sheet named \"Sheet1\"; its sheets are: \"驿站\", \"充电柜\"");
}

#[test]
fn the_bad_ledger_lists_every_bad_row_with_its_cell() {
    let p = preview("yanzhou-ledger-bad.xlsx", Format::Xlsx, None);
    let errors: Vec<String> = p.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 8, "{errors:#?}");
    assert_eq!(
        errors[0],
        "line 5, column 3 (类型): unknown station kind \"驿站点\" (expected one of: rest_station, caring_merchant, \
         charging_cabinet, ride_hailing_bay)"
    );
    assert!(errors[1].starts_with("line 6, column 7 (开放时间): invalid opening_hours \"看情况\": "), "{}", errors[1]);
    assert_eq!(errors[2], "line 7, column 6 (经纬度): latitude 95.54 is not a number between -90 and 90");
    assert!(
        errors[3].starts_with("line 8: duplicate of line 4: same kind, name and position (derived external_id auto:"),
        "{}",
        errors[3]
    );
    assert_eq!(
        errors[4],
        "line 9, column 9 (联系电话): cell I9 holds the spreadsheet error #N/A; correct the formula or clear the cell"
    );
    assert_eq!(
        errors[5], "line 10, column 6 (经纬度): is required but empty (longitude and latitude, e.g. \"116.78,35.55\")",
        "no coordinates and no address"
    );
    assert_eq!(
        errors[6],
        "line 11, column 12 (核验日期): \"2025-13-40\" is not a date (expected YYYY-MM-DD, YYYY/M/D, YYYY.M.D or \
         YYYY年M月D日)"
    );
    assert!(errors[7].starts_with("line 14, column 8 (服务设施): unknown amenity \"桑拿\""), "{}", errors[7]);
    assert_eq!(p.errors[4].field, Some("phone"));
    assert_eq!(p.errors[2].field, Some("location.lat"));
    // The good rows and the unplaced one are still there for the console.
    assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [4, 13]);
    assert_eq!(p.unplaced.iter().map(|r| r.line).collect::<Vec<_>>(), [12]);

    // The import refuses the file, listing every bad row and the unplaced one in sheet order.
    let e = parse_stations(&fixture("yanzhou-ledger-bad.xlsx"), &opts(Format::Xlsx, None)).unwrap_err();
    let lines: Vec<u64> = e.row_errors().iter().map(|e| e.line).collect();
    assert_eq!(lines, [5, 6, 7, 8, 9, 10, 11, 12, 14]);
    assert!(e.row_errors()[7].message.starts_with("has an address (\"兖州区漕河镇中心街2号\") but no coordinates"));
}

#[test]
fn an_xls_workbook_reads_like_an_xlsx_one() {
    let p = preview("yanzhou-ledger.xls", Format::Xls, None);
    assert_eq!((p.format, p.sheet.as_deref()), (Format::Xls, Some("驿站")));
    assert_eq!(p.errors, []);
    assert_eq!(p.ignored_columns, [IgnoredColumn { name: "备注".into(), column_number: Some(9) }]);
    // Title merged in row 1, header in row 2.
    assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 4]);
    let s = &p.rows[0].data;
    assert_eq!(s.name, "鼓楼街道户外劳动者驿站");
    assert_eq!(s.location, LonLat { lon: 116.7936, lat: 35.5561 });
    assert_eq!(s.phone.as_deref(), Some("13800138000"));
    assert_eq!(s.verified_on, date(2025, 3, 1));
    assert_eq!(p.rows[0].hours_written.as_deref(), Some("全天"));
    let s = &p.rows[1].data;
    assert_eq!(s.opening_hours.as_ref().map(OpeningHours::as_str), Some("Mo-Fr 08:00-12:00,14:00-18:00"));
    assert_eq!((s.phone.as_deref(), s.verified_on), (Some("13953712345"), date(2025, 2, 18)));
    assert_eq!(p.unplaced.iter().map(|u| (u.line, u.draft.name.as_str())).collect::<Vec<_>>(), [(5, "漕河镇驿站")]);

    let p = preview("yanzhou-ledger.xls", Format::Xls, Some("充电柜"));
    assert_eq!(p.rows.len(), 1);
    let s = &p.rows[0].data;
    assert_eq!(
        (s.kind, s.location, s.capacity),
        (StationKind::ChargingCabinet, LonLat { lon: 116.78, lat: 35.55 }, Some(8))
    );
}

#[test]
fn files_that_are_not_the_workbook_asked_for() {
    let csv = "名称,类型,经度,纬度\n甲,驿站,116.8,35.55\n".as_bytes();
    assert_eq!(
        malformed(preview_stations(csv, &opts(Format::Xlsx, None))),
        "the file is not an Excel workbook (.xlsx); it looks like text: if it is CSV or GeoJSON, give that format"
    );
    assert_eq!(
        malformed(preview_stations(b"\x00\x01\x02\x03\xff", &opts(Format::Xls, None))),
        "the file is not an Excel workbook (.xls)"
    );
    assert!(
        malformed(preview_stations(&fixture("yanzhou-ledger.xls"), &opts(Format::Xlsx, None)))
            .starts_with("the file is not an .xlsx workbook but an Excel 97–2003 (.xls) file")
    );
    assert_eq!(
        malformed(preview_stations(&fixture("yanzhou-ledger.xlsx"), &opts(Format::Xls, None))),
        "the file is an .xlsx workbook, not .xls: give the format xlsx"
    );
    assert!(
        malformed(preview_stations(b"PK\x03\x04 not really", &opts(Format::Xlsx, None)))
            .starts_with("the .xlsx archive is damaged")
    );
    // A zip archive that holds no workbook.
    let zip = archive(&[("hello.txt", "hi")]);
    assert!(
        malformed(preview_stations(&zip, &opts(Format::Xlsx, None))).starts_with("the .xlsx workbook cannot be read")
    );
    assert_eq!(preview_stations(b"", &opts(Format::Xlsx, None)), Err(ImportError::Empty));
    // A sheet can only be named in a workbook.
    let o = ImportOptions { sheet: Some("Sheet1".into()), ..ImportOptions::default() };
    assert_eq!(
        malformed(preview_stations(csv, &o)),
        "a sheet can only be chosen in a workbook (xlsx or xls), not in a csv file"
    );
}

#[test]
fn damaged_workbooks_are_errors_never_panics() {
    for (name, format) in [("yanzhou-ledger.xlsx", Format::Xlsx), ("yanzhou-ledger.xls", Format::Xls)] {
        let good = fixture(name);
        let o = opts(format, None);
        for cut in [100, good.len() / 2] {
            let r = std::panic::catch_unwind(|| preview_stations(&good[..cut], &o));
            assert!(matches!(r, Ok(Err(ImportError::Malformed { .. }))), "{name} cut at {cut}: {r:?}");
        }
        for cut in (0..good.len()).step_by(97) {
            let r = std::panic::catch_unwind(|| preview_stations(&good[..cut], &o));
            assert!(r.is_ok(), "{name} cut at {cut}: a panic escaped");
        }
        for at in (0..good.len()).step_by(13) {
            let mut bad = good.clone();
            bad[at] ^= 0x5A;
            let r = std::panic::catch_unwind(|| preview_stations(&bad, &o));
            assert!(r.is_ok(), "{name}, byte {at} flipped: a panic escaped");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cells as text

#[test]
fn numbers_as_a_csv_would_hold_them() {
    assert_eq!(number_text(13800138000.0), "13800138000");
    assert_eq!(number_text(116.78), "116.78");
    assert_eq!(number_text(35.5561), "35.5561");
    assert_eq!(number_text(8.0), "8");
    assert_eq!(number_text(-0.0), "0");
    assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004", "the shortest form that reads back");
    assert_eq!(number_text(1e21), "1000000000000000000000", "never an exponent");
}

#[test]
fn dates_and_times() {
    let dt = |v: f64| date_time_text(&ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
    // Excel serial days from 1899-12-30: 45658 is 2025-01-01, 45731 is 2025-03-15.
    assert_eq!(dt(45658.0), "2025-01-01");
    assert_eq!(dt(45731.0), "2025-03-15");
    assert_eq!(dt(45731.75), "2025-03-15", "a date with a time keeps the date");
    assert_eq!(dt(0.5), "12:00", "a time of day");
    assert_eq!(dt(1.0 / 3.0), "08:00");
    assert_eq!(dt(0.5 + 30.0 / 86_400.0), "12:00:30");
    // The 1904 date system counts from 1904-01-01: 44196 days later is 2025-01-01.
    assert_eq!(date_time_text(&ExcelDateTime::new(44196.0, ExcelDateTimeType::DateTime, true)), "2025-01-01");
    assert_eq!(date_time_text(&ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false)), "36:00", "a duration");
}

#[test]
fn column_letters_as_spreadsheets_show_them() {
    for (col, want) in
        [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")]
    {
        assert_eq!(column_letters(col), want, "{col}");
    }
}

// ---------------------------------------------------------------------------------------------
// Workbooks built here

fn archive(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, text) in parts {
            zip.start_file(*name, stored).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// A minimal `.xlsx` with one sheet named `Data` whose `<sheetData>` is `rows`.
fn xlsx(rows: &str) -> Vec<u8> {
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet \
         xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData></worksheet>"
    );
    archive(&[
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types \
             xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" \
             ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" \
             ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override \
             PartName=\"/xl/worksheets/sheet1.xml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships \
             xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" \
             Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
             Target=\"xl/workbook.xml\"/></Relationships>",
        ),
        (
            "xl/workbook.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook \
             xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet \
             name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships \
             xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" \
             Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" \
             Target=\"worksheets/sheet1.xml\"/></Relationships>",
        ),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

/// An inline-string cell.
fn s(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

/// A number cell.
fn n(at: &str, v: &str) -> String {
    format!("<c r=\"{at}\"><v>{v}</v></c>")
}

const HEADER: &str = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>名称</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>类型</t></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>经度</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>纬度</t></is></c></row>";

#[test]
fn a_workbook_built_by_hand_reads() {
    let rows = format!(
        "{HEADER}<row r=\"2\">{}{}{}{}</row><row r=\"4\">{}{}{}{}{}</row>",
        s("A2", "甲"),
        s("B2", "驿站"),
        n("C2", "116.78"),
        n("D2", "35.55"),
        s("A4", "乙"),
        s("B4", "驿站"),
        n("C4", "116.8"),
        n("D4", "35.5"),
        s("F4", "a note without a header")
    );
    let p = preview_stations(&xlsx(&rows), &opts(Format::Xlsx, None)).unwrap();
    assert_eq!(p.sheet.as_deref(), Some("Data"));
    assert_eq!(
        p.rows.iter().map(|r| (r.line, r.data.location)).collect::<Vec<_>>(),
        [(2, LonLat { lon: 116.78, lat: 35.55 })]
    );
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 4, column 6: value in a column without a header"]
    );
}

#[test]
fn a_cell_far_away_costs_nothing_and_is_named() {
    // A1 and XFD1048576: a dense range of this sheet would hold 17 billion cells.
    let rows = format!(
        "{HEADER}<row r=\"2\">{}{}{}{}</row><row r=\"1048576\">{}</row>",
        s("A2", "甲"),
        s("B2", "驿站"),
        n("C2", "116.78"),
        n("D2", "35.55"),
        s("XFD1048576", "x")
    );
    let p = preview_stations(&xlsx(&rows), &opts(Format::Xlsx, None)).unwrap();
    assert_eq!(p.rows.len(), 1);
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "line 1048576, column 1 (名称): must not be empty",
            "line 1048576, column 2 (类型): is required but empty (or give a default kind)",
            "line 1048576, column 3 (经度): is required but empty",
            "line 1048576, column 4 (纬度): is required but empty",
            "line 1048576, column 16384: value in a column without a header",
        ]
    );
}

#[test]
fn too_many_rows_stop_the_reading() {
    let mut data = String::new();
    for r in 2..=5 {
        write!(
            data,
            "<row r=\"{r}\">{}{}{}{}</row>",
            s(&format!("A{r}"), "甲"),
            s(&format!("B{r}"), "驿站"),
            n(&format!("C{r}"), "116.8"),
            n(&format!("D{r}"), &format!("35.5{r}"))
        )
        .unwrap();
    }
    let rows = format!("{HEADER}{data}");
    let o = ImportOptions { max_rows: 3, ..opts(Format::Xlsx, None) };
    assert_eq!(preview_stations(&xlsx(&rows), &o), Err(ImportError::TooManyRows { max: 3 }));
    let o = ImportOptions { max_rows: 4, ..opts(Format::Xlsx, None) };
    assert_eq!(preview_stations(&xlsx(&rows), &o).unwrap().rows.len(), 4);
}

#[test]
fn rows_out_of_order_are_refused() {
    let rows = format!("{HEADER}<row r=\"3\">{}</row><row r=\"2\">{}</row>", s("A3", "甲"), s("A2", "乙"));
    assert_eq!(
        malformed(preview_stations(&xlsx(&rows), &opts(Format::Xlsx, None))),
        "sheet \"Data\" lists row 2 after row 3; open the workbook in a spreadsheet and save it again"
    );
}

#[test]
fn booleans_errors_in_ignored_columns_and_empty_sheets() {
    let rows = format!(
        "<row r=\"1\">{}{}{}{}{}</row><row r=\"2\">{}{}{}{}<c r=\"E2\" t=\"e\"><v>#REF!</v></c></row>",
        s("A1", "名称"),
        s("B1", "类型"),
        s("C1", "经度"),
        s("D1", "纬度"),
        s("E1", "是否挂牌"),
        s("A2", "甲"),
        s("B2", "驿站"),
        n("C2", "116.8"),
        n("D2", "35.5"),
    );
    let p = preview_stations(&xlsx(&rows), &opts(Format::Xlsx, None)).unwrap();
    assert_eq!(p.errors, [], "an error cell in an ignored column is not read");
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.ignored_columns, [IgnoredColumn { name: "是否挂牌".into(), column_number: Some(5) }]);
    // The same error in a column that is read is a row error at its cell.
    let rows = rows
        .replace("<c r=\"E2\" t=\"e\"><v>#REF!</v></c>", "")
        .replace(&n("D2", "35.5"), "<c r=\"D2\" t=\"e\"><v>#REF!</v></c>");
    let p = preview_stations(&xlsx(&rows), &opts(Format::Xlsx, None)).unwrap();
    assert_eq!(
        p.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 2, column 4 (纬度): cell D2 holds the spreadsheet error #REF!; correct the formula or clear the cell"]
    );
    // Boolean cells read as TRUE / FALSE.
    let rows = format!(
        "{HEADER}<row r=\"2\"><c r=\"A2\" t=\"b\"><v>0</v></c>{}{}{}</row>",
        s("B2", "驿站"),
        n("C2", "116.8"),
        n("D2", "35.5")
    );
    assert_eq!(preview_stations(&xlsx(&rows), &opts(Format::Xlsx, None)).unwrap().rows[0].data.name, "FALSE");
    assert_eq!(malformed(preview_stations(&xlsx(""), &opts(Format::Xlsx, None))), "sheet \"Data\" is empty");
    assert_eq!(preview_stations(&xlsx(HEADER), &opts(Format::Xlsx, None)), Err(ImportError::NoRows));
}

#[test]
fn an_archive_that_unpacks_too_far_is_refused_before_it_is_read() {
    // One part of zeros just over the limit, deflated to a few hundred kilobytes.
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", deflated).unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..=(MAX_WORKBOOK_UNPACKED_BYTES >> 20) {
            zip.write_all(&block).unwrap();
        }
        zip.finish().unwrap();
    }
    let bytes = out.into_inner();
    assert!(bytes.len() < 2 << 20, "{} bytes", bytes.len());
    assert_eq!(
        malformed(preview_stations(&bytes, &opts(Format::Xlsx, None))),
        "the workbook unpacks to more than 256 MiB; split it, or save it as CSV"
    );
}

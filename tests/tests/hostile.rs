//! The regression corpus of hostile inputs (`tests/hostile/`, plus inputs too large to commit,
//! generated here): malformed and truncated UTF-8, huge numbers, deep nesting, zero-area
//! polygons, a 10-MB single line, truncated PBF. Each runs against the importers directly (an
//! error or a value, never a panic) and over HTTP (a 2xx or 4xx answer, never a 500, and the
//! server keeps serving).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TOKEN, TestServer};
use reqwest::Method;
use std::path::PathBuf;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::import::{Format, ImportOptions, parse_stations};

fn hostile_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("hostile")
}

/// Every committed hostile file, with the generated ones: (name, format, bytes).
fn corpus() -> Vec<(String, Format, Vec<u8>)> {
    let mut files: Vec<(String, Format, Vec<u8>)> = std::fs::read_dir(hostile_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let format = Format::from_path(&p)?;
            let name = p.file_name()?.to_str()?.to_owned();
            (!name.contains("district")).then(|| (name, format, std::fs::read(&p).unwrap()))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() >= 10, "corpus found: {}", files.len());
    // A 10-MB single line: one huge name, no newline at the end.
    let mut line = b"name,kind,lon,lat\n".to_vec();
    line.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    line.extend_from_slice(b",rest_station,116.79,35.55");
    files.push(("generated: 10-MB line".to_owned(), Format::Csv, line));
    // 10 MB without any newline at all.
    files.push(("generated: 10 MB, no newline".to_owned(), Format::Csv, vec![b'a'; 10 * 1024 * 1024]));
    // Nesting far deeper than any parser's recursion limit.
    let deep = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000)).into_bytes();
    files.push(("generated: 1 000 000 nested arrays".to_owned(), Format::GeoJson, deep));
    let deep_obj =
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, r#"{"a":"#.repeat(200_000)).into_bytes();
    files.push(("generated: 200 000 nested objects, unterminated".to_owned(), Format::GeoJson, deep_obj));
    files
}

#[test]
fn importers_refuse_hostile_files_without_panicking() {
    for (name, format, bytes) in corpus() {
        let opts = ImportOptions { format, ..ImportOptions::default() };
        let outcome = std::panic::catch_unwind(|| parse_stations(&bytes, &opts));
        let result = outcome.unwrap_or_else(|_| panic!("{name}: the importer panicked"));
        // None of these files is a valid station file.
        assert!(result.is_err(), "{name}: accepted {:?}", result.map(|r| r.len()));
    }
}

#[test]
fn zero_area_and_empty_district_polygons_never_panic() {
    let text = std::fs::read_to_string(hostile_dir().join("zero_area_district.geojson")).unwrap();
    let parsed = std::panic::catch_unwind(|| yizhan_planner::district::parse_districts(&text)).unwrap();
    // Whether accepted or refused, a degenerate boundary contains nothing.
    if let Ok(districts) = parsed {
        for d in &districts {
            assert!(!d.contains(116.75, 35.5), "{} contains a point on its zero-area boundary", d.name);
            assert!(!d.contains(116.75, 35.6), "{}", d.name);
        }
    }
}

#[test]
fn truncated_and_corrupt_pbf_is_an_error_not_a_panic() {
    let pbf =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/osm/helsinki-centre.osm.pbf")).unwrap();
    let modes = [TravelMode::Walk];
    let full = yizhan_planner::network::osm::import_bytes(&pbf, &modes).unwrap()[0].node_count();
    assert!(full > 1000);
    for cut in [0, 1, 4, 13, 100, 1000, pbf.len() / 2, pbf.len() - 1] {
        let r = std::panic::catch_unwind(|| yizhan_planner::network::osm::import_bytes(&pbf[..cut], &modes));
        let r = r.unwrap_or_else(|_| panic!("truncated at {cut}: panicked"));
        // An error, or (cut before the first blob) an empty network: never the whole one.
        if let Ok(graphs) = r {
            assert!(graphs[0].node_count() < full, "truncated at {cut} bytes: read as complete");
        }
    }
    // Flipped bytes inside the first blobs.
    for at in [5, 20, 40, 200, 5000] {
        let mut bad = pbf.clone();
        bad[at] ^= 0xff;
        let r = std::panic::catch_unwind(|| yizhan_planner::network::osm::import_bytes(&bad, &modes));
        assert!(r.is_ok(), "flipped byte {at}: panicked");
    }
}

#[tokio::test]
async fn hostile_uploads_and_queries_are_4xx_never_500() {
    let server = TestServer::with_token(common::dataset(50, 3)).await;
    for (name, format, bytes) in corpus() {
        let content_type = match format {
            Format::Csv => "text/csv",
            Format::GeoJson => "application/geo+json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Xls => "application/vnd.ms-excel",
        };
        let resp = server
            .client
            .post(server.url("/api/v1/import"))
            .bearer_auth(TOKEN)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert!((400..500).contains(&status), "{name}: status {status}: {}", resp.text().await.unwrap());
    }
    // Station bodies.
    let bodies: Vec<Vec<u8>> = vec![
        b"\xff\xfe{".to_vec(),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        br#"{"kind":"rest_station","name":"x","location":{"lon":1e999,"lat":1e-999}}"#.to_vec(),
        br#"{"kind":"rest_station","name":"x","location":{"lon":116.7,"lat":35.5},"capacity":1e30}"#.to_vec(),
        br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[]},"properties":{}}"#.to_vec(),
        br#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,1],[1,1],[1,1]]]},"properties":{"name":"z"}}"#.to_vec(),
    ];
    for body in bodies {
        let head = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let (status, _, _) =
            server.send(Method::POST, "/api/v1/stations", Some(("application/json", body)), Some(TOKEN), &[]).await;
        assert!(status.is_client_error(), "{head}: {status}");
    }
    // Query strings.
    let long = "9".repeat(30_000);
    let queries = [
        "lon=1e309&lat=35.5".to_owned(),
        "lon=NaN&lat=inf".to_owned(),
        "lon=116.7&lat=35.5&k=99999999999999999999999999".to_owned(),
        "lon=116.7&lat=35.5&radius_m=-1e308".to_owned(),
        "lon=%ff%fe&lat=%c3%28".to_owned(),
        "lon=116.7&lat=35.5&at=9999-99-99T99:99:99Z".to_owned(),
        "lon=116.7&lat=35.5&at=%2B275760-09-13T00:00:00Z".to_owned(),
        format!("lon={long}&lat=35.5"),
        "lon=116.7&lat=35.5&kind=,,,,,,&amenity=%00".to_owned(),
        "&&&&==&=&".to_owned(),
    ];
    for q in &queries {
        for path in ["/api/v1/nearest", "/api/v1/stations"] {
            let (status, _, _) = server.get(&format!("{path}?{q}")).await;
            assert!(status.is_client_error(), "{path}?{}: {status}", &q[..q.len().min(60)]);
        }
    }
    // Bounding boxes with huge and inverted numbers.
    for bbox in ["1e309,1,2,3", "-180,-90,180,90,0", "179,0,-179,1", "0,0,0,0"] {
        let (status, _, _) = server.get(&format!("/api/v1/stations?bbox={bbox}")).await;
        assert!(status.as_u16() < 500, "bbox={bbox}: {status}");
    }
    // Still serving.
    let (status, _, body) = server.get("/api/v1/nearest?lon=116.79&lat=35.55&k=3").await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 3);
}

#[test]
fn query_parsers_answer_4xx_for_hostile_text() {
    let now = chrono::Utc::now();
    for raw in ["lon=%ff", "k=0&k=1", "lon=1&lat=2&k=-0", "at=0000-00-00", "\u{0}", "lon=1&lat=2&mode=飞"] {
        for status in yizhan_api::fuzzing::parse_queries(raw, now) {
            assert!(status == 200 || (400..500).contains(&status), "{raw:?}: {status}");
        }
    }
}

//! The `yizhan` binary, run as a user would: import, nearest, export, and their errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test/benchmark

use std::path::Path;
use std::process::{Command, Output};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::import::{ImportOptions, parse_stations};

fn yizhan(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yizhan"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env("YIZHAN_LOG", "warn")
        .output()
        .expect("the yizhan binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const GBK_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../planner/testdata/stations_gbk.csv");

#[test]
fn help_explains_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_yizhan")).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["serve", "import", "export", "nearest"] {
        assert!(help.contains(cmd), "--help lacks {cmd}:\n{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_yizhan")).args(["import", "--help"]).output().unwrap();
    let help = text(&out.stdout);
    assert!(help.contains("gcj02") && help.contains("gbk") && help.contains("external id"), "{help}");
}

#[test]
fn gbk_import_then_nearest_matches_brute_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = yizhan(dir.path(), &["import", GBK_FIXTURE]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stored = parse_stations(&std::fs::read(GBK_FIXTURE).unwrap(), &ImportOptions::default()).unwrap();
    assert!(text(&out.stderr).contains(&format!("{} created, 0 updated", stored.len())), "{}", text(&out.stderr));

    // nearest --json answers in geodesic order over the active stations, like a brute force.
    let origin = LonLat::new(116.79, 35.56).unwrap();
    let out = yizhan(dir.path(), &["nearest", "--lon", "116.79", "--lat", "35.56", "--k", "10", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, f64)> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["station"]["name"].as_str().unwrap().to_owned(), r["distance_m"].as_f64().unwrap()))
        .collect();
    let mut want: Vec<(String, f64)> = stored
        .iter()
        .filter(|s| s.status == yizhan_planner::station::StationStatus::Active)
        .map(|s| (s.name.clone(), origin.geodesic_distance_m(s.location)))
        .collect();
    want.sort_by(|a, b| a.1.total_cmp(&b.1));
    want.truncate(10);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.0, w.0);
        assert!((g.1 - w.1).abs() < 1e-6, "{g:?} vs {w:?}");
    }

    // The table form speaks Chinese and names the ETA method.
    let out = yizhan(dir.path(), &["nearest", "--lon", "116.79", "--lat", "35.56", "--k", "1"]);
    let table = text(&out.stdout);
    assert!(table.contains(&want[0].0) && table.contains("straight line"), "{table}");
}

#[test]
fn a_bad_file_is_rejected_whole_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "name,kind,lon,lat,external_id\n甲驿站,rest_station,116.78,35.55,A1\n").unwrap();
    assert!(yizhan(dir.path(), &["import", good.to_str().unwrap()]).status.success());

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,kind,lon,lat,external_id\n乙驿站,rest_station,116.79,35.56,B1\n丙驿站,spaceport,116.80,35.57,B2\n丁驿站,rest_station,116.81,95.5,B3\n",
    )
    .unwrap();
    let out = yizhan(dir.path(), &["import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("nothing imported"), "{err}");
    assert!(err.contains("line 3, column 2 (kind)") && err.contains("spaceport"), "{err}");
    assert!(err.contains("line 4, column 4 (lat)"), "{err}");

    // The store still holds only the first file's station.
    let out = yizhan(dir.path(), &["export", "--format", "geojson"]);
    let fc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), 1);
    assert_eq!(fc["features"][0]["properties"]["name"], "甲驿站");

    // Bad coordinates on the command line are refused with the reason.
    let out = yizhan(dir.path(), &["nearest", "--lon", "116.8", "--lat", "-91"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("latitude -91"), "{}", text(&out.stderr));
}

#[test]
fn export_csv_opens_in_excel_and_reimports_as_updates() {
    let dir = tempfile::tempdir().unwrap();
    assert!(yizhan(dir.path(), &["import", GBK_FIXTURE]).status.success());
    let csv_path = dir.path().join("out.csv");
    let out = yizhan(dir.path(), &["export", "--format", "csv", "--out", csv_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let body = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(body.starts_with("系统编号,类型,名称"), "{}", &body[..60]);
    assert!(body.contains("\r\n"));

    // Re-importing the export updates every station in place: same source, same external ids.
    let out = yizhan(dir.path(), &["import", csv_path.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let n = parse_stations(&std::fs::read(GBK_FIXTURE).unwrap(), &ImportOptions::default()).unwrap().len();
    assert!(err.contains(&format!("0 created, {n} updated; {n} stations in the store")), "{err}");
}

#[test]
fn gcj02_input_is_converted_on_the_way_in() {
    use yizhan_planner::crs::Crs;
    let dir = tempfile::tempdir().unwrap();
    let wgs = LonLat::new(116.78, 35.55).unwrap();
    let gcj = Crs::Gcj02.from_wgs84(wgs);
    let file = dir.path().join("amap.csv");
    std::fs::write(&file, format!("名称,类型,经度,纬度\n高德坐标驿站,驿站,{:.9},{:.9}\n", gcj.lon, gcj.lat)).unwrap();
    let out = yizhan(dir.path(), &["import", file.to_str().unwrap(), "--crs", "gcj02"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = yizhan(dir.path(), &["export", "--format", "geojson"]);
    let fc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &fc["features"][0]["geometry"]["coordinates"];
    let stored = LonLat::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()).unwrap();
    assert!(stored.geodesic_distance_m(wgs) < 0.01, "stored {stored:?}, expected {wgs:?}");
    assert!(gcj.geodesic_distance_m(wgs) > 100.0, "GCJ-02 really is offset here");
}

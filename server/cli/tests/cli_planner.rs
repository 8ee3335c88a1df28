//! The planner's commands run as a user would: import districts, streets and demand, then
//! `yizhan coverage` and `yizhan plan` writing CSV and GeoJSON with a JSON summary on stdout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

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

fn data(path: &str) -> String {
    format!("{}/../../data/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn import_boundaries_and_demand_then_coverage_and_plan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |out: Output| -> Output {
        assert!(out.status.success(), "{}", text(&out.stderr));
        out
    };
    let out = ok(yizhan(d, &["import-districts", &data("districts/jining.geojson")]));
    assert!(text(&out.stderr).contains("imported 11 districts"), "{}", text(&out.stderr));
    let out = ok(yizhan(
        d,
        &["import-districts", &data("demo/yanzhou-streets.geojson"), "--level", "street", "--parent", "兖州区"],
    ));
    assert!(text(&out.stderr).contains("streets"), "{}", text(&out.stderr));
    ok(yizhan(d, &["import", &data("demo/yanzhou-stations.csv")]));
    let out = ok(yizhan(d, &["import-demand", &data("demo/yanzhou-demand.csv"), "--name", "订单"]));
    assert!(text(&out.stderr).contains("\"订单\""), "{}", text(&out.stderr));

    // Coverage as CSV (BOM, Chinese headers) with the summary on stdout.
    let csv = d.join("cells.csv");
    let out = ok(yizhan(
        d,
        &[
            "coverage",
            "--district",
            "兖州区",
            "--resolution",
            "7",
            "--demand",
            "订单",
            "--out",
            csv.to_str().unwrap(),
            "--json",
        ],
    ));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["area"]["name"], "兖州区");
    assert_eq!(summary["minutes"], serde_json::json!([10.0, 15.0]));
    let cells = summary["cells"].as_u64().unwrap();
    assert!(cells > 100, "{summary}");
    assert!(!summary["streets"].as_array().unwrap().is_empty(), "streets imported: {summary}");
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let body = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = body.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(lines.next().unwrap(), "H3,经度,纬度,面积(平方米),需求,出行时间(秒),类别,最近站点,街道");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len() as u64, cells);
    let demand: f64 = rows.iter().map(|r| r.split(',').nth(4).unwrap().parse::<f64>().unwrap()).sum();
    assert!((demand - summary["summary"]["demand_total"].as_f64().unwrap()).abs() < 1e-6);

    // The same as GeoJSON: one hexagon per cell with h3, travel_time_s, class, demand.
    let geo = d.join("cells.geojson");
    ok(yizhan(d, &["coverage", "--district", "兖州区", "--resolution", "7", "--out", geo.to_str().unwrap()]));
    let fc: Value = serde_json::from_slice(&std::fs::read(&geo).unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len() as u64, cells);
    for f in features {
        assert_eq!(f["geometry"]["type"], "Polygon");
        let p = &f["properties"];
        assert!(p["h3"].is_string() && p["class"].is_string() && p["demand"].is_number(), "{p}");
        assert!(p["travel_time_s"].is_number(), "{p}");
    }

    // A plan: two sites, ranked with gains, as GeoJSON points; the summary on stdout.
    let sites = d.join("sites.geojson");
    let out = ok(yizhan(
        d,
        &[
            "plan",
            "--district",
            "兖州区",
            "--resolution",
            "7",
            "--sites",
            "2",
            "--out",
            sites.to_str().unwrap(),
            "--json",
        ],
    ));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["objective"], "max_cover");
    let fc: Value = serde_json::from_slice(&std::fs::read(&sites).unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let ranks: Vec<u64> = features.iter().map(|f| f["properties"]["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, vec![1, 2]);
    let gains: f64 = features.iter().map(|f| f["properties"]["gain"].as_f64().unwrap()).sum();
    let sites_json: f64 = plan["sites"].as_array().unwrap().iter().map(|s| s["gain"].as_f64().unwrap()).sum();
    assert!((gains - sites_json).abs() < 1e-9);
}

#[test]
fn bad_input_is_refused_with_the_flag_named_and_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = yizhan(d, &["coverage", "--district", "兖州区", "--resolution", "12", "--out", "x.csv"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--resolution"), "{}", text(&out.stderr));
    let out = yizhan(d, &["coverage", "--district", "无此区", "--out", "x.geojson"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--district") && text(&out.stderr).contains("兖州区"), "{}", text(&out.stderr));
    let out = yizhan(d, &["plan", "--district", "兖州区", "--sites", "0", "--resolution", "7", "--out", "x.csv"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--sites"), "{}", text(&out.stderr));

    // A boundary file with one degenerate feature: nothing imported, the feature named; a
    // self-intersecting one is stored with a warning (analyses of it are refused).
    let file = d.join("bad.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"好区"},"geometry":{"type":"Polygon","coordinates":[[[116.7,35.5],[116.8,35.5],[116.8,35.6],[116.7,35.5]]]}},
          {"type":"Feature","properties":{"name":"坏区"},"geometry":{"type":"Polygon","coordinates":[[[116.7,35.5],[116.8,35.6],[116.7,35.5]]]}}]}"#,
    )
    .unwrap();
    let out = yizhan(d, &["import-districts", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("features[1] (坏区)") && err.contains("at least 3"), "{err}");
    assert!(!err.contains("好区"), "{err}");
    let out = yizhan(d, &["coverage", "--district", "好区", "--out", "x.csv"]);
    assert!(!out.status.success(), "nothing was stored");
    assert!(text(&out.stderr).contains("--district"), "{}", text(&out.stderr));
    let bow_tie = d.join("bow.geojson");
    std::fs::write(
        &bow_tie,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"交叉区"},"geometry":{"type":"Polygon","coordinates":[[[116.7,35.5],[116.8,35.6],[116.8,35.5],[116.7,35.62],[116.7,35.5]]]}}]}"#,
    )
    .unwrap();
    let out = yizhan(d, &["import-districts", bow_tie.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning: features[0] (交叉区): self-intersection"), "{}", text(&out.stderr));
    let out = yizhan(d, &["coverage", "--district", "交叉区", "--resolution", "7", "--out", "x.csv"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--boundary") && text(&out.stderr).contains("crosses itself"),
        "{}",
        text(&out.stderr)
    );

    // A demand file with bad rows: every one listed with its line.
    let demand = d.join("demand.csv");
    std::fs::write(&demand, "lon,lat,weight\n116.79,35.55,1\n116.8,abc,1\n116.8,35.5,-3\n").unwrap();
    let out = yizhan(d, &["import-demand", demand.to_str().unwrap(), "--name", "x"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("line 3") && err.contains("line 4"), "{err}");
}

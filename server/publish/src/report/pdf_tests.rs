#![allow(clippy::unwrap_used)]

use super::*;
use crate::report::data::{FeedbackSection, GapRow, KindCount, Methods, PlanSection, ReportMap};
use chrono::{NaiveDate, TimeZone, Utc};
use geo::{MultiPolygon, Rect};
use yizhan_core::report_stats::{RepeatedStation, ReportStats, StreetReports};
use yizhan_planner::coverage::{CoverageSummary, StreetSummary, ThresholdShare};
use yizhan_planner::district::District;
use yizhan_planner::eta::StraightLineModel;
use yizhan_planner::plan::ProposedSite;
use yizhan_planner::report::ReportCategory;
use yizhan_planner::station::StationKind;

fn font() -> Vec<u8> {
    std::fs::read(render::font_path()).expect("the report font (fonts-wqy-microhei) is installed")
}

fn share(minutes: f64, i: usize) -> ThresholdShare {
    ThresholdShare {
        minutes,
        cells: 10 + i,
        area_share: 0.5 + i as f64 / 1000.0,
        demand_share: 0.25 + i as f64 / 500.0,
    }
}

fn summary(i: usize) -> CoverageSummary {
    CoverageSummary {
        cells: 100 + i,
        area_km2: 10.0 + i as f64,
        demand_total: 500.0,
        thresholds: vec![share(10.0, i), share(15.0, i + 1)],
    }
}

fn square() -> District {
    District {
        name: "测试区".into(),
        city: Some("济宁市".into()),
        province: Some("山东省".into()),
        boundary: MultiPolygon(vec![Rect::new((116.7, 35.5), (116.9, 35.7)).to_polygon()]),
    }
}

fn street_reports(street: Option<&str>, reports: usize, open: usize, median: Option<f64>) -> StreetReports {
    StreetReports {
        district: Some("测试区".into()),
        street: street.map(str::to_owned),
        reports,
        open,
        resolved: reports - open - usize::from(reports > open),
        rejected: usize::from(reports > open),
        median_hours_to_resolve: median,
        thanks: 1,
    }
}

/// Feedback over 2026-08-27 ..= 2026-11-24 with `streets` streets (street `i`: `i + 2` reports,
/// `i % 3` open; one rejected when any is answered) and `repeated` stations reported again.
fn feedback_sample(streets: usize, repeated: usize) -> FeedbackSection {
    let rows: Vec<StreetReports> = (0..streets)
        .map(|i| street_reports(Some(&format!("反馈{i}街道")), i + 2, i % 3, Some(1.25 + i as f64)))
        .collect();
    let sum = |f: fn(&StreetReports) -> usize| rows.iter().map(f).sum::<usize>();
    let total = StreetReports {
        district: None,
        street: None,
        reports: sum(|r| r.reports),
        open: sum(|r| r.open),
        resolved: sum(|r| r.resolved),
        rejected: sum(|r| r.rejected),
        median_hours_to_resolve: (streets > 0).then_some(12.34),
        thanks: streets,
    };
    FeedbackSection {
        first_day: NaiveDate::from_ymd_opt(2026, 8, 27).unwrap(),
        last_day: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        stats: ReportStats {
            since: Utc.with_ymd_and_hms(2026, 8, 26, 16, 0, 0).unwrap(),
            until: Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).unwrap(),
            streets: rows,
            total,
            repeated: (0..repeated)
                .map(|i| RepeatedStation {
                    station_id: 1000 + i as i64,
                    name: (i != 1).then(|| format!("测试驿站{i:03}")),
                    district: Some("测试区".into()),
                    street: Some("反馈0街道".into()),
                    reports: 9 - i.min(6),
                    open: 1,
                    top_category: if i % 2 == 0 { ReportCategory::Crowded } else { ReportCategory::Closed },
                })
                .collect(),
        },
    }
}

fn sample(streets: usize, lang: Lang) -> ReportData {
    ReportData {
        district: "测试区".into(),
        city: Some("济宁市".into()),
        province: Some("山东省".into()),
        date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        lang,
        stations: StationKind::ALL
            .iter()
            .enumerate()
            .map(|(i, &kind)| KindCount { kind, active: 10 * i + 1, planned: i })
            .collect(),
        summary: summary(0),
        streets: (0..streets).map(|i| StreetSummary { name: format!("第{i}街道"), summary: summary(i) }).collect(),
        gaps: (1..=3)
            .map(|rank| GapRow {
                rank,
                street: Some("第1街道".into()),
                cells: 4,
                area_km2: 0.42,
                demand: 12.5,
                demand_share: 0.025,
                centroid: [116.8, 35.6],
            })
            .collect(),
        gaps_total: 7,
        plan: PlanSection {
            minutes: 15.0,
            candidates: 120,
            sites: (1..=2)
                .map(|rank| ProposedSite {
                    rank,
                    lon: 116.75 + rank as f64 / 100.0,
                    lat: 35.6,
                    h3: Some("8830e1d8a3fffff".into()),
                    candidate_id: None,
                    name: None,
                    gain: 20.0,
                    gain_share: 0.04,
                    cumulative_share: 0.3 + rank as f64 / 25.0,
                })
                .collect(),
            before: share(15.0, 1),
            after: share(15.0, 40),
            termination: "optimal".into(),
        },
        feedback: feedback_sample(3, 2),
        methods: Methods {
            method: EtaMethod::StraightLine,
            mode: TravelMode::Ebike,
            eta: StraightLineModel::default(),
            resolution: 9,
            cell_area_km2: 0.1053,
            thresholds_min: vec![10.0, 15.0],
            demand_label: "uniform".into(),
            demand_from_points: false,
            demand_synthetic: false,
        },
    }
}

fn texts(page: &[Op]) -> Vec<&str> {
    page.iter()
        .filter_map(|op| match op {
            Op::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn wrapped_lines_fit_and_keep_every_character() {
    let bytes = font();
    let m = Metrics::new(&bytes, 0).unwrap();
    let zh = "通行时间：本区县与已加载的路网不重叠（或未加载路网），按直线估算：网格中心到最近运营站点的大地线距离 × 绕行系数 1.3 ÷ 电动自行车速度 15.1 公里/小时。";
    let lines = wrap(&m, zh, 10.0, 200.0);
    assert!(lines.len() >= 3, "{lines:?}");
    assert!(lines.iter().all(|l| m.width(l, 10.0) <= 200.0), "{lines:?}");
    assert!(lines.iter().all(|l| !l.starts_with(['，', '。', '）', '、'])), "{lines:?}");
    let strip = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
    assert_eq!(strip(&lines.concat()), strip(zh));
    let en = "Travel time: no loaded road network overlaps the district, so times are straight-line estimates of the distance.";
    let lines = wrap(&m, en, 10.0, 150.0);
    assert!(lines.iter().all(|l| m.width(l, 10.0) <= 150.0), "{lines:?}");
    assert_eq!(lines.join(" "), en, "English breaks only at spaces");
    // Widths add up per glyph: a CJK glyph is one em wide in this font.
    assert!((m.width("驿站", 10.0) - 20.0).abs() < 0.5, "{}", m.width("驿站", 10.0));
}

#[test]
fn a_long_street_table_breaks_across_pages_with_its_header_repeated() {
    let bytes = font();
    let m = Metrics::new(&bytes, 0).unwrap();
    let data = sample(120, Lang::Zh);
    let pages = layout(&data, &m);
    assert!(pages.len() >= 5, "{} pages", pages.len());
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    // Every street once, in order.
    let names: Vec<&str> = all.iter().copied().filter(|t| t.starts_with('第') && t.ends_with("街道")).collect();
    let expected: Vec<String> = (0..120).map(|i| format!("第{i}街道")).collect();
    let gap_streets = data.gaps.len();
    assert_eq!(names.len(), 120 + gap_streets);
    assert_eq!(names[..120].iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), expected);
    // Pages that continue the street table start with the caption and the header.
    let continued: Vec<usize> =
        pages.iter().enumerate().filter(|(_, p)| texts(p).contains(&"表 3（续）")).map(|(i, _)| i).collect();
    assert!(continued.len() >= 2, "{continued:?}");
    for &i in &continued {
        let t = texts(&pages[i]);
        assert_eq!(t[0], "表 3（续）");
        assert_eq!(t[1], "街道（镇）", "header repeated on page {i}: {t:?}");
    }
    // Nothing is drawn below the content area; every row's cells share one baseline.
    for p in &pages {
        for op in p {
            if let Op::Text { y, .. } = op {
                assert!(*y <= BOTTOM + 0.01 && *y >= TOP, "baseline {y}");
            }
        }
    }
    // The summary figures are printed as shares.
    assert!(
        all.contains(&"50.0%") && all.contains(&"25.0%") && all.contains(&"50.1%") && all.contains(&"25.2%"),
        "{all:?}"
    );
    assert!(all.contains(&"测试区 驿站服务覆盖报告") && all.contains(&"报告日期：2026-11-24"));
    // The map sits on one page inside the content area.
    let maps: Vec<(usize, f32, f32)> = pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.iter().filter_map(move |op| match op {
                Op::Map { y, h, .. } => Some((i, *y, *h)),
                _ => None,
            })
        })
        .collect();
    assert_eq!(maps.len(), 1);
    assert!(maps[0].1 >= TOP && maps[0].1 + maps[0].2 <= BOTTOM, "{maps:?}");
    assert!(maps[0].2 >= MAP_H * MIN_MAP_SHARE && maps[0].2 <= MAP_H, "{maps:?}");
}

#[test]
fn english_report_has_english_headings_and_methods() {
    let bytes = font();
    let m = Metrics::new(&bytes, 0).unwrap();
    let data = sample(3, Lang::En);
    let pages = layout(&data, &m);
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    for t in [
        "测试区: rest-station coverage report",
        "Date: 2026-11-24",
        "1. Summary",
        "3. Coverage by street",
        "6. Riders' feedback",
        "7. Methods",
    ] {
        assert!(all.contains(&t), "{t} missing: {all:?}");
    }
    assert!(!all.iter().any(|t| t.contains("分钟")), "no Chinese labels in English: {all:?}");
    let methods = methods_text(&data).join(" ");
    assert!(methods.contains("detour factor 1.3") && methods.contains("15.1 km/h (4.2 m/s)"), "{methods}");
    assert!(!methods.contains("OpenStreetMap"), "straight line: no OSM attribution");
}

#[test]
fn pdf_has_a_page_per_layout_page_and_numbers_them() {
    let data = sample(80, Lang::Zh);
    let bytes = font();
    let pages = layout(&data, &Metrics::new(&bytes, 0).unwrap()).len();
    let district = square();
    let report = Report {
        map: ReportMap {
            district: district.clone(),
            streets: vec![],
            stations: vec![],
            coverage: render::MapCoverage {
                id: String::new(),
                minutes: vec![10, 15],
                cells: vec![],
                method: "straight_line".into(),
            },
        },
        data,
    };
    let pdf = render_pdf(&report).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "{:?}", &pdf[..8]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // pdftotext keeps or drops the narrow spaces between Chinese and digits as it likes: compare
    // without whitespace.
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    let page_texts: Vec<String> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).map(flat).collect();
    assert_eq!(page_texts.len(), pages);
    for (i, p) in page_texts.iter().enumerate() {
        assert!(p.contains(&format!("第{}页/共{pages}页", i + 1)), "page {i}: {p}");
    }
    assert!(flat(&text).contains("测试区驿站服务覆盖报告"));
    // The map's own text (vector, selectable) is there too.
    assert!(text.contains("图例"), "{text}");
    // The proposed sites are numbered over the map.
    let markers = report.data.plan.sites.len();
    assert_eq!(markers, 2);
}

#[test]
fn the_methods_note_follows_the_travel_time_method() {
    let mut data = sample(1, Lang::Zh);
    let straight = methods_text(&data).join("");
    assert!(
        straight.contains("按直线估算") && straight.contains("绕行系数 1.3") && straight.contains("15.1 公里/小时"),
        "{straight}"
    );
    assert!(!straight.contains("OpenStreetMap"));
    data.methods.method = EtaMethod::Network;
    data.methods.demand_from_points = true;
    data.methods.demand_synthetic = true;
    data.methods.demand_label = "demo:测试区".into();
    let network = methods_text(&data).join("");
    assert!(network.contains("沿已加载的 OpenStreetMap 路网"), "{network}");
    assert!(network.contains("© OpenStreetMap 贡献者（ODbL 许可）"), "{network}");
    assert!(network.contains("数据集“demo:测试区”（总权重 500.0，合成演示数据）"), "{network}");
    assert!(!network.contains("绕行系数"), "{network}");
    data.lang = Lang::En;
    let en = methods_text(&data).join(" ");
    assert!(en.contains("© OpenStreetMap contributors (ODbL)") && en.contains("synthetic demo data"), "{en}");
}

/// The words of every table row of `pages` (the texts of one baseline, left to right) whose
/// first cell is `first`.
fn rows_starting<'a>(pages: &'a [Vec<Op>], first: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    for p in pages {
        let mut lines: Vec<(f32, Vec<(f32, &str)>)> = Vec::new();
        for op in p {
            if let Op::Text { x, y, text, .. } = op {
                match lines.iter_mut().find(|(ly, _)| (ly - y).abs() < 0.01) {
                    Some(l) => l.1.push((*x, text.as_str())),
                    None => lines.push((*y, vec![(*x, text.as_str())])),
                }
            }
        }
        for (_, mut cells) in lines {
            cells.sort_by(|a, b| a.0.total_cmp(&b.0));
            if cells.first().is_some_and(|c| c.1 == first) {
                out.push(cells.into_iter().map(|c| c.1).collect());
            }
        }
    }
    out
}

#[test]
fn the_feedback_section_prints_streets_totals_and_repeated_stations() {
    let bytes = font();
    let m = Metrics::new(&bytes, 0).unwrap();
    let data = sample(2, Lang::Zh);
    let pages = layout(&data, &m);
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    let at = |t: &str| all.iter().position(|x| *x == t).unwrap_or_else(|| panic!("{t} missing: {all:?}"));
    // After the proposed sites, before the methods.
    assert!(at("五、建议新增站点") < at("六、骑手反馈") && at("六、骑手反馈") < at("七、方法说明"));
    assert!(
        at("六、骑手反馈") < at("表 7  各街道骑手反馈")
            && at("表 7  各街道骑手反馈") < at("表 8  多次被反馈的站点（3 次及以上）")
    );
    // Header, then one row per street (reports, open, resolved, rejected, median), then the total.
    for h in ["街道", "反馈数", "未处理", "已解决", "未采纳", "解决用时中位数", "（小时）"] {
        assert!(all.contains(&h), "{h}: {all:?}");
    }
    assert_eq!(rows_starting(&pages, "反馈0街道"), vec![vec!["反馈0街道", "2", "0", "1", "1", "1.2"]]);
    assert_eq!(rows_starting(&pages, "反馈1街道"), vec![vec!["反馈1街道", "3", "1", "1", "1", "2.2"]]);
    assert_eq!(rows_starting(&pages, "反馈2街道"), vec![vec!["反馈2街道", "4", "2", "1", "1", "3.2"]]);
    // "合计" also totals table 1: the feedback total is the last row of that name.
    let totals = rows_starting(&pages, "合计");
    assert_eq!(totals.last().unwrap(), &vec!["合计", "9", "3", "3", "3", "12.3"]);
    // Repeated stations: name (or its id when deleted), street, reports, open, the category's label.
    assert_eq!(rows_starting(&pages, "测试驿站000"), vec![vec!["测试驿站000", "反馈0街道", "9", "1", "人太多"]]);
    assert_eq!(
        rows_starting(&pages, "站点 #1001（已删除）"),
        vec![vec!["站点 #1001（已删除）", "反馈0街道", "8", "1", "站点关闭"]]
    );
    let intro = feedback_text(&data);
    assert_eq!(
        intro,
        "近 90 天（2026-08-27 至 2026-11-24），骑手共反馈问题 9 条，其中 3 条尚未处理、3 条已解决、3 条未采纳；从提交到解决的用时中位数为 12.3 小时。另收到点赞感谢 3 条。"
    );
    assert!(methods_text(&data).join("").contains("骑手反馈：2026-08-27 至 2026-11-24"));

    // English: the same figures under English labels, the category's English label.
    let mut en = data.clone();
    en.lang = Lang::En;
    let pages = layout(&en, &m);
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    assert!(all.contains(&"6. Riders' feedback") && all.contains(&"Table 7  Riders' reports by street"), "{all:?}");
    assert_eq!(rows_starting(&pages, "Total").last().unwrap(), &vec!["Total", "9", "3", "3", "3", "12.3"]);
    assert_eq!(rows_starting(&pages, "测试驿站000"), vec![vec!["测试驿站000", "反馈0街道", "9", "1", "Crowded"]]);
    assert_eq!(rows_starting(&pages, "Station #1001 (deleted)")[0][4], "Closed");
    assert!(feedback_text(&en).starts_with(
        "In the last 90 days (2026-08-27 to 2026-11-24) riders reported 9 problems: 3 still open, 3 resolved, 3 rejected; the median time from report to resolution is 12.3 hours."
    ));
}

#[test]
fn without_reports_or_repeated_stations_the_section_says_so() {
    let bytes = font();
    let m = Metrics::new(&bytes, 0).unwrap();
    let mut data = sample(2, Lang::Zh);
    data.feedback = feedback_sample(0, 0);
    data.feedback.stats.total.thanks = 0;
    let pages = layout(&data, &m);
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    assert!(all.contains(&"六、骑手反馈"));
    assert!(!all.iter().any(|t| t.starts_with("表 7") || t.starts_with("表 8")), "{all:?}");
    assert_eq!(feedback_text(&data), "近 90 天（2026-08-27 至 2026-11-24），本区县站点未收到骑手反馈的问题。");
    data.lang = Lang::En;
    assert_eq!(
        feedback_text(&data),
        "In the last 90 days (2026-08-27 to 2026-11-24) riders reported no problem with the district's stations."
    );

    // Reports, but no station reported three times: the street table and a sentence.
    let mut data = sample(2, Lang::Zh);
    data.feedback = feedback_sample(1, 0);
    data.feedback.stats.total.median_hours_to_resolve = None;
    let pages = layout(&data, &m);
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    assert!(all.contains(&"表 7  各街道骑手反馈") && !all.iter().any(|t| t.starts_with("表 8")), "{all:?}");
    assert!(all.contains(&"没有站点在此期间被反馈 3 次及以上。"), "{all:?}");
    assert_eq!(rows_starting(&pages, "合计").last().unwrap(), &vec!["合计", "2", "0", "1", "1", "—"]);
    assert!(feedback_text(&data).contains("尚无已解决的反馈。"));
}

#[test]
fn a_long_repeated_table_breaks_across_pages_with_its_header_repeated() {
    let bytes = font();
    let m = Metrics::new(&bytes, 0).unwrap();
    let mut data = sample(2, Lang::Zh);
    data.feedback = feedback_sample(60, 90);
    let pages = layout(&data, &m);
    let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
    // Every street and every station once, in order.
    let streets: Vec<&str> = all.iter().copied().filter(|t| t.starts_with("反馈") && t.ends_with("街道")).collect();
    // Street rows, then the street column of the 90 repeated stations.
    assert_eq!(streets.len(), 60 + 90);
    let expected: Vec<String> = (0..60).map(|i| format!("反馈{i}街道")).collect();
    assert_eq!(streets[..60].iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), expected);
    let stations: Vec<&str> = all.iter().copied().filter(|t| t.starts_with("测试驿站")).collect();
    let expected: Vec<String> = (0..90).filter(|&i| i != 1).map(|i| format!("测试驿站{i:03}")).collect();
    assert_eq!(stations.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), expected, "one of the 90 is deleted");
    for caption in ["表 7（续）", "表 8（续）"] {
        let continued: Vec<usize> =
            pages.iter().enumerate().filter(|(_, p)| texts(p).contains(&caption)).map(|(i, _)| i).collect();
        assert!(!continued.is_empty(), "{caption}");
        let first_header = if caption.starts_with("表 7") { "街道" } else { "站点" };
        for &i in &continued {
            let t = texts(&pages[i]);
            assert_eq!((t[0], t[1]), (caption, first_header), "header repeated on page {i}: {t:?}");
        }
    }
    for p in &pages {
        for op in p {
            if let Op::Text { y, .. } = op {
                assert!(*y <= BOTTOM + 0.01 && *y >= TOP, "baseline {y}");
            }
        }
    }
}

#[test]
fn a_feedback_table_s_caption_stays_on_the_page_of_its_first_rows() {
    let bytes = font();
    let m = Metrics::new(&bytes, 0).unwrap();
    let page_of = |pages: &[Vec<Op>], text: &str| pages.iter().position(|p| texts(p).contains(&text)).unwrap();
    // As the street table above grows, the captions meet the foot of a page somewhere.
    let mut foot = 0;
    for streets in 0..48 {
        let mut data = sample(streets, Lang::Zh);
        data.feedback = feedback_sample(3, 2);
        let pages = layout(&data, &m);
        for (caption, first) in
            [("表 7  各街道骑手反馈", "反馈0街道"), ("表 8  多次被反馈的站点（3 次及以上）", "测试驿站000")]
        {
            let at = page_of(&pages, caption);
            assert_eq!(at, page_of(&pages, first), "{streets} streets: {caption}");
            let t = texts(&pages[at]);
            let i = t.iter().position(|x| *x == caption).unwrap();
            foot += usize::from(i + 1 == t.len() || t[i + 1] != if first == "反馈0街道" { "街道" } else { "站点" });
        }
    }
    assert_eq!(foot, 0);
}

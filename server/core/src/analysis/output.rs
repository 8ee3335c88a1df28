//! What analyses and plans answer: the HTTP response bodies and the command line's GeoJSON and CSV
//! files (CSV: UTF-8 with BOM, CRLF line ends, 中文 or English headers, like the station export).
//!
//! Every text cell of a CSV (H3 index, class, street, candidate id, site name) goes through
//! [`spreadsheet_text`], the station export's rule: a value a spreadsheet would run as a formula
//! (leading `=`, `+`, `-`, `@`, tab, CR) gets a leading `'`. Numbers (coordinates, areas, demand,
//! travel times, shares, ranks, station ids) are written as numbers, never quoted.

use super::CoverageOutcome;
use serde_json::{Value, json};
use yizhan_planner::coverage::{CellCoverage, CoverageAnalysis, cells_geojson};
use yizhan_planner::export::HeaderLang;
use yizhan_planner::plan::{PlanResult, ProposedSite};
use yizhan_planner::spreadsheet::spreadsheet_text;

/// Thresholds in minutes, from seconds.
#[must_use]
pub fn minutes_of(thresholds_s: &[f64]) -> Vec<f64> {
    thresholds_s.iter().map(|s| s / 60.0).collect()
}

/// The body of `POST /api/v1/coverage` (and `GET /api/v1/coverage/{id}`): summary, streets, gaps,
/// and the cells as a GeoJSON FeatureCollection of H3 hexagons.
#[must_use]
pub fn coverage_response(outcome: &CoverageOutcome) -> Value {
    let a = &outcome.analysis;
    json!({
        "id": outcome.id,
        "area": { "name": a.area_name },
        "method": a.method,
        "resolution": a.resolution,
        "mode": a.mode,
        "minutes": minutes_of(&a.thresholds_s),
        "demand": {
            "source": outcome.demand_label,
            "from_points": a.demand_from_points,
            "points_outside": a.demand_points_outside,
            "weight_outside": a.demand_weight_outside,
        },
        "summary": a.summary,
        "streets": a.streets,
        "gaps": a.gaps,
        "cells": cells_geojson(&a.cells),
    })
}

/// [`coverage_response`] as JSON text, written straight from the analysis: no tree of the whole
/// answer is built (each cell's feature exists only while it is written), so a large grid costs
/// its text and little more.
#[must_use]
pub fn coverage_response_text(outcome: &CoverageOutcome) -> String {
    let a = &outcome.analysis;
    let body = CoverageBody {
        id: &outcome.id,
        area: AreaName { name: a.area_name.as_deref() },
        method: a.method,
        resolution: a.resolution,
        mode: a.mode,
        minutes: minutes_of(&a.thresholds_s),
        demand: DemandBody {
            source: &outcome.demand_label,
            from_points: a.demand_from_points,
            points_outside: a.demand_points_outside,
            weight_outside: a.demand_weight_outside,
        },
        summary: &a.summary,
        streets: &a.streets,
        gaps: &a.gaps,
        cells: CellFeatures(&a.cells),
    };
    serde_json::to_string(&body).unwrap_or_else(|e| format!("{{\"error\": {{\"message\": {:?}}}}}", e.to_string()))
}

#[derive(serde::Serialize)]
struct CoverageBody<'a> {
    id: &'a str,
    area: AreaName<'a>,
    method: yizhan_planner::eta::EtaMethod,
    resolution: u8,
    mode: yizhan_planner::eta::TravelMode,
    minutes: Vec<f64>,
    demand: DemandBody<'a>,
    summary: &'a yizhan_planner::coverage::CoverageSummary,
    streets: &'a [yizhan_planner::coverage::StreetSummary],
    gaps: &'a [yizhan_planner::coverage::Gap],
    cells: CellFeatures<'a>,
}

#[derive(serde::Serialize)]
struct AreaName<'a> {
    name: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct DemandBody<'a> {
    source: &'a str,
    from_points: bool,
    points_outside: usize,
    weight_outside: f64,
}

/// The cells as a GeoJSON FeatureCollection, each feature made while it is written.
struct CellFeatures<'a>(&'a [CellCoverage]);

impl serde::Serialize for CellFeatures<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Features<'a>(&'a [CellCoverage]);
        impl serde::Serialize for Features<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(yizhan_planner::coverage::cell_feature))
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", "FeatureCollection")?;
        map.serialize_entry("features", &Features(self.0))?;
        map.end()
    }
}

/// A short summary of an analysis (the command line's `--json`): everything but the cells.
#[must_use]
pub fn coverage_summary_json(a: &CoverageAnalysis) -> Value {
    json!({
        "area": { "name": a.area_name },
        "method": a.method,
        "resolution": a.resolution,
        "mode": a.mode,
        "minutes": minutes_of(&a.thresholds_s),
        "cells": a.cells.len(),
        "summary": a.summary,
        "streets": a.streets,
        "gaps": a.gaps.iter().take(10).collect::<Vec<_>>(),
    })
}

/// The cells as GeoJSON text.
#[must_use]
pub fn cells_geojson_text(cells: &[CellCoverage]) -> String {
    cells_geojson(cells).to_string()
}

pub(crate) fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(header);
        for r in rows {
            let _ = w.write_record(&r);
        }
        let _ = w.flush();
    }
    out
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// An optional text cell, spreadsheet-safe ([`spreadsheet_text`]); empty when absent.
fn text(v: Option<&str>) -> String {
    v.map(spreadsheet_text).unwrap_or_default()
}

/// The cells as CSV: one row per cell (text cells spreadsheet-safe).
#[must_use]
pub fn cells_csv(cells: &[CellCoverage], lang: HeaderLang) -> Vec<u8> {
    let header: &[&str] = match lang {
        HeaderLang::Zh => &["H3", "经度", "纬度", "面积(平方米)", "需求", "出行时间(秒)", "类别", "最近站点", "街道"],
        HeaderLang::En => &["h3", "lon", "lat", "area_m2", "demand", "travel_time_s", "class", "station_id", "street"],
    };
    csv_bytes(
        header,
        cells.iter().map(|c| {
            vec![
                spreadsheet_text(&c.h3),
                c.centre[0].to_string(),
                c.centre[1].to_string(),
                c.area_m2.to_string(),
                c.demand.to_string(),
                opt(c.travel_time_s),
                spreadsheet_text(&c.class.code()),
                opt(c.station_id),
                text(c.street.as_deref()),
            ]
        }),
    )
}

/// The proposed sites as CSV: one row per site, in rank order (text cells spreadsheet-safe).
#[must_use]
pub fn sites_csv(sites: &[ProposedSite], lang: HeaderLang) -> Vec<u8> {
    let header: &[&str] = match lang {
        HeaderLang::Zh => &["排名", "经度", "纬度", "H3", "候选编号", "名称", "新增覆盖需求", "新增占比", "累计占比"],
        HeaderLang::En => {
            &["rank", "lon", "lat", "h3", "candidate_id", "name", "gain", "gain_share", "cumulative_share"]
        }
    };
    csv_bytes(
        header,
        sites.iter().map(|s| {
            vec![
                s.rank.to_string(),
                s.lon.to_string(),
                s.lat.to_string(),
                text(s.h3.as_deref()),
                text(s.candidate_id.as_deref()),
                text(s.name.as_deref()),
                s.gain.to_string(),
                s.gain_share.to_string(),
                s.cumulative_share.to_string(),
            ]
        }),
    )
}

/// The proposed sites as a GeoJSON FeatureCollection of points (WGS-84) with properties `rank`,
/// `gain`, `gain_share`, `cumulative_share`, `h3`, `candidate_id`, `name`.
#[must_use]
pub fn sites_geojson(sites: &[ProposedSite]) -> Value {
    json!({
        "type": "FeatureCollection",
        "features": sites.iter().map(|s| json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [s.lon, s.lat] },
            "properties": {
                "rank": s.rank, "gain": s.gain, "gain_share": s.gain_share,
                "cumulative_share": s.cumulative_share, "h3": s.h3, "candidate_id": s.candidate_id, "name": s.name,
            },
        })).collect::<Vec<_>>(),
    })
}

/// A short summary of a plan (the command line's `--json`).
#[must_use]
pub fn plan_summary_json(p: &PlanResult) -> Value {
    json!({
        "objective": p.objective,
        "minutes": p.threshold_s / 60.0,
        "sites": p.sites,
        "before": p.before,
        "after": p.after,
        "upper_bound": p.upper_bound,
        "termination": p.termination,
        "candidates": p.candidates,
    })
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;

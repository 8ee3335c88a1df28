//! Riders' reports for officials: per street, how many came, how many are still open, and the
//! median time to resolve; the stations reported again and again. Computed from the stored
//! reports (the text and positions of riders never appear), for the JSON/CSV answer and the
//! district report's 骑手反馈 section.

use crate::analysis::output::csv_bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use yizhan_planner::report::{ReportCategory, ReportStatus};
use yizhan_planner::spreadsheet::spreadsheet_text;
use yizhan_planner::station::StationId;
use yizhan_store::reports::ReportRecord;

/// A station with this many reports or more in the period is "reported again and again".
pub const REPEATED_AT: usize = 3;

/// One street's reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StreetReports {
    /// District (区/县), if recorded.
    pub district: Option<String>,
    /// Street (街道/镇), if recorded.
    pub street: Option<String>,
    /// Reports in the period (thank-yous excluded).
    pub reports: usize,
    /// Of those, still new or acknowledged.
    pub open: usize,
    /// Resolved.
    pub resolved: usize,
    /// Rejected.
    pub rejected: usize,
    /// Median hours from a report to its resolution, over the resolved ones.
    pub median_hours_to_resolve: Option<f64>,
    /// Thank-yous in the period.
    pub thanks: usize,
}

/// A station reported at least [`REPEATED_AT`] times in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RepeatedStation {
    /// The station.
    pub station_id: StationId,
    /// Its name now, if it still exists.
    pub name: Option<String>,
    /// District and street.
    pub district: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// Reports in the period (thank-yous excluded).
    pub reports: usize,
    /// Of those, still open.
    pub open: usize,
    /// The most frequent category.
    pub top_category: ReportCategory,
}

/// The period's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportStats {
    /// Start of the period (UTC), inclusive.
    pub since: DateTime<Utc>,
    /// End of the period (UTC), exclusive.
    pub until: DateTime<Utc>,
    /// Every street with a report, by district then street (unrecorded last).
    pub streets: Vec<StreetReports>,
    /// The whole set (district and street empty).
    pub total: StreetReports,
    /// Stations reported again and again, most reports first.
    pub repeated: Vec<RepeatedStation>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { f64::midpoint(v[n / 2 - 1], v[n / 2]) })
}

#[derive(Default)]
struct Tally {
    reports: usize,
    open: usize,
    resolved: usize,
    rejected: usize,
    thanks: usize,
    hours: Vec<f64>,
}

impl Tally {
    fn add(&mut self, r: &ReportRecord) {
        if r.category == ReportCategory::Thanks {
            self.thanks += 1;
            return;
        }
        self.reports += 1;
        match r.status {
            ReportStatus::New | ReportStatus::Acknowledged => self.open += 1,
            ReportStatus::Resolved => {
                self.resolved += 1;
                if let Some(t) = r.resolved_at {
                    #[expect(
                        clippy::cast_precision_loss,
                        reason = "milliseconds of a report's life fit in f64 exactly"
                    )]
                    self.hours.push((t - r.created_at).num_milliseconds() as f64 / 3_600_000.0);
                }
            }
            ReportStatus::Rejected => self.rejected += 1,
        }
    }

    fn row(self, district: Option<String>, street: Option<String>) -> StreetReports {
        StreetReports {
            district,
            street,
            reports: self.reports,
            open: self.open,
            resolved: self.resolved,
            rejected: self.rejected,
            median_hours_to_resolve: median(self.hours),
            thanks: self.thanks,
        }
    }
}

/// The figures of `reports` created in `[since, until)`; `name_of` gives a station's name now.
#[must_use]
pub fn report_stats(
    reports: &[ReportRecord],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    name_of: &dyn Fn(StationId) -> Option<String>,
) -> ReportStats {
    let mut per: BTreeMap<(bool, Option<String>, bool, Option<String>), Tally> = BTreeMap::new();
    let mut total = Tally::default();
    let mut stations: BTreeMap<StationId, (Vec<&ReportRecord>, usize)> = BTreeMap::new();
    for r in reports.iter().filter(|r| r.created_at >= since && r.created_at < until) {
        total.add(r);
        per.entry((r.district.is_none(), r.district.clone(), r.street.is_none(), r.street.clone())).or_default().add(r);
        if let Some(id) = r.station_id
            && r.category != ReportCategory::Thanks
        {
            let e = stations.entry(id).or_default();
            e.0.push(r);
            e.1 += usize::from(r.status.is_open());
        }
    }
    let streets = per.into_iter().map(|((_, d, _, s), t)| t.row(d, s)).collect();
    let mut repeated: Vec<RepeatedStation> = stations
        .into_iter()
        .filter(|(_, (rs, _))| rs.len() >= REPEATED_AT)
        .map(|(id, (rs, open))| {
            let mut counts: BTreeMap<&str, (usize, ReportCategory)> = BTreeMap::new();
            for r in &rs {
                counts.entry(r.category.code()).or_insert((0, r.category)).0 += 1;
            }
            let top = counts
                .values()
                .max_by_key(|(n, c)| (*n, std::cmp::Reverse(c.code())))
                .map_or(ReportCategory::Other, |v| v.1);
            RepeatedStation {
                station_id: id,
                name: name_of(id),
                district: rs[0].district.clone(),
                street: rs[0].street.clone(),
                reports: rs.len(),
                open,
                top_category: top,
            }
        })
        .collect();
    repeated.sort_by(|a, b| b.reports.cmp(&a.reports).then(a.station_id.cmp(&b.station_id)));
    ReportStats { since, until, streets, total: total.row(None, None), repeated }
}

/// The per-street table as CSV for Excel (UTF-8 with BOM, CRLF), Chinese headers.
#[must_use]
pub fn streets_csv(stats: &ReportStats) -> Vec<u8> {
    let header = ["区县", "街道", "反馈数", "未处理", "已解决", "未采纳", "解决用时中位数（小时）", "点赞"];
    let cells = |s: &StreetReports, district: String| {
        vec![
            district,
            s.street.as_deref().map(spreadsheet_text).unwrap_or_default(),
            s.reports.to_string(),
            s.open.to_string(),
            s.resolved.to_string(),
            s.rejected.to_string(),
            s.median_hours_to_resolve.map(|h| format!("{h:.1}")).unwrap_or_default(),
            s.thanks.to_string(),
        ]
    };
    let rows = stats
        .streets
        .iter()
        .map(|s| cells(s, s.district.as_deref().map(spreadsheet_text).unwrap_or_default()))
        .chain(std::iter::once(cells(&stats.total, "合计".to_owned())));
    csv_bytes(&header, rows)
}

#[cfg(test)]
#[path = "report_stats_tests.rs"]
mod tests;

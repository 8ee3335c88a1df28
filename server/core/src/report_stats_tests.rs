#![allow(clippy::unwrap_used)]

use super::*;
use chrono::{Duration, TimeZone};

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + Duration::hours(h)
}

fn r(
    id: i64,
    station: Option<i64>,
    street: &str,
    c: ReportCategory,
    s: ReportStatus,
    created: i64,
    resolved: Option<i64>,
) -> ReportRecord {
    ReportRecord {
        id,
        code: format!("C{id}"),
        station_id: station,
        category: c,
        amenity: None,
        text: Some("不应出现".into()),
        position: None,
        district: Some("兖州区".into()),
        street: Some(street.into()),
        status: s,
        created_at: at(created),
        updated_at: at(resolved.unwrap_or(created)),
        resolved_at: resolved.map(at),
        note: None,
        handled_by: None,
        has_photo: false,
    }
}

#[test]
fn per_street_counts_medians_and_repeated_stations() {
    use ReportCategory as C;
    use ReportStatus as S;
    let all = vec![
        r(1, Some(10), "鼓楼街道", C::Closed, S::Resolved, 0, Some(2)),
        r(2, Some(10), "鼓楼街道", C::Closed, S::Resolved, 1, Some(11)),
        r(3, Some(10), "鼓楼街道", C::HoursWrong, S::New, 2, None),
        r(4, Some(10), "鼓楼街道", C::Closed, S::Resolved, 3, Some(7)),
        r(5, Some(11), "鼓楼街道", C::Thanks, S::New, 3, None),
        r(6, Some(12), "龙桥街道", C::Crowded, S::Rejected, 4, Some(5)),
        r(7, None, "龙桥街道", C::Other, S::Acknowledged, 5, None),
        // Outside the period.
        r(8, Some(10), "鼓楼街道", C::Closed, S::New, 500, None),
    ];
    let s = report_stats(&all, at(0), at(100), &|id| (id == 10).then(|| "西关驿站".to_owned()));
    assert_eq!(s.streets.len(), 2);
    let g = &s.streets[0];
    assert_eq!(
        (g.street.as_deref(), g.reports, g.open, g.resolved, g.rejected, g.thanks),
        (Some("鼓楼街道"), 4, 1, 3, 0, 1)
    );
    // Resolution times 2 h, 10 h, 4 h: the median is 4 h.
    assert_eq!(g.median_hours_to_resolve, Some(4.0));
    let l = &s.streets[1];
    assert_eq!((l.reports, l.open, l.rejected, l.median_hours_to_resolve), (2, 1, 1, None));
    assert_eq!((s.total.reports, s.total.open, s.total.thanks), (6, 2, 1));
    assert_eq!(s.total.median_hours_to_resolve, Some(4.0));
    assert_eq!(s.repeated.len(), 1);
    let rep = &s.repeated[0];
    assert_eq!(
        (rep.station_id, rep.name.as_deref(), rep.reports, rep.open, rep.top_category),
        (10, Some("西关驿站"), 4, 1, C::Closed)
    );

    let csv = String::from_utf8(streets_csv(&s)).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "区县,街道,反馈数,未处理,已解决,未采纳,解决用时中位数（小时）,点赞");
    assert_eq!(lines[1], "兖州区,鼓楼街道,4,1,3,0,4.0,1");
    assert_eq!(lines[2], "兖州区,龙桥街道,2,1,0,1,,0");
    assert_eq!(lines[3], "合计,,6,2,3,1,4.0,1");
    assert!(!csv.contains("不应出现"), "riders' text never appears");
}

#[test]
fn an_even_number_of_times_takes_the_middle_two() {
    use ReportCategory as C;
    use ReportStatus as S;
    let all =
        vec![r(1, None, "a", C::Other, S::Resolved, 0, Some(1)), r(2, None, "a", C::Other, S::Resolved, 0, Some(4))];
    assert_eq!(report_stats(&all, at(0), at(10), &|_| None).total.median_hours_to_resolve, Some(2.5));
}

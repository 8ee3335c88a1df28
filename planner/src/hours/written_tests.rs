#![allow(clippy::unwrap_used)]

use super::to_osm;
use crate::hours::OpeningHours;
use chrono::NaiveDate;

#[test]
fn what_keepers_write_becomes_osm_syntax() {
    for (written, osm) in [
        ("全天", "24/7"),
        ("24小时", "24/7"),
        ("全天24小时营业", "24/7"),
        ("每天 8:00-18:00", "Mo-Su 08:00-18:00"),
        ("每日8:00～20:00", "Mo-Su 08:00-20:00"),
        ("周一至周五 8:00-18:00", "Mo-Fr 08:00-18:00"),
        ("周一到周五 8:30-17:30", "Mo-Fr 08:30-17:30"),
        ("星期一至星期六 9点-21点", "Mo-Sa 09:00-21:00"),
        ("工作日 9:00-17:00；周末休息", "Mo-Fr 09:00-17:00; Sa,Su off"),
        ("8:00-12:00，14:00-18:00", "08:00-12:00,14:00-18:00"),
        ("周一至周五 8：00－12：00，14：00－18：00", "Mo-Fr 08:00-12:00,14:00-18:00"),
        ("周一至周五8:00-18:00，周末9:00-17:00", "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00"),
        ("周六、周日 10:00-16:00", "Sa,Su 10:00-16:00"),
        ("周末全天", "Sa,Su 00:00-24:00"),
        ("营业时间：每天 ８:００-２２:００", "Mo-Su 08:00-22:00"),
        ("每天 7点半-19点", "Mo-Su 07:30-19:00"),
        ("周一、周三至周五 9:00-17:00", "Mo,We-Fr 09:00-17:00"),
    ] {
        assert_eq!(to_osm(written).as_deref(), Some(osm), "{written}");
    }
}

#[test]
fn what_is_not_understood_is_refused() {
    for bad in
        ["", "看情况", "周一至周五", "周八 9:00-17:00", "25:00-26:00", "9:00-9:00", "8:00-", "周五至周一 9:00-17:00"]
    {
        assert_eq!(to_osm(bad), None, "{bad}");
    }
}

/// The converted forms mean what the Chinese says, evaluated by the opening-hours crate.
#[test]
fn converted_hours_open_when_the_text_says() {
    let at = |d: u32, h: u32, m: u32| NaiveDate::from_ymd_opt(2025, 3, d).unwrap().and_hms_opt(h, m, 0).unwrap();
    // 2025-03-03 is a Monday, 03-08 a Saturday, 03-09 a Sunday.
    let h = OpeningHours::parse_written("周一至周五 8:00-12:00，14:00-18:00").unwrap();
    assert_eq!(h.as_str(), "Mo-Fr 08:00-12:00,14:00-18:00");
    assert!(h.is_open_local(at(3, 9, 0)));
    assert!(!h.is_open_local(at(3, 13, 0)), "lunch break");
    assert!(h.is_open_local(at(3, 15, 0)));
    assert!(!h.is_open_local(at(8, 10, 0)), "Saturday");
    let h = OpeningHours::parse_written("工作日 9:00-17:00；周末休息").unwrap();
    assert!(!h.is_open_local(at(9, 10, 0)), "Sunday is off");
    assert!(h.is_open_local(at(4, 16, 59)));
    assert!(OpeningHours::parse_written("全天").unwrap().is_always_open());
    // OSM syntax is kept as written.
    assert_eq!(OpeningHours::parse_written("Mo-Fr 08:00-20:00").unwrap().as_str(), "Mo-Fr 08:00-20:00");
    // Not understood: the error quotes the text.
    let e = OpeningHours::parse_written("看情况").unwrap_err();
    assert_eq!(e.raw, "看情况");
}

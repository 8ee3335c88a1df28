#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn components_are_percent_encoded() {
    // Independent reference: Python's urllib.parse.quote(s, safe="").
    assert_eq!(encode_component("兖州 驿站&1|,"), "%E5%85%96%E5%B7%9E%20%E9%A9%BF%E7%AB%99%261%7C%2C");
    assert_eq!(encode_component("我的位置"), "%E6%88%91%E7%9A%84%E4%BD%8D%E7%BD%AE");
    assert_eq!(encode_component("a+b*c-d._e"), "a%2Bb%2Ac-d._e");
}

#[test]
fn navigation_links() {
    let origin = LonLat { lon: 116.78, lat: 35.55 };
    let station = LonLat { lon: 116.801_234, lat: 35.561_234 };
    let nav = navigation(origin, station, "兖州 驿站&1|,", TravelMode::Ebike);
    let gcj = Crs::Gcj02.from_wgs84(station);
    let bd = Crs::Bd09.from_wgs84(station);
    let obd = Crs::Bd09.from_wgs84(origin);
    assert_eq!(nav.gcj02, gcj);
    assert_eq!(nav.bd09, bd);
    // GCJ-02 is several hundred metres off WGS-84 here; BD-09 further still.
    assert!(station.geodesic_distance_m(gcj) > 100.0 && gcj.geodesic_distance_m(bd) > 100.0);
    let name = "%E5%85%96%E5%B7%9E%20%E9%A9%BF%E7%AB%99%261%7C%2C";
    assert_eq!(
        nav.amap_url,
        format!(
            "https://uri.amap.com/navigation?to={:.6},{:.6},{name}&mode=ride&coordinate=gaode&callnative=1",
            gcj.lon, gcj.lat
        )
    );
    assert_eq!(
        nav.baidu_url,
        format!(
            "https://api.map.baidu.com/direction?origin=latlng:{:.6},{:.6}|name:%E6%88%91%E7%9A%84%E4%BD%8D%E7%BD%AE\
             &destination=latlng:{:.6},{:.6}|name:{name}&coord_type=bd09ll&mode=riding&output=html&src=yizhan",
            obd.lat, obd.lon, bd.lat, bd.lon
        )
    );
}

#[test]
fn navigation_modes() {
    let p = LonLat { lon: 116.8, lat: 35.56 };
    let walk = navigation(p, p, "x", TravelMode::Walk);
    assert!(walk.amap_url.contains("&mode=walk&") && walk.baidu_url.contains("&mode=walking&"));
    let car = navigation(p, p, "x", TravelMode::Car);
    assert!(car.amap_url.contains("&mode=car&") && car.baidu_url.contains("&mode=driving&"));
}

fn shanghai(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn state(hours: Option<&str>, at: &str, tz: Tz) -> (Option<bool>, Option<String>) {
    let hours = hours.map(|h| OpeningHours::parse(h).unwrap());
    let (open, next) = opening_state(hours.as_ref(), shanghai(at), tz);
    (open, next.map(|t| t.to_rfc3339()))
}

#[test]
fn opening_state_reads_local_time() {
    let sh = yizhan_planner::hours::DEFAULT_TZ;
    // 2026-01-05 is a Monday.
    let daily = Some("Mo-Su 07:00-22:00");
    assert_eq!(state(daily, "2026-01-05T12:00:00+08:00", sh), (Some(true), Some("2026-01-05T22:00:00+08:00".into())));
    assert_eq!(state(daily, "2026-01-05T23:30:00+08:00", sh), (Some(false), Some("2026-01-06T07:00:00+08:00".into())));
    // The same instant given in UTC reads the same in Shanghai.
    assert_eq!(state(daily, "2026-01-05T15:30:00Z", sh), (Some(false), Some("2026-01-06T07:00:00+08:00".into())));
    let weekdays = Some("Mo-Fr 08:00-18:00");
    assert_eq!(
        state(weekdays, "2026-01-10T10:00:00+08:00", sh),
        (Some(false), Some("2026-01-12T08:00:00+08:00".into())),
        "Saturday: next opening is Monday morning"
    );
    assert_eq!(state(Some("24/7"), "2026-01-05T03:00:00+08:00", sh), (Some(true), None));
    assert_eq!(state(None, "2026-01-05T03:00:00+08:00", sh), (None, None));
}

#[test]
fn opening_state_in_another_zone() {
    let ny = chrono_tz::America::New_York;
    // 12:00 in Shanghai on 5 January is 23:00 the day before in New York (UTC-5).
    assert_eq!(
        state(Some("Mo-Su 07:00-22:00"), "2026-01-05T12:00:00+08:00", ny),
        (Some(false), Some("2026-01-05T07:00:00-05:00".into()))
    );
    // 2026-03-08 02:00-03:00 does not exist in New York (clocks jump from 02:00 EST to 03:00 EDT): an
    // opening at 02:30 is reported as 03:30 EDT, the instant 02:30 EST names.
    assert_eq!(
        state(Some("Mo-Su 02:30-04:00"), "2026-03-08T06:00:00Z", ny),
        (Some(false), Some("2026-03-08T03:30:00-04:00".into()))
    );
}

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

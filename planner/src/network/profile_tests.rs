#![allow(clippy::unwrap_used)]
use super::*;

fn tags<'a>(pairs: &[(&'a str, &'a str)]) -> WayTags<'a> {
    WayTags::from_pairs(pairs.iter().copied())
}

fn speeds(mode: TravelMode, pairs: &[(&str, &str)]) -> Option<(Option<f64>, Option<f64>)> {
    traversal(mode, &tags(pairs)).map(|t| {
        let r = |v: Option<f64>| v.map(|x| (x * 3.6 * 1000.0).round() / 1000.0);
        (r(t.forward_m_s), r(t.backward_m_s))
    })
}

#[test]
fn maxspeed_forms() {
    assert_eq!(parse_maxspeed("50"), Some(50.0));
    assert_eq!(parse_maxspeed("50 km/h"), Some(50.0));
    assert_eq!(parse_maxspeed("40kmh"), Some(40.0));
    assert!((parse_maxspeed("30 mph").unwrap() - 48.280_32).abs() < 1e-9);
    assert_eq!(parse_maxspeed("FI:urban"), Some(50.0));
    assert_eq!(parse_maxspeed("CN:rural"), Some(70.0));
    assert_eq!(parse_maxspeed("RU:living_street"), Some(20.0));
    assert_eq!(parse_maxspeed("DE:zone30"), Some(30.0));
    assert_eq!(parse_maxspeed("DE:zone:20"), Some(20.0));
    assert_eq!(parse_maxspeed("walk"), Some(6.0));
    assert_eq!(parse_maxspeed("50;30"), Some(30.0));
    assert_eq!(parse_maxspeed("none"), None);
    assert_eq!(parse_maxspeed("XX:urban"), None);
    assert_eq!(parse_maxspeed("fast"), None);
    assert_eq!(parse_maxspeed("-5"), None);
}

#[test]
fn class_table() {
    assert_eq!(class_speed_kmh(TravelMode::Car, "motorway"), Some(100.0));
    assert_eq!(class_speed_kmh(TravelMode::Ebike, "motorway"), None);
    assert_eq!(class_speed_kmh(TravelMode::Walk, "motorway"), None);
    assert_eq!(class_speed_kmh(TravelMode::Ebike, "cycleway"), Some(18.0));
    assert_eq!(class_speed_kmh(TravelMode::Car, "cycleway"), None);
    assert_eq!(class_speed_kmh(TravelMode::Walk, "steps"), Some(2.16));
    assert_eq!(class_speed_kmh(TravelMode::Ebike, "construction"), None);
}

#[test]
fn modes_and_classes() {
    let res = [("highway", "residential")];
    assert_eq!(speeds(TravelMode::Ebike, &res), Some((Some(15.0), Some(15.0))));
    assert_eq!(speeds(TravelMode::Walk, &res), Some((Some(4.32), Some(4.32))));
    assert_eq!(speeds(TravelMode::Car, &res), Some((Some(30.0), Some(30.0))));
    assert_eq!(speeds(TravelMode::Car, &[("highway", "cycleway")]), None);
    assert_eq!(speeds(TravelMode::Ebike, &[("highway", "cycleway")]), Some((Some(18.0), Some(18.0))));
    assert_eq!(speeds(TravelMode::Ebike, &[("highway", "motorway")]), None);
    // Footways: e-bikes only where bicycles are allowed.
    assert_eq!(speeds(TravelMode::Ebike, &[("highway", "footway")]), None);
    assert_eq!(
        speeds(TravelMode::Ebike, &[("highway", "footway"), ("bicycle", "designated")]),
        Some((Some(8.0), Some(8.0)))
    );
    assert_eq!(speeds(TravelMode::Walk, &[("highway", "cycleway"), ("foot", "no")]), None);
    assert_eq!(speeds(TravelMode::Walk, &[("highway", "steps")]), Some((Some(2.16), Some(2.16))));
    assert_eq!(speeds(TravelMode::Walk, &[("highway", "pedestrian"), ("area", "yes")]), None);
    assert_eq!(speeds(TravelMode::Walk, &[("building", "yes")]), None);
}

#[test]
fn maxspeed_caps_and_scales() {
    assert_eq!(speeds(TravelMode::Car, &[("highway", "primary"), ("maxspeed", "50")]), Some((Some(40.0), Some(40.0))));
    assert_eq!(
        speeds(TravelMode::Ebike, &[("highway", "residential"), ("maxspeed", "10")]),
        Some((Some(10.0), Some(10.0)))
    );
    assert_eq!(
        speeds(TravelMode::Ebike, &[("highway", "primary"), ("maxspeed", "60")]),
        Some((Some(15.0), Some(15.0)))
    );
    assert_eq!(speeds(TravelMode::Walk, &[("highway", "primary"), ("maxspeed", "3")]), Some((Some(4.32), Some(4.32))));
    assert_eq!(
        speeds(TravelMode::Ebike, &[("highway", "cycleway"), ("bicycle", "dismount")]),
        Some((Some(4.32), Some(4.32)))
    );
}

#[test]
fn one_way_rules() {
    let ow = [("highway", "residential"), ("oneway", "yes")];
    assert_eq!(speeds(TravelMode::Car, &ow), Some((Some(30.0), None)));
    assert_eq!(speeds(TravelMode::Ebike, &ow), Some((Some(15.0), None)));
    assert_eq!(speeds(TravelMode::Walk, &ow), Some((Some(4.32), Some(4.32))));
    let rev = [("highway", "residential"), ("oneway", "-1")];
    assert_eq!(speeds(TravelMode::Car, &rev), Some((None, Some(30.0))));
    // Implied one-way: motorway (car) and roundabouts (car and e-bike).
    assert_eq!(speeds(TravelMode::Car, &[("highway", "motorway")]), Some((Some(100.0), None)));
    assert_eq!(speeds(TravelMode::Car, &[("highway", "motorway"), ("oneway", "no")]), Some((Some(100.0), Some(100.0))));
    let rb = [("highway", "tertiary"), ("junction", "roundabout")];
    assert_eq!(speeds(TravelMode::Car, &rb), Some((Some(40.0), None)));
    assert_eq!(speeds(TravelMode::Ebike, &rb), Some((Some(15.0), None)));
    // Bicycle exceptions.
    let contra = [("highway", "residential"), ("oneway", "yes"), ("oneway:bicycle", "no")];
    assert_eq!(speeds(TravelMode::Ebike, &contra), Some((Some(15.0), Some(15.0))));
    assert_eq!(speeds(TravelMode::Car, &contra), Some((Some(30.0), None)));
    let lane = [("highway", "residential"), ("oneway", "yes"), ("cycleway:left", "opposite_lane")];
    assert_eq!(speeds(TravelMode::Ebike, &lane), Some((Some(15.0), Some(15.0))));
    let new_style = [("highway", "residential"), ("oneway", "yes"), ("cycleway:left:oneway", "-1")];
    assert_eq!(speeds(TravelMode::Ebike, &new_style), Some((Some(15.0), Some(15.0))));
    let bike_only = [("highway", "residential"), ("oneway:bicycle", "yes")];
    assert_eq!(speeds(TravelMode::Ebike, &bike_only), Some((Some(15.0), None)));
    assert_eq!(speeds(TravelMode::Car, &bike_only), Some((Some(30.0), Some(30.0))));
    // Reversible lanes change direction during the day: not for cars.
    assert_eq!(speeds(TravelMode::Car, &[("highway", "primary"), ("oneway", "reversible")]), None);
}

#[test]
fn access_rules() {
    let private = [("highway", "service"), ("access", "private")];
    assert_eq!(speeds(TravelMode::Car, &private), None);
    assert_eq!(speeds(TravelMode::Walk, &private), None);
    let dest = [("highway", "service"), ("access", "private"), ("motor_vehicle", "destination")];
    assert_eq!(speeds(TravelMode::Car, &dest), Some((Some(15.0), Some(15.0))));
    let foot_ok = [("highway", "service"), ("access", "no"), ("foot", "yes")];
    assert_eq!(speeds(TravelMode::Walk, &foot_ok), Some((Some(4.32), Some(4.32))));
    assert_eq!(speeds(TravelMode::Ebike, &foot_ok), None);
    assert_eq!(speeds(TravelMode::Ebike, &[("highway", "primary"), ("bicycle", "no")]), None);
    assert_eq!(speeds(TravelMode::Ebike, &[("highway", "primary"), ("vehicle", "no")]), None);
    assert_eq!(speeds(TravelMode::Walk, &[("highway", "primary"), ("vehicle", "no")]), Some((Some(4.32), Some(4.32))));
    assert_eq!(speeds(TravelMode::Car, &[("highway", "primary"), ("motorcar", "no")]), None);
}

#[test]
fn tags_are_collected_by_key() {
    let t = tags(&[("highway", "primary"), ("cycleway:right", "track"), ("name", "Mannerheimintie")]);
    assert_eq!(t.highway, Some("primary"));
    assert_eq!(t.cycleway_right, Some("track"));
    assert_eq!(t.oneway, None);
}

#![allow(clippy::unwrap_used)]
use super::*;
use crate::network::grid::{GridSpec, grid};

fn net() -> RoadNetwork {
    RoadNetwork::new(
        grid(&GridSpec { side: 15, ..Default::default() }, TravelMode::Ebike).unwrap(),
        SnapOptions::default(),
    )
}

#[test]
fn one_call_answers_agree_with_the_parts() {
    let n = net();
    assert_eq!(n.mode(), TravelMode::Ebike);
    assert_eq!(n.snap_options().max_distance_m, 250.0);
    let g = n.graph().clone();
    let stations: Vec<LonLat> = [20u32, 110, 200].iter().map(|&u| g.coord(u)).collect();
    let snaps = n.snap_all(&stations);
    assert!(snaps.iter().all(Option::is_some));
    let field = n.nearest_station_field(&snaps);
    // At a station node the field is 0 and names that station.
    assert_eq!(n.field_at(&field, g.coord(110)), Some((0.0, 1)));
    // From any node, the field equals the fastest route found by the rider query.
    for u in [0u32, 37, 150, 224] {
        let p = g.coord(u);
        let (t, s) = n.field_at(&field, p).unwrap();
        let hits = n.nearest(p, &snaps, 1, None).unwrap();
        assert_eq!((hits[0].time_s, hits[0].target as u32), (t, s), "node {u}");
        assert_eq!(field.time_s(u), Some(t));
    }
    // Off the network.
    let far = LonLat::new(0.0, 0.0).unwrap();
    assert!(n.snap(far).is_none());
    assert!(n.nearest(far, &snaps, 3, None).is_none());
    assert!(n.field_at(&field, far).is_none());
    assert!(n.isochrone(far, 10.0, &IsochroneOptions::default()).is_none());
    let iso = n.isochrone(stations[1], 2.0, &IsochroneOptions::default()).unwrap();
    assert_eq!(iso.limit_s, 120.0);
    assert!(iso.contains(stations[1]));
}

#![allow(clippy::unwrap_used)]

use super::*;
use chrono::{TimeZone, Utc};
use yizhan_planner::amenity::AmenitySet;
use yizhan_planner::index::KindSet;
use yizhan_planner::network::dijkstra::{self, Options};
use yizhan_planner::network::grid::{GridSpec, grid};
use yizhan_planner::network::{Direction, snap::Snap};
use yizhan_planner::station::{StationData, StationKind, StationStatus};

fn helsinki() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/osm/helsinki-centre.osm.pbf")
}

/// A deterministic stream in [0, 1) (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn station(id: i64, p: LonLat, kind: StationKind) -> Station {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Station {
        id,
        data: StationData {
            kind,
            name: format!("站{id}"),
            address: None,
            district: None,
            street: None,
            location: p,
            amenities: AmenitySet::EMPTY,
            opening_hours: None,
            capacity: None,
            operator: None,
            phone: None,
            offer: None,
            status: StationStatus::Active,
            source: None,
            external_id: None,
            verified_on: None,
        },
        created_at: t,
        updated_at: t,
    }
}

/// Independent ranking: one full forward search from the origin, each station through the ends of
/// its own segment or directly along a shared segment; (ms, id), fastest first.
fn brute(net: &RoadNetwork, origin: &Snap, stations: &[Station], pass: impl Fn(&Station) -> bool) -> Vec<(u64, i64)> {
    let g = net.graph();
    let tree = dijkstra::search(g, Direction::Forward, &origin.seeds(g, Direction::Forward, 0), Options::default());
    let mut out: Vec<(u64, i64)> = stations
        .iter()
        .filter(|s| pass(s))
        .filter_map(|s| {
            let sn = net.snap(s.data.location)?;
            let mut best = sn
                .links(g, Direction::Backward)
                .into_iter()
                .filter_map(|(n, ms)| Some(u64::from(tree.time_ms(n)?) + u64::from(ms)))
                .min();
            if (sn.u, sn.v) == (origin.u, origin.v) {
                let along = if sn.t >= origin.t { g.arc(sn.u, sn.v) } else { g.arc(sn.v, sn.u) };
                if let Some((ms, _)) = along {
                    let direct = u64::from(origin.offroad_ms)
                        + ((sn.t - origin.t).abs() * f64::from(ms)).round() as u64
                        + u64::from(sn.offroad_ms);
                    best = Some(best.map_or(direct, |b| b.min(direct)));
                }
            }
            Some((best?, s.id))
        })
        .collect();
    out.sort_unstable();
    out
}

#[test]
fn network_ranking_is_exact_against_a_full_search() {
    // 25 × 25 grid, 100 m apart; arcs 1–1.5 × longer than the straight line, so the reach bound
    // is loose, and 500 stations: the first round (32+ candidates) rarely decides alone.
    let spec = GridSpec { side: 25, spacing_m: 100.0, seed: 3, ..GridSpec::default() };
    let net = RoadNetwork::new(grid(&spec, TravelMode::Ebike).unwrap(), SnapOptions::default());
    let (lon0, lat0) = (spec.origin.lon, spec.origin.lat);
    let (dlon, dlat) = (2400.0 / (111_320.0 * lat0.to_radians().cos()), 2400.0 / 110_950.0);
    let mut rng = Lcg(11);
    let kinds = StationKind::ALL;
    let stations: Vec<Station> = (1..=500)
        .map(|id| {
            let p = LonLat::new(lon0 + rng.unit() * dlon, lat0 + rng.unit() * dlat).unwrap();
            station(id, p, kinds[(id as usize) % kinds.len()])
        })
        .collect();
    // Two stations on one spot: a tie, broken by id.
    let mut stations = stations;
    let twin = LonLat::new(stations[0].data.location.lon, stations[0].data.location.lat).unwrap();
    stations.push(station(501, twin, stations[0].data.kind));
    // Stations nowhere near the grid: never reachable, never snapped.
    for id in 600..620 {
        stations.push(station(
            id,
            LonLat::new(lon0 - 0.2 - 0.001 * id as f64, lat0 + 0.1).unwrap(),
            StationKind::RestStation,
        ));
    }
    let index = StationIndex::build(stations.clone());
    let mut second_rounds = 0;
    let mut deferred = 0;
    for q in 0..40 {
        let origin = LonLat::new(lon0 + rng.unit() * dlon, lat0 + rng.unit() * dlat).unwrap();
        let o = net.snap(origin).unwrap();
        let k = [1, 3, 10, 40, 200][q % 5];
        let only = (q % 3 == 0).then_some(StationKind::RestStation);
        let filter = Filter { kinds: only.map_or(KindSet::ALL, |k| [k].into_iter().collect()), ..Filter::default() };
        let got = nearest_by_network(&net, &index, origin, k, &filter, None).unwrap();
        let mut want = brute(&net, &o, &stations, |s| only.is_none_or(|k| s.data.kind == k));
        want.truncate(k);
        let got_pairs: Vec<(u64, i64)> =
            got.iter().map(|h| ((h.time_s * 1000.0).round() as u64, h.station.id)).collect();
        assert_eq!(got_pairs, want, "query {q} k={k}");
        let r = reach_bound(&net).reach_m(got.last().unwrap().time_s);
        let first = index.nearest(origin, (4 * k).max(32), &filter, None);
        if first.last().unwrap().distance_m <= r {
            second_rounds += 1;
        }
        // Allowed no second round on the request's thread, a query is either answered exactly or
        // deferred (to the heavy-work pool), never answered from the first round alone.
        match nearest_by_network_within(&net, &index, origin, k, &filter, None, 0) {
            Ok(Some(hits)) => {
                let pairs: Vec<(u64, i64)> =
                    hits.iter().map(|h| ((h.time_s * 1000.0).round() as u64, h.station.id)).collect();
                assert_eq!(pairs, want, "query {q} k={k} answered inline");
            }
            Ok(None) => panic!("query {q}: the origin snaps"),
            Err(d) => {
                assert!(d.candidates > 0);
                deferred += 1;
            }
        }
        // A radius limit keeps only stations that close, still by time.
        let radius = 600.0;
        let got = nearest_by_network(&net, &index, origin, k, &filter, Some(radius)).unwrap();
        let mut want = brute(&net, &o, &stations, |s| {
            only.is_none_or(|k| s.data.kind == k) && s.data.location.geodesic_distance_m(origin) <= radius
        });
        want.truncate(k);
        let got_pairs: Vec<(u64, i64)> =
            got.iter().map(|h| ((h.time_s * 1000.0).round() as u64, h.station.id)).collect();
        assert_eq!(got_pairs, want, "query {q} k={k} within {radius} m");
    }
    assert!(second_rounds > 0, "the second round is exercised");
    assert!(deferred > 0, "deferral is exercised");
    let ext = reach_bound(&net).extent.unwrap();
    assert!(ext.min_lon < lon0 && ext.max_lat > lat0 + dlat && ext.max_lon < lon0 + 2.0 * dlon);
    // Off the network: no answer (the caller falls back to the straight line).
    let far = LonLat::new(lon0 - 0.05, lat0).unwrap();
    assert!(nearest_by_network(&net, &index, far, 3, &Filter::default(), None).is_none());
}

#[test]
fn reach_bound_covers_every_node_reached() {
    let graphs = load_graphs(&helsinki(), &[TravelMode::Car, TravelMode::Walk], None).unwrap();
    for g in graphs {
        let net = RoadNetwork::new(g.graph, SnapOptions::default());
        let b = reach_bound(&net);
        assert_eq!(reach_bound(&net), b, "cached");
        let max_kmh = if net.mode() == TravelMode::Car { 100.0 } else { 4.33 };
        assert!(b.speed_m_s <= max_kmh / 3.6 * 1.01 + 1.0, "{b:?}");
        let origin = LonLat::new(24.945, 60.170).unwrap();
        let o = net.snap(origin).unwrap();
        let gr = net.graph();
        let tree = dijkstra::search(gr, Direction::Forward, &o.seeds(gr, Direction::Forward, 0), Options::default());
        let mut reached = 0;
        for n in 0..gr.node_count() as u32 {
            if let Some(t) = tree.time_s(n) {
                reached += 1;
                let d = origin.geodesic_distance_m(gr.coord(n));
                assert!(d <= b.reach_m(t), "node {n}: {d} m in {t} s, bound {}", b.reach_m(t));
            }
        }
        assert!(reached > 1000);
    }
}

#[test]
fn graphs_are_cached_in_the_cache_dir_and_rebuilt_only_for_new_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let pbf = dir.path().join("h.osm.pbf");
    std::fs::copy(helsinki(), &pbf).unwrap();
    let cache = dir.path().join("cache");
    let modes = [TravelMode::Ebike, TravelMode::Walk];
    let first = load_graphs(&pbf, &modes, Some(&cache)).unwrap();
    assert!(first.iter().all(|g| g.state == CacheState::Built));
    assert_eq!(first[0].cache_file, cache.join("h.osm.pbf.ebike.yzg"));
    assert_eq!(first[1].graph.mode(), TravelMode::Walk);
    assert!(!dir.path().join("h.osm.pbf.ebike.yzg").exists(), "nothing written beside the extract");
    let again = load_graphs(&pbf, &modes, Some(&cache)).unwrap();
    assert!(again.iter().all(|g| g.state == CacheState::Loaded));
    assert_eq!(again[0].graph, first[0].graph);
    assert_eq!(again[1].graph, first[1].graph);
    // A damaged cache file is rebuilt, the other one reused.
    let f = cache.join("h.osm.pbf.walk.yzg");
    let mut bytes = std::fs::read(&f).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&f, bytes).unwrap();
    let states: Vec<CacheState> =
        load_graphs(&pbf, &modes, Some(&cache)).unwrap().into_iter().map(|g| g.state).collect();
    assert_eq!(states, [CacheState::Loaded, CacheState::Built]);
    // New bytes in the extract: the cache is not trusted (here the new bytes are not a PBF).
    std::fs::write(&pbf, b"not a pbf at all").unwrap();
    let e = load_graphs(&pbf, &modes, Some(&cache)).unwrap_err();
    assert!(matches!(e, NetworkError::Pbf { .. }), "{e}");
    // A missing extract names the file.
    let e = load_graphs(&dir.path().join("missing.osm.pbf"), &modes, None).unwrap_err();
    assert!(e.to_string().contains("missing.osm.pbf"), "{e}");
}

#[test]
fn configured_networks_load_per_mode() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        network: Some(helsinki()),
        network_modes: vec![TravelMode::Car],
        network_cache_dir: Some(dir.path().to_owned()),
        ..Config::default()
    };
    let nets = load_configured(&config).unwrap();
    assert_eq!(nets.len(), 1);
    assert_eq!(nets[0].mode(), TravelMode::Car);
    assert!(dir.path().join("helsinki-centre.osm.pbf.car.yzg").is_file());
    assert!(load_configured(&Config::default()).unwrap().is_empty());
}

#[test]
fn a_station_far_in_a_straight_line_but_fast_by_road_wins() {
    // Two parallel roads 300 m apart joined only at their far end, 2 km away. The rider is at the
    // start of road A; 40 stations stand along road B right across (near in a straight line, more
    // than 4 km by road), one on road A 800 m ahead. The first round's 32 straight-line candidates
    // are all on road B; only the reach bound brings in the winner.
    use yizhan_planner::network::graph::ArcInput;
    let (lon0, lat0): (f64, f64) = (24.9, 60.2);
    let kx = 111_320.0 * lat0.to_radians().cos();
    let at = |x_m: f64, y_m: f64| LonLat::new(lon0 + x_m / kx, lat0 + y_m / 110_950.0).unwrap();
    let mut coords = Vec::new();
    let mut arcs = Vec::new();
    let speed = 15.0 / 3.6;
    for leg in 0..2u32 {
        for i in 0..=20u32 {
            coords.push(at(f64::from(i) * 100.0, f64::from(leg) * 300.0));
            if i > 0 {
                let (a, b) = (leg * 21 + i - 1, leg * 21 + i);
                let t = (100.0 / speed * 1000.0) as u32;
                arcs.push(ArcInput { from: a, to: b, time_ms: t, length_m: 100.0 });
                arcs.push(ArcInput { from: b, to: a, time_ms: t, length_m: 100.0 });
            }
        }
    }
    let t = (300.0 / speed * 1000.0) as u32;
    arcs.push(ArcInput { from: 20, to: 41, time_ms: t, length_m: 300.0 });
    arcs.push(ArcInput { from: 41, to: 20, time_ms: t, length_m: 300.0 });
    let net =
        RoadNetwork::new(Graph::new(TravelMode::Ebike, coords, Vec::new(), arcs).unwrap(), SnapOptions::default());
    let mut stations: Vec<Station> =
        (1..=40).map(|id| station(id, at(f64::from(id as i32) * 10.0, 300.0), StationKind::RestStation)).collect();
    stations.push(station(99, at(800.0, 0.0), StationKind::RestStation));
    let index = StationIndex::build(stations.clone());
    let origin = at(0.0, 0.0);
    let got = nearest_by_network(&net, &index, origin, 1, &Filter::default(), None).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].station.id, 99);
    assert!((got[0].time_s - 800.0 / speed).abs() < 0.01, "{}", got[0].time_s);
    assert!((got[0].route_m - 800.0).abs() < 3.0, "{}", got[0].route_m); // node spacing from a spherical approximation
    let o = net.snap(origin).unwrap();
    let mut want = brute(&net, &o, &stations, |_| true);
    want.truncate(3);
    let got: Vec<(u64, i64)> = nearest_by_network(&net, &index, origin, 3, &Filter::default(), None)
        .unwrap()
        .iter()
        .map(|h| ((h.time_s * 1000.0).round() as u64, h.station.id))
        .collect();
    assert_eq!(got, want);
}

#![allow(clippy::unwrap_used)]
use super::*;
use crate::demo::{DEMO_SEED, demo_demand, demo_streets, generate};
use crate::district::{District, parse_districts};
use crate::index::KindSet;
use crate::network::Graph;
use crate::network::graph::ArcInput;
use crate::network::snap::SnapOptions;
use crate::station::{Station, StationData, StationKind};
use chrono::{TimeZone, Utc};
use geo::{Contains, LineString, Polygon, coord};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

pub(crate) fn yanzhou() -> District {
    parse_districts(include_str!("../../../data/districts/jining.geojson"))
        .unwrap()
        .into_iter()
        .find(|d| d.name == "兖州区")
        .unwrap()
}

pub(crate) fn as_station(id: i64, data: StationData) -> Station {
    Station { id, data, created_at: Utc.timestamp_opt(0, 0).unwrap(), updated_at: Utc.timestamp_opt(0, 0).unwrap() }
}

pub(crate) fn demo_index(d: &District) -> StationIndex {
    StationIndex::build(generate(d, DEMO_SEED).into_iter().enumerate().map(|(i, s)| as_station(i as i64 + 1, s)))
}

pub(crate) fn station_at(id: i64, p: LonLat) -> Station {
    let mut data = generate(&yanzhou(), DEMO_SEED)[0].clone();
    data.location = p;
    data.status = crate::station::StationStatus::Active;
    data.kind = StationKind::RestStation;
    as_station(id, data)
}

pub(crate) fn rect(lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> Polygon<f64> {
    Polygon::new(LineString::from(vec![(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1), (lon0, lat0)]), vec![])
}

pub(crate) fn area_of(polys: Vec<Polygon<f64>>) -> Area {
    Area { name: None, polygon: MultiPolygon(polys) }
}

pub(crate) fn ll(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat).unwrap()
}

#[test]
fn straight_line_coverage_of_the_demo_district_equals_brute_force() {
    let d = yanzhou();
    let index = demo_index(&d);
    let eta = StraightLineModel::default();
    let params = CoverageParams {
        resolution: Resolution::try_from(8).unwrap(),
        filter: Filter {
            kinds: [StationKind::RestStation].into_iter().collect::<KindSet>(),
            ..CoverageParams::default().filter
        },
        ..CoverageParams::default()
    };
    let area = Area { name: Some(d.name.clone()), polygon: d.boundary.clone() };
    let streets = demo_streets(&d);
    let points = demo_demand(&d, DEMO_SEED);
    let a = analyse(&area, &streets, &index, None, &eta, Some(&points), &params).unwrap();
    assert_eq!(a.method, EtaMethod::StraightLine);
    assert!(a.cells.len() > 500, "{} cells", a.cells.len());
    let matching: Vec<&Station> = index.iter().map(|s| &**s).filter(|s| params.filter.matches(s)).collect();
    assert!(matching.len() > 100 && matching.len() < 160, "{}", matching.len());
    assert!(matching.iter().all(|s| s.data.kind == StationKind::RestStation));
    let (mut within, mut area_within, mut demand_within) = ([0usize; 2], [0.0; 2], [0.0; 2]);
    let (mut area_total, mut demand_total) = (0.0, 0.0);
    let mut previous = 0u64;
    for c in &a.cells {
        let cell: CellIndex = c.h3.parse().unwrap();
        assert!(u64::from(cell) > previous, "cells sorted by index");
        previous = u64::from(cell);
        let centre = LonLat { lon: c.centre[0], lat: c.centre[1] };
        let (best, _) = matching
            .iter()
            .map(|s| (centre.geodesic_distance_m(s.data.location) * 1.3 / 4.2, s.id))
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .unwrap();
        let t = c.travel_time_s.unwrap();
        assert!((t - best).abs() < 1e-6, "{}: {t} vs {best}", c.h3);
        let station = index.get(c.station_id.unwrap()).unwrap();
        assert!((centre.geodesic_distance_m(station.data.location) * 1.3 / 4.2 - best).abs() < 1e-6);
        let expected_class = if best <= 600.0 {
            "within_10"
        } else if best <= 900.0 {
            "within_15"
        } else {
            "beyond"
        };
        assert_eq!(c.class.code(), expected_class);
        assert!((c.area_m2 - cell.area_m2()).abs() < 1e-6);
        area_total += c.area_m2;
        demand_total += c.demand;
        for (k, th) in [600.0, 900.0].into_iter().enumerate() {
            if best <= th {
                within[k] += 1;
                area_within[k] += c.area_m2;
                demand_within[k] += c.demand;
            }
        }
    }
    let s = &a.summary;
    assert_eq!(s.cells, a.cells.len());
    assert!((s.area_km2 - area_total / 1e6).abs() < 1e-9);
    for k in 0..2 {
        let t = &s.thresholds[k];
        assert_eq!(t.minutes, [10.0, 15.0][k]);
        assert_eq!(t.cells, within[k]);
        assert!((t.area_share - area_within[k] / area_total).abs() < 1e-12);
        assert!((t.demand_share - demand_within[k] / demand_total).abs() < 1e-12);
    }
    assert!(s.thresholds[0].demand_share < s.thresholds[1].demand_share);
    // Demand: every point inside the district lands in some cell or is counted outside.
    let total: f64 = points.iter().map(|p| p.weight).sum();
    assert!((demand_total + a.demand_weight_outside - total).abs() < 1e-9);
    assert!(a.demand_points_outside < points.len() / 20, "{}", a.demand_points_outside);
    // Streets partition the cells, so their totals add up to the district's.
    assert_eq!(a.streets.len(), streets.len());
    let cells: usize = a.streets.iter().map(|s| s.summary.cells).sum();
    let demand: f64 = a.streets.iter().map(|s| s.summary.demand_total).sum();
    let covered10: usize = a.streets.iter().map(|s| s.summary.thresholds[0].cells).sum();
    assert_eq!(cells, a.cells.iter().filter(|c| c.street.is_some()).count());
    assert!(cells + 3 >= a.cells.len(), "{cells} of {} cells in a street", a.cells.len());
    assert!(demand <= s.demand_total + 1e-9 && demand > 0.99 * s.demand_total);
    assert!(covered10 <= s.thresholds[0].cells);
    for st in &a.streets {
        let mine: Vec<&CellCoverage> = a.cells.iter().filter(|c| c.street.as_deref() == Some(&st.name)).collect();
        assert_eq!(st.summary, summarise(mine.iter().copied(), &a.thresholds_s));
        assert!(st.summary.cells > 0, "{}", st.name);
    }
    // Gaps cover exactly the cells beyond 15 minutes, each once, ranked by demand.
    let in_gaps: Vec<&String> = a.gaps.iter().flat_map(|g| &g.cells).collect();
    let beyond: Vec<&String> = a.cells.iter().filter(|c| c.class.code() == "beyond").map(|c| &c.h3).collect();
    assert_eq!(in_gaps.len(), beyond.len());
    assert_eq!(in_gaps.iter().collect::<HashSet<_>>(), beyond.iter().collect::<HashSet<_>>());
    assert!(a.gaps.windows(2).all(|w| w[0].demand >= w[1].demand));
    // Same input, same output.
    assert_eq!(a, analyse(&area, &streets, &index, None, &eta, Some(&points), &params).unwrap());
}

#[test]
fn boundary_rule_centre_inside_with_holes_and_parts() {
    let res = Resolution::try_from(9).unwrap();
    let outer =
        LineString::from(vec![(116.70, 35.50), (116.76, 35.50), (116.76, 35.55), (116.70, 35.55), (116.70, 35.50)]);
    let hole =
        LineString::from(vec![(116.72, 35.52), (116.72, 35.53), (116.74, 35.53), (116.74, 35.52), (116.72, 35.52)]);
    let with_hole = Polygon::new(outer, vec![hole]);
    let second = rect(116.80, 35.50, 116.82, 35.52);
    let area = area_of(vec![with_hole.clone(), second.clone()]);
    let cells = cells_of(&area, res, 100_000).unwrap();
    // Brute force: every cell of a big disk around the area, kept when geo says its centre is
    // inside (cells whose centre is within 1e-9° of a ring are skipped as undecidable).
    let origin = LatLng::new(35.525, 116.76).unwrap().to_cell(res.to_h3());
    let near_ring = |p: LonLat| {
        use geo::{Distance, Euclidean};
        area.polygon
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .any(|r| Euclidean.distance(&geo::Point::new(p.lon, p.lat), r) < 1e-9)
    };
    let mut expected = Vec::new();
    let mut undecided = HashSet::new();
    for c in origin.grid_disk::<Vec<_>>(60) {
        let p = cell_centre(c);
        if near_ring(p) {
            undecided.insert(u64::from(c));
        } else if area.polygon.contains(&geo::Point::new(p.lon, p.lat)) {
            expected.push(c);
        }
    }
    sort_cells(&mut expected);
    let got: Vec<CellIndex> = cells.iter().copied().filter(|c| !undecided.contains(&u64::from(*c))).collect();
    assert_eq!(got, expected);
    assert!(cells.len() > 300);
    // The hole holds no cell; both parts hold some; multi-part = union of the parts.
    let in_hole = |c: &CellIndex| {
        let p = cell_centre(*c);
        p.lon > 116.72 && p.lon < 116.74 && p.lat > 35.52 && p.lat < 35.53
    };
    assert!(!cells.iter().any(in_hole));
    let a = cells_of(&area_of(vec![with_hole]), res, 100_000).unwrap();
    let b = cells_of(&area_of(vec![second]), res, 100_000).unwrap();
    assert!(!a.is_empty() && !b.is_empty());
    let mut union = [a, b].concat();
    sort_cells(&mut union);
    assert_eq!(union, cells);
    // Two areas sharing an edge never share a cell, and together make the whole.
    let left = cells_of(&area_of(vec![rect(116.70, 35.50, 116.73, 35.55)]), res, 100_000).unwrap();
    let right = cells_of(&area_of(vec![rect(116.73, 35.50, 116.76, 35.55)]), res, 100_000).unwrap();
    let whole = cells_of(&area_of(vec![rect(116.70, 35.50, 116.76, 35.55)]), res, 100_000).unwrap();
    assert!(left.iter().all(|c| right.binary_search_by_key(&u64::from(*c), |x| u64::from(*x)).is_err()));
    let mut joined = [left, right].concat();
    sort_cells(&mut joined);
    assert_eq!(joined, whole);
}

#[test]
fn demand_aggregates_to_the_cell_holding_each_point() {
    let res = Resolution::try_from(9).unwrap();
    let area = area_of(vec![rect(116.70, 35.50, 116.73, 35.52)]);
    let cells = cells_of(&area, res, 100_000).unwrap();
    let mut points = Vec::new();
    for k in 0..500 {
        let f = f64::from(k);
        // A spiral spilling over the edges of the area.
        let lon = 116.715 + (f * 0.37).sin() * 0.00004 * f;
        let lat = 35.51 + (f * 0.37).cos() * 0.00003 * f;
        points.push(DemandPoint { pos: ll(lon, lat), weight: f64::from(k % 5) });
    }
    let (demand, outside, outside_weight) = aggregate_demand(&cells, res, &points);
    let mut by_cell: HashMap<u64, f64> = HashMap::new();
    for p in &points {
        *by_cell.entry(u64::from(LatLng::new(p.pos.lat, p.pos.lon).unwrap().to_cell(res.to_h3()))).or_default() +=
            p.weight;
    }
    for (c, d) in cells.iter().zip(&demand) {
        assert_eq!(*d, by_cell.get(&u64::from(*c)).copied().unwrap_or(0.0));
    }
    let keys: HashSet<u64> = cells.iter().map(|&c| u64::from(c)).collect();
    let expected_outside: Vec<&DemandPoint> = points
        .iter()
        .filter(|p| !keys.contains(&u64::from(LatLng::new(p.pos.lat, p.pos.lon).unwrap().to_cell(res.to_h3()))))
        .collect();
    assert!(expected_outside.len() > 50 && expected_outside.len() < 450, "{}", expected_outside.len());
    assert_eq!(outside, expected_outside.len());
    assert_eq!(outside_weight, expected_outside.iter().map(|p| p.weight).sum::<f64>());
    let total: f64 = points.iter().map(|p| p.weight).sum();
    assert!((demand.iter().sum::<f64>() + outside_weight - total).abs() < 1e-9);
    // Without points, demand is uniform: each cell's area in km².
    let index = StationIndex::build([station_at(1, ll(116.715, 35.51))]);
    let a = analyse(&area, &[], &index, None, &StraightLineModel::default(), None, &CoverageParams::default()).unwrap();
    assert!(!a.demand_from_points);
    for c in &a.cells {
        assert_eq!(c.demand, c.area_m2 / 1e6);
    }
    assert!((a.summary.demand_total - a.summary.area_km2).abs() < 1e-12);
}

fn fake_cell(c: CellIndex, demand: f64) -> CellCoverage {
    let p = cell_centre(c);
    CellCoverage {
        h3: c.to_string(),
        centre: [p.lon, p.lat],
        area_m2: c.area_m2(),
        demand,
        travel_time_s: None,
        station_id: None,
        class: CoverageClass::Unreachable,
        street: None,
    }
}

#[test]
fn gaps_are_connected_clusters_ranked_by_demand() {
    let res = h3o::Resolution::Nine;
    let a0 = LatLng::new(35.50, 116.70).unwrap().to_cell(res);
    let b0 = LatLng::new(35.60, 116.80).unwrap().to_cell(res);
    // Cluster A: a0 and its six neighbours (demand 1 each); cluster B: b0 and one neighbour
    // (demand 5 each); a lone gap cell two rings from a0 (demand 0); covered cells in between.
    let ring_a: Vec<CellIndex> = a0.grid_disk(1);
    let b1 = b0.grid_ring::<Vec<_>>(1)[0];
    let lone = a0.grid_ring::<Vec<_>>(3)[0];
    let covered: Vec<CellIndex> = a0.grid_ring::<Vec<_>>(2);
    let mut all: Vec<(CellIndex, f64, bool)> = ring_a.iter().map(|&c| (c, 1.0, true)).collect();
    all.extend([(b0, 5.0, true), (b1, 5.0, true), (lone, 0.0, true)]);
    all.extend(covered.iter().map(|&c| (c, 9.0, false)));
    all.sort_by_key(|x| u64::from(x.0));
    let cells: Vec<CellCoverage> = all.iter().map(|&(c, d, _)| fake_cell(c, d)).collect();
    let keys: Vec<u64> = all.iter().map(|x| u64::from(x.0)).collect();
    let members: Vec<bool> = all.iter().map(|x| x.2).collect();
    let gaps = clusters(&cells, &keys, &members);
    assert_eq!(gaps.len(), 3);
    assert_eq!(gaps.iter().map(|g| g.rank).collect::<Vec<_>>(), [1, 2, 3]);
    let mut b = vec![b0.to_string(), b1.to_string()];
    b.sort();
    assert_eq!(gaps[0].cells, b);
    assert_eq!(gaps[0].demand, 10.0);
    assert!((gaps[0].area_km2 - (b0.area_m2() + b1.area_m2()) / 1e6).abs() < 1e-12);
    let mut a: Vec<String> = ring_a.iter().map(ToString::to_string).collect();
    a.sort();
    assert_eq!(gaps[1].cells, a);
    assert_eq!(gaps[1].demand, 7.0);
    // The centroid of a full ring is (very nearly) its centre cell's centre.
    let c = cell_centre(a0);
    assert!((gaps[1].centroid[0] - c.lon).abs() < 1e-5 && (gaps[1].centroid[1] - c.lat).abs() < 1e-5);
    assert_eq!(gaps[2].cells, vec![lone.to_string()]);
    assert_eq!(gaps[2].centroid, [cell_centre(lone).lon, cell_centre(lone).lat]);
}

/// A small hand-built road graph: a 12 × 12 lattice, 150 m apart, around (116.70, 35.50), with
/// uneven arc times, every third east–west street one-way eastbound, and a two-node island.
pub(crate) fn hand_graph() -> Graph {
    let side = 12u32;
    let (kx, ky) = crate::network::metres_per_degree(35.5);
    let mut coords = Vec::new();
    for r in 0..side {
        for c in 0..side {
            coords.push(ll(116.70 + f64::from(c) * 150.0 / kx, 35.50 + f64::from(r) * 150.0 / ky));
        }
    }
    // The island, 400 m east of the lattice (reachable from nowhere else).
    let island = coords.len() as u32;
    coords.push(ll(116.70 + 12.0 * 150.0 / kx + 400.0 / kx, 35.50));
    coords.push(ll(116.70 + 12.0 * 150.0 / kx + 400.0 / kx, 35.50 + 150.0 / ky));
    let mut arcs = Vec::new();
    let mut arc = |from: u32, to: u32, k: u32| {
        let time_ms = 20_000 + (k * 7_919) % 25_000;
        arcs.push(ArcInput { from, to, time_ms, length_m: 150.0 });
    };
    for r in 0..side {
        for c in 0..side {
            let u = r * side + c;
            if c + 1 < side {
                arc(u, u + 1, u);
                if r % 3 != 1 {
                    arc(u + 1, u, u + 500);
                }
            }
            if r + 1 < side {
                arc(u, u + side, u + 1000);
                arc(u + side, u, u + 1500);
            }
        }
    }
    arc(island, island + 1, 3);
    arc(island + 1, island, 4);
    Graph::new(TravelMode::Ebike, coords, Vec::new(), arcs).unwrap()
}

/// Times (ms) from `seeds` over the forward graph: a plain binary-heap Dijkstra.
pub(crate) fn dijkstra_ms(g: &Graph, seeds: &[(u32, u32)]) -> Vec<u64> {
    let mut dist = vec![u64::MAX; g.node_count()];
    let mut heap = BinaryHeap::new();
    for &(n, ms) in seeds {
        if u64::from(ms) < dist[n as usize] {
            dist[n as usize] = u64::from(ms);
            heap.push(Reverse((u64::from(ms), n)));
        }
    }
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u as usize] {
            continue;
        }
        for a in g.out_arcs(u) {
            let nd = d + u64::from(a.time_ms);
            if nd < dist[a.head as usize] {
                dist[a.head as usize] = nd;
                heap.push(Reverse((nd, a.head)));
            }
        }
    }
    dist
}

#[test]
fn network_coverage_equals_per_cell_dijkstra() {
    let g = hand_graph();
    let net = RoadNetwork::new(g.clone(), SnapOptions::default());
    // Stations on three lattice nodes and one on the island.
    let at = [(1, 14u32), (2, 100), (3, 139), (4, 144)];
    let index = StationIndex::build(at.iter().map(|&(id, n)| station_at(id, g.coord(n))));
    // The area reaches well beyond the roads, so some cells do not snap.
    let area = area_of(vec![rect(116.695, 35.495, 116.735, 35.52)]);
    let params = CoverageParams {
        resolution: Resolution::try_from(10).unwrap(),
        thresholds_s: vec![120.0, 240.0],
        ..CoverageParams::default()
    };
    let a = analyse(&area, &[], &index, Some(&net), &StraightLineModel::default(), None, &params).unwrap();
    assert_eq!(a.method, EtaMethod::Network);
    let station_snaps: Vec<(i64, Vec<(u32, u32)>)> = at
        .iter()
        .map(|&(id, n)| (id, net.snap(g.coord(n)).unwrap().links(&g, crate::network::Direction::Backward)))
        .collect();
    let (mut unreachable, mut reached) = (0, 0);
    for c in &a.cells {
        let p = ll(c.centre[0], c.centre[1]);
        let expected = net.snap(p).and_then(|s| {
            let dist = dijkstra_ms(&g, &s.links(&g, crate::network::Direction::Forward));
            station_snaps
                .iter()
                .filter_map(|(id, links)| {
                    links
                        .iter()
                        .filter(|l| dist[l.0 as usize] != u64::MAX)
                        .map(|l| dist[l.0 as usize] + u64::from(l.1))
                        .min()
                        .map(|ms| (ms, *id))
                })
                .min()
        });
        match expected {
            None => {
                unreachable += 1;
                assert_eq!(c.travel_time_s, None, "{}", c.h3);
                assert_eq!(c.class, CoverageClass::Unreachable);
            }
            Some((ms, _)) => {
                reached += 1;
                let t = c.travel_time_s.unwrap();
                assert!((t - ms as f64 / 1000.0).abs() < 1e-9, "{}: {t} vs {ms} ms", c.h3);
                // The station named is one at that time.
                let id = c.station_id.unwrap();
                let (_, links) = station_snaps.iter().find(|s| s.0 == id).unwrap();
                let dist = dijkstra_ms(&g, &net.snap(p).unwrap().links(&g, crate::network::Direction::Forward));
                assert_eq!(links.iter().map(|l| dist[l.0 as usize] + u64::from(l.1)).min(), Some(ms));
            }
        }
    }
    assert!(unreachable > 10 && reached > 100, "{unreachable} unreachable, {reached} reached");
    // Unreachable cells are gaps too.
    let gap_cells: usize = a.gaps.iter().map(|g| g.cells.len()).sum();
    assert_eq!(
        gap_cells,
        a.cells.iter().filter(|c| matches!(c.class, CoverageClass::Beyond | CoverageClass::Unreachable)).count()
    );
}

#[test]
fn bad_inputs_are_precise_errors() {
    assert_eq!(Resolution::try_from(6), Err(CoverageError::Resolution(6)));
    assert_eq!(Resolution::try_from(12), Err(CoverageError::Resolution(12)));
    assert_eq!(Resolution::try_from(11).map(Resolution::get), Ok(11));
    let res = Resolution::default();
    assert_eq!(res.get(), 9);
    assert_eq!(cells_of(&area_of(vec![]), res, 1000), Err(CoverageError::EmptyArea));
    let flat = area_of(vec![rect(116.7, 35.5, 116.7, 35.6)]);
    assert_eq!(cells_of(&flat, res, 1000), Err(CoverageError::EmptyArea));
    let bow_tie = area_of(vec![Polygon::new(
        LineString::from(vec![(116.7, 35.5), (116.8, 35.6), (116.8, 35.5), (116.7, 35.6), (116.7, 35.5)]),
        vec![],
    )]);
    assert!(matches!(cells_of(&bow_tie, res, 100_000), Err(CoverageError::InvalidArea(_))));
    let out_of_range = area_of(vec![rect(116.7, 35.5, 196.8, 35.6)]);
    assert!(matches!(cells_of(&out_of_range, res, 100_000), Err(CoverageError::InvalidArea(_))));
    // Too many cells: refused from the estimate (a 1° square would be ~100 000 cells at res 9).
    let big = area_of(vec![rect(116.0, 35.0, 117.0, 36.0)]);
    match cells_of(&big, res, 10_000) {
        Err(CoverageError::TooManyCells { cells, max: 10_000 }) => {
            assert!((90_000..110_000).contains(&cells), "{cells}");
        }
        other => panic!("{other:?}"),
    }
    // Near the limit, the exact count decides.
    let small = area_of(vec![rect(116.70, 35.50, 116.72, 35.52)]);
    let n = cells_of(&small, res, 100_000).unwrap().len();
    assert_eq!(cells_of(&small, res, n).unwrap().len(), n);
    assert_eq!(cells_of(&small, res, n - 1), Err(CoverageError::TooManyCells { cells: n, max: n - 1 }));
    let index = StationIndex::build([station_at(1, ll(116.71, 35.51))]);
    let eta = StraightLineModel::default();
    let run = |params: &CoverageParams, demand: Option<&[DemandPoint]>| {
        analyse(&small, &[], &index, None, &eta, demand, params)
    };
    for bad in [vec![], vec![600.0, 600.0], vec![900.0, 600.0], vec![-1.0], vec![f64::NAN]] {
        let p = CoverageParams { thresholds_s: bad.clone(), ..CoverageParams::default() };
        assert!(matches!(run(&p, None), Err(CoverageError::Thresholds(_))), "{bad:?}");
    }
    let pts =
        [DemandPoint { pos: ll(116.71, 35.51), weight: 1.0 }, DemandPoint { pos: ll(116.71, 35.51), weight: -2.0 }];
    assert_eq!(run(&CoverageParams::default(), Some(&pts)), Err(CoverageError::BadDemand { index: 1, value: -2.0 }));
    let nan = [DemandPoint { pos: ll(116.71, 35.51), weight: f64::NAN }];
    assert!(matches!(run(&CoverageParams::default(), Some(&nan)), Err(CoverageError::BadDemand { index: 0, .. })));
    let bad_eta = StraightLineModel { detour_factor: 0.5, ..eta };
    assert!(matches!(
        analyse(&small, &[], &index, None, &bad_eta, None, &CoverageParams::default()),
        Err(CoverageError::Model(_))
    ));
}

#[test]
fn classes_serialise_by_minutes_and_cells_become_hexagons() {
    assert_eq!(serde_json::to_value(CoverageClass::Within { threshold_s: 600.0 }).unwrap(), "within_10");
    assert_eq!(serde_json::to_value(CoverageClass::Within { threshold_s: 450.0 }).unwrap(), "within_7.5");
    assert_eq!(serde_json::to_value(CoverageClass::Beyond).unwrap(), "beyond");
    assert_eq!(serde_json::to_value(CoverageClass::Unreachable).unwrap(), "unreachable");
    assert_eq!(serde_json::to_value(Resolution::default()).unwrap(), 9);
    let c = LatLng::new(35.55, 116.78).unwrap().to_cell(h3o::Resolution::Nine);
    let mut cell = fake_cell(c, 2.5);
    cell.travel_time_s = Some(321.5);
    cell.station_id = Some(7);
    cell.class = CoverageClass::Within { threshold_s: 600.0 };
    cell.street = Some("鼓楼街道".into());
    let fc = cells_geojson(&[cell.clone()]);
    let v = serde_json::to_value(&fc).unwrap();
    let f = &v["features"][0];
    assert_eq!(f["properties"]["h3"], c.to_string());
    assert_eq!(f["properties"]["class"], "within_10");
    assert_eq!(f["properties"]["travel_time_s"], 321.5);
    assert_eq!(f["properties"]["station_id"], 7);
    assert_eq!(f["properties"]["street"], "鼓楼街道");
    assert_eq!(f["properties"]["demand"], 2.5);
    let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.len(), 7, "six corners, closed");
    assert_eq!(ring[0], ring[6]);
    // The hexagon holds the centre.
    let pts: Vec<(f64, f64)> = ring.iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect();
    assert!(Polygon::new(LineString::from(pts), vec![]).contains(&coord! { x: cell.centre[0], y: cell.centre[1] }));
    let json = serde_json::to_value(&cell).unwrap();
    assert_eq!(json["class"], "within_10");
    assert_eq!(json["h3"], c.to_string());
}

#[test]
fn analyses_round_trip_through_json() {
    for code in ["within_10", "within_7.5", "beyond", "unreachable"] {
        let c: CoverageClass = code.parse().unwrap();
        assert_eq!(c.code(), code);
    }
    assert_eq!("within_7.5".parse::<CoverageClass>(), Ok(CoverageClass::Within { threshold_s: 450.0 }));
    assert!("within_-1".parse::<CoverageClass>().is_err());
    assert!("covered".parse::<CoverageClass>().is_err());
    assert!(serde_json::from_str::<Resolution>("12").is_err());
    let area = area_of(vec![rect(116.70, 35.50, 116.73, 35.52)]);
    let index = StationIndex::build([station_at(1, ll(116.70, 35.50))]);
    let params = CoverageParams { thresholds_s: vec![450.0, 900.0], ..CoverageParams::default() };
    let a = analyse(&area, &[], &index, None, &StraightLineModel::default(), None, &params).unwrap();
    assert!(a.cells.iter().any(|c| c.class == CoverageClass::Within { threshold_s: 450.0 }));
    assert!(a.cells.iter().any(|c| c.class == CoverageClass::Beyond));
    let text = serde_json::to_string(&a).unwrap();
    let back: CoverageAnalysis = serde_json::from_str(&text).unwrap();
    assert_eq!(back, a);
}

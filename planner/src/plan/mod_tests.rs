#![allow(clippy::unwrap_used)]
use super::*;
use crate::coverage::tests::{area_of, dijkstra_ms, hand_graph, ll, rect, station_at};
use crate::coverage::{CoverageParams, DemandPoint, Resolution, analyse};
use crate::index::StatusSet;
use crate::network::snap::SnapOptions;
use crate::optimize::no_progress;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TH: f64 = 300.0;

/// A small random instance: an area of about 60 res-9 cells, random demand points, two existing
/// stations and `n_candidates` random candidate sites.
fn instance(seed: u64, n_candidates: usize) -> (CoverageAnalysis, StationIndex, Vec<Candidate>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let area = area_of(vec![rect(116.70, 35.50, 116.735, 35.52)]);
    let mut points = Vec::new();
    for _ in 0..300 {
        let p = ll(rng.random_range(116.70..116.735), rng.random_range(35.50..35.52));
        points.push(DemandPoint { pos: p, weight: f64::from(rng.random_range(0..4u8)) });
    }
    let stations = StationIndex::build([
        station_at(1, ll(rng.random_range(116.70..116.735), rng.random_range(35.50..35.52))),
        station_at(2, ll(rng.random_range(116.70..116.735), rng.random_range(35.50..35.52))),
    ]);
    let params = CoverageParams { thresholds_s: vec![TH], ..CoverageParams::default() };
    let analysis = analyse(&area, &[], &stations, None, &StraightLineModel::default(), Some(&points), &params).unwrap();
    let candidates = (0..n_candidates)
        .map(|k| Candidate {
            id: format!("c{k}"),
            name: Some(format!("候选点{k}")),
            pos: ll(rng.random_range(116.70..116.735), rng.random_range(35.50..35.52)),
        })
        .collect();
    (analysis, stations, candidates)
}

fn params(objective: Objective, candidates: &[Candidate]) -> PlanParams {
    PlanParams {
        objective,
        threshold_s: TH,
        candidates: Candidates::List(candidates.to_vec()),
        exclude: Vec::new(),
        fixed: Vec::new(),
        filter: Filter { statuses: StatusSet::ACTIVE, ..Filter::default() },
        solve: optimize::SolveOptions { effort: 2_000_000, ..Default::default() },
    }
}

/// Straight-line travel time, seconds.
fn secs(a: LonLat, b: LonLat) -> f64 {
    StraightLineModel::default().eta_s(a.geodesic_distance_m(b), TravelMode::Ebike)
}

/// Every `k`-subset of `0..n`.
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]];
    }
    if n < k {
        return vec![];
    }
    let mut out = subsets(n - 1, k);
    for mut s in subsets(n - 1, k - 1) {
        s.push(n - 1);
        out.push(s);
    }
    out
}

/// Brute force: demand within `TH` of an existing station or a chosen candidate.
fn covered_weight(a: &CoverageAnalysis, existing: &[LonLat], chosen: &[LonLat]) -> f64 {
    a.cells
        .iter()
        .filter(|c| {
            let p = ll(c.centre[0], c.centre[1]);
            existing.iter().chain(chosen).any(|&s| secs(p, s) <= TH)
        })
        .map(|c| c.demand)
        .sum()
}

fn existing_of(stations: &StationIndex) -> Vec<LonLat> {
    stations.iter().map(|s| s.data.location).collect()
}

#[test]
fn max_cover_equals_exhaustive_search_on_small_instances() {
    for seed in 0..6 {
        let (a, stations, cands) = instance(seed, 9);
        let existing = existing_of(&stations);
        let total: f64 = a.cells.iter().map(|c| c.demand).sum();
        for p in 1..=3 {
            let r = plan(
                &a,
                &stations,
                None,
                &StraightLineModel::default(),
                &params(Objective::MaxCover { sites: p }, &cands),
                &mut no_progress,
            )
            .unwrap();
            let best = subsets(cands.len(), p)
                .iter()
                .map(|s| covered_weight(&a, &existing, &s.iter().map(|&j| cands[j].pos).collect::<Vec<_>>()))
                .fold(0.0, f64::max);
            let chosen: Vec<LonLat> = r.sites.iter().map(|s| ll(s.lon, s.lat)).collect();
            let got = covered_weight(&a, &existing, &chosen);
            assert!((got - best).abs() < 1e-9, "seed {seed} p {p}: {got} vs {best}");
            // Summaries agree with brute force, and the gains add up in rank order.
            let before = covered_weight(&a, &existing, &[]);
            assert!((r.before.thresholds[0].demand_share - before / total).abs() < 1e-12);
            assert!((r.after.thresholds[0].demand_share - got / total).abs() < 1e-12);
            let mut so_far = Vec::new();
            for s in &r.sites {
                let was = covered_weight(&a, &existing, &so_far);
                so_far.push(ll(s.lon, s.lat));
                let now = covered_weight(&a, &existing, &so_far);
                assert!((s.gain - (now - was)).abs() < 1e-9);
                assert!(s.gain > 0.0);
                assert!((s.cumulative_share - now / total).abs() < 1e-12);
                assert!((s.gain_share - s.gain / total).abs() < 1e-12);
                let c = cands.iter().find(|c| Some(&c.id) == s.candidate_id.as_ref()).unwrap();
                assert_eq!((c.pos.lon, c.pos.lat, c.name.as_ref()), (s.lon, s.lat, s.name.as_ref()));
            }
            assert!(r.sites.windows(2).all(|w| w[0].gain >= w[1].gain - 1e-12));
            assert_eq!(r.objective, "max_cover");
            assert_eq!(r.candidates, 9);
        }
    }
}

#[test]
fn before_matches_the_analysis_and_cells_are_candidates() {
    let (a, stations, _) = instance(11, 0);
    let r = plan(
        &a,
        &stations,
        None,
        &StraightLineModel::default(),
        &PlanParams { candidates: Candidates::Cells, ..params(Objective::MaxCover { sites: 2 }, &[]) },
        &mut no_progress,
    )
    .unwrap();
    assert_eq!(r.before, a.summary);
    assert_eq!(r.candidates, a.cells.len());
    for s in &r.sites {
        let cell = a.cells.iter().find(|c| Some(&c.h3) == s.h3.as_ref()).unwrap();
        assert_eq!([s.lon, s.lat], cell.centre);
        assert_eq!(s.candidate_id, None);
    }
    // Deterministic.
    let again = plan(
        &a,
        &stations,
        None,
        &StraightLineModel::default(),
        &PlanParams { candidates: Candidates::Cells, ..params(Objective::MaxCover { sites: 2 }, &[]) },
        &mut no_progress,
    )
    .unwrap();
    assert_eq!(r, again);
}

#[test]
fn exclusions_and_fixed_sites() {
    let (a, stations, cands) = instance(3, 9);
    let eta = StraightLineModel::default();
    let free =
        plan(&a, &stations, None, &eta, &params(Objective::MaxCover { sites: 1 }, &cands), &mut no_progress).unwrap();
    let first = free.sites[0].candidate_id.clone().unwrap();
    // Excluding the best candidate by id moves the choice.
    let p = PlanParams { exclude: vec![first.clone()], ..params(Objective::MaxCover { sites: 1 }, &cands) };
    let r = plan(&a, &stations, None, &eta, &p, &mut no_progress).unwrap();
    assert_ne!(r.sites[0].candidate_id.as_ref(), Some(&first));
    assert_eq!(r.candidates, 8);
    // Excluding by H3 cell (the res-9 cell holding the candidate) does the same.
    let pos = ll(free.sites[0].lon, free.sites[0].lat);
    let cell = LatLng::new(pos.lat, pos.lon).unwrap().to_cell(h3o::Resolution::Nine).to_string();
    let p = PlanParams { exclude: vec![cell.clone()], ..params(Objective::MaxCover { sites: 1 }, &cands) };
    assert_ne!(
        plan(&a, &stations, None, &eta, &p, &mut no_progress).unwrap().sites[0].candidate_id.as_ref(),
        Some(&first)
    );
    // With cell candidates, the excluded cell is not proposed.
    let p = PlanParams {
        exclude: vec![cell.clone()],
        candidates: Candidates::Cells,
        ..params(Objective::MaxCover { sites: 3 }, &[])
    };
    let r = plan(&a, &stations, None, &eta, &p, &mut no_progress).unwrap();
    assert!(r.sites.iter().all(|s| s.h3.as_ref() != Some(&cell)));
    assert_eq!(r.candidates, a.cells.len() - usize::from(a.cells.iter().any(|c| c.h3 == cell)));
    // A fixed site at the best candidate counts as existing: the before share rises to what
    // the free plan reached, and that candidate adds nothing any more.
    let p = PlanParams { fixed: vec![pos], ..params(Objective::MaxCover { sites: 1 }, &cands) };
    let r = plan(&a, &stations, None, &eta, &p, &mut no_progress).unwrap();
    assert_eq!(r.before.thresholds[0].demand_share, free.after.thresholds[0].demand_share);
    assert!(r.sites.iter().all(|s| s.candidate_id.as_ref() != Some(&first)));
}

#[test]
fn min_sites_equals_exhaustive_search() {
    for seed in 20..24 {
        let (a, stations, cands) = instance(seed, 8);
        let existing = existing_of(&stations);
        let total: f64 = a.cells.iter().map(|c| c.demand).sum();
        let all: Vec<LonLat> = cands.iter().map(|c| c.pos).collect();
        let max_share = covered_weight(&a, &existing, &all) / total;
        let before = covered_weight(&a, &existing, &[]) / total;
        let target = before + (max_share - before) * 0.8;
        let fewest = (0..=cands.len())
            .find(|&k| {
                subsets(cands.len(), k).iter().any(|s| {
                    covered_weight(&a, &existing, &s.iter().map(|&j| cands[j].pos).collect::<Vec<_>>()) / total
                        >= target - 1e-12
                })
            })
            .unwrap();
        let p = params(Objective::MinSites { target_share: target, max_sites: 8 }, &cands);
        let r = plan(&a, &stations, None, &StraightLineModel::default(), &p, &mut no_progress).unwrap();
        assert_eq!(r.sites.len(), fewest, "seed {seed}");
        assert!(r.after.thresholds[0].demand_share >= target - 1e-12);
        assert_eq!(r.objective, "min_sites");
        if fewest > 1 {
            let p = params(Objective::MinSites { target_share: target, max_sites: fewest - 1 }, &cands);
            assert_eq!(
                plan(&a, &stations, None, &StraightLineModel::default(), &p, &mut no_progress),
                Err(PlanError::TooManySites { needed: fewest, max: fewest - 1 })
            );
        }
    }
}

#[test]
fn p_median_equals_exhaustive_search() {
    for seed in 40..44 {
        let (a, stations, cands) = instance(seed, 8);
        let existing = existing_of(&stations);
        let cutoff = 2.0 * TH;
        let cost = |chosen: &[LonLat]| -> f64 {
            a.cells
                .iter()
                .map(|c| {
                    let p = ll(c.centre[0], c.centre[1]);
                    let t = existing.iter().chain(chosen).map(|&s| secs(p, s)).fold(cutoff, f64::min);
                    c.demand * t
                })
                .sum()
        };
        let total: f64 = a.cells.iter().map(|c| c.demand).sum();
        for k in 1..=2 {
            let best = subsets(cands.len(), k)
                .iter()
                .map(|s| cost(&s.iter().map(|&j| cands[j].pos).collect::<Vec<_>>()))
                .fold(f64::INFINITY, f64::min);
            let r = plan(
                &a,
                &stations,
                None,
                &StraightLineModel::default(),
                &params(Objective::PMedian { sites: k }, &cands),
                &mut no_progress,
            )
            .unwrap();
            let chosen: Vec<LonLat> = r.sites.iter().map(|s| ll(s.lon, s.lat)).collect();
            assert!(
                (cost(&chosen) - best).abs() < 1e-6 * best.max(1.0),
                "seed {seed} k {k}: {} vs {best}",
                cost(&chosen)
            );
            let [before, after] = r.mean_travel_time_s.unwrap();
            assert!((before - cost(&[]) / total).abs() < 1e-6);
            assert!((after - best / total).abs() < 1e-6);
            assert_eq!(r.objective, "p_median");
        }
    }
}

#[test]
fn network_plan_coverage_equals_dijkstra() {
    let g = hand_graph();
    let net = RoadNetwork::new(g.clone(), SnapOptions::default());
    let stations = StationIndex::build([station_at(1, g.coord(14))]);
    let area = area_of(vec![rect(116.70, 35.50, 116.72, 35.515)]);
    let params_cov = CoverageParams {
        resolution: Resolution::try_from(10).unwrap(),
        thresholds_s: vec![120.0],
        ..CoverageParams::default()
    };
    let a = analyse(&area, &[], &stations, Some(&net), &StraightLineModel::default(), None, &params_cov).unwrap();
    // One candidate at a time: its gain is the demand of cells not yet within 120 s whose
    // Dijkstra time to the candidate is within 120 s.
    for node in [50u32, 77, 130] {
        let cand = vec![Candidate { id: format!("n{node}"), name: None, pos: g.coord(node) }];
        let p = PlanParams { threshold_s: 120.0, ..params(Objective::MaxCover { sites: 1 }, &cand) };
        let r = plan(&a, &stations, Some(&net), &StraightLineModel::default(), &p, &mut no_progress).unwrap();
        let target = net.snap(g.coord(node)).unwrap().links(&g, Direction::Backward);
        let expected: f64 = a
            .cells
            .iter()
            .filter(|c| c.travel_time_s.is_none_or(|t| t > 120.0))
            .filter(|c| {
                net.snap(ll(c.centre[0], c.centre[1])).is_some_and(|s| {
                    let dist = dijkstra_ms(&g, &s.links(&g, Direction::Forward));
                    target
                        .iter()
                        .any(|l| dist[l.0 as usize] != u64::MAX && dist[l.0 as usize] + u64::from(l.1) <= 120_000)
                })
            })
            .map(|c| c.demand)
            .sum();
        assert!(expected > 0.0);
        assert!((r.sites[0].gain - expected).abs() < 1e-12, "node {node}: {} vs {expected}", r.sites[0].gain);
        assert_eq!(r.before, a.summary);
    }
}

#[test]
fn bad_parameters_are_precise_errors() {
    let (a, stations, cands) = instance(5, 4);
    let eta = StraightLineModel::default();
    let run = |p: PlanParams| plan(&a, &stations, None, &eta, &p, &mut no_progress);
    assert_eq!(run(params(Objective::MaxCover { sites: 0 }, &cands)), Err(PlanError::Sites(0)));
    assert_eq!(run(params(Objective::PMedian { sites: 0 }, &cands)), Err(PlanError::Sites(0)));
    for t in [0.0, -0.1, 1.5] {
        assert_eq!(
            run(params(Objective::MinSites { target_share: t, max_sites: 3 }, &cands)),
            Err(PlanError::TargetShare(t))
        );
    }
    assert!(matches!(
        run(params(Objective::MinSites { target_share: f64::NAN, max_sites: 3 }, &cands)),
        Err(PlanError::TargetShare(_))
    ));
    assert_eq!(
        run(PlanParams { threshold_s: 0.0, ..params(Objective::MaxCover { sites: 1 }, &cands) }),
        Err(PlanError::Threshold(0.0))
    );
    let dup = [cands[0].clone(), cands[0].clone()];
    assert!(matches!(run(params(Objective::MaxCover { sites: 1 }, &dup)), Err(PlanError::Candidate { .. })));
    let all: Vec<String> = cands.iter().map(|c| c.id.clone()).collect();
    assert_eq!(
        run(PlanParams { exclude: all, ..params(Objective::MaxCover { sites: 1 }, &cands) }),
        Err(PlanError::NoCandidates)
    );
    // An unreachable target: candidates far away add nothing.
    let far = [Candidate { id: "far".into(), name: None, pos: ll(117.5, 36.0) }];
    assert!(matches!(
        run(params(Objective::MinSites { target_share: 1.0, max_sites: 3 }, &far)),
        Err(PlanError::Optimize(OptimizeError::TargetUnreachable { .. }))
    ));
}

#[test]
fn results_serialise_for_the_api() {
    let (a, stations, cands) = instance(8, 5);
    let r = plan(
        &a,
        &stations,
        None,
        &StraightLineModel::default(),
        &params(Objective::MaxCover { sites: 2 }, &cands),
        &mut no_progress,
    )
    .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["objective"], "max_cover");
    assert_eq!(v["threshold_s"], TH);
    assert_eq!(v["sites"][0]["rank"], 1);
    assert!(v["sites"][0]["gain"].as_f64().unwrap() > 0.0);
    assert_eq!(v["before"]["thresholds"][0]["minutes"], 5.0);
    assert!(["optimal", "budget"].contains(&v["termination"].as_str().unwrap()));
}

use super::*;
use crate::amenity::{Amenity, AmenitySet};
use crate::geodesy::{BBox, LonLat};
use crate::hours::{OpenAt, OpeningHours};
use crate::station::{Station, StationData, StationKind, StationStatus};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use std::sync::Arc;

const HOURS: [&str; 4] = ["24/7", "Mo-Fr 08:00-20:00", "Mo-Su 22:00-06:00", "Sa,Su 10:00-16:00"];

#[allow(clippy::too_many_arguments)]
fn station(
    id: i64,
    lon: f64,
    lat: f64,
    kind: usize,
    status: usize,
    amen: u32,
    cap: Option<u32>,
    hours: Option<usize>,
) -> Station {
    let amenities: AmenitySet = Amenity::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| amen & (1 << (i % 6)) != 0 && *i < 6)
        .map(|(_, a)| *a)
        .collect();
    Station {
        id,
        data: StationData {
            kind: StationKind::ALL[kind % 4],
            name: format!("站点{id}"),
            address: None,
            district: None,
            street: None,
            location: LonLat::new(lon, lat).unwrap(),
            amenities,
            opening_hours: hours.map(|h| OpeningHours::parse(HOURS[h % 4]).unwrap()),
            capacity: cap,
            operator: None,
            phone: None,
            offer: None,
            status: StationStatus::ALL[status % 3],
            source: None,
            external_id: None,
            verified_on: None,
        },
        created_at: Utc.timestamp_opt(0, 0).unwrap(),
        updated_at: Utc.timestamp_opt(0, 0).unwrap(),
    }
}

fn arb_station(id: i64, lon: (f64, f64), lat: (f64, f64)) -> impl Strategy<Value = Station> {
    (
        lon.0..lon.1,
        lat.0..lat.1,
        0usize..4,
        0usize..3,
        0u32..64,
        proptest::option::of(0u32..40),
        proptest::option::of(0usize..4),
    )
        .prop_map(move |(x, y, k, st, am, cap, h)| station(id, x, y, k, st, am, cap, h))
}

fn arb_stations(n: std::ops::Range<usize>, lon: (f64, f64), lat: (f64, f64)) -> impl Strategy<Value = Vec<Station>> {
    proptest::collection::vec(any::<u8>(), n).prop_flat_map(move |v| {
        v.iter().enumerate().map(|(i, _)| arb_station(i as i64 + 1, lon, lat)).collect::<Vec<_>>()
    })
}

fn arb_filter() -> impl Strategy<Value = Filter> {
    (0u8..16, 1u8..8, 0u32..8, proptest::option::of(0u32..30), proptest::bool::ANY, 0i64..(14 * 24)).prop_map(
        |(kinds, statuses, amen, min_capacity, timed, hour)| {
            let kinds = if kinds == 0 {
                KindSet::ALL
            } else {
                StationKind::ALL.iter().enumerate().filter(|(i, _)| kinds & (1 << i) != 0).map(|(_, k)| *k).collect()
            };
            let statuses = StationStatus::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| statuses & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect();
            let amenities =
                Amenity::ALL[..3].iter().enumerate().filter(|(i, _)| amen & (1 << i) != 0).map(|(_, a)| *a).collect();
            let open_at = timed.then(|| OpenAt::new(Utc.timestamp_opt(1_795_000_000 + hour * 3600, 0).unwrap()));
            Filter { kinds, statuses, amenities, min_capacity, open_at }
        },
    )
}

/// Brute force: every station that passes, by (geodesic distance, id).
fn brute(stations: &[Station], origin: LonLat, filter: &Filter) -> Vec<(i64, f64)> {
    let mut v: Vec<(i64, f64)> = stations
        .iter()
        .filter(|s| filter.matches(s))
        .map(|s| (s.id, origin.geodesic_distance_m(s.data.location)))
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    v
}

fn ids(hits: &[Hit]) -> Vec<(i64, f64)> {
    hits.iter().map(|h| (h.station.id, h.distance_m)).collect()
}

// A ~100 km box around Jining and a global spread (poles, antimeridian) exercise the sphere maths.
const JINING: ((f64, f64), (f64, f64)) = ((116.2, 117.4), (35.1, 36.0));
const WORLD: ((f64, f64), (f64, f64)) = ((-180.0, 180.0), (-90.0, 90.0));

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn nearest_equals_brute_force(stations in arb_stations(0..300, JINING.0, JINING.1),
                                  qlon in 116.0..117.6f64, qlat in 35.0..36.1f64,
                                  k in 0usize..12, filter in arb_filter(), radius in proptest::option::of(100.0..60_000.0f64)) {
        let index = StationIndex::build(stations.clone());
        let origin = LonLat::new(qlon, qlat).unwrap();
        let got = ids(&index.nearest(origin, k, &filter, radius));
        let mut want = brute(&stations, origin, &filter);
        want.retain(|(_, d)| radius.is_none_or(|r| *d <= r));
        want.truncate(k);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn nearest_is_exact_worldwide(stations in arb_stations(1..200, WORLD.0, WORLD.1),
                                  qlon in -180.0..180.0f64, qlat in -90.0..90.0f64, k in 1usize..8) {
        let index = StationIndex::build(stations.clone());
        let origin = LonLat::new(qlon, qlat).unwrap();
        let filter = Filter::default();
        let mut want = brute(&stations, origin, &filter);
        want.truncate(k);
        prop_assert_eq!(ids(&index.nearest(origin, k, &filter, None)), want);
    }

    #[test]
    fn within_radius_equals_brute_force(stations in arb_stations(0..300, JINING.0, JINING.1),
                                        qlon in 116.0..117.6f64, qlat in 35.0..36.1f64,
                                        radius in 0.0..40_000.0f64, filter in arb_filter()) {
        let index = StationIndex::build(stations.clone());
        let origin = LonLat::new(qlon, qlat).unwrap();
        let mut want = brute(&stations, origin, &filter);
        want.retain(|(_, d)| *d <= radius);
        prop_assert_eq!(ids(&index.within_radius(origin, radius, &filter)), want);
    }

    #[test]
    fn in_bbox_equals_brute_force(stations in arb_stations(0..300, WORLD.0, WORLD.1),
                                  a in -180.0..180.0f64, b in -180.0..180.0f64, c in -90.0..90.0f64, d in -90.0..90.0f64,
                                  filter in arb_filter()) {
        let index = StationIndex::build(stations.clone());
        let bbox = BBox::new(a.min(b), c.min(d), a.max(b), c.max(d)).unwrap();
        let got: Vec<i64> = index.in_bbox(&bbox, &filter).iter().map(|s| s.id).collect();
        let want: Vec<i64> = stations.iter().filter(|s| filter.matches(s) && bbox.contains(s.data.location)).map(|s| s.id).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn with_changes_equals_rebuild(stations in arb_stations(1..120, JINING.0, JINING.1),
                                   moved in arb_stations(1..40, JINING.0, JINING.1),
                                   delete_every in 2usize..7,
                                   qlon in 116.0..117.6f64, qlat in 35.0..36.1f64, filter in arb_filter()) {
        let index = StationIndex::build(stations.clone());
        // Upserts: the ids of `moved` overlap existing ones (1..) and add new ones past the end.
        let upserts: Vec<Station> = moved.into_iter().map(|mut s| { s.id *= 3; s }).collect();
        let deletes: Vec<i64> = stations.iter().map(|s| s.id).filter(|id| (*id as usize).is_multiple_of(delete_every)).collect();
        let changed = index.with_changes(upserts.clone(), &deletes);
        let mut expected: std::collections::BTreeMap<i64, Station> = stations.iter().map(|s| (s.id, s.clone())).collect();
        for id in &deletes { expected.remove(id); }
        for s in upserts { expected.insert(s.id, s); }
        let expected: Vec<Station> = expected.into_values().collect();
        let rebuilt = StationIndex::build(expected.clone());
        prop_assert_eq!(changed.len(), expected.len());
        let order: Vec<i64> = changed.iter().map(|s| s.id).collect();
        prop_assert_eq!(order, expected.iter().map(|s| s.id).collect::<Vec<_>>());
        let origin = LonLat::new(qlon, qlat).unwrap();
        prop_assert_eq!(ids(&changed.nearest(origin, 10, &filter, None)), ids(&rebuilt.nearest(origin, 10, &filter, None)));
        // The original snapshot is untouched.
        prop_assert_eq!(index.len(), stations.len());
    }
}

#[test]
fn ties_are_broken_by_id_and_k_zero_is_empty() {
    let s: Vec<Station> = (1..=5).rev().map(|id| station(id, 116.8, 35.55, 0, 0, 0, None, None)).collect();
    let index = StationIndex::build(s);
    let origin = LonLat::new(116.81, 35.55).unwrap();
    let got: Vec<i64> = index.nearest(origin, 3, &Filter::default(), None).iter().map(|h| h.station.id).collect();
    assert_eq!(got, [1, 2, 3]);
    assert!(index.nearest(origin, 0, &Filter::default(), None).is_empty());
    assert_eq!(index.get(4).unwrap().id, 4);
    assert!(index.get(9).is_none());
}

#[test]
fn open_at_uses_local_time() {
    // Open 08:00-20:00 on weekdays; 2026-11-24 (Tuesday) 01:00 UTC is 09:00 in Shanghai.
    let s = vec![station(1, 116.8, 35.55, 0, 0, 0, None, Some(1)), station(2, 116.9, 35.55, 0, 0, 0, None, None)];
    let index = StationIndex::build(s);
    let origin = LonLat::new(116.8, 35.55).unwrap();
    let morning = Filter {
        open_at: Some(OpenAt::new(Utc.with_ymd_and_hms(2026, 11, 24, 1, 0, 0).unwrap())),
        ..Filter::default()
    };
    let night = Filter {
        open_at: Some(OpenAt::new(Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap())),
        ..Filter::default()
    };
    assert_eq!(index.nearest(origin, 5, &morning, None).iter().map(|h| h.station.id).collect::<Vec<_>>(), [1]);
    assert!(index.nearest(origin, 5, &night, None).is_empty());
}

#[test]
fn index_memory_is_under_200_bytes_per_station() {
    let stations: Vec<Station> = (0..50_000)
        .map(|i| {
            station(i + 1, 116.2 + (i % 1000) as f64 * 0.001, 35.1 + (i / 1000) as f64 * 0.01, 0, 0, 0, None, None)
        })
        .collect();
    let index = StationIndex::build(stations);
    let per = index.index_bytes() as f64 / index.len() as f64;
    assert!(per < 200.0, "{per} bytes per station");
    assert!(per > 32.0, "{per} bytes per station is implausibly small");
}

#[test]
fn deleted_slots_are_compacted() {
    let stations: Vec<Station> =
        (1..=40).map(|i| station(i, 116.8 + i as f64 * 0.001, 35.5, 0, 0, 0, None, None)).collect();
    let mut index = StationIndex::build(stations);
    for id in 1..=30 {
        index = index.with_changes(Vec::new(), &[id]);
    }
    assert_eq!(index.len(), 10);
    let all: Vec<_> = index.iter().map(|s| Arc::clone(s).id).collect();
    assert_eq!(all, (31..=40).collect::<Vec<_>>());
    let origin = LonLat::new(116.8, 35.5).unwrap();
    assert_eq!(index.nearest(origin, 1, &Filter::default(), None)[0].station.id, 31);
}

/// One small write: upserts (ids 1..250, overlapping the initial 1..150) and deletes.
fn arb_batch() -> impl Strategy<Value = (Vec<Station>, Vec<i64>)> {
    let upsert = (1i64..250, JINING.0.0..JINING.0.1, JINING.1.0..JINING.1.1, 0usize..4, 0usize..3, 0u32..64)
        .prop_map(|(id, x, y, k, st, am)| station(id, x, y, k, st, am, Some(id as u32 % 40), Some(id as usize)));
    (proptest::collection::vec(upsert, 0..6), proptest::collection::vec(1i64..250, 0..4))
}

/// Every query of `index` against a fresh build of `expected` and against brute force.
fn assert_same_as_rebuild(
    index: &StationIndex,
    expected: &[Station],
    q: LonLat,
    k: usize,
    filter: &Filter,
    radius: Option<f64>,
    bbox: &BBox,
) -> Result<(), TestCaseError> {
    let rebuilt = StationIndex::build(expected.to_vec());
    prop_assert_eq!(index.len(), expected.len());
    prop_assert_eq!(index.is_empty(), expected.is_empty());
    let got: Vec<Station> = index.iter().map(|s| (**s).clone()).collect();
    prop_assert_eq!(&got, &expected.to_vec());
    let back: Vec<i64> = index.iter().rev().map(|s| s.id).collect();
    prop_assert_eq!(back, expected.iter().rev().map(|s| s.id).collect::<Vec<_>>());
    for id in 0..252 {
        prop_assert_eq!(index.get(id).map(|s| (**s).clone()), expected.iter().find(|s| s.id == id).cloned());
    }
    let mut want = brute(expected, q, filter);
    want.retain(|(_, d)| radius.is_none_or(|r| *d <= r));
    want.truncate(k);
    prop_assert_eq!(&ids(&index.nearest(q, k, filter, radius)), &want);
    prop_assert_eq!(ids(&index.nearest(q, k, filter, radius)), ids(&rebuilt.nearest(q, k, filter, radius)));
    let r = radius.unwrap_or(20_000.0);
    let mut want = brute(expected, q, filter);
    want.retain(|(_, d)| *d <= r);
    prop_assert_eq!(&ids(&index.within_radius(q, r, filter)), &want);
    prop_assert_eq!(ids(&index.within_radius(q, r, filter)), ids(&rebuilt.within_radius(q, r, filter)));
    let got: Vec<i64> = index.in_bbox(bbox, filter).iter().map(|s| s.id).collect();
    let want: Vec<i64> =
        expected.iter().filter(|s| filter.matches(s) && bbox.contains(s.data.location)).map(|s| s.id).collect();
    prop_assert_eq!(&got, &want);
    prop_assert_eq!(got, rebuilt.in_bbox(bbox, filter).iter().map(|s| s.id).collect::<Vec<_>>());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A sequence of small writes through the delta layer, the dead-slot set and (with a low
    /// threshold) compaction answers every query like a fresh build, and leaves every earlier
    /// snapshot as it was.
    #[test]
    fn write_sequences_equal_rebuild(stations in arb_stations(0..150, JINING.0, JINING.1),
                                     batches in proptest::collection::vec(arb_batch(), 1..30),
                                     floor in prop_oneof![1usize..24, Just(4096usize)],
                                     qlon in 116.0..117.6f64, qlat in 35.0..36.1f64, k in 0usize..12,
                                     filter in arb_filter(), radius in proptest::option::of(100.0..60_000.0f64),
                                     a in 116.2..117.4f64, b in 116.2..117.4f64, c in 35.1..36.0f64, d in 35.1..36.0f64) {
        let mut index = StationIndex::build(stations.clone()).with_compact_floor(floor);
        let mut model: std::collections::BTreeMap<i64, Station> = stations.into_iter().map(|s| (s.id, s)).collect();
        let mut history = vec![(index.clone(), model.values().cloned().collect::<Vec<_>>())];
        for (upserts, deletes) in batches {
            let threshold = floor.max(index.len() / 64);
            index = index.with_changes(upserts.clone(), &deletes);
            for id in &deletes { model.remove(id); }
            for s in upserts { model.insert(s.id, s); }
            let (_, delta, dead) = index.layer_sizes();
            prop_assert!(delta + dead <= threshold, "delta {} + dead {} over {}", delta, dead, threshold);
            history.push((index.clone(), model.values().cloned().collect()));
        }
        let q = LonLat::new(qlon, qlat).unwrap();
        let bbox = BBox::new(a.min(b), c.min(d), a.max(b), c.max(d)).unwrap();
        let (last, expected) = history.last().unwrap();
        assert_same_as_rebuild(last, expected, q, k, &filter, radius, &bbox)?;
        for (snapshot, expected) in &history {
            let got: Vec<Station> = snapshot.iter().map(|s| (**s).clone()).collect();
            prop_assert_eq!(&got, expected);
            prop_assert_eq!(ids(&snapshot.nearest(q, 8, &Filter::default(), None)), {
                let mut w = brute(expected, q, &Filter::default());
                w.truncate(8);
                w
            });
        }
    }
}

#[test]
fn small_writes_go_to_the_delta_and_compact_at_the_threshold() {
    let stations: Vec<Station> =
        (1..=100).map(|i| station(i, 116.8 + i as f64 * 0.001, 35.5, 0, 0, 0, None, None)).collect();
    let mut index = StationIndex::build(stations).with_compact_floor(10);
    assert_eq!(index.layer_sizes(), (100, 0, 0));
    // Move station 1 next to the query, add 101, delete 2: two dead base slots, two delta slots.
    index = index.with_changes(
        vec![station(1, 116.9, 35.6, 0, 0, 0, None, None), station(101, 116.9001, 35.6, 0, 0, 0, None, None)],
        &[2],
    );
    assert_eq!(index.layer_sizes(), (100, 2, 2));
    assert_eq!(index.len(), 100);
    let q = LonLat::new(116.9, 35.6).unwrap();
    let got: Vec<i64> = index.nearest(q, 3, &Filter::default(), None).iter().map(|h| h.station.id).collect();
    assert_eq!(got, [1, 101, 100]);
    let near_old = LonLat::new(116.801, 35.5).unwrap();
    let got: Vec<i64> = index.nearest(near_old, 2, &Filter::default(), None).iter().map(|h| h.station.id).collect();
    assert_eq!(got, [3, 4], "the old position of 1 and the deleted 2 are skipped in the search");
    assert!(index.get(2).is_none());
    assert_eq!(index.get(1).unwrap().data.location.lon, 116.9);
    // Deleting a delta-only station empties its delta slot without a dead base slot.
    index = index.with_changes(Vec::new(), &[101]);
    assert_eq!(index.layer_sizes(), (100, 2, 2));
    for id in 3..=8 {
        index = index.with_changes(Vec::new(), &[id]);
    }
    assert_eq!(index.layer_sizes(), (100, 2, 8));
    // 2 + 8 + 1 > 10: this write rebuilds the base.
    index = index.with_changes(Vec::new(), &[9]);
    assert_eq!(index.layer_sizes(), (92, 0, 0));
    let all: Vec<i64> = index.iter().map(|s| s.id).collect();
    assert_eq!(all, std::iter::once(1).chain(10..=100).collect::<Vec<_>>());
}

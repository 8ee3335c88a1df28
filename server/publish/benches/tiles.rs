//! Vector-tile encoding of the stations layer over 1 000 000 stations: the bounding-box query on
//! the index snapshot plus MVT encoding (what `GET /tiles/stations/{z}/{x}/{y}.mvt` does on a cache
//! miss; thinned below zoom 12 as served), at zooms 10 to 14 over the densest part of the set, and
//! gzip of the result.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yizhan_http::cache::gzip;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::index::{Filter, StationIndex};
use yizhan_planner::station::{Station, StationData, StationKind, StationStatus};
use yizhan_publish::TileOptions;
use yizhan_publish::mvt;
use yizhan_publish::tile::{TileId, world};

/// Stations spread over 2.0° × 1.6° around Jining (a dense province-scale register), seeded.
fn stations(n: usize) -> Vec<Station> {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let (u, v, a) = (next(), next(), next());
            Station {
                id: i as i64 + 1,
                data: StationData {
                    kind: StationKind::ALL[i % StationKind::ALL.len()],
                    name: format!("驿站{i:07}"),
                    address: None,
                    district: None,
                    street: None,
                    location: LonLat { lon: 115.8 + 2.0 * u, lat: 34.7 + 1.6 * v },
                    amenities: Amenity::ALL.iter().copied().filter(|_| a < 0.5).take(4).collect::<AmenitySet>(),
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
        })
        .collect()
}

fn tiles(c: &mut Criterion) {
    let index = StationIndex::build(stations(1_000_000));
    let mut group = c.benchmark_group("stations_tile_1m");
    group.sample_size(10);
    for z in 10u8..=14 {
        let (wx, wy) = world(116.8, 35.5);
        let n = f64::from(1u32 << z);
        let t = TileId::new(u32::from(z), (wx * n) as u32, (wy * n) as u32).unwrap();
        let in_tile = index.in_bbox(&t.bounds(mvt::buffer_fraction()), &Filter::default()).len();
        group.throughput(Throughput::Elements(in_tile as u64));
        // As served: thinned to one point per cell of the default grid below the default zoom.
        let thin = TileOptions::default();
        let layer = |t: TileId| {
            if thin.thins(t.z) {
                let found = index.in_bbox(&t.bounds(mvt::thin_margin_fraction(thin.thin_grid)), &Filter::default());
                mvt::stations_thinned_layer(t, &found, thin.thin_grid).unwrap()
            } else {
                let found = index.in_bbox(&t.bounds(mvt::buffer_fraction()), &Filter::default());
                mvt::stations_layer(t, &found).unwrap()
            }
        };
        let label = if thin.thins(z) { "encode_thinned" } else { "encode" };
        group.bench_with_input(BenchmarkId::new(label, format!("z{z}_{in_tile}_stations")), &t, |b, t| {
            b.iter(|| black_box(mvt::encode(vec![layer(*t)])));
        });
        let raw = mvt::encode(vec![layer(t)]);
        group.bench_with_input(BenchmarkId::new("gzip", format!("z{z}_{}_bytes", raw.len())), &raw, |b, raw| {
            b.iter(|| black_box(gzip(raw)));
        });
    }
    group.finish();
}

criterion_group!(benches, tiles);
criterion_main!(benches);

//! Criterion benchmarks of the station locator: k-nearest (k = 5) with and without filters,
//! radius queries, bulk build and a one-station update (also on a snapshot with a 4,000-station
//! delta, and the 5-nearest query on it), at 10k, 100k and 1M stations (10M with
//! `YIZHAN_BENCH_10M=1`).
//!
//! Stations are uniform in the same ~100 km × 100 km box around lon 116.8°, lat 35.55° as the
//! peer baselines (`knn_points.py`), drawn from a seeded ChaCha8 generator (positions seed 42,
//! queries seed 7), so every run benchmarks the same data. Smaller sizes are prefixes of larger
//! ones. Attributes are drawn so that filters select realistic fractions: about 40 % rest
//! stations, 85 % active, amenity subsets, 10 % open 24/7.
//!
//! Environment:
//! * `YIZHAN_BENCH_SIZES` — comma-separated sizes (`10k,100k,1m`, the default; `10m` and plain
//!   numbers such as `250000` are accepted).
//! * `YIZHAN_BENCH_10M=1` — adds the 10M size (minutes of setup and several GiB of memory).
//!
//! Run as a test (`cargo test --benches`), each routine runs once at 10k stations only.
//!
//! Query benchmarks cycle through 1,024 fixed query points, so each reported time is per query.
//! Each size prints the index memory (`index_bytes() / len`) and the process's resident memory
//! per station to standard error.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test/benchmark

use chrono::{TimeZone, Utc};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::{OpenAt, OpeningHours};
use yizhan_planner::index::{Filter, KindSet, StationIndex, StatusSet};
use yizhan_planner::station::{Station, StationData, StationKind, StationStatus};

/// Centre of the peer box, degrees.
const LON0: f64 = 116.8;
/// Centre of the peer box, degrees.
const LAT0: f64 = 35.55;
/// Seed of station positions (the peer's point seed).
const STATION_SEED: u64 = 42;
/// Seed of query points (the peer's query seed).
const QUERY_SEED: u64 = 7;
/// Number of fixed query points cycled through by query benchmarks (a power of two).
const QUERIES: usize = 1024;

/// The peer box: 50 km either side of the centre, in degrees (`knn_points.py`).
fn peer_box() -> ((f64, f64), (f64, f64)) {
    let half_lat = 50.0 / 111.32;
    let half_lon = 50.0 / (111.32 * LAT0.to_radians().cos());
    ((LON0 - half_lon, LON0 + half_lon), (LAT0 - half_lat, LAT0 + half_lat))
}

fn uniform_point(rng: &mut ChaCha8Rng) -> LonLat {
    let ((lon0, lon1), (lat0, lat1)) = peer_box();
    let lon = rng.random_range(lon0..lon1);
    let lat = rng.random_range(lat0..lat1);
    LonLat::new(lon, lat).expect("the peer box lies inside the valid range")
}

/// Parsed opening-hours expressions shared by all generated stations (cloning shares the parse).
struct HoursPool {
    always: OpeningHours,
    day: OpeningHours,
    weekday: OpeningHours,
    long_day: OpeningHours,
}

impl HoursPool {
    fn new() -> Self {
        let p = |s: &str| OpeningHours::parse(s).expect("valid opening_hours expression");
        Self {
            always: p("24/7"),
            day: p("Mo-Su 07:00-21:00"),
            weekday: p("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00"),
            long_day: p("Mo-Su 06:00-22:00"),
        }
    }

    /// 10 % 24/7, 35 % daily 07–21, 20 % weekday/weekend hours, 10 % daily 06–22, 25 % none.
    fn draw(&self, rng: &mut ChaCha8Rng) -> Option<OpeningHours> {
        let r: f64 = rng.random();
        if r < 0.10 {
            Some(self.always.clone())
        } else if r < 0.45 {
            Some(self.day.clone())
        } else if r < 0.65 {
            Some(self.weekday.clone())
        } else if r < 0.75 {
            Some(self.long_day.clone())
        } else {
            None
        }
    }
}

/// Probability that a rest station or caring merchant offers each amenity.
const AMENITY_P: [(Amenity, f64); 18] = [
    (Amenity::RestSeating, 0.85),
    (Amenity::Heating, 0.40),
    (Amenity::Cooling, 0.50),
    (Amenity::DrinkingWater, 0.70),
    (Amenity::HotWater, 0.60),
    (Amenity::Microwave, 0.40),
    (Amenity::PhoneCharging, 0.65),
    (Amenity::Wifi, 0.50),
    (Amenity::Reading, 0.25),
    (Amenity::FirstAid, 0.45),
    (Amenity::Toilet, 0.50),
    (Amenity::EbikeCharging, 0.20),
    (Amenity::BatterySwap, 0.05),
    (Amenity::Parking, 0.30),
    (Amenity::RainGear, 0.20),
    (Amenity::RepairTools, 0.15),
    (Amenity::Discount, 0.10),
    (Amenity::Accessible, 0.20),
];

fn draw_amenities(rng: &mut ChaCha8Rng, kind: StationKind) -> AmenitySet {
    match kind {
        StationKind::ChargingCabinet => {
            let mut s: AmenitySet = [Amenity::BatterySwap].into_iter().collect();
            if rng.random_bool(0.5) {
                s.insert(Amenity::EbikeCharging);
            }
            s
        }
        StationKind::RideHailingBay => {
            let mut s: AmenitySet = [Amenity::Parking].into_iter().collect();
            if rng.random_bool(0.3) {
                s.insert(Amenity::Toilet);
            }
            s
        }
        StationKind::RestStation | StationKind::CaringMerchant => {
            AMENITY_P.iter().filter(|&&(_, p)| rng.random_bool(p)).map(|&(a, _)| a).collect()
        }
    }
}

/// `n` stations with ids 1..=n; the first `m` of `stations(n)` equal `stations(m)` in position
/// (positions and attributes come from separate generators).
fn stations(n: usize) -> Vec<Station> {
    let mut pos = ChaCha8Rng::seed_from_u64(STATION_SEED);
    let mut attr = ChaCha8Rng::seed_from_u64(STATION_SEED ^ 0x5EED);
    let hours = HoursPool::new();
    let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("valid date");
    (1..=n)
        .map(|i| {
            let location = uniform_point(&mut pos);
            let r: f64 = attr.random();
            let kind = if r < 0.40 {
                StationKind::RestStation
            } else if r < 0.70 {
                StationKind::CaringMerchant
            } else if r < 0.90 {
                StationKind::ChargingCabinet
            } else {
                StationKind::RideHailingBay
            };
            let r: f64 = attr.random();
            let status = if r < 0.85 {
                StationStatus::Active
            } else if r < 0.95 {
                StationStatus::Planned
            } else {
                StationStatus::Closed
            };
            let amenities = draw_amenities(&mut attr, kind);
            let capacity = attr.random_bool(0.8).then(|| attr.random_range(2..=40));
            let opening_hours = hours.draw(&mut attr);
            Station {
                id: i64::try_from(i).expect("fewer than 2^63 stations"),
                data: StationData {
                    kind,
                    name: format!("驿站{i}"),
                    address: None,
                    district: None,
                    street: None,
                    location,
                    amenities,
                    opening_hours,
                    capacity,
                    operator: None,
                    phone: None,
                    offer: None,
                    status,
                    source: None,
                    external_id: None,
                    verified_on: None,
                },
                created_at: t0,
                updated_at: t0,
            }
        })
        .collect()
}

fn queries() -> Vec<LonLat> {
    let mut rng = ChaCha8Rng::seed_from_u64(QUERY_SEED);
    (0..QUERIES).map(|_| uniform_point(&mut rng)).collect()
}

fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim().to_ascii_lowercase();
    let (digits, mult) = if let Some(d) = s.strip_suffix('m') {
        (d, 1_000_000)
    } else if let Some(d) = s.strip_suffix('k') {
        (d, 1_000)
    } else {
        (s.as_str(), 1)
    };
    digits.parse::<usize>().ok().filter(|&n| n > 0).map(|n| n * mult)
}

fn label(n: usize) -> String {
    if n.is_multiple_of(1_000_000) {
        format!("{}m", n / 1_000_000)
    } else if n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

/// Whether the binary runs as a benchmark (`cargo bench` passes `--bench`) rather than as a smoke
/// test (`cargo test --benches` runs each routine once).
fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn sizes() -> Vec<usize> {
    if !bench_mode() {
        return vec![10_000];
    }
    let mut v: Vec<usize> = match std::env::var("YIZHAN_BENCH_SIZES") {
        Ok(s) if !s.trim().is_empty() => s.split(',').filter_map(parse_size).collect(),
        _ => vec![10_000, 100_000, 1_000_000],
    };
    if std::env::var("YIZHAN_BENCH_10M").is_ok_and(|v| v == "1") {
        v.push(10_000_000);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Resident memory of this process, bytes (Linux; `None` elsewhere).
fn rss_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Riders' "nearest active rest station with drinking water and a microwave" (≈ 10 % pass).
fn kind_amenity_filter() -> Filter {
    Filter {
        kinds: [StationKind::RestStation].into_iter().collect::<KindSet>(),
        statuses: StatusSet::ACTIVE,
        amenities: [Amenity::DrinkingWater, Amenity::Microwave].into_iter().collect(),
        ..Filter::default()
    }
}

/// "Nearest active station open now" at 23:30 on a Wednesday, Beijing time: only 24/7 stations
/// pass (≈ 8.5 %), and every active candidate's opening hours are evaluated.
fn open_night_filter() -> Filter {
    let at = Utc.with_ymd_and_hms(2025, 6, 11, 15, 30, 0).single().expect("valid instant");
    Filter { statuses: StatusSet::ACTIVE, open_at: Some(OpenAt::new(at)), ..Filter::default() }
}

fn cycle(qs: &[LonLat]) -> impl FnMut() -> LonLat + '_ {
    let mut i = 0usize;
    move || {
        i = i.wrapping_add(1);
        qs[i & (QUERIES - 1)]
    }
}

fn bench_size(c: &mut Criterion, n: usize, qs: &[LonLat]) {
    let name = label(n);
    let rss0 = rss_bytes();
    let all = stations(n);
    let big = n >= 1_000_000;
    let smoke = !bench_mode();

    if (100_000..=1_000_000).contains(&n) || smoke {
        let mut g = c.benchmark_group("build");
        g.sample_size(10).measurement_time(Duration::from_secs(if big { 30 } else { 10 }));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::from_parameter(&name), |b| {
            b.iter_batched(|| all.clone(), StationIndex::build, BatchSize::PerIteration);
        });
        g.finish();
    }

    let moved = all.get(n / 2).cloned().map(|mut s| {
        s.data.location.lon += 0.001;
        s.data.name.push_str("（迁址）");
        s
    });
    let index = StationIndex::build(all);
    let rss1 = rss_bytes();
    let bytes = index.index_bytes();
    eprintln!(
        "index memory at {name}: {bytes} B = {:.1} B/station (index_bytes); process RSS growth incl. station records and allocator slack {}",
        bytes as f64 / index.len() as f64,
        match (rss0, rss1) {
            (Some(a), Some(b)) => format!("{:.1} B/station", b.saturating_sub(a) as f64 / index.len() as f64),
            _ => "unknown".to_owned(),
        }
    );

    let query_time = Duration::from_secs(if big { 5 } else { 3 });
    let all_pass = Filter::default();
    let kind_amenity = kind_amenity_filter();
    let night = open_night_filter();

    let mut g = c.benchmark_group("nearest_k5");
    g.measurement_time(query_time);
    g.bench_function(BenchmarkId::from_parameter(&name), |b| {
        let mut next = cycle(qs);
        b.iter(|| index.nearest(black_box(next()), 5, &all_pass, None));
    });
    g.finish();

    let mut g = c.benchmark_group("nearest_k5_filtered");
    g.measurement_time(query_time);
    g.bench_function(BenchmarkId::new("kind_amenity", &name), |b| {
        let mut next = cycle(qs);
        b.iter(|| index.nearest(black_box(next()), 5, &kind_amenity, None));
    });
    g.bench_function(BenchmarkId::new("open_at_night", &name), |b| {
        let mut next = cycle(qs);
        b.iter(|| index.nearest(black_box(next()), 5, &night, None));
    });
    g.finish();

    let mut g = c.benchmark_group("within_radius_1km");
    g.measurement_time(query_time);
    g.bench_function(BenchmarkId::from_parameter(&name), |b| {
        let mut next = cycle(qs);
        b.iter(|| index.within_radius(black_box(next()), 1_000.0, &all_pass));
    });
    g.finish();

    if (n == 1_000_000 || smoke)
        && let Some(moved) = moved
    {
        let mut g = c.benchmark_group("with_changes");
        g.sample_size(10).measurement_time(Duration::from_secs(10));
        g.bench_function(BenchmarkId::new("one_upsert", &name), |b| {
            b.iter(|| index.with_changes(vec![moved.clone()], &[]));
        });
        let written = with_delta(&index, &all_moved(&index, DELTA));
        g.bench_function(BenchmarkId::new("one_upsert_delta4k", &name), |b| {
            b.iter(|| written.with_changes(vec![moved.clone()], &[]));
        });
        g.finish();

        let mut g = c.benchmark_group("nearest_k5_delta4k");
        g.measurement_time(query_time);
        g.bench_function(BenchmarkId::from_parameter(&name), |b| {
            let mut next = cycle(qs);
            b.iter(|| written.nearest(black_box(next()), 5, &all_pass, None));
        });
        g.finish();
    }
}

/// Stations moved by the `*_delta4k` benches: a snapshot that has taken this many single-station
/// moves since its last bulk build.
const DELTA: usize = 4_000;

/// `count` stations spread over the id range, each moved ~100 m east.
fn all_moved(index: &StationIndex, count: usize) -> Vec<Station> {
    let step = (index.len() / count).max(1);
    index
        .iter()
        .step_by(step)
        .take(count)
        .map(|s| {
            let mut s = (**s).clone();
            s.data.location.lon += 0.001;
            s
        })
        .collect()
}

/// `index` after `moved` were written in batches of 100 (small writes, so no bulk rebuild).
fn with_delta(index: &StationIndex, moved: &[Station]) -> StationIndex {
    moved.chunks(100).fold(index.clone(), |ix, batch| ix.with_changes(batch.to_vec(), &[]))
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let qs = queries();
    for n in sizes() {
        bench_size(&mut c, n, &qs);
    }
    c.final_summary();
}

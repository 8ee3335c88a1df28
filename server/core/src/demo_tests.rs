use super::*;
use crate::builtin::{DEMO_STATIONS_CSV, HELSINKI_STATIONS_CSV};

#[test]
fn committed_demo_csv_is_the_generators_output() {
    let fresh = generate_csv(yizhan_planner::demo::DEMO_SEED);
    assert!(
        fresh == DEMO_STATIONS_CSV,
        "data/demo/yanzhou-stations.csv is stale: run `cargo run -p yizhan-server -- demo-data` and commit it"
    );
}

#[test]
fn demo_csv_imports_completely() {
    let opts = ImportOptions { format: Format::Csv, ..ImportOptions::default() };
    let rows = parse_stations(DEMO_STATIONS_CSV, &opts).unwrap();
    // The documented numbers (README.md: 433 stations; data/README.md: 160 rest stations, 165
    // caring merchants, 72 cabinets, 36 bays), not the generator's own table.
    assert_eq!(rows.len(), 433);
    assert_eq!(kind_counts(&rows), [160, 165, 72, 36]);
    assert!(rows.iter().all(|r| r.district.as_deref() == Some("兖州区")));
    let helsinki = parse_stations(HELSINKI_STATIONS_CSV, &opts).unwrap();
    // README.md: 60 stations; data/README.md: 24 / 20 / 10 / 6.
    assert_eq!(helsinki.len(), 60);
    assert_eq!(kind_counts(&helsinki), [24, 20, 10, 6]);
}

/// Stations per kind: rest stations, caring merchants, charging cabinets, ride-hailing bays.
fn kind_counts(rows: &[yizhan_planner::station::StationData]) -> [usize; 4] {
    use yizhan_planner::station::StationKind as K;
    [K::RestStation, K::CaringMerchant, K::ChargingCabinet, K::RideHailingBay]
        .map(|k| rows.iter().filter(|r| r.kind == k).count())
}

#[test]
fn committed_helsinki_csv_is_the_generators_output() {
    let fresh = generate_helsinki_csv(yizhan_planner::demo::DEMO_SEED);
    assert!(
        fresh == HELSINKI_STATIONS_CSV,
        "data/demo/helsinki-stations.csv is stale: run `cargo run -p yizhan-server -- demo-data` and commit it"
    );
    let opts = ImportOptions { format: Format::Csv, ..ImportOptions::default() };
    let rows = parse_stations(HELSINKI_STATIONS_CSV, &opts).unwrap();
    assert_eq!(rows, yizhan_planner::demo::generate_helsinki(yizhan_planner::demo::DEMO_SEED));
}

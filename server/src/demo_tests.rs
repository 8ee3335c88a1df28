use super::*;

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
    let total: usize = yizhan_planner::demo::DEMO_COUNTS.iter().map(|c| c.1).sum();
    assert_eq!(rows.len(), total);
    assert!(rows.iter().all(|r| r.district.as_deref() == Some("兖州区")));
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

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

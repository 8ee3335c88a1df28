//! The CSV station importer on arbitrary bytes: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yizhan_planner::import::{Format, ImportOptions, parse_stations};

fuzz_target!(|data: &[u8]| {
    let opts = ImportOptions { format: Format::Csv, max_rows: 10_000, ..ImportOptions::default() };
    let _ = parse_stations(data, &opts);
});

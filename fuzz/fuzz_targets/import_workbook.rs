//! The Excel importer (`.xlsx` and `.xls`) on arbitrary bytes: never a panic, never an abort.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yizhan_planner::import::{Format, ImportOptions, preview_stations};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Xlsx, Format::Xls] {
        let opts = ImportOptions { format, max_rows: 10_000, ..ImportOptions::default() };
        let _ = preview_stations(data, &opts);
    }
});

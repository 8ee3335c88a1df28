//! The opening-hours parser and evaluator on arbitrary text: never a panic.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use yizhan_planner::hours::OpeningHours;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(hours) = OpeningHours::parse(text) else { return };
    for (y, m, d, h) in [(2025, 3, 1, 8), (2024, 2, 29, 23), (2025, 12, 31, 0)] {
        let Some(at) = NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, 30, 0)) else { continue };
        let _ = hours.is_open_local(at);
        let _ = hours.next_change_local(at);
    }
});

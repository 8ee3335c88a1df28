//! The API's query-string parsers (nearest, stations list, audit) on arbitrary text: never a
//! panic, and every refusal is a 4xx.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let now = Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).single().unwrap_or_default();
    for status in yizhan_api::fuzzing::parse_queries(&raw, now) {
        assert!(status == 200 || (400..500).contains(&status), "status {status} for {raw:?}");
    }
});

//! The OSM PBF road-network reader on arbitrary bytes: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::network::osm::import_bytes;

fuzz_target!(|data: &[u8]| {
    let _ = import_bytes(data, &[TravelMode::Walk, TravelMode::Car]);
});

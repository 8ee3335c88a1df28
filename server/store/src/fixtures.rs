//! Stations for tests of the store and of the crates above it (feature `fixtures`): one with every
//! field set, one with only the required ones, and a generated series.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use chrono::NaiveDate;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpeningHours;
use yizhan_planner::station::{StationData, StationKind, StationStatus};

/// A station with every field set, in Chinese where a person would write Chinese.
pub fn full_station() -> StationData {
    StationData {
        kind: StationKind::RestStation,
        name: "鼓楼街道户外劳动者驿站".to_owned(),
        address: Some("山东省济宁市兖州区建设东路１２号（近九州方圆）\n一楼东侧".to_owned()),
        district: Some("兖州区".to_owned()),
        street: Some("鼓楼街道".to_owned()),
        location: LonLat { lon: 116.783_419_872_134_56, lat: 35.553_912_345_678_91 },
        amenities: [Amenity::DrinkingWater, Amenity::HotWater, Amenity::Microwave, Amenity::Accessible]
            .into_iter()
            .collect(),
        opening_hours: Some(OpeningHours::parse("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00; PH off").unwrap()),
        capacity: Some(24),
        operator: Some("兖州区总工会 🛵".to_owned()),
        phone: Some("0537-3412345转8".to_owned()),
        offer: Some("外卖骑手凭工牌九折，免费热水\t每日供应".to_owned()),
        status: StationStatus::Active,
        source: Some("兖州区总工会2024年名录".to_owned()),
        external_id: Some("YZ-驿站-0001".to_owned()),
        verified_on: Some(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
    }
}

/// A station with only the required fields.
pub fn minimal_station() -> StationData {
    StationData {
        kind: StationKind::ChargingCabinet,
        name: "换电柜".to_owned(),
        address: None,
        district: None,
        street: None,
        location: LonLat { lon: -180.0, lat: 90.0 },
        amenities: AmenitySet::EMPTY,
        opening_hours: None,
        capacity: None,
        operator: None,
        phone: None,
        offer: None,
        status: StationStatus::Planned,
        source: None,
        external_id: None,
        verified_on: None,
    }
}

/// Row `i` of a generated data set: keyed by `source` + `E{i}`, varied in every field.
pub fn generated(source: &str, i: usize) -> StationData {
    let kinds = StationKind::ALL;
    let statuses = StationStatus::ALL;
    let hours = ["24/7", "Mo-Su 07:00-21:00", "Mo-Fr 08:00-18:00; Sa 09:00-12:00"];
    let amenities = u32::try_from(i * 2_654_435_761 % (1 << Amenity::ALL.len())).unwrap();
    let n = u32::try_from(i).unwrap();
    StationData {
        kind: kinds[i % kinds.len()],
        name: format!("第{i}号驿站"),
        address: (!i.is_multiple_of(3)).then(|| format!("兖州区建设路{i}号")),
        district: Some("兖州区".to_owned()),
        street: i.is_multiple_of(2).then(|| "鼓楼街道".to_owned()),
        location: LonLat { lon: 116.5 + f64::from(n % 1000) * 1e-4, lat: 35.4 + f64::from(n / 1000) * 1e-4 },
        amenities: AmenitySet::from_bits(amenities).unwrap(),
        opening_hours: (!i.is_multiple_of(4)).then(|| OpeningHours::parse(hours[i % hours.len()]).unwrap()),
        capacity: (!i.is_multiple_of(5)).then_some(n % 50),
        operator: Some("兖州区总工会".to_owned()),
        phone: None,
        offer: i.is_multiple_of(7).then(|| "免费热水".to_owned()),
        status: statuses[i % statuses.len()],
        source: Some(source.to_owned()),
        external_id: Some(format!("E{i}")),
        verified_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().checked_add_days(chrono::Days::new((i % 365) as u64)),
    }
}

//! The seeded, synthetic demo data set for 兖州区 (Yanzhou district, Jining, Shandong).
//!
//! Everything here is **synthetic**: station names, addresses, phone numbers and the street
//! (街道/镇) centres are invented to look plausible; only the district boundary is real. The
//! counts follow the scale the district reports — about 160 rest stations and 165 caring
//! merchants — plus charging cabinets and ride-hailing bays.
//!
//! The generator draws from its own ChaCha8 stream with hand-written sampling (no library
//! distributions), so a seed gives the same stations on every platform and every dependency
//! version. `data/demo/yanzhou-stations.csv` is its output for [`DEMO_SEED`].
//!
//! [`generate_helsinki`] makes a second, small synthetic set in central Helsinki, where a real
//! OpenStreetMap extract ships with the product, so the demo shows travel times along roads;
//! `data/demo/helsinki-stations.csv` is its output for [`DEMO_SEED`].

use crate::amenity::{Amenity, AmenitySet};
use crate::coverage::{DemandPoint, Street};
use crate::district::District;
use crate::geodesy::LonLat;
use crate::hours::OpeningHours;
use crate::station::{StationData, StationKind, StationStatus};
use chrono::NaiveDate;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// The seed of the published demo data set.
pub const DEMO_SEED: u64 = 20_261_124;

/// The `source` of every demo station.
pub const DEMO_SOURCE: &str = "yizhan-demo（合成数据）";

/// How many stations of each kind the demo holds.
pub const DEMO_COUNTS: [(StationKind, usize); 4] = [
    (StationKind::RestStation, 160),
    (StationKind::CaringMerchant, 165),
    (StationKind::ChargingCabinet, 72),
    (StationKind::RideHailingBay, 36),
];

/// Synthetic street (街道/镇) centres: name, longitude, latitude (degrees), and the share of
/// stations drawn around it. The urban 街道 sit around the town centre; the 镇 spread out.
const STREETS: [(&str, f64, f64, f64); 10] = [
    ("鼓楼街道", 116.786, 35.553, 0.17),
    ("酒仙桥街道", 116.812, 35.548, 0.13),
    ("龙桥街道", 116.768, 35.538, 0.13),
    ("兴隆庄街道", 116.735, 35.612, 0.09),
    ("大安镇", 116.842, 35.612, 0.08),
    ("新驿镇", 116.668, 35.652, 0.08),
    ("颜店镇", 116.748, 35.668, 0.08),
    ("新兖镇", 116.700, 35.560, 0.08),
    ("漕河镇", 116.790, 35.460, 0.08),
    ("小孟镇", 116.700, 35.470, 0.08),
];

const ROADS: [&str; 12] = [
    "建设路",
    "人民路",
    "文化路",
    "解放路",
    "和平路",
    "青年路",
    "中山路",
    "新华路",
    "工业路",
    "府前街",
    "东方路",
    "民主街",
];
const REST_HOSTS: [&str; 8] = [
    "社区党群服务中心",
    "邮政网点",
    "银行网点",
    "工会服务站",
    "加油站",
    "环卫工作站",
    "社区卫生服务站",
    "物业服务中心",
];
const MERCHANTS: [&str; 10] =
    ["便利店", "面馆", "超市", "药店", "快餐店", "水饺馆", "包子铺", "奶茶店", "书店", "汽修店"];
const SHOP_NAMES: [&str; 10] = ["顺心", "鑫源", "福满", "惠民", "佳佳", "万家", "乐购", "和顺", "旺达", "康宁"];
const OFFERS: [&str; 6] = [
    "骑手凭工牌享九折，免费热水",
    "免费热水、手机充电，雨天可借雨具",
    "外卖骑手用餐八八折",
    "免费饮用水和微波炉热饭",
    "凭骑手证购物满30元减3元",
    "提供休息座椅与免费无线网络",
];

/// A deterministic stream of uniform numbers and simple draws.
struct Draw(ChaCha8Rng);

impl Draw {
    /// Uniform in [0, 1) with 53 random bits.
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn below(&mut self, n: usize) -> usize {
        // n is tiny here, so the modulo bias (< n / 2^64) is irrelevant.
        (self.0.next_u64() % n as u64) as usize
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.0.next_u64() % u64::from(hi - lo + 1)) as u32
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// Standard normal by Box–Muller.
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A point near street `s`: Gaussian with σ ≈ 1.6 km (街道) or 2.2 km (镇), inside `district`.
fn place(draw: &mut Draw, district: &District, s: usize) -> LonLat {
    let (_, lon0, lat0, _) = STREETS[s];
    let sigma_m = if s < 4 { 1600.0 } else { 2200.0 };
    let m_per_deg_lat = 110_950.0;
    let m_per_deg_lon = 111_320.0 * lat0.to_radians().cos();
    for _ in 0..1000 {
        let lon = round6(lon0 + draw.normal() * sigma_m / m_per_deg_lon);
        let lat = round6(lat0 + draw.normal() * sigma_m / m_per_deg_lat);
        if district.contains(lon, lat) {
            return LonLat { lon, lat };
        }
    }
    LonLat { lon: lon0, lat: lat0 }
}

fn pick_street(draw: &mut Draw) -> usize {
    let mut u = draw.unit() * STREETS.iter().map(|s| s.3).sum::<f64>();
    for (i, s) in STREETS.iter().enumerate() {
        if u < s.3 {
            return i;
        }
        u -= s.3;
    }
    STREETS.len() - 1
}

fn amenities(draw: &mut Draw, always: &[Amenity], maybe: &[(Amenity, f64)]) -> AmenitySet {
    let mut set: AmenitySet = always.iter().copied().collect();
    for &(a, p) in maybe {
        if draw.chance(p) {
            set.insert(a);
        }
    }
    set
}

fn hours(text: &str) -> Option<OpeningHours> {
    OpeningHours::parse(text).ok()
}

/// Generates the demo stations inside `district` from `seed`. Same seed, same output.
#[must_use]
pub fn generate(district: &District, seed: u64) -> Vec<StationData> {
    use Amenity as A;
    let mut draw = Draw(ChaCha8Rng::seed_from_u64(seed));
    let mut out = Vec::new();
    for (kind, count) in DEMO_COUNTS {
        for n in 1..=count {
            let s = pick_street(&mut draw);
            let street = STREETS[s].0;
            let location = place(&mut draw, district, s);
            let road = *draw.pick(&ROADS);
            let address = format!("兖州区{street}{road}{}号", draw.range(1, 399));
            let phone = Some(format!("0537-34{:05}", draw.range(0, 99_999)));
            let status = match draw.unit() {
                u if u < 0.04 => StationStatus::Planned,
                u if u < 0.06 => StationStatus::Closed,
                _ => StationStatus::Active,
            };
            let (code, name, amenity_set, opening, capacity, offer, operator) = match kind {
                StationKind::RestStation => {
                    let host = *draw.pick(&REST_HOSTS);
                    let set = amenities(
                        &mut draw,
                        &[A::RestSeating, A::DrinkingWater, A::PhoneCharging],
                        &[
                            (A::Heating, 0.85),
                            (A::Cooling, 0.85),
                            (A::HotWater, 0.7),
                            (A::Microwave, 0.6),
                            (A::Wifi, 0.75),
                            (A::Reading, 0.4),
                            (A::FirstAid, 0.7),
                            (A::Toilet, 0.5),
                            (A::EbikeCharging, 0.25),
                            (A::RainGear, 0.4),
                            (A::RepairTools, 0.3),
                            (A::Accessible, 0.3),
                        ],
                    );
                    let oh = *draw.pick(&[
                        "24/7",
                        "Mo-Su 08:00-20:00",
                        "Mo-Su 07:00-22:00",
                        "Mo-Fr 08:30-17:30; Sa,Su 09:00-17:00",
                    ]);
                    (
                        "RS",
                        format!("{street}{host}户外劳动者驿站"),
                        set,
                        oh,
                        draw.range(6, 30),
                        None,
                        Some(format!("{street}办事处")),
                    )
                }
                StationKind::CaringMerchant => {
                    let shop = format!("{}{}", draw.pick(&SHOP_NAMES), draw.pick(&MERCHANTS));
                    let set = amenities(
                        &mut draw,
                        &[A::HotWater, A::Discount],
                        &[
                            (A::RestSeating, 0.7),
                            (A::PhoneCharging, 0.6),
                            (A::Microwave, 0.4),
                            (A::Wifi, 0.6),
                            (A::Toilet, 0.3),
                            (A::RainGear, 0.2),
                        ],
                    );
                    let oh = *draw.pick(&[
                        "Mo-Su 09:00-21:00",
                        "Mo-Su 06:30-22:30",
                        "Mo-Su 10:00-22:00",
                        "Mo-Su 07:00-20:00",
                    ]);
                    let offer = Some((*draw.pick(&OFFERS)).to_owned());
                    ("CM", format!("{shop}（{street}店）"), set, oh, draw.range(2, 10), offer, None)
                }
                StationKind::ChargingCabinet => {
                    let swap = draw.chance(0.5);
                    let set: AmenitySet = if swap {
                        [A::BatterySwap].into_iter().collect()
                    } else {
                        [A::EbikeCharging].into_iter().collect()
                    };
                    let what = if swap { "换电柜" } else { "充电柜" };
                    let operator = (*draw.pick(&["铁塔能源", "e换电", "智租换电", "街道便民充电"])).to_owned();
                    ("CC", format!("{street}{road}{what}"), set, "24/7", draw.range(8, 24), None, Some(operator))
                }
                StationKind::RideHailingBay => {
                    let set = amenities(&mut draw, &[A::Parking], &[(A::Toilet, 0.3)]);
                    let oh = *draw.pick(&["24/7", "Mo-Su 07:00-23:00"]);
                    (
                        "RB",
                        format!("{street}{road}网约车临时停靠点"),
                        set,
                        oh,
                        draw.range(3, 12),
                        None,
                        Some("兖州区交通运输局".to_owned()),
                    )
                }
            };
            let verified_on = NaiveDate::from_ymd_opt(2026, 1 + draw.range(0, 9), 1 + draw.range(0, 27));
            out.push(StationData {
                kind,
                name,
                address: Some(address),
                district: Some(district.name.clone()),
                street: Some(street.to_owned()),
                location,
                amenities: amenity_set,
                opening_hours: hours(opening),
                capacity: Some(capacity),
                operator,
                phone,
                offer,
                status,
                source: Some(DEMO_SOURCE.to_owned()),
                external_id: Some(format!("YZ-{code}-{n:04}")),
                verified_on,
            });
        }
    }
    out
}

/// The `source` of every Helsinki demo station.
pub const HELSINKI_DEMO_SOURCE: &str = "yizhan-demo-helsinki（合成数据）";

/// How many stations of each kind the Helsinki demo holds.
pub const HELSINKI_COUNTS: [(StationKind, usize); 4] = [
    (StationKind::RestStation, 24),
    (StationKind::CaringMerchant, 20),
    (StationKind::ChargingCabinet, 10),
    (StationKind::RideHailingBay, 6),
];

/// The box the Helsinki stations are drawn in, WGS-84 degrees (west, south, east, north): the
/// area of `data/osm/helsinki-centre.osm.pbf` less a margin of about 100 m, so every station is
/// near a mapped road.
pub const HELSINKI_BOX: [f64; 4] = [24.9372, 60.1655, 24.9510, 60.1775];

/// Neighbourhoods of central Helsinki (names real, used as the `street`), with a point inside
/// each (degrees); a station takes the name of the nearest.
const HELSINKI_AREAS: [(&str, f64, f64); 6] = [
    ("Kluuvi", 24.9470, 60.1715),
    ("Kamppi", 24.9330, 60.1690),
    ("Kaartinkaupunki", 24.9480, 60.1650),
    ("Punavuori", 24.9400, 60.1620),
    ("Etu-Töölö", 24.9300, 60.1740),
    ("Kruununhaka", 24.9560, 60.1730),
];

/// Generates the **synthetic** central-Helsinki demo stations from `seed` (same seed, same
/// output): [`HELSINKI_COUNTS`] stations uniform in [`HELSINKI_BOX`], positions rounded to
/// 10⁻⁶°. Names, addresses, phone numbers and offers are invented; they exist so that the demo
/// shows travel times along real roads (the OpenStreetMap extract shipped in `data/osm/`).
#[must_use]
pub fn generate_helsinki(seed: u64) -> Vec<StationData> {
    use Amenity as A;
    let mut draw = Draw(ChaCha8Rng::seed_from_u64(seed));
    let [w, s, e, n] = HELSINKI_BOX;
    let mut out = Vec::new();
    for (kind, count) in HELSINKI_COUNTS {
        for k in 1..=count {
            let lon = round6(w + draw.unit() * (e - w));
            let lat = round6(s + draw.unit() * (n - s));
            let area = HELSINKI_AREAS
                .iter()
                .min_by(|a, b| {
                    let d = |x: &(&str, f64, f64)| ((x.1 - lon) * 0.5).hypot(x.2 - lat);
                    d(a).total_cmp(&d(b))
                })
                .map_or("Kluuvi", |a| a.0);
            let (code, name, amenities, hours, capacity, offer) = match kind {
                StationKind::RestStation => (
                    "RS",
                    format!("{area} 户外劳动者驿站 {k}号"),
                    amenities_helsinki(&mut draw, &[A::RestSeating, A::DrinkingWater, A::PhoneCharging, A::Heating]),
                    *draw.pick(&["24/7", "Mo-Su 07:00-22:00", "Mo-Fr 08:00-20:00; Sa,Su 10:00-18:00"]),
                    draw.range(6, 20),
                    None,
                ),
                StationKind::CaringMerchant => (
                    "CM",
                    format!("{area} 爱心商户 {k}号"),
                    amenities_helsinki(&mut draw, &[A::HotWater, A::Discount]),
                    *draw.pick(&["Mo-Su 08:00-22:00", "Mo-Sa 09:00-21:00"]),
                    draw.range(2, 8),
                    Some((*draw.pick(&OFFERS)).to_owned()),
                ),
                StationKind::ChargingCabinet => (
                    "CC",
                    format!("{area} 换电柜 {k}号"),
                    [if draw.chance(0.5) { A::BatterySwap } else { A::EbikeCharging }].into_iter().collect(),
                    "24/7",
                    draw.range(8, 16),
                    None,
                ),
                StationKind::RideHailingBay => (
                    "RB",
                    format!("{area} 网约车临时停靠点 {k}号"),
                    [A::Parking].into_iter().collect(),
                    "24/7",
                    draw.range(3, 8),
                    None,
                ),
            };
            out.push(StationData {
                kind,
                name,
                address: Some(format!("{area}, Helsinki（合成地址 {k}）")),
                district: Some("Helsinki".to_owned()),
                street: Some(area.to_owned()),
                location: LonLat { lon, lat },
                amenities,
                opening_hours: hours_helsinki(hours),
                capacity: Some(capacity),
                operator: Some("yizhan 演示".to_owned()),
                phone: None,
                offer,
                status: StationStatus::Active,
                source: Some(HELSINKI_DEMO_SOURCE.to_owned()),
                external_id: Some(format!("HEL-{code}-{k:03}")),
                verified_on: NaiveDate::from_ymd_opt(2026, 11, 24),
            });
        }
    }
    out
}

fn amenities_helsinki(draw: &mut Draw, always: &[Amenity]) -> AmenitySet {
    use Amenity as A;
    amenities(draw, always, &[(A::Wifi, 0.6), (A::Toilet, 0.5), (A::Microwave, 0.4), (A::Accessible, 0.5)])
}

fn hours_helsinki(text: &str) -> Option<OpeningHours> {
    hours(text)
}

/// How many synthetic demand points [`demo_demand`] draws.
pub const DEMO_DEMAND_POINTS: usize = 4000;

/// The town centre of 兖州区 (around 鼓楼街道), WGS-84 degrees, where a quarter of the synthetic
/// demand is drawn.
const TOWN_CENTRE: (f64, f64) = (116.786, 35.553);

/// Generates the synthetic demand layer for 兖州区 from `seed`: rider pings concentrated around
/// the invented street centres (in proportion to their station shares, σ ≈ 1.6 km for 街道 and
/// 2.2 km for 镇) and, for a quarter of them, tightly around the town centre (σ ≈ 1.2 km); every
/// point lies inside `district`. Weights are whole pings per day, 1–4 (mostly 1). Same seed, same
/// output; drawn from its own stream (`seed` XOR a constant), so the station generator's output
/// does not change. `data/demo/yanzhou-demand.csv` is its output for [`DEMO_SEED`].
#[must_use]
pub fn demo_demand(district: &District, seed: u64) -> Vec<DemandPoint> {
    let mut draw = Draw(ChaCha8Rng::seed_from_u64(seed ^ 0xD3A4_D000_0000_0001));
    let mut out = Vec::with_capacity(DEMO_DEMAND_POINTS);
    for _ in 0..DEMO_DEMAND_POINTS {
        let pos = if draw.chance(0.25) {
            let (lon0, lat0) = TOWN_CENTRE;
            let m_per_deg_lon = 111_320.0 * lat0.to_radians().cos();
            let mut p = LonLat { lon: lon0, lat: lat0 };
            for _ in 0..1000 {
                let lon = round6(lon0 + draw.normal() * 1200.0 / m_per_deg_lon);
                let lat = round6(lat0 + draw.normal() * 1200.0 / 110_950.0);
                if district.contains(lon, lat) {
                    p = LonLat { lon, lat };
                    break;
                }
            }
            p
        } else {
            let s = pick_street(&mut draw);
            place(&mut draw, district, s)
        };
        let weight = match draw.unit() {
            u if u < 0.70 => 1.0,
            u if u < 0.88 => 2.0,
            u if u < 0.97 => 3.0,
            _ => 4.0,
        };
        out.push(DemandPoint { pos, weight });
    }
    out
}

/// The demand layer as CSV text: header `lon,lat,weight`, WGS-84 degrees with 6 decimals, LF
/// line ends, UTF-8 without BOM.
#[must_use]
pub fn demo_demand_csv(points: &[DemandPoint]) -> String {
    use std::fmt::Write as _;
    let mut s = String::from("lon,lat,weight\n");
    for p in points {
        let _ = writeln!(s, "{:.6},{:.6},{}", p.pos.lon, p.pos.lat, p.weight);
    }
    s
}

/// Clips the convex polygon `poly` to the half-plane of points nearer `a` than `b`
/// (Sutherland–Hodgman against the perpendicular bisector).
fn clip_nearer(poly: &[[f64; 2]], a: [f64; 2], b: [f64; 2]) -> Vec<[f64; 2]> {
    // Inside when (p − m) · (b − a) ≤ 0, m the midpoint.
    let (nx, ny) = (b[0] - a[0], b[1] - a[1]);
    let (mx, my) = (f64::midpoint(a[0], b[0]), f64::midpoint(a[1], b[1]));
    let side = |p: [f64; 2]| (p[0] - mx) * nx + (p[1] - my) * ny;
    let mut out = Vec::with_capacity(poly.len() + 1);
    for k in 0..poly.len() {
        let (p, q) = (poly[k], poly[(k + 1) % poly.len()]);
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp < 0.0 && sq > 0.0) || (sp > 0.0 && sq < 0.0) {
            let t = sp / (sp - sq);
            out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
        }
    }
    out
}

/// Synthetic street (街道/镇) boundaries: the Voronoi cells of the invented street centres (in a
/// local equirectangular plane, so the bisectors are metric), clipped to `district`'s real
/// boundary with boolean intersection, coordinates rounded to 6 decimals. They partition the
/// district (up to rounding). Labelled synthetic wherever they are published.
#[must_use]
pub fn demo_streets(district: &District) -> Vec<Street> {
    use geo::{BooleanOps, BoundingRect, MapCoords};
    let Some(bbox) = district.boundary.bounding_rect() else { return Vec::new() };
    let k = TOWN_CENTRE.1.to_radians().cos();
    let to_plane = |lon: f64, lat: f64| [lon * k, lat];
    let (min, max) = (bbox.min(), bbox.max());
    let frame = vec![
        to_plane(min.x - 0.1, min.y - 0.1),
        to_plane(max.x + 0.1, min.y - 0.1),
        to_plane(max.x + 0.1, max.y + 0.1),
        to_plane(min.x - 0.1, max.y + 0.1),
    ];
    let centres: Vec<[f64; 2]> = STREETS.iter().map(|s| to_plane(s.1, s.2)).collect();
    STREETS
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let mut cell = frame.clone();
            for (j, &c) in centres.iter().enumerate() {
                if j != i {
                    cell = clip_nearer(&cell, centres[i], c);
                }
            }
            let mut ring: Vec<(f64, f64)> = cell.iter().map(|p| (p[0] / k, p[1])).collect();
            ring.push(*ring.first()?);
            let voronoi = geo::Polygon::new(geo::LineString::from(ring), vec![]);
            let clipped =
                district.boundary.intersection(&voronoi).map_coords(|c| geo::Coord { x: round6(c.x), y: round6(c.y) });
            (!clipped.0.is_empty()).then(|| Street { name: s.0.to_owned(), polygon: clipped })
        })
        .collect()
}

/// The streets as GeoJSON text: a FeatureCollection whose features carry `name`, `district` and
/// `synthetic: true`, one feature per line, LF line ends.
#[must_use]
pub fn demo_streets_geojson(district: &District, streets: &[Street]) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (n, street) in streets.iter().enumerate() {
        let geometry = geojson::Geometry::new(geojson::Value::from(&street.polygon));
        let feature = serde_json::json!({
            "type": "Feature",
            "properties": { "name": street.name, "district": district.name, "synthetic": true },
            "geometry": geometry,
        });
        s.push_str(&feature.to_string());
        s.push_str(if n + 1 < streets.len() { ",\n" } else { "\n" });
    }
    s.push_str("]}\n");
    s
}

#[cfg(test)]
#[path = "demo_tests.rs"]
mod tests;

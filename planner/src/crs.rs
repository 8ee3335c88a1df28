//! Coordinate reference systems used by Chinese map apps, converted at the edges only.
//!
//! * **WGS-84** (EPSG:4326) — GPS, OpenStreetMap; everything inside Yizhan.
//! * **GCJ-02** — the obfuscated datum mandated for published maps in mainland China (Amap/高德,
//!   Tencent/腾讯). Offsets of 100–700 m from WGS-84.
//! * **BD-09** — Baidu's further offset of GCJ-02.
//!
//! The forward WGS-84 → GCJ-02 transform is the widely published reimplementation of the
//! official algorithm (Krasovsky 1940 ellipsoid, a = 6 378 245 m, e² = 0.006 693 421 622 965 943);
//! points outside mainland China's rough bounding box are left unshifted, as the official
//! algorithm does. The inverse is solved iteratively to better than 1e-9° (≈ 0.1 mm). GCJ-02 ⇄
//! BD-09 uses Baidu's published formula, whose inverse is approximate (round trip within 1e-6°,
//! ≈ 0.1 m).

use crate::geodesy::LonLat;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// A coordinate reference system a client may speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    /// WGS-84 degrees (GPS, OpenStreetMap). The internal system.
    #[default]
    Wgs84,
    /// GCJ-02 degrees (Amap, Tencent).
    Gcj02,
    /// BD-09 degrees (Baidu).
    Bd09,
}

impl Crs {
    /// The code used in the API and CLI: `wgs84`, `gcj02` or `bd09`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }

    /// Converts a position given in this system to WGS-84.
    #[must_use]
    pub fn to_wgs84(self, p: LonLat) -> LonLat {
        match self {
            Crs::Wgs84 => p,
            Crs::Gcj02 => gcj02_to_wgs84(p),
            Crs::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(p)),
        }
    }

    /// Converts a WGS-84 position into this system.
    #[must_use]
    pub fn from_wgs84(self, p: LonLat) -> LonLat {
        match self {
            Crs::Wgs84 => p,
            Crs::Gcj02 => wgs84_to_gcj02(p),
            Crs::Bd09 => gcj02_to_bd09(wgs84_to_gcj02(p)),
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not a known coordinate system.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown coordinate system {0:?} (expected wgs84, gcj02 or bd09)")]
pub struct UnknownCrs(pub String);

impl FromStr for Crs {
    type Err = UnknownCrs;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "wgs84" | "epsg4326" | "gps" => Ok(Crs::Wgs84),
            "gcj02" | "amap" | "gaode" | "tencent" | "mars" => Ok(Crs::Gcj02),
            "bd09" | "bd09ll" | "baidu" => Ok(Crs::Bd09),
            _ => Err(UnknownCrs(s.to_owned())),
        }
    }
}

const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
const BD_X_PI: f64 = PI * 3000.0 / 180.0;

/// Whether the official algorithm shifts this point (a rough mainland-China box).
#[must_use]
pub fn is_shifted_region(p: LonLat) -> bool {
    (72.004..=137.8347).contains(&p.lon) && (0.8293..=55.8271).contains(&p.lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 → GCJ-02 (degrees). Points outside [`is_shifted_region`] are returned unchanged.
#[must_use]
pub fn wgs84_to_gcj02(p: LonLat) -> LonLat {
    if !is_shifted_region(p) {
        return p;
    }
    let dlat = transform_lat(p.lon - 105.0, p.lat - 35.0);
    let dlon = transform_lon(p.lon - 105.0, p.lat - 35.0);
    let rad_lat = p.lat.to_radians();
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    LonLat { lon: p.lon + dlon, lat: p.lat + dlat }
}

/// GCJ-02 → WGS-84 (degrees), by fixed-point iteration on the forward transform until the
/// residual is below 1e-10°.
#[must_use]
pub fn gcj02_to_wgs84(g: LonLat) -> LonLat {
    let mut w = g;
    for _ in 0..30 {
        let f = wgs84_to_gcj02(w);
        let (dlon, dlat) = (f.lon - g.lon, f.lat - g.lat);
        if dlon.abs() < 1e-10 && dlat.abs() < 1e-10 {
            break;
        }
        w = LonLat { lon: w.lon - dlon, lat: w.lat - dlat };
    }
    w
}

/// GCJ-02 → BD-09 (degrees), Baidu's published formula.
#[must_use]
pub fn gcj02_to_bd09(g: LonLat) -> LonLat {
    let (x, y) = (g.lon, g.lat);
    let z = (x * x + y * y).sqrt() + 0.000_02 * (y * BD_X_PI).sin();
    let theta = y.atan2(x) + 0.000_003 * (x * BD_X_PI).cos();
    LonLat { lon: z * theta.cos() + 0.0065, lat: z * theta.sin() + 0.006 }
}

/// BD-09 → GCJ-02 (degrees), the inverse of [`gcj02_to_bd09`] refined by fixed-point iteration.
#[must_use]
pub fn bd09_to_gcj02(b: LonLat) -> LonLat {
    let (x, y) = (b.lon - 0.0065, b.lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * BD_X_PI).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * BD_X_PI).cos();
    let mut g = LonLat { lon: z * theta.cos(), lat: z * theta.sin() };
    for _ in 0..10 {
        let f = gcj02_to_bd09(g);
        let (dlon, dlat) = (f.lon - b.lon, f.lat - b.lat);
        if dlon.abs() < 1e-11 && dlat.abs() < 1e-11 {
            break;
        }
        g = LonLat { lon: g.lon - dlon, lat: g.lat - dlat };
    }
    g
}

#[cfg(test)]
#[path = "crs_tests.rs"]
mod tests;

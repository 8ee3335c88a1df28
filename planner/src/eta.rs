//! Travel modes and the straight-line travel-time model used until a road network is loaded.
//!
//! ETA = geodesic distance × detour factor ÷ mode speed. The detour factor stands for how much
//! longer a road trip is than the straight line; 1.3 is a common figure for dense urban grids
//! (route-to-crow-fly ratios of 1.2–1.4 are typical in city studies).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the traveller moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TravelMode {
    /// On foot.
    Walk,
    /// Electric bicycle or scooter — how most delivery riders move.
    Ebike,
    /// Car (ride-hailing drivers).
    Car,
}

impl TravelMode {
    /// Every mode.
    pub const ALL: &'static [TravelMode] = &[TravelMode::Walk, TravelMode::Ebike, TravelMode::Car];

    /// The stable code: `walk`, `ebike` or `car`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            TravelMode::Walk => "walk",
            TravelMode::Ebike => "ebike",
            TravelMode::Car => "car",
        }
    }
}

impl fmt::Display for TravelMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not a travel mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown travel mode {0:?} (expected walk, ebike or car)")]
pub struct UnknownMode(pub String);

impl FromStr for TravelMode {
    type Err = UnknownMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "walk" | "foot" | "步行" => Ok(TravelMode::Walk),
            "ebike" | "e-bike" | "bike" | "电动车" => Ok(TravelMode::Ebike),
            "car" | "drive" | "驾车" => Ok(TravelMode::Car),
            _ => Err(UnknownMode(s.to_owned())),
        }
    }
}

/// How a travel time was computed; every response names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EtaMethod {
    /// Geodesic distance × detour factor ÷ mode speed.
    StraightLine,
    /// Shortest travel time over the loaded road network, plus the off-road walk at each end
    /// (see `network::snap`).
    Network,
}

/// The straight-line model's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StraightLineModel {
    /// Road distance ÷ straight-line distance, dimensionless, ≥ 1.
    pub detour_factor: f64,
    /// Walking speed, metres per second (default 1.2 m/s ≈ 4.3 km/h).
    pub walk_m_s: f64,
    /// E-bike speed, metres per second (default 4.2 m/s ≈ 15 km/h, a rider's average in town,
    /// below the 25 km/h legal maximum of GB 17761-2018).
    pub ebike_m_s: f64,
    /// Car speed, metres per second (default 8.3 m/s ≈ 30 km/h urban average).
    pub car_m_s: f64,
}

impl Default for StraightLineModel {
    fn default() -> Self {
        Self { detour_factor: 1.3, walk_m_s: 1.2, ebike_m_s: 4.2, car_m_s: 8.3 }
    }
}

/// The model's parameters are not usable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} must be a finite number {rule}, got {value}")]
pub struct ModelError {
    /// The parameter's name.
    pub field: &'static str,
    /// The rule it breaks.
    pub rule: &'static str,
    /// The value given.
    pub value: f64,
}

impl StraightLineModel {
    /// Checks that the detour factor is in 1 ..= 5 and every speed in (0, 100] m/s.
    ///
    /// # Errors
    /// [`ModelError`] naming the first bad parameter.
    pub fn validate(&self) -> Result<(), ModelError> {
        if !(self.detour_factor.is_finite() && (1.0..=5.0).contains(&self.detour_factor)) {
            return Err(ModelError { field: "detour_factor", rule: "between 1 and 5", value: self.detour_factor });
        }
        for (field, v) in [("walk_m_s", self.walk_m_s), ("ebike_m_s", self.ebike_m_s), ("car_m_s", self.car_m_s)] {
            if !(v.is_finite() && v > 0.0 && v <= 100.0) {
                return Err(ModelError { field, rule: "above 0 and at most 100 m/s", value: v });
            }
        }
        Ok(())
    }

    /// Speed of `mode`, metres per second.
    #[must_use]
    pub fn speed_m_s(&self, mode: TravelMode) -> f64 {
        match mode {
            TravelMode::Walk => self.walk_m_s,
            TravelMode::Ebike => self.ebike_m_s,
            TravelMode::Car => self.car_m_s,
        }
    }

    /// Travel time in seconds for a straight-line distance of `distance_m` metres.
    #[must_use]
    pub fn eta_s(&self, distance_m: f64, mode: TravelMode) -> f64 {
        distance_m * self.detour_factor / self.speed_m_s(mode)
    }

    /// The straight-line distance in metres reachable within `seconds` (inverse of [`Self::eta_s`]).
    #[must_use]
    pub fn reach_m(&self, seconds: f64, mode: TravelMode) -> f64 {
        seconds * self.speed_m_s(mode) / self.detour_factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_and_reach_are_inverse() {
        let m = StraightLineModel::default();
        m.validate().unwrap();
        // 10 minutes by e-bike: 600 s × 4.2 m/s ÷ 1.3 = 1938.46 m.
        assert!((m.reach_m(600.0, TravelMode::Ebike) - 1_938.461_538).abs() < 1e-3);
        assert!((m.eta_s(m.reach_m(600.0, TravelMode::Walk), TravelMode::Walk) - 600.0).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_parameters() {
        let m = StraightLineModel { detour_factor: 0.5, ..Default::default() };
        assert_eq!(m.validate().unwrap_err().field, "detour_factor");
        let m = StraightLineModel { car_m_s: f64::NAN, ..Default::default() };
        assert_eq!(m.validate().unwrap_err().field, "car_m_s");
    }

    #[test]
    fn modes_parse() {
        assert_eq!("E-Bike".parse::<TravelMode>(), Ok(TravelMode::Ebike));
        assert!("boat".parse::<TravelMode>().is_err());
    }
}

//! The station model: what a station is, its kind and status, and how a submitted record is
//! validated before it reaches storage or the index.

use crate::amenity::AmenitySet;
use crate::geodesy::LonLat;
use crate::hours::OpeningHours;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// A station's identifier, assigned by storage (positive, never reused).
pub type StationId = i64;

/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest accepted free-text field (address, offer, operator…), in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Largest accepted capacity (seats, charging ports or parking bays).
pub const MAX_CAPACITY: u32 = 100_000;

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $err:ident, $what:literal { $( $variant:ident = $code:literal, $zh:literal, $en:literal, [$($alias:literal),*] ;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(
                #[doc = concat!("`", $code, "` — ", $zh, " (", $en, ").")]
                $variant,
            )*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable English code.
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// The Simplified Chinese label.
            #[must_use]
            pub const fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
            }

            /// The English label.
            #[must_use]
            pub const fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }

            /// Parses a code (case-insensitive), a Chinese label or a known alias.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                let t = s.trim();
                let lower = t.to_ascii_lowercase();
                $(
                    if lower == $code || t == $zh $(|| t == $alias || lower == $alias)* {
                        return Some($name::$variant);
                    }
                )*
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        #[doc = concat!("The text was not a known ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("unknown {what} {value:?} (expected one of: {codes})", what = $what, value = self.0, codes = $name::ALL.iter().map(|k| k.code()).collect::<Vec<_>>().join(", "))]
        pub struct $err(pub String);

        impl FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or_else(|| $err(s.to_owned()))
            }
        }
    };
}

labelled_enum! {
    /// What kind of place a station is.
    StationKind, UnknownKind, "station kind" {
        RestStation = "rest_station", "驿站", "Rest station", ["户外劳动者驿站", "爱心驿站", "休息驿站", "station"];
        CaringMerchant = "caring_merchant", "爱心商户", "Caring merchant", ["爱心商家", "merchant"];
        ChargingCabinet = "charging_cabinet", "充电换电柜", "Charging / battery-swap cabinet", ["充电柜", "换电柜", "充换电柜", "cabinet"];
        RideHailingBay = "ride_hailing_bay", "网约车临时停靠点", "Ride-hailing bay", ["网约车停靠点", "临时停靠点", "停靠点", "bay"];
    }
}

labelled_enum! {
    /// Whether a station is in service.
    StationStatus, UnknownStatus, "station status" {
        Active = "active", "运营中", "Active", ["运营", "开放", "正常"];
        Planned = "planned", "规划中", "Planned", ["规划", "拟建", "在建"];
        Closed = "closed", "已关闭", "Closed", ["关闭", "停用", "撤销"];
    }
}

impl Default for StationStatus {
    fn default() -> Self {
        Self::Active
    }
}

/// Everything about a station that a client submits: a station without its id and timestamps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationData {
    /// What kind of place this is.
    pub kind: StationKind,
    /// Display name, e.g. `鼓楼街道户外劳动者驿站`. 1–200 characters.
    pub name: String,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// District or county (区/县), e.g. `兖州区`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Sub-district (街道) or town (镇).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Position in WGS-84 degrees.
    pub location: LonLat,
    /// What the station offers.
    #[serde(default)]
    #[schema(value_type = Vec<crate::amenity::Amenity>)]
    pub amenities: AmenitySet,
    /// Opening hours in OpenStreetMap `opening_hours` syntax; absent means not published
    /// (such a station never matches an "open at" filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "Mo-Su 07:00-21:00")]
    pub opening_hours: Option<OpeningHours>,
    /// Seats (rest stations, merchants), ports (cabinets) or bays (ride-hailing), a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Who runs the station.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Contact telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What a caring merchant offers riders, e.g. `外卖骑手凭工牌九折，免费热水`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<String>,
    /// Whether the station is in service.
    #[serde(default)]
    pub status: StationStatus,
    /// Where the record comes from (a data set or department name); with `external_id` it is the
    /// key re-imports update by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The record's id in its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// When the record was last checked on site (local date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub verified_on: Option<NaiveDate>,
}

/// A stored station: its data plus the id and timestamps storage assigns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Station {
    /// Identifier assigned by storage.
    pub id: StationId,
    /// The station's data.
    #[serde(flatten)]
    pub data: StationData,
    /// When the station was first stored (UTC).
    pub created_at: DateTime<Utc>,
    /// When the station was last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

/// One invalid field of a station record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's name as in the API (`name`, `location.lon`, `capacity`…).
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field`.
    #[must_use]
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}

fn check_text(field: &'static str, v: Option<&String>, max: usize, errors: &mut Vec<FieldError>) {
    if let Some(v) = v {
        let n = v.chars().count();
        if n > max {
            errors.push(FieldError::new(field, format!("is {n} characters long; at most {max} allowed")));
        }
        if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            errors.push(FieldError::new(field, "contains control characters"));
        }
    }
}

impl StationData {
    /// Normalises the record in place (trims text, turns empty optional text into `None`) and
    /// checks every field, returning all problems found.
    ///
    /// Coordinates and opening hours are validated by their types on construction; this checks
    /// the rest (name present and not too long, text lengths, capacity range, external id needs a
    /// source…).
    ///
    /// # Errors
    /// Every [`FieldError`] found, in field order.
    pub fn normalize_and_validate(&mut self) -> Result<(), Vec<FieldError>> {
        fn tidy(v: &mut Option<String>) {
            if let Some(s) = v {
                let t = s.trim();
                if t.is_empty() {
                    *v = None;
                } else if t.len() != s.len() {
                    *s = t.to_owned();
                }
            }
        }
        self.name = self.name.trim().to_owned();
        for v in [
            &mut self.address,
            &mut self.district,
            &mut self.street,
            &mut self.operator,
            &mut self.phone,
            &mut self.offer,
            &mut self.source,
            &mut self.external_id,
        ] {
            tidy(v);
        }
        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        check_text("name", Some(&self.name), MAX_NAME_CHARS, &mut errors);
        check_text("address", self.address.as_ref(), MAX_TEXT_CHARS, &mut errors);
        check_text("district", self.district.as_ref(), MAX_NAME_CHARS, &mut errors);
        check_text("street", self.street.as_ref(), MAX_NAME_CHARS, &mut errors);
        check_text("operator", self.operator.as_ref(), MAX_TEXT_CHARS, &mut errors);
        check_text("offer", self.offer.as_ref(), MAX_TEXT_CHARS, &mut errors);
        check_text("source", self.source.as_ref(), MAX_NAME_CHARS, &mut errors);
        check_text("external_id", self.external_id.as_ref(), MAX_NAME_CHARS, &mut errors);
        if let Some(p) = &self.phone {
            let ok = p.chars().count() <= 40
                && p.chars().any(|c| c.is_ascii_digit())
                && p.chars().all(|c| c.is_ascii_digit() || " +-()#转".contains(c));
            if !ok {
                errors.push(FieldError::new("phone", format!("{p:?} is not a telephone number")));
            }
        }
        if let Some(c) = self.capacity {
            if c > MAX_CAPACITY {
                errors.push(FieldError::new("capacity", format!("{c} exceeds the maximum of {MAX_CAPACITY}")));
            }
        }
        if let Err(e) = LonLat::new(self.location.lon, self.location.lat) {
            let field = match e {
                crate::geodesy::CoordError::Longitude(_) => "location.lon",
                _ => "location.lat",
            };
            errors.push(FieldError::new(field, e.to_string()));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
#[path = "station_tests.rs"]
mod tests;

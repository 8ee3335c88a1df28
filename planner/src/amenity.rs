//! The closed set of amenities a station can offer, and a compact set of them.
//!
//! Each amenity has a stable English code (used in the API, CSV and GeoJSON) and a Simplified
//! Chinese label (accepted on import, shown in the UI). The set is closed on purpose: a filter such
//! as "has drinking water" must mean the same thing in every district.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

macro_rules! amenities {
    ($( $variant:ident = $bit:literal, $code:literal, $zh:literal, $en:literal, [$($alias:literal),*] ;)*) => {
        /// One amenity. The code is the `snake_case` name shown in each variant's documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(rename_all = "snake_case"))]
        #[non_exhaustive]
        pub enum Amenity {
            $(
                #[doc = concat!("`", $code, "` — ", $zh, " (", $en, ").")]
                $variant,
            )*
        }

        impl Amenity {
            /// Every amenity, in the order of their bit positions.
            pub const ALL: &'static [Amenity] = &[$(Amenity::$variant),*];

            /// The stable English code, e.g. `drinking_water`.
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self { $(Amenity::$variant => $code),* }
            }

            /// The Simplified Chinese label, e.g. `饮用水`.
            #[must_use]
            pub const fn label_zh(self) -> &'static str {
                match self { $(Amenity::$variant => $zh),* }
            }

            /// The English label, e.g. `Drinking water`.
            #[must_use]
            pub const fn label_en(self) -> &'static str {
                match self { $(Amenity::$variant => $en),* }
            }

            const fn bit(self) -> u32 {
                match self { $(Amenity::$variant => 1 << $bit),* }
            }

            /// Parses a code, a Chinese label or a known alias (case-insensitive for codes).
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                let t = s.trim();
                let lower = t.to_ascii_lowercase();
                $(
                    if lower == $code || t == $zh $(|| t == $alias)* {
                        return Some(Amenity::$variant);
                    }
                )*
                None
            }
        }
    };
}

amenities! {
    RestSeating = 0, "rest_seating", "休息座椅", "Rest seating", ["休息区", "座椅"];
    Heating = 1, "heating", "取暖", "Heating", ["暖气"];
    Cooling = 2, "cooling", "空调纳凉", "Cooling", ["空调", "纳凉"];
    DrinkingWater = 3, "drinking_water", "饮用水", "Drinking water", ["饮水", "饮水机"];
    HotWater = 4, "hot_water", "热水", "Hot water", ["开水"];
    Microwave = 5, "microwave", "微波炉热饭", "Microwave / meals", ["微波炉", "热饭"];
    PhoneCharging = 6, "phone_charging", "手机充电", "Phone charging", ["充电宝", "充电"];
    Wifi = 7, "wifi", "无线网络", "Wi-Fi", ["WiFi", "wi-fi", "无线上网"];
    Reading = 8, "reading", "图书阅读", "Reading", ["阅读", "书报"];
    FirstAid = 9, "first_aid", "急救药箱", "First-aid kit", ["药箱", "医药箱", "急救包"];
    Toilet = 10, "toilet", "卫生间", "Toilet", ["厕所", "洗手间"];
    EbikeCharging = 11, "ebike_charging", "电动车充电", "E-bike charging", ["电瓶车充电"];
    BatterySwap = 12, "battery_swap", "换电", "Battery swap", ["换电池", "电池更换"];
    Parking = 13, "parking", "停车", "Parking", ["停车位"];
    RainGear = 14, "rain_gear", "雨具", "Rain gear", ["雨伞", "雨衣"];
    RepairTools = 15, "repair_tools", "维修工具", "Repair tools", ["打气筒", "维修"];
    Discount = 16, "discount", "优惠折扣", "Discount", ["优惠", "折扣"];
    Accessible = 17, "accessible", "无障碍", "Step-free access", ["无障碍设施"];
}

impl fmt::Display for Amenity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not a known amenity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown amenity {0:?} (expected one of: {codes})", codes = Amenity::ALL.iter().map(|a| a.code()).collect::<Vec<_>>().join(", "))]
pub struct UnknownAmenity(pub String);

impl FromStr for Amenity {
    type Err = UnknownAmenity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amenity::parse(s).ok_or_else(|| UnknownAmenity(s.to_owned()))
    }
}

impl Serialize for Amenity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Amenity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A set of amenities stored as a 32-bit mask. Serialises as a sorted list of codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AmenitySet(u32);

impl AmenitySet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Adds an amenity.
    pub fn insert(&mut self, a: Amenity) {
        self.0 |= a.bit();
    }

    /// Whether the set holds `a`.
    #[must_use]
    pub const fn contains(self, a: Amenity) -> bool {
        self.0 & a.bit() != 0
    }

    /// Whether every amenity of `other` is in `self`.
    #[must_use]
    pub const fn contains_all(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The raw bit mask (bit i is `Amenity::ALL[i]`).
    #[must_use]
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Every bit that names an amenity.
    const KNOWN_BITS: u32 = {
        let mut mask = 0;
        let mut i = 0;
        while i < Amenity::ALL.len() {
            mask |= Amenity::ALL[i].bit();
            i += 1;
        }
        mask
    };

    /// The set with bit mask `bits`, the inverse of [`AmenitySet::bits`]; `None` when a set bit
    /// names no amenity.
    #[must_use]
    pub const fn from_bits(bits: u32) -> Option<Self> {
        if bits & !Self::KNOWN_BITS == 0 { Some(Self(bits)) } else { None }
    }

    /// The amenities in the set, in [`Amenity::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Amenity> {
        Amenity::ALL.iter().copied().filter(move |a| self.contains(*a))
    }

    /// Parses a list separated by commas, semicolons, `|`, `、` or `，` (codes or Chinese labels).
    ///
    /// # Errors
    /// [`UnknownAmenity`] for the first item that is not an amenity.
    pub fn parse_list(s: &str) -> Result<Self, UnknownAmenity> {
        s.split([',', ';', '|', '、', '，', '；'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::parse::<Amenity>)
            .collect()
    }

    /// The codes joined with `;` (the CSV form).
    #[must_use]
    pub fn to_list_string(self) -> String {
        self.iter().map(Amenity::code).collect::<Vec<_>>().join(";")
    }
}

impl FromIterator<Amenity> for AmenitySet {
    fn from_iter<I: IntoIterator<Item = Amenity>>(iter: I) -> Self {
        let mut s = Self::EMPTY;
        for a in iter {
            s.insert(a);
        }
        s
    }
}

impl Serialize for AmenitySet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for AmenitySet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<Amenity>::deserialize(d)?;
        Ok(v.into_iter().collect())
    }
}

#[cfg(test)]
#[path = "amenity_tests.rs"]
mod tests;

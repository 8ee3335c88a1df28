//! Opening hours in OpenStreetMap `opening_hours` syntax
//! (<https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification>), parsed and evaluated
//! with the `opening-hours` crate, in a local time zone (Asia/Shanghai by default).

pub mod written;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The default zone opening hours are evaluated in: China Standard Time (UTC+8, no DST).
pub const DEFAULT_TZ: Tz = chrono_tz::Asia::Shanghai;

/// A validated `opening_hours` expression, e.g. `Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00` or `24/7`.
///
/// Keeps the text as given (for storage and export) beside the parsed form (for evaluation).
#[derive(Clone)]
pub struct OpeningHours {
    raw: String,
    always_open: bool,
    parsed: opening_hours::OpeningHours,
}

/// How far ahead [`OpeningHours::next_change_local`] looks, days: a state lasting longer counts as
/// not changing.
pub const NEXT_CHANGE_HORIZON_DAYS: i64 = 366;

/// The text is not a valid `opening_hours` expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid opening_hours {raw:?}: {reason}")]
pub struct HoursError {
    /// The expression as given.
    pub raw: String,
    /// The parser's explanation.
    pub reason: String,
}

impl OpeningHours {
    /// Parses and validates an expression. Surrounding white space is trimmed.
    ///
    /// # Errors
    /// [`HoursError`] when the text is empty or not valid `opening_hours` syntax.
    pub fn parse(raw: &str) -> Result<Self, HoursError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(HoursError { raw: raw.to_owned(), reason: "empty expression".to_owned() });
        }
        let parsed = raw.parse::<opening_hours::OpeningHours>().map_err(|e| HoursError {
            raw: raw.to_owned(),
            reason: e.to_string().lines().next().unwrap_or("syntax error").to_owned(),
        })?;
        Ok(Self { raw: raw.to_owned(), always_open: raw == "24/7", parsed })
    }

    /// Parses hours as people write them: OSM syntax as [`parse`](Self::parse) does, else the
    /// Chinese forms of [`written`] (`全天`, `周一至周五 8:00-18:00`, `8:00-12:00，14:00-18:00`…),
    /// converted to OSM syntax, which is what is kept.
    ///
    /// # Errors
    /// [`HoursError`] quoting the text as given when it is neither.
    pub fn parse_written(raw: &str) -> Result<Self, HoursError> {
        match Self::parse(raw) {
            Ok(h) => Ok(h),
            Err(e) => match written::to_osm(raw) {
                Some(osm) => Self::parse(&osm).map_err(|_| e),
                None => Err(HoursError {
                    raw: raw.trim().to_owned(),
                    reason: "neither opening_hours syntax nor hours written as 全天, 每天 8:00-18:00, 周一至周五 8:00-12:00，14:00-18:00"
                        .to_owned(),
                }),
            },
        }
    }

    /// The expression as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether the expression is exactly `24/7`.
    #[must_use]
    pub fn is_always_open(&self) -> bool {
        self.always_open
    }

    /// Whether the place is open at `local` wall-clock time. Unknown states count as not open.
    #[must_use]
    pub fn is_open_local(&self, local: NaiveDateTime) -> bool {
        self.always_open || self.parsed.is_open(local)
    }

    /// Whether the place is open at the instant `at`, read in zone `tz`.
    #[must_use]
    pub fn is_open_at(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        self.is_open_local(at.with_timezone(&tz).naive_local())
    }

    /// The next wall-clock time after `local` at which the state changes (opens or closes), if any
    /// within [`NEXT_CHANGE_HORIZON_DAYS`] days. The search is bounded: an expression that never
    /// changes (`Mo-Su`, `Mo-Su 00:00-24:00`) would otherwise be scanned day by day to the year
    /// 9999, seconds per call.
    #[must_use]
    pub fn next_change_local(&self, local: NaiveDateTime) -> Option<NaiveDateTime> {
        if self.always_open {
            return None;
        }
        let horizon = local.checked_add_signed(chrono::TimeDelta::days(NEXT_CHANGE_HORIZON_DAYS))?;
        let interval = self.parsed.iter_range(local, horizon).next()?;
        (interval.range.end < horizon).then_some(interval.range.end)
    }
}

impl fmt::Debug for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpeningHours({:?})", self.raw)
    }
}

impl fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl PartialEq for OpeningHours {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Serialize for OpeningHours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for OpeningHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// "Open at this instant, in this zone": the time filter of a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpenAt {
    /// The instant.
    pub at: DateTime<Utc>,
    /// The zone opening hours are read in.
    pub tz: Tz,
}

impl OpenAt {
    /// `at` read in [`DEFAULT_TZ`].
    #[must_use]
    pub fn new(at: DateTime<Utc>) -> Self {
        Self { at, tz: DEFAULT_TZ }
    }

    /// The local wall-clock time.
    #[must_use]
    pub fn local(&self) -> NaiveDateTime {
        self.at.with_timezone(&self.tz).naive_local()
    }
}

#[cfg(test)]
#[path = "hours_tests.rs"]
mod tests;

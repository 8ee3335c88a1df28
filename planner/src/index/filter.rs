//! Query filters: which stations a query may return.

use crate::amenity::AmenitySet;
use crate::hours::OpenAt;
use crate::station::{Station, StationKind, StationStatus};

/// A set of station kinds as a bit mask. [`KindSet::ALL`] matches every kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KindSet(u8);

impl KindSet {
    /// Every kind.
    pub const ALL: Self = Self(0b1111);
    /// No kind.
    pub const NONE: Self = Self(0);

    const fn bit(k: StationKind) -> u8 {
        match k {
            StationKind::RestStation => 1,
            StationKind::CaringMerchant => 2,
            StationKind::ChargingCabinet => 4,
            StationKind::RideHailingBay => 8,
        }
    }

    /// Adds a kind.
    pub fn insert(&mut self, k: StationKind) {
        self.0 |= Self::bit(k);
    }

    /// Whether `k` is in the set.
    #[must_use]
    pub const fn contains(self, k: StationKind) -> bool {
        self.0 & Self::bit(k) != 0
    }

    /// Whether the two sets share a kind.
    #[must_use]
    pub const fn contains_any(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
}

impl FromIterator<StationKind> for KindSet {
    fn from_iter<I: IntoIterator<Item = StationKind>>(iter: I) -> Self {
        let mut s = Self::NONE;
        for k in iter {
            s.insert(k);
        }
        s
    }
}

/// A set of statuses as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusSet(u8);

impl StatusSet {
    /// Every status.
    pub const ALL: Self = Self(0b111);
    /// Only [`StationStatus::Active`] — the default for rider queries.
    pub const ACTIVE: Self = Self(1);

    const fn bit(s: StationStatus) -> u8 {
        match s {
            StationStatus::Active => 1,
            StationStatus::Planned => 2,
            StationStatus::Closed => 4,
        }
    }

    /// Whether `s` is in the set.
    #[must_use]
    pub const fn contains(self, s: StationStatus) -> bool {
        self.0 & Self::bit(s) != 0
    }

    /// Whether the two sets share a status.
    #[must_use]
    pub const fn contains_any(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
}

impl FromIterator<StationStatus> for StatusSet {
    fn from_iter<I: IntoIterator<Item = StationStatus>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |m, s| m | Self::bit(s)))
    }
}

/// Which stations a query may return. The default matches every station of every status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filter {
    /// Kinds allowed.
    pub kinds: KindSet,
    /// Statuses allowed.
    pub statuses: StatusSet,
    /// Amenities a station must all have.
    pub amenities: AmenitySet,
    /// Minimum capacity; a station with no capacity recorded fails any minimum above 0.
    pub min_capacity: Option<u32>,
    /// Only stations whose opening hours say open at this instant.
    pub open_at: Option<OpenAt>,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            kinds: KindSet::ALL,
            statuses: StatusSet::ALL,
            amenities: AmenitySet::EMPTY,
            min_capacity: None,
            open_at: None,
        }
    }
}

impl Filter {
    /// Whether `s` passes every condition. This is the reference the index's fast path must agree
    /// with.
    #[must_use]
    pub fn matches(&self, s: &Station) -> bool {
        let d = &s.data;
        self.kinds.contains(d.kind)
            && self.statuses.contains(d.status)
            && d.amenities.contains_all(self.amenities)
            && self.min_capacity.is_none_or(|m| m == 0 || d.capacity.is_some_and(|c| c >= m))
            && self.open_at.is_none_or(|t| d.opening_hours.as_ref().is_some_and(|h| h.is_open_local(t.local())))
    }
}

//! Points, bounding boxes and distances on the WGS-84 ellipsoid.
//!
//! All coordinates here are WGS-84 degrees, longitude first. Distances are geodesic metres on the
//! WGS-84 ellipsoid, computed with Karney's algorithm (C. F. F. Karney, *Algorithms for geodesics*,
//! J. Geodesy 87, 2013) through [`geo::Geodesic`].

use geo::{Distance, Geodesic, Point};
use serde::{Deserialize, Serialize};

/// Mean Earth radius R₁ = (2a + b) / 3 of WGS-84, in metres (IUGG).
pub const MEAN_EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A position in WGS-84 degrees. Construct it with [`LonLat::new`], which validates the range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LonLat {
    /// Longitude in degrees east, −180 ..= 180.
    pub lon: f64,
    /// Latitude in degrees north, −90 ..= 90.
    pub lat: f64,
}

/// Why a coordinate pair is not a valid position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoordError {
    /// Longitude is NaN, infinite or outside −180 ..= 180.
    #[error("longitude {0} is not a number between -180 and 180")]
    Longitude(f64),
    /// Latitude is NaN, infinite or outside −90 ..= 90.
    #[error("latitude {0} is not a number between -90 and 90")]
    Latitude(f64),
}

impl LonLat {
    /// Validates and builds a position from degrees.
    ///
    /// # Errors
    /// [`CoordError`] when either value is not finite or out of range.
    pub fn new(lon: f64, lat: f64) -> Result<Self, CoordError> {
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(CoordError::Longitude(lon));
        }
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(CoordError::Latitude(lat));
        }
        Ok(Self { lon, lat })
    }

    /// Geodesic distance to `other` on the WGS-84 ellipsoid, in metres (Karney 2013).
    #[must_use]
    pub fn geodesic_distance_m(self, other: Self) -> f64 {
        Geodesic.distance(Point::new(self.lon, self.lat), Point::new(other.lon, other.lat))
    }

    /// The point as a unit vector in Earth-centred, Earth-fixed axes on the unit sphere
    /// (x towards 0° E on the equator, y towards 90° E, z towards the north pole; dimensionless).
    #[must_use]
    pub fn to_unit_vector(self) -> [f64; 3] {
        let (lat, lon) = (self.lat.to_radians(), self.lon.to_radians());
        let c = lat.cos();
        [c * lon.cos(), c * lon.sin(), lat.sin()]
    }
}

/// An axis-aligned box in WGS-84 degrees. `min_lon > max_lon` is not allowed (no antimeridian
/// crossing); split such a box in two.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BBox {
    /// Western edge, degrees.
    pub min_lon: f64,
    /// Southern edge, degrees.
    pub min_lat: f64,
    /// Eastern edge, degrees.
    pub max_lon: f64,
    /// Northern edge, degrees.
    pub max_lat: f64,
}

/// Why four numbers are not a valid bounding box.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BBoxError {
    /// A corner is not a valid position.
    #[error(transparent)]
    Coord(#[from] CoordError),
    /// The minimum exceeds the maximum on an axis.
    #[error("bbox minimum exceeds maximum (expected min_lon,min_lat,max_lon,max_lat)")]
    Inverted,
}

impl BBox {
    /// Validates and builds a box from its edges in degrees.
    ///
    /// # Errors
    /// [`BBoxError`] when a corner is out of range or the box is inverted.
    pub fn new(min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> Result<Self, BBoxError> {
        LonLat::new(min_lon, min_lat)?;
        LonLat::new(max_lon, max_lat)?;
        if min_lon > max_lon || min_lat > max_lat {
            return Err(BBoxError::Inverted);
        }
        Ok(Self { min_lon, min_lat, max_lon, max_lat })
    }

    /// Whether `p` lies inside or on the edge of the box.
    #[must_use]
    pub fn contains(&self, p: LonLat) -> bool {
        (self.min_lon..=self.max_lon).contains(&p.lon) && (self.min_lat..=self.max_lat).contains(&p.lat)
    }
}

#[cfg(test)]
#[path = "geodesy_tests.rs"]
mod tests;

//! Web-Mercator tile addressing (the XYZ scheme of OpenStreetMap and MapLibre: `z/x/y`, `y`
//! growing southwards) and the projection of WGS-84 degrees into a tile's coordinate space.

use yizhan_planner::geodesy::BBox;

/// The deepest zoom level served.
pub const MAX_ZOOM: u8 = 22;

/// The latitude limit of Web Mercator, degrees (tiles cover ±85.0511°).
pub const MAX_MERCATOR_LAT: f64 = 85.051_128_779_806_59;

/// Why a `z/x/y` triple is not a tile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileIdError {
    /// A part is not a whole number, or out of range; `field` is `z`, `x` or `y`.
    #[error("{field}: {message}")]
    Invalid {
        /// `z`, `x` or `y`.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl TileIdError {
    /// The path parameter at fault (`z`, `x` or `y`).
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            Self::Invalid { field, .. } => field,
        }
    }
}

/// One tile: zoom `z` (0 ..= [`MAX_ZOOM`]), column `x` and row `y` (0 .. 2^z, row 0 in the north).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Zoom level.
    pub z: u8,
    /// Column, from the antimeridian eastwards.
    pub x: u32,
    /// Row, from the north southwards.
    pub y: u32,
}

impl TileId {
    /// Validates a tile address.
    ///
    /// # Errors
    /// [`TileIdError`] naming `z`, `x` or `y`.
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, TileIdError> {
        if z > u32::from(MAX_ZOOM) {
            return Err(TileIdError::Invalid {
                field: "z",
                message: format!("zoom {z} is out of range; must be between 0 and {MAX_ZOOM}"),
            });
        }
        let n = 1u64 << z;
        for (field, v) in [("x", x), ("y", y)] {
            if u64::from(v) >= n {
                return Err(TileIdError::Invalid {
                    field,
                    message: format!("{v} is out of range at zoom {z}; must be between 0 and {}", n - 1),
                });
            }
        }
        Ok(Self { z: z as u8, x, y })
    }

    /// Parses the three path segments; `y` may carry a suffix such as `.mvt`, removed by the
    /// caller.
    ///
    /// # Errors
    /// [`TileIdError`] naming the first bad part.
    pub fn parse(z: &str, x: &str, y: &str) -> Result<Self, TileIdError> {
        let num = |field: &'static str, s: &str| {
            s.parse::<u32>().map_err(|_| TileIdError::Invalid {
                field,
                message: format!("{s:?} is not a whole number (tile paths are /{{z}}/{{x}}/{{y}}.mvt)"),
            })
        };
        Self::new(num("z", z)?, num("x", x)?, num("y", y)?)
    }

    /// Tiles per side at this zoom (2^z).
    #[must_use]
    pub fn tiles_per_side(&self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// Projects WGS-84 degrees into this tile's coordinate space: `(0, 0)` is the north-west
    /// corner, `(extent, extent)` the south-east one; points outside the tile fall outside that
    /// range.
    #[must_use]
    pub fn project(&self, lon: f64, lat: f64, extent: f64) -> (f64, f64) {
        let (wx, wy) = world(lon, lat);
        let n = self.tiles_per_side();
        ((wx * n - f64::from(self.x)) * extent, (wy * n - f64::from(self.y)) * extent)
    }

    /// The tile's edges in WGS-84 degrees, widened on every side by `buffer` (a fraction of the
    /// tile's width: 0.0 for the tile itself) and kept within the valid range of degrees.
    #[must_use]
    pub fn bounds(&self, buffer: f64) -> BBox {
        let n = self.tiles_per_side();
        let (x0, x1) = ((f64::from(self.x) - buffer) / n, (f64::from(self.x) + 1.0 + buffer) / n);
        let (y0, y1) = ((f64::from(self.y) - buffer) / n, (f64::from(self.y) + 1.0 + buffer) / n);
        let (west, north) = unworld(x0.max(0.0), y0.max(0.0));
        let (east, south) = unworld(x1.min(1.0), y1.min(1.0));
        // A tile of the top or bottom row also covers everything poleward of ±85.05°.
        let north = if self.y == 0 { 90.0 } else { north };
        let south = if u64::from(self.y) + 1 == 1u64 << self.z { -90.0 } else { south };
        BBox { min_lon: west, min_lat: south, max_lon: east, max_lat: north }
    }
}

/// WGS-84 degrees to Web-Mercator world coordinates in 0 ..= 1 (x eastwards from −180°, y
/// southwards from +85.05°); latitudes beyond ±[`MAX_MERCATOR_LAT`] are clamped.
#[must_use]
pub fn world(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_MERCATOR_LAT, MAX_MERCATOR_LAT).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    (x, y)
}

/// The inverse of [`world`]: world coordinates to WGS-84 degrees.
#[must_use]
pub fn unworld(x: f64, y: f64) -> (f64, f64) {
    let lon = x * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
    (lon, lat)
}

#[cfg(test)]
#[path = "tile_tests.rs"]
mod tests;

//! Yizhan publishing: the data in forms other tools and people read — vector tiles (`tiles`: MVT +
//! TileJSON), OGC API – Features (`ogc`), server-rendered maps (`render`, `maps`) and the printable
//! district report ([`report`]).
//!
//! | route | what |
//! | --- | --- |
//! | `GET /tiles/{layer}/{z}/{x}/{y}.mvt` | a Mapbox Vector Tile of `stations`, `districts` or `streets` (stations thinned below zoom 12) |
//! | `GET /tiles/{layer}.json` | the layer's TileJSON |
//! | `GET /api/v1/maps/district/{name}.png` / `.svg` | a static map of a district |
//! | `GET /api/v1/districts/{name}/report.pdf` | the printable coverage report of a district ([`report`]) |
//! | `GET /ogc`, `/ogc/conformance`, `/ogc/collections[/{id}[/items[/{fid}]]]` | OGC API – Features |
//!
//! Everything here reads the in-memory station index snapshot and the shipped boundaries; no
//! route writes.
//!
//! Links never come from the request: not from `Host`, not from `X-Forwarded-*` (a client could
//! set them to any site). With [`Config::public_url`] configured every absolute link starts with
//! it; without it OGC API links are path-absolute (`/ogc/…`, resolved against the document's URL
//! as RFC 8288 and OGC API – Common allow) and TileJSON, whose tile URLs must be absolute, uses
//! `http://` + the listen address (`link_base`, `absolute_base`).

pub mod cache;
pub mod data;
pub mod maps;
pub mod mvt;
pub(crate) mod ogc;
pub mod render;
pub mod report;
pub mod tile;
pub(crate) mod tiles;

use axum::routing::get;
use axum::{Extension, Router};
use std::sync::Arc;
use utoipa::OpenApi;
use yizhan_core::config::Config;
use yizhan_core::state::AppState;

/// What the publishing routes keep between requests: the data version ETags derive from and the
/// cache of encoded tiles.
#[derive(Debug, Default)]
pub struct Publisher {
    /// Numbers station index snapshots.
    pub version: cache::DataVersion,
    /// Recently encoded tiles.
    pub tiles: cache::TileCache,
    /// Boundaries and saved analyses read from the store.
    pub data: data::DataCache,
    /// How station tiles are thinned at low zooms.
    pub options: TileOptions,
}

/// How the `stations` tiles are thinned at low zooms (see [`mvt::stations_thinned_layer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileOptions {
    /// Tiles of zooms below this one are thinned to one point per grid cell with a
    /// `point_count`; from this zoom on every station is in its tiles. 0 turns thinning off.
    pub thin_below_zoom: u8,
    /// Grid cells per tile side when thinning (one of [`mvt::THIN_GRIDS`]).
    pub thin_grid: u32,
}

impl Default for TileOptions {
    fn default() -> Self {
        Self { thin_below_zoom: 12, thin_grid: mvt::DEFAULT_THIN_GRID }
    }
}

/// Why tile options were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileOptionsError {
    /// The zoom is not a whole number in 0 ..= 23.
    #[error("YIZHAN_TILE_THIN_BELOW_ZOOM={0:?} must be a whole number from 0 (off) to 23")]
    Zoom(String),
    /// The grid is not one of [`mvt::THIN_GRIDS`].
    #[error("YIZHAN_TILE_THIN_GRID={0:?} must be one of 1, 2, 4, 8, 16, 32, 64")]
    Grid(String),
}

impl TileOptions {
    /// Options from the values of `YIZHAN_TILE_THIN_BELOW_ZOOM` and `YIZHAN_TILE_THIN_GRID`
    /// (`None`: the default).
    ///
    /// # Errors
    /// [`TileOptionsError`] naming the bad value.
    pub fn parse(below_zoom: Option<&str>, grid: Option<&str>) -> Result<Self, TileOptionsError> {
        let mut o = Self::default();
        if let Some(z) = below_zoom {
            o.thin_below_zoom = z
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|z| *z <= tile::MAX_ZOOM + 1)
                .ok_or_else(|| TileOptionsError::Zoom(z.to_owned()))?;
        }
        if let Some(g) = grid {
            o.thin_grid = g
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|g| mvt::THIN_GRIDS.contains(g))
                .ok_or_else(|| TileOptionsError::Grid(g.to_owned()))?;
        }
        Ok(o)
    }

    /// Options from the environment; a bad value is logged and the default used instead.
    #[must_use]
    pub fn from_env() -> Self {
        let zoom = std::env::var("YIZHAN_TILE_THIN_BELOW_ZOOM").ok();
        let grid = std::env::var("YIZHAN_TILE_THIN_GRID").ok();
        Self::parse(zoom.as_deref(), grid.as_deref()).unwrap_or_else(|e| {
            tracing::warn!("{e}; station tiles are thinned below zoom 12 on a 64 × 64 grid");
            Self::default()
        })
    }

    /// Whether tiles of zoom `z` are thinned.
    #[must_use]
    pub fn thins(&self, z: u8) -> bool {
        z < self.thin_below_zoom
    }
}

/// The start of every link in OGC API answers: [`Config::public_url`] when configured (no trailing
/// slash), else empty, so that links are path-absolute (`/ogc/collections`).
#[must_use]
pub(crate) fn link_base(config: &Config) -> &str {
    config.public_url.as_deref().map_or("", |u| u.trim_end_matches('/'))
}

/// The start of URLs a format requires absolute (TileJSON's `tiles`): [`Config::public_url`] when
/// configured, else `http://` + [`Config::listen`] (an unspecified address, `0.0.0.0` or `[::]`,
/// as loopback). Set the public URL for clients on other machines or behind a proxy.
#[must_use]
pub(crate) fn absolute_base(config: &Config) -> String {
    if let Some(u) = config.public_url.as_deref() {
        return u.trim_end_matches('/').to_owned();
    }
    let mut addr = config.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

/// The publishing routes, to merge into the application's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/tiles/{file}", get(tiles::tilejson))
        .route("/tiles/{layer}/{z}/{x}/{file}", get(tiles::tile))
        .route("/tiles/coverage/{file}", get(tiles::coverage_tilejson))
        .route("/tiles/coverage/{id}/{z}/{x}/{file}", get(tiles::coverage_tile))
        .route("/api/v1/maps/district/{file}", get(maps::district_map))
        .route("/api/v1/districts/{name}/report.pdf", get(report::http::district_report))
        .route("/ogc", get(ogc::landing))
        .route("/ogc/", get(ogc::landing))
        .route("/ogc/conformance", get(ogc::conformance))
        .route("/ogc/collections", get(ogc::collections))
        .route("/ogc/collections/{id}", get(ogc::collection))
        .route("/ogc/collections/{id}/items", get(ogc::items))
        .route("/ogc/collections/{id}/items/{fid}", get(ogc::item))
        .layer(Extension(Arc::new(Publisher { options: TileOptions::from_env(), ..Publisher::default() })))
}

/// The OpenAPI description of the publishing routes (merged into the API's document).
#[derive(OpenApi)]
#[openapi(
    paths(
        tiles::tile, tiles::tilejson, tiles::coverage_tile, tiles::coverage_tilejson, ogc::landing, ogc::conformance, ogc::collections, ogc::collection, ogc::items,
        ogc::item, maps::district_map, report::http::district_report,
    ),
    tags((name = "publishing", description = "Vector tiles, OGC API – Features and static maps.")),
)]
pub struct PublishDoc;

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;

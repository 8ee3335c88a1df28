//! Publishing: the data in forms other tools read — vector tiles (`tiles`: MVT + TileJSON), OGC
//! API – Features (`ogc`) and server-rendered maps (`render`).
//!
//! | route | what |
//! | --- | --- |
//! | `GET /tiles/{layer}/{z}/{x}/{y}.mvt` | a Mapbox Vector Tile of `stations` or `districts` |
//! | `GET /tiles/{layer}.json` | the layer's TileJSON |
//! | `GET /api/v1/maps/district/{name}.png` / `.svg` | a static map of a district |
//! | `GET /ogc`, `/ogc/conformance`, `/ogc/collections[/{id}[/items[/{fid}]]]` | OGC API – Features |
//!
//! Everything here reads the in-memory station index snapshot and the shipped boundaries; no
//! route writes.

pub mod data;
pub mod http;
pub mod maps;
pub mod mvt;
pub(crate) mod ogc;
pub mod render;
pub mod tile;
pub(crate) mod tiles;

use crate::state::AppState;
use axum::routing::get;
use axum::{Extension, Router};
use std::sync::Arc;
use utoipa::OpenApi;

/// What the publishing routes keep between requests: the data version ETags derive from and the
/// cache of encoded tiles.
#[derive(Debug, Default)]
pub struct Publisher {
    /// Numbers station index snapshots.
    pub version: http::DataVersion,
    /// Recently encoded tiles.
    pub tiles: http::TileCache,
    /// Boundaries and saved analyses read from the store.
    pub data: data::DataCache,
}

/// The publishing routes, to merge into the application's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/tiles/{file}", get(tiles::tilejson))
        .route("/tiles/{layer}/{z}/{x}/{file}", get(tiles::tile))
        .route("/tiles/coverage/{file}", get(tiles::coverage_tilejson))
        .route("/tiles/coverage/{id}/{z}/{x}/{file}", get(tiles::coverage_tile))
        .route("/api/v1/maps/district/{file}", get(maps::district_map))
        .route("/ogc", get(ogc::landing))
        .route("/ogc/", get(ogc::landing))
        .route("/ogc/conformance", get(ogc::conformance))
        .route("/ogc/collections", get(ogc::collections))
        .route("/ogc/collections/{id}", get(ogc::collection))
        .route("/ogc/collections/{id}/items", get(ogc::items))
        .route("/ogc/collections/{id}/items/{fid}", get(ogc::item))
        .layer(Extension(Arc::new(Publisher::default())))
}

/// The OpenAPI description of the publishing routes (merged into the API's document).
#[derive(OpenApi)]
#[openapi(
    paths(
        tiles::tile, tiles::tilejson, tiles::coverage_tile, tiles::coverage_tilejson, ogc::landing, ogc::conformance, ogc::collections, ogc::collection, ogc::items,
        ogc::item, maps::district_map,
    ),
    tags((name = "publishing", description = "Vector tiles, OGC API – Features and static maps.")),
)]
pub struct PublishDoc;

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

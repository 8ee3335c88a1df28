//! `GET /api/v1/convert`: one position in all three coordinate systems, for the console's
//! "paste coordinates from Amap or Baidu" box. The register is kept in WGS-84; GCJ-02 (Amap,
//! Tencent) and BD-09 (Baidu) exist only at this edge.

use axum::Json;
use axum::extract::RawQuery;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::query::{QueryParams, parse_crs, parse_origin};
use yizhan_planner::crs::Crs;
use yizhan_planner::geodesy::LonLat;

/// A position in each coordinate system (degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Converted {
    /// WGS-84 (GPS; what is stored).
    pub wgs84: LonLat,
    /// GCJ-02 (Amap, Tencent).
    pub gcj02: LonLat,
    /// BD-09 (Baidu).
    pub bd09: LonLat,
}

/// Converts a position given in `crs` to every system.
#[utoipa::path(
    get,
    path = "/api/v1/convert",
    tag = "map",
    params(
        ("lon" = f64, Query, description = "Longitude, degrees, in `crs`."),
        ("lat" = f64, Query, description = "Latitude, degrees, in `crs`."),
        ("crs" = Option<String>, Query, description = "`wgs84` (default), `gcj02` or `bd09`."),
    ),
    responses(
        (status = 200, description = "The position in each system.", body = Converted),
        (status = 400, description = "Missing, invalid or unknown query parameter.", body = ErrorBody),
    )
)]
pub(crate) async fn convert(RawQuery(raw): RawQuery) -> Result<Json<Converted>, ApiError> {
    let q = QueryParams::parse(raw.as_deref(), &["lon", "lat", "crs"])?;
    let crs = parse_crs(&q)?;
    let wgs84 = parse_origin(&q, crs)?;
    Ok(Json(Converted { wgs84, gcj02: Crs::Gcj02.from_wgs84(wgs84), bd09: Crs::Bd09.from_wgs84(wgs84) }))
}

//! `GET /api/v1/nearest`: the stations nearest to a rider, with travel times and links that open
//! navigation in Chinese map apps.
//!
//! With a road network loaded for the query's travel mode and the query point within the maximum
//! snap distance (250 m) of its roads, stations are ranked by travel time along the roads and
//! each result carries its route ([`yizhan_core::network::nearest_by_network`], exact); otherwise by
//! geodesic distance with the straight-line ETA. The answer's `method` says which.

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::Arc;
use yizhan_core::state::AppState;
use yizhan_http::error::{ApiError, ErrorBody};
use yizhan_http::model::{EtaModelInfo, LineStringGeometry, Navigation, NearestResponse, NearestResult};
use yizhan_http::query::NearestQuery;
use yizhan_planner::crs::Crs;
use yizhan_planner::eta::{EtaMethod, TravelMode};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpeningHours;

/// Most candidates the second round of a network nearest query routes on the request's own
/// thread; a wider round runs on the heavy-work pool.
const INLINE_SECOND_ROUND: usize = 512;

/// The `k` active stations nearest to a point: by travel time along the roads when a network is
/// loaded for `mode` and the point is on it (`method: network`), else by straight-line distance.
#[utoipa::path(
    get,
    path = "/api/v1/nearest",
    tag = "riders",
    params(
        ("lon" = f64, Query, description = "Longitude of the query point, degrees in the system named by `crs`."),
        ("lat" = f64, Query, description = "Latitude of the query point, degrees in the system named by `crs`."),
        ("crs" = Option<String>, Query, description = "System of lon/lat: `wgs84` (default), `gcj02` (Amap, Tencent) or `bd09` (Baidu)."),
        ("k" = Option<usize>, Query, description = "How many stations at most, 1 ..= the server's max_k (default 5).", minimum = 1),
        ("radius_m" = Option<f64>, Query, description = "Only stations within this geodesic (straight-line) distance, metres (1 ..= the server's max_radius_m), whatever the method."),
        ("mode" = Option<String>, Query, description = "Travel mode: `walk`, `ebike` (default) or `car`. With a road network loaded for the mode and the point within 250 m of its roads, stations are ranked by network travel time and each result has `travel_time_s` and `route` (`method: network`); otherwise straight line × detour factor (`method: straight_line`)."),
        ("kind" = Option<Vec<String>>, Query, description = "Station kinds (codes or Chinese labels); repeat and/or separate with commas. Default: every kind.", explode = true),
        ("amenity" = Option<Vec<String>>, Query, description = "Amenities a station must ALL have (codes or Chinese labels); repeat and/or separate with commas.", explode = true),
        ("status" = Option<Vec<String>>, Query, description = "Statuses allowed (`active`, `planned`, `closed` or `all`). Default: active only.", explode = true),
        ("min_capacity" = Option<u32>, Query, description = "Minimum capacity (seats, ports or bays)."),
        ("open_now" = Option<bool>, Query, description = "Only stations open now, by their opening hours read in the server's time zone."),
        ("at" = Option<String>, Query, description = "Only stations open at this RFC 3339 instant (instead of now).", format = DateTime),
    ),
    responses(
        (status = 200, description = "Stations, fastest (network) or nearest (straight line) first; ties by id.", body = NearestResponse),
        (status = 400, description = "Invalid, missing or unknown query parameter.", body = ErrorBody),
    )
)]
pub(crate) async fn nearest(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<NearestResponse>, ApiError> {
    let config = &state.config;
    let now = Utc::now();
    let q = NearestQuery::parse(raw.as_deref(), &config.limits, config.timezone, now)?;
    let at = q.filter.open_at.map_or(now, |o| o.at);
    let index = state.index();
    let model = config.eta;
    let model_info = EtaModelInfo { detour_factor: model.detour_factor, speed_m_s: model.speed_m_s(q.mode) };
    let routed = match state.network(q.mode) {
        None => None,
        Some(net) => {
            match yizhan_core::network::nearest_by_network_within(
                &net,
                &index,
                q.origin,
                q.k,
                &q.filter,
                q.radius_m,
                INLINE_SECOND_ROUND,
            ) {
                Ok(hits) => hits,
                // The rare wide second round: heavy work, off the riders' threads.
                Err(_) => {
                    let (index, origin, k, filter, radius) = (Arc::clone(&index), q.origin, q.k, q.filter, q.radius_m);
                    let budget = yizhan_core::work::WorkPool::budget(config.limits.anonymous.limits());
                    state
                        .work
                        .run("nearest_network", budget, move |_| {
                            yizhan_core::network::nearest_by_network(&net, &index, origin, k, &filter, radius)
                        })
                        .await?
                }
            }
        }
    };
    if let Some(hits) = routed {
        let results = hits
            .into_iter()
            .map(|hit| {
                let (open_now, next_change) =
                    opening_state(hit.station.data.opening_hours.as_ref(), at, config.timezone);
                NearestResult {
                    distance_m: hit.route_m,
                    eta_s: hit.time_s,
                    method: EtaMethod::Network,
                    travel_time_s: Some(hit.time_s),
                    geodesic_distance_m: hit.geodesic_m,
                    route: Some(LineStringGeometry::new(&hit.route)),
                    open_now,
                    next_change,
                    navigation: navigation(q.origin, hit.station.data.location, &hit.station.data.name, q.mode),
                    station: (*hit.station).clone(),
                }
            })
            .collect();
        return Ok(Json(NearestResponse {
            origin: q.origin,
            mode: q.mode,
            method: EtaMethod::Network,
            model: model_info,
            results,
        }));
    }
    let hits = index.nearest(q.origin, q.k, &q.filter, q.radius_m);
    let results = hits
        .into_iter()
        .map(|hit| {
            let (open_now, next_change) = opening_state(hit.station.data.opening_hours.as_ref(), at, config.timezone);
            NearestResult {
                distance_m: hit.distance_m,
                eta_s: model.eta_s(hit.distance_m, q.mode),
                method: EtaMethod::StraightLine,
                travel_time_s: None,
                geodesic_distance_m: hit.distance_m,
                route: None,
                open_now,
                next_change,
                navigation: navigation(q.origin, hit.station.data.location, &hit.station.data.name, q.mode),
                station: (*hit.station).clone(),
            }
        })
        .collect();
    Ok(Json(NearestResponse {
        origin: q.origin,
        mode: q.mode,
        method: EtaMethod::StraightLine,
        model: model_info,
        results,
    }))
}

/// Whether a station with `hours` is open at `at` (read in `tz`) and when that next changes, as
/// local time in `tz` with its offset. `(None, None)` without hours; no change for `24/7`.
pub(crate) fn opening_state(
    hours: Option<&OpeningHours>,
    at: DateTime<Utc>,
    tz: Tz,
) -> (Option<bool>, Option<DateTime<FixedOffset>>) {
    let Some(hours) = hours else { return (None, None) };
    let local = at.with_timezone(&tz).naive_local();
    let next = hours
        .next_change_local(local)
        .and_then(|n| {
            // A change inside a daylight-saving gap happens when the clocks jump, an hour later.
            tz.from_local_datetime(&n)
                .earliest()
                .or_else(|| tz.from_local_datetime(&(n + TimeDelta::hours(1))).earliest())
        })
        .map(|t| t.fixed_offset());
    (Some(hours.is_open_local(local)), next)
}

/// Percent-encodes a URI component: ASCII letters, digits and `-._` are kept, every other byte of
/// the UTF-8 text becomes `%XX` (spaces `%20`).
pub(crate) fn encode_component(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20").replace('*', "%2A")
}

/// The station's GCJ-02 and BD-09 positions and links that open navigation to it from `origin`
/// (both WGS-84).
///
/// * Amap (`uri.amap.com/navigation`) takes GCJ-02 (`coordinate=gaode`), `mode` `walk`/`ride`/`car`.
/// * Baidu (`api.map.baidu.com/direction`) takes BD-09 with `coord_type=bd09ll`, `mode`
///   `walking`/`riding`/`driving`; it requires an origin, which is the query point.
pub(crate) fn navigation(origin: LonLat, station: LonLat, name: &str, mode: TravelMode) -> Navigation {
    let gcj02 = Crs::Gcj02.from_wgs84(station);
    let bd09 = Crs::Bd09.from_wgs84(station);
    let origin_bd09 = Crs::Bd09.from_wgs84(origin);
    let (amap_mode, baidu_mode) = match mode {
        TravelMode::Walk => ("walk", "walking"),
        TravelMode::Ebike => ("ride", "riding"),
        TravelMode::Car => ("car", "driving"),
    };
    let name = encode_component(name);
    let amap_url = format!(
        "https://uri.amap.com/navigation?to={:.6},{:.6},{name}&mode={amap_mode}&coordinate=gaode&callnative=1",
        gcj02.lon, gcj02.lat
    );
    let baidu_url = format!(
        "https://api.map.baidu.com/direction?origin=latlng:{:.6},{:.6}|name:{}&destination=latlng:{:.6},{:.6}|name:{name}\
         &coord_type=bd09ll&mode={baidu_mode}&output=html&src=yizhan",
        origin_bd09.lat,
        origin_bd09.lon,
        encode_component("我的位置"),
        bd09.lat,
        bd09.lon,
    );
    Navigation { gcj02, bd09, amap_url, baidu_url }
}

#[cfg(test)]
#[path = "nearest_tests.rs"]
mod tests;

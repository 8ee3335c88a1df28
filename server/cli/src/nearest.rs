//! `yizhan nearest`.

use super::StoreArgs;
use anyhow::Context;
use chrono::Utc;
use clap::Args;
use yizhan_planner::amenity::{Amenity, AmenitySet};
use yizhan_planner::crs::Crs;
use yizhan_planner::eta::{StraightLineModel, TravelMode};
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::hours::OpenAt;
use yizhan_planner::index::{Filter, KindSet, StationIndex, StatusSet};
use yizhan_planner::network::RoadNetwork;
use yizhan_planner::network::snap::SnapOptions;
use yizhan_planner::station::StationKind;
use yizhan_store::Store;

/// Flags of `yizhan nearest`.
#[derive(Debug, Args)]
pub struct NearestArgs {
    /// Longitude of the point, degrees east.
    #[arg(long, allow_negative_numbers = true)]
    pub lon: f64,
    /// Latitude of the point, degrees north.
    #[arg(long, allow_negative_numbers = true)]
    pub lat: f64,
    /// Coordinate system of --lon/--lat: wgs84, gcj02 (Amap) or bd09 (Baidu).
    #[arg(long, default_value = "wgs84")]
    pub crs: Crs,
    /// How many stations.
    #[arg(long, short, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub k: u16,
    /// Only these kinds (repeat the flag): rest_station, caring_merchant, charging_cabinet, ride_hailing_bay.
    #[arg(long)]
    pub kind: Vec<StationKind>,
    /// Only stations with all of these amenities (repeat the flag), e.g. drinking_water.
    #[arg(long)]
    pub amenity: Vec<Amenity>,
    /// Only stations open now (read in --timezone).
    #[arg(long)]
    pub open_now: bool,
    /// Only stations within this many metres.
    #[arg(long)]
    pub radius_m: Option<u32>,
    /// Travel mode for the ETA: walk, ebike or car.
    #[arg(long, default_value = "ebike")]
    pub mode: TravelMode,
    /// OpenStreetMap extract (.osm.pbf): rank by travel time along its roads when the point is on
    /// them (the graph is cached next to the extract, or in --cache-dir).
    #[arg(long, env = "YIZHAN_NETWORK", value_name = "FILE.osm.pbf")]
    pub network: Option<std::path::PathBuf>,
    /// Directory for the cached road graphs instead of next to the extract.
    #[arg(long, env = "YIZHAN_NETWORK_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<std::path::PathBuf>,
    /// Time zone opening hours are read in.
    #[arg(long, env = "YIZHAN_TIMEZONE", default_value = "Asia/Shanghai")]
    pub timezone: chrono_tz::Tz,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Runs the query.
///
/// # Errors
/// Invalid coordinates or storage failure.
pub async fn run(a: NearestArgs) -> anyhow::Result<()> {
    let given = LonLat::new(a.lon, a.lat).context("invalid --lon/--lat")?;
    let origin = a.crs.to_wgs84(given);
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let index = StationIndex::build(store.load_all().await.context("cannot read stations")?);
    let filter = Filter {
        kinds: if a.kind.is_empty() { KindSet::ALL } else { a.kind.iter().copied().collect() },
        statuses: StatusSet::ACTIVE,
        amenities: a.amenity.iter().copied().collect::<AmenitySet>(),
        min_capacity: None,
        open_at: a.open_now.then(|| OpenAt { at: Utc::now(), tz: a.timezone }),
    };
    let model = StraightLineModel::default();
    if let Some(pbf) = &a.network {
        let graphs = yizhan_core::network::load_graphs(pbf, &[a.mode], a.cache_dir.as_deref())
            .map_err(|e| anyhow::anyhow!("cannot load the road network: {e}"))?;
        let net = graphs
            .into_iter()
            .next()
            .map(|g| RoadNetwork::new(g.graph, SnapOptions::default()))
            .context("no graph for the mode")?;
        let radius = a.radius_m.map(f64::from);
        if let Some(hits) =
            yizhan_core::network::nearest_by_network(&net, &index, origin, usize::from(a.k), &filter, radius)
        {
            print_network(&a, origin, &hits)?;
            return Ok(());
        }
        eprintln!("the point is more than 250 m from the {} network's roads: straight line", a.mode);
    }
    let hits = index.nearest(origin, usize::from(a.k), &filter, a.radius_m.map(f64::from));
    if a.json {
        let results: Vec<_> = hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "distance_m": h.distance_m,
                    "eta_s": model.eta_s(h.distance_m, a.mode),
                    "method": "straight_line",
                    "station": &*h.station,
                })
            })
            .collect();
        let doc = serde_json::json!({ "origin": origin, "mode": a.mode, "results": results });
        println_out(&serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    if hits.is_empty() {
        println_out("没有找到符合条件的站点 (no station matches)");
        return Ok(());
    }
    for (i, h) in hits.iter().enumerate() {
        let d = &h.station.data;
        let minutes = model.eta_s(h.distance_m, a.mode) / 60.0;
        println_out(&format!(
            "{:>2}. {}  [{}]  {:.0} m  ≈ {:.1} min  #{}\n    {}{}",
            i + 1,
            d.name,
            d.kind.label_zh(),
            h.distance_m,
            minutes,
            h.station.id,
            d.address.as_deref().unwrap_or(""),
            d.opening_hours.as_ref().map(|o| format!("  ({o})")).unwrap_or_default(),
        ));
    }
    println_out(&format!(
        "ETA: straight line × {} ÷ {} m/s ({}); no road network loaded",
        model.detour_factor,
        model.speed_m_s(a.mode),
        a.mode
    ));
    Ok(())
}

/// Prints network-ranked results (JSON or a table).
fn print_network(a: &NearestArgs, origin: LonLat, hits: &[yizhan_core::network::NetworkHit]) -> anyhow::Result<()> {
    if a.json {
        let results: Vec<_> = hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "distance_m": h.route_m,
                    "eta_s": h.time_s,
                    "travel_time_s": h.time_s,
                    "geodesic_distance_m": h.geodesic_m,
                    "method": "network",
                    "route": { "type": "LineString", "coordinates": h.route.iter().map(|p| [p.lon, p.lat]).collect::<Vec<_>>() },
                    "station": &*h.station,
                })
            })
            .collect();
        let doc = serde_json::json!({ "origin": origin, "mode": a.mode, "method": "network", "results": results });
        println_out(&serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    if hits.is_empty() {
        println_out("没有找到可沿道路到达的站点 (no station matches and is reachable along the roads)");
        return Ok(());
    }
    for (i, h) in hits.iter().enumerate() {
        let d = &h.station.data;
        println_out(&format!(
            "{:>2}. {}  [{}]  {:.0} m by road  {:.1} min  #{}\n    {}{}",
            i + 1,
            d.name,
            d.kind.label_zh(),
            h.route_m,
            h.time_s / 60.0,
            h.station.id,
            d.address.as_deref().unwrap_or(""),
            d.opening_hours.as_ref().map(|o| format!("  ({o})")).unwrap_or_default(),
        ));
    }
    println_out(&format!("ETA: along the roads ({}, network)", a.mode));
    Ok(())
}

#[allow(clippy::print_stdout)] // the command's output
fn println_out(s: &str) {
    println!("{s}");
}

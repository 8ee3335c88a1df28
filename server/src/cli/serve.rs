//! `yizhan serve`.

use super::StoreArgs;
use crate::config::{Config, Limits, RateLimit};
use crate::state::AppState;
use crate::store::Store;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use yizhan_planner::eta::{StraightLineModel, TravelMode};

/// Flags of `yizhan serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "YIZHAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    store: StoreArgs,
    /// Bearer token that authorises writes (create, update, delete, import) over HTTP.
    #[arg(long, env = "YIZHAN_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// Do not load the demo data (兖州区 and central Helsinki stations) into an empty store, nor the
    /// demo road network.
    #[arg(long)]
    pub no_demo: bool,
    /// Serve the web UI from this directory instead of the built-in copy.
    #[arg(long, env = "YIZHAN_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// MapLibre style URL (http or https) of an online base map for the web UI. Without it the UI
    /// draws an offline base map from the server's own data.
    #[arg(long, env = "YIZHAN_MAP_STYLE_URL", value_parser = parse_style_url)]
    pub map_style_url: Option<String>,
    /// Time zone opening hours are read in (IANA name).
    #[arg(long, env = "YIZHAN_TIMEZONE", default_value = "Asia/Shanghai")]
    pub timezone: chrono_tz::Tz,
    /// Straight-line ETA: road distance ÷ straight-line distance.
    #[arg(long, env = "YIZHAN_DETOUR_FACTOR", default_value_t = StraightLineModel::default().detour_factor)]
    pub detour_factor: f64,
    /// Walking speed, metres per second.
    #[arg(long, env = "YIZHAN_WALK_SPEED", default_value_t = StraightLineModel::default().walk_m_s)]
    pub walk_speed: f64,
    /// E-bike speed, metres per second.
    #[arg(long, env = "YIZHAN_EBIKE_SPEED", default_value_t = StraightLineModel::default().ebike_m_s)]
    pub ebike_speed: f64,
    /// Car speed, metres per second.
    #[arg(long, env = "YIZHAN_CAR_SPEED", default_value_t = StraightLineModel::default().car_m_s)]
    pub car_speed: f64,
    /// OpenStreetMap extract (.osm.pbf) whose roads give network travel times, isochrones and
    /// the map's road layer. Default with the demo: data/osm/helsinki-centre.osm.pbf when present.
    #[arg(long, env = "YIZHAN_NETWORK", value_name = "FILE.osm.pbf")]
    pub network: Option<PathBuf>,
    /// Travel modes to build road graphs for, comma-separated.
    #[arg(long, env = "YIZHAN_NETWORK_MODES", value_delimiter = ',', default_value = "walk,ebike,car")]
    pub network_modes: Vec<TravelMode>,
    /// Directory for the cached road graphs (*.yzg) instead of next to the extract, e.g. when the
    /// extract's directory is read-only.
    #[arg(long, env = "YIZHAN_NETWORK_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Largest request body in bytes (imports included).
    #[arg(long, env = "YIZHAN_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    pub max_body_bytes: usize,
    /// Per-client rate limit: sustained requests per second from one IP address (429 beyond).
    /// Off when not given.
    #[arg(long, env = "YIZHAN_RATE_LIMIT")]
    pub rate_limit: Option<NonZeroU32>,
    /// Requests one client may make at once above the rate limit (default: twice the rate).
    #[arg(long, env = "YIZHAN_RATE_BURST", requires = "rate_limit")]
    pub rate_burst: Option<NonZeroU32>,
    /// Origin whose web pages may call the API from a browser (CORS), e.g.
    /// `https://map.example.org`; repeat or separate with commas. Default: same origin only.
    #[arg(long = "cors-origin", env = "YIZHAN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
}

/// Runs the server until Ctrl-C or SIGTERM.
///
/// # Errors
/// Bad configuration, storage that cannot be opened, or an address that cannot be bound.
pub async fn run(a: ServeArgs) -> anyhow::Result<()> {
    let eta = StraightLineModel {
        detour_factor: a.detour_factor,
        walk_m_s: a.walk_speed,
        ebike_m_s: a.ebike_speed,
        car_m_s: a.car_speed,
    };
    eta.validate().context("invalid travel-time settings")?;
    let config = Config {
        listen: a.listen,
        storage: a.store.storage(),
        api_token: a.api_token.filter(|t| !t.is_empty()),
        eta,
        timezone: a.timezone,
        limits: Limits { max_body_bytes: a.max_body_bytes, ..Limits::default() },
        load_demo: !a.no_demo,
        web_dir: a.web_dir,
        map_style_url: a.map_style_url,
        network: a.network.clone().or_else(|| {
            let demo = PathBuf::from(crate::network::DEMO_NETWORK);
            (!a.no_demo && demo.is_file()).then_some(demo)
        }),
        network_modes: a.network_modes,
        network_cache_dir: a.cache_dir,
        rate_limit: a.rate_limit.map(|per_second| RateLimit {
            per_second,
            burst: a.rate_burst.unwrap_or(per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1))),
        }),
        cors_origins: a.cors_origins.into_iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
    };
    let explicit_network = a.network.is_some();
    let store = Store::open(&config.storage).await.context("cannot open the station store")?;
    let state = AppState::load(store, config).await.context("cannot load stations")?;
    if state.config.load_demo && state.index().is_empty() {
        let n = crate::demo::load(&state).await.context("cannot load the demo data")?;
        tracing::info!(
            stations = n,
            "empty store: loaded the demo data sets for 兖州区 and central Helsinki (synthetic)"
        );
    }
    if state.config.network.is_some() {
        let config = state.config.clone();
        match tokio::task::spawn_blocking(move || crate::network::load_configured(&config)).await? {
            Ok(networks) => state.set_networks(networks),
            Err(e) if explicit_network => return Err(e).context("cannot load the road network"),
            Err(e) => tracing::warn!(error = %e, "demo road network not loaded; travel times are straight line"),
        }
    }
    let state = Arc::new(state);
    let _follower = state.spawn_follower();
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        stations = state.index().len(),
        backend = state.store.backend(),
        "Yizhan listening on http://{addr}"
    );
    if state.config.api_token.is_none() && !state.store.has_active_tokens().await.unwrap_or(false) {
        tracing::info!("no API token (yizhan token create, or YIZHAN_API_TOKEN): writes over HTTP are disabled");
    }
    crate::api::serve_with_shutdown(listener, state, shutdown_signal()).await.context("server failed")?;
    Ok(())
}

/// Accepts an absolute http(s) URL.
fn parse_style_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !s.contains(char::is_whitespace) => Ok(s.to_owned()),
        _ => Err(format!("{s:?} is not an http:// or https:// URL")),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

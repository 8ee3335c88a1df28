//! `yizhan serve`.

use super::StoreArgs;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use yizhan_core::config::{
    Config, DEFAULT_SESSION_TTL_S, DEFAULT_VERIFY_AFTER_DAYS, Limits, PoolConfig, RateLimit, TierBudget,
};
use yizhan_core::state::AppState;
use yizhan_planner::eta::{StraightLineModel, TravelMode};
use yizhan_store::Store;

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
    /// Public base URL of this server as clients reach it, e.g. `https://map.example.org` (behind
    /// a proxy or load balancer). Absolute links in OGC API and TileJSON answers are built from
    /// it, never from the request's Host header.
    #[arg(long, env = "YIZHAN_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Heavy-work threads (coverage, plans, reports, boundary checks run there, at low priority,
    /// one task per thread). Default: one fewer than the cores (at least 1, at most 8).
    #[arg(long, env = "YIZHAN_HEAVY_WORKERS", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub heavy_workers: Option<u16>,
    /// Heavy tasks that may wait for a thread; more are refused with 429.
    #[arg(long, env = "YIZHAN_HEAVY_QUEUE", default_value_t = PoolConfig::default().queue)]
    pub heavy_queue: usize,
    /// Seconds a heavy task may wait for a thread before it is refused with 503.
    #[arg(long, env = "YIZHAN_HEAVY_QUEUE_TIMEOUT", default_value_t = PoolConfig::default().queue_timeout.as_secs())]
    pub heavy_queue_timeout: u64,
    /// Planner budget: most H3 cells of one analysis or plan.
    #[arg(long, env = "YIZHAN_PLANNER_MAX_CELLS", default_value_t = TierBudget::PLANNER.max_cells)]
    pub planner_max_cells: usize,
    /// Planner budget: most candidate × demand pairs of one plan.
    #[arg(long, env = "YIZHAN_PLANNER_MAX_PAIRS", default_value_t = TierBudget::PLANNER.max_pairs)]
    pub planner_max_pairs: u64,
    /// Planner budget: CPU seconds one heavy task may spend.
    #[arg(long, env = "YIZHAN_PLANNER_CPU_SECONDS", default_value_t = TierBudget::PLANNER.max_cpu_ms / 1000)]
    pub planner_cpu_seconds: u64,
    /// Planner budget: MiB the large tables of one heavy task may hold.
    #[arg(long, env = "YIZHAN_PLANNER_MEMORY_MIB", default_value_t = TierBudget::PLANNER.max_memory_bytes / (1024 * 1024))]
    pub planner_memory_mib: u64,
    /// Hours a console sign-in lasts (the session cookie's lifetime).
    #[arg(long, env = "YIZHAN_SESSION_HOURS", default_value_t = DEFAULT_SESSION_TTL_S / 3600,
          value_parser = clap::value_parser!(u32).range(1..=24 * 30))]
    pub session_hours: u32,
    /// Days after which a station is due for verification again (never verified ones always are).
    #[arg(long, env = "YIZHAN_VERIFY_AFTER_DAYS", default_value_t = DEFAULT_VERIFY_AFTER_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub verify_after_days: u32,
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
        limits: Limits {
            max_body_bytes: a.max_body_bytes,
            max_cells: Limits::default().max_cells.max(a.planner_max_cells),
            planner: TierBudget {
                max_cells: a.planner_max_cells,
                max_pairs: a.planner_max_pairs,
                max_cpu_ms: a.planner_cpu_seconds.saturating_mul(1000),
                max_memory_bytes: a.planner_memory_mib.saturating_mul(1024 * 1024),
                ..TierBudget::PLANNER
            },
            ..Limits::default()
        },
        load_demo: !a.no_demo,
        web_dir: a.web_dir,
        map_style_url: a.map_style_url,
        network: a.network.clone().or_else(|| {
            let demo = PathBuf::from(yizhan_core::network::DEMO_NETWORK);
            (!a.no_demo && demo.is_file()).then_some(demo)
        }),
        network_modes: a.network_modes,
        network_cache_dir: a.cache_dir,
        rate_limit: a.rate_limit.map(|per_second| RateLimit {
            per_second,
            burst: a.rate_burst.unwrap_or(per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1))),
        }),
        cors_origins: a.cors_origins.into_iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
        public_url: a.public_url,
        pool: PoolConfig {
            workers: a.heavy_workers.map_or(PoolConfig::default().workers, usize::from),
            queue: a.heavy_queue,
            queue_timeout: std::time::Duration::from_secs(a.heavy_queue_timeout.max(1)),
            ..PoolConfig::default()
        },
        session_ttl_s: a.session_hours.saturating_mul(3600),
        verify_after_days: a.verify_after_days,
    };
    let explicit_network = a.network.is_some();
    // Bind first: with port 0 the configuration (and every link built from it) names the port
    // actually bound.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let config = Config { listen: listener.local_addr()?, ..config };
    let store = Store::open(&config.storage).await.context("cannot open the station store")?;
    let state = AppState::load(store, config).await.context("cannot load stations")?;
    if state.config.load_demo && state.index().is_empty() {
        let n = yizhan_core::demo::load(&state).await.context("cannot load the demo data")?;
        tracing::info!(
            stations = n,
            "empty store: loaded the demo data sets for 兖州区 and central Helsinki (synthetic)"
        );
    }
    if state.config.network.is_some() {
        let config = state.config.clone();
        match tokio::task::spawn_blocking(move || yizhan_core::network::load_configured(&config)).await? {
            Ok(networks) => state.set_networks(networks),
            Err(e) if explicit_network => return Err(e).context("cannot load the road network"),
            Err(e) => tracing::warn!(error = %e, "demo road network not loaded; travel times are straight line"),
        }
    }
    let state = Arc::new(state);
    let _follower = state.spawn_follower();
    let addr = listener.local_addr()?;
    tracing::info!(
        stations = state.index().len(),
        backend = state.store.backend(),
        "Yizhan listening on http://{addr}"
    );
    if state.config.api_token.is_none() && !state.store.has_active_tokens().await.unwrap_or(false) {
        tracing::info!("no API token (yizhan token create, or YIZHAN_API_TOKEN): writes over HTTP are disabled");
    }
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let mut server = tokio::spawn(yizhan_api::serve_with_shutdown(listener, Arc::clone(&state), async move {
        let _ = stop_rx.await;
    }));
    tokio::select! {
        () = shutdown_signal() => {}
        ended = &mut server => return ended.context("server task failed")?.context("server failed"),
    }
    // Stop accepting, cancel every heavy task and plan job (they stop at their next budget
    // check), then give the requests in flight a moment to finish: at most SHUTDOWN_GRACE.
    let started = std::time::Instant::now();
    state.work.close();
    let _ = stop_tx.send(());
    if tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.is_err() {
        tracing::warn!("requests still in flight after {} s; stopping anyway", SHUTDOWN_GRACE.as_secs());
    }
    tracing::info!(elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX), "stopped");
    Ok(())
}

/// Longest wait for the requests in flight at shutdown (SIGTERM exits within 5 s).
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Accepts an absolute http(s) URL.
fn parse_style_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !s.contains(char::is_whitespace) => Ok(s.to_owned()),
        _ => Err(format!("{s:?} is not an http:// or https:// URL")),
    }
}

/// Accepts an absolute http(s) base URL without query or fragment; drops a trailing slash.
fn parse_public_url(s: &str) -> Result<String, String> {
    let url = parse_style_url(s)?;
    if url.contains(['?', '#']) {
        return Err(format!("{s:?} must not carry a query or fragment"));
    }
    Ok(url.trim_end_matches('/').to_owned())
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

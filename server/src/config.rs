//! Server configuration, from command-line flags and `YIZHAN_*` environment variables.

use chrono_tz::Tz;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use yizhan_planner::eta::StraightLineModel;

/// Where stations are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// The embedded SQLite store: `DIR/yizhan.sqlite3` under the data directory.
    Embedded {
        /// The data directory (created if missing).
        data_dir: PathBuf,
    },
    /// A database URL: `sqlite://PATH` (PostgreSQL + PostGIS arrives with its own backend).
    Url(String),
}

/// Limits on what one request may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, bytes (imports included).
    pub max_body_bytes: usize,
    /// Largest `k` of a nearest query.
    pub max_k: usize,
    /// Largest radius of a nearest or radius query, metres.
    pub max_radius_m: u32,
    /// Largest page of `GET /api/v1/stations`.
    pub max_page_size: usize,
    /// Most rows one import may hold.
    pub max_import_rows: usize,
    /// Most H3 cells one coverage analysis or plan may cover (larger requests: 413).
    pub max_cells: usize,
    /// Most plan jobs queued or running at once (more: 429).
    pub max_concurrent_plans: usize,
    /// Most candidate sites a plan request may list.
    pub max_candidates: usize,
    /// Finished plan jobs are kept in memory this long, seconds (their results stay in storage).
    pub finished_job_ttl_s: u64,
    /// Most work one plan's optimiser may spend, in its deterministic steps (see
    /// `yizhan_planner::optimize::SolveOptions::effort`; the default, 3 × 10⁸, is about half a
    /// second on a 5 000 × 500 instance in an optimised build).
    pub max_plan_effort: u64,
    /// Coverage analyses kept in storage (`GET /api/v1/coverage/{id}`); older ones are deleted.
    pub coverage_analyses_kept: usize,
    /// At most this many finished plan jobs are kept in memory (the oldest go first).
    pub finished_jobs_kept: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 32 * 1024 * 1024,
            max_k: 100,
            max_radius_m: 200_000,
            max_page_size: 5000,
            max_import_rows: 2_000_000,
            max_cells: 500_000,
            max_concurrent_plans: 2,
            max_candidates: 100_000,
            finished_job_ttl_s: 3600,
            finished_jobs_kept: 100,
            max_plan_effort: 300_000_000,
            coverage_analyses_kept: 500,
        }
    }
}

/// Per-client request rate limit (clients told apart by peer IP address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second one client may make.
    pub per_second: NonZeroU32,
    /// Requests one client may make at once above the sustained rate (bucket size).
    pub burst: NonZeroU32,
}

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Storage backend.
    pub storage: StorageConfig,
    /// Bearer token that guards writes; `None` disables writes over HTTP.
    pub api_token: Option<String>,
    /// Straight-line travel-time model.
    pub eta: StraightLineModel,
    /// Zone opening hours are evaluated in.
    pub timezone: Tz,
    /// Request limits.
    pub limits: Limits,
    /// Load the 兖州区 demo data set when the store is empty.
    pub load_demo: bool,
    /// Directory of the web UI's static files, if served from disk instead of the built-in copy.
    pub web_dir: Option<PathBuf>,
    /// MapLibre style URL of an online base map for the web UI; `None` draws the offline base map
    /// from the server's own data (district boundaries, stations).
    pub map_style_url: Option<String>,
    /// OpenStreetMap extract (`.osm.pbf`) whose road graphs give network travel times; `None`
    /// leaves every travel time straight line × detour factor.
    pub network: Option<PathBuf>,
    /// Travel modes to build graphs for from [`Config::network`] (default walk, e-bike, car).
    pub network_modes: Vec<yizhan_planner::eta::TravelMode>,
    /// Directory for the cached graphs (`*.yzg`) when not next to the extract (e.g. a read-only
    /// data directory); `None` caches next to the extract.
    pub network_cache_dir: Option<PathBuf>,
    /// Per-client rate limit; `None` (the default) limits nothing. Over the limit a client gets
    /// 429 with `Retry-After`.
    pub rate_limit: Option<RateLimit>,
    /// Origins (`https://map.example.org`) whose web pages may call the API from a browser
    /// (CORS). Empty (the default): same origin only.
    pub cors_origins: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            storage: StorageConfig::Embedded { data_dir: PathBuf::from("var") },
            api_token: None,
            eta: StraightLineModel::default(),
            timezone: yizhan_planner::hours::DEFAULT_TZ,
            limits: Limits::default(),
            load_demo: true,
            web_dir: None,
            map_style_url: None,
            network: None,
            network_modes: yizhan_planner::eta::TravelMode::ALL.to_vec(),
            network_cache_dir: None,
            rate_limit: None,
            cors_origins: Vec::new(),
        }
    }
}

//! Server configuration, from command-line flags and `YIZHAN_*` environment variables.

use chrono_tz::Tz;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use yizhan_planner::eta::StraightLineModel;
pub use yizhan_store::StorageConfig;

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
    /// Plan results kept in storage (`plan_…` analyses); older ones are deleted.
    pub plan_results_kept: usize,
    /// Saved coverage analyses and plan results older than this are deleted, seconds.
    pub analyses_max_age_s: u64,
    /// What an anonymous request may spend.
    pub anonymous: TierBudget,
    /// What a signed-in planner's (or admin's) request may spend.
    pub planner: TierBudget,
    /// Token verifications (argon2id, ~19 MiB and tens of ms each) running at once; more wait
    /// up to a second, then are refused with 503.
    pub max_concurrent_verifications: usize,
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
            plan_results_kept: 500,
            analyses_max_age_s: 30 * 24 * 3600,
            anonymous: TierBudget::ANONYMOUS,
            planner: TierBudget::PLANNER,
            max_concurrent_verifications: 2,
        }
    }
}

/// What one request of a class of callers may make the server spend (see `docs/limits.md`).
/// Each figure is checked from an estimate before the work starts; time and memory are also
/// metered while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierBudget {
    /// Most H3 cells of one coverage analysis, plan or report.
    pub max_cells: usize,
    /// Most candidate × demand pairs of one plan (estimated from the cells within reach of each
    /// candidate; each pair holds about 32 bytes).
    pub max_pairs: u64,
    /// Most positions (vertices) of a drawn boundary.
    pub max_boundary_vertices: usize,
    /// Most thresholds in `minutes`.
    pub max_thresholds: usize,
    /// Most entries of each list of a request (`candidates`, `exclude`, `fixed`, `kinds`,
    /// `amenities`).
    pub max_list: usize,
    /// CPU time one heavy task may spend on its worker thread, milliseconds.
    pub max_cpu_ms: u64,
    /// Memory the large tables of one heavy task may hold, bytes.
    pub max_memory_bytes: u64,
}

impl TierBudget {
    /// The budget of an anonymous caller: answered or refused within 2 s of CPU and 256 MiB.
    pub const ANONYMOUS: Self = Self {
        max_cells: 60_000,
        max_pairs: 4_000_000,
        max_boundary_vertices: 20_000,
        max_thresholds: 8,
        max_list: 1_000,
        max_cpu_ms: 2_000,
        max_memory_bytes: 192 * 1024 * 1024,
    };

    /// No budget: what the command line may spend on the operator's own machine (only the
    /// server's [`Limits`] apply).
    pub const UNLIMITED: Self = Self {
        max_cells: usize::MAX,
        max_pairs: u64::MAX,
        max_boundary_vertices: usize::MAX,
        max_thresholds: usize::MAX,
        max_list: usize::MAX,
        max_cpu_ms: u64::MAX,
        max_memory_bytes: u64::MAX,
    };

    /// The time and memory limits of one heavy task of this budget (`u64::MAX`: no limit).
    #[must_use]
    pub fn limits(&self) -> yizhan_planner::budget::BudgetLimits {
        yizhan_planner::budget::BudgetLimits {
            time: (self.max_cpu_ms != u64::MAX).then(|| std::time::Duration::from_millis(self.max_cpu_ms)),
            memory_bytes: (self.max_memory_bytes != u64::MAX).then_some(self.max_memory_bytes),
        }
    }

    /// The default budget of a signed-in planner (or admin).
    pub const PLANNER: Self = Self {
        max_cells: 500_000,
        max_pairs: 30_000_000,
        max_boundary_vertices: 200_000,
        max_thresholds: 32,
        max_list: 100_000,
        max_cpu_ms: 120_000,
        max_memory_bytes: 1024 * 1024 * 1024,
    };
}

/// The heavy-work pool (`crate::work`): worker threads and its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// Worker threads: heavy tasks running at once (default: one fewer than the cores, at least
    /// one, at most 8 — on two cores one is always left to the riders; measured with
    /// `scripts/bench/hostile.sh`, two workers on two cores let rider p99 reach 0.2–0.5 s).
    pub workers: usize,
    /// Tasks that may wait for a worker; more are refused with 429.
    pub queue: usize,
    /// Longest wait for a worker before a task is refused with 503.
    pub queue_timeout: std::time::Duration,
    /// Run the workers at the lowest scheduling priority (nice 19); `YIZHAN_HEAVY_PRIORITY=normal`
    /// leaves them at the server's.
    pub low_priority: bool,
    /// Thread name prefix.
    pub name: &'static str,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism()
                .map_or(1, std::num::NonZero::get)
                .saturating_sub(1)
                .clamp(1, 8),
            queue: 16,
            queue_timeout: std::time::Duration::from_secs(10),
            low_priority: std::env::var("YIZHAN_HEAVY_PRIORITY").map_or(true, |v| v.trim() != "normal"),
            name: "yizhan-heavy",
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
    /// The public base URL clients reach this server at (`https://map.example.org`, no trailing
    /// slash). Absolute links (OGC API, TileJSON) are built from it, never from the request's
    /// `Host` header; `None` gives relative links where a format allows them, else
    /// `http://<listen address>`.
    pub public_url: Option<String>,
    /// The heavy-work pool.
    pub pool: PoolConfig,
    /// Seconds a console session lasts after sign-in.
    pub session_ttl_s: u32,
    /// Days after which a station's verification is due again (`verified_on` older than this,
    /// or never verified).
    pub verify_after_days: u32,
}

impl Config {
    /// Today's date in the configured time zone (what `verified_on` and report dates mean).
    #[must_use]
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.timezone).date_naive()
    }
}

/// Default of [`Config::session_ttl_s`]: 12 hours, a working day.
pub const DEFAULT_SESSION_TTL_S: u32 = 12 * 3600;

/// Default of [`Config::verify_after_days`].
pub const DEFAULT_VERIFY_AFTER_DAYS: u32 = 90;

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
            public_url: None,
            pool: PoolConfig::default(),
            session_ttl_s: DEFAULT_SESSION_TTL_S,
            verify_after_days: DEFAULT_VERIFY_AFTER_DAYS,
        }
    }
}

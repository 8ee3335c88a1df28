//! What operators watch with Prometheus (`GET /metrics`, text exposition format): requests per
//! route and status with latency histograms, requests refused by each limit, the heavy-work
//! pool's queue depth, running tasks and task times, argon2 verifications in flight, the
//! station index's size and the follower's lag behind the change log.
//!
//! Counters live in one process-wide registry ([`prometheus_client`]); the gauges that describe
//! the current state (pool, index, lag) are set from the state when scraped ([`Gauges`]). Route labels
//! are axum's route templates (`/api/v1/stations/{id}`), never raw paths, so their number is
//! bounded by the router.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::LazyLock;
use std::time::Duration;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    class: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.25 ms … about 8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

fn task_histogram() -> Histogram {
    // 1 ms … about 65 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily<RouteLabels>,
    refused: Family<LimitLabels, Counter>,
    heavy_wall: HistogramFamily<ClassLabels>,
    heavy_cpu: HistogramFamily<ClassLabels>,
    argon2_in_flight: Gauge,
    argon2_total: Counter,
    pool_waiting: Gauge,
    pool_running: Gauge,
    pool_workers: Gauge,
    index_stations: Gauge,
    follower_lag: Gauge,
    follower_ok: Gauge,
    plan_jobs: Gauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("yizhan");
    let m = Metrics {
        requests: Family::default(),
        latency: Family::new_with_constructor(latency_histogram),
        refused: Family::default(),
        heavy_wall: Family::new_with_constructor(task_histogram),
        heavy_cpu: Family::new_with_constructor(task_histogram),
        argon2_in_flight: Gauge::default(),
        argon2_total: Counter::default(),
        pool_waiting: Gauge::default(),
        pool_running: Gauge::default(),
        pool_workers: Gauge::default(),
        index_stations: Gauge::default(),
        follower_lag: Gauge::default(),
        follower_ok: Gauge::default(),
        plan_jobs: Gauge::default(),
        registry: Registry::default(),
    };
    registry.register("http_requests", "HTTP requests answered, by route template and status", m.requests.clone());
    registry.register(
        "http_request_duration_seconds",
        "Time to answer an HTTP request (until the response head), by route template",
        m.latency.clone(),
    );
    registry.register("refused", "Requests refused by a limit (413, 429, 503), by limit", m.refused.clone());
    registry.register(
        "heavy_task_duration_seconds",
        "Wall-clock time of heavy-work tasks, from start to end on a worker, by class",
        m.heavy_wall.clone(),
    );
    registry.register(
        "heavy_task_cpu_seconds",
        "CPU time of heavy-work tasks on their worker thread, by class",
        m.heavy_cpu.clone(),
    );
    registry.register("argon2_in_flight", "Token verifications (argon2id) running now", m.argon2_in_flight.clone());
    registry.register("argon2_verifications", "Token verifications (argon2id) run", m.argon2_total.clone());
    registry.register("heavy_queue_depth", "Heavy-work tasks waiting for a worker", m.pool_waiting.clone());
    registry.register("heavy_running", "Heavy-work tasks running", m.pool_running.clone());
    registry.register("heavy_workers", "Heavy-work worker threads", m.pool_workers.clone());
    registry.register("index_stations", "Stations in the in-memory index", m.index_stations.clone());
    registry.register(
        "follower_lag_changes",
        "Change-log entries committed to storage but not yet applied to this server's index",
        m.follower_lag.clone(),
    );
    registry.register(
        "follower_ok",
        "1 when the last attempt to follow the change log reached storage",
        m.follower_ok.clone(),
    );
    registry.register("plan_jobs_active", "Plan jobs queued or running", m.plan_jobs.clone());
    Metrics { registry, ..m }
});

/// Counts one request refused by `limit` (the error code, e.g. `rate_limited`, `too_large`,
/// `heavy_queue_full`).
pub fn refused(limit: &str) {
    METRICS.refused.get_or_create(&LimitLabels { limit: limit.to_owned() }).inc();
}

/// Records an answered request.
pub fn request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let m = &*METRICS;
    m.requests.get_or_create(&RequestLabels { method: method.to_owned(), route: route.to_owned(), status }).inc();
    m.latency
        .get_or_create(&RouteLabels { method: method.to_owned(), route: route.to_owned() })
        .observe(elapsed.as_secs_f64());
}

/// Records a finished heavy-work task.
pub fn heavy_task_done(class: &str, wall: Duration, cpu: Duration) {
    let labels = ClassLabels { class: class.to_owned() };
    METRICS.heavy_wall.get_or_create(&labels).observe(wall.as_secs_f64());
    METRICS.heavy_cpu.get_or_create(&labels).observe(cpu.as_secs_f64());
}

/// Marks an argon2 verification as running until the guard is dropped.
#[must_use]
pub fn argon2_started() -> Argon2Guard {
    METRICS.argon2_in_flight.inc();
    METRICS.argon2_total.inc();
    Argon2Guard
}

/// See [`argon2_started`].
#[derive(Debug)]
pub struct Argon2Guard;

impl Drop for Argon2Guard {
    fn drop(&mut self) {
        METRICS.argon2_in_flight.dec();
    }
}

/// The gauges that describe the state now, read by the caller when scraped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    /// Tasks waiting for a heavy-work worker.
    pub pool_waiting: usize,
    /// Tasks running on the heavy-work pool.
    pub pool_running: usize,
    /// Heavy-work workers.
    pub pool_workers: usize,
    /// Stations in the in-memory index.
    pub index_stations: usize,
    /// Plan jobs kept (running or finished).
    pub plan_jobs: usize,
    /// Change-log entries not yet applied to the index; `None` when storage does not answer.
    pub follower_lag: Option<i64>,
    /// Whether the follower reached storage at its last attempt.
    pub following: bool,
}

/// The text exposition of every metric, with the state gauges `g`.
#[must_use]
pub fn render(g: &Gauges) -> String {
    let m = &*METRICS;
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    m.pool_waiting.set(count(g.pool_waiting));
    m.pool_running.set(count(g.pool_running));
    m.pool_workers.set(count(g.pool_workers));
    m.index_stations.set(count(g.index_stations));
    m.plan_jobs.set(count(g.plan_jobs));
    m.follower_lag.set(g.follower_lag.unwrap_or(-1));
    m.follower_ok.set(i64::from(g.follower_lag.is_some() && g.following));
    let mut out = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &m.registry) {
        tracing::error!(error = %e, "cannot encode metrics");
    }
    out
}

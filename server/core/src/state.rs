//! The application state shared by every request: storage, the in-memory index snapshot, and the
//! write path that keeps the two in step.
//!
//! Invariant: the snapshot in [`AppState::index`] always equals the committed contents of the
//! store. Writes are serialised by one async mutex; each write commits its transaction first and
//! then swaps in a new snapshot, so readers see either the state before or after a whole write
//! (an import of 100 000 rows included), never a part of it.
//!
//! Several servers may share one database. Each follows the store's change log
//! ([`AppState::catch_up`], run by the task [`AppState::spawn_follower`] starts) and applies what
//! the others wrote to its own index: woken by PostgreSQL notifications, and polling as well, so a
//! missed notification or a lost connection only delays it. Its own writes appear in the log too;
//! re-applying them is harmless because every change is applied by re-reading the station.

use crate::access::TokenCache;
use crate::access::audit::AuditContext;
use crate::config::Config;
use crate::work::WorkPool;
use arc_swap::ArcSwap;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Mutex;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::index::StationIndex;
use yizhan_planner::network::RoadNetwork;
use yizhan_planner::station::{FieldError, Station, StationData, StationId};
use yizhan_store::{ChangeSeq, CreatedScenario, ImportOutcome, Store, StoreError};

/// Why a write was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The submitted station has invalid fields.
    #[error("invalid station: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// Storage refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Shared state of a running server (and of CLI commands that write).
#[derive(Debug)]
pub struct AppState {
    /// Storage backend.
    pub store: Store,
    /// Configuration.
    pub config: Config,
    index: ArcSwap<StationIndex>,
    write_lock: Mutex<()>,
    /// The last change-log entry whose effect the index holds.
    applied_seq: AtomicI64,
    /// Whether the last attempt to follow the change log reached the database.
    following: AtomicBool,
    /// Road networks loaded for travel times, at most one per travel mode (empty: straight line).
    networks: ArcSwap<Vec<Arc<RoadNetwork>>>,
    /// Verified API tokens, for a short time (argon2 is deliberately slow).
    tokens: TokenCache,
    /// The heavy-work pool: every CPU-heavy task runs there, off the async runtime.
    pub work: WorkPool,
}

/// Changes per page when following the change log.
const CHANGE_PAGE: u32 = 1000;

/// More changes than this behind, a follower reloads every station instead of re-reading each.
const RELOAD_AFTER_CHANGES: i64 = if cfg!(test) { 500 } else { 20_000 };

/// How often the follower polls the change log when no notification arrives.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

impl AppState {
    /// Builds the state by loading every stored station into a fresh index.
    ///
    /// # Errors
    /// [`StoreError`] when the stations cannot be loaded.
    pub async fn load(store: Store, config: Config) -> Result<Self, StoreError> {
        // The log position first: whatever commits after it is applied later, even if the
        // snapshot already holds it.
        let seq = store.last_change_seq().await?;
        let stations = store.load_all().await?;
        let index = StationIndex::build(stations);
        Ok(Self {
            store,
            index: ArcSwap::from_pointee(index),
            write_lock: Mutex::new(()),
            applied_seq: AtomicI64::new(seq),
            following: AtomicBool::new(true),
            networks: ArcSwap::from_pointee(Vec::new()),
            tokens: TokenCache::with_limit(TokenCache::DEFAULT_TTL, config.limits.max_concurrent_verifications),
            work: WorkPool::new(config.pool),
            config,
        })
    }

    /// The road network for `mode`, when one is loaded; without one, travel times are straight
    /// line × detour factor ([`Config::eta`]).
    #[must_use]
    pub fn network(&self, mode: TravelMode) -> Option<Arc<RoadNetwork>> {
        self.networks.load().iter().find(|n| n.mode() == mode).cloned()
    }

    /// Every loaded road network (one per travel mode).
    #[must_use]
    pub fn networks(&self) -> Arc<Vec<Arc<RoadNetwork>>> {
        self.networks.load_full()
    }

    /// Replaces the loaded road networks (a later network of the same mode wins); readers keep
    /// the set they started with.
    pub fn set_networks(&self, networks: Vec<RoadNetwork>) {
        let mut by_mode: Vec<Arc<RoadNetwork>> = Vec::new();
        for n in networks {
            by_mode.retain(|m| m.mode() != n.mode());
            by_mode.push(Arc::new(n));
        }
        self.networks.store(Arc::new(by_mode));
    }

    /// The last change-log entry the index holds.
    #[must_use]
    pub fn applied_change_seq(&self) -> ChangeSeq {
        self.applied_seq.load(Ordering::Acquire)
    }

    /// Whether the last attempt to follow the change log reached the database.
    #[must_use]
    pub fn is_following(&self) -> bool {
        self.following.load(Ordering::Relaxed)
    }

    /// Applies to the index every change committed to the store since the last one applied (by any
    /// server sharing the database): each named station is re-read (`None` means deleted). Far
    /// behind, it reloads every station instead. Returns how many changes it applied.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be read; the index then keeps its last state and the
    /// next call resumes from the same position.
    pub async fn catch_up(&self) -> Result<usize, StoreError> {
        let _guard = self.write_lock.lock().await;
        let mut after = self.applied_change_seq();
        let last = self.store.last_change_seq().await?;
        if last <= after {
            return Ok(0);
        }
        if last - after > RELOAD_AFTER_CHANGES {
            let stations = self.store.load_all().await?;
            self.index.store(Arc::new(StationIndex::build(stations)));
            self.applied_seq.store(last, Ordering::Release);
            return Ok(usize::try_from(last - after).unwrap_or(usize::MAX));
        }
        let mut applied = 0;
        loop {
            let page = self.store.changes_since(after, CHANGE_PAGE).await?;
            let Some(end) = page.last().map(|c| c.seq) else { break };
            let ids: BTreeSet<StationId> = page.iter().map(|c| c.station_id).collect();
            let mut upserts = Vec::new();
            let mut deletes = Vec::new();
            for id in ids {
                match self.store.get(id).await? {
                    Some(station) => upserts.push(station),
                    None => deletes.push(id),
                }
            }
            self.publish(upserts, &deletes);
            applied += page.len();
            after = end;
            self.applied_seq.store(end, Ordering::Release);
        }
        Ok(applied)
    }

    /// Change-log entries committed but not yet applied to this server's index; `None` when
    /// storage does not answer.
    pub async fn follower_lag(&self) -> Option<i64> {
        let last = self.store.last_change_seq().await.ok()?;
        Some((last - self.applied_change_seq()).max(0))
    }

    /// The gauges `GET /metrics` reports, read now; `plan_jobs` is the plan job registry's size.
    pub async fn gauges(&self, plan_jobs: usize) -> crate::metrics::Gauges {
        crate::metrics::Gauges {
            pool_waiting: self.work.waiting(),
            pool_running: self.work.running(),
            pool_workers: self.work.config().workers,
            index_stations: self.index().len(),
            plan_jobs,
            follower_lag: self.follower_lag().await,
            following: self.is_following(),
        }
    }

    /// Starts a task that keeps the index in step with the change log: woken by change
    /// notifications (PostgreSQL) and every 0.5 s. It reconnects after the database comes back
    /// and ends when the state is dropped.
    pub fn spawn_follower(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut listener = None;
            loop {
                let Some(state) = weak.upgrade() else { return };
                if listener.is_none() {
                    listener = state.store.change_listener().await.ok().flatten();
                }
                drop(state);
                match listener.as_mut() {
                    Some(l) => match tokio::time::timeout(POLL_INTERVAL, l.recv()).await {
                        Ok(Ok(())) | Err(_) => {}
                        Ok(Err(_)) => listener = None,
                    },
                    None => tokio::time::sleep(POLL_INTERVAL).await,
                }
                let Some(state) = weak.upgrade() else { return };
                match state.catch_up().await {
                    Ok(n) => {
                        if !state.following.swap(true, Ordering::Relaxed) {
                            tracing::info!("change log reachable again; caught up");
                        }
                        if n > 0 {
                            tracing::debug!(changes = n, "applied changes from the change log");
                        }
                    }
                    Err(e) => {
                        if state.following.swap(false, Ordering::Relaxed) {
                            tracing::warn!(error = %e, "cannot follow the change log; serving the last index");
                        }
                        listener = None;
                    }
                }
            }
        })
    }

    /// The current snapshot. Hold it for the whole of one request so the request sees one state.
    #[must_use]
    pub fn index(&self) -> Arc<StationIndex> {
        self.index.load_full()
    }

    /// The cache of verified API tokens.
    #[must_use]
    pub fn token_cache(&self) -> &TokenCache {
        &self.tokens
    }

    /// Validates and stores a new station, then publishes it to the index. Audited as the server
    /// itself ([`AuditContext::system`]); see [`Self::create_station_as`].
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn create_station(&self, data: StationData) -> Result<Station, WriteError> {
        self.create_station_as(&AuditContext::system(), data).await
    }

    /// [`Self::create_station`] on behalf of `ctx`, recorded in the audit log.
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn create_station_as(&self, ctx: &AuditContext, mut data: StationData) -> Result<Station, WriteError> {
        data.normalize_and_validate().map_err(WriteError::Invalid)?;
        let _guard = self.write_lock.lock().await;
        let station = self.store.create_audited(data, ctx).await?;
        self.publish(vec![station.clone()], &[]);
        Ok(station)
    }

    /// Validates and replaces a station's data, then publishes the change. Audited as the server
    /// itself; see [`Self::update_station_as`].
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn update_station(&self, id: StationId, data: StationData) -> Result<Station, WriteError> {
        self.update_station_as(&AuditContext::system(), id, data).await
    }

    /// [`Self::update_station`] on behalf of `ctx`, recorded in the audit log (before and after).
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn update_station_as(
        &self,
        ctx: &AuditContext,
        id: StationId,
        mut data: StationData,
    ) -> Result<Station, WriteError> {
        data.normalize_and_validate().map_err(WriteError::Invalid)?;
        let _guard = self.write_lock.lock().await;
        let station = self.store.update_audited(id, data, ctx).await?;
        self.publish(vec![station.clone()], &[]);
        Ok(station)
    }

    /// Marks station `id` verified on `date` (its other fields unchanged) on behalf of `ctx`,
    /// audited as `station.verify`, then publishes it.
    ///
    /// # Errors
    /// [`WriteError`]: not found, storage.
    pub async fn verify_station_as(
        &self,
        ctx: &AuditContext,
        id: StationId,
        date: chrono::NaiveDate,
    ) -> Result<Station, WriteError> {
        let _guard = self.write_lock.lock().await;
        let mut data = match self.store.get(id).await? {
            Some(s) => s.data,
            None => return Err(WriteError::Store(yizhan_store::StoreError::NotFound(id))),
        };
        data.verified_on = Some(date);
        let station = self.store.update_audited_as(id, data, ctx, "station.verify").await?;
        self.publish(vec![station.clone()], &[]);
        Ok(station)
    }

    /// Answers rider report `id` on behalf of `ctx`; a fix to the report's station (in
    /// `answer.station`, validated here) is written in the same transaction and then published.
    /// `None` when no report has this id.
    ///
    /// # Errors
    /// [`WriteError`]: the station's data is invalid, or storage refused.
    pub async fn answer_report_as(
        &self,
        ctx: &AuditContext,
        id: i64,
        mut answer: yizhan_store::reports::ReportAnswer,
    ) -> Result<Option<yizhan_store::reports::ReportRecord>, WriteError> {
        if let Some(data) = answer.station.as_mut() {
            data.normalize_and_validate().map_err(WriteError::Invalid)?;
        }
        let _guard = self.write_lock.lock().await;
        let Some((report, station)) = self.store.answer_report(id, &answer, ctx).await? else { return Ok(None) };
        if let Some(station) = station {
            self.publish(vec![station], &[]);
        }
        Ok(Some(report))
    }

    /// Deletes a station, then publishes the removal. Returns what was deleted. Audited as the
    /// server itself; see [`Self::delete_station_as`].
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn delete_station(&self, id: StationId) -> Result<Station, WriteError> {
        self.delete_station_as(&AuditContext::system(), id).await
    }

    /// [`Self::delete_station`] on behalf of `ctx`, recorded in the audit log.
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn delete_station_as(&self, ctx: &AuditContext, id: StationId) -> Result<Station, WriteError> {
        let _guard = self.write_lock.lock().await;
        let station = self.store.delete_audited(id, ctx).await?;
        self.publish(Vec::new(), &[id]);
        Ok(station)
    }

    /// Imports already parsed and validated rows in one transaction, then publishes them all at
    /// once. Audited as the server itself; see [`Self::import_stations_as`].
    ///
    /// # Errors
    /// [`WriteError`]; on error nothing is stored and the index is unchanged.
    pub async fn import_stations(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportOutcome, WriteError> {
        self.import_stations_as(&AuditContext::system(), rows, progress).await
    }

    /// [`Self::import_stations`] on behalf of `ctx`, recorded in the audit log (one entry: counts
    /// and ids).
    ///
    /// Once the transaction has committed, the answer is the committed outcome: the new snapshot
    /// is built from the stations the transaction wrote, without reading the store again.
    ///
    /// # Errors
    /// [`WriteError`]; on error nothing is stored and the index is unchanged.
    pub async fn import_stations_as(
        &self,
        ctx: &AuditContext,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportOutcome, WriteError> {
        let _guard = self.write_lock.lock().await;
        let outcome = self.store.import_audited(rows, progress, ctx).await?;
        self.publish_committed(&outcome);
        Ok(outcome)
    }

    /// Saves a finished plan's sites as scenario `name` of plan `plan_id`: validates `rows`, then
    /// stores them as stations (upserted as an import does), the scenario with their ids and the
    /// audit entries on behalf of `ctx`, all in one transaction
    /// ([`Store::create_scenario_audited`]), and publishes the stations. Returns `None`, having
    /// written nothing, when a scenario of this name exists.
    ///
    /// # Errors
    /// [`WriteError`]; on error nothing is stored and the index is unchanged.
    pub async fn create_scenario_as(
        &self,
        ctx: &AuditContext,
        name: &str,
        plan_id: &str,
        mut rows: Vec<StationData>,
    ) -> Result<Option<CreatedScenario>, WriteError> {
        for row in &mut rows {
            row.normalize_and_validate().map_err(WriteError::Invalid)?;
        }
        let _guard = self.write_lock.lock().await;
        let created = self.store.create_scenario_audited(name, plan_id, rows, ctx).await?;
        if let Some(c) = &created {
            self.publish_committed(&c.stations);
        }
        Ok(created)
    }

    /// Publishes what a committed import wrote, from its outcome (never failing: the store is not
    /// read). A large change is rebuilt in bulk by [`StationIndex::with_changes`]. When nothing
    /// else entered the change log between the entries the index holds and the import's own, the
    /// index now holds the import's entries too; otherwise the follower applies the others (and
    /// the import's again, harmlessly) from the log.
    fn publish_committed(&self, outcome: &ImportOutcome) {
        let upserts: Vec<Station> = outcome.created.iter().chain(&outcome.updated).cloned().collect();
        if upserts.is_empty() {
            return;
        }
        self.publish(upserts, &[]);
        let (before, last) = outcome.log;
        let _ = self.applied_seq.compare_exchange(before, last, Ordering::AcqRel, Ordering::Acquire);
    }

    fn publish(&self, upserts: Vec<Station>, deletes: &[StationId]) {
        let next = self.index.load().with_changes(upserts, deletes);
        self.index.store(Arc::new(next));
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;

//! The application state shared by every request: storage, the in-memory index snapshot, and the
//! write path that keeps the two in step.
//!
//! Invariant: the snapshot in [`AppState::index`] always equals the committed contents of the
//! store. Writes are serialised by one async mutex; each write commits its transaction first and
//! then swaps in a new snapshot, so readers see either the state before or after a whole write
//! (an import of 100 000 rows included), never a part of it.

use crate::config::Config;
use crate::store::{ImportOutcome, Store, StoreError};
use arc_swap::ArcSwap;
use std::sync::Arc;
use tokio::sync::Mutex;
use yizhan_planner::index::StationIndex;
use yizhan_planner::station::{FieldError, Station, StationData, StationId};

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
}

impl AppState {
    /// Builds the state by loading every stored station into a fresh index.
    ///
    /// # Errors
    /// [`StoreError`] when the stations cannot be loaded.
    pub async fn load(store: Store, config: Config) -> Result<Self, StoreError> {
        let stations = store.load_all().await?;
        let index = StationIndex::build(stations);
        Ok(Self { store, config, index: ArcSwap::from_pointee(index), write_lock: Mutex::new(()) })
    }

    /// The current snapshot. Hold it for the whole of one request so the request sees one state.
    #[must_use]
    pub fn index(&self) -> Arc<StationIndex> {
        self.index.load_full()
    }

    /// Validates and stores a new station, then publishes it to the index.
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn create_station(&self, mut data: StationData) -> Result<Station, WriteError> {
        data.normalize_and_validate().map_err(WriteError::Invalid)?;
        let _guard = self.write_lock.lock().await;
        let station = self.store.create(data).await?;
        self.publish(vec![station.clone()], &[]);
        Ok(station)
    }

    /// Validates and replaces a station's data, then publishes the change.
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn update_station(&self, id: StationId, mut data: StationData) -> Result<Station, WriteError> {
        data.normalize_and_validate().map_err(WriteError::Invalid)?;
        let _guard = self.write_lock.lock().await;
        let station = self.store.update(id, data).await?;
        self.publish(vec![station.clone()], &[]);
        Ok(station)
    }

    /// Deletes a station, then publishes the removal. Returns what was deleted.
    ///
    /// # Errors
    /// [`WriteError`].
    pub async fn delete_station(&self, id: StationId) -> Result<Station, WriteError> {
        let _guard = self.write_lock.lock().await;
        let station = self.store.delete(id).await?;
        self.publish(Vec::new(), &[id]);
        Ok(station)
    }

    /// Imports already parsed and validated rows in one transaction, then publishes them all at
    /// once.
    ///
    /// # Errors
    /// [`WriteError`]; on error nothing is stored and the index is unchanged.
    pub async fn import_stations(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportOutcome, WriteError> {
        let _guard = self.write_lock.lock().await;
        let outcome = self.store.import(rows, progress).await?;
        let changed = outcome.created.len() + outcome.updated.len();
        if changed > 0 {
            let current = self.index.load();
            if changed * 4 > current.len() {
                // A large import: a bulk rebuild is faster than incremental inserts.
                let stations = self.store.load_all().await?;
                self.index.store(Arc::new(StationIndex::build(stations)));
            } else {
                let upserts = outcome.created.iter().chain(&outcome.updated).cloned().collect();
                self.publish(upserts, &[]);
            }
        }
        Ok(outcome)
    }

    fn publish(&self, upserts: Vec<Station>, deletes: &[StationId]) {
        let next = self.index.load().with_changes(upserts, deletes);
        self.index.store(Arc::new(next));
    }
}

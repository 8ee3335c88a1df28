//! The embedded SQLite backend: one file under the data directory, WAL mode, migrations in
//! `server/migrations/sqlite/`.

use super::{ImportOutcome, StoreError};
use crate::config::StorageConfig;
use yizhan_planner::station::{Station, StationData, StationId};

/// The embedded store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

impl SqliteStore {
    /// Opens the store and migrates it.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn open(config: &StorageConfig) -> Result<Self, StoreError> {
        let _ = config;
        todo!()
    }

    pub(super) async fn load_all(&self) -> Result<Vec<Station>, StoreError> {
        todo!()
    }
    pub(super) async fn get(&self, id: StationId) -> Result<Option<Station>, StoreError> {
        let _ = id;
        todo!()
    }
    pub(super) async fn count(&self) -> Result<u64, StoreError> {
        todo!()
    }
    pub(super) async fn create(&self, data: StationData) -> Result<Station, StoreError> {
        let _ = data;
        todo!()
    }
    pub(super) async fn update(&self, id: StationId, data: StationData) -> Result<Station, StoreError> {
        let _ = (id, data);
        todo!()
    }
    pub(super) async fn delete(&self, id: StationId) -> Result<Station, StoreError> {
        let _ = id;
        todo!()
    }
    pub(super) async fn import(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportOutcome, StoreError> {
        let _ = (rows, progress);
        todo!()
    }
    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        let _ = &self.pool;
        todo!()
    }
}

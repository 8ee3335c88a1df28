//! Storage of stations behind one interface, [`Store`], with the embedded SQLite backend
//! ([`sqlite`]) as the default. Every write is one transaction.

mod error;
pub mod sqlite;

pub use error::StoreError;

use crate::config::StorageConfig;
use yizhan_planner::station::{Station, StationData, StationId};

/// What an import changed.
#[derive(Debug, Clone, Default)]
pub struct ImportOutcome {
    /// Stations created by the import.
    pub created: Vec<Station>,
    /// Stations that existed (same `source` and `external_id`) and were updated.
    pub updated: Vec<Station>,
}

/// A station store. Cheap to clone (a connection pool inside).
#[derive(Debug, Clone)]
pub enum Store {
    /// The embedded SQLite file store.
    Sqlite(sqlite::SqliteStore),
}

impl Store {
    /// Opens (creating if needed) the store and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be opened or migrated.
    pub async fn open(config: &StorageConfig) -> Result<Self, StoreError> {
        Ok(Store::Sqlite(sqlite::SqliteStore::open(config).await?))
    }

    /// Every station, ordered by id.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn load_all(&self) -> Result<Vec<Station>, StoreError> {
        match self {
            Store::Sqlite(s) => s.load_all().await,
        }
    }

    /// One station.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn get(&self, id: StationId) -> Result<Option<Station>, StoreError> {
        match self {
            Store::Sqlite(s) => s.get(id).await,
        }
    }

    /// Number of stations.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn count(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.count().await,
        }
    }

    /// Stores a new station (already validated) and returns it with id and timestamps.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when its `source` + `external_id` already exist; database failure.
    pub async fn create(&self, data: StationData) -> Result<Station, StoreError> {
        match self {
            Store::Sqlite(s) => s.create(data).await,
        }
    }

    /// Replaces a station's data (already validated); keeps its id and `created_at`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Conflict`]; database failure.
    pub async fn update(&self, id: StationId, data: StationData) -> Result<Station, StoreError> {
        match self {
            Store::Sqlite(s) => s.update(id, data).await,
        }
    }

    /// Deletes a station and returns what it was.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; database failure.
    pub async fn delete(&self, id: StationId) -> Result<Station, StoreError> {
        match self {
            Store::Sqlite(s) => s.delete(id).await,
        }
    }

    /// Imports validated rows in one transaction: a row whose `source` + `external_id` matches a
    /// stored station updates it, any other row creates a station. `progress` is called with the
    /// number of rows written so far.
    ///
    /// # Errors
    /// [`StoreError`]; on any error nothing is written.
    pub async fn import(
        &self,
        rows: Vec<StationData>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportOutcome, StoreError> {
        match self {
            Store::Sqlite(s) => s.import(rows, progress).await,
        }
    }

    /// Checks the database answers.
    ///
    /// # Errors
    /// [`StoreError`] when it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.ping().await,
        }
    }

    /// A short name of the backend: `sqlite`.
    #[must_use]
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
        }
    }
}

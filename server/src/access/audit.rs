//! The audit log: one entry per write (who, when, what, before and after), appended by the store
//! inside the writing transaction, so an entry exists exactly when its write committed.
//!
//! Writers pass an [`AuditContext`] (the principal and the HTTP route, if any) to the audited
//! store methods (`Store::create_audited`, …); a new kind of write appends its own
//! [`AuditRecord`] with the backend's `append_audit` inside its transaction.

use super::{Principal, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use yizhan_planner::station::Station;

/// Who writes, and through which route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// Who.
    pub principal: Principal,
    /// `METHOD /path` of the HTTP request, or `None` (command line, server start-up).
    pub route: Option<String>,
}

impl AuditContext {
    /// A write by `principal` through `route`.
    #[must_use]
    pub fn new(principal: Principal, route: Option<String>) -> Self {
        Self { principal, route }
    }

    /// A write from the command line ([`Principal::cli`]).
    #[must_use]
    pub fn cli() -> Self {
        Self::new(Principal::cli(), None)
    }

    /// A write by the server itself ([`Principal::system`]).
    #[must_use]
    pub fn system() -> Self {
        Self::new(Principal::system(), None)
    }
}

/// What one write did, as the store records it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Operation code: `station.create`, `station.update`, `station.delete`, `station.import`, …
    pub operation: String,
    /// What was written (a station id, a file's source name…), if one thing.
    pub target: Option<String>,
    /// The state before (`None` when there was none).
    pub before: Option<Value>,
    /// The state after (`None` when there is none); an import's summary.
    pub after: Option<Value>,
}

/// Most station ids an import's audit entry lists per kind (created, updated); the counts are
/// always complete.
pub const IMPORT_IDS_LISTED: usize = 1000;

impl AuditRecord {
    /// A station write: `operation`, its id as target, before and after as station JSON.
    #[must_use]
    pub fn station(operation: &str, id: i64, before: Option<&Station>, after: Option<&Station>) -> Self {
        Self {
            operation: operation.to_owned(),
            target: Some(id.to_string()),
            before: before.and_then(|s| serde_json::to_value(s).ok()),
            after: after.and_then(|s| serde_json::to_value(s).ok()),
        }
    }

    /// An import of `rows` rows: the counts and up to [`IMPORT_IDS_LISTED`] ids of each kind.
    #[must_use]
    pub fn import(rows: usize, created: &[i64], updated: &[i64]) -> Self {
        let listed = |ids: &[i64]| ids.iter().take(IMPORT_IDS_LISTED).copied().collect::<Vec<_>>();
        Self {
            operation: "station.import".to_owned(),
            target: None,
            before: None,
            after: Some(serde_json::json!({
                "rows": rows,
                "created": created.len(),
                "updated": updated.len(),
                "created_ids": listed(created),
                "updated_ids": listed(updated),
            })),
        }
    }
}

/// One entry of the audit log, as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the log (grows with every entry).
    pub seq: i64,
    /// When the write happened (UTC).
    pub at: DateTime<Utc>,
    /// Token id, or `config`, `cli`, `system`.
    pub actor_id: String,
    /// The token's name.
    pub actor_name: String,
    /// The role the write was made with.
    pub role: Role,
    /// Operation code (`station.create`…).
    pub operation: String,
    /// `METHOD /path` of the HTTP request, or `null`.
    pub route: Option<String>,
    /// What was written (a station id…), or `null`.
    pub target: Option<String>,
    /// The state before, or `null`.
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The state after (an import's summary), or `null`.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

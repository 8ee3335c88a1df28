//! The audit log: one entry per write (who, when, what, before and after), appended by the store
//! inside the writing transaction, so an entry exists exactly when its write committed.
//!
//! Writers pass an [`AuditContext`] (the principal and the HTTP route, if any) to the audited
//! store methods (`Store::create_audited`, …); a new kind of write appends its own
//! [`AuditRecord`] with the backend's `append_audit` inside its transaction. Binding an entry's
//! values and reading one back are written here once for both backends.

use crate::access::{Principal, Role, TokenRecord};
use crate::columns::{Bind, Columns};
use crate::{DemandInfo, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Database, Encode, Type};
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

impl AuditRecord {
    /// A new token (`token.create`, target its id): `after` is its record (no secret).
    pub(crate) fn token_create(record: &TokenRecord) -> Self {
        Self {
            operation: "token.create".to_owned(),
            target: Some(record.id.clone()),
            before: None,
            after: serde_json::to_value(record).ok(),
        }
    }

    /// A revoked token (`token.revoke`, target its id): its record before and after.
    pub(crate) fn token_revoke(before: &TokenRecord, after: &TokenRecord) -> Self {
        Self {
            operation: "token.revoke".to_owned(),
            target: Some(before.id.clone()),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        }
    }
}

/// One boundary as an import's audit entry describes it: its name, district, city, province and
/// bounding box (not its geometry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundarySummary {
    /// Name, e.g. `兖州区` or `鼓楼街道`.
    pub name: String,
    /// For a street, its district (`None` when unknown; always `None` for a district).
    pub parent: Option<String>,
    /// City (districts only).
    pub city: Option<String>,
    /// Province (districts only).
    pub province: Option<String>,
    /// `[min_lon, min_lat, max_lon, max_lat]`, WGS-84 degrees.
    pub bbox: [f64; 4],
}

impl AuditRecord {
    /// A demand dataset import (`demand.import`, target the dataset's name): `after` is the stored
    /// dataset's summary (name, district, synthetic, point count, total weight, time) with
    /// `replaced` saying whether a dataset of that name existed; `before` that dataset's summary.
    #[must_use]
    pub fn demand_import(after: &DemandInfo, before: Option<&DemandInfo>) -> Self {
        let mut summary = serde_json::to_value(after).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut summary {
            map.insert("replaced".to_owned(), Value::Bool(before.is_some()));
        }
        Self {
            operation: "demand.import".to_owned(),
            target: Some(after.name.clone()),
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: Some(summary),
        }
    }

    /// A boundary import (`district.import` or `street.import` for `level` `district` or
    /// `street`): `after` counts the boundaries written, new and replaced and lists up to
    /// [`IMPORT_IDS_LISTED`] of each; `before` lists the replaced boundaries as they were (`None`
    /// when none was). The target is the district of the streets when they share one, or the
    /// single district imported.
    #[must_use]
    pub fn boundary_import(level: &str, written: &[BoundarySummary], previous: &[BoundarySummary]) -> Self {
        let key = |b: &BoundarySummary| (b.parent.clone(), b.name.clone());
        let replaced: std::collections::HashSet<_> = previous.iter().map(key).collect();
        let mut seen = std::collections::HashSet::new();
        let (mut new, mut again) = (Vec::new(), Vec::new());
        for b in written {
            if seen.insert(key(b)) {
                if replaced.contains(&key(b)) { again.push(b) } else { new.push(b) }
            }
        }
        let names = |list: &[&BoundarySummary]| {
            list.iter().take(IMPORT_IDS_LISTED).map(|b| Value::String(b.name.clone())).collect::<Vec<_>>()
        };
        let target = match level {
            "street" => {
                let first = written.first().and_then(|b| b.parent.clone());
                first.filter(|p| written.iter().all(|b| b.parent.as_ref() == Some(p)))
            }
            _ => match written {
                [one] => Some(one.name.clone()),
                _ => None,
            },
        };
        Self {
            operation: format!("{level}.import"),
            target,
            before: (!previous.is_empty()).then(|| {
                serde_json::json!({
                    "count": previous.len(),
                    "boundaries": previous.iter().take(IMPORT_IDS_LISTED).collect::<Vec<_>>(),
                })
            }),
            after: Some(serde_json::json!({
                "level": level,
                "count": written.len(),
                "created": new.len(),
                "replaced": again.len(),
                "created_names": names(&new),
                "replaced_names": names(&again),
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

/// Binds an entry's values after its time, in the order of the `audit_log` columns `actor_id`,
/// `actor_name`, `role`, `operation`, `route`, `target`, `before`, `after` (the last two as JSON
/// text).
pub(crate) fn bind_entry<'q, DB, Q>(q: Q, ctx: &'q AuditContext, rec: &'q AuditRecord) -> Q
where
    DB: Database,
    Q: Bind<'q, DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    Option<String>: Encode<'q, DB> + Type<DB>,
{
    q.value(ctx.principal.id.as_str())
        .value(ctx.principal.name.as_str())
        .value(ctx.principal.role.code())
        .value(rec.operation.as_str())
        .value(ctx.route.as_deref())
        .value(rec.target.as_deref())
        .value(rec.before.as_ref().map(ToString::to_string))
        .value(rec.after.as_ref().map(ToString::to_string))
}

/// Reads one entry selected as `seq, at, actor_id, actor_name, role, operation, route, target,
/// before, after` (`before` and `after` as JSON text).
///
/// # Errors
/// [`StoreError::CorruptRecord`] for an unknown role, JSON or a time that does not read back.
pub(crate) fn decode_entry(r: &impl Columns) -> Result<AuditEntry, StoreError> {
    const TABLE: &str = "audit_log";
    let seq = r.int(0)?;
    let role = r.text(4)?;
    let role = Role::from_code(role)
        .ok_or_else(|| StoreError::corrupt_record(TABLE, format!("entry {seq}: role {role:?}")))?;
    let json = |i: usize| -> Result<Option<Value>, StoreError> {
        r.opt_text(i)?
            .map(|t| {
                serde_json::from_str(t).map_err(|e| StoreError::corrupt_record(TABLE, format!("entry {seq}: {e}")))
            })
            .transpose()
    };
    Ok(AuditEntry {
        seq,
        at: r.timestamp(1, &StoreError::bad_record_time(TABLE, "at"))?,
        actor_id: r.string(2)?,
        actor_name: r.string(3)?,
        role,
        operation: r.string(5)?,
        route: r.opt_string(6)?,
        target: r.opt_string(7)?,
        before: json(8)?,
        after: json(9)?,
    })
}

/// Which audit entries to read, and in which order. Every filter given must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only entries written at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries written before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only entries of this actor (a token id, `config`, `cli`, `system`).
    pub actor: Option<String>,
    /// Only entries of this operation code (`station.update`…).
    pub operation: Option<String>,
    /// Only entries about this target (a station id…).
    pub target: Option<String>,
    /// Only entries before this position in the log (paging newest first).
    pub before_seq: Option<i64>,
    /// Only entries after this position in the log (paging oldest first).
    pub after_seq: Option<i64>,
    /// Newest first instead of oldest first.
    pub newest_first: bool,
    /// Most entries answered.
    pub limit: u32,
}

impl AuditQuery {
    /// Every entry, oldest first, at most `limit`.
    #[must_use]
    pub fn all(limit: u32) -> Self {
        Self {
            since: None,
            until: None,
            actor: None,
            operation: None,
            target: None,
            before_seq: None,
            after_seq: None,
            newest_first: false,
            limit,
        }
    }

    /// `ASC` or `DESC`, for the SQL of either backend.
    pub(crate) fn direction(&self) -> &'static str {
        if self.newest_first { "DESC" } else { "ASC" }
    }
}

impl AuditRecord {
    /// An editor's answer to a rider report: `report.<status>` (`report.acknowledged`,
    /// `report.resolved`, `report.rejected`, `report.new`), the report id as target, before and
    /// after as report JSON.
    #[must_use]
    pub fn report(before: &crate::reports::ReportRecord, after: &crate::reports::ReportRecord) -> Self {
        Self {
            operation: format!("report.{}", after.status.code()),
            target: Some(after.id.to_string()),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        }
    }
}

//! The storage suite for tokens and the audit log, run on every backend (SQLite in
//! `sqlite_tests.rs`, PostGIS in `postgres_tests.rs`).
#![allow(clippy::unwrap_used)]

use crate::access::audit::{AuditContext, AuditEntry};
use crate::access::{self, Principal, Role};
use crate::store::suite::{generated, minimal_station};
use crate::store::{Store, StoreError};
use serde_json::Value;

fn editor_ctx() -> AuditContext {
    AuditContext::new(
        Principal { id: "0123456789ab".to_owned(), name: "编辑甲".to_owned(), role: Role::Editor },
        Some("PUT /api/v1/stations/1".to_owned()),
    )
}

fn ops(entries: &[AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.operation.as_str()).collect()
}

/// Tokens: stored, read back exactly, listed oldest first, used, revoked once, and every
/// creation and revocation audited with before and after (never the secret hash).
pub(crate) async fn tokens_round_trip(store: &Store) {
    assert!(!store.has_active_tokens().await.unwrap());
    assert_eq!(store.token("000000000000").await.unwrap(), None);
    let a = access::issue("区管理员", Role::Admin).unwrap();
    let e = access::issue("editor", Role::Editor).unwrap();
    store.add_token(&a.stored, &AuditContext::cli()).await.unwrap();
    store.add_token(&e.stored, &AuditContext::cli()).await.unwrap();
    // The same id twice is refused.
    assert!(store.add_token(&a.stored, &AuditContext::cli()).await.is_err());
    assert!(store.has_active_tokens().await.unwrap());
    assert_eq!(store.token(&a.stored.record.id).await.unwrap().as_ref(), Some(&a.stored));
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed, vec![a.stored.record.clone(), e.stored.record.clone()]);

    let used = crate::store::now_micros();
    store.touch_token(&e.stored.record.id, used).await.unwrap();
    assert_eq!(store.token(&e.stored.record.id).await.unwrap().unwrap().record.last_used_at, Some(used));

    assert!(store.revoke_token(&e.stored.record.id, &AuditContext::cli()).await.unwrap());
    assert!(!store.revoke_token(&e.stored.record.id, &AuditContext::cli()).await.unwrap(), "already revoked");
    assert!(!store.revoke_token("ffffffffffff", &AuditContext::cli()).await.unwrap(), "unknown");
    let revoked = store.token(&e.stored.record.id).await.unwrap().unwrap();
    assert!(revoked.record.revoked_at.is_some_and(|t| t >= used));
    assert_eq!(revoked.secret_hash, e.stored.secret_hash);
    assert!(store.has_active_tokens().await.unwrap(), "the admin token is left");
    assert!(store.revoke_token(&a.stored.record.id, &AuditContext::cli()).await.unwrap());
    assert!(!store.has_active_tokens().await.unwrap());

    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(ops(&log), ["token.create", "token.create", "token.revoke", "token.revoke"]);
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(log[0].target.as_deref(), Some(a.stored.record.id.as_str()));
    assert_eq!(log[0].after.as_ref().unwrap()["name"], "区管理员");
    assert_eq!(log[0].actor_id, "cli");
    assert_eq!(log[2].before.as_ref().unwrap()["revoked_at"], Value::Null);
    assert!(log[2].after.as_ref().unwrap()["revoked_at"].is_string());
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains("argon2"), "no hash in the log");
}

/// Audited station writes: one entry per write with who, route, target, before and after; a
/// refused write leaves no entry; `since` and `limit` page the log.
pub(crate) async fn audited_writes(store: &Store) {
    let ctx = editor_ctx();
    let created = store.create_audited(minimal_station(), &ctx).await.unwrap();
    let mut changed = minimal_station();
    changed.name = "换电柜（二号）".to_owned();
    let updated = store.update_audited(created.id, changed.clone(), &ctx).await.unwrap();
    // Refused writes: nothing recorded.
    assert!(matches!(store.update_audited(created.id + 1000, changed, &ctx).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.delete_audited(created.id + 1000, &ctx).await, Err(StoreError::NotFound(_))));
    let deleted = store.delete_audited(created.id, &ctx).await.unwrap();
    assert_eq!(deleted.data.name, "换电柜（二号）");
    let rows: Vec<_> = (0..3).map(|i| generated("audit-src", i)).collect();
    let first = store.import_audited(rows.clone(), &|_| {}, &AuditContext::cli()).await.unwrap();
    let second = store.import_audited(rows[..2].to_vec(), &|_| {}, &AuditContext::cli()).await.unwrap();
    assert_eq!((first.created.len(), second.updated.len()), (3, 2));
    // Unaudited writes still work and leave no entry.
    store.create(minimal_station()).await.unwrap();

    let log = store.audit_log(None, 100).await.unwrap();
    assert_eq!(ops(&log), ["station.create", "station.update", "station.delete", "station.import", "station.import"]);
    for e in &log[..3] {
        assert_eq!((e.actor_id.as_str(), e.actor_name.as_str(), e.role), ("0123456789ab", "编辑甲", Role::Editor));
        assert_eq!(e.route.as_deref(), Some("PUT /api/v1/stations/1"));
        assert_eq!(e.target.as_deref(), Some(created.id.to_string().as_str()));
    }
    assert_eq!(log[0].before, None);
    assert_eq!(log[0].after, Some(serde_json::to_value(&created).unwrap()));
    assert_eq!(log[1].before, Some(serde_json::to_value(&created).unwrap()));
    assert_eq!(log[1].after, Some(serde_json::to_value(&updated).unwrap()));
    assert_eq!(log[2].before, Some(serde_json::to_value(&deleted).unwrap()));
    assert_eq!(log[2].after, None);
    assert_eq!(log[1].at, updated.updated_at, "the entry's time is the write's");
    let created_ids: Vec<i64> = first.created.iter().map(|s| s.id).collect();
    let summary = log[3].after.as_ref().unwrap();
    assert_eq!(
        (summary["rows"].as_u64(), summary["created"].as_u64(), summary["updated"].as_u64()),
        (Some(3), Some(3), Some(0))
    );
    assert_eq!(summary["created_ids"], serde_json::json!(created_ids));
    assert_eq!(log[4].after.as_ref().unwrap()["updated_ids"], serde_json::json!(created_ids[..2]));
    assert_eq!((log[3].actor_id.as_str(), log[3].route.as_deref()), ("cli", None));

    // since: from the update on; limit: the first n.
    let since = store.audit_log(Some(log[1].at), 100).await.unwrap();
    assert_eq!(since.first().map(|e| e.seq), Some(log[1].seq));
    assert_eq!(since.len(), log.len() - 1);
    assert_eq!(store.audit_log(None, 2).await.unwrap(), log[..2].to_vec());
    let future = log[4].at + chrono::Duration::seconds(1);
    assert!(store.audit_log(Some(future), 100).await.unwrap().is_empty());
}

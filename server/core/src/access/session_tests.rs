#![allow(clippy::unwrap_used)]

use super::*;
use crate::access::{self, Role, audit::AuditContext};
use chrono::Duration;

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::config::StorageConfig::Embedded { data_dir: dir.path().join("data") };
    let store = Store::open(&config).await.unwrap();
    (dir, store)
}

#[test]
fn hashes_are_sha256_and_csrf_tokens_are_not_the_store_key() {
    // FIPS 180-2's test vector for "abc".
    assert_eq!(session_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    let a = "0".repeat(64);
    let b = format!("1{}", "0".repeat(63));
    assert_eq!(csrf_token(&a).len(), 32);
    assert_ne!(csrf_token(&a), csrf_token(&b));
    assert!(!session_hash(&a).starts_with(&csrf_token(&a)));
    assert!(is_secret(&a));
    for bad in ["", "abc", &"0".repeat(63), &"0".repeat(65), &"A".repeat(64), &"令".repeat(16)] {
        assert!(!is_secret(bad), "{bad:?}");
    }
}

#[tokio::test]
async fn a_session_lives_until_it_is_closed_expires_or_its_token_is_revoked() {
    let (_dir, store) = store().await;
    let issued = access::issue("街道办 张三", Role::Editor).unwrap();
    store.add_token(&issued.stored, &AuditContext::cli()).await.unwrap();
    let principal =
        Principal { id: issued.stored.record.id.clone(), name: "街道办 张三".into(), role: Role::Editor };
    let now = yizhan_store::now_micros();

    let opened = open(&store, principal.clone(), 3600, now).await.unwrap();
    assert!(is_secret(&opened.secret));
    assert_eq!(opened.expires_at, now + Duration::seconds(3600));
    let live = resolve(&store, &opened.secret, false, now).await.unwrap().unwrap();
    assert_eq!(live.principal, principal);
    assert_eq!(live.expires_at, opened.expires_at);
    // Not after it expires, and not with a secret one digit off.
    assert!(resolve(&store, &opened.secret, false, now + Duration::seconds(3600)).await.unwrap().is_none());
    let mut other = opened.secret.clone().into_bytes();
    other[0] = if other[0] == b'0' { b'1' } else { b'0' };
    assert!(resolve(&store, std::str::from_utf8(&other).unwrap(), false, now).await.unwrap().is_none());

    // Closing ends it; closing twice does nothing.
    assert!(close(&store, &opened.secret, now).await.unwrap());
    assert!(!close(&store, &opened.secret, now).await.unwrap());
    assert!(resolve(&store, &opened.secret, false, now).await.unwrap().is_none());

    // Revoking the token ends every session opened with it, at once.
    let s1 = open(&store, principal.clone(), 3600, now).await.unwrap();
    let s2 = open(&store, principal.clone(), 3600, now).await.unwrap();
    assert_ne!(s1.secret, s2.secret);
    assert!(resolve(&store, &s1.secret, false, now).await.unwrap().is_some());
    assert!(store.revoke_token(&principal.id, &AuditContext::cli()).await.unwrap());
    assert!(resolve(&store, &s1.secret, false, now).await.unwrap().is_none());
    assert!(resolve(&store, &s2.secret, false, now).await.unwrap().is_none());
}

#[tokio::test]
async fn bootstrap_sessions_need_the_configured_token_and_unknown_tokens_none() {
    let (_dir, store) = store().await;
    let now = yizhan_store::now_micros();
    let s = open(&store, Principal::bootstrap(), 60, now).await.unwrap();
    assert_eq!(resolve(&store, &s.secret, true, now).await.unwrap().unwrap().principal, Principal::bootstrap());
    assert!(resolve(&store, &s.secret, false, now).await.unwrap().is_none());
    // A session naming a token that is not stored is not live.
    let ghost = Principal { id: "0123456789ab".into(), name: "ghost".into(), role: Role::Admin };
    let g = open(&store, ghost, 60, now).await.unwrap();
    assert!(resolve(&store, &g.secret, true, now).await.unwrap().is_none());
}

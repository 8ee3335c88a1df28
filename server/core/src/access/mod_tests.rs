#![allow(clippy::unwrap_used)]

use super::*;
use std::time::Duration;

#[test]
fn issued_tokens_parse_and_verify() {
    let issued = issue("  骑手站点编辑 ", Role::Editor).unwrap();
    let (id, secret) = parse_token(&issued.token).unwrap();
    assert_eq!(id, issued.stored.record.id);
    assert_eq!(issued.stored.record.name, "骑手站点编辑");
    assert_eq!(issued.token.len(), 3 + 12 + 1 + 40);
    assert!(issued.stored.secret_hash.starts_with("$argon2id$"), "{}", issued.stored.secret_hash);
    assert!(!issued.stored.secret_hash.contains(secret), "the secret is not stored in clear");
    assert!(verify_secret(secret, &issued.stored.secret_hash));
    // One changed digit fails.
    let mut wrong = secret.to_owned().into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    assert!(!verify_secret(std::str::from_utf8(&wrong).unwrap(), &issued.stored.secret_hash));
    assert!(!verify_secret(secret, "not a phc string"));
    // Two tokens never share id or secret.
    let other = issue("b", Role::Admin).unwrap();
    assert_ne!(other.stored.record.id, issued.stored.record.id);
    assert_ne!(other.token, issued.token);
}

#[test]
fn malformed_tokens_do_not_parse() {
    let good = format!("yz_{}_{}", "a".repeat(12), "0".repeat(40));
    assert!(parse_token(&good).is_some());
    for bad in [
        String::new(),
        "yz_".to_owned(),
        format!("yz_{}_{}", "a".repeat(11), "0".repeat(40)),
        format!("yz_{}_{}", "a".repeat(12), "0".repeat(41)),
        format!("yz_{}_{}", "A".repeat(12), "0".repeat(40)),
        format!("YZ_{}_{}", "a".repeat(12), "0".repeat(40)),
        format!("yz_{}-{}", "a".repeat(12), "0".repeat(40)),
        format!("yz_{}_{}_", "a".repeat(12), "0".repeat(40)),
        format!("yz_{}_{}", "令".repeat(4), "0".repeat(40)),
    ] {
        assert_eq!(parse_token(&bad), None, "{bad:?}");
    }
}

#[test]
fn names_and_roles_are_checked() {
    assert!(matches!(issue("   ", Role::Editor), Err(AccessError::InvalidName)));
    assert!(matches!(issue(&"名".repeat(101), Role::Editor), Err(AccessError::InvalidName)));
    assert!(issue(&"名".repeat(100), Role::Editor).is_ok());
    assert_eq!("admin".parse::<Role>().unwrap(), Role::Admin);
    assert_eq!("editor".parse::<Role>().unwrap(), Role::Editor);
    assert!("root".parse::<Role>().is_err());
    assert!(Role::Admin.includes(Role::Editor));
    assert!(Role::Admin.includes(Role::Admin));
    assert!(!Role::Editor.includes(Role::Admin));
}

#[test]
fn cache_expires_and_forgets_revoked_ids() {
    let cache = TokenCache::new(Duration::from_millis(200));
    cache.insert("yz_tok1", "id1", "hash1");
    cache.insert("yz_tok2", "id2", "hash2");
    assert!(cache.is_fresh("yz_tok1", "id1", "hash1"));
    // A different token text, id or stored hash is not a hit.
    assert!(!cache.is_fresh("yz_tok1x", "id1", "hash1"));
    assert!(!cache.is_fresh("yz_tok1", "id2", "hash1"));
    assert!(!cache.is_fresh("yz_tok1", "id1", "rehashed"));
    cache.remove_id("id1");
    assert!(!cache.is_fresh("yz_tok1", "id1", "hash1"));
    assert!(cache.is_fresh("yz_tok2", "id2", "hash2"));
    assert_eq!(cache.len(), 1);
    std::thread::sleep(Duration::from_millis(250));
    assert!(!cache.is_fresh("yz_tok2", "id2", "hash2"), "expired");
}

#[test]
fn the_dummy_hash_has_the_issued_tokens_parameters() {
    let issued = issue("x", Role::Editor).unwrap();
    let real = PasswordHash::new(&issued.stored.secret_hash).unwrap();
    let dummy = PasswordHash::new(dummy_hash()).unwrap();
    assert_eq!(dummy.algorithm, real.algorithm);
    assert_eq!(dummy.version, real.version);
    assert_eq!(dummy.params, real.params, "same memory, time and parallelism costs");
    assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
    assert_eq!(dummy_hash(), dummy_hash(), "computed once");
    assert!(!verify_secret(parse_token(&issued.token).unwrap().1, dummy_hash()));
}

/// Refusing an unknown id, a wrong secret or a revoked token each runs exactly one argon2
/// verification; a malformed token (nothing secret in it) and a cached success run none.
#[tokio::test]
async fn unknown_and_revoked_ids_cost_one_verification_like_a_wrong_secret() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::config::StorageConfig::Embedded { data_dir: dir.path().join("data") };
    let store = Store::open(&config).await.unwrap();
    let issued = issue("编辑", Role::Editor).unwrap();
    let ctx = audit::AuditContext::cli();
    store.add_token(&issued.stored, &ctx).await.unwrap();
    let (id, secret) = parse_token(&issued.token).unwrap();
    let cache = TokenCache::default();

    let unknown = format!("yz_{}_{secret}", if id == "000000000000" { "111111111111" } else { "000000000000" });
    assert_eq!(authenticate(&store, &cache, &unknown).await.unwrap(), None);
    assert_eq!(cache.verifications(), 1, "an unknown id runs argon2 against the dummy hash");
    let mut wrong = secret.to_owned().into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let wrong = format!("yz_{id}_{}", std::str::from_utf8(&wrong).unwrap());
    assert_eq!(authenticate(&store, &cache, &wrong).await.unwrap(), None);
    assert_eq!(cache.verifications(), 2);
    assert_eq!(authenticate(&store, &cache, "yz_not-a-token").await.unwrap(), None);
    assert_eq!(cache.verifications(), 2, "a malformed token is refused without argon2");

    let who = authenticate(&store, &cache, &issued.token).await.unwrap().unwrap();
    assert_eq!((who.id.as_str(), who.role), (id, Role::Editor));
    assert_eq!(cache.verifications(), 3);
    assert!(authenticate(&store, &cache, &issued.token).await.unwrap().is_some());
    assert_eq!(cache.verifications(), 3, "cached");

    assert!(revoke(&store, &cache, id, &ctx).await.unwrap());
    assert_eq!(authenticate(&store, &cache, &issued.token).await.unwrap(), None);
    assert_eq!(cache.verifications(), 4, "a revoked token runs argon2 too");
}

/// Verifications run at most `concurrent` at once: with every slot held, the next one waits
/// [`TokenCache::VERIFY_WAIT`] and is refused as busy without running argon2 (so a flood of
/// well-formed unknown tokens cannot hold more than concurrent × ~19 MiB).
#[tokio::test]
async fn verifications_are_bounded_in_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::config::StorageConfig::Embedded { data_dir: dir.path().join("data") };
    let store = Store::open(&config).await.unwrap();
    let cache = std::sync::Arc::new(TokenCache::with_limit(TokenCache::DEFAULT_TTL, 1));
    let unknown = format!("yz_{}_{}", "0".repeat(12), "1".repeat(40));
    // Occupy the one verification thread until released.
    let gate = yizhan_planner::budget::Budget::new(yizhan_planner::budget::BudgetLimits::default());
    let held = {
        let (cache, gate) = (std::sync::Arc::clone(&cache), gate.clone());
        tokio::spawn(async move {
            cache
                .pool
                .run("hold", gate, |b| {
                    while b.check().is_ok() {
                        std::hint::spin_loop();
                    }
                })
                .await
        })
    };
    while cache.pool.running() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = std::time::Instant::now();
    let refused = authenticate(&store, &cache, &unknown).await.unwrap_err();
    assert!(matches!(refused, AuthenticateError::Busy), "{refused:?}");
    assert!(started.elapsed() >= TokenCache::VERIFY_WAIT);
    assert_eq!(cache.verifications(), 0, "nothing ran");
    gate.cancel();
    held.await.unwrap().unwrap();
    assert_eq!(authenticate(&store, &cache, &unknown).await.unwrap(), None);
    assert_eq!(cache.verifications(), 1);
}

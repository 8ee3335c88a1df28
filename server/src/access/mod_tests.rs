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

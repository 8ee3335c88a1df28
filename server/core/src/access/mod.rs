//! Access control: API tokens with roles, the principal a write acts as, a short-lived cache of
//! verified tokens, and the audit log's records ([`audit`]).
//!
//! A token reads `yz_<id>_<secret>`: `id` is 12 lowercase hex digits stored in clear (the look-up
//! key), `secret` 40 lowercase hex digits (160 random bits) stored only as an argon2id PHC string.
//! Verifying a secret costs tens of milliseconds on purpose, so verified tokens are cached for
//! [`TokenCache::DEFAULT_TTL`] under the SHA-256 of the whole token; the token's row is still read
//! on every request, so a revocation (even by another process) takes effect at once.
//!
//! The single token configured with `--api-token` / `YIZHAN_API_TOKEN` keeps working as an admin
//! bootstrap token ([`Principal::bootstrap`]): use it to create named tokens, then remove it.

pub mod session;

pub use yizhan_store::access::{Principal, Role, StoredToken, TokenRecord, UnknownRole};
pub use yizhan_store::audit;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use yizhan_store::{Store, StoreError};

/// Why a token operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The role is not `editor`, `planner` or `admin`.
    #[error(transparent)]
    UnknownRole(#[from] UnknownRole),
    /// The token name is empty or too long.
    #[error("a token name must have 1 to {MAX_NAME_CHARS} characters")]
    InvalidName,
    /// Hashing the secret failed.
    #[error("cannot hash the token secret: {0}")]
    Hash(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Longest token name, characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Prefix of every issued token.
pub const TOKEN_PREFIX: &str = "yz_";

/// Hex digits of a token id.
const ID_HEX: usize = 12;

/// Hex digits of a token secret (160 bits).
const SECRET_HEX: usize = 40;

/// A newly created token: the full token text is only available here, once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// What is stored.
    pub stored: StoredToken,
    /// `yz_<id>_<secret>`: show it to the user once; it cannot be recovered later.
    pub token: String,
}

/// Creates a token (random id and secret, argon2id hash) without storing it.
///
/// # Errors
/// [`AccessError::InvalidName`]; [`AccessError::Hash`].
pub fn issue(name: &str, role: Role) -> Result<IssuedToken, AccessError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AccessError::InvalidName);
    }
    let mut rng = rand::rng();
    let id = random_hex(&mut rng, ID_HEX);
    let secret = random_hex(&mut rng, SECRET_HEX);
    let secret_hash = hash_secret(&secret)?;
    let record = TokenRecord {
        id: id.clone(),
        name: name.to_owned(),
        role,
        created_at: yizhan_store::now_micros(),
        last_used_at: None,
        revoked_at: None,
    };
    Ok(IssuedToken { stored: StoredToken { record, secret_hash }, token: format!("{TOKEN_PREFIX}{id}_{secret}") })
}

fn random_hex(rng: &mut impl Rng, digits: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..digits).map(|_| char::from(HEX[rng.random_range(0..16)])).collect()
}

fn is_hex(s: &str, digits: usize) -> bool {
    s.len() == digits && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The `(id, secret)` of a token of the form `yz_<id>_<secret>`, or `None`.
#[must_use]
pub fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (is_hex(id, ID_HEX) && is_hex(secret, SECRET_HEX)).then_some((id, secret))
}

/// Whether `id` has the form of a token id (12 lowercase hex digits).
#[must_use]
pub fn is_token_id(id: &str) -> bool {
    is_hex(id, ID_HEX)
}

/// The argon2id PHC string of `secret` (default parameters, random salt).
///
/// # Errors
/// [`AccessError::Hash`].
pub fn hash_secret(secret: &str) -> Result<String, AccessError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccessError::Hash(e.to_string()))
}

/// Whether `secret` matches the PHC string `phc` (constant-time comparison inside argon2). A
/// malformed PHC string matches nothing.
#[must_use]
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}

/// An argon2id PHC string made with the same parameters as every issued token's (it is
/// [`hash_secret`] of a secret nobody holds, computed once). Presenting an unknown or revoked
/// token id runs a verification against it, so that such a request costs what a wrong secret
/// costs and its timing does not tell which ids exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        let mut rng = rand::rng();
        let secret = random_hex(&mut rng, SECRET_HEX);
        // Hashing only fails on invalid parameters; the defaults are valid. Should it ever fail,
        // a PHC string with the default parameters and a fixed salt keeps the cost the same.
        hash_secret(&secret).unwrap_or_else(|_| {
            let p = argon2::Params::default();
            format!(
                "$argon2id$v=19$m={},t={},p={}$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                p.m_cost(),
                p.t_cost(),
                p.p_cost()
            )
        })
    });
    &DUMMY
}

/// Why a token could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthenticateError {
    /// As many verifications as may run at once are running, and none ended within
    /// [`TokenCache::VERIFY_WAIT`]: answered 503 with `Retry-After`.
    #[error("too many token verifications are running; retry in a second")]
    Busy,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Verified tokens, by SHA-256 of the whole token, for a short time; and the bound on argon2
/// verifications running at once (each holds ~19 MiB for tens of milliseconds).
#[derive(Debug)]
pub struct TokenCache {
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], CacheEntry>>,
    verifications: AtomicU64,
    /// Where verifications run: their own small pool of low-priority threads (one per allowed
    /// concurrent verification), so that a flood of tokens neither holds more than that many
    /// × ~19 MiB nor competes with riders for the CPU.
    pool: crate::work::WorkPool,
}

#[derive(Debug, Clone)]
struct CacheEntry {
    token_id: String,
    secret_hash: String,
    verified: Instant,
}

/// Most cached tokens; beyond, expired entries are dropped, then everything.
const CACHE_CAPACITY: usize = 10_000;

impl Default for TokenCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_TTL)
    }
}

impl TokenCache {
    /// How long a verification is trusted: 60 s.
    pub const DEFAULT_TTL: Duration = Duration::from_mins(1);

    /// Verifications running at once by default.
    pub const DEFAULT_CONCURRENT: usize = 2;

    /// Longest wait for a verification slot before [`AuthenticateError::Busy`].
    pub const VERIFY_WAIT: Duration = Duration::from_secs(1);

    /// An empty cache whose entries live `ttl`, running at most
    /// [`TokenCache::DEFAULT_CONCURRENT`] verifications at once. The first cache of the process
    /// also computes [`dummy_hash`], so that the first refused unknown id costs no more than the
    /// next ones.
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        Self::with_limit(ttl, Self::DEFAULT_CONCURRENT)
    }

    /// As [`TokenCache::new`], running at most `concurrent` (≥ 1) verifications at once.
    #[must_use]
    pub fn with_limit(ttl: Duration, concurrent: usize) -> Self {
        let _ = dummy_hash();
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
            verifications: AtomicU64::new(0),
            pool: crate::work::WorkPool::new(crate::config::PoolConfig {
                workers: concurrent.max(1),
                queue: 64,
                queue_timeout: Self::VERIFY_WAIT,
                name: "yizhan-argon2",
                ..crate::config::PoolConfig::default()
            }),
        }
    }

    fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// Whether `token` was verified against `secret_hash` (the stored hash of token `id`) less
    /// than the lifetime ago.
    #[must_use]
    pub fn is_fresh(&self, token: &str, id: &str, secret_hash: &str) -> bool {
        let key = Self::key(token);
        let Ok(entries) = self.entries.lock() else { return false };
        entries
            .get(&key)
            .is_some_and(|e| e.token_id == id && e.secret_hash == secret_hash && e.verified.elapsed() < self.ttl)
    }

    /// Remembers that `token` (id `id`) matched `secret_hash` now.
    pub fn insert(&self, token: &str, id: &str, secret_hash: &str) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= CACHE_CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, e| e.verified.elapsed() < ttl);
            if entries.len() >= CACHE_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            Self::key(token),
            CacheEntry { token_id: id.to_owned(), secret_hash: secret_hash.to_owned(), verified: Instant::now() },
        );
    }

    /// Forgets every verification of token `id` (on revocation).
    pub fn remove_id(&self, id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.token_id != id);
        }
    }

    /// How many argon2 verifications [`authenticate`] ran with this cache (the known, unknown and
    /// revoked ids alike: each costs one).
    #[must_use]
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Runs one argon2 verification of `secret` against `phc` on the verification pool, counted,
    /// when one of its threads frees within [`TokenCache::VERIFY_WAIT`].
    async fn verify(&self, secret: &str, phc: &str) -> Result<bool, AuthenticateError> {
        let (secret, phc) = (secret.to_owned(), phc.to_owned());
        let counter = &self.verifications;
        let ran = self
            .pool
            .run("argon2", yizhan_planner::budget::Budget::unlimited(), move |_| {
                let _running = crate::metrics::argon2_started();
                verify_secret(&secret, &phc)
            })
            .await;
        match ran {
            Ok(ok) => {
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(ok)
            }
            Err(_) => Err(AuthenticateError::Busy),
        }
    }

    /// Number of cached verifications (expired ones included until replaced).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether nothing is cached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The principal a stored token `token` (`yz_<id>_<secret>`) stands for, or `None` when it is not
/// of that form, unknown, revoked or wrong. The token's row is read every time; argon2 runs only
/// when `cache` holds no fresh verification. A successful verification updates `last_used_at`.
///
/// An unknown id is verified against [`dummy_hash`] and a revoked token against its stored hash,
/// the result ignored: refusing them costs one argon2 verification, as refusing a wrong secret
/// does, so the answer's timing does not reveal which ids exist or were revoked.
///
/// # Errors
/// [`AuthenticateError::Store`] when the store cannot be read; [`AuthenticateError::Busy`] when
/// no verification slot freed in time.
pub async fn authenticate(
    store: &Store,
    cache: &TokenCache,
    token: &str,
) -> Result<Option<Principal>, AuthenticateError> {
    let Some((id, secret)) = parse_token(token) else { return Ok(None) };
    let Some(stored) = store.token(id).await? else {
        let _ = cache.verify(secret, dummy_hash()).await?;
        return Ok(None);
    };
    if stored.record.revoked_at.is_some() {
        cache.remove_id(id);
        let _ = cache.verify(secret, &stored.secret_hash).await?;
        return Ok(None);
    }
    let principal =
        Principal { id: stored.record.id.clone(), name: stored.record.name.clone(), role: stored.record.role };
    if cache.is_fresh(token, id, &stored.secret_hash) {
        return Ok(Some(principal));
    }
    let ok = cache.verify(secret, &stored.secret_hash).await?;
    if !ok {
        return Ok(None);
    }
    cache.insert(token, id, &stored.secret_hash);
    if let Err(e) = store.touch_token(id, yizhan_store::now_micros()).await {
        tracing::warn!(error = %e, token = id, "cannot record the token's last use");
    }
    Ok(Some(principal))
}

/// Revokes token `id` in the store on behalf of `ctx` (audited) and forgets its cached
/// verifications. Returns whether a token that was not yet revoked was revoked.
///
/// # Errors
/// [`StoreError`].
pub async fn revoke(
    store: &Store,
    cache: &TokenCache,
    id: &str,
    ctx: &audit::AuditContext,
) -> Result<bool, StoreError> {
    let revoked = store.revoke_token(id, ctx).await?;
    cache.remove_id(id);
    Ok(revoked)
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

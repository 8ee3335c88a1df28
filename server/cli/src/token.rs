//! `yizhan token create|list|revoke`: API tokens with roles, stored hashed in the station store.

use super::StoreArgs;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::io::Write as _;
use yizhan_core::access::audit::AuditContext;
use yizhan_core::access::{self, Role, TokenCache};
use yizhan_store::Store;

/// Flags of `yizhan token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it once (only its argon2 hash is stored).
    Create {
        /// A name saying whose or what the token is (shown in the audit log).
        #[arg(long)]
        name: String,
        /// `editor` (may write stations and imports) or `admin` (also reads the audit log).
        #[arg(long, default_value = "editor")]
        role: Role,
    },
    /// List every token (id, name, role, created, last used, revoked); never the secrets.
    List,
    /// Revoke a token at once, for every server sharing the store.
    Revoke {
        /// The token id (the 12 hex digits after `yz_`).
        id: String,
    },
}

/// Runs `yizhan token …`.
///
/// # Errors
/// A store that cannot be opened, an invalid name, an unknown id.
pub async fn run(a: TokenArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let mut out = std::io::stdout().lock();
    match a.command {
        TokenCommand::Create { name, role } => {
            let issued = tokio::task::spawn_blocking(move || access::issue(&name, role)).await??;
            store.add_token(&issued.stored, &AuditContext::cli()).await.context("cannot store the token")?;
            let r = &issued.stored.record;
            eprintln!("created {} token {:?} (id {}); it is shown only this once:", r.role, r.name, r.id);
            writeln!(out, "{}", issued.token)?;
        }
        TokenCommand::List => {
            writeln!(
                out,
                "{:<12}  {:<6}  {:<20}  {:<20}  {:<20}  name",
                "id", "role", "created", "last used", "revoked"
            )?;
            let fmt = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            };
            for t in store.tokens().await? {
                writeln!(
                    out,
                    "{:<12}  {:<6}  {:<20}  {:<20}  {:<20}  {}",
                    t.id,
                    t.role.code(),
                    fmt(Some(t.created_at)),
                    fmt(t.last_used_at),
                    fmt(t.revoked_at),
                    t.name
                )?;
            }
        }
        TokenCommand::Revoke { id } => {
            let id = id.trim().trim_start_matches(access::TOKEN_PREFIX);
            // A whole token pasted by mistake: take its id.
            let id = id.split('_').next().unwrap_or(id);
            if !access::revoke(&store, &TokenCache::default(), id, &AuditContext::cli()).await? {
                match store.token(id).await? {
                    Some(_) => bail!("token {id} was already revoked"),
                    None => bail!("no token has id {id:?} (see `yizhan token list`)"),
                }
            }
            eprintln!("revoked token {id}");
        }
    }
    Ok(())
}

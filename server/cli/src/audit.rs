//! `yizhan audit`: the audit log of every write, as JSON lines.

use super::StoreArgs;
use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use std::io::Write as _;
use yizhan_store::Store;

/// Flags of `yizhan audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries written at or after this RFC 3339 time (e.g. 2025-03-01T08:00:00Z).
    #[arg(long)]
    since: Option<DateTime<Utc>>,
    /// Most entries printed.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[command(flatten)]
    store: StoreArgs,
}

/// Prints audit entries, oldest first, one JSON object per line (who, when, operation, route,
/// target, before, after).
///
/// # Errors
/// A store that cannot be opened or read.
pub async fn run(a: AuditArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let entries = store.audit_log(a.since, a.limit).await.context("cannot read the audit log")?;
    let mut out = std::io::stdout().lock();
    for e in entries {
        writeln!(out, "{}", serde_json::to_string(&e)?)?;
    }
    Ok(())
}

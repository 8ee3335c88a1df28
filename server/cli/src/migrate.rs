//! `yizhan migrate`: brings the store's schema up to date without starting a server.

use super::StoreArgs;
use anyhow::Context;
use clap::Args;
use yizhan_store::Store;

/// Flags of `yizhan migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    store: StoreArgs,
}

/// Opens the store, which applies every pending migration, and reports how many stations it holds.
///
/// # Errors
/// The store cannot be reached or migrated.
pub async fn run(a: MigrateArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.store.storage()).await.context("cannot open or migrate the station store")?;
    let stations = store.count().await.context("cannot count stations")?;
    eprintln!("{} store is up to date ({stations} stations)", store.backend());
    Ok(())
}

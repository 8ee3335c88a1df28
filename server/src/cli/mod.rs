//! The `yizhan` command line (clap). Every command takes `--data-dir` / `--db`, so it works on the
//! same store as a running server.

mod audit;
mod export;
mod import;
mod migrate;
mod nearest;
mod serve;
mod token;

use crate::config::StorageConfig;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Yizhan (驿站) — find the nearest rest station for delivery riders, couriers and drivers, and
/// plan where the next one should go.
///
/// Start here: `yizhan serve` starts the web map and JSON API on http://127.0.0.1:8080 with the
/// 兖州区 demo data; `yizhan nearest --lon 116.786 --lat 35.553` answers from the command line.
#[derive(Debug, Parser)]
#[command(name = "yizhan", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives; shared by every command.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory of the embedded store (created if missing).
    #[arg(long, env = "YIZHAN_DATA_DIR", default_value = "var", global = true)]
    pub data_dir: PathBuf,
    /// Database URL instead of the embedded store: `sqlite:///srv/yizhan.sqlite3` or
    /// `postgres://user:password@host:5432/yizhan` (PostgreSQL 15 + PostGIS 3).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub db: Option<String>,
}

impl StoreArgs {
    /// The storage configuration these flags select.
    #[must_use]
    pub fn storage(&self) -> StorageConfig {
        match &self.db {
            Some(url) => StorageConfig::Url(url.clone()),
            None => StorageConfig::Embedded { data_dir: self.data_dir.clone() },
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP API and web map (loads the 兖州区 demo data into an empty store).
    Serve(serve::ServeArgs),
    /// Import stations from a CSV or GeoJSON file (all-or-nothing; re-imports update by external id).
    Import(import::ImportArgs),
    /// Export every station as GeoJSON or CSV (UTF-8 with BOM, opens in Excel).
    Export(export::ExportArgs),
    /// Find the stations nearest to a point.
    Nearest(nearest::NearestArgs),
    /// Create or update the database schema (every command also does this when it opens a store).
    Migrate(migrate::MigrateArgs),
    /// Create, list or revoke API tokens (roles editor, admin).
    Token(token::TokenArgs),
    /// Print the audit log of writes (JSON lines, oldest first).
    Audit(audit::AuditArgs),
    /// Regenerate the synthetic 兖州区 demo data set (for maintainers).
    #[command(hide = true)]
    DemoData(export::DemoDataArgs),
}

/// Runs the parsed command line.
///
/// # Errors
/// Whatever the command fails with, as a message for the terminal.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(a) => serve::run(a).await,
        Command::Import(a) => import::run(a).await,
        Command::Export(a) => export::run(a).await,
        Command::Nearest(a) => nearest::run(a).await,
        Command::Migrate(a) => migrate::run(a).await,
        Command::Token(a) => token::run(a).await,
        Command::Audit(a) => audit::run(a).await,
        Command::DemoData(a) => export::demo_data(a),
    }
}

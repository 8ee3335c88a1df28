//! The `yizhan` command line (clap). Every command takes `--data-dir` / `--db`, so it works on the
//! same store as a running server.

mod audit;
mod coverage;
mod export;
mod import;
mod import_demand;
mod import_districts;
mod import_osm;
mod map;
mod migrate;
mod nearest;
mod plan;
mod report;
mod serve;
mod token;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use yizhan_core::config::StorageConfig;

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
    /// Start the HTTP API and web map (loads the demo data into an empty store, and the demo road
    /// network of central Helsinki unless --network names another).
    Serve(serve::ServeArgs),
    /// Import stations from a CSV or GeoJSON file (all-or-nothing; re-imports update by external id).
    Import(import::ImportArgs),
    /// Export every station as GeoJSON or CSV (UTF-8 with BOM, opens in Excel).
    Export(export::ExportArgs),
    /// Build or refresh the cached road graphs of an OpenStreetMap extract (.osm.pbf).
    ImportOsm(import_osm::ImportOsmArgs),
    /// Find the stations nearest to a point.
    Nearest(nearest::NearestArgs),
    /// Coverage of a district by stations within 10/15 minutes, per H3 cell (GeoJSON or CSV).
    Coverage(coverage::CoverageArgs),
    /// Propose new station sites that cover the most demand (or reach a target share).
    Plan(plan::PlanArgs),
    /// Import district or street boundaries from GeoJSON (all-or-nothing).
    ImportDistricts(import_districts::ImportDistrictsArgs),
    /// Import a demand dataset (weighted points) from CSV or GeoJSON (all-or-nothing).
    ImportDemand(import_demand::ImportDemandArgs),
    /// Draw a static map of a district (PNG or SVG): boundary, stations by kind, legend, scale bar.
    Map(map::MapArgs),
    /// Write the printable coverage report of a district (PDF): stations, 10/15-minute coverage,
    /// map, streets, gaps, proposed sites and methods.
    Report(report::ReportArgs),
    /// Create or update the database schema (every command also does this when it opens a store).
    Migrate(migrate::MigrateArgs),
    /// Create, list or revoke API tokens (roles editor, admin).
    Token(token::TokenArgs),
    /// Print the audit log of writes (JSON lines, oldest first).
    Audit(audit::AuditArgs),
    /// Regenerate the synthetic demo data sets, 兖州区 and central Helsinki (for maintainers).
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
        Command::ImportOsm(a) => tokio::task::spawn_blocking(move || import_osm::run(&a)).await?,
        Command::Nearest(a) => nearest::run(a).await,
        Command::Map(a) => map::run(a).await,
        Command::Report(a) => report::run(a).await,
        Command::Migrate(a) => migrate::run(a).await,
        Command::Coverage(a) => coverage::run(a).await,
        Command::Plan(a) => plan::run(a).await,
        Command::ImportDistricts(a) => import_districts::run(a).await,
        Command::ImportDemand(a) => import_demand::run(a).await,
        Command::Token(a) => token::run(a).await,
        Command::Audit(a) => audit::run(a).await,
        Command::DemoData(a) => export::demo_data(a),
    }
}

//! `yizhan import-demand FILE --name NAME [--crs]`: a demand dataset (weighted points) from CSV or
//! GeoJSON, all or nothing.

use super::StoreArgs;
use anyhow::{Context, bail};
use clap::Args;
use std::path::PathBuf;
use yizhan_core::access::audit::AuditContext;
use yizhan_planner::coverage::demand::{DataFormat, parse_demand};
use yizhan_planner::crs::Crs;
use yizhan_store::{DemandDataset, Store};

/// Flags of `yizhan import-demand`.
#[derive(Debug, Args)]
pub struct ImportDemandArgs {
    /// CSV with lon/lat (经度/纬度) and weight (权重) columns, or GeoJSON Point features with a
    /// `weight` property.
    pub file: PathBuf,
    /// The dataset's name (replaces a dataset of the same name).
    #[arg(long)]
    pub name: String,
    /// Coordinate system of the file: wgs84, gcj02 or bd09.
    #[arg(long, default_value = "wgs84")]
    pub crs: Crs,
    /// File format; by default from the extension (.csv, .geojson, .json).
    #[arg(long)]
    pub format: Option<DataFormat>,
    /// The district the data is about.
    #[arg(long)]
    pub district: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// Runs the import.
///
/// # Errors
/// An unreadable or invalid file (every bad row listed), storage failure.
pub async fn run(a: ImportDemandArgs) -> anyhow::Result<()> {
    let name = a.name.trim().to_owned();
    if name.is_empty() || matches!(name.as_str(), "demo" | "uniform") || name.starts_with("demo:") {
        bail!("--name: give a name other than \"demo\", \"uniform\" or \"demo:…\"");
    }
    let bytes = std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let Some(format) = a.format.or_else(|| DataFormat::from_path(&a.file)) else {
        bail!(
            "cannot tell the format of {} from its extension; pass --format csv or --format geojson",
            a.file.display()
        );
    };
    let points = parse_demand(&bytes, format, a.crs)
        .map_err(|e| anyhow::anyhow!("{}: nothing imported.\n{e}", a.file.display()))?;
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let info = store
        .put_demand_audited(
            &DemandDataset {
                name,
                district: a.district,
                synthetic: false,
                points: points.iter().map(|p| [p.pos.lon, p.pos.lat, p.weight]).collect(),
            },
            &AuditContext::cli(),
        )
        .await
        .context("import failed; nothing was stored")?;
    eprintln!("imported demand dataset {:?}: {} points, total weight {}", info.name, info.count, info.total);
    Ok(())
}

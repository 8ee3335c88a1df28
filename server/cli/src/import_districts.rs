//! `yizhan import-districts FILE.geojson [--level district|street --parent NAME]`: district or
//! street boundaries from a GeoJSON FeatureCollection, all or nothing.

use super::StoreArgs;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use yizhan_core::access::audit::AuditContext;
use yizhan_core::analysis::boundary::{first_crossing, validate_shape};
use yizhan_planner::crs::Crs;
use yizhan_planner::district::parse_districts;
use yizhan_store::{Boundary, Store};

/// What the file's features are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    /// Districts and counties (区/县).
    District,
    /// Streets and towns (街道/镇) of one district.
    Street,
}

/// Flags of `yizhan import-districts`.
#[derive(Debug, Args)]
pub struct ImportDistrictsArgs {
    /// A GeoJSON FeatureCollection: one Polygon or MultiPolygon feature per area, with a `name`
    /// property (and `city`, `province` for districts; `district` for streets unless --parent).
    pub file: PathBuf,
    /// Whether the features are districts or streets.
    #[arg(long, value_enum, default_value = "district")]
    pub level: Level,
    /// For streets: the district they belong to (else each feature's `district` property).
    #[arg(long)]
    pub parent: Option<String>,
    /// Coordinate system of the file: wgs84, gcj02 or bd09.
    #[arg(long, default_value = "wgs84")]
    pub crs: Crs,
    #[command(flatten)]
    store: StoreArgs,
}

/// Reads and checks every feature; returns the boundaries (and a warning per boundary whose rings
/// cross: analyses of it are refused until it is fixed) or every problem, one per line.
///
/// # Errors
/// A message listing every bad feature (index and name).
pub fn read_boundaries(
    text: &str,
    level: Level,
    parent: Option<&str>,
    crs: Crs,
) -> anyhow::Result<(Vec<Boundary>, Vec<String>)> {
    let districts = parse_districts(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let raw: serde_json::Value = serde_json::from_str(text)?;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut out = Vec::with_capacity(districts.len());
    for (i, d) in districts.into_iter().enumerate() {
        let feature_parent = raw
            .pointer(&format!("/features/{i}/properties/district"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let polygon = match yizhan_core::analysis::boundary::to_wgs84(&d.boundary, crs) {
            Ok(p) => p,
            Err(e) => {
                problems.push(format!("  features[{i}] ({}): {e}", d.name));
                continue;
            }
        };
        if let Err(e) = validate_shape(&polygon) {
            problems.push(format!("  features[{i}] ({}): {e}", d.name));
            continue;
        }
        if let Some(e) = first_crossing(&polygon) {
            warnings.push(format!("features[{i}] ({}): {e}; analyses of it are refused until it is fixed", d.name));
        }
        let parent = match level {
            Level::District => None,
            Level::Street => {
                if let Some(p) = parent.map(str::to_owned).or(feature_parent) {
                    Some(p)
                } else {
                    problems.push(format!("  features[{i}] ({}): no district: give --parent NAME", d.name));
                    continue;
                }
            }
        };
        out.push(Boundary { name: d.name, parent, city: d.city, province: d.province, polygon });
    }
    if !problems.is_empty() {
        bail!("{} problem(s); nothing imported:\n{}", problems.len(), problems.join("\n"));
    }
    if out.is_empty() {
        bail!("the file has no features; nothing imported");
    }
    Ok((out, warnings))
}

/// Runs the import.
///
/// # Errors
/// An unreadable or invalid file, storage failure.
pub async fn run(a: ImportDistrictsArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let (boundaries, warnings) =
        read_boundaries(&text, a.level, a.parent.as_deref(), a.crs).with_context(|| format!("{}", a.file.display()))?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let n = match a.level {
        Level::District => store.put_districts_audited(&boundaries, &AuditContext::cli()).await,
        Level::Street => store.put_streets_audited(&boundaries, &AuditContext::cli()).await,
    }
    .context("import failed; nothing was stored")?;
    let what = if a.level == Level::District { "districts" } else { "streets" };
    eprintln!("imported {n} {what} from {}", a.file.display());
    Ok(())
}

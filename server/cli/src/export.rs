//! `yizhan export` and the maintainers' `yizhan demo-data`.

use super::StoreArgs;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use yizhan_planner::export::{HeaderLang, to_csv, to_geojson_string};
use yizhan_store::Store;

/// Output format of `yizhan export`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// GeoJSON FeatureCollection, WGS-84.
    Geojson,
    /// CSV, UTF-8 with BOM (opens in Excel).
    Csv,
}

/// Flags of `yizhan export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "geojson")]
    pub format: ExportFormat,
    /// CSV header language.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
}

/// CSV header language.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    /// Chinese headers (名称, 类型, 经度, 纬度…).
    Zh,
    /// English headers (name, kind, lon, lat…).
    En,
}

impl From<Lang> for HeaderLang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Zh => HeaderLang::Zh,
            Lang::En => HeaderLang::En,
        }
    }
}

/// Runs the export.
///
/// # Errors
/// Storage failure or an unwritable output.
pub async fn run(a: ExportArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let stations = store.load_all().await.context("cannot read stations")?;
    let bytes = match a.format {
        ExportFormat::Geojson => to_geojson_string(&stations).into_bytes(),
        ExportFormat::Csv => to_csv(&stations, a.lang.into()),
    };
    write_out(a.out.as_ref(), &bytes)?;
    eprintln!("exported {} stations", stations.len());
    Ok(())
}

fn write_out(out: Option<&PathBuf>, bytes: &[u8]) -> anyhow::Result<()> {
    match out {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("cannot write {}", p.display())),
        None => std::io::stdout().lock().write_all(bytes).context("cannot write to standard output"),
    }
}

/// Flags of `yizhan demo-data`.
#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// Where to write the CSV.
    #[arg(long, default_value = "data/demo/yanzhou-stations.csv")]
    pub out: PathBuf,
    /// Where to write the central-Helsinki CSV.
    #[arg(long, default_value = "data/demo/helsinki-stations.csv")]
    pub helsinki_out: PathBuf,
    /// The generator's seed.
    #[arg(long, default_value_t = yizhan_planner::demo::DEMO_SEED)]
    pub seed: u64,
}

/// Regenerates the demo CSVs (兖州区 and central Helsinki).
///
/// # Errors
/// An unwritable output.
pub fn demo_data(a: DemoDataArgs) -> anyhow::Result<()> {
    let bytes = yizhan_core::demo::generate_csv(a.seed);
    if bytes.is_empty() {
        bail!("the generator produced nothing");
    }
    write_out(Some(&a.out), &bytes)?;
    eprintln!("wrote {}", a.out.display());
    write_out(Some(&a.helsinki_out), &yizhan_core::demo::generate_helsinki_csv(a.seed))?;
    eprintln!("wrote {}", a.helsinki_out.display());
    Ok(())
}

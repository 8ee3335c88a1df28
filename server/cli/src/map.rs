//! `yizhan map`: a static map of a district (PNG or SVG, chosen by the output file's extension),
//! optionally with a saved coverage analysis; the same drawing as
//! `GET /api/v1/maps/district/{name}.png`.

use super::StoreArgs;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use yizhan_publish::maps::{MapFormat, draw, load_inputs};
use yizhan_publish::render::Lang;
use yizhan_store::Store;

/// Language of the map's text.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MapLang {
    /// 简体中文.
    Zh,
    /// English.
    En,
}

/// Flags of `yizhan map`.
#[derive(Debug, Args)]
pub struct MapArgs {
    /// District to draw, e.g. 兖州区.
    #[arg(long)]
    pub district: String,
    /// Output file: `.png` (1200 × 900) or `.svg`.
    #[arg(long, short)]
    pub out: PathBuf,
    /// A saved coverage analysis (`cov_…`) to draw, cells coloured by class.
    #[arg(long)]
    pub coverage: Option<String>,
    /// Language of titles, legend and labels.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: MapLang,
    #[command(flatten)]
    store: StoreArgs,
}

/// Draws the map and writes it.
///
/// # Errors
/// Unknown district, unsupported extension, storage failure, missing font or unwritable output.
pub async fn run(a: MapArgs) -> anyhow::Result<()> {
    let ext = a.out.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let Some(format) = MapFormat::from_extension(ext) else {
        bail!("--out {}: the file name must end in .png or .svg", a.out.display());
    };
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let stations = store.load_all().await.context("cannot read stations")?;
    let lang = match a.lang {
        MapLang::Zh => Lang::Zh,
        MapLang::En => Lang::En,
    };
    let date = chrono::Local::now().date_naive();
    let inputs = load_inputs(&store, &a.district, a.coverage.as_deref()).await?;
    let bytes = draw(&inputs, stations.into_iter().map(Arc::new), lang, date, format)?;
    std::fs::write(&a.out, &bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    eprintln!("wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}

//! `yizhan report`: the printable coverage report of a district as a PDF — the same document as
//! `GET /api/v1/districts/{name}/report.pdf`.

use super::StoreArgs;
use super::coverage::open_state;
use super::map::MapLang;
use anyhow::{Context, bail};
use clap::Args;
use std::path::PathBuf;
use yizhan_publish::render::Lang;
use yizhan_publish::report::{ReportError, ReportOptions, generate};

/// Flags of `yizhan report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The district, e.g. 兖州区.
    #[arg(long)]
    pub district: String,
    /// Output file (`.pdf`).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Language of the report.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: MapLang,
    /// H3 resolution, 7 (about 5 km² cells) to 11 (about 2 000 m²).
    #[arg(long, default_value_t = 9)]
    pub resolution: i64,
    /// Travel mode: walk, ebike or car.
    #[arg(long, default_value = "ebike")]
    pub mode: String,
    /// Number of new sites to propose for the 15-minute target.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=50))]
    pub sites: i64,
    #[command(flatten)]
    store: StoreArgs,
}

/// Makes the report and writes it.
///
/// # Errors
/// Unknown district, a district that cannot be reported on, bad flags, storage failure, missing
/// font or an unwritable output.
pub async fn run(a: ReportArgs) -> anyhow::Result<()> {
    if !a.out.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
        bail!("--out {}: the file name must end in .pdf", a.out.display());
    }
    let state = open_state(&a.store).await?;
    let lang = match a.lang {
        MapLang::Zh => Lang::Zh,
        MapLang::En => Lang::En,
    };
    let date = chrono::Utc::now().with_timezone(&state.config.timezone).date_naive();
    let opts = ReportOptions {
        district: a.district.clone(),
        lang,
        resolution: Some(a.resolution),
        mode: Some(a.mode.clone()),
        sites: Some(a.sites),
        date,
    };
    let bar = super::coverage::spinner("报告 making the report");
    let outcome = generate(&state, &opts).await;
    bar.finish_and_clear();
    let bytes = outcome.map_err(|e| match e.field() {
        Some(f @ ("resolution" | "mode" | "sites")) => anyhow::anyhow!("--{f}: {e}"),
        Some("district") if !matches!(e, ReportError::UnknownDistrict { .. }) => {
            anyhow::anyhow!("--district {}: {e}", a.district)
        }
        _ => anyhow::anyhow!("{e}"),
    })?;
    std::fs::write(&a.out, &bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    eprintln!("wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}

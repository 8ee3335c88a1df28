//! `yizhan import FILE`.

use super::StoreArgs;
use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use yizhan_core::config::Config;
use yizhan_core::state::AppState;
use yizhan_planner::crs::Crs;
use yizhan_planner::import::{EncodingChoice, Format, ImportError, ImportOptions, preview_stations};
use yizhan_planner::station::StationKind;
use yizhan_store::Store;

/// Flags of `yizhan import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV or GeoJSON file.
    pub file: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
    /// Kind of every row that has no kind column: rest_station, caring_merchant, charging_cabinet,
    /// ride_hailing_bay (or 驿站, 爱心商户, 充电换电柜, 网约车临时停靠点).
    #[arg(long)]
    pub kind: Option<StationKind>,
    /// Coordinate system of the file: wgs84 (GPS, OpenStreetMap), gcj02 (Amap, Tencent) or bd09 (Baidu).
    #[arg(long, default_value = "wgs84")]
    pub crs: Crs,
    /// Text encoding: auto (UTF-8 if valid, else GB18030), utf-8, gbk or gb18030.
    #[arg(long, default_value = "auto")]
    pub encoding: EncodingChoice,
    /// File format; by default from the extension (.csv, .geojson, .json, .xlsx, .xls).
    #[arg(long)]
    pub format: Option<Format>,
    /// Workbooks: the worksheet to read (default the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Read and check the file, say what it would store, and store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Source name for rows without a source column (default: the file name). Re-importing with
    /// the same source and external ids updates stations instead of duplicating them.
    #[arg(long)]
    pub source: Option<String>,
}

/// Runs the import.
///
/// # Errors
/// Unreadable file, invalid rows (every one listed with line and column), storage failure.
pub async fn run(a: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let Some(format) = a.format.or_else(|| Format::from_path(&a.file)) else {
        bail!(
            "cannot tell the format of {} from its extension; pass --format csv, geojson, xlsx or xls",
            a.file.display()
        );
    };
    let source = a.source.or_else(|| a.file.file_name().map(|n| n.to_string_lossy().into_owned()));
    let opts = ImportOptions {
        format,
        crs: a.crs,
        encoding: a.encoding,
        default_kind: a.kind,
        source,
        sheet: a.sheet,
        ..ImportOptions::default()
    };
    let preview = match preview_stations(&bytes, &opts) {
        Ok(p) => p,
        Err(e) => bail!("{}: nothing imported.\n{}", a.file.display(), describe(&e)),
    };
    for c in &preview.ignored_columns {
        let at = c.column_number.map(|n| format!(" (column {n})")).unwrap_or_default();
        eprintln!("note: column {:?}{at} names no station field and was not read", c.name);
    }
    if a.dry_run {
        eprintln!(
            "{} (dry run, nothing stored): {} good rows, {} without coordinates, {} problems",
            a.file.display(),
            preview.rows.len(),
            preview.unplaced.len(),
            preview.errors.len() + preview.omitted_errors
        );
        if let Err(e) = preview.into_stations() {
            bail!("{}: would not import.\n{}", a.file.display(), describe(&e));
        }
        return Ok(());
    }
    let rows = match preview.into_stations() {
        Ok(rows) => rows,
        Err(e) => bail!("{}: nothing imported.\n{}", a.file.display(), describe(&e)),
    };
    let store = Store::open(&a.store.storage()).await.context("cannot open the station store")?;
    let config = Config { storage: a.store.storage(), ..Config::default() };
    let state = AppState::load(store, config).await.context("cannot load stations")?;
    let bar = ProgressBar::new(rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} 导入 importing [{bar:40}] {pos}/{len} rows ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let outcome = state
        .import_stations_as(&yizhan_core::access::audit::AuditContext::cli(), rows, &|n| bar.set_position(n as u64))
        .await
        .context("import failed; nothing was stored")?;
    bar.finish_and_clear();
    eprintln!(
        "imported {}: {} created, {} updated; {} stations in the store",
        a.file.display(),
        outcome.created.len(),
        outcome.updated.len(),
        state.index().len()
    );
    Ok(())
}

/// Every problem of a rejected file, one per line.
fn describe(e: &ImportError) -> String {
    match e {
        ImportError::Rows { errors, omitted } => {
            use std::fmt::Write as _;
            let mut s = String::new();
            for r in errors {
                let _ = writeln!(s, "  {r}");
            }
            if *omitted > 0 {
                let _ = writeln!(s, "  … and {omitted} more");
            }
            s
        }
        other => format!("  {other}"),
    }
}

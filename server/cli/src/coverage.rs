//! `yizhan coverage`: the coverage of a district (or a boundary file) by stations, per H3 cell,
//! written as GeoJSON or CSV, with a summary on stdout (`--json`).

use super::StoreArgs;
use super::export::Lang;
use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use yizhan_core::analysis::output::{cells_csv, cells_geojson_text, coverage_summary_json};
use yizhan_core::analysis::{AnalysisError, CoverageRequest, Minutes, Prepared, prepare};
use yizhan_core::config::Config;
use yizhan_core::state::AppState;
use yizhan_planner::coverage::demand::{DataFormat, parse_demand};
use yizhan_planner::crs::Crs;
use yizhan_planner::import::Format;
use yizhan_store::Store;

/// What to analyse: shared by `yizhan coverage` and `yizhan plan`.
#[derive(Debug, Clone, Args)]
pub struct AreaArgs {
    /// A stored district's name, e.g. 兖州区.
    #[arg(long, conflicts_with = "boundary", required_unless_present = "boundary")]
    pub district: Option<String>,
    /// A GeoJSON file holding the area: a Polygon or MultiPolygon geometry, or one Feature.
    #[arg(long)]
    pub boundary: Option<PathBuf>,
    /// Coordinate system of the boundary and demand files: wgs84, gcj02 or bd09.
    #[arg(long, default_value = "wgs84")]
    pub crs: Crs,
    /// Travel mode: walk, ebike or car.
    #[arg(long, default_value = "ebike")]
    pub mode: String,
    /// H3 resolution, 7 (about 5 km² cells) to 11 (about 2 000 m²).
    #[arg(long, default_value_t = 9)]
    pub resolution: i64,
    /// Only stations of this kind count (repeat for several).
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
    /// Only stations with this amenity count (repeat: all are required).
    #[arg(long = "amenity")]
    pub amenities: Vec<String>,
    /// Only stations open at this time count (RFC 3339, e.g. 2026-11-24T22:00:00+08:00).
    #[arg(long)]
    pub open_at: Option<String>,
    /// Demand: a CSV or GeoJSON file of weighted points, a stored dataset's name, `demo` or
    /// `uniform` (default: the district's demo layer if stored, else uniform by area).
    #[arg(long)]
    pub demand: Option<String>,
    /// Also count every planned station.
    #[arg(long)]
    pub include_planned: bool,
    /// Also count this scenario's planned stations.
    #[arg(long)]
    pub scenario: Option<String>,
}

impl AreaArgs {
    /// The request these flags describe (`minutes` given separately); a demand file is read by
    /// [`AreaArgs::prepare`].
    ///
    /// # Errors
    /// An unreadable or non-JSON boundary file.
    pub fn request(&self, minutes: Minutes) -> anyhow::Result<CoverageRequest> {
        let boundary = match &self.boundary {
            None => None,
            Some(path) => {
                let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
                Some(serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", path.display()))?)
            }
        };
        let demand_file = self.demand_file();
        Ok(CoverageRequest {
            district: self.district.clone(),
            boundary,
            crs: Some(self.crs.to_string()),
            resolution: Some(self.resolution),
            minutes: Some(minutes),
            mode: Some(self.mode.clone()),
            kinds: (!self.kinds.is_empty()).then(|| self.kinds.clone()),
            amenities: (!self.amenities.is_empty()).then(|| self.amenities.clone()),
            open_at: self.open_at.clone(),
            demand: if demand_file.is_some() { Some("uniform".to_owned()) } else { self.demand.clone() },
            include_planned: self.include_planned,
            scenario: self.scenario.clone(),
        })
    }

    fn demand_file(&self) -> Option<&Path> {
        self.demand.as_deref().map(Path::new).filter(|p| p.is_file())
    }

    /// Resolves the request against `state` and reads a demand file if one is given.
    ///
    /// # Errors
    /// A bad field (named as in the HTTP API), an unreadable or invalid demand file.
    pub async fn prepare(&self, state: &AppState, req: &CoverageRequest) -> anyhow::Result<Prepared> {
        let mut prepared = prepare(state, req).await.map_err(describe)?;
        self.apply_demand_file(&mut prepared)?;
        Ok(prepared)
    }

    /// Replaces the resolved demand by the `--demand` file's points, if a file is named.
    ///
    /// # Errors
    /// An unreadable or invalid demand file (every bad row listed).
    pub fn apply_demand_file(&self, prepared: &mut Prepared) -> anyhow::Result<()> {
        if let Some(path) = self.demand_file() {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let format = Format::from_path(path).unwrap_or(DataFormat::Csv);
            let points = parse_demand(&bytes, format, self.crs)
                .map_err(|e| anyhow::anyhow!("{}: nothing read.\n{e}", path.display()))?;
            prepared.demand = Some(points);
            prepared.demand_label = path.display().to_string();
        }
        Ok(())
    }
}

/// The state over the store these flags name (without starting a server).
///
/// # Errors
/// Storage failure.
pub async fn open_state(store: &StoreArgs) -> anyhow::Result<AppState> {
    let opened = Store::open(&store.storage()).await.context("cannot open the station store")?;
    let config = Config { storage: store.storage(), ..Config::default() };
    AppState::load(opened, config).await.context("cannot load stations")
}

/// An analysis error as a message naming the flag.
pub fn describe(e: AnalysisError) -> anyhow::Error {
    match e.field() {
        Some(field) => anyhow::anyhow!("--{}: {e}", field.replace('_', "-")),
        None => anyhow::anyhow!("{e}"),
    }
}

/// Parses `10,15` into minutes.
///
/// # Errors
/// A value that is not a number.
pub fn parse_minutes(s: &str) -> Result<Vec<f64>, String> {
    s.split(',').map(|m| m.trim().parse::<f64>().map_err(|_| format!("{m:?} is not a number of minutes"))).collect()
}

/// Flags of `yizhan coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    area: AreaArgs,
    /// Thresholds in minutes, comma-separated and ascending.
    #[arg(long, default_value = "10,15")]
    pub minutes: String,
    /// Output file: .geojson/.json (H3 hexagons with h3, travel_time_s, class, demand) or .csv.
    #[arg(long)]
    pub out: PathBuf,
    /// CSV header language.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    /// Print a summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Whether a path names a CSV file (else GeoJSON).
///
/// # Errors
/// An extension that is neither.
pub fn is_csv(path: &Path) -> anyhow::Result<bool> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => Ok(true),
        Some("geojson" | "json") => Ok(false),
        _ => bail!("--out {}: use a .geojson, .json or .csv file name", path.display()),
    }
}

/// A spinner on stderr.
pub fn spinner(message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Writes `value` as JSON on stdout.
///
/// # Errors
/// A closed stdout.
pub fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Runs the analysis.
///
/// # Errors
/// Bad flags, storage failure, an unwritable output.
pub async fn run(a: CoverageArgs) -> anyhow::Result<()> {
    let csv = is_csv(&a.out)?;
    let minutes = parse_minutes(&a.minutes).map_err(|e| anyhow::anyhow!("--minutes: {e}"))?;
    let req = a.area.request(Minutes::Many(minutes))?;
    let state = open_state(&a.store).await?;
    let prepared = a.area.prepare(&state, &req).await?;
    let bar = spinner("覆盖分析 analysing coverage");
    let analysis = tokio::task::spawn_blocking(move || prepared.analyse()).await?.map_err(describe)?;
    bar.finish_and_clear();
    let bytes =
        if csv { cells_csv(&analysis.cells, a.lang.into()) } else { cells_geojson_text(&analysis.cells).into_bytes() };
    std::fs::write(&a.out, bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    let s = &analysis.summary;
    let shares: Vec<String> = s
        .thresholds
        .iter()
        .map(|t| {
            format!("{} min: {:.1}% of demand, {:.1}% of area", t.minutes, t.demand_share * 100.0, t.area_share * 100.0)
        })
        .collect();
    eprintln!("{} cells, {:.1} km²; {}; wrote {}", s.cells, s.area_km2, shares.join("; "), a.out.display());
    if a.json {
        print_json(&coverage_summary_json(&analysis))?;
    }
    Ok(())
}

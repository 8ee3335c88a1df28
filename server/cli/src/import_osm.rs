//! `yizhan import-osm`: builds or refreshes the cached road graphs of an OpenStreetMap extract.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use yizhan_planner::eta::TravelMode;
use yizhan_planner::network::files::CacheState;

/// Flags of `yizhan import-osm`.
#[derive(Debug, Args)]
pub struct ImportOsmArgs {
    /// The OpenStreetMap extract (.osm.pbf).
    #[arg(value_name = "FILE.osm.pbf")]
    pub file: PathBuf,
    /// Travel modes to build graphs for, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "walk,ebike,car")]
    pub modes: Vec<TravelMode>,
    /// Directory for the cached graphs (*.yzg) instead of next to the extract.
    #[arg(long, env = "YIZHAN_NETWORK_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// Builds the graphs that are missing or stale (the extract's bytes changed since they were
/// cached) and reports, per mode, nodes, arcs, islands and whether the cache was reused.
///
/// # Errors
/// A missing, unreadable or corrupt extract.
pub fn run(a: &ImportOsmArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let spinner = ProgressBar::new_spinner().with_message(format!(
        "reading {} ({}) …",
        a.file.display(),
        a.modes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    ));
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = yizhan_core::network::load_graphs(&a.file, &a.modes, a.cache_dir.as_deref());
    spinner.finish_and_clear();
    // The error names the file; its cause is part of its text.
    let graphs = result.map_err(|e| anyhow::anyhow!("cannot import the road network: {e}"))?;
    let mut lines = Vec::new();
    for g in &graphs {
        let sizes = &g.graph.components().sizes;
        let main = sizes.first().copied().unwrap_or(0);
        let state = match &g.state {
            CacheState::Loaded => "cache up to date, reused".to_owned(),
            CacheState::Built => "built and cached".to_owned(),
            CacheState::BuiltNotSaved(why) => format!("built, NOT cached ({why}); try --cache-dir"),
        };
        lines.push(format!(
            "{:<6} {:>9} nodes {:>10} arcs {:>6} islands (main network {} nodes)  {}: {}",
            g.graph.mode().code(),
            g.graph.node_count(),
            g.graph.arc_count(),
            sizes.len(),
            main,
            state,
            g.cache_file.display()
        ));
    }
    let rebuilt = graphs.iter().filter(|g| g.state != CacheState::Loaded).count();
    lines.push(format!("{} of {} graphs rebuilt in {:.2} s", rebuilt, graphs.len(), started.elapsed().as_secs_f64()));
    for l in lines {
        println_out(&l);
    }
    Ok(())
}

#[allow(clippy::print_stdout)] // the command's output
fn println_out(s: &str) {
    println!("{s}");
}

//! Plain CSV export of a graph, so that other tools (networkx, pandana) run on exactly the same
//! graph.
//!
//! * `nodes.csv`: `id,lon,lat,component` — node number, WGS-84 degrees (full `f64` precision),
//!   island label.
//! * `edges.csv`: `from,to,weight,length_m` — one line per directed arc; `weight` is the travel
//!   time in seconds written with exactly three decimals (the stored milliseconds, so nothing is
//!   rounded), `length_m` in metres.
//! * `seeds.csv` (from [`write_seeds_csv`]): `source,node,time` — search seeds, time in seconds.
//! * `field.csv` (from [`write_tree_csv`]): `node,time,source` — a search result, empty fields
//!   for unreachable nodes.

use super::NetworkError;
use super::dijkstra::{Seed, Tree};
use super::graph::Graph;
use std::io::Write;
use std::path::Path;

fn ms(t: u32) -> String {
    format!("{}.{:03}", t / 1000, t % 1000)
}

fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, NetworkError> {
    Ok(std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| NetworkError::io(path, e))?))
}

/// Writes `nodes.csv` and `edges.csv` of `graph` into directory `dir` (created if missing).
///
/// # Errors
/// [`NetworkError::Io`] when a file cannot be written.
pub fn write_graph_csv(graph: &Graph, dir: &Path) -> Result<(), NetworkError> {
    std::fs::create_dir_all(dir).map_err(|e| NetworkError::io(dir, e))?;
    let path = dir.join("nodes.csv");
    let io = |e| NetworkError::io(&path, e);
    let mut w = create(&path)?;
    writeln!(w, "id,lon,lat,component").map_err(io)?;
    let labels = &graph.components().label;
    for (i, c) in graph.coords().iter().enumerate() {
        writeln!(w, "{i},{},{},{}", c.lon, c.lat, labels[i]).map_err(io)?;
    }
    w.flush().map_err(io)?;
    let path = dir.join("edges.csv");
    let io = |e| NetworkError::io(&path, e);
    let mut w = create(&path)?;
    writeln!(w, "from,to,weight,length_m").map_err(io)?;
    for (u, v, t, l) in graph.iter_arcs() {
        writeln!(w, "{u},{v},{},{l}", ms(t)).map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Writes search seeds as `source,node,time` (seconds, three decimals) to `path`.
///
/// # Errors
/// [`NetworkError::Io`] when the file cannot be written.
pub fn write_seeds_csv(seeds: &[Seed], path: &Path) -> Result<(), NetworkError> {
    let io = |e| NetworkError::io(path, e);
    let mut w = create(path)?;
    writeln!(w, "source,node,time").map_err(io)?;
    for s in seeds {
        writeln!(w, "{},{},{}", s.source, s.node, ms(s.time_ms)).map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Writes a search result as `node,time,source` (time in seconds, three decimals; both empty
/// when unreachable) to `path`.
///
/// # Errors
/// [`NetworkError::Io`] when the file cannot be written.
pub fn write_tree_csv(tree: &Tree, path: &Path) -> Result<(), NetworkError> {
    let io = |e| NetworkError::io(path, e);
    let mut w = create(path)?;
    writeln!(w, "node,time,source").map_err(io)?;
    for u in 0..tree.len() as u32 {
        match (tree.time_ms(u), tree.source(u)) {
            (Some(t), Some(s)) => writeln!(w, "{u},{},{s}", ms(t)),
            _ => writeln!(w, "{u},,"),
        }
        .map_err(io)?;
    }
    w.flush().map_err(io)
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;

//! The road network's files: OpenStreetMap extracts read from disk, and the binary graph cache.
//!
//! The rest of [`crate::network`] works on bytes, readers and graphs in memory; this module opens,
//! stamps, writes and reads the files. A cached graph is the binary form of [`super::graph`] in a
//! file named after its extract and mode ([`cache_path`]), stamped with the extract's size and
//! CRC-32 ([`source_stamp`]) so that a cache built from other bytes is recognised as stale.

use super::NetworkError;
use super::graph::{Graph, SourceStamp};
use super::osm;
use crate::eta::TravelMode;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads the OpenStreetMap extract at `path` (`.osm.pbf`) and builds one graph per mode in
/// `modes` (in that order), as [`osm::import_reader`].
///
/// # Errors
/// [`NetworkError::Pbf`] naming `path` when the file cannot be opened, read or decoded.
pub fn import_osm(path: &Path, modes: &[TravelMode]) -> Result<Vec<Graph>, NetworkError> {
    // An extract that cannot be opened is reported like one that cannot be read (as the PBF
    // reader reports both).
    let file = std::fs::File::open(path)
        .map_err(|e| NetworkError::Pbf { path: path.to_owned(), message: osmpbf::Error::from(e).to_string() })?;
    osm::import_reader(std::io::BufReader::new(file), path, modes)
}

/// The stamp of the file at `path`: its size and CRC-32 (IEEE), read through once, and its
/// modification time.
///
/// # Errors
/// [`NetworkError::Io`] when the file cannot be read.
pub fn source_stamp(path: &Path) -> Result<SourceStamp, NetworkError> {
    let io = |e| NetworkError::io(path, e);
    let meta = std::fs::metadata(path).map_err(io)?;
    let mtime_s = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let k = std::io::Read::read(&mut f, &mut buf).map_err(io)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        size += k as u64;
    }
    Ok(SourceStamp { size, crc32: h.finalize(), mtime_s })
}

/// Writes `graph`'s binary form ([`Graph::to_bytes`]) stamped with `source` to `path`
/// atomically (temporary file beside it, then rename), so readers never see a half-written file.
///
/// # Errors
/// [`NetworkError::Io`] when the file cannot be written.
pub fn save_graph(graph: &Graph, path: &Path, source: SourceStamp) -> Result<(), NetworkError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| NetworkError::io(&tmp, e))?;
        f.write_all(&graph.to_bytes(source)).map_err(|e| NetworkError::io(&tmp, e))?;
        f.flush().map_err(|e| NetworkError::io(&tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| NetworkError::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads a graph written by [`save_graph`], with its stamp.
///
/// # Errors
/// [`NetworkError::Io`] when the file cannot be read, [`NetworkError::Format`] when it is not
/// a valid graph of this version.
pub fn load_graph(path: &Path) -> Result<(Graph, SourceStamp), NetworkError> {
    let bytes = std::fs::read(path).map_err(|e| NetworkError::io(path, e))?;
    Graph::read_from(&bytes)
}

/// Where the cached graph of `mode` for extract `pbf` lives by default: next to it, named
/// `<extract file name>.<mode>.yzg` (e.g. `helsinki-centre.osm.pbf.ebike.yzg`).
#[must_use]
pub fn cache_path(pbf: &Path, mode: TravelMode) -> PathBuf {
    let mut name = pbf.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(format!(".{}.yzg", mode.code()));
    pbf.with_file_name(name)
}

/// Where a graph from the cache came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheState {
    /// Read from an up-to-date cache file.
    Loaded,
    /// Built from the extract and saved to the cache file.
    Built,
    /// Built from the extract; saving the cache failed (e.g. a read-only directory) for this
    /// reason.
    BuiltNotSaved(String),
}

/// A graph with its provenance.
#[derive(Debug, Clone)]
pub struct CachedGraph {
    /// The graph.
    pub graph: Graph,
    /// Whether it was loaded or built.
    pub state: CacheState,
    /// The cache file.
    pub cache_file: PathBuf,
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;

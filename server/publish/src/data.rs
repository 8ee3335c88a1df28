//! What the publishing routes draw besides stations: district and street boundaries (the stored
//! ones, else the districts built into the binary) and the cells of saved coverage analyses.
//! Both are read from the store and kept briefly (boundaries) or for good (an analysis never
//! changes once saved).

use geo::{MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use yizhan_core::analysis::all_districts;
use yizhan_core::state::AppState;
use yizhan_http::error::ApiError;
use yizhan_planner::district::District;
use yizhan_planner::geodesy::BBox;
use yizhan_store::{AnalysisKind, Boundary};

/// How long boundaries read from the store are reused before being read again.
const BOUNDARIES_TTL: Duration = Duration::from_secs(2);
/// Parsed analyses kept at most.
const ANALYSES_KEPT: usize = 8;

/// District and street boundaries, with a version that changes with their content.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundaries {
    /// Districts (区/县), stored or built in.
    pub districts: Vec<Boundary>,
    /// Streets (街道/镇) of those districts, as stored.
    pub streets: Vec<Boundary>,
    /// A checksum of every name and coordinate (hexadecimal).
    pub version: String,
}

impl Boundaries {
    /// The district named `name`, as a [`District`] (for the map renderer).
    #[must_use]
    pub fn district(&self, name: &str) -> Option<District> {
        self.districts.iter().find(|d| d.name == name.trim()).map(|d| District {
            name: d.name.clone(),
            city: d.city.clone(),
            province: d.province.clone(),
            boundary: d.polygon.clone(),
        })
    }
}

/// One coverage cell of a saved analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// H3 index as hex text (the feature id).
    pub h3: String,
    /// Hexagon boundary, WGS-84 degrees.
    pub polygon: MultiPolygon<f64>,
    /// `within_<minutes>`, `beyond` or `unreachable`.
    pub class: String,
    /// Travel time to the nearest matching station, seconds (`None`: none reachable).
    pub travel_time_s: Option<f64>,
    /// Demand weight in the cell.
    pub demand: f64,
    /// Street the cell belongs to.
    pub street: Option<String>,
    /// Nearest matching station.
    pub station_id: Option<i64>,
    /// The feature's properties as saved (for OGC items).
    pub properties: Value,
}

/// A saved coverage analysis' cells and what the map legend needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// `cov_…`.
    pub id: String,
    /// The analysed area's name.
    pub area: Option<String>,
    /// `network` or `straight_line`.
    pub method: String,
    /// Thresholds, minutes.
    pub minutes: Vec<u32>,
    /// H3 resolution of the cells (7–11), when the saved result names it.
    pub resolution: Option<u8>,
    /// The cells.
    pub cells: Vec<Cell>,
    /// `[west, south, east, north]` of the cells, degrees.
    pub bbox: [f64; 4],
    /// The cells' bounding boxes in an R-tree, so a tile or a page of items touches only the
    /// cells it shows.
    pub tree: CellTree,
}

/// An R-tree of cell bounding boxes (WGS-84 degrees), each entry the cell's index. Built from the
/// cells, so two trees of equal cells are equal.
#[derive(Debug, Clone, Default)]
pub struct CellTree(RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>);

impl PartialEq for CellTree {
    fn eq(&self, other: &Self) -> bool {
        self.0.size() == other.0.size()
    }
}

impl CellTree {
    fn build(cells: &[Cell]) -> Self {
        use geo::BoundingRect;
        let entries = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let r = c.polygon.bounding_rect()?;
                Some(GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i))
            })
            .collect();
        Self(RTree::bulk_load(entries))
    }
}

/// What a listing of saved coverage analyses shows of each (without its cells).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSummary {
    /// `cov_…`.
    pub id: String,
    /// The analysed area's name.
    pub area: Option<String>,
    /// `network` or `straight_line`.
    pub method: String,
    /// Thresholds, minutes.
    pub minutes: Vec<u32>,
    /// H3 resolution of the cells.
    pub resolution: Option<u8>,
    /// How many cells.
    pub cells: usize,
    /// `[west, south, east, north]` of the cells, degrees.
    pub bbox: [f64; 4],
}

impl Analysis {
    /// Indices of the cells whose bounding box meets `bbox`, ascending (the saved order).
    #[must_use]
    pub fn cells_meeting(&self, bbox: &BBox) -> Vec<usize> {
        let envelope = AABB::from_corners([bbox.min_lon, bbox.min_lat], [bbox.max_lon, bbox.max_lat]);
        let mut hits: Vec<usize> = self.tree.0.locate_in_envelope_intersecting(&envelope).map(|e| e.data).collect();
        hits.sort_unstable();
        hits
    }

    /// The analysis without its cells.
    #[must_use]
    pub fn summary(&self) -> AnalysisSummary {
        AnalysisSummary {
            id: self.id.clone(),
            area: self.area.clone(),
            method: self.method.clone(),
            minutes: self.minutes.clone(),
            resolution: self.resolution,
            cells: self.cells.len(),
            bbox: self.bbox,
        }
    }
}

impl AnalysisSummary {
    /// A title in Chinese: area, H3 resolution and thresholds, e.g.
    /// `兖州区覆盖分析（H3 分辨率 8，10/15 分钟）`.
    #[must_use]
    pub fn title_zh(&self) -> String {
        let area = self.area.as_deref().unwrap_or("自定义区域");
        let mut parts = Vec::new();
        if let Some(r) = self.resolution {
            parts.push(format!("H3 分辨率 {r}"));
        }
        if !self.minutes.is_empty() {
            let m: Vec<String> = self.minutes.iter().map(u32::to_string).collect();
            parts.push(format!("{} 分钟", m.join("/")));
        }
        if parts.is_empty() {
            format!("{area}覆盖分析")
        } else {
            format!("{area}覆盖分析（{}）", parts.join("，"))
        }
    }
}

/// Caches of [`Boundaries`] and [`Analysis`].
#[derive(Debug, Default)]
pub struct DataCache {
    boundaries: Mutex<Option<(Instant, Arc<Boundaries>)>>,
    analyses: Mutex<HashMap<String, Arc<Analysis>>>,
    summaries: Mutex<HashMap<String, Arc<AnalysisSummary>>>,
    /// One saved analysis is read and parsed at a time (tens of MB each): concurrent requests
    /// for one that is not cached wait for the first, then find it cached.
    loading: tokio::sync::Mutex<()>,
}

impl DataCache {
    /// The current boundaries (read again from the store after two seconds).
    ///
    /// # Errors
    /// [`ApiError`] when the store cannot be read.
    pub async fn boundaries(&self, state: &AppState) -> Result<Arc<Boundaries>, ApiError> {
        {
            let cached = self.boundaries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((at, b)) = cached.as_ref()
                && at.elapsed() < BOUNDARIES_TTL
            {
                return Ok(Arc::clone(b));
            }
        }
        let districts = all_districts(state).await.map_err(ApiError::from)?;
        let mut streets = Vec::new();
        for d in &districts {
            streets.extend(state.store.streets(&d.name).await?);
        }
        let mut crc = crc32fast::Hasher::new();
        for b in districts.iter().chain(&streets) {
            crc.update(b.name.as_bytes());
            crc.update(b.parent.as_deref().unwrap_or_default().as_bytes());
            for p in &b.polygon.0 {
                for c in std::iter::once(p.exterior()).chain(p.interiors()).flat_map(geo::LineString::coords) {
                    crc.update(&c.x.to_le_bytes());
                    crc.update(&c.y.to_le_bytes());
                }
            }
        }
        let b = Arc::new(Boundaries { districts, streets, version: format!("{:08x}", crc.finalize()) });
        *self.boundaries.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((Instant::now(), Arc::clone(&b)));
        Ok(b)
    }

    /// Every saved coverage analysis, newest first, without its cells (each is read from the
    /// store once; saved analyses never change).
    ///
    /// # Errors
    /// [`ApiError`] when the store cannot be read or a saved result is malformed.
    pub async fn coverage_summaries(&self, state: &AppState) -> Result<Vec<Arc<AnalysisSummary>>, ApiError> {
        let ids = state.store.analysis_ids(AnalysisKind::Coverage).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            let known = self.summaries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(id).cloned();
            let summary = match known {
                Some(s) => s,
                // Deleted since it was listed: left out.
                None => match self.analysis(state, id).await? {
                    Some(a) => {
                        let s = Arc::new(a.summary());
                        self.summaries
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(id.clone(), Arc::clone(&s));
                        s
                    }
                    None => continue,
                },
            };
            out.push(summary);
        }
        // Forget analyses pruned from the store.
        let kept: std::collections::HashSet<&String> = ids.iter().collect();
        self.summaries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|k, _| kept.contains(k));
        Ok(out)
    }

    /// The saved coverage analysis `id`; `None` when there is none (or it is a plan).
    ///
    /// # Errors
    /// [`ApiError`] when the store cannot be read or the saved result is malformed.
    pub async fn analysis(&self, state: &AppState, id: &str) -> Result<Option<Arc<Analysis>>, ApiError> {
        let cached = || self.analyses.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(id).cloned();
        if let Some(a) = cached() {
            return Ok(Some(a));
        }
        let _loading = self.loading.lock().await;
        if let Some(a) = cached() {
            return Ok(Some(a));
        }
        let Some(saved) = state.store.analysis(id).await? else { return Ok(None) };
        if saved.kind != AnalysisKind::Coverage {
            return Ok(None);
        }
        // Reading every cell's polygon and indexing it is heavy work: on the pool, once.
        let owned_id = id.to_owned();
        let budget = yizhan_core::work::WorkPool::budget(state.config.limits.planner.limits());
        let parsed = state
            .work
            .run("analysis_cells", budget, move |_| {
                saved.result.to_value().map_err(|e| e.to_string()).and_then(|v| parse_analysis(&owned_id, &v))
            })
            .await?;
        let a = Arc::new(parsed.map_err(|e| ApiError::internal(&e))?);
        let mut map = self.analyses.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= ANALYSES_KEPT {
            map.clear();
        }
        map.insert(id.to_owned(), Arc::clone(&a));
        Ok(Some(a))
    }
}

/// Reads the cells out of a saved analysis body (`cells`: GeoJSON FeatureCollection of Polygons).
///
/// # Errors
/// A message naming what is malformed.
pub fn parse_analysis(id: &str, body: &Value) -> Result<Analysis, String> {
    let features = body["cells"]["features"].as_array().ok_or("analysis without cells")?;
    let mut cells = Vec::with_capacity(features.len());
    let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for (i, f) in features.iter().enumerate() {
        let geometry: geojson::Geometry =
            serde_json::from_value(f["geometry"].clone()).map_err(|e| format!("cell {i}: {e}"))?;
        let polygon = match geometry.value {
            v @ geojson::Value::Polygon(_) => {
                MultiPolygon(vec![Polygon::try_from(v).map_err(|e| format!("cell {i}: {e}"))?])
            }
            v => MultiPolygon::try_from(v).map_err(|e| format!("cell {i}: {e}"))?,
        };
        for c in polygon.0.iter().flat_map(|p| p.exterior().coords()) {
            bbox = [bbox[0].min(c.x), bbox[1].min(c.y), bbox[2].max(c.x), bbox[3].max(c.y)];
        }
        let p = &f["properties"];
        cells.push(Cell {
            h3: p["h3"].as_str().ok_or_else(|| format!("cell {i}: no h3"))?.to_owned(),
            polygon,
            class: p["class"].as_str().unwrap_or("unreachable").to_owned(),
            travel_time_s: p["travel_time_s"].as_f64(),
            demand: p["demand"].as_f64().unwrap_or(0.0),
            street: p["street"].as_str().map(str::to_owned),
            station_id: p["station_id"].as_i64(),
            properties: p.clone(),
        });
    }
    let minutes = body["minutes"]
        .as_array()
        .map(|m| m.iter().filter_map(Value::as_f64).map(|m| m.round() as u32).collect())
        .unwrap_or_default();
    Ok(Analysis {
        id: id.to_owned(),
        area: body["area"]["name"].as_str().map(str::to_owned),
        method: body["method"].as_str().unwrap_or("straight_line").to_owned(),
        minutes,
        resolution: body["resolution"].as_u64().and_then(|r| u8::try_from(r).ok()),
        tree: CellTree::build(&cells),
        cells,
        bbox: if bbox[0].is_finite() { bbox } else { [-180.0, -85.0, 180.0, 85.0] },
    })
}

#[cfg(test)]
#[path = "data_tests.rs"]
mod tests;

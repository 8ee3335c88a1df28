//! The coverage planner's stored data, on both backends: district and street boundaries, demand
//! datasets, saved analyses (coverage results and finished plans) and scenarios.
//!
//! Boundaries are WGS-84 `MultiPolygon`s (GeoJSON text in the embedded store, PostGIS
//! `geometry(MultiPolygon, 4326)` in PostgreSQL). Every write of a list is one transaction: an
//! import of boundaries or a demand dataset stores all of it or nothing.
//!
//! What both backends do alike is written here once: which stored boundaries an import replaces
//! and its audit record, a demand dataset's summary, a scenario's records, and reading every
//! planner row back ([`decode_district`], [`decode_analysis`], …); the backends keep their SQL.

use super::{ImportOutcome, Store, StoreError};
use crate::audit::{AuditContext, AuditRecord, BoundarySummary};
use crate::columns::Columns;
use crate::error::corrupt_json;
use crate::row;
use crate::upsert::Written;
use chrono::{DateTime, Utc};
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::time::Duration;
use yizhan_planner::station::{StationData, StationId};

/// A named district (区/县) or street (街道/镇) boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// Name, e.g. `兖州区` or `鼓楼街道`.
    pub name: String,
    /// For a street: the district it belongs to (`None` when unknown). Always `None` for a district.
    pub parent: Option<String>,
    /// City, e.g. `济宁市` (districts only).
    pub city: Option<String>,
    /// Province, e.g. `山东省` (districts only).
    pub province: Option<String>,
    /// Boundary, WGS-84 degrees.
    pub polygon: MultiPolygon<f64>,
}

/// A demand dataset: weighted points (order pick-ups, rider GPS pings, residents…).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandDataset {
    /// Unique name.
    pub name: String,
    /// The district it was made for, if any (the demo layer of `兖州区` says `兖州区`).
    pub district: Option<String>,
    /// Whether the data is synthetic (the demo layer).
    pub synthetic: bool,
    /// `[lon, lat, weight]`: WGS-84 degrees and a non-negative weight.
    pub points: Vec<[f64; 3]>,
}

/// What a stored demand dataset holds, without its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DemandInfo {
    /// Unique name.
    pub name: String,
    /// The district it was made for, if any.
    pub district: Option<String>,
    /// Whether the data is synthetic.
    pub synthetic: bool,
    /// Number of points.
    pub count: u64,
    /// Sum of the weights.
    pub total: f64,
    /// When it was stored (UTC).
    pub created_at: DateTime<Utc>,
}

/// What a saved analysis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisKind {
    /// A coverage analysis (`cov_…`).
    Coverage,
    /// A finished plan (`plan_…`).
    Plan,
}

impl AnalysisKind {
    /// The stored code: `coverage` or `plan`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Coverage => "coverage",
            Self::Plan => "plan",
        }
    }

    /// The kind with this stored code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Coverage, Self::Plan].into_iter().find(|k| k.code() == code)
    }
}

/// JSON text kept as text: a saved analysis' result (tens of MB for a large grid) is stored and
/// answered without ever being parsed into a tree, and parsed only where it is read. Equal when
/// the JSON values are (PostgreSQL's `jsonb` gives the text back formatted its own way).
#[derive(Debug, Clone)]
pub struct JsonText(std::sync::Arc<str>);

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || matches!((self.to_value(), other.to_value()), (Ok(a), Ok(b)) if a == b)
    }
}

impl JsonText {
    /// Wraps text the caller knows to be JSON.
    #[must_use]
    pub fn new(text: impl Into<std::sync::Arc<str>>) -> Self {
        Self(text.into())
    }

    /// The JSON text of `value`.
    #[must_use]
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        Self::new(serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()))
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as a response body, without copying it.
    #[must_use]
    pub fn to_bytes(&self) -> bytes::Bytes {
        struct Owner(std::sync::Arc<str>);
        impl AsRef<[u8]> for Owner {
            fn as_ref(&self) -> &[u8] {
                self.0.as_bytes()
            }
        }
        bytes::Bytes::from_owner(Owner(std::sync::Arc::clone(&self.0)))
    }

    /// Parsed into a tree.
    ///
    /// # Errors
    /// The parser's error, for text that is not JSON.
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

/// A kept analysis: the request and its result, both JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedAnalysis {
    /// Id, `cov_…` or `plan_…`.
    pub id: String,
    /// Coverage or plan.
    pub kind: AnalysisKind,
    /// The request as received (normalised JSON).
    pub request: serde_json::Value,
    /// The result as answered, as JSON text.
    pub result: JsonText,
    /// When it was stored (UTC).
    pub created_at: DateTime<Utc>,
    /// Who made it: the token id of a signed-in caller, `anonymous`, `cli` or `system`.
    pub created_by: String,
}

/// A saved scenario: a plan's proposed sites stored as `planned` stations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scenario {
    /// Unique name, e.g. `方案A`.
    pub name: String,
    /// The plan it came from (`plan_…`).
    pub plan_id: String,
    /// The planned stations it created, in the plan's rank order.
    pub station_ids: Vec<StationId>,
    /// When it was saved (UTC).
    pub created_at: DateTime<Utc>,
}

/// What [`Store::create_scenario_audited`] wrote: the scenario and its planned stations.
#[derive(Debug, Clone)]
pub struct CreatedScenario {
    /// The stored scenario.
    pub scenario: Scenario,
    /// Its stations, as an import's outcome.
    pub stations: ImportOutcome,
}

impl Scenario {
    /// Scenario `name` of plan `plan_id` holding the stations `written` (in slot order), saved at
    /// `now`.
    pub(crate) fn of_written(name: &str, plan_id: &str, written: &Written, now: DateTime<Utc>) -> Self {
        Self { name: name.to_owned(), plan_id: plan_id.to_owned(), station_ids: written.ids(), created_at: now }
    }

    /// The `scenario.create` audit record of this new scenario.
    pub(crate) fn audit_record(&self) -> AuditRecord {
        AuditRecord {
            operation: "scenario.create".to_owned(),
            target: Some(self.name.clone()),
            before: None,
            after: serde_json::to_value(self).ok(),
        }
    }

    /// What saving this scenario with its `rows` planned stations (`written`) records in the
    /// audit log, in order: the import of the stations (when there are any), then the scenario.
    pub(crate) fn audit_records(&self, written: &Written, rows: usize) -> Vec<AuditRecord> {
        let import = (rows > 0).then(|| written.audit_record(rows));
        import.into_iter().chain([self.audit_record()]).collect()
    }
}

impl DemandInfo {
    /// The summary of `dataset` stored at `now`.
    pub(crate) fn of(dataset: &DemandDataset, now: DateTime<Utc>) -> Self {
        Self {
            name: dataset.name.clone(),
            district: dataset.district.clone(),
            synthetic: dataset.synthetic,
            count: dataset.points.len() as u64,
            total: dataset.points.iter().map(|p| p[2]).sum(),
            created_at: now,
        }
    }
}

impl DemandDataset {
    /// The points as stored: a JSON array of `[lon, lat, weight]`.
    pub(crate) fn points_json(&self) -> Result<String, StoreError> {
        serde_json::to_string(&self.points).map_err(|e| corrupt_json("demand points", &e))
    }
}

/// The time before which saved analyses are older than `max_age`, counted from `now` (`None`
/// when that lies before every representable time).
pub(crate) fn age_cutoff(now: DateTime<Utc>, max_age: Duration) -> Option<DateTime<Utc>> {
    chrono::Duration::from_std(max_age).ok().and_then(|age| now.checked_sub_signed(age))
}

impl Boundary {
    /// For a street: the district as stored (the empty text when unknown).
    pub(crate) fn district_key(&self) -> &str {
        self.parent.as_deref().unwrap_or("")
    }

    /// What an import's audit entry says of this boundary (no geometry).
    pub(crate) fn summary(&self) -> BoundarySummary {
        BoundarySummary {
            name: self.name.clone(),
            parent: self.parent.clone().filter(|p| !p.is_empty()),
            city: self.city.clone(),
            province: self.province.clone(),
            bbox: bbox_of(&self.polygon),
        }
    }
}

/// A boundary as GeoJSON geometry text.
pub(crate) fn polygon_to_text(p: &MultiPolygon<f64>) -> String {
    geojson::Geometry::new(geojson::Value::from(p)).to_string()
}

/// Reads GeoJSON `MultiPolygon` (or `Polygon`) geometry text.
pub(crate) fn polygon_from_text(what: &str, text: &str) -> Result<MultiPolygon<f64>, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { id: 0, reason: format!("{what}: {reason}") };
    let g: geojson::Geometry = text.parse().map_err(|e: geojson::Error| corrupt(e.to_string()))?;
    match &g.value {
        geojson::Value::Polygon(_) => {
            geo::Polygon::try_from(g.value).map(|p| MultiPolygon(vec![p])).map_err(|e| corrupt(e.to_string()))
        }
        _ => MultiPolygon::try_from(g.value).map_err(|e| corrupt(e.to_string())),
    }
}

/// `[min_lon, min_lat, max_lon, max_lat]` of a boundary (NaN-free; zeros for an empty one).
pub(crate) fn bbox_of(p: &MultiPolygon<f64>) -> [f64; 4] {
    use geo::BoundingRect;
    p.bounding_rect().map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// The districts of an import, each name once (the first), in order: those whose stored version
/// the import replaces are looked up by these.
pub(crate) fn distinct_districts(districts: &[Boundary]) -> impl Iterator<Item = &Boundary> {
    let mut seen = HashSet::new();
    districts.iter().filter(move |d| seen.insert(d.name.as_str()))
}

/// The streets of an import, each district and name once (the first), in order.
pub(crate) fn distinct_streets(streets: &[Boundary]) -> impl Iterator<Item = &Boundary> {
    let mut seen = HashSet::new();
    streets.iter().filter(move |s| seen.insert((s.district_key(), s.name.as_str())))
}

/// The `district.import` or `street.import` audit record (`level` `district` or `street`) of
/// writing `boundaries`, replacing the stored ones summarised in `previous`.
pub(crate) fn boundary_record(level: &str, boundaries: &[Boundary], previous: &[BoundarySummary]) -> AuditRecord {
    let written: Vec<_> = boundaries.iter().map(Boundary::summary).collect();
    AuditRecord::boundary_import(level, &written, previous)
}

/// Reads the summary of a stored district selected as `name, city, province, min_lon, min_lat,
/// max_lon, max_lat` (degrees).
pub(crate) fn decode_district_summary(r: &impl Columns) -> Result<BoundarySummary, StoreError> {
    Ok(BoundarySummary {
        name: r.string(0)?,
        parent: None,
        city: r.opt_string(1)?,
        province: r.opt_string(2)?,
        bbox: [r.float(3)?, r.float(4)?, r.float(5)?, r.float(6)?],
    })
}

/// Reads the summary of a stored street selected as `name, district, min_lon, min_lat, max_lon,
/// max_lat` (degrees; the empty district means unknown).
pub(crate) fn decode_street_summary(r: &impl Columns) -> Result<BoundarySummary, StoreError> {
    Ok(BoundarySummary {
        name: r.string(0)?,
        parent: Some(r.string(1)?).filter(|d| !d.is_empty()),
        city: None,
        province: None,
        bbox: [r.float(2)?, r.float(3)?, r.float(4)?, r.float(5)?],
    })
}

/// Reads a district selected as `name, city, province, geometry` (GeoJSON text).
pub(crate) fn decode_district(r: &impl Columns) -> Result<Boundary, StoreError> {
    let name = r.string(0)?;
    let polygon = polygon_from_text(&format!("district {name}"), r.text(3)?)?;
    Ok(Boundary { name, parent: None, city: r.opt_string(1)?, province: r.opt_string(2)?, polygon })
}

/// Reads a street of `district` selected as `name, geometry` (GeoJSON text).
pub(crate) fn decode_street(r: &impl Columns, district: &str) -> Result<Boundary, StoreError> {
    let name = r.string(0)?;
    let polygon = polygon_from_text(&format!("street {name}"), r.text(1)?)?;
    Ok(Boundary { name, parent: Some(district.to_owned()), city: None, province: None, polygon })
}

/// Columns of a demand dataset's summary, in [`decode_demand_info`] order.
pub(crate) const DEMAND_INFO_COLUMNS: &str = "name, district, synthetic, count, total, created_at";

/// Reads a demand dataset's summary selected with [`DEMAND_INFO_COLUMNS`].
pub(crate) fn decode_demand_info(r: &impl Columns) -> Result<DemandInfo, StoreError> {
    Ok(DemandInfo {
        name: r.string(0)?,
        district: r.opt_string(1)?,
        synthetic: r.flag(2)?,
        count: u64::try_from(r.int(3)?).unwrap_or(0),
        total: r.float(4)?,
        created_at: r.timestamp(5, &row::bad_timestamp(0, "demand created_at"))?,
    })
}

/// Reads a demand dataset selected as `name, district, synthetic, points` (points as JSON text).
pub(crate) fn decode_demand(r: &impl Columns) -> Result<DemandDataset, StoreError> {
    Ok(DemandDataset {
        name: r.string(0)?,
        district: r.opt_string(1)?,
        synthetic: r.flag(2)?,
        points: serde_json::from_str(r.text(3)?).map_err(|e| corrupt_json("demand points", &e))?,
    })
}

/// Reads an analysis selected as `id, kind, request, result, created_at, created_by` (request and
/// result as JSON text).
pub(crate) fn decode_analysis(r: &impl Columns) -> Result<SavedAnalysis, StoreError> {
    let kind = r.text(1)?;
    Ok(SavedAnalysis {
        id: r.string(0)?,
        kind: AnalysisKind::from_code(kind)
            .ok_or_else(|| StoreError::Corrupt { id: 0, reason: format!("analysis kind {kind:?}") })?,
        request: serde_json::from_str(r.text(2)?).map_err(|e| corrupt_json("analysis request", &e))?,
        result: JsonText::new(r.text(3)?),
        created_at: r.timestamp(4, &row::bad_timestamp(0, "analysis created_at"))?,
        created_by: r.string(5)?,
    })
}

/// Reads a scenario selected as `name, plan_id, station_ids, created_at`.
pub(crate) fn decode_scenario(r: &impl Columns) -> Result<Scenario, StoreError> {
    Ok(Scenario {
        name: r.string(0)?,
        plan_id: r.string(1)?,
        station_ids: r.station_ids(2, "scenario stations")?,
        created_at: r.timestamp(3, &row::bad_timestamp(0, "scenario created_at"))?,
    })
}

impl Store {
    /// Stores district boundaries in one transaction, replacing a stored district of the same
    /// name, recorded in the audit log as the server's write ([`AuditContext::system`]). Returns
    /// how many were written.
    ///
    /// # Errors
    /// [`StoreError`] on database failure; nothing is written then.
    pub async fn put_districts(&self, districts: &[Boundary]) -> Result<usize, StoreError> {
        self.put_districts_audited(districts, &AuditContext::system()).await
    }

    /// [`Store::put_districts`] on behalf of `audit`: one `district.import` audit entry (counts,
    /// new and replaced names, the replaced districts' previous summaries as `before`) in the
    /// same transaction.
    ///
    /// # Errors
    /// [`StoreError`] on database failure; nothing is written, nor audited, then.
    pub async fn put_districts_audited(
        &self,
        districts: &[Boundary],
        audit: &AuditContext,
    ) -> Result<usize, StoreError> {
        dispatch!(self, s => s.put_districts(districts, audit).await)
    }

    /// Stores street boundaries in one transaction, replacing a stored street of the same district
    /// and name, recorded in the audit log as the server's write. Returns how many were written.
    ///
    /// # Errors
    /// [`StoreError`] on database failure; nothing is written then.
    pub async fn put_streets(&self, streets: &[Boundary]) -> Result<usize, StoreError> {
        self.put_streets_audited(streets, &AuditContext::system()).await
    }

    /// [`Store::put_streets`] on behalf of `audit`: one `street.import` audit entry in the same
    /// transaction (as [`Store::put_districts_audited`]).
    ///
    /// # Errors
    /// [`StoreError`] on database failure; nothing is written, nor audited, then.
    pub async fn put_streets_audited(&self, streets: &[Boundary], audit: &AuditContext) -> Result<usize, StoreError> {
        dispatch!(self, s => s.put_streets(streets, audit).await)
    }

    /// Every stored district, in the order first stored.
    ///
    /// # Errors
    /// [`StoreError`] on database failure or a stored geometry that does not read back.
    pub async fn districts(&self) -> Result<Vec<Boundary>, StoreError> {
        dispatch!(self, s => s.districts(None).await)
    }

    /// One stored district, by exact name.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn district(&self, name: &str) -> Result<Option<Boundary>, StoreError> {
        Ok(dispatch!(self, s => s.districts(Some(name)).await)?.into_iter().next())
    }

    /// The stored streets of a district, in the order first stored.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn streets(&self, district: &str) -> Result<Vec<Boundary>, StoreError> {
        dispatch!(self, s => s.streets(district).await)
    }

    /// Stores a demand dataset, replacing one of the same name, in one transaction, recorded in
    /// the audit log as the server's write.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn put_demand(&self, dataset: &DemandDataset) -> Result<DemandInfo, StoreError> {
        self.put_demand_audited(dataset, &AuditContext::system()).await
    }

    /// [`Store::put_demand`] on behalf of `audit`: one `demand.import` audit entry (the stored
    /// dataset's summary, whether it replaced one, the replaced one's summary as `before`) in the
    /// same transaction.
    ///
    /// # Errors
    /// [`StoreError`] on database failure; nothing is written, nor audited, then.
    pub async fn put_demand_audited(
        &self,
        dataset: &DemandDataset,
        audit: &AuditContext,
    ) -> Result<DemandInfo, StoreError> {
        dispatch!(self, s => s.put_demand(dataset, audit).await)
    }

    /// A stored demand dataset, by name.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn demand(&self, name: &str) -> Result<Option<DemandDataset>, StoreError> {
        dispatch!(self, s => s.demand(name).await)
    }

    /// Every stored demand dataset (without points), by name.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn demand_list(&self) -> Result<Vec<DemandInfo>, StoreError> {
        dispatch!(self, s => s.demand_list().await)
    }

    /// Keeps an analysis (replacing one with the same id).
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn put_analysis(&self, analysis: &SavedAnalysis) -> Result<(), StoreError> {
        dispatch!(self, s => s.put_analysis(analysis).await)
    }

    /// Deletes the analyses of `kind` beyond the newest `keep` and those older than `max_age`
    /// (by `created_at`); returns how many were deleted. Other kinds are left alone.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn prune_analyses(&self, kind: AnalysisKind, keep: usize, max_age: Duration) -> Result<u64, StoreError> {
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let cutoff = age_cutoff(super::row::now(), max_age);
        dispatch!(self, s => s.prune_analyses(kind, keep, cutoff).await)
    }

    /// The ids of the kept analyses of `kind`, newest first.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn analysis_ids(&self, kind: AnalysisKind) -> Result<Vec<String>, StoreError> {
        dispatch!(self, s => s.analysis_ids(kind).await)
    }

    /// A kept analysis, by id.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn analysis(&self, id: &str) -> Result<Option<SavedAnalysis>, StoreError> {
        dispatch!(self, s => s.analysis(id).await)
    }

    /// Saves scenario `name` of plan `plan_id` with its planned stations, in one transaction on
    /// behalf of `audit`: `rows` are upserted exactly as [`Store::import`] does (by `source` +
    /// `external_id`, the later row winning, each station appended to the change log), the
    /// scenario is stored with the stations' ids (one per distinct key or keyless row, in order of
    /// first appearance) and the write's time, and the audit log gains the import's
    /// `station.import` entry and a `scenario.create` entry (after: the scenario). Returns `None`,
    /// having written nothing at all, when a scenario of this name exists.
    ///
    /// # Errors
    /// [`StoreError`]; on any error nothing is written, nor audited.
    pub async fn create_scenario_audited(
        &self,
        name: &str,
        plan_id: &str,
        rows: Vec<StationData>,
        audit: &AuditContext,
    ) -> Result<Option<CreatedScenario>, StoreError> {
        dispatch!(self, s => s.create_scenario(name, plan_id, rows, audit).await)
    }

    /// Stores a scenario unless one of the same name exists; returns whether it was stored. Not
    /// audited and writes no station: [`Store::create_scenario_audited`] saves a plan's scenario.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn put_scenario(&self, scenario: &Scenario) -> Result<bool, StoreError> {
        dispatch!(self, s => s.put_scenario(scenario).await)
    }

    /// Every scenario, by creation time.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn scenarios(&self) -> Result<Vec<Scenario>, StoreError> {
        dispatch!(self, s => s.scenarios(None).await)
    }

    /// One scenario, by name.
    ///
    /// # Errors
    /// [`StoreError`] on database failure.
    pub async fn scenario(&self, name: &str) -> Result<Option<Scenario>, StoreError> {
        Ok(dispatch!(self, s => s.scenarios(Some(name)).await)?.into_iter().next())
    }
}

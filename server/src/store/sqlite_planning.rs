//! The embedded store's planner tables (see `migrations/sqlite/0003_planner.sql`).

use super::StoreError;
use super::planning::JsonText;
use super::planning::{
    AnalysisKind, Boundary, CreatedScenario, DemandDataset, DemandInfo, SavedAnalysis, Scenario, bbox_of, corrupt_json,
    polygon_from_text, polygon_to_text,
};
use super::row;
use super::sqlite::access::append_audit;
use super::sqlite::{SqliteStore, import_in};
use super::upsert::Written;
use crate::access::audit::{AuditContext, AuditRecord, BoundarySummary};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use std::collections::HashSet;
use yizhan_planner::station::StationData;

/// Columns of a demand dataset's summary, in [`decode_demand_info`] order.
const DEMAND_INFO_COLUMNS: &str = "name, district, synthetic, count, total, created_at";

fn decode_demand_info(r: &SqliteRow) -> Result<DemandInfo, StoreError> {
    let count: i64 = r.try_get(3)?;
    let created: &str = r.try_get(5)?;
    Ok(DemandInfo {
        name: r.try_get(0)?,
        district: r.try_get(1)?,
        synthetic: r.try_get(2)?,
        count: u64::try_from(count).unwrap_or(0),
        total: r.try_get(4)?,
        created_at: row::parse_timestamp(0, "demand created_at", created)?,
    })
}

impl SqliteStore {
    pub(super) async fn put_districts(&self, districts: &[Boundary], ctx: &AuditContext) -> Result<usize, StoreError> {
        let at = row::format_timestamp(row::now());
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        // The replaced districts as they were, read before anything is written.
        let mut previous = Vec::new();
        let mut seen = HashSet::new();
        for d in districts.iter().filter(|d| seen.insert(d.name.as_str())) {
            let row = sqlx::query(
                "SELECT name, city, province, min_lon, min_lat, max_lon, max_lat FROM districts WHERE name = ?1",
            )
            .bind(&d.name)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(r) = row {
                previous.push(BoundarySummary {
                    name: r.try_get(0)?,
                    parent: None,
                    city: r.try_get(1)?,
                    province: r.try_get(2)?,
                    bbox: [r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?],
                });
            }
        }
        let written: Vec<_> = districts.iter().map(Boundary::summary).collect();
        append_audit(&mut tx, ctx, &AuditRecord::boundary_import("district", &written, &previous), &at).await?;
        for d in districts {
            let [w, s, e, n] = bbox_of(&d.polygon);
            sqlx::query(
                "INSERT INTO districts (name, city, province, geometry, min_lon, min_lat, max_lon, max_lat) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (name) DO UPDATE SET city = excluded.city, \
                 province = excluded.province, geometry = excluded.geometry, min_lon = excluded.min_lon, \
                 min_lat = excluded.min_lat, max_lon = excluded.max_lon, max_lat = excluded.max_lat",
            )
            .bind(&d.name)
            .bind(&d.city)
            .bind(&d.province)
            .bind(polygon_to_text(&d.polygon))
            .bind(w)
            .bind(s)
            .bind(e)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(districts.len())
    }

    pub(super) async fn put_streets(&self, streets: &[Boundary], ctx: &AuditContext) -> Result<usize, StoreError> {
        let at = row::format_timestamp(row::now());
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let mut previous = Vec::new();
        let mut seen = HashSet::new();
        for st in streets.iter().filter(|st| seen.insert((st.parent.as_deref().unwrap_or(""), st.name.as_str()))) {
            let row = sqlx::query(
                "SELECT name, district, min_lon, min_lat, max_lon, max_lat FROM streets \
                 WHERE district = ?1 AND name = ?2",
            )
            .bind(st.parent.as_deref().unwrap_or(""))
            .bind(&st.name)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(r) = row {
                let district: String = r.try_get(1)?;
                previous.push(BoundarySummary {
                    name: r.try_get(0)?,
                    parent: Some(district).filter(|d| !d.is_empty()),
                    city: None,
                    province: None,
                    bbox: [r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?],
                });
            }
        }
        let written: Vec<_> = streets.iter().map(Boundary::summary).collect();
        append_audit(&mut tx, ctx, &AuditRecord::boundary_import("street", &written, &previous), &at).await?;
        for st in streets {
            let [w, s, e, n] = bbox_of(&st.polygon);
            sqlx::query(
                "INSERT INTO streets (district, name, geometry, min_lon, min_lat, max_lon, max_lat) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (district, name) DO UPDATE SET \
                 geometry = excluded.geometry, min_lon = excluded.min_lon, min_lat = excluded.min_lat, \
                 max_lon = excluded.max_lon, max_lat = excluded.max_lat",
            )
            .bind(st.parent.as_deref().unwrap_or(""))
            .bind(&st.name)
            .bind(polygon_to_text(&st.polygon))
            .bind(w)
            .bind(s)
            .bind(e)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(streets.len())
    }

    pub(super) async fn districts(&self, name: Option<&str>) -> Result<Vec<Boundary>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, city, province, geometry FROM districts WHERE ?1 IS NULL OR name = ?1 ORDER BY id",
        )
        .bind(name)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get(0)?;
                let geometry: &str = r.try_get(3)?;
                let polygon = polygon_from_text(&format!("district {name}"), geometry)?;
                Ok(Boundary { name, parent: None, city: r.try_get(1)?, province: r.try_get(2)?, polygon })
            })
            .collect()
    }

    pub(super) async fn streets(&self, district: &str) -> Result<Vec<Boundary>, StoreError> {
        let rows = sqlx::query("SELECT name, geometry FROM streets WHERE district = ?1 ORDER BY id")
            .bind(district)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get(0)?;
                let geometry: &str = r.try_get(1)?;
                let polygon = polygon_from_text(&format!("street {name}"), geometry)?;
                Ok(Boundary { name, parent: Some(district.to_owned()), city: None, province: None, polygon })
            })
            .collect()
    }

    pub(super) async fn put_demand(&self, d: &DemandDataset, ctx: &AuditContext) -> Result<DemandInfo, StoreError> {
        let now = row::now();
        let points = serde_json::to_string(&d.points).map_err(|e| corrupt_json("demand points", &e))?;
        let total: f64 = d.points.iter().map(|p| p[2]).sum();
        let count = d.points.len() as u64;
        let info = DemandInfo {
            name: d.name.clone(),
            district: d.district.clone(),
            synthetic: d.synthetic,
            count,
            total,
            created_at: now,
        };
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = sqlx::query(&format!("SELECT {DEMAND_INFO_COLUMNS} FROM demand_datasets WHERE name = ?1"))
            .bind(&d.name)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(decode_demand_info)
            .transpose()?;
        let at = row::format_timestamp(now);
        append_audit(&mut tx, ctx, &AuditRecord::demand_import(&info, before.as_ref()), &at).await?;
        sqlx::query(
            "INSERT INTO demand_datasets (name, district, synthetic, points, count, total, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO UPDATE SET district = excluded.district, \
             synthetic = excluded.synthetic, points = excluded.points, count = excluded.count, \
             total = excluded.total, created_at = excluded.created_at",
        )
        .bind(&d.name)
        .bind(&d.district)
        .bind(d.synthetic)
        .bind(points)
        .bind(i64::try_from(count).unwrap_or(i64::MAX))
        .bind(total)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(info)
    }

    pub(super) async fn demand(&self, name: &str) -> Result<Option<DemandDataset>, StoreError> {
        let row = sqlx::query("SELECT name, district, synthetic, points FROM demand_datasets WHERE name = ?1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            let points: &str = r.try_get(3)?;
            Ok(DemandDataset {
                name: r.try_get(0)?,
                district: r.try_get(1)?,
                synthetic: r.try_get(2)?,
                points: serde_json::from_str(points).map_err(|e| corrupt_json("demand points", &e))?,
            })
        })
        .transpose()
    }

    pub(super) async fn demand_list(&self) -> Result<Vec<DemandInfo>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {DEMAND_INFO_COLUMNS} FROM demand_datasets ORDER BY name"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(decode_demand_info).collect()
    }

    pub(super) async fn put_analysis(&self, a: &SavedAnalysis) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO analyses (id, kind, request, result, created_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, request = excluded.request, \
             result = excluded.result, created_at = excluded.created_at, created_by = excluded.created_by",
        )
        .bind(&a.id)
        .bind(a.kind.code())
        .bind(a.request.to_string())
        .bind(a.result.as_str())
        .bind(row::format_timestamp(a.created_at))
        .bind(&a.created_by)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes the analyses of `kind` beyond the newest `keep` and those created before `cutoff`.
    /// Stored times are RFC 3339 text of one fixed form, so they compare as text.
    pub(super) async fn prune_analyses(
        &self,
        kind: AnalysisKind,
        keep: i64,
        cutoff: Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM analyses WHERE kind = ?1 AND (created_at < ?3 OR id NOT IN \
             (SELECT id FROM analyses WHERE kind = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2))",
        )
        .bind(kind.code())
        .bind(keep)
        .bind(cutoff.map(row::format_timestamp))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    pub(super) async fn analysis_ids(&self, kind: AnalysisKind) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar("SELECT id FROM analyses WHERE kind = ?1 ORDER BY created_at DESC, id DESC")
            .bind(kind.code())
            .fetch_all(self.pool())
            .await?;
        Ok(ids)
    }

    pub(super) async fn analysis(&self, id: &str) -> Result<Option<SavedAnalysis>, StoreError> {
        let row = sqlx::query("SELECT id, kind, request, result, created_at, created_by FROM analyses WHERE id = ?1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            let kind: &str = r.try_get(1)?;
            let request: &str = r.try_get(2)?;
            let result: &str = r.try_get(3)?;
            let created: &str = r.try_get(4)?;
            Ok(SavedAnalysis {
                id: r.try_get(0)?,
                kind: AnalysisKind::from_code(kind)
                    .ok_or_else(|| StoreError::Corrupt { id: 0, reason: format!("analysis kind {kind:?}") })?,
                request: serde_json::from_str(request).map_err(|e| corrupt_json("analysis request", &e))?,
                result: JsonText::new(result),
                created_at: row::parse_timestamp(0, "analysis created_at", created)?,
                created_by: r.try_get(5)?,
            })
        })
        .transpose()
    }

    pub(super) async fn create_scenario(
        &self,
        name: &str,
        plan_id: &str,
        rows: Vec<StationData>,
        ctx: &AuditContext,
    ) -> Result<Option<CreatedScenario>, StoreError> {
        let now = row::now();
        let stamp = row::format_timestamp(now);
        let mut tx = self.begin_write().await?;
        let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM scenarios WHERE name = ?1)")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        if taken {
            return Ok(None);
        }
        let written =
            if rows.is_empty() { Written::default() } else { import_in(&mut tx, &rows, &|_| {}, &stamp).await? };
        let scenario = Scenario {
            name: name.to_owned(),
            plan_id: plan_id.to_owned(),
            station_ids: written.ids(),
            created_at: now,
        };
        let ids = serde_json::to_string(&scenario.station_ids).map_err(|e| corrupt_json("scenario stations", &e))?;
        let done = sqlx::query(
            "INSERT INTO scenarios (name, plan_id, station_ids, created_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&scenario.name)
        .bind(&scenario.plan_id)
        .bind(ids)
        .bind(&stamp)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            // Dropping the transaction rolls the stations back.
            return Ok(None);
        }
        if !rows.is_empty() {
            append_audit(&mut tx, ctx, &written.audit_record(rows.len()), &stamp).await?;
        }
        append_audit(&mut tx, ctx, &scenario.audit_record(), &stamp).await?;
        tx.commit().await?;
        Ok(Some(CreatedScenario { scenario, stations: written.into_outcome(rows, now) }))
    }

    pub(super) async fn put_scenario(&self, s: &Scenario) -> Result<bool, StoreError> {
        let ids = serde_json::to_string(&s.station_ids).map_err(|e| corrupt_json("scenario stations", &e))?;
        let done = sqlx::query(
            "INSERT INTO scenarios (name, plan_id, station_ids, created_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&s.name)
        .bind(&s.plan_id)
        .bind(ids)
        .bind(row::format_timestamp(s.created_at))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn scenarios(&self, name: Option<&str>) -> Result<Vec<Scenario>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, plan_id, station_ids, created_at FROM scenarios WHERE ?1 IS NULL OR name = ?1 \
             ORDER BY created_at, name",
        )
        .bind(name)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let ids: &str = r.try_get(2)?;
                let created: &str = r.try_get(3)?;
                Ok(Scenario {
                    name: r.try_get(0)?,
                    plan_id: r.try_get(1)?,
                    station_ids: serde_json::from_str(ids).map_err(|e| corrupt_json("scenario stations", &e))?,
                    created_at: row::parse_timestamp(0, "scenario created_at", created)?,
                })
            })
            .collect()
    }
}

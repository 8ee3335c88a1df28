//! The PostGIS store's planner tables (see `migrations/postgres/0003_planner.sql`): boundaries as
//! `geometry(MultiPolygon, 4326)`, demand and analyses as `jsonb`.

use super::StoreError;
use super::planning::JsonText;
use super::planning::{
    AnalysisKind, Boundary, CreatedScenario, DemandDataset, DemandInfo, SavedAnalysis, Scenario, corrupt_json,
    polygon_from_text, polygon_to_text,
};
use super::postgres::access::append_audit;
use super::postgres::{PgStore, db, import_in};
use super::row;
use super::upsert::Written;
use crate::access::audit::{AuditContext, AuditRecord, BoundarySummary};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;
use std::collections::HashSet;
use yizhan_planner::station::StationData;

/// Significant decimals of coordinates read back with `ST_AsGeoJSON` (more than a double holds).
const GEOJSON_DIGITS: i32 = 17;

/// Columns of a demand dataset's summary, in [`decode_demand_info`] order.
const DEMAND_INFO_COLUMNS: &str = "name, district, synthetic, count, total, created_at";

fn decode_demand_info(r: &PgRow) -> Result<DemandInfo, StoreError> {
    let count: i64 = r.try_get(3).map_err(db)?;
    Ok(DemandInfo {
        name: r.try_get(0).map_err(db)?,
        district: r.try_get(1).map_err(db)?,
        synthetic: r.try_get(2).map_err(db)?,
        count: u64::try_from(count).unwrap_or(0),
        total: r.try_get(4).map_err(db)?,
        created_at: r.try_get(5).map_err(db)?,
    })
}

/// `[min_lon, min_lat, max_lon, max_lat]` from four columns starting at `first`.
fn bbox_columns(r: &PgRow, first: usize) -> Result<[f64; 4], StoreError> {
    Ok([
        r.try_get(first).map_err(db)?,
        r.try_get(first + 1).map_err(db)?,
        r.try_get(first + 2).map_err(db)?,
        r.try_get(first + 3).map_err(db)?,
    ])
}

impl PgStore {
    pub(super) async fn put_districts(&self, districts: &[Boundary], ctx: &AuditContext) -> Result<usize, StoreError> {
        let at = row::now();
        let mut tx = self.pool().begin().await.map_err(db)?;
        // The replaced districts as they were, read before anything is written.
        let mut previous = Vec::new();
        let mut seen = HashSet::new();
        for d in districts.iter().filter(|d| seen.insert(d.name.as_str())) {
            let row = sqlx::query(
                "SELECT name, city, province, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) \
                 FROM districts WHERE name = $1",
            )
            .bind(&d.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            if let Some(r) = row {
                previous.push(BoundarySummary {
                    name: r.try_get(0).map_err(db)?,
                    parent: None,
                    city: r.try_get(1).map_err(db)?,
                    province: r.try_get(2).map_err(db)?,
                    bbox: bbox_columns(&r, 3)?,
                });
            }
        }
        let written: Vec<_> = districts.iter().map(Boundary::summary).collect();
        append_audit(&mut tx, ctx, &AuditRecord::boundary_import("district", &written, &previous), at).await?;
        for d in districts {
            sqlx::query(
                "INSERT INTO districts (name, city, province, geom) \
                 VALUES ($1, $2, $3, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($4), 4326))) \
                 ON CONFLICT (name) DO UPDATE SET city = excluded.city, province = excluded.province, \
                 geom = excluded.geom",
            )
            .bind(&d.name)
            .bind(&d.city)
            .bind(&d.province)
            .bind(polygon_to_text(&d.polygon))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(districts.len())
    }

    pub(super) async fn put_streets(&self, streets: &[Boundary], ctx: &AuditContext) -> Result<usize, StoreError> {
        let at = row::now();
        let mut tx = self.pool().begin().await.map_err(db)?;
        let mut previous = Vec::new();
        let mut seen = HashSet::new();
        for st in streets.iter().filter(|st| seen.insert((st.parent.as_deref().unwrap_or(""), st.name.as_str()))) {
            let row = sqlx::query(
                "SELECT name, district, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) \
                 FROM streets WHERE district = $1 AND name = $2",
            )
            .bind(st.parent.as_deref().unwrap_or(""))
            .bind(&st.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            if let Some(r) = row {
                let district: String = r.try_get(1).map_err(db)?;
                previous.push(BoundarySummary {
                    name: r.try_get(0).map_err(db)?,
                    parent: Some(district).filter(|d| !d.is_empty()),
                    city: None,
                    province: None,
                    bbox: bbox_columns(&r, 2)?,
                });
            }
        }
        let written: Vec<_> = streets.iter().map(Boundary::summary).collect();
        append_audit(&mut tx, ctx, &AuditRecord::boundary_import("street", &written, &previous), at).await?;
        for s in streets {
            sqlx::query(
                "INSERT INTO streets (district, name, geom) \
                 VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326))) \
                 ON CONFLICT (district, name) DO UPDATE SET geom = excluded.geom",
            )
            .bind(s.parent.as_deref().unwrap_or(""))
            .bind(&s.name)
            .bind(polygon_to_text(&s.polygon))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(streets.len())
    }

    pub(super) async fn districts(&self, name: Option<&str>) -> Result<Vec<Boundary>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, city, province, ST_AsGeoJSON(geom, $2) FROM districts \
             WHERE $1::text IS NULL OR name = $1 ORDER BY id",
        )
        .bind(name)
        .bind(GEOJSON_DIGITS)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get(0).map_err(db)?;
                let geometry: &str = r.try_get(3).map_err(db)?;
                let polygon = polygon_from_text(&format!("district {name}"), geometry)?;
                Ok(Boundary {
                    name,
                    parent: None,
                    city: r.try_get(1).map_err(db)?,
                    province: r.try_get(2).map_err(db)?,
                    polygon,
                })
            })
            .collect()
    }

    pub(super) async fn streets(&self, district: &str) -> Result<Vec<Boundary>, StoreError> {
        let rows = sqlx::query("SELECT name, ST_AsGeoJSON(geom, $2) FROM streets WHERE district = $1 ORDER BY id")
            .bind(district)
            .bind(GEOJSON_DIGITS)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get(0).map_err(db)?;
                let geometry: &str = r.try_get(1).map_err(db)?;
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
        let mut tx = self.pool().begin().await.map_err(db)?;
        let before = sqlx::query(&format!("SELECT {DEMAND_INFO_COLUMNS} FROM demand_datasets WHERE name = $1"))
            .bind(&d.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .as_ref()
            .map(decode_demand_info)
            .transpose()?;
        append_audit(&mut tx, ctx, &AuditRecord::demand_import(&info, before.as_ref()), now).await?;
        sqlx::query(
            "INSERT INTO demand_datasets (name, district, synthetic, points, count, total, extent, created_at) \
             VALUES ($1, $2, $3, $4::jsonb, $5, $6, \
               (SELECT ST_SetSRID(ST_Extent(ST_MakePoint((p->>0)::float8, (p->>1)::float8)), 4326)::geometry \
                FROM jsonb_array_elements($4::jsonb) AS p), $7) \
             ON CONFLICT (name) DO UPDATE SET district = excluded.district, synthetic = excluded.synthetic, \
             points = excluded.points, count = excluded.count, total = excluded.total, extent = excluded.extent, \
             created_at = excluded.created_at",
        )
        .bind(&d.name)
        .bind(&d.district)
        .bind(d.synthetic)
        .bind(points)
        .bind(i64::try_from(count).unwrap_or(i64::MAX))
        .bind(total)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(info)
    }

    pub(super) async fn demand(&self, name: &str) -> Result<Option<DemandDataset>, StoreError> {
        let row = sqlx::query("SELECT name, district, synthetic, points::text FROM demand_datasets WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await
            .map_err(db)?;
        row.map(|r| {
            let points: &str = r.try_get(3).map_err(db)?;
            Ok(DemandDataset {
                name: r.try_get(0).map_err(db)?,
                district: r.try_get(1).map_err(db)?,
                synthetic: r.try_get(2).map_err(db)?,
                points: serde_json::from_str(points).map_err(|e| corrupt_json("demand points", &e))?,
            })
        })
        .transpose()
    }

    pub(super) async fn demand_list(&self) -> Result<Vec<DemandInfo>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {DEMAND_INFO_COLUMNS} FROM demand_datasets ORDER BY name"))
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        rows.iter().map(decode_demand_info).collect()
    }

    pub(super) async fn put_analysis(&self, a: &SavedAnalysis) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO analyses (id, kind, request, result, created_at, created_by) \
             VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, request = excluded.request, \
             result = excluded.result, created_at = excluded.created_at, created_by = excluded.created_by",
        )
        .bind(&a.id)
        .bind(a.kind.code())
        .bind(a.request.to_string())
        .bind(a.result.as_str())
        .bind(a.created_at)
        .bind(&a.created_by)
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Deletes the analyses of `kind` beyond the newest `keep` and those created before `cutoff`.
    pub(super) async fn prune_analyses(
        &self,
        kind: AnalysisKind,
        keep: i64,
        cutoff: Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM analyses WHERE kind = $1 AND (created_at < $3 OR id NOT IN \
             (SELECT id FROM analyses WHERE kind = $1 ORDER BY created_at DESC, id DESC LIMIT $2))",
        )
        .bind(kind.code())
        .bind(keep)
        .bind(cutoff)
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    pub(super) async fn analysis_ids(&self, kind: AnalysisKind) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT id FROM analyses WHERE kind = $1 ORDER BY created_at DESC, id DESC")
            .bind(kind.code())
            .fetch_all(self.pool())
            .await
            .map_err(db)
    }

    pub(super) async fn analysis(&self, id: &str) -> Result<Option<SavedAnalysis>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, request::text, result::text, created_at, created_by FROM analyses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(db)?;
        row.map(|r| {
            let kind: &str = r.try_get(1).map_err(db)?;
            let created_at: DateTime<Utc> = r.try_get(4).map_err(db)?;
            let request: &str = r.try_get(2).map_err(db)?;
            let result: &str = r.try_get(3).map_err(db)?;
            Ok(SavedAnalysis {
                id: r.try_get(0).map_err(db)?,
                kind: AnalysisKind::from_code(kind)
                    .ok_or_else(|| StoreError::Corrupt { id: 0, reason: format!("analysis kind {kind:?}") })?,
                request: serde_json::from_str(request).map_err(|e| corrupt_json("analysis request", &e))?,
                result: JsonText::new(result),
                created_at,
                created_by: r.try_get(5).map_err(db)?,
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
        let mut tx = self.begin_write().await?;
        let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM scenarios WHERE name = $1)")
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if taken {
            return Ok(None);
        }
        let written =
            if rows.is_empty() { Written::default() } else { import_in(&mut tx, &rows, &|_| {}, now).await? };
        let scenario = Scenario {
            name: name.to_owned(),
            plan_id: plan_id.to_owned(),
            station_ids: written.ids(),
            created_at: now,
        };
        let done = sqlx::query(
            "INSERT INTO scenarios (name, plan_id, station_ids, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&scenario.name)
        .bind(&scenario.plan_id)
        .bind(&scenario.station_ids)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() != 1 {
            // Dropping the transaction rolls the stations back (the ids they took stay unused).
            return Ok(None);
        }
        if !rows.is_empty() {
            append_audit(&mut tx, ctx, &written.audit_record(rows.len()), now).await?;
        }
        append_audit(&mut tx, ctx, &scenario.audit_record(), now).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(CreatedScenario { scenario, stations: written.into_outcome(rows, now) }))
    }

    pub(super) async fn put_scenario(&self, s: &Scenario) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO scenarios (name, plan_id, station_ids, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&s.name)
        .bind(&s.plan_id)
        .bind(&s.station_ids)
        .bind(s.created_at)
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn scenarios(&self, name: Option<&str>) -> Result<Vec<Scenario>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, plan_id, station_ids, created_at FROM scenarios WHERE $1::text IS NULL OR name = $1 \
             ORDER BY created_at, name",
        )
        .bind(name)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(Scenario {
                    name: r.try_get(0).map_err(db)?,
                    plan_id: r.try_get(1).map_err(db)?,
                    station_ids: r.try_get(2).map_err(db)?,
                    created_at: r.try_get(3).map_err(db)?,
                })
            })
            .collect()
    }
}

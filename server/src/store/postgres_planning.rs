//! The PostGIS store's planner tables (see `migrations/postgres/0003_planner.sql`): boundaries as
//! `geometry(MultiPolygon, 4326)`, demand and analyses as `jsonb`.

use super::StoreError;
use super::planning::{
    AnalysisKind, Boundary, DemandDataset, DemandInfo, SavedAnalysis, Scenario, corrupt_json, polygon_from_text,
    polygon_to_text,
};
use super::postgres::{PgStore, db};
use super::row;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Significant decimals of coordinates read back with `ST_AsGeoJSON` (more than a double holds).
const GEOJSON_DIGITS: i32 = 17;

impl PgStore {
    pub(super) async fn put_districts(&self, districts: &[Boundary]) -> Result<usize, StoreError> {
        let mut tx = self.pool().begin().await.map_err(db)?;
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

    pub(super) async fn put_streets(&self, streets: &[Boundary]) -> Result<usize, StoreError> {
        let mut tx = self.pool().begin().await.map_err(db)?;
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

    pub(super) async fn put_demand(&self, d: &DemandDataset) -> Result<DemandInfo, StoreError> {
        let now = row::now();
        let points = serde_json::to_string(&d.points).map_err(|e| corrupt_json("demand points", &e))?;
        let total: f64 = d.points.iter().map(|p| p[2]).sum();
        let count = d.points.len() as u64;
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
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(DemandInfo {
            name: d.name.clone(),
            district: d.district.clone(),
            synthetic: d.synthetic,
            count,
            total,
            created_at: now,
        })
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
        let rows = sqlx::query(
            "SELECT name, district, synthetic, count, total, created_at FROM demand_datasets ORDER BY name",
        )
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                let count: i64 = r.try_get(3).map_err(db)?;
                Ok(DemandInfo {
                    name: r.try_get(0).map_err(db)?,
                    district: r.try_get(1).map_err(db)?,
                    synthetic: r.try_get(2).map_err(db)?,
                    count: u64::try_from(count).unwrap_or(0),
                    total: r.try_get(4).map_err(db)?,
                    created_at: r.try_get(5).map_err(db)?,
                })
            })
            .collect()
    }

    pub(super) async fn put_analysis(&self, a: &SavedAnalysis) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO analyses (id, kind, request, result, created_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, request = excluded.request, \
             result = excluded.result, created_at = excluded.created_at",
        )
        .bind(&a.id)
        .bind(a.kind.code())
        .bind(a.request.to_string())
        .bind(a.result.to_string())
        .bind(a.created_at)
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    pub(super) async fn prune_analyses(&self, kind: AnalysisKind, keep: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM analyses WHERE kind = $1 AND id NOT IN \
             (SELECT id FROM analyses WHERE kind = $1 ORDER BY created_at DESC, id DESC LIMIT $2)",
        )
        .bind(kind.code())
        .bind(keep)
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
        let row = sqlx::query("SELECT id, kind, request::text, result::text, created_at FROM analyses WHERE id = $1")
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
                result: serde_json::from_str(result).map_err(|e| corrupt_json("analysis result", &e))?,
                created_at,
            })
        })
        .transpose()
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

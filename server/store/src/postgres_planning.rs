//! The PostGIS store's planner tables (see `migrations/postgres/0003_planner.sql`): the SQL.
//! Boundaries are `geometry(MultiPolygon, 4326)`, demand and analyses `jsonb`, a scenario's
//! station ids `bigint[]`. Rows are read back by the `planning` decoders.

use super::StoreError;
use super::planning::{
    self, AnalysisKind, Boundary, CreatedScenario, DEMAND_INFO_COLUMNS, DemandDataset, DemandInfo, SavedAnalysis,
    Scenario, polygon_to_text,
};
use super::postgres::access::append_audit;
use super::postgres::{PgStore, import_in};
use super::row;
use super::upsert::Written;
use crate::audit::{AuditContext, AuditRecord};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use yizhan_planner::station::StationData;

/// Significant decimals of coordinates read back with `ST_AsGeoJSON` (more than a double holds).
const GEOJSON_DIGITS: i32 = 17;

impl PgStore {
    pub(super) async fn put_districts(&self, districts: &[Boundary], ctx: &AuditContext) -> Result<usize, StoreError> {
        let at = row::now();
        let mut tx = self.pool().begin().await?;
        // The replaced districts as they were, read before anything is written.
        let mut previous = Vec::new();
        for d in planning::distinct_districts(districts) {
            let row = sqlx::query(
                "SELECT name, city, province, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) \
                 FROM districts WHERE name = $1",
            )
            .bind(&d.name)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(r) = row {
                previous.push(planning::decode_district_summary(&r)?);
            }
        }
        append_audit(&mut tx, ctx, &planning::boundary_record("district", districts, &previous), at).await?;
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
            .await?;
        }
        tx.commit().await?;
        Ok(districts.len())
    }

    pub(super) async fn put_streets(&self, streets: &[Boundary], ctx: &AuditContext) -> Result<usize, StoreError> {
        let at = row::now();
        let mut tx = self.pool().begin().await?;
        let mut previous = Vec::new();
        for st in planning::distinct_streets(streets) {
            let row = sqlx::query(
                "SELECT name, district, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) \
                 FROM streets WHERE district = $1 AND name = $2",
            )
            .bind(st.district_key())
            .bind(&st.name)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(r) = row {
                previous.push(planning::decode_street_summary(&r)?);
            }
        }
        append_audit(&mut tx, ctx, &planning::boundary_record("street", streets, &previous), at).await?;
        for s in streets {
            sqlx::query(
                "INSERT INTO streets (district, name, geom) \
                 VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326))) \
                 ON CONFLICT (district, name) DO UPDATE SET geom = excluded.geom",
            )
            .bind(s.district_key())
            .bind(&s.name)
            .bind(polygon_to_text(&s.polygon))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
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
        .await?;
        rows.iter().map(planning::decode_district).collect()
    }

    pub(super) async fn streets(&self, district: &str) -> Result<Vec<Boundary>, StoreError> {
        let rows = sqlx::query("SELECT name, ST_AsGeoJSON(geom, $2) FROM streets WHERE district = $1 ORDER BY id")
            .bind(district)
            .bind(GEOJSON_DIGITS)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| planning::decode_street(r, district)).collect()
    }

    pub(super) async fn put_demand(&self, d: &DemandDataset, ctx: &AuditContext) -> Result<DemandInfo, StoreError> {
        let now = row::now();
        let points = d.points_json()?;
        let info = DemandInfo::of(d, now);
        let mut tx = self.pool().begin().await?;
        let before = sqlx::query(&format!("SELECT {DEMAND_INFO_COLUMNS} FROM demand_datasets WHERE name = $1"))
            .bind(&d.name)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(planning::decode_demand_info)
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
        .bind(i64::try_from(info.count).unwrap_or(i64::MAX))
        .bind(info.total)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(info)
    }

    pub(super) async fn demand(&self, name: &str) -> Result<Option<DemandDataset>, StoreError> {
        let row = sqlx::query("SELECT name, district, synthetic, points::text FROM demand_datasets WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(planning::decode_demand).transpose()
    }

    pub(super) async fn demand_list(&self) -> Result<Vec<DemandInfo>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {DEMAND_INFO_COLUMNS} FROM demand_datasets ORDER BY name"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(planning::decode_demand_info).collect()
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
        .await?;
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
        .await?;
        Ok(done.rows_affected())
    }

    pub(super) async fn analysis_ids(&self, kind: AnalysisKind) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM analyses WHERE kind = $1 ORDER BY created_at DESC, id DESC")
            .bind(kind.code())
            .fetch_all(self.pool())
            .await?)
    }

    pub(super) async fn analysis(&self, id: &str) -> Result<Option<SavedAnalysis>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, request::text, result::text, created_at, created_by FROM analyses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(planning::decode_analysis).transpose()
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
            .await?;
        if taken {
            return Ok(None);
        }
        let written =
            if rows.is_empty() { Written::default() } else { import_in(&mut tx, &rows, &|_| {}, now).await? };
        let scenario = Scenario::of_written(name, plan_id, &written, now);
        if !insert_scenario(&mut tx, &scenario).await? {
            // Dropping the transaction rolls the stations back (the ids they took stay unused).
            return Ok(None);
        }
        for rec in scenario.audit_records(&written, rows.len()) {
            append_audit(&mut tx, ctx, &rec, now).await?;
        }
        tx.commit().await?;
        Ok(Some(CreatedScenario { scenario, stations: written.into_outcome(rows, now) }))
    }

    pub(super) async fn put_scenario(&self, s: &Scenario) -> Result<bool, StoreError> {
        insert_scenario(&mut *self.pool().acquire().await?, s).await
    }

    pub(super) async fn scenarios(&self, name: Option<&str>) -> Result<Vec<Scenario>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, plan_id, station_ids, created_at FROM scenarios WHERE $1::text IS NULL OR name = $1 \
             ORDER BY created_at, name",
        )
        .bind(name)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(planning::decode_scenario).collect()
    }
}

/// Stores `s` unless a scenario of its name exists; returns whether it was stored.
async fn insert_scenario(conn: &mut PgConnection, s: &Scenario) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO scenarios (name, plan_id, station_ids, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(&s.name)
    .bind(&s.plan_id)
    .bind(&s.station_ids)
    .bind(s.created_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

//! Rider reports in the embedded store (migration 0008): the SQL. Rows are read back by
//! `reports::decode_report`.

use super::{SqliteStore, row};
use crate::StoreError;
use crate::audit::{AuditContext, AuditRecord};
use crate::reports::{NewReport, Photo, REPORT_COLUMNS, ReportAnswer, ReportQuery, ReportRecord, decode_report};
use sqlx::Row;
use yizhan_planner::station::Station;

impl SqliteStore {
    pub(crate) async fn create_report(&self, r: &NewReport) -> Result<ReportRecord, StoreError> {
        let at = row::format_timestamp(r.created_at);
        let photo = r.photo.as_ref();
        let sql = format!(
            "INSERT INTO reports (code, station_id, category, amenity, message, lon, lat, district, street, status, \
             created_at, updated_at, photo, photo_type, photo_width, photo_height) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'new', ?10, ?10, ?11, ?12, ?13, ?14) RETURNING {REPORT_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(&r.code)
            .bind(r.station_id)
            .bind(r.category.code())
            .bind(r.amenity.map(yizhan_planner::amenity::Amenity::code))
            .bind(r.text.as_deref())
            .bind(r.position.map(|p| p.lon))
            .bind(r.position.map(|p| p.lat))
            .bind(r.district.as_deref())
            .bind(r.street.as_deref())
            .bind(&at)
            .bind(photo.map(|p| p.bytes.as_slice()))
            .bind(photo.map(|p| p.media_type.as_str()))
            .bind(photo.map(|p| i64::from(p.width)))
            .bind(photo.map(|p| i64::from(p.height)))
            .fetch_one(&self.pool)
            .await?;
        decode_report(&row)
    }

    pub(crate) async fn report_by_code(&self, code: &str) -> Result<Option<ReportRecord>, StoreError> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE code = ?1");
        let row = sqlx::query(&sql).bind(code).fetch_optional(&self.pool).await?;
        row.as_ref().map(decode_report).transpose()
    }

    pub(crate) async fn report(&self, id: i64) -> Result<Option<ReportRecord>, StoreError> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(decode_report).transpose()
    }

    pub(crate) async fn reports(&self, q: &ReportQuery) -> Result<(u64, Vec<ReportRecord>), StoreError> {
        const WHERE: &str = "WHERE status IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR district = ?2) \
                             AND (?3 IS NULL OR street = ?3) AND (?4 IS NULL OR station_id = ?4)";
        let statuses = serde_json::to_string(&q.status_codes())
            .map_err(|e| StoreError::corrupt_record("reports", e.to_string()))?;
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM reports {WHERE}"))
            .bind(&statuses)
            .bind(q.district.as_deref())
            .bind(q.street.as_deref())
            .bind(q.station)
            .fetch_one(&self.pool)
            .await?;
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports {WHERE} ORDER BY id DESC LIMIT ?5 OFFSET ?6");
        let rows = sqlx::query(&sql)
            .bind(&statuses)
            .bind(q.district.as_deref())
            .bind(q.street.as_deref())
            .bind(q.station)
            .bind(i64::from(q.limit))
            .bind(i64::try_from(q.offset).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        let reports = rows.iter().map(decode_report).collect::<Result<Vec<_>, _>>()?;
        Ok((u64::try_from(count).unwrap_or(0), reports))
    }

    pub(crate) async fn report_photo(&self, id: i64) -> Result<Option<Photo>, StoreError> {
        let row = sqlx::query(
            "SELECT photo, photo_type, photo_width, photo_height FROM reports WHERE id = ?1 AND photo IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Photo {
                bytes: r.try_get(0)?,
                media_type: r.try_get(1)?,
                width: u32::try_from(r.try_get::<i64, _>(2)?).unwrap_or(0),
                height: u32::try_from(r.try_get::<i64, _>(3)?).unwrap_or(0),
            })
        })
        .transpose()
    }

    /// The answer, the station's change (if any) and both audit entries in one transaction.
    pub(crate) async fn answer_report(
        &self,
        id: i64,
        answer: &ReportAnswer,
        ctx: &AuditContext,
    ) -> Result<Option<(ReportRecord, Option<Station>)>, StoreError> {
        let now = row::now();
        let at = row::format_timestamp(now);
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1");
        let Some(before) = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await? else { return Ok(None) };
        let before = decode_report(&before)?;
        let station = match (&answer.station, before.station_id) {
            (Some(data), Some(station_id)) => {
                Some(super::update_in(&mut tx, station_id, data.clone(), Some((ctx, "station.update"))).await?)
            }
            _ => None,
        };
        let closes = !answer.status.is_open();
        let sql = format!(
            "UPDATE reports SET status = ?1, note = ?2, handled_by = ?3, updated_at = ?4, \
             resolved_at = CASE WHEN ?5 THEN ?4 ELSE NULL END WHERE id = ?6 RETURNING {REPORT_COLUMNS}"
        );
        let after = sqlx::query(&sql)
            .bind(answer.status.code())
            .bind(answer.note.as_deref())
            .bind(&ctx.principal.id)
            .bind(&at)
            .bind(closes)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let after = decode_report(&after)?;
        let rec = AuditRecord::report(&before, &after);
        super::access::append_audit(&mut tx, ctx, &rec, &at).await?;
        tx.commit().await?;
        Ok(Some((after, station)))
    }
}

//! API tokens and the audit log in the embedded store (tables of migration 0004): the SQL. Rows
//! are read back by `access::decode_token` and `audit::decode_entry`.

use super::{SqliteStore, row};
use crate::StoreError;
use crate::access::{StoredToken, TOKEN_COLUMNS, TokenRecord, decode_token};
use crate::audit::{self, AuditContext, AuditEntry, AuditRecord};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

impl SqliteStore {
    pub(crate) async fn add_token(&self, token: &StoredToken, ctx: &AuditContext) -> Result<(), StoreError> {
        let r = &token.record;
        let at = row::format_timestamp(r.created_at);
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (id, name, role, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(&r.id)
            .bind(&r.name)
            .bind(r.role.code())
            .bind(&token.secret_hash)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, ctx, &AuditRecord::token_create(r), &at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(decode_token).transpose()
    }

    pub(crate) async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| decode_token(r).map(|t| t.record)).collect()
    }

    pub(crate) async fn has_active_tokens(&self) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE revoked_at IS NULL)")
            .fetch_one(&self.pool)
            .await?)
    }

    pub(crate) async fn revoke_token(&self, id: &str, ctx: &AuditContext) -> Result<bool, StoreError> {
        let at = row::format_timestamp(row::now());
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1 AND revoked_at IS NULL");
        let Some(before) = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await? else { return Ok(false) };
        let before = decode_token(&before)?.record;
        sqlx::query("UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2").bind(&at).bind(id).execute(&mut *tx).await?;
        let after = sqlx::query(&sql.replace(" AND revoked_at IS NULL", "")).bind(id).fetch_one(&mut *tx).await?;
        let rec = AuditRecord::token_revoke(&before, &decode_token(&after)?.record);
        append_audit(&mut tx, ctx, &rec, &at).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2")
            .bind(row::format_timestamp(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stored times are RFC 3339 text of one fixed form, so they compare as text (no time at all
    /// is the empty text, before every other).
    pub(crate) async fn audit_log(
        &self,
        since: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let since = since.map_or_else(String::new, row::format_timestamp);
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, actor_name, role, operation, route, target, before, after FROM audit_log \
             WHERE at >= ?1 ORDER BY seq LIMIT ?2",
        )
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit::decode_entry).collect()
    }
}

/// Appends one entry to the audit log, inside the caller's writing transaction. `at` is the
/// write's time as RFC 3339 text (as the station timestamps).
///
/// # Errors
/// [`StoreError`] on database failure.
pub(crate) async fn append_audit(
    conn: &mut SqliteConnection,
    ctx: &AuditContext,
    rec: &AuditRecord,
    at: &str,
) -> Result<(), StoreError> {
    let insert = sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, role, operation, route, target, before, after) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    );
    audit::bind_entry(insert.bind(at), ctx, rec).execute(conn).await?;
    Ok(())
}

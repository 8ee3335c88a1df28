//! API tokens and the audit log in the PostgreSQL store (tables of migration 0004): the SQL. Rows
//! are read back by `access::decode_token` and `audit::decode_entry`.

use super::PgStore;
use crate::StoreError;
use crate::access::{StoredToken, TOKEN_COLUMNS, TokenRecord, decode_token};
use crate::audit::{self, AuditContext, AuditEntry, AuditRecord};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

impl PgStore {
    pub(crate) async fn add_token(&self, token: &StoredToken, ctx: &AuditContext) -> Result<(), StoreError> {
        let r = &token.record;
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (id, name, role, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&r.id)
            .bind(&r.name)
            .bind(r.role.code())
            .bind(&token.secret_hash)
            .bind(r.created_at)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, ctx, &AuditRecord::token_create(r), r.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
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
        let at = super::row::now();
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let before = sqlx::query(&format!("{sql} AND revoked_at IS NULL")).bind(id).fetch_optional(&mut *tx).await?;
        let Some(before) = before else { return Ok(false) };
        let before = decode_token(&before)?.record;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2").bind(at).bind(id).execute(&mut *tx).await?;
        let after = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
        let rec = AuditRecord::token_revoke(&before, &decode_token(&after)?.record);
        append_audit(&mut tx, ctx, &rec, at).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn audit_log(
        &self,
        since: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, actor_name, role, operation, route, target, before::text, after::text \
             FROM audit_log WHERE $1::timestamptz IS NULL OR at >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit::decode_entry).collect()
    }
}

/// Appends one entry to the audit log, inside the caller's writing transaction; `at` is the
/// write's time.
///
/// # Errors
/// [`StoreError`] on database failure.
pub(crate) async fn append_audit(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    rec: &AuditRecord,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let insert = sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, role, operation, route, target, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)",
    );
    audit::bind_entry(insert.bind(at), ctx, rec).execute(conn).await?;
    Ok(())
}

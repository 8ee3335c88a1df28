//! API tokens and the audit log in the PostgreSQL store (tables of migration 0004): the SQL. Rows
//! are read back by `access::decode_token` and `audit::decode_entry`.

use super::PgStore;
use crate::StoreError;
use crate::access::{
    BOOTSTRAP_TOKEN_ID, LIVE_SESSION_COLUMNS, LiveSession, SessionRecord, StoredToken, TOKEN_COLUMNS, TokenRecord,
    decode_live_session, decode_token,
};
use crate::audit::{self, AuditContext, AuditEntry, AuditQuery, AuditRecord};
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

    pub(crate) async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT seq, at, actor_id, actor_name, role, operation, route, target, before::text, after::text \
             FROM audit_log WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2) \
             AND ($3::text IS NULL OR actor_id = $3) AND ($4::text IS NULL OR operation = $4) \
             AND ($5::text IS NULL OR target = $5) AND ($6::bigint IS NULL OR seq < $6) \
             AND ($7::bigint IS NULL OR seq > $7) ORDER BY seq {} LIMIT $8",
            q.direction()
        );
        let rows = sqlx::query(&sql)
            .bind(q.since)
            .bind(q.until)
            .bind(q.actor.as_deref())
            .bind(q.operation.as_deref())
            .bind(q.target.as_deref())
            .bind(q.before_seq)
            .bind(q.after_seq)
            .bind(i64::from(q.limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit::decode_entry).collect()
    }

    pub(crate) async fn create_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Sessions that ended a day ago are of no use to anyone: forget them as new ones open.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(s.created_at - chrono::Duration::days(1))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sessions (id_hash, token_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&s.id_hash)
            .bind(&s.token_id)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn live_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<LiveSession>, StoreError> {
        let sql = format!(
            "SELECT {LIVE_SESSION_COLUMNS} FROM sessions s LEFT JOIN api_tokens t ON t.id = s.token_id \
             WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
             AND (s.token_id = $3 OR (t.id IS NOT NULL AND t.revoked_at IS NULL))"
        );
        let row = sqlx::query(&sql).bind(id_hash).bind(now).bind(BOOTSTRAP_TOKEN_ID).fetch_optional(&self.pool).await?;
        row.as_ref().map(decode_live_session).transpose()
    }

    pub(crate) async fn revoke_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
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

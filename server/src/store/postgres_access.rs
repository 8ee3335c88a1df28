//! API tokens and the audit log in the PostgreSQL store (tables of migration 0004).

use super::super::StoreError;
use super::{PgStore, db};
use crate::access::audit::{AuditContext, AuditEntry, AuditRecord};
use crate::access::{Role, StoredToken, TokenRecord};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// Columns of a token read, in [`decode_token`] order.
const TOKEN_COLUMNS: &str = "id, name, role, secret_hash, created_at, last_used_at, revoked_at";

impl PgStore {
    pub(in crate::store) async fn add_token(&self, token: &StoredToken, ctx: &AuditContext) -> Result<(), StoreError> {
        let r = &token.record;
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (id, name, role, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&r.id)
            .bind(&r.name)
            .bind(r.role.code())
            .bind(&token.secret_hash)
            .bind(r.created_at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let rec = AuditRecord {
            operation: "token.create".to_owned(),
            target: Some(r.id.clone()),
            before: None,
            after: serde_json::to_value(r).ok(),
        };
        append_audit(&mut tx, ctx, &rec, r.created_at).await?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    pub(in crate::store) async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await.map_err(db)?;
        row.as_ref().map(decode_token).transpose()
    }

    pub(in crate::store) async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(|r| decode_token(r).map(|t| t.record)).collect()
    }

    pub(in crate::store) async fn has_active_tokens(&self) -> Result<bool, StoreError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE revoked_at IS NULL)")
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    pub(in crate::store) async fn revoke_token(&self, id: &str, ctx: &AuditContext) -> Result<bool, StoreError> {
        let at = super::row::now();
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let before = sqlx::query(&format!("{sql} AND revoked_at IS NULL"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let Some(before) = before else { return Ok(false) };
        let before = decode_token(&before)?.record;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let after = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await.map_err(db)?;
        let rec = AuditRecord {
            operation: "token.revoke".to_owned(),
            target: Some(id.to_owned()),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(decode_token(&after)?.record).ok(),
        };
        append_audit(&mut tx, ctx, &rec, at).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    pub(in crate::store) async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    pub(in crate::store) async fn audit_log(
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
        .await
        .map_err(db)?;
        rows.iter().map(decode_audit).collect()
    }
}

/// Appends one entry to the audit log, inside the caller's writing transaction.
///
/// # Errors
/// [`StoreError`] on database failure.
pub(crate) async fn append_audit(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    rec: &AuditRecord,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, role, operation, route, target, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)",
    )
    .bind(at)
    .bind(&ctx.principal.id)
    .bind(&ctx.principal.name)
    .bind(ctx.principal.role.code())
    .bind(&rec.operation)
    .bind(ctx.route.as_deref())
    .bind(rec.target.as_deref())
    .bind(rec.before.as_ref().map(ToString::to_string))
    .bind(rec.after.as_ref().map(ToString::to_string))
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

fn corrupt(table: &'static str, reason: String) -> StoreError {
    StoreError::CorruptRecord { table, reason }
}

fn decode_token(r: &PgRow) -> Result<StoredToken, StoreError> {
    let id: String = r.try_get(0).map_err(db)?;
    let role: &str = r.try_get(2).map_err(db)?;
    let role = Role::from_code(role).ok_or_else(|| corrupt("api_tokens", format!("token {id}: role {role:?}")))?;
    Ok(StoredToken {
        record: TokenRecord {
            name: r.try_get(1).map_err(db)?,
            role,
            created_at: r.try_get(4).map_err(db)?,
            last_used_at: r.try_get(5).map_err(db)?,
            revoked_at: r.try_get(6).map_err(db)?,
            id,
        },
        secret_hash: r.try_get(3).map_err(db)?,
    })
}

fn decode_audit(r: &PgRow) -> Result<AuditEntry, StoreError> {
    let seq: i64 = r.try_get(0).map_err(db)?;
    let role: &str = r.try_get(4).map_err(db)?;
    let role = Role::from_code(role).ok_or_else(|| corrupt("audit_log", format!("entry {seq}: role {role:?}")))?;
    let json = |i: usize| -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<&str> = r.try_get(i).map_err(db)?;
        text.map(|t| serde_json::from_str(t).map_err(|e| corrupt("audit_log", format!("entry {seq}: {e}")))).transpose()
    };
    Ok(AuditEntry {
        seq,
        at: r.try_get(1).map_err(db)?,
        actor_id: r.try_get(2).map_err(db)?,
        actor_name: r.try_get(3).map_err(db)?,
        role,
        operation: r.try_get(5).map_err(db)?,
        route: r.try_get(6).map_err(db)?,
        target: r.try_get(7).map_err(db)?,
        before: json(8)?,
        after: json(9)?,
    })
}

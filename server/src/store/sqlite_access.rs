//! API tokens and the audit log in the embedded store (tables of migration 0004).

use super::super::StoreError;
use super::{SqliteStore, row};
use crate::access::audit::{AuditContext, AuditEntry, AuditRecord};
use crate::access::{Role, StoredToken, TokenRecord};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

/// Columns of a token read, in [`decode_token`] order.
const TOKEN_COLUMNS: &str = "id, name, role, secret_hash, created_at, last_used_at, revoked_at";

impl SqliteStore {
    pub(in crate::store) async fn add_token(&self, token: &StoredToken, ctx: &AuditContext) -> Result<(), StoreError> {
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
        let rec = AuditRecord {
            operation: "token.create".to_owned(),
            target: Some(r.id.clone()),
            before: None,
            after: serde_json::to_value(r).ok(),
        };
        append_audit(&mut tx, ctx, &rec, &at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(decode_token).transpose()
    }

    pub(in crate::store) async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| decode_token(r).map(|t| t.record)).collect()
    }

    pub(in crate::store) async fn has_active_tokens(&self) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE revoked_at IS NULL)")
            .fetch_one(&self.pool)
            .await?)
    }

    pub(in crate::store) async fn revoke_token(&self, id: &str, ctx: &AuditContext) -> Result<bool, StoreError> {
        let at = row::format_timestamp(row::now());
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1 AND revoked_at IS NULL");
        let Some(before) = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await? else { return Ok(false) };
        let before = decode_token(&before)?.record;
        sqlx::query("UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2").bind(&at).bind(id).execute(&mut *tx).await?;
        let after = sqlx::query(&sql.replace(" AND revoked_at IS NULL", "")).bind(id).fetch_one(&mut *tx).await?;
        let rec = AuditRecord {
            operation: "token.revoke".to_owned(),
            target: Some(id.to_owned()),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(decode_token(&after)?.record).ok(),
        };
        append_audit(&mut tx, ctx, &rec, &at).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(in crate::store) async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2")
            .bind(row::format_timestamp(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn audit_log(
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
        rows.iter().map(decode_audit).collect()
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
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, role, operation, route, target, before, after) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
    .await?;
    Ok(())
}

fn corrupt(table: &'static str, reason: String) -> StoreError {
    StoreError::CorruptRecord { table, reason }
}

fn timestamp(table: &'static str, column: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, format!("{column} {text:?}: {e}")))
}

fn decode_token(r: &SqliteRow) -> Result<StoredToken, StoreError> {
    let id: String = r.try_get(0)?;
    let role: &str = r.try_get(2)?;
    let role = Role::from_code(role).ok_or_else(|| corrupt("api_tokens", format!("token {id}: role {role:?}")))?;
    let opt = |i: usize, column: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        let text: Option<&str> = r.try_get(i)?;
        text.map(|t| timestamp("api_tokens", column, t)).transpose()
    };
    let created: &str = r.try_get(4)?;
    Ok(StoredToken {
        record: TokenRecord {
            name: r.try_get(1)?,
            role,
            created_at: timestamp("api_tokens", "created_at", created)?,
            last_used_at: opt(5, "last_used_at")?,
            revoked_at: opt(6, "revoked_at")?,
            id,
        },
        secret_hash: r.try_get(3)?,
    })
}

fn decode_audit(r: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let seq: i64 = r.try_get(0)?;
    let at: &str = r.try_get(1)?;
    let role: &str = r.try_get(4)?;
    let role = Role::from_code(role).ok_or_else(|| corrupt("audit_log", format!("entry {seq}: role {role:?}")))?;
    let json = |i: usize| -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<&str> = r.try_get(i)?;
        text.map(|t| serde_json::from_str(t).map_err(|e| corrupt("audit_log", format!("entry {seq}: {e}")))).transpose()
    };
    Ok(AuditEntry {
        seq,
        at: timestamp("audit_log", "at", at)?,
        actor_id: r.try_get(2)?,
        actor_name: r.try_get(3)?,
        role,
        operation: r.try_get(5)?,
        route: r.try_get(6)?,
        target: r.try_get(7)?,
        before: json(8)?,
        after: json(9)?,
    })
}

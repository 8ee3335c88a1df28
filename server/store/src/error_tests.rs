#![allow(clippy::unwrap_used)]

use super::*;
use std::error::Error as _;

#[test]
fn driver_errors_are_classified_when_converted() {
    let unavailable = [
        sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed,
        sqlx::Error::WorkerCrashed,
        sqlx::Error::Io(std::io::Error::other("connection reset")),
        sqlx::Error::Protocol("unexpected message".into()),
    ];
    for e in unavailable {
        let e = StoreError::from(e);
        assert!(matches!(e, StoreError::Unavailable(_)) && e.is_unavailable(), "{e:?}");
    }
    for e in [sqlx::Error::RowNotFound, sqlx::Error::ColumnNotFound("seq".into())] {
        let e = StoreError::from(e);
        assert!(matches!(e, StoreError::Database(_)) && !e.is_unavailable(), "{e:?}");
    }
    let e = StoreError::from(sqlx::migrate::MigrateError::VersionMissing(3));
    assert!(matches!(e, StoreError::Migrate(_)) && !e.is_unavailable(), "{e:?}");
}

#[test]
fn db_errors_keep_the_message_and_the_causes() {
    let e = StoreError::Database(DbError::new("disk image is malformed"));
    assert_eq!(e.to_string(), "database error: disk image is malformed");
    assert!(!e.is_unavailable());
    assert!(StoreError::Unavailable(DbError::new("pool timed out")).is_unavailable());

    let io = std::io::Error::other("refused");
    let e = StoreError::from(sqlx::Error::Io(io));
    let inner = e.source().unwrap();
    assert_eq!(inner.to_string(), sqlx::Error::Io(std::io::Error::other("refused")).to_string());
    assert_eq!(inner.source().unwrap().to_string(), "refused", "the driver's cause stays in the chain");
}

/// A write lock held by another connection, with no time to wait: `SQLITE_BUSY`.
#[tokio::test]
async fn a_locked_sqlite_file_is_unavailable() {
    use sqlx::ConnectOptions as _;
    use sqlx::sqlite::SqliteConnectOptions;
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("locked.sqlite3"))
        .create_if_missing(true)
        .busy_timeout(std::time::Duration::ZERO);
    let mut holder = options.connect().await.unwrap();
    let mut other = options.connect().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut holder).await.unwrap();
    let refused = sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap_err();
    let e = StoreError::from(refused);
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    // A constraint is a fault, not unavailability.
    sqlx::query("CREATE TABLE t (x INTEGER NOT NULL)").execute(&mut holder).await.unwrap();
    let refused = sqlx::query("INSERT INTO t VALUES (NULL)").execute(&mut holder).await.unwrap_err();
    assert!(matches!(StoreError::from(refused), StoreError::Database(_)));
}

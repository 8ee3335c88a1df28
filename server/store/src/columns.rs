//! Column values on either backend, for the backend-neutral modules: [`Bind`] binds parameters to
//! any sqlx query, [`Columns`] reads a row of either backend.
//!
//! The backends store most values alike (text, 64-bit integers, doubles, booleans); they differ
//! in timestamps (RFC 3339 text in the embedded store, `timestamptz` in PostgreSQL) and in lists
//! of station ids (a JSON array, `bigint[]`). [`Columns`] hides those differences when reading;
//! when writing, each backend binds its own form (see `row::bind_station`).

use crate::StoreError;
use crate::error::corrupt_json;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::query::{Query, QueryScalar};
use sqlx::sqlite::SqliteRow;
use sqlx::{Database, Encode, Row, Type};
use yizhan_planner::station::StationId;

/// A query to which parameters are bound one after another (sqlx's `Query` and `QueryScalar`,
/// which have no common trait of their own).
pub(crate) trait Bind<'q, DB: Database>: Sized {
    /// The query with `value` bound to its next parameter.
    #[must_use]
    fn value<T: 'q + Encode<'q, DB> + Type<DB>>(self, value: T) -> Self;
}

impl<'q, DB: Database> Bind<'q, DB> for Query<'q, DB, <DB as Database>::Arguments<'q>> {
    fn value<T: 'q + Encode<'q, DB> + Type<DB>>(self, value: T) -> Self {
        self.bind(value)
    }
}

impl<'q, DB: Database, O> Bind<'q, DB> for QueryScalar<'q, DB, O, <DB as Database>::Arguments<'q>> {
    fn value<T: 'q + Encode<'q, DB> + Type<DB>>(self, value: T) -> Self {
        self.bind(value)
    }
}

/// Makes the error for stored timestamp text that does not read back (embedded store only): from
/// the text and the parser's error.
pub(crate) type BadTimestamp<'a> = &'a dyn Fn(&str, chrono::ParseError) -> StoreError;

/// Reads column `i` (0-based) of a row of either backend. A value of the wrong type or an
/// unexpected NULL is [`StoreError::Database`].
pub(crate) trait Columns {
    /// A text value.
    fn text(&self, i: usize) -> Result<&str, StoreError>;
    /// A text value or NULL.
    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError>;
    /// A 64-bit integer.
    fn int(&self, i: usize) -> Result<i64, StoreError>;
    /// A double.
    fn float(&self, i: usize) -> Result<f64, StoreError>;
    /// A 64-bit integer or NULL.
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    /// A double or NULL.
    fn opt_float(&self, i: usize) -> Result<Option<f64>, StoreError>;
    /// A boolean.
    fn flag(&self, i: usize) -> Result<bool, StoreError>;
    /// A timestamp (UTC); stored text that is not RFC 3339 is `bad`'s error.
    fn timestamp(&self, i: usize, bad: BadTimestamp<'_>) -> Result<DateTime<Utc>, StoreError>;
    /// A timestamp (UTC) or NULL; stored text that is not RFC 3339 is `bad`'s error.
    fn opt_timestamp(&self, i: usize, bad: BadTimestamp<'_>) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// A list of station ids; a stored list that does not read back is
    /// [`StoreError::Corrupt`] naming `what`.
    fn station_ids(&self, i: usize, what: &str) -> Result<Vec<StationId>, StoreError>;

    /// A text value, owned.
    fn string(&self, i: usize) -> Result<String, StoreError> {
        self.text(i).map(str::to_owned)
    }

    /// A text value or NULL, owned.
    fn opt_string(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.opt_text(i)?.map(str::to_owned))
    }
}

/// The [`Columns`] methods both backends read the same way.
macro_rules! same_on_both {
    () => {
        fn text(&self, i: usize) -> Result<&str, StoreError> {
            Ok(self.try_get(i)?)
        }

        fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
            Ok(self.try_get(i)?)
        }

        fn int(&self, i: usize) -> Result<i64, StoreError> {
            Ok(self.try_get(i)?)
        }

        fn float(&self, i: usize) -> Result<f64, StoreError> {
            Ok(self.try_get(i)?)
        }

        fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
            Ok(self.try_get(i)?)
        }

        fn opt_float(&self, i: usize) -> Result<Option<f64>, StoreError> {
            Ok(self.try_get(i)?)
        }

        fn flag(&self, i: usize) -> Result<bool, StoreError> {
            Ok(self.try_get(i)?)
        }
    };
}

/// Reads RFC 3339 text as a UTC timestamp.
fn parse_rfc3339(text: &str, bad: BadTimestamp<'_>) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|e| bad(text, e))
}

/// The embedded store: timestamps as RFC 3339 text, id lists as JSON arrays.
impl Columns for SqliteRow {
    same_on_both!();

    fn timestamp(&self, i: usize, bad: BadTimestamp<'_>) -> Result<DateTime<Utc>, StoreError> {
        parse_rfc3339(self.text(i)?, bad)
    }

    fn opt_timestamp(&self, i: usize, bad: BadTimestamp<'_>) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.opt_text(i)?.map(|t| parse_rfc3339(t, bad)).transpose()
    }

    fn station_ids(&self, i: usize, what: &str) -> Result<Vec<StationId>, StoreError> {
        serde_json::from_str(self.text(i)?).map_err(|e| corrupt_json(what, &e))
    }
}

/// PostgreSQL: `timestamptz` and `bigint[]`.
impl Columns for PgRow {
    same_on_both!();

    fn timestamp(&self, i: usize, _: BadTimestamp<'_>) -> Result<DateTime<Utc>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn opt_timestamp(&self, i: usize, _: BadTimestamp<'_>) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn station_ids(&self, i: usize, _: &str) -> Result<Vec<StationId>, StoreError> {
        Ok(self.try_get(i)?)
    }
}

/// The columns of a row from `.1` on, read as a row of their own: a joined table's columns are
/// decoded with that table's own decoder.
pub(crate) struct Offset<'r, C>(pub &'r C, pub usize);

impl<C: Columns> Columns for Offset<'_, C> {
    fn text(&self, i: usize) -> Result<&str, StoreError> {
        self.0.text(i + self.1)
    }

    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        self.0.opt_text(i + self.1)
    }

    fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.0.int(i + self.1)
    }

    fn float(&self, i: usize) -> Result<f64, StoreError> {
        self.0.float(i + self.1)
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        self.0.opt_int(i + self.1)
    }

    fn opt_float(&self, i: usize) -> Result<Option<f64>, StoreError> {
        self.0.opt_float(i + self.1)
    }

    fn flag(&self, i: usize) -> Result<bool, StoreError> {
        self.0.flag(i + self.1)
    }

    fn timestamp(&self, i: usize, bad: BadTimestamp<'_>) -> Result<DateTime<Utc>, StoreError> {
        self.0.timestamp(i + self.1, bad)
    }

    fn opt_timestamp(&self, i: usize, bad: BadTimestamp<'_>) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.0.opt_timestamp(i + self.1, bad)
    }

    fn station_ids(&self, i: usize, what: &str) -> Result<Vec<StationId>, StoreError> {
        self.0.station_ids(i + self.1, what)
    }
}

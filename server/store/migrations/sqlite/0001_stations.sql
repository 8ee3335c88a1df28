-- Stations and their change log (embedded SQLite store).
--
-- Storage conventions:
-- * Timestamps (`created_at`, `updated_at`) are RFC 3339 text in UTC with exactly six fractional
--   digits, e.g. `2025-03-01T08:15:30.123456Z`: fixed width, so text order is time order, and the
--   same microsecond precision as a PostgreSQL `timestamptz`.
-- * `verified_on` is a local date as `YYYY-MM-DD` text.
-- * `lon` / `lat` are WGS-84 degrees; `amenities` is the amenity bit mask (bit i = the i-th amenity).
-- * `kind` and `status` hold the stable English codes (`rest_station`, `active`…). They are checked
--   when a row is read back, not here, so that adding a kind needs no table rebuild.
-- * `id` is AUTOINCREMENT: ids of deleted stations are never handed out again.
-- * `source` + `external_id` is the key re-imports update by; rows without both are never merged.

CREATE TABLE stations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    name          TEXT    NOT NULL CHECK (name <> ''),
    address       TEXT,
    district      TEXT,
    street        TEXT,
    lon           REAL    NOT NULL CHECK (lon BETWEEN -180.0 AND 180.0),
    lat           REAL    NOT NULL CHECK (lat BETWEEN -90.0 AND 90.0),
    amenities     INTEGER NOT NULL DEFAULT 0 CHECK (amenities BETWEEN 0 AND 4294967295),
    opening_hours TEXT,
    capacity      INTEGER CHECK (capacity BETWEEN 0 AND 4294967295),
    operator      TEXT,
    phone         TEXT,
    offer         TEXT,
    status        TEXT    NOT NULL,
    source        TEXT,
    external_id   TEXT,
    verified_on   TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (source, external_id)
) STRICT;

-- One row per write to `stations`, in commit order, written by the triggers below inside the
-- writing transaction. `seq` is AUTOINCREMENT so it only grows, even if old entries are pruned.
-- `at` is the database clock in UTC (RFC 3339, millisecond precision).
CREATE TABLE station_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id INTEGER NOT NULL,
    op         TEXT    NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    at         TEXT    NOT NULL
) STRICT;

CREATE TRIGGER stations_log_insert AFTER INSERT ON stations
BEGIN
    INSERT INTO station_changes (station_id, op, at)
    VALUES (NEW.id, 'create', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER stations_log_update AFTER UPDATE ON stations
BEGIN
    INSERT INTO station_changes (station_id, op, at)
    VALUES (NEW.id, 'update', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER stations_log_delete AFTER DELETE ON stations
BEGIN
    INSERT INTO station_changes (station_id, op, at)
    VALUES (OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

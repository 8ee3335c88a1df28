-- The coverage planner's data: district and street boundaries, demand datasets, saved analyses
-- (coverage results and finished plans) and scenarios.
--
-- * Geometries are GeoJSON MultiPolygon text in WGS-84 degrees; `min_lon`…`max_lat` their bounding
--   box.
-- * `streets.district` names the district a street belongs to ('' when none is known).
-- * Demand points are one JSON array per dataset: `[[lon, lat, weight], …]` (WGS-84 degrees,
--   weight ≥ 0, e.g. orders per day).
-- * Analyses and scenarios keep the request and result as JSON text; `created_at` is RFC 3339 UTC
--   with six fractional digits, like the station timestamps.

CREATE TABLE districts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    name     TEXT NOT NULL UNIQUE CHECK (name <> ''),
    city     TEXT,
    province TEXT,
    geometry TEXT NOT NULL,
    min_lon  REAL NOT NULL,
    min_lat  REAL NOT NULL,
    max_lon  REAL NOT NULL,
    max_lat  REAL NOT NULL
) STRICT;

CREATE TABLE streets (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    district TEXT NOT NULL DEFAULT '',
    name     TEXT NOT NULL CHECK (name <> ''),
    geometry TEXT NOT NULL,
    min_lon  REAL NOT NULL,
    min_lat  REAL NOT NULL,
    max_lon  REAL NOT NULL,
    max_lat  REAL NOT NULL,
    UNIQUE (district, name)
) STRICT;

CREATE TABLE demand_datasets (
    name       TEXT PRIMARY KEY CHECK (name <> ''),
    district   TEXT,
    synthetic  INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
    points     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    total      REAL NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE analyses (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('coverage', 'plan')),
    request    TEXT NOT NULL,
    result     TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE scenarios (
    name        TEXT PRIMARY KEY CHECK (name <> ''),
    plan_id     TEXT NOT NULL,
    station_ids TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

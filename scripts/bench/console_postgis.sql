-- PostgreSQL 15 + PostGIS peer of the console paging benchmark (scripts/bench/console.sh).
--
-- psql -v csv=STATIONS.csv -v ids=IDS.csv -f console_postgis.sql
--   csv: the generated register (console_stations.py), the file `yizhan import` read;
--   ids: external_id,id,created_at,updated_at as yizhan stored them (from `yizhan export`), so
--        both sides hold the same ids and timestamps and break ties the same way.
-- The table has the columns of a yizhan station; the indexes are what a PostGIS deployment
-- serving this console would add: btree per sort key (with id, the API's tie-break, and name in
-- code point order, COLLATE "C"), pg_trgm GIN on name and address for ILIKE '%…%', btree on the
-- equality filters (district, street, kind, then name and id so that a filtered page by name is
-- read in order), GiST on the position.
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE UNLOGGED TABLE raw_stations (
    name text NOT NULL, kind text NOT NULL, lon double precision NOT NULL, lat double precision NOT NULL,
    address text, district text, street text, status text NOT NULL, verified_on date,
    source text, external_id text NOT NULL
);
COPY raw_stations FROM :'csv' WITH (FORMAT csv, HEADER true);

CREATE UNLOGGED TABLE yizhan_ids (
    external_id text PRIMARY KEY, id bigint NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL
);
COPY yizhan_ids FROM :'ids' WITH (FORMAT csv, HEADER true);

CREATE TABLE stations (
    id bigint PRIMARY KEY,
    kind text NOT NULL,
    name text NOT NULL,
    geom geometry(Point, 4326) NOT NULL,
    address text,
    district text,
    street text,
    amenities text[] NOT NULL DEFAULT '{}',
    opening_hours text,
    capacity integer,
    operator text,
    phone text,
    offer text,
    status text NOT NULL,
    source text,
    external_id text,
    verified_on date,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
INSERT INTO stations (id, kind, name, geom, address, district, street, status, source, external_id,
                      verified_on, created_at, updated_at)
SELECT y.id, r.kind, r.name, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326), r.address, r.district,
       r.street, r.status, r.source, r.external_id, r.verified_on, y.created_at, y.updated_at
FROM raw_stations r JOIN yizhan_ids y USING (external_id)
ORDER BY y.id;

DO $$
DECLARE n_raw bigint; n_ids bigint; n bigint;
BEGIN
    SELECT count(*) INTO n_raw FROM raw_stations;
    SELECT count(*) INTO n_ids FROM yizhan_ids;
    SELECT count(*) INTO n FROM stations;
    IF n <> n_raw OR n <> n_ids THEN
        RAISE EXCEPTION 'stations % rows, CSV % rows, yizhan ids % rows: the two sides differ', n, n_raw, n_ids;
    END IF;
END $$;
DROP TABLE raw_stations;
DROP TABLE yizhan_ids;

CREATE INDEX stations_name ON stations (name COLLATE "C", id);
CREATE INDEX stations_verified_on ON stations (verified_on NULLS FIRST, id);
CREATE INDEX stations_updated_at ON stations (updated_at DESC, id);
CREATE INDEX stations_name_trgm ON stations USING gin (name gin_trgm_ops);
CREATE INDEX stations_address_trgm ON stations USING gin (address gin_trgm_ops);
CREATE INDEX stations_district_street ON stations (district, street, kind, name COLLATE "C", id);
CREATE INDEX stations_geom ON stations USING gist (geom);
VACUUM (ANALYZE) stations;

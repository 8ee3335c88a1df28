-- The coverage planner's data: district and street boundaries (the tables of the first migration
-- gain the names of city and province), demand datasets, saved analyses (coverage results and
-- finished plans) and scenarios.
--
-- * Demand points are one jsonb array per dataset: `[[lon, lat, weight], …]` (WGS-84 degrees,
--   weight ≥ 0), with their extent as a geometry for spatial look-ups.
-- * Analyses and scenarios keep the request and result as jsonb.

ALTER TABLE districts ADD COLUMN city text, ADD COLUMN province text;

-- Streets always name their district ('' when none is known), so (district, name) is a key.
UPDATE streets SET district = '' WHERE district IS NULL;
ALTER TABLE streets ALTER COLUMN district SET DEFAULT '', ALTER COLUMN district SET NOT NULL;

CREATE TABLE demand_datasets (
    name       text PRIMARY KEY CHECK (name <> ''),
    district   text,
    synthetic  boolean          NOT NULL DEFAULT false,
    points     jsonb            NOT NULL,
    count      bigint           NOT NULL,
    total      double precision NOT NULL,
    extent     geometry(Geometry, 4326),
    created_at timestamptz      NOT NULL
);

CREATE TABLE analyses (
    id         text PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('coverage', 'plan')),
    request    jsonb       NOT NULL,
    result     jsonb       NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE scenarios (
    name        text PRIMARY KEY CHECK (name <> ''),
    plan_id     text        NOT NULL,
    station_ids bigint[]    NOT NULL,
    created_at  timestamptz NOT NULL
);

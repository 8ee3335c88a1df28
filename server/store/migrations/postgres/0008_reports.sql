-- Rider reports.
--
-- One row per report a rider sent: about a station (`station_id`, kept when the station is later
-- deleted) or a place (`lon`, `lat`, WGS-84 degrees). `code` is the short code the rider keeps
-- to follow the report. `status` is new → acknowledged → resolved | rejected; `note` is the
-- editor's answer, `handled_by` the token id that gave it. The photo, if any, is stored as the
-- server re-encoded it (metadata stripped). Every server on the database reads reports from
-- here, so they reach every replica at once.

CREATE TABLE reports (
    id           bigserial PRIMARY KEY,
    code         text NOT NULL UNIQUE,
    station_id   bigint,
    category     text NOT NULL,
    amenity      text,
    message      text,
    lon          double precision,
    lat          double precision,
    district     text,
    street       text,
    status       text NOT NULL CHECK (status IN ('new', 'acknowledged', 'resolved', 'rejected')),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    resolved_at  timestamptz,
    note         text,
    handled_by   text,
    photo        bytea,
    photo_type   text,
    photo_width  integer,
    photo_height integer
);

CREATE INDEX reports_status ON reports (status, id);
CREATE INDEX reports_station ON reports (station_id, status);

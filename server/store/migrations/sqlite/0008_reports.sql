-- Rider reports (embedded SQLite store).
--
-- One row per report a rider sent: about a station (`station_id`, kept when the station is later
-- deleted) or a place (`lon`, `lat`, WGS-84 degrees). `code` is the short code the rider keeps
-- to follow the report. `status` is new → acknowledged → resolved | rejected; `note` is the
-- editor's answer, `handled_by` the token id that gave it. The photo, if any, is stored as the
-- server re-encoded it (metadata stripped). Times are RFC 3339 UTC text.

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE,
    station_id   INTEGER,
    category     TEXT NOT NULL,
    amenity      TEXT,
    message      TEXT,
    lon          REAL,
    lat          REAL,
    district     TEXT,
    street       TEXT,
    status       TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'resolved', 'rejected')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    resolved_at  TEXT,
    note         TEXT,
    handled_by   TEXT,
    photo        BLOB,
    photo_type   TEXT,
    photo_width  INTEGER,
    photo_height INTEGER
) STRICT;

CREATE INDEX reports_status ON reports (status, id);
CREATE INDEX reports_station ON reports (station_id, status);

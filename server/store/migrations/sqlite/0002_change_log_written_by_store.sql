-- The store now appends to `station_changes` itself, inside each writing transaction (an import
-- with two set-based statements), instead of per-row triggers: the triggers cost about as much as
-- the row insert itself on a large import. Writes made behind the store's back (by hand, with the
-- sqlite3 shell) are therefore no longer logged.
--
-- `at` is now the write's time as the store sees it (RFC 3339 UTC with six fractional digits, like
-- the station timestamps): for `create` and `update` it equals the station's `updated_at`.
-- Entries written by the triggers keep their millisecond text; both forms read back the same way.

DROP TRIGGER IF EXISTS stations_log_insert;
DROP TRIGGER IF EXISTS stations_log_update;
DROP TRIGGER IF EXISTS stations_log_delete;

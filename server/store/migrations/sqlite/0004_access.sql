-- Access control and the audit log (embedded SQLite store).
--
-- `api_tokens`: one row per API token. A token reads `yz_<id>_<secret>`; only `id` is stored in
-- clear, the secret as an argon2id PHC string (`$argon2id$v=19$m=…`). `role` is `editor` (may
-- write stations and imports) or `admin` (also reads the audit log). Timestamps are RFC 3339 UTC
-- text with six fractional digits, like the station timestamps. A revoked token keeps its row
-- (`revoked_at` set) so the audit log can still name it.
--
-- `audit_log`: one row per write, appended inside the writing transaction. `actor_id` is a token
-- id, `config` (the configured bootstrap token) or `cli`; `before` / `after` are JSON text (NULL
-- when there is nothing: before a create, after a delete).

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (name <> ''),
    role         TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    secret_hash  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    role       TEXT NOT NULL,
    operation  TEXT NOT NULL,
    route      TEXT,
    target     TEXT,
    before     TEXT,
    after      TEXT
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at);

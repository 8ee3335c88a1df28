-- The `planner` role: runs coverage analyses and plans with the planner's budget, owns its plan
-- jobs, saves scenarios and demand datasets. SQLite cannot change a CHECK constraint in place, so
-- the token table is rebuilt with the wider check (rows and columns unchanged).

CREATE TABLE api_tokens_new (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (name <> ''),
    role         TEXT NOT NULL CHECK (role IN ('editor', 'planner', 'admin')),
    secret_hash  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

INSERT INTO api_tokens_new (id, name, role, secret_hash, created_at, last_used_at, revoked_at)
    SELECT id, name, role, secret_hash, created_at, last_used_at, revoked_at FROM api_tokens;

DROP TABLE api_tokens;

ALTER TABLE api_tokens_new RENAME TO api_tokens;
